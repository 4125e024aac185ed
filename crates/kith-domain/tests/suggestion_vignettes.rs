//! Problem-area suggestion: one vignette per area, plus mixed cases, each checking the ranking
//! and the reasons a clinician would see.

use kith_domain::inventory::{
    ConflictFrequency, ConflictOutcome, ContactFrequency, Inventory, OnsetChange, Person,
    PersonStatus, RelationshipType, Ring, YesNoPartly,
};
use kith_domain::problem_area::{
    Caution, DisputeStage, HeldBackWhy, PatternSignal, Signal, StageSignal, Suggestion,
    SuggestionSettings, Weight, suggest,
};
use kith_domain::protocol::{AreaKind, presets};
use kith_domain::timeline::{LifeEvent, LifeEventKind, Onset, Precision, Timeline};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn person(n: u128, rel: RelationshipType, status: PersonStatus, ring: u8) -> Person {
    let mut p = Person::new(id(n), format!("P{n}"), rel, status);
    p.ring = Some(Ring::new(ring).unwrap());
    p
}

fn event(n: u128, date: &str, kind: LifeEventKind, people: &[u128]) -> LifeEvent {
    LifeEvent {
        id: id(n),
        date: date.parse().unwrap(),
        kind,
        people: people.iter().map(|&p| id(p)).collect(),
        description: String::new(),
        impact: None,
        candidate_area: None,
    }
}

fn timeline(onset: &str, events: Vec<LifeEvent>) -> Timeline {
    Timeline {
        onset: Some(Onset {
            date: onset.parse().unwrap(),
            description: String::new(),
        }),
        events,
        ..Default::default()
    }
}

/// A few supportive people, so deficits does not come up by accident.
fn friends() -> Vec<Person> {
    vec![
        person(90, RelationshipType::Friend, PersonStatus::Current, 1),
        person(91, RelationshipType::Sibling, PersonStatus::Current, 1),
        person(92, RelationshipType::Colleague, PersonStatus::Current, 2),
    ]
}

fn areas(s: &Suggestion) -> &kith_domain::problem_area::AreaSuggestion {
    match s {
        Suggestion::Areas(a) => a,
        Suggestion::Ipaf(_) => panic!("expected an area ranking"),
    }
}

fn ranking(s: &Suggestion) -> Vec<&str> {
    areas(s).ranked.iter().map(|r| r.area.as_str()).collect()
}

fn codes(s: &Suggestion, area: &str) -> Vec<&'static str> {
    areas(s)
        .ranked
        .iter()
        .find(|r| r.area == area)
        .map(|r| r.reasons.iter().map(|x| x.code()).collect())
        .unwrap_or_default()
}

#[test]
fn grief_a_death_six_weeks_before_onset() {
    let p = presets::get("ipt").unwrap();
    let mut people = friends();
    people.push(person(
        1,
        RelationshipType::Parent,
        PersonStatus::Deceased,
        1,
    ));
    let inv = Inventory {
        people,
        ..Default::default()
    };
    let tl = timeline(
        "2025-04-15",
        vec![event(10, "2025-03-04", LifeEventKind::Death, &[1])],
    );
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["grief"]);
    let grief = &areas(&s).ranked[0];
    assert_eq!(grief.kind, AreaKind::Grief);
    assert_eq!(
        grief.reasons[0].signal,
        Signal::DeathNearOnset {
            event: id(10),
            person: Some(id(1)),
            weeks_before_onset: 6,
            precision: Precision::Day
        }
    );
    assert_eq!(grief.reasons[0].weight, Weight::Strong);
    assert_eq!(
        codes(&s, "grief"),
        ["death-near-onset", "deceased-was-close"]
    );
    assert_eq!(grief.strength, 5);
}

#[test]
fn a_death_outside_the_window_is_only_a_weak_earlier_loss_and_the_window_is_configurable() {
    let p = presets::get("ipt").unwrap();
    let inv = Inventory {
        people: friends(),
        ..Default::default()
    };
    let tl = timeline(
        "2025-06-01",
        vec![event(10, "2025-02-01", LifeEventKind::Death, &[])],
    );
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(codes(&s, "grief"), ["earlier-death"]);
    assert_eq!(areas(&s).ranked[0].strength, 1);
    let wide = SuggestionSettings {
        window: kith_domain::timeline::OnsetWindow {
            weeks_before: 20,
            weeks_after: 4,
        },
        ..Default::default()
    };
    let s = suggest(&p, &inv, &tl, &wide);
    assert_eq!(codes(&s, "grief"), ["death-near-onset"]);
}

#[test]
fn dispute_with_mismatched_expectations_and_a_proposed_stage() {
    let p = presets::get("ipt").unwrap();
    let mut partner = person(1, RelationshipType::Partner, PersonStatus::Current, 1);
    partner.conflict.frequency = Some(ConflictFrequency::Often);
    partner.conflict.outcome = Some(ConflictOutcome::Ongoing);
    partner.expectations.mine = "share the housework".into();
    partner.expectations.theirs = "I should work fewer hours".into();
    partner.expectations.reciprocal = Some(YesNoPartly::No);
    let mut people = friends();
    people.push(partner);
    let inv = Inventory {
        people,
        ..Default::default()
    };
    let tl = timeline("2025-04-15", vec![]);
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["dispute"]);
    let d = &areas(&s).ranked[0];
    assert_eq!(
        d.reasons[0].signal,
        Signal::ConflictWithMismatchedExpectations {
            person: id(1),
            frequency: ConflictFrequency::Often
        }
    );
    assert_eq!(d.stages.len(), 1);
    assert_eq!(d.stages[0].stage, DisputeStage::Renegotiation);
    assert_eq!(
        d.stages[0].reasons,
        [StageSignal::ActiveArguments {
            frequency: ConflictFrequency::Often
        }]
    );
}

#[test]
fn dispute_stages_impasse_and_dissolution() {
    let p = presets::get("ipt").unwrap();
    let mut mother = person(1, RelationshipType::Parent, PersonStatus::Current, 2);
    mother.conflict.frequency = Some(ConflictFrequency::Rarely);
    mother.conflict.outcome = Some(ConflictOutcome::Dropped);
    mother.contact = Some(ContactFrequency::Rarely);
    mother.expectations.reciprocal = Some(YesNoPartly::No);
    let mut husband = person(2, RelationshipType::Partner, PersonStatus::Current, 1);
    husband.conflict.frequency = Some(ConflictFrequency::Constantly);
    husband.expectations.reciprocal = Some(YesNoPartly::Partly);
    let mut people = friends();
    people.extend([mother, husband]);
    let inv = Inventory {
        people,
        ..Default::default()
    };
    let tl = timeline(
        "2025-04-15",
        vec![event(10, "2025-03-20", LifeEventKind::Separation, &[2])],
    );
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    let d = areas(&s)
        .ranked
        .iter()
        .find(|r| r.area == "dispute")
        .unwrap();
    // Strongest first: the husband (conflict with mismatch), then the mother (quiet mismatch).
    assert_eq!(d.stages[0].person, id(2));
    assert_eq!(d.stages[0].stage, DisputeStage::Dissolution);
    assert_eq!(
        d.stages[0].reasons,
        [StageSignal::Separation { event: id(10) }]
    );
    assert_eq!(d.stages[1].person, id(1));
    assert_eq!(d.stages[1].stage, DisputeStage::Impasse);
    assert_eq!(
        d.stages[1].reasons,
        [
            StageSignal::ArgumentsDropped,
            StageSignal::LittleContact {
                contact: ContactFrequency::Rarely
            },
            StageSignal::QuietDisagreement
        ]
    );
    // The separation near onset is also a life change.
    assert_eq!(codes(&s, "transition"), ["life-change-near-onset"]);
}

#[test]
fn transition_a_new_job_and_a_move_near_onset() {
    let p = presets::get("ipt-b").unwrap();
    let inv = Inventory {
        people: friends(),
        ..Default::default()
    };
    let tl = timeline(
        "2025-04",
        vec![
            event(10, "2025-03", LifeEventKind::JobChange, &[]),
            event(11, "2024-01", LifeEventKind::Move, &[]),
        ],
    );
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["transition"]);
    let t = &areas(&s).ranked[0];
    assert_eq!(
        t.reasons,
        [kith_domain::problem_area::Reason {
            signal: Signal::LifeChangeNearOnset {
                event: id(10),
                kind: LifeEventKind::JobChange,
                weeks_before_onset: 4
            },
            weight: Weight::Strong
        }],
        "the move a year earlier is not near onset"
    );
}

#[test]
fn deficits_only_after_the_others_are_ruled_out() {
    let p = presets::get("ipt").unwrap();
    let lonely = Inventory {
        people: vec![person(
            1,
            RelationshipType::Colleague,
            PersonStatus::Current,
            3,
        )],
        ..Default::default()
    };
    let quiet = timeline("2025-04-15", vec![]);
    let s = suggest(&p, &lonely, &quiet, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["deficits"]);
    let d = &areas(&s).ranked[0];
    assert_eq!(
        codes(&s, "deficits"),
        [
            "few-close-people",
            "others-ruled-out",
            "no-event-near-onset"
        ]
    );
    assert_eq!(
        d.reasons[0].signal,
        Signal::FewClosePeople { close: 0, total: 1 }
    );
    assert_eq!(d.cautions, [Caution::CheckForHiddenGrief]);

    // The same sparse inventory with a death near onset: grief, and deficits is held back.
    let loss = timeline(
        "2025-04-15",
        vec![event(10, "2025-04-01", LifeEventKind::Death, &[])],
    );
    let s = suggest(&p, &lonely, &loss, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["grief"]);
    let held = &areas(&s).held_back;
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].area.as_str(), held[0].why),
        ("deficits", HeldBackWhy::OtherAreasHaveSignals)
    );

    // A full inventory and no event: nothing to suggest.
    let s = suggest(
        &p,
        &Inventory {
            people: friends(),
            ..Default::default()
        },
        &quiet,
        &SuggestionSettings::default(),
    );
    assert!(ranking(&s).is_empty());
}

#[test]
fn ipsrt_grief_for_the_lost_healthy_self() {
    let p = presets::get("ipsrt").unwrap();
    let inv = Inventory {
        people: friends(),
        ..Default::default()
    };
    let mut tl = timeline(
        "2025-05-01",
        vec![event(10, "2025-04-01", LifeEventKind::Illness, &[])],
    );
    tl.episodes.push(kith_domain::timeline::MoodEpisode {
        kind: kith_domain::timeline::EpisodeKind::Manic,
        start: "2023-06".parse().unwrap(),
        end: Some("2023-08".parse().unwrap()),
        severity: String::new(),
        treatment: String::new(),
    });
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["lost-healthy-self", "transition"]);
    assert_eq!(
        codes(&s, "lost-healthy-self"),
        ["own-illness", "past-episodes"]
    );
    assert_eq!(codes(&s, "transition"), ["life-change-near-onset"]);

    // Standard IPT has no such area: only the transition is offered.
    let ipt = presets::get("ipt").unwrap();
    assert_eq!(
        ranking(&suggest(&ipt, &inv, &tl, &SuggestionSettings::default())),
        ["transition"]
    );
}

#[test]
fn a_move_that_strains_a_marriage_ranks_transition_and_dispute() {
    let p = presets::get("ipt").unwrap();
    let mut wife = person(1, RelationshipType::Partner, PersonStatus::Current, 1);
    wife.conflict.frequency = Some(ConflictFrequency::Often);
    wife.expectations.reciprocal = Some(YesNoPartly::No);
    wife.change_around_onset = OnsetChange {
        changed: true,
        date: Some("2025-03".parse().unwrap()),
        description: "arguments since the move".into(),
    };
    let mut people = friends();
    people.push(wife);
    let inv = Inventory {
        people,
        ..Default::default()
    };
    let tl = timeline(
        "2025-04",
        vec![event(10, "2025-02-20", LifeEventKind::Move, &[1])],
    );
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert_eq!(ranking(&s), ["dispute", "transition"]);
    assert_eq!(
        codes(&s, "dispute"),
        [
            "conflict-with-mismatched-expectations",
            "relationship-changed-around-onset"
        ]
    );
    assert_eq!(codes(&s, "transition"), ["life-change-near-onset"]);
    let t = areas(&s)
        .ranked
        .iter()
        .find(|r| r.area == "transition")
        .unwrap();
    assert_eq!(t.reasons[0].signal.event(), Some(id(10)));
    let d = &areas(&s).ranked[0];
    assert_eq!(d.reasons[0].signal.person(), Some(id(1)));
    assert_eq!(d.stages[0].stage, DisputeStage::Renegotiation);
}

#[test]
fn lay_names_come_from_the_protocol_and_dit_gets_an_ipaf_hint() {
    let g = presets::get("ipt-g").unwrap();
    let inv = Inventory {
        people: friends(),
        ..Default::default()
    };
    let tl = timeline(
        "2025-04-15",
        vec![event(10, "2025-04-01", LifeEventKind::JobLoss, &[])],
    );
    let s = suggest(&g, &inv, &tl, &SuggestionSettings::default());
    let top = &areas(&s).ranked[0];
    assert_eq!(top.area, "transition");
    assert_eq!(
        g.problem_area(&top.area)
            .unwrap()
            .label
            .get(kith_domain::locale::Locale::En),
        "Life changes"
    );

    let dit = presets::get("dit").unwrap();
    let mut father = person(1, RelationshipType::Parent, PersonStatus::Current, 2);
    father.past_pattern = "I kept quiet to avoid his anger".into();
    father.origin_of_pattern = true;
    let mut boss = person(2, RelationshipType::Manager, PersonStatus::Current, 3);
    boss.expectations.reciprocal = Some(YesNoPartly::No);
    let inv = Inventory {
        people: vec![father, boss],
        ..Default::default()
    };
    let tl = timeline(
        "2025-04-15",
        vec![
            event(10, "2025-04-01", LifeEventKind::Conflict, &[2]),
            event(11, "2023-05", LifeEventKind::Conflict, &[]),
        ],
    );
    match suggest(&dit, &inv, &tl, &SuggestionSettings::default()) {
        Suggestion::Ipaf(h) => {
            assert_eq!(
                h.patterns,
                [
                    PatternSignal::OriginOfPattern { person: id(1) },
                    PatternSignal::PastPattern { person: id(1) },
                    PatternSignal::MismatchedExpectations { person: id(2) },
                    PatternSignal::RepeatedEvents {
                        kind: LifeEventKind::Conflict,
                        count: 2
                    },
                ]
            );
            assert_eq!(h.events_near_onset, [id(10)]);
        }
        Suggestion::Areas(_) => panic!("DIT has no problem areas"),
    }
}

#[test]
fn without_an_onset_the_suggestion_says_so() {
    let p = presets::get("ipt").unwrap();
    let mut partner = person(1, RelationshipType::Partner, PersonStatus::Current, 1);
    partner.conflict.frequency = Some(ConflictFrequency::Sometimes);
    let inv = Inventory {
        people: vec![partner],
        ..Default::default()
    };
    let tl = Timeline {
        events: vec![event(10, "2025-01", LifeEventKind::Death, &[])],
        ..Default::default()
    };
    let s = suggest(&p, &inv, &tl, &SuggestionSettings::default());
    assert!(areas(&s).onset_missing);
    assert_eq!(
        ranking(&s),
        ["dispute"],
        "no onset: the death cannot be placed near it"
    );
    assert_eq!(codes(&s, "dispute"), ["ongoing-conflict"]);
    // Serialised with stable codes for the web layer.
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["focus"], "areas");
    assert_eq!(
        json["ranked"][0]["reasons"][0]["signal"]["code"],
        "ongoing-conflict"
    );
}
