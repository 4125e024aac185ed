//! Loading and validating instrument definition files.

use kith_domain::locale::Locale;
use kith_domain::measure::definition::BUILTIN_SOURCES;
use kith_domain::measure::{
    DefinitionError, Instrument, InstrumentLibrary, LicenceStatus, Respondent, Score, Wording,
};

const PHQ9: &str = include_str!("../instruments/phq9.toml");

fn errors_of(source: &str) -> Vec<DefinitionError> {
    Instrument::from_toml(source).expect_err("definition should be refused")
}

fn has(errors: &[DefinitionError], path: &str, code: &str) -> bool {
    errors
        .iter()
        .any(|e| e.path == path && e.problem.code() == code)
}

#[test]
fn every_shipped_instrument_loads() {
    for (name, source) in BUILTIN_SOURCES {
        if let Err(errors) = Instrument::from_toml(source) {
            panic!("{name}: {errors:?}");
        }
    }
    let lib = InstrumentLibrary::builtin();
    let ids: Vec<&str> = lib.ids().collect();
    assert_eq!(
        ids,
        [
            "epds", "gad7", "hamd17", "mood", "phq9", "phqa", "srm5", "wsas"
        ]
    );
}

#[test]
fn score_ranges_match_the_reference() {
    let lib = InstrumentLibrary::builtin();
    let range = |id: &str| lib.get(id).unwrap().range();
    assert_eq!(range("phq9"), (Score::whole(0), Score::whole(27)));
    assert_eq!(range("phqa"), (Score::whole(0), Score::whole(27)));
    assert_eq!(range("gad7"), (Score::whole(0), Score::whole(21)));
    assert_eq!(range("hamd17"), (Score::whole(0), Score::whole(52)));
    assert_eq!(range("epds"), (Score::whole(0), Score::whole(30)));
    assert_eq!(range("wsas"), (Score::whole(0), Score::whole(40)));
    assert_eq!(range("srm5"), (Score::whole(0), Score::whole(7)));
    assert_eq!(range("mood"), (Score::whole(0), Score::whole(10)));
}

#[test]
fn hamd_items_have_the_published_ranges() {
    let hamd = InstrumentLibrary::builtin().get("hamd17").unwrap();
    assert_eq!(hamd.def().respondent, Respondent::Clinician);
    let four: Vec<&str> = hamd
        .items()
        .iter()
        .filter(|i| hamd.item_bounds(i) == Some((0, 4)))
        .map(|i| i.id.as_str())
        .collect();
    let two: Vec<&str> = hamd
        .items()
        .iter()
        .filter(|i| hamd.item_bounds(i) == Some((0, 2)))
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(four, ["1", "2", "3", "7", "8", "9", "10", "11", "15"]);
    assert_eq!(two, ["4", "5", "6", "12", "13", "14", "16", "17"]);
}

#[test]
fn wording_is_shipped_only_for_free_instruments() {
    for instrument in InstrumentLibrary::builtin().iter() {
        let def = instrument.def();
        let has_text = def.items.iter().any(|i| i.text.is_some());
        match def.licence.status {
            LicenceStatus::PublicDomain | LicenceStatus::Free => {
                assert_eq!(def.licence.wording, Wording::Included, "{}", def.id);
                for item in &def.items {
                    let text = item.text.as_ref().expect("item text");
                    assert!(text.missing().is_empty(), "{} item {}", def.id, item.id);
                }
            }
            LicenceStatus::Licensed | LicenceStatus::Unverified => {
                assert_ne!(def.licence.wording, Wording::Included, "{}", def.id);
                if def.licence.wording == Wording::SuppliedByLicensedClinic {
                    assert!(!has_text, "{} ships item text", def.id);
                    assert!(!instrument.may_show_wording());
                }
            }
            LicenceStatus::KithOwn => {}
        }
    }
    let lib = InstrumentLibrary::builtin();
    for id in ["hamd17", "epds", "wsas"] {
        assert!(!lib.get(id).unwrap().may_show_wording(), "{id}");
    }
    for id in ["phq9", "phqa", "gad7"] {
        assert!(lib.get(id).unwrap().may_show_wording(), "{id}");
    }
}

#[test]
fn phq9_item_nine_reads_in_both_languages() {
    let phq = InstrumentLibrary::builtin().get("phq9").unwrap();
    let nine = phq.item("9").unwrap().text.as_ref().unwrap();
    assert!(nine.get(Locale::En).contains("better off dead"));
    assert!(nine.get(Locale::Es).contains("mejor muerto"));
}

#[test]
fn unknown_key_is_named_with_its_path() {
    let source = PHQ9.replacen("id = \"3\"\n", "id = \"3\"\ncolour = \"red\"\n", 1);
    let errors = errors_of(&source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].problem.code(), "unknown-key");
    assert_eq!(errors[0].path, "items[2].colour", "{errors:?}");
}

#[test]
fn top_level_unknown_key_is_named() {
    let source = format!("flavour = 1\n{PHQ9}");
    let errors = errors_of(&source);
    assert_eq!(errors[0].path, "flavour", "{errors:?}");
}

#[test]
fn wrong_type_is_named_with_its_path() {
    let source = PHQ9.replacen("min = 5\n", "min = \"five\"\n", 1);
    let errors = errors_of(&source);
    assert_eq!(errors[0].path, "bands[1].min", "{errors:?}");
    assert_eq!(errors[0].problem.code(), "syntax");
}

#[test]
fn gap_between_bands_is_refused() {
    let source = PHQ9.replacen("min = 10\n", "min = 11\n", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "bands[2].min", "band-gap-or-overlap"),
        "{errors:?}"
    );
}

#[test]
fn overlapping_bands_are_refused() {
    let source = PHQ9.replacen("max = 9\n", "max = 10\n", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "bands[2].min", "band-gap-or-overlap"),
        "{errors:?}"
    );
}

#[test]
fn bands_must_reach_the_top_score() {
    let source = PHQ9.replacen("max = 27\n", "max = 26\n", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "bands[4].max", "bands-end-mismatch"),
        "{errors:?}"
    );
}

#[test]
fn bands_must_start_at_the_lowest_score() {
    let source = PHQ9.replacen("min = 0\nmax = 4\n", "min = 1\nmax = 4\n", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "bands[0].min", "band-gap-or-overlap"),
        "{errors:?}"
    );
}

#[test]
fn missing_spanish_is_refused() {
    let source = PHQ9.replacen(
        "label = { en = \"Sleep\", es = \"Sueño\" }",
        "label = { en = \"Sleep\" }",
        1,
    );
    let errors = errors_of(&source);
    assert!(
        has(&errors, "items[2].label.es", "missing-locale"),
        "{errors:?}"
    );
}

#[test]
fn safety_item_must_exist() {
    let source = PHQ9.replacen("item = \"9\"", "item = \"19\"", 1);
    let errors = errors_of(&source);
    assert!(has(&errors, "safety[0].item", "unknown-item"), "{errors:?}");
}

#[test]
fn safety_trigger_that_cannot_fire_is_refused() {
    let source = PHQ9.replacen("at_least = 1", "at_least = 4", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "safety[0].at_least", "trigger-useless"),
        "{errors:?}"
    );
    let source = PHQ9.replacen("at_least = 1", "at_least = 0", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "safety[0].at_least", "trigger-useless"),
        "{errors:?}"
    );
}

#[test]
fn item_pointing_to_missing_response_set_is_refused() {
    let source = PHQ9.replacen("responses = \"frequency\"", "responses = \"often\"", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "items[0].responses", "unknown-response-set"),
        "{errors:?}"
    );
}

#[test]
fn duplicate_item_ids_are_refused() {
    let source = PHQ9.replacen("id = \"2\"", "id = \"1\"", 1);
    let errors = errors_of(&source);
    assert!(has(&errors, "items[1].id", "duplicate"), "{errors:?}");
}

#[test]
fn reversed_item_must_exist() {
    let source = PHQ9.replacen("rule = \"sum\"", "rule = \"sum\"\nreverse = [\"12\"]", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "scoring.reverse[0]", "unknown-item"),
        "{errors:?}"
    );
}

#[test]
fn licensed_instrument_cannot_ship_item_text() {
    let epds = include_str!("../instruments/epds.toml");
    let source = epds.replacen(
        "label = { en = \"Crying\", es = \"Llanto\" }",
        "label = { en = \"Crying\", es = \"Llanto\" }\ntext = { en = \"x\", es = \"y\" }",
        1,
    );
    let errors = errors_of(&source);
    assert!(
        has(&errors, "items[8].text", "text-not-allowed"),
        "{errors:?}"
    );

    let source = epds.replacen(
        "wording = \"supplied-by-licensed-clinic\"",
        "wording = \"included\"",
        1,
    );
    let errors = errors_of(&source);
    assert!(
        has(&errors, "licence.wording", "wording-needs-licence"),
        "{errors:?}"
    );
}

#[test]
fn a_licensed_clinic_can_supply_item_text_in_its_own_copy() {
    let epds = include_str!("../instruments/epds.toml");
    let mut source = epds
        .replacen(
            "wording = \"supplied-by-licensed-clinic\"",
            "wording = \"included\"\nheld_by_clinic = true",
            1,
        )
        .replacen("version = \"1\"", "version = \"1-clinic\"", 1);
    for n in 1..=10 {
        let anchor = format!("id = \"{n}\"\n");
        let with_text =
            format!("id = \"{n}\"\ntext = {{ en = \"Item {n} wording\", es = \"Texto {n}\" }}\n");
        source = source.replacen(&anchor, &with_text, 1);
    }
    let mut lib = InstrumentLibrary::builtin().clone();
    let loaded = lib.load(&source).expect("clinic copy loads");
    assert!(loaded.may_show_wording());
    assert_eq!(loaded.version(), "1-clinic");
    assert_eq!(
        lib.get("epds")
            .unwrap()
            .item("10")
            .unwrap()
            .text
            .as_ref()
            .unwrap()
            .get(Locale::Es),
        "Texto 10"
    );
    assert!(lib.get_version("epds", "1").is_none());
    // The shipped library is unchanged.
    assert!(
        !InstrumentLibrary::builtin()
            .get("epds")
            .unwrap()
            .may_show_wording()
    );
}

#[test]
fn bad_loinc_code_is_refused() {
    let source = PHQ9.replacen("total = \"44261-6\"", "total = \"44261\"", 1);
    let errors = errors_of(&source);
    assert!(has(&errors, "loinc.total", "bad-loinc"), "{errors:?}");
}

#[test]
fn a_loinc_code_with_the_wrong_check_digit_is_refused() {
    // 44260-8 is PHQ-9 item 9; 44260-7 is a typing slip.
    let source = PHQ9.replacen("loinc = \"44260-8\"", "loinc = \"44260-7\"", 1);
    let errors = errors_of(&source);
    assert!(
        errors.iter().any(|e| e.problem.code() == "bad-loinc"),
        "{errors:?}"
    );
}

#[test]
fn every_phq9_and_gad7_item_has_a_loinc_code_and_unchecked_ones_are_marked() {
    let lib = InstrumentLibrary::builtin();
    for id in ["phq9", "gad7"] {
        let inst = lib.get(id).unwrap();
        let loinc = inst.def().loinc.as_ref().expect("codes");
        assert!(loinc.panel.is_some() && loinc.total.is_some(), "{id}");
        for item in inst.items() {
            assert!(
                item.loinc.is_some(),
                "{id} item {} has no LOINC code",
                item.id
            );
        }
        // Every code marked unchecked is one the file uses.
        let used: Vec<&str> = inst
            .items()
            .iter()
            .filter_map(|i| i.loinc.as_deref())
            .collect();
        for code in &loinc.unverified {
            assert!(
                used.contains(&code.as_str()) || code.starts_with("LA"),
                "{id}: {code} is marked unverified but not used"
            );
        }
    }
    // The difficulty item is coded too (not scored).
    let phq9 = lib.get("phq9").unwrap();
    assert!(
        phq9.items()
            .iter()
            .any(|i| i.id == "difficulty" && i.loinc.is_some())
    );
}

#[test]
fn remission_cutoff_must_be_on_the_scale() {
    let source = PHQ9.replacen("remission = { below = 5 }", "remission = { below = 40 }", 1);
    let errors = errors_of(&source);
    assert!(
        has(&errors, "change.remission", "value-outside"),
        "{errors:?}"
    );
}

#[test]
fn syntax_error_is_reported_not_panicked() {
    let errors = errors_of("id = \"phq9\nversion = 1");
    assert_eq!(errors[0].problem.code(), "syntax");
}

#[test]
fn several_problems_are_all_reported() {
    let source =
        PHQ9.replacen("min = 10\n", "min = 11\n", 1)
            .replacen("item = \"9\"", "item = \"nine\"", 1);
    let errors = errors_of(&source);
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(errors.iter().all(|e| !e.path.is_empty()));
}

#[test]
fn change_defaults_come_from_the_definitions() {
    use kith_domain::measure::Cutoff;
    let lib = InstrumentLibrary::builtin();
    let phq = lib.get("phq9").unwrap().change_rules();
    assert_eq!(phq.response_percent, Some(50));
    assert_eq!(phq.remission, Some(Cutoff::Below(5)));
    assert_eq!(phq.reliable_change, Some(Score::whole(6)));
    assert_eq!(phq.not_on_track_percent, Some(20));
    assert_eq!(
        lib.get("gad7").unwrap().change_rules().reliable_change,
        Some(Score::whole(4))
    );
    assert_eq!(
        lib.get("gad7").unwrap().change_rules().remission,
        Some(Cutoff::Below(5))
    );
    assert_eq!(
        lib.get("epds").unwrap().change_rules().reliable_change,
        Some(Score::whole(4))
    );
    assert_eq!(
        lib.get("hamd17").unwrap().change_rules().remission,
        Some(Cutoff::AtMost(7))
    );
    let srm = lib.get("srm5").unwrap().change_rules();
    assert_eq!(srm.response_percent, None);
}

#[test]
fn only_a_safety_item_can_be_history() {
    // PHQ-9 item 1 has no trigger: marking it history is refused with its path.
    let source = PHQ9.replacen(
        "responses = \"frequency\"",
        "responses = \"frequency\"\nhistory = true",
        1,
    );
    assert!(has(
        &errors_of(&source),
        "items[0].history",
        "history-without-trigger"
    ));
    let phqa = InstrumentLibrary::builtin().get("phqa").unwrap();
    let history: Vec<&str> = phqa
        .items()
        .iter()
        .filter(|i| i.history)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(history, ["attempt-ever"]);
}
