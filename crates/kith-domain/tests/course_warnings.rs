//! Warnings, overdue tasks, fidelity and refused changes, each as a clinician would meet them.

use kith_domain::course::{
    ContractLength, CourseRules, CourseState, MissingTask, OverdueTask, SessionRecord,
    SessionStatus, Warning, review,
};
use kith_domain::problem_area::DisputeStage;
use kith_domain::protocol::{Protocol, presets};
use kith_domain::timeline::{LifeEvent, LifeEventKind, Onset, Timeline};
use uuid::Uuid;

fn ipt16() -> (Protocol, CourseState) {
    let p = presets::get("ipt").unwrap();
    let c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    (p, c)
}

fn hold(p: &Protocol, c: &mut CourseState, n: u32, tasks: &[&str]) {
    c.record_session(p, SessionRecord::held(n, tasks)).unwrap();
}

fn baseline(p: &Protocol, c: &mut CourseState) {
    for m in ["phq9", "gad7", "wsas"] {
        c.record_measure(p, m, 1).unwrap();
    }
}

fn codes(ws: &[Warning]) -> Vec<&'static str> {
    ws.iter().map(Warning::code).collect()
}

#[test]
fn session_four_without_an_agreed_formulation() {
    let (p, mut c) = ipt16();
    baseline(&p, &mut c);
    for n in 1..=2 {
        hold(&p, &mut c, n, &[]);
    }
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .warnings
            .is_empty()
    );
    hold(&p, &mut c, 3, &[]);
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::FormulationNotAgreed {
            session: 4,
            expected_by: 4
        }]
    );
    c.agree_formulation(4);
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .warnings
            .is_empty()
    );
}

#[test]
fn the_session_of_the_formulation_check_is_configurable() {
    let mut lib = kith_domain::protocol::ProtocolLibrary::builtin();
    let o = kith_domain::protocol::ProtocolOverride {
        formulation_warn_at: Some("6".into()),
        ..Default::default()
    };
    let p = lib.apply_override("ipt", &o).unwrap().clone();
    let mut c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    baseline(&p, &mut c);
    for n in 1..=4 {
        hold(&p, &mut c, n, &[]);
    }
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .warnings
            .is_empty()
    );
    hold(&p, &mut c, 5, &[]);
    assert_eq!(
        codes(&review(&p, &c, None, &CourseRules::default()).warnings),
        ["formulation-not-agreed"]
    );
}

#[test]
fn two_areas_are_flagged_and_a_third_is_refused() {
    let (p, mut c) = ipt16();
    c.confirm_problem_area(&p, "transition", None, 3, true)
        .unwrap();
    let second = c
        .confirm_problem_area(&p, "dispute", Some(DisputeStage::Renegotiation), 3, true)
        .unwrap();
    assert!(!second.primary);
    assert!(c.areas[0].primary);
    let err = c
        .confirm_problem_area(&p, "grief", None, 3, true)
        .unwrap_err();
    assert_eq!(err.code(), "too-many-problem-areas");
    assert_eq!(
        err,
        kith_domain::course::CourseError::TooManyProblemAreas {
            chosen: vec!["transition".into(), "dispute".into()]
        }
    );
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::TwoProblemAreas {
            areas: vec!["transition".into(), "dispute".into()]
        }]
    );
    // Revising the focus: the dispute becomes primary, then the transition is dropped.
    c.set_primary("dispute").unwrap();
    assert!(c.areas[1].primary && !c.areas[0].primary);
    c.withdraw_problem_area("transition").unwrap();
    assert_eq!(c.areas.len(), 1);
    assert!(c.areas[0].primary);
}

#[test]
fn areas_outside_the_protocol_and_misplaced_stages_are_refused() {
    let (p, mut c) = ipt16();
    assert_eq!(
        c.confirm_problem_area(&p, "lost-healthy-self", None, 2, true)
            .unwrap_err()
            .code(),
        "area-not-in-protocol"
    );
    assert_eq!(
        c.confirm_problem_area(&p, "grief", Some(DisputeStage::Impasse), 2, true)
            .unwrap_err()
            .code(),
        "stage-only-for-disputes"
    );
    c.confirm_problem_area(&p, "dispute", None, 2, true)
        .unwrap();
    assert_eq!(
        codes(&review(&p, &c, None, &CourseRules::default()).warnings),
        ["dispute-stage-missing"]
    );
    c.set_dispute_stage(&p, "dispute", DisputeStage::Impasse)
        .unwrap();
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .warnings
            .is_empty()
    );
    assert_eq!(
        c.confirm_problem_area(&p, "dispute", None, 3, true)
            .unwrap_err()
            .code(),
        "area-already-chosen"
    );
}

#[test]
fn ending_not_raised_three_sessions_before_the_last() {
    let (p, mut c) = ipt16();
    baseline(&p, &mut c);
    c.agree_formulation(3);
    for n in 1..=12 {
        hold(&p, &mut c, n, &[]);
    }
    c.record_decision(&p, "mid-course-check", 8).unwrap();
    let r = review(&p, &c, None, &CourseRules::default());
    assert!(r.agenda.raise_ending);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    hold(&p, &mut c, 13, &[]);
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::EndingNotRaised {
            session: 14,
            raise_by: 13,
            last_session: 16
        }]
    );
    assert!(
        r.agenda.raise_ending,
        "still on the agenda until it is raised"
    );
    c.raise_ending(14);
    let r = review(&p, &c, None, &CourseRules::default());
    assert!(r.warnings.is_empty());
    assert!(!r.agenda.raise_ending);
}

#[test]
fn deficits_chosen_while_a_death_sits_near_onset() {
    let (p, mut c) = ipt16();
    c.confirm_problem_area(&p, "deficits", None, 3, true)
        .unwrap();
    let death = Uuid::from_u128(7);
    let timeline = Timeline {
        onset: Some(Onset {
            date: "2025-05-01".parse().unwrap(),
            description: String::new(),
        }),
        events: vec![LifeEvent {
            id: death,
            date: "2025-04-10".parse().unwrap(),
            kind: LifeEventKind::Death,
            people: vec![],
            description: "grandmother died".into(),
            impact: None,
            candidate_area: None,
        }],
        ..Default::default()
    };
    let r = review(&p, &c, Some(&timeline), &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::DeficitsWithDeathNearOnset {
            area: "deficits".into(),
            event: death,
            weeks_before_onset: 3
        }]
    );
    // Without the timeline, or with the death long before onset, no warning.
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .warnings
            .is_empty()
    );
    let mut far = timeline.clone();
    far.events[0].date = "2023-01".parse().unwrap();
    assert!(
        review(&p, &c, Some(&far), &CourseRules::default())
            .warnings
            .is_empty()
    );
}

#[test]
fn going_past_the_protocol_maximum_needs_a_renegotiation() {
    let (p, mut c) = ipt16();
    baseline(&p, &mut c);
    c.agree_formulation(3);
    c.raise_ending(13);
    c.record_decision(&p, "mid-course-check", 8).unwrap();
    c.record_decision(&p, "next-step", 16).unwrap();
    for n in 1..=16 {
        hold(&p, &mut c, n, &[]);
    }
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        codes(&r.warnings),
        ["beyond-contract", "beyond-protocol-max"]
    );
    c.renegotiate(&p, ContractLength::Sessions(18), 16, None)
        .unwrap();
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(r.agenda.session, 17);
    assert_eq!(r.agenda.phase.as_deref(), Some("termination"));
    assert_eq!(r.remaining, Some(2));
    // The ending now falls at 18; it was raised for 16, which still counts as raised.
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn missing_baseline_after_session_one() {
    let (p, mut c) = ipt16();
    hold(&p, &mut c, 1, &[]);
    c.record_measure(&p, "phq9", 1).unwrap();
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::NoBaselineMeasure {
            missing: vec!["gad7".into(), "wsas".into()]
        }]
    );
    // After session 1 a missing baseline is flagged rather than listed again; the agenda for
    // session 2 keeps only the every-session PHQ-9.
    assert_eq!(r.agenda.measures_due.len(), 1);
}

#[test]
fn a_decision_point_left_open_is_flagged() {
    let (p, mut c) = ipt16();
    baseline(&p, &mut c);
    c.agree_formulation(3);
    for n in 1..=8 {
        hold(&p, &mut c, n, &[]);
    }
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.warnings,
        [Warning::DecisionPointPending {
            id: "mid-course-check".into(),
            scheduled_at: 8
        }]
    );
    assert!(r.agenda.decision_points[0].late);
}

#[test]
fn overdue_once_tasks_of_a_passed_phase() {
    let (p, mut c) = ipt16();
    hold(
        &p,
        &mut c,
        1,
        &["review-symptoms", "name-diagnosis", "psychoeducation"],
    );
    hold(
        &p,
        &mut c,
        2,
        &["medication-review", "interpersonal-inventory", "timeline"],
    );
    assert!(
        review(&p, &c, None, &CourseRules::default())
            .overdue
            .is_empty()
    );
    hold(
        &p,
        &mut c,
        3,
        &["choose-problem-area", "share-formulation", "agree-contract"],
    );
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.overdue,
        [OverdueTask {
            task: "sick-role".into(),
            phase: "initial".into(),
            due_by: 3
        }]
    );
    // Still on the agenda? No: the phase is over, it is listed as overdue instead.
    assert!(!r.agenda.required_tasks.iter().any(|t| t.id == "sick-role"));
}

#[test]
fn overdue_task_tied_to_a_session_of_its_phase() {
    let p = presets::get("ipt-a").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(12)).unwrap();
    hold(&p, &mut c, 1, &["review-symptoms"]);
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!(
        r.overdue,
        [OverdueTask {
            task: "parent-meeting".into(),
            phase: "initial".into(),
            due_by: 1
        }]
    );
    let late = r
        .agenda
        .required_tasks
        .iter()
        .find(|t| t.id == "parent-meeting")
        .unwrap();
    assert!(late.late, "carried to the next session, marked late");
}

#[test]
fn fidelity_names_what_is_missing() {
    let (p, mut c) = ipt16();
    let every = ["time-limit", "symptom-review", "risk-check"];
    let mut s1 = every.to_vec();
    s1.extend(["review-symptoms", "name-diagnosis"]);
    hold(&p, &mut c, 1, &s1);
    hold(&p, &mut c, 2, &["time-limit", "symptom-review"]);
    let r = review(&p, &c, None, &CourseRules::default());
    let f = &r.fidelity[0];
    assert_eq!(f.phase, "initial");
    assert!(!f.complete);
    // 6 per-session checks (3 in each of two sessions) + 2 once-tasks already done.
    assert_eq!((f.done, f.expected), (7, 8));
    assert_eq!(
        f.missing,
        [MissingTask {
            task: "risk-check".into(),
            session: Some(2)
        }]
    );
    assert_eq!(f.share(), Some(7.0 / 8.0));
    hold(&p, &mut c, 3, &every);
    let f = &review(&p, &c, None, &CourseRules::default()).fidelity[0];
    assert!(f.complete);
    // The phase is over: its open once-tasks now count as missing.
    assert_eq!(f.expected, 9 + 10);
    assert!(f.missing.contains(&MissingTask {
        task: "share-formulation".into(),
        session: None
    }));
    assert!(f.share().unwrap() < 0.6);
}

#[test]
fn contracts_outside_the_protocol_are_refused() {
    let p = presets::get("ipt").unwrap();
    assert_eq!(
        CourseState::new(&p, ContractLength::Sessions(20))
            .unwrap_err()
            .code(),
        "contract-outside-protocol"
    );
    assert_eq!(
        CourseState::new(&p, ContractLength::Open)
            .unwrap_err()
            .code(),
        "open-contract-not-allowed"
    );
    let mut c = CourseState::new(&p, ContractLength::Sessions(12)).unwrap();
    assert_eq!(
        c.renegotiate(&p, ContractLength::Sessions(12), 2, None)
            .unwrap_err()
            .code(),
        "renegotiate-unchanged"
    );
    assert_eq!(
        c.record_session(&p, SessionRecord::held(1, &["made-up-task"]))
            .unwrap_err()
            .code(),
        "unknown-task"
    );
    assert_eq!(
        c.record_session(&p, SessionRecord::held(0, &[]))
            .unwrap_err()
            .code(),
        "no-pre-session"
    );
    hold(&p, &mut c, 1, &[]);
    assert_eq!(
        c.record_session(&p, SessionRecord::held(1, &[]))
            .unwrap_err()
            .code(),
        "session-already-held"
    );
    let ipsrt = presets::get("ipsrt").unwrap();
    let mut bipolar = CourseState::new(&ipsrt, ContractLength::Sessions(24)).unwrap();
    assert_eq!(
        bipolar
            .renegotiate(&ipsrt, ContractLength::Sessions(10), 2, None)
            .unwrap_err()
            .code(),
        "length-does-not-fit-phases"
    );
    bipolar
        .renegotiate(&ipsrt, ContractLength::Open, 2, None)
        .unwrap();
    let dit = presets::get("dit").unwrap();
    assert_eq!(
        c.renegotiate(&dit, ContractLength::Sessions(14), 1, None)
            .unwrap_err()
            .code(),
        "wrong-protocol"
    );
}

#[test]
fn cancelled_and_scheduled_sessions_use_nothing() {
    let (p, mut c) = ipt16();
    hold(&p, &mut c, 1, &[]);
    for status in [SessionStatus::Cancelled, SessionStatus::Scheduled] {
        let mut s = SessionRecord::held(2, &[]);
        s.status = status;
        c.record_session(&p, s).unwrap();
    }
    let r = review(&p, &c, None, &CourseRules::default());
    assert_eq!((r.used, r.remaining, r.agenda.session), (1, Some(15), 2));
    let strict = CourseRules {
        missed_session_consumes: true,
        ..Default::default()
    };
    assert_eq!(review(&p, &c, None, &strict).used, 1);
}

#[test]
fn warning_codes_are_stable_kebab_case() {
    let all = [
        Warning::FormulationNotAgreed {
            session: 4,
            expected_by: 4,
        },
        Warning::TwoProblemAreas { areas: vec![] },
        Warning::EndingNotRaised {
            session: 14,
            raise_by: 13,
            last_session: 16,
        },
        Warning::DeficitsWithDeathNearOnset {
            area: "d".into(),
            event: Uuid::nil(),
            weeks_before_onset: 1,
        },
        Warning::BeyondProtocolMax {
            session: 17,
            max: 16,
        },
        Warning::BeyondContract {
            session: 17,
            contracted: 16,
        },
        Warning::NoBaselineMeasure { missing: vec![] },
        Warning::DisputeStageMissing { area: "d".into() },
        Warning::DecisionPointPending {
            id: "x".into(),
            scheduled_at: 8,
        },
    ];
    let codes = codes(&all);
    assert_eq!(
        codes,
        [
            "formulation-not-agreed",
            "two-problem-areas",
            "ending-not-raised",
            "deficits-with-death-near-onset",
            "beyond-protocol-max",
            "beyond-contract",
            "no-baseline-measure",
            "dispute-stage-missing",
            "decision-point-pending"
        ]
    );
    // The serialised form carries the same code, for the web layer and the API.
    for w in &all {
        let v = serde_json::to_value(w).unwrap();
        assert_eq!(v["code"], w.code());
    }
}
