//! The measures of a course as the engine and the pre-session brief read them.
//!
//! Submissions live in the measures area; a course knows them by the course and session ids they
//! carry. The engine wants (instrument, session number) pairs, so each submission is placed at a
//! session:
//!
//! * tied to a session of this course: that session's number;
//! * tied to the course but to no session (answered in the portal before a session, or entered
//!   between sessions): the first held or scheduled session on or after the day it was taken,
//!   else the session after the last one held — the answers count for the session they were
//!   given for;
//! * tied to no course at all: counted for this course when taken while it was open (a client
//!   has at most one open course), placed the same way.

use super::{MeasureBrief, Scope};
use crate::measures::library;
use crate::{App, AppResult, Ctx};
use kith_domain::course::{MeasureTaken, SessionStatus};
use kith_domain::ids::CourseId;
use kith_domain::measure::Score;
use kith_domain::policy::Action;
use kith_domain::protocol::Protocol;
use kith_store::{Course, CourseRef, CourseSession, SubmissionSummary};
use std::collections::BTreeMap;

/// The submissions of a client that belong to `course`, oldest first.
pub fn course_submissions<'a>(
    all: &'a [SubmissionSummary],
    course: &Course,
) -> Vec<&'a SubmissionSummary> {
    let mut mine: Vec<&SubmissionSummary> = all
        .iter()
        .filter(|s| match s.course {
            Some(c) => c == course.id,
            None => {
                s.taken_at.date() >= course.opened_at.date()
                    && course.closed_at.is_none_or(|end| s.taken_at <= end)
            }
        })
        .collect();
    mine.sort_by_key(|s| (s.taken_at, s.recorded_at));
    mine
}

/// The session number a submission counts for (see the module documentation).
pub fn session_number(sub: &SubmissionSummary, sessions: &[CourseSession]) -> u32 {
    if let Some(id) = sub.session
        && let Some(s) = sessions.iter().find(|s| s.id == id)
    {
        return s.number;
    }
    let day = sub.taken_at.date();
    let upcoming = sessions
        .iter()
        .filter(|s| matches!(s.status, SessionStatus::Held | SessionStatus::Scheduled))
        .filter_map(|s| s.date().map(|d| (d, s.number)))
        .filter(|(d, _)| *d >= day)
        .min();
    if let Some((_, number)) = upcoming {
        return number;
    }
    sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Held && s.number >= 1)
        .map(|s| s.number + 1)
        .max()
        .unwrap_or(1)
}

/// The (instrument, session number) pairs of a course's submissions, without repeats.
pub(crate) fn measures_taken(
    subs: &[&SubmissionSummary],
    sessions: &[CourseSession],
) -> Vec<MeasureTaken> {
    let mut out: Vec<MeasureTaken> = Vec::new();
    for s in subs {
        let taken = MeasureTaken {
            instrument: s.instrument.clone(),
            session: session_number(s, sessions),
        };
        if !out.contains(&taken) {
            out.push(taken);
        }
    }
    out
}

/// A score difference with its sign: `+3`, `-5`, `0`, `-1.50`.
pub(crate) fn signed(later: Score, earlier: Score) -> String {
    let d = Score::from_hundredths(later.hundredths() - earlier.hundredths());
    if d.hundredths() > 0 {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

/// One line per instrument taken in the course: the protocol's instruments first, in the
/// protocol's order, then any other, by id.
pub(crate) fn measure_lines(
    protocol: &Protocol,
    subs: &[&SubmissionSummary],
    sessions: &[CourseSession],
) -> Vec<MeasureBrief> {
    let mut by_instrument: BTreeMap<&str, Vec<&SubmissionSummary>> = BTreeMap::new();
    for s in subs {
        by_instrument
            .entry(s.instrument.as_str())
            .or_default()
            .push(s);
    }
    let mut order: Vec<&str> = protocol
        .measures()
        .iter()
        .map(|m| m.instrument.as_str())
        .filter(|i| by_instrument.contains_key(i))
        .collect();
    for i in by_instrument.keys() {
        if !order.contains(i) {
            order.push(i);
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let list = by_instrument.get(id)?;
            let first = list.first()?;
            let latest = list.last()?;
            let previous = (list.len() >= 2).then(|| list[list.len() - 2]);
            let has_safety_items = library()
                .get(id)
                .is_some_and(|i| !i.def().safety.is_empty());
            Some(MeasureBrief {
                instrument: id.to_string(),
                latest_total: Some(latest.total.to_string()),
                band: latest.band.clone(),
                taken_at: Some(latest.taken_at),
                session: Some(session_number(latest, sessions)),
                baseline_total: Some(first.total.to_string()),
                change_since_baseline: (list.len() >= 2).then(|| signed(latest.total, first.total)),
                change: previous.map(|p| signed(latest.total, p.total)),
                safety_item_positive: has_safety_items.then_some(!latest.flags.is_empty()),
                count: list.len(),
            })
        })
        .collect()
}

impl App {
    /// Reads a course's submissions from the measures area: the (instrument, session number)
    /// pairs the engine needs, and the measure lines of the brief and the course page. Writes
    /// no audit row of its own (the page or brief that calls it records the read).
    pub(crate) async fn course_measure_reading(
        &self,
        s: &Scope,
        course: &Course,
        protocol: &Protocol,
        sessions: &[CourseSession],
    ) -> AppResult<(Vec<MeasureTaken>, Vec<MeasureBrief>)> {
        let all = self.store.submissions(s.clinic, s.client, &[]).await?;
        let subs = course_submissions(&all, course);
        Ok((
            measures_taken(&subs, sessions),
            measure_lines(protocol, &subs, sessions),
        ))
    }

    /// [`App::course_measure_reading`] for a course the caller may see (anything else is "not
    /// found").
    pub(crate) async fn course_measure_lines(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<(Vec<MeasureTaken>, Vec<MeasureBrief>)> {
        let s: Scope = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        self.course_measure_reading(&s, &c, &protocol, &sessions)
            .await
    }
}
