//! The safety plan structure and its checks.

use kith_domain::safety::{PlanEntry, PlanField, PlanProblem, PlanSection, PlanStatus, SafetyPlan};

#[test]
fn an_empty_plan_cannot_be_completed() {
    let mut plan = SafetyPlan::new();
    assert!(plan.validate().is_ok(), "an empty draft can be saved");
    assert_eq!(plan.mark_complete(), Err(vec![PlanProblem::NothingFilled]));
    assert_eq!(plan.status, PlanStatus::Draft);
}

#[test]
fn one_filled_section_is_enough_to_complete() {
    let mut plan = SafetyPlan::new();
    plan.reasons_for_living
        .push(PlanEntry::text("My sister's children"));
    assert_eq!(plan.mark_complete(), Ok(()));
    assert_eq!(plan.status, PlanStatus::Complete);
}

#[test]
fn sections_are_the_seven_of_the_plan() {
    let codes: Vec<&str> = PlanSection::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes,
        [
            "warning-signs",
            "internal-coping",
            "distractions",
            "help-contacts",
            "professionals",
            "environment-safety",
            "reasons-for-living"
        ]
    );
    let mut plan = SafetyPlan::new();
    for (n, section) in PlanSection::ALL.into_iter().enumerate() {
        plan.section_mut(section)
            .push(PlanEntry::text(format!("entry {n}")));
    }
    for (n, section) in PlanSection::ALL.into_iter().enumerate() {
        assert_eq!(plan.section(section)[0].text, format!("entry {n}"));
    }
}

#[test]
fn lengths_and_phones_are_checked() {
    let mut plan = SafetyPlan::new();
    plan.professionals.push(PlanEntry {
        text: "Crisis line".into(),
        contact: Some("Night team".into()),
        phone: Some("call them".into()),
        hours: Some("x".repeat(101)),
    });
    plan.warning_signs.push(PlanEntry::text("   "));
    plan.internal_coping.push(PlanEntry::text("ñ".repeat(500)));
    let problems = plan.validate().unwrap_err();
    assert!(problems.contains(&PlanProblem::BadPhone {
        section: PlanSection::Professionals,
        entry: 0
    }));
    assert!(problems.contains(&PlanProblem::TooLong {
        section: PlanSection::Professionals,
        entry: 0,
        field: PlanField::Hours,
        max: 100
    }));
    assert!(problems.contains(&PlanProblem::EmptyText {
        section: PlanSection::WarningSigns,
        entry: 0
    }));
    assert_eq!(
        problems.len(),
        3,
        "500 accented letters are within the limit: {problems:?}"
    );
}

#[test]
fn too_many_entries_are_refused() {
    let mut plan = SafetyPlan::new();
    for n in 0..21 {
        plan.distractions.push(PlanEntry::text(format!("walk {n}")));
    }
    assert_eq!(
        plan.validate().unwrap_err(),
        [PlanProblem::TooManyEntries {
            section: PlanSection::Distractions,
            max: 20
        }]
    );
}

#[test]
fn plans_round_trip_through_json_and_refuse_unknown_fields() {
    let mut plan = SafetyPlan::new();
    plan.help_contacts.push(PlanEntry {
        text: "Ana".into(),
        contact: None,
        phone: Some("+34 600 000 000".into()),
        hours: Some("evenings".into()),
    });
    let next = plan.next_version();
    assert_eq!(next.version, 2);
    let json = serde_json::to_string(&next).unwrap();
    let back: SafetyPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, next);
    let tampered = json.replacen("{", "{\"no_suicide_contract\":true,", 1);
    assert!(serde_json::from_str::<SafetyPlan>(&tampered).is_err());
}
