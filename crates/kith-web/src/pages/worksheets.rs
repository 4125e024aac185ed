//! Worksheets as data: any worksheet definition of the library is rendered as a form by one
//! generic renderer — short and long text, whole numbers, 0–10 scales, yes/no(/unsure), dates,
//! times, date-times, single and multiple choice, people from the inventory, goals of the course
//! and repeating groups (shown with a few blank rows, so more can be added without JavaScript).
//! A worksheet is filled in session or set as a between-session task with a due date, marked
//! complete, and reviewed at a later session with the clinician's comment.

use super::sessions::{
    CourseHead, Refusal, parse_date, problem_message, refusal, session_label, version_of,
};
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::courses::WorksheetInput;
use kith_app::secrets::{body_hash, new_token};
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::ids::{CourseId, SessionId, WorksheetId};
use kith_domain::inventory::Visibility;
use kith_domain::locale::Locale;
use kith_domain::worksheet::{FieldDef, FieldType, WorksheetLibrary};
use kith_store::{
    CourseSession, Goal, Idempotency, Record, Worksheet, WorksheetContent, WorksheetStatus,
    WorksheetUpdate,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Blank rows offered under a repeating group, to add entries without JavaScript.
pub const BLANK_ROWS: usize = 2;

/// One option of a choice, a person or a goal list.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One field of the worksheet form.
pub struct FieldForm {
    /// Form field name: `f.steps[0].words`.
    pub name: String,
    /// Element id: `f-steps-0-words`.
    pub html_id: String,
    pub kind: &'static str,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub value: String,
    pub options: Vec<Opt>,
    pub min: i64,
    pub max: i64,
    pub low: String,
    pub high: String,
    pub max_length: u32,
    pub errors: Vec<String>,
    /// A repeating group's entries, then its blank rows.
    pub rows: Vec<GroupRow>,
}

pub struct GroupRow {
    pub legend: String,
    pub fields: Vec<FieldForm>,
}

/// A problem named with the field it concerns, for the list above the form.
pub struct ProblemLine {
    /// The path the application reported (`content.steps[2].what_i_felt`).
    pub path: String,
    pub anchor: String,
    pub field: String,
    pub message: String,
}

fn html_id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .replace("--", "-")
        .trim_end_matches('-')
        .to_string()
}

fn value_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn value_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|x| value_text(Some(x))).collect())
        .unwrap_or_default()
}

/// What the form offers for `person`, `people` and `goal` fields.
pub struct Links<'a> {
    pub people: &'a [Record<kith_domain::inventory::Person>],
    pub goals: &'a [Goal],
}

/// Builds the form for fields at `path` (`""` for the top, `steps[0]` inside an entry).
fn field_forms(
    t: &Tr,
    defs: &[FieldDef],
    path: &str,
    values: &Map<String, Value>,
    links: &Links<'_>,
    errors: &[(String, String)],
) -> Vec<FieldForm> {
    let locale = t.locale;
    defs.iter()
        .map(|d| {
            let p = if path.is_empty() {
                d.id.clone()
            } else {
                format!("{path}.{}", d.id)
            };
            let name = format!("f.{p}");
            let v = values.get(&d.id);
            let own_errors: Vec<String> = errors
                .iter()
                .filter(|(f, _)| {
                    f == &p
                        || (d.kind != FieldType::Group
                            && f.strip_prefix(p.as_str())
                                .is_some_and(|r| r.starts_with('[')))
                })
                .map(|(_, m)| m.clone())
                .collect();
            let chosen = value_list(v);
            let single = value_text(v);
            let options: Vec<Opt> = match d.kind {
                FieldType::Choice | FieldType::MultiChoice => d
                    .options
                    .iter()
                    .map(|o| Opt {
                        checked: chosen.contains(&o.id) || single == o.id,
                        value: o.id.clone(),
                        label: o.label.get(locale).to_string(),
                    })
                    .collect(),
                FieldType::Person | FieldType::People => links
                    .people
                    .iter()
                    .map(|r| {
                        let id = r.id.to_string();
                        Opt {
                            checked: chosen.contains(&id) || single == id,
                            value: id,
                            label: r.value.display_name.clone(),
                        }
                    })
                    .collect(),
                FieldType::Goal => links
                    .goals
                    .iter()
                    .map(|g| {
                        let id = g.id.to_string();
                        Opt {
                            checked: single == id,
                            value: id,
                            label: g.content.text.clone(),
                        }
                    })
                    .collect(),
                FieldType::YesNo => [("true", "yes"), ("false", "no")]
                    .into_iter()
                    .map(|(val, key)| Opt {
                        checked: single == val,
                        value: val.into(),
                        label: t.get(key),
                    })
                    .collect(),
                FieldType::YesNoUnsure => ["yes", "no", "unsure"]
                    .into_iter()
                    .map(|val| Opt {
                        checked: single == val,
                        value: val.into(),
                        label: t.get(&format!("ws-answer-{val}")),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let rows = if d.kind == FieldType::Group {
                let entries: Vec<Map<String, Value>> = v
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|e| e.as_object().cloned().unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default();
                let (_, max) = d.entry_bounds();
                let total = (entries.len() + BLANK_ROWS).min((max as usize).max(entries.len()));
                (0..total)
                    .map(|i| {
                        let empty = Map::new();
                        let entry = entries.get(i).unwrap_or(&empty);
                        GroupRow {
                            legend: if i < entries.len() {
                                t.with1("ws-entry-n", "number", i + 1)
                            } else {
                                t.with1("ws-entry-new", "number", i + 1)
                            },
                            fields: field_forms(
                                t,
                                &d.fields,
                                &format!("{p}[{i}]"),
                                entry,
                                links,
                                errors,
                            ),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let (min, max) = d.bounds().unwrap_or((0, 0));
            FieldForm {
                html_id: html_id(&name),
                name,
                kind: d.kind.code(),
                label: d.label.get(locale).to_string(),
                help: d
                    .help
                    .as_ref()
                    .map(|h| h.get(locale).to_string())
                    .unwrap_or_default(),
                required: d.required,
                value: single,
                options,
                min,
                max,
                low: d
                    .anchors
                    .as_ref()
                    .map(|a| a.low.get(locale).to_string())
                    .unwrap_or_default(),
                high: d
                    .anchors
                    .as_ref()
                    .map(|a| a.high.get(locale).to_string())
                    .unwrap_or_default(),
                max_length: d.text_limit(),
                errors: own_errors,
                rows,
            }
        })
        .collect()
}

/// Reads the submitted form fields of a worksheet into answers laid out as the definition says.
/// Group entries are read from their indexed fields; an entry left wholly blank is dropped (the
/// blank rows offered for adding more).
pub fn values_from_form(
    defs: &[FieldDef],
    prefix: &str,
    pairs: &[(String, String)],
) -> Map<String, Value> {
    let mut out = Map::new();
    for d in defs {
        let key = format!("{prefix}{}", d.id);
        let first = pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty());
        let value = match d.kind {
            FieldType::Integer | FieldType::Scale => first.map(|v| {
                let v = v.trim().to_string();
                match v.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => Value::String(v),
                }
            }),
            FieldType::YesNo => first.map(|v| match v.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(v),
            }),
            FieldType::MultiChoice | FieldType::People => {
                let list: Vec<Value> = pairs
                    .iter()
                    .filter(|(k, v)| *k == key && !v.trim().is_empty())
                    .map(|(_, v)| Value::String(v.clone()))
                    .collect();
                (!list.is_empty()).then_some(Value::Array(list))
            }
            FieldType::Group => {
                let start = format!("{key}[");
                let mut indices: Vec<usize> = pairs
                    .iter()
                    .filter_map(|(k, _)| {
                        let rest = k.strip_prefix(&start)?;
                        rest.split(']').next()?.parse::<usize>().ok()
                    })
                    .collect();
                indices.sort_unstable();
                indices.dedup();
                let entries: Vec<Value> = indices
                    .into_iter()
                    .map(|i| values_from_form(&d.fields, &format!("{key}[{i}]."), pairs))
                    .filter(|m| !m.is_empty())
                    .map(Value::Object)
                    .collect();
                (!entries.is_empty()).then_some(Value::Array(entries))
            }
            _ => first.map(Value::String),
        };
        if let Some(v) = value {
            out.insert(d.id.clone(), v);
        }
    }
    out
}

/// Words a field path for people: `steps[1].words` → "Conversation steps, entry 2 › Words".
fn path_label(t: &Tr, defs: &[FieldDef], path: &str) -> String {
    let mut fields = defs;
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let Some(d) = fields.iter().find(|f| f.id == name) else {
            parts.push(seg.to_string());
            break;
        };
        let label = d.label.get(t.locale).to_string();
        parts.push(match index {
            Some(i) => t.with2("ws-path-entry", "field", label, "number", i + 1),
            None => label,
        });
        fields = &d.fields;
    }
    parts.join(" › ")
}

fn problem_lines(
    t: &Tr,
    defs: &[FieldDef],
    errs: &[FieldError],
) -> (Vec<ProblemLine>, Vec<(String, String)>) {
    let mut lines = Vec::new();
    let mut by_path = Vec::new();
    for e in errs {
        let message = problem_message(t, e);
        let (inner, field) = match e.field.as_str() {
            "content" => (String::new(), t.get("ws-whole-worksheet")),
            f => match f.strip_prefix("content.") {
                Some(p) => (p.to_string(), path_label(t, defs, p)),
                None => {
                    let name = e.field.split('[').next().unwrap_or("");
                    (
                        String::new(),
                        t.get(&format!("ws-field-{}", name.replace('_', "-"))),
                    )
                }
            },
        };
        let anchor = if inner.is_empty() {
            "ws-form".to_string()
        } else {
            html_id(&format!("f.{inner}"))
        };
        if !inner.is_empty() {
            by_path.push((inner, message.clone()));
        }
        lines.push(ProblemLine {
            path: e.field.clone(),
            anchor,
            field,
            message,
        });
    }
    (lines, by_path)
}

// ---------------------------------------------------------------------------------------------
// The worksheets of a course.

pub struct WorksheetRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub session: String,
    pub due: String,
    pub overdue: bool,
    pub task: bool,
}

#[derive(Default)]
pub struct StartFields {
    pub kind: String,
    pub session: String,
    pub due_on: String,
    pub visibility: String,
}

#[derive(Template)]
#[template(path = "worksheets/list.html")]
struct WorksheetsPage {
    c: Chrome,
    head: CourseHead,
    rows: Vec<WorksheetRow>,
    suggested: Vec<Opt>,
    others: Vec<Opt>,
    sessions: Vec<Opt>,
    form: StartFields,
    errors: FormErrors,
    idempotency_key: String,
}

pub(crate) fn worksheet_title(kind: &str, locale: Locale) -> String {
    WorksheetLibrary::builtin()
        .get(kind)
        .map(|w| w.def().title.get(locale).to_string())
        .unwrap_or_else(|| kind.to_string())
}

fn rows_of(
    t: &Tr,
    worksheets: &[Worksheet],
    sessions: &[CourseSession],
    today: time::Date,
) -> Vec<WorksheetRow> {
    worksheets
        .iter()
        .map(|w| {
            let status = w.status.code();
            let overdue = w.status == WorksheetStatus::Draft && w.due_on.is_some_and(|d| d < today);
            WorksheetRow {
                id: w.id.to_string(),
                title: worksheet_title(&w.kind, t.locale),
                status,
                status_label: t.get(&format!("ws-status-{status}")),
                session: w
                    .session
                    .and_then(|id| sessions.iter().find(|x| x.id == id))
                    .map(|x| session_label(t, x.number))
                    .unwrap_or_default(),
                due: w
                    .due_on
                    .map(|d| {
                        if overdue {
                            t.with1("ws-overdue-since", "date", t.date(d))
                        } else {
                            t.with1("ws-due-on", "date", t.date(d))
                        }
                    })
                    .unwrap_or_default(),
                overdue,
                task: w.due_on.is_some(),
            }
        })
        .collect()
}

fn session_options(t: &Tr, sessions: &[CourseSession], chosen: &str) -> Vec<Opt> {
    sessions
        .iter()
        .map(|x| Opt {
            value: x.id.to_string(),
            label: session_label(t, x.number),
            checked: chosen == x.id.to_string(),
        })
        .collect()
}

async fn worksheets_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    course: CourseId,
    form: StartFields,
    errors: FormErrors,
) -> Result<WorksheetsPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/", "ws-list-title");
    let t = c.t;
    let view = s.app.course_view(ctx, course).await?;
    let head = CourseHead::load(s, ctx, locale, &view.course).await?;
    let worksheets = s.app.worksheets(ctx, course).await?;
    let protocol = s.app.protocols().get(&view.course.protocol_id).cloned();
    let area = protocol
        .as_ref()
        .and_then(|p| kith_app::courses::focus_area(p, view.formulation.as_ref()));
    let lib = WorksheetLibrary::builtin();
    let opt = |w: &kith_domain::worksheet::Worksheet| Opt {
        value: w.id().to_string(),
        label: w.def().title.get(locale).to_string(),
        checked: form.kind == w.id(),
    };
    let (suggested, others): (Vec<_>, Vec<_>) = lib
        .iter()
        .partition(|w| area.is_some_and(|a| w.serves_area(a) && !w.def().serves.areas.is_empty()));
    let today = s.app.now().date();
    Ok(WorksheetsPage {
        rows: rows_of(&t, &worksheets, &view.sessions, today),
        suggested: suggested.into_iter().map(opt).collect(),
        others: others.into_iter().map(opt).collect(),
        sessions: session_options(&t, &view.sessions, &form.session),
        form,
        errors,
        idempotency_key: new_token(),
        head,
        c,
    })
}

pub async fn list(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    Ok(html(
        &worksheets_page(
            &s,
            &ctx,
            locale,
            course,
            StartFields::default(),
            FormErrors::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartForm {
    kind: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    idempotency_key: String,
}

/// Starts a worksheet: in session, or as a between-session task when a due date is given.
pub async fn start(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<StartForm>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let t = Tr::new(locale);
    let mut errs = Vec::new();
    let session = match f.session.trim() {
        "" => None,
        v => match v.parse::<SessionId>() {
            Ok(x) => Some(x),
            Err(_) => {
                errs.push(FieldError::new("session", "session-unknown"));
                None
            }
        },
    };
    let due_on = match f.due_on.trim() {
        "" => None,
        v => match parse_date(v) {
            Some(d) => Some(d),
            None => {
                errs.push(FieldError::new("due_on", "field-not-a-date"));
                None
            }
        },
    };
    let visibility = match f.visibility.as_str() {
        "clinician-private" => Visibility::ClinicianPrivate,
        _ => Visibility::Shared,
    };
    let version = WorksheetLibrary::builtin()
        .get(f.kind.trim())
        .map(|w| w.version().to_string())
        .unwrap_or_default();
    let idem =
        (!f.idempotency_key.is_empty() && f.idempotency_key.len() <= 200).then(|| Idempotency {
            user: ctx.user.id,
            route: "POST /courses/{id}/worksheets",
            key: f.idempotency_key.clone(),
            request_hash: body_hash(
                format!(
                    "{course}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
                    f.kind, f.session, f.due_on, f.visibility
                )
                .as_bytes(),
            ),
            at: s.app.now(),
        });
    let result = if errs.is_empty() {
        s.app
            .create_worksheet(
                &ctx,
                course,
                &WorksheetInput {
                    kind: f.kind.clone(),
                    definition_version: if version.is_empty() {
                        "-".into()
                    } else {
                        version
                    },
                    session,
                    visibility,
                    due_on,
                    content: WorksheetContent::default(),
                },
                idem,
            )
            .await
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(w) => Ok(see_other(&format!("/worksheets/{}", w.value()))),
        Err(e) => {
            let errors = match refusal(&t, e)? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            let form = StartFields {
                kind: f.kind,
                session: f.session,
                due_on: f.due_on,
                visibility: f.visibility,
            };
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &worksheets_page(&s, &ctx, locale, course, form, errors).await?,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One worksheet.

#[derive(Template)]
#[template(path = "worksheets/worksheet.html")]
struct WorksheetPage {
    c: Chrome,
    head: CourseHead,
    id: String,
    kind: String,
    title: String,
    description: String,
    status: &'static str,
    status_label: String,
    by_client: bool,
    due: String,
    overdue: bool,
    session: String,
    private: bool,
    version: i64,
    fields: Vec<FieldForm>,
    problems: Vec<ProblemLine>,
    comment: String,
    review_sessions: Vec<Opt>,
    reviewed_at: String,
    conflict: bool,
}

struct Loaded {
    w: Worksheet,
    head: CourseHead,
    sessions: Vec<CourseSession>,
    people: Vec<Record<kith_domain::inventory::Person>>,
    goals: Vec<Goal>,
}

async fn load(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: WorksheetId,
) -> Result<Loaded, PageError> {
    let w = s.app.worksheet(ctx, id).await?;
    let course = s.app.course(ctx, w.course).await?;
    let head = CourseHead::load(s, ctx, locale, &course).await?;
    let sessions = s.app.sessions(ctx, w.course).await?;
    let people = s.app.inventory(ctx, w.client).await?;
    let goals = s.app.goals(ctx, w.course).await?;
    Ok(Loaded {
        w,
        head,
        sessions,
        people,
        goals,
    })
}

/// What a re-rendered worksheet page shows instead of the stored worksheet.
#[derive(Default)]
struct Sent<'a> {
    answers: Option<Map<String, Value>>,
    comment: Option<String>,
    errs: &'a [FieldError],
    conflict: bool,
}

fn worksheet_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    l: Loaded,
    sent: Sent<'_>,
) -> WorksheetPage {
    let Sent {
        answers,
        comment,
        errs,
        conflict,
    } = sent;
    let c = Chrome::new(s, Some(ctx), locale, "/", "ws-title");
    let t = c.t;
    let lib = WorksheetLibrary::builtin();
    let def = lib
        .get_version(&l.w.kind, &l.w.definition_version)
        .or_else(|| lib.get(&l.w.kind));
    let defs: &[FieldDef] = def.map(|d| d.fields()).unwrap_or(&[]);
    let (problems, by_path) = problem_lines(&t, defs, errs);
    let stored = l.w.content.content.as_object().cloned().unwrap_or_default();
    let values = answers.unwrap_or(stored);
    let links = Links {
        people: &l.people,
        goals: &l.goals,
    };
    let today = s.app.now().date();
    let row = rows_of(&t, std::slice::from_ref(&l.w), &l.sessions, today)
        .pop()
        .map(|r| (r.due, r.overdue, r.session));
    let (due, overdue, session) = row.unwrap_or_default();
    // Reviews are recorded at a held session, the latest first.
    let mut held: Vec<&CourseSession> = l
        .sessions
        .iter()
        .filter(|x| x.status == kith_domain::course::SessionStatus::Held)
        .collect();
    held.sort_by_key(|x| std::cmp::Reverse(x.number));
    WorksheetPage {
        id: l.w.id.to_string(),
        kind: l.w.kind.clone(),
        title: def
            .map(|d| d.def().title.get(locale).to_string())
            .unwrap_or_else(|| l.w.kind.clone()),
        description: def
            .map(|d| d.def().description.get(locale).to_string())
            .unwrap_or_default(),
        status: l.w.status.code(),
        status_label: t.get(&format!("ws-status-{}", l.w.status.code())),
        by_client: l.w.created_by_role == kith_store::WorksheetAuthor::Client,
        due,
        overdue,
        session,
        private: l.w.visibility == Visibility::ClinicianPrivate,
        version: l.w.version,
        fields: field_forms(&t, defs, "", &values, &links, &by_path),
        problems,
        comment: comment.unwrap_or_else(|| l.w.content.clinician_comment.clone()),
        review_sessions: held
            .iter()
            .map(|x| Opt {
                value: x.id.to_string(),
                label: session_label(&t, x.number),
                checked: l.w.reviewed_at_session == Some(x.id),
            })
            .collect(),
        reviewed_at: l
            .w
            .reviewed_at_session
            .and_then(|id| l.sessions.iter().find(|x| x.id == id))
            .map(|x| t.with1("ws-reviewed-at", "session", session_label(&t, x.number)))
            .unwrap_or_default(),
        conflict,
        head: l.head,
        c,
    }
}

pub async fn worksheet(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: WorksheetId = parse_id(&id)?;
    let l = load(&s, &ctx, locale, id).await?;
    Ok(html(&worksheet_page(&s, &ctx, locale, l, Sent::default())))
}

/// Saves the answers (keeping the status, marking complete, or reopening as a draft).
pub async fn save(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: WorksheetId = parse_id(&id)?;
    let l = load(&s, &ctx, locale, id).await?;
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lib = WorksheetLibrary::builtin();
    let defs: Vec<FieldDef> = lib
        .get_version(&l.w.kind, &l.w.definition_version)
        .map(|d| d.fields().to_vec())
        .unwrap_or_default();
    let answers = values_from_form(&defs, "f.", &pairs);
    let comment = field("comment");
    let status = match field("intent").as_str() {
        "complete" => WorksheetStatus::Complete,
        "reopen" => WorksheetStatus::Draft,
        _ => l.w.status,
    };
    let update = WorksheetUpdate {
        status,
        visibility: l.w.visibility,
        session: l.w.session,
        due_on: l.w.due_on,
        reviewed_at_session: l.w.reviewed_at_session,
        content: WorksheetContent {
            content: Value::Object(answers.clone()),
            clinician_comment: comment.clone(),
            ..l.w.content.clone()
        },
        at: s.app.now(),
    };
    finish(
        &s,
        &ctx,
        locale,
        l,
        &update,
        version_of(&field("version")),
        answers,
        comment,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    l: Loaded,
    update: &WorksheetUpdate,
    version: i64,
    answers: Map<String, Value>,
    comment: String,
) -> PageResult {
    let id = l.w.id;
    match s.app.update_worksheet(ctx, id, update, version).await {
        Ok(_) => Ok(see_other(&format!("/worksheets/{id}"))),
        Err(AppError::Invalid(errs)) => Ok(html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &worksheet_page(
                s,
                ctx,
                locale,
                l,
                Sent {
                    answers: Some(answers),
                    comment: Some(comment),
                    errs: &errs,
                    conflict: false,
                },
            ),
        )),
        Err(AppError::Conflict { .. }) => {
            // Someone saved first: show their version's status, keep what was sent.
            let l = load(s, ctx, locale, id).await?;
            Ok(html_status(
                StatusCode::CONFLICT,
                &worksheet_page(
                    s,
                    ctx,
                    locale,
                    l,
                    Sent {
                        answers: Some(answers),
                        comment: Some(comment),
                        errs: &[],
                        conflict: true,
                    },
                ),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    version: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    comment: String,
}

/// Marks a completed worksheet reviewed at a session, with the clinician's comment.
pub async fn review(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let id: WorksheetId = parse_id(&id)?;
    let l = load(&s, &ctx, locale, id).await?;
    let session = f.session.trim().parse::<SessionId>().ok();
    let answers = l.w.content.content.as_object().cloned().unwrap_or_default();
    let update = WorksheetUpdate {
        status: WorksheetStatus::Reviewed,
        visibility: l.w.visibility,
        session: l.w.session,
        due_on: l.w.due_on,
        reviewed_at_session: session,
        content: WorksheetContent {
            clinician_comment: f.comment.clone(),
            ..l.w.content.clone()
        },
        at: s.app.now(),
    };
    finish(
        &s,
        &ctx,
        locale,
        l,
        &update,
        version_of(&f.version),
        answers,
        f.comment,
    )
    .await
}

/// A worksheet's answers as read (the summary prints the relapse-prevention plan this way).
pub struct ReadField {
    pub label: String,
    pub value: String,
    pub rows: Vec<Vec<ReadField>>,
}

pub(crate) fn read_fields(
    t: &Tr,
    defs: &[FieldDef],
    values: &Map<String, Value>,
    links: &Links<'_>,
) -> Vec<ReadField> {
    let locale = t.locale;
    defs.iter()
        .filter_map(|d| {
            let v = values.get(&d.id)?;
            let person = |id: &str| {
                links
                    .people
                    .iter()
                    .find(|r| r.id.to_string() == id)
                    .map(|r| r.value.display_name.clone())
                    .unwrap_or_else(|| t.get("ws-person-gone"))
            };
            let option = |id: &str| {
                d.option(id)
                    .map(|o| o.label.get(locale).to_string())
                    .unwrap_or_else(|| id.to_string())
            };
            let text = value_text(Some(v));
            let value = match d.kind {
                FieldType::Choice => option(&text),
                FieldType::MultiChoice => value_list(Some(v))
                    .iter()
                    .map(|x| option(x))
                    .collect::<Vec<_>>()
                    .join(", "),
                FieldType::Person => person(&text),
                FieldType::People => value_list(Some(v))
                    .iter()
                    .map(|x| person(x))
                    .collect::<Vec<_>>()
                    .join(", "),
                FieldType::Goal => links
                    .goals
                    .iter()
                    .find(|g| g.id.to_string() == text)
                    .map(|g| g.content.text.clone())
                    .unwrap_or_default(),
                FieldType::YesNo => t.get(if text == "true" { "yes" } else { "no" }),
                FieldType::YesNoUnsure => t.get(&format!("ws-answer-{text}")),
                FieldType::Date => parse_date(&text).map(|d| t.date(d)).unwrap_or(text),
                FieldType::Group => String::new(),
                _ => text,
            };
            let rows = match (d.kind, v.as_array()) {
                (FieldType::Group, Some(entries)) => entries
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|e| read_fields(t, &d.fields, e, links))
                    .collect(),
                _ => Vec::new(),
            };
            Some(ReadField {
                label: d.label.get(locale).to_string(),
                value,
                rows,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::ids::{CourseId, GoalId, UserId};
    use kith_domain::inventory::{Person, PersonStatus, RelationshipType};
    use kith_domain::worksheet::Completeness;
    use kith_store::{GoalContent, GoalStatus};
    use time::macros::datetime;
    use uuid::Uuid;

    fn person(n: u128, name: &str) -> Record<Person> {
        let at = datetime!(2026-03-01 09:00 UTC);
        Record {
            id: Uuid::from_u128(n),
            value: Person::new(
                Uuid::from_u128(n),
                name,
                RelationshipType::Friend,
                PersonStatus::Current,
            ),
            version: 1,
            created_by: UserId(Uuid::from_u128(99)),
            created_at: at,
            updated_at: at,
            removed_at: None,
        }
    }

    fn goal(n: u128) -> Goal {
        let at = datetime!(2026-03-01 09:00 UTC);
        Goal {
            id: GoalId(Uuid::from_u128(n)),
            course: CourseId(Uuid::from_u128(1)),
            status: GoalStatus::Active,
            content: GoalContent {
                text: "See friends weekly".into(),
                ..GoalContent::default()
            },
            version: 1,
            created_by: UserId(Uuid::from_u128(99)),
            created_at: at,
            updated_at: at,
        }
    }

    /// A valid answer for a field, different for each entry `i`.
    fn sample(d: &FieldDef, i: usize, people: &[Record<Person>], goals: &[Goal]) -> Value {
        match d.kind {
            FieldType::ShortText => Value::String(format!("{} {i}", d.id)),
            FieldType::LongText => Value::String(format!("First line {i}\nSecond line")),
            FieldType::Integer => Value::from(d.min.unwrap_or(0) + i as i64),
            FieldType::Scale => Value::from(3 + i as i64),
            FieldType::YesNo => Value::Bool(i.is_multiple_of(2)),
            FieldType::YesNoUnsure => Value::String(["yes", "no", "unsure"][i % 3].into()),
            FieldType::Date => Value::String(format!("2026-03-{:02}", 10 + i)),
            FieldType::Time => Value::String(format!("07:{:02}", 15 + i)),
            FieldType::Datetime => Value::String(format!("2026-03-14T18:{:02}", 30 + i)),
            FieldType::Choice => Value::String(d.options[i % d.options.len()].id.clone()),
            FieldType::MultiChoice => Value::Array(
                d.options
                    .iter()
                    .take(2)
                    .map(|o| Value::String(o.id.clone()))
                    .collect(),
            ),
            FieldType::Person => Value::String(people[i % people.len()].id.to_string()),
            FieldType::People => Value::Array(
                people
                    .iter()
                    .map(|p| Value::String(p.id.to_string()))
                    .collect(),
            ),
            FieldType::Goal => Value::String(goals[0].id.to_string()),
            FieldType::Group => Value::Array(
                (0..2)
                    .map(|j| {
                        Value::Object(
                            d.fields
                                .iter()
                                .map(|f| (f.id.clone(), sample(f, j, people, goals)))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// What a browser sends for a form as shown (checked boxes, chosen options, typed values;
    /// blank rows as empty fields).
    fn sent(fields: &[FieldForm], out: &mut Vec<(String, String)>) {
        for f in fields {
            match f.kind {
                "group" => {
                    for row in &f.rows {
                        sent(&row.fields, out);
                    }
                }
                "choice" | "multi-choice" | "person" | "people" | "goal" | "yes-no"
                | "yes-no-unsure" => {
                    out.extend(
                        f.options
                            .iter()
                            .filter(|o| o.checked)
                            .map(|o| (f.name.clone(), o.value.clone())),
                    );
                }
                _ => out.push((f.name.clone(), f.value.clone())),
            }
        }
    }

    /// For every shipped worksheet, answers to every field shown in the form come back from the
    /// form exactly as they were: what the clinician sees is what is saved.
    #[test]
    fn every_shipped_worksheet_reads_back_what_its_form_shows() {
        let t = Tr::new(Locale::En);
        let people = vec![person(10, "Jo"), person(11, "Ana")];
        let goals = vec![goal(20)];
        let links = Links {
            people: &people,
            goals: &goals,
        };
        let mut kinds = 0;
        for def in WorksheetLibrary::builtin().iter() {
            let values: Map<String, Value> = def
                .fields()
                .iter()
                .map(|f| (f.id.clone(), sample(f, 0, &people, &goals)))
                .collect();
            let checked = def
                .validate(&Value::Object(values.clone()), Completeness::Complete)
                .unwrap_or_else(|e| panic!("{}: sample refused: {e:?}", def.id()));
            let form = field_forms(&t, def.fields(), "", &values, &links, &[]);
            let mut pairs = Vec::new();
            sent(&form, &mut pairs);
            let back = values_from_form(def.fields(), "f.", &pairs);
            assert_eq!(
                Value::Object(back),
                checked.to_json(),
                "{} does not read back what it shows",
                def.id()
            );
            kinds += 1;
        }
        assert_eq!(kinds, 11);
    }

    #[test]
    fn blank_rows_are_dropped_and_wrong_numbers_are_kept_for_the_check() {
        let def = WorksheetLibrary::builtin()
            .get("social-rhythm-diary")
            .expect("diary");
        let pairs: Vec<(String, String)> = [
            ("f.week_starting", "2026-03-09"),
            ("f.days[0].date", ""),
            ("f.days[0].mood", ""),
            ("f.days[3].date", "2026-03-10"),
            ("f.days[3].mood", "four"),
            ("f.days[7].out_of_bed", "07:00"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = values_from_form(def.fields(), "f.", &pairs);
        let days = v["days"].as_array().expect("days");
        assert_eq!(days.len(), 2, "the wholly blank entry is left out");
        assert_eq!(
            days[0]["mood"], "four",
            "kept as sent, so the check names it"
        );
        assert_eq!(days[1]["out_of_bed"], "07:00");
        let err = def
            .validate(&Value::Object(v), Completeness::Draft)
            .unwrap_err();
        assert_eq!(err[0].path, "days[0].mood");
        assert_eq!(err[0].problem.code(), "field-wrong-type");
    }

    #[test]
    fn a_group_offers_blank_rows_up_to_its_maximum() {
        let t = Tr::new(Locale::En);
        let def = WorksheetLibrary::builtin()
            .get("relapse-prevention-plan")
            .expect("plan");
        let links = Links {
            people: &[],
            goals: &[],
        };
        let values: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "warning_signs": [{"sign": "Not sleeping"}]
        }))
        .expect("map");
        let form = field_forms(&t, def.fields(), "", &values, &links, &[]);
        let signs = form
            .iter()
            .find(|f| f.name == "f.warning_signs")
            .expect("group");
        assert_eq!(signs.rows.len(), 1 + BLANK_ROWS);
        assert_eq!(signs.rows[0].fields[0].value, "Not sleeping");
        assert_eq!(signs.rows[2].fields[0].name, "f.warning_signs[2].sign");
        assert_eq!(signs.rows[2].fields[0].html_id, "f-warning_signs-2-sign");
    }
}
