//! `/api/v1/clients/{id}/measures`, `/api/v1/clients/{id}/alerts` and
//! `/api/v1/alerts/{id}/acknowledge`.
//!
//! A submission carries answers only. Each answer gives the option chosen as its `score`: the
//! score printed beside that option on the paper form (for a reverse-scored item such as EPDS
//! item 10, the top option prints 3). The older `value` (the option's position, top to bottom from
//! the lowest value) is still taken for items that are not reverse-scored, where the two agree; on
//! a reverse-scored item it is refused (422 `answer-value-ambiguous`, naming the item), as is an
//! answer giving both (422 `answer-value-and-score`). A score or value must be a JSON integer: a
//! string (`"3"`), a fraction (`1.5`), `true` or `null` is refused with 422 naming the item, and
//! nothing is written. A total, band or flag sent along is an unknown field (400). The server scores the
//! answers and, in the same transaction, raises the one alert a positive safety item calls for.

use super::ProblemDoc;
use super::clients::idempotency;
use crate::errors::ApiResult;
use crate::forms::ApiJson;
use crate::pages::measures::answer_from_score;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use kith_app::{AppError, Ctx, FieldError, MeasureAnswers, MeasureInput, Recorded};
use kith_domain::ids::{AlertId, ClientId, CourseId, SessionId};
use kith_domain::locale::Locale;
use kith_domain::measure::{
    ActivityEntry, AnswerValue, DiaryDay, DoneAt, Finding, FindingReason, Instrument,
    InstrumentLibrary, Score,
};
use kith_store::{AdministrationMode, Alert, AlertCause, SubmissionSummary, Written};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A key that is present, even as `null`, is `Some`; an absent key is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// One answer: the item's id and the printed `score` of the option chosen, or
/// `"not_applicable": true` where the item allows it (the WSAS work item).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerDoc {
    /// The item's id as in `GET /api/v1/instruments/{id}` (`"9"`, `"work"`).
    #[schema(max_length = 100)]
    pub item: String,
    /// The score printed beside the chosen option on the paper form, as listed for each option in
    /// `GET /api/v1/instruments/{id}` (`options[].score`). A JSON integer. Recommended for every
    /// item; required for a reverse-scored item (the instrument's `reverse_scored`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub score: Option<serde_json::Value>,
    /// Older form: the option's `value` (its position) rather than its printed score. Taken only
    /// for items that are not reverse-scored, where the two are the same number; on a
    /// reverse-scored item it is refused with 422 `answer-value-ambiguous`. Give `score` or
    /// `value`, not both (422 `answer-value-and-score`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub not_applicable: bool,
}

/// One activity of a diary day: the clock time it was done and who was involved, or
/// `"done": false`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityDoc {
    pub item: String,
    /// `HH:MM`, when done.
    #[serde(default)]
    pub at: Option<String>,
    /// 0 alone, 1 others present, 2 others actively involved, 3 others very stimulating.
    #[serde(default)]
    pub people: Option<i64>,
    /// `false` when the activity was not done that day.
    #[serde(default = "yes")]
    pub done: bool,
}

fn yes() -> bool {
    true
}

/// One day of a social-rhythm diary (SRM-5).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiaryDayDoc {
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// −5 (very low) to +5 (very high).
    pub mood: i64,
    pub activities: Vec<ActivityDoc>,
}

/// A questionnaire to record: `answers` for item instruments, `diary` for the SRM-5. There is no
/// place for a total: the server computes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasureDoc {
    /// Instrument id: `phq9`, `gad7`, `hamd17`, `epds`, `wsas`, `phqa`, `srm5`, `mood`.
    pub instrument: String,
    #[serde(default)]
    pub answers: Option<Vec<AnswerDoc>>,
    #[serde(default)]
    pub diary: Option<Vec<DiaryDayDoc>>,
    /// When the answers were given (RFC 3339); now when left out.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub taken_at: Option<String>,
    /// The client's course the answers belong to (422 `course-not-of-client` otherwise).
    #[serde(default)]
    pub course_id: Option<String>,
    /// The session of the client's course they were given in; its course comes with it (422
    /// `session-not-of-client`, or `session-not-in-course` when it contradicts `course_id`).
    #[serde(default)]
    pub session_id: Option<String>,
    /// `clinician-entered` (the default) or `proxy` (a parent or carer answered).
    #[serde(default)]
    pub mode: Option<String>,
}

fn answer_error(item: &str, code: &str) -> FieldError {
    FieldError::new(format!("answers[item {item}]"), code)
}

/// How an answer named its option.
enum Given<'a> {
    Score(&'a serde_json::Value),
    Position(&'a serde_json::Value),
}

/// Reads the answers strictly: every score or value a JSON integer, a printed score turned into
/// the option it stands for, and a bare position refused where it could be read two ways.
/// `instrument` is `None` for an unknown instrument (refused later, by name).
fn read_answers(
    raw: &[AnswerDoc],
    instrument: Option<&Instrument>,
    errors: &mut Vec<FieldError>,
) -> MeasureAnswers {
    let mut answers = Vec::new();
    for doc in raw {
        let given = match (&doc.score, &doc.value) {
            (Some(_), Some(_)) => {
                errors.push(answer_error(&doc.item, "answer-value-and-score"));
                continue;
            }
            (Some(s), None) => Some(Given::Score(s)),
            (None, Some(v)) => Some(Given::Position(v)),
            (None, None) => None,
        };
        let raw_number = match &given {
            Some(Given::Score(v) | Given::Position(v)) => Some(v),
            None => None,
        };
        match (raw_number, doc.not_applicable) {
            (Some(_), true) => {
                errors.push(answer_error(&doc.item, "answer-value-and-not-applicable"))
            }
            (None, true) => answers.push((doc.item.clone(), AnswerValue::NotApplicable)),
            (None, false) => errors.push(answer_error(&doc.item, "answer-no-value")),
            // `as_i64` is `None` for strings, booleans, null, fractions and even `2.0`.
            (Some(number), false) => {
                let Some(n) = number.as_i64() else {
                    errors.push(answer_error(&doc.item, "answer-not-an-integer"));
                    continue;
                };
                let item = instrument.and_then(|i| i.item(&doc.item).map(|d| (i, d)));
                match (given, item) {
                    (Some(Given::Score(_)), Some((i, d))) => match answer_from_score(i, d, n) {
                        Ok(a) => answers.push((doc.item.clone(), AnswerValue::Value(a))),
                        Err(e) => errors.push(e),
                    },
                    (Some(Given::Position(_)), Some((i, _))) if i.is_reversed(&doc.item) => {
                        errors.push(answer_error(&doc.item, "answer-value-ambiguous"))
                    }
                    // Not reverse-scored (position and printed score agree), or an item or
                    // instrument that does not exist, which scoring refuses by name.
                    _ => answers.push((doc.item.clone(), AnswerValue::Value(n))),
                }
            }
        }
    }
    MeasureAnswers::Items(answers)
}

fn read_diary(raw: &[DiaryDayDoc], errors: &mut Vec<FieldError>) -> MeasureAnswers {
    let mut days = Vec::new();
    for (i, doc) in raw.iter().enumerate() {
        let Ok(date) = time::Date::parse(
            &doc.date,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) else {
            errors.push(FieldError::new(
                format!("diary[{i}].date"),
                "field-not-a-date",
            ));
            continue;
        };
        let mut activities = Vec::new();
        for a in &doc.activities {
            let field = format!("diary[{date}].activities[item {}]", a.item);
            match (a.done, a.at.as_deref(), a.people) {
                (false, None, None) => activities.push(ActivityEntry {
                    item: a.item.clone(),
                    done: None,
                }),
                (true, Some(at), Some(people)) => {
                    match time::Time::parse(
                        at,
                        time::macros::format_description!("[hour]:[minute]"),
                    ) {
                        Ok(at) => activities.push(ActivityEntry {
                            item: a.item.clone(),
                            done: Some(DoneAt { at, people }),
                        }),
                        Err(_) => errors.push(FieldError::new(field, "diary-time-invalid")),
                    }
                }
                (true, Some(_), None) => errors.push(FieldError::new(
                    format!("{field}.people"),
                    "diary-people-missing",
                )),
                _ => errors.push(FieldError::new(field, "diary-activity-malformed")),
            }
        }
        days.push(DiaryDay {
            date,
            mood: doc.mood,
            activities,
        });
    }
    MeasureAnswers::Diary(days)
}

fn read_id<T: std::str::FromStr>(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = raw?;
    match raw.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, "field-not-an-id"));
            None
        }
    }
}

/// The body as the application's input, with every problem of its shape named.
fn input_of(
    body: &NewMeasureDoc,
    locale: Locale,
    now: OffsetDateTime,
) -> Result<MeasureInput, AppError> {
    let mut errors = Vec::new();
    let instrument = InstrumentLibrary::builtin().get(&body.instrument);
    let answers = match (&body.answers, &body.diary) {
        (Some(a), None) => read_answers(a, instrument, &mut errors),
        (None, Some(d)) => read_diary(d, &mut errors),
        _ => {
            errors.push(FieldError::new("answers", "answers-or-diary"));
            MeasureAnswers::Items(Vec::new())
        }
    };
    let taken_at = match body.taken_at.as_deref() {
        None => now,
        Some(t) => match OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
            Ok(t) => t,
            Err(_) => {
                errors.push(FieldError::new("taken_at", "field-not-a-time"));
                now
            }
        },
    };
    let course: Option<CourseId> = read_id("course_id", body.course_id.as_deref(), &mut errors);
    let session: Option<SessionId> = read_id("session_id", body.session_id.as_deref(), &mut errors);
    let mode = match body.mode.as_deref() {
        None => AdministrationMode::ClinicianEntered,
        Some(m) => match AdministrationMode::parse(m) {
            Some(m) if m != AdministrationMode::SelfReport => m,
            _ => {
                errors.push(FieldError::new("mode", "mode-not-allowed"));
                AdministrationMode::ClinicianEntered
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(MeasureInput {
        instrument: body.instrument.clone(),
        answers,
        taken_at,
        course,
        session,
        language: locale,
        mode,
    })
}

/// A score as a JSON number: whole scores as integers (`12`), others with two decimals (`3.5`).
fn score_json(s: Score) -> serde_json::Value {
    hundredths_json(s.hundredths())
}

#[derive(Serialize, ToSchema)]
pub struct FlagDoc {
    pub item: String,
    /// `review`, `alert` or `urgent`.
    pub tier: String,
    /// True for a lifetime item (PHQ-A `attempt-ever`) answered positively in an earlier
    /// submission too: it is kept as history and raised no new alert.
    pub history: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FindingDoc {
    /// `suggested`, `not-suggested` or `cannot-tell`: a suggestion for the clinician, never a verdict.
    pub status: String,
    /// Why, as a code with its figures (e.g. `percent-improvement`).
    #[schema(value_type = Object)]
    pub reason: serde_json::Value,
}

/// A number given in hundredths as JSON: whole numbers as integers, others with two decimals.
fn hundredths_json(h: i64) -> serde_json::Value {
    if h % 100 == 0 {
        serde_json::Value::from(h / 100)
    } else {
        serde_json::Value::from(h as f64 / 100.0)
    }
}

/// A finding's reason with its figures as plain numbers (`55.56` per cent, not hundredths).
fn reason_json(r: &FindingReason) -> serde_json::Value {
    let mut v = serde_json::json!({ "code": r.code() });
    match r {
        FindingReason::PercentImprovement {
            percent,
            threshold_percent,
        } => {
            v["percent"] = hundredths_json(percent.hundredths());
            v["threshold_percent"] = serde_json::json!(threshold_percent);
        }
        FindingReason::LatestScore { latest, cutoff } => {
            v["latest"] = score_json(*latest);
            v["cutoff"] = serde_json::json!({ "kind": cutoff.code(), "value": cutoff.value() });
        }
        FindingReason::Points { points, threshold } => {
            v["points"] = score_json(*points);
            v["threshold"] = score_json(*threshold);
        }
        FindingReason::DecisionPointNotReached { decision_session }
        | FindingReason::NoScoreByDecisionPoint { decision_session } => {
            v["decision_session"] = serde_json::json!(decision_session);
        }
        _ => {}
    }
    v
}

fn finding_doc(f: &Finding) -> FindingDoc {
    FindingDoc {
        status: f.status.code().to_string(),
        reason: reason_json(&f.reason),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDoc {
    /// Number of scores in the series so far.
    pub count: usize,
    #[schema(value_type = Option<f64>)]
    pub baseline: Option<serde_json::Value>,
    /// Latest minus baseline, as on the scale.
    #[schema(value_type = Option<f64>)]
    pub change: Option<serde_json::Value>,
    pub response: FindingDoc,
    pub remission: FindingDoc,
    pub reliable_improvement: FindingDoc,
    pub reliable_deterioration: FindingDoc,
    pub not_on_track: FindingDoc,
}

/// What recording a questionnaire gave.
#[derive(Serialize, ToSchema)]
pub struct RecordedDoc {
    pub id: String,
    pub instrument: String,
    /// Computed by the server from the answers.
    #[schema(value_type = f64)]
    pub total: serde_json::Value,
    /// Severity band id (`moderate`), when the instrument has bands.
    pub band: Option<String>,
    /// Safety items that fired.
    pub flags: Vec<FlagDoc>,
    /// The alert raised with this submission, if any.
    pub alert_id: Option<String>,
    pub alert_tier: Option<String>,
    /// True when the person who answered should be shown the clinic's crisis resources now.
    pub show_crisis_resources: bool,
    pub change: ChangeDoc,
}

fn recorded_doc(r: &Recorded) -> RecordedDoc {
    let a = &r.analysis;
    RecordedDoc {
        id: r.submission.to_string(),
        instrument: r.instrument.clone(),
        total: score_json(r.total),
        band: r.band.clone(),
        flags: r
            .flags
            .iter()
            .map(|f| FlagDoc {
                item: f.item.clone(),
                tier: f.tier.code().to_string(),
                history: f.history,
            })
            .collect(),
        alert_id: r.alert.map(|a| a.to_string()),
        alert_tier: r.alert_tier.map(|t| t.code().to_string()),
        show_crisis_resources: r.show_crisis_resources(),
        change: ChangeDoc {
            count: a.count,
            baseline: a.baseline.map(|b| score_json(b.score)),
            change: a.change.map(score_json),
            response: finding_doc(&a.response),
            remission: finding_doc(&a.remission),
            reliable_improvement: finding_doc(&a.reliable_improvement),
            reliable_deterioration: finding_doc(&a.reliable_deterioration),
            not_on_track: finding_doc(&a.not_on_track),
        },
    }
}

/// Records a questionnaire for a client. The server scores it; a positive safety item raises
/// exactly one alert in the same transaction.
///
/// Each answer gives the **printed score** of the option chosen (`"score"`), exactly as printed
/// beside it on the paper form and listed as `options[].score` by `GET /api/v1/instruments/{id}`.
/// For a reverse-scored item (EPDS items 3 and 5–10) this is not the option's position: EPDS
/// item 10 "yes, quite often" is `{"item": "10", "score": 3}`. A bare `"value"` (the position) is
/// still taken where it cannot be misread (items that are not reverse-scored); on a reverse-scored
/// item it is refused with 422 and the code `answer-value-ambiguous` naming the item.
///
/// A lifetime item (PHQ-A `attempt-ever`) answered "yes" raises an alert the first time; once on
/// record it comes back as a flag with `history: true` and raises no new alert.
///
/// With an `Idempotency-Key` header, repeating the request records nothing new and answers
/// **201 with the same body** as the first time (and the header `Idempotent-Replayed: true`);
/// the same key with a different body or for another client is refused (422), and a repeat
/// while the first is still being processed gets 409. Keys are kept for at least 24 hours.
#[utoipa::path(post, path = "/api/v1/clients/{id}/measures", tag = "measures", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to repeat (up to 200 characters).")),
    request_body = NewMeasureDoc,
    responses(
        (status = 201, body = RecordedDoc, description = "Recorded now, or recorded by an earlier request with the same key (then with `Idempotent-Replayed: true`)."),
        (status = 400, body = ProblemDoc, content_type = "application/problem+json", description = "Malformed JSON, a field of the wrong type, or an unknown field such as `total`."),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, body = ProblemDoc, content_type = "application/problem+json", description = "A request with the same key is still being processed."),
        (status = 415, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, body = ProblemDoc, content_type = "application/problem+json", description = "Answers out of range, missing, repeated or not whole numbers, or a bare `value` on a reverse-scored item (`answer-value-ambiguous`), each named by item (`answers[item 10]`); or the key was used with a different body.")))]
pub async fn create(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Extension(locale): Extension<Locale>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body, raw): ApiJson<NewMeasureDoc>,
) -> ApiResult<Response> {
    let id: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    // The key is bound to the record too, so that a key reused for another client never
    // answers with the first client's result.
    let mut scoped = id.to_string().into_bytes();
    scoped.push(0);
    scoped.extend_from_slice(&raw);
    let idem = idempotency(
        &s,
        &ctx,
        &headers,
        "POST /api/v1/clients/{id}/measures",
        &scoped,
    )?;
    let input = input_of(&body, locale, s.app.now())?;
    let written = s.app.record_measure(&ctx, id, input, idem).await?;
    let replayed = matches!(written, Written::Replayed(_));
    let mut r = (StatusCode::CREATED, Json(recorded_doc(written.value()))).into_response();
    if replayed {
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(r)
}

#[derive(Serialize, ToSchema)]
pub struct MeasureDoc {
    pub id: String,
    pub instrument: String,
    pub version: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub taken_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: OffsetDateTime,
    #[schema(value_type = f64)]
    pub total: serde_json::Value,
    pub band: Option<String>,
    pub flags: Vec<FlagDoc>,
    pub alert_id: Option<String>,
    /// `client` or `clinician`.
    pub respondent_role: String,
    /// `self`, `clinician-entered` or `proxy`.
    pub mode: String,
    pub course_id: Option<String>,
    pub session_id: Option<String>,
}

fn measure_doc(m: SubmissionSummary) -> MeasureDoc {
    MeasureDoc {
        id: m.id.to_string(),
        instrument: m.instrument,
        version: m.version,
        taken_at: m.taken_at,
        recorded_at: m.recorded_at,
        total: score_json(m.total),
        band: m.band,
        flags: m
            .flags
            .iter()
            .map(|f| FlagDoc {
                item: f.item.clone(),
                tier: f.tier.code().to_string(),
                history: f.history,
            })
            .collect(),
        alert_id: m.alert.map(|a| a.to_string()),
        respondent_role: m.respondent_role.code().to_string(),
        mode: m.mode.code().to_string(),
        course_id: m.course.map(|c| c.to_string()),
        session_id: m.session.map(|c| c.to_string()),
    }
}

/// A client's questionnaires, newest first, without their answers.
#[utoipa::path(get, path = "/api/v1/clients/{id}/measures", tag = "measures", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, body = [MeasureDoc]),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MeasureDoc>>> {
    let id: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    let rows = s.app.measures(&ctx, id).await?;
    Ok(Json(rows.into_iter().map(measure_doc).collect()))
}

/// Why an alert was raised: a safety item (its instrument, item and tier), or reliable
/// deterioration (with the scores).
#[derive(Serialize, ToSchema)]
pub struct AlertReasonDoc {
    /// `safety-item`, `reliable-deterioration` or `clinician-risk`.
    pub code: String,
    /// Safety items and reliable deterioration: the instrument.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    /// Clinician risk: the session whose note recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Clinician risk: `routine`, `urgent` or `emergency`, as the clinician chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// Safety items: the item that fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Safety items: `review`, `alert` or `urgent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Reliable deterioration: the first and latest scores, how much worse, and the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    pub baseline: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    pub latest: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    pub worsening: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>)]
    pub threshold: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertDoc {
    pub id: String,
    pub client_id: String,
    pub submission_id: Option<String>,
    /// The session note that raised it, when a clinician recorded identified risk.
    pub note_id: Option<String>,
    /// What the clinician wrote about the risk when the note raised the alert.
    pub risk_text: Option<String>,
    /// `review`, `alert`, `urgent` or `emergency`.
    pub tier: String,
    pub reasons: Vec<AlertReasonDoc>,
    /// `open` or `acknowledged`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub escalated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<OffsetDateTime>,
    pub acknowledged_by: Option<String>,
    /// What was done, as written when acknowledging.
    pub action_note: Option<String>,
}

fn alert_doc(a: Alert) -> AlertDoc {
    AlertDoc {
        id: a.id.to_string(),
        client_id: a.client.to_string(),
        submission_id: a.submission.map(|s| s.to_string()),
        note_id: a.note.map(|n| n.to_string()),
        risk_text: a.risk_text.clone(),
        tier: a.tier.code().to_string(),
        reasons: a
            .reasons
            .iter()
            .map(|r| match r {
                AlertCause::SafetyItem {
                    instrument,
                    item,
                    tier,
                } => AlertReasonDoc {
                    code: r.code().to_string(),
                    instrument: Some(instrument.clone()),
                    session_id: None,
                    urgency: None,
                    item: Some(item.clone()),
                    tier: Some(tier.code().to_string()),
                    baseline: None,
                    latest: None,
                    worsening: None,
                    threshold: None,
                },
                AlertCause::ReliableDeterioration {
                    instrument,
                    baseline,
                    latest,
                    worsening,
                    threshold,
                } => AlertReasonDoc {
                    code: r.code().to_string(),
                    instrument: Some(instrument.clone()),
                    session_id: None,
                    urgency: None,
                    item: None,
                    tier: None,
                    baseline: Some(score_json(*baseline)),
                    latest: Some(score_json(*latest)),
                    worsening: Some(score_json(*worsening)),
                    threshold: Some(score_json(*threshold)),
                },
                AlertCause::ClinicianRisk { session, urgency } => AlertReasonDoc {
                    code: r.code().to_string(),
                    instrument: None,
                    session_id: Some(session.to_string()),
                    urgency: Some(urgency.code().to_string()),
                    item: None,
                    tier: None,
                    baseline: None,
                    latest: None,
                    worsening: None,
                    threshold: None,
                },
            })
            .collect(),
        status: a.status.code().to_string(),
        raised_at: a.raised_at,
        escalated_at: a.escalated_at,
        acknowledged_at: a.acknowledged_at,
        acknowledged_by: a.acknowledged_by.map(|u| u.to_string()),
        action_note: a.action_note,
    }
}

/// Every alert of one client, open ones first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/alerts", tag = "measures", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, body = [AlertDoc]),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn client_alerts(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AlertDoc>>> {
    let id: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    let rows = s.app.client_alerts(&ctx, id).await?;
    Ok(Json(rows.into_iter().map(alert_doc).collect()))
}

/// What was done about an alert. Required, 1–2000 characters.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeDoc {
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// Closes an open alert with an action note. An alert already acknowledged is refused (422,
/// `alert-already-acknowledged`).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "measures", security(("bearer" = [])),
    params(("id" = String, Path, description = "Alert id")),
    request_body = AcknowledgeDoc,
    responses((status = 200, body = AlertDoc),
        (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 415, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn acknowledge(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    ApiJson(body, _): ApiJson<AcknowledgeDoc>,
) -> ApiResult<Json<AlertDoc>> {
    let id: AlertId = id.parse().map_err(|_| AppError::NotFound)?;
    let a = s.app.acknowledge_alert(&ctx, id, &body.note).await?;
    Ok(Json(alert_doc(a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: serde_json::Value) -> Result<MeasureInput, Vec<(String, String)>> {
        let doc: NewMeasureDoc =
            serde_json::from_value(body).map_err(|e| vec![("body".into(), e.to_string())])?;
        let now = OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        input_of(&doc, Locale::En, now).map_err(|e| match e {
            AppError::Invalid(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
            other => vec![("other".into(), other.to_string())],
        })
    }

    #[test]
    fn values_must_be_json_integers() {
        for bad in [
            json!("3"),
            json!(1.5),
            json!(true),
            json!(null),
            json!([1]),
            json!(2.0),
        ] {
            let errors =
                parse(json!({"instrument": "phq9", "answers": [{"item": "9", "value": bad}]}))
                    .unwrap_err();
            assert_eq!(
                errors,
                vec![(
                    "answers[item 9]".to_string(),
                    "answer-not-an-integer".to_string()
                )],
                "{bad} accepted"
            );
        }
        let ok =
            parse(json!({"instrument": "phq9", "answers": [{"item": "9", "value": 2}]})).unwrap();
        assert_eq!(
            ok.answers,
            MeasureAnswers::Items(vec![("9".into(), AnswerValue::Value(2))])
        );
    }

    #[test]
    fn a_total_is_an_unknown_field() {
        assert!(
            serde_json::from_value::<NewMeasureDoc>(
                json!({"instrument": "phq9", "answers": [], "total": 3})
            )
            .is_err()
        );
        let errors = parse(
            json!({"instrument": "phq9", "answers": [{"item": "1", "value": 1, "total": 3}]}),
        )
        .unwrap_err();
        assert_eq!(errors[0].0, "body");
    }

    #[test]
    fn a_value_given_twice_in_one_answer_is_refused() {
        let body = r#"{"instrument": "phq9", "answers": [{"item": "9", "value": 0, "value": 3}]}"#;
        assert!(serde_json::from_str::<NewMeasureDoc>(body).is_err());
    }

    #[test]
    fn not_applicable_and_missing_values() {
        let ok = parse(
            json!({"instrument": "wsas", "answers": [{"item": "work", "not_applicable": true}]}),
        )
        .unwrap();
        assert_eq!(
            ok.answers,
            MeasureAnswers::Items(vec![("work".into(), AnswerValue::NotApplicable)])
        );
        let errors = parse(json!({"instrument": "wsas", "answers": [
            {"item": "work", "value": 2, "not_applicable": true},
            {"item": "home"}
        ]}))
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                (
                    "answers[item work]".to_string(),
                    "answer-value-and-not-applicable".to_string()
                ),
                (
                    "answers[item home]".to_string(),
                    "answer-no-value".to_string()
                ),
            ]
        );
    }

    #[test]
    fn answers_or_a_diary_exactly_once() {
        let e = parse(json!({"instrument": "phq9"})).unwrap_err();
        assert_eq!(e[0].1, "answers-or-diary");
        let e = parse(json!({"instrument": "phq9", "answers": [], "diary": []})).unwrap_err();
        assert_eq!(e[0].1, "answers-or-diary");
    }

    #[test]
    fn diary_days_are_read() {
        let ok = parse(json!({"instrument": "srm5", "diary": [{"date": "2026-01-05", "mood": -2, "activities": [
            {"item": "out-of-bed", "at": "07:30", "people": 0},
            {"item": "dinner", "done": false}
        ]}]}))
        .unwrap();
        let MeasureAnswers::Diary(days) = ok.answers else {
            panic!("a diary")
        };
        assert_eq!(days[0].mood, -2);
        assert_eq!(days[0].activities[1].done, None);
        let e = parse(
            json!({"instrument": "srm5", "diary": [{"date": "2026-01-05", "mood": 0, "activities": [
                {"item": "dinner", "at": "7pm", "people": 1}
            ]}]}),
        )
        .unwrap_err();
        assert_eq!(
            e[0],
            (
                "diary[2026-01-05].activities[item dinner]".to_string(),
                "diary-time-invalid".to_string()
            )
        );
    }

    #[test]
    fn reasons_carry_plain_figures() {
        use kith_domain::measure::{Cutoff, Percent};
        let r = FindingReason::PercentImprovement {
            percent: Percent::from_hundredths(5556),
            threshold_percent: 50,
        };
        assert_eq!(
            reason_json(&r),
            json!({"code": "percent-improvement", "percent": 55.56, "threshold_percent": 50})
        );
        let r = FindingReason::LatestScore {
            latest: Score::whole(4),
            cutoff: Cutoff::Below(5),
        };
        assert_eq!(
            reason_json(&r),
            json!({"code": "latest-score", "latest": 4, "cutoff": {"kind": "below", "value": 5}})
        );
    }

    #[test]
    fn scores_print_as_json_numbers() {
        assert_eq!(score_json(Score::whole(12)), json!(12));
        assert_eq!(score_json(Score::ratio(7, 2)), json!(3.5));
    }
}
