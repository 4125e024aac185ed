//! SQL for courses: courses and contracts, sessions and tasks, notes (signed, addenda,
//! sign-off), process notes, inventory and snapshots, timeline, formulation, goals, worksheets.
//!
//! Each table has plain metadata columns and one sealed JSON column; see `0002_courses.sql`.

use crate::args;
use crate::driver::{Row, Tx, TxExt};
use crate::{SqlStore, fresh};
use async_trait::async_trait;
use kith_domain::audit::{AuditEvent, truncate_to_micros};
use kith_domain::course::ContractLength;
use kith_domain::ids::{
    ClientId, ClinicId, CourseId, GoalId, NoteId, SessionId, UserId, WorksheetId,
};
use kith_domain::inventory::{Inventory, Person};
use kith_domain::timeline::Onset;
use kith_store::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Tables of this area, with the query that counts their rows.
pub(crate) const TABLES: &[(&str, &str)] = &[
    ("courses", "SELECT COUNT(*) AS n FROM courses"),
    (
        "course_contract_changes",
        "SELECT COUNT(*) AS n FROM course_contract_changes",
    ),
    (
        "course_sessions",
        "SELECT COUNT(*) AS n FROM course_sessions",
    ),
    ("session_tasks", "SELECT COUNT(*) AS n FROM session_tasks"),
    ("session_notes", "SELECT COUNT(*) AS n FROM session_notes"),
    ("note_addenda", "SELECT COUNT(*) AS n FROM note_addenda"),
    ("note_signoffs", "SELECT COUNT(*) AS n FROM note_signoffs"),
    ("process_notes", "SELECT COUNT(*) AS n FROM process_notes"),
    (
        "inventory_people",
        "SELECT COUNT(*) AS n FROM inventory_people",
    ),
    (
        "inventory_notes",
        "SELECT COUNT(*) AS n FROM inventory_notes",
    ),
    (
        "inventory_snapshots",
        "SELECT COUNT(*) AS n FROM inventory_snapshots",
    ),
    (
        "timeline_entries",
        "SELECT COUNT(*) AS n FROM timeline_entries",
    ),
    (
        "timeline_onsets",
        "SELECT COUNT(*) AS n FROM timeline_onsets",
    ),
    ("formulations", "SELECT COUNT(*) AS n FROM formulations"),
    (
        "formulation_agreements",
        "SELECT COUNT(*) AS n FROM formulation_agreements",
    ),
    ("goals", "SELECT COUNT(*) AS n FROM goals"),
    ("worksheets", "SELECT COUNT(*) AS n FROM worksheets"),
];

// ---------------------------------------------------------------------------------------------
// Helpers.

fn backend<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn to_json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(backend)
}

fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(backend)
}

/// The kebab-case code serde gives a unit enum variant (`held`, `weekly`…).
fn code_of<T: Serialize>(v: &T) -> StoreResult<String> {
    match serde_json::to_value(v).map_err(backend)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StoreError::Backend(format!("not a code: {other}"))),
    }
}

fn parse_code<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(backend)
}

fn num(n: u32) -> i64 {
    i64::from(n)
}

fn to_u32(col: &str, v: i64) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| StoreError::Backend(format!("column {col}: {v} out of range")))
}

fn opt_u32(r: &Row, col: &str) -> StoreResult<Option<u32>> {
    r.opt_int(col)?.map(|v| to_u32(col, v)).transpose()
}

fn length_col(l: ContractLength) -> Option<i64> {
    l.count().map(num)
}

fn length_from(v: Option<i64>) -> StoreResult<ContractLength> {
    Ok(match v {
        Some(n) => ContractLength::Sessions(to_u32("sessions", n)?),
        None => ContractLength::Open,
    })
}

/// A unique violation of a held session number is reported by name.
fn session_dup(e: StoreError) -> StoreError {
    match e {
        StoreError::Duplicate(_) => StoreError::Duplicate("session"),
        other => other,
    }
}

fn refused(code: &str) -> StoreError {
    StoreError::Refused(code.to_string())
}

/// JSON with object keys sorted at every level and no insignificant whitespace: the form a
/// signed note is hashed in, independent of how a map happened to be ordered in memory.
fn canonical_json(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                out.push(':');
                canonical_json(&map[k.as_str()], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What a signature covers: the note's identity, its session and course, the template, every
/// section, the tasks it ticks, its author, and who signed when.
#[allow(clippy::too_many_arguments)]
fn note_hash(
    id: NoteId,
    course: CourseId,
    session: SessionId,
    template: &str,
    body: &NoteBody,
    author: UserId,
    signed_by: UserId,
    signed_at: OffsetDateTime,
) -> [u8; 32] {
    let mut ticks = body.ticks.clone();
    ticks.sort();
    let doc = serde_json::json!({
        "kith-signed-note": 1,
        "note": id.0.to_string(),
        "course": course.0.to_string(),
        "session": session.0.to_string(),
        "template": template,
        "sections": body.sections,
        "ticks": ticks,
        "author": author.0.to_string(),
        "signed_by": signed_by.0.to_string(),
        "signed_at_us": (signed_at.unix_timestamp_nanos() / 1000).to_string(),
    });
    let mut text = String::new();
    canonical_json(&doc, &mut text);
    Sha256::digest(text.as_bytes()).into()
}

/// The sealed part of a session note.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NoteBody {
    sections: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    ticks: Vec<NoteTick>,
}

/// The sealed part of a contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ContractBody {
    #[serde(default)]
    focus: String,
    #[serde(default)]
    participants: Vec<kith_domain::protocol::ParticipantRole>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChangeBody {
    from: ContractTerms,
    to: ContractTerms,
    reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SnapshotBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom_label: Option<String>,
    inventory: Inventory,
}

impl SqlStore {
    async fn seal_json<T: Serialize>(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        field: FieldRef,
        v: &T,
    ) -> StoreResult<Vec<u8>> {
        let json = to_json(v)?;
        self.seal(tx, Some(clinic), field, &json).await
    }

    async fn open_json<T: DeserializeOwned>(
        &self,
        tx: &mut Box<dyn Tx>,
        field: FieldRef,
        sealed: &[u8],
    ) -> StoreResult<T> {
        let text = self.open_text(tx, field, sealed).await?;
        from_json(&text)
    }

    async fn ensure_client(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
    ) -> StoreResult<()> {
        tx.row(
            "SELECT id FROM clients WHERE id = $1 AND clinic_id = $2",
            args![client.0, clinic.0],
        )
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
    }

    /// The client and status of a course of the clinic.
    async fn course_head(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        course: CourseId,
    ) -> StoreResult<(ClientId, CourseStatus)> {
        let r = tx
            .row(
                "SELECT client_id, status FROM courses WHERE id = $1 AND clinic_id = $2",
                args![course.0, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((r.uuid("client_id")?.into(), parse_code(&r.text("status")?)?))
    }

    /// Reports why a version-checked write touched no row.
    async fn stale(
        &self,
        tx: &mut Box<dyn Tx>,
        sql: &'static str,
        id: Uuid,
        clinic: ClinicId,
    ) -> StoreError {
        match tx.row(sql, args![id, clinic.0]).await {
            Ok(Some(r)) => match r.int("version") {
                Ok(current) => StoreError::VersionConflict { current },
                Err(e) => e,
            },
            Ok(None) => StoreError::NotFound,
            Err(e) => e,
        }
    }

    // --- courses -----------------------------------------------------------------------------

    async fn course_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<Course> {
        let id = CourseId(r.uuid("id")?);
        let intake = match r.opt_bytes("intake")? {
            Some(b) => Some(
                self.open_json(tx, FieldRef::new("courses", "intake", id.0), &b)
                    .await?,
            ),
            None => None,
        };
        let body: ContractBody = self
            .open_json(
                tx,
                FieldRef::new("courses", "contract_body", id.0),
                &r.bytes("contract_body")?,
            )
            .await?;
        let contract = ContractTerms {
            sessions: length_from(r.opt_int("contract_sessions")?)?,
            frequency: parse_code(&r.text("contract_frequency")?)?,
            planned_end: r.opt_date("contract_planned_end")?,
            focus: body.focus,
            participants: body.participants,
        };
        let rows = tx
            .rows(
                "SELECT id, at_session, on_date, body, changed_by, changed_at FROM course_contract_changes \
                 WHERE course_id = $1 AND clinic_id = $2 ORDER BY changed_at, id",
                args![id.0, r.uuid("clinic_id")?],
            )
            .await?;
        let mut changes = Vec::with_capacity(rows.len());
        for c in &rows {
            let cid = c.uuid("id")?;
            let b: ChangeBody = self
                .open_json(
                    tx,
                    FieldRef::new("course_contract_changes", "body", cid),
                    &c.bytes("body")?,
                )
                .await?;
            changes.push(ContractChange {
                id: cid,
                at_session: to_u32("at_session", c.int("at_session")?)?,
                on: c.opt_date("on_date")?,
                from: b.from,
                to: b.to,
                reason: b.reason,
                by: c.uuid("changed_by")?.into(),
                at: c.time("changed_at")?,
            });
        }
        Ok(Course {
            id,
            clinic: r.uuid("clinic_id")?.into(),
            client: r.uuid("client_id")?.into(),
            protocol_id: r.text("protocol_id")?,
            protocol_version: r.text("protocol_version")?,
            status: parse_code(&r.text("status")?)?,
            outcome: r
                .opt_text("outcome")?
                .map(|o| CourseOutcome::parse(&o).ok_or_else(|| backend("unknown outcome")))
                .transpose()?,
            opened_at: r.time("opened_at")?,
            closed_at: r.opt_time("closed_at")?,
            created_by: r.uuid("created_by")?.into(),
            intake,
            contract,
            contract_agreed_at_session: opt_u32(r, "contract_agreed_at_session")?,
            contract_changes: changes,
            ending_raised_at_session: opt_u32(r, "ending_raised_at_session")?,
            version: r.int("version")?,
            updated_at: r.time("updated_at")?,
        })
    }

    async fn course_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: CourseId,
    ) -> StoreResult<Option<Course>> {
        let Some(r) = tx
            .row(
                "SELECT id, clinic_id, client_id, protocol_id, protocol_version, status, outcome, opened_at, closed_at, \
                 created_by, intake, contract_sessions, contract_frequency, contract_planned_end, contract_agreed_at_session, \
                 contract_body, ending_raised_at_session, version, updated_at FROM courses WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        self.course_from(tx, &r).await.map(Some)
    }

    async fn course_after_write(
        &self,
        mut tx: Box<dyn Tx>,
        n: u64,
        clinic: ClinicId,
        id: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM courses WHERE id = $1 AND clinic_id = $2",
                    id.0,
                    clinic,
                )
                .await);
        }
        let c = self
            .course_row(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(c)
    }

    async fn seal_contract_body(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: CourseId,
        terms: &ContractTerms,
    ) -> StoreResult<Vec<u8>> {
        self.seal_json(
            tx,
            clinic,
            FieldRef::new("courses", "contract_body", id.0),
            &ContractBody {
                focus: terms.focus.clone(),
                participants: terms.participants.clone(),
            },
        )
        .await
    }

    // --- sessions ----------------------------------------------------------------------------

    async fn session_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: SessionId,
    ) -> StoreResult<Option<CourseSession>> {
        let Some(r) = tx
            .row(
                "SELECT id, clinic_id, course_id, number, status, scheduled_for, held_at, reason, phase, version, created_at, updated_at \
                 FROM course_sessions WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let mut s = session_from(&r)?;
        let tasks = tx
            .rows(
                "SELECT session_id, task_id, how, note_section, marked_by, marked_at FROM session_tasks \
                 WHERE session_id = $1 AND clinic_id = $2 ORDER BY marked_at, task_id",
                args![id.0, clinic.0],
            )
            .await?;
        for t in &tasks {
            s.tasks.push(task_from(t)?);
        }
        Ok(Some(s))
    }

    // --- notes -------------------------------------------------------------------------------

    async fn note_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<SessionNote> {
        let id = NoteId(r.uuid("id")?);
        let clinic: ClinicId = r.uuid("clinic_id")?.into();
        let course: CourseId = r.uuid("course_id")?.into();
        let session: SessionId = r.uuid("session_id")?.into();
        let template = r.text("template")?;
        let author: UserId = r.uuid("author_id")?.into();
        let signed_at = r.opt_time("signed_at")?;
        let signed_by = r.opt_uuid("signed_by")?.map(UserId);
        let stored_hash = r.opt_bytes("content_hash")?;
        let opened: StoreResult<NoteBody> = self
            .open_json(
                tx,
                FieldRef::new("session_notes", "body", id.0),
                &r.bytes("body")?,
            )
            .await;
        let (body, signature, integrity) = match (signed_at, signed_by) {
            (Some(at), Some(by)) => {
                let hash: [u8; 32] = stored_hash
                    .as_deref()
                    .and_then(|h| h.try_into().ok())
                    .unwrap_or([0; 32]);
                match opened {
                    Ok(body) => {
                        let expected =
                            note_hash(id, course, session, &template, &body, author, by, at);
                        let integrity = if expected == hash {
                            NoteIntegrity::Intact
                        } else {
                            NoteIntegrity::Tampered
                        };
                        (body, Some(Signature { by, at, hash }), integrity)
                    }
                    // A signed body that no longer opens has been altered or moved.
                    Err(StoreError::Crypto(_)) | Err(StoreError::Backend(_)) => (
                        NoteBody {
                            sections: BTreeMap::new(),
                            ticks: Vec::new(),
                        },
                        Some(Signature { by, at, hash }),
                        NoteIntegrity::Tampered,
                    ),
                    Err(e) => return Err(e),
                }
            }
            _ => (opened?, None, NoteIntegrity::Draft),
        };
        let mut addenda = Vec::new();
        for a in tx
            .rows(
                "SELECT id, text, author_id, created_at FROM note_addenda WHERE note_id = $1 AND clinic_id = $2 ORDER BY created_at, id",
                args![id.0, clinic.0],
            )
            .await?
        {
            let aid = a.uuid("id")?;
            addenda.push(Addendum {
                id: NoteId(aid),
                text: self
                    .open_text(
                        tx,
                        FieldRef::new("note_addenda", "text", aid),
                        &a.bytes("text")?,
                    )
                    .await?,
                author: a.uuid("author_id")?.into(),
                at: a.time("created_at")?,
            });
        }
        let sign_off = match tx
            .row(
                "SELECT supervisor_id, comment, signed_off_at FROM note_signoffs WHERE note_id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        {
            Some(s) => Some(SignOff {
                supervisor: s.uuid("supervisor_id")?.into(),
                at: s.time("signed_off_at")?,
                comment: self
                    .open_opt(
                        tx,
                        FieldRef::new("note_signoffs", "comment", id.0),
                        s.opt_bytes("comment")?,
                    )
                    .await?,
            }),
            None => None,
        };
        Ok(SessionNote {
            id,
            clinic,
            course,
            session,
            content: NoteContent {
                template,
                sections: body.sections,
                ticks: body.ticks,
            },
            author,
            version: r.int("version")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
            signature,
            integrity,
            addenda,
            sign_off,
        })
    }

    async fn note_by_id(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: NoteId,
    ) -> StoreResult<Option<SessionNote>> {
        let Some(r) = tx
            .row(
                "SELECT id, clinic_id, course_id, session_id, template, body, author_id, version, created_at, updated_at, \
                 signed_by, signed_at, content_hash FROM session_notes WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        self.note_from(tx, &r).await.map(Some)
    }

    async fn process_note_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<ProcessNote> {
        let id = r.uuid("id")?;
        Ok(ProcessNote {
            id: NoteId(id),
            client: r.uuid("client_id")?.into(),
            course: r.opt_uuid("course_id")?.map(CourseId),
            session: r.opt_uuid("session_id")?.map(SessionId),
            author: r.uuid("author_id")?.into(),
            text: self
                .open_text(
                    tx,
                    FieldRef::new("process_notes", "text", id),
                    &r.bytes("text")?,
                )
                .await?,
            version: r.int("version")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        })
    }

    // --- inventory and timeline --------------------------------------------------------------

    async fn person_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<Record<Person>> {
        let id = r.uuid("id")?;
        Ok(Record {
            id,
            value: self
                .open_json(
                    tx,
                    FieldRef::new("inventory_people", "body", id),
                    &r.bytes("body")?,
                )
                .await?,
            version: r.int("version")?,
            created_by: r.uuid("created_by")?.into(),
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
            removed_at: r.opt_time("removed_at")?,
        })
    }

    async fn people_rows(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
        include_removed: bool,
    ) -> StoreResult<Vec<Record<Person>>> {
        let rows = tx
            .rows(
                "SELECT id, body, version, created_by, created_at, updated_at, removed_at FROM inventory_people \
                 WHERE clinic_id = $1 AND client_id = $2 AND (removed_at IS NULL OR $3) ORDER BY created_at, id",
                args![clinic.0, client.0, include_removed],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.person_from(tx, r).await?);
        }
        Ok(out)
    }

    async fn inventory_notes_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        client: ClientId,
    ) -> StoreResult<(InventoryNotes, i64)> {
        match tx
            .row(
                "SELECT body, version FROM inventory_notes WHERE client_id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
        {
            Some(r) => Ok((
                self.open_json(
                    tx,
                    FieldRef::new("inventory_notes", "body", client.0),
                    &r.bytes("body")?,
                )
                .await?,
                r.int("version")?,
            )),
            None => Ok((InventoryNotes::default(), 0)),
        }
    }

    async fn entry_from(
        &self,
        tx: &mut Box<dyn Tx>,
        r: &Row,
    ) -> StoreResult<Record<TimelineEntry>> {
        let id = r.uuid("id")?;
        Ok(Record {
            id,
            value: self
                .open_json(
                    tx,
                    FieldRef::new("timeline_entries", "body", id),
                    &r.bytes("body")?,
                )
                .await?,
            version: r.int("version")?,
            created_by: r.uuid("created_by")?.into(),
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
            removed_at: r.opt_time("removed_at")?,
        })
    }

    async fn entry_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: Uuid,
    ) -> StoreResult<Record<TimelineEntry>> {
        let r = tx
            .row(
                "SELECT id, body, version, created_by, created_at, updated_at, removed_at FROM timeline_entries \
                 WHERE id = $1 AND clinic_id = $2",
                args![id, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        self.entry_from(tx, &r).await
    }

    async fn snapshot_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<InventorySnapshot> {
        let id = r.uuid("id")?;
        let body: SnapshotBody = self
            .open_json(
                tx,
                FieldRef::new("inventory_snapshots", "body", id),
                &r.bytes("body")?,
            )
            .await?;
        let label = match r.text("label")?.as_str() {
            "intake" => SnapshotLabel::Intake,
            "mid-course" => SnapshotLabel::MidCourse,
            "termination" => SnapshotLabel::Termination,
            _ => SnapshotLabel::Custom(body.custom_label.unwrap_or_default()),
        };
        Ok(InventorySnapshot {
            id,
            client: r.uuid("client_id")?.into(),
            course: r.uuid("course_id")?.into(),
            label,
            taken_at: r.time("taken_at")?,
            taken_by: r.uuid("taken_by")?.into(),
            inventory: body.inventory,
        })
    }

    // --- formulation, goals, worksheets ------------------------------------------------------

    async fn formulation_rows(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        course: CourseId,
    ) -> StoreResult<Vec<FormulationRevision>> {
        let rows = tx
            .rows(
                "SELECT f.revision, f.at_session, f.body, f.created_by, f.created_at, \
                 a.agreed_on, a.at_session AS agreed_at_session, a.recorded_by, a.recorded_at \
                 FROM formulations f LEFT JOIN formulation_agreements a ON a.course_id = f.course_id AND a.revision = f.revision \
                 WHERE f.course_id = $1 AND f.clinic_id = $2 ORDER BY f.revision",
                args![course.0, clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let revision = r.int("revision")?;
            let formulation = self
                .open_json(
                    tx,
                    FieldRef::new("formulations", "body", formulation_row_id(course, revision)),
                    &r.bytes("body")?,
                )
                .await?;
            let agreement = match r.opt_date("agreed_on")? {
                Some(agreed_on) => Some(FormulationAgreement {
                    agreed_on,
                    at_session: to_u32("at_session", r.int("agreed_at_session")?)?,
                    recorded_by: r.uuid("recorded_by")?.into(),
                    recorded_at: r.time("recorded_at")?,
                }),
                None => None,
            };
            out.push(FormulationRevision {
                course,
                revision,
                formulation,
                at_session: opt_u32(r, "at_session")?,
                created_by: r.uuid("created_by")?.into(),
                created_at: r.time("created_at")?,
                agreement,
            });
        }
        Ok(out)
    }

    async fn goal_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<Goal> {
        let id = r.uuid("id")?;
        Ok(Goal {
            id: GoalId(id),
            course: r.uuid("course_id")?.into(),
            status: GoalStatus::parse(&r.text("status")?)
                .ok_or_else(|| backend("unknown goal status"))?,
            content: self
                .open_json(tx, FieldRef::new("goals", "body", id), &r.bytes("body")?)
                .await?,
            version: r.int("version")?,
            created_by: r.uuid("created_by")?.into(),
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        })
    }

    async fn worksheet_from(&self, tx: &mut Box<dyn Tx>, r: &Row) -> StoreResult<Worksheet> {
        let id = r.uuid("id")?;
        Ok(Worksheet {
            id: WorksheetId(id),
            client: r.uuid("client_id")?.into(),
            course: r.uuid("course_id")?.into(),
            session: r.opt_uuid("session_id")?.map(SessionId),
            kind: r.text("kind")?,
            definition_version: r.text("definition_version")?,
            status: parse_code(&r.text("status")?)?,
            visibility: parse_code(&r.text("visibility")?)?,
            created_by: r.uuid("created_by")?.into(),
            created_by_role: parse_code(&r.text("created_by_role")?)?,
            due_on: r.opt_date("due_on")?,
            reviewed_at_session: r.opt_uuid("reviewed_session_id")?.map(SessionId),
            content: self
                .open_json(
                    tx,
                    FieldRef::new("worksheets", "body", id),
                    &r.bytes("body")?,
                )
                .await?,
            version: r.int("version")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
            completed_at: r.opt_time("completed_at")?,
        })
    }

    async fn worksheet_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: WorksheetId,
    ) -> StoreResult<Option<Worksheet>> {
        let Some(r) = tx
            .row(
                "SELECT id, client_id, course_id, session_id, kind, definition_version, status, visibility, created_by, \
                 created_by_role, due_on, reviewed_session_id, body, version, created_at, updated_at, completed_at \
                 FROM worksheets WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        self.worksheet_from(tx, &r).await.map(Some)
    }

    /// A session of the clinic that belongs to `course`.
    async fn ensure_session_of(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        course: CourseId,
        session: Option<SessionId>,
    ) -> StoreResult<()> {
        let Some(s) = session else { return Ok(()) };
        tx.row(
            "SELECT id FROM course_sessions WHERE id = $1 AND clinic_id = $2 AND course_id = $3",
            args![s.0, clinic.0, course.0],
        )
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
    }
}

/// Formulation revisions share their course's id; the sealed body is bound to a row id made
/// from the course and the revision number, so a body cannot be moved to another revision.
fn formulation_row_id(course: CourseId, revision: i64) -> Uuid {
    let mut bytes = *course.0.as_bytes();
    for (b, r) in bytes[8..].iter_mut().zip(revision.to_be_bytes()) {
        *b ^= r;
    }
    Uuid::from_bytes(bytes)
}

fn session_from(r: &Row) -> StoreResult<CourseSession> {
    Ok(CourseSession {
        id: r.uuid("id")?.into(),
        clinic: r.uuid("clinic_id")?.into(),
        course: r.uuid("course_id")?.into(),
        number: to_u32("number", r.int("number")?)?,
        status: parse_code(&r.text("status")?)?,
        scheduled_for: r.opt_time("scheduled_for")?,
        held_at: r.opt_time("held_at")?,
        reason: r.opt_text("reason")?,
        phase: r.opt_text("phase")?,
        tasks: Vec::new(),
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn task_from(t: &Row) -> StoreResult<TaskDone> {
    let evidence = match t.text("how")?.as_str() {
        "note" => TaskEvidence::Note {
            section: t.opt_text("note_section")?.unwrap_or_default(),
        },
        _ => TaskEvidence::Ticked,
    };
    Ok(TaskDone {
        task: t.text("task_id")?,
        evidence,
        by: t.uuid("marked_by")?.into(),
        at: t.time("marked_at")?,
    })
}

fn evidence_cols(e: &TaskEvidence) -> (&'static str, Option<String>) {
    match e {
        TaskEvidence::Ticked => ("ticked", None),
        TaskEvidence::Note { section } => ("note", Some(section.clone())),
    }
}

#[allow(clippy::too_many_arguments)]
#[async_trait]
impl CourseStore for SqlStore {
    async fn course_of(
        &self,
        clinic: ClinicId,
        what: CourseRef,
    ) -> StoreResult<Option<(CourseId, ClientId)>> {
        let mut tx = self.read().await?;
        let r = match what {
            CourseRef::Course(id) => {
                tx.row(
                    "SELECT id AS course_id, client_id FROM courses WHERE id = $1 AND clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?
            }
            CourseRef::Session(id) => {
                tx.row(
                    "SELECT c.id AS course_id, c.client_id FROM course_sessions s JOIN courses c ON c.id = s.course_id \
                     WHERE s.id = $1 AND s.clinic_id = $2 AND c.clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?
            }
            CourseRef::Note(id) => {
                tx.row(
                    "SELECT c.id AS course_id, c.client_id FROM session_notes n JOIN courses c ON c.id = n.course_id \
                     WHERE n.id = $1 AND n.clinic_id = $2 AND c.clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?
            }
            CourseRef::Goal(id) => {
                tx.row(
                    "SELECT c.id AS course_id, c.client_id FROM goals g JOIN courses c ON c.id = g.course_id \
                     WHERE g.id = $1 AND g.clinic_id = $2 AND c.clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?
            }
            CourseRef::Worksheet(id) => {
                tx.row(
                    "SELECT c.id AS course_id, c.client_id FROM worksheets w JOIN courses c ON c.id = w.course_id \
                     WHERE w.id = $1 AND w.clinic_id = $2 AND c.clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?
            }
        };
        r.map(|r| Ok((r.uuid("course_id")?.into(), r.uuid("client_id")?.into())))
            .transpose()
    }

    // --- courses -----------------------------------------------------------------------------

    async fn open_course(
        &self,
        c: NewCourse,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<CourseId>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<CourseId>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        self.ensure_client(&mut tx, c.clinic, c.client).await?;
        // One course at a time: the acute course closes before a continuation or maintenance
        // course opens.
        if tx
            .row(
                "SELECT id FROM courses WHERE clinic_id = $1 AND client_id = $2 AND status = 'open'",
                args![c.clinic.0, c.client.0],
            )
            .await?
            .is_some()
        {
            return Err(refused("course-already-open"));
        }
        let body = self
            .seal_contract_body(&mut tx, c.clinic, c.id, &c.contract)
            .await?;
        tx.exec(
            "INSERT INTO courses (id, clinic_id, client_id, protocol_id, protocol_version, status, opened_at, created_by, \
             contract_sessions, contract_frequency, contract_planned_end, contract_body, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, 1, $6)",
            args![
                c.id.0,
                c.clinic.0,
                c.client.0,
                c.protocol_id.as_str(),
                c.protocol_version.as_str(),
                c.opened_at,
                c.created_by.0,
                length_col(c.contract.sessions),
                code_of(&c.contract.frequency)?,
                c.contract.planned_end,
                body
            ],
        )
        .await?;
        self.idem_record(&mut tx, idem, &c.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(c.id))
    }

    async fn course(
        &self,
        clinic: ClinicId,
        id: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Course>> {
        let mut tx = self.write().await?;
        let c = self.course_row(&mut tx, clinic, id).await?;
        if c.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(c)
    }

    async fn courses_of(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Course>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, clinic_id, client_id, protocol_id, protocol_version, status, outcome, opened_at, closed_at, \
                 created_by, intake, contract_sessions, contract_frequency, contract_planned_end, contract_agreed_at_session, \
                 contract_body, ending_raised_at_session, version, updated_at FROM courses \
                 WHERE clinic_id = $1 AND client_id = $2 ORDER BY opened_at, id",
                args![clinic.0, client.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.course_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn save_intake(
        &self,
        clinic: ClinicId,
        course: CourseId,
        intake: &Intake,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let sealed = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("courses", "intake", course.0),
                intake,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE courses SET intake = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND clinic_id = $4 AND version = $5",
                args![sealed, at, course.0, clinic.0, expected_version],
            )
            .await?;
        self.course_after_write(tx, n, clinic, course, audit).await
    }

    async fn agree_contract(
        &self,
        clinic: ClinicId,
        course: CourseId,
        terms: &ContractTerms,
        at_session: u32,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let current = self
            .course_row(&mut tx, clinic, course)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::VersionConflict {
                current: current.version,
            });
        }
        if current.contract_agreed_at_session.is_some() {
            return Err(refused("contract-already-agreed"));
        }
        let body = self
            .seal_contract_body(&mut tx, clinic, course, terms)
            .await?;
        let n = tx
            .exec(
                "UPDATE courses SET contract_sessions = $1, contract_frequency = $2, contract_planned_end = $3, \
                 contract_body = $4, contract_agreed_at_session = $5, version = version + 1, updated_at = $6 \
                 WHERE id = $7 AND clinic_id = $8 AND version = $9",
                args![
                    length_col(terms.sessions),
                    code_of(&terms.frequency)?,
                    terms.planned_end,
                    body,
                    num(at_session),
                    at,
                    course.0,
                    clinic.0,
                    expected_version
                ],
            )
            .await?;
        self.course_after_write(tx, n, clinic, course, audit).await
    }

    async fn change_contract(
        &self,
        clinic: ClinicId,
        course: CourseId,
        change: &NewContractChange,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let current = self
            .course_row(&mut tx, clinic, course)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::VersionConflict {
                current: current.version,
            });
        }
        if current.contract_agreed_at_session.is_none() {
            return Err(refused("contract-not-agreed"));
        }
        if current.status == CourseStatus::Closed {
            return Err(refused("course-closed"));
        }
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("course_contract_changes", "body", change.id),
                &ChangeBody {
                    from: current.contract.clone(),
                    to: change.to.clone(),
                    reason: change.reason.clone(),
                },
            )
            .await?;
        tx.exec(
            "INSERT INTO course_contract_changes (id, clinic_id, course_id, at_session, on_date, from_sessions, to_sessions, body, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                change.id,
                clinic.0,
                course.0,
                num(change.at_session),
                change.on,
                length_col(current.contract.sessions),
                length_col(change.to.sessions),
                body,
                change.by.0,
                change.at
            ],
        )
        .await?;
        let contract_body = self
            .seal_contract_body(&mut tx, clinic, course, &change.to)
            .await?;
        let n = tx
            .exec(
                "UPDATE courses SET contract_sessions = $1, contract_frequency = $2, contract_planned_end = $3, \
                 contract_body = $4, version = version + 1, updated_at = $5 \
                 WHERE id = $6 AND clinic_id = $7 AND version = $8",
                args![
                    length_col(change.to.sessions),
                    code_of(&change.to.frequency)?,
                    change.to.planned_end,
                    contract_body,
                    change.at,
                    course.0,
                    clinic.0,
                    expected_version
                ],
            )
            .await?;
        self.course_after_write(tx, n, clinic, course, audit).await
    }

    async fn record_ending_raised(
        &self,
        clinic: ClinicId,
        course: CourseId,
        at_session: u32,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE courses SET ending_raised_at_session = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND clinic_id = $4 AND version = $5",
                args![num(at_session), at, course.0, clinic.0, expected_version],
            )
            .await?;
        self.course_after_write(tx, n, clinic, course, audit).await
    }

    async fn close_course(
        &self,
        clinic: ClinicId,
        course: CourseId,
        outcome: CourseOutcome,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let (_, status) = self.course_head(&mut tx, clinic, course).await?;
        if status == CourseStatus::Closed {
            return Err(refused("course-closed"));
        }
        let n = tx
            .exec(
                "UPDATE courses SET status = 'closed', outcome = $1, closed_at = $2, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND clinic_id = $4 AND version = $5",
                args![outcome.code(), at, course.0, clinic.0, expected_version],
            )
            .await?;
        self.course_after_write(tx, n, clinic, course, audit).await
    }

    // --- sessions ----------------------------------------------------------------------------

    async fn add_session(&self, s: NewSession, audit: &[AuditEvent]) -> StoreResult<CourseSession> {
        let mut tx = self.write().await?;
        let (_, status) = self.course_head(&mut tx, s.clinic, s.course).await?;
        if status == CourseStatus::Closed {
            return Err(refused("course-closed"));
        }
        tx.exec(
            "INSERT INTO course_sessions (id, clinic_id, course_id, number, status, scheduled_for, held_at, phase, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10)",
            args![
                s.id.0,
                s.clinic.0,
                s.course.0,
                num(s.number),
                code_of(&s.status)?,
                s.scheduled_for,
                s.held_at,
                s.phase.as_deref(),
                s.created_by.0,
                s.at
            ],
        )
        .await
        .map_err(session_dup)?;
        let out = self
            .session_row(&mut tx, s.clinic, s.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn update_session(
        &self,
        clinic: ClinicId,
        id: SessionId,
        u: &SessionUpdate,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<CourseSession> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE course_sessions SET status = $1, scheduled_for = $2, held_at = $3, reason = $4, phase = $5, \
                 version = version + 1, updated_at = $6 WHERE id = $7 AND clinic_id = $8 AND version = $9",
                args![
                    code_of(&u.status)?,
                    u.scheduled_for,
                    u.held_at,
                    u.reason.as_deref(),
                    u.phase.as_deref(),
                    u.at,
                    id.0,
                    clinic.0,
                    expected_version
                ],
            )
            .await
            .map_err(session_dup)?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM course_sessions WHERE id = $1 AND clinic_id = $2",
                    id.0,
                    clinic,
                )
                .await);
        }
        let out = self
            .session_row(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn course_session(
        &self,
        clinic: ClinicId,
        id: SessionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<CourseSession>> {
        let mut tx = self.write().await?;
        let s = self.session_row(&mut tx, clinic, id).await?;
        if s.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(s)
    }

    async fn sessions(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<CourseSession>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, clinic_id, course_id, number, status, scheduled_for, held_at, reason, phase, version, created_at, updated_at \
                 FROM course_sessions WHERE course_id = $1 AND clinic_id = $2 ORDER BY number, created_at, id",
                args![course.0, clinic.0],
            )
            .await?;
        let mut out: Vec<CourseSession> =
            rows.iter().map(session_from).collect::<StoreResult<_>>()?;
        let tasks = tx
            .rows(
                "SELECT t.session_id, t.task_id, t.how, t.note_section, t.marked_by, t.marked_at FROM session_tasks t \
                 JOIN course_sessions s ON s.id = t.session_id WHERE s.course_id = $1 AND t.clinic_id = $2 \
                 ORDER BY t.marked_at, t.task_id",
                args![course.0, clinic.0],
            )
            .await?;
        for t in &tasks {
            let sid = SessionId(t.uuid("session_id")?);
            if let Some(s) = out.iter_mut().find(|s| s.id == sid) {
                s.tasks.push(task_from(t)?);
            }
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn mark_tasks(
        &self,
        clinic: ClinicId,
        session: SessionId,
        done: &[TaskDone],
        undone: &[String],
        audit: &[AuditEvent],
    ) -> StoreResult<CourseSession> {
        let mut tx = self.write().await?;
        if self.session_row(&mut tx, clinic, session).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        for t in done {
            let (how, section) = evidence_cols(&t.evidence);
            tx.exec(
                "INSERT INTO session_tasks (session_id, clinic_id, task_id, how, note_section, marked_by, marked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, task_id) DO UPDATE SET \
                 how = excluded.how, note_section = excluded.note_section, marked_by = excluded.marked_by, marked_at = excluded.marked_at",
                args![session.0, clinic.0, t.task.as_str(), how, section, t.by.0, t.at],
            )
            .await?;
        }
        for t in undone {
            tx.exec(
                "DELETE FROM session_tasks WHERE session_id = $1 AND clinic_id = $2 AND task_id = $3",
                args![session.0, clinic.0, t.as_str()],
            )
            .await?;
        }
        let out = self
            .session_row(&mut tx, clinic, session)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- notes -------------------------------------------------------------------------------

    async fn save_note_draft(
        &self,
        clinic: ClinicId,
        d: &NoteDraft,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote> {
        let mut tx = self.write().await?;
        let s = tx
            .row(
                "SELECT course_id FROM course_sessions WHERE id = $1 AND clinic_id = $2",
                args![d.session.0, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let course = CourseId(s.uuid("course_id")?);
        let existing = tx
            .row(
                "SELECT id, version, signed_at FROM session_notes WHERE session_id = $1 AND clinic_id = $2",
                args![d.session.0, clinic.0],
            )
            .await?;
        let body = NoteBody {
            sections: d.content.sections.clone(),
            ticks: d.content.ticks.clone(),
        };
        let id = match existing {
            Some(r) => {
                if r.opt_time("signed_at")?.is_some() {
                    return Err(refused("note-signed"));
                }
                let current = r.int("version")?;
                if current != expected_version {
                    return Err(StoreError::VersionConflict { current });
                }
                let id = NoteId(r.uuid("id")?);
                let sealed = self
                    .seal_json(
                        &mut tx,
                        clinic,
                        FieldRef::new("session_notes", "body", id.0),
                        &body,
                    )
                    .await?;
                let n = tx
                    .exec(
                        "UPDATE session_notes SET template = $1, body = $2, version = version + 1, updated_at = $3 \
                         WHERE id = $4 AND clinic_id = $5 AND version = $6 AND signed_at IS NULL",
                        args![d.content.template.as_str(), sealed, d.at, id.0, clinic.0, expected_version],
                    )
                    .await?;
                if n != 1 {
                    return Err(StoreError::VersionConflict { current });
                }
                id
            }
            None => {
                if expected_version != 0 {
                    return Err(StoreError::NotFound);
                }
                let sealed = self
                    .seal_json(
                        &mut tx,
                        clinic,
                        FieldRef::new("session_notes", "body", d.id.0),
                        &body,
                    )
                    .await?;
                tx.exec(
                    "INSERT INTO session_notes (id, clinic_id, course_id, session_id, template, body, author_id, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
                    args![d.id.0, clinic.0, course.0, d.session.0, d.content.template.as_str(), sealed, d.author.0, d.at],
                )
                .await
                .map_err(|e| match e {
                    // Another tab created the note first.
                    StoreError::Duplicate(_) => StoreError::VersionConflict { current: 1 },
                    other => other,
                })?;
                d.id
            }
        };
        let mut events = audit.to_vec();
        if let Some(raise) = &d.risk_alert {
            // One alert per note, however often it is saved with risk recorded.
            let raised = tx
                .row(
                    "SELECT id FROM alerts WHERE note_id = $1 AND clinic_id = $2",
                    args![id.0, clinic.0],
                )
                .await?;
            if raised.is_none() {
                let tier = raise.urgency.tier();
                let cause = [AlertCause::ClinicianRisk {
                    session: d.session,
                    urgency: raise.urgency,
                }];
                self.insert_alert(
                    &mut tx,
                    crate::measures::AlertInsert {
                        id: raise.id,
                        clinic,
                        client: raise.client,
                        submission: None,
                        note: Some(id),
                        tier,
                        reasons: &cause,
                        risk_text: raise.text.as_deref(),
                        at: d.at,
                    },
                )
                .await?;
                events.push(AuditEvent {
                    object_id: Some(raise.id.to_string()),
                    detail: Some(format!("tier={}", tier.code())),
                    ..raise.event.clone()
                });
            }
        }
        let note = self
            .note_by_id(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, &events).await?;
        Ok(note)
    }

    async fn sign_note(
        &self,
        clinic: ClinicId,
        id: NoteId,
        by: UserId,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote> {
        let at = truncate_to_micros(at);
        let mut tx = self.write().await?;
        let note = self
            .note_by_id(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if note.signature.is_some() {
            return Err(refused("note-signed"));
        }
        if note.version != expected_version {
            return Err(StoreError::VersionConflict {
                current: note.version,
            });
        }
        let body = NoteBody {
            sections: note.content.sections.clone(),
            ticks: note.content.ticks.clone(),
        };
        let hash = note_hash(
            id,
            note.course,
            note.session,
            &note.content.template,
            &body,
            note.author,
            by,
            at,
        );
        let n = tx
            .exec(
                "UPDATE session_notes SET signed_by = $1, signed_at = $2, content_hash = $3, version = version + 1, updated_at = $2 \
                 WHERE id = $4 AND clinic_id = $5 AND version = $6 AND signed_at IS NULL",
                args![by.0, at, hash, id.0, clinic.0, expected_version],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::VersionConflict {
                current: note.version,
            });
        }
        for t in &body.ticks {
            tx.exec(
                "INSERT INTO session_tasks (session_id, clinic_id, task_id, how, note_section, marked_by, marked_at) \
                 VALUES ($1, $2, $3, 'note', $4, $5, $6) ON CONFLICT (session_id, task_id) DO UPDATE SET \
                 how = excluded.how, note_section = excluded.note_section, marked_by = excluded.marked_by, marked_at = excluded.marked_at",
                args![note.session.0, clinic.0, t.task.as_str(), t.section.as_str(), by.0, at],
            )
            .await?;
        }
        let signed = self
            .note_by_id(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(signed)
    }

    async fn note(
        &self,
        clinic: ClinicId,
        id: NoteId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SessionNote>> {
        let mut tx = self.write().await?;
        let n = self.note_by_id(&mut tx, clinic, id).await?;
        if n.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(n)
    }

    async fn note_of_session(
        &self,
        clinic: ClinicId,
        session: SessionId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<SessionNote>> {
        let mut tx = self.write().await?;
        let Some(r) = tx
            .row(
                "SELECT id, clinic_id, course_id, session_id, template, body, author_id, version, created_at, updated_at, \
                 signed_by, signed_at, content_hash FROM session_notes WHERE session_id = $1 AND clinic_id = $2",
                args![session.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let note = self.note_from(&mut tx, &r).await?;
        self.finish(tx, audit).await?;
        Ok(Some(note))
    }

    async fn add_addendum(
        &self,
        clinic: ClinicId,
        a: &NewAddendum,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<NoteId>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<NoteId>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        let r = tx
            .row(
                "SELECT signed_at FROM session_notes WHERE id = $1 AND clinic_id = $2",
                args![a.note.0, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        if r.opt_time("signed_at")?.is_none() {
            return Err(refused("note-not-signed"));
        }
        let text = self
            .seal(
                &mut tx,
                Some(clinic),
                FieldRef::new("note_addenda", "text", a.id.0),
                &a.text,
            )
            .await?;
        tx.exec(
            "INSERT INTO note_addenda (id, clinic_id, note_id, text, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            args![a.id.0, clinic.0, a.note.0, text, a.author.0, a.at],
        )
        .await?;
        self.idem_record(&mut tx, idem, &a.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(a.id))
    }

    async fn sign_off_note(
        &self,
        clinic: ClinicId,
        id: NoteId,
        supervisor: UserId,
        comment: Option<&str>,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<SessionNote> {
        let mut tx = self.write().await?;
        let note = self
            .note_by_id(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if note.signature.is_none() {
            return Err(refused("note-not-signed"));
        }
        if note.sign_off.is_some() {
            return Err(refused("note-already-signed-off"));
        }
        let comment = self
            .seal_opt(
                &mut tx,
                Some(clinic),
                FieldRef::new("note_signoffs", "comment", id.0),
                comment,
            )
            .await?;
        tx.exec(
            "INSERT INTO note_signoffs (note_id, clinic_id, supervisor_id, comment, signed_off_at) VALUES ($1, $2, $3, $4, $5)",
            args![id.0, clinic.0, supervisor.0, comment, at],
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => refused("note-already-signed-off"),
            other => other,
        })?;
        let out = self
            .note_by_id(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn save_process_note(
        &self,
        clinic: ClinicId,
        d: &ProcessNoteDraft,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<ProcessNote> {
        let mut tx = self.write().await?;
        let text = self
            .seal(
                &mut tx,
                Some(clinic),
                FieldRef::new("process_notes", "text", d.id.0),
                &d.text,
            )
            .await?;
        if expected_version == 0 {
            self.ensure_client(&mut tx, clinic, d.client).await?;
            if let Some(course) = d.course {
                let (client, _) = self.course_head(&mut tx, clinic, course).await?;
                if client != d.client {
                    return Err(StoreError::NotFound);
                }
                self.ensure_session_of(&mut tx, clinic, course, d.session)
                    .await?;
            }
            tx.exec(
                "INSERT INTO process_notes (id, clinic_id, client_id, course_id, session_id, author_id, text, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
                args![d.id.0, clinic.0, d.client.0, d.course.map(|c| c.0), d.session.map(|s| s.0), d.author.0, text, d.at],
            )
            .await?;
        } else {
            let n = tx
                .exec(
                    "UPDATE process_notes SET text = $1, version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND clinic_id = $4 AND author_id = $5 AND client_id = $6 AND version = $7",
                    args![text, d.at, d.id.0, clinic.0, d.author.0, d.client.0, expected_version],
                )
                .await?;
            if n != 1 {
                let r = tx
                    .row(
                        "SELECT version FROM process_notes WHERE id = $1 AND clinic_id = $2 AND author_id = $3",
                        args![d.id.0, clinic.0, d.author.0],
                    )
                    .await?;
                return Err(match r {
                    Some(r) => StoreError::VersionConflict {
                        current: r.int("version")?,
                    },
                    None => StoreError::NotFound,
                });
            }
        }
        let r = tx
            .row(
                "SELECT id, client_id, course_id, session_id, author_id, text, version, created_at, updated_at FROM process_notes \
                 WHERE id = $1 AND clinic_id = $2 AND author_id = $3",
                args![d.id.0, clinic.0, d.author.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let out = self.process_note_from(&mut tx, &r).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn process_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        author: UserId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<ProcessNote>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, client_id, course_id, session_id, author_id, text, version, created_at, updated_at FROM process_notes \
                 WHERE clinic_id = $1 AND client_id = $2 AND author_id = $3 ORDER BY created_at, id",
                args![clinic.0, client.0, author.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.process_note_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- inventory ---------------------------------------------------------------------------

    async fn add_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        person: &Person,
        by: UserId,
        at: OffsetDateTime,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<Uuid>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<Uuid>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        self.ensure_client(&mut tx, clinic, client).await?;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("inventory_people", "body", person.id),
                person,
            )
            .await?;
        tx.exec(
            "INSERT INTO inventory_people (id, clinic_id, client_id, body, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6)",
            args![person.id, clinic.0, client.0, body, by.0, at],
        )
        .await?;
        self.idem_record(&mut tx, idem, &person.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(person.id))
    }

    async fn update_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        person: &Person,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Record<Person>> {
        let mut tx = self.write().await?;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("inventory_people", "body", person.id),
                person,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE inventory_people SET body = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND clinic_id = $4 AND client_id = $5 AND version = $6 AND removed_at IS NULL",
                args![body, at, person.id, clinic.0, client.0, expected_version],
            )
            .await?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM inventory_people WHERE id = $1 AND clinic_id = $2 AND removed_at IS NULL",
                    person.id,
                    clinic,
                )
                .await);
        }
        let r = tx
            .row(
                "SELECT id, body, version, created_by, created_at, updated_at, removed_at FROM inventory_people WHERE id = $1 AND clinic_id = $2",
                args![person.id, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let out = self.person_from(&mut tx, &r).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn remove_person(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE inventory_people SET removed_at = $1, version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND clinic_id = $3 AND client_id = $4 AND version = $5 AND removed_at IS NULL",
                args![at, id, clinic.0, client.0, expected_version],
            )
            .await?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM inventory_people WHERE id = $1 AND clinic_id = $2 AND removed_at IS NULL",
                    id,
                    clinic,
                )
                .await);
        }
        self.finish(tx, audit).await
    }

    async fn people(
        &self,
        clinic: ClinicId,
        client: ClientId,
        include_removed: bool,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Record<Person>>> {
        let mut tx = self.write().await?;
        let out = self
            .people_rows(&mut tx, clinic, client, include_removed)
            .await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn inventory_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<(InventoryNotes, i64)> {
        let mut tx = self.write().await?;
        self.ensure_client(&mut tx, clinic, client).await?;
        let out = self.inventory_notes_row(&mut tx, clinic, client).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn save_inventory_notes(
        &self,
        clinic: ClinicId,
        client: ClientId,
        notes: &InventoryNotes,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<i64> {
        let mut tx = self.write().await?;
        self.ensure_client(&mut tx, clinic, client).await?;
        let (_, current) = self.inventory_notes_row(&mut tx, clinic, client).await?;
        if current != expected_version {
            return Err(StoreError::VersionConflict { current });
        }
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("inventory_notes", "body", client.0),
                notes,
            )
            .await?;
        if current == 0 {
            tx.exec(
                "INSERT INTO inventory_notes (client_id, clinic_id, body, version, updated_at) VALUES ($1, $2, $3, 1, $4)",
                args![client.0, clinic.0, body, at],
            )
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(_) => StoreError::VersionConflict { current: 1 },
                other => other,
            })?;
        } else {
            let n = tx
                .exec(
                    "UPDATE inventory_notes SET body = $1, version = version + 1, updated_at = $2 \
                     WHERE client_id = $3 AND clinic_id = $4 AND version = $5",
                    args![body, at, client.0, clinic.0, expected_version],
                )
                .await?;
            if n != 1 {
                return Err(StoreError::VersionConflict { current });
            }
        }
        self.finish(tx, audit).await?;
        Ok(current + 1)
    }

    async fn take_snapshot(
        &self,
        s: NewSnapshot,
        audit: &[AuditEvent],
    ) -> StoreResult<InventorySnapshot> {
        let mut tx = self.write().await?;
        let (client, _) = self.course_head(&mut tx, s.clinic, s.course).await?;
        if client != s.client {
            return Err(StoreError::NotFound);
        }
        let people = self
            .people_rows(&mut tx, s.clinic, s.client, false)
            .await?
            .into_iter()
            .map(|r| r.value)
            .collect();
        let (notes, _) = self
            .inventory_notes_row(&mut tx, s.clinic, s.client)
            .await?;
        let inventory = Inventory {
            people,
            completed_at: notes.completed_at,
            clinician_summary: notes.clinician_summary,
            who_is_missing: notes.who_is_missing,
        };
        let custom_label = match &s.label {
            SnapshotLabel::Custom(t) => Some(t.clone()),
            _ => None,
        };
        let body = self
            .seal_json(
                &mut tx,
                s.clinic,
                FieldRef::new("inventory_snapshots", "body", s.id),
                &SnapshotBody {
                    custom_label,
                    inventory: inventory.clone(),
                },
            )
            .await?;
        tx.exec(
            "INSERT INTO inventory_snapshots (id, clinic_id, client_id, course_id, label, body, taken_by, taken_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![s.id, s.clinic.0, s.client.0, s.course.0, s.label.code(), body, s.taken_by.0, s.taken_at],
        )
        .await?;
        self.finish(tx, audit).await?;
        Ok(InventorySnapshot {
            id: s.id,
            client: s.client,
            course: s.course,
            label: s.label,
            taken_at: truncate_to_micros(s.taken_at),
            taken_by: s.taken_by,
            inventory,
        })
    }

    async fn snapshots(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<InventorySnapshot>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, client_id, course_id, label, body, taken_by, taken_at FROM inventory_snapshots \
                 WHERE course_id = $1 AND clinic_id = $2 ORDER BY taken_at, id",
                args![course.0, clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.snapshot_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- timeline ----------------------------------------------------------------------------

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
    ) -> StoreResult<Written<Uuid>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<Uuid>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        self.ensure_client(&mut tx, clinic, client).await?;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("timeline_entries", "body", id),
                entry,
            )
            .await?;
        tx.exec(
            "INSERT INTO timeline_entries (id, clinic_id, client_id, kind, body, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7)",
            args![id, clinic.0, client.0, entry.kind(), body, by.0, at],
        )
        .await?;
        self.idem_record(&mut tx, idem, &id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(id))
    }

    async fn update_timeline_entry(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        entry: &TimelineEntry,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Record<TimelineEntry>> {
        let mut tx = self.write().await?;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("timeline_entries", "body", id),
                entry,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE timeline_entries SET body = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND clinic_id = $4 AND client_id = $5 AND kind = $6 AND version = $7 AND removed_at IS NULL",
                args![body, at, id, clinic.0, client.0, entry.kind(), expected_version],
            )
            .await?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM timeline_entries WHERE id = $1 AND clinic_id = $2 AND removed_at IS NULL",
                    id,
                    clinic,
                )
                .await);
        }
        let out = self.entry_row(&mut tx, clinic, id).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn remove_timeline_entry(
        &self,
        clinic: ClinicId,
        client: ClientId,
        id: Uuid,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE timeline_entries SET removed_at = $1, version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND clinic_id = $3 AND client_id = $4 AND version = $5 AND removed_at IS NULL",
                args![at, id, clinic.0, client.0, expected_version],
            )
            .await?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM timeline_entries WHERE id = $1 AND clinic_id = $2 AND removed_at IS NULL",
                    id,
                    clinic,
                )
                .await);
        }
        self.finish(tx, audit).await
    }

    async fn set_onset(
        &self,
        clinic: ClinicId,
        client: ClientId,
        onset: Option<&Onset>,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<i64> {
        let mut tx = self.write().await?;
        self.ensure_client(&mut tx, clinic, client).await?;
        let body = match onset {
            Some(o) => Some(
                self.seal_json(
                    &mut tx,
                    clinic,
                    FieldRef::new("timeline_onsets", "body", client.0),
                    o,
                )
                .await?,
            ),
            None => None,
        };
        let current = tx
            .row(
                "SELECT version FROM timeline_onsets WHERE client_id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
            .map(|r| r.int("version"))
            .transpose()?
            .unwrap_or(0);
        if current != expected_version {
            return Err(StoreError::VersionConflict { current });
        }
        if current == 0 {
            tx.exec(
                "INSERT INTO timeline_onsets (client_id, clinic_id, body, version, updated_at) VALUES ($1, $2, $3, 1, $4)",
                args![client.0, clinic.0, body, at],
            )
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(_) => StoreError::VersionConflict { current: 1 },
                other => other,
            })?;
        } else {
            let n = tx
                .exec(
                    "UPDATE timeline_onsets SET body = $1, version = version + 1, updated_at = $2 \
                     WHERE client_id = $3 AND clinic_id = $4 AND version = $5",
                    args![body, at, client.0, clinic.0, expected_version],
                )
                .await?;
            if n != 1 {
                return Err(StoreError::VersionConflict { current });
            }
        }
        self.finish(tx, audit).await?;
        Ok(current + 1)
    }

    async fn timeline(
        &self,
        clinic: ClinicId,
        client: ClientId,
        include_removed: bool,
        audit: &[AuditEvent],
    ) -> StoreResult<StoredTimeline> {
        let mut tx = self.write().await?;
        let mut out = StoredTimeline::default();
        if let Some(r) = tx
            .row(
                "SELECT body, version, updated_at FROM timeline_onsets WHERE client_id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
        {
            out.onset_version = r.int("version")?;
            out.onset_updated_at = Some(r.time("updated_at")?);
            if let Some(b) = r.opt_bytes("body")? {
                out.onset = Some(
                    self.open_json(&mut tx, FieldRef::new("timeline_onsets", "body", client.0), &b)
                        .await?,
                );
            }
        }
        let rows = tx
            .rows(
                "SELECT id, body, version, created_by, created_at, updated_at, removed_at FROM timeline_entries \
                 WHERE clinic_id = $1 AND client_id = $2 AND (removed_at IS NULL OR $3) ORDER BY created_at, id",
                args![clinic.0, client.0, include_removed],
            )
            .await?;
        for r in &rows {
            out.entries.push(self.entry_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- formulation -------------------------------------------------------------------------

    async fn save_formulation(
        &self,
        clinic: ClinicId,
        course: CourseId,
        f: &Formulation,
        at_session: Option<u32>,
        expected_revision: i64,
        by: UserId,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<FormulationRevision> {
        let mut tx = self.write().await?;
        self.course_head(&mut tx, clinic, course).await?;
        let current = tx
            .row(
                "SELECT COALESCE(MAX(revision), 0) AS r FROM formulations WHERE course_id = $1 AND clinic_id = $2",
                args![course.0, clinic.0],
            )
            .await?
            .map(|r| r.int("r"))
            .transpose()?
            .unwrap_or(0);
        if current != expected_revision {
            return Err(StoreError::VersionConflict { current });
        }
        let revision = current + 1;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("formulations", "body", formulation_row_id(course, revision)),
                f,
            )
            .await?;
        let primary = f.areas.iter().find(|a| a.primary).map(|a| a.area.as_str());
        tx.exec(
            "INSERT INTO formulations (course_id, revision, clinic_id, primary_area, at_session, body, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![course.0, revision, clinic.0, primary, at_session.map(num), body, by.0, at],
        )
        .await
        .map_err(|e| match e {
            // A concurrent save took this revision number first.
            StoreError::Duplicate(_) => StoreError::VersionConflict { current: revision },
            other => other,
        })?;
        let out = self
            .formulation_rows(&mut tx, clinic, course)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

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
    ) -> StoreResult<FormulationRevision> {
        let mut tx = self.write().await?;
        let all = self.formulation_rows(&mut tx, clinic, course).await?;
        let Some(rev) = all.iter().find(|r| r.revision == revision) else {
            return Err(StoreError::NotFound);
        };
        if rev.agreement.is_some() {
            return Err(refused("formulation-already-agreed"));
        }
        tx.exec(
            "INSERT INTO formulation_agreements (course_id, revision, clinic_id, agreed_on, at_session, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![course.0, revision, clinic.0, agreed_on, num(at_session), by.0, at],
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => refused("formulation-already-agreed"),
            other => other,
        })?;
        let out = self
            .formulation_rows(&mut tx, clinic, course)
            .await?
            .into_iter()
            .find(|r| r.revision == revision)
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn formulations(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<FormulationRevision>> {
        let mut tx = self.write().await?;
        let out = self.formulation_rows(&mut tx, clinic, course).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- goals -------------------------------------------------------------------------------

    async fn add_goal(
        &self,
        g: NewGoal,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<GoalId>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<GoalId>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        self.course_head(&mut tx, g.clinic, g.course).await?;
        let body = self
            .seal_json(
                &mut tx,
                g.clinic,
                FieldRef::new("goals", "body", g.id.0),
                &g.content,
            )
            .await?;
        tx.exec(
            "INSERT INTO goals (id, clinic_id, course_id, status, body, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'active', $4, 1, $5, $6, $6)",
            args![g.id.0, g.clinic.0, g.course.0, body, g.created_by.0, g.at],
        )
        .await?;
        self.idem_record(&mut tx, idem, &g.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(g.id))
    }

    async fn update_goal(
        &self,
        clinic: ClinicId,
        id: GoalId,
        content: &GoalContent,
        status: GoalStatus,
        expected_version: i64,
        at: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<Goal> {
        let mut tx = self.write().await?;
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("goals", "body", id.0),
                content,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE goals SET body = $1, status = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND clinic_id = $5 AND version = $6",
                args![body, status.code(), at, id.0, clinic.0, expected_version],
            )
            .await?;
        if n != 1 {
            return Err(self
                .stale(
                    &mut tx,
                    "SELECT version FROM goals WHERE id = $1 AND clinic_id = $2",
                    id.0,
                    clinic,
                )
                .await);
        }
        let r = tx
            .row(
                "SELECT id, course_id, status, body, version, created_by, created_at, updated_at FROM goals WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let out = self.goal_from(&mut tx, &r).await?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn goals(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Goal>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, course_id, status, body, version, created_by, created_at, updated_at FROM goals \
                 WHERE course_id = $1 AND clinic_id = $2 ORDER BY created_at, id",
                args![course.0, clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.goal_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    // --- worksheets --------------------------------------------------------------------------

    async fn create_worksheet(
        &self,
        w: NewWorksheet,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<WorksheetId>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<WorksheetId>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        let (client, _) = self.course_head(&mut tx, w.clinic, w.course).await?;
        if client != w.client {
            return Err(StoreError::NotFound);
        }
        self.ensure_session_of(&mut tx, w.clinic, w.course, w.session)
            .await?;
        let body = self
            .seal_json(
                &mut tx,
                w.clinic,
                FieldRef::new("worksheets", "body", w.id.0),
                &w.content,
            )
            .await?;
        tx.exec(
            "INSERT INTO worksheets (id, clinic_id, client_id, course_id, session_id, kind, definition_version, status, visibility, \
             created_by, created_by_role, due_on, body, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11, $12, 1, $13, $13)",
            args![
                w.id.0,
                w.clinic.0,
                w.client.0,
                w.course.0,
                w.session.map(|s| s.0),
                w.kind.as_str(),
                w.definition_version.as_str(),
                code_of(&w.visibility)?,
                w.created_by.0,
                code_of(&w.created_by_role)?,
                w.due_on,
                body,
                w.at
            ],
        )
        .await?;
        self.idem_record(&mut tx, idem, &w.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(w.id))
    }

    async fn update_worksheet(
        &self,
        clinic: ClinicId,
        id: WorksheetId,
        u: &WorksheetUpdate,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Worksheet> {
        let mut tx = self.write().await?;
        let current = self
            .worksheet_row(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::VersionConflict {
                current: current.version,
            });
        }
        self.ensure_session_of(&mut tx, clinic, current.course, u.session)
            .await?;
        self.ensure_session_of(&mut tx, clinic, current.course, u.reviewed_at_session)
            .await?;
        let completed_at = match (current.completed_at, u.status) {
            (_, WorksheetStatus::Draft) => None,
            (Some(t), _) => Some(t),
            (None, _) => Some(u.at),
        };
        let body = self
            .seal_json(
                &mut tx,
                clinic,
                FieldRef::new("worksheets", "body", id.0),
                &u.content,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE worksheets SET status = $1, visibility = $2, session_id = $3, due_on = $4, reviewed_session_id = $5, \
                 body = $6, completed_at = $7, version = version + 1, updated_at = $8 \
                 WHERE id = $9 AND clinic_id = $10 AND version = $11",
                args![
                    u.status.code(),
                    code_of(&u.visibility)?,
                    u.session.map(|s| s.0),
                    u.due_on,
                    u.reviewed_at_session.map(|s| s.0),
                    body,
                    completed_at,
                    u.at,
                    id.0,
                    clinic.0,
                    expected_version
                ],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::VersionConflict {
                current: current.version,
            });
        }
        let out = self
            .worksheet_row(&mut tx, clinic, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn worksheet(
        &self,
        clinic: ClinicId,
        id: WorksheetId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Worksheet>> {
        let mut tx = self.write().await?;
        let w = self.worksheet_row(&mut tx, clinic, id).await?;
        if w.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(w)
    }

    async fn worksheets(
        &self,
        clinic: ClinicId,
        course: CourseId,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Worksheet>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, client_id, course_id, session_id, kind, definition_version, status, visibility, created_by, \
                 created_by_role, due_on, reviewed_session_id, body, version, created_at, updated_at, completed_at \
                 FROM worksheets WHERE course_id = $1 AND clinic_id = $2 ORDER BY created_at, id",
                args![course.0, clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.worksheet_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn worksheets_due(
        &self,
        clinic: ClinicId,
        course: CourseId,
        by: Date,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<Worksheet>> {
        let mut tx = self.write().await?;
        let rows = tx
            .rows(
                "SELECT id, client_id, course_id, session_id, kind, definition_version, status, visibility, created_by, \
                 created_by_role, due_on, reviewed_session_id, body, version, created_at, updated_at, completed_at \
                 FROM worksheets WHERE course_id = $1 AND clinic_id = $2 AND status = 'draft' AND due_on IS NOT NULL AND due_on <= $3 \
                 ORDER BY due_on, created_at, id",
                args![course.0, clinic.0, by],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.worksheet_from(&mut tx, r).await?);
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":2,"x":1}],"c":"é"}}"#).unwrap();
        let mut out = String::new();
        canonical_json(&a, &mut out);
        assert_eq!(out, r#"{"a":{"c":"é","z":[{"x":1,"y":2}]},"b":1}"#);
    }

    #[test]
    fn formulation_row_ids_differ_by_revision() {
        let c = CourseId(Uuid::now_v7());
        assert_ne!(formulation_row_id(c, 1), formulation_row_id(c, 2));
        assert_eq!(formulation_row_id(c, 3), formulation_row_id(c, 3));
    }
}
