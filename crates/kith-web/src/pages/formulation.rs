//! The formulation and the focus of a course: Kith's suggestion of problem areas with its
//! reasons (or the material for an IPAF in DIT), the clinician's choice (one or two areas, one
//! primary, with the dispute stage for role disputes), the formulation in plain words for the
//! client and in the clinician's own terms, the client's agreement, every revision, and the goals.

use super::course_words::{Names, Words, parse_code};
use super::courses::{
    Choice, CourseHead, course_id, current_session, failed, load, names_of, opt_date,
    page_idempotency, session_field, unknown_field, version_of,
};
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use kith_app::secrets::new_token;
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::course::IpafFocus;
use kith_domain::ids::{CourseId, GoalId};
use kith_domain::locale::Locale;
use kith_domain::problem_area::{DisputeStage, Suggestion};
use kith_domain::protocol::FocusKind;
use kith_store::{ChosenArea, Formulation, GoalContent, GoalStatus};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// The suggestion, shown on the course page and here.

pub struct RankedView {
    pub area: String,
    pub description: String,
    pub reasons: Vec<String>,
    pub stages: Vec<String>,
    pub cautions: Vec<String>,
}

pub struct HeldView {
    pub area: String,
    pub why: String,
    pub reasons: Vec<String>,
}

/// Kith's suggestion in words: always labelled a suggestion, always with its reasons.
pub struct SuggestionView {
    /// Whether the block carries its own heading (on the course page; the formulation page
    /// gives it a section heading of its own).
    pub heading: bool,
    pub ipaf: bool,
    pub onset_missing: bool,
    pub ranked: Vec<RankedView>,
    pub held_back: Vec<HeldView>,
    pub patterns: Vec<String>,
    pub events_near_onset: Vec<String>,
}

impl SuggestionView {
    pub fn is_empty(&self) -> bool {
        self.ranked.is_empty() && self.patterns.is_empty() && self.events_near_onset.is_empty()
    }
}

pub fn suggestion_view(w: &Words, s: &Suggestion, names: &Names) -> SuggestionView {
    match s {
        Suggestion::Areas(a) => SuggestionView {
            heading: true,
            ipaf: false,
            onset_missing: a.onset_missing,
            ranked: a
                .ranked
                .iter()
                .map(|r| RankedView {
                    area: w.area(&r.area),
                    description: w.area_description(&r.area),
                    reasons: r
                        .reasons
                        .iter()
                        .map(|x| w.reason(&x.signal, names))
                        .collect(),
                    stages: r
                        .stages
                        .iter()
                        .map(|st| {
                            let who = names
                                .people
                                .get(&st.person)
                                .cloned()
                                .unwrap_or_else(|| w.t.get("course-someone"));
                            let why = st
                                .reasons
                                .iter()
                                .map(|x| w.stage_reason(x))
                                .collect::<Vec<_>>()
                                .join("; ");
                            w.t.with(
                                "suggestion-stage",
                                &[
                                    ("person", who),
                                    ("stage", w.stage(st.stage)),
                                    ("reasons", why),
                                ],
                            )
                        })
                        .collect(),
                    cautions: r.cautions.iter().map(|c| w.caution(c, names)).collect(),
                })
                .collect(),
            held_back: a
                .held_back
                .iter()
                .map(|h| HeldView {
                    area: w.area(&h.area),
                    why: w.held_back(h.why),
                    reasons: h
                        .reasons
                        .iter()
                        .map(|x| w.reason(&x.signal, names))
                        .collect(),
                })
                .collect(),
            patterns: Vec::new(),
            events_near_onset: Vec::new(),
        },
        Suggestion::Ipaf(h) => SuggestionView {
            heading: true,
            ipaf: true,
            onset_missing: h.onset_missing,
            ranked: Vec::new(),
            held_back: Vec::new(),
            patterns: h.patterns.iter().map(|p| w.pattern(p, names)).collect(),
            events_near_onset: h
                .events_near_onset
                .iter()
                .map(|e| {
                    names
                        .events
                        .get(e)
                        .cloned()
                        .unwrap_or_else(|| w.t.get("course-an-event"))
                })
                .collect(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The formulation page.

/// One of the (at most two) problem-area rows of the form.
pub struct AreaFields {
    pub index: usize,
    pub area: String,
    pub stage: String,
    pub rationale: String,
    pub primary: bool,
    pub areas: Vec<Choice>,
    pub stages: Vec<Choice>,
}

#[derive(Default)]
pub struct FormulationFields {
    pub areas: Vec<(String, String, String)>,
    pub primary: String,
    pub ipaf_summary: String,
    pub ipaf_self: String,
    pub ipaf_other: String,
    pub ipaf_affect: String,
    pub ipaf_defence: String,
    pub narrative_for_client: String,
    pub clinician_formulation: String,
    pub biological: String,
    pub psychological: String,
    pub social: String,
    pub cultural: String,
    pub at_session: String,
}

pub struct RevisionRow {
    pub revision: i64,
    pub saved: String,
    pub at_session: String,
    pub focus: String,
    pub agreed: Option<String>,
}

pub struct CurrentFormulation {
    pub revision: i64,
    pub areas: Vec<String>,
    pub ipaf: Option<IpafFocus>,
    pub narrative_for_client: String,
    pub clinician_formulation: String,
    pub biological: String,
    pub psychological: String,
    pub social: String,
    pub cultural: String,
    pub agreed: Option<String>,
}

pub struct GoalView {
    pub id: String,
    pub text: String,
    pub area: String,
    pub people: String,
    pub status: String,
    pub review: String,
}

pub struct PersonChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Default)]
pub struct GoalFields {
    pub text: String,
    pub area: String,
    pub people: Vec<String>,
    pub status: String,
    pub review: String,
}

#[derive(Template)]
#[template(path = "formulation/formulation.html")]
struct FormulationPage {
    c: Chrome,
    head: CourseHead,
    suggestion: SuggestionView,
    ipaf: bool,
    current: Option<CurrentFormulation>,
    area_rows: Vec<AreaFields>,
    form: FormulationFields,
    revision: i64,
    history: Vec<RevisionRow>,
    agree_on: String,
    agree_session: String,
    goals: Vec<GoalView>,
    goal_form: GoalFields,
    goal_areas: Vec<Choice>,
    goal_people: Vec<PersonChoice>,
    goal_key: String,
    errors: FormErrors,
    agree_errors: FormErrors,
    goal_errors: FormErrors,
}

/// Which form on the page failed, so its errors show beside it.
enum Failed {
    None,
    Formulation(FormErrors, Box<FormulationFields>),
    Agreement(FormErrors),
    Goal(FormErrors, GoalFields),
}

fn area_rows(w: &Words, f: &FormulationFields) -> Vec<AreaFields> {
    (0..2)
        .map(|i| {
            let (area, stage, rationale) = f.areas.get(i).cloned().unwrap_or_default();
            let mut areas = vec![Choice {
                value: String::new(),
                label: w.t.get("formulation-no-area"),
                selected: area.is_empty(),
            }];
            areas.extend(w.protocol.problem_areas().iter().map(|a| Choice {
                value: a.id.clone(),
                label: a.label.get(w.locale).to_string(),
                selected: a.id == area,
            }));
            let current_stage: Option<DisputeStage> = parse_code(&stage);
            let mut stages = vec![Choice {
                value: String::new(),
                label: w.t.get("formulation-stage-none"),
                selected: current_stage.is_none(),
            }];
            stages.extend(super::course_words::STAGES.iter().map(|s| Choice {
                value: s.code().to_string(),
                label: w.stage(*s),
                selected: current_stage == Some(*s),
            }));
            AreaFields {
                index: i,
                area,
                stage,
                rationale,
                primary: f.primary == i.to_string(),
                areas,
                stages,
            }
        })
        .collect()
}

fn fields_of(f: Option<&Formulation>, at_session: u32) -> FormulationFields {
    let Some(f) = f else {
        return FormulationFields {
            primary: "0".into(),
            at_session: at_session.to_string(),
            ..FormulationFields::default()
        };
    };
    let mut areas: Vec<&ChosenArea> = f.areas.iter().collect();
    areas.sort_by_key(|a| !a.primary);
    let ipaf = f.ipaf.clone();
    FormulationFields {
        areas: areas
            .iter()
            .map(|a| {
                (
                    a.area.clone(),
                    a.dispute_stage
                        .map(|s| s.code().to_string())
                        .unwrap_or_default(),
                    a.rationale.clone(),
                )
            })
            .collect(),
        primary: "0".into(),
        ipaf_summary: ipaf.as_ref().map(|i| i.summary.clone()).unwrap_or_default(),
        ipaf_self: ipaf
            .as_ref()
            .map(|i| i.self_view.clone())
            .unwrap_or_default(),
        ipaf_other: ipaf
            .as_ref()
            .map(|i| i.other_view.clone())
            .unwrap_or_default(),
        ipaf_affect: ipaf.as_ref().map(|i| i.affect.clone()).unwrap_or_default(),
        ipaf_defence: ipaf.as_ref().map(|i| i.defence.clone()).unwrap_or_default(),
        narrative_for_client: f.narrative_for_client.clone(),
        clinician_formulation: f.clinician_formulation.clone(),
        biological: f.biological.clone(),
        psychological: f.psychological.clone(),
        social: f.social.clone(),
        cultural: f.cultural.clone(),
        at_session: at_session.to_string(),
    }
}

fn focus_text(w: &Words, f: &Formulation) -> String {
    if let Some(i) = &f.ipaf {
        return i.summary.clone();
    }
    let mut areas: Vec<&ChosenArea> = f.areas.iter().collect();
    areas.sort_by_key(|a| !a.primary);
    areas
        .iter()
        .map(|a| match a.dispute_stage {
            Some(s) => format!("{} ({})", w.area(&a.area), w.stage(s)),
            None => w.area(&a.area),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn formulation_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    failed_form: Failed,
) -> Result<(FormulationPage, bool), PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "formulation-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "formulation").await?;
    let w = Words::new(t, &loaded.protocol);
    let view = s.app.course_view(ctx, id).await?;
    let history = s.app.formulation_history(ctx, id).await?;
    let (names, _) = names_of(s, ctx, &w, loaded.course.client).await?;
    let people = s.app.inventory(ctx, loaded.course.client).await?;
    let latest = history.last();
    let at = current_session(&view);
    let mut errors = FormErrors::default();
    let mut agree_errors = FormErrors::default();
    let mut goal_errors = FormErrors::default();
    let mut form = fields_of(latest.map(|r| &r.formulation), at);
    let mut goal_form = GoalFields::default();
    let mut any_failed = true;
    match failed_form {
        Failed::None => any_failed = false,
        Failed::Formulation(e, f) => {
            errors = e;
            form = *f;
        }
        Failed::Agreement(e) => agree_errors = e,
        Failed::Goal(e, g) => {
            goal_errors = e;
            goal_form = g;
        }
    }
    let mut goal_areas = vec![Choice {
        value: String::new(),
        label: t.get("goal-no-area"),
        selected: goal_form.area.is_empty(),
    }];
    goal_areas.extend(loaded.protocol.problem_areas().iter().map(|a| Choice {
        value: a.id.clone(),
        label: a.label.get(locale).to_string(),
        selected: a.id == goal_form.area,
    }));
    let page = FormulationPage {
        suggestion: SuggestionView {
            heading: false,
            ..suggestion_view(&w, &view.suggestion, &names)
        },
        ipaf: loaded.protocol.focus() == FocusKind::Ipaf,
        current: latest.map(|r| CurrentFormulation {
            revision: r.revision,
            areas: {
                let mut v: Vec<&ChosenArea> = r.formulation.areas.iter().collect();
                v.sort_by_key(|a| !a.primary);
                v.iter()
                    .map(|a| {
                        let mut s = w.area(&a.area);
                        if a.primary && r.formulation.areas.len() > 1 {
                            s = t.with1("formulation-primary-area", "area", s);
                        }
                        if let Some(st) = a.dispute_stage {
                            s = format!("{s} · {}", w.stage(st));
                        }
                        if !a.rationale.is_empty() {
                            s = format!("{s} — {}", a.rationale);
                        }
                        s
                    })
                    .collect()
            },
            ipaf: r.formulation.ipaf.clone(),
            narrative_for_client: r.formulation.narrative_for_client.clone(),
            clinician_formulation: r.formulation.clinician_formulation.clone(),
            biological: r.formulation.biological.clone(),
            psychological: r.formulation.psychological.clone(),
            social: r.formulation.social.clone(),
            cultural: r.formulation.cultural.clone(),
            agreed: r.agreement.as_ref().map(|a| {
                t.with2(
                    "formulation-agreed-on",
                    "date",
                    t.date(a.agreed_on),
                    "n",
                    a.at_session,
                )
            }),
        }),
        area_rows: area_rows(&w, &form),
        form,
        revision: latest.map_or(0, |r| r.revision),
        history: history
            .iter()
            .rev()
            .map(|r| RevisionRow {
                revision: r.revision,
                saved: t.datetime(r.created_at),
                at_session: r.at_session.map(|n| n.to_string()).unwrap_or_default(),
                focus: focus_text(&w, &r.formulation),
                agreed: r.agreement.as_ref().map(|a| t.date(a.agreed_on)),
            })
            .collect(),
        agree_on: s.app.now().date().to_string(),
        agree_session: at.to_string(),
        goals: view
            .goals
            .iter()
            .map(|g| GoalView {
                id: g.id.to_string(),
                text: g.content.text.clone(),
                area: g
                    .content
                    .problem_area
                    .as_deref()
                    .map(|a| w.area(a))
                    .unwrap_or_default(),
                people: g
                    .content
                    .people
                    .iter()
                    .filter_map(|p| names.people.get(p).cloned())
                    .collect::<Vec<_>>()
                    .join(", "),
                status: w.goal_status(g.status),
                review: g.content.review.clone(),
            })
            .collect(),
        goal_people: people
            .iter()
            .map(|p| PersonChoice {
                id: p.id.to_string(),
                name: p.value.display_name.clone(),
                checked: goal_form.people.contains(&p.id.to_string()),
            })
            .collect(),
        goal_form,
        goal_areas,
        goal_key: new_token(),
        head: loaded.head,
        errors,
        agree_errors,
        goal_errors,
        c,
    };
    Ok((page, any_failed))
}

pub async fn show(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    let (page, _) = formulation_page(&s, &ctx, locale, id, Failed::None).await?;
    Ok(html(&page))
}

fn read_formulation(pairs: &[(String, String)]) -> Result<(FormulationFields, i64), PageError> {
    let mut f = FormulationFields::default();
    let mut revision = -1;
    let mut rows: [(String, String, String); 2] = Default::default();
    for (k, v) in pairs {
        match k.as_str() {
            "area_0" => rows[0].0 = v.clone(),
            "stage_0" => rows[0].1 = v.clone(),
            "rationale_0" => rows[0].2 = v.clone(),
            "area_1" => rows[1].0 = v.clone(),
            "stage_1" => rows[1].1 = v.clone(),
            "rationale_1" => rows[1].2 = v.clone(),
            "primary" => f.primary = v.clone(),
            "ipaf_summary" => f.ipaf_summary = v.clone(),
            "ipaf_self" => f.ipaf_self = v.clone(),
            "ipaf_other" => f.ipaf_other = v.clone(),
            "ipaf_affect" => f.ipaf_affect = v.clone(),
            "ipaf_defence" => f.ipaf_defence = v.clone(),
            "narrative_for_client" => f.narrative_for_client = v.clone(),
            "clinician_formulation" => f.clinician_formulation = v.clone(),
            "biological" => f.biological = v.clone(),
            "psychological" => f.psychological = v.clone(),
            "social" => f.social = v.clone(),
            "cultural" => f.cultural = v.clone(),
            "at_session" => f.at_session = v.clone(),
            "revision" => revision = version_of(v),
            other => return Err(unknown_field(other)),
        }
    }
    f.areas = rows.to_vec();
    Ok((f, revision))
}

/// The formulation the form describes, and for each chosen area the form row it came from.
fn formulation_of(
    f: &FormulationFields,
    ipaf: bool,
    at: u32,
    errs: &mut Vec<FieldError>,
) -> (Formulation, Vec<usize>) {
    let mut areas = Vec::new();
    let mut rows = Vec::new();
    if !ipaf {
        for (i, (area, stage, rationale)) in f.areas.iter().enumerate() {
            if area.trim().is_empty() {
                if !rationale.trim().is_empty() || !stage.is_empty() {
                    errs.push(FieldError::new(format!("area_{i}"), "field-required"));
                }
                continue;
            }
            let dispute_stage: Option<DisputeStage> = parse_code(stage);
            if !stage.is_empty() && dispute_stage.is_none() {
                errs.push(FieldError::new(format!("stage_{i}"), "field-out-of-range"));
            }
            areas.push(ChosenArea {
                area: area.trim().to_string(),
                primary: f.primary == i.to_string(),
                rationale: rationale.trim().to_string(),
                dispute_stage,
            });
            rows.push(i);
        }
        // With a single area, that area is the primary one.
        if areas.len() == 1 {
            areas[0].primary = true;
        }
    }
    let any_ipaf = [
        &f.ipaf_summary,
        &f.ipaf_self,
        &f.ipaf_other,
        &f.ipaf_affect,
        &f.ipaf_defence,
    ]
    .iter()
    .any(|x| !x.trim().is_empty());
    let ipaf_focus = (ipaf || any_ipaf).then(|| IpafFocus {
        summary: f.ipaf_summary.trim().to_string(),
        self_view: f.ipaf_self.trim().to_string(),
        other_view: f.ipaf_other.trim().to_string(),
        affect: f.ipaf_affect.trim().to_string(),
        defence: f.ipaf_defence.trim().to_string(),
        agreed_at_session: at,
    });
    (
        Formulation {
            narrative_for_client: f.narrative_for_client.trim().to_string(),
            clinician_formulation: f.clinician_formulation.trim().to_string(),
            biological: f.biological.trim().to_string(),
            psychological: f.psychological.trim().to_string(),
            social: f.social.trim().to_string(),
            cultural: f.cultural.trim().to_string(),
            areas,
            ipaf: ipaf_focus,
        },
        rows,
    )
}

/// The app names areas by their place among the chosen ones (`areas[1].dispute_stage`); the form
/// by its rows (`stage_1`).
fn formulation_field_names(e: AppError, rows: &[usize]) -> AppError {
    let AppError::Invalid(fields) = e else {
        return e;
    };
    AppError::Invalid(
        fields
            .into_iter()
            .map(|mut x| {
                if let Some(rest) = x.field.strip_prefix("areas[") {
                    let (i, tail) = rest.split_once(']').unwrap_or((rest, ""));
                    if let Ok(i) = i.parse::<usize>()
                        && let Some(row) = rows.get(i)
                    {
                        x.field = match tail {
                            ".dispute_stage" => format!("stage_{row}"),
                            ".rationale" => format!("rationale_{row}"),
                            _ => format!("area_{row}"),
                        };
                    }
                } else if let Some(rest) = x.field.strip_prefix("ipaf.") {
                    x.field = match rest {
                        "self_view" => "ipaf_self".into(),
                        "other_view" => "ipaf_other".into(),
                        other => format!("ipaf_{other}"),
                    };
                }
                x
            })
            .collect(),
    )
}

pub async fn save(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let (f, revision) = read_formulation(&pairs)?;
    let course = s.app.course(&ctx, id).await?;
    let ipaf = s
        .app
        .protocols()
        .get(&course.protocol_id)
        .is_some_and(|p| p.focus() == FocusKind::Ipaf);
    let mut errs = Vec::new();
    let at = session_field("at_session", &f.at_session, &mut errs);
    let (formulation, rows) = formulation_of(&f, ipaf, at, &mut errs);
    let result = if errs.is_empty() {
        s.app
            .save_formulation(&ctx, id, &formulation, Some(at), revision)
            .await
            .map_err(|e| formulation_field_names(e, &rows))
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{id}/formulation"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let (page, _) = formulation_page(
                &s,
                &ctx,
                locale,
                id,
                Failed::Formulation(errors, Box::new(f)),
            )
            .await?;
            Ok(html_status(status, &page))
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreeForm {
    revision: String,
    agreed_on: String,
    at_session: String,
}

/// Records that the client agreed to the formulation (the latest revision).
pub async fn agree(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<AgreeForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let mut errs = Vec::new();
    let on = opt_date("agreed_on", &f.agreed_on, &mut errs);
    if f.agreed_on.trim().is_empty() {
        errs.push(FieldError::new("agreed_on", "field-required"));
    }
    let at = session_field("at_session", &f.at_session, &mut errs);
    let result = match (errs.is_empty(), on) {
        (true, Some(on)) => {
            s.app
                .agree_formulation(&ctx, id, version_of(&f.revision), on, at)
                .await
        }
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{id}/formulation"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let (page, _) =
                formulation_page(&s, &ctx, locale, id, Failed::Agreement(errors)).await?;
            Ok(html_status(status, &page))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Goals.

fn read_goal(pairs: &[(String, String)]) -> Result<(GoalFields, String, String), PageError> {
    let mut g = GoalFields::default();
    let mut version = String::new();
    let mut key = String::new();
    for (k, v) in pairs {
        match k.as_str() {
            "text" => g.text = v.clone(),
            "problem_area" => g.area = v.clone(),
            "people" => g.people.push(v.clone()),
            "status" => g.status = v.clone(),
            "review" => g.review = v.clone(),
            "version" => version = v.clone(),
            "idempotency_key" => key = v.clone(),
            other => return Err(unknown_field(other)),
        }
    }
    Ok((g, version, key))
}

fn goal_content(g: &GoalFields, errs: &mut Vec<FieldError>) -> GoalContent {
    let mut people = Vec::new();
    for (i, p) in g.people.iter().enumerate() {
        match p.parse::<Uuid>() {
            Ok(id) if !people.contains(&id) => people.push(id),
            Ok(_) => {}
            Err(_) => errs.push(FieldError::new(format!("people[{i}]"), "person-unknown")),
        }
    }
    GoalContent {
        text: g.text.clone(),
        problem_area: (!g.area.trim().is_empty()).then(|| g.area.trim().to_string()),
        people,
        review: g.review.trim().to_string(),
    }
}

/// Adds a goal to the course, tied to a problem area and (optionally) to people.
pub async fn add_goal(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let (g, _, key) = read_goal(&pairs)?;
    let mut errs = Vec::new();
    let content = goal_content(&g, &mut errs);
    let result = if errs.is_empty() {
        let idem = page_idempotency(
            &s,
            &ctx,
            "POST /courses/{id}/goals",
            &key,
            &format!(
                "{id}\u{0}{}\u{0}{}\u{0}{}",
                g.text,
                g.area,
                g.people.join(",")
            ),
        );
        s.app.add_goal(&ctx, id, &content, idem).await.map(|_| ())
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/formulation#goals"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let (page, _) = formulation_page(&s, &ctx, locale, id, Failed::Goal(errors, g)).await?;
            Ok(html_status(status, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "formulation/goal.html")]
struct GoalPage {
    c: Chrome,
    head: CourseHead,
    goal_id: String,
    form: GoalFields,
    areas: Vec<Choice>,
    people: Vec<PersonChoice>,
    statuses: Vec<Choice>,
    version: i64,
    errors: FormErrors,
}

async fn goal_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    goal: GoalId,
    form: Option<(GoalFields, FormErrors)>,
) -> Result<GoalPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "goal-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "formulation").await?;
    let w = Words::new(t, &loaded.protocol);
    let goals = s.app.goals(ctx, id).await?;
    let g = goals
        .iter()
        .find(|g| g.id == goal)
        .ok_or(PageError(WebError::App(AppError::NotFound)))?;
    let people = s.app.inventory(ctx, loaded.course.client).await?;
    let (form, errors) = form.unwrap_or_else(|| {
        (
            GoalFields {
                text: g.content.text.clone(),
                area: g.content.problem_area.clone().unwrap_or_default(),
                people: g.content.people.iter().map(|p| p.to_string()).collect(),
                status: g.status.code().to_string(),
                review: g.content.review.clone(),
            },
            FormErrors::default(),
        )
    });
    let mut areas = vec![Choice {
        value: String::new(),
        label: t.get("goal-no-area"),
        selected: form.area.is_empty(),
    }];
    areas.extend(loaded.protocol.problem_areas().iter().map(|a| Choice {
        value: a.id.clone(),
        label: a.label.get(locale).to_string(),
        selected: a.id == form.area,
    }));
    Ok(GoalPage {
        goal_id: g.id.to_string(),
        areas,
        people: people
            .iter()
            .map(|p| PersonChoice {
                id: p.id.to_string(),
                name: p.value.display_name.clone(),
                checked: form.people.contains(&p.id.to_string()),
            })
            .collect(),
        statuses: super::course_words::GOAL_STATUSES
            .iter()
            .map(|st| Choice {
                value: st.code().to_string(),
                label: w.goal_status(*st),
                selected: form.status == st.code(),
            })
            .collect(),
        version: g.version,
        head: loaded.head,
        form,
        errors,
        c,
    })
}

pub async fn goal_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, goal)): Path<(String, String)>,
) -> PageResult {
    let id = course_id(&id)?;
    let goal: GoalId = parse_id(&goal)?;
    Ok(html(&goal_page(&s, &ctx, locale, id, goal, None).await?))
}

/// Edits a goal, or reviews it (status and review notes) at termination.
pub async fn update_goal(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, goal)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let goal: GoalId = parse_id(&goal)?;
    let t = Tr::new(locale);
    let (g, version, _) = read_goal(&pairs)?;
    // The goal must be one of this course's (else: not found).
    if !s.app.goals(&ctx, id).await?.iter().any(|x| x.id == goal) {
        return Err(PageError(WebError::App(AppError::NotFound)));
    }
    let mut errs = Vec::new();
    let content = goal_content(&g, &mut errs);
    let status = GoalStatus::parse(&g.status).unwrap_or_else(|| {
        errs.push(FieldError::new("status", "field-out-of-range"));
        GoalStatus::Active
    });
    let result = if errs.is_empty() {
        s.app
            .update_goal(&ctx, goal, &content, status, version_of(&version))
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/formulation#goals"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &goal_page(&s, &ctx, locale, id, goal, Some((g, errors))).await?,
            ))
        }
    }
}
