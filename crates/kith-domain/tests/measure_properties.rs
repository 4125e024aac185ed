//! Property tests over random answer vectors for every item-scored shipped instrument.

use kith_domain::measure::{
    ActivityEntry, AnswerValue, DiaryDay, DoneAt, Instrument, InstrumentLibrary, ItemAnswer, Score,
    ScoringRule, Submission,
};
use kith_domain::safety::Tier;
use proptest::prelude::*;
use proptest::sample::Index;
use time::{Date, Month, Time};

fn item_instruments() -> Vec<&'static Instrument> {
    InstrumentLibrary::builtin()
        .iter()
        .filter(|i| i.rule() != ScoringRule::SocialRhythm)
        .collect()
}

/// The answers an item accepts, listed.
fn accepted(instrument: &Instrument, item: &str) -> Vec<i64> {
    let item = instrument.item(item).unwrap();
    let (lo, hi) = instrument.item_bounds(item).unwrap();
    let set = instrument.responses_of(item).unwrap();
    (lo..=hi).filter(|v| set.accepts(*v)).collect()
}

/// A valid submission built from random choices: `picks` choose values, `na` decides whether an
/// item allowing "not applicable" uses it, `skip` whether an optional item is left out.
fn valid_answers(
    instrument: &Instrument,
    picks: &[Index],
    na: &[bool],
    skip: &[bool],
) -> Vec<ItemAnswer> {
    let mut out = Vec::new();
    for (n, item) in instrument.items().iter().enumerate() {
        if item.optional && skip[n] {
            continue;
        }
        if item.allow_not_applicable && na[n] {
            out.push(ItemAnswer::not_applicable(&item.id));
            continue;
        }
        let values = accepted(instrument, &item.id);
        out.push(ItemAnswer::new(&item.id, *picks[n].get(&values)));
    }
    out
}

fn raw(answers: &[ItemAnswer], item: &str) -> Option<i64> {
    answers
        .iter()
        .find(|a| a.item == item)
        .and_then(|a| match a.value {
            AnswerValue::Value(v) => Some(v),
            AnswerValue::NotApplicable => None,
        })
}

/// The value an item contributes, worked out from the definition alone.
fn expected_value(instrument: &Instrument, item: &str, raw: i64) -> i64 {
    let def = instrument.item(item).unwrap();
    let (lo, hi) = instrument.item_bounds(def).unwrap();
    if instrument.def().scoring.reverse.iter().any(|r| r == item) {
        lo + hi - raw
    } else {
        raw
    }
}

fn inputs() -> impl Strategy<Value = (usize, Vec<Index>, Vec<bool>, Vec<bool>)> {
    (
        0..item_instruments().len(),
        proptest::collection::vec(any::<Index>(), 20),
        proptest::collection::vec(any::<bool>(), 20),
        proptest::collection::vec(any::<bool>(), 20),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn totals_are_the_sum_of_item_values_and_stay_in_range(
        (which, picks, na, skip) in inputs()
    ) {
        let instrument = item_instruments()[which];
        let answers = valid_answers(instrument, &picks, &na, &skip);
        let scored = instrument.score(&Submission::items(instrument, answers.clone())).unwrap();

        let mut sum = 0;
        let mut answered = 0;
        let mut scored_items = 0;
        for item in instrument.items() {
            let r = raw(&answers, &item.id);
            let v = r.map(|r| expected_value(instrument, &item.id, r));
            let got = scored.items.iter().find(|s| s.item == item.id).unwrap();
            prop_assert_eq!(got.value, v);
            if item.scored {
                scored_items += 1;
                if let Some(v) = v {
                    sum += v;
                    answered += 1;
                }
            }
        }
        if answered == scored_items {
            prop_assert_eq!(scored.total, Score::whole(sum));
            prop_assert!(scored.not_applicable.is_none());
        } else {
            // Prorated: round(sum × items ÷ answered), half up.
            let expected = (2 * sum * scored_items + answered) / (2 * answered);
            prop_assert_eq!(scored.total, Score::whole(expected));
        }
        let (min, max) = instrument.range();
        prop_assert!(min <= scored.total && scored.total <= max);
        prop_assert!(scored.total.is_whole());
    }

    #[test]
    fn band_is_the_one_that_holds_the_total((which, picks, na, skip) in inputs()) {
        let instrument = item_instruments()[which];
        let answers = valid_answers(instrument, &picks, &na, &skip);
        let scored = instrument.score(&Submission::items(instrument, answers)).unwrap();
        let holding: Vec<&str> = instrument
            .bands()
            .iter()
            .filter(|b| Score::whole(b.min) <= scored.total && scored.total <= Score::whole(b.max))
            .map(|b| b.id.as_str())
            .collect();
        if instrument.bands().is_empty() {
            prop_assert_eq!(scored.band, None);
        } else {
            prop_assert_eq!(holding.len(), 1);
            prop_assert_eq!(scored.band.as_deref(), Some(holding[0]));
        }
    }

    #[test]
    fn safety_flags_fire_iff_their_trigger_holds((which, picks, na, skip) in inputs()) {
        let instrument = item_instruments()[which];
        let answers = valid_answers(instrument, &picks, &na, &skip);
        let scored = instrument.score(&Submission::items(instrument, answers.clone())).unwrap();
        let mut expected: Vec<(String, Tier)> = Vec::new();
        for item in instrument.items() {
            let Some(r) = raw(&answers, &item.id) else { continue };
            let v = expected_value(instrument, &item.id, r);
            let tier = instrument
                .def()
                .safety
                .iter()
                .filter(|t| t.item == item.id && v >= t.at_least)
                .map(|t| t.tier)
                .max();
            if let Some(tier) = tier {
                expected.push((item.id.clone(), tier));
            }
        }
        let got: Vec<(String, Tier)> =
            scored.safety.iter().map(|f| (f.item.clone(), f.tier)).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn answer_order_does_not_matter((which, picks, na, skip) in inputs(), seed in any::<u64>()) {
        let instrument = item_instruments()[which];
        let answers = valid_answers(instrument, &picks, &na, &skip);
        let mut shuffled = answers.clone();
        let len = shuffled.len();
        if len > 1 {
            shuffled.rotate_left((seed as usize) % len);
            shuffled.swap(0, (seed as usize / 7) % len);
        }
        let a = instrument.score(&Submission::items(instrument, answers)).unwrap();
        let b = instrument.score(&Submission::items(instrument, shuffled)).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn out_of_range_values_are_refused_naming_the_item(
        (which, picks, na, skip) in inputs(),
        target in any::<Index>(),
        bad in prop_oneof![Just(-1i64), Just(4), Just(9), Just(11), any::<i64>()],
    ) {
        let instrument = item_instruments()[which];
        let mut answers = valid_answers(instrument, &picks, &na, &skip);
        let n = target.index(answers.len());
        let item = answers[n].item.clone();
        prop_assume!(!accepted(instrument, &item).contains(&bad));
        answers[n].value = AnswerValue::Value(bad);
        let err = instrument.score(&Submission::items(instrument, answers)).unwrap_err();
        prop_assert!(!err.problems.is_empty());
        prop_assert!(err.problems.iter().all(|p| p.item().is_some()));
        prop_assert!(err.problems.iter().any(|p| p.code() == "out-of-range" && p.item() == Some(item.as_str())));
    }

    #[test]
    fn missing_items_are_refused_naming_the_item(
        (which, picks, na, skip) in inputs(),
        target in any::<Index>(),
    ) {
        let instrument = item_instruments()[which];
        let mut answers = valid_answers(instrument, &picks, &na, &skip);
        let required: Vec<usize> = (0..answers.len())
            .filter(|&i| !instrument.item(&answers[i].item).unwrap().optional)
            .collect();
        let removed = answers.remove(*target.get(&required));
        let err = instrument.score(&Submission::items(instrument, answers)).unwrap_err();
        prop_assert_eq!(err.problems.len(), 1);
        prop_assert_eq!(err.problems[0].code(), "missing-item");
        prop_assert_eq!(err.problems[0].item(), Some(removed.item.as_str()));
    }

    #[test]
    fn duplicated_items_are_refused_naming_the_item(
        (which, picks, na, skip) in inputs(),
        target in any::<Index>(),
        value in 0i64..4,
    ) {
        let instrument = item_instruments()[which];
        let mut answers = valid_answers(instrument, &picks, &na, &skip);
        let mut copy = answers[target.index(answers.len())].clone();
        copy.value = AnswerValue::Value(value);
        let item = copy.item.clone();
        answers.push(copy);
        let err = instrument.score(&Submission::items(instrument, answers)).unwrap_err();
        prop_assert!(err.problems.iter().all(|p| p.item().is_some()));
        prop_assert!(err.problems.iter().any(|p| p.code() == "duplicate-item" && p.item() == Some(item.as_str())));
    }

    #[test]
    fn unknown_items_are_refused_naming_the_item(
        (which, picks, na, skip) in inputs(),
        name in "[a-z0-9-]{1,12}",
        value in -3i64..12,
    ) {
        let instrument = item_instruments()[which];
        prop_assume!(instrument.item(&name).is_none());
        let mut answers = valid_answers(instrument, &picks, &na, &skip);
        answers.push(ItemAnswer::new(&name, value));
        let err = instrument.score(&Submission::items(instrument, answers)).unwrap_err();
        prop_assert_eq!(err.problems.len(), 1);
        prop_assert_eq!(err.problems[0].code(), "unknown-item");
        prop_assert_eq!(err.problems[0].item(), Some(name.as_str()));
    }

    #[test]
    fn bands_partition_the_range_down_to_hundredths(which in 0..item_instruments().len(), h in 0i64..=10_000) {
        let instrument = item_instruments()[which];
        prop_assume!(!instrument.bands().is_empty());
        let (min, max) = instrument.range();
        let score = Score::from_hundredths(min.hundredths() + h % (max.hundredths() - min.hundredths() + 1));
        let containing = instrument
            .bands()
            .iter()
            .filter(|b| Score::whole(b.min) <= score && score < Score::whole(b.max + 1))
            .count();
        prop_assert_eq!(containing, 1);
        prop_assert!(instrument.band_for(score).is_some());
    }

    #[test]
    fn srm_scores_stay_in_range(
        week in proptest::collection::vec(
            (-5i64..=5, proptest::collection::vec(proptest::option::of((0u8..24, 0u8..60, 0i64..=3)), 5)),
            1..=7,
        )
    ) {
        let srm = InstrumentLibrary::builtin().get("srm5").unwrap();
        let start = Date::from_calendar_date(2026, Month::March, 2).unwrap();
        let days: Vec<DiaryDay> = week
            .iter()
            .enumerate()
            .map(|(n, (mood, acts))| DiaryDay {
                date: start + time::Duration::days(n as i64),
                mood: *mood,
                activities: srm
                    .items()
                    .iter()
                    .zip(acts)
                    .map(|(item, done)| ActivityEntry {
                        item: item.id.clone(),
                        done: done.map(|(h, m, p)| DoneAt { at: Time::from_hms(h, m, 0).unwrap(), people: p }),
                    })
                    .collect(),
            })
            .collect();
        let scored = srm.score(&Submission::diary(srm, days)).unwrap();
        let r = scored.rhythm.unwrap();
        prop_assert!(Score::ZERO <= scored.total && scored.total <= Score::whole(7));
        for a in &r.activities {
            prop_assert_eq!(a.counted, a.occurrences >= 3);
            if let Some(h) = a.hits {
                prop_assert!(h <= a.occurrences);
            }
        }
        prop_assert_eq!(r.hits, r.activities.iter().filter_map(|a| a.hits).sum::<u32>());
        if r.counted_activities > 0 {
            prop_assert_eq!(scored.total, Score::ratio(i64::from(r.hits), i64::from(r.counted_activities)));
        } else {
            prop_assert_eq!(scored.total, Score::ZERO);
        }
    }
}
