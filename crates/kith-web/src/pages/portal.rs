//! The client's own pages: their safety plan (read only) with the clinic's crisis resources, and
//! the questionnaires they can answer. After answering, the very next page shows the crisis
//! resources and their safety plan when a safety item was answered above "not at all" — without
//! suggesting that anyone has read the answers yet.

use super::measures::{
    Audience, Pairs, QuestionForm, Submitted, client_may_answer, crisis_text, instruments_in_order,
    question_form, submit_form,
};
use super::safety_plan::{SectionRead, read_sections};
use super::{Chrome, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::ids::{ClientId, SubmissionId};
use kith_domain::locale::Locale;
use kith_domain::measure::{AnswerValue, Instrument};

/// The portal's own record; anything else is "not found".
async fn my_record(s: &AppState, ctx: &Ctx) -> Result<ClientId, PageError> {
    Ok(s.app.my_record(ctx).await?)
}

fn answerable(s: &AppState, id: &str) -> Result<&'static Instrument, PageError> {
    s.instruments
        .get(id)
        .filter(|i| client_may_answer(i))
        .ok_or(PageError(WebError::App(AppError::NotFound)))
}

#[derive(Template)]
#[template(path = "portal/safety_plan.html")]
struct PlanPage {
    c: Chrome,
    crisis_text: String,
    sections: Vec<SectionRead>,
    has_plan: bool,
    saved: String,
}

/// `GET /portal/safety-plan`: the client's plan, read only, beside the crisis resources.
pub async fn safety_plan(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    let me = my_record(&s, &ctx).await?;
    let plan = s.app.safety_plan(&ctx, me).await?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "portal-plan-title");
    let t = c.t;
    Ok(html(&PlanPage {
        crisis_text: crisis_text(&ctx),
        has_plan: plan.is_some(),
        sections: plan
            .as_ref()
            .map(|r| read_sections(&t, &r.plan))
            .unwrap_or_default(),
        saved: plan
            .as_ref()
            .map(|r| t.with1("portal-plan-saved", "date", t.date(r.saved_at.date())))
            .unwrap_or_default(),
        c,
    }))
}

pub struct QuestionnaireLink {
    pub id: String,
    pub title: String,
    pub recall: String,
}

#[derive(Template)]
#[template(path = "portal/questionnaires.html")]
struct ListPage {
    c: Chrome,
    questionnaires: Vec<QuestionnaireLink>,
}

/// `GET /portal/questionnaires`: the questionnaires a client can answer here.
pub async fn questionnaires(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    my_record(&s, &ctx).await?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "portal-questionnaires-title");
    let questionnaires = instruments_in_order(s.instruments)
        .into_iter()
        .filter(|i| client_may_answer(i))
        .map(|i| QuestionnaireLink {
            id: i.id().to_string(),
            title: i.def().title.get(locale).to_string(),
            recall: i.def().recall.label.get(locale).to_string(),
        })
        .collect();
    Ok(html(&ListPage { c, questionnaires }))
}

#[derive(Template)]
#[template(path = "portal/questionnaire.html")]
struct QuestionnairePage {
    c: Chrome,
    q: QuestionForm,
    crisis_text: String,
}

fn questionnaire_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    inst: &Instrument,
    pairs: &Pairs,
    errors: &[FieldError],
) -> QuestionnairePage {
    let c = Chrome::new(s, Some(ctx), locale, "/", "portal-questionnaire-title");
    let q = question_form(
        inst,
        &c.t,
        Audience::Client,
        pairs,
        errors,
        s.app.now().date(),
    );
    QuestionnairePage {
        c,
        q,
        crisis_text: crisis_text(ctx),
    }
}

/// `GET /portal/questionnaires/{instrument}`: one questionnaire to answer.
pub async fn questionnaire(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(instrument): Path<String>,
) -> PageResult {
    my_record(&s, &ctx).await?;
    let inst = answerable(&s, &instrument)?;
    Ok(html(&questionnaire_page(
        &s,
        &ctx,
        locale,
        inst,
        &Pairs::empty(),
        &[],
    )))
}

/// `POST /portal/questionnaires/{instrument}`: records the answers, then shows the next page.
pub async fn answer(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(instrument): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let me = my_record(&s, &ctx).await?;
    let inst = answerable(&s, &instrument)?;
    let pairs = Pairs(pairs);
    if pairs.get("instrument").is_some_and(|i| i != inst.id()) {
        return Err(WebError::App(AppError::invalid("instrument", "instrument-unknown")).into());
    }
    match submit_form(&s, &ctx, locale, me, inst, &pairs, Audience::Client).await? {
        Submitted::Recorded(sid) => {
            Ok(see_other(&format!("/portal/questionnaires/answered/{sid}")))
        }
        Submitted::Refused(errors) => Ok(html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &questionnaire_page(&s, &ctx, locale, inst, &pairs, &errors),
        )),
    }
}

#[derive(Template)]
#[template(path = "portal/answered.html")]
struct AnsweredPage {
    c: Chrome,
    title: String,
    /// A safety item was answered above "not at all" (and it is not history already on record).
    needs_support: bool,
    /// What the client answered to each such item, in their own questionnaire's words.
    said: Vec<String>,
    crisis_text: String,
    has_plan: bool,
    sections: Vec<SectionRead>,
}

/// An answer in the client's words: the option's wording without any score, or, where an option
/// has no wording, the number chosen.
fn client_answer(inst: &Instrument, item: &str, value: AnswerValue, t: &Tr) -> String {
    let AnswerValue::Value(v) = value else {
        return t.get("measure-not-applicable");
    };
    inst.item(item)
        .and_then(|d| inst.responses_of(d).map(|set| (d, set)))
        .map(|(d, set)| {
            set.options
                .iter()
                .chain(set.anchors.iter())
                .find(|o| o.value == v)
                .and_then(|o| o.label.as_ref())
                .map(|l| l.get(t.locale).to_string())
                .unwrap_or_else(|| inst.printed_score(d, v).to_string())
        })
        .unwrap_or_else(|| v.to_string())
}

/// `GET /portal/questionnaires/answered/{id}`: thanks, and — when a safety item was answered
/// above "not at all" — the crisis resources and the client's safety plan, first thing.
pub async fn answered(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let me = my_record(&s, &ctx).await?;
    let sid: SubmissionId = parse_id(&id)?;
    let record = s.app.measure(&ctx, me, sid).await?;
    let inst = s
        .instruments
        .get_version(&record.summary.instrument, &record.summary.version);
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "portal-answered-title");
    let t = c.t;
    // Name what was actually answered: each safety item that fired now (not a lifetime answer
    // already on record), with the question as the client read it and their answer's wording.
    let said: Vec<String> = match inst {
        Some(i) => record
            .summary
            .flags
            .iter()
            .filter(|f| !f.history)
            .filter_map(|f| {
                let item = i.item(&f.item)?;
                let question = item
                    .text
                    .as_ref()
                    .filter(|_| i.may_show_wording())
                    .unwrap_or(&item.label)
                    .get(locale)
                    .to_string();
                let answer = record
                    .answers
                    .iter()
                    .find(|a| a.item == f.item)
                    .map(|a| client_answer(i, &a.item, a.value, &t))
                    .unwrap_or_default();
                Some(t.with2(
                    "portal-support-answer",
                    "question",
                    question,
                    "answer",
                    answer,
                ))
            })
            .collect(),
        None => Vec::new(),
    };
    let needs_support = record.summary.flags.iter().any(|f| !f.history);
    let plan = if needs_support {
        s.app.safety_plan(&ctx, me).await?
    } else {
        None
    };
    Ok(html(&AnsweredPage {
        title: s
            .instruments
            .get(&record.summary.instrument)
            .map(|i| i.def().title.get(locale).to_string())
            .unwrap_or_default(),
        needs_support,
        said,
        crisis_text: crisis_text(&ctx),
        has_plan: plan.is_some(),
        sections: plan
            .as_ref()
            .map(|r| read_sections(&t, &r.plan))
            .unwrap_or_default(),
        c,
    }))
}
