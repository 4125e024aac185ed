//! The pre-session brief and the end-of-treatment summary.

use super::plans::RELAPSE_PLAN_KIND;
use super::records::{InventoryDiff, diff_inventories, domain_timeline};
use super::{CourseView, Scope, course_state};
use crate::{App, AppResult, Ctx};
use kith_domain::audit::AuditAction;
use kith_domain::course::IpafFocus;
use kith_domain::course::{
    Agenda, ContractLength, CourseReview, MeasureTaken, SessionStatus, review,
};
use kith_domain::ids::CourseId;
use kith_domain::locale::Localized;
use kith_domain::measure::{Score, ScorePoint, SeriesAnalysis};
use kith_domain::note::RiskStatus;
use kith_domain::policy::Action;
use kith_domain::timeline::LifeEvent;
use kith_store::{
    ChosenArea, CourseOutcome, CourseRef, CourseSession, CourseStatus, Diagnosis, Goal, Intake,
    InventorySnapshot, SnapshotLabel, SubmissionSummary, TaskDone, TimelineEntry, Worksheet,
    WorksheetStatus,
};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A client's questionnaires in one course, by instrument, oldest first, and the
/// (instrument, session number) pairs the engine counts as taken.
pub(crate) struct CourseMeasures {
    pub taken: Vec<MeasureTaken>,
    pub by_instrument: BTreeMap<String, Vec<(SubmissionSummary, Option<u32>)>>,
}

/// One score with when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreAt {
    pub total: Score,
    pub band: Option<String>,
    pub taken_at: OffsetDateTime,
    /// The session it was taken at, when it was tied to one.
    pub session: Option<u32>,
}

/// An instrument at the start of the course and now: what the final sessions compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureComparison {
    pub instrument: String,
    /// The first score of the course (`None` when the instrument was never taken).
    pub baseline: Option<ScoreAt>,
    /// The latest score (the same as the baseline when taken once).
    pub latest: Option<ScoreAt>,
    /// The series read with the clinic's change rules: change, response, remission, reliable
    /// change. Suggestions for the clinician, with their reasons.
    pub analysis: SeriesAnalysis,
}

/// The measures part of the brief and of the course page: one line per instrument taken in the
/// course, read from the measures area (see `courses::measures` for how a submission is placed
/// at a session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureBrief {
    pub instrument: String,
    /// Latest total, in the exact decimal form the measures area uses.
    pub latest_total: Option<String>,
    /// Severity band id of the latest total (labels come from the instrument).
    pub band: Option<String>,
    /// When the latest answers were given, and the session they count for.
    pub taken_at: Option<OffsetDateTime>,
    pub session: Option<u32>,
    /// The first total of the course.
    pub baseline_total: Option<String>,
    /// Latest minus the first total, signed (`+3`, `-5`); `None` with a single score.
    pub change_since_baseline: Option<String>,
    /// Change from the previous total (same form, signed).
    pub change: Option<String>,
    /// Whether the latest answer to a safety item was positive (`None`: the instrument has no
    /// safety item).
    pub safety_item_positive: Option<bool>,
    /// How many times the instrument was taken in the course.
    pub count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BriefChangeKind {
    Added,
    Edited,
    Removed,
}

/// A person of the inventory that changed since the last session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefChange {
    pub person: Uuid,
    pub display_name: String,
    pub kind: BriefChangeKind,
}

/// What the clinician reads before the next session.
#[derive(Debug, Clone)]
pub struct PreSessionBrief {
    pub course: CourseId,
    /// The next session and the contract (`n of N`).
    pub session: u32,
    pub of: Option<u32>,
    /// Sessions left in the contract (before this one is held).
    pub remaining: Option<u32>,
    /// This phase's tasks, measures due, strategies, whether to raise the ending.
    pub agenda: Agenda,
    pub warnings: Vec<kith_domain::course::Warning>,
    /// The last held session, its date, and the tasks done in it.
    pub last_session: Option<u32>,
    pub last_session_at: Option<OffsetDateTime>,
    pub done_last_session: Vec<TaskDone>,
    /// Between-session tasks still open and due by the next session or earlier.
    pub tasks_due: Vec<Worksheet>,
    /// Worksheets completed since the last session.
    pub completed_since: Vec<Worksheet>,
    /// Inventory people added, edited or removed since the last session.
    pub inventory_changes: Vec<BriefChange>,
    /// Life events added to the timeline since the last session.
    pub new_events: Vec<LifeEvent>,
    /// Latest score, change since baseline and safety-item status per instrument.
    pub measures: Vec<MeasureBrief>,
    /// What the note of the last held session recorded about risk (`None`: no note, or no
    /// risk check in it).
    pub last_note_risk: Option<RiskStatus>,
}

/// The data of the printable end-of-treatment summary.
#[derive(Debug, Clone)]
pub struct EndOfTreatmentSummary {
    pub course: CourseId,
    pub protocol_id: String,
    pub protocol_title: Localized,
    pub diagnosis: Option<Diagnosis>,
    pub opened_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub first_session_on: Option<Date>,
    pub last_session_on: Option<Date>,
    pub contract: ContractLength,
    pub sessions_held: u32,
    pub sessions_missed: u32,
    pub sessions_cancelled: u32,
    pub problem_areas: Vec<ChosenArea>,
    pub ipaf: Option<IpafFocus>,
    /// The formulation in the words shared with the client (latest revision).
    pub formulation_for_client: Option<String>,
    pub formulation_agreed_on: Option<Date>,
    pub goals: Vec<Goal>,
    /// Intake snapshot against the latest snapshot, when both exist.
    pub inventory_change: Option<InventoryDiff>,
    /// The relapse-prevention plan worksheet, if one was written.
    pub relapse_plan: Option<Worksheet>,
    /// How the course ended (`None` while it is still open).
    pub next_step: Option<CourseOutcome>,
    /// The engine's final reading (fidelity per phase, warnings).
    pub review: CourseReview,
    /// Every measure of the protocol and every one taken in the course: baseline and now.
    pub measures: Vec<MeasureComparison>,
    /// The intake snapshot of the inventory and the latest later one, for the closeness-circle
    /// change view.
    pub snapshot_before: Option<InventorySnapshot>,
    pub snapshot_after: Option<InventorySnapshot>,
}

impl App {
    /// The brief for the next session of a course.
    pub async fn pre_session_brief(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<PreSessionBrief> {
        let (taken, lines) = self.course_measure_lines(ctx, course).await?;
        let mut brief = self
            .pre_session_brief_with_measures(ctx, course, &taken, lines)
            .await?;
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        if let Some(n) = brief.last_session
            && let Some(last) = sessions
                .iter()
                .find(|x| x.number == n && x.status == SessionStatus::Held)
            && let Some(note) = self.store.note_of_session(s.clinic, last.id, &[]).await?
        {
            brief.last_note_risk = note
                .content
                .sections
                .values()
                .filter_map(|v| v.get("status").and_then(|x| x.as_str()))
                .find_map(|code| {
                    [
                        RiskStatus::RiskIdentified,
                        RiskStatus::NoRiskIdentified,
                        RiskStatus::NotAssessed,
                    ]
                    .into_iter()
                    .find(|r| r.code() == code)
                });
        }
        Ok(brief)
    }

    /// The questionnaires of a course by instrument (oldest first), each with the number of the
    /// session it counts for, and what the engine counts as taken — placed at sessions by the
    /// rules of `courses::measures`.
    pub(crate) async fn course_measures(
        &self,
        s: &Scope,
        sessions: &[CourseSession],
    ) -> AppResult<CourseMeasures> {
        let course = self.load_course(s, &[]).await?;
        let all = self.store.submissions(s.clinic, s.client, &[]).await?;
        let subs = super::measures::course_submissions(&all, &course);
        let mut by_instrument: BTreeMap<String, Vec<(SubmissionSummary, Option<u32>)>> =
            BTreeMap::new();
        for sub in &subs {
            let n = super::measures::session_number(sub, sessions);
            by_instrument
                .entry(sub.instrument.clone())
                .or_default()
                .push(((*sub).clone(), Some(n)));
        }
        Ok(CourseMeasures {
            taken: super::measures::measures_taken(&subs, sessions),
            by_instrument,
        })
    }

    /// The brief, given the measures taken in the course and the measure lines to show (the
    /// seam tests use; [`App::pre_session_brief`] reads both from the measures area).
    pub async fn pre_session_brief_with_measures(
        &self,
        ctx: &Ctx,
        course: CourseId,
        measures_taken: &[MeasureTaken],
        measures: Vec<MeasureBrief>,
    ) -> AppResult<PreSessionBrief> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(
            ctx,
            AuditAction::Read,
            "pre_session_brief",
            course.to_string(),
        );
        let c = self.load_course(&s, &[e]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        let forms = self.store.formulations(s.clinic, course, &[]).await?;
        let timeline = self.store.timeline(s.clinic, s.client, true, &[]).await?;
        let people = self.store.people(s.clinic, s.client, true, &[]).await?;
        let worksheets = self.store.worksheets(s.clinic, course, &[]).await?;
        let state = course_state(&protocol, &c, &sessions, &forms, measures_taken);
        let tl = domain_timeline(&timeline);
        let r = review(&protocol, &state, Some(&tl), &Default::default());
        let last = sessions
            .iter()
            .filter(|x| x.status == SessionStatus::Held)
            .max_by_key(|x| (x.number, x.held_at));
        let since = last.and_then(|l| l.held_at).unwrap_or(c.opened_at);
        // Open tasks due by the next scheduled session (or within a week).
        let next_at = sessions
            .iter()
            .filter(|x| x.status == SessionStatus::Scheduled)
            .filter_map(|x| x.scheduled_for)
            .filter(|t| *t > self.now())
            .min()
            .unwrap_or_else(|| self.now() + time::Duration::days(7));
        let tasks_due = worksheets
            .iter()
            .filter(|w| w.status == WorksheetStatus::Draft)
            .filter(|w| w.due_on.is_some_and(|d| d <= next_at.date()))
            .cloned()
            .collect();
        let completed_since = worksheets
            .iter()
            .filter(|w| w.completed_at.is_some_and(|t| t > since))
            .cloned()
            .collect();
        let inventory_changes = people
            .iter()
            .filter(|p| p.updated_at > since)
            .map(|p| BriefChange {
                person: p.id,
                display_name: p.value.display_name.clone(),
                kind: if p.removed_at.is_some() {
                    BriefChangeKind::Removed
                } else if p.created_at > since {
                    BriefChangeKind::Added
                } else {
                    BriefChangeKind::Edited
                },
            })
            .collect();
        let new_events = timeline
            .entries
            .iter()
            .filter(|e| e.removed_at.is_none() && e.created_at > since)
            .filter_map(|e| match &e.value {
                TimelineEntry::Event(ev) => Some(ev.clone()),
                TimelineEntry::Mood(_) | TimelineEntry::Episode(_) => None,
            })
            .collect();
        Ok(PreSessionBrief {
            course,
            session: r.agenda.session,
            of: r.agenda.of,
            remaining: r.remaining,
            agenda: r.agenda.clone(),
            warnings: r.warnings.clone(),
            last_session: last.map(|l| l.number),
            last_session_at: last.and_then(|l| l.held_at),
            done_last_session: last.map(|l| l.tasks.clone()).unwrap_or_default(),
            tasks_due,
            completed_since,
            inventory_changes,
            new_events,
            measures,
            last_note_risk: None,
        })
    }

    /// The data of the printable end-of-treatment summary. Process notes are never part of it.
    pub async fn end_of_treatment_summary(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<EndOfTreatmentSummary> {
        self.summary_of(ctx, course, AuditAction::Print, "end_of_treatment_summary")
            .await
    }

    /// What the termination sessions look at: the same facts as the summary (measures at the
    /// start and now, the closeness circle then and now, goals, the relapse-prevention plan, the
    /// engine's reading), read on screen rather than printed.
    pub async fn termination_review(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<EndOfTreatmentSummary> {
        self.summary_of(ctx, course, AuditAction::Read, "termination_review")
            .await
    }

    async fn summary_of(
        &self,
        ctx: &Ctx,
        course: CourseId,
        action: AuditAction,
        object: &str,
    ) -> AppResult<EndOfTreatmentSummary> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        let m = self.course_measures(&s, &sessions).await?;
        let view: CourseView = self
            .course_view_with_measures(ctx, course, &m.taken)
            .await?;
        let e = s.event(ctx, action, object, course.to_string());
        let snapshots = self.store.snapshots(s.clinic, course, &[e]).await?;
        let worksheets = self.store.worksheets(s.clinic, course, &[]).await?;
        let c = &view.course;
        let held: Vec<_> = view
            .sessions
            .iter()
            .filter(|x| x.status == SessionStatus::Held)
            .collect();
        let count = |st: SessionStatus| {
            u32::try_from(view.sessions.iter().filter(|x| x.status == st).count())
                .unwrap_or(u32::MAX)
        };
        let intake = snapshots.iter().find(|x| x.label == SnapshotLabel::Intake);
        let latest = snapshots
            .iter()
            .rev()
            .find(|x| x.label != SnapshotLabel::Intake);
        let inventory_change = match (intake, latest) {
            (Some(a), Some(b)) => Some(diff_inventories(&a.inventory, &b.inventory)),
            _ => None,
        };
        let protocol = self.protocol(&c.protocol_id)?;
        let settings = self
            .store
            .clinic(s.clinic)
            .await?
            .map(|k| k.settings)
            .unwrap_or_default();
        let mut instruments: Vec<String> = protocol
            .measures()
            .iter()
            .map(|p| p.instrument.clone())
            .collect();
        for k in m.by_instrument.keys() {
            if !instruments.contains(k) {
                instruments.push(k.clone());
            }
        }
        let decision = protocol.mid_session(c.contract.sessions.count());
        let measures = instruments
            .into_iter()
            .filter_map(|id| {
                let instrument = crate::measures::library().get(&id)?;
                let list = m.by_instrument.get(&id).map(Vec::as_slice).unwrap_or(&[]);
                let at = |(x, n): &(SubmissionSummary, Option<u32>)| ScoreAt {
                    total: x.total,
                    band: x.band.clone(),
                    taken_at: x.taken_at,
                    session: *n,
                };
                let points: Vec<ScorePoint> = list
                    .iter()
                    .map(|(x, n)| ScorePoint {
                        date: x.taken_at.date(),
                        session: *n,
                        score: x.total,
                    })
                    .collect();
                let rules = crate::measures::change_rules(&settings, instrument);
                Some(MeasureComparison {
                    instrument: id.clone(),
                    baseline: list.first().map(at),
                    latest: list.last().map(at),
                    analysis: instrument.analyse(&points, &rules, decision),
                })
            })
            .collect();
        let relapse_plan = worksheets
            .into_iter()
            .filter(|w| w.kind == RELAPSE_PLAN_KIND)
            .max_by_key(|w| w.updated_at);
        let f = view.formulation.as_ref();
        Ok(EndOfTreatmentSummary {
            course,
            protocol_id: c.protocol_id.clone(),
            protocol_title: view.protocol_title.clone(),
            diagnosis: c.intake.as_ref().and_then(|i: &Intake| i.diagnosis.clone()),
            opened_at: c.opened_at,
            closed_at: c.closed_at,
            first_session_on: held.iter().filter_map(|x| x.date()).min(),
            last_session_on: held.iter().filter_map(|x| x.date()).max(),
            contract: c.contract.sessions,
            sessions_held: u32::try_from(held.len()).unwrap_or(u32::MAX),
            sessions_missed: count(SessionStatus::Missed),
            sessions_cancelled: count(SessionStatus::Cancelled),
            problem_areas: f.map(|f| f.formulation.areas.clone()).unwrap_or_default(),
            ipaf: f.and_then(|f| f.formulation.ipaf.clone()),
            formulation_for_client: f
                .map(|f| f.formulation.narrative_for_client.clone())
                .filter(|t| !t.is_empty()),
            formulation_agreed_on: f.and_then(|f| f.agreement.as_ref().map(|a| a.agreed_on)),
            goals: view.goals.clone(),
            inventory_change,
            relapse_plan,
            next_step: (c.status == CourseStatus::Closed)
                .then_some(c.outcome)
                .flatten(),
            review: view.review.clone(),
            measures,
            snapshot_before: intake.cloned(),
            snapshot_after: latest.cloned(),
        })
    }
}
