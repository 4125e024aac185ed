//! Why a protocol file (or an override) was refused.

use super::position::PositionSyntaxError;
use crate::locale::Locale;
use serde::Serialize;
use std::fmt;

/// One problem in a protocol file: where it is (`phases[2].sessions`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolError {
    /// Key path into the file, e.g. `phases[2].tasks[0].label`; empty for the whole file.
    pub path: String,
    pub reason: ProtocolErrorReason,
}

impl ProtocolError {
    pub fn new(path: impl Into<String>, reason: ProtocolErrorReason) -> Self {
        ProtocolError {
            path: path.into(),
            reason,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

/// A session count a check was made for: a number, or an open-ended contract.
pub type CountCase = Option<u32>;

fn with_count(count: &CountCase) -> String {
    match count {
        Some(c) => format!(" when the course has {c} sessions"),
        None => " when the course is open-ended".to_string(),
    }
}

/// What is wrong. Each variant has a stable [`code`](Self::code); the English `Display` text is
/// meant for logs and the command line, the web layer translates from the code and data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ProtocolErrorReason {
    /// The text is not valid TOML.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    UnknownKey {
        key: String,
    },
    MissingKey {
        key: String,
    },
    /// A value outside a fixed list (e.g. `frequency = "daily"`).
    UnknownValue {
        value: String,
        expected: String,
    },
    /// A value of the wrong type (e.g. a number where text is expected).
    WrongType {
        detail: String,
    },
    MissingLabel {
        locale: Locale,
    },
    /// Ids are kebab-case: lowercase letters, digits and single dashes.
    BadId {
        id: String,
    },
    DuplicateId {
        id: String,
        first: String,
    },
    ZeroSessions,
    MinAboveMax {
        min: u32,
        max: u32,
    },
    DefaultOutOfRange {
        min: u32,
        default: u32,
        max: u32,
    },
    TooManySessions {
        max: u32,
        limit: u32,
    },
    SessionMinutes {
        minutes: u32,
    },
    TerminationLeadTooLong {
        lead: u32,
        min: u32,
    },
    BadPosition {
        problem: PositionSyntaxError,
    },
    /// A position that lands outside the course (or the phase) for some allowed session count.
    PositionOutOfRange {
        position: String,
        session: u32,
        count: CountCase,
    },
    NoPhases,
    EmptyPhase {
        count: CountCase,
    },
    PhaseOverlap {
        other: String,
        session: u32,
        count: CountCase,
    },
    PhaseGap {
        session: u32,
        count: CountCase,
    },
    PhaseBeyondEnd {
        session: u32,
        count: u32,
    },
    PrePhaseMissing,
    PrePhaseUnexpected,
    TaskAtWithRepeat,
    TaskAtOutsidePhase {
        at: String,
        phase_sessions: u32,
        count: CountCase,
    },
    UnknownPhase {
        id: String,
    },
    UnknownInstrument {
        id: String,
    },
    UnknownCadence {
        value: String,
    },
    DuplicateCadence {
        value: String,
    },
    NoCadence,
    NoProblemAreas,
    ProblemAreasWithIpaf,
    NoStrategies,
    DecisionNeedsAtOrEvery,
    ZeroEvery,
    /// A clinic file uses the id of a protocol already in the library.
    IdTaken {
        id: String,
    },
    UnknownProtocol {
        id: String,
    },
}

impl ProtocolErrorReason {
    /// Stable kebab-case code, for translation and for tests.
    pub fn code(&self) -> &'static str {
        use ProtocolErrorReason::*;
        match self {
            Syntax { .. } => "syntax",
            UnknownKey { .. } => "unknown-key",
            MissingKey { .. } => "missing-key",
            UnknownValue { .. } => "unknown-value",
            WrongType { .. } => "wrong-type",
            MissingLabel { .. } => "missing-label",
            BadId { .. } => "bad-id",
            DuplicateId { .. } => "duplicate-id",
            ZeroSessions => "zero-sessions",
            MinAboveMax { .. } => "min-above-max",
            DefaultOutOfRange { .. } => "default-out-of-range",
            TooManySessions { .. } => "too-many-sessions",
            SessionMinutes { .. } => "session-minutes",
            TerminationLeadTooLong { .. } => "termination-lead-too-long",
            BadPosition { .. } => "bad-position",
            PositionOutOfRange { .. } => "position-out-of-range",
            NoPhases => "no-phases",
            EmptyPhase { .. } => "empty-phase",
            PhaseOverlap { .. } => "phase-overlap",
            PhaseGap { .. } => "phase-gap",
            PhaseBeyondEnd { .. } => "phase-beyond-end",
            PrePhaseMissing => "pre-phase-missing",
            PrePhaseUnexpected => "pre-phase-unexpected",
            TaskAtWithRepeat => "task-at-with-repeat",
            TaskAtOutsidePhase { .. } => "task-at-outside-phase",
            UnknownPhase { .. } => "unknown-phase",
            UnknownInstrument { .. } => "unknown-instrument",
            UnknownCadence { .. } => "unknown-cadence",
            DuplicateCadence { .. } => "duplicate-cadence",
            NoCadence => "no-cadence",
            NoProblemAreas => "no-problem-areas",
            ProblemAreasWithIpaf => "problem-areas-with-ipaf",
            NoStrategies => "no-strategies",
            DecisionNeedsAtOrEvery => "decision-needs-at-or-every",
            ZeroEvery => "zero-every",
            IdTaken { .. } => "id-taken",
            UnknownProtocol { .. } => "unknown-protocol",
        }
    }
}

impl fmt::Display for ProtocolErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolErrorReason::*;
        match self {
            Syntax {
                line,
                column,
                message,
            } => write!(
                f,
                "not valid TOML at line {line}, column {column}: {message}"
            ),
            UnknownKey { key } => write!(f, "unknown key \"{key}\""),
            MissingKey { key } => write!(f, "missing key \"{key}\""),
            UnknownValue { value, expected } => {
                write!(f, "unknown value \"{value}\" (expected {expected})")
            }
            WrongType { detail } => write!(f, "wrong type: {detail}"),
            MissingLabel { locale } => write!(f, "no \"{}\" text given", locale.code()),
            BadId { id } => write!(
                f,
                "\"{id}\" is not a valid id (use lowercase letters, digits and single dashes)"
            ),
            DuplicateId { id, first } => write!(f, "id \"{id}\" is already used at {first}"),
            ZeroSessions => write!(f, "a course needs at least one session"),
            MinAboveMax { min, max } => write!(f, "min ({min}) is greater than max ({max})"),
            DefaultOutOfRange { min, default, max } => {
                write!(
                    f,
                    "default ({default}) is not between min ({min}) and max ({max})"
                )
            }
            TooManySessions { max, limit } => {
                write!(f, "max ({max}) is above the supported limit of {limit}")
            }
            SessionMinutes { minutes } => {
                write!(
                    f,
                    "{minutes} minutes is not a usable session length (1 to 600)"
                )
            }
            TerminationLeadTooLong { lead, min } => write!(
                f,
                "a lead of {lead} sessions does not fit a course of {min} sessions"
            ),
            BadPosition { problem } => write!(f, "{problem}"),
            PositionOutOfRange {
                position,
                session,
                count,
            } => write!(
                f,
                "\"{position}\" falls on session {session}, outside the course{}",
                with_count(count)
            ),
            NoPhases => write!(f, "a protocol needs at least one phase"),
            EmptyPhase { count } => write!(f, "phase has no sessions{}", with_count(count)),
            PhaseOverlap {
                other,
                session,
                count,
            } => write!(
                f,
                "overlaps phase \"{other}\" at session {session}{}",
                with_count(count)
            ),
            PhaseGap { session, count } => {
                write!(f, "session {session} is in no phase{}", with_count(count))
            }
            PhaseBeyondEnd { session, count } => write!(
                f,
                "reaches session {session}, past the end of a {count}-session course"
            ),
            PrePhaseMissing => write!(
                f,
                "sessions.pre is set, so one phase must be the preparatory meeting (sessions = \"pre\")"
            ),
            PrePhaseUnexpected => write!(
                f,
                "a \"pre\" phase needs sessions.pre = \"optional\" or \"required\""
            ),
            TaskAtWithRepeat => write!(f, "a task repeated every session cannot also have \"at\""),
            TaskAtOutsidePhase {
                at,
                phase_sessions,
                count,
            } => write!(
                f,
                "\"{at}\" is outside the phase, which has {phase_sessions} sessions{}",
                with_count(count)
            ),
            UnknownPhase { id } => write!(f, "no phase has the id \"{id}\""),
            UnknownInstrument { id } => write!(f, "unknown instrument \"{id}\""),
            UnknownCadence { value } => write!(
                f,
                "unknown cadence \"{value}\" (use baseline, every-session, every-N, mid or end)"
            ),
            DuplicateCadence { value } => write!(f, "cadence \"{value}\" is given twice"),
            NoCadence => write!(f, "a measure needs at least one cadence"),
            NoProblemAreas => write!(
                f,
                "focus is \"problem-areas\" but no problem areas are listed"
            ),
            ProblemAreasWithIpaf => write!(
                f,
                "focus is \"ipaf\", which uses no problem areas; remove them"
            ),
            NoStrategies => write!(f, "a problem area needs at least one strategy"),
            DecisionNeedsAtOrEvery => write!(f, "give exactly one of \"at\" or \"every\""),
            ZeroEvery => write!(f, "\"every\" must be at least 1"),
            IdTaken { id } => write!(f, "a protocol with id \"{id}\" is already in the library"),
            UnknownProtocol { id } => write!(f, "no protocol has the id \"{id}\""),
        }
    }
}

/// A protocol file that was refused, with every problem found. Nothing of it was loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct ProtocolLoadError {
    pub errors: Vec<ProtocolError>,
}

impl ProtocolLoadError {
    pub fn single(path: impl Into<String>, reason: ProtocolErrorReason) -> Self {
        ProtocolLoadError {
            errors: vec![ProtocolError::new(path, reason)],
        }
    }

    /// The first problem (errors are ordered as they appear in the file).
    pub fn first(&self) -> &ProtocolError {
        &self.errors[0]
    }

    /// The problem found at `path`, if any.
    pub fn at(&self, path: &str) -> Option<&ProtocolError> {
        self.errors.iter().find(|e| e.path == path)
    }
}

impl fmt::Display for ProtocolLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
