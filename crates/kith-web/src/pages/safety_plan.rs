//! The safety plan: written with the client in session by their clinician, one version per save.
//! The edit form works without JavaScript (each section a set of rows, with a few empty ones to
//! add more); a save made from an older version is refused as a conflict that keeps what was
//! written. The read view prints cleanly and sits beside the clinic's crisis resources.

use super::measures::{Pairs, clinical_staff, crisis_text};
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::{AppError, Ctx};
use kith_domain::ids::ClientId;
use kith_domain::locale::Locale;
use kith_domain::policy::Action;
use kith_domain::safety::{
    MAX_CONTACT_CHARS, MAX_ENTRIES_PER_SECTION, MAX_HOURS_CHARS, MAX_PHONE_CHARS, MAX_TEXT_CHARS,
    PlanEntry, PlanField, PlanSection, PlanStatus, SafetyPlan,
};
use kith_store::SafetyPlanRecord;
use std::collections::BTreeMap;

/// Empty rows offered in each section for new entries.
const BLANK_ROWS: usize = 3;
/// Row numbers a form may use (more than a section can hold, so too many is reported, not lost).
const MAX_ROW_INDEX: usize = 99;

/// A section of the plan as the forms name it, and the fields its rows have beside the text.
struct SectionSpec {
    section: PlanSection,
    field: &'static str,
    extras: &'static [PlanField],
}

const SECTIONS: [SectionSpec; 7] = [
    SectionSpec {
        section: PlanSection::WarningSigns,
        field: "warning_signs",
        extras: &[],
    },
    SectionSpec {
        section: PlanSection::InternalCoping,
        field: "internal_coping",
        extras: &[],
    },
    SectionSpec {
        section: PlanSection::Distractions,
        field: "distractions",
        extras: &[PlanField::Contact],
    },
    SectionSpec {
        section: PlanSection::HelpContacts,
        field: "help_contacts",
        extras: &[PlanField::Phone],
    },
    SectionSpec {
        section: PlanSection::Professionals,
        field: "professionals",
        extras: &[PlanField::Phone, PlanField::Hours],
    },
    SectionSpec {
        section: PlanSection::EnvironmentSafety,
        field: "environment_safety",
        extras: &[PlanField::Contact],
    },
    SectionSpec {
        section: PlanSection::ReasonsForLiving,
        field: "reasons_for_living",
        extras: &[],
    },
];

fn field_code(f: PlanField) -> &'static str {
    match f {
        PlanField::Text => "text",
        PlanField::Contact => "contact",
        PlanField::Phone => "phone",
        PlanField::Hours => "hours",
    }
}

fn field_of(name: &str) -> Option<PlanField> {
    [
        PlanField::Text,
        PlanField::Contact,
        PlanField::Phone,
        PlanField::Hours,
    ]
    .into_iter()
    .find(|f| field_code(*f) == name)
}

fn max_chars(f: PlanField) -> usize {
    match f {
        PlanField::Text => MAX_TEXT_CHARS,
        PlanField::Contact => MAX_CONTACT_CHARS,
        PlanField::Phone => MAX_PHONE_CHARS,
        PlanField::Hours => MAX_HOURS_CHARS,
    }
}

fn value_of(e: &PlanEntry, f: PlanField) -> Option<&str> {
    match f {
        PlanField::Text => Some(e.text.as_str()),
        PlanField::Contact => e.contact.as_deref(),
        PlanField::Phone => e.phone.as_deref(),
        PlanField::Hours => e.hours.as_deref(),
    }
}

fn set_value(e: &mut PlanEntry, f: PlanField, v: String) {
    let opt = (!v.is_empty()).then_some(v.clone());
    match f {
        PlanField::Text => e.text = v,
        PlanField::Contact => e.contact = opt,
        PlanField::Phone => e.phone = opt,
        PlanField::Hours => e.hours = opt,
    }
}

fn section_title(t: &Tr, s: PlanSection) -> String {
    t.get(&format!("plan-section-{}", s.code()))
}

fn bad_field(name: &str) -> WebError {
    WebError::bad(
        "unknown-field",
        "detail-unknown-field",
        vec![("field".into(), name.to_string())],
    )
}

/// Reads the edit form: the plan (empty rows left out, the rest kept in order), the version it
/// was started from, and its status.
fn parse_plan(pairs: &Pairs) -> Result<(SafetyPlan, i64), WebError> {
    let mut plan = SafetyPlan::new();
    let mut expected = None;
    let mut rows: BTreeMap<(usize, usize), PlanEntry> = BTreeMap::new();
    for (name, value) in &pairs.0 {
        match name.as_str() {
            "expected_version" => {
                expected = Some(value.trim().parse::<i64>().map_err(|_| {
                    WebError::bad(
                        "bad-field",
                        "detail-bad-field",
                        vec![("field".into(), name.clone())],
                    )
                })?);
            }
            "status" => {
                plan.status = match value.as_str() {
                    "draft" => PlanStatus::Draft,
                    "complete" => PlanStatus::Complete,
                    _ => {
                        return Err(WebError::bad(
                            "bad-field",
                            "detail-bad-field",
                            vec![("field".into(), name.clone())],
                        ));
                    }
                };
            }
            _ => {
                let (section, rest) = name.split_once('[').ok_or_else(|| bad_field(name))?;
                let (index, sub) = rest.split_once("].").ok_or_else(|| bad_field(name))?;
                let si = SECTIONS
                    .iter()
                    .position(|s| s.field == section)
                    .ok_or_else(|| bad_field(name))?;
                let index: usize = index
                    .parse()
                    .ok()
                    .filter(|i| *i <= MAX_ROW_INDEX)
                    .ok_or_else(|| bad_field(name))?;
                let field = field_of(sub)
                    .filter(|f| *f == PlanField::Text || SECTIONS[si].extras.contains(f))
                    .ok_or_else(|| bad_field(name))?;
                let entry = rows.entry((si, index)).or_default();
                set_value(entry, field, value.trim().to_string());
            }
        }
    }
    for ((si, _), entry) in rows {
        let blank = entry.text.is_empty()
            && entry.contact.is_none()
            && entry.phone.is_none()
            && entry.hours.is_none();
        if !blank {
            plan.section_mut(SECTIONS[si].section).push(entry);
        }
    }
    let expected = expected.ok_or_else(|| {
        WebError::bad(
            "missing-field",
            "detail-missing-field",
            vec![("field".into(), "expected_version".into())],
        )
    })?;
    Ok((plan, expected))
}

// ---------------------------------------------------------------------------------------------
// Views.

pub struct InputView {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub max: usize,
    pub tel: bool,
    pub error: Option<String>,
}

pub struct RowView {
    pub n: usize,
    pub inputs: Vec<InputView>,
}

pub struct SectionForm {
    pub field: &'static str,
    pub title: String,
    pub hint: String,
    pub rows: Vec<RowView>,
    pub error: Option<String>,
}

pub struct EntryRead {
    pub text: String,
    pub details: Vec<String>,
}

pub struct SectionRead {
    pub title: String,
    pub entries: Vec<EntryRead>,
}

/// The plan as read: every section, with a word for the empty ones.
pub(crate) fn read_sections(t: &Tr, plan: &SafetyPlan) -> Vec<SectionRead> {
    SECTIONS
        .iter()
        .map(|spec| SectionRead {
            title: section_title(t, spec.section),
            entries: plan
                .section(spec.section)
                .iter()
                .map(|e| EntryRead {
                    text: e.text.clone(),
                    details: spec
                        .extras
                        .iter()
                        .filter_map(|f| {
                            value_of(e, *f).map(|v| {
                                format!(
                                    "{}: {v}",
                                    t.get(&format!(
                                        "plan-{}-{}",
                                        spec.section.code(),
                                        field_code(*f)
                                    ))
                                )
                            })
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn form_sections(t: &Tr, plan: &SafetyPlan, errors: &FormErrors) -> Vec<SectionForm> {
    SECTIONS
        .iter()
        .map(|spec| {
            let entries = plan.section(spec.section);
            let count = (entries.len() + BLANK_ROWS)
                .min(MAX_ENTRIES_PER_SECTION)
                .max(entries.len());
            let fields: Vec<PlanField> = std::iter::once(PlanField::Text)
                .chain(spec.extras.iter().copied())
                .collect();
            let rows = (0..count)
                .map(|i| RowView {
                    n: i + 1,
                    inputs: fields
                        .iter()
                        .map(|f| {
                            let name = format!("{}[{i}].{}", spec.field, field_code(*f));
                            InputView {
                                id: format!("{}-{i}-{}", spec.field, field_code(*f)),
                                label: t.get(&format!(
                                    "plan-{}-{}",
                                    spec.section.code(),
                                    field_code(*f)
                                )),
                                value: entries
                                    .get(i)
                                    .and_then(|e| value_of(e, *f))
                                    .unwrap_or("")
                                    .to_string(),
                                max: max_chars(*f),
                                tel: *f == PlanField::Phone,
                                error: errors.for_field(&name).map(str::to_string),
                                name,
                            }
                        })
                        .collect(),
                })
                .collect();
            SectionForm {
                field: spec.field,
                title: section_title(t, spec.section),
                hint: t.get(&format!("plan-hint-{}", spec.section.code())),
                rows,
                error: errors.for_field(spec.field).map(str::to_string),
            }
        })
        .collect()
}

pub struct VersionRow {
    pub version: i64,
    pub status: String,
    pub by: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "safety_plan/show.html")]
struct PlanPage {
    c: Chrome,
    client_id: String,
    client_name: String,
    /// "Version 3 of 3 · complete · saved … by …", or nothing when there is no plan.
    about: Option<String>,
    /// Set when an earlier version is shown: the latest version's number.
    older_than: Option<i64>,
    sections: Vec<SectionRead>,
    crisis_text: String,
    versions: Vec<VersionRow>,
    can_edit: bool,
}

fn status_label(t: &Tr, s: PlanStatus) -> String {
    t.get(match s {
        PlanStatus::Draft => "plan-status-draft",
        PlanStatus::Complete => "plan-status-complete",
    })
}

pub(crate) fn about(t: &Tr, r: &SafetyPlanRecord) -> String {
    t.with(
        "plan-about",
        &[
            ("version", r.version.to_string()),
            ("latest", r.latest_version.to_string()),
            ("status", status_label(t, r.plan.status)),
            ("when", t.datetime(r.saved_at)),
        ],
    )
}

async fn plan_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: ClientId,
    version: Option<i64>,
) -> Result<PlanPage, PageError> {
    let client = s.app.client(ctx, id).await?;
    let record = match version {
        Some(v) => Some(s.app.safety_plan_version(ctx, id, v).await?),
        None => s.app.safety_plan(ctx, id).await?,
    };
    let versions = s.app.safety_plan_versions(ctx, id).await?;
    let can_edit = clinical_staff(ctx)
        && s.app
            .client_access(ctx, id, Action::WriteClinical)
            .await
            .is_ok();
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "plan-title");
    let t = c.t;
    Ok(PlanPage {
        client_id: id.to_string(),
        client_name: client.display_name,
        about: record.as_ref().map(|r| about(&t, r)),
        older_than: record
            .as_ref()
            .filter(|r| r.version < r.latest_version)
            .map(|r| r.latest_version),
        sections: record
            .as_ref()
            .map(|r| read_sections(&t, &r.plan))
            .unwrap_or_default(),
        crisis_text: crisis_text(ctx),
        versions: versions
            .into_iter()
            .map(|v| VersionRow {
                version: v.version,
                status: status_label(&t, v.status),
                by: v.saved_by_name,
                when: t.datetime(v.saved_at),
            })
            .collect(),
        can_edit,
        c,
    })
}

/// `GET /clients/{id}/safety-plan`: the latest version, its history and the crisis resources.
pub async fn show(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    Ok(html(&plan_page(&s, &ctx, locale, id, None).await?))
}

/// `GET /clients/{id}/safety-plan/versions/{version}`: an earlier version, read only.
pub async fn version(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, version)): Path<(String, String)>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let version: i64 = parse_id(&version)?;
    Ok(html(&plan_page(&s, &ctx, locale, id, Some(version)).await?))
}

#[derive(Template)]
#[template(path = "safety_plan/edit.html")]
struct EditPage {
    c: Chrome,
    client_id: String,
    client_name: String,
    expected_version: i64,
    complete: bool,
    sections: Vec<SectionForm>,
    errors: FormErrors,
    status_error: Option<String>,
    /// After a conflict: what the other save holds, to compare with.
    theirs: Option<Vec<SectionRead>>,
    theirs_about: String,
    crisis_text: String,
}

async fn edit_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: ClientId,
    plan: Option<(SafetyPlan, i64)>,
    errors: FormErrors,
    conflict: bool,
) -> Result<EditPage, PageError> {
    s.app.client_access(ctx, id, Action::WriteClinical).await?;
    let client = s.app.client(ctx, id).await?;
    let current = s.app.safety_plan(ctx, id).await?;
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "plan-edit-title");
    let t = c.t;
    let current_version = current.as_ref().map(|r| r.version).unwrap_or(0);
    let (plan, expected) = match plan {
        Some(p) => p,
        None => (
            current.as_ref().map(|r| r.plan.clone()).unwrap_or_default(),
            current_version,
        ),
    };
    // After a conflict the next save is made over the version now stored, on purpose.
    let expected = if conflict { current_version } else { expected };
    let theirs = conflict.then(|| {
        current
            .as_ref()
            .map(|r| read_sections(&t, &r.plan))
            .unwrap_or_default()
    });
    Ok(EditPage {
        client_id: id.to_string(),
        client_name: client.display_name,
        expected_version: expected,
        complete: plan.status == PlanStatus::Complete,
        sections: form_sections(&t, &plan, &errors),
        status_error: errors.for_field("status").map(str::to_string),
        errors,
        theirs,
        theirs_about: current.as_ref().map(|r| about(&t, r)).unwrap_or_default(),
        crisis_text: crisis_text(ctx),
        c,
    })
}

/// `GET /clients/{id}/safety-plan/edit`: the plan as a form, started from the latest version.
pub async fn edit(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    Ok(html(
        &edit_page(&s, &ctx, locale, id, None, FormErrors::default(), false).await?,
    ))
}

/// `POST /clients/{id}/safety-plan`: saves the next version. A save started from an older
/// version answers 409 with the form as written and the version saved in between beside it.
pub async fn save(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let (plan, expected) = parse_plan(&Pairs(pairs))?;
    match s
        .app
        .save_safety_plan(&ctx, id, plan.clone(), expected)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/clients/{id}/safety-plan"))),
        Err(AppError::Conflict { .. }) => {
            let t = Tr::new(locale);
            let errors = FormErrors(vec![(String::new(), t.get("plan-conflict"))]);
            Ok(html_status(
                StatusCode::CONFLICT,
                &edit_page(&s, &ctx, locale, id, Some((plan, expected)), errors, true).await?,
            ))
        }
        Err(AppError::Invalid(fields)) => {
            let t = Tr::new(locale);
            let errors = FormErrors::from(&t, &fields);
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(&s, &ctx, locale, id, Some((plan, expected)), errors, false).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn blank_rows_are_left_out_and_the_rest_keep_their_order() {
        let (plan, expected) = parse_plan(&pairs(&[
            ("expected_version", "2"),
            ("status", "complete"),
            ("warning_signs[0].text", ""),
            ("warning_signs[1].text", " Not sleeping "),
            ("warning_signs[2].text", "Staying in bed"),
            ("help_contacts[0].text", "My sister"),
            ("help_contacts[0].phone", "0800 555 0100"),
            ("professionals[3].text", ""),
            ("professionals[3].phone", "988"),
        ]))
        .unwrap();
        assert_eq!(expected, 2);
        assert_eq!(plan.status, PlanStatus::Complete);
        let signs: Vec<&str> = plan.warning_signs.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(signs, vec!["Not sleeping", "Staying in bed"]);
        assert_eq!(
            plan.help_contacts[0].phone.as_deref(),
            Some("0800 555 0100")
        );
        // A number without a name is kept, so that the missing name can be pointed out.
        assert_eq!(plan.professionals.len(), 1);
        assert_eq!(plan.professionals[0].text, "");
    }

    #[test]
    fn fields_a_section_does_not_have_are_refused() {
        assert!(
            parse_plan(&pairs(&[
                ("expected_version", "0"),
                ("warning_signs[0].phone", "1")
            ]))
            .is_err()
        );
        assert!(parse_plan(&pairs(&[("expected_version", "0"), ("total", "1")])).is_err());
        assert!(parse_plan(&pairs(&[("warning_signs[0].text", "x")])).is_err());
        assert!(
            parse_plan(&pairs(&[
                ("expected_version", "0"),
                ("warning_signs[100].text", "x")
            ]))
            .is_err()
        );
    }

    #[test]
    fn the_form_offers_empty_rows_and_keeps_what_was_written() {
        let t = Tr::new(Locale::En);
        let mut plan = SafetyPlan::new();
        plan.help_contacts.push(PlanEntry {
            text: "My sister".into(),
            phone: Some("ring".into()),
            ..PlanEntry::default()
        });
        let errors = FormErrors(vec![(
            "help_contacts[0].phone".into(),
            "Please check the number".into(),
        )]);
        let sections = form_sections(&t, &plan, &errors);
        let help = sections
            .iter()
            .find(|s| s.field == "help_contacts")
            .unwrap();
        assert_eq!(help.rows.len(), 1 + BLANK_ROWS);
        assert_eq!(help.rows[0].inputs[0].value, "My sister");
        assert_eq!(help.rows[0].inputs[1].value, "ring");
        assert!(help.rows[0].inputs[1].tel);
        assert!(help.rows[0].inputs[1].error.is_some());
        assert!(help.rows[1].inputs.iter().all(|i| i.value.is_empty()));
        assert_eq!(sections.len(), 7);
    }
}
