//! A course of therapy under a protocol, and the engine that reads it.
//!
//! [`CourseState`] is what storage keeps: the contract (with every renegotiation), the sessions
//! (held, missed, cancelled, scheduled) and the tasks done in each, the problem areas the
//! clinician **confirmed** (or the IPAF for DIT), when the formulation was agreed and the ending
//! raised, and which measures were taken at which session.
//!
//! [`review`] derives everything else, purely and deterministically: the current phase, the
//! agenda for the next session, overdue tasks, sessions used and remaining, fidelity per phase,
//! and warnings. Dates are plain values; nothing here reads a clock.
//!
//! **Session numbers and "used".** A session's number is its place in the contract. A held
//! session uses its number. A missed session does not use a contracted session — the next
//! meeting keeps the same number — unless the clinic sets
//! [`CourseRules::missed_session_consumes`]. A cancelled or scheduled session never uses one.
//! *Used* is the highest number used so far; *remaining* is the contract minus used, never
//! below zero. The preparatory meeting (session 0) is outside the contract.

use crate::locale::Localized;
use crate::problem_area::DisputeStage;
use crate::protocol::{
    AreaKind, Cadence, DecisionKind, DecisionPoint, DecisionWhen, FocusKind, ParticipantRole,
    Position, PreSession, Protocol, Repeat, Resolved, Task,
};
use crate::timeline::{LifeEventKind, OnsetWindow, Timeline};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;
use uuid::Uuid;

/// Clinic rules for counting and checking courses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseRules {
    /// Whether a missed (not attended) session uses up a contracted session. Default `false`.
    #[serde(default)]
    pub missed_session_consumes: bool,
    /// What "near onset" means for the deficits-versus-grief check.
    #[serde(default)]
    pub onset_window: OnsetWindow,
}

/// The agreed length of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContractLength {
    Sessions(u32),
    /// No agreed last session (open-ended protocols only).
    Open,
}

impl ContractLength {
    pub fn count(self) -> Option<u32> {
        match self {
            ContractLength::Sessions(n) => Some(n),
            ContractLength::Open => None,
        }
    }
}

/// An explicit change of the contract's length, agreed at a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renegotiation {
    pub at_session: u32,
    pub from: ContractLength,
    pub to: ContractLength,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub initial: ContractLength,
    /// Session at which the contract was first agreed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_at_session: Option<u32>,
    #[serde(default)]
    pub renegotiations: Vec<Renegotiation>,
}

impl Contract {
    /// The length in force now.
    pub fn current(&self) -> ContractLength {
        self.renegotiations.last().map_or(self.initial, |r| r.to)
    }

    pub fn count(&self) -> Option<u32> {
        self.current().count()
    }

    pub fn was_renegotiated(&self) -> bool {
        !self.renegotiations.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionStatus {
    Held,
    /// The client did not come.
    Missed,
    /// Called off in advance.
    Cancelled,
    Scheduled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Place in the contract (0 = the preparatory meeting).
    pub number: u32,
    pub status: SessionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Protocol task ids done in this session.
    #[serde(default)]
    pub tasks_done: BTreeSet<String>,
}

impl SessionRecord {
    pub fn held(number: u32, tasks: &[&str]) -> SessionRecord {
        SessionRecord {
            number,
            status: SessionStatus::Held,
            date: None,
            tasks_done: tasks.iter().map(|t| t.to_string()).collect(),
        }
    }
}

/// A problem area the clinician confirmed with the client (not a suggestion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedArea {
    /// Area id in the protocol.
    pub area: String,
    pub primary: bool,
    /// Stage, for role disputes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute_stage: Option<DisputeStage>,
    pub confirmed_at_session: u32,
    pub client_agreed: bool,
}

/// The interpersonal-affective focus agreed in DIT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IpafFocus {
    /// The focus in a sentence or two, as shared with the client.
    pub summary: String,
    /// How the client tends to see themselves in the pattern.
    #[serde(default)]
    pub self_view: String,
    /// How the client tends to see the other person.
    #[serde(default)]
    pub other_view: String,
    /// The feeling that drives the pattern.
    #[serde(default)]
    pub affect: String,
    /// What the pattern protects against.
    #[serde(default)]
    pub defence: String,
    pub agreed_at_session: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureTaken {
    pub instrument: String,
    pub session: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// Decision point id in the protocol.
    pub id: String,
    pub session: u32,
}

/// Everything recorded about a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseState {
    pub protocol_id: String,
    pub contract: Contract,
    #[serde(default)]
    pub sessions: Vec<SessionRecord>,
    #[serde(default)]
    pub areas: Vec<ConfirmedArea>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipaf: Option<IpafFocus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formulation_agreed_at: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_raised_at: Option<u32>,
    #[serde(default)]
    pub measures: Vec<MeasureTaken>,
    #[serde(default)]
    pub decisions: Vec<DecisionRecord>,
}

/// Why a change to a course was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum CourseError {
    #[error("course belongs to protocol {course}, not {given}")]
    WrongProtocol { course: String, given: String },
    #[error("{requested} sessions is outside this protocol's {min} to {max}")]
    ContractOutsideProtocol { requested: u32, min: u32, max: u32 },
    #[error("this protocol needs an agreed number of sessions")]
    OpenContractNotAllowed,
    #[error("a contract needs at least one session")]
    ZeroSessions,
    #[error("{requested} sessions is fewer than the {used} already used")]
    RenegotiateBelowUsed { requested: u32, used: u32 },
    #[error("the protocol's phases cannot be laid out over {requested} sessions")]
    LengthDoesNotFitPhases { requested: u32 },
    #[error("the contract already has that length")]
    RenegotiateUnchanged,
    #[error(
        "two problem areas are already chosen ({chosen:?}); change one rather than add a third"
    )]
    TooManyProblemAreas { chosen: Vec<String> },
    #[error("problem area {area} is not part of this protocol")]
    AreaNotInProtocol { area: String },
    #[error("problem area {area} is already chosen")]
    AreaAlreadyChosen { area: String },
    #[error("problem area {area} is not chosen")]
    AreaNotChosen { area: String },
    #[error("a dispute stage only applies to a role dispute, not {area}")]
    StageOnlyForDisputes { area: String },
    #[error("this protocol uses an IPAF, not problem areas")]
    FocusIsIpaf,
    #[error("this protocol uses problem areas, not an IPAF")]
    FocusIsProblemAreas,
    #[error("task {task} is not part of this protocol")]
    UnknownTask { task: String },
    #[error("session {number} is already recorded as held")]
    SessionAlreadyHeld { number: u32 },
    #[error("this protocol has no preparatory session 0")]
    NoPreSession,
    #[error("measure {instrument} is not used by this protocol")]
    UnknownMeasure { instrument: String },
    #[error("decision point {id} is not part of this protocol")]
    UnknownDecision { id: String },
}

impl CourseError {
    pub fn code(&self) -> &'static str {
        match self {
            CourseError::WrongProtocol { .. } => "wrong-protocol",
            CourseError::ContractOutsideProtocol { .. } => "contract-outside-protocol",
            CourseError::OpenContractNotAllowed => "open-contract-not-allowed",
            CourseError::ZeroSessions => "zero-sessions",
            CourseError::RenegotiateBelowUsed { .. } => "renegotiate-below-used",
            CourseError::LengthDoesNotFitPhases { .. } => "length-does-not-fit-phases",
            CourseError::RenegotiateUnchanged => "renegotiate-unchanged",
            CourseError::TooManyProblemAreas { .. } => "too-many-problem-areas",
            CourseError::AreaNotInProtocol { .. } => "area-not-in-protocol",
            CourseError::AreaAlreadyChosen { .. } => "area-already-chosen",
            CourseError::AreaNotChosen { .. } => "area-not-chosen",
            CourseError::StageOnlyForDisputes { .. } => "stage-only-for-disputes",
            CourseError::FocusIsIpaf => "focus-is-ipaf",
            CourseError::FocusIsProblemAreas => "focus-is-problem-areas",
            CourseError::UnknownTask { .. } => "unknown-task",
            CourseError::SessionAlreadyHeld { .. } => "session-already-held",
            CourseError::NoPreSession => "no-pre-session",
            CourseError::UnknownMeasure { .. } => "unknown-measure",
            CourseError::UnknownDecision { .. } => "unknown-decision",
        }
    }
}

impl CourseState {
    /// Opens a course with an agreed length, which must lie within the protocol's range
    /// (`Open` only for open-ended protocols).
    pub fn new(protocol: &Protocol, length: ContractLength) -> Result<CourseState, CourseError> {
        let s = protocol.sessions();
        match length {
            ContractLength::Sessions(0) => return Err(CourseError::ZeroSessions),
            ContractLength::Sessions(n) if n < s.min || n > s.max => {
                return Err(CourseError::ContractOutsideProtocol {
                    requested: n,
                    min: s.min,
                    max: s.max,
                });
            }
            ContractLength::Open if !s.open_ended => {
                return Err(CourseError::OpenContractNotAllowed);
            }
            _ => {}
        }
        Ok(CourseState {
            protocol_id: protocol.id().to_string(),
            contract: Contract {
                initial: length,
                agreed_at_session: None,
                renegotiations: Vec::new(),
            },
            sessions: Vec::new(),
            areas: Vec::new(),
            ipaf: None,
            formulation_agreed_at: None,
            ending_raised_at: None,
            measures: Vec::new(),
            decisions: Vec::new(),
        })
    }

    /// A course with the protocol's default number of sessions.
    pub fn with_default_length(protocol: &Protocol) -> CourseState {
        let n = protocol.sessions().default;
        CourseState::new(protocol, ContractLength::Sessions(n)).unwrap_or_else(|_| CourseState {
            protocol_id: protocol.id().to_string(),
            contract: Contract {
                initial: ContractLength::Sessions(n),
                agreed_at_session: None,
                renegotiations: Vec::new(),
            },
            sessions: Vec::new(),
            areas: Vec::new(),
            ipaf: None,
            formulation_agreed_at: None,
            ending_raised_at: None,
            measures: Vec::new(),
            decisions: Vec::new(),
        })
    }

    fn check_protocol(&self, protocol: &Protocol) -> Result<(), CourseError> {
        if self.protocol_id != protocol.id() {
            return Err(CourseError::WrongProtocol {
                course: self.protocol_id.clone(),
                given: protocol.id().to_string(),
            });
        }
        Ok(())
    }

    /// Highest session number that has been held.
    pub fn last_held(&self) -> Option<u32> {
        self.sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Held)
            .map(|s| s.number)
            .max()
    }

    /// Changes the contract's length, explicitly and on the record. A new length may go past
    /// the protocol's usual maximum (that is what renegotiation is for) but not below the
    /// sessions already held.
    pub fn renegotiate(
        &mut self,
        protocol: &Protocol,
        to: ContractLength,
        at_session: u32,
        date: Option<Date>,
    ) -> Result<(), CourseError> {
        self.check_protocol(protocol)?;
        let from = self.contract.current();
        if from == to {
            return Err(CourseError::RenegotiateUnchanged);
        }
        match to {
            ContractLength::Sessions(0) => return Err(CourseError::ZeroSessions),
            ContractLength::Sessions(n) => {
                let used = self.last_held().unwrap_or(0);
                if n < used {
                    return Err(CourseError::RenegotiateBelowUsed { requested: n, used });
                }
                if !protocol.phases_fit(n) {
                    return Err(CourseError::LengthDoesNotFitPhases { requested: n });
                }
            }
            ContractLength::Open if !protocol.is_open_ended() => {
                return Err(CourseError::OpenContractNotAllowed);
            }
            ContractLength::Open => {}
        }
        self.contract.renegotiations.push(Renegotiation {
            at_session,
            from,
            to,
            date,
        });
        Ok(())
    }

    /// Records a session. Task ids must belong to the protocol; a session number can be held
    /// only once. A scheduled record with the same number is replaced.
    pub fn record_session(
        &mut self,
        protocol: &Protocol,
        record: SessionRecord,
    ) -> Result<(), CourseError> {
        self.check_protocol(protocol)?;
        if record.number == 0 && protocol.pre_session() == PreSession::None {
            return Err(CourseError::NoPreSession);
        }
        for t in &record.tasks_done {
            if !protocol.all_tasks().any(|pt| &pt.id == t) {
                return Err(CourseError::UnknownTask { task: t.clone() });
            }
        }
        if record.status == SessionStatus::Held
            && self
                .sessions
                .iter()
                .any(|s| s.number == record.number && s.status == SessionStatus::Held)
        {
            return Err(CourseError::SessionAlreadyHeld {
                number: record.number,
            });
        }
        self.sessions
            .retain(|s| !(s.number == record.number && s.status == SessionStatus::Scheduled));
        self.sessions.push(record);
        Ok(())
    }

    /// Records a problem area the clinician chose with the client. The first is primary; a
    /// second is secondary; a third is refused.
    pub fn confirm_problem_area(
        &mut self,
        protocol: &Protocol,
        area: &str,
        dispute_stage: Option<DisputeStage>,
        at_session: u32,
        client_agreed: bool,
    ) -> Result<&ConfirmedArea, CourseError> {
        self.check_protocol(protocol)?;
        if protocol.focus() == FocusKind::Ipaf {
            return Err(CourseError::FocusIsIpaf);
        }
        let def = protocol
            .problem_area(area)
            .ok_or_else(|| CourseError::AreaNotInProtocol {
                area: area.to_string(),
            })?;
        if self.areas.iter().any(|a| a.area == area) {
            return Err(CourseError::AreaAlreadyChosen {
                area: area.to_string(),
            });
        }
        if self.areas.len() >= 2 {
            return Err(CourseError::TooManyProblemAreas {
                chosen: self.areas.iter().map(|a| a.area.clone()).collect(),
            });
        }
        if dispute_stage.is_some() && def.kind != AreaKind::Dispute {
            return Err(CourseError::StageOnlyForDisputes {
                area: area.to_string(),
            });
        }
        let primary = self.areas.is_empty();
        self.areas.push(ConfirmedArea {
            area: area.to_string(),
            primary,
            dispute_stage,
            confirmed_at_session: at_session,
            client_agreed,
        });
        Ok(&self.areas[self.areas.len() - 1])
    }

    /// Makes a chosen area the primary one.
    pub fn set_primary(&mut self, area: &str) -> Result<(), CourseError> {
        if !self.areas.iter().any(|a| a.area == area) {
            return Err(CourseError::AreaNotChosen {
                area: area.to_string(),
            });
        }
        for a in &mut self.areas {
            a.primary = a.area == area;
        }
        Ok(())
    }

    /// Drops a chosen area (the focus was revised). The remaining one becomes primary.
    pub fn withdraw_problem_area(&mut self, area: &str) -> Result<(), CourseError> {
        let before = self.areas.len();
        self.areas.retain(|a| a.area != area);
        if self.areas.len() == before {
            return Err(CourseError::AreaNotChosen {
                area: area.to_string(),
            });
        }
        if !self.areas.iter().any(|a| a.primary)
            && let Some(first) = self.areas.first_mut()
        {
            first.primary = true;
        }
        Ok(())
    }

    /// Sets or updates the stage of a chosen role dispute.
    pub fn set_dispute_stage(
        &mut self,
        protocol: &Protocol,
        area: &str,
        stage: DisputeStage,
    ) -> Result<(), CourseError> {
        let kind = protocol.problem_area(area).map(|a| a.kind);
        let chosen = self
            .areas
            .iter_mut()
            .find(|a| a.area == area)
            .ok_or_else(|| CourseError::AreaNotChosen {
                area: area.to_string(),
            })?;
        if kind != Some(AreaKind::Dispute) {
            return Err(CourseError::StageOnlyForDisputes {
                area: area.to_string(),
            });
        }
        chosen.dispute_stage = Some(stage);
        Ok(())
    }

    /// Records the agreed IPAF (DIT).
    pub fn confirm_ipaf(
        &mut self,
        protocol: &Protocol,
        ipaf: IpafFocus,
    ) -> Result<(), CourseError> {
        self.check_protocol(protocol)?;
        if protocol.focus() != FocusKind::Ipaf {
            return Err(CourseError::FocusIsProblemAreas);
        }
        self.ipaf = Some(ipaf);
        Ok(())
    }

    pub fn agree_formulation(&mut self, at_session: u32) {
        self.formulation_agreed_at = Some(at_session);
    }

    pub fn raise_ending(&mut self, at_session: u32) {
        self.ending_raised_at = Some(at_session);
    }

    pub fn record_measure(
        &mut self,
        protocol: &Protocol,
        instrument: &str,
        session: u32,
    ) -> Result<(), CourseError> {
        if !protocol
            .measures()
            .iter()
            .any(|m| m.instrument == instrument)
        {
            return Err(CourseError::UnknownMeasure {
                instrument: instrument.to_string(),
            });
        }
        self.measures.push(MeasureTaken {
            instrument: instrument.to_string(),
            session,
        });
        Ok(())
    }

    pub fn record_decision(
        &mut self,
        protocol: &Protocol,
        id: &str,
        session: u32,
    ) -> Result<(), CourseError> {
        if !protocol.decision_points().iter().any(|d| d.id == id) {
            return Err(CourseError::UnknownDecision { id: id.to_string() });
        }
        self.decisions.push(DecisionRecord {
            id: id.to_string(),
            session,
        });
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// What the engine derives.

/// A task on an agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaTask {
    pub id: String,
    pub label: Localized,
    pub required: bool,
    pub repeat: Repeat,
    /// The phase it belongs to; `None` for tasks of every session.
    pub phase: Option<String>,
    /// It was due at an earlier session and is still not done.
    pub late: bool,
}

/// A measure due at a session, with the cadences that make it due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureDue {
    pub instrument: String,
    pub because: Vec<Cadence>,
}

/// A strategy of a chosen problem area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaStrategy {
    pub area: String,
    pub primary: bool,
    pub strategy: String,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionDue {
    pub id: String,
    pub kind: DecisionKind,
    pub label: Localized,
    /// The session it was scheduled for (earlier than the agenda's session when late).
    pub scheduled_at: u32,
    pub late: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExpectedParticipant {
    pub role: ParticipantRole,
    pub optional: bool,
}

/// What the next (or a given) session should hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agenda {
    /// Session number (0 = the preparatory meeting).
    pub session: u32,
    /// Contracted number of sessions (`None`: open-ended).
    pub of: Option<u32>,
    pub is_pre: bool,
    /// Phase id; `None` past the end of the contract.
    pub phase: Option<String>,
    /// The session is past the contract's last session.
    pub beyond_contract: bool,
    pub required_tasks: Vec<AgendaTask>,
    pub optional_tasks: Vec<AgendaTask>,
    pub measures_due: Vec<MeasureDue>,
    pub strategies: Vec<AgendaStrategy>,
    /// The ending should be raised now (it is due and has not been raised yet).
    pub raise_ending: bool,
    pub decision_points: Vec<DecisionDue>,
    pub participants: Vec<ExpectedParticipant>,
    /// Sessions left after this one (`None`: open-ended).
    pub remaining_after: Option<u32>,
}

/// A required task not done in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueTask {
    pub task: String,
    pub phase: String,
    /// The last session it should have been done by.
    pub due_by: u32,
}

/// A required task missing from fidelity: once-tasks have no session, per-session tasks name
/// the session they were missed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingTask {
    pub task: String,
    pub session: Option<u32>,
}

/// Fidelity to the protocol in one phase so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseFidelity {
    pub phase: String,
    pub expected: u32,
    pub done: u32,
    pub missing: Vec<MissingTask>,
    /// True when every session of the phase is behind us.
    pub complete: bool,
}

impl PhaseFidelity {
    /// Share of required tasks done, in [0, 1]; `None` when nothing was expected yet.
    pub fn share(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.done) / f64::from(self.expected))
    }
}

/// Something the clinician should look at. Each has a stable [`code`](Warning::code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Warning {
    /// The session at which the formulation (or IPAF) should be agreed is reached without it.
    FormulationNotAgreed { session: u32, expected_by: u32 },
    /// Two problem areas are chosen: the most a course can have (manuals aim for one).
    TwoProblemAreas { areas: Vec<String> },
    /// The ending has not been raised although the session to raise it has passed.
    EndingNotRaised {
        session: u32,
        raise_by: u32,
        last_session: u32,
    },
    /// Interpersonal deficits is chosen while a death sits close to onset on the timeline.
    DeficitsWithDeathNearOnset {
        area: String,
        event: Uuid,
        weeks_before_onset: i64,
    },
    /// The course is going past the protocol's maximum without a renegotiated contract.
    BeyondProtocolMax { session: u32, max: u32 },
    /// The next session is past the contract's last session.
    BeyondContract { session: u32, contracted: u32 },
    /// Session 1 is over and a baseline measure is missing.
    NoBaselineMeasure { missing: Vec<String> },
    /// A role dispute is chosen without its stage.
    DisputeStageMissing { area: String },
    /// A scheduled decision point passed without a recorded decision.
    DecisionPointPending { id: String, scheduled_at: u32 },
}

impl Warning {
    pub fn code(&self) -> &'static str {
        match self {
            Warning::FormulationNotAgreed { .. } => "formulation-not-agreed",
            Warning::TwoProblemAreas { .. } => "two-problem-areas",
            Warning::EndingNotRaised { .. } => "ending-not-raised",
            Warning::DeficitsWithDeathNearOnset { .. } => "deficits-with-death-near-onset",
            Warning::BeyondProtocolMax { .. } => "beyond-protocol-max",
            Warning::BeyondContract { .. } => "beyond-contract",
            Warning::NoBaselineMeasure { .. } => "no-baseline-measure",
            Warning::DisputeStageMissing { .. } => "dispute-stage-missing",
            Warning::DecisionPointPending { .. } => "decision-point-pending",
        }
    }
}

/// Everything the engine derives from a course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseReview {
    pub contract: ContractLength,
    pub used: u32,
    /// `None` for an open-ended contract.
    pub remaining: Option<u32>,
    /// Phase of the latest session used (`None` before any).
    pub current_phase: Option<String>,
    pub agenda: Agenda,
    pub overdue: Vec<OverdueTask>,
    pub fidelity: Vec<PhaseFidelity>,
    pub warnings: Vec<Warning>,
}

/// Facts about a course that every derivation needs.
struct Facts<'a> {
    protocol: &'a Protocol,
    course: &'a CourseState,
    count: Option<u32>,
    /// Task ids done in any held session.
    done: BTreeSet<&'a str>,
    /// Held sessions, by number.
    held: BTreeMap<u32, &'a SessionRecord>,
    used: u32,
    next: u32,
}

impl<'a> Facts<'a> {
    fn new(protocol: &'a Protocol, course: &'a CourseState, rules: &CourseRules) -> Facts<'a> {
        let consumes = |s: &SessionRecord| {
            s.status == SessionStatus::Held
                || (s.status == SessionStatus::Missed && rules.missed_session_consumes)
        };
        let used = course
            .sessions
            .iter()
            .filter(|s| consumes(s) && s.number >= 1)
            .map(|s| s.number)
            .max()
            .unwrap_or(0);
        let pre_done = course.sessions.iter().any(|s| s.number == 0 && consumes(s));
        let next = if used == 0 && !pre_done && protocol.pre_session() == PreSession::Required {
            0
        } else {
            used + 1
        };
        let held: BTreeMap<u32, &SessionRecord> = course
            .sessions
            .iter()
            .filter(|s| s.status == SessionStatus::Held)
            .map(|s| (s.number, s))
            .collect();
        let done = held
            .values()
            .flat_map(|s| s.tasks_done.iter().map(String::as_str))
            .collect();
        Facts {
            protocol,
            course,
            count: course.contract.count(),
            done,
            held,
            used,
            next,
        }
    }

    /// Absolute session of a task's `at` within a phase whose span is `(s, e)`.
    fn task_session(at: Position, s: u32, e: Option<u32>) -> Option<u32> {
        match at {
            Position::At(k) => Some(s + k - 1),
            Position::FromEnd(k) => e.map(|e| e.saturating_sub(k)),
            _ => None,
        }
    }

    fn pre_counts(&self) -> bool {
        match self.protocol.pre_session() {
            PreSession::None => false,
            PreSession::Required => true,
            PreSession::Optional => self.held.contains_key(&0),
        }
    }
}

/// Reviews a course: the engine's single entry point for storage and web code.
///
/// `timeline` is needed only for the check that deficits was not chosen while a death sits
/// close to onset; pass `None` if no timeline is recorded.
pub fn review(
    protocol: &Protocol,
    course: &CourseState,
    timeline: Option<&Timeline>,
    rules: &CourseRules,
) -> CourseReview {
    let f = Facts::new(protocol, course, rules);
    let agenda = build_agenda(&f, f.next);
    let current_phase = if f.used >= 1 {
        protocol.phase_at(f.used, f.count).map(|p| p.id.clone())
    } else if f.held.contains_key(&0) {
        protocol.phase_at(0, f.count).map(|p| p.id.clone())
    } else {
        None
    };
    CourseReview {
        contract: course.contract.current(),
        used: f.used,
        remaining: f.count.map(|c| c.saturating_sub(f.used)),
        current_phase,
        overdue: overdue(&f),
        fidelity: fidelity(&f),
        warnings: warnings(&f, timeline, rules),
        agenda,
    }
}

/// The agenda for any session number `n` of the course (e.g. to preview a later session).
pub fn agenda_for(
    protocol: &Protocol,
    course: &CourseState,
    n: u32,
    rules: &CourseRules,
) -> Agenda {
    let f = Facts::new(protocol, course, rules);
    build_agenda(&f, n)
}

fn build_agenda(f: &Facts, n: u32) -> Agenda {
    let p = f.protocol;
    let count = f.count;
    let phase = p.phase_at(n, count);
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut push = |t: &Task, phase: Option<&str>, late: bool| {
        let item = AgendaTask {
            id: t.id.clone(),
            label: t.label.clone(),
            required: t.required,
            repeat: t.repeat,
            phase: phase.map(str::to_string),
            late,
        };
        if t.required {
            required.push(item);
        } else {
            optional.push(item);
        }
    };
    if n >= 1 && phase.is_some() {
        for t in p.session_tasks() {
            push(t, None, false);
        }
    }
    if let Some(ph) = phase {
        let span = p.phase_span(ph, count);
        for t in &ph.tasks {
            match (t.repeat, t.at) {
                (Repeat::EverySession, _) => push(t, Some(&ph.id), false),
                (Repeat::Once, _) if f.done.contains(t.id.as_str()) => {}
                (Repeat::Once, None) => push(t, Some(&ph.id), false),
                (Repeat::Once, Some(at)) => {
                    if let Some((s, e)) = span
                        && let Some(due) = Facts::task_session(at, s, e)
                        && n >= due
                    {
                        push(t, Some(&ph.id), n > due);
                    }
                }
            }
        }
    }

    // Measures.
    let first = if p.pre_session() == PreSession::Required {
        0
    } else {
        1
    };
    let mid = p.mid_session(count);
    let mut measures_due = Vec::new();
    for m in p.measures() {
        if f.course
            .measures
            .iter()
            .any(|t| t.instrument == m.instrument && t.session == n)
        {
            continue;
        }
        let has_baseline = f
            .course
            .measures
            .iter()
            .any(|t| t.instrument == m.instrument && t.session <= first.max(1));
        let because: Vec<Cadence> = m
            .cadence
            .iter()
            .copied()
            .filter(|c| match c {
                Cadence::Baseline => n == first || (n > first && n <= 1 && !has_baseline),
                Cadence::EverySession => n >= 1,
                Cadence::Every(k) => n >= 1 && n.is_multiple_of(*k),
                Cadence::Mid => mid == Some(n),
                Cadence::End => count == Some(n),
            })
            .collect();
        if !because.is_empty() {
            measures_due.push(MeasureDue {
                instrument: m.instrument.clone(),
                because,
            });
        }
    }

    // Strategies of the chosen areas, primary first.
    let mut strategies = Vec::new();
    if phase.is_some_and(|ph| ph.strategies) {
        let mut chosen: Vec<_> = f.course.areas.iter().collect();
        chosen.sort_by_key(|a| !a.primary);
        for a in chosen {
            if let Some(def) = p.problem_area(&a.area) {
                for s in &def.strategies {
                    strategies.push(AgendaStrategy {
                        area: a.area.clone(),
                        primary: a.primary,
                        strategy: s.id.clone(),
                        label: s.label.clone(),
                    });
                }
            }
        }
    }

    // Ending.
    let raise_ending = match count {
        Some(c) => {
            let raise_by = c.saturating_sub(p.termination_lead()).max(1);
            p.termination_lead() > 0
                && f.course.ending_raised_at.is_none()
                && n >= raise_by
                && n <= c
        }
        None => false,
    };

    // Decision points: those falling on n, and earlier fixed ones still not decided.
    let bounds = p.bounds(count);
    let mut decision_points = Vec::new();
    for d in p.decision_points() {
        let decided_after = |s: u32| decided(f.course, d, s);
        let scheduled = match d.when {
            DecisionWhen::At(pos) => match pos.resolve(bounds) {
                Resolved::Session(s) if s <= n && !decided_after(s) => Some(s),
                _ => None,
            },
            DecisionWhen::Every(k) => {
                (n >= 1 && n.is_multiple_of(k) && !decided_after(n)).then_some(n)
            }
        };
        if let Some(s) = scheduled {
            decision_points.push(DecisionDue {
                id: d.id.clone(),
                kind: d.kind,
                label: d.label.clone(),
                scheduled_at: s,
                late: s < n,
            });
        }
    }

    // Participants.
    let mut roles: BTreeMap<ParticipantRole, bool> = BTreeMap::new();
    if phase.is_some() {
        for r in p.participants() {
            let applies = (r.at.is_empty() && r.phases.is_empty())
                || r.at
                    .iter()
                    .any(|pos| pos.resolve(bounds) == Resolved::Session(n))
                || phase.is_some_and(|ph| r.phases.contains(&ph.id));
            if applies {
                let optional = roles.entry(r.role).or_insert(true);
                *optional = *optional && r.optional;
            }
        }
    }
    let participants = roles
        .into_iter()
        .map(|(role, optional)| ExpectedParticipant { role, optional })
        .collect();

    Agenda {
        session: n,
        of: count,
        is_pre: n == 0,
        phase: phase.map(|ph| ph.id.clone()),
        beyond_contract: count.is_some_and(|c| n > c),
        required_tasks: required,
        optional_tasks: optional,
        measures_due,
        strategies,
        raise_ending,
        decision_points,
        participants,
        remaining_after: count.map(|c| c.saturating_sub(n)),
    }
}

/// Whether decision point `d`, falling on session `s`, has been decided. A next-step decision
/// must be made at or after its session (a renegotiated end asks for a new one); a response
/// check or review made once still stands if a renegotiation later moves its session.
fn decided(c: &CourseState, d: &DecisionPoint, s: u32) -> bool {
    let once_is_enough = d.kind != DecisionKind::NextStep && matches!(d.when, DecisionWhen::At(_));
    c.decisions
        .iter()
        .any(|r| r.id == d.id && (r.session >= s || once_is_enough))
}

fn overdue(f: &Facts) -> Vec<OverdueTask> {
    let p = f.protocol;
    let mut out = Vec::new();
    for ph in p.phases() {
        if ph.range.is_pre() && !f.pre_counts() {
            continue;
        }
        let Some((s, e)) = p.phase_span(ph, f.count) else {
            continue;
        };
        if f.next <= s && !(ph.range.is_pre() && f.next >= 1) {
            continue; // not started
        }
        for t in &ph.tasks {
            if !t.required || t.repeat != Repeat::Once || f.done.contains(t.id.as_str()) {
                continue;
            }
            let due_by = match t.at {
                Some(at) => Facts::task_session(at, s, e),
                None => e,
            };
            if let Some(due) = due_by
                && due < f.next
            {
                out.push(OverdueTask {
                    task: t.id.clone(),
                    phase: ph.id.clone(),
                    due_by: due,
                });
            }
        }
    }
    out
}

fn fidelity(f: &Facts) -> Vec<PhaseFidelity> {
    let p = f.protocol;
    let mut out = Vec::new();
    for ph in p.phases() {
        let Some((s, e)) = p.phase_span(ph, f.count) else {
            continue;
        };
        let in_phase: Vec<u32> = f
            .held
            .keys()
            .copied()
            .filter(|&n| p.phase_at(n, f.count).is_some_and(|x| x.id == ph.id))
            .collect();
        if in_phase.is_empty() {
            continue;
        }
        let complete = e.is_some_and(|e| f.next > e);
        let mut expected = 0;
        let mut done = 0;
        let mut missing = Vec::new();
        let per_session: Vec<&Task> = if ph.range.is_pre() {
            Vec::new()
        } else {
            p.session_tasks().iter().filter(|t| t.required).collect()
        };
        for &n in &in_phase {
            let rec = f.held[&n];
            let every = ph
                .tasks
                .iter()
                .filter(|t| t.required && t.repeat == Repeat::EverySession);
            for t in per_session.iter().copied().chain(every) {
                expected += 1;
                if rec.tasks_done.contains(&t.id) {
                    done += 1;
                } else {
                    missing.push(MissingTask {
                        task: t.id.clone(),
                        session: Some(n),
                    });
                }
            }
        }
        for t in ph
            .tasks
            .iter()
            .filter(|t| t.required && t.repeat == Repeat::Once)
        {
            let is_done = f.done.contains(t.id.as_str());
            let due = match t.at {
                Some(at) => Facts::task_session(at, s, e).is_some_and(|d| d < f.next),
                None => complete,
            };
            if is_done {
                expected += 1;
                done += 1;
            } else if due {
                expected += 1;
                missing.push(MissingTask {
                    task: t.id.clone(),
                    session: None,
                });
            }
        }
        out.push(PhaseFidelity {
            phase: ph.id.clone(),
            expected,
            done,
            missing,
            complete,
        });
    }
    out
}

fn warnings(f: &Facts, timeline: Option<&Timeline>, rules: &CourseRules) -> Vec<Warning> {
    let p = f.protocol;
    let c = f.course;
    let n = f.next;
    let mut out = Vec::new();

    if let Some(pos) = p.formulation_warn_at()
        && let Some(w) = pos.resolve(p.bounds(f.count)).session()
    {
        let agreed = match p.focus() {
            FocusKind::Ipaf => c.ipaf.is_some() || c.formulation_agreed_at.is_some(),
            FocusKind::ProblemAreas => c.formulation_agreed_at.is_some(),
        };
        if n >= w && !agreed {
            out.push(Warning::FormulationNotAgreed {
                session: n,
                expected_by: w,
            });
        }
    }

    if c.areas.len() >= 2 {
        out.push(Warning::TwoProblemAreas {
            areas: c.areas.iter().map(|a| a.area.clone()).collect(),
        });
    }

    if let Some(last) = f.count
        && p.termination_lead() > 0
        && c.ending_raised_at.is_none()
    {
        let raise_by = last.saturating_sub(p.termination_lead()).max(1);
        if n > raise_by {
            out.push(Warning::EndingNotRaised {
                session: n,
                raise_by,
                last_session: last,
            });
        }
    }

    if let Some(tl) = timeline {
        for a in &c.areas {
            if p.problem_area(&a.area).map(|d| d.kind) != Some(AreaKind::Deficits) {
                continue;
            }
            for e in tl.events.iter().filter(|e| e.kind == LifeEventKind::Death) {
                if let Some(d) = tl.distance_to_onset(&e.date)
                    && d.within(rules.onset_window)
                {
                    out.push(Warning::DeficitsWithDeathNearOnset {
                        area: a.area.clone(),
                        event: e.id,
                        weeks_before_onset: d.weeks_before_onset(),
                    });
                }
            }
        }
    }

    if let Some(last) = f.count
        && n > last
    {
        out.push(Warning::BeyondContract {
            session: n,
            contracted: last,
        });
    }
    let max = p.sessions().max;
    let covered_by_renegotiation = c.contract.was_renegotiated() && f.count.is_none_or(|x| x >= n);
    if n > max && f.count.is_some() && !covered_by_renegotiation {
        out.push(Warning::BeyondProtocolMax { session: n, max });
    }

    let session_one_over = f.used >= 1;
    if session_one_over {
        let missing: Vec<String> = p
            .measures()
            .iter()
            .filter(|m| m.cadence.contains(&Cadence::Baseline))
            .filter(|m| {
                !c.measures
                    .iter()
                    .any(|t| t.instrument == m.instrument && t.session <= 1)
            })
            .map(|m| m.instrument.clone())
            .collect();
        if !missing.is_empty() {
            out.push(Warning::NoBaselineMeasure { missing });
        }
    }

    for a in &c.areas {
        if p.problem_area(&a.area).map(|d| d.kind) == Some(AreaKind::Dispute)
            && a.dispute_stage.is_none()
        {
            out.push(Warning::DisputeStageMissing {
                area: a.area.clone(),
            });
        }
    }

    let bounds = p.bounds(f.count);
    for d in p.decision_points() {
        if let DecisionWhen::At(pos) = d.when
            && let Resolved::Session(s) = pos.resolve(bounds)
            && s < n
            && !decided(c, d, s)
        {
            out.push(Warning::DecisionPointPending {
                id: d.id.clone(),
                scheduled_at: s,
            });
        }
    }
    out
}
