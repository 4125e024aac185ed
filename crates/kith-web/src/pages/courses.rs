//! A client's course of IPT: opening it from the client page, the course page (the clinician's
//! home for the course: phase, session n of N, the engine's agenda, fidelity, warnings, alerts and
//! scores), the intake, and the treatment contract with its renegotiations.
//!
//! Every part of the course is at most two clicks from the course page: the course navigation
//! (`courses/_nav.html`) is on every course page, and each section of the course page links to
//! the page where it is edited.

use super::course_words::{Names, Words, code_of, frequency_code, participant_code};
use super::formulation::{SuggestionView, suggestion_view};
use super::{Chrome, FormErrors, form_errors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::courses::{ContractInput, CourseView, course_submissions, session_number};
use kith_app::secrets::{body_hash, new_token};
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::course::{ContractLength, SessionStatus};
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, CourseId};
use kith_domain::locale::Locale;
use kith_domain::measure::ScorePoint;
use kith_domain::protocol::{FocusKind, Frequency, ParticipantRole, Protocol};
use kith_domain::timeline::Onset;
use kith_report::ChartEvent;
use kith_store::{
    ConcurrentMedication, Course, CourseStatus, Diagnosis, Idempotency, Intake,
    MedicationAssessment, MedicationNeed, ReferralDecision, SickRole, TimelineEntry,
};
use serde::Deserialize;
use time::Date;

// ---------------------------------------------------------------------------------------------
// Shared by every course page.

/// The top of every course page: whose course, which protocol, and the course navigation.
pub struct CourseHead {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub protocol: String,
    pub status: String,
    pub open: bool,
    /// Which part of the course this page is (`overview`, `intake`, `contract`, `formulation`,
    /// `inventory`, `timeline`), for the navigation.
    pub section: &'static str,
    /// The course uses an IPAF (DIT) rather than problem areas.
    pub ipaf: bool,
}

/// A course as every course page loads it.
pub struct Loaded {
    pub course: Course,
    pub protocol: Protocol,
    pub head: CourseHead,
}

/// Loads a course the caller may see (anything else is "not found") with its protocol and the
/// page head.
pub async fn load(
    s: &AppState,
    ctx: &Ctx,
    t: &Tr,
    id: CourseId,
    section: &'static str,
) -> Result<Loaded, PageError> {
    let course = s.app.course(ctx, id).await?;
    let client = s.app.client(ctx, course.client).await?;
    let protocol = s
        .app
        .protocols()
        .get(&course.protocol_id)
        .cloned()
        .ok_or(PageError(WebError::App(AppError::NotFound)))?;
    let w = Words::new(*t, &protocol);
    let head = CourseHead {
        id: course.id.to_string(),
        client_id: client.id.to_string(),
        client_name: client.display_name,
        protocol: protocol.title().get(t.locale).to_string(),
        status: w.course_status(course.status, course.outcome),
        open: course.status == CourseStatus::Open,
        section,
        ipaf: protocol.focus() == FocusKind::Ipaf,
    };
    Ok(Loaded {
        course,
        protocol,
        head,
    })
}

/// Parses the course id of a URL (malformed: not found).
pub fn course_id(raw: &str) -> Result<CourseId, PageError> {
    parse_id(raw)
}

/// A form that failed: its errors, and the status to answer with (409 when someone else saved
/// first, 422 otherwise).
pub fn failed(t: &Tr, e: AppError) -> Result<(StatusCode, FormErrors), PageError> {
    let status = if matches!(e, AppError::Conflict { .. }) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, form_errors(t, e)?))
}

/// The idempotency key of a create form (a hidden field made when the form was rendered).
pub fn page_idempotency(
    s: &AppState,
    ctx: &Ctx,
    route: &'static str,
    key: &str,
    body: &str,
) -> Option<Idempotency> {
    (!key.is_empty() && key.len() <= 200).then(|| Idempotency {
        user: ctx.user.id,
        route,
        key: key.to_string(),
        request_hash: body_hash(body.as_bytes()),
        at: s.app.now(),
    })
}

/// Reads an optional `YYYY-MM-DD` field; a value that is not a date is a field error.
pub fn opt_date(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, "field-not-a-date"));
            None
        }
    }
}

/// Reads an optional whole number; anything else is a field error.
pub fn opt_number<T: std::str::FromStr>(
    field: &str,
    raw: &str,
    errs: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "field-not-a-number"));
            None
        }
    }
}

/// Reads a required session number (the session at which something was agreed).
pub fn session_field(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> u32 {
    match opt_number::<u32>(field, raw, errs) {
        Some(n) => n,
        None => {
            if raw.trim().is_empty() {
                errs.push(FieldError::new(field, "field-required"));
            }
            0
        }
    }
}

/// Reads a version field (missing or malformed: a version no record has, so the save is a
/// conflict rather than a silent overwrite).
pub fn version_of(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(-1)
}

/// The session the clinician is most likely recording at: the last one held, else the next.
pub fn current_session(view: &CourseView) -> u32 {
    view.sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Held)
        .map(|s| s.number)
        .max()
        .unwrap_or(view.review.agenda.session)
}

/// An option of a select or a radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn choices<T: Copy + PartialEq + serde::Serialize>(
    all: &[T],
    current: Option<T>,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code_of(v),
            label: label(*v),
            selected: current == Some(*v),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The client page's "Courses" section and opening a course.

pub struct CourseRow {
    pub id: String,
    pub protocol: String,
    pub status: String,
    pub phase: String,
    pub progress: String,
    pub opened: String,
}

pub struct ProtocolChoice {
    pub id: String,
    pub title: String,
    pub description: String,
    pub shape: String,
    pub checked: bool,
}

#[derive(Default)]
pub struct OpenFields {
    pub protocol: String,
    pub sessions: String,
    pub open_ended: bool,
}

/// What the client page shows about courses (clinicians and supervisors only).
pub struct ClientCourses {
    pub client_id: String,
    pub rows: Vec<CourseRow>,
    pub protocols: Vec<ProtocolChoice>,
    /// A client has at most one open course.
    pub has_open: bool,
    pub form: OpenFields,
    pub errors: FormErrors,
    pub idempotency_key: String,
}

fn protocol_shape(t: &Tr, p: &Protocol) -> String {
    let s = p.sessions();
    if p.is_open_ended() {
        t.with1("course-open-shape-open", "default", s.default)
    } else if s.min == s.max {
        t.with1("course-open-shape-fixed", "default", s.default)
    } else {
        t.with(
            "course-open-shape-range",
            &[
                ("default", s.default.to_string()),
                ("min", s.min.to_string()),
                ("max", s.max.to_string()),
            ],
        )
    }
}

/// The "Courses" section of the client page: `None` for people who do not see clinical records.
pub async fn client_courses(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
) -> Result<Option<ClientCourses>, PageError> {
    client_courses_with(
        s,
        ctx,
        locale,
        client,
        OpenFields::default(),
        FormErrors::default(),
    )
    .await
}

async fn client_courses_with(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    form: OpenFields,
    errors: FormErrors,
) -> Result<Option<ClientCourses>, PageError> {
    if !matches!(ctx.role(), Some(Role::Clinician | Role::Supervisor)) {
        return Ok(None);
    }
    let t = Tr::new(locale);
    let courses = match s.app.courses(ctx, client).await {
        Ok(c) => c,
        Err(AppError::NotFound | AppError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut rows = Vec::new();
    for c in courses.iter().rev() {
        let Some(protocol) = s.app.protocols().get(&c.protocol_id) else {
            continue;
        };
        let w = Words::new(t, protocol);
        let (phase, progress) = if c.status == CourseStatus::Open {
            let view = s.app.course_view(ctx, c.id).await?;
            let r = &view.review;
            (
                r.current_phase
                    .as_deref()
                    .map(|p| w.phase(p))
                    .unwrap_or_else(|| t.get("course-not-started")),
                progress_text(&t, r.used, r.contract.count()),
            )
        } else {
            (String::new(), String::new())
        };
        rows.push(CourseRow {
            id: c.id.to_string(),
            protocol: protocol.title().get(locale).to_string(),
            status: w.course_status(c.status, c.outcome),
            phase,
            progress,
            opened: t.date(c.opened_at.date()),
        });
    }
    let has_open = courses.iter().any(|c| c.status == CourseStatus::Open);
    let protocols = s
        .app
        .protocols()
        .iter()
        .map(|p| ProtocolChoice {
            id: p.id().to_string(),
            title: p.title().get(locale).to_string(),
            description: p.description().get(locale).to_string(),
            shape: protocol_shape(&t, p),
            checked: form.protocol == p.id(),
        })
        .collect();
    Ok(Some(ClientCourses {
        client_id: client.to_string(),
        rows,
        protocols,
        has_open,
        form,
        errors,
        idempotency_key: new_token(),
    }))
}

/// "3 of 16 sessions used", or "3 sessions held" without an end.
pub fn progress_text(t: &Tr, used: u32, of: Option<u32>) -> String {
    match of {
        Some(n) => t.with2("course-used-of", "used", used, "of", n),
        None => t.with1("course-used-open", "used", used),
    }
}

#[derive(Template)]
#[template(path = "courses/open.html")]
struct OpenPage {
    c: Chrome,
    client_name: String,
    courses: Option<ClientCourses>,
}

async fn open_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    form: OpenFields,
    errors: FormErrors,
) -> Result<OpenPage, PageError> {
    let k = s.app.client(ctx, client).await?;
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "course-open-title");
    Ok(OpenPage {
        c,
        client_name: k.display_name,
        courses: client_courses_with(s, ctx, locale, client, form, errors).await?,
    })
}

/// The form to open a course on its own page (where it comes back with its problems).
pub async fn open_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let client: ClientId = parse_id(&id)?;
    Ok(html(
        &open_page(
            &s,
            &ctx,
            locale,
            client,
            OpenFields::default(),
            FormErrors::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenForm {
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    sessions: String,
    #[serde(default)]
    open_ended: Option<String>,
    #[serde(default)]
    idempotency_key: String,
}

/// Opens a course under the chosen protocol; the contract length is the protocol's unless one
/// is given.
pub async fn open(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<OpenForm>,
) -> PageResult {
    let client: ClientId = parse_id(&id)?;
    let t = Tr::new(locale);
    let mut errs = Vec::new();
    if f.protocol.trim().is_empty() {
        errs.push(FieldError::new("protocol_id", "field-required"));
    }
    let sessions = if f.open_ended.is_some() {
        Some(ContractLength::Open)
    } else {
        opt_number::<u32>("sessions", &f.sessions, &mut errs).map(ContractLength::Sessions)
    };
    let result = if errs.is_empty() {
        let idem = page_idempotency(
            &s,
            &ctx,
            "POST /clients/{id}/courses",
            &f.idempotency_key,
            &format!(
                "{client}\u{0}{}\u{0}{}\u{0}{}",
                f.protocol,
                f.sessions,
                f.open_ended.is_some()
            ),
        );
        s.app
            .open_course(&ctx, client, f.protocol.trim(), sessions, idem)
            .await
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(w) => Ok(see_other(&format!("/courses/{}", w.value()))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let form = OpenFields {
                protocol: f.protocol,
                sessions: f.sessions,
                open_ended: f.open_ended.is_some(),
            };
            Ok(html_status(
                status,
                &open_page(&s, &ctx, locale, client, form, errors).await?,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The course page.

pub struct TaskRow {
    pub label: String,
    pub late: bool,
    pub every_session: bool,
}

pub struct MeasureDueRow {
    pub instrument: String,
    pub because: String,
}

pub struct StrategyRow {
    pub area: String,
    pub label: String,
    pub primary: bool,
}

pub struct DecisionRow {
    pub label: String,
    pub late: bool,
    pub session: u32,
}

/// The engine's agenda for the next session, in words.
pub struct AgendaView {
    pub title: String,
    pub phase: String,
    pub beyond_contract: bool,
    pub required: Vec<TaskRow>,
    pub optional: Vec<TaskRow>,
    pub measures: Vec<MeasureDueRow>,
    pub strategies: Vec<StrategyRow>,
    pub raise_ending: bool,
    pub decisions: Vec<DecisionRow>,
    pub participants: String,
    pub remaining_after: Option<u32>,
}

pub struct FidelityRow {
    pub phase: String,
    pub done: u32,
    pub expected: u32,
    pub share: String,
    pub complete: bool,
    pub missing: Vec<String>,
}

pub struct OverdueRow {
    pub task: String,
    pub phase: String,
    pub due_by: u32,
}

pub struct ChosenAreaRow {
    pub label: String,
    pub primary: bool,
    pub stage: Option<String>,
    pub rationale: String,
}

pub struct GoalRow {
    pub id: String,
    pub text: String,
    pub area: String,
    pub status: String,
}

pub struct AlertRow {
    pub id: String,
    pub tier: String,
    pub tier_code: String,
    pub reasons: String,
    pub raised: String,
    pub escalated: bool,
}

/// One instrument's scores in the course: the latest line and every score, with the chart.
pub struct ScoreBlock {
    pub instrument: String,
    pub instrument_id: String,
    pub latest: String,
    pub band: String,
    pub baseline: String,
    pub change: String,
    pub safety: Option<bool>,
    pub rows: Vec<ScoreRowView>,
    /// Kith's own SVG, or `None` when there is nothing to draw.
    pub chart: Option<String>,
}

pub struct ScoreRowView {
    /// The submission's own page (its answers, flags and alert).
    pub href: String,
    pub date: String,
    pub session: String,
    pub total: String,
    pub band: String,
}

pub struct IntakeView {
    pub recorded: bool,
    pub diagnosis: Option<String>,
    pub psychoeducation: Option<String>,
    pub sick_role: Option<String>,
    pub medication: Option<String>,
    pub concurrent: Vec<String>,
    pub other_therapy: String,
}

pub struct ContractView {
    pub agreed: bool,
    pub length: String,
    pub frequency: String,
    pub planned_end: Option<String>,
    pub focus: String,
    pub participants: String,
    pub changes: usize,
}

/// The course page. `courses/_sessions_block.html` (course-sessions' part) is included in it;
/// the data that block reads is a field of this page, built from the same `CourseView`.
#[derive(Template)]
#[template(path = "courses/course.html")]
struct CoursePage {
    c: Chrome,
    head: CourseHead,
    phase: String,
    progress: String,
    session_of: String,
    remaining: Option<u32>,
    contract: ContractView,
    intake: IntakeView,
    warnings: Vec<String>,
    agenda: AgendaView,
    overdue: Vec<OverdueRow>,
    fidelity: Vec<FidelityRow>,
    areas: Vec<ChosenAreaRow>,
    ipaf_summary: Option<String>,
    formulation_agreed: Option<String>,
    suggestion: SuggestionView,
    goals: Vec<GoalRow>,
    alerts: Vec<AlertRow>,
    scores: Vec<ScoreBlock>,
    people: usize,
    rings: String,
    sessions_held: usize,
    events: usize,
    onset: Option<String>,
    /// The sessions part of the course page (sessions, brief, notes, worksheets, termination).
    sessions_block: super::sessions::SessionsBlock,
}

pub fn agenda_view(w: &Words, view: &CourseView) -> AgendaView {
    let t = &w.t;
    let a = &view.review.agenda;
    let task = |x: &kith_domain::course::AgendaTask| TaskRow {
        label: x.label.get(w.locale).to_string(),
        late: x.late,
        every_session: x.repeat == kith_domain::protocol::Repeat::EverySession,
    };
    let title = match (a.is_pre, a.of) {
        (true, _) => t.get("course-agenda-pre"),
        (false, Some(of)) => t.with2("course-agenda-session-of", "n", a.session, "of", of),
        (false, None) => t.with1("course-agenda-session", "n", a.session),
    };
    AgendaView {
        title,
        phase: a
            .phase
            .as_deref()
            .map(|p| w.phase(p))
            .unwrap_or_else(|| t.get("course-beyond-contract")),
        beyond_contract: a.beyond_contract,
        required: a.required_tasks.iter().map(task).collect(),
        optional: a.optional_tasks.iter().map(task).collect(),
        measures: a
            .measures_due
            .iter()
            .map(|m| MeasureDueRow {
                instrument: w.instrument(&m.instrument),
                because: m
                    .because
                    .iter()
                    .map(|c| w.cadence(*c))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        strategies: a
            .strategies
            .iter()
            .map(|s| StrategyRow {
                area: w.area(&s.area),
                label: s.label.get(w.locale).to_string(),
                primary: s.primary,
            })
            .collect(),
        raise_ending: a.raise_ending,
        decisions: a
            .decision_points
            .iter()
            .map(|d| DecisionRow {
                label: d.label.get(w.locale).to_string(),
                late: d.late,
                session: d.scheduled_at,
            })
            .collect(),
        participants: a
            .participants
            .iter()
            .map(|p| {
                if p.optional {
                    t.with1("course-participant-optional", "who", w.participant(p.role))
                } else {
                    w.participant(p.role)
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        remaining_after: a.remaining_after,
    }
}

pub fn fidelity_rows(w: &Words, view: &CourseView) -> Vec<FidelityRow> {
    view.review
        .fidelity
        .iter()
        .map(|f| FidelityRow {
            phase: w.phase(&f.phase),
            done: f.done,
            expected: f.expected,
            share: f
                .share()
                .map(|x| format!("{:.0} %", x * 100.0))
                .unwrap_or_else(|| "—".into()),
            complete: f.complete,
            missing: f
                .missing
                .iter()
                .map(|m| match m.session {
                    Some(n) => {
                        w.t.with2("course-missing-in-session", "task", w.task(&m.task), "n", n)
                    }
                    None => w.task(&m.task),
                })
                .collect(),
        })
        .collect()
}

pub fn intake_view(w: &Words, intake: Option<&Intake>) -> IntakeView {
    let t = &w.t;
    let Some(i) = intake else {
        return IntakeView {
            recorded: false,
            diagnosis: None,
            psychoeducation: None,
            sick_role: None,
            medication: None,
            concurrent: Vec::new(),
            other_therapy: String::new(),
        };
    };
    IntakeView {
        recorded: true,
        diagnosis: i
            .diagnosis
            .as_ref()
            .map(|d| format!("{} {} — {}", d.code_system, d.code, d.label)),
        psychoeducation: i.psychoeducation_on.map(|d| t.date(d)),
        sick_role: i.sick_role.as_ref().map(|r| {
            if r.limited {
                t.with1("intake-sick-role-limited-on", "date", t.date(r.given_on))
            } else {
                t.with1("intake-sick-role-on-date", "date", t.date(r.given_on))
            }
        }),
        medication: i
            .medication
            .as_ref()
            .map(|m| format!("{} · {}", w.medication_need(m.need), w.referral(m.referral))),
        concurrent: i
            .concurrent_medication
            .iter()
            .map(|m| {
                let mut s = m.name.clone();
                if !m.dose.is_empty() {
                    s.push_str(&format!(" {}", m.dose));
                }
                if !m.prescriber.is_empty() {
                    s.push_str(&format!(" ({})", m.prescriber));
                }
                s
            })
            .collect(),
        other_therapy: i.other_therapy.clone(),
    }
}

pub fn contract_view(w: &Words, c: &Course) -> ContractView {
    ContractView {
        agreed: c.contract_agreed_at_session.is_some(),
        length: w.contract_length(c.contract.sessions),
        frequency: w.frequency(c.contract.frequency),
        planned_end: c.contract.planned_end.map(|d| w.t.date(d)),
        focus: c.contract.focus.clone(),
        participants: c
            .contract
            .participants
            .iter()
            .map(|p| w.participant(*p))
            .collect::<Vec<_>>()
            .join(", "),
        changes: c.contract_changes.len(),
    }
}

/// The names reasons and warnings point at: people of the inventory and timeline events.
pub async fn names_of(
    s: &AppState,
    ctx: &Ctx,
    w: &Words<'_>,
    client: ClientId,
) -> Result<(Names, kith_store::StoredTimeline), PageError> {
    let people = s.app.inventory(ctx, client).await?;
    let timeline = s.app.timeline(ctx, client).await?;
    let mut names = Names::default();
    for p in &people {
        names.people.insert(p.id, p.value.display_name.clone());
    }
    for e in timeline.entries.iter().filter(|e| e.removed_at.is_none()) {
        if let TimelineEntry::Event(ev) = &e.value {
            let text = if ev.description.trim().is_empty() {
                w.event_kind(ev.kind)
            } else {
                ev.description.trim().to_string()
            };
            names
                .events
                .insert(ev.id, format!("{} ({})", text, w.approx_date(&ev.date)));
        }
    }
    Ok((names, timeline))
}

fn alert_rows(w: &Words, alerts: &[kith_store::Alert]) -> Vec<AlertRow> {
    let t = &w.t;
    alerts
        .iter()
        .filter(|a| a.status == kith_store::AlertStatus::Open)
        .map(|a| AlertRow {
            id: a.id.to_string(),
            tier: t.get(&format!("course-alert-tier-{}", a.tier.code())),
            tier_code: a.tier.code().to_string(),
            reasons: a
                .reasons
                .iter()
                .map(|r| match r {
                    kith_store::AlertCause::SafetyItem {
                        instrument, item, ..
                    } => t.with2(
                        "course-alert-safety-item",
                        "instrument",
                        w.instrument(instrument),
                        "item",
                        item,
                    ),
                    kith_store::AlertCause::ReliableDeterioration {
                        instrument,
                        baseline,
                        latest,
                        ..
                    } => t.with(
                        "course-alert-deterioration",
                        &[
                            ("instrument", w.instrument(instrument)),
                            ("baseline", baseline.to_string()),
                            ("latest", latest.to_string()),
                        ],
                    ),
                    kith_store::AlertCause::ClinicianRisk { urgency, .. } => t.with1(
                        "course-alert-clinician-risk",
                        "urgency",
                        t.get(&format!("risk-urgency-{}", urgency.code())),
                    ),
                })
                .collect::<Vec<_>>()
                .join("; "),
            raised: t.datetime(a.raised_at),
            escalated: a.escalated_at.is_some(),
        })
        .collect()
}

async fn score_blocks(
    s: &AppState,
    ctx: &Ctx,
    w: &Words<'_>,
    view: &CourseView,
    timeline: &kith_store::StoredTimeline,
) -> Result<Vec<ScoreBlock>, PageError> {
    if view.measures.is_empty() {
        return Ok(Vec::new());
    }
    let t = &w.t;
    let all = s.app.measures(ctx, view.course.client).await?;
    let mine = course_submissions(&all, &view.course);
    let events = super::measures::chart_events(t, timeline);
    let settings = super::measures::settings(ctx);
    let mut out = Vec::new();
    for line in &view.measures {
        let subs: Vec<_> = mine
            .iter()
            .filter(|x| x.instrument == line.instrument)
            .collect();
        let first = subs.first().map(|x| x.taken_at.date());
        let points: Vec<ScorePoint> = subs
            .iter()
            .map(|x| ScorePoint {
                date: x.taken_at.date(),
                session: Some(session_number(x, &view.sessions)),
                score: x.total,
            })
            .collect();
        // Events from a little before the first score keep the chart about this course.
        let near: Vec<ChartEvent> = events
            .iter()
            .filter(|e| first.is_some_and(|f| e.date >= f - time::Duration::days(120)))
            .cloned()
            .collect();
        out.push(ScoreBlock {
            instrument: w.instrument(&line.instrument),
            instrument_id: line.instrument.clone(),
            latest: line.latest_total.clone().unwrap_or_default(),
            band: line
                .band
                .as_deref()
                .map(|b| w.band(&line.instrument, b))
                .unwrap_or_default(),
            baseline: line.baseline_total.clone().unwrap_or_default(),
            change: line
                .change_since_baseline
                .clone()
                .unwrap_or_else(|| "—".into()),
            safety: line.safety_item_positive,
            rows: subs
                .iter()
                .map(|x| ScoreRowView {
                    href: format!("/clients/{}/measures/{}", view.course.client, x.id),
                    date: t.date(x.taken_at.date()),
                    session: session_number(x, &view.sessions).to_string(),
                    total: x.total.to_string(),
                    band: x
                        .band
                        .as_deref()
                        .map(|b| w.band(&line.instrument, b))
                        .unwrap_or_default(),
                })
                .collect(),
            chart: w
                .instruments
                .get(&line.instrument)
                .filter(|_| !points.is_empty())
                .map(|inst| super::measures::draw_chart(t, &settings, inst, &points, &near).svg),
        });
    }
    Ok(out)
}

pub async fn course(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/clients", "course-title");
    let t = c.t;
    let loaded = load(&s, &ctx, &t, id, "overview").await?;
    let view = s.app.course_view(&ctx, id).await?;
    let w = Words::new(t, &loaded.protocol);
    let (names, timeline) = names_of(&s, &ctx, &w, view.course.client).await?;
    let alerts = s.app.client_alerts(&ctx, view.course.client).await?;
    let r = &view.review;
    let latest = view.formulation.as_ref();
    let scores = score_blocks(&s, &ctx, &w, &view, &timeline).await?;
    let sessions_block = super::sessions::sessions_block(&s, &ctx, &t, &view).await?;
    let page = CoursePage {
        sessions_block,
        phase: r
            .current_phase
            .as_deref()
            .map(|p| w.phase(p))
            .unwrap_or_else(|| t.get("course-not-started")),
        progress: progress_text(&t, r.used, r.contract.count()),
        session_of: match r.agenda.of {
            Some(of) => t.with2("course-next-session-of", "n", r.agenda.session, "of", of),
            None => t.with1("course-next-session", "n", r.agenda.session),
        },
        remaining: r.remaining,
        contract: contract_view(&w, &view.course),
        intake: intake_view(&w, view.course.intake.as_ref()),
        warnings: r.warnings.iter().map(|x| w.warning(x, &names)).collect(),
        agenda: agenda_view(&w, &view),
        overdue: r
            .overdue
            .iter()
            .map(|o| OverdueRow {
                task: w.task(&o.task),
                phase: w.phase(&o.phase),
                due_by: o.due_by,
            })
            .collect(),
        fidelity: fidelity_rows(&w, &view),
        areas: latest
            .map(|f| {
                let mut v: Vec<_> = f.formulation.areas.iter().collect();
                v.sort_by_key(|a| !a.primary);
                v.into_iter()
                    .map(|a| ChosenAreaRow {
                        label: w.area(&a.area),
                        primary: a.primary,
                        stage: a.dispute_stage.map(|st| w.stage(st)),
                        rationale: a.rationale.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ipaf_summary: latest
            .and_then(|f| f.formulation.ipaf.as_ref())
            .map(|i| i.summary.clone()),
        formulation_agreed: latest
            .and_then(|f| f.agreement.as_ref())
            .map(|a| t.date(a.agreed_on)),
        suggestion: suggestion_view(&w, &view.suggestion, &names),
        goals: view
            .goals
            .iter()
            .map(|g| GoalRow {
                id: g.id.to_string(),
                text: g.content.text.clone(),
                area: g
                    .content
                    .problem_area
                    .as_deref()
                    .map(|a| w.area(a))
                    .unwrap_or_default(),
                status: w.goal_status(g.status),
            })
            .collect(),
        alerts: alert_rows(&w, &alerts),
        scores,
        people: view.inventory.people,
        rings: t.with(
            "inventory-rings",
            &[
                ("inner", view.inventory.inner.to_string()),
                ("middle", view.inventory.middle.to_string()),
                ("outer", view.inventory.outer.to_string()),
                ("unplaced", view.inventory.unplaced.to_string()),
            ],
        ),
        sessions_held: view
            .sessions
            .iter()
            .filter(|x| x.status == SessionStatus::Held)
            .count(),
        events: names.events.len(),
        onset: timeline
            .onset
            .as_ref()
            .map(|o: &Onset| w.approx_date(&o.date)),
        head: loaded.head,
        c,
    };
    Ok(html(&page))
}

// ---------------------------------------------------------------------------------------------
// Intake.

#[derive(Default)]
pub struct IntakeFields {
    pub code_system: String,
    pub code: String,
    pub label: String,
    pub psychoeducation_on: String,
    pub sick_role_on: String,
    pub sick_role_limited: bool,
    pub medication_need: String,
    pub referral: String,
    pub medication_notes: String,
    /// Concurrent medicines: the recorded ones plus blank rows to add more.
    pub medicines: Vec<MedicineFields>,
    pub other_therapy: String,
}

#[derive(Default, Clone)]
pub struct MedicineFields {
    pub index: usize,
    pub name: String,
    pub dose: String,
    pub prescriber: String,
    /// Problems with this row, in words.
    pub errors: Vec<String>,
}

/// Blank medicine rows offered after the recorded ones (no JavaScript needed to add more).
const BLANK_MEDICINES: usize = 2;
/// The most medicine rows a form may carry.
const MAX_MEDICINES: usize = 20;

#[derive(Template)]
#[template(path = "courses/intake.html")]
struct IntakePage {
    c: Chrome,
    head: CourseHead,
    form: IntakeFields,
    needs: Vec<Choice>,
    referrals: Vec<Choice>,
    adolescent: bool,
    version: i64,
    errors: FormErrors,
}

fn intake_fields(i: Option<&Intake>) -> IntakeFields {
    let Some(i) = i else {
        return IntakeFields {
            medicines: blank_medicines(0),
            ..IntakeFields::default()
        };
    };
    let mut medicines: Vec<MedicineFields> = i
        .concurrent_medication
        .iter()
        .enumerate()
        .map(|(index, m)| MedicineFields {
            index,
            name: m.name.clone(),
            dose: m.dose.clone(),
            prescriber: m.prescriber.clone(),
            errors: Vec::new(),
        })
        .collect();
    medicines.extend(blank_medicines(medicines.len()));
    IntakeFields {
        code_system: i
            .diagnosis
            .as_ref()
            .map(|d| d.code_system.clone())
            .unwrap_or_default(),
        code: i
            .diagnosis
            .as_ref()
            .map(|d| d.code.clone())
            .unwrap_or_default(),
        label: i
            .diagnosis
            .as_ref()
            .map(|d| d.label.clone())
            .unwrap_or_default(),
        psychoeducation_on: i
            .psychoeducation_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        sick_role_on: i
            .sick_role
            .as_ref()
            .map(|r| r.given_on.to_string())
            .unwrap_or_default(),
        sick_role_limited: i.sick_role.as_ref().is_some_and(|r| r.limited),
        medication_need: i
            .medication
            .as_ref()
            .map(|m| code_of(&m.need))
            .unwrap_or_default(),
        referral: i
            .medication
            .as_ref()
            .map(|m| code_of(&m.referral))
            .unwrap_or_default(),
        medication_notes: i
            .medication
            .as_ref()
            .map(|m| m.notes.clone())
            .unwrap_or_default(),
        medicines,
        other_therapy: i.other_therapy.clone(),
    }
}

fn blank_medicines(from: usize) -> Vec<MedicineFields> {
    (from..from + BLANK_MEDICINES)
        .map(|index| MedicineFields {
            index,
            ..MedicineFields::default()
        })
        .collect()
}

async fn intake_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    form: Option<IntakeFields>,
    errors: FormErrors,
) -> Result<IntakePage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "intake-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "intake").await?;
    let w = Words::new(t, &loaded.protocol);
    let mut form = form.unwrap_or_else(|| intake_fields(loaded.course.intake.as_ref()));
    for m in &mut form.medicines {
        let row = format!("med[{}].", m.index);
        m.errors = errors
            .0
            .iter()
            .filter(|(f, _)| f.starts_with(&row))
            .map(|(_, msg)| msg.clone())
            .collect();
    }
    let need: Option<MedicationNeed> = super::course_words::parse_code(&form.medication_need);
    let referral: Option<ReferralDecision> = super::course_words::parse_code(&form.referral);
    Ok(IntakePage {
        needs: choices(&super::course_words::MEDICATION_NEEDS, need, |n| {
            w.medication_need(n)
        }),
        referrals: choices(&super::course_words::REFERRALS, referral, |r| w.referral(r)),
        adolescent: loaded.protocol.id() == "ipt-a",
        version: loaded.course.version,
        head: loaded.head,
        form,
        errors,
        c,
    })
}

pub async fn intake_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    Ok(html(
        &intake_page(&s, &ctx, locale, id, None, FormErrors::default()).await?,
    ))
}

/// A field the form does not have: the request is refused whole (400), as every form does.
pub fn unknown_field(field: &str) -> PageError {
    PageError(WebError::bad(
        "unknown-field",
        "detail-unknown-field",
        vec![("field".into(), field.to_string())],
    ))
}

/// The intake form: fixed fields plus `med[i].name` / `med[i].dose` / `med[i].prescriber` rows.
fn read_intake(pairs: &[(String, String)]) -> Result<(IntakeFields, Option<i64>), PageError> {
    let mut f = IntakeFields::default();
    let mut version = None;
    let mut meds: std::collections::BTreeMap<usize, MedicineFields> = Default::default();
    for (k, v) in pairs {
        match k.as_str() {
            "code_system" => f.code_system = v.clone(),
            "code" => f.code = v.clone(),
            "label" => f.label = v.clone(),
            "psychoeducation_on" => f.psychoeducation_on = v.clone(),
            "sick_role_on" => f.sick_role_on = v.clone(),
            "sick_role_limited" => f.sick_role_limited = true,
            "medication_need" => f.medication_need = v.clone(),
            "referral" => f.referral = v.clone(),
            "medication_notes" => f.medication_notes = v.clone(),
            "other_therapy" => f.other_therapy = v.clone(),
            "version" => version = v.trim().parse().ok(),
            other => {
                let parsed = other.strip_prefix("med[").and_then(|r| {
                    let (i, field) = r.split_once("].")?;
                    Some((i.parse::<usize>().ok()?, field))
                });
                match parsed {
                    Some((i, field)) if i < MAX_MEDICINES => {
                        let m = meds.entry(i).or_insert_with(|| MedicineFields {
                            index: i,
                            ..MedicineFields::default()
                        });
                        match field {
                            "name" => m.name = v.clone(),
                            "dose" => m.dose = v.clone(),
                            "prescriber" => m.prescriber = v.clone(),
                            _ => return Err(unknown_field(other)),
                        }
                    }
                    _ => return Err(unknown_field(other)),
                }
            }
        }
    }
    f.medicines = meds.into_values().collect();
    Ok((f, version))
}

fn intake_of(f: &IntakeFields, errs: &mut Vec<FieldError>) -> Intake {
    let diagnosis =
        if f.code_system.trim().is_empty() && f.code.trim().is_empty() && f.label.trim().is_empty()
        {
            None
        } else {
            Some(Diagnosis {
                code_system: f.code_system.trim().to_string(),
                code: f.code.trim().to_string(),
                label: f.label.trim().to_string(),
            })
        };
    let psychoeducation_on = opt_date("psychoeducation_on", &f.psychoeducation_on, errs);
    let sick_role = opt_date("sick_role.given_on", &f.sick_role_on, errs).map(|d| SickRole {
        given_on: d,
        limited: f.sick_role_limited,
    });
    if f.sick_role_limited && f.sick_role_on.trim().is_empty() {
        errs.push(FieldError::new("sick_role.given_on", "field-required"));
    }
    let need: Option<MedicationNeed> = super::course_words::parse_code(&f.medication_need);
    let referral: Option<ReferralDecision> = super::course_words::parse_code(&f.referral);
    if !f.medication_need.is_empty() && need.is_none() {
        errs.push(FieldError::new("medication.need", "field-out-of-range"));
    }
    if !f.referral.is_empty() && referral.is_none() {
        errs.push(FieldError::new("medication.referral", "field-out-of-range"));
    }
    let medication = match (need, referral) {
        (Some(need), Some(referral)) => Some(MedicationAssessment {
            need,
            referral,
            notes: f.medication_notes.trim().to_string(),
        }),
        (None, None) if f.medication_notes.trim().is_empty() => None,
        (None, _) => {
            errs.push(FieldError::new("medication.need", "field-required"));
            None
        }
        (Some(_), None) => {
            errs.push(FieldError::new("medication.referral", "field-required"));
            None
        }
    };
    // Rows left blank are not medicines; the app names each problem by its row.
    let concurrent_medication = f
        .medicines
        .iter()
        .filter(|m| {
            !(m.name.trim().is_empty()
                && m.dose.trim().is_empty()
                && m.prescriber.trim().is_empty())
        })
        .map(|m| ConcurrentMedication {
            name: m.name.trim().to_string(),
            dose: m.dose.trim().to_string(),
            prescriber: m.prescriber.trim().to_string(),
        })
        .collect();
    Intake {
        diagnosis,
        psychoeducation_on,
        sick_role,
        medication,
        concurrent_medication,
        other_therapy: f.other_therapy.trim().to_string(),
    }
}

/// Field names of the app (`concurrent_medication[0].name`) as the form names them
/// (`med[0].name`), so each problem shows beside its field.
fn intake_field_names(e: AppError, f: &IntakeFields) -> AppError {
    let kept: Vec<&MedicineFields> = f
        .medicines
        .iter()
        .filter(|m| {
            !(m.name.trim().is_empty()
                && m.dose.trim().is_empty()
                && m.prescriber.trim().is_empty())
        })
        .collect();
    match e {
        AppError::Invalid(fields) => AppError::Invalid(
            fields
                .into_iter()
                .map(|mut x| {
                    if let Some(rest) = x.field.strip_prefix("concurrent_medication[")
                        && let Some((i, field)) = rest.split_once("].")
                        && let Ok(i) = i.parse::<usize>()
                        && let Some(m) = kept.get(i)
                    {
                        x.field = format!("med[{}].{field}", m.index);
                    }
                    x
                })
                .collect(),
        ),
        other => other,
    }
}

pub async fn save_intake(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let (mut fields, version) = read_intake(&pairs)?;
    let mut errs = Vec::new();
    let intake = intake_of(&fields, &mut errs);
    let result = if errs.is_empty() {
        s.app
            .save_intake(&ctx, id, &intake, version.unwrap_or(-1))
            .await
            .map_err(|e| intake_field_names(e, &fields))
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{id}"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let n = fields.medicines.len();
            fields.medicines.extend(blank_medicines(
                fields.medicines.last().map_or(n, |m| m.index + 1),
            ));
            Ok(html_status(
                status,
                &intake_page(&s, &ctx, locale, id, Some(fields), errors).await?,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The treatment contract.

#[derive(Default)]
pub struct ContractFields {
    pub sessions: String,
    pub open_ended: bool,
    pub frequency: String,
    pub planned_end: String,
    pub focus: String,
    pub participants: Vec<String>,
    pub at_session: String,
    pub on: String,
    pub reason: String,
}

pub struct ChangeRow {
    pub at_session: u32,
    pub on: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "courses/contract.html")]
struct ContractPage {
    c: Chrome,
    head: CourseHead,
    current: ContractView,
    agreed_at: Option<u32>,
    open_ended_allowed: bool,
    range: String,
    form: ContractFields,
    frequencies: Vec<Choice>,
    participants: Vec<Choice>,
    history: Vec<ChangeRow>,
    version: i64,
    errors: FormErrors,
}

const FREQUENCIES: [Frequency; 4] = [
    Frequency::Weekly,
    Frequency::Fortnightly,
    Frequency::Monthly,
    Frequency::Flexible,
];

fn terms_text(w: &Words, t: &kith_store::ContractTerms) -> String {
    let mut parts = vec![w.contract_length(t.sessions), w.frequency(t.frequency)];
    if let Some(d) = t.planned_end {
        parts.push(w.t.with1("contract-ends-on", "date", w.t.date(d)));
    }
    if !t.focus.is_empty() {
        parts.push(w.t.with1("contract-focus-is", "focus", &t.focus));
    }
    parts.join(" · ")
}

async fn contract_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    form: Option<ContractFields>,
    errors: FormErrors,
) -> Result<ContractPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "contract-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "contract").await?;
    let w = Words::new(t, &loaded.protocol);
    let course = &loaded.course;
    let view = s.app.course_view(ctx, id).await?;
    let k = &course.contract;
    let form = form.unwrap_or_else(|| ContractFields {
        sessions: k
            .sessions
            .count()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        open_ended: k.sessions == ContractLength::Open,
        frequency: frequency_code(k.frequency).to_string(),
        planned_end: k.planned_end.map(|d| d.to_string()).unwrap_or_default(),
        focus: k.focus.clone(),
        participants: k
            .participants
            .iter()
            .map(|p| participant_code(*p).to_string())
            .collect(),
        at_session: current_session(&view).to_string(),
        on: s.app.now().date().to_string(),
        reason: String::new(),
    });
    let p = &loaded.protocol;
    let sessions = p.sessions();
    let mut roles: Vec<ParticipantRole> = vec![ParticipantRole::Client];
    for r in p.participants() {
        if !roles.contains(&r.role) {
            roles.push(r.role);
        }
    }
    Ok(ContractPage {
        current: contract_view(&w, course),
        agreed_at: course.contract_agreed_at_session,
        open_ended_allowed: p.is_open_ended(),
        range: if sessions.min == sessions.max {
            t.with1("contract-range-fixed", "n", sessions.max)
        } else {
            t.with2("contract-range", "min", sessions.min, "max", sessions.max)
        },
        frequencies: FREQUENCIES
            .iter()
            .map(|f| Choice {
                value: frequency_code(*f).to_string(),
                label: w.frequency(*f),
                selected: form.frequency == frequency_code(*f),
            })
            .collect(),
        participants: roles
            .iter()
            .map(|r| Choice {
                value: participant_code(*r).to_string(),
                label: w.participant(*r),
                selected: form.participants.iter().any(|x| x == participant_code(*r)),
            })
            .collect(),
        history: course
            .contract_changes
            .iter()
            .rev()
            .map(|ch| ChangeRow {
                at_session: ch.at_session,
                on: ch.on.map(|d| t.date(d)).unwrap_or_default(),
                from: terms_text(&w, &ch.from),
                to: terms_text(&w, &ch.to),
                reason: ch.reason.clone(),
                recorded: t.datetime(ch.at),
            })
            .collect(),
        version: course.version,
        head: loaded.head,
        form,
        errors,
        c,
    })
}

pub async fn contract_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    Ok(html(
        &contract_page(&s, &ctx, locale, id, None, FormErrors::default()).await?,
    ))
}

fn read_contract(pairs: &[(String, String)]) -> Result<(ContractFields, i64), PageError> {
    let mut f = ContractFields::default();
    let mut version = -1;
    for (k, v) in pairs {
        match k.as_str() {
            "sessions" => f.sessions = v.clone(),
            "open_ended" => f.open_ended = true,
            "frequency" => f.frequency = v.clone(),
            "planned_end" => f.planned_end = v.clone(),
            "focus" => f.focus = v.clone(),
            "participants" => f.participants.push(v.clone()),
            "at_session" => f.at_session = v.clone(),
            "on" => f.on = v.clone(),
            "reason" => f.reason = v.clone(),
            "version" => version = version_of(v),
            other => return Err(unknown_field(other)),
        }
    }
    Ok((f, version))
}

fn contract_input(f: &ContractFields, errs: &mut Vec<FieldError>) -> ContractInput {
    let sessions = if f.open_ended {
        ContractLength::Open
    } else {
        match opt_number::<u32>("sessions", &f.sessions, errs) {
            Some(n) => ContractLength::Sessions(n),
            None => {
                if f.sessions.trim().is_empty() {
                    errs.push(FieldError::new("sessions", "field-required"));
                }
                ContractLength::Sessions(0)
            }
        }
    };
    let frequency = FREQUENCIES
        .iter()
        .copied()
        .find(|x| frequency_code(*x) == f.frequency)
        .unwrap_or_else(|| {
            errs.push(FieldError::new("frequency", "field-out-of-range"));
            Frequency::Weekly
        });
    let mut participants = Vec::new();
    for p in &f.participants {
        match super::course_words::PARTICIPANTS
            .iter()
            .find(|r| participant_code(**r) == p)
        {
            Some(r) if !participants.contains(r) => participants.push(*r),
            Some(_) => {}
            None => errs.push(FieldError::new("participants", "field-out-of-range")),
        }
    }
    ContractInput {
        sessions,
        frequency,
        planned_end: opt_date("planned_end", &f.planned_end, errs),
        focus: f.focus.clone(),
        participants,
    }
}

async fn contract_failed(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    f: ContractFields,
    e: AppError,
) -> PageResult {
    let t = Tr::new(locale);
    let (status, errors) = failed(&t, e)?;
    Ok(html_status(
        status,
        &contract_page(s, ctx, locale, id, Some(f), errors).await?,
    ))
}

/// Records the contract agreed with the client.
pub async fn agree_contract(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let (f, version) = read_contract(&pairs)?;
    let mut errs = Vec::new();
    let input = contract_input(&f, &mut errs);
    let at = session_field("at_session", &f.at_session, &mut errs);
    let result = if errs.is_empty() {
        s.app.agree_contract(&ctx, id, &input, at, version).await
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{id}/contract"))),
        Err(e) => contract_failed(&s, &ctx, locale, id, f, e).await,
    }
}

/// Changes an agreed contract, with the reason; a change the engine refuses comes back with its
/// reason.
pub async fn renegotiate(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let (f, version) = read_contract(&pairs)?;
    let mut errs = Vec::new();
    let input = contract_input(&f, &mut errs);
    let at = session_field("at_session", &f.at_session, &mut errs);
    let on = opt_date("on", &f.on, &mut errs);
    let result = if errs.is_empty() {
        s.app
            .renegotiate_contract(&ctx, id, &input, at, on, &f.reason, version)
            .await
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{id}/contract"))),
        Err(e) => contract_failed(&s, &ctx, locale, id, f, e).await,
    }
}
