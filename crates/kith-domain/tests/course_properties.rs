//! Properties that hold for any course state under any preset.

use kith_domain::course::{
    ContractLength, CourseRules, CourseState, SessionRecord, SessionStatus, agenda_for, review,
};
use kith_domain::protocol::{PreSession, Protocol, Resolved, presets};
use proptest::prelude::*;
use std::sync::OnceLock;

fn protocols() -> &'static [Protocol] {
    static P: OnceLock<Vec<Protocol>> = OnceLock::new();
    P.get_or_init(presets::all)
}

#[derive(Debug, Clone)]
struct Input {
    protocol: usize,
    length: u32,
    open: bool,
    sessions: Vec<(u32, u8, Vec<usize>)>,
    missed_consumes: bool,
    formulation: Option<u32>,
    ending: Option<u32>,
    renegotiate: Option<u32>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        0..9usize,
        0..100u32,
        any::<bool>(),
        prop::collection::vec(
            (0..45u32, 0..4u8, prop::collection::vec(0..200usize, 0..6)),
            0..30,
        ),
        any::<bool>(),
        prop::option::of(0..20u32),
        prop::option::of(0..20u32),
        prop::option::of(1..40u32),
    )
        .prop_map(
            |(
                protocol,
                length,
                open,
                sessions,
                missed_consumes,
                formulation,
                ending,
                renegotiate,
            )| {
                Input {
                    protocol,
                    length,
                    open,
                    sessions,
                    missed_consumes,
                    formulation,
                    ending,
                    renegotiate,
                }
            },
        )
}

/// Builds a course directly from its public fields, so odd states (gaps, sessions past the
/// contract, unknown numbering) are covered too.
fn build(i: &Input) -> (&'static Protocol, CourseState, CourseRules) {
    let p = &protocols()[i.protocol];
    let s = p.sessions();
    let length = if i.open && s.open_ended {
        ContractLength::Open
    } else {
        ContractLength::Sessions(s.min + i.length % (s.max - s.min + 1))
    };
    let mut c = CourseState::new(p, length).unwrap();
    let tasks: Vec<String> = p.all_tasks().map(|t| t.id.clone()).collect();
    for (number, status, picks) in &i.sessions {
        let status = match status {
            0 => SessionStatus::Held,
            1 => SessionStatus::Missed,
            2 => SessionStatus::Cancelled,
            _ => SessionStatus::Scheduled,
        };
        let number = if p.pre_session() == PreSession::None {
            number + 1
        } else {
            *number
        };
        c.sessions.push(SessionRecord {
            number,
            status,
            date: None,
            tasks_done: picks
                .iter()
                .map(|k| tasks[k % tasks.len()].clone())
                .collect(),
        });
    }
    c.formulation_agreed_at = i.formulation;
    c.ending_raised_at = i.ending;
    if let Some(n) = i.renegotiate {
        let _ = c.renegotiate(p, ContractLength::Sessions(n), 1, None);
    }
    let rules = CourseRules {
        missed_session_consumes: i.missed_consumes,
        ..Default::default()
    };
    (p, c, rules)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_agenda_phase_matches_the_session_number(i in input()) {
        let (p, c, rules) = build(&i);
        let r = review(p, &c, None, &rules);
        let a = &r.agenda;
        let count = c.contract.count();
        prop_assert_eq!(a.phase.as_deref(), p.phase_at(a.session, count).map(|ph| ph.id.as_str()));
        match (a.phase.as_deref(), count) {
            (Some(id), _) => {
                let ph = p.phase(id).unwrap();
                if a.session == 0 {
                    prop_assert!(ph.range.is_pre());
                } else {
                    prop_assert!(ph.range.contains(a.session, p.bounds(count)));
                }
            }
            (None, Some(c)) => prop_assert!(a.session > c),
            (None, None) => prop_assert!(false, "an open-ended course always has a phase"),
        }
        prop_assert_eq!(a.beyond_contract, count.is_some_and(|c| a.session > c));
        // Every session of the contract, asked for directly, has a phase.
        if let Some(last) = count {
            for n in 1..=last {
                prop_assert!(agenda_for(p, &c, n, &rules).phase.is_some());
            }
        }
    }

    #[test]
    fn used_and_remaining_never_go_negative(i in input()) {
        let (p, c, rules) = build(&i);
        let r = review(p, &c, None, &rules);
        if let Some(count) = c.contract.count() {
            let remaining = r.remaining.unwrap();
            prop_assert!(remaining <= count);
            prop_assert_eq!(remaining, count.saturating_sub(r.used));
            prop_assert_eq!(r.agenda.remaining_after, Some(count.saturating_sub(r.agenda.session)));
        } else {
            prop_assert_eq!(r.remaining, None);
        }
        let max_held = c.sessions.iter()
            .filter(|s| s.status == SessionStatus::Held || (s.status == SessionStatus::Missed && rules.missed_session_consumes))
            .map(|s| s.number).max().unwrap_or(0);
        prop_assert_eq!(r.used, max_held);
        prop_assert!(r.agenda.session == r.used + 1 || (r.used == 0 && r.agenda.session == 0));
    }

    #[test]
    fn fidelity_stays_between_zero_and_one(i in input()) {
        let (p, c, rules) = build(&i);
        for f in review(p, &c, None, &rules).fidelity {
            prop_assert!(f.done <= f.expected);
            prop_assert_eq!(f.missing.len() as u32, f.expected - f.done);
            if let Some(s) = f.share() {
                prop_assert!((0.0..=1.0).contains(&s));
            }
        }
    }

    #[test]
    fn a_renegotiated_contract_moves_the_termination_phase(i in input(), new_len in 1..60u32) {
        let (p, mut c, rules) = build(&i);
        let Some(old) = c.contract.count() else { return Ok(()) };
        let last_phase = |count: u32| p.phase_at(count, Some(count)).map(|ph| ph.id.clone());
        let final_id = last_phase(old).unwrap();
        let fin = p.phase(&final_id).unwrap();
        // Only phases counted from the end move with the contract.
        prop_assume!(matches!(fin.range.start, kith_domain::protocol::Position::FromEnd(_)));
        let (old_start, _) = p.phase_span(fin, Some(old)).unwrap();
        let span_len = old - old_start;
        prop_assume!(new_len != old);
        prop_assume!(c.last_held().is_none_or(|h| new_len >= h));
        // Lengths the phases cannot be laid over (e.g. a 4-session IPSRT course) are refused.
        let fits = p.phases_fit(new_len);
        let result = c.renegotiate(p, ContractLength::Sessions(new_len), 1, None);
        prop_assert_eq!(result.is_ok(), fits);
        prop_assume!(fits);
        // The last session is still in the final phase, which starts as far from the end as before.
        prop_assert_eq!(agenda_for(p, &c, new_len, &rules).phase, Some(final_id.clone()));
        let (new_start, new_end) = p.phase_span(fin, Some(new_len)).unwrap();
        prop_assert_eq!(new_end, Some(new_len));
        prop_assert_eq!(new_len - new_start, span_len);
        prop_assert_eq!(fin.range.start.resolve(p.bounds(Some(new_len))), Resolved::Session(new_start));
        prop_assert!(agenda_for(p, &c, new_len + 1, &rules).phase.is_none());
    }
}
