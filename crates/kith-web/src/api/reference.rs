//! `/api/v1/protocols` and `/api/v1/instruments`: the definitions Kith works with.

use super::{LocalizedText, ProblemDoc, localized};
use crate::errors::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Json;
use kith_app::AppError;
use kith_domain::measure::Instrument;
use kith_domain::protocol::{FocusKind, Protocol, Repeat};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProtocolSummaryDoc {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub description: LocalizedText,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsDoc {
    pub min: u32,
    pub default: u32,
    pub max: u32,
    pub open_ended: bool,
    /// `none`, `optional` or `required`: a preparatory meeting (session 0).
    pub preparatory_meeting: String,
    pub minutes: u32,
    pub frequency: String,
}

#[derive(Serialize, ToSchema)]
pub struct TaskDoc {
    pub id: String,
    pub label: LocalizedText,
    pub required: bool,
    /// `once` or `every-session`.
    pub repeat: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhaseDoc {
    pub id: String,
    pub label: LocalizedText,
    /// The session range as written in the protocol, e.g. `4..last-3`.
    pub sessions: String,
    /// First and last session for the default contract length (last is absent when open-ended).
    pub first_session: Option<u32>,
    pub last_session: Option<u32>,
    pub tasks: Vec<TaskDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct StrategyDoc {
    pub id: String,
    pub label: LocalizedText,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemAreaDoc {
    pub id: String,
    pub label: LocalizedText,
    pub strategies: Vec<StrategyDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct MeasurePlanDoc {
    pub instrument: String,
    /// `baseline`, `every-session`, `every-N`, `mid` or `end`.
    pub cadence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProtocolDoc {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub sessions: SessionsDoc,
    /// `problem-areas` or `ipaf` (one interpersonal-affective focus, as in DIT).
    pub focus: String,
    pub phases: Vec<PhaseDoc>,
    pub every_session_tasks: Vec<TaskDoc>,
    pub problem_areas: Vec<ProblemAreaDoc>,
    pub measures: Vec<MeasurePlanDoc>,
    /// Sessions before the last by which the ending must be raised.
    pub termination_lead: u32,
}

fn tasks(t: &[kith_domain::protocol::Task]) -> Vec<TaskDoc> {
    t.iter()
        .map(|k| TaskDoc {
            id: k.id.clone(),
            label: localized(&k.label),
            required: k.required,
            repeat: if k.repeat == Repeat::EverySession {
                "every-session"
            } else {
                "once"
            }
            .into(),
        })
        .collect()
}

fn kebab<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn protocol_doc(p: &Protocol) -> ProtocolDoc {
    let s = p.sessions();
    let count = (!p.is_open_ended()).then_some(s.default);
    ProtocolDoc {
        id: p.id().into(),
        version: p.version().into(),
        title: localized(p.title()),
        description: localized(p.description()),
        sessions: SessionsDoc {
            min: s.min,
            default: s.default,
            max: s.max,
            open_ended: p.is_open_ended(),
            preparatory_meeting: kebab(&s.pre),
            minutes: p.session_minutes(),
            frequency: kebab(&p.frequency()),
        },
        focus: if p.focus() == FocusKind::Ipaf {
            "ipaf"
        } else {
            "problem-areas"
        }
        .into(),
        phases: p
            .phases()
            .iter()
            .map(|ph| {
                let span = p.phase_span(ph, count);
                PhaseDoc {
                    id: ph.id.clone(),
                    label: localized(&ph.label),
                    sessions: ph.range.to_string(),
                    first_session: span.map(|x| x.0),
                    last_session: span.and_then(|x| x.1),
                    tasks: tasks(&ph.tasks),
                }
            })
            .collect(),
        every_session_tasks: tasks(p.session_tasks()),
        problem_areas: p
            .problem_areas()
            .iter()
            .map(|a| ProblemAreaDoc {
                id: a.id.clone(),
                label: localized(&a.label),
                strategies: a
                    .strategies
                    .iter()
                    .map(|x| StrategyDoc {
                        id: x.id.clone(),
                        label: localized(&x.label),
                    })
                    .collect(),
            })
            .collect(),
        measures: p
            .measures()
            .iter()
            .map(|m| MeasurePlanDoc {
                instrument: m.instrument.clone(),
                cadence: m.cadence.iter().map(|c| String::from(*c)).collect(),
            })
            .collect(),
        termination_lead: p.termination_lead(),
    }
}

/// Every protocol the caller's clinic can use.
#[utoipa::path(get, path = "/api/v1/protocols", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = [ProtocolSummaryDoc]), (status = 401, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn protocols(State(s): State<AppState>) -> Json<Vec<ProtocolSummaryDoc>> {
    Json(
        s.protocols
            .iter()
            .map(|p| ProtocolSummaryDoc {
                id: p.id().into(),
                version: p.version().into(),
                title: localized(p.title()),
                description: localized(p.description()),
            })
            .collect(),
    )
}

/// One protocol: phases, tasks, problem areas and measures.
#[utoipa::path(get, path = "/api/v1/protocols/{id}", tag = "reference", security(("bearer" = [])),
    params(("id" = String, Path, description = "Protocol id, e.g. `ipt`")),
    responses((status = 200, body = ProtocolDoc), (status = 401, body = ProblemDoc, content_type = "application/problem+json"), (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn protocol(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProtocolDoc>> {
    let p = s.protocols.get(&id).ok_or(AppError::NotFound)?;
    Ok(Json(protocol_doc(p)))
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentSummaryDoc {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    /// `client`, `clinician` or `either`.
    pub respondent: String,
}

#[derive(Serialize, ToSchema)]
pub struct OptionDoc {
    /// The option's position value, as stored (top to bottom from the lowest).
    pub value: i64,
    /// The score printed beside this option on the paper form; differs from `value` on a
    /// reverse-scored item. Measure submissions give this as `answers[].score`.
    pub score: i64,
    pub label: Option<LocalizedText>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemDoc {
    pub id: String,
    pub label: LocalizedText,
    /// The item's wording, only for instruments whose licence allows it.
    pub text: Option<LocalizedText>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub options: Vec<OptionDoc>,
    pub optional: bool,
    pub allow_not_applicable: bool,
    pub scored: bool,
    /// Scored in reverse: the printed scores run the other way from the option values.
    pub reverse_scored: bool,
    /// A lifetime question: a positive answer raises an alert the first time only, and is
    /// history afterwards.
    pub history: bool,
    pub loinc: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BandDoc {
    pub id: String,
    pub min: i64,
    pub max: i64,
    pub label: LocalizedText,
}

#[derive(Serialize, ToSchema)]
pub struct SafetyItemDoc {
    pub item: String,
    pub at_least: i64,
    /// `review`, `alert` or `urgent`.
    pub tier: String,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDoc {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub respondent: String,
    pub recall_days: u32,
    pub recall: LocalizedText,
    /// `sum`, `single` or `social-rhythm`.
    pub scoring: String,
    pub reverse_scored: Vec<String>,
    pub min_score: f64,
    pub max_score: f64,
    pub items: Vec<ItemDoc>,
    pub bands: Vec<BandDoc>,
    pub safety_items: Vec<SafetyItemDoc>,
    pub licence: LocalizedText,
    pub loinc_panel: Option<String>,
    pub loinc_total: Option<String>,
}

fn instrument_doc(i: &Instrument) -> InstrumentDoc {
    let d = i.def();
    let show = i.may_show_wording();
    InstrumentDoc {
        id: d.id.clone(),
        version: d.version.clone(),
        title: localized(&d.title),
        respondent: d.respondent.code().into(),
        recall_days: d.recall.days,
        recall: localized(&d.recall.label),
        scoring: d.scoring.rule.code().into(),
        reverse_scored: d.scoring.reverse.clone(),
        min_score: i.range().0.as_f64(),
        max_score: i.range().1.as_f64(),
        items: i
            .items()
            .iter()
            .map(|it| {
                let bounds = i.item_bounds(it);
                ItemDoc {
                    id: it.id.clone(),
                    label: localized(&it.label),
                    text: if show {
                        it.text.as_ref().map(localized)
                    } else {
                        None
                    },
                    min: bounds.map(|b| b.0),
                    max: bounds.map(|b| b.1),
                    options: i
                        .responses_of(it)
                        .map(|r| {
                            r.options
                                .iter()
                                .map(|o| OptionDoc {
                                    value: o.value,
                                    score: i.printed_score(it, o.value),
                                    label: o.label.as_ref().map(localized),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    optional: it.optional,
                    allow_not_applicable: it.allow_not_applicable,
                    scored: it.scored,
                    reverse_scored: i.is_reversed(&it.id),
                    history: it.history,
                    loinc: it.loinc.clone(),
                }
            })
            .collect(),
        bands: i
            .bands()
            .iter()
            .map(|b| BandDoc {
                id: b.id.clone(),
                min: b.min,
                max: b.max,
                label: localized(&b.label),
            })
            .collect(),
        safety_items: d
            .safety
            .iter()
            .map(|s| SafetyItemDoc {
                item: s.item.clone(),
                at_least: s.at_least,
                tier: kebab(&s.tier),
            })
            .collect(),
        licence: localized(&d.licence.note),
        loinc_panel: d.loinc.as_ref().and_then(|l| l.panel.clone()),
        loinc_total: d.loinc.as_ref().and_then(|l| l.total.clone()),
    }
}

/// Every questionnaire Kith scores.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = [InstrumentSummaryDoc]), (status = 401, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn instruments(State(s): State<AppState>) -> Json<Vec<InstrumentSummaryDoc>> {
    Json(
        s.instruments
            .iter()
            .map(|i| InstrumentSummaryDoc {
                id: i.id().into(),
                version: i.version().into(),
                title: localized(&i.def().title),
                respondent: i.def().respondent.code().into(),
            })
            .collect(),
    )
}

/// One questionnaire: items and their answers, scoring, bands, safety items.
#[utoipa::path(get, path = "/api/v1/instruments/{id}", tag = "reference", security(("bearer" = [])),
    params(("id" = String, Path, description = "Instrument id, e.g. `phq9`")),
    responses((status = 200, body = InstrumentDoc), (status = 401, body = ProblemDoc, content_type = "application/problem+json"), (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn instrument(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<InstrumentDoc>> {
    let i = s.instruments.get(&id).ok_or(AppError::NotFound)?;
    Ok(Json(instrument_doc(i)))
}
