//! SQL for measures: submissions and their sealed answers, alerts, safety plans.

use crate::args;
use crate::driver::{Row, Tx, TxExt};
use crate::{SqlStore, fresh};
use async_trait::async_trait;
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::clinic::ClinicSettings;
use kith_domain::ids::{
    AlertId, ClientId, ClinicId, CourseId, NoteId, SafetyPlanId, SubmissionId, UserId,
};
use kith_domain::locale::Locale;
use kith_domain::measure::{AnswerValue, DiaryDay, ItemAnswer, Score, ScorePoint, analyse};
use kith_domain::safety::{
    PlanStatus, SafetyPlan, Tier, evaluate_with_history, is_recorded_history,
};
use kith_store::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Tables of this area, with the query that counts their rows.
pub(crate) const TABLES: &[(&str, &str)] = &[
    (
        "measure_client_seq",
        "SELECT COUNT(*) AS n FROM measure_client_seq",
    ),
    (
        "measure_submissions",
        "SELECT COUNT(*) AS n FROM measure_submissions",
    ),
    (
        "measure_answers",
        "SELECT COUNT(*) AS n FROM measure_answers",
    ),
    (
        "measure_diaries",
        "SELECT COUNT(*) AS n FROM measure_diaries",
    ),
    ("alerts", "SELECT COUNT(*) AS n FROM alerts"),
    (
        "alert_clinicians",
        "SELECT COUNT(*) AS n FROM alert_clinicians",
    ),
    ("safety_plans", "SELECT COUNT(*) AS n FROM safety_plans"),
    (
        "safety_plan_versions",
        "SELECT COUNT(*) AS n FROM safety_plan_versions",
    ),
];

/// Columns of a submission summary; the query joins `measure_submissions s` with `alerts al`.
macro_rules! submission_columns {
    () => {
        "s.id, s.clinic_id, s.client_id, s.seq, s.instrument, s.instrument_version, s.language, \
         s.respondent_id, s.respondent_role, s.mode, s.taken_at, s.recorded_at, s.course_id, \
         s.session_id, s.total_hundredths, s.band, s.safety_flags, al.id AS alert_id"
    };
}

/// Columns of an alert row (`alerts a`).
macro_rules! alert_columns {
    () => {
        "a.id, a.clinic_id, a.client_id, a.submission_id, a.note_id, a.tier, a.emergency, \
         a.reasons, a.status, a.raised_at, a.escalated_at, a.acknowledged_at, a.acknowledged_by, \
         a.action_note, a.risk_text"
    };
}

/// Emergency, then urgent, then same-day, then review; oldest first within a tier.
macro_rules! most_urgent_first {
    () => {
        " ORDER BY CASE WHEN a.emergency = TRUE THEN 0 WHEN a.tier = 'urgent' THEN 1 \
           WHEN a.tier = 'alert' THEN 2 ELSE 3 END, a.raised_at, a.id"
    };
}

/// Open alerts of the clients assigned to `$3` (`alerts a`; `$1` clinic, `$2` open status).
macro_rules! clinician_alerts {
    () => {
        "a.clinic_id = $1 AND a.status = $2 AND a.client_id IN \
         (SELECT g.client_id FROM assignments g WHERE g.clinic_id = $1 AND g.clinician_id = $3)"
    };
}

/// Open alerts of `$3`'s own clients, and escalated ones of the clients of the clinicians `$3`
/// supervises (`alerts a`; `$1` clinic, `$2` open status).
macro_rules! supervisor_alerts {
    () => {
        "a.clinic_id = $1 AND a.status = $2 AND ( \
           a.client_id IN (SELECT g.client_id FROM assignments g \
                           WHERE g.clinic_id = $1 AND g.clinician_id = $3) \
           OR (a.escalated_at IS NOT NULL AND a.client_id IN \
               (SELECT g.client_id FROM assignments g JOIN supervision s \
                  ON s.clinician_id = g.clinician_id AND s.clinic_id = g.clinic_id \
                WHERE g.clinic_id = $1 AND s.supervisor_id = $3)))"
    };
}

/// What an idempotency key remembers of a recorded submission: ids only, never answers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Remembered {
    submission: SubmissionId,
}

fn answer_field(row: Uuid) -> FieldRef {
    FieldRef::new("measure_answers", "answer", row)
}

fn diary_field(submission: SubmissionId) -> FieldRef {
    FieldRef::new("measure_diaries", "body", submission.0)
}

fn note_field(alert: AlertId) -> FieldRef {
    FieldRef::new("alerts", "action_note", alert.0)
}

fn plan_field(version_row: Uuid) -> FieldRef {
    FieldRef::new("safety_plan_versions", "body", version_row)
}

fn to_json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

fn from_json<T: DeserializeOwned>(what: &str, s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Backend(format!("{what}: {e}")))
}

/// A tier as read back from the `tier` and `emergency` columns (see migration 0004).
fn parse_tier(s: &str, emergency: bool) -> StoreResult<Tier> {
    let tier = [Tier::Review, Tier::Alert, Tier::Urgent]
        .into_iter()
        .find(|t| t.code() == s)
        .ok_or_else(|| StoreError::Backend(format!("unknown alert tier {s:?}")))?;
    match (tier, emergency) {
        (Tier::Urgent, true) => Ok(Tier::Emergency),
        (t, false) => Ok(t),
        (t, true) => Err(StoreError::Backend(format!(
            "an emergency alert stored with tier {:?}",
            t.code()
        ))),
    }
}

/// A tier as written to the `tier` and `emergency` columns.
fn stored_tier(t: Tier) -> (&'static str, bool) {
    match t {
        Tier::Emergency => (Tier::Urgent.code(), true),
        t => (t.code(), false),
    }
}

fn risk_text_field(alert: AlertId) -> FieldRef {
    FieldRef::new("alerts", "risk_text", alert.0)
}

/// An alert to write, from a submission or from a session note.
pub(crate) struct AlertInsert<'a> {
    pub id: AlertId,
    pub clinic: ClinicId,
    pub client: ClientId,
    pub submission: Option<SubmissionId>,
    pub note: Option<NoteId>,
    pub tier: Tier,
    pub reasons: &'a [AlertCause],
    pub risk_text: Option<&'a str>,
    pub at: OffsetDateTime,
}

impl SqlStore {
    /// Writes an alert with the clinicians now assigned to the client, inside `tx`. An alert whose
    /// tier the clinic escalates after 0 minutes is escalated as it is raised.
    pub(crate) async fn insert_alert(
        &self,
        tx: &mut Box<dyn Tx>,
        a: AlertInsert<'_>,
    ) -> StoreResult<()> {
        let settings = tx
            .row(
                "SELECT settings FROM clinics WHERE id = $1",
                args![a.clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let settings: ClinicSettings = from_json("clinic settings", &settings.text("settings")?)?;
        let escalated_at = (settings.escalation_minutes(a.tier) == 0).then_some(a.at);
        let risk_text = self
            .seal_opt(tx, Some(a.clinic), risk_text_field(a.id), a.risk_text)
            .await?;
        let (tier, emergency) = stored_tier(a.tier);
        tx.exec(
            "INSERT INTO alerts (id, clinic_id, client_id, submission_id, note_id, tier, emergency, reasons, \
             status, raised_at, escalated_at, risk_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            args![
                a.id.0,
                a.clinic.0,
                a.client.0,
                a.submission.map(|x| x.0),
                a.note.map(|x| x.0),
                tier,
                emergency,
                to_json(&a.reasons)?,
                AlertStatus::Open.code(),
                a.at,
                escalated_at,
                risk_text
            ],
        )
        .await?;
        let carers = tx
            .rows(
                "SELECT clinician_id FROM assignments WHERE client_id = $1 AND clinic_id = $2 ORDER BY clinician_id",
                args![a.client.0, a.clinic.0],
            )
            .await?;
        for c in &carers {
            tx.exec(
                "INSERT INTO alert_clinicians (alert_id, clinician_id, clinic_id) VALUES ($1, $2, $3)",
                args![a.id.0, c.uuid("clinician_id")?, a.clinic.0],
            )
            .await?;
        }
        Ok(())
    }
}

fn plan_status_code(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Complete => "complete",
    }
}

fn parse_plan_status(s: &str) -> StoreResult<PlanStatus> {
    match s {
        "draft" => Ok(PlanStatus::Draft),
        "complete" => Ok(PlanStatus::Complete),
        other => Err(StoreError::Backend(format!(
            "unknown plan status {other:?}"
        ))),
    }
}

fn summary_from(r: &Row) -> StoreResult<SubmissionSummary> {
    let language = r.text("language")?;
    let role = r.text("respondent_role")?;
    let mode = r.text("mode")?;
    Ok(SubmissionSummary {
        id: r.uuid("id")?.into(),
        clinic: r.uuid("clinic_id")?.into(),
        client: r.uuid("client_id")?.into(),
        course: r.opt_uuid("course_id")?.map(Into::into),
        session: r.opt_uuid("session_id")?.map(Into::into),
        instrument: r.text("instrument")?,
        version: r.text("instrument_version")?,
        language: Locale::from_tag(&language)
            .ok_or_else(|| StoreError::Backend(format!("unknown language {language:?}")))?,
        respondent: r.uuid("respondent_id")?.into(),
        respondent_role: RespondentRole::parse(&role)
            .ok_or_else(|| StoreError::Backend(format!("unknown respondent role {role:?}")))?,
        mode: AdministrationMode::parse(&mode)
            .ok_or_else(|| StoreError::Backend(format!("unknown mode {mode:?}")))?,
        taken_at: r.time("taken_at")?,
        recorded_at: r.time("recorded_at")?,
        total: Score::from_hundredths(r.int("total_hundredths")?),
        band: r.opt_text("band")?,
        flags: from_json("safety flags", &r.text("safety_flags")?)?,
        alert: r.opt_uuid("alert_id")?.map(Into::into),
    })
}

/// A point of a series with the order in which it was recorded.
struct PointRow {
    point: SeriesPoint,
    seq: i64,
}

/// One audit row per alert shown, or the template itself when none is.
fn view_events(view: &AuditEvent, alerts: &[Alert]) -> Vec<AuditEvent> {
    if alerts.is_empty() {
        return vec![view.clone()];
    }
    alerts
        .iter()
        .map(|a| AuditEvent {
            object_id: Some(a.id.to_string()),
            client: Some(a.client),
            ..view.clone()
        })
        .collect()
}

impl SqlStore {
    async fn summary_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: SubmissionId,
    ) -> StoreResult<Option<(SubmissionSummary, i64)>> {
        let r = tx
            .row(
                concat!(
                    "SELECT ",
                    submission_columns!(),
                    " FROM measure_submissions s LEFT JOIN alerts al ON al.submission_id = s.id \
                     WHERE s.id = $1 AND s.clinic_id = $2"
                ),
                args![id.0, clinic.0],
            )
            .await?;
        match r {
            Some(r) => Ok(Some((summary_from(&r)?, r.int("seq")?))),
            None => Ok(None),
        }
    }

    async fn point_rows(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
        instrument: &str,
        course: Option<CourseId>,
    ) -> StoreResult<Vec<PointRow>> {
        let rows = match course {
            None => {
                tx.rows(
                    "SELECT id, seq, taken_at, course_id, session_id, total_hundredths FROM measure_submissions \
                     WHERE clinic_id = $1 AND client_id = $2 AND instrument = $3 ORDER BY taken_at, seq",
                    args![clinic.0, client.0, instrument],
                )
                .await?
            }
            Some(course) => {
                tx.rows(
                    "SELECT id, seq, taken_at, course_id, session_id, total_hundredths FROM measure_submissions \
                     WHERE clinic_id = $1 AND client_id = $2 AND instrument = $3 AND course_id = $4 \
                     ORDER BY taken_at, seq",
                    args![clinic.0, client.0, instrument, course.0],
                )
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(PointRow {
                    point: SeriesPoint {
                        submission: r.uuid("id")?.into(),
                        taken_at: r.time("taken_at")?,
                        course: r.opt_uuid("course_id")?.map(Into::into),
                        session: r.opt_uuid("session_id")?.map(Into::into),
                        total: Score::from_hundredths(r.int("total_hundredths")?),
                    },
                    seq: r.int("seq")?,
                })
            })
            .collect()
    }

    async fn alert_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<Alert> {
        let id: AlertId = r.uuid("id")?.into();
        let clinicians = tx
            .rows(
                "SELECT clinician_id FROM alert_clinicians WHERE alert_id = $1 ORDER BY clinician_id",
                args![id.0],
            )
            .await?
            .iter()
            .map(|c| c.uuid("clinician_id").map(UserId))
            .collect::<StoreResult<Vec<_>>>()?;
        let status = r.text("status")?;
        let action_note = self
            .open_opt(tx, note_field(id), r.opt_bytes("action_note")?)
            .await?;
        let risk_text = self
            .open_opt(tx, risk_text_field(id), r.opt_bytes("risk_text")?)
            .await?;
        Ok(Alert {
            id,
            clinic: r.uuid("clinic_id")?.into(),
            client: r.uuid("client_id")?.into(),
            submission: r.opt_uuid("submission_id")?.map(Into::into),
            note: r.opt_uuid("note_id")?.map(NoteId),
            risk_text,
            tier: parse_tier(&r.text("tier")?, r.bool("emergency")?)?,
            reasons: from_json("alert reasons", &r.text("reasons")?)?,
            clinicians,
            status: AlertStatus::parse(&status)
                .ok_or_else(|| StoreError::Backend(format!("unknown alert status {status:?}")))?,
            raised_at: r.time("raised_at")?,
            escalated_at: r.opt_time("escalated_at")?,
            acknowledged_at: r.opt_time("acknowledged_at")?,
            acknowledged_by: r.opt_uuid("acknowledged_by")?.map(Into::into),
            action_note,
        })
    }

    async fn alerts_from(&self, tx: &mut Box<dyn Tx>, rows: &[Row]) -> StoreResult<Vec<Alert>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.alert_from(tx, r).await?);
        }
        Ok(out)
    }

    async fn alert_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: AlertId,
    ) -> StoreResult<Option<Alert>> {
        let r = tx
            .row(
                concat!(
                    "SELECT ",
                    alert_columns!(),
                    " FROM alerts a WHERE a.id = $1 AND a.clinic_id = $2"
                ),
                args![id.0, clinic.0],
            )
            .await?;
        match r {
            Some(r) => self.alert_from(tx, &r).await.map(Some),
            None => Ok(None),
        }
    }

    /// What recording `id` produced, rebuilt for a repeated request: the stored submission, its
    /// alert, and the series as it stood when it was recorded, read with `rules`.
    async fn recorded(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: SubmissionId,
        rules: &AlertRules,
    ) -> StoreResult<Option<RecordedSubmission>> {
        let Some((summary, seq)) = self.summary_row(tx, clinic, id).await? else {
            return Ok(None);
        };
        let points: Vec<ScorePoint> = self
            .point_rows(
                tx,
                clinic,
                summary.client,
                &summary.instrument,
                summary.course,
            )
            .await?
            .iter()
            .filter(|p| p.seq <= seq)
            .map(|p| p.point.score_point())
            .collect();
        let analysis = analyse(&points, rules.direction, &rules.change, None);
        let alert = match summary.alert {
            Some(a) => self.alert_row(tx, clinic, a).await?,
            None => None,
        };
        Ok(Some(RecordedSubmission {
            submission: summary,
            alert,
            analysis,
        }))
    }

    async fn plan_version_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
        version: Option<i64>,
    ) -> StoreResult<Option<SafetyPlanRecord>> {
        let r = match version {
            None => {
                tx.row(
                    "SELECT p.id, p.current_version, v.id AS version_row, v.version, v.saved_by, v.saved_at, v.body \
                     FROM safety_plans p JOIN safety_plan_versions v ON v.plan_id = p.id \
                     WHERE p.client_id = $1 AND p.clinic_id = $2 AND v.version = p.current_version",
                    args![client.0, clinic.0],
                )
                .await?
            }
            Some(n) => {
                tx.row(
                    "SELECT p.id, p.current_version, v.id AS version_row, v.version, v.saved_by, v.saved_at, v.body \
                     FROM safety_plans p JOIN safety_plan_versions v ON v.plan_id = p.id \
                     WHERE p.client_id = $1 AND p.clinic_id = $2 AND v.version = $3",
                    args![client.0, clinic.0, n],
                )
                .await?
            }
        };
        let Some(r) = r else { return Ok(None) };
        let version_row = r.uuid("version_row")?;
        let body = self
            .open_text(tx, plan_field(version_row), &r.bytes("body")?)
            .await?;
        let plan: SafetyPlan = from_json("safety plan", &body)?;
        Ok(Some(SafetyPlanRecord {
            id: SafetyPlanId(r.uuid("id")?),
            clinic,
            client,
            version: r.int("version")?,
            latest_version: r.int("current_version")?,
            plan,
            saved_by: r.uuid("saved_by")?.into(),
            saved_at: r.time("saved_at")?,
        }))
    }

    async fn current_plan_version(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
    ) -> StoreResult<i64> {
        Ok(tx
            .row(
                "SELECT current_version FROM safety_plans WHERE client_id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
            .map(|r| r.int("current_version"))
            .transpose()?
            .unwrap_or(0))
    }
}

#[async_trait]
impl MeasureStore for SqlStore {
    async fn record_submission(
        &self,
        n: NewSubmission,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<RecordedSubmission>> {
        let mut tx = self.write().await?;
        if tx
            .row(
                "SELECT id FROM clients WHERE id = $1 AND clinic_id = $2",
                args![n.client.0, n.clinic.0],
            )
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        // Take the client's next number. On PostgreSQL this row lock makes a concurrent submission
        // for the same client wait until this one commits; it then sees this one's series and
        // idempotency key. (SQLite write transactions already take turns.)
        let seq = tx
            .row(
                "INSERT INTO measure_client_seq (client_id, clinic_id, last_seq) VALUES ($1, $2, 1) \
                 ON CONFLICT (client_id) DO UPDATE SET last_seq = measure_client_seq.last_seq + 1 \
                 RETURNING last_seq",
                args![n.client.0, n.clinic.0],
            )
            .await?
            .ok_or_else(|| StoreError::Backend("no sequence number returned".into()))?
            .int("last_seq")?;
        if let Some(done) = self.idem_replay::<Remembered>(&mut tx, idem).await? {
            // Dropping the transaction gives the number back.
            let recorded = self
                .recorded(&mut tx, n.clinic, done.submission, &n.alerting)
                .await?
                .ok_or(StoreError::IdempotencyMismatch)?;
            return Ok(Written::Replayed(recorded));
        }

        // The series this submission joins, with it in place, and what it calls for.
        let mut points: Vec<SeriesPoint> = self
            .point_rows(&mut tx, n.clinic, n.client, &n.scored.instrument, n.course)
            .await?
            .into_iter()
            .map(|p| p.point)
            .collect();
        points.push(SeriesPoint {
            submission: n.id,
            taken_at: n.taken_at,
            course: n.course,
            session: n.session,
            total: n.scored.total,
        });
        // Stable: a submission taken at the same moment as an earlier one comes after it.
        points.sort_by_key(|p| p.taken_at);
        let score_points: Vec<ScorePoint> = points.iter().map(SeriesPoint::score_point).collect();
        let analysis = analyse(
            &score_points,
            n.alerting.direction,
            &n.alerting.change,
            None,
        );
        // Lifetime (history) items this client has answered positively before, on this
        // instrument: they are history now, not a new alert.
        let mut on_record: Vec<String> = Vec::new();
        if n.scored.safety.iter().any(|f| f.history) {
            let rows = tx
                .rows(
                    "SELECT safety_flags FROM measure_submissions \
                     WHERE clinic_id = $1 AND client_id = $2 AND instrument = $3",
                    args![n.clinic.0, n.client.0, n.scored.instrument.as_str()],
                )
                .await?;
            for r in &rows {
                let earlier: Vec<FlagCode> = from_json("safety flags", &r.text("safety_flags")?)?;
                on_record.extend(earlier.into_iter().map(|f| f.item));
            }
        }
        let decision =
            evaluate_with_history(&n.scored, Some(&analysis), &n.alerting.policy, &on_record);

        let flags: Vec<FlagCode> = n
            .scored
            .safety
            .iter()
            .map(|f| FlagCode {
                item: f.item.clone(),
                tier: f.tier,
                history: is_recorded_history(f, &on_record),
            })
            .collect();
        tx.exec(
            "INSERT INTO measure_submissions (id, clinic_id, client_id, seq, instrument, instrument_version, language, \
             respondent_id, respondent_role, mode, taken_at, recorded_at, course_id, session_id, total_hundredths, band, \
             safety_flags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            args![
                n.id.0,
                n.clinic.0,
                n.client.0,
                seq,
                n.scored.instrument.as_str(),
                n.scored.version.as_str(),
                n.language.code(),
                n.respondent.0,
                n.respondent_role.code(),
                n.mode.code(),
                n.taken_at,
                n.recorded_at,
                n.course.map(|c| c.0),
                n.session.map(|s| s.0),
                n.scored.total.hundredths(),
                n.scored.band.clone(),
                to_json(&flags)?
            ],
        )
        .await?;
        for (position, item) in n.scored.items.iter().enumerate() {
            let Some(answer) = item.answer else { continue };
            let row = Uuid::now_v7();
            let sealed = self
                .seal(
                    &mut tx,
                    Some(n.clinic),
                    answer_field(row),
                    &to_json(&answer)?,
                )
                .await?;
            tx.exec(
                "INSERT INTO measure_answers (id, submission_id, clinic_id, item, position, answer) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                args![
                    row,
                    n.id.0,
                    n.clinic.0,
                    item.item.as_str(),
                    position as i64,
                    sealed
                ],
            )
            .await?;
        }
        if let Some(days) = &n.diary {
            let sealed = self
                .seal(&mut tx, Some(n.clinic), diary_field(n.id), &to_json(days)?)
                .await?;
            tx.exec(
                "INSERT INTO measure_diaries (submission_id, clinic_id, body) VALUES ($1, $2, $3)",
                args![n.id.0, n.clinic.0, sealed],
            )
            .await?;
        }

        let mut events = audit.to_vec();
        if let Some(decision) = &decision {
            let reasons: Vec<AlertCause> = decision
                .reasons
                .iter()
                .map(AlertCause::from_reason)
                .collect();
            self.insert_alert(
                &mut tx,
                AlertInsert {
                    id: n.alert_id,
                    clinic: n.clinic,
                    client: n.client,
                    submission: Some(n.id),
                    note: None,
                    tier: decision.tier,
                    reasons: &reasons,
                    risk_text: None,
                    at: n.recorded_at,
                },
            )
            .await?;
            events.push(AuditEvent {
                object_id: Some(n.alert_id.to_string()),
                detail: Some(format!("tier={}", decision.tier.code())),
                ..n.alert_event.clone()
            });
        }
        self.idem_record(&mut tx, idem, &Remembered { submission: n.id })
            .await?;
        let (submission, _) = self
            .summary_row(&mut tx, n.clinic, n.id)
            .await?
            .ok_or_else(|| StoreError::Backend("the new submission is missing".into()))?;
        let alert = match decision {
            Some(_) => self.alert_row(&mut tx, n.clinic, n.alert_id).await?,
            None => None,
        };
        self.finish(tx, &events).await?;
        Ok(fresh(RecordedSubmission {
            submission,
            alert,
            analysis,
        }))
    }

    async fn submissions(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SubmissionSummary>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                concat!(
                    "SELECT ",
                    submission_columns!(),
                    " FROM measure_submissions s LEFT JOIN alerts al ON al.submission_id = s.id \
                     WHERE s.clinic_id = $1 AND s.client_id = $2 ORDER BY s.taken_at DESC, s.seq DESC"
                ),
                args![clinic.0, client.0],
            )
            .await?;
        let out = rows
            .iter()
            .map(summary_from)
            .collect::<StoreResult<Vec<_>>>()?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn submission(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: SubmissionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SubmissionRecord>> {
        let mut tx = self.write().await?;
        let Some((summary, _)) = self.summary_row(&mut tx, clinic, id).await? else {
            return Ok(None);
        };
        if summary.client != client {
            return Ok(None);
        }
        let rows = tx
            .rows(
                "SELECT id, item, answer FROM measure_answers WHERE submission_id = $1 AND clinic_id = $2 ORDER BY position",
                args![id.0, clinic.0],
            )
            .await?;
        let mut answers = Vec::with_capacity(rows.len());
        for r in &rows {
            let plain = self
                .open_text(&mut tx, answer_field(r.uuid("id")?), &r.bytes("answer")?)
                .await?;
            let value: AnswerValue = from_json("answer", &plain)?;
            answers.push(ItemAnswer {
                item: r.text("item")?,
                value,
            });
        }
        let diary = match tx
            .row(
                "SELECT body FROM measure_diaries WHERE submission_id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        {
            Some(r) => {
                let plain = self
                    .open_text(&mut tx, diary_field(id), &r.bytes("body")?)
                    .await?;
                Some(from_json::<Vec<DiaryDay>>("diary", &plain)?)
            }
            None => None,
        };
        self.finish(tx, audit).await?;
        Ok(Some(SubmissionRecord {
            summary,
            answers,
            diary,
        }))
    }

    async fn series(
        &self,
        clinic: ClinicId,
        client: ClientId,
        instrument: &str,
        course: Option<CourseId>,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SeriesPoint>> {
        let mut tx = self.write().await?;
        let points = self
            .point_rows(&mut tx, clinic, client, instrument, course)
            .await?
            .into_iter()
            .map(|p| p.point)
            .collect();
        self.finish(tx, audit).await?;
        Ok(points)
    }

    async fn alert_client(&self, clinic: ClinicId, id: AlertId) -> StoreResult<Option<ClientId>> {
        let mut tx = self.read().await?;
        tx.row(
            "SELECT client_id FROM alerts WHERE id = $1 AND clinic_id = $2",
            args![id.0, clinic.0],
        )
        .await?
        .map(|r| r.uuid("client_id").map(ClientId))
        .transpose()
    }

    async fn alert(
        &self,
        clinic: ClinicId,
        id: AlertId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Alert>> {
        let mut tx = self.write().await?;
        let a = self.alert_row(&mut tx, clinic, id).await?;
        if a.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(a)
    }

    async fn open_alerts(
        &self,
        clinic: ClinicId,
        scope: AlertScope,
        view: &AuditEvent,
    ) -> StoreResult<Vec<Alert>> {
        let mut tx = self.write().await?;
        let rows = match scope {
            AlertScope::Clinician(me) => {
                tx.rows(
                    concat!(
                        "SELECT ",
                        alert_columns!(),
                        " FROM alerts a WHERE ",
                        clinician_alerts!(),
                        most_urgent_first!()
                    ),
                    args![clinic.0, AlertStatus::Open.code(), me.0],
                )
                .await?
            }
            AlertScope::Supervisor(me) => {
                tx.rows(
                    concat!(
                        "SELECT ",
                        alert_columns!(),
                        " FROM alerts a WHERE ",
                        supervisor_alerts!(),
                        most_urgent_first!()
                    ),
                    args![clinic.0, AlertStatus::Open.code(), me.0],
                )
                .await?
            }
        };
        let alerts = self.alerts_from(&mut tx, &rows).await?;
        self.finish(tx, &view_events(view, &alerts)).await?;
        Ok(alerts)
    }

    async fn count_open_alerts(&self, clinic: ClinicId, scope: AlertScope) -> StoreResult<usize> {
        let mut tx = self.read().await?;
        let (sql, me) = match scope {
            AlertScope::Clinician(me) => (
                concat!(
                    "SELECT COUNT(*) AS n FROM alerts a WHERE ",
                    clinician_alerts!()
                ),
                me,
            ),
            AlertScope::Supervisor(me) => (
                concat!(
                    "SELECT COUNT(*) AS n FROM alerts a WHERE ",
                    supervisor_alerts!()
                ),
                me,
            ),
        };
        let n = tx
            .row(sql, args![clinic.0, AlertStatus::Open.code(), me.0])
            .await?
            .map(|r| r.int("n"))
            .transpose()?
            .unwrap_or(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    async fn client_alerts(
        &self,
        clinic: ClinicId,
        client: ClientId,
        view: &AuditEvent,
    ) -> StoreResult<Vec<Alert>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                concat!(
                    "SELECT ",
                    alert_columns!(),
                    " FROM alerts a WHERE a.clinic_id = $1 AND a.client_id = $2 \
                     ORDER BY CASE a.status WHEN 'open' THEN 0 ELSE 1 END, a.raised_at DESC, a.id DESC"
                ),
                args![clinic.0, client.0],
            )
            .await?;
        let alerts = self.alerts_from(&mut tx, &rows).await?;
        self.finish(tx, &view_events(view, &alerts)).await?;
        Ok(alerts)
    }

    async fn clinic_alerts(
        &self,
        clinic: ClinicId,
        audit: &[AuditEvent],
    ) -> StoreResult<ClinicAlerts> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, client_id, escalated_at FROM alerts WHERE clinic_id = $1 AND status = $2 \
                 ORDER BY raised_at, id",
                args![clinic.0, AlertStatus::Open.code()],
            )
            .await?;
        let alerts = rows
            .iter()
            .map(|r| {
                Ok(AlertRef {
                    id: r.uuid("id")?.into(),
                    client: r.uuid("client_id")?.into(),
                    escalated: r.opt_time("escalated_at")?.is_some(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.finish(tx, audit).await?;
        Ok(ClinicAlerts {
            open: alerts.len(),
            escalated: alerts.iter().filter(|a| a.escalated).count(),
            alerts,
        })
    }

    async fn acknowledge_alert(
        &self,
        clinic: ClinicId,
        id: AlertId,
        by: UserId,
        note: &str,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Alert> {
        let mut tx = self.write().await?;
        let sealed = self
            .seal(&mut tx, Some(clinic), note_field(id), note)
            .await?;
        let n = tx
            .exec(
                "UPDATE alerts SET status = $1, acknowledged_at = $2, acknowledged_by = $3, action_note = $4 \
                 WHERE id = $5 AND clinic_id = $6 AND status = $7",
                args![
                    AlertStatus::Acknowledged.code(),
                    at,
                    by.0,
                    sealed,
                    id.0,
                    clinic.0,
                    AlertStatus::Open.code()
                ],
            )
            .await?;
        let Some(alert) = self.alert_row(&mut tx, clinic, id).await? else {
            return Err(StoreError::NotFound);
        };
        if n != 1 {
            return Err(StoreError::Refused("alert-already-acknowledged".into()));
        }
        self.finish(tx, audit).await?;
        Ok(alert)
    }

    async fn escalate_due(&self, now: OffsetDateTime) -> StoreResult<Vec<AlertId>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT a.id, a.clinic_id, a.client_id, a.raised_at, a.tier, a.emergency, c.settings FROM alerts a \
                 JOIN clinics c ON c.id = a.clinic_id \
                 WHERE a.status = $1 AND a.escalated_at IS NULL ORDER BY a.raised_at, a.id",
                args![AlertStatus::Open.code()],
            )
            .await?;
        let mut escalated = Vec::new();
        let mut events = Vec::new();
        for r in &rows {
            let settings: ClinicSettings = from_json("clinic settings", &r.text("settings")?)?;
            let tier = parse_tier(&r.text("tier")?, r.bool("emergency")?)?;
            let due = r.time("raised_at")?
                + Duration::minutes(i64::from(settings.escalation_minutes(tier)));
            if due > now {
                continue;
            }
            let id: AlertId = r.uuid("id")?.into();
            // Another sweep may have got here first; only the one that changes the row audits it.
            let n = tx
                .exec(
                    "UPDATE alerts SET escalated_at = $1 WHERE id = $2 AND status = $3 AND escalated_at IS NULL",
                    args![now, id.0, AlertStatus::Open.code()],
                )
                .await?;
            if n == 1 {
                escalated.push(id);
                events.push(AuditEvent {
                    at: now,
                    actor: None,
                    actor_role: None,
                    clinic: Some(r.uuid("clinic_id")?.into()),
                    client: Some(r.uuid("client_id")?.into()),
                    object_type: "alert".into(),
                    object_id: Some(id.to_string()),
                    action: AuditAction::Update,
                    outcome: Outcome::Success,
                    source: None,
                    detail: Some("escalated".into()),
                });
            }
        }
        self.finish(tx, &events).await?;
        Ok(escalated)
    }

    async fn save_safety_plan(
        &self,
        save: SafetyPlanSave,
        audit: &[AuditEvent],
    ) -> StoreResult<SafetyPlanRecord> {
        let SafetyPlanSave {
            clinic,
            client,
            plan,
            expected_version,
            saved_by,
            saved_at,
        } = save;
        let mut tx = self.write().await?;
        if tx
            .row(
                "SELECT id FROM clients WHERE id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let existing = tx
            .row(
                "SELECT id FROM safety_plans WHERE client_id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
            .map(|r| r.uuid("id"))
            .transpose()?;
        let (plan_id, version) = match existing {
            None => {
                if expected_version != 0 {
                    return Err(StoreError::VersionConflict { current: 0 });
                }
                let id = Uuid::now_v7();
                let n = tx
                    .exec(
                        "INSERT INTO safety_plans (id, clinic_id, client_id, current_version, created_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        args![id, clinic.0, client.0, 1i64, saved_at],
                    )
                    .await?;
                if n != 1 {
                    // Someone else wrote the first version meanwhile.
                    let current = self.current_plan_version(&mut tx, clinic, client).await?;
                    return Err(StoreError::VersionConflict { current });
                }
                (id, 1i64)
            }
            Some(id) => {
                let n = tx
                    .exec(
                        "UPDATE safety_plans SET current_version = current_version + 1 \
                         WHERE id = $1 AND clinic_id = $2 AND current_version = $3",
                        args![id, clinic.0, expected_version],
                    )
                    .await?;
                if n != 1 {
                    let current = self.current_plan_version(&mut tx, clinic, client).await?;
                    return Err(StoreError::VersionConflict { current });
                }
                (id, expected_version + 1)
            }
        };
        let stored = SafetyPlan {
            version: u32::try_from(version)
                .map_err(|_| StoreError::Backend("plan version out of range".into()))?,
            ..plan
        };
        let row = Uuid::now_v7();
        let sealed = self
            .seal(&mut tx, Some(clinic), plan_field(row), &to_json(&stored)?)
            .await?;
        tx.exec(
            "INSERT INTO safety_plan_versions (id, plan_id, clinic_id, version, status, saved_by, saved_at, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                row,
                plan_id,
                clinic.0,
                version,
                plan_status_code(stored.status),
                saved_by.0,
                saved_at,
                sealed
            ],
        )
        .await?;
        self.finish(tx, audit).await?;
        Ok(SafetyPlanRecord {
            id: SafetyPlanId(plan_id),
            clinic,
            client,
            version,
            latest_version: version,
            plan: stored,
            saved_by,
            saved_at,
        })
    }

    async fn safety_plan(
        &self,
        clinic: ClinicId,
        client: ClientId,
        version: Option<i64>,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SafetyPlanRecord>> {
        let mut tx = self.write().await?;
        let plan = self
            .plan_version_row(&mut tx, clinic, client, version)
            .await?;
        // Audited even when there is no plan yet: someone looked.
        self.finish(tx, audit).await?;
        Ok(plan)
    }

    async fn safety_plan_versions(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<SafetyPlanVersionInfo>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT v.version, v.status, v.saved_by, u.display_name, v.saved_at \
                 FROM safety_plan_versions v JOIN safety_plans p ON p.id = v.plan_id \
                 JOIN users u ON u.id = v.saved_by \
                 WHERE p.client_id = $1 AND p.clinic_id = $2 AND v.clinic_id = $2 ORDER BY v.version DESC",
                args![client.0, clinic.0],
            )
            .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(SafetyPlanVersionInfo {
                    version: r.int("version")?,
                    status: parse_plan_status(&r.text("status")?)?,
                    saved_by: r.uuid("saved_by")?.into(),
                    saved_by_name: r.text("display_name")?,
                    saved_at: r.time("saved_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.finish(tx, audit).await?;
        Ok(out)
    }
}
