//! A session note's content checked against its template, and the protocol tasks it evidences.

use kith_domain::ids::WorksheetId;
use kith_domain::note::{
    NoteTemplate, PhaseKind, RiskCheck, RiskStatus, RiskUrgency, SectionValue, TaskEvidence,
    note_template,
};
use kith_domain::worksheet::{Completeness, FocusArea, ValueError};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const CA: &str = "0190a5b2-6c1e-7d3a-9f00-0000000000c1";
const GRIEF_REVIEW: &str = "0190a5b2-6c1e-7d3a-9f00-0000000000c2";

fn grief_middle() -> &'static NoteTemplate {
    note_template(PhaseKind::Middle, Some(FocusArea::Grief))
}

/// Session 7 of a grief course.
fn session_seven() -> Value {
    json!({
        "since-last": "Went to her mother's grave for the first time since the funeral, with her brother.",
        "mood": 4,
        "mood-events": "Mood dipped after the visit, then lifted after talking with her brother that evening.",
        "strategy": "Went through the last weeks in hospital. She spoke of anger at the doctors and at her mother for refusing treatment, then of guilt about feeling angry.",
        "grief-steps": ["relationship-review", "death-events", "avoided-feelings"],
        "techniques": ["exploration", "encouragement-of-affect"],
        "worksheets": [GRIEF_REVIEW],
        "between-sessions": "She wrote two pages of the relationship review. Agreed: call her aunt this week.",
        "goals": "",
        "reminders": ["sessions-left"],
        "risk": { "status": "no-risk-identified" },
        "plan": "Continue the review: the good years."
    })
}

fn check(
    t: &NoteTemplate,
    v: &Value,
    c: Completeness,
) -> Result<kith_domain::note::NoteContent, Vec<ValueError>> {
    t.validate(v, c)
}

#[test]
fn a_realistic_grief_note_passes_and_shows_what_was_done() {
    let t = grief_middle();
    let content = check(t, &session_seven(), Completeness::Complete).unwrap();
    // The empty goals section is simply empty.
    assert!(content.get("goals").is_none());
    assert_eq!(content.get("mood"), Some(&SectionValue::Mood(4)));

    let ticked = t.ticked_tasks(&content);
    let expected: BTreeSet<String> = [
        "since-last-met",
        "since-last-met",
        "area-work",
        "technique",
        "between-sessions",
        "risk-check",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(ticked, expected);
    // Not done this session: goals not reviewed, and the ending not yet raised.
    assert!(!ticked.contains("goal-progress"));
    assert!(!ticked.contains("raise-ending"));

    // Each task names the section and item that show it.
    let evidence = t.evidence(&content);
    let strategy: Vec<&TaskEvidence> = evidence.iter().filter(|e| e.task == "area-work").collect();
    let from: Vec<(&str, Option<&str>)> = strategy
        .iter()
        .map(|e| (e.section.as_str(), e.item.as_deref()))
        .collect();
    assert_eq!(
        from,
        [
            ("strategy", None),
            ("grief-steps", Some("relationship-review")),
            ("grief-steps", Some("death-events")),
            ("grief-steps", Some("avoided-feelings")),
        ]
    );

    assert!(!content.risk_identified());
    assert_eq!(
        content.worksheet_links(),
        [(
            "worksheets[0]".to_string(),
            WorksheetId(GRIEF_REVIEW.parse().unwrap())
        )]
    );
}

#[test]
fn an_initial_session_ticks_its_tasks_from_text_and_checklist() {
    let t = note_template(PhaseKind::Initial, None);
    let note = json!({
        "symptoms": "PHQ-9 19; low mood and poor sleep since March.",
        "diagnosis": "Major depressive episode, moderate to severe; named and explained.",
        "psychoeducation": "Depression as a common illness that responds to treatment.",
        "sick-role": "She will ask her manager for lighter duties for a month.",
        "inventory": "Covered her husband and sister; mother (deceased) next time.",
        "initial-tasks": ["timeline", "area-chosen"],
        "risk": { "status": "not-assessed" }
    });
    let content = check(t, &note, Completeness::Complete).unwrap();
    let ticked = t.ticked_tasks(&content);
    let got: Vec<&str> = ticked.iter().map(String::as_str).collect();
    assert_eq!(
        got,
        [
            "choose-problem-area",
            "interpersonal-inventory",
            "name-diagnosis",
            "psychoeducation",
            "review-symptoms",
            "sick-role",
            "timeline",
        ]
    );
    // A risk check marked "not assessed" does not count as the risk screen.
    assert!(!ticked.contains("risk-check"));
    // Medication was not discussed, the formulation not yet shared.
    assert!(!ticked.contains("medication-review"));
    assert!(!ticked.contains("share-formulation"));
}

#[test]
fn a_termination_note_ticks_the_ending_tasks() {
    let t = note_template(PhaseKind::Termination, None);
    let note = json!({
        "ending": "Two sessions left; last one on 12 May. She said she feels ready but a little scared.",
        "symptom-change": "PHQ-9 from 19 to 6.",
        "gains": "She now tells her husband when she needs help; she credits herself for going back to choir.",
        "feelings": "Sad to stop, and proud.",
        "relapse-plan": "Warning signs: sleeping late, cancelling choir.",
        "worksheets": [CA],
        "next-step": "Monthly maintenance for six months.",
        "risk": { "status": "no-risk-identified" }
    });
    let content = check(t, &note, Completeness::Complete).unwrap();
    let ticked = t.ticked_tasks(&content);
    for task in [
        "raise-ending",
        "review-change",
        "credit-gains",
        "ending-feelings",
        "relapse-plan",
        "next-step",
        "risk-check",
    ] {
        assert!(ticked.contains(task), "{task}");
    }
}

fn codes_at(errors: &[ValueError], path: &str) -> Vec<&'static str> {
    errors
        .iter()
        .filter(|e| e.path == path)
        .map(|e| e.problem.code())
        .collect()
}

/// What is wrong, how to break the note, where the problem shows, and its code.
type Case<'a> = (&'a str, &'a dyn Fn(&mut Value), &'a str, &'a str);

#[test]
fn each_kind_of_mistake_is_named_with_its_path() {
    let t = grief_middle();
    let cases: Vec<Case> = vec![
        (
            "unknown section",
            &|v| v["homework"] = json!("x"),
            ".",
            "field-unknown",
        ),
        (
            "required section missing",
            &|v| {
                v.as_object_mut().unwrap().remove("since-last");
            },
            "since-last",
            "field-required",
        ),
        (
            "text too long",
            &|v| v["plan"] = json!("x".repeat(10_001)),
            "plan",
            "field-too-long",
        ),
        (
            "text as a number",
            &|v| v["plan"] = json!(5),
            "plan",
            "field-wrong-type",
        ),
        (
            "mood above the range",
            &|v| v["mood"] = json!(11),
            "mood",
            "field-out-of-range",
        ),
        (
            "mood as text",
            &|v| v["mood"] = json!("good"),
            "mood",
            "field-wrong-type",
        ),
        (
            "unknown checklist item",
            &|v| v["grief-steps"] = json!(["relationship-review", "forgiveness"]),
            "grief-steps[1]",
            "field-unknown-option",
        ),
        (
            "checklist item from another template",
            &|v| v["grief-steps"] = json!(["stage"]),
            "grief-steps[0]",
            "field-unknown-option",
        ),
        (
            "technique twice",
            &|v| v["techniques"] = json!(["role-play", "role-play"]),
            "techniques[1]",
            "field-duplicate",
        ),
        (
            "checklist as text",
            &|v| v["reminders"] = json!("sessions-left"),
            "reminders",
            "field-wrong-type",
        ),
        (
            "worksheet link that is not an id",
            &|v| v["worksheets"] = json!(["grief review"]),
            "worksheets[0]",
            "field-bad-format",
        ),
        (
            "risk without a status",
            &|v| v["risk"] = json!({ "actions": "none" }),
            "risk.status",
            "field-required",
        ),
        (
            "risk with an unknown status",
            &|v| v["risk"] = json!({ "status": "fine" }),
            "risk.status",
            "field-unknown-option",
        ),
        (
            "risk with an unknown key",
            &|v| v["risk"] = json!({ "status": "no-risk-identified", "level": 2 }),
            "risk",
            "field-unknown",
        ),
        (
            "risk identified without actions",
            &|v| v["risk"] = json!({ "status": "risk-identified" }),
            "risk.actions",
            "field-actions-required",
        ),
        (
            "risk identified without its urgency",
            &|v| {
                v["risk"] =
                    json!({ "status": "risk-identified", "actions": "Called the crisis team." })
            },
            "risk.urgency",
            "field-required",
        ),
        (
            "an urgency that does not exist",
            &|v| {
                v["risk"] =
                    json!({ "status": "risk-identified", "actions": "Called.", "urgency": "soon" })
            },
            "risk.urgency",
            "field-unknown-option",
        ),
        (
            "risk given as text",
            &|v| v["risk"] = json!("no risk"),
            "risk",
            "field-wrong-type",
        ),
    ];
    for (what, change, path, code) in cases {
        let mut v = session_seven();
        change(&mut v);
        let errors = check(t, &v, Completeness::Complete).expect_err(what);
        assert!(
            codes_at(&errors, path).contains(&code),
            "{what}: expected {code} at {path}, got {errors:?}"
        );
        for e in &errors {
            assert!(t.has_path(&e.path), "{what}: unknown path {}", e.path);
        }
    }
}

#[test]
fn drafts_may_be_incomplete_but_identified_risk_is_always_seen() {
    let t = grief_middle();
    // Identified risk raises an alert when the draft is saved: its urgency cannot wait.
    let without = json!({ "risk": { "status": "risk-identified" } });
    let errors = check(t, &without, Completeness::Draft).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "risk.urgency");
    let draft = json!({ "risk": { "status": "risk-identified", "urgency": "urgent" } });
    let content = check(t, &draft, Completeness::Draft).unwrap();
    assert!(content.risk_identified());
    assert_eq!(
        t.ticked_tasks(&content),
        BTreeSet::from(["risk-check".to_string()])
    );
    // Signing needs the required sections and what was done about the risk.
    let errors = check(t, &draft, Completeness::Complete).unwrap_err();
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        listed,
        [
            "since-last: required",
            "strategy: required",
            "risk.actions: the actions taken are required",
        ]
    );
    let signed = json!({
        "since-last": "Hard week.",
        "strategy": "Talked about the funeral.",
        "risk": { "status": "risk-identified", "urgency": "urgent", "actions": "Safety plan reviewed; crisis line number given; GP informed." }
    });
    let content = check(t, &signed, Completeness::Complete).unwrap();
    assert_eq!(
        content.get("risk"),
        Some(&SectionValue::Risk(RiskCheck {
            status: RiskStatus::RiskIdentified,
            actions: Some("Safety plan reviewed; crisis line number given; GP informed.".into()),
            urgency: Some(RiskUrgency::Urgent),
        }))
    );
}

#[test]
fn content_comes_back_in_the_same_shape() {
    let t = grief_middle();
    let content = check(t, &session_seven(), Completeness::Complete).unwrap();
    let again = check(t, &content.to_json(), Completeness::Complete).unwrap();
    assert_eq!(content, again);
    assert_eq!(serde_json::to_value(&content).unwrap(), content.to_json());
}

fn note_json() -> impl Strategy<Value = Value> {
    let mut keys: Vec<String> = vec!["status".into(), "actions".into(), "colour".into()];
    let mut strings: Vec<String> = vec![
        "".into(),
        "risk-identified".into(),
        "no-risk-identified".into(),
        "not-assessed".into(),
        CA.into(),
        "x".into(),
    ];
    for t in kith_domain::note::NoteLibrary::builtin().iter() {
        for s in t.sections() {
            keys.push(s.id.clone());
            strings.extend(s.items.iter().map(|i| i.id.clone()));
            strings.extend(s.options.iter().map(|o| o.id.clone()));
        }
    }
    keys.sort();
    keys.dedup();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..14).prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(strings).prop_map(Value::String),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys.clone()), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn note_validation_never_panics_and_paths_exist(which in 0usize..13, input in note_json(), draft in any::<bool>()) {
        let lib = kith_domain::note::NoteLibrary::builtin();
        let list: Vec<&NoteTemplate> = lib.iter().collect();
        let t = list[which % list.len()];
        let mode = if draft { Completeness::Draft } else { Completeness::Complete };
        match t.validate(&input, mode) {
            Ok(content) => {
                prop_assert_eq!(t.validate(&content.to_json(), mode).unwrap(), content.clone());
                for task in t.ticked_tasks(&content) {
                    prop_assert!(t.tickable_tasks().contains(task.as_str()));
                }
            }
            Err(errors) => {
                for e in &errors {
                    prop_assert!(t.has_path(&e.path), "{}: unknown path {}", t.id(), e.path);
                }
            }
        }
    }
}
