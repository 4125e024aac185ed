//! Sessions of a course: the list and the block the course page shows, scheduling, holding,
//! missed and cancelled sessions with their reasons, one session with its phase and the protocol
//! tasks done in it, and the printable pre-session brief.

use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::courses::{
    DueWorksheet, PreSessionBrief, SESSION_REASONS, sections_record_risk, session_phase,
};
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::course::{SessionStatus, Warning};
use kith_domain::ids::{CourseId, SessionId};
use kith_domain::locale::Locale;
use kith_domain::measure::InstrumentLibrary;
use kith_domain::protocol::Protocol;
use kith_store::{Course, CourseSession, CourseStatus, TaskEvidence};
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime};

// ---------------------------------------------------------------------------------------------
// Helpers shared by the course-sessions pages (sessions, notes, worksheets, termination).

/// The messages of field problems on the course-sessions pages. Each code is looked up as
/// `value-<code>` (worksheet and note values, session and worksheet rules), then as the general
/// `msg-<code>`; a code neither knows is shown with a general sentence naming it.
pub(crate) fn problems(t: &Tr, errs: &[FieldError]) -> FormErrors {
    FormErrors(
        errs.iter()
            .map(|e| (e.field.clone(), problem_message(t, e)))
            .collect(),
    )
}

pub(crate) fn problem_message(t: &Tr, e: &FieldError) -> String {
    // The kind of value expected is a code too (`integer`, `date`, `person-id`…).
    let args: Vec<(&str, String)> = e
        .args
        .iter()
        .map(|(k, v)| match k.as_str() {
            "expected" => (k.as_str(), t.get(&format!("value-kind-{v}"))),
            _ => (k.as_str(), v.clone()),
        })
        .collect();
    for key in [format!("value-{}", e.code), format!("msg-{}", e.code)] {
        let text = t.with(&key, &args);
        if text != key {
            return text;
        }
    }
    t.with1("value-other", "code", &e.code)
}

/// Splits an application error into problems to show with the form (422), a conflict, or an
/// error page.
pub(crate) enum Refusal {
    Problems(FormErrors),
    Conflict,
}

pub(crate) fn refusal(t: &Tr, e: AppError) -> Result<Refusal, PageError> {
    match e {
        AppError::Invalid(fields) => Ok(Refusal::Problems(problems(t, &fields))),
        AppError::Conflict { .. } => Ok(Refusal::Conflict),
        other => Err(PageError(WebError::App(other))),
    }
}

/// Hides a refusal that would tell someone a record exists: used where even the kind of record
/// must stay invisible (process notes).
pub(crate) fn as_not_found(e: AppError) -> PageError {
    match e {
        AppError::Forbidden => PageError(WebError::App(AppError::NotFound)),
        other => PageError(WebError::App(other)),
    }
}

/// "Session 3", or the preparatory meeting for session 0.
pub(crate) fn session_label(t: &Tr, number: u32) -> String {
    if number == 0 {
        t.get("session-pre")
    } else {
        t.with1("session-n", "number", number)
    }
}

pub(crate) fn phase_label(protocol: &Protocol, phase: Option<&str>, locale: Locale) -> String {
    phase
        .and_then(|id| protocol.phase(id))
        .map(|p| p.label.get(locale).to_string())
        .unwrap_or_default()
}

/// A task id as the protocol labels it (the id itself for a task the protocol does not have).
pub(crate) fn task_label(t: &Tr, protocol: &Protocol, id: &str) -> String {
    if id == kith_app::courses::ENDING_RAISED_TASK {
        return t.get("task-raise-ending");
    }
    protocol
        .all_tasks()
        .find(|x| x.id == id)
        .map(|x| x.label.get(t.locale).to_string())
        .unwrap_or_else(|| id.to_string())
}

pub(crate) fn instrument_label(id: &str, locale: Locale) -> String {
    InstrumentLibrary::builtin()
        .get(id)
        .map(|i| i.def().short_title.get(locale).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Reads `YYYY-MM-DDTHH:MM` (an HTML `datetime-local` field) as a UTC time.
pub(crate) fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    PrimitiveDateTime::parse(
        s,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(
            s,
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
    })
    .ok()
    .map(PrimitiveDateTime::assume_utc)
}

pub(crate) fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// A time as an HTML `datetime-local` value (UTC).
pub(crate) fn datetime_value(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

pub(crate) fn version_of(v: &str) -> i64 {
    v.trim().parse::<i64>().unwrap_or(-1)
}

/// What every course-sessions page shows on top: whose course, under which protocol, and the
/// way back to the course page.
pub struct CourseHead {
    pub course: String,
    pub client: String,
    pub client_name: String,
    pub protocol: String,
    pub open: bool,
}

impl CourseHead {
    pub(crate) async fn load(
        s: &AppState,
        ctx: &Ctx,
        locale: Locale,
        course: &Course,
    ) -> Result<CourseHead, PageError> {
        let client = s.app.client(ctx, course.client).await?;
        let protocol = s.app.protocols().get(&course.protocol_id);
        Ok(CourseHead {
            course: course.id.to_string(),
            client: course.client.to_string(),
            client_name: client.display_name,
            protocol: protocol
                .map(|p| p.title().get(locale).to_string())
                .unwrap_or_else(|| course.protocol_id.clone()),
            open: course.status == CourseStatus::Open,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The block on the course page.

/// One session in a list.
pub struct SessionRow {
    pub id: String,
    pub label: String,
    pub when: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    pub phase: String,
    pub held: bool,
}

impl SessionRow {
    pub(crate) fn of(
        t: &Tr,
        protocol: &Protocol,
        course: &Course,
        x: &CourseSession,
    ) -> SessionRow {
        let status = status_code(x.status);
        SessionRow {
            id: x.id.to_string(),
            label: session_label(t, x.number),
            when: x
                .held_at
                .or(x.scheduled_for)
                .map(|w| t.datetime(w))
                .unwrap_or_default(),
            status,
            status_label: t.get(&format!("session-status-{status}")),
            reason: x
                .reason
                .as_deref()
                .map(|r| t.get(&format!("session-reason-{r}")))
                .unwrap_or_default(),
            phase: phase_label(
                protocol,
                session_phase(protocol, course, x).as_deref(),
                t.locale,
            ),
            held: x.status == SessionStatus::Held,
        }
    }
}

pub(crate) fn status_code(s: SessionStatus) -> &'static str {
    match s {
        SessionStatus::Held => "held",
        SessionStatus::Missed => "missed",
        SessionStatus::Cancelled => "cancelled",
        SessionStatus::Scheduled => "scheduled",
    }
}

/// What `templates/courses/_sessions_block.html` shows on the course page: the reminder to
/// raise the ending, the next session and its brief, the sessions with their notes, the
/// between-session tasks due, and the way to worksheets, process notes, termination and the
/// summary.
///
/// The course page (course-hub) carries it as a field named `sessions_block`, built with
/// [`sessions_block`] from the `CourseView` it already has.
pub struct SessionsBlock {
    pub course: String,
    pub client: String,
    pub open: bool,
    /// The engine says the ending should be raised at the next session.
    pub raise_ending: bool,
    /// The engine's warning that the session to raise the ending has passed.
    pub ending_late: Option<String>,
    pub ending_raised_at: Option<String>,
    pub next_label: String,
    pub sessions: Vec<SessionRow>,
    pub due: usize,
    pub overdue: usize,
    /// The course is in (or past) its termination phase.
    pub ending_phase: bool,
}

/// Builds the course page's sessions block from the course page's view of the course.
pub async fn sessions_block(
    s: &AppState,
    ctx: &Ctx,
    t: &Tr,
    view: &kith_app::courses::CourseView,
) -> Result<SessionsBlock, PageError> {
    let due = s.app.due_worksheets(ctx, view.course.id, 7).await?;
    let protocol = s.app.protocols().get(&view.course.protocol_id).cloned();
    Ok(build_block(t, view, protocol.as_ref(), &due))
}

fn build_block(
    t: &Tr,
    view: &kith_app::courses::CourseView,
    protocol: Option<&Protocol>,
    due: &[DueWorksheet],
) -> SessionsBlock {
    let c = &view.course;
    let agenda = &view.review.agenda;
    let ending_late = view.review.warnings.iter().find_map(|w| match w {
        Warning::EndingNotRaised {
            raise_by,
            last_session,
            ..
        } => Some(t.with2(
            "sessions-ending-late",
            "raise_by",
            raise_by,
            "last",
            last_session,
        )),
        _ => None,
    });
    let ending_phase = protocol.is_some_and(|p| {
        agenda.phase.as_deref().is_some_and(|ph| {
            kith_app::courses::phase_kind(p, ph) == kith_domain::note::PhaseKind::Termination
        })
    });
    SessionsBlock {
        course: c.id.to_string(),
        client: c.client.to_string(),
        open: c.status == CourseStatus::Open,
        raise_ending: agenda.raise_ending && c.status == CourseStatus::Open,
        ending_late,
        ending_raised_at: c
            .ending_raised_at_session
            .map(|n| t.with1("sessions-ending-raised-at", "number", n)),
        next_label: match agenda.of {
            Some(of) if agenda.session > 0 => {
                t.with2("sessions-next-of", "number", agenda.session, "of", of)
            }
            _ => session_label(t, agenda.session),
        },
        sessions: protocol
            .map(|p| {
                view.sessions
                    .iter()
                    .map(|x| SessionRow::of(t, p, c, x))
                    .collect()
            })
            .unwrap_or_default(),
        due: due.iter().filter(|d| !d.overdue).count(),
        overdue: due.iter().filter(|d| d.overdue).count(),
        ending_phase,
    }
}

// ---------------------------------------------------------------------------------------------
// The sessions page.

#[derive(Default)]
pub struct ScheduleFields {
    pub at: String,
    pub status: String,
    pub number: String,
}

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct SessionsPage {
    c: Chrome,
    head: CourseHead,
    sessions_block: SessionsBlock,
    form: ScheduleFields,
    errors: FormErrors,
}

async fn sessions_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    course: CourseId,
    form: ScheduleFields,
    errors: FormErrors,
) -> Result<SessionsPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/", "sessions-title");
    let view = s.app.course_view(ctx, course).await?;
    let head = CourseHead::load(s, ctx, locale, &view.course).await?;
    let sessions_block = sessions_block(s, ctx, &c.t, &view).await?;
    Ok(SessionsPage {
        c,
        head,
        sessions_block,
        form,
        errors,
    })
}

pub async fn list(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let now = s.app.now() + time::Duration::days(7);
    let form = ScheduleFields {
        at: datetime_value(now),
        status: "scheduled".into(),
        number: String::new(),
    };
    Ok(html(
        &sessions_page(&s, &ctx, locale, course, form, FormErrors::default()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleForm {
    #[serde(default)]
    at: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    number: String,
}

/// Schedules a session (or records one already held).
pub async fn schedule(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<ScheduleForm>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let t = Tr::new(locale);
    let mut errs = Vec::new();
    let at = parse_datetime(&f.at);
    if at.is_none() {
        errs.push(FieldError::new("at", "field-not-a-datetime"));
    }
    let status = match f.status.as_str() {
        "held" => SessionStatus::Held,
        "scheduled" | "" => SessionStatus::Scheduled,
        _ => {
            errs.push(FieldError::new("status", "session-status-not-allowed"));
            SessionStatus::Scheduled
        }
    };
    let number = match f.number.trim() {
        "" => None,
        n => match n.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new("number", "field-not-a-number"));
                None
            }
        },
    };
    let result = match (at, errs.is_empty()) {
        (Some(at), true) => s.app.add_session(&ctx, course, number, status, at).await,
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(x) => Ok(see_other(&format!("/sessions/{}", x.id))),
        Err(e) => {
            let errors = match refusal(&t, e)? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            let form = ScheduleFields {
                at: f.at,
                status: f.status,
                number: f.number,
            };
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &sessions_page(&s, &ctx, locale, course, form, errors).await?,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One session.

pub struct TaskRow {
    pub id: String,
    pub label: String,
    /// How it was recorded: from the note (with the section's label) or ticked by hand.
    pub how: String,
    pub by_hand: bool,
    pub done: bool,
}

pub struct ReasonOption {
    pub code: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "sessions/session.html")]
struct SessionPage {
    c: Chrome,
    head: CourseHead,
    row: SessionRow,
    version: i64,
    scheduled: bool,
    held: bool,
    /// Tasks done in this session (from the note or by hand).
    done: Vec<TaskRow>,
    /// Tasks of this session's phase that can be ticked by hand (not shown by the note).
    tickable: Vec<TaskRow>,
    reasons: Vec<ReasonOption>,
    note_state: String,
    note_risk: bool,
    held_at: String,
    errors: FormErrors,
}

pub(crate) fn reasons(t: &Tr) -> Vec<ReasonOption> {
    SESSION_REASONS
        .iter()
        .map(|code| ReasonOption {
            code,
            label: t.get(&format!("session-reason-{code}")),
        })
        .collect()
}

async fn session_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: SessionId,
    errors: FormErrors,
) -> Result<SessionPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/", "session-title");
    let t = c.t;
    let x = s.app.session(ctx, id).await?;
    let course = s.app.course(ctx, x.course).await?;
    let head = CourseHead::load(s, ctx, locale, &course).await?;
    let protocol = s
        .app
        .protocols()
        .get(&course.protocol_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let note = s.app.note_of_session(ctx, id).await?;
    let template = s.app.session_note_template(ctx, id).await?;
    let section_label = |sec: &str| {
        template
            .section(sec)
            .map(|d| d.label.get(locale).to_string())
            .unwrap_or_else(|| sec.to_string())
    };
    let done: Vec<TaskRow> = x
        .tasks
        .iter()
        .map(|d| {
            let (how, by_hand) = match &d.evidence {
                TaskEvidence::Note { section } => (
                    t.with1("session-task-from-note", "section", section_label(section)),
                    false,
                ),
                TaskEvidence::Ticked => (t.get("session-task-by-hand"), true),
            };
            TaskRow {
                id: d.task.clone(),
                label: task_label(&t, &protocol, &d.task),
                how,
                by_hand,
                done: true,
            }
        })
        .collect();
    let phase = session_phase(&protocol, &course, &x);
    let phase_tasks = protocol
        .session_tasks()
        .iter()
        .chain(
            phase
                .as_deref()
                .and_then(|p| protocol.phase(p))
                .map(|p| p.tasks.as_slice())
                .unwrap_or(&[]),
        )
        .filter(|task| {
            !x.tasks
                .iter()
                .any(|d| d.task == task.id && matches!(d.evidence, TaskEvidence::Note { .. }))
        })
        .map(|task| TaskRow {
            id: task.id.clone(),
            label: task.label.get(locale).to_string(),
            how: String::new(),
            by_hand: true,
            done: x.tasks.iter().any(|d| d.task == task.id),
        })
        .collect();
    let note_state = match &note {
        None => t.get("note-state-none"),
        Some(n) if n.signature.is_some() => t.get("note-state-signed"),
        Some(_) => t.get("note-state-draft"),
    };
    Ok(SessionPage {
        row: SessionRow::of(&t, &protocol, &course, &x),
        version: x.version,
        scheduled: x.status == SessionStatus::Scheduled,
        held: x.status == SessionStatus::Held,
        done,
        tickable: phase_tasks,
        reasons: reasons(&t),
        note_state,
        note_risk: note
            .as_ref()
            .is_some_and(|n| sections_record_risk(&n.content.sections)),
        held_at: datetime_value(
            x.scheduled_for
                .unwrap_or_else(|| s.app.now())
                .min(s.app.now()),
        ),
        head,
        errors,
        c,
    })
}

pub async fn session(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    Ok(html(
        &session_page(&s, &ctx, locale, id, FormErrors::default()).await?,
    ))
}

async fn session_refused(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: SessionId,
    e: AppError,
) -> PageResult {
    let t = Tr::new(locale);
    let errors = match refusal(&t, e)? {
        Refusal::Problems(p) => p,
        Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
    };
    Ok(html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &session_page(s, ctx, locale, id, errors).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldForm {
    version: String,
    #[serde(default)]
    held_at: String,
}

pub async fn hold(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<HoldForm>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let at = match f.held_at.trim() {
        "" => Ok(None),
        v => parse_datetime(v)
            .map(Some)
            .ok_or_else(|| AppError::invalid("held_at", "field-not-a-datetime")),
    };
    let result = match at {
        Ok(at) => {
            s.app
                .hold_session(&ctx, id, at, version_of(&f.version))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}"))),
        Err(e) => session_refused(&s, &ctx, locale, id, e).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallOffForm {
    version: String,
    status: String,
    #[serde(default)]
    reason: String,
}

/// Marks a session missed or cancelled, with its reason.
pub async fn call_off(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<CallOffForm>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let status = match f.status.as_str() {
        "missed" => SessionStatus::Missed,
        "cancelled" => SessionStatus::Cancelled,
        // Anything else is refused by the application with its code.
        _ => SessionStatus::Scheduled,
    };
    match s
        .app
        .call_off_session(&ctx, id, status, f.reason.trim(), version_of(&f.version))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}"))),
        Err(e) => session_refused(&s, &ctx, locale, id, e).await,
    }
}

/// Ticks the protocol tasks done by hand in a session (those no note section shows).
pub async fn tick(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let listed: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "listed")
        .map(|(_, v)| v.clone())
        .collect();
    let done: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "done")
        .map(|(_, v)| v.clone())
        .collect();
    let x = s.app.session(&ctx, id).await?;
    // Only tasks ticked by hand are unticked here; what a note shows stays.
    let undone: Vec<String> = listed
        .into_iter()
        .filter(|l| !done.contains(l))
        .filter(|l| {
            x.tasks
                .iter()
                .any(|d| &d.task == l && d.evidence == TaskEvidence::Ticked)
        })
        .collect();
    match s.app.tick_tasks(&ctx, id, &done, &undone).await {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}"))),
        Err(e) => session_refused(&s, &ctx, locale, id, e).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The pre-session brief.

pub struct BriefMeasure {
    pub label: String,
    pub latest: String,
    pub change: String,
    pub safety: Option<bool>,
}

pub struct BriefLine {
    pub label: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "sessions/brief.html")]
struct BriefPage {
    c: Chrome,
    head: CourseHead,
    session: String,
    phase: String,
    remaining: String,
    last: String,
    raise_ending: bool,
    measures: Vec<BriefMeasure>,
    last_note_risk: String,
    risk_identified: bool,
    done_last: Vec<String>,
    tasks_due: Vec<BriefLine>,
    completed: Vec<BriefLine>,
    inventory: Vec<BriefLine>,
    events: Vec<BriefLine>,
    required: Vec<BriefLine>,
    optional: Vec<String>,
    strategies: Vec<String>,
    measures_due: Vec<String>,
    decisions: Vec<String>,
    warnings: Vec<String>,
}

/// Words for an engine warning on the brief (the course page words them the same way).
fn warning_text(t: &Tr, w: &Warning) -> String {
    match w {
        Warning::EndingNotRaised {
            raise_by,
            last_session,
            ..
        } => t.with2(
            "sessions-ending-late",
            "raise_by",
            raise_by,
            "last",
            last_session,
        ),
        Warning::NoBaselineMeasure { missing } => t.with1(
            "brief-warning-no-baseline-measure",
            "missing",
            missing
                .iter()
                .map(|m| instrument_label(m, t.locale))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => t.get(&format!("brief-warning-{}", other.code())),
    }
}

pub async fn brief(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let course_id: CourseId = parse_id(&id)?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "brief-title");
    let t = c.t;
    let b: PreSessionBrief = s.app.pre_session_brief(&ctx, course_id).await?;
    let course = s.app.course(&ctx, course_id).await?;
    let head = CourseHead::load(&s, &ctx, locale, &course).await?;
    let protocol = s
        .app
        .protocols()
        .get(&course.protocol_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let kinds = kith_domain::worksheet::WorksheetLibrary::builtin();
    let ws_title = |kind: &str| {
        kinds
            .get(kind)
            .map(|w| w.def().title.get(locale).to_string())
            .unwrap_or_else(|| kind.to_string())
    };
    let today = s.app.now().date();
    let page = BriefPage {
        session: match b.of {
            Some(of) if b.session > 0 => t.with2("sessions-next-of", "number", b.session, "of", of),
            _ => session_label(&t, b.session),
        },
        phase: phase_label(&protocol, b.agenda.phase.as_deref(), locale),
        remaining: b
            .remaining
            .map(|r| t.with1("brief-remaining", "count", r))
            .unwrap_or_else(|| t.get("brief-open-ended")),
        last: match (b.last_session, b.last_session_at) {
            (Some(n), Some(at)) => t.with2(
                "brief-last-session",
                "session",
                session_label(&t, n),
                "when",
                t.datetime(at),
            ),
            _ => t.get("brief-no-session-yet"),
        },
        raise_ending: b.agenda.raise_ending,
        measures: b
            .measures
            .iter()
            .map(|m| BriefMeasure {
                label: instrument_label(&m.instrument, locale),
                latest: m.latest_total.clone().unwrap_or_default(),
                change: m
                    .change
                    .clone()
                    .unwrap_or_else(|| t.get("brief-first-score")),
                safety: m.safety_item_positive,
            })
            .collect(),
        last_note_risk: b
            .last_note_risk
            .map(|r| t.get(&format!("note-risk-{}", r.code())))
            .unwrap_or_else(|| t.get("brief-no-risk-check")),
        risk_identified: b.last_note_risk == Some(kith_domain::note::RiskStatus::RiskIdentified),
        done_last: b
            .done_last_session
            .iter()
            .map(|d| task_label(&t, &protocol, &d.task))
            .collect(),
        tasks_due: b
            .tasks_due
            .iter()
            .map(|w| BriefLine {
                label: ws_title(&w.kind),
                detail: w
                    .due_on
                    .map(|d| {
                        if d < today {
                            t.with1("ws-overdue-since", "date", t.date(d))
                        } else {
                            t.with1("ws-due-on", "date", t.date(d))
                        }
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        completed: b
            .completed_since
            .iter()
            .map(|w| BriefLine {
                label: ws_title(&w.kind),
                detail: t.get(&format!("ws-status-{}", w.status.code())),
            })
            .collect(),
        inventory: b
            .inventory_changes
            .iter()
            .map(|p| BriefLine {
                label: p.display_name.clone(),
                detail: t.get(&format!(
                    "brief-person-{}",
                    match p.kind {
                        kith_app::courses::BriefChangeKind::Added => "added",
                        kith_app::courses::BriefChangeKind::Edited => "edited",
                        kith_app::courses::BriefChangeKind::Removed => "removed",
                    }
                )),
            })
            .collect(),
        events: b
            .new_events
            .iter()
            .map(|e| BriefLine {
                label: e.description.clone(),
                detail: e.date.to_string(),
            })
            .collect(),
        required: b
            .agenda
            .required_tasks
            .iter()
            .map(|task| BriefLine {
                label: task.label.get(locale).to_string(),
                detail: if task.late {
                    t.get("brief-task-late")
                } else {
                    String::new()
                },
            })
            .collect(),
        optional: b
            .agenda
            .optional_tasks
            .iter()
            .map(|task| task.label.get(locale).to_string())
            .collect(),
        strategies: b
            .agenda
            .strategies
            .iter()
            .map(|x| x.label.get(locale).to_string())
            .collect(),
        measures_due: b
            .agenda
            .measures_due
            .iter()
            .map(|m| instrument_label(&m.instrument, locale))
            .collect(),
        decisions: b
            .agenda
            .decision_points
            .iter()
            .map(|d| d.label.get(locale).to_string())
            .collect(),
        warnings: b.warnings.iter().map(|w| warning_text(&t, w)).collect(),
        head,
        c,
    };
    Ok(html(&page))
}
