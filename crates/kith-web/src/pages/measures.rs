//! Measures in the clinician's pages: entering a questionnaire (one radio group per item, or a week
//! of the social-rhythm diary), the result of one submission, and each instrument's chart with the
//! data table beside it and what the series suggests. The questionnaire form and its parsing are
//! shared with the client portal ([`super::portal`]).
//!
//! Every score, band, flag and finding comes from the server's scoring; the form carries answers
//! only.

use super::{Chrome, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kith_app::secrets::{body_hash, new_token};
use kith_app::{AppError, Ctx, FieldError, MeasureAnswers, MeasureInput};
use kith_domain::clinic::ClinicSettings;
use kith_domain::course::SessionStatus;
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, SessionId, SubmissionId};
use kith_domain::locale::Locale;
use kith_domain::measure::{
    ActivityEntry, AnswerValue, Cutoff, DiaryDay, DoneAt, Finding, FindingReason, FindingStatus,
    Instrument, InstrumentLibrary, ItemDef, Respondent, ScoringRule, SeriesAnalysis,
};
use kith_domain::policy::Action;
use kith_domain::safety::Tier;
use kith_report::{ChartEvent, ChartLabels, MeasureChartInput, XAxis, draw_measure_chart};
use kith_store::{AdministrationMode, Idempotency, SeriesPoint, SubmissionRecord};
use serde::Deserialize;
use time::{Date, OffsetDateTime, Time};

/// The order instruments are offered and charted in; any other comes after, by id.
const ORDER: [&str; 8] = [
    "phq9", "gad7", "wsas", "phqa", "epds", "hamd17", "srm5", "mood",
];

/// Blank rows offered by the diary form (one scored week).
const DIARY_DAYS_SHOWN: usize = 7;

/// The instruments Kith ships, in the order people expect them.
pub(crate) fn instruments_in_order(lib: &'static InstrumentLibrary) -> Vec<&'static Instrument> {
    let mut v: Vec<&Instrument> = lib.iter().collect();
    v.sort_by_key(|i| {
        (
            ORDER
                .iter()
                .position(|o| *o == i.id())
                .unwrap_or(ORDER.len()),
            i.id().to_string(),
        )
    });
    v
}

/// Who fills in a questionnaire form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// A clinician entering a client's answers or rating a clinician-rated scale.
    Clinician,
    /// The client, in the portal.
    Client,
}

/// Whether a client can answer an instrument in the portal: it is answered by clients, and its
/// wording may be shown (a client cannot answer bare construct labels).
pub(crate) fn client_may_answer(i: &Instrument) -> bool {
    i.def().respondent != Respondent::Clinician && i.may_show_wording()
}

/// The clinic's crisis resources as the clinic wrote them (empty: the layout's default words).
pub(crate) fn crisis_text(ctx: &Ctx) -> String {
    ctx.clinic
        .as_ref()
        .map(|k| k.settings.crisis_text.clone())
        .unwrap_or_default()
}

pub(crate) fn settings(ctx: &Ctx) -> ClinicSettings {
    ctx.clinic
        .as_ref()
        .map(|k| k.settings.clone())
        .unwrap_or_default()
}

pub(crate) fn short_title(i: &Instrument, locale: Locale) -> String {
    i.def().short_title.get(locale).to_string()
}

pub(crate) fn item_label(i: &Instrument, item: &str, locale: Locale) -> String {
    i.item(item)
        .map(|d| d.label.get(locale).to_string())
        .unwrap_or_else(|| item.to_string())
}

pub(crate) fn tier_label(t: &Tr, tier: Tier) -> String {
    t.get(&format!("tier-{}", tier.code()))
}

/// A score as printed: whole numbers without decimals.
fn score_text(s: kith_domain::measure::Score) -> String {
    s.to_string()
}

// ---------------------------------------------------------------------------------------------
// Form fields as submitted.

/// The name/value pairs of a posted form, in order.
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn empty() -> Pairs {
        Pairs(Vec::new())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|(k, _)| k == name).count()
    }

    /// A stable digest of the answers, for the idempotency key: every field but the form token
    /// and the key, sorted, together with the record it is about.
    pub fn digest(&self, about: &str) -> [u8; 32] {
        let mut fields: Vec<&(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| k != "idempotency_key" && k != "_csrf")
            .collect();
        fields.sort();
        let mut text = String::from(about);
        for (k, v) in fields {
            text.push('\u{0}');
            text.push_str(k);
            text.push('=');
            text.push_str(v);
        }
        body_hash(text.as_bytes())
    }
}

fn item_field(item: &str) -> String {
    format!("item-{item}")
}

/// The hidden field by which a questionnaire form says what its item values are.
pub(crate) const ANSWER_SCALE_FIELD: &str = "answer_scale";
/// Its one value: every item's value is the score printed beside the chosen option on the paper
/// form (for a reverse-scored item, not its position). Without it, a value is read as the option's
/// position, which is accepted only where position and printed score agree (items that are not
/// reverse-scored); on a reverse-scored item it is refused as ambiguous.
pub(crate) const PRINTED_SCORE: &str = "printed-score";

fn day_field(day: usize, what: &str) -> String {
    format!("day{day}-{what}")
}

fn activity_field(day: usize, item: &str, what: &str) -> String {
    format!("day{day}-{item}-{what}")
}

/// Refuses fields the form of `instrument` does not have (like a total), as every form does.
pub(crate) fn check_known_fields(
    inst: &Instrument,
    pairs: &Pairs,
    audience: Audience,
) -> Result<(), WebError> {
    let mut known: Vec<String> = vec![
        "instrument".into(),
        "taken_on".into(),
        "idempotency_key".into(),
        ANSWER_SCALE_FIELD.into(),
    ];
    if audience == Audience::Clinician {
        known.push("session".into());
    }
    if inst.rule() == ScoringRule::SocialRhythm {
        for day in 0..DIARY_DAYS_SHOWN {
            known.push(day_field(day, "date"));
            known.push(day_field(day, "mood"));
            for item in inst.items() {
                for what in ["time", "none", "people"] {
                    known.push(activity_field(day, &item.id, what));
                }
            }
        }
    } else {
        known.extend(inst.items().iter().map(|i| item_field(&i.id)));
    }
    match pairs.0.iter().find(|(k, _)| !known.contains(k)) {
        Some((k, _)) => Err(WebError::bad(
            "unknown-field",
            "detail-unknown-field",
            vec![("field".into(), k.clone())],
        )),
        None => Ok(()),
    }
}

fn answer_error(item: &str, code: &str) -> FieldError {
    FieldError::new(format!("answers[item {item}]"), code)
}

/// When the answers were given: the chosen day (now, if it is today or left empty).
fn taken_at(pairs: &Pairs, now: OffsetDateTime) -> Result<OffsetDateTime, FieldError> {
    let raw = pairs.get("taken_on").unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(now);
    }
    let date = Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| FieldError::new("taken_at", "field-not-a-date"))?;
    if date == now.date() {
        Ok(now)
    } else {
        Ok(date.with_time(time::macros::time!(12:00)).assume_utc())
    }
}

/// Reads the answers of a questionnaire form. Problems that the form itself can see (a value that
/// is not a whole number, a time that cannot be read) are reported here, each naming its item;
/// everything else is left to the server's scoring.
pub(crate) fn parse_answers(
    inst: &Instrument,
    pairs: &Pairs,
    now: OffsetDateTime,
) -> Result<(MeasureAnswers, OffsetDateTime), Vec<FieldError>> {
    let mut errors = Vec::new();
    let taken = match taken_at(pairs, now) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let answers = if inst.rule() == ScoringRule::SocialRhythm {
        MeasureAnswers::Diary(parse_diary(inst, pairs, &mut errors))
    } else {
        let printed = pairs.get(ANSWER_SCALE_FIELD) == Some(PRINTED_SCORE);
        let mut answers = Vec::new();
        for item in inst.items() {
            let name = item_field(&item.id);
            if pairs.count(&name) > 1 {
                errors.push(answer_error(&item.id, "answer-duplicate"));
                continue;
            }
            match pairs.get(&name).map(str::trim) {
                None | Some("") => {}
                Some("na") => answers.push((item.id.clone(), AnswerValue::NotApplicable)),
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if printed => match answer_from_score(inst, item, n) {
                        Ok(a) => answers.push((item.id.clone(), AnswerValue::Value(a))),
                        Err(e) => errors.push(e),
                    },
                    Ok(_) if inst.is_reversed(&item.id) => {
                        errors.push(answer_error(&item.id, "answer-value-ambiguous"))
                    }
                    Ok(n) => answers.push((item.id.clone(), AnswerValue::Value(n))),
                    Err(_) => errors.push(answer_error(&item.id, "answer-not-an-integer")),
                },
            }
        }
        MeasureAnswers::Items(answers)
    };
    match taken {
        Some(t) if errors.is_empty() => Ok((answers, t)),
        _ => Err(errors),
    }
}

/// The answer (option position) whose printed score is `score`, or the refusal naming the item
/// with the scores that item prints.
pub(crate) fn answer_from_score(
    inst: &Instrument,
    item: &ItemDef,
    score: i64,
) -> Result<i64, FieldError> {
    inst.answer_for_score(item, score).ok_or_else(|| {
        let e = answer_error(&item.id, "answer-out-of-range").with("value", score);
        match inst.item_bounds(item) {
            Some((lo, hi)) => {
                let (a, b) = (inst.printed_score(item, lo), inst.printed_score(item, hi));
                e.with("min", a.min(b)).with("max", a.max(b))
            }
            None => e,
        }
    })
}

fn parse_diary(inst: &Instrument, pairs: &Pairs, errors: &mut Vec<FieldError>) -> Vec<DiaryDay> {
    let mut days = Vec::new();
    for day in 0..DIARY_DAYS_SHOWN {
        let date_raw = pairs.get(&day_field(day, "date")).unwrap_or("").trim();
        let mood_raw = pairs.get(&day_field(day, "mood")).unwrap_or("").trim();
        let filled = !mood_raw.is_empty()
            || inst.items().iter().any(|i| {
                !pairs
                    .get(&activity_field(day, &i.id, "time"))
                    .unwrap_or("")
                    .trim()
                    .is_empty()
                    || pairs.get(&activity_field(day, &i.id, "none")).is_some()
            });
        if !filled {
            continue;
        }
        let row = format!("diary-day{day}");
        let Ok(date) = Date::parse(
            date_raw,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) else {
            errors.push(FieldError::new(format!("{row}.date"), "field-not-a-date"));
            continue;
        };
        let mood = match mood_raw.parse::<i64>() {
            Ok(m) => m,
            Err(_) => {
                errors.push(FieldError::new(
                    format!("diary[{date}].mood"),
                    "diary-mood-missing",
                ));
                0
            }
        };
        let mut activities = Vec::new();
        for item in inst.items() {
            let time_raw = pairs
                .get(&activity_field(day, &item.id, "time"))
                .unwrap_or("")
                .trim();
            let none = pairs.get(&activity_field(day, &item.id, "none")).is_some();
            let people_raw = pairs
                .get(&activity_field(day, &item.id, "people"))
                .unwrap_or("")
                .trim();
            let field = format!("diary[{date}].activities[item {}]", item.id);
            match (time_raw.is_empty(), none) {
                (true, false) => {}
                (false, true) => errors.push(FieldError::new(field, "diary-time-and-not-done")),
                (true, true) => activities.push(ActivityEntry {
                    item: item.id.clone(),
                    done: None,
                }),
                (false, false) => {
                    let at = Time::parse(
                        time_raw,
                        time::macros::format_description!("[hour]:[minute]"),
                    )
                    .or_else(|_| {
                        Time::parse(
                            time_raw,
                            time::macros::format_description!("[hour]:[minute]:[second]"),
                        )
                    });
                    let people = people_raw.parse::<i64>();
                    match (at, people) {
                        (Ok(at), Ok(people)) => activities.push(ActivityEntry {
                            item: item.id.clone(),
                            done: Some(DoneAt { at, people }),
                        }),
                        (Err(_), _) => errors.push(FieldError::new(field, "diary-time-invalid")),
                        (_, Err(_)) => errors.push(FieldError::new(
                            format!("{field}.people"),
                            "diary-people-missing",
                        )),
                    }
                }
            }
        }
        days.push(DiaryDay {
            date,
            mood,
            activities,
        });
    }
    days
}

// ---------------------------------------------------------------------------------------------
// The questionnaire form as shown.

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub input_id: String,
    pub checked: bool,
}

pub struct ItemView {
    pub id: String,
    pub field: String,
    /// The fieldset's legend: the short label for clinicians, the question for clients.
    pub legend: String,
    /// The item's wording under the legend (clinicians, where the instrument allows it).
    pub text: Option<String>,
    pub options: Vec<OptionView>,
    pub optional: bool,
    pub error: Option<String>,
    /// For a reverse-scored item: that the scores run the other way, as on the paper form.
    pub reversed_note: Option<String>,
}

pub struct DiaryActivityView {
    pub label: String,
    pub time_field: String,
    pub time_value: String,
    pub none_field: String,
    pub none_checked: bool,
    pub people_field: String,
    pub people_options: Vec<OptionView>,
    pub error: Option<String>,
}

pub struct DiaryDayView {
    pub n: usize,
    pub date_field: String,
    pub date_value: String,
    pub mood_field: String,
    pub mood_options: Vec<OptionView>,
    pub activities: Vec<DiaryActivityView>,
    pub error: Option<String>,
}

/// A questionnaire to fill in: one radio group per item, or the diary's week.
pub struct QuestionForm {
    pub instrument: String,
    pub title: String,
    pub recall: String,
    /// Shown when the item wording is not included (licensed instruments): why only labels show.
    pub wording_note: Option<String>,
    pub items: Vec<ItemView>,
    pub diary: Vec<DiaryDayView>,
    pub is_diary: bool,
    /// Clinicians say on which day the answers were given; in the portal it is now.
    pub ask_date: bool,
    pub taken_on: String,
    pub taken_on_error: Option<String>,
    /// For clinicians: the sessions of the client's open course the answers can be filed under
    /// (empty in the portal, or without an open course).
    pub sessions: Vec<SessionChoice>,
    pub session_error: Option<String>,
    pub idempotency_key: String,
    /// Every problem, each naming its item, for the summary at the top.
    pub summary: Vec<String>,
}

pub struct SessionChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options_of(
    inst: &Instrument,
    item: &ItemDef,
    locale: Locale,
    field: &str,
    chosen: Option<&str>,
) -> Vec<OptionView> {
    let mut out = Vec::new();
    let mut push = |value: String, label: String| {
        out.push(OptionView {
            input_id: format!("{field}-{value}"),
            checked: chosen == Some(value.as_str()),
            value,
            label,
        });
    };
    // Options in the paper form's order; each one's value is the score printed beside it, and it
    // shows its wording or, where the wording is not ours to show, that printed score.
    if let Some(set) = inst.responses_of(item) {
        match set.range {
            Some(r) => {
                for v in r.min..=r.max {
                    let score = inst.printed_score(item, v);
                    let anchor = set
                        .anchors
                        .iter()
                        .find(|a| a.value == v)
                        .and_then(|a| a.label.as_ref())
                        .map(|l| l.get(locale).to_string());
                    let label = match anchor {
                        Some(a) => format!("{score} — {a}"),
                        None => score.to_string(),
                    };
                    push(score.to_string(), label);
                }
            }
            None => {
                for o in &set.options {
                    let score = inst.printed_score(item, o.value);
                    let label = match &o.label {
                        Some(l) => l.get(locale).to_string(),
                        None => score.to_string(),
                    };
                    push(score.to_string(), label);
                }
            }
        }
    }
    out
}

fn range_options(
    field: &str,
    min: i64,
    max: i64,
    chosen: Option<&str>,
    label: impl Fn(i64) -> String,
) -> Vec<OptionView> {
    (min..=max)
        .map(|v| OptionView {
            value: v.to_string(),
            label: label(v),
            input_id: format!("{field}-{v}"),
            checked: chosen == Some(v.to_string().as_str()),
        })
        .collect()
}

/// Splits a field error of the answers into the item it names (`answers[item 9]` → `9`).
fn item_of_field(field: &str) -> Option<&str> {
    field.strip_prefix("answers[item ")?.strip_suffix(']')
}

/// The day a diary error names (`diary[2025-01-06]…` → `2025-01-06`) and the activity, if any.
fn diary_of_field(field: &str) -> Option<(&str, Option<&str>)> {
    let rest = field.strip_prefix("diary[")?;
    let (date, rest) = rest.split_once(']')?;
    let item = rest
        .strip_prefix(".activities[item ")
        .and_then(|r| r.split_once(']'))
        .map(|(i, _)| i);
    Some((date, item))
}

/// Builds the form for `inst`, filled with what was submitted and with the problems found.
pub(crate) fn question_form(
    inst: &Instrument,
    t: &Tr,
    audience: Audience,
    pairs: &Pairs,
    errors: &[FieldError],
    today: Date,
) -> QuestionForm {
    let locale = t.locale;
    let def = inst.def();
    let show_wording = inst.may_show_wording();
    let mut summary = Vec::new();
    let mut taken_on_error = None;
    let mut session_error = None;
    let mut items = Vec::new();
    let mut diary = Vec::new();
    let is_diary = inst.rule() == ScoringRule::SocialRhythm;

    for e in errors {
        let msg = crate::errors::field_message(t, e);
        if e.field == "taken_at" {
            taken_on_error = Some(msg.clone());
            summary.push(format!("{}: {msg}", t.get("measure-taken-on")));
        } else if e.field == "session_id" || e.field == "course_id" {
            session_error = Some(msg.clone());
            summary.push(format!("{}: {msg}", t.get("measure-session")));
        } else if let Some(item) = item_of_field(&e.field) {
            summary.push(format!("{}: {msg}", item_label(inst, item, locale)));
        } else if let Some((date, item)) = diary_of_field(&e.field) {
            let what = item
                .map(|i| format!(" · {}", item_label(inst, i, locale)))
                .unwrap_or_default();
            summary.push(format!("{date}{what}: {msg}"));
        } else {
            summary.push(msg);
        }
    }

    if is_diary {
        let rhythm = def.scoring.rhythm.as_ref();
        let (mood_min, mood_max) = rhythm.map(|r| (r.mood.min, r.mood.max)).unwrap_or((-5, 5));
        let (people_min, people_max) = rhythm
            .map(|r| (r.people.min, r.people.max))
            .unwrap_or((0, 3));
        let fresh = pairs.0.is_empty();
        for n in 0..DIARY_DAYS_SHOWN {
            let date_field = day_field(n, "date");
            let date_value = if fresh {
                let back = (DIARY_DAYS_SHOWN - 1 - n) as i64;
                (today - time::Duration::days(back)).to_string()
            } else {
                pairs.get(&date_field).unwrap_or("").to_string()
            };
            let mood_field = day_field(n, "mood");
            let mood_options = range_options(
                &mood_field,
                mood_min,
                mood_max,
                pairs.get(&mood_field),
                |v| {
                    if v == mood_min {
                        t.with1("diary-mood-lowest", "value", v)
                    } else if v == mood_max {
                        t.with1("diary-mood-highest", "value", format!("+{v}"))
                    } else if v > 0 {
                        format!("+{v}")
                    } else {
                        v.to_string()
                    }
                },
            );
            let mut day_errors: Vec<String> = errors
                .iter()
                .filter(|e| {
                    e.field == format!("diary-day{n}.date")
                        || (!date_value.is_empty()
                            && diary_of_field(&e.field)
                                .is_some_and(|(d, i)| d == date_value && i.is_none()))
                })
                .map(|e| crate::errors::field_message(t, e))
                .collect();
            if errors
                .iter()
                .any(|e| e.field == format!("diary-day{n}.date"))
            {
                summary.push(format!(
                    "{}: {}",
                    t.with1("diary-day", "n", n + 1),
                    t.get("msg-field-not-a-date")
                ));
            }
            let activities = inst
                .items()
                .iter()
                .map(|item| {
                    let people_field = activity_field(n, &item.id, "people");
                    let mut people_options = vec![OptionView {
                        value: String::new(),
                        label: "—".into(),
                        input_id: format!("{people_field}-none"),
                        checked: pairs.get(&people_field).unwrap_or("").is_empty(),
                    }];
                    people_options.extend(range_options(
                        &people_field,
                        people_min,
                        people_max,
                        pairs.get(&people_field),
                        |v| t.get(&format!("diary-people-{v}")),
                    ));
                    let error = errors
                        .iter()
                        .find(|e| {
                            !date_value.is_empty()
                                && diary_of_field(&e.field)
                                    == Some((date_value.as_str(), Some(item.id.as_str())))
                        })
                        .map(|e| crate::errors::field_message(t, e));
                    DiaryActivityView {
                        label: item.label.get(locale).to_string(),
                        time_field: activity_field(n, &item.id, "time"),
                        time_value: pairs
                            .get(&activity_field(n, &item.id, "time"))
                            .unwrap_or("")
                            .to_string(),
                        none_field: activity_field(n, &item.id, "none"),
                        none_checked: pairs.get(&activity_field(n, &item.id, "none")).is_some(),
                        people_field,
                        people_options,
                        error,
                    }
                })
                .collect();
            diary.push(DiaryDayView {
                n: n + 1,
                date_field,
                date_value,
                mood_options,
                mood_field,
                activities,
                error: if day_errors.is_empty() {
                    None
                } else {
                    Some(day_errors.remove(0))
                },
            });
        }
    } else {
        for item in inst.items() {
            let field = item_field(&item.id);
            let label = item.label.get(locale).to_string();
            let wording = item
                .text
                .as_ref()
                .filter(|_| show_wording)
                .map(|w| w.get(locale).to_string());
            let (legend, text) = match audience {
                Audience::Clinician => (label, wording),
                Audience::Client => (wording.unwrap_or(label), None),
            };
            let chosen = pairs.get(&field);
            let mut options = options_of(inst, item, locale, &field, chosen);
            if item.allow_not_applicable {
                options.push(OptionView {
                    value: "na".into(),
                    label: t.get("measure-not-applicable"),
                    input_id: format!("{field}-na"),
                    checked: chosen == Some("na"),
                });
            }
            let error = errors
                .iter()
                .find(|e| item_of_field(&e.field) == Some(item.id.as_str()))
                .map(|e| crate::errors::field_message(t, e));
            let reversed_note = inst.is_reversed(&item.id).then(|| {
                let first = options.first().map(|o| o.value.clone()).unwrap_or_default();
                let last = options.last().map(|o| o.value.clone()).unwrap_or_default();
                t.with2("measure-item-reversed", "first", first, "last", last)
            });
            items.push(ItemView {
                id: item.id.clone(),
                field,
                legend,
                text,
                options,
                optional: item.optional,
                error,
                reversed_note,
            });
        }
    }

    QuestionForm {
        instrument: inst.id().to_string(),
        title: def.title.get(locale).to_string(),
        recall: def.recall.label.get(locale).to_string(),
        wording_note: (!show_wording).then(|| def.licence.note.get(locale).to_string()),
        items,
        diary,
        is_diary,
        // A diary's days carry their own dates.
        ask_date: audience == Audience::Clinician && !is_diary,
        taken_on: pairs
            .get("taken_on")
            .map(str::to_string)
            .unwrap_or_else(|| today.to_string()),
        taken_on_error,
        sessions: Vec::new(),
        session_error,
        idempotency_key: new_token(),
        summary,
    }
}

/// The idempotency key of a questionnaire form, scoped to the person, the route and the record.
pub(crate) fn form_idempotency(
    s: &AppState,
    ctx: &Ctx,
    route: &'static str,
    pairs: &Pairs,
    client: ClientId,
) -> Option<Idempotency> {
    let key = pairs.get("idempotency_key").unwrap_or("").trim();
    (!key.is_empty() && key.len() <= 200).then(|| Idempotency {
        user: ctx.user.id,
        route,
        key: key.to_string(),
        request_hash: pairs.digest(&client.to_string()),
        at: s.app.now(),
    })
}

/// What submitting a questionnaire form gave: the submission, or the errors to show.
pub(crate) enum Submitted {
    Recorded(SubmissionId),
    Refused(Vec<FieldError>),
}

/// Parses and records a questionnaire form for `client`.
pub(crate) async fn submit_form(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    inst: &Instrument,
    pairs: &Pairs,
    audience: Audience,
) -> Result<Submitted, PageError> {
    let (route, mode) = match audience {
        Audience::Clinician => (
            "POST /clients/{id}/measures",
            AdministrationMode::ClinicianEntered,
        ),
        Audience::Client => (
            "POST /portal/questionnaires/{instrument}",
            AdministrationMode::SelfReport,
        ),
    };
    check_known_fields(inst, pairs, audience)?;
    let (answers, taken_at) = match parse_answers(inst, pairs, s.app.now()) {
        Ok(v) => v,
        Err(errors) => return Ok(Submitted::Refused(errors)),
    };
    // The session chosen on the clinician's form; its course comes with it.
    let session = match pairs
        .get("session")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => match v.parse::<uuid::Uuid>() {
            Ok(u) => Some(SessionId(u)),
            Err(_) => {
                return Ok(Submitted::Refused(vec![FieldError::new(
                    "session_id",
                    "session-not-of-client",
                )]));
            }
        },
    };
    let input = MeasureInput {
        instrument: inst.id().to_string(),
        answers,
        taken_at,
        course: None,
        session,
        language: locale,
        mode,
    };
    let idem = form_idempotency(s, ctx, route, pairs, client);
    match s.app.record_measure(ctx, client, input, idem).await {
        Ok(written) => Ok(Submitted::Recorded(written.value().submission)),
        Err(AppError::Invalid(errors)) => Ok(Submitted::Refused(errors)),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Charts and what a series suggests.

pub struct FindingView {
    pub name: String,
    pub status: String,
    /// `suggested`, `not-suggested` or `cannot-tell` (a CSS class suffix).
    pub class: &'static str,
    pub reason: String,
}

pub struct LineView {
    pub label: String,
    pub value: String,
}

pub struct TableRow {
    pub date: String,
    pub score: String,
    pub band: String,
    pub baseline: bool,
}

/// One instrument's chart, with the table beside it and the findings.
pub struct ChartBlock {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub caption: String,
    pub rows: Vec<TableRow>,
    /// Baseline, response line, remission line.
    pub lines: Vec<LineView>,
    pub findings: Vec<FindingView>,
}

fn cutoff_text(t: &Tr, c: Cutoff) -> String {
    t.with1(&format!("cutoff-{}", c.code()), "value", c.value())
}

fn reason_text(t: &Tr, reason: &FindingReason, worse: bool) -> String {
    match reason {
        FindingReason::PercentImprovement {
            percent,
            threshold_percent,
        } => t.with2(
            "finding-reason-percent-improvement",
            "percent",
            percent,
            "threshold",
            threshold_percent,
        ),
        FindingReason::LatestScore { latest, cutoff } => t.with2(
            "finding-reason-latest-score",
            "latest",
            latest,
            "cutoff",
            cutoff_text(t, *cutoff),
        ),
        // `points` is the change in the finding's own direction; none at all is said plainly.
        FindingReason::Points { points, threshold } if points.hundredths() <= 0 => t.with1(
            if worse {
                "finding-reason-points-not-worse"
            } else {
                "finding-reason-points-not-better"
            },
            "threshold",
            threshold,
        ),
        FindingReason::Points { points, threshold } => t.with2(
            if worse {
                "finding-reason-points-worse"
            } else {
                "finding-reason-points-better"
            },
            "points",
            points,
            "threshold",
            threshold,
        ),
        FindingReason::DecisionPointNotReached { decision_session }
        | FindingReason::NoScoreByDecisionPoint { decision_session } => t.with1(
            &format!("finding-reason-{}", reason.code()),
            "session",
            decision_session,
        ),
        other => t.get(&format!("finding-reason-{}", other.code())),
    }
}

fn finding_view(t: &Tr, key: &str, f: &Finding, worse: bool) -> FindingView {
    FindingView {
        name: t.get(&format!("finding-{key}")),
        status: t.get(&format!("finding-status-{}", f.status.code())),
        class: match f.status {
            FindingStatus::Suggested => "suggested",
            FindingStatus::NotSuggested => "not-suggested",
            FindingStatus::CannotTell => "cannot-tell",
        },
        reason: reason_text(t, &f.reason, worse),
    }
}

/// The findings of a series, in the clinician's language, each with its reason.
pub(crate) fn findings(t: &Tr, a: &SeriesAnalysis) -> Vec<FindingView> {
    vec![
        finding_view(t, "response", &a.response, false),
        finding_view(t, "remission", &a.remission, false),
        finding_view(t, "reliable-improvement", &a.reliable_improvement, false),
        finding_view(t, "reliable-deterioration", &a.reliable_deterioration, true),
        finding_view(t, "not-on-track", &a.not_on_track, false),
    ]
}

/// The client's life events (from the timeline, removed ones left out) as chart markers.
pub(crate) fn chart_events(t: &Tr, timeline: &kith_store::StoredTimeline) -> Vec<ChartEvent> {
    timeline
        .entries
        .iter()
        .filter(|e| e.removed_at.is_none())
        .filter_map(|e| match &e.value {
            kith_store::TimelineEntry::Event(ev) => Some(ChartEvent {
                date: ev.date.midpoint(),
                label: if ev.description.trim().is_empty() {
                    t.get(&format!("event-kind-{}", ev.kind.code()))
                } else {
                    ev.description.trim().to_string()
                },
                kind: ev.kind.code().to_string(),
            }),
            _ => None,
        })
        .collect()
}

/// Draws one instrument's chart with the clinic's change rules and the given life events: the one
/// drawing used by the measures page and the course page.
pub(crate) fn draw_chart(
    t: &Tr,
    settings: &ClinicSettings,
    inst: &Instrument,
    points: &[kith_domain::measure::ScorePoint],
    events: &[ChartEvent],
) -> kith_report::MeasureChart {
    let short = short_title(inst, t.locale);
    let rules = kith_app::change_rules(settings, inst);
    let labels = chart_labels(t, &short);
    let id = format!("{}-chart", inst.id());
    draw_measure_chart(&MeasureChartInput {
        id: &id,
        instrument: inst,
        locale: t.locale,
        rules: &rules,
        points,
        events,
        axis: XAxis::Date,
        labels: &labels,
    })
}

fn chart_labels(t: &Tr, short: &str) -> ChartLabels {
    ChartLabels {
        title: t.with1("chart-title", "instrument", short),
        score_axis: t.get("chart-score-axis"),
        x_axis: t.get("chart-date-axis"),
        scores: t.get("chart-scores"),
        baseline: t.get("chart-baseline"),
        latest: t.get("chart-latest"),
        response_line: t.get("chart-response-line"),
        remission_line: t.get("chart-remission-line"),
        events: t.get("chart-events"),
        no_data: t.get("chart-no-data"),
    }
}

/// The chart block of one instrument's series.
pub(crate) fn chart_block(
    t: &Tr,
    settings: &ClinicSettings,
    inst: &Instrument,
    points: &[SeriesPoint],
    analysis: &SeriesAnalysis,
    events: &[ChartEvent],
) -> ChartBlock {
    let locale = t.locale;
    let short = short_title(inst, locale);
    let scores: Vec<_> = points.iter().map(SeriesPoint::score_point).collect();
    let id = format!("{}-chart", inst.id());
    let chart = draw_chart(t, settings, inst, &scores, events);
    let mut lines = Vec::new();
    if let Some(b) = chart.table.baseline {
        lines.push(LineView {
            label: t.get("chart-baseline"),
            value: score_text(b),
        });
    }
    if let Some(r) = chart.table.response_line {
        lines.push(LineView {
            label: t.get("chart-response-line"),
            value: score_text(r),
        });
    }
    if let Some(r) = chart.table.remission_line {
        lines.push(LineView {
            label: t.get("chart-remission-line"),
            value: score_text(r),
        });
    }
    ChartBlock {
        title: t.with1("chart-title", "instrument", &short),
        caption: t.with1("chart-table-caption", "instrument", &short),
        rows: chart
            .table
            .rows
            .iter()
            .map(|r| TableRow {
                date: t.date(r.date),
                score: r.score_text.clone(),
                band: r.band_label.clone().unwrap_or_default(),
                baseline: r.is_baseline,
            })
            .collect(),
        svg: chart.svg,
        lines,
        findings: findings(t, analysis),
        id,
    }
}

/// A chart block for every instrument the client has scores on (`summaries`: their
/// questionnaires, as listed by the app).
pub(crate) async fn chart_blocks(
    s: &AppState,
    ctx: &Ctx,
    t: &Tr,
    client: ClientId,
    summaries: &[kith_store::SubmissionSummary],
) -> Result<Vec<ChartBlock>, AppError> {
    let settings = settings(ctx);
    let timeline = s.app.timeline(ctx, client).await?;
    let events = chart_events(t, &timeline);
    let mut blocks = Vec::new();
    for inst in instruments_in_order(s.instruments) {
        if !summaries.iter().any(|m| m.instrument == inst.id()) {
            continue;
        }
        let (points, analysis) = s.app.series(ctx, client, inst.id(), None).await?;
        blocks.push(chart_block(t, &settings, inst, &points, &analysis, &events));
    }
    Ok(blocks)
}

/// Whether the caller is staff who may see clinical content at all (the pages then ask the app
/// about this client).
pub(crate) fn clinical_staff(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Some(Role::Clinician | Role::Supervisor))
}

/// What the client's page shows of their clinical record: open alerts, the charts, the plan.
pub struct ClinicalSummary {
    pub charts: Vec<ChartBlock>,
    pub alerts: Vec<super::alerts::AlertRow>,
    /// The safety plan's version and status, or that there is none yet.
    pub plan: String,
    pub can_enter: bool,
}

/// The clinical part of the client's page, for staff who may see it (`None` for others, such as
/// clinic admins, who see the client's details only).
pub(crate) async fn clinical_summary(
    s: &AppState,
    ctx: &Ctx,
    t: &Tr,
    client: ClientId,
) -> Result<Option<ClinicalSummary>, PageError> {
    if !clinical_staff(ctx) {
        return Ok(None);
    }
    let summaries = match s.app.measures(ctx, client).await {
        Ok(m) => m,
        Err(AppError::NotFound | AppError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let charts = chart_blocks(s, ctx, t, client, &summaries).await?;
    let alerts = s
        .app
        .client_alerts(ctx, client)
        .await?
        .iter()
        .filter(|a| a.status == kith_store::AlertStatus::Open)
        .map(|a| super::alerts::alert_row(t, s.instruments, a, String::new()))
        .collect();
    let plan = match s.app.safety_plan(ctx, client).await? {
        Some(r) => super::safety_plan::about(t, &r),
        None => t.get("plan-none"),
    };
    let can_enter = s
        .app
        .client_access(ctx, client, Action::WriteClinical)
        .await
        .is_ok();
    Ok(Some(ClinicalSummary {
        charts,
        alerts,
        plan,
        can_enter,
    }))
}

// ---------------------------------------------------------------------------------------------
// Pages.

pub struct SubmissionRow {
    pub id: String,
    pub instrument: String,
    pub taken: String,
    pub total: String,
    pub band: String,
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "measures/index.html")]
struct MeasuresPage {
    c: Chrome,
    client_id: String,
    client_name: String,
    charts: Vec<ChartBlock>,
    submissions: Vec<SubmissionRow>,
    can_enter: bool,
}

fn band_label(inst: Option<&Instrument>, band: Option<&str>, locale: Locale) -> String {
    match (inst, band) {
        (Some(i), Some(b)) => i
            .band(b)
            .map(|d| d.label.get(locale).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `GET /clients/{id}/measures`: every instrument's chart, table and findings, and the list of
/// questionnaires.
pub async fn index(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let client = s.app.client(&ctx, id).await?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/clients", "measures-title");
    let t = c.t;
    let summaries = s.app.measures(&ctx, id).await?;
    let charts = chart_blocks(&s, &ctx, &t, id, &summaries).await?;
    let submissions = summaries
        .into_iter()
        .map(|m| {
            let inst = s.instruments.get(&m.instrument);
            SubmissionRow {
                id: m.id.to_string(),
                instrument: inst
                    .map(|i| short_title(i, locale))
                    .unwrap_or_else(|| m.instrument.clone()),
                taken: t.date(m.taken_at.date()),
                total: score_text(m.total),
                band: band_label(inst, m.band.as_deref(), locale),
                flagged: !m.flags.is_empty(),
            }
        })
        .collect();
    let can_enter = s
        .app
        .client_access(&ctx, id, Action::WriteClinical)
        .await
        .is_ok();
    Ok(html(&MeasuresPage {
        c,
        client_id: id.to_string(),
        client_name: client.display_name,
        charts,
        submissions,
        can_enter,
    }))
}

pub struct Choice {
    pub id: String,
    pub title: String,
    pub note: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "measures/new.html")]
struct NewMeasurePage {
    c: Chrome,
    client_id: String,
    client_name: String,
    choices: Vec<Choice>,
    q: Option<QuestionForm>,
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    instrument: Option<String>,
    /// The session to file the answers under (from a session's page).
    #[serde(default)]
    session: Option<String>,
}

async fn new_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    client: ClientId,
    chosen: Option<&'static Instrument>,
    pairs: &Pairs,
    errors: &[FieldError],
) -> Result<NewMeasurePage, PageError> {
    s.app
        .client_access(ctx, client, Action::WriteClinical)
        .await?;
    let record = s.app.client(ctx, client).await?;
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "measure-new-title");
    let t = c.t;
    let choices = instruments_in_order(s.instruments)
        .into_iter()
        .map(|i| Choice {
            id: i.id().to_string(),
            title: i.def().title.get(locale).to_string(),
            note: match i.def().respondent {
                Respondent::Clinician => t.get("measure-clinician-rated"),
                _ if !i.may_show_wording() => t.get("measure-labels-only"),
                _ => String::new(),
            },
            current: chosen.is_some_and(|c| c.id() == i.id()),
        })
        .collect();
    let today = s.app.now().date();
    let mut q = chosen.map(|i| question_form(i, &t, Audience::Clinician, pairs, errors, today));
    if let Some(q) = q.as_mut() {
        q.sessions = session_choices(s, ctx, &t, client, pairs, today).await?;
    }
    Ok(NewMeasurePage {
        c,
        client_id: client.to_string(),
        client_name: record.display_name,
        choices,
        q,
    })
}

/// The sessions of the client's open course, newest first, to file answers under. Chosen: the one
/// the form was sent with, else the one the link named, else the session held or planned today.
async fn session_choices(
    s: &AppState,
    ctx: &Ctx,
    t: &Tr,
    client: ClientId,
    pairs: &Pairs,
    today: Date,
) -> Result<Vec<SessionChoice>, PageError> {
    let courses = s.app.courses(ctx, client).await?;
    let Some(open) = courses.iter().find(|c| c.closed_at.is_none()) else {
        return Ok(Vec::new());
    };
    let mut sessions = s.app.sessions(ctx, open.id).await?;
    sessions.retain(|x| matches!(x.status, SessionStatus::Held | SessionStatus::Scheduled));
    sessions.sort_by_key(|x| std::cmp::Reverse(x.number));
    let day = |x: &kith_store::CourseSession| x.held_at.or(x.scheduled_for).map(|d| d.date());
    let wanted = match pairs.get("session") {
        Some(v) => Some(v.to_string()),
        None => sessions
            .iter()
            .find(|x| day(x) == Some(today))
            .map(|x| x.id.to_string()),
    };
    let mut out = vec![SessionChoice {
        value: String::new(),
        label: t.get("measure-session-none"),
        selected: wanted.as_deref().is_none_or(str::is_empty),
    }];
    out.extend(sessions.iter().map(|x| SessionChoice {
        value: x.id.to_string(),
        label: t.with2(
            "measure-session-option",
            "n",
            x.number,
            "date",
            day(x).map(|d| t.date(d)).unwrap_or_default(),
        ),
        selected: wanted.as_deref() == Some(x.id.to_string().as_str()),
    }));
    Ok(out)
}

/// `GET /clients/{id}/measures/new[?instrument=phq9][&session=…]`: pick an instrument, then its
/// form.
pub async fn new_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let chosen = match q.instrument.as_deref() {
        Some(i) => Some(
            s.instruments
                .get(i)
                .ok_or(PageError(WebError::App(AppError::NotFound)))?,
        ),
        None => None,
    };
    let from_link = match q.session {
        Some(v) => Pairs(vec![("session".into(), v)]),
        None => Pairs::empty(),
    };
    Ok(html(
        &new_page(&s, &ctx, locale, id, chosen, &from_link, &[]).await?,
    ))
}

/// `POST /clients/{id}/measures`: records the questionnaire and shows its result; with any
/// problem, the form again (422) with the answers kept and each problem next to its item.
pub async fn submit(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let pairs = Pairs(pairs);
    let Some(inst) = pairs.get("instrument").and_then(|i| s.instruments.get(i)) else {
        return Err(WebError::App(AppError::invalid("instrument", "instrument-unknown")).into());
    };
    match submit_form(&s, &ctx, locale, id, inst, &pairs, Audience::Clinician).await? {
        Submitted::Recorded(sid) => Ok(see_other(&format!("/clients/{id}/measures/{sid}"))),
        Submitted::Refused(errors) => Ok(html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&s, &ctx, locale, id, Some(inst), &pairs, &errors).await?,
        )),
    }
}

pub struct AnswerRow {
    pub item: String,
    pub answer: String,
    pub flagged: bool,
}

pub struct FlagRow {
    pub item: String,
    pub answer: String,
    pub tier: String,
}

pub struct DiaryRow {
    pub date: String,
    pub mood: String,
    pub times: Vec<String>,
}

#[derive(Template)]
#[template(path = "measures/result.html")]
struct ResultPage {
    c: Chrome,
    client_id: String,
    client_name: String,
    title: String,
    taken: String,
    total: String,
    band: String,
    baseline: Option<String>,
    change: Option<String>,
    flags: Vec<FlagRow>,
    /// Lifetime answers already on record: history, no new alert.
    history: Vec<FlagRow>,
    alert_id: Option<String>,
    crisis_text: String,
    answers: Vec<AnswerRow>,
    diary_head: Vec<String>,
    diary: Vec<DiaryRow>,
    findings: Vec<FindingView>,
}

/// The label of an answer as given (`2` → "More than half the days").
pub(crate) fn answer_label(inst: &Instrument, item: &str, value: AnswerValue, t: &Tr) -> String {
    match value {
        AnswerValue::NotApplicable => t.get("measure-not-applicable"),
        AnswerValue::Value(v) => {
            let label = inst
                .item(item)
                .and_then(|d| inst.responses_of(d))
                .and_then(|set| {
                    set.options
                        .iter()
                        .chain(set.anchors.iter())
                        .find(|o| o.value == v)
                })
                .and_then(|o| o.label.as_ref())
                .map(|l| l.get(t.locale).to_string());
            // As on the paper form: the printed score (reversed where the item is).
            let score = inst.item(item).map_or(v, |d| inst.printed_score(d, v));
            match label {
                Some(l) => format!("{score} — {l}"),
                None => score.to_string(),
            }
        }
    }
}

/// The analysis of a series up to and including one submission.
fn analysis_at(
    settings: &ClinicSettings,
    inst: &Instrument,
    points: &[SeriesPoint],
    id: SubmissionId,
) -> SeriesAnalysis {
    let upto: Vec<_> = match points.iter().position(|p| p.submission == id) {
        Some(i) => points[..=i].iter().map(SeriesPoint::score_point).collect(),
        None => points.iter().map(SeriesPoint::score_point).collect(),
    };
    kith_domain::measure::analyse(
        &upto,
        inst.direction(),
        &kith_app::change_rules(settings, inst),
        None,
    )
}

fn result_page(
    s: &AppState,
    ctx: &Ctx,
    c: Chrome,
    client: (ClientId, String),
    record: &SubmissionRecord,
    analysis: &SeriesAnalysis,
) -> ResultPage {
    let t = c.t;
    let locale = t.locale;
    let m = &record.summary;
    let inst = s.instruments.get_version(&m.instrument, &m.version);
    let max = inst.map(|i| score_text(i.range().1)).unwrap_or_default();
    let answers: Vec<AnswerRow> = match inst {
        Some(i) => record
            .answers
            .iter()
            .map(|a| AnswerRow {
                item: item_label(i, &a.item, locale),
                answer: answer_label(i, &a.item, a.value, &t),
                flagged: m.flags.iter().any(|f| f.item == a.item),
            })
            .collect(),
        None => Vec::new(),
    };
    let (history, flags): (Vec<_>, Vec<_>) = m.flags.iter().partition(|f| f.history);
    let row = |f: &&kith_store::FlagCode| FlagRow {
        item: inst
            .map(|i| item_label(i, &f.item, locale))
            .unwrap_or_else(|| f.item.clone()),
        answer: record
            .answers
            .iter()
            .find(|a| a.item == f.item)
            .and_then(|a| inst.map(|i| answer_label(i, &a.item, a.value, &t)))
            .unwrap_or_default(),
        tier: tier_label(&t, f.tier),
    };
    let history: Vec<FlagRow> = history.iter().map(row).collect();
    let flags: Vec<FlagRow> = flags.iter().map(row).collect();
    let (diary_head, diary) = match (&record.diary, inst) {
        (Some(days), Some(i)) => (
            i.items()
                .iter()
                .map(|d| d.label.get(locale).to_string())
                .collect(),
            days.iter()
                .map(|d| DiaryRow {
                    date: t.date(d.date),
                    mood: d.mood.to_string(),
                    times: i
                        .items()
                        .iter()
                        .map(|it| {
                            match d
                                .activities
                                .iter()
                                .find(|a| a.item == it.id)
                                .and_then(|a| a.done)
                            {
                                Some(done) => format!(
                                    "{:02}:{:02} · {}",
                                    done.at.hour(),
                                    done.at.minute(),
                                    t.get(&format!("diary-people-{}", done.people))
                                ),
                                None => t.get("diary-not-done"),
                            }
                        })
                        .collect(),
                })
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    ResultPage {
        client_id: client.0.to_string(),
        client_name: client.1,
        title: inst
            .map(|i| i.def().title.get(locale).to_string())
            .unwrap_or_else(|| m.instrument.clone()),
        taken: t.datetime(m.taken_at),
        total: t.with2("measure-total-of", "total", score_text(m.total), "max", max),
        band: band_label(inst, m.band.as_deref(), locale),
        baseline: analysis.baseline.map(|b| {
            t.with2(
                "measure-baseline-was",
                "score",
                score_text(b.score),
                "date",
                t.date(b.date),
            )
        }),
        change: match (
            analysis.count > 1,
            analysis.change,
            analysis.percent_improvement,
        ) {
            (true, Some(ch), Some(p)) => {
                Some(t.with2("measure-change-percent", "change", signed(ch), "percent", p))
            }
            (true, Some(ch), None) => Some(t.with1("measure-change", "change", signed(ch))),
            _ => None,
        },
        flags,
        history,
        alert_id: m.alert.map(|a| a.to_string()),
        crisis_text: crisis_text(ctx),
        answers,
        diary_head,
        diary,
        findings: findings(&t, analysis),
        c,
    }
}

fn signed(s: kith_domain::measure::Score) -> String {
    if s.hundredths() > 0 {
        format!("+{s}")
    } else {
        s.to_string()
    }
}

/// `GET /clients/{id}/measures/{sid}`: one questionnaire's result: total, band, change since
/// baseline, findings, safety flags and the alert they raised.
pub async fn result(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, sid)): Path<(String, String)>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let sid: SubmissionId = parse_id(&sid)?;
    let record = s.app.measure(&ctx, id, sid).await?;
    let client = s.app.client(&ctx, id).await?;
    let (points, _) = s
        .app
        .series(&ctx, id, &record.summary.instrument, record.summary.course)
        .await?;
    let settings = settings(&ctx);
    let analysis = match s.instruments.get(&record.summary.instrument) {
        Some(inst) => analysis_at(&settings, inst, &points, sid),
        None => return Err(WebError::App(AppError::NotFound).into()),
    };
    let c = Chrome::new(&s, Some(&ctx), locale, "/clients", "measure-result-title");
    Ok(html(&result_page(
        &s,
        &ctx,
        c,
        (id, client.display_name),
        &record,
        &analysis,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib() -> &'static InstrumentLibrary {
        InstrumentLibrary::builtin()
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
    }

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn item_answers_are_read_and_bad_values_name_their_item() {
        let phq9 = lib().get("phq9").unwrap();
        let (answers, at) = parse_answers(
            phq9,
            &pairs(&[("instrument", "phq9"), ("item-1", "2"), ("item-9", "1")]),
            now(),
        )
        .unwrap();
        assert_eq!(at, now());
        assert_eq!(
            answers,
            MeasureAnswers::Items(vec![
                ("1".into(), AnswerValue::Value(2)),
                ("9".into(), AnswerValue::Value(1)),
            ])
        );
        let errors = parse_answers(
            phq9,
            &pairs(&[("item-3", "1.5"), ("item-4", "1"), ("item-4", "2")]),
            now(),
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("answers[item 3]", "answer-not-an-integer"),
                ("answers[item 4]", "answer-duplicate"),
            ]
        );
    }

    #[test]
    fn a_total_is_not_a_field_of_the_form() {
        let phq9 = lib().get("phq9").unwrap();
        let clinician = Audience::Clinician;
        assert!(check_known_fields(phq9, &pairs(&[("item-1", "0")]), clinician).is_ok());
        assert!(check_known_fields(phq9, &pairs(&[("total", "0")]), clinician).is_err());
        // Only the clinician's form files answers under a session.
        assert!(check_known_fields(phq9, &pairs(&[("session", "")]), clinician).is_ok());
        assert!(check_known_fields(phq9, &pairs(&[("session", "")]), Audience::Client).is_err());
    }

    #[test]
    fn a_past_day_is_taken_at_noon_and_today_is_now() {
        let phq9 = lib().get("phq9").unwrap();
        let today = now().date().to_string();
        let (_, at) = parse_answers(phq9, &pairs(&[("taken_on", &today)]), now()).unwrap();
        assert_eq!(at, now());
        let (_, at) = parse_answers(phq9, &pairs(&[("taken_on", "2026-01-05")]), now()).unwrap();
        assert_eq!(at.date().to_string(), "2026-01-05");
        assert_eq!(at.time(), time::macros::time!(12:00));
        let e = parse_answers(phq9, &pairs(&[("taken_on", "5/1/2026")]), now()).unwrap_err();
        assert_eq!(e[0].field, "taken_at");
    }

    #[test]
    fn diary_days_are_read_and_blank_days_left_out() {
        let srm = lib().get("srm5").unwrap();
        let mut v = vec![
            ("day0-date".to_string(), "2026-01-05".to_string()),
            ("day0-mood".to_string(), "-1".to_string()),
            ("day1-date".to_string(), "2026-01-06".to_string()),
        ];
        for (i, item) in srm.items().iter().enumerate() {
            if i == 0 {
                v.push((activity_field(0, &item.id, "none"), "1".into()));
            } else {
                v.push((activity_field(0, &item.id, "time"), "08:15".into()));
                v.push((activity_field(0, &item.id, "people"), "2".into()));
            }
        }
        let (answers, _) = parse_answers(srm, &Pairs(v), now()).unwrap();
        let MeasureAnswers::Diary(days) = answers else {
            panic!("a diary")
        };
        assert_eq!(days.len(), 1, "the blank second day is left out");
        assert_eq!(days[0].mood, -1);
        assert_eq!(days[0].activities[0].done, None);
        assert_eq!(
            days[0].activities[1].done,
            Some(DoneAt {
                at: Time::from_hms(8, 15, 0).unwrap(),
                people: 2
            })
        );
    }

    #[test]
    fn diary_times_that_cannot_be_read_name_day_and_activity() {
        let srm = lib().get("srm5").unwrap();
        let item = &srm.items()[0].id;
        let errors = parse_answers(
            srm,
            &Pairs(vec![
                ("day0-date".into(), "2026-01-05".into()),
                ("day0-mood".into(), "0".into()),
                (activity_field(0, item, "time"), "half past seven".into()),
                (activity_field(0, item, "people"), "1".into()),
            ]),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            errors[0].field,
            format!("diary[2026-01-05].activities[item {item}]")
        );
        assert_eq!(errors[0].code, "diary-time-invalid");
    }

    #[test]
    fn the_client_sees_questions_and_the_clinician_labels() {
        let phq9 = lib().get("phq9").unwrap();
        let t = Tr::new(Locale::En);
        let day = now().date();
        let client = question_form(phq9, &t, Audience::Client, &Pairs::empty(), &[], day);
        let clinician = question_form(phq9, &t, Audience::Clinician, &Pairs::empty(), &[], day);
        let nine = |q: &QuestionForm| {
            q.items
                .iter()
                .find(|i| i.id == "9")
                .map(|i| i.legend.clone())
        };
        assert!(
            nine(&client)
                .unwrap()
                .starts_with("Thoughts that you would be better off dead")
        );
        assert_eq!(nine(&clinician).unwrap(), "Thoughts of death or self-harm");
        let epds = lib().get("epds").unwrap();
        let q = question_form(epds, &t, Audience::Clinician, &Pairs::empty(), &[], day);
        assert!(q.wording_note.is_some(), "licensed wording is not shown");
        assert!(q.items.iter().all(|i| i.text.is_none()));
        assert!(!client_may_answer(epds));
        assert!(!client_may_answer(lib().get("hamd17").unwrap()));
        assert!(client_may_answer(phq9));
    }

    #[test]
    fn every_word_made_from_a_code_is_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        for tier in [Tier::Review, Tier::Alert, Tier::Urgent, Tier::Emergency] {
            keys.push(format!("tier-{}", tier.code()));
        }
        for u in kith_domain::note::RiskUrgency::ALL {
            keys.push(format!("risk-urgency-{}", u.code()));
        }
        for s in kith_domain::safety::PlanSection::ALL {
            keys.push(format!("plan-section-{}", s.code()));
            keys.push(format!("plan-hint-{}", s.code()));
            keys.push(format!("plan-{}-text", s.code()));
        }
        for f in [
            "response",
            "remission",
            "reliable-improvement",
            "reliable-deterioration",
            "not-on-track",
        ] {
            keys.push(format!("finding-{f}"));
        }
        for st in [
            FindingStatus::Suggested,
            FindingStatus::NotSuggested,
            FindingStatus::CannotTell,
        ] {
            keys.push(format!("finding-status-{}", st.code()));
        }
        for r in [
            FindingReason::NoScores,
            FindingReason::OnlyBaseline,
            FindingReason::RuleNotSet,
            FindingReason::BaselineNotPositive,
            FindingReason::NoDecisionPoint,
            FindingReason::DecisionPointNotReached {
                decision_session: 8,
            },
            FindingReason::NoScoreByDecisionPoint {
                decision_session: 8,
            },
        ] {
            keys.push(format!("finding-reason-{}", r.code()));
        }
        for c in [
            Cutoff::Below(5),
            Cutoff::AtMost(5),
            Cutoff::AtLeast(5),
            Cutoff::Above(5),
        ] {
            keys.push(format!("cutoff-{}", c.code()));
        }
        for p in 0..=3 {
            keys.push(format!("diary-people-{p}"));
        }
        // Every problem code the application and these pages report about answers, alerts and plans.
        for code in [
            "answer-unknown-item",
            "answer-duplicate",
            "answer-missing",
            "answer-out-of-range",
            "answer-not-applicable-not-allowed",
            "answer-not-an-integer",
            "answer-no-value",
            "answer-value-and-not-applicable",
            "answer-value-ambiguous",
            "answer-value-and-score",
            "answers-all-not-applicable",
            "answers-wrong-kind",
            "answers-too-many",
            "answers-or-diary",
            "instrument-unknown",
            "instrument-version-mismatch",
            "instrument-clinician-rated",
            "mode-not-allowed",
            "taken-at-in-future",
            "taken-at-too-early",
            "session-not-of-client",
            "session-not-in-course",
            "course-not-of-client",
            "field-not-a-time",
            "field-not-an-id",
            "diary-empty",
            "diary-too-many-days",
            "diary-span-too-long",
            "diary-day-duplicate",
            "diary-activity-unknown",
            "diary-activity-duplicate",
            "diary-activity-missing",
            "diary-activity-malformed",
            "diary-time-invalid",
            "diary-time-and-not-done",
            "diary-people-missing",
            "diary-people-out-of-range",
            "diary-mood-missing",
            "diary-mood-out-of-range",
            "alert-already-acknowledged",
            "plan-too-many-entries",
            "plan-phone-invalid",
            "plan-nothing-filled",
            "field-required",
            "field-too-long",
            "field-control-characters",
            "field-not-a-date",
        ] {
            keys.push(format!("msg-{code}"));
        }
        for locale in [Locale::En, Locale::Es] {
            let t = Tr::new(locale);
            // Messages with values are looked up with every value they may use.
            let values: Vec<(&str, String)> = [
                "value",
                "min",
                "max",
                "first",
                "last",
                "session",
                "percent",
                "threshold",
                "earliest",
            ]
            .iter()
            .map(|k| (*k, "1".to_string()))
            .collect();
            let missing: Vec<&String> = keys.iter().filter(|k| t.with(k, &values) == **k).collect();
            assert!(missing.is_empty(), "{locale:?} lacks {missing:?}");
        }
    }

    #[test]
    fn errors_sit_next_to_their_item_and_in_the_summary() {
        let phq9 = lib().get("phq9").unwrap();
        let t = Tr::new(Locale::En);
        let errors = vec![FieldError::new("answers[item 9]", "answer-missing")];
        let q = question_form(
            phq9,
            &t,
            Audience::Clinician,
            &pairs(&[("item-1", "3")]),
            &errors,
            now().date(),
        );
        let nine = q.items.iter().find(|i| i.id == "9").unwrap();
        assert!(nine.error.is_some());
        assert!(q.summary[0].starts_with("Thoughts of death or self-harm: "));
        let one = q.items.iter().find(|i| i.id == "1").unwrap();
        assert!(one.options.iter().any(|o| o.value == "3" && o.checked));
    }
}
