//! Validation of a parsed protocol file into a [`Protocol`].

use super::error::{CountCase, ProtocolError, ProtocolErrorReason as R, ProtocolLoadError};
use super::file::*;
use super::position::{Bounds, Position, PositionSyntaxError, Resolved, SessionRange};
use super::{
    Cadence, DecisionPoint, DecisionWhen, MAX_SESSIONS_LIMIT, MeasurePlan, ParticipantRule, Phase,
    Protocol, Task, known_instrument,
};
use crate::locale::Localized;
use std::collections::BTreeMap;

#[derive(Default)]
struct Ctx {
    errors: Vec<ProtocolError>,
}

impl Ctx {
    fn err(&mut self, path: impl Into<String>, reason: R) {
        self.errors.push(ProtocolError::new(path, reason));
    }

    fn label(&mut self, path: String, text: &Localized) {
        for locale in text.missing() {
            self.err(path.clone(), R::MissingLabel { locale });
        }
    }

    fn id(&mut self, path: String, id: &str) {
        if !is_kebab(id) {
            self.err(path, R::BadId { id: id.to_string() });
        }
    }

    fn position(
        &mut self,
        path: String,
        text: &str,
        allow_pre: bool,
        allow_mid: bool,
    ) -> Option<Position> {
        match Position::parse(text) {
            Ok(Position::Pre) if !allow_pre => {
                self.err(
                    path,
                    R::BadPosition {
                        problem: PositionSyntaxError::PreNotAllowed,
                    },
                );
                None
            }
            Ok(Position::Mid) if !allow_mid => {
                self.err(
                    path,
                    R::BadPosition {
                        problem: PositionSyntaxError::MidNotAllowed,
                    },
                );
                None
            }
            Ok(p) => Some(p),
            Err(problem) => {
                self.err(path, R::BadPosition { problem });
                None
            }
        }
    }
}

/// Tracks ids so a repeated one is reported with where it was first used.
#[derive(Default)]
struct Ids(BTreeMap<String, String>);

impl Ids {
    fn check(&mut self, ctx: &mut Ctx, path: String, id: &str) {
        ctx.id(path.clone(), id);
        match self.0.get(id) {
            Some(first) => ctx.err(
                path,
                R::DuplicateId {
                    id: id.to_string(),
                    first: first.clone(),
                },
            ),
            None => {
                self.0.insert(id.to_string(), path);
            }
        }
    }
}

pub(super) fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every session count a check must hold for: each allowed number, then open-ended if allowed.
fn count_cases(s: &SessionsFile) -> Vec<CountCase> {
    let mut v: Vec<CountCase> = (s.min..=s.max).map(Some).collect();
    if s.open_ended {
        v.push(None);
    }
    v
}

pub(super) fn validate(file: ProtocolFile) -> Result<Protocol, ProtocolLoadError> {
    let mut ctx = Ctx::default();

    // Header.
    ctx.id("id".into(), &file.id);
    if file.version.trim().is_empty() {
        ctx.err(
            "version",
            R::MissingKey {
                key: "version".into(),
            },
        );
    }
    ctx.label("title".into(), &file.title);
    ctx.label("description".into(), &file.description);
    if file.session_minutes == 0 || file.session_minutes > 600 {
        ctx.err(
            "session_minutes",
            R::SessionMinutes {
                minutes: file.session_minutes,
            },
        );
    }

    // Session counts. Later checks iterate over every allowed count, so they only run when
    // the counts themselves are sound.
    let s = file.sessions;
    let mut counts_ok = true;
    if s.min == 0 {
        ctx.err("sessions.min", R::ZeroSessions);
        counts_ok = false;
    }
    if s.max > MAX_SESSIONS_LIMIT {
        ctx.err(
            "sessions.max",
            R::TooManySessions {
                max: s.max,
                limit: MAX_SESSIONS_LIMIT,
            },
        );
        counts_ok = false;
    }
    if s.min > s.max {
        ctx.err(
            "sessions.min",
            R::MinAboveMax {
                min: s.min,
                max: s.max,
            },
        );
        counts_ok = false;
    } else if s.default < s.min || s.default > s.max {
        ctx.err(
            "sessions.default",
            R::DefaultOutOfRange {
                min: s.min,
                default: s.default,
                max: s.max,
            },
        );
    }
    if counts_ok && file.termination_lead >= s.min {
        ctx.err(
            "termination_lead",
            R::TerminationLeadTooLong {
                lead: file.termination_lead,
                min: s.min,
            },
        );
    }
    let cases = if counts_ok {
        count_cases(&s)
    } else {
        Vec::new()
    };

    // Mid-course session and formulation check: positions within the course.
    let mid_session = file
        .mid_session
        .as_deref()
        .and_then(|t| ctx.position("mid_session".into(), t, false, false));
    let mid_of = |count: u32| -> u32 {
        match mid_session {
            Some(p) => p
                .resolve(Bounds {
                    count: Some(count),
                    mid: None,
                })
                .session()
                .unwrap_or(0),
            None => super::position::default_mid(count),
        }
    };
    let bounds_of = |case: CountCase| Bounds {
        count: case,
        mid: case.map(mid_of),
    };
    if let Some(p) = mid_session {
        check_in_course(&mut ctx, "mid_session", p, &cases, &bounds_of, false);
    }
    let formulation_warn_at = file
        .formulation_warn_at
        .as_deref()
        .and_then(|t| ctx.position("formulation_warn_at".into(), t, false, true));
    if let Some(p) = formulation_warn_at {
        check_in_course(
            &mut ctx,
            "formulation_warn_at",
            p,
            &cases,
            &bounds_of,
            false,
        );
    }

    // Task ids are unique across the whole protocol.
    let mut task_ids = Ids::default();

    let mut session_tasks = Vec::new();
    for (i, t) in file.session_tasks.iter().enumerate() {
        let path = format!("session_tasks[{i}]");
        task_ids.check(&mut ctx, format!("{path}.id"), &t.id);
        ctx.label(format!("{path}.label"), &t.label);
        session_tasks.push(Task {
            id: t.id.clone(),
            label: t.label.clone(),
            required: t.required,
            repeat: Repeat::EverySession,
            at: None,
        });
    }

    // Phases.
    if file.phases.is_empty() {
        ctx.err("phases", R::NoPhases);
    }
    let mut phase_ids = Ids::default();
    let mut phases = Vec::new();
    let mut ranges_ok = true;
    for (i, p) in file.phases.iter().enumerate() {
        let path = format!("phases[{i}]");
        phase_ids.check(&mut ctx, format!("{path}.id"), &p.id);
        ctx.label(format!("{path}.label"), &p.label);
        let range = match SessionRange::parse(&p.sessions) {
            Ok(r) => {
                if r.is_pre() && s.pre == PreSession::None {
                    ctx.err(format!("{path}.sessions"), R::PrePhaseUnexpected);
                    ranges_ok = false;
                }
                Some(r)
            }
            Err(problem) => {
                ctx.err(format!("{path}.sessions"), R::BadPosition { problem });
                ranges_ok = false;
                None
            }
        };
        let mut tasks = Vec::new();
        for (j, t) in p.tasks.iter().enumerate() {
            let tpath = format!("{path}.tasks[{j}]");
            task_ids.check(&mut ctx, format!("{tpath}.id"), &t.id);
            ctx.label(format!("{tpath}.label"), &t.label);
            let at = match &t.at {
                Some(text) => {
                    if t.repeat == Repeat::EverySession {
                        ctx.err(format!("{tpath}.at"), R::TaskAtWithRepeat);
                        None
                    } else {
                        ctx.position(format!("{tpath}.at"), text, false, false)
                    }
                }
                None => None,
            };
            tasks.push(Task {
                id: t.id.clone(),
                label: t.label.clone(),
                required: t.required,
                repeat: t.repeat,
                at,
            });
        }
        if let Some(range) = range {
            phases.push(Phase {
                id: p.id.clone(),
                label: p.label.clone(),
                range,
                strategies: p.strategies,
                frequency: p.frequency,
                tasks,
            });
        }
    }
    if ranges_ok && !phases.is_empty() {
        let pre_phases: Vec<usize> = phases
            .iter()
            .enumerate()
            .filter(|(_, p)| p.range.is_pre())
            .map(|(i, _)| i)
            .collect();
        if s.pre != PreSession::None && pre_phases.is_empty() {
            ctx.err("phases", R::PrePhaseMissing);
        }
        if let Some(&second) = pre_phases.get(1) {
            ctx.err(
                format!("phases[{second}].sessions"),
                R::PhaseOverlap {
                    other: phases[pre_phases[0]].id.clone(),
                    session: 0,
                    count: Some(s.default),
                },
            );
        }
        for &case in &cases {
            let before = ctx.errors.len();
            check_coverage(&mut ctx, &phases, bounds_of(case), case);
            if ctx.errors.len() > before {
                // One failing count is enough to show the problem.
                break;
            }
        }
        check_task_positions(&mut ctx, &phases, &cases, &bounds_of);
    }

    // Problem areas.
    match file.focus {
        FocusKind::ProblemAreas if file.problem_areas.is_empty() => {
            ctx.err("problem_areas", R::NoProblemAreas);
        }
        FocusKind::Ipaf if !file.problem_areas.is_empty() => {
            ctx.err("problem_areas", R::ProblemAreasWithIpaf);
        }
        _ => {}
    }
    let mut area_ids = Ids::default();
    let mut strategy_ids = Ids::default();
    for (i, a) in file.problem_areas.iter().enumerate() {
        let path = format!("problem_areas[{i}]");
        area_ids.check(&mut ctx, format!("{path}.id"), &a.id);
        ctx.label(format!("{path}.label"), &a.label);
        if let Some(d) = &a.description {
            ctx.label(format!("{path}.description"), d);
        }
        if a.strategies.is_empty() {
            ctx.err(format!("{path}.strategies"), R::NoStrategies);
        }
        for (j, st) in a.strategies.iter().enumerate() {
            strategy_ids.check(&mut ctx, format!("{path}.strategies[{j}].id"), &st.id);
            ctx.label(format!("{path}.strategies[{j}].label"), &st.label);
        }
    }

    // Measures.
    let mut measures = Vec::new();
    let mut instruments: BTreeMap<&str, String> = BTreeMap::new();
    for (i, m) in file.measures.iter().enumerate() {
        let path = format!("measures[{i}]");
        if !known_instrument(&m.instrument) {
            ctx.err(
                format!("{path}.instrument"),
                R::UnknownInstrument {
                    id: m.instrument.clone(),
                },
            );
        } else if let Some(first) = instruments.get(m.instrument.as_str()) {
            ctx.err(
                format!("{path}.instrument"),
                R::DuplicateId {
                    id: m.instrument.clone(),
                    first: first.clone(),
                },
            );
        } else {
            instruments.insert(&m.instrument, format!("{path}.instrument"));
        }
        if m.cadence.is_empty() {
            ctx.err(format!("{path}.cadence"), R::NoCadence);
        }
        let mut cadence = Vec::new();
        for (j, c) in m.cadence.iter().enumerate() {
            match Cadence::parse(c.trim()) {
                Some(c2) if cadence.contains(&c2) => ctx.err(
                    format!("{path}.cadence[{j}]"),
                    R::DuplicateCadence { value: c.clone() },
                ),
                Some(c2) => cadence.push(c2),
                None => ctx.err(
                    format!("{path}.cadence[{j}]"),
                    R::UnknownCadence { value: c.clone() },
                ),
            }
        }
        measures.push(MeasurePlan {
            instrument: m.instrument.clone(),
            cadence,
        });
    }

    // Decision points.
    let mut decision_ids = Ids::default();
    let mut decision_points = Vec::new();
    for (i, d) in file.decision_points.iter().enumerate() {
        let path = format!("decision_points[{i}]");
        decision_ids.check(&mut ctx, format!("{path}.id"), &d.id);
        ctx.label(format!("{path}.label"), &d.label);
        let when = match (&d.at, d.every) {
            (Some(text), None) => {
                let allow_pre = s.pre != PreSession::None;
                ctx.position(format!("{path}.at"), text, allow_pre, true)
                    .map(|p| {
                        check_in_course(
                            &mut ctx,
                            &format!("{path}.at"),
                            p,
                            &cases,
                            &bounds_of,
                            true,
                        );
                        DecisionWhen::At(p)
                    })
            }
            (None, Some(0)) => {
                ctx.err(format!("{path}.every"), R::ZeroEvery);
                None
            }
            (None, Some(n)) => Some(DecisionWhen::Every(n)),
            _ => {
                ctx.err(path.clone(), R::DecisionNeedsAtOrEvery);
                None
            }
        };
        if let Some(when) = when {
            decision_points.push(DecisionPoint {
                id: d.id.clone(),
                kind: d.kind,
                label: d.label.clone(),
                when,
            });
        }
    }

    // Participants.
    let mut participants = Vec::new();
    for (i, p) in file.participants.iter().enumerate() {
        let path = format!("participants[{i}]");
        let mut at = Vec::new();
        for (j, text) in p.at.iter().enumerate() {
            let allow_pre = s.pre != PreSession::None;
            if let Some(pos) = ctx.position(format!("{path}.at[{j}]"), text, allow_pre, true) {
                check_in_course(
                    &mut ctx,
                    &format!("{path}.at[{j}]"),
                    pos,
                    &cases,
                    &bounds_of,
                    true,
                );
                at.push(pos);
            }
        }
        for (j, id) in p.phases.iter().enumerate() {
            if !file.phases.iter().any(|ph| &ph.id == id) {
                ctx.err(
                    format!("{path}.phases[{j}]"),
                    R::UnknownPhase { id: id.clone() },
                );
            }
        }
        if let Some(note) = &p.note {
            ctx.label(format!("{path}.note"), note);
        }
        participants.push(ParticipantRule {
            role: p.role,
            at,
            phases: p.phases.clone(),
            optional: p.optional,
            note: p.note.clone(),
        });
    }

    if !ctx.errors.is_empty() {
        return Err(ProtocolLoadError { errors: ctx.errors });
    }
    Ok(Protocol {
        source: file,
        mid_session,
        formulation_warn_at,
        session_tasks,
        phases,
        measures,
        decision_points,
        participants,
    })
}

/// A course-wide position must land on a session of the course for every allowed count.
fn check_in_course(
    ctx: &mut Ctx,
    path: &str,
    p: Position,
    cases: &[CountCase],
    bounds_of: &dyn Fn(CountCase) -> Bounds,
    allow_pre: bool,
) {
    for &case in cases {
        let Some(c) = case else { continue };
        if let Resolved::Session(n) = p.resolve(bounds_of(case))
            && (n > c || (n == 0 && !(allow_pre && p == Position::Pre)))
        {
            ctx.err(
                path,
                R::PositionOutOfRange {
                    position: p.to_string(),
                    session: n,
                    count: case,
                },
            );
            return;
        }
    }
}

/// Phases must cover every session of the course exactly once, for the given count.
fn check_coverage(ctx: &mut Ctx, phases: &[Phase], bounds: Bounds, case: CountCase) {
    // Resolved spans of the regular (non-preparatory) phases.
    let mut spans: Vec<(usize, u32, Option<u32>)> = Vec::new();
    let mut bad = false;
    for (i, p) in phases.iter().enumerate() {
        if p.range.is_pre() {
            continue;
        }
        let (s, e) = p.range.resolve(bounds);
        let path = format!("phases[{i}].sessions");
        match (s, e) {
            (Resolved::Beyond, _) => {} // only reached by an open-ended course: never starts
            (Resolved::Session(s), Resolved::Session(e)) if e < s || s == 0 => {
                ctx.err(path, R::EmptyPhase { count: case });
                bad = true;
            }
            (Resolved::Session(s), e) => {
                if let (Some(c), Resolved::Session(e)) = (case, e)
                    && e > c
                {
                    ctx.err(
                        path,
                        R::PhaseBeyondEnd {
                            session: e,
                            count: c,
                        },
                    );
                    bad = true;
                }
                spans.push((i, s, e.session()));
            }
        }
    }
    if bad {
        return;
    }
    // The last session to look at: the contract's end, or past every fixed number when open.
    let limit = match case {
        Some(c) => c,
        None => {
            phases
                .iter()
                .flat_map(|p| [p.range.start, p.range.end])
                .filter_map(|pos| match pos {
                    Position::At(n) => Some(n),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    let mut gap_reported = false;
    let mut overlap_reported = vec![false; phases.len()];
    for n in 1..=limit {
        let holders: Vec<usize> = spans
            .iter()
            .filter(|(_, s, e)| n >= *s && e.is_none_or(|e| n <= e))
            .map(|(i, _, _)| *i)
            .collect();
        if holders.is_empty() && !gap_reported {
            ctx.err(
                "phases",
                R::PhaseGap {
                    session: n,
                    count: case,
                },
            );
            gap_reported = true;
        }
        if holders.len() > 1 {
            let later = *holders.iter().max().unwrap_or(&0);
            let earlier = *holders.iter().min().unwrap_or(&0);
            if !overlap_reported[later] {
                overlap_reported[later] = true;
                ctx.err(
                    format!("phases[{later}].sessions"),
                    R::PhaseOverlap {
                        other: phases[earlier].id.clone(),
                        session: n,
                        count: case,
                    },
                );
            }
        }
    }
}

/// A task's `at` must fall inside its phase for every allowed count.
fn check_task_positions(
    ctx: &mut Ctx,
    phases: &[Phase],
    cases: &[CountCase],
    bounds_of: &dyn Fn(CountCase) -> Bounds,
) {
    for (i, p) in phases.iter().enumerate() {
        for (j, t) in p.tasks.iter().enumerate() {
            let Some(at) = t.at else { continue };
            for &case in cases {
                let (s, e) = p.range.resolve(bounds_of(case));
                let (Resolved::Session(s), Resolved::Session(e)) = (s, e) else {
                    continue;
                };
                let len = e.saturating_sub(s) + 1;
                let inside = match at {
                    Position::At(k) => k <= len,
                    Position::FromEnd(k) => k < len,
                    _ => false,
                };
                if !inside {
                    ctx.err(
                        format!("phases[{i}].tasks[{j}].at"),
                        R::TaskAtOutsidePhase {
                            at: at.to_string(),
                            phase_sessions: len,
                            count: case,
                        },
                    );
                    break;
                }
            }
        }
    }
}
