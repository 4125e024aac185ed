//! Which submissions raise an alert, and that each raises exactly one.

use kith_domain::measure::{
    InstrumentLibrary, ItemAnswer, Score, ScorePoint, ScoredSubmission, Submission,
};
use kith_domain::safety::{AlertReason, SafetyPolicy, Tier, evaluate, evaluate_with_history};
use proptest::prelude::*;
use time::{Date, Duration, Month};

fn score(id: &str, answers: &[(&str, i64)]) -> ScoredSubmission {
    let instrument = InstrumentLibrary::builtin().get(id).unwrap();
    let answers = answers
        .iter()
        .map(|(i, v)| ItemAnswer::new(*i, *v))
        .collect();
    instrument
        .score(&Submission::items(instrument, answers))
        .unwrap()
}

fn phq_a(item9: i64, thoughts: i64, attempt: i64) -> ScoredSubmission {
    let mut answers: Vec<(String, i64)> = (1..=8).map(|n| (n.to_string(), 1)).collect();
    answers.push(("9".into(), item9));
    answers.push(("past-year".into(), 1));
    answers.push(("serious-thoughts".into(), thoughts));
    answers.push(("attempt-ever".into(), attempt));
    let borrowed: Vec<(&str, i64)> = answers.iter().map(|(i, v)| (i.as_str(), *v)).collect();
    score("phqa", &borrowed)
}

fn hamd(item3: i64) -> ScoredSubmission {
    let mut answers: Vec<(String, i64)> = (1..=17).map(|n| (n.to_string(), 0)).collect();
    answers[2].1 = item3;
    let borrowed: Vec<(&str, i64)> = answers.iter().map(|(i, v)| (i.as_str(), *v)).collect();
    score("hamd17", &borrowed)
}

#[test]
fn no_trigger_no_alert() {
    let s = phq_a(0, 0, 0);
    assert_eq!(evaluate(&s, None, &SafetyPolicy::default()), None);
}

#[test]
fn three_positive_questions_make_one_alert_with_three_reasons() {
    let s = phq_a(2, 1, 1);
    let alert = evaluate(&s, None, &SafetyPolicy::default()).expect("alert");
    assert_eq!(alert.tier, Tier::Alert);
    let items: Vec<&str> = alert
        .reasons
        .iter()
        .map(|r| match r {
            AlertReason::SafetyItem(f) => f.item.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(items, ["9", "serious-thoughts", "attempt-ever"]);
}

#[test]
fn hamd_suicide_item_tiers() {
    let policy = SafetyPolicy::default();
    assert_eq!(evaluate(&hamd(0), None, &policy), None);
    assert_eq!(evaluate(&hamd(1), None, &policy).unwrap().tier, Tier::Alert);
    assert_eq!(evaluate(&hamd(2), None, &policy).unwrap().tier, Tier::Alert);
    assert_eq!(
        evaluate(&hamd(3), None, &policy).unwrap().tier,
        Tier::Urgent
    );
    let four = evaluate(&hamd(4), None, &policy).unwrap();
    assert_eq!(four.tier, Tier::Urgent);
    assert_eq!(
        four.reasons.len(),
        1,
        "one reason even though two triggers hold"
    );
}

#[test]
fn epds_item_ten_is_read_after_reversal() {
    // Option positions: bottom option (3) on reversed items scores 0.
    let calm = [
        ("1", 0),
        ("2", 0),
        ("3", 3),
        ("4", 0),
        ("5", 3),
        ("6", 3),
        ("7", 3),
        ("8", 3),
        ("9", 3),
        ("10", 3),
    ];
    assert_eq!(
        evaluate(&score("epds", &calm), None, &SafetyPolicy::default()),
        None
    );
    let mut risk = calm;
    risk[9].1 = 2;
    let alert = evaluate(&score("epds", &risk), None, &SafetyPolicy::default()).unwrap();
    assert_eq!(
        alert.reasons,
        [AlertReason::SafetyItem(kith_domain::safety::SafetyFlag {
            instrument: "epds".into(),
            item: "10".into(),
            value: 1,
            tier: Tier::Alert,
            history: false,
        })]
    );
}

fn series(scores: &[i64]) -> Vec<ScorePoint> {
    let start = Date::from_calendar_date(2026, Month::February, 2).unwrap();
    scores
        .iter()
        .enumerate()
        .map(|(n, s)| ScorePoint {
            date: start + Duration::weeks(n as i64),
            session: Some(n as u32 + 1),
            score: Score::whole(*s),
        })
        .collect()
}

#[test]
fn reliable_deterioration_is_a_reason_of_its_own() {
    let phq = InstrumentLibrary::builtin().get("phq9").unwrap();
    let s = score(
        "phq9",
        &[
            ("1", 2),
            ("2", 2),
            ("3", 2),
            ("4", 2),
            ("5", 2),
            ("6", 2),
            ("7", 2),
            ("8", 0),
            ("9", 0),
        ],
    );
    let analysis = phq.analyse(&series(&[8, 11, 14]), &phq.change_rules(), None);
    let alert = evaluate(&s, Some(&analysis), &SafetyPolicy::default()).unwrap();
    assert_eq!(alert.tier, Tier::Review);
    assert_eq!(alert.reasons.len(), 1);
    assert!(matches!(
        alert.reasons[0],
        AlertReason::ReliableDeterioration { worsening, threshold, .. }
            if worsening == Score::whole(6) && threshold == Score::whole(6)
    ));
    // A clinic may raise it to an alert, or switch it off.
    let raised = SafetyPolicy {
        deterioration_tier: Some(Tier::Alert),
    };
    assert_eq!(
        evaluate(&s, Some(&analysis), &raised).unwrap().tier,
        Tier::Alert
    );
    let off = SafetyPolicy {
        deterioration_tier: None,
    };
    assert_eq!(evaluate(&s, Some(&analysis), &off), None);
    // Five points worse is not reliable deterioration on the PHQ-9.
    let mild = phq.analyse(&series(&[8, 13]), &phq.change_rules(), None);
    assert_eq!(evaluate(&s, Some(&mild), &SafetyPolicy::default()), None);
}

#[test]
fn item_and_deterioration_together_stay_one_alert_at_the_higher_tier() {
    let phq = InstrumentLibrary::builtin().get("phq9").unwrap();
    let s = score(
        "phq9",
        &[
            ("1", 2),
            ("2", 2),
            ("3", 2),
            ("4", 2),
            ("5", 2),
            ("6", 2),
            ("7", 0),
            ("8", 0),
            ("9", 2),
        ],
    );
    let analysis = phq.analyse(&series(&[6, 14]), &phq.change_rules(), None);
    let alert = evaluate(&s, Some(&analysis), &SafetyPolicy::default()).unwrap();
    assert_eq!(alert.tier, Tier::Alert);
    assert_eq!(alert.reasons.len(), 2);
    assert_eq!(alert.reasons[0].code(), "safety-item");
    assert_eq!(alert.reasons[1].code(), "reliable-deterioration");
}

proptest! {
    #[test]
    fn phq9_item_nine_always_alerts_exactly_once(
        others in proptest::collection::vec(0i64..=3, 8),
        nine in 0i64..=3,
    ) {
        let mut answers: Vec<(String, i64)> =
            others.iter().enumerate().map(|(n, v)| ((n + 1).to_string(), *v)).collect();
        answers.push(("9".into(), nine));
        let borrowed: Vec<(&str, i64)> = answers.iter().map(|(i, v)| (i.as_str(), *v)).collect();
        let s = score("phq9", &borrowed);
        let alert = evaluate(&s, None, &SafetyPolicy::default());
        if nine > 0 {
            let alert = alert.expect("item 9 > 0 alerts");
            prop_assert_eq!(alert.tier, Tier::Alert);
            prop_assert_eq!(alert.reasons.len(), 1);
        } else {
            prop_assert!(alert.is_none());
        }
    }
}

#[test]
fn a_lifetime_answer_on_record_is_history_not_a_new_alert() {
    let policy = SafetyPolicy::default();
    let attempt_only = phq_a(0, 0, 1);
    let flag = &attempt_only.safety[0];
    assert_eq!(flag.item, "attempt-ever");
    assert!(flag.history, "the PHQ-A file marks the item as history");
    // The first time it is given, it raises an alert like any other safety answer.
    assert_eq!(
        evaluate_with_history(&attempt_only, None, &policy, &[]).map(|a| a.tier),
        Some(Tier::Alert)
    );
    // Once on record, the same answer raises nothing.
    let on_record = vec!["attempt-ever".to_string()];
    assert_eq!(
        evaluate_with_history(&attempt_only, None, &policy, &on_record),
        None
    );
    // Current ideation still raises one, naming only the current item.
    let thoughts = phq_a(0, 1, 1);
    let alert = evaluate_with_history(&thoughts, None, &policy, &on_record).unwrap();
    let items: Vec<&str> = alert
        .reasons
        .iter()
        .filter_map(|r| match r {
            AlertReason::SafetyItem(f) => Some(f.item.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(items, ["serious-thoughts"]);
    // Only items marked history are ever left out.
    let item9 = phq_a(2, 0, 0);
    let on_record = vec!["9".to_string()];
    assert!(evaluate_with_history(&item9, None, &policy, &on_record).is_some());
}

#[test]
fn printed_scores_follow_the_paper_form() {
    let lib = InstrumentLibrary::builtin();
    let epds = lib.get("epds").unwrap();
    let item10 = epds.item("10").unwrap();
    let item1 = epds.item("1").unwrap();
    // Item 10 is reverse-scored: the top answer (position 0) prints 3.
    assert_eq!(epds.printed_score(item10, 0), 3);
    assert_eq!(epds.answer_for_score(item10, 3), Some(0));
    assert_eq!(epds.answer_for_score(item10, 0), Some(3));
    assert_eq!(epds.answer_for_score(item10, 4), None);
    assert_eq!(epds.printed_score(item1, 0), 0);
    assert_eq!(epds.answer_for_score(item1, 2), Some(2));
    // Every option of every item of every instrument: the score maps back to its answer.
    for inst in lib.iter() {
        for item in inst.items() {
            let Some((lo, hi)) = inst.item_bounds(item) else {
                continue;
            };
            for answer in lo..=hi {
                if inst.responses_of(item).is_some_and(|r| r.accepts(answer)) {
                    let score = inst.printed_score(item, answer);
                    assert_eq!(inst.answer_for_score(item, score), Some(answer));
                }
            }
        }
    }
}
