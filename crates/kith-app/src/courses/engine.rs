//! Building the engine's [`CourseState`] from the stored records of a course.

use kith_domain::course::{
    ConfirmedArea, Contract, CourseState, DecisionRecord, IpafFocus, MeasureTaken, Renegotiation,
    SessionRecord,
};
use kith_domain::protocol::Protocol;
use kith_store::{Course, CourseSession, FormulationRevision};

/// A protocol task id that, ticked in a held session, counts as raising the ending (besides
/// the explicit record [`crate::App::record_ending_raised`]). The presets have no such task;
/// a clinic's own protocol may add one.
pub const ENDING_RAISED_TASK: &str = "raise-ending";

/// The engine's view of a course.
///
/// `measures_taken` lists the (instrument, session number) pairs of the measures recorded in
/// this course. They live in the measures area; pass what it knows (or nothing).
///
/// * contract: the length before any change, the session it was agreed at, and every change
///   of length as a renegotiation;
/// * sessions: every stored session with its status, date and tasks done;
/// * problem areas (or IPAF): from the latest formulation revision; an area counts as agreed
///   when that revision has the client's agreement; it was confirmed at the session of the
///   first revision naming it;
/// * formulation agreed: the session of the earliest agreement;
/// * ending raised: the explicit record, or the first held session that ticked
///   [`ENDING_RAISED_TASK`];
/// * decisions: tasks ticked in a held session whose id is also one of the protocol's decision
///   points (e.g. `next-step`).
pub fn course_state(
    protocol: &Protocol,
    course: &Course,
    sessions: &[CourseSession],
    formulations: &[FormulationRevision],
    measures_taken: &[MeasureTaken],
) -> CourseState {
    let renegotiations = course
        .contract_changes
        .iter()
        .filter(|c| c.from.sessions != c.to.sessions)
        .map(|c| Renegotiation {
            at_session: c.at_session,
            from: c.from.sessions,
            to: c.to.sessions,
            date: c.on,
        })
        .collect();
    let records: Vec<SessionRecord> = sessions
        .iter()
        .map(|s| SessionRecord {
            number: s.number,
            status: s.status,
            date: s.date(),
            tasks_done: s.tasks.iter().map(|t| t.task.clone()).collect(),
        })
        .collect();
    let held = || {
        records
            .iter()
            .filter(|r| r.status == kith_domain::course::SessionStatus::Held)
    };
    let latest = formulations.last();
    let areas = latest
        .map(|f| {
            f.formulation
                .areas
                .iter()
                .map(|a| ConfirmedArea {
                    area: a.area.clone(),
                    primary: a.primary,
                    dispute_stage: a.dispute_stage,
                    confirmed_at_session: formulations
                        .iter()
                        .find(|r| r.formulation.areas.iter().any(|x| x.area == a.area))
                        .and_then(|r| r.at_session)
                        .unwrap_or(0),
                    client_agreed: f.agreement.is_some(),
                })
                .collect()
        })
        .unwrap_or_default();
    let ipaf: Option<IpafFocus> = latest.and_then(|f| f.formulation.ipaf.clone());
    let formulation_agreed_at = formulations
        .iter()
        .filter_map(|f| f.agreement.as_ref().map(|a| a.at_session))
        .min();
    let ending_by_task = held()
        .filter(|r| r.tasks_done.contains(ENDING_RAISED_TASK))
        .map(|r| r.number)
        .min();
    let ending_raised_at = match (course.ending_raised_at_session, ending_by_task) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let decisions = held()
        .flat_map(|r| {
            protocol
                .decision_points()
                .iter()
                .filter(|d| r.tasks_done.contains(&d.id))
                .map(|d| DecisionRecord {
                    id: d.id.clone(),
                    session: r.number,
                })
        })
        .collect();
    CourseState {
        protocol_id: course.protocol_id.clone(),
        contract: Contract {
            initial: course.initial_length(),
            agreed_at_session: course.contract_agreed_at_session,
            renegotiations,
        },
        sessions: records.clone(),
        areas,
        ipaf,
        formulation_agreed_at,
        ending_raised_at,
        measures: measures_taken.to_vec(),
        decisions,
    }
}
