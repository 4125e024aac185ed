//! Runs the published table of test vectors (`instruments/test-vectors.toml`) against the shipped
//! instruments, and checks that the table covers every band boundary and every safety trigger.

use kith_domain::measure::{
    ActivityEntry, AnswerValue, DiaryDay, DoneAt, Instrument, InstrumentLibrary, ItemAnswer,
    ScoredSubmission, Submission, SubmissionProblem,
};
use serde::Deserialize;
use std::collections::BTreeSet;
use time::{Date, Time, macros::format_description};

const VECTORS: &str = include_str!("../instruments/test-vectors.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    vector: Vec<Vector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    instrument: String,
    name: String,
    #[serde(default)]
    answers: Option<String>,
    #[serde(default)]
    days: Option<Vec<String>>,
    #[serde(default)]
    total: Option<String>,
    #[serde(default)]
    band: Option<String>,
    #[serde(default)]
    flags: Option<Vec<String>>,
    #[serde(default)]
    habitual: Option<Vec<String>>,
    #[serde(default)]
    hits: Option<Vec<String>>,
    #[serde(default)]
    mean_mood: Option<String>,
    #[serde(default)]
    problems: Option<Vec<String>>,
}

fn table() -> Table {
    toml::from_str(VECTORS).expect("test-vectors.toml reads")
}

fn parse_answers(s: &str) -> Vec<ItemAnswer> {
    s.split_whitespace()
        .map(|pair| {
            let (item, value) = pair.split_once('=').expect("item=value");
            if value == "n/a" {
                ItemAnswer::not_applicable(item)
            } else {
                ItemAnswer::new(item, value.parse().expect("whole number"))
            }
        })
        .collect()
}

fn parse_time(s: &str) -> Time {
    Time::parse(s, format_description!("[hour]:[minute]")).expect("HH:MM")
}

fn parse_day(s: &str) -> DiaryDay {
    let mut parts = s.split_whitespace();
    let date = Date::parse(
        parts.next().expect("date"),
        format_description!("[year]-[month]-[day]"),
    )
    .expect("date");
    let mut mood = None;
    let mut activities = Vec::new();
    for part in parts {
        let (key, value) = part.split_once('=').expect("key=value");
        if key == "mood" {
            mood = Some(value.parse().expect("mood number"));
        } else if value == "-" {
            activities.push(ActivityEntry {
                item: key.to_string(),
                done: None,
            });
        } else {
            let (time, people) = value.split_once('/').expect("HH:MM/P");
            activities.push(ActivityEntry {
                item: key.to_string(),
                done: Some(DoneAt {
                    at: parse_time(time),
                    people: people.parse().expect("people code"),
                }),
            });
        }
    }
    DiaryDay {
        date,
        mood: mood.expect("mood given"),
        activities,
    }
}

fn submission(instrument: &Instrument, v: &Vector) -> Submission {
    match (&v.answers, &v.days) {
        (Some(a), None) => Submission::items(instrument, parse_answers(a)),
        (None, Some(d)) => Submission::diary(instrument, d.iter().map(|s| parse_day(s)).collect()),
        _ => panic!("{}: give answers or days", v.name),
    }
}

fn problem_label(p: &SubmissionProblem) -> String {
    match p.item() {
        Some(item) => format!("{}:{item}", p.code()),
        None => p.code().to_string(),
    }
}

fn flag_labels(s: &ScoredSubmission) -> Vec<String> {
    s.safety
        .iter()
        .map(|f| format!("{}:{}", f.item, f.tier.code()))
        .collect()
}

#[test]
fn every_vector_gives_its_expected_result() {
    let lib = InstrumentLibrary::builtin();
    let mut failures = Vec::new();
    for v in table().vector {
        let instrument = lib
            .get(&v.instrument)
            .unwrap_or_else(|| panic!("{}: unknown instrument", v.name));
        let result = instrument.score(&submission(instrument, &v));
        let label = format!("{} / {}", v.instrument, v.name);
        match (&v.problems, result) {
            (Some(expected), Err(e)) => {
                let got: Vec<String> = e.problems.iter().map(problem_label).collect();
                if &got != expected {
                    failures.push(format!("{label}: problems {got:?}, expected {expected:?}"));
                }
            }
            (Some(expected), Ok(s)) => failures.push(format!(
                "{label}: accepted with total {}, expected refusal {expected:?}",
                s.total
            )),
            (None, Err(e)) => failures.push(format!("{label}: refused: {:?}", e.problems)),
            (None, Ok(s)) => {
                let total = v.total.as_deref().expect("vector gives a total");
                if s.total.to_string() != total {
                    failures.push(format!("{label}: total {}, expected {total}", s.total));
                }
                let band = s.band.clone().unwrap_or_default();
                if Some(&band) != v.band.as_ref() {
                    failures.push(format!("{label}: band {band:?}, expected {:?}", v.band));
                }
                let flags = flag_labels(&s);
                if Some(&flags) != v.flags.as_ref() {
                    failures.push(format!("{label}: flags {flags:?}, expected {:?}", v.flags));
                }
                if let Some(r) = &s.rhythm {
                    let habitual: Vec<String> = r
                        .activities
                        .iter()
                        .filter_map(|a| {
                            a.habitual
                                .map(|t| format!("{}={:02}:{:02}", a.item, t.hour(), t.minute()))
                        })
                        .collect();
                    let hits: Vec<String> = r
                        .activities
                        .iter()
                        .filter_map(|a| a.hits.map(|h| format!("{}={h}", a.item)))
                        .collect();
                    if Some(&habitual) != v.habitual.as_ref() {
                        failures.push(format!("{label}: habitual {habitual:?}"));
                    }
                    if Some(&hits) != v.hits.as_ref() {
                        failures.push(format!("{label}: hits {hits:?}"));
                    }
                    if Some(r.mean_mood.to_string()) != v.mean_mood {
                        failures.push(format!("{label}: mean mood {}", r.mean_mood));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn table_covers_every_instrument_band_boundary_and_trigger() {
    let lib = InstrumentLibrary::builtin();
    let vectors = table().vector;
    let mut missing = Vec::new();
    for instrument in lib.iter() {
        let mine: Vec<&Vector> = vectors
            .iter()
            .filter(|v| v.instrument == instrument.id())
            .collect();
        if mine.iter().filter(|v| v.total.is_some()).count() == 0 {
            missing.push(format!("{}: no valid vector", instrument.id()));
        }
        if mine.iter().filter(|v| v.problems.is_some()).count() == 0 {
            missing.push(format!("{}: no refused vector", instrument.id()));
        }
        let totals: BTreeSet<&str> = mine.iter().filter_map(|v| v.total.as_deref()).collect();
        for band in instrument.bands() {
            for edge in [band.min, band.max] {
                if !totals.contains(edge.to_string().as_str()) {
                    missing.push(format!(
                        "{}: band {} edge {edge} not tested",
                        instrument.id(),
                        band.id
                    ));
                }
            }
        }
        for trigger in &instrument.def().safety {
            let fired = mine.iter().any(|v| {
                v.flags.as_ref().is_some_and(|f| {
                    f.contains(&format!("{}:{}", trigger.item, trigger.tier.code()))
                })
            });
            if !fired {
                missing.push(format!(
                    "{}: trigger {}:{} never fires",
                    instrument.id(),
                    trigger.item,
                    trigger.tier.code()
                ));
            }
        }
        if !instrument.def().scoring.reverse.is_empty() {
            let n = mine.iter().filter(|v| v.total.is_some()).count();
            if n < 4 {
                missing.push(format!(
                    "{}: reverse scoring barely tested",
                    instrument.id()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}

#[test]
fn scored_values_are_reversed_on_epds() {
    let epds = InstrumentLibrary::builtin().get("epds").unwrap();
    let answers = parse_answers("1=1 2=2 3=1 4=0 5=3 6=0 7=1 8=2 9=3 10=3");
    let scored = epds.score(&Submission::items(epds, answers)).unwrap();
    let values: Vec<Option<i64>> = scored.items.iter().map(|i| i.value).collect();
    let expected = [1, 2, 2, 0, 0, 3, 2, 1, 0, 0].map(Some);
    assert_eq!(values, expected);
    assert_eq!(scored.total.to_string(), "11");
    assert!(scored.items[2].reversed && !scored.items[0].reversed);
    assert_eq!(scored.items[2].answer, Some(AnswerValue::Value(1)));
}
