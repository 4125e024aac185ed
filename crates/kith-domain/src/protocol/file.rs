//! The protocol file as written in TOML, before validation.
//!
//! These types mirror the file one to one (unknown keys are refused). Positions, ranges,
//! cadences and instrument ids are kept as text here and checked by validation, so that a bad
//! value is reported with its exact key path and a precise reason.

use crate::locale::Localized;
use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

fn default_lead() -> u32 {
    3
}

/// A whole protocol file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolFile {
    /// Stable id, kebab-case, e.g. `ipt-b`.
    pub id: String,
    /// Version of this file, e.g. `1.0.0`.
    pub version: String,
    pub title: Localized,
    pub description: Localized,
    /// What the course is organised around: problem areas, or one IPAF (DIT).
    pub focus: FocusKind,
    /// Usual spacing of sessions.
    pub frequency: Frequency,
    /// Usual length of a session in minutes.
    pub session_minutes: u32,
    /// How many sessions before the last one the ending must be raised.
    #[serde(default = "default_lead")]
    pub termination_lead: u32,
    /// The mid-course session (a position; default: half the contract, rounded up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_session: Option<String>,
    /// From which session on a missing agreed formulation (or IPAF) is flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formulation_warn_at: Option<String>,
    pub sessions: SessionsFile,
    #[serde(default)]
    pub participants: Vec<ParticipantFile>,
    /// Tasks for every session of every phase (session 1 onwards).
    #[serde(default)]
    pub session_tasks: Vec<SessionTaskFile>,
    pub phases: Vec<PhaseFile>,
    #[serde(default)]
    pub problem_areas: Vec<ProblemAreaDef>,
    #[serde(default)]
    pub measures: Vec<MeasureFile>,
    #[serde(default)]
    pub decision_points: Vec<DecisionPointFile>,
}

/// The `[sessions]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsFile {
    pub min: u32,
    pub default: u32,
    pub max: u32,
    /// Whether a preparatory meeting (session 0) comes before session 1.
    #[serde(default)]
    pub pre: PreSession,
    /// Whether a course may run without an agreed number of sessions.
    #[serde(default)]
    pub open_ended: bool,
}

/// Whether a protocol has a preparatory meeting before session 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreSession {
    #[default]
    None,
    Optional,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FocusKind {
    /// One or two problem areas (one primary).
    ProblemAreas,
    /// A single interpersonal-affective focus (DIT).
    Ipaf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Weekly,
    Fortnightly,
    Monthly,
    Flexible,
}

/// Who takes part in a session besides the clinician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantRole {
    Client,
    /// A parent or carer.
    Parent,
    Partner,
    /// The other members of a group.
    Group,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantFile {
    pub role: ParticipantRole,
    /// Positions of the sessions this participant joins.
    #[serde(default)]
    pub at: Vec<String>,
    /// Phases in every session of which this participant joins.
    #[serde(default)]
    pub phases: Vec<String>,
    /// Whether joining is optional (left to clinical judgement).
    #[serde(default)]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Localized>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionTaskFile {
    pub id: String,
    pub label: Localized,
    #[serde(default = "yes")]
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseFile {
    pub id: String,
    pub label: Localized,
    /// A session range such as `"1..3"`, `"4..last-3"` or `"pre"`.
    pub sessions: String,
    /// Whether the chosen problem areas' strategies are put on the agenda in this phase.
    #[serde(default)]
    pub strategies: bool,
    /// Spacing of sessions in this phase when it differs from the protocol's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(default)]
    pub tasks: Vec<TaskFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repeat {
    /// Done once somewhere in the phase (or at its `at` session).
    #[default]
    Once,
    /// Done in every held session of the phase.
    EverySession,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFile {
    pub id: String,
    pub label: Localized,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub repeat: Repeat,
    /// The session of the phase this task belongs to: `"1"`, `"2"`, `"last"`, `"last-1"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// What kind of problem area an entry is, whatever it is called in a given protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AreaKind {
    Grief,
    Dispute,
    Transition,
    Deficits,
    /// Grief for the lost healthy self (IPSRT).
    LostHealthySelf,
    /// A clinic's own area; Kith makes no suggestion for it.
    Other,
}

impl AreaKind {
    pub fn code(self) -> &'static str {
        match self {
            AreaKind::Grief => "grief",
            AreaKind::Dispute => "dispute",
            AreaKind::Transition => "transition",
            AreaKind::Deficits => "deficits",
            AreaKind::LostHealthySelf => "lost-healthy-self",
            AreaKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemAreaDef {
    pub id: String,
    pub kind: AreaKind,
    pub label: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Localized>,
    pub strategies: Vec<StrategyDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyDef {
    pub id: String,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureFile {
    /// Instrument id, e.g. `phq9`.
    pub instrument: String,
    /// When it is due: `baseline`, `every-session`, `every-N`, `mid`, `end`.
    pub cadence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionKind {
    /// Is the client responding? (e.g. the mid-course "not on track?" check)
    ResponseCheck,
    /// A periodic review of an ongoing course (e.g. maintenance).
    Review,
    /// What comes next: end, continuation, maintenance or referral.
    NextStep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionPointFile {
    pub id: String,
    pub kind: DecisionKind,
    pub label: Localized,
    /// A position, e.g. `"mid"` or `"last"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Every N sessions (N, 2N, 3N…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u32>,
}
