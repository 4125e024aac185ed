//! Measurement-based care and safety: questionnaire submissions with their item answers, alerts, safety plans.
//!
//! A submission is written whole or not at all: its item answers (each sealed), its server-computed
//! total, band and safety-flag codes, and — when the answers or the series they join call for one —
//! exactly one alert, all in one transaction. Storage decides whether an alert is raised by running
//! the domain's own rules ([`kith_domain::measure::analyse`] and [`kith_domain::safety::evaluate`])
//! inside that transaction, so a retry, a duplicate or a crash can never leave answers without
//! their alert or an alert without its answers.

use crate::error::StoreResult;
use crate::records::{Idempotency, Written};
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::ids::{
    AlertId, ClientId, ClinicId, CourseId, NoteId, SafetyPlanId, SessionId, SubmissionId, UserId,
};
use kith_domain::locale::Locale;
use kith_domain::measure::{
    ChangeRules, DiaryDay, Direction, ItemAnswer, Score, ScorePoint, ScoredSubmission,
    SeriesAnalysis,
};
use kith_domain::note::RiskUrgency;
use kith_domain::safety::{AlertReason, PlanStatus, SafetyPlan, SafetyPolicy, Tier};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who gave the answers of a submission, by the role they held in the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RespondentRole {
    /// The client, in the portal.
    Client,
    /// A clinician (or supervisor caring for the client) entering or rating.
    Clinician,
}

impl RespondentRole {
    pub fn code(self) -> &'static str {
        match self {
            RespondentRole::Client => "client",
            RespondentRole::Clinician => "clinician",
        }
    }

    pub fn parse(s: &str) -> Option<RespondentRole> {
        [RespondentRole::Client, RespondentRole::Clinician]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// How the answers were gathered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdministrationMode {
    /// The client answered the questions themself.
    #[serde(rename = "self")]
    SelfReport,
    /// A clinician entered the client's answers, or rated a clinician-rated scale.
    ClinicianEntered,
    /// Someone else answered about the client (a parent or carer).
    Proxy,
}

impl AdministrationMode {
    pub const ALL: [AdministrationMode; 3] = [
        AdministrationMode::SelfReport,
        AdministrationMode::ClinicianEntered,
        AdministrationMode::Proxy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AdministrationMode::SelfReport => "self",
            AdministrationMode::ClinicianEntered => "clinician-entered",
            AdministrationMode::Proxy => "proxy",
        }
    }

    pub fn parse(s: &str) -> Option<AdministrationMode> {
        AdministrationMode::ALL.into_iter().find(|m| m.code() == s)
    }
}

/// How the series a submission joins is read to decide whether it raises an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    /// The instrument's direction (which way is better).
    pub direction: Direction,
    /// The clinic's change rules for the instrument (reliable change decides deterioration).
    pub change: ChangeRules,
    /// The clinic's alert policy.
    pub policy: SafetyPolicy,
}

/// A scored submission, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub id: SubmissionId,
    pub clinic: ClinicId,
    pub client: ClientId,
    /// Plain ids, checked by the application (no foreign key to course tables).
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    pub language: Locale,
    pub respondent: UserId,
    pub respondent_role: RespondentRole,
    pub mode: AdministrationMode,
    pub taken_at: OffsetDateTime,
    pub recorded_at: OffsetDateTime,
    /// The server's scoring of the answers. Item answers are stored from its items (in the
    /// instrument's order); its total, band and safety flags are stored as computed.
    pub scored: ScoredSubmission,
    /// The days of a social-rhythm diary, for diary instruments.
    pub diary: Option<Vec<DiaryDay>>,
    pub alerting: AlertRules,
    /// The id the alert gets if one is raised.
    pub alert_id: AlertId,
    /// Written with the submission when an alert is raised; storage sets its object id to the
    /// alert's id and its detail to the tier.
    pub alert_event: AuditEvent,
}

/// A safety item that fired, as stored: the item and the tier, never the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagCode {
    pub item: String,
    pub tier: Tier,
    /// A lifetime answer already on record from an earlier submission: kept as history, it raised
    /// no alert this time (see [`kith_domain::safety::evaluate_with_history`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

/// A submission without its answers (lists, charts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    pub id: SubmissionId,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    pub instrument: String,
    pub version: String,
    pub language: Locale,
    pub respondent: UserId,
    pub respondent_role: RespondentRole,
    pub mode: AdministrationMode,
    pub taken_at: OffsetDateTime,
    pub recorded_at: OffsetDateTime,
    pub total: Score,
    pub band: Option<String>,
    pub flags: Vec<FlagCode>,
    /// The alert this submission raised, if any.
    pub alert: Option<AlertId>,
}

/// A submission with its answers opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    pub summary: SubmissionSummary,
    /// Item answers in the instrument's order (empty for a diary).
    pub answers: Vec<ItemAnswer>,
    pub diary: Option<Vec<DiaryDay>>,
}

/// What storing a submission produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSubmission {
    pub submission: SubmissionSummary,
    /// The alert raised with it, if any.
    pub alert: Option<Alert>,
    /// The instrument's series up to and including this submission, read with the rules given.
    pub analysis: SeriesAnalysis,
}

/// One score of a client's series on one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub submission: SubmissionId,
    pub taken_at: OffsetDateTime,
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    pub total: Score,
}

impl SeriesPoint {
    /// The point as change analysis reads it. Session numbers are not known to this store, so the
    /// point carries none (the mid-course check then reports that it cannot tell).
    pub fn score_point(&self) -> ScorePoint {
        ScorePoint {
            date: self.taken_at.date(),
            session: None,
            score: self.total,
        }
    }
}

/// Why an alert was raised, as stored: codes, item ids and scores, never free text or answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum AlertCause {
    SafetyItem {
        instrument: String,
        item: String,
        tier: Tier,
    },
    ReliableDeterioration {
        instrument: String,
        baseline: Score,
        latest: Score,
        worsening: Score,
        threshold: Score,
    },
    /// A clinician recorded identified risk in the note of this session, at this urgency.
    ClinicianRisk {
        session: SessionId,
        urgency: RiskUrgency,
    },
}

impl AlertCause {
    pub fn code(&self) -> &'static str {
        match self {
            AlertCause::SafetyItem { .. } => "safety-item",
            AlertCause::ReliableDeterioration { .. } => "reliable-deterioration",
            AlertCause::ClinicianRisk { .. } => "clinician-risk",
        }
    }

    /// The stored form of a domain reason (the answer's value is left out).
    pub fn from_reason(reason: &AlertReason) -> AlertCause {
        match reason {
            AlertReason::SafetyItem(f) => AlertCause::SafetyItem {
                instrument: f.instrument.clone(),
                item: f.item.clone(),
                tier: f.tier,
            },
            AlertReason::ReliableDeterioration {
                instrument,
                baseline,
                latest,
                worsening,
                threshold,
            } => AlertCause::ReliableDeterioration {
                instrument: instrument.clone(),
                baseline: *baseline,
                latest: *latest,
                worsening: *worsening,
                threshold: *threshold,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
}

impl AlertStatus {
    pub fn code(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
        }
    }

    pub fn parse(s: &str) -> Option<AlertStatus> {
        [AlertStatus::Open, AlertStatus::Acknowledged]
            .into_iter()
            .find(|a| a.code() == s)
    }
}

/// A safety alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub clinic: ClinicId,
    pub client: ClientId,
    /// The submission that raised it.
    pub submission: Option<SubmissionId>,
    /// The session note that raised it (a clinician recorded identified risk).
    pub note: Option<NoteId>,
    /// What the clinician wrote about the risk when the note raised the alert (sealed at rest).
    pub risk_text: Option<String>,
    pub tier: Tier,
    pub reasons: Vec<AlertCause>,
    /// The clinicians assigned to the client when the alert was raised.
    pub clinicians: Vec<UserId>,
    pub status: AlertStatus,
    pub raised_at: OffsetDateTime,
    /// When it was passed to the supervisors for going unacknowledged too long.
    pub escalated_at: Option<OffsetDateTime>,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub acknowledged_by: Option<UserId>,
    /// What was done (sealed at rest).
    pub action_note: Option<String>,
}

/// Whose open alerts a dashboard lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertScope {
    /// Open alerts of the clients assigned to this clinician.
    Clinician(UserId),
    /// Open alerts of this user's own clients, and escalated ones of the clients of the
    /// clinicians they supervise.
    Supervisor(UserId),
}

/// An open alert as a clinic admin may see it: ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRef {
    pub id: AlertId,
    pub client: ClientId,
    pub escalated: bool,
}

/// A clinic's open alerts without clinical content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicAlerts {
    pub open: usize,
    pub escalated: usize,
    pub alerts: Vec<AlertRef>,
}

/// A save of a client's safety plan.
#[derive(Debug, Clone)]
pub struct SafetyPlanSave {
    pub clinic: ClinicId,
    pub client: ClientId,
    pub plan: SafetyPlan,
    /// The version the editor started from; 0 when the client has no plan yet.
    pub expected_version: i64,
    pub saved_by: UserId,
    pub saved_at: OffsetDateTime,
}

/// One version of a client's safety plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyPlanRecord {
    pub id: SafetyPlanId,
    pub clinic: ClinicId,
    pub client: ClientId,
    /// This version's number (also in `plan.version`).
    pub version: i64,
    /// The newest version of the plan.
    pub latest_version: i64,
    pub plan: SafetyPlan,
    pub saved_by: UserId,
    pub saved_at: OffsetDateTime,
}

/// A line of a plan's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyPlanVersionInfo {
    pub version: i64,
    pub status: PlanStatus,
    pub saved_by: UserId,
    pub saved_by_name: String,
    pub saved_at: OffsetDateTime,
}

#[async_trait]
pub trait MeasureStore: Send + Sync {
    /// Stores a scored submission, its answers and — if its safety items fired or the series now
    /// shows reliable deterioration under `new.alerting` — exactly one alert, in one transaction.
    /// `NotFound` when the client is not in the clinic. A repeat with the same idempotency key
    /// returns what the first request stored.
    async fn record_submission(
        &self,
        new: NewSubmission,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<RecordedSubmission>>;

    /// A client's submissions, newest first.
    async fn submissions(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SubmissionSummary>>;

    /// One submission of a client, with its answers opened.
    async fn submission(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: SubmissionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SubmissionRecord>>;

    /// A client's totals on one instrument, oldest first; only one course's when `course` is given.
    async fn series(
        &self,
        clinic: ClinicId,
        client: ClientId,
        instrument: &str,
        course: Option<CourseId>,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SeriesPoint>>;

    /// The client an alert is about (what authorisation needs; no clinical content).
    async fn alert_client(&self, clinic: ClinicId, id: AlertId) -> StoreResult<Option<ClientId>>;

    /// One alert, its action note opened.
    async fn alert(
        &self,
        clinic: ClinicId,
        id: AlertId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Alert>>;

    /// Open alerts in a dashboard's scope, most urgent first. `view` is written once per alert
    /// shown (with the alert's id and client), or once as it is when none is shown.
    async fn open_alerts(
        &self,
        clinic: ClinicId,
        scope: AlertScope,
        view: &AuditEvent,
    ) -> StoreResult<Vec<Alert>>;

    /// How many alerts a dashboard in `scope` would list, without reading them: for the banner
    /// shown on every page. Not audited, as it shows nothing clinical.
    async fn count_open_alerts(&self, clinic: ClinicId, scope: AlertScope) -> StoreResult<usize>;

    /// Every alert of one client, open ones first, then newest first; `view` as for
    /// [`MeasureStore::open_alerts`].
    async fn client_alerts(
        &self,
        clinic: ClinicId,
        client: ClientId,
        view: &AuditEvent,
    ) -> StoreResult<Vec<Alert>>;

    /// How many alerts of the clinic are open, with their ids only.
    async fn clinic_alerts(
        &self,
        clinic: ClinicId,
        audit: &[AuditEvent],
    ) -> StoreResult<ClinicAlerts>;

    /// Closes an open alert with the action taken. `Refused` when it was already acknowledged;
    /// nothing is changed then.
    async fn acknowledge_alert(
        &self,
        clinic: ClinicId,
        id: AlertId,
        by: UserId,
        note: &str,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Alert>;

    /// Marks as escalated every open alert left unacknowledged longer than its clinic's
    /// `alert_escalation_minutes` at `now`. Each alert escalates once, with one audit row that
    /// names no actor. Returns the alerts escalated by this call.
    async fn escalate_due(&self, now: OffsetDateTime) -> StoreResult<Vec<AlertId>>;

    /// Saves a new version of a client's safety plan if the plan is still at
    /// `expected_version` (0: no plan yet); `VersionConflict` otherwise, with nothing written.
    async fn save_safety_plan(
        &self,
        save: SafetyPlanSave,
        audit: &[AuditEvent],
    ) -> StoreResult<SafetyPlanRecord>;

    /// The latest version of a client's plan, or the given one. The read is audited whether or
    /// not there is a plan.
    async fn safety_plan(
        &self,
        clinic: ClinicId,
        client: ClientId,
        version: Option<i64>,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SafetyPlanRecord>>;

    /// The plan's versions, newest first.
    async fn safety_plan_versions(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SafetyPlanVersionInfo>>;
}
