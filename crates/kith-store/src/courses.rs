//! Courses of treatment: courses and contracts, sessions and notes, inventory, timeline,
//! formulation, goals, worksheets.
//!
//! Storage keeps what was recorded; the course engine (`kith_domain::course`) derives phases,
//! agendas and warnings from it. Free text arrives here in clear and is sealed by the backend.

use crate::error::StoreResult;
use crate::records::{Idempotency, Written};
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::course::{ContractLength, IpafFocus, SessionStatus};
use kith_domain::ids::{
    AlertId, ClientId, ClinicId, CourseId, GoalId, NoteId, SessionId, UserId, WorksheetId,
};
use kith_domain::inventory::{Inventory, Person, Visibility};
use kith_domain::note::RiskUrgency;
use kith_domain::problem_area::DisputeStage;
use kith_domain::protocol::{Frequency, ParticipantRole};
use kith_domain::timeline::{LifeEvent, MoodEntry, MoodEpisode, Onset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Courses, intake and contract.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CourseStatus {
    Open,
    Closed,
}

/// How a closed course ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CourseOutcome {
    /// Treatment ended.
    Ended,
    /// A new contract for continuation treatment follows.
    Continuation,
    /// A maintenance course follows.
    Maintenance,
}

impl CourseOutcome {
    pub fn code(self) -> &'static str {
        match self {
            CourseOutcome::Ended => "ended",
            CourseOutcome::Continuation => "continuation",
            CourseOutcome::Maintenance => "maintenance",
        }
    }

    pub fn parse(s: &str) -> Option<CourseOutcome> {
        match s {
            "ended" => Some(CourseOutcome::Ended),
            "continuation" => Some(CourseOutcome::Continuation),
            "maintenance" => Some(CourseOutcome::Maintenance),
            _ => None,
        }
    }
}

/// A coded diagnosis (e.g. ICD-10 `F32.1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The code system, e.g. `ICD-10`, `ICD-11`, `DSM-5-TR`.
    pub code_system: String,
    pub code: String,
    pub label: String,
}

/// The sick role as given to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SickRole {
    pub given_on: Date,
    /// The limited sick role of IPT-A (school and chores carry on as far as possible).
    #[serde(default)]
    pub limited: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MedicationNeed {
    NotIndicated,
    ToConsider,
    Recommended,
    AlreadyTaking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferralDecision {
    NotNeeded,
    Referred,
    ClientDeclined,
    AlreadyPrescribed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicationAssessment {
    pub need: MedicationNeed,
    pub referral: ReferralDecision,
    #[serde(default)]
    pub notes: String,
}

/// A medicine the client takes alongside IPT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrentMedication {
    pub name: String,
    #[serde(default)]
    pub dose: String,
    #[serde(default)]
    pub prescriber: String,
}

/// What the initial phase records about the client's illness and treatment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Intake {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    /// When psychoeducation was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psychoeducation_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sick_role: Option<SickRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication: Option<MedicationAssessment>,
    #[serde(default)]
    pub concurrent_medication: Vec<ConcurrentMedication>,
    /// Other therapy the client receives at the same time.
    #[serde(default)]
    pub other_therapy: String,
}

/// The terms of a treatment contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTerms {
    pub sessions: ContractLength,
    pub frequency: Frequency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<Date>,
    /// The agreed focus, in words shared with the client.
    #[serde(default)]
    pub focus: String,
    #[serde(default)]
    pub participants: Vec<ParticipantRole>,
}

/// One explicit change of an agreed contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractChange {
    pub id: Uuid,
    pub at_session: u32,
    pub on: Option<Date>,
    pub from: ContractTerms,
    pub to: ContractTerms,
    pub reason: String,
    pub by: UserId,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: CourseId,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub protocol_id: String,
    pub protocol_version: String,
    pub status: CourseStatus,
    pub outcome: Option<CourseOutcome>,
    pub opened_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub created_by: UserId,
    pub intake: Option<Intake>,
    /// The contract in force.
    pub contract: ContractTerms,
    /// Session at which the contract was agreed (`None` while the terms are a draft).
    pub contract_agreed_at_session: Option<u32>,
    /// Every change after agreement, oldest first.
    pub contract_changes: Vec<ContractChange>,
    /// Session at which the ending was raised, when recorded explicitly.
    pub ending_raised_at_session: Option<u32>,
    pub version: i64,
    pub updated_at: OffsetDateTime,
}

impl Course {
    /// The length the contract had before any change (what the engine calls the initial length).
    pub fn initial_length(&self) -> ContractLength {
        self.contract_changes
            .first()
            .map_or(self.contract.sessions, |c| c.from.sessions)
    }
}

#[derive(Debug, Clone)]
pub struct NewCourse {
    pub id: CourseId,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub protocol_id: String,
    pub protocol_version: String,
    pub contract: ContractTerms,
    pub created_by: UserId,
    pub opened_at: OffsetDateTime,
}

/// A change to the terms of an agreed contract.
#[derive(Debug, Clone)]
pub struct NewContractChange {
    pub id: Uuid,
    pub at_session: u32,
    pub on: Option<Date>,
    pub to: ContractTerms,
    pub reason: String,
    pub by: UserId,
    pub at: OffsetDateTime,
}

// ---------------------------------------------------------------------------------------------
// Sessions.

/// How a protocol task came to be marked done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum TaskEvidence {
    /// Ticked by hand.
    Ticked,
    /// Evidenced by a section of the session's signed note.
    Note { section: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDone {
    pub task: String,
    pub evidence: TaskEvidence,
    pub by: UserId,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseSession {
    pub id: SessionId,
    pub clinic: ClinicId,
    pub course: CourseId,
    /// Place in the contract (0 = the preparatory meeting).
    pub number: u32,
    pub status: SessionStatus,
    pub scheduled_for: Option<OffsetDateTime>,
    pub held_at: Option<OffsetDateTime>,
    /// Reason code of a missed or cancelled session.
    pub reason: Option<String>,
    /// Phase id derived by the engine when the session was held.
    pub phase: Option<String>,
    pub tasks: Vec<TaskDone>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl CourseSession {
    /// The date the session took place (or is planned for).
    pub fn date(&self) -> Option<Date> {
        self.held_at.or(self.scheduled_for).map(|t| t.date())
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub clinic: ClinicId,
    pub course: CourseId,
    pub number: u32,
    pub status: SessionStatus,
    pub scheduled_for: Option<OffsetDateTime>,
    pub held_at: Option<OffsetDateTime>,
    pub phase: Option<String>,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

/// A change of a session's state (reschedule, hold, miss, cancel).
#[derive(Debug, Clone)]
pub struct SessionUpdate {
    pub status: SessionStatus,
    pub scheduled_for: Option<OffsetDateTime>,
    pub held_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub phase: Option<String>,
    pub at: OffsetDateTime,
}

// ---------------------------------------------------------------------------------------------
// Notes.

/// A protocol task a note evidences, and the section that shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NoteTick {
    pub task: String,
    pub section: String,
}

/// The content of a session note: a template id and its sections' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteContent {
    pub template: String,
    pub sections: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub ticks: Vec<NoteTick>,
}

/// What a read found about a note's integrity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteIntegrity {
    /// Not signed yet.
    Draft,
    /// Signed, and the stored content matches its hash.
    Intact,
    /// Signed, but the stored content no longer matches its hash (or cannot be opened).
    Tampered,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub by: UserId,
    pub at: OffsetDateTime,
    /// SHA-256 of the canonical signed content.
    pub hash: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addendum {
    pub id: NoteId,
    pub text: String,
    pub author: UserId,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub supervisor: UserId,
    pub at: OffsetDateTime,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionNote {
    pub id: NoteId,
    pub clinic: ClinicId,
    pub course: CourseId,
    pub session: SessionId,
    /// Empty sections when `integrity` is `Tampered` and the body could not be opened.
    pub content: NoteContent,
    pub author: UserId,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub signature: Option<Signature>,
    pub integrity: NoteIntegrity,
    pub addenda: Vec<Addendum>,
    pub sign_off: Option<SignOff>,
}

/// A draft save of a session's note.
#[derive(Debug, Clone)]
pub struct NoteDraft {
    /// The id to use when this save creates the note.
    pub id: NoteId,
    pub session: SessionId,
    pub content: NoteContent,
    pub author: UserId,
    pub at: OffsetDateTime,
    /// The alert to raise because the note records identified risk. Storage raises it in the
    /// same transaction as the save, and only if this note has never raised one.
    pub risk_alert: Option<NoteRiskAlert>,
}

/// The alert a note that records identified risk raises.
#[derive(Debug, Clone)]
pub struct NoteRiskAlert {
    /// The id to use if the alert is raised now.
    pub id: AlertId,
    pub client: ClientId,
    pub urgency: RiskUrgency,
    /// What the clinician wrote about the risk (sealed at rest).
    pub text: Option<String>,
    /// The audit event for raising it; storage fills in the alert's id and tier.
    pub event: AuditEvent,
}

#[derive(Debug, Clone)]
pub struct NewAddendum {
    pub id: NoteId,
    pub note: NoteId,
    pub text: String,
    pub author: UserId,
    pub at: OffsetDateTime,
}

/// A clinician's private process note. Only its author ever reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessNote {
    pub id: NoteId,
    pub client: ClientId,
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    pub author: UserId,
    pub text: String,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct ProcessNoteDraft {
    pub id: NoteId,
    pub client: ClientId,
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    pub author: UserId,
    pub text: String,
    pub at: OffsetDateTime,
}

// ---------------------------------------------------------------------------------------------
// Inventory and timeline.

/// A stored, versioned record of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<T> {
    pub id: Uuid,
    pub value: T,
    pub version: i64,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Set when removed (kept for history, hidden from current views).
    pub removed_at: Option<OffsetDateTime>,
}

/// What is recorded about the inventory as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InventoryNotes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Date>,
    #[serde(default)]
    pub clinician_summary: String,
    /// Who seems to be missing from the client's account.
    #[serde(default)]
    pub who_is_missing: String,
}

/// What an inventory snapshot is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotLabel {
    Intake,
    MidCourse,
    Termination,
    Custom(String),
}

impl SnapshotLabel {
    pub fn code(&self) -> &'static str {
        match self {
            SnapshotLabel::Intake => "intake",
            SnapshotLabel::MidCourse => "mid-course",
            SnapshotLabel::Termination => "termination",
            SnapshotLabel::Custom(_) => "custom",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySnapshot {
    pub id: Uuid,
    pub client: ClientId,
    pub course: CourseId,
    pub label: SnapshotLabel,
    pub taken_at: OffsetDateTime,
    pub taken_by: UserId,
    /// The people present at that moment (removed ones left out) and the inventory notes.
    pub inventory: Inventory,
}

#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub id: Uuid,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub course: CourseId,
    pub label: SnapshotLabel,
    pub taken_by: UserId,
    pub taken_at: OffsetDateTime,
}

/// One entry of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", content = "value", rename_all = "kebab-case")]
pub enum TimelineEntry {
    Event(LifeEvent),
    Mood(MoodEntry),
    /// A past or current mood episode (for the life chart).
    Episode(MoodEpisode),
}

impl TimelineEntry {
    pub fn kind(&self) -> &'static str {
        match self {
            TimelineEntry::Event(_) => "event",
            TimelineEntry::Mood(_) => "mood",
            TimelineEntry::Episode(_) => "episode",
        }
    }
}

/// A client's timeline as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredTimeline {
    pub onset: Option<Onset>,
    /// 0 until an onset was first set.
    pub onset_version: i64,
    pub onset_updated_at: Option<OffsetDateTime>,
    pub entries: Vec<Record<TimelineEntry>>,
}

// ---------------------------------------------------------------------------------------------
// Formulation and goals.

/// A problem area chosen in a formulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenArea {
    /// Area id in the protocol.
    pub area: String,
    pub primary: bool,
    #[serde(default)]
    pub rationale: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute_stage: Option<DisputeStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Formulation {
    /// The formulation in plain words, as shared with the client.
    #[serde(default)]
    pub narrative_for_client: String,
    #[serde(default)]
    pub clinician_formulation: String,
    #[serde(default)]
    pub biological: String,
    #[serde(default)]
    pub psychological: String,
    #[serde(default)]
    pub social: String,
    #[serde(default)]
    pub cultural: String,
    #[serde(default)]
    pub areas: Vec<ChosenArea>,
    /// The interpersonal-affective focus (DIT) instead of problem areas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipaf: Option<IpafFocus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulationAgreement {
    pub agreed_on: Date,
    pub at_session: u32,
    pub recorded_by: UserId,
    pub recorded_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulationRevision {
    pub course: CourseId,
    /// 1 for the first save, one more for each later save.
    pub revision: i64,
    pub formulation: Formulation,
    /// The session at which this revision was written, if any.
    pub at_session: Option<u32>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub agreement: Option<FormulationAgreement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoalStatus {
    Active,
    Achieved,
    Partly,
    NotAchieved,
    Dropped,
}

impl GoalStatus {
    pub fn code(self) -> &'static str {
        match self {
            GoalStatus::Active => "active",
            GoalStatus::Achieved => "achieved",
            GoalStatus::Partly => "partly",
            GoalStatus::NotAchieved => "not-achieved",
            GoalStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<GoalStatus> {
        [
            GoalStatus::Active,
            GoalStatus::Achieved,
            GoalStatus::Partly,
            GoalStatus::NotAchieved,
            GoalStatus::Dropped,
        ]
        .into_iter()
        .find(|g| g.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GoalContent {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_area: Option<String>,
    /// Inventory people the goal is about.
    #[serde(default)]
    pub people: Vec<Uuid>,
    /// Review at termination.
    #[serde(default)]
    pub review: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub course: CourseId,
    pub status: GoalStatus,
    pub content: GoalContent,
    pub version: i64,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewGoal {
    pub id: GoalId,
    pub clinic: ClinicId,
    pub course: CourseId,
    pub content: GoalContent,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

// ---------------------------------------------------------------------------------------------
// Worksheets.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorksheetStatus {
    Draft,
    Complete,
    Reviewed,
}

impl WorksheetStatus {
    pub fn code(self) -> &'static str {
        match self {
            WorksheetStatus::Draft => "draft",
            WorksheetStatus::Complete => "complete",
            WorksheetStatus::Reviewed => "reviewed",
        }
    }
}

/// Who started a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorksheetAuthor {
    Client,
    Clinician,
}

/// The sealed part of a worksheet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorksheetContent {
    /// The answers, as the worksheet definition lays them out (stored as given).
    pub content: serde_json::Value,
    #[serde(default)]
    pub clinician_comment: String,
    #[serde(default)]
    pub people: Vec<Uuid>,
    #[serde(default)]
    pub goals: Vec<GoalId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Worksheet {
    pub id: WorksheetId,
    pub client: ClientId,
    pub course: CourseId,
    pub session: Option<SessionId>,
    pub kind: String,
    pub definition_version: String,
    pub status: WorksheetStatus,
    pub visibility: Visibility,
    pub created_by: UserId,
    pub created_by_role: WorksheetAuthor,
    /// Set when the worksheet is a between-session task.
    pub due_on: Option<Date>,
    pub reviewed_at_session: Option<SessionId>,
    pub content: WorksheetContent,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewWorksheet {
    pub id: WorksheetId,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub course: CourseId,
    pub session: Option<SessionId>,
    pub kind: String,
    pub definition_version: String,
    pub visibility: Visibility,
    pub created_by: UserId,
    pub created_by_role: WorksheetAuthor,
    pub due_on: Option<Date>,
    pub content: WorksheetContent,
    pub at: OffsetDateTime,
}

/// An edit of a worksheet.
#[derive(Debug, Clone)]
pub struct WorksheetUpdate {
    pub status: WorksheetStatus,
    pub visibility: Visibility,
    pub session: Option<SessionId>,
    pub due_on: Option<Date>,
    pub reviewed_at_session: Option<SessionId>,
    pub content: WorksheetContent,
    pub at: OffsetDateTime,
}

/// A record that belongs to a course, to find the course (and client) it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseRef {
    Course(CourseId),
    Session(SessionId),
    Note(NoteId),
    Goal(GoalId),
    Worksheet(WorksheetId),
}

// ---------------------------------------------------------------------------------------------
// The port.

/// Storage of courses. Every method is scoped to `clinic`: a record of another clinic is
/// `NotFound` (or absent from a list). Every method that reads or writes clinical content
/// records `audit` in the same transaction.
///
/// Rules the store enforces itself (besides what the application checks):
/// * a stale `expected_version` is `VersionConflict { current }` and writes nothing;
/// * a signed note never changes: a draft save on it is `Refused("note-signed")` (a database
///   trigger refuses any other update as well); corrections are addenda;
/// * a contract change needs an agreed contract (`Refused("contract-not-agreed")`), and a
///   contract is agreed once (`Refused("contract-already-agreed")`);
/// * a closed course takes no new sessions (`Refused("course-closed")`), and a client has
///   at most one open course (`Refused("course-already-open")`);
/// * process notes are read and written only with their author.
#[allow(clippy::too_many_arguments)]
#[async_trait]
pub trait CourseStore: Send + Sync {
    /// The course and client a record of the clinic belongs to, for authorisation. Reads no
    /// clinical content, so it records no audit event.
    async fn course_of(
        &self,
        clinic: ClinicId,
        what: CourseRef,
    ) -> StoreResult<Option<(CourseId, ClientId)>>;

    // Courses.
    async fn open_course(
        &self,
        course: NewCourse,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<CourseId>>;
    async fn course(
        &self,
        clinic: ClinicId,
        id: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Course>>;
    /// The client's courses, oldest first.
    async fn courses_of(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Course>>;
    async fn save_intake(
        &self,
        clinic: ClinicId,
        course: CourseId,
        intake: &Intake,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course>;
    /// Records the agreed terms (once).
    async fn agree_contract(
        &self,
        clinic: ClinicId,
        course: CourseId,
        terms: &ContractTerms,
        at_session: u32,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course>;
    /// Changes an agreed contract, keeping the change in its history.
    async fn change_contract(
        &self,
        clinic: ClinicId,
        course: CourseId,
        change: &NewContractChange,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Course>;
    async fn record_ending_raised(
        &self,
        clinic: ClinicId,
        course: CourseId,
        at_session: u32,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course>;
    async fn close_course(
        &self,
        clinic: ClinicId,
        course: CourseId,
        outcome: CourseOutcome,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course>;

    // Sessions.
    /// Adds a session. A second held session with the same number is `Duplicate("session")`.
    async fn add_session(
        &self,
        session: NewSession,
        audit: &[AuditEvent],
    ) -> StoreResult<CourseSession>;
    async fn update_session(
        &self,
        clinic: ClinicId,
        id: SessionId,
        update: &SessionUpdate,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<CourseSession>;
    async fn course_session(
        &self,
        clinic: ClinicId,
        id: SessionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<CourseSession>>;
    /// The course's sessions by number, then by creation.
    async fn sessions(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<CourseSession>>;
    /// Marks tasks done (replacing an earlier mark of the same task) and unmarks others.
    async fn mark_tasks(
        &self,
        clinic: ClinicId,
        session: SessionId,
        done: &[TaskDone],
        undone: &[String],
        audit: &[AuditEvent],
    ) -> StoreResult<CourseSession>;

    // Notes.
    /// Saves the draft note of a session: creates it when `expected_version` is 0, otherwise
    /// replaces the draft at that version.
    async fn save_note_draft(
        &self,
        clinic: ClinicId,
        draft: &NoteDraft,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote>;
    /// Signs a draft: stores the SHA-256 of its canonical content and marks the tasks it ticks
    /// as done in its session.
    async fn sign_note(
        &self,
        clinic: ClinicId,
        note: NoteId,
        by: UserId,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote>;
    async fn note(
        &self,
        clinic: ClinicId,
        id: NoteId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SessionNote>>;
    async fn note_of_session(
        &self,
        clinic: ClinicId,
        session: SessionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SessionNote>>;
    /// Adds a correction to a signed note (`Refused("note-not-signed")` on a draft).
    async fn add_addendum(
        &self,
        clinic: ClinicId,
        addendum: &NewAddendum,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<NoteId>>;
    /// A supervisor's sign-off of a signed note, once.
    async fn sign_off_note(
        &self,
        clinic: ClinicId,
        note: NoteId,
        supervisor: UserId,
        comment: Option<&str>,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote>;
    /// Creates (`expected_version` 0) or replaces a process note of `draft.author`.
    async fn save_process_note(
        &self,
        clinic: ClinicId,
        draft: &ProcessNoteDraft,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<ProcessNote>;
    /// Process notes about a client written by `author` (nobody else's).
    async fn process_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        author: UserId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<ProcessNote>>;

    // Inventory.
    async fn add_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        person: &Person,
        by: UserId,
        at: OffsetDateTime,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<Uuid>>;
    async fn update_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        person: &Person,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Record<Person>>;
    /// Hides a person from the inventory; the record is kept for history.
    async fn remove_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// The inventory's people, oldest first; removed ones only when asked for.
    async fn people(
        &self,
        clinic: ClinicId,
        client: ClientId,
        include_removed: bool,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Record<Person>>>;
    /// The notes about the inventory as a whole and their version (0 before the first save).
    async fn inventory_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<(InventoryNotes, i64)>;
    /// Saves the notes about the inventory; returns the new version.
    async fn save_inventory_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        notes: &InventoryNotes,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<i64>;
    /// Copies the current inventory (people and notes) into a sealed snapshot of a course.
    async fn take_snapshot(
        &self,
        snapshot: NewSnapshot,
        audit: &[AuditEvent],
    ) -> StoreResult<InventorySnapshot>;
    /// A course's snapshots, oldest first.
    async fn snapshots(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<InventorySnapshot>>;

    // Timeline.
    async fn add_timeline_entry(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        entry: &TimelineEntry,
        by: UserId,
        at: OffsetDateTime,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<Uuid>>;
    async fn update_timeline_entry(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        entry: &TimelineEntry,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Record<TimelineEntry>>;
    async fn remove_timeline_entry(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Sets or clears the onset; `expected_version` is 0 before the first one.
    async fn set_onset(
        &self,
        clinic: ClinicId,
        client: ClientId,
        onset: Option<&Onset>,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<i64>;
    async fn timeline(
        &self,
        clinic: ClinicId,
        client: ClientId,
        include_removed: bool,
        audit: &[AuditEvent],
    ) -> StoreResult<StoredTimeline>;

    // Formulation.
    /// Saves a new revision; `expected_revision` is the latest one (0 for the first).
    async fn save_formulation(
        &self,
        clinic: ClinicId,
        course: CourseId,
        formulation: &Formulation,
        at_session: Option<u32>,
        expected_revision: i64,
        by: UserId,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<FormulationRevision>;
    /// Records the client's agreement to a revision (once per revision).
    async fn agree_formulation(
        &self,
        clinic: ClinicId,
        course: CourseId,
        revision: i64,
        agreed_on: Date,
        at_session: u32,
        by: UserId,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<FormulationRevision>;
    /// Every revision, oldest first.
    async fn formulations(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<FormulationRevision>>;

    // Goals.
    async fn add_goal(
        &self,
        goal: NewGoal,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<GoalId>>;
    async fn update_goal(
        &self,
        clinic: ClinicId,
        id: GoalId,
        content: &GoalContent,
        status: GoalStatus,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Goal>;
    async fn goals(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Goal>>;

    // Worksheets.
    async fn create_worksheet(
        &self,
        worksheet: NewWorksheet,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<WorksheetId>>;
    async fn update_worksheet(
        &self,
        clinic: ClinicId,
        id: WorksheetId,
        update: &WorksheetUpdate,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Worksheet>;
    async fn worksheet(
        &self,
        clinic: ClinicId,
        id: WorksheetId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Worksheet>>;
    /// A course's worksheets, oldest first.
    async fn worksheets(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Worksheet>>;
    /// Between-session tasks of a course still in draft with a due date on or before `by`,
    /// soonest first.
    async fn worksheets_due(
        &self,
        clinic: ClinicId,
        course: CourseId,
        by: Date,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Worksheet>>;
}
