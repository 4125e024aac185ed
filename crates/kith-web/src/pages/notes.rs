//! Session notes and process notes.
//!
//! A session note is a form built from the note template for the session's phase and the
//! course's problem area: text sections, checklists of protocol tasks, technique tags, the risk
//! check, a mood rating and links to worksheets. Drafts are saved with a version; a save from a
//! stale tab answers 409 with the text that was sent kept in the form and the other version shown
//! beside it. A signed note has no edit form; corrections are addenda; a supervisor signs off.
//!
//! Process notes are a separate record: only their author ever sees them, on their own pages.

use super::sessions::{
    CourseHead, Refusal, as_not_found, phase_label, refusal, session_label, task_label, version_of,
};
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::courses::{NoteInput, sections_record_risk, session_phase};
use kith_app::secrets::{body_hash, new_token};
use kith_app::{AppError, Ctx};
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, NoteId, SessionId, UserId};
use kith_domain::locale::Locale;
use kith_domain::note::{NoteLibrary, NoteTemplate, RiskUrgency, SectionKind};
use kith_domain::worksheet::WorksheetLibrary;
use kith_store::{CourseSession, Idempotency, NoteIntegrity, SessionNote, Worksheet};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One choice of a checklist, technique list or worksheet list.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

/// One section of the note form.
pub struct SectionForm {
    pub id: String,
    pub kind: &'static str,
    pub label: String,
    pub prompt: String,
    pub required: bool,
    /// Text, the mood rating, or the actions of a risk check.
    pub text: String,
    /// The status of a risk check.
    pub status: String,
    /// The urgency of identified risk (a risk check).
    pub urgency: String,
    pub choices: Vec<Choice>,
    pub min: i64,
    pub max: i64,
    pub low: String,
    pub high: String,
    pub errors: Vec<String>,
}

/// One section of a note as read (signed, or the other version of a conflict).
pub struct SectionRead {
    pub id: String,
    pub label: String,
    pub text: String,
    pub items: Vec<String>,
    /// Links: (href, label).
    pub links: Vec<(String, String)>,
    pub risk: bool,
}

pub struct AddendumView {
    pub by: String,
    pub at: String,
    pub text: String,
}

pub struct TickView {
    pub task: String,
    pub section: String,
}

/// The risk statuses a risk check offers, in order.
const RISK_STATUSES: [&str; 3] = ["not-assessed", "no-risk-identified", "risk-identified"];

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The note form for a template, filled from section values (stored, or as just sent).
fn section_forms(
    t: &Tr,
    template: &NoteTemplate,
    values: &BTreeMap<String, Value>,
    worksheets: &[Worksheet],
    errors: &FormErrors,
) -> Vec<SectionForm> {
    let locale = t.locale;
    let kinds = WorksheetLibrary::builtin();
    let mut unplaced: Vec<String> = errors
        .0
        .iter()
        .filter(|(f, _)| f.is_empty() || f == "." || f == "sections")
        .map(|(_, m)| m.clone())
        .collect();
    let mut out: Vec<SectionForm> = template
        .sections()
        .iter()
        .map(|d| {
            let v = values.get(&d.id);
            let mine = |f: &str| {
                f == d.id
                    || f.strip_prefix(d.id.as_str())
                        .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
            };
            let errs: Vec<String> = errors
                .0
                .iter()
                .filter(|(f, _)| mine(f))
                .map(|(_, m)| m.clone())
                .collect();
            let chosen = str_list(v);
            let choices = match d.kind {
                SectionKind::Checklist => d
                    .items
                    .iter()
                    .map(|i| Choice {
                        checked: chosen.contains(&i.id),
                        id: i.id.clone(),
                        label: i.label.get(locale).to_string(),
                    })
                    .collect(),
                SectionKind::Techniques => d
                    .options
                    .iter()
                    .map(|o| Choice {
                        checked: chosen.contains(&o.id),
                        id: o.id.clone(),
                        label: o.label.get(locale).to_string(),
                    })
                    .collect(),
                SectionKind::Worksheets => worksheets
                    .iter()
                    .map(|w| {
                        let title = kinds
                            .get(&w.kind)
                            .map(|k| k.def().title.get(locale).to_string())
                            .unwrap_or_else(|| w.kind.clone());
                        let suggested = d.worksheets.contains(&w.kind);
                        Choice {
                            checked: chosen.contains(&w.id.to_string()),
                            id: w.id.to_string(),
                            label: if suggested {
                                t.with1("note-worksheet-suggested", "title", title)
                            } else {
                                title
                            },
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let (text, status, urgency) = match d.kind {
                SectionKind::RiskCheck => (
                    text_of(v.and_then(|x| x.get("actions"))),
                    text_of(v.and_then(|x| x.get("status"))),
                    text_of(v.and_then(|x| x.get("urgency"))),
                ),
                _ => (text_of(v), String::new(), String::new()),
            };
            let (min, max) = d.bounds();
            SectionForm {
                id: d.id.clone(),
                kind: d.kind.code(),
                label: d.label.get(locale).to_string(),
                prompt: d
                    .prompt
                    .as_ref()
                    .map(|p| p.get(locale).to_string())
                    .unwrap_or_default(),
                required: d.required,
                text,
                status,
                urgency,
                choices,
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
                errors: errs,
            }
        })
        .collect();
    // Problems that name no section of this form are shown with the first section.
    if let Some(first) = out.first_mut() {
        first.errors.append(&mut unplaced);
    }
    out
}

/// A note's sections as read.
fn section_reads(
    t: &Tr,
    template: Option<&NoteTemplate>,
    values: &BTreeMap<String, Value>,
) -> Vec<SectionRead> {
    let locale = t.locale;
    let mut out = Vec::new();
    let order: Vec<String> = match template {
        Some(tp) => tp.sections().iter().map(|s| s.id.clone()).collect(),
        None => values.keys().cloned().collect(),
    };
    for id in order {
        let Some(v) = values.get(&id) else { continue };
        let def = template.and_then(|tp| tp.section(&id));
        let label = def
            .map(|d| d.label.get(locale).to_string())
            .unwrap_or_else(|| id.clone());
        let mut r = SectionRead {
            id: id.clone(),
            label,
            text: String::new(),
            items: Vec::new(),
            links: Vec::new(),
            risk: false,
        };
        match def.map(|d| d.kind) {
            Some(SectionKind::Checklist) => {
                r.items = str_list(Some(v))
                    .iter()
                    .map(|i| {
                        def.and_then(|d| d.item(i))
                            .map(|x| x.label.get(locale).to_string())
                            .unwrap_or_else(|| i.clone())
                    })
                    .collect();
            }
            Some(SectionKind::Techniques) => {
                r.items = str_list(Some(v))
                    .iter()
                    .map(|i| {
                        def.and_then(|d| d.option(i))
                            .map(|x| x.label.get(locale).to_string())
                            .unwrap_or_else(|| i.clone())
                    })
                    .collect();
            }
            Some(SectionKind::Worksheets) => {
                r.links = str_list(Some(v))
                    .into_iter()
                    .map(|w| (format!("/worksheets/{w}"), t.get("note-linked-worksheet")))
                    .collect();
            }
            Some(SectionKind::RiskCheck) => {
                let status = text_of(v.get("status"));
                r.risk = status == "risk-identified";
                r.text = t.get(&format!("note-risk-{status}"));
                let urgency = text_of(v.get("urgency"));
                if r.risk && !urgency.is_empty() {
                    r.text = format!("{} · {}", r.text, t.get(&format!("risk-urgency-{urgency}")));
                }
                let actions = text_of(v.get("actions"));
                if !actions.is_empty() {
                    r.items = vec![t.with1("note-risk-actions-were", "actions", actions)];
                }
            }
            Some(SectionKind::MoodRating) => {
                let (_, max) = def.map(|d| d.bounds()).unwrap_or((0, 10));
                r.text = t.with2("note-mood-of", "value", text_of(Some(v)), "max", max);
            }
            _ => r.text = text_of(Some(v)),
        }
        out.push(r);
    }
    out
}

/// Reads the note form into section values, laid out as the template says. Fields of sections
/// the template does not have are left out.
/// Whether a field posted with the note form is one the form has: its version, the button
/// pressed, or a section of the note's template.
fn note_field_known(template: &NoteTemplate, key: &str) -> bool {
    if key == "version" || key == "intent" {
        return true;
    }
    let Some(rest) = key.strip_prefix("s.") else {
        return false;
    };
    template.sections().iter().any(|d| match d.kind {
        SectionKind::RiskCheck => {
            rest.strip_prefix(d.id.as_str()) == Some(".status")
                || rest.strip_prefix(d.id.as_str()) == Some(".actions")
                || rest.strip_prefix(d.id.as_str()) == Some(".urgency")
        }
        _ => rest == d.id,
    })
}

fn note_values(template: &NoteTemplate, pairs: &[(String, String)]) -> BTreeMap<String, Value> {
    let first = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let all = |key: &str| -> Vec<Value> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| Value::String(v.clone()))
            .collect()
    };
    let mut out = BTreeMap::new();
    for d in template.sections() {
        let key = format!("s.{}", d.id);
        let value = match d.kind {
            SectionKind::Text => first(&key).map(Value::String),
            SectionKind::MoodRating => first(&key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(|v| match v.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => Value::String(v),
                }),
            SectionKind::Checklist | SectionKind::Techniques | SectionKind::Worksheets => {
                let list = all(&key);
                (!list.is_empty()).then_some(Value::Array(list))
            }
            SectionKind::RiskCheck => {
                let status = first(&format!("{key}.status")).unwrap_or_default();
                let actions = first(&format!("{key}.actions")).unwrap_or_default();
                let urgency = first(&format!("{key}.urgency")).unwrap_or_default();
                if status.trim().is_empty() && actions.trim().is_empty() {
                    None
                } else {
                    let mut m = serde_json::Map::new();
                    m.insert("status".into(), Value::String(status));
                    m.insert("actions".into(), Value::String(actions));
                    // Only identified risk has an urgency; a choice left over from an earlier
                    // status is dropped rather than refused.
                    if m["status"] == "risk-identified" {
                        m.insert("urgency".into(), Value::String(urgency));
                    }
                    Some(Value::Object(m))
                }
            }
        };
        if let Some(v) = value {
            out.insert(d.id.clone(), v);
        }
    }
    out
}

/// The other version of a note, shown when a save came from a stale tab.
pub struct ConflictView {
    pub sections: Vec<SectionRead>,
    pub saved_at: String,
    pub saved_by: String,
}

#[derive(Template)]
#[template(path = "notes/note.html")]
struct NotePage {
    c: Chrome,
    head: CourseHead,
    session: String,
    session_label: String,
    phase: String,
    template_title: String,
    note_id: String,
    version: i64,
    /// The form is shown (no note yet, or a draft) to someone who writes notes.
    editable: bool,
    draft: bool,
    signed: bool,
    signed_line: String,
    integrity: &'static str,
    integrity_label: String,
    sections: Vec<SectionForm>,
    read: Vec<SectionRead>,
    ticks: Vec<TickView>,
    addenda: Vec<AddendumView>,
    sign_off: String,
    can_add_addendum: bool,
    can_sign_off: bool,
    risk_recorded: bool,
    risk_statuses: Vec<(&'static str, String)>,
    risk_urgencies: Vec<(&'static str, String)>,
    errors: FormErrors,
    conflict: Option<ConflictView>,
    idempotency_key: String,
    addendum_text: String,
}

struct NoteContext {
    session: CourseSession,
    head: CourseHead,
    protocol: kith_domain::protocol::Protocol,
    phase: String,
    note: Option<SessionNote>,
    template: &'static NoteTemplate,
    worksheets: Vec<Worksheet>,
    names: BTreeMap<UserId, String>,
}

async fn note_context(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: SessionId,
) -> Result<NoteContext, PageError> {
    let session = s.app.session(ctx, id).await?;
    let course = s.app.course(ctx, session.course).await?;
    let head = CourseHead::load(s, ctx, locale, &course).await?;
    let protocol = s
        .app
        .protocols()
        .get(&course.protocol_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let phase = phase_label(
        &protocol,
        session_phase(&protocol, &course, &session).as_deref(),
        locale,
    );
    let note = s.app.note_of_session(ctx, id).await?;
    let chosen = s.app.session_note_template(ctx, id).await?;
    // A signed note is read with the template it was written in.
    let template = match &note {
        Some(n) if n.signature.is_some() => NoteLibrary::builtin()
            .get(&n.content.template)
            .unwrap_or(chosen),
        _ => chosen,
    };
    let worksheets = s.app.worksheets(ctx, session.course).await?;
    let names = match &note {
        Some(n) => s.app.note_people(ctx, n).await?,
        None => BTreeMap::new(),
    };
    Ok(NoteContext {
        session,
        head,
        protocol,
        phase,
        note,
        template,
        worksheets,
        names,
    })
}

/// What a re-rendered note page shows besides the stored note.
#[derive(Default)]
struct Shown {
    /// Section values for the form (what was just sent), instead of the draft's.
    values: Option<BTreeMap<String, Value>>,
    /// The version the form carries, instead of the stored note's.
    version: Option<i64>,
    errors: FormErrors,
    /// The other version, when a save came from a stale tab.
    conflict: Option<ConflictView>,
    addendum_text: String,
}

fn shown_errors(errors: FormErrors) -> Shown {
    Shown {
        errors,
        ..Shown::default()
    }
}

/// Builds the note page.
fn note_page(s: &AppState, ctx: &Ctx, locale: Locale, nc: NoteContext, shown: Shown) -> NotePage {
    let Shown {
        values,
        version,
        errors,
        conflict,
        addendum_text,
    } = shown;
    let c = Chrome::new(s, Some(ctx), locale, "/", "note-title");
    let t = c.t;
    let name = |u: &UserId| nc.names.get(u).cloned().unwrap_or_default();
    let signed = nc.note.as_ref().is_some_and(|n| n.signature.is_some());
    let writer = ctx.role() == Some(Role::Clinician);
    let stored: BTreeMap<String, Value> = nc
        .note
        .as_ref()
        .map(|n| n.content.sections.clone())
        .unwrap_or_default();
    let form_values = values.unwrap_or_else(|| stored.clone());
    let (integrity, integrity_label) = match nc.note.as_ref().map(|n| n.integrity) {
        Some(NoteIntegrity::Intact) => ("intact", t.get("note-integrity-intact")),
        Some(NoteIntegrity::Tampered) => ("tampered", t.get("note-integrity-tampered")),
        _ => ("draft", t.get("note-integrity-draft")),
    };
    let section_label = |sec: &str| {
        nc.template
            .section(sec)
            .map(|d| d.label.get(locale).to_string())
            .unwrap_or_else(|| sec.to_string())
    };
    NotePage {
        session: nc.session.id.to_string(),
        session_label: session_label(&t, nc.session.number),
        phase: nc.phase.clone(),
        template_title: nc.template.title().get(locale).to_string(),
        note_id: nc
            .note
            .as_ref()
            .map(|n| n.id.to_string())
            .unwrap_or_default(),
        version: version.unwrap_or_else(|| nc.note.as_ref().map_or(0, |n| n.version)),
        editable: !signed && writer,
        draft: nc.note.is_some() && !signed,
        signed,
        signed_line: nc
            .note
            .as_ref()
            .and_then(|n| n.signature.as_ref())
            .map(|sig| {
                t.with2(
                    "note-signed-by",
                    "name",
                    name(&sig.by),
                    "when",
                    t.datetime(sig.at),
                )
            })
            .unwrap_or_default(),
        integrity,
        integrity_label,
        sections: section_forms(&t, nc.template, &form_values, &nc.worksheets, &errors),
        read: if signed {
            section_reads(&t, Some(nc.template), &stored)
        } else {
            Vec::new()
        },
        ticks: nc
            .note
            .as_ref()
            .map(|n| {
                n.content
                    .ticks
                    .iter()
                    .map(|x| TickView {
                        task: task_label(&t, &nc.protocol, &x.task),
                        section: section_label(&x.section),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        addenda: nc
            .note
            .as_ref()
            .map(|n| {
                n.addenda
                    .iter()
                    .map(|a| AddendumView {
                        by: name(&a.author),
                        at: t.datetime(a.at),
                        text: a.text.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        sign_off: nc
            .note
            .as_ref()
            .and_then(|n| n.sign_off.as_ref())
            .map(|o| {
                let line = t.with2(
                    "note-signed-off-by",
                    "name",
                    name(&o.supervisor),
                    "when",
                    t.datetime(o.at),
                );
                match &o.comment {
                    Some(cm) => format!("{line} — {cm}"),
                    None => line,
                }
            })
            .unwrap_or_default(),
        can_add_addendum: signed && writer,
        can_sign_off: signed
            && ctx.role() == Some(Role::Supervisor)
            && nc.note.as_ref().is_some_and(|n| n.sign_off.is_none()),
        risk_recorded: sections_record_risk(&form_values) || sections_record_risk(&stored),
        risk_statuses: RISK_STATUSES
            .iter()
            .map(|code| (*code, t.get(&format!("note-risk-{code}"))))
            .collect(),
        risk_urgencies: RiskUrgency::ALL
            .iter()
            .map(|u| (u.code(), t.get(&format!("risk-urgency-{}", u.code()))))
            .collect(),
        errors,
        conflict,
        idempotency_key: new_token(),
        addendum_text,
        head: nc.head,
        c,
    }
}

pub async fn note(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let nc = note_context(&s, &ctx, locale, id).await?;
    Ok(html(&note_page(&s, &ctx, locale, nc, Shown::default())))
}

/// Saves the draft (and signs it when asked). A stale version answers 409 with the text sent
/// kept in the form and the version saved meanwhile shown beside it.
pub async fn save(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let t = Tr::new(locale);
    let nc = note_context(&s, &ctx, locale, id).await?;
    // Like every other form, a field the note's template does not have is refused, not ignored.
    if let Some((unknown, _)) = pairs
        .iter()
        .find(|(k, _)| !note_field_known(nc.template, k))
    {
        return Err(WebError::bad(
            "unknown-field",
            "detail-unknown-field",
            vec![("field".into(), unknown.chars().take(80).collect())],
        )
        .into());
    }
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version = version_of(&field("version"));
    let sign = field("intent") == "sign";
    let values = note_values(nc.template, &pairs);
    let input = NoteInput {
        sections: values.clone(),
    };
    let saved = match s.app.save_note(&ctx, id, &input, version).await {
        Ok(n) => n,
        Err(e) => {
            return match refusal(&t, e)? {
                Refusal::Problems(errors) => Ok(html_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &note_page(
                        &s,
                        &ctx,
                        locale,
                        nc,
                        Shown {
                            values: Some(values),
                            version: Some(version),
                            errors,
                            ..Shown::default()
                        },
                    ),
                )),
                Refusal::Conflict => {
                    let other = nc.note.as_ref();
                    let conflict = ConflictView {
                        sections: other
                            .map(|n| section_reads(&t, Some(nc.template), &n.content.sections))
                            .unwrap_or_default(),
                        saved_at: other.map(|n| t.datetime(n.updated_at)).unwrap_or_default(),
                        saved_by: other
                            .and_then(|n| nc.names.get(&n.author).cloned())
                            .unwrap_or_default(),
                    };
                    let current = other.map(|n| n.version);
                    let errors = FormErrors(vec![(String::new(), t.get("note-conflict-intro"))]);
                    Ok(html_status(
                        StatusCode::CONFLICT,
                        &note_page(
                            &s,
                            &ctx,
                            locale,
                            nc,
                            Shown {
                                values: Some(values),
                                version: current,
                                errors,
                                conflict: Some(conflict),
                                ..Shown::default()
                            },
                        ),
                    ))
                }
            };
        }
    };
    if sign {
        match s.app.sign_note(&ctx, saved.id, saved.version).await {
            Ok(_) => {}
            Err(e) => {
                let errors = match refusal(&t, e)? {
                    Refusal::Problems(p) => p,
                    Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
                };
                let nc = note_context(&s, &ctx, locale, id).await?;
                let mut errors = errors;
                errors
                    .0
                    .insert(0, (String::new(), t.get("note-saved-not-signed")));
                return Ok(html_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &note_page(&s, &ctx, locale, nc, shown_errors(errors)),
                ));
            }
        }
    }
    Ok(see_other(&format!("/sessions/{id}/note")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignForm {
    version: String,
}

/// Signs a saved draft as it is.
pub async fn sign(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<SignForm>,
) -> PageResult {
    let note: NoteId = parse_id(&id)?;
    let t = Tr::new(locale);
    match s.app.sign_note(&ctx, note, version_of(&f.version)).await {
        Ok(n) => Ok(see_other(&format!("/sessions/{}/note", n.session))),
        Err(e) => {
            let n = s.app.note(&ctx, note).await?;
            let errors = match refusal(&t, e)? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            let nc = note_context(&s, &ctx, locale, n.session).await?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &note_page(&s, &ctx, locale, nc, shown_errors(errors)),
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddendumForm {
    text: String,
    #[serde(default)]
    idempotency_key: String,
}

pub async fn addendum(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<AddendumForm>,
) -> PageResult {
    let note: NoteId = parse_id(&id)?;
    let t = Tr::new(locale);
    let idem =
        (!f.idempotency_key.is_empty() && f.idempotency_key.len() <= 200).then(|| Idempotency {
            user: ctx.user.id,
            route: "POST /notes/{id}/addenda",
            key: f.idempotency_key.clone(),
            request_hash: body_hash(format!("{note}\u{0}{}", f.text).as_bytes()),
            at: s.app.now(),
        });
    match s.app.add_addendum(&ctx, note, &f.text, idem).await {
        Ok(_) => {
            let n = s.app.note(&ctx, note).await?;
            Ok(see_other(&format!("/sessions/{}/note", n.session)))
        }
        Err(e) => {
            let errors = match refusal(&t, e)? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            let n = s.app.note(&ctx, note).await?;
            let nc = note_context(&s, &ctx, locale, n.session).await?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &note_page(
                    &s,
                    &ctx,
                    locale,
                    nc,
                    Shown {
                        errors,
                        addendum_text: f.text,
                        ..Shown::default()
                    },
                ),
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffForm {
    #[serde(default)]
    comment: String,
}

/// A supervisor signs off a supervisee's signed note.
pub async fn sign_off(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<SignOffForm>,
) -> PageResult {
    let note: NoteId = parse_id(&id)?;
    let t = Tr::new(locale);
    match s.app.sign_off_note(&ctx, note, Some(&f.comment)).await {
        Ok(n) => Ok(see_other(&format!("/sessions/{}/note", n.session))),
        Err(e) => {
            let errors = match refusal(&t, e)? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            let n = s.app.note(&ctx, note).await?;
            let nc = note_context(&s, &ctx, locale, n.session).await?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &note_page(&s, &ctx, locale, nc, shown_errors(errors)),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Process notes: the author's own, never shown anywhere else.

pub struct ProcessRow {
    pub id: String,
    pub when: String,
    pub about: String,
    pub first_line: String,
}

#[derive(Template)]
#[template(path = "notes/process_list.html")]
struct ProcessListPage {
    c: Chrome,
    client: String,
    client_name: String,
    notes: Vec<ProcessRow>,
}

pub async fn process_list(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let client: ClientId = parse_id(&id)?;
    let notes = s
        .app
        .process_notes(&ctx, client)
        .await
        .map_err(as_not_found)?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "pnote-list-title");
    let t = c.t;
    let who = s.app.client(&ctx, client).await?;
    let mut rows: Vec<ProcessRow> = notes
        .iter()
        .map(|n| ProcessRow {
            id: n.id.to_string(),
            when: t.datetime(n.updated_at),
            about: if n.session.is_some() {
                t.get("pnote-about-session")
            } else {
                t.get("pnote-about-client")
            },
            first_line: n
                .text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect(),
        })
        .collect();
    rows.reverse();
    Ok(html(&ProcessListPage {
        client: client.to_string(),
        client_name: who.display_name,
        notes: rows,
        c,
    }))
}

#[derive(Template)]
#[template(path = "notes/process.html")]
struct ProcessPage {
    c: Chrome,
    client: String,
    client_name: String,
    /// Where the form posts.
    action: String,
    session_label: String,
    back: String,
    text: String,
    version: i64,
    errors: FormErrors,
    saved_at: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessForm {
    text: String,
    version: String,
}

/// The caller's process note about one session (one per author and session).
pub async fn process_for_session(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let (page, _) = session_process_page(&s, &ctx, locale, id).await?;
    Ok(html(&page))
}

async fn session_process_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: SessionId,
) -> Result<(ProcessPage, Option<kith_store::ProcessNote>), PageError> {
    let x = s.app.session(ctx, id).await.map_err(as_not_found)?;
    let course = s.app.course(ctx, x.course).await.map_err(as_not_found)?;
    let mine = s
        .app
        .process_notes(ctx, course.client)
        .await
        .map_err(as_not_found)?;
    let existing = mine.into_iter().find(|n| n.session == Some(id));
    let c = Chrome::new(s, Some(ctx), locale, "/", "pnote-title");
    let t = c.t;
    let who = s.app.client(ctx, course.client).await?;
    Ok((
        ProcessPage {
            client: course.client.to_string(),
            client_name: who.display_name,
            action: format!("/sessions/{id}/process-note"),
            session_label: session_label(&t, x.number),
            back: format!("/sessions/{id}"),
            text: existing
                .as_ref()
                .map(|n| n.text.clone())
                .unwrap_or_default(),
            version: existing.as_ref().map_or(0, |n| n.version),
            errors: FormErrors::default(),
            saved_at: existing
                .as_ref()
                .map(|n| t.with1("pnote-saved-at", "when", t.datetime(n.updated_at)))
                .unwrap_or_default(),
            c,
        },
        existing,
    ))
}

pub async fn save_process_for_session(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<ProcessForm>,
) -> PageResult {
    let id: SessionId = parse_id(&id)?;
    let (mut page, existing) = session_process_page(&s, &ctx, locale, id).await?;
    let x = s.app.session(&ctx, id).await.map_err(as_not_found)?;
    let client: ClientId = parse_id(&page.client)?;
    let result = s
        .app
        .save_process_note(
            &ctx,
            client,
            existing.as_ref().map(|n| n.id),
            Some(x.course),
            Some(id),
            &f.text,
            version_of(&f.version),
        )
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}/process-note"))),
        Err(e) => {
            let t = page.c.t;
            page.errors = match refusal(&t, hide_forbidden(e))? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            page.text = f.text;
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// One of the caller's process notes about a client, to read and change.
pub async fn process_note(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((client, note)): Path<(String, String)>,
) -> PageResult {
    let client: ClientId = parse_id(&client)?;
    let note: NoteId = parse_id(&note)?;
    Ok(html(
        &client_process_page(&s, &ctx, locale, client, Some(note)).await?,
    ))
}

async fn client_process_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    note: Option<NoteId>,
) -> Result<ProcessPage, PageError> {
    let existing = match note {
        Some(n) => Some(s.app.process_note(ctx, client, n).await?),
        None => {
            // Writing a new one needs the same right as reading one's own.
            s.app
                .process_notes(ctx, client)
                .await
                .map_err(as_not_found)?;
            None
        }
    };
    let c = Chrome::new(s, Some(ctx), locale, "/", "pnote-title");
    let t = c.t;
    let who = s.app.client(ctx, client).await?;
    Ok(ProcessPage {
        client: client.to_string(),
        client_name: who.display_name,
        action: match note {
            Some(n) => format!("/clients/{client}/process-notes/{n}"),
            None => format!("/clients/{client}/process-notes"),
        },
        session_label: match existing.as_ref().and_then(|n| n.session) {
            Some(_) => t.get("pnote-about-session"),
            None => t.get("pnote-about-client"),
        },
        back: format!("/clients/{client}/process-notes"),
        text: existing
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default(),
        version: existing.as_ref().map_or(0, |n| n.version),
        errors: FormErrors::default(),
        saved_at: existing
            .as_ref()
            .map(|n| t.with1("pnote-saved-at", "when", t.datetime(n.updated_at)))
            .unwrap_or_default(),
        c,
    })
}

/// Writes a new process note about a client.
pub async fn create_process_note(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<ProcessForm>,
) -> PageResult {
    let client: ClientId = parse_id(&id)?;
    write_process_note(&s, &ctx, locale, client, None, f).await
}

/// Changes one of the caller's process notes about a client.
pub async fn update_process_note(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((client, note)): Path<(String, String)>,
    Form(f): Form<ProcessForm>,
) -> PageResult {
    let client: ClientId = parse_id(&client)?;
    let note: NoteId = parse_id(&note)?;
    write_process_note(&s, &ctx, locale, client, Some(note), f).await
}

async fn write_process_note(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    note: Option<NoteId>,
    f: ProcessForm,
) -> PageResult {
    let mut page = client_process_page(s, ctx, locale, client, note).await?;
    let (course, session) = match note {
        Some(n) => {
            let p = s.app.process_note(ctx, client, n).await?;
            (p.course, p.session)
        }
        None => (None, None),
    };
    match s
        .app
        .save_process_note(
            ctx,
            client,
            note,
            course,
            session,
            &f.text,
            version_of(&f.version),
        )
        .await
    {
        Ok(p) => Ok(see_other(&format!(
            "/clients/{client}/process-notes/{}",
            p.id
        ))),
        Err(e) => {
            let t = page.c.t;
            page.errors = match refusal(&t, hide_forbidden(e))? {
                Refusal::Problems(p) => p,
                Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
            };
            page.text = f.text;
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

fn hide_forbidden(e: AppError) -> AppError {
    match e {
        AppError::Forbidden => AppError::NotFound,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::worksheet::Completeness;

    /// What a browser sends for the note form as shown.
    fn sent(sections: &[SectionForm]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for s in sections {
            let name = format!("s.{}", s.id);
            match s.kind {
                "risk-check" => {
                    out.push((format!("{name}.status"), s.status.clone()));
                    out.push((format!("{name}.actions"), s.text.clone()));
                    out.push((format!("{name}.urgency"), s.urgency.clone()));
                }
                "checklist" | "techniques" | "worksheets" => out.extend(
                    s.choices
                        .iter()
                        .filter(|c| c.checked)
                        .map(|c| (name.clone(), c.id.clone())),
                ),
                _ => out.push((name, s.text.clone())),
            }
        }
        out
    }

    /// For every shipped note template, a note filled in everywhere comes back from its form as
    /// it was shown.
    #[test]
    fn every_note_template_reads_back_what_its_form_shows() {
        let t = Tr::new(Locale::Es);
        for template in NoteLibrary::builtin().iter() {
            let mut values = BTreeMap::new();
            for d in template.sections() {
                let v = match d.kind {
                    SectionKind::Text => Value::String(format!("{} — dos líneas\nsegunda", d.id)),
                    SectionKind::MoodRating => Value::from(d.bounds().0 + 4),
                    SectionKind::Checklist => Value::Array(
                        d.items
                            .iter()
                            .take(2)
                            .map(|i| Value::String(i.id.clone()))
                            .collect(),
                    ),
                    // The form lists choices in the template's order.
                    SectionKind::Techniques => Value::Array(
                        d.options
                            .iter()
                            .skip(1)
                            .take(2)
                            .map(|o| Value::String(o.id.clone()))
                            .collect(),
                    ),
                    SectionKind::RiskCheck => serde_json::json!({
                        "status": "risk-identified",
                        "urgency": "emergency",
                        "actions": "Plan de seguridad revisado."
                    }),
                    // No worksheet offered in this test.
                    SectionKind::Worksheets => continue,
                };
                values.insert(d.id.clone(), v);
            }
            let raw = Value::Object(values.clone().into_iter().collect());
            let checked = template
                .validate(&raw, Completeness::Complete)
                .unwrap_or_else(|e| panic!("{}: {e:?}", template.id()));
            let form = section_forms(&t, template, &values, &[], &FormErrors::default());
            let back = note_values(template, &sent(&form));
            assert_eq!(
                Value::Object(back.into_iter().collect()),
                checked.to_json(),
                "{}",
                template.id()
            );
            // The same risk check is what pages flag.
            assert!(sections_record_risk(&values));
        }
    }

    #[test]
    fn problems_land_on_their_section() {
        let t = Tr::new(Locale::En);
        let template = NoteLibrary::builtin().get("middle").expect("middle");
        let errors = FormErrors(vec![
            ("risk.actions".into(), "write the actions".into()),
            ("techniques[1]".into(), "not a choice".into()),
            (".".into(), "stray field".into()),
        ]);
        let form = section_forms(&t, template, &BTreeMap::new(), &[], &errors);
        let of = |id: &str| &form.iter().find(|s| s.id == id).expect("section").errors;
        assert_eq!(of("risk"), &["write the actions".to_string()]);
        assert_eq!(of("techniques"), &["not a choice".to_string()]);
        assert_eq!(form[0].errors, ["stray field".to_string()]);
    }
}
