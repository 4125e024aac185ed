//! `/api/v1/clients/{id}/courses`, `/api/v1/courses/{id}` and its sessions: the same policy and
//! audit as the course pages. Engine output is given as stable codes with its data; protocol
//! labels come in every language Kith has.

use super::clients::{CreatedDoc, idempotency};
use super::{LocalizedText, ProblemDoc, localized};
use crate::errors::ApiResult;
use crate::forms::ApiJson;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use kith_app::courses::{CourseView, MeasureBrief};
use kith_app::{AppError, Ctx};
use kith_domain::course::{ContractLength, Warning};
use kith_domain::ids::{ClientId, CourseId};
use kith_domain::protocol::Protocol;
use kith_store::{Course, CourseSession, TaskEvidence};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

fn code<T: Serialize>(v: &T) -> String {
    crate::pages::course_words::code_of(v)
}

fn protocol_of(s: &AppState, c: &Course) -> ApiResult<Protocol> {
    s.app
        .protocols()
        .get(&c.protocol_id)
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("protocol {} missing", c.protocol_id)).into())
}

/// One course of a client, as listed.
#[derive(Serialize, ToSchema)]
pub struct CourseSummaryDoc {
    pub id: String,
    /// Protocol id, e.g. `ipt`, `ipt-a`, `dit`.
    pub protocol: String,
    pub protocol_title: LocalizedText,
    /// `open` or `closed`.
    pub status: String,
    /// How a closed course ended: `ended`, `continuation` or `maintenance`.
    pub outcome: Option<String>,
    /// The phase of the latest session used (open courses).
    pub phase: Option<String>,
    /// Sessions used so far and the contract's length (`null`: open-ended).
    pub used: Option<u32>,
    pub sessions: Option<u32>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
}

/// A client's courses, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/courses", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    responses(
        (status = 200, body = [CourseSummaryDoc]),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CourseSummaryDoc>>> {
    let client: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    let courses = s.app.courses(&ctx, client).await?;
    let mut out = Vec::new();
    for c in courses.iter().rev() {
        let p = protocol_of(&s, c)?;
        let (phase, used) = if c.status == kith_store::CourseStatus::Open {
            let v = s.app.course_view(&ctx, c.id).await?;
            (v.review.current_phase.clone(), Some(v.review.used))
        } else {
            (None, None)
        };
        out.push(CourseSummaryDoc {
            id: c.id.to_string(),
            protocol: c.protocol_id.clone(),
            protocol_title: localized(p.title()),
            status: code(&c.status),
            outcome: c.outcome.map(|o| o.code().to_string()),
            phase,
            used,
            sessions: c.contract.sessions.count(),
            opened_at: c.opened_at,
            closed_at: c.closed_at,
        });
    }
    Ok(Json(out))
}

/// A course to open. Unknown fields are refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCourseDoc {
    /// Protocol id: `ipt`, `ipt-b`, `ipt-a`, `ipt-g`, `ipc`, `ipt-m`, `ipsrt`, `pa-ipt` or `dit`.
    pub protocol: String,
    /// Agreed number of sessions; the protocol's usual length when left out. Must lie within
    /// the protocol's range.
    #[serde(default)]
    pub sessions: Option<u32>,
    /// No agreed last session (open-ended protocols only: `ipt-m`, `ipsrt`).
    #[serde(default)]
    pub open_ended: bool,
}

/// Opens a course for a client. A client has at most one open course (a second is refused with
/// 422 `course-already-open`). With an `Idempotency-Key` header a retried request opens
/// nothing new and answers as the first one did.
#[utoipa::path(post, path = "/api/v1/clients/{id}/courses", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to repeat (up to 200 characters).")),
    request_body = NewCourseDoc,
    responses(
        (status = 201, body = CreatedDoc),
        (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 415, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn open(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body, raw): ApiJson<NewCourseDoc>,
) -> ApiResult<Response> {
    let client: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    let idem = idempotency(
        &s,
        &ctx,
        &headers,
        "POST /api/v1/clients/{id}/courses",
        &raw,
    )?;
    let sessions = if body.open_ended {
        Some(ContractLength::Open)
    } else {
        body.sessions.map(ContractLength::Sessions)
    };
    let written = s
        .app
        .open_course(&ctx, client, body.protocol.trim(), sessions, idem)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDoc {
            id: written.value().to_string(),
        }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ProtocolRefDoc {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
}

/// Where the course stands: the next session, the contract's length, sessions used and left.
#[derive(Serialize, ToSchema)]
pub struct ProgressDoc {
    /// The next session's number (0: the preparatory meeting).
    pub next_session: u32,
    /// The contract's length (`null`: open-ended).
    pub of: Option<u32>,
    pub used: u32,
    pub remaining: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ContractChangeDoc {
    pub at_session: u32,
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<String>,
    pub from_sessions: Option<u32>,
    pub to_sessions: Option<u32>,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct ContractDoc {
    /// `null` for an open-ended contract.
    pub sessions: Option<u32>,
    /// `weekly`, `fortnightly`, `monthly` or `flexible`.
    pub frequency: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_end: Option<String>,
    pub focus: String,
    /// `client`, `parent`, `partner`, `group`.
    pub participants: Vec<String>,
    /// The session at which it was agreed (`null` while a draft).
    pub agreed_at_session: Option<u32>,
    /// Every explicit change, oldest first.
    pub changes: Vec<ContractChangeDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaTaskDoc {
    pub id: String,
    pub label: LocalizedText,
    pub required: bool,
    pub every_session: bool,
    pub phase: Option<String>,
    /// It was due at an earlier session and is still not done.
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MeasureDueDoc {
    pub instrument: String,
    /// Cadence codes: `baseline`, `every-session`, `every-4`, `mid`, `end`.
    pub because: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaStrategyDoc {
    pub area: String,
    pub primary: bool,
    pub strategy: String,
    pub label: LocalizedText,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDueDoc {
    pub id: String,
    pub label: LocalizedText,
    pub scheduled_at: u32,
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantDoc {
    pub role: String,
    pub optional: bool,
}

/// The engine's agenda for the next session.
#[derive(Serialize, ToSchema)]
pub struct AgendaDoc {
    pub session: u32,
    pub of: Option<u32>,
    pub is_pre: bool,
    pub phase: Option<String>,
    pub beyond_contract: bool,
    pub required_tasks: Vec<AgendaTaskDoc>,
    pub optional_tasks: Vec<AgendaTaskDoc>,
    pub measures_due: Vec<MeasureDueDoc>,
    pub strategies: Vec<AgendaStrategyDoc>,
    /// The ending should be raised at this session.
    pub raise_ending: bool,
    pub decision_points: Vec<DecisionDueDoc>,
    pub participants: Vec<ParticipantDoc>,
    pub remaining_after: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingTaskDoc {
    pub task: String,
    pub label: LocalizedText,
    /// For per-session tasks, the session in which it was missed.
    pub session: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityDoc {
    pub phase: String,
    pub expected: u32,
    pub done: u32,
    /// Share of required tasks done, 0–1 (`null` when nothing was expected yet).
    pub share: Option<f64>,
    pub complete: bool,
    pub missing: Vec<MissingTaskDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct OverdueDoc {
    pub task: String,
    pub phase: String,
    pub due_by: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ChosenAreaDoc {
    pub area: String,
    pub label: LocalizedText,
    pub primary: bool,
    /// For role disputes: `renegotiation`, `impasse` or `dissolution`.
    pub dispute_stage: Option<String>,
    pub rationale: String,
}

#[derive(Serialize, ToSchema)]
pub struct IpafDoc {
    pub summary: String,
    pub self_view: String,
    pub other_view: String,
    pub affect: String,
    pub defence: String,
}

/// The focus of the course: the clinician's choice, and Kith's suggestion with its reasons.
#[derive(Serialize, ToSchema)]
pub struct FocusDoc {
    /// `problem-areas` or `ipaf` (DIT).
    pub kind: String,
    pub chosen: Vec<ChosenAreaDoc>,
    pub ipaf: Option<IpafDoc>,
    /// The formulation revision the focus comes from (0: none yet).
    pub revision: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub agreed_on: Option<String>,
    /// Kith's suggestion (a suggestion, never a decision): `{"focus": "areas", "ranked": [...]}`
    /// with each area's reasons as codes and the people and events they rest on, or
    /// `{"focus": "ipaf", "patterns": [...]}`.
    #[schema(value_type = Object)]
    pub suggestion: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct GoalDoc {
    pub id: String,
    pub text: String,
    pub problem_area: Option<String>,
    /// Inventory people the goal concerns.
    pub people: Vec<String>,
    /// `active`, `achieved`, `partly`, `not-achieved`, `dropped`.
    pub status: String,
    pub review: String,
    pub version: i64,
}

/// One instrument's scores in the course.
#[derive(Serialize, ToSchema)]
pub struct MeasureLineDoc {
    pub instrument: String,
    pub latest_total: Option<String>,
    pub band: Option<String>,
    pub baseline_total: Option<String>,
    pub change_since_baseline: Option<String>,
    pub change: Option<String>,
    /// `null`: the instrument has no safety item.
    pub safety_item_positive: Option<bool>,
    pub count: usize,
}

/// A course as the engine reads it.
#[derive(Serialize, ToSchema)]
pub struct CourseDoc {
    pub id: String,
    pub client_id: String,
    pub protocol: ProtocolRefDoc,
    pub status: String,
    pub outcome: Option<String>,
    /// The phase of the latest session used (`null` before the first).
    pub phase: Option<String>,
    pub progress: ProgressDoc,
    pub contract: ContractDoc,
    pub agenda: AgendaDoc,
    pub overdue: Vec<OverdueDoc>,
    pub fidelity: Vec<FidelityDoc>,
    /// Warnings of the engine: `{"code": "formulation-not-agreed", "session": 4, ...}`.
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<serde_json::Value>,
    pub focus: FocusDoc,
    pub goals: Vec<GoalDoc>,
    pub measures: Vec<MeasureLineDoc>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    /// Give this back when changing the course.
    pub version: i64,
}

fn warning_doc(w: &Warning) -> serde_json::Value {
    serde_json::to_value(w).unwrap_or(serde_json::Value::Null)
}

fn measure_doc(m: &MeasureBrief) -> MeasureLineDoc {
    MeasureLineDoc {
        instrument: m.instrument.clone(),
        latest_total: m.latest_total.clone(),
        band: m.band.clone(),
        baseline_total: m.baseline_total.clone(),
        change_since_baseline: m.change_since_baseline.clone(),
        change: m.change.clone(),
        safety_item_positive: m.safety_item_positive,
        count: m.count,
    }
}

fn course_doc(p: &Protocol, v: &CourseView) -> CourseDoc {
    let c = &v.course;
    let r = &v.review;
    let a = &r.agenda;
    let task = |t: &kith_domain::course::AgendaTask| AgendaTaskDoc {
        id: t.id.clone(),
        label: localized(&t.label),
        required: t.required,
        every_session: t.repeat == kith_domain::protocol::Repeat::EverySession,
        phase: t.phase.clone(),
        late: t.late,
    };
    let task_label = |id: &str| {
        p.all_tasks()
            .find(|t| t.id == id)
            .map(|t| localized(&t.label))
            .unwrap_or_default()
    };
    let latest = v.formulation.as_ref();
    let mut chosen: Vec<&kith_store::ChosenArea> = latest
        .map(|f| f.formulation.areas.iter().collect())
        .unwrap_or_default();
    chosen.sort_by_key(|x| !x.primary);
    CourseDoc {
        id: c.id.to_string(),
        client_id: c.client.to_string(),
        protocol: ProtocolRefDoc {
            id: p.id().to_string(),
            version: c.protocol_version.clone(),
            title: localized(p.title()),
        },
        status: code(&c.status),
        outcome: c.outcome.map(|o| o.code().to_string()),
        phase: r.current_phase.clone(),
        progress: ProgressDoc {
            next_session: a.session,
            of: a.of,
            used: r.used,
            remaining: r.remaining,
        },
        contract: ContractDoc {
            sessions: c.contract.sessions.count(),
            frequency: code(&c.contract.frequency),
            planned_end: c.contract.planned_end.map(|d| d.to_string()),
            focus: c.contract.focus.clone(),
            participants: c.contract.participants.iter().map(code).collect(),
            agreed_at_session: c.contract_agreed_at_session,
            changes: c
                .contract_changes
                .iter()
                .map(|ch| ContractChangeDoc {
                    at_session: ch.at_session,
                    on: ch.on.map(|d| d.to_string()),
                    from_sessions: ch.from.sessions.count(),
                    to_sessions: ch.to.sessions.count(),
                    reason: ch.reason.clone(),
                    at: ch.at,
                })
                .collect(),
        },
        agenda: AgendaDoc {
            session: a.session,
            of: a.of,
            is_pre: a.is_pre,
            phase: a.phase.clone(),
            beyond_contract: a.beyond_contract,
            required_tasks: a.required_tasks.iter().map(task).collect(),
            optional_tasks: a.optional_tasks.iter().map(task).collect(),
            measures_due: a
                .measures_due
                .iter()
                .map(|m| MeasureDueDoc {
                    instrument: m.instrument.clone(),
                    because: m.because.iter().map(|c| c.code()).collect(),
                })
                .collect(),
            strategies: a
                .strategies
                .iter()
                .map(|x| AgendaStrategyDoc {
                    area: x.area.clone(),
                    primary: x.primary,
                    strategy: x.strategy.clone(),
                    label: localized(&x.label),
                })
                .collect(),
            raise_ending: a.raise_ending,
            decision_points: a
                .decision_points
                .iter()
                .map(|d| DecisionDueDoc {
                    id: d.id.clone(),
                    label: localized(&d.label),
                    scheduled_at: d.scheduled_at,
                    late: d.late,
                })
                .collect(),
            participants: a
                .participants
                .iter()
                .map(|x| ParticipantDoc {
                    role: code(&x.role),
                    optional: x.optional,
                })
                .collect(),
            remaining_after: a.remaining_after,
        },
        overdue: r
            .overdue
            .iter()
            .map(|o| OverdueDoc {
                task: o.task.clone(),
                phase: o.phase.clone(),
                due_by: o.due_by,
            })
            .collect(),
        fidelity: r
            .fidelity
            .iter()
            .map(|f| FidelityDoc {
                phase: f.phase.clone(),
                expected: f.expected,
                done: f.done,
                share: f.share().map(|x| (x * 1000.0).round() / 1000.0),
                complete: f.complete,
                missing: f
                    .missing
                    .iter()
                    .map(|m| MissingTaskDoc {
                        task: m.task.clone(),
                        label: task_label(&m.task),
                        session: m.session,
                    })
                    .collect(),
            })
            .collect(),
        warnings: r.warnings.iter().map(warning_doc).collect(),
        focus: FocusDoc {
            kind: code(&p.focus()),
            chosen: chosen
                .iter()
                .map(|x| ChosenAreaDoc {
                    area: x.area.clone(),
                    label: p
                        .problem_area(&x.area)
                        .map(|d| localized(&d.label))
                        .unwrap_or_default(),
                    primary: x.primary,
                    dispute_stage: x.dispute_stage.map(|s| s.code().to_string()),
                    rationale: x.rationale.clone(),
                })
                .collect(),
            ipaf: latest
                .and_then(|f| f.formulation.ipaf.as_ref())
                .map(|i| IpafDoc {
                    summary: i.summary.clone(),
                    self_view: i.self_view.clone(),
                    other_view: i.other_view.clone(),
                    affect: i.affect.clone(),
                    defence: i.defence.clone(),
                }),
            revision: latest.map_or(0, |f| f.revision),
            agreed_on: latest
                .and_then(|f| f.agreement.as_ref())
                .map(|x| x.agreed_on.to_string()),
            suggestion: serde_json::to_value(&v.suggestion).unwrap_or(serde_json::Value::Null),
        },
        goals: v
            .goals
            .iter()
            .map(|g| GoalDoc {
                id: g.id.to_string(),
                text: g.content.text.clone(),
                problem_area: g.content.problem_area.clone(),
                people: g.content.people.iter().map(|x| x.to_string()).collect(),
                status: g.status.code().to_string(),
                review: g.content.review.clone(),
                version: g.version,
            })
            .collect(),
        measures: v.measures.iter().map(measure_doc).collect(),
        opened_at: c.opened_at,
        version: c.version,
    }
}

/// A course: protocol, phase, session n of N, the engine's agenda for the next session,
/// fidelity per phase, warnings, the focus (chosen problem areas or IPAF, and Kith's suggestion
/// with its reasons), goals and scores.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Course id")),
    responses(
        (status = 200, body = CourseDoc),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_one(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<CourseDoc>> {
    let id: CourseId = id.parse().map_err(|_| AppError::NotFound)?;
    let view = s.app.course_view(&ctx, id).await?;
    let p = protocol_of(&s, &view.course)?;
    Ok(Json(course_doc(&p, &view)))
}

#[derive(Serialize, ToSchema)]
pub struct TaskDoneDoc {
    pub task: String,
    /// `ticked` by hand, or `note` (evidenced by a section of the signed note).
    pub evidence: String,
    pub section: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct SessionDoc {
    pub id: String,
    /// Place in the contract (0: the preparatory meeting).
    pub number: u32,
    /// `held`, `missed`, `cancelled` or `scheduled`.
    pub status: String,
    /// The phase the engine placed the session in when it was held.
    pub phase: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub scheduled_for: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub held_at: Option<OffsetDateTime>,
    /// Reason code of a missed or cancelled session.
    pub reason: Option<String>,
    pub tasks: Vec<TaskDoneDoc>,
    pub version: i64,
}

fn session_doc(x: &CourseSession) -> SessionDoc {
    SessionDoc {
        id: x.id.to_string(),
        number: x.number,
        status: code(&x.status),
        phase: x.phase.clone(),
        scheduled_for: x.scheduled_for,
        held_at: x.held_at,
        reason: x.reason.clone(),
        tasks: x
            .tasks
            .iter()
            .map(|t| TaskDoneDoc {
                task: t.task.clone(),
                evidence: match &t.evidence {
                    TaskEvidence::Ticked => "ticked".into(),
                    TaskEvidence::Note { .. } => "note".into(),
                },
                section: match &t.evidence {
                    TaskEvidence::Note { section } => Some(section.clone()),
                    TaskEvidence::Ticked => None,
                },
                at: t.at,
            })
            .collect(),
        version: x.version,
    }
}

/// The sessions of a course, in order.
#[utoipa::path(get, path = "/api/v1/courses/{id}/sessions", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Course id")),
    responses(
        (status = 200, body = [SessionDoc]),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn sessions(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SessionDoc>>> {
    let id: CourseId = id.parse().map_err(|_| AppError::NotFound)?;
    let mut list = s.app.sessions(&ctx, id).await?;
    list.sort_by_key(|x| (x.number, x.scheduled_for));
    Ok(Json(list.iter().map(session_doc).collect()))
}
