//! Reading a series of scores: response, remission, reliable change and "not on track".

use kith_domain::measure::{
    AnswerValue, ChangeRules, ChangeRulesOverride, Cutoff, Direction, FindingReason, FindingStatus,
    InstrumentLibrary, ItemAnswer, NotApplicablePolicy, Percent, Score, ScorePoint, Submission,
    analyse,
};
use time::{Date, Duration, Month};

fn day(n: i64) -> Date {
    Date::from_calendar_date(2026, Month::January, 5).unwrap() + Duration::days(n)
}

/// Weekly scores at sessions 1, 2, 3…
fn weekly(scores: &[i64]) -> Vec<ScorePoint> {
    scores
        .iter()
        .enumerate()
        .map(|(n, s)| ScorePoint {
            date: day(7 * n as i64),
            session: Some(n as u32 + 1),
            score: Score::whole(*s),
        })
        .collect()
}

fn phq9_rules() -> ChangeRules {
    InstrumentLibrary::builtin()
        .get("phq9")
        .unwrap()
        .change_rules()
}

#[test]
fn halving_phq9_is_a_response_and_one_point_short_is_not() {
    let rules = phq9_rules();
    let a = analyse(
        &weekly(&[18, 12, 9]),
        Direction::LowerIsBetter,
        &rules,
        None,
    );
    assert_eq!(a.response.status, FindingStatus::Suggested);
    assert_eq!(
        a.response.reason,
        FindingReason::PercentImprovement {
            percent: Percent::from_hundredths(5000),
            threshold_percent: 50
        }
    );
    let b = analyse(
        &weekly(&[18, 12, 10]),
        Direction::LowerIsBetter,
        &rules,
        None,
    );
    assert_eq!(b.response.status, FindingStatus::NotSuggested);
    assert_eq!(b.percent_improvement, Some(Percent::from_hundredths(4444)));
}

#[test]
fn phq9_remission_is_below_five() {
    let rules = phq9_rules();
    let at4 = analyse(&weekly(&[15, 4]), Direction::LowerIsBetter, &rules, None);
    let at5 = analyse(&weekly(&[15, 5]), Direction::LowerIsBetter, &rules, None);
    assert!(at4.remission.is_suggested());
    assert_eq!(at5.remission.status, FindingStatus::NotSuggested);
    assert_eq!(
        at5.remission.reason,
        FindingReason::LatestScore {
            latest: Score::whole(5),
            cutoff: Cutoff::Below(5)
        }
    );
}

#[test]
fn hamd_remission_includes_seven() {
    let rules = InstrumentLibrary::builtin()
        .get("hamd17")
        .unwrap()
        .change_rules();
    let a = analyse(&weekly(&[22, 7]), Direction::LowerIsBetter, &rules, None);
    assert!(a.remission.is_suggested());
    let b = analyse(&weekly(&[22, 8]), Direction::LowerIsBetter, &rules, None);
    assert!(!b.remission.is_suggested());
}

#[test]
fn reliable_improvement_and_deterioration_use_points_from_baseline() {
    let rules = phq9_rules();
    let better = analyse(
        &weekly(&[16, 14, 10]),
        Direction::LowerIsBetter,
        &rules,
        None,
    );
    assert!(better.reliable_improvement.is_suggested());
    assert!(!better.reliable_deterioration.is_suggested());
    let slightly = analyse(&weekly(&[16, 11]), Direction::LowerIsBetter, &rules, None);
    assert!(!slightly.reliable_improvement.is_suggested());
    let worse = analyse(
        &weekly(&[8, 10, 14]),
        Direction::LowerIsBetter,
        &rules,
        None,
    );
    assert!(worse.reliable_deterioration.is_suggested());
    assert_eq!(
        worse.reliable_deterioration.reason,
        FindingReason::Points {
            points: Score::whole(6),
            threshold: Score::whole(6)
        }
    );
    assert_eq!(worse.change, Some(Score::whole(6)));
    assert_eq!(worse.improvement, Some(Score::whole(-6)));
    let gad = InstrumentLibrary::builtin()
        .get("gad7")
        .unwrap()
        .change_rules();
    let g = analyse(&weekly(&[12, 8]), Direction::LowerIsBetter, &gad, None);
    assert!(g.reliable_improvement.is_suggested());
}

#[test]
fn points_are_sorted_by_date_before_reading() {
    let rules = phq9_rules();
    let mut points = weekly(&[20, 15, 8]);
    points.reverse();
    let a = analyse(&points, Direction::LowerIsBetter, &rules, None);
    assert_eq!(a.baseline.unwrap().score, Score::whole(20));
    assert_eq!(a.latest.unwrap().score, Score::whole(8));
}

#[test]
fn not_on_track_at_the_decision_session() {
    let rules = phq9_rules();
    // Baseline 20; at session 6 the score is 17: 15 % better, under 20 %.
    let slow = analyse(
        &weekly(&[20, 19, 19, 18, 18, 17, 16]),
        Direction::LowerIsBetter,
        &rules,
        Some(6),
    );
    assert_eq!(slow.not_on_track.status, FindingStatus::Suggested);
    assert_eq!(
        slow.not_on_track.reason,
        FindingReason::PercentImprovement {
            percent: Percent::from_hundredths(1500),
            threshold_percent: 20
        }
    );
    // At session 6 the score is 16: exactly 20 % better, on track.
    let ok = analyse(
        &weekly(&[20, 19, 19, 18, 18, 16]),
        Direction::LowerIsBetter,
        &rules,
        Some(6),
    );
    assert_eq!(ok.not_on_track.status, FindingStatus::NotSuggested);
    // Session 6 not reached yet.
    let early = analyse(
        &weekly(&[20, 19, 19]),
        Direction::LowerIsBetter,
        &rules,
        Some(6),
    );
    assert_eq!(
        early.not_on_track.reason,
        FindingReason::DecisionPointNotReached {
            decision_session: 6
        }
    );
    // Measured at sessions 1 and 8 only: nothing between baseline and the decision point.
    let gap = vec![
        ScorePoint {
            date: day(0),
            session: Some(1),
            score: Score::whole(20),
        },
        ScorePoint {
            date: day(49),
            session: Some(8),
            score: Score::whole(10),
        },
    ];
    let g = analyse(&gap, Direction::LowerIsBetter, &rules, Some(6));
    assert_eq!(
        g.not_on_track.reason,
        FindingReason::NoScoreByDecisionPoint {
            decision_session: 6
        }
    );
    let none = analyse(&weekly(&[20, 10]), Direction::LowerIsBetter, &rules, None);
    assert_eq!(none.not_on_track.reason, FindingReason::NoDecisionPoint);
}

#[test]
fn higher_is_better_scales_read_the_other_way() {
    let rules = ChangeRules {
        reliable_change: Some(Score::whole(2)),
        ..ChangeRules::default()
    };
    let up = analyse(
        &weekly(&[3, 5, 6]),
        Direction::HigherIsBetter,
        &rules,
        Some(2),
    );
    assert!(up.response.is_suggested(), "3 → 6 doubles the mood rating");
    assert!(up.reliable_improvement.is_suggested());
    assert!(!up.reliable_deterioration.is_suggested());
    assert_eq!(up.not_on_track.status, FindingStatus::NotSuggested);
    let down = analyse(
        &weekly(&[6, 4, 3]),
        Direction::HigherIsBetter,
        &rules,
        Some(2),
    );
    assert!(!down.response.is_suggested());
    assert!(down.reliable_deterioration.is_suggested());
    assert!(down.not_on_track.is_suggested());
    // The same numbers on a symptom scale mean the opposite.
    let sym = analyse(
        &weekly(&[6, 4, 3]),
        Direction::LowerIsBetter,
        &rules,
        Some(2),
    );
    assert!(sym.response.is_suggested());
    assert!(sym.reliable_improvement.is_suggested());
}

#[test]
fn srm_fractional_scores_compare_exactly() {
    let rules = ChangeRules {
        response_percent: Some(50),
        ..ChangeRules::default()
    };
    let points = vec![
        ScorePoint {
            date: day(0),
            session: None,
            score: Score::from_hundredths(350),
        },
        ScorePoint {
            date: day(7),
            session: None,
            score: Score::from_hundredths(525),
        },
    ];
    let a = analyse(&points, Direction::HigherIsBetter, &rules, None);
    assert!(a.response.is_suggested(), "3.50 → 5.25 is exactly +50 %");
}

#[test]
fn too_little_data_cannot_tell() {
    let rules = phq9_rules();
    let none = analyse(&[], Direction::LowerIsBetter, &rules, Some(6));
    assert_eq!(none.response.reason, FindingReason::NoScores);
    assert_eq!(none.not_on_track.status, FindingStatus::CannotTell);
    let one = analyse(&weekly(&[12]), Direction::LowerIsBetter, &rules, None);
    assert_eq!(one.response.reason, FindingReason::OnlyBaseline);
    assert_eq!(one.remission.reason, FindingReason::OnlyBaseline);
    assert_eq!(one.reliable_deterioration.status, FindingStatus::CannotTell);
    let zero = analyse(&weekly(&[0, 3]), Direction::LowerIsBetter, &rules, None);
    assert_eq!(zero.response.reason, FindingReason::BaselineNotPositive);
    assert_eq!(zero.percent_improvement, None);
}

#[test]
fn a_clinic_can_override_rules() {
    let base = phq9_rules();
    let stricter: ChangeRulesOverride =
        serde_json::from_str(r#"{"reliable_change": 500, "remission": null}"#).unwrap();
    let rules = stricter.apply(base);
    assert_eq!(rules.reliable_change, Some(Score::whole(5)));
    assert_eq!(rules.remission, None);
    assert_eq!(rules.response_percent, Some(50));
    let a = analyse(&weekly(&[15, 10]), Direction::LowerIsBetter, &rules, None);
    assert!(a.reliable_improvement.is_suggested());
    assert_eq!(a.remission.reason, FindingReason::RuleNotSet);
    assert!(serde_json::from_str::<ChangeRulesOverride>(r#"{"response": 40}"#).is_err());
}

#[test]
fn wsas_reduced_maximum_reports_out_of_32() {
    let lib = InstrumentLibrary::builtin();
    let shipped = lib.get("wsas").unwrap();
    let source = include_str!("../instruments/wsas.toml").replace(
        "not_applicable = \"prorate\"",
        "not_applicable = \"reduced-maximum\"",
    );
    let mut clinic = lib.clone();
    let wsas = clinic.load(&source).unwrap();
    let answers = vec![
        ItemAnswer::not_applicable("work"),
        ItemAnswer::new("home", 2),
        ItemAnswer::new("social-leisure", 2),
        ItemAnswer::new("private-leisure", 2),
        ItemAnswer::new("relationships", 3),
    ];
    let scored = wsas
        .score(&Submission::items(wsas, answers.clone()))
        .unwrap();
    assert_eq!(scored.total, Score::whole(9));
    assert_eq!(scored.max, Score::whole(32));
    assert_eq!(scored.band.as_deref(), Some("subclinical"));
    let adj = scored.not_applicable.unwrap();
    assert_eq!(adj.policy, NotApplicablePolicy::ReducedMaximum);
    assert_eq!(adj.items, ["work"]);
    // The shipped rule prorates the same answers: 9 × 5 ÷ 4 = 11.25 → 11.
    let prorated = shipped.score(&Submission::items(shipped, answers)).unwrap();
    assert_eq!(prorated.total, Score::whole(11));
    assert_eq!(prorated.max, Score::whole(40));
    assert_eq!(prorated.band.as_deref(), Some("significant"));
    assert_eq!(prorated.items[0].answer, Some(AnswerValue::NotApplicable));
    assert_eq!(prorated.items[0].value, None);
}

#[test]
fn wrong_version_or_instrument_is_refused() {
    let lib = InstrumentLibrary::builtin();
    let phq = lib.get("phq9").unwrap();
    let mut s = Submission::items(
        phq,
        (1..=9).map(|n| ItemAnswer::new(n.to_string(), 0)).collect(),
    );
    s.version = "0".into();
    let err = phq.score(&s).unwrap_err();
    assert_eq!(err.problems[0].code(), "wrong-version");
    s.version = "1".into();
    s.instrument = "gad7".into();
    assert_eq!(
        phq.score(&s).unwrap_err().problems[0].code(),
        "wrong-instrument"
    );
    let srm = lib.get("srm5").unwrap();
    let mut wrong_kind = Submission::items(srm, vec![]);
    wrong_kind.instrument = "srm5".into();
    assert_eq!(
        srm.score(&wrong_kind).unwrap_err().problems[0].code(),
        "wrong-response-kind"
    );
}

#[test]
fn submissions_parse_strictly_from_json() {
    let ok = r#"{"instrument":"gad7","version":"1","responses":{"items":[{"item":"1","value":{"value":2}}]}}"#;
    assert!(serde_json::from_str::<Submission>(ok).is_ok());
    for bad in [
        r#"{"instrument":"gad7","version":"1","responses":{"items":[{"item":"1","value":{"value":1.5}}]}}"#,
        r#"{"instrument":"gad7","version":"1","responses":{"items":[{"item":"1","value":{"value":"3"}}]}}"#,
        r#"{"instrument":"gad7","version":"1","responses":{"items":[{"item":"1","value":null}]}}"#,
        r#"{"instrument":"gad7","version":"1","total":21,"responses":{"items":[]}}"#,
    ] {
        assert!(serde_json::from_str::<Submission>(bad).is_err(), "{bad}");
    }
}
