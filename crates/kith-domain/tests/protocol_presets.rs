//! The shipped presets: they load, their phases tile every allowed course length, ids are
//! unique and every label exists in English and Spanish.

use kith_domain::locale::{Locale, Localized};
use kith_domain::protocol::{AreaKind, FocusKind, PreSession, Protocol, ProtocolLibrary, presets};
use std::collections::BTreeSet;

fn all() -> Vec<Protocol> {
    presets::IDS
        .iter()
        .map(|id| match presets::load(id).expect("preset has a file") {
            Ok(p) => p,
            Err(e) => panic!("preset {id} does not load:\n{e}"),
        })
        .collect()
}

fn counts(p: &Protocol) -> Vec<Option<u32>> {
    let s = p.sessions();
    let mut v: Vec<Option<u32>> = (s.min..=s.max).map(Some).collect();
    if s.open_ended {
        v.push(None);
    }
    v
}

#[test]
fn every_preset_loads_with_its_own_id() {
    let ps = all();
    assert_eq!(ps.len(), 9);
    for (p, id) in ps.iter().zip(presets::IDS) {
        assert_eq!(p.id(), id);
    }
    let lib = ProtocolLibrary::builtin();
    assert_eq!(lib.len(), 9);
    assert!(presets::IDS.iter().all(|id| lib.get(id).is_some()));
}

#[test]
fn phases_cover_every_session_once_for_every_allowed_length() {
    for p in all() {
        for count in counts(&p) {
            let b = p.bounds(count);
            // Open-ended: look well past every fixed number.
            let last = count.unwrap_or(p.sessions().max + 10);
            for n in 1..=last {
                let holders: Vec<&str> = p
                    .phases()
                    .iter()
                    .filter(|ph| !ph.range.is_pre() && ph.range.contains(n, b))
                    .map(|ph| ph.id.as_str())
                    .collect();
                assert_eq!(
                    holders.len(),
                    1,
                    "{}: session {n} of {count:?} is in phases {holders:?}",
                    p.id()
                );
                assert_eq!(
                    p.phase_at(n, count).map(|ph| ph.id.as_str()),
                    Some(holders[0])
                );
            }
            if let Some(c) = count {
                assert!(
                    p.phase_at(c + 1, count).is_none(),
                    "{}: past the end",
                    p.id()
                );
            }
            let pre = p.phases().iter().filter(|ph| ph.range.is_pre()).count();
            let expected_pre = usize::from(p.pre_session() != PreSession::None);
            assert_eq!(pre, expected_pre, "{}: preparatory phase", p.id());
        }
    }
}

#[test]
fn task_strategy_and_area_ids_are_unique() {
    for p in all() {
        let mut seen = BTreeSet::new();
        for t in p.all_tasks() {
            assert!(seen.insert(t.id.clone()), "{}: task {} twice", p.id(), t.id);
        }
        let mut areas = BTreeSet::new();
        let mut strategies = BTreeSet::new();
        for a in p.problem_areas() {
            assert!(areas.insert(a.id.clone()));
            for s in &a.strategies {
                assert!(strategies.insert(s.id.clone()), "{}: {}", p.id(), s.id);
            }
        }
    }
}

fn both(what: &str, l: &Localized) {
    for loc in Locale::ALL {
        let t = l.0.get(&loc).map(|s| s.trim()).unwrap_or("");
        assert!(!t.is_empty(), "{what}: no {} text", loc.code());
    }
}

#[test]
fn every_label_exists_in_english_and_spanish() {
    for p in all() {
        let id = p.id().to_string();
        both(&format!("{id} title"), p.title());
        both(&format!("{id} description"), p.description());
        for ph in p.phases() {
            both(&format!("{id} phase {}", ph.id), &ph.label);
        }
        for t in p.all_tasks() {
            both(&format!("{id} task {}", t.id), &t.label);
            assert_ne!(
                t.label.get(Locale::En),
                t.label.get(Locale::Es),
                "{id} {}",
                t.id
            );
        }
        for a in p.problem_areas() {
            both(&format!("{id} area {}", a.id), &a.label);
            for s in &a.strategies {
                both(&format!("{id} strategy {}", s.id), &s.label);
            }
        }
        for d in p.decision_points() {
            both(&format!("{id} decision {}", d.id), &d.label);
        }
        for r in p.participants() {
            if let Some(n) = &r.note {
                both(&format!("{id} participant note"), n);
            }
        }
    }
}

#[test]
fn presets_survive_a_round_trip_through_toml() {
    for p in all() {
        let again = Protocol::from_toml(&p.to_toml()).expect("re-reads");
        assert_eq!(again, p, "{}", p.id());
    }
}

fn span(p: &Protocol, phase: &str, count: Option<u32>) -> (u32, Option<u32>) {
    p.phase_span(p.phase(phase).unwrap(), count).unwrap()
}

#[test]
fn standard_ipt_moves_termination_with_the_contract() {
    let p = presets::get("ipt").unwrap();
    assert_eq!(p.sessions().default, 16);
    assert_eq!(span(&p, "initial", Some(16)), (1, Some(3)));
    assert_eq!(span(&p, "middle", Some(16)), (4, Some(13)));
    assert_eq!(span(&p, "termination", Some(16)), (14, Some(16)));
    assert_eq!(span(&p, "termination", Some(12)), (10, Some(12)));
    assert_eq!(p.mid_session(Some(16)), Some(8));
    assert_eq!(p.termination_lead(), 3);
}

#[test]
fn who_group_ipt_has_a_pre_group_meeting_then_eight_sessions() {
    let p = presets::get("ipt-g").unwrap();
    assert_eq!(p.pre_session(), PreSession::Required);
    assert_eq!(p.phase_at(0, Some(8)).unwrap().id, "pre-group");
    assert_eq!(span(&p, "initial", Some(8)), (1, Some(1)));
    assert_eq!(span(&p, "middle", Some(8)), (2, Some(7)));
    assert_eq!(span(&p, "termination", Some(8)), (8, Some(8)));
    let grief = p.areas_of_kind(AreaKind::Grief).next().unwrap();
    assert_eq!(grief.label.get(Locale::En), "Grief after a death");
}

#[test]
fn variants_keep_their_shape() {
    let dit = presets::get("dit").unwrap();
    assert_eq!(dit.focus(), FocusKind::Ipaf);
    assert!(dit.problem_areas().is_empty());
    assert_eq!(span(&dit, "initial", Some(16)), (1, Some(4)));
    assert_eq!(span(&dit, "middle", Some(16)), (5, Some(12)));
    assert_eq!(span(&dit, "ending", Some(16)), (13, Some(16)));

    let ipsrt = presets::get("ipsrt").unwrap();
    assert!(
        ipsrt
            .areas_of_kind(AreaKind::LostHealthySelf)
            .next()
            .is_some()
    );
    assert!(ipsrt.measures().iter().any(|m| m.instrument == "srm5"));

    let ipc = presets::get("ipc").unwrap();
    assert_eq!((ipc.sessions().min, ipc.sessions().max), (3, 6));
    assert_eq!(
        ipc.areas_of_kind(AreaKind::Transition)
            .next()
            .unwrap()
            .label
            .get(Locale::En),
        "Life changes"
    );

    let m = presets::get("ipt-m").unwrap();
    assert!(m.is_open_ended());
    // Open-ended: maintenance never ends and the closing phase never comes.
    assert_eq!(span(&m, "maintenance", None), (2, None));
    assert!(m.phase_span(m.phase("closing").unwrap(), None).is_none());

    let pa = presets::get("pa-ipt").unwrap();
    assert!(pa.measures().iter().any(|m| m.instrument == "epds"));
    assert_eq!(
        presets::get("ipt-b").unwrap().pre_session(),
        PreSession::Optional
    );
    assert!(
        presets::get("ipt-a")
            .unwrap()
            .measures()
            .iter()
            .any(|m| m.instrument == "phqa")
    );
}
