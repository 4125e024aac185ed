//! Filled-in worksheets checked against their definitions: realistic worksheets pass, and each
//! kind of mistake is refused naming the field path.

use kith_domain::ids::{ClientId, CourseId, GoalId, PersonId, SessionId, WorksheetId};
use kith_domain::worksheet::{
    Author, CommonProblem, Completeness, FieldValue, FocusArea, Target, ValueError, ValueProblem,
    Worksheet, WorksheetCommon, WorksheetLibrary, WorksheetStatus, WorksheetValues,
    WorksheetVisibility, YesNoUnsure,
};
use serde_json::{Value, json};
use time::macros::{date, datetime};
use uuid::Uuid;

const SISTER: &str = "0190a5b2-6c1e-7d3a-9f00-000000000001";
const MOTHER: &str = "0190a5b2-6c1e-7d3a-9f00-000000000002";
const FRIEND: &str = "0190a5b2-6c1e-7d3a-9f00-000000000003";
const GOAL: &str = "0190a5b2-6c1e-7d3a-9f00-0000000000aa";

fn ws(id: &str) -> &'static Worksheet {
    WorksheetLibrary::builtin().get(id).unwrap()
}

fn person(s: &str) -> PersonId {
    PersonId(s.parse::<Uuid>().unwrap())
}

fn communication_analysis() -> Value {
    json!({
        "when": "2026-02-14T19:30",
        "place": "Kitchen at my sister's flat",
        "other_person": SISTER,
        "before": "We had just finished dinner; she was tired after a long shift.",
        "what_i_wanted": "I wanted her to know I felt left out of the plans for Mum's birthday.",
        "steps": [
            {
                "speaker": "me",
                "words": "So you've booked the restaurant already?",
                "tone": "quiet, a bit sharp",
                "what_i_felt": "hurt",
                "what_they_meant": ""
            },
            {
                "speaker": "them",
                "words": "Yes, I told you last week. You never answer your phone.",
                "tone": "loud",
                "body_language": "turned away, loading the dishwasher",
                "what_i_felt": "blamed, then angry",
                "what_they_meant": "She was fed up doing everything on her own."
            },
            {
                "speaker": "me",
                "words": "Fine. Do what you want.",
                "what_i_felt": "like giving up"
            }
        ],
        "how_it_ended": "I left early. We have not spoken since.",
        "mood_after": 2,
        "my_message_understood": "no",
        "i_understood_them": "unsure",
        "problems_noticed": ["indirect", "assumed-they-knew", "gave-up"],
        "alternatives": [
            { "idea": "Say that I want to help organise, not just turn up." },
            { "idea": "Ask her if she is feeling left alone with it." }
        ],
        "practise_in_role_play": true,
        "try_by": "2026-02-21"
    })
}

fn decision_analysis() -> Value {
    json!({
        "problem": "My partner wants us to move closer to his parents; I would lose my friends here.",
        "hoped_outcome": "A decision we both can live with, made together.",
        "linked_goal": GOAL,
        "people_involved": [SISTER, FRIEND],
        "options": [
            {
                "option": "Move this summer",
                "pros": "He would be happier; help with the children.",
                "cons": "I would be far from everyone I know.",
                "likely_reaction": "Relieved",
                "doable": 3
            },
            {
                "option": "Stay, and visit his parents monthly",
                "pros": "I keep my job and friends.",
                "cons": "Costly; he may feel unheard.",
                "doable": 4
            },
            { "option": "Do nothing for now", "cons": "The arguments go on.", "doable": 5 }
        ],
        "chosen_option": "Stay, and visit his parents monthly",
        "first_step": "Ask him for an evening to talk it through without the children.",
        "first_step_date": "2026-03-02",
        "obstacles": "He may refuse to discuss it again; then I will suggest talking at the weekend.",
        "role_played": true,
        "mood_before": 3
    })
}

fn relapse_plan() -> Value {
    json!({
        "gains": "I talk to Ana when I am upset instead of going quiet. I went back to choir.",
        "warning_signs": [
            { "sign": "Sleeping past ten" },
            { "sign": "Not answering messages" },
            { "sign": "Cancelling choir" }
        ],
        "triggers": [
            { "trigger": "Arguments about money", "person": SISTER },
            { "trigger": "The anniversary of Mum's death in October", "person": MOTHER }
        ],
        "what_helps": [
            { "action": "A walk with Ana" },
            { "action": "Saying what I need, early" }
        ],
        "contacts": [
            { "person": FRIEND, "how_to_reach": "phone" },
            { "name_or_service": "GP surgery", "how_to_reach": "0161 000 0000" }
        ],
        "next_step": "maintenance",
        "next_step_date": "2026-06-01",
        "next_step_notes": "Monthly sessions for six months, then review."
    })
}

fn pass(id: &str, values: &Value) -> WorksheetValues {
    ws(id)
        .validate(values, Completeness::Complete)
        .unwrap_or_else(|e| panic!("{id} refused: {e:?}"))
}

fn fail(id: &str, values: &Value, completeness: Completeness) -> Vec<ValueError> {
    ws(id)
        .validate(values, completeness)
        .expect_err("values should be refused")
}

fn codes_at(errors: &[ValueError], path: &str) -> Vec<&'static str> {
    errors
        .iter()
        .filter(|e| e.path == path)
        .map(|e| e.problem.code())
        .collect()
}

#[test]
fn a_realistic_communication_analysis_passes() {
    let v = pass("communication-analysis", &communication_analysis());
    assert_eq!(
        v.get("when"),
        Some(&FieldValue::Datetime(datetime!(2026-02-14 19:30)))
    );
    assert_eq!(v.get("mood_after"), Some(&FieldValue::Integer(2)));
    assert_eq!(
        v.get("i_understood_them"),
        Some(&FieldValue::YesNoUnsure(YesNoUnsure::Unsure))
    );
    let Some(FieldValue::Group(steps)) = v.get("steps") else {
        panic!("steps")
    };
    assert_eq!(steps.len(), 3);
    // An empty answer inside a step is simply not answered.
    assert!(!steps[0].contains_key("what_they_meant"));
    assert_eq!(
        steps[1].get("what_i_felt"),
        Some(&FieldValue::Text("blamed, then angry".into()))
    );
    assert_eq!(
        v.person_ids().into_iter().collect::<Vec<_>>(),
        [person(SISTER)]
    );
}

#[test]
fn a_realistic_decision_analysis_passes_and_lists_its_links() {
    let v = pass("decision-analysis", &decision_analysis());
    let refs: Vec<(String, Target)> = v
        .references()
        .into_iter()
        .map(|r| (r.path, r.target))
        .collect();
    assert_eq!(
        refs,
        [
            (
                "linked_goal".to_string(),
                Target::Goal(GoalId(GOAL.parse().unwrap()))
            ),
            (
                "people_involved[0]".to_string(),
                Target::Person(person(SISTER))
            ),
            (
                "people_involved[1]".to_string(),
                Target::Person(person(FRIEND))
            ),
        ]
    );
    assert_eq!(v.goal_ids().len(), 1);
    assert_eq!(v.person_ids().len(), 2);
}

#[test]
fn a_realistic_relapse_prevention_plan_passes() {
    let v = pass("relapse-prevention-plan", &relapse_plan());
    assert_eq!(
        v.get("next_step"),
        Some(&FieldValue::Choice("maintenance".into()))
    );
    assert_eq!(
        v.get("next_step_date"),
        Some(&FieldValue::Date(date!(2026 - 06 - 01)))
    );
    let paths: Vec<String> = v.references().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "contacts[0].person",
            "triggers[0].person",
            "triggers[1].person"
        ]
    );
    assert_eq!(v.person_ids().len(), 3);
}

#[test]
fn checked_values_come_back_in_the_same_shape() {
    for (id, values) in [
        ("communication-analysis", communication_analysis()),
        ("decision-analysis", decision_analysis()),
        ("relapse-prevention-plan", relapse_plan()),
    ] {
        let checked = pass(id, &values);
        let again = pass(id, &checked.to_json());
        assert_eq!(checked, again, "{id}");
        assert_eq!(serde_json::to_value(&checked).unwrap(), checked.to_json());
    }
}

#[test]
fn a_draft_may_leave_required_fields_empty_but_not_break_the_rules() {
    let draft = json!({ "other_person": SISTER, "steps": [{ "speaker": "me" }] });
    let v = ws("communication-analysis")
        .validate(&draft, Completeness::Draft)
        .unwrap();
    assert!(v.get("what_i_wanted").is_none());

    // Marking it complete names each missing required answer.
    let errors = fail("communication-analysis", &draft, Completeness::Complete);
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        listed,
        ["what_i_wanted: required", "steps[0].words: required"]
    );

    // Even a draft may not hold a wrong value.
    let wrong = json!({ "mood_after": 11 });
    let errors = fail("communication-analysis", &wrong, Completeness::Draft);
    assert_eq!(codes_at(&errors, "mood_after"), ["field-out-of-range"]);
}

#[test]
fn each_kind_of_mistake_is_named_with_its_path() {
    let long = "x".repeat(301);
    let mut cases: Vec<(&str, &str, Value, &str, &str)> = Vec::new();
    let mut ca = |what, change: &dyn Fn(&mut Value), path, code| {
        let mut v = communication_analysis();
        change(&mut v);
        cases.push(("communication-analysis", what, v, path, code));
    };
    ca(
        "missing required",
        &|v| {
            v.as_object_mut().unwrap().remove("other_person");
        },
        "other_person",
        "field-required",
    );
    ca(
        "blank required text",
        &|v| v["what_i_wanted"] = json!("   "),
        "what_i_wanted",
        "field-required",
    );
    ca(
        "over-long text inside a step",
        &|v| v["steps"][2]["what_i_felt"] = json!(long.clone()),
        "steps[2].what_i_felt",
        "field-too-long",
    );
    ca(
        "number where text belongs",
        &|v| v["place"] = json!(12),
        "place",
        "field-wrong-type",
    );
    ca(
        "text where a scale belongs",
        &|v| v["mood_after"] = json!("7"),
        "mood_after",
        "field-wrong-type",
    );
    ca(
        "fraction on a scale",
        &|v| v["mood_after"] = json!(6.5),
        "mood_after",
        "field-wrong-type",
    );
    ca(
        "scale above 10",
        &|v| v["mood_after"] = json!(11),
        "mood_after",
        "field-out-of-range",
    );
    ca(
        "scale below 0",
        &|v| v["mood_after"] = json!(-1),
        "mood_after",
        "field-out-of-range",
    );
    ca(
        "unknown field at the top",
        &|v| v["colour"] = json!("blue"),
        ".",
        "field-unknown",
    );
    ca(
        "unknown field in a step",
        &|v| v["steps"][1]["volume"] = json!(9),
        "steps[1]",
        "field-unknown",
    );
    ca(
        "bad option",
        &|v| v["steps"][0]["speaker"] = json!("narrator"),
        "steps[0].speaker",
        "field-unknown-option",
    );
    ca(
        "bad option in a multi-choice",
        &|v| v["problems_noticed"] = json!(["indirect", "shouting"]),
        "problems_noticed[1]",
        "field-unknown-option",
    );
    ca(
        "option twice",
        &|v| v["problems_noticed"] = json!(["gave-up", "gave-up"]),
        "problems_noticed[1]",
        "field-duplicate",
    );
    ca(
        "yes/no/unsure answered with a boolean",
        &|v| v["my_message_understood"] = json!(true),
        "my_message_understood",
        "field-wrong-type",
    );
    ca(
        "yes/no/unsure answered with maybe",
        &|v| v["my_message_understood"] = json!("maybe"),
        "my_message_understood",
        "field-unknown-option",
    );
    ca(
        "yes/no answered in words",
        &|v| v["practise_in_role_play"] = json!("yes"),
        "practise_in_role_play",
        "field-wrong-type",
    );
    ca(
        "impossible date",
        &|v| v["try_by"] = json!("2026-02-30"),
        "try_by",
        "field-bad-format",
    );
    ca(
        "date and time with a zone",
        &|v| v["when"] = json!("2026-02-14T19:30:00Z"),
        "when",
        "field-bad-format",
    );
    ca(
        "person that is not an id",
        &|v| v["other_person"] = json!("my sister"),
        "other_person",
        "field-bad-format",
    );
    ca(
        "steps not a list",
        &|v| v["steps"] = json!({ "speaker": "me" }),
        "steps",
        "field-wrong-type",
    );
    ca(
        "a step that is not an object",
        &|v| v["steps"][1] = json!("she shouted"),
        "steps[1]",
        "field-wrong-type",
    );
    ca(
        "control characters in short text",
        &|v| v["place"] = json!("kitchen\u{7}"),
        "place",
        "field-control-characters",
    );
    ca(
        "line break in short text",
        &|v| v["place"] = json!("kitchen\nhall"),
        "place",
        "field-control-characters",
    );
    ca(
        "too many alternatives",
        &|v| v["alternatives"] = json!(vec![json!({ "idea": "x" }); 11]),
        "alternatives",
        "field-too-many-entries",
    );
    let mut da = decision_analysis();
    da["options"][1]["doable"] = json!(9);
    cases.push((
        "decision-analysis",
        "feasibility above 5",
        da,
        "options[1].doable",
        "field-out-of-range",
    ));
    let mut da = decision_analysis();
    da["people_involved"] = json!([SISTER, SISTER]);
    cases.push((
        "decision-analysis",
        "same person twice",
        da,
        "people_involved[1]",
        "field-duplicate",
    ));
    let mut da = decision_analysis();
    da["linked_goal"] = json!(42);
    cases.push((
        "decision-analysis",
        "goal given as a number",
        da,
        "linked_goal",
        "field-wrong-type",
    ));
    let mut rp = relapse_plan();
    rp["next_step"] = json!("retire");
    cases.push((
        "relapse-prevention-plan",
        "unknown next step",
        rp,
        "next_step",
        "field-unknown-option",
    ));
    let mut rp = relapse_plan();
    rp.as_object_mut().unwrap().remove("next_step_date");
    cases.push((
        "relapse-prevention-plan",
        "next step without a date",
        rp,
        "next_step_date",
        "field-required",
    ));
    let mut rp = relapse_plan();
    rp["warning_signs"] = json!([]);
    cases.push((
        "relapse-prevention-plan",
        "no warning signs",
        rp,
        "warning_signs",
        "field-required",
    ));
    let mut rp = relapse_plan();
    rp["warning_signs"][1]["sign"] = json!(null);
    cases.push((
        "relapse-prevention-plan",
        "an empty warning sign",
        rp,
        "warning_signs[1].sign",
        "field-required",
    ));
    let mut srd = json!({
        "week_starting": "2026-03-02",
        "days": [{ "date": "2026-03-02", "out_of_bed": "07:15", "out_of_bed_people": 4, "mood": 0 }]
    });
    cases.push((
        "social-rhythm-diary",
        "people involvement above 3",
        srd.clone(),
        "days[0].out_of_bed_people",
        "field-out-of-range",
    ));
    srd["days"][0]["out_of_bed_people"] = json!(1);
    srd["days"][0]["to_bed"] = json!("25:10");
    cases.push((
        "social-rhythm-diary",
        "impossible clock time",
        srd.clone(),
        "days[0].to_bed",
        "field-bad-format",
    ));
    srd["days"][0]["to_bed"] = json!("23:10");
    srd["days"][0]["mood"] = json!(-6);
    cases.push((
        "social-rhythm-diary",
        "mood below −5",
        srd,
        "days[0].mood",
        "field-out-of-range",
    ));

    for (id, what, values, path, code) in cases {
        let errors = fail(id, &values, Completeness::Complete);
        assert!(
            codes_at(&errors, path).contains(&code),
            "{id} / {what}: expected {code} at {path}, got {errors:?}"
        );
        for e in &errors {
            assert!(ws(id).has_path(&e.path), "{what}: path {} unknown", e.path);
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut v = communication_analysis();
    v["mood_after"] = json!(12);
    v["steps"][0]["speaker"] = json!("narrator");
    v["steps"][2]["words"] = json!("");
    v["colour"] = json!("blue");
    let errors = fail("communication-analysis", &v, Completeness::Complete);
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        listed,
        [
            "steps[0].speaker: unknown option `narrator`",
            "steps[2].words: required",
            "mood_after: 12 is outside 0..10",
            ".: unknown field `colour`",
        ]
    );
}

#[test]
fn text_is_normalised() {
    let mut v = communication_analysis();
    v["place"] = json!("  Cafe\u{301} on the corner  ");
    v["before"] = json!("First line\r\nsecond line");
    let checked = pass("communication-analysis", &v);
    assert_eq!(
        checked.get("place"),
        Some(&FieldValue::Text("Café on the corner".into()))
    );
    assert_eq!(
        checked.get("before"),
        Some(&FieldValue::Text("First line\nsecond line".into()))
    );
}

#[test]
fn not_an_object_at_all() {
    for bad in [json!(null), json!([1, 2]), json!("text"), json!(3)] {
        let errors = fail("role-play", &bad, Completeness::Draft);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, ".");
        assert_eq!(
            errors[0].problem,
            ValueProblem::WrongType { expected: "object" }
        );
    }
}

fn common(worksheet: &Worksheet) -> WorksheetCommon {
    let id = |n: u128| Uuid::from_u128(n);
    WorksheetCommon {
        id: WorksheetId(id(1)),
        worksheet: worksheet.id().to_string(),
        version: worksheet.version().to_string(),
        client_id: ClientId(id(2)),
        course_id: CourseId(id(3)),
        session_id: Some(SessionId(id(4))),
        problem_area: Some(FocusArea::Dispute),
        created_by: Author::Client,
        created_at: datetime!(2026-02-14 20:00 UTC),
        updated_at: datetime!(2026-02-15 09:00 UTC),
        status: WorksheetStatus::Complete,
        visibility: WorksheetVisibility::Shared,
        due: Some(date!(2026 - 02 - 21)),
        clinician_comment: None,
    }
}

#[test]
fn common_fields_follow_the_rules() {
    let ca = ws("communication-analysis");
    assert_eq!(ca.check_common(&common(ca)), []);

    // The emotion log is the client's own; a clinician does not start one.
    let log = ws("emotion-log");
    let mut c = common(log);
    c.created_by = Author::Clinician;
    c.visibility = WorksheetVisibility::ClinicianPrivate;
    assert_eq!(
        log.check_common(&c),
        [CommonProblem::AuthorNotAllowed {
            filled_by: kith_domain::worksheet::FilledBy::Client
        }]
    );

    let mut c = common(ca);
    c.visibility = WorksheetVisibility::ClinicianPrivate;
    c.version = "0".into();
    c.updated_at = datetime!(2026-02-13 09:00 UTC);
    c.clinician_comment = Some("x".repeat(4001));
    let codes: Vec<&str> = ca.check_common(&c).iter().map(|p| p.code()).collect();
    assert_eq!(
        codes,
        [
            "worksheet-wrong-definition",
            "worksheet-client-work-private",
            "worksheet-updated-before-created",
            "worksheet-comment",
        ]
    );

    // The common fields read and write as JSON, with times in RFC 3339.
    let json = serde_json::to_value(common(ca)).unwrap();
    assert_eq!(json["created_at"], "2026-02-14T20:00:00Z");
    assert_eq!(json["visibility"], "shared");
    let back: WorksheetCommon = serde_json::from_value(json).unwrap();
    assert_eq!(back, common(ca));
}

#[test]
fn status_moves_and_what_each_status_requires() {
    use Author::*;
    use WorksheetStatus::*;
    assert!(Draft.may_move_to(Complete, Client));
    assert!(Complete.may_move_to(Draft, Client));
    assert!(Complete.may_move_to(Reviewed, Clinician));
    assert!(!Complete.may_move_to(Reviewed, Client));
    assert!(!Draft.may_move_to(Reviewed, Clinician));
    assert!(!Reviewed.may_move_to(Draft, Clinician));
    assert_eq!(Draft.completeness(), Completeness::Draft);
    assert_eq!(Reviewed.completeness(), Completeness::Complete);
}
