//! Loading and checking worksheet definition files: the shipped kinds, and broken files refused
//! with the exact key path and reason.

use kith_domain::locale::{Locale, Localized};
use kith_domain::worksheet::{
    BUILTIN_SOURCES, FieldDef, FieldType, FilledBy, FocusArea, FormatError, Worksheet,
    WorksheetLibrary,
};
use std::collections::BTreeSet;

const SHIPPED: [&str; 11] = [
    "communication-analysis",
    "decision-analysis",
    "dispute-map",
    "emotion-log",
    "grief-review",
    "relapse-prevention-plan",
    "role-play",
    "social-contact-log",
    "social-rhythm-diary",
    "social-support-plan",
    "transition-balance-sheet",
];

fn both_locales(text: &Localized, what: &str) {
    for locale in Locale::ALL {
        assert!(
            !text.0.get(&locale).is_none_or(|s| s.trim().is_empty()),
            "{what}: no {} text",
            locale.code()
        );
    }
}

fn walk_fields(worksheet: &str, scope: &str, fields: &[FieldDef]) {
    let mut ids = BTreeSet::new();
    for f in fields {
        assert!(
            ids.insert(f.id.as_str()),
            "{worksheet}: field id {} used twice in {scope}",
            f.id
        );
        let what = format!("{worksheet} {scope}.{}", f.id);
        both_locales(&f.label, &what);
        if let Some(help) = &f.help {
            both_locales(help, &format!("{what} help"));
        }
        if let Some(a) = &f.anchors {
            both_locales(&a.low, &format!("{what} low anchor"));
            both_locales(&a.high, &format!("{what} high anchor"));
        }
        let mut options = BTreeSet::new();
        for o in &f.options {
            assert!(
                options.insert(o.id.as_str()),
                "{what}: option {} twice",
                o.id
            );
            both_locales(&o.label, &format!("{what} option {}", o.id));
        }
        walk_fields(worksheet, &format!("{scope}.{}", f.id), &f.fields);
    }
}

#[test]
fn every_shipped_worksheet_loads_with_both_languages() {
    for (name, source) in BUILTIN_SOURCES {
        let w = Worksheet::from_toml(source).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(w.id(), *name, "file name and id agree");
    }
    let lib = WorksheetLibrary::builtin();
    assert_eq!(lib.ids().collect::<Vec<_>>(), SHIPPED);
    for w in lib.iter() {
        both_locales(&w.def().title, w.id());
        both_locales(&w.def().description, w.id());
        walk_fields(w.id(), "", w.fields());
    }
}

#[test]
fn the_spanish_text_is_a_translation_not_a_copy() {
    // A label identical in both languages is usually a forgotten translation. Short words that
    // are the same in both (such as "Idea") are allowed.
    fn check(w: &str, fields: &[FieldDef]) {
        for f in fields {
            let (en, es) = (f.label.get(Locale::En), f.label.get(Locale::Es));
            assert!(
                en != es || en.len() <= 6,
                "{w} {}: `{en}` untranslated",
                f.id
            );
            check(w, &f.fields);
        }
    }
    for w in WorksheetLibrary::builtin().iter() {
        check(w.id(), w.fields());
    }
}

#[test]
fn shipped_worksheets_carry_the_fields_the_reference_asks_for() {
    let lib = WorksheetLibrary::builtin();
    let field = |w: &str, f: &str| -> FieldDef {
        lib.get(w)
            .unwrap()
            .field(f)
            .unwrap_or_else(|| panic!("{w} has no field {f}"))
            .clone()
    };

    // Communication analysis: the other person is a link into the inventory, the conversation a
    // repeating list of steps, each with speaker, words and feelings.
    assert_eq!(
        field("communication-analysis", "other_person").kind,
        FieldType::Person
    );
    let steps = field("communication-analysis", "steps");
    assert_eq!(steps.kind, FieldType::Group);
    for f in [
        "speaker",
        "words",
        "tone",
        "body_language",
        "what_i_felt",
        "what_they_meant",
    ] {
        assert!(steps.field(f).is_some(), "steps.{f}");
    }

    // Decision analysis: options with pros, cons and feasibility 1–5, and a goal link.
    let options = field("decision-analysis", "options");
    assert_eq!(options.field("doable").unwrap().bounds(), Some((1, 5)));
    assert_eq!(
        field("decision-analysis", "linked_goal").kind,
        FieldType::Goal
    );

    // Dispute map: the three stages.
    let stage = field("dispute-map", "stage");
    let stages: Vec<&str> = stage.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(stages, ["renegotiation", "impasse", "dissolution"]);

    // Role play: who plays whom, attempts with what was hard, what to try.
    let attempts = field("role-play", "attempts");
    assert!(attempts.field("was_hard").is_some());
    assert!(lib.get("role-play").unwrap().field("what_to_try").is_some());
    assert_eq!(field("role-play", "who_plays_whom").options.len(), 3);

    // Social-rhythm diary: the five SRM-5 anchors with targets, people 0–3 and mood −5..+5.
    let days = field("social-rhythm-diary", "days");
    assert_eq!(days.entry_bounds().1, 7);
    for a in [
        "out_of_bed",
        "first_contact",
        "start_day",
        "dinner",
        "to_bed",
    ] {
        assert_eq!(days.field(a).unwrap().kind, FieldType::Time, "{a}");
        assert_eq!(
            days.field(&format!("{a}_people")).unwrap().bounds(),
            Some((0, 3))
        );
        assert_eq!(
            field("social-rhythm-diary", &format!("{a}_target")).kind,
            FieldType::Time
        );
    }
    assert_eq!(days.field("mood").unwrap().bounds(), Some((-5, 5)));

    // Relapse-prevention plan: the three next steps, and a date for it.
    let next: Vec<String> = field("relapse-prevention-plan", "next_step")
        .options
        .iter()
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(next, ["end", "continuation", "maintenance"]);
    assert!(field("relapse-prevention-plan", "next_step_date").required);

    // Grief review: the deceased, support then and now, a re-engagement plan.
    assert!(field("grief-review", "deceased").required);
    for g in ["support_then", "support_now", "reengagement"] {
        assert_eq!(field("grief-review", g).kind, FieldType::Group, "{g}");
    }
}

#[test]
fn who_fills_in_and_what_they_serve() {
    let lib = WorksheetLibrary::builtin();
    assert_eq!(
        lib.get("emotion-log").unwrap().filled_by(),
        FilledBy::Client
    );
    assert_eq!(
        lib.get("communication-analysis").unwrap().filled_by(),
        FilledBy::Both
    );
    let grief: Vec<&str> = lib.for_area(FocusArea::Grief).map(|w| w.id()).collect();
    assert!(grief.contains(&"grief-review"));
    assert!(!grief.contains(&"dispute-map"));
    let dispute: Vec<&str> = lib.for_area(FocusArea::Dispute).map(|w| w.id()).collect();
    assert!(dispute.contains(&"dispute-map"));
    assert!(!dispute.contains(&"grief-review"));
    // A worksheet naming no area suits all of them.
    assert!(dispute.contains(&"decision-analysis"));
}

const SMALL: &str = r#"
id = "gratitude-note"
version = "1"
title = { en = "Thank-you note", es = "Nota de agradecimiento" }
description = { en = "Someone who helped you.", es = "Alguien que le ayudó." }
filled_by = "client"

[[fields]]
id = "person"
type = "person"
label = { en = "Who", es = "Quién" }
"#;

fn refused(source: &str) -> Vec<FormatError> {
    Worksheet::from_toml(source).expect_err("the file should be refused")
}

/// Each broken file, the path of the problem and its code, and a piece of the reason.
#[test]
fn broken_definitions_name_the_key_path_and_reason() {
    let cases: Vec<(&str, String, &str, &str, &str)> = vec![
        (
            "unknown key at the top",
            format!("colour = \"red\"\n{SMALL}"),
            "colour",
            "unknown-key",
            "unknown key `colour`",
        ),
        (
            "unknown key in a field",
            SMALL.replace("type = \"person\"", "type = \"person\"\nwidth = 3"),
            "fields[0].width",
            "unknown-key",
            "unknown key `width`",
        ),
        (
            "missing label",
            SMALL.replace("label = { en = \"Who\", es = \"Quién\" }", ""),
            "fields[0].label",
            "missing-key",
            "required key `label` is missing",
        ),
        (
            "unknown field type",
            SMALL.replace("type = \"person\"", "type = \"colour\""),
            "fields[0].type",
            "unknown-value",
            "`colour`",
        ),
        (
            "missing Spanish label",
            SMALL.replace(", es = \"Quién\"", ""),
            "fields[0].label.es",
            "missing-locale",
            "locale `es` is missing",
        ),
        (
            "field id in kebab case",
            SMALL.replace("id = \"person\"", "id = \"the-person\""),
            "fields[0].id",
            "bad-id",
            "underscores",
        ),
        (
            "worksheet id with capitals",
            SMALL.replace("id = \"gratitude-note\"", "id = \"Gratitude\""),
            "id",
            "bad-id",
            "dashes",
        ),
        (
            "duplicate field id",
            format!(
                "{SMALL}\n[[fields]]\nid = \"person\"\ntype = \"date\"\nlabel = {{ en = \"When\", es = \"Cuándo\" }}\n"
            ),
            "fields[1].id",
            "duplicate",
            "`person` is used twice",
        ),
        (
            "max_length on a person field",
            SMALL.replace("type = \"person\"", "type = \"person\"\nmax_length = 20"),
            "fields[0].max_length",
            "key-not-used",
            "not used by `person`",
        ),
        (
            "integer without max",
            SMALL.replace("type = \"person\"", "type = \"integer\"\nmin = 1"),
            "fields[0].max",
            "key-required",
            "required by `integer`",
        ),
        (
            "integer range upside down",
            SMALL.replace("type = \"person\"", "type = \"integer\"\nmin = 5\nmax = 1"),
            "fields[0].max",
            "empty-range",
            "minimum 5 must be below maximum 1",
        ),
        (
            "choice without options",
            SMALL.replace("type = \"person\"", "type = \"choice\""),
            "fields[0].options",
            "key-required",
            "required by `choice`",
        ),
        (
            "option id twice",
            SMALL.replace(
                "type = \"person\"",
                "type = \"choice\"\noptions = [{ id = \"a\", label = { en = \"A\", es = \"A\" } }, { id = \"a\", label = { en = \"B\", es = \"B\" } }]",
            ),
            "fields[0].options[1].id",
            "duplicate",
            "`a` is used twice",
        ),
        (
            "text limit too big",
            SMALL.replace("type = \"person\"", "type = \"short-text\"\nmax_length = 5000"),
            "fields[0].max_length",
            "number-out-of-bounds",
            "between 1 and 1000",
        ),
        (
            "group without fields",
            SMALL.replace("type = \"person\"", "type = \"group\""),
            "fields[0].fields",
            "key-required",
            "required by `group`",
        ),
        (
            "group inside a group",
            format!(
                "{}\n[[fields.fields]]\nid = \"inner\"\ntype = \"group\"\nlabel = {{ en = \"I\", es = \"I\" }}\n\n[[fields.fields.fields]]\nid = \"x\"\ntype = \"date\"\nlabel = {{ en = \"X\", es = \"X\" }}\n",
                SMALL.replace("type = \"person\"", "type = \"group\"")
            ),
            "fields[0].fields[0].type",
            "nested-group",
            "may not contain another group",
        ),
        (
            "nested field without Spanish",
            format!(
                "{}\n[[fields.fields]]\nid = \"when\"\ntype = \"date\"\nlabel = {{ en = \"When\" }}\n",
                SMALL.replace("type = \"person\"", "type = \"group\"")
            ),
            "fields[0].fields[0].label.es",
            "missing-locale",
            "locale `es`",
        ),
        (
            "min_entries above max_entries",
            format!(
                "{}\n[[fields.fields]]\nid = \"when\"\ntype = \"date\"\nlabel = {{ en = \"When\", es = \"Cuándo\" }}\n",
                SMALL.replace("type = \"person\"", "type = \"group\"\nmin_entries = 5\nmax_entries = 2")
            ),
            "fields[0].min_entries",
            "number-out-of-bounds",
            "between 0 and 2",
        ),
        (
            "unknown problem area",
            SMALL.replace(
                "filled_by = \"client\"",
                "filled_by = \"client\"\n[serves]\nareas = [\"loneliness\"]",
            ),
            "serves.areas[0]",
            "unknown-value",
            "`loneliness`",
        ),
        (
            "unknown author",
            SMALL.replace("filled_by = \"client\"", "filled_by = \"parent\""),
            "filled_by",
            "unknown-value",
            "`parent`",
        ),
        (
            "no fields",
            "id = \"x\"\nversion = \"1\"\ntitle = { en = \"X\", es = \"X\" }\ndescription = { en = \"X\", es = \"X\" }\nfilled_by = \"client\"\nfields = []\n".to_string(),
            "fields",
            "empty",
            "must not be empty",
        ),
        (
            "not TOML",
            "id = \n".to_string(),
            ".",
            "syntax",
            "cannot read",
        ),
    ];
    for (what, source, path, code, reason) in cases {
        let errors = refused(&source);
        let found = errors.iter().find(|e| e.path == path);
        let Some(e) = found else {
            panic!("{what}: no problem at `{path}`; got {errors:?}")
        };
        assert_eq!(e.problem.code(), code, "{what}: {e}");
        assert!(
            e.to_string().contains(reason),
            "{what}: `{e}` does not say `{reason}`"
        );
    }
}

#[test]
fn a_file_is_checked_as_a_whole() {
    let source = SMALL
        .replace(", es = \"Quién\"", "")
        .replace("version = \"1\"", "version = \" \"");
    let errors = refused(&source);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["version", "fields[0].label.es"]);
}

#[test]
fn a_clinic_adds_its_own_worksheet_and_a_bad_one_changes_nothing() {
    let mut lib = WorksheetLibrary::builtin().clone();
    let before = lib.clone();
    let bad = SMALL.replace("type = \"person\"", "type = \"person\"\nmin = 3");
    let errors = lib.load(&bad).unwrap_err();
    assert_eq!(errors[0].path, "fields[0].min");
    assert_eq!(lib, before);

    let added = lib.load(SMALL).unwrap();
    assert_eq!(added.id(), "gratitude-note");
    assert!(lib.get("gratitude-note").is_some());
    assert_eq!(lib.iter().count(), SHIPPED.len() + 1);

    // A clinic's file with a shipped id replaces the shipped kind.
    let own = SMALL
        .replace("gratitude-note", "role-play")
        .replace("version = \"1\"", "version = \"clinic-2\"");
    lib.load(&own).unwrap();
    assert_eq!(lib.get("role-play").unwrap().version(), "clinic-2");
    assert!(lib.get_version("role-play", "1").is_none());
}

#[test]
fn paths_are_recognised() {
    let ca = WorksheetLibrary::builtin()
        .get("communication-analysis")
        .unwrap();
    for ok in [
        ".",
        "when",
        "steps",
        "steps[0]",
        "steps[12].what_i_felt",
        "problems_noticed[3]",
    ] {
        assert!(ca.has_path(ok), "{ok}");
    }
    for bad in [
        "",
        "colour",
        "when[0]",
        "steps.what_i_felt",
        "steps[x].words",
        "steps[1].colour",
        "steps[1].words.more",
        "steps[]",
    ] {
        assert!(!ca.has_path(bad), "{bad}");
    }
}

/// The examples in the format documentation load.
#[test]
fn the_documented_examples_load() {
    let doc = include_str!("../../../docs/worksheet-format.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2);
    let mut worksheets = WorksheetLibrary::builtin().clone();
    assert_eq!(worksheets.load(blocks[0]).unwrap().id(), "gratitude-note");
    let mut notes = kith_domain::note::NoteLibrary::builtin().clone();
    let t = notes.load(blocks[1]).unwrap();
    assert_eq!(t.id(), "maintenance-grief");
    assert!(t.tickable_tasks().contains("relapse-plan"));
}
