//! IPT protocols as data.
//!
//! A protocol (standard IPT, IPT-A, group IPT, DIT…) is a TOML file: its session counts,
//! phases with their session ranges and tasks, problem areas and their strategies, measures and
//! their cadence, participants and decision points. Nine presets ship inside the binary
//! ([`presets`]); a clinic may adjust a preset with a [`ProtocolOverride`] or add its own file
//! to a [`ProtocolLibrary`]. Every file is validated as a whole: a bad file is refused with the
//! key path and reason of each problem, never half-loaded.
//!
//! The file format is documented in `ARCHITECTURE.md (section "Protocol files")`.

mod error;
mod file;
mod library;
mod load;
pub mod position;
pub mod presets;
mod validate;

pub use error::{CountCase, ProtocolError, ProtocolErrorReason, ProtocolLoadError};
pub use file::{
    AreaKind, DecisionKind, DecisionPointFile, FocusKind, Frequency, MeasureFile, ParticipantFile,
    ParticipantRole, PhaseFile, PreSession, ProblemAreaDef, ProtocolFile, Repeat, SessionTaskFile,
    SessionsFile, StrategyDef, TaskFile,
};
pub use library::{ProtocolLibrary, ProtocolOverride};
pub use position::{Bounds, Position, Resolved, SessionRange};

use crate::locale::Localized;
use serde::Serialize;
use std::fmt;

/// Whether a protocol may name `id` in `measures`: the instruments Kith ships.
pub fn known_instrument(id: &str) -> bool {
    crate::measure::InstrumentLibrary::builtin()
        .get(id)
        .is_some()
}

/// Highest `sessions.max` a protocol may declare.
pub const MAX_SESSIONS_LIMIT: u32 = 200;

/// A validated protocol. Built only by [`Protocol::from_toml`], [`Protocol::from_file`],
/// [`Protocol::with_override`] or the presets, so every value here has passed validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Protocol {
    source: ProtocolFile,
    mid_session: Option<Position>,
    formulation_warn_at: Option<Position>,
    session_tasks: Vec<Task>,
    phases: Vec<Phase>,
    measures: Vec<MeasurePlan>,
    decision_points: Vec<DecisionPoint>,
    participants: Vec<ParticipantRule>,
}

/// A phase with its parsed session range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub id: String,
    pub label: Localized,
    pub range: SessionRange,
    pub strategies: bool,
    pub frequency: Option<Frequency>,
    pub tasks: Vec<Task>,
}

/// A task of a phase (or of every session, for [`Protocol::session_tasks`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: String,
    pub label: Localized,
    pub required: bool,
    pub repeat: Repeat,
    /// Session of the phase the task belongs to (counted inside the phase: 1 = its first
    /// session, `last` = its last).
    pub at: Option<Position>,
}

/// When a measure is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub enum Cadence {
    /// At the first session of the course (the preparatory meeting when there is a required one).
    Baseline,
    EverySession,
    /// At sessions N, 2N, 3N…
    Every(u32),
    /// At the mid-course session.
    Mid,
    /// At the contract's last session.
    End,
}

impl Cadence {
    /// Reads `baseline`, `every-session`, `every-N` (N ≥ 2), `mid` or `end`.
    pub fn parse(text: &str) -> Option<Cadence> {
        match text {
            "baseline" => Some(Cadence::Baseline),
            "every-session" => Some(Cadence::EverySession),
            "mid" => Some(Cadence::Mid),
            "end" => Some(Cadence::End),
            t => {
                let n = t.strip_prefix("every-")?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: u32 = n.parse().ok()?;
                (n >= 2).then_some(Cadence::Every(n))
            }
        }
    }

    pub fn code(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Baseline => write!(f, "baseline"),
            Cadence::EverySession => write!(f, "every-session"),
            Cadence::Every(n) => write!(f, "every-{n}"),
            Cadence::Mid => write!(f, "mid"),
            Cadence::End => write!(f, "end"),
        }
    }
}

impl From<Cadence> for String {
    fn from(c: Cadence) -> String {
        c.to_string()
    }
}

/// A measure the protocol asks for, with its cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasurePlan {
    pub instrument: String,
    pub cadence: Vec<Cadence>,
}

/// When a decision point comes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionWhen {
    At(Position),
    Every(u32),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionPoint {
    pub id: String,
    pub kind: DecisionKind,
    pub label: Localized,
    pub when: DecisionWhen,
}

/// Who joins which sessions. With neither `at` nor `phases`, every session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParticipantRule {
    pub role: ParticipantRole,
    pub at: Vec<Position>,
    pub phases: Vec<String>,
    pub optional: bool,
    pub note: Option<Localized>,
}

impl Protocol {
    /// Reads and validates a protocol file.
    pub fn from_toml(text: &str) -> Result<Protocol, ProtocolLoadError> {
        load::parse_file(text).and_then(Protocol::from_file)
    }

    /// Validates an already parsed file.
    pub fn from_file(file: ProtocolFile) -> Result<Protocol, ProtocolLoadError> {
        validate::validate(file)
    }

    /// This protocol with a clinic's adjustments applied, validated again as a whole.
    pub fn with_override(&self, o: &ProtocolOverride) -> Result<Protocol, ProtocolLoadError> {
        let mut file = self.source.clone();
        o.apply_to(&mut file);
        Protocol::from_file(file)
    }

    /// The file this protocol was built from (for storage or display).
    pub fn source(&self) -> &ProtocolFile {
        &self.source
    }

    /// The file as TOML text.
    pub fn to_toml(&self) -> String {
        // A validated file always serialises; the only failure mode of the serialiser is an
        // unsupported type, which this struct does not have.
        toml::to_string(&self.source).unwrap_or_default()
    }

    pub fn id(&self) -> &str {
        &self.source.id
    }
    pub fn version(&self) -> &str {
        &self.source.version
    }
    pub fn title(&self) -> &Localized {
        &self.source.title
    }
    pub fn description(&self) -> &Localized {
        &self.source.description
    }
    pub fn focus(&self) -> FocusKind {
        self.source.focus
    }
    pub fn frequency(&self) -> Frequency {
        self.source.frequency
    }
    pub fn session_minutes(&self) -> u32 {
        self.source.session_minutes
    }
    pub fn termination_lead(&self) -> u32 {
        self.source.termination_lead
    }
    pub fn sessions(&self) -> SessionsFile {
        self.source.sessions
    }
    pub fn is_open_ended(&self) -> bool {
        self.source.sessions.open_ended
    }
    pub fn pre_session(&self) -> PreSession {
        self.source.sessions.pre
    }
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
    pub fn session_tasks(&self) -> &[Task] {
        &self.session_tasks
    }
    pub fn problem_areas(&self) -> &[ProblemAreaDef] {
        &self.source.problem_areas
    }
    pub fn problem_area(&self, id: &str) -> Option<&ProblemAreaDef> {
        self.source.problem_areas.iter().find(|a| a.id == id)
    }
    /// The protocol's areas of a given kind (usually one).
    pub fn areas_of_kind(&self, kind: AreaKind) -> impl Iterator<Item = &ProblemAreaDef> {
        self.source
            .problem_areas
            .iter()
            .filter(move |a| a.kind == kind)
    }
    pub fn measures(&self) -> &[MeasurePlan] {
        &self.measures
    }
    pub fn decision_points(&self) -> &[DecisionPoint] {
        &self.decision_points
    }
    pub fn participants(&self) -> &[ParticipantRule] {
        &self.participants
    }
    pub fn mid_session_position(&self) -> Option<Position> {
        self.mid_session
    }
    pub fn formulation_warn_at(&self) -> Option<Position> {
        self.formulation_warn_at
    }

    /// Every task of the protocol: the per-session tasks, then each phase's.
    pub fn all_tasks(&self) -> impl Iterator<Item = &Task> {
        self.session_tasks
            .iter()
            .chain(self.phases.iter().flat_map(|p| p.tasks.iter()))
    }

    /// The mid-course session for a contract of `count` sessions (`None`: open-ended).
    pub fn mid_session(&self, count: Option<u32>) -> Option<u32> {
        let c = count?;
        match self.mid_session {
            Some(p) => p
                .resolve(Bounds {
                    count: Some(c),
                    mid: None,
                })
                .session(),
            None => Some(position::default_mid(c)),
        }
    }

    /// What positions resolve against for a contract of `count` sessions.
    pub fn bounds(&self, count: Option<u32>) -> Bounds {
        Bounds {
            count,
            mid: self.mid_session(count),
        }
    }

    /// The phase session `n` belongs to under a contract of `count` sessions (`None`:
    /// open-ended). Session 0 is the preparatory meeting. Sessions past the contract belong
    /// to no phase.
    pub fn phase_at(&self, n: u32, count: Option<u32>) -> Option<&Phase> {
        let b = self.bounds(count);
        if n == 0 {
            return self.phases.iter().find(|p| p.range.is_pre());
        }
        if count.is_some_and(|c| n > c) {
            return None;
        }
        self.phases
            .iter()
            .find(|p| !p.range.is_pre() && p.range.contains(n, b))
    }

    /// Whether the phases cover sessions 1 to `count` exactly once each. Always true for the
    /// lengths the file allows (validation checks them); a renegotiated length outside them
    /// may not fit, e.g. a 4-session IPSRT course cannot hold its 16-session acute phases.
    pub fn phases_fit(&self, count: u32) -> bool {
        let b = self.bounds(Some(count));
        (1..=count).all(|n| {
            self.phases
                .iter()
                .filter(|p| !p.range.is_pre() && p.range.contains(n, b))
                .count()
                == 1
        }) && self.phases.iter().all(|p| {
            let (s, e) = p.range.resolve(b);
            p.range.is_pre() || matches!((s, e), (Resolved::Session(s), Resolved::Session(e)) if s >= 1 && e >= s && e <= count)
        })
    }

    /// First and last session of a phase under a contract (last is `None` when it never ends).
    pub fn phase_span(&self, phase: &Phase, count: Option<u32>) -> Option<(u32, Option<u32>)> {
        let (s, e) = phase.range.resolve(self.bounds(count));
        Some((s.session()?, e.session()))
    }
}
