//! Whole courses walked session by session, checking the agenda at every step.

use kith_domain::course::{
    Agenda, ContractLength, CourseReview, CourseRules, CourseState, IpafFocus, SessionRecord,
    Warning, review,
};
use kith_domain::protocol::{Cadence, ParticipantRole, Protocol, presets};

fn ids(tasks: &[kith_domain::course::AgendaTask]) -> Vec<&str> {
    tasks.iter().map(|t| t.id.as_str()).collect()
}

fn measures(a: &Agenda) -> Vec<(&str, Vec<Cadence>)> {
    a.measures_due
        .iter()
        .map(|m| (m.instrument.as_str(), m.because.clone()))
        .collect()
}

/// Holds the agenda's session the way a thorough clinician would: every required task on the
/// agenda done, every due measure taken, every due decision recorded.
fn hold_as_planned(p: &Protocol, c: &mut CourseState, r: &CourseReview) {
    let a = &r.agenda;
    let tasks: Vec<&str> = a.required_tasks.iter().map(|t| t.id.as_str()).collect();
    c.record_session(p, SessionRecord::held(a.session, &tasks))
        .expect("session records");
    for m in &a.measures_due {
        c.record_measure(p, &m.instrument, a.session).unwrap();
    }
    for d in &a.decision_points {
        c.record_decision(p, &d.id, a.session).unwrap();
    }
}

fn rules() -> CourseRules {
    CourseRules::default()
}

#[test]
fn standard_ipt_for_grief_over_sixteen_sessions() {
    let p = presets::get("ipt").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    for n in 1..=16u32 {
        let r = review(&p, &c, None, &rules());
        let a = &r.agenda;
        assert_eq!(a.session, n);
        assert_eq!(a.of, Some(16));
        assert_eq!(r.used, n - 1);
        assert_eq!(r.remaining, Some(17 - n));
        let phase = match n {
            1..=3 => "initial",
            4..=13 => "middle",
            _ => "termination",
        };
        assert_eq!(a.phase.as_deref(), Some(phase), "session {n}");
        assert_eq!(a.participants.len(), 1);
        assert_eq!(a.participants[0].role, ParticipantRole::Client);
        assert!(r.overdue.is_empty(), "session {n}: {:?}", r.overdue);
        assert!(r.warnings.is_empty(), "session {n}: {:?}", r.warnings);
        for f in &r.fidelity {
            assert_eq!(f.share(), Some(1.0), "session {n}: {f:?}");
        }
        match n {
            1 => {
                let req = ids(&a.required_tasks);
                for t in [
                    "time-limit",
                    "risk-check",
                    "name-diagnosis",
                    "sick-role",
                    "interpersonal-inventory",
                    "share-formulation",
                ] {
                    assert!(req.contains(&t), "{t} missing from {req:?}");
                }
                assert!(ids(&a.optional_tasks).contains(&"safety-plan"));
                assert_eq!(
                    measures(a),
                    vec![
                        ("phq9", vec![Cadence::Baseline, Cadence::EverySession]),
                        ("gad7", vec![Cadence::Baseline]),
                        ("wsas", vec![Cadence::Baseline]),
                    ]
                );
                assert!(a.strategies.is_empty());
            }
            2 => {
                // Once-tasks done at session 1 do not come back.
                assert!(!ids(&a.required_tasks).contains(&"name-diagnosis"));
                assert_eq!(measures(a), vec![("phq9", vec![Cadence::EverySession])]);
            }
            4 => {
                assert_eq!(
                    ids(&a.required_tasks),
                    [
                        "time-limit",
                        "symptom-review",
                        "risk-check",
                        "since-last-met",
                        "area-work"
                    ]
                );
                let s: Vec<&str> = a.strategies.iter().map(|s| s.strategy.as_str()).collect();
                assert_eq!(s.len(), 6);
                assert!(s.iter().all(|s| s.starts_with("grief-")));
                assert!(a.strategies.iter().all(|s| s.primary && s.area == "grief"));
                assert_eq!(
                    measures(a),
                    vec![
                        ("phq9", vec![Cadence::EverySession]),
                        ("gad7", vec![Cadence::Every(4)])
                    ]
                );
            }
            8 => {
                assert_eq!(a.decision_points.len(), 1);
                assert_eq!(a.decision_points[0].id, "mid-course-check");
                assert!(measures(a).contains(&("wsas", vec![Cadence::Mid])));
            }
            13 => {
                assert!(a.raise_ending, "the ending is raised three sessions ahead");
                assert_eq!(a.remaining_after, Some(3));
            }
            14 => {
                assert!(!a.raise_ending);
                assert!(ids(&a.required_tasks).contains(&"review-change"));
                assert!(
                    !ids(&a.required_tasks).contains(&"next-step"),
                    "next-step belongs to the last session"
                );
                assert!(a.strategies.is_empty());
            }
            16 => {
                assert!(ids(&a.required_tasks).contains(&"next-step"));
                assert_eq!(a.decision_points[0].id, "next-step");
                assert_eq!(
                    measures(a),
                    vec![
                        ("phq9", vec![Cadence::EverySession]),
                        ("gad7", vec![Cadence::Every(4), Cadence::End]),
                        ("wsas", vec![Cadence::End]),
                    ]
                );
                assert_eq!(a.remaining_after, Some(0));
            }
            _ => {}
        }
        hold_as_planned(&p, &mut c, &r);
        match n {
            2 => {
                c.confirm_problem_area(&p, "grief", None, 2, true).unwrap();
            }
            3 => c.agree_formulation(3),
            13 => c.raise_ending(13),
            _ => {}
        }
    }
    let r = review(&p, &c, None, &rules());
    assert_eq!((r.used, r.remaining), (16, Some(0)));
    assert_eq!(r.current_phase.as_deref(), Some("termination"));
    assert_eq!(r.agenda.session, 17);
    assert!(r.agenda.beyond_contract);
    assert_eq!(r.agenda.phase, None);
    let phases: Vec<(&str, bool, Option<f64>)> = r
        .fidelity
        .iter()
        .map(|f| (f.phase.as_str(), f.complete, f.share()))
        .collect();
    assert_eq!(
        phases,
        [
            ("initial", true, Some(1.0)),
            ("middle", true, Some(1.0)),
            ("termination", true, Some(1.0))
        ]
    );
    assert_eq!(
        r.warnings,
        [
            Warning::BeyondContract {
                session: 17,
                contracted: 16
            },
            Warning::BeyondProtocolMax {
                session: 17,
                max: 16
            }
        ]
    );
}

#[test]
fn brief_ipt_for_a_role_transition_with_a_missed_session() {
    let p = presets::get("ipt-b").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(8)).unwrap();
    // The engagement session is optional: the course starts at session 1.
    assert_eq!(review(&p, &c, None, &rules()).agenda.session, 1);
    let mut n_expected = 1;
    for step in 0..9 {
        let r = review(&p, &c, None, &rules());
        let a = &r.agenda;
        assert_eq!(a.session, n_expected, "step {step}");
        let phase = match a.session {
            1..=2 => "initial",
            3..=6 => "middle",
            _ => "termination",
        };
        assert_eq!(a.phase.as_deref(), Some(phase));
        if a.session == 3 {
            assert!(a.strategies.iter().all(|s| s.area == "transition"));
            assert_eq!(a.strategies[0].strategy, "transition-link-onset");
        }
        assert_eq!(a.raise_ending, a.session == 5);
        if step == 4 {
            // The client does not come to session 5: it does not use a contracted session.
            let mut missed = SessionRecord::held(5, &[]);
            missed.status = kith_domain::course::SessionStatus::Missed;
            c.record_session(&p, missed).unwrap();
            let after = review(&p, &c, None, &rules());
            assert_eq!(
                (after.agenda.session, after.used, after.remaining),
                (5, 4, Some(4))
            );
            // Under a clinic rule that missed sessions count, it would.
            let strict = CourseRules {
                missed_session_consumes: true,
                ..rules()
            };
            let after = review(&p, &c, None, &strict);
            assert_eq!(
                (after.agenda.session, after.used, after.remaining),
                (6, 5, Some(3))
            );
            continue;
        }
        hold_as_planned(&p, &mut c, &r);
        n_expected += 1;
        if a.session == 2 {
            c.confirm_problem_area(&p, "transition", None, 2, true)
                .unwrap();
            c.agree_formulation(2);
        }
        if a.session == 5 {
            c.raise_ending(5);
        }
    }
    let r = review(&p, &c, None, &rules());
    assert_eq!((r.used, r.remaining), (8, Some(0)));
    assert!(r.fidelity.iter().all(|f| f.share() == Some(1.0)));
}

#[test]
fn dit_with_an_ipaf_over_sixteen_sessions() {
    let p = presets::get("dit").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    assert_eq!(
        c.confirm_problem_area(&p, "grief", None, 1, true)
            .unwrap_err()
            .code(),
        "focus-is-ipaf"
    );
    for n in 1..=16u32 {
        let r = review(&p, &c, None, &rules());
        let a = &r.agenda;
        assert_eq!(a.session, n);
        let phase = match n {
            1..=4 => "initial",
            5..=12 => "middle",
            _ => "ending",
        };
        assert_eq!(a.phase.as_deref(), Some(phase));
        assert!(
            a.strategies.is_empty(),
            "DIT has no problem-area strategies"
        );
        assert_eq!(a.raise_ending, n == 12, "lead of four sessions");
        if n == 5 {
            assert!(ids(&a.required_tasks).contains(&"dit-stay-on-ipaf"));
        }
        if n == 16 {
            assert!(ids(&a.optional_tasks).contains(&"dit-goodbye-letter"));
        }
        assert!(r.warnings.is_empty(), "session {n}: {:?}", r.warnings);
        hold_as_planned(&p, &mut c, &r);
        if n == 4 {
            c.confirm_ipaf(
                &p,
                IpafFocus {
                    summary: "When I feel overlooked I go quiet and then resent it".into(),
                    self_view: "unimportant".into(),
                    other_view: "too busy for me".into(),
                    affect: "hurt, then anger".into(),
                    defence: "withdrawal".into(),
                    agreed_at_session: 4,
                },
            )
            .unwrap();
        }
        if n == 12 {
            c.raise_ending(12);
        }
    }
}

#[test]
fn dit_without_an_agreed_ipaf_is_flagged_at_session_five() {
    let p = presets::get("dit").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    for n in 1..=4 {
        c.record_session(&p, SessionRecord::held(n, &[])).unwrap();
        c.record_measure(&p, "phq9", 1).ok();
    }
    c.record_measure(&p, "gad7", 1).unwrap();
    let r = review(&p, &c, None, &rules());
    assert_eq!(
        r.warnings,
        [Warning::FormulationNotAgreed {
            session: 5,
            expected_by: 5
        }]
    );
}

#[test]
fn who_group_ipt_starts_with_the_pre_group_meeting() {
    let p = presets::get("ipt-g").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(8)).unwrap();
    for step in 0..=8u32 {
        let r = review(&p, &c, None, &rules());
        let a = &r.agenda;
        assert_eq!(a.session, step);
        let phase = match step {
            0 => "pre-group",
            1 => "initial",
            2..=7 => "middle",
            _ => "termination",
        };
        assert_eq!(a.phase.as_deref(), Some(phase));
        assert_eq!(a.is_pre, step == 0);
        let roles: Vec<ParticipantRole> = a.participants.iter().map(|x| x.role).collect();
        if step == 0 {
            assert_eq!(
                roles,
                [ParticipantRole::Client],
                "the pre-group meeting is individual"
            );
            assert_eq!(measures(a), vec![("phq9", vec![Cadence::Baseline])]);
            assert!(ids(&a.required_tasks).contains(&"pre-problem-area"));
            assert!(
                !ids(&a.required_tasks).contains(&"member-goals"),
                "group tasks wait for the group"
            );
            assert_eq!(
                r.remaining,
                Some(8),
                "the pre-group meeting is outside the eight sessions"
            );
        } else {
            assert_eq!(roles, [ParticipantRole::Client, ParticipantRole::Group]);
            assert_eq!(measures(a), vec![("phq9", vec![Cadence::EverySession])]);
            assert!(ids(&a.required_tasks).contains(&"member-goals"));
        }
        if (2..=7).contains(&step) {
            assert_eq!(a.strategies[0].area, "transition");
            assert!(ids(&a.required_tasks).contains(&"member-homework"));
        }
        assert_eq!(a.raise_ending, step == 5);
        assert!(r.warnings.is_empty(), "step {step}: {:?}", r.warnings);
        hold_as_planned(&p, &mut c, &r);
        if step == 0 {
            c.confirm_problem_area(&p, "transition", None, 0, true)
                .unwrap();
            c.agree_formulation(0);
        }
        if step == 5 {
            c.raise_ending(5);
        }
    }
    let r = review(&p, &c, None, &rules());
    assert_eq!((r.used, r.remaining), (8, Some(0)));
    let f: Vec<&str> = r.fidelity.iter().map(|f| f.phase.as_str()).collect();
    assert_eq!(f, ["pre-group", "initial", "middle", "termination"]);
}

#[test]
fn ipt_a_expects_the_parent_at_the_first_and_last_sessions() {
    let p = presets::get("ipt-a").unwrap();
    let c = CourseState::new(&p, ContractLength::Sessions(12)).unwrap();
    let at = |n| kith_domain::course::agenda_for(&p, &c, n, &rules());
    let parent = |a: &Agenda| {
        a.participants
            .iter()
            .find(|x| x.role == ParticipantRole::Parent)
            .map(|x| x.optional)
    };
    assert_eq!(parent(&at(1)), Some(false));
    assert!(ids(&at(1).required_tasks).contains(&"parent-meeting"));
    assert_eq!(parent(&at(2)), None);
    assert_eq!(
        parent(&at(6)),
        Some(true),
        "optional joint session in the middle phase"
    );
    assert_eq!(parent(&at(12)), Some(false));
    assert!(ids(&at(12).required_tasks).contains(&"parent-final"));
}

#[test]
fn maintenance_ipt_runs_open_ended_with_periodic_reviews() {
    let p = presets::get("ipt-m").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Open).unwrap();
    for n in 1..=40u32 {
        let r = review(&p, &c, None, &rules());
        let a = &r.agenda;
        assert_eq!(a.session, n);
        assert_eq!(r.remaining, None);
        assert_eq!(
            a.phase.as_deref(),
            Some(if n == 1 { "opening" } else { "maintenance" })
        );
        assert!(!a.raise_ending);
        let review_due = a.decision_points.iter().any(|d| d.id == "periodic-review");
        assert_eq!(review_due, n % 6 == 0, "session {n}");
        assert!(r.warnings.is_empty(), "session {n}: {:?}", r.warnings);
        hold_as_planned(&p, &mut c, &r);
    }
    // Agreeing an end brings the closing phase and the ending reminder back.
    c.renegotiate(&p, ContractLength::Sessions(44), 40, None)
        .unwrap();
    let r = review(&p, &c, None, &rules());
    assert_eq!(r.remaining, Some(4));
    assert!(!r.agenda.raise_ending);
    let at42 = kith_domain::course::agenda_for(&p, &c, 42, &rules());
    assert!(
        at42.raise_ending,
        "two sessions' lead: raise it at session 42"
    );
    assert_eq!(
        kith_domain::course::agenda_for(&p, &c, 44, &rules())
            .phase
            .as_deref(),
        Some("closing")
    );
}

#[test]
fn renegotiating_from_sixteen_to_twelve_moves_the_termination_phase() {
    let p = presets::get("ipt").unwrap();
    let mut c = CourseState::new(&p, ContractLength::Sessions(16)).unwrap();
    for n in 1..=8 {
        c.record_session(&p, SessionRecord::held(n, &[])).unwrap();
    }
    assert_eq!(
        kith_domain::course::agenda_for(&p, &c, 10, &rules())
            .phase
            .as_deref(),
        Some("middle")
    );
    c.renegotiate(&p, ContractLength::Sessions(12), 8, None)
        .unwrap();
    assert_eq!(c.contract.renegotiations[0].at_session, 8);
    let at = |n| kith_domain::course::agenda_for(&p, &c, n, &rules());
    assert_eq!(at(9).phase.as_deref(), Some("middle"));
    assert!(
        at(9).raise_ending,
        "the new end is three sessions after session 9"
    );
    assert_eq!(at(10).phase.as_deref(), Some("termination"));
    assert_eq!(at(12).phase.as_deref(), Some("termination"));
    assert!(at(12).required_tasks.iter().any(|t| t.id == "next-step"));
    assert_eq!(review(&p, &c, None, &rules()).remaining, Some(4));
    // It cannot go below what was already used.
    assert_eq!(
        c.renegotiate(&p, ContractLength::Sessions(6), 8, None)
            .unwrap_err()
            .code(),
        "renegotiate-below-used"
    );
}
