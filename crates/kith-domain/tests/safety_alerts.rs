//! Which submissions raise an alert, and that each raises exactly one.

use kith_domain::measure::{
    InstrumentLibrary, ItemAnswer, Score, ScorePoint, ScoredSubmission, Submission,
};
use kith_domain::safety::{AlertReason, SafetyPolicy, Tier, evaluate};
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
