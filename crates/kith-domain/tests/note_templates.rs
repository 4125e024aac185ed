//! Session-note templates: the shipped templates, their choice by phase kind and problem area,
//! broken template files, and clinic templates.

use kith_domain::locale::{Locale, Localized};
use kith_domain::note::{
    BUILTIN_SOURCES, NoteLibrary, NoteTemplateDef, PhaseKind, SectionKind, note_template,
};
use kith_domain::worksheet::{FocusArea, FormatError, WorksheetLibrary};
use std::collections::BTreeSet;

/// The protocol task ids the protocol presets use.
fn both(text: &Localized, what: &str) {
    for l in Locale::ALL {
        assert!(
            text.0.get(&l).is_some_and(|s| !s.trim().is_empty()),
            "{what}: no {} text",
            l.code()
        );
    }
}

#[test]
fn every_shipped_template_loads_with_both_languages() {
    let lib = NoteLibrary::builtin();
    let ids: BTreeSet<&str> = lib.iter().map(|t| t.id()).collect();
    let files: BTreeSet<&str> = BUILTIN_SOURCES.iter().map(|(n, _)| *n).collect();
    assert_eq!(ids, files);
    let worksheets = WorksheetLibrary::builtin();
    for t in lib.iter() {
        both(t.title(), t.id());
        let mut section_ids = BTreeSet::new();
        for s in t.sections() {
            assert!(section_ids.insert(&s.id), "{}: {} twice", t.id(), s.id);
            let what = format!("{} {}", t.id(), s.id);
            both(&s.label, &what);
            if let Some(p) = &s.prompt {
                both(p, &format!("{what} prompt"));
            }
            for item in &s.items {
                both(&item.label, &format!("{what} item {}", item.id));
            }
            for o in &s.options {
                both(&o.label, &format!("{what} option {}", o.id));
            }
            for w in &s.worksheets {
                assert!(worksheets.get(w).is_some(), "{what}: no worksheet {w}");
            }
        }
        // Every template asks about risk, and signing needs it.
        let risk: Vec<_> = t
            .sections()
            .iter()
            .filter(|s| s.kind == SectionKind::RiskCheck)
            .collect();
        assert_eq!(risk.len(), 1, "{}", t.id());
        assert!(
            risk[0].required && risk[0].ticks == ["risk-check"],
            "{}",
            t.id()
        );
    }
}

#[test]
fn templates_cover_the_tasks_of_their_phase() {
    let tasks =
        |phase, area| -> BTreeSet<&'static str> { note_template(phase, area).tickable_tasks() };
    let initial = tasks(PhaseKind::Initial, None);
    for t in [
        "review-symptoms",
        "name-diagnosis",
        "psychoeducation",
        "sick-role",
        "medication-review",
        "interpersonal-inventory",
        "timeline",
        "choose-problem-area",
        "share-formulation",
        "agree-contract",
        "risk-check",
    ] {
        assert!(initial.contains(t), "initial lacks {t}");
    }
    for area in [
        None,
        Some(FocusArea::Grief),
        Some(FocusArea::Dispute),
        Some(FocusArea::Transition),
        Some(FocusArea::Deficits),
        Some(FocusArea::LostHealthySelf),
    ] {
        let middle = tasks(PhaseKind::Middle, area);
        for t in [
            "since-last-met",
            "since-last-met",
            "area-work",
            "technique",
            "between-sessions",
            "goal-progress",
            "raise-ending",
            "risk-check",
        ] {
            assert!(middle.contains(t), "middle {area:?} lacks {t}");
        }
    }
    let termination = tasks(PhaseKind::Termination, None);
    for t in [
        "raise-ending",
        "review-change",
        "credit-gains",
        "ending-feelings",
        "relapse-plan",
        "next-step",
        "goal-progress",
    ] {
        assert!(termination.contains(t), "termination lacks {t}");
    }
    // DIT has no sick role and no problem-area selection.
    let dit = tasks(PhaseKind::Initial, Some(FocusArea::Ipaf));
    assert!(!dit.contains("sick-role"));
    assert!(!dit.contains("choose-problem-area"));
    assert!(dit.contains("share-formulation"));
}

#[test]
fn the_template_is_chosen_by_phase_kind_and_area() {
    use FocusArea::*;
    use PhaseKind::*;
    let areas = [
        None,
        Some(Grief),
        Some(Dispute),
        Some(Transition),
        Some(Deficits),
        Some(LostHealthySelf),
        Some(Ipaf),
    ];
    let expected = |phase: PhaseKind, area: Option<FocusArea>| -> &str {
        match (phase, area) {
            (PreGroup, _) => "pre-group",
            (Maintenance, _) => "maintenance",
            (Initial, Some(Ipaf)) => "dit-initial",
            (Initial, _) => "initial",
            (Middle, None) => "middle",
            (Middle, Some(Grief)) => "middle-grief",
            (Middle, Some(Dispute)) => "middle-dispute",
            (Middle, Some(Transition)) => "middle-transition",
            (Middle, Some(Deficits)) => "middle-deficits",
            (Middle, Some(LostHealthySelf)) => "middle-lost-healthy-self",
            (Middle, Some(Ipaf)) => "dit-middle",
            (Termination, Some(Ipaf)) => "dit-termination",
            (Termination, _) => "termination",
        }
    };
    for phase in PhaseKind::ALL {
        for area in areas {
            let t = note_template(phase, area);
            assert_eq!(t.id(), expected(phase, area), "{phase:?} {area:?}");
            assert_eq!(t.phase(), phase);
        }
    }
    // Falling back is visible: there is no exact template for grief in the termination phase.
    let lib = NoteLibrary::builtin();
    assert!(lib.exact(Termination, Some(Grief)).is_none());
    assert_eq!(lib.exact(Middle, Some(Grief)).unwrap().id(), "middle-grief");
}

#[test]
fn area_templates_keep_the_general_middle_sections_and_change_the_strategy() {
    let general = note_template(PhaseKind::Middle, None);
    let grief = note_template(PhaseKind::Middle, Some(FocusArea::Grief));
    assert_eq!(grief.extends(), Some("middle"));
    let order: Vec<&str> = grief.sections().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "since-last",
            "mood",
            "mood-events",
            "strategy",
            "grief-steps",
            "techniques",
            "worksheets",
            "between-sessions",
            "goals",
            "reminders",
            "risk",
            "plan",
        ]
    );
    let prompt = |t: &kith_domain::note::NoteTemplate| {
        t.section("strategy")
            .unwrap()
            .prompt
            .as_ref()
            .unwrap()
            .get(Locale::En)
            .to_string()
    };
    assert!(prompt(grief).contains("relationship with the deceased"));
    assert!(
        prompt(note_template(PhaseKind::Middle, Some(FocusArea::Dispute)))
            .contains("Stage of the dispute")
    );
    assert_ne!(prompt(general), prompt(grief));
    assert_eq!(
        grief.section("worksheets").unwrap().worksheets,
        ["grief-review", "emotion-log", "social-support-plan"]
    );
    // IPSRT's template adds the rhythm review right after mood and events.
    let lhs = note_template(PhaseKind::Middle, Some(FocusArea::LostHealthySelf));
    let order: Vec<&str> = lhs
        .sections()
        .iter()
        .map(|s| s.id.as_str())
        .take(5)
        .collect();
    assert_eq!(
        order,
        ["since-last", "mood", "mood-events", "rhythms", "strategy"]
    );
    assert!(
        lhs.section("techniques")
            .unwrap()
            .option("social-rhythm-regularisation")
            .is_some()
    );
    for t in [
        "middle-grief",
        "middle-dispute",
        "middle-transition",
        "middle-deficits",
    ] {
        let t = NoteLibrary::builtin().get(t).unwrap();
        for s in general.sections() {
            assert!(t.section(&s.id).is_some(), "{} lacks {}", t.id(), s.id);
        }
    }
}

#[test]
fn dit_templates_are_their_own() {
    let middle = note_template(PhaseKind::Middle, Some(FocusArea::Ipaf));
    assert!(middle.section("mentalising").is_some());
    assert!(middle.section("therapy-relationship").is_some());
    assert!(
        middle
            .section("techniques")
            .unwrap()
            .option("mentalising")
            .is_some()
    );
    assert!(middle.section("strategy").is_none());
    let initial = note_template(PhaseKind::Initial, Some(FocusArea::Ipaf));
    assert!(initial.section("ipaf").unwrap().required);
    assert!(initial.section("sick-role").is_none());
    let ending = note_template(PhaseKind::Termination, Some(FocusArea::Ipaf));
    assert!(ending.section("goodbye-letter").is_some());
}

const BASE: &str = r#"
id = "clinic-middle"
version = "1"
title = { en = "Middle", es = "Intermedia" }
phase = "middle"
area = "grief"

[[sections]]
id = "notes"
kind = "text"
label = { en = "Notes", es = "Notas" }
"#;

fn load_error(source: &str) -> Vec<FormatError> {
    let mut lib = NoteLibrary::builtin().clone();
    let before = lib.clone();
    let errors = lib.load(source).expect_err("template should be refused");
    assert_eq!(lib, before, "a refused file must change nothing");
    errors
}

#[test]
fn broken_templates_name_the_key_path_and_reason() {
    let cases: Vec<(&str, String, &str, &str, &str)> = vec![
        (
            "unknown key",
            format!("colour = 1\n{BASE}"),
            "colour",
            "unknown-key",
            "unknown key `colour`",
        ),
        (
            "unknown key in a section",
            BASE.replace("kind = \"text\"", "kind = \"text\"\nwidth = 3"),
            "sections[0].width",
            "unknown-key",
            "`width`",
        ),
        (
            "unknown section kind",
            BASE.replace("kind = \"text\"", "kind = \"essay\""),
            "sections[0].kind",
            "unknown-value",
            "`essay`",
        ),
        (
            "unknown phase",
            BASE.replace("phase = \"middle\"", "phase = \"closing\""),
            "phase",
            "unknown-value",
            "`closing`",
        ),
        (
            "unknown area",
            BASE.replace("area = \"grief\"", "area = \"loneliness\""),
            "area",
            "unknown-value",
            "`loneliness`",
        ),
        (
            "missing Spanish",
            BASE.replace(", es = \"Notas\"", ""),
            "sections[0].label.es",
            "missing-locale",
            "locale `es`",
        ),
        (
            "section id in snake case",
            BASE.replace("id = \"notes\"", "id = \"my_notes\""),
            "sections[0].id",
            "bad-id",
            "dashes",
        ),
        (
            "task id with capitals",
            BASE.replace(
                "kind = \"text\"",
                "kind = \"text\"\nticks = [\"Since-Last\"]",
            ),
            "sections[0].ticks[0]",
            "bad-id",
            "`Since-Last`",
        ),
        (
            "items on a text section",
            BASE.replace(
                "kind = \"text\"",
                "kind = \"text\"\nitems = [{ id = \"a\", label = { en = \"A\", es = \"A\" } }]",
            ),
            "sections[0].items",
            "key-not-used",
            "not used by `text`",
        ),
        (
            "checklist without items",
            BASE.replace("kind = \"text\"", "kind = \"checklist\""),
            "sections[0].items",
            "key-required",
            "required by `checklist`",
        ),
        (
            "checklist item without Spanish",
            BASE.replace(
                "kind = \"text\"",
                "kind = \"checklist\"\nitems = [{ id = \"a\", label = { en = \"A\" } }]",
            ),
            "sections[0].items[0].label.es",
            "missing-locale",
            "locale `es`",
        ),
        (
            "techniques without options",
            BASE.replace("kind = \"text\"", "kind = \"techniques\""),
            "sections[0].options",
            "key-required",
            "required by `techniques`",
        ),
        (
            "mood range upside down",
            BASE.replace(
                "kind = \"text\"",
                "kind = \"mood-rating\"\nmin = 10\nmax = 0",
            ),
            "sections[0].max",
            "empty-range",
            "minimum 10 must be below maximum 0",
        ),
        (
            "after without extends",
            BASE.replace("kind = \"text\"", "kind = \"text\"\nafter = \"mood\""),
            "sections[0].after",
            "after-without-extends",
            "only used in a template that extends",
        ),
        (
            "extends an unknown template",
            BASE.replace(
                "area = \"grief\"",
                "area = \"grief\"\nextends = \"middle-2\"",
            ),
            "extends",
            "unknown-template",
            "`middle-2`",
        ),
        (
            "extends a template of another phase",
            BASE.replace(
                "area = \"grief\"",
                "area = \"grief\"\nextends = \"initial\"",
            ),
            "extends",
            "extends-other-phase",
            "phase `initial`",
        ),
        (
            "after an unknown section",
            BASE.replace("area = \"grief\"", "area = \"grief\"\nextends = \"middle\"")
                .replace("kind = \"text\"", "kind = \"text\"\nafter = \"homework\""),
            "sections[0].after",
            "unknown-section",
            "`homework`",
        ),
        (
            "two templates for the same phase and area",
            BASE.to_string(),
            "area",
            "same-selection",
            "`middle-grief` is already chosen",
        ),
        (
            "replacing the general template with an area template",
            BASE.replace("clinic-middle", "maintenance")
                .replace("phase = \"middle\"", "phase = \"maintenance\""),
            ".",
            "missing-general-template",
            "phase `maintenance`",
        ),
    ];
    for (what, source, path, code, reason) in cases {
        let errors = load_error(&source);
        let Some(e) = errors.iter().find(|e| e.path == path) else {
            panic!("{what}: nothing at `{path}`: {errors:?}")
        };
        assert_eq!(e.problem.code(), code, "{what}: {e}");
        assert!(
            e.to_string().contains(reason),
            "{what}: `{e}` lacks `{reason}`"
        );
    }
}

fn def(id: &str, extends: Option<&str>) -> NoteTemplateDef {
    let mut d: NoteTemplateDef = toml::from_str(BASE).unwrap();
    d.id = id.into();
    d.area = None;
    d.extends = extends.map(str::to_string);
    d
}

#[test]
fn a_circle_of_templates_is_refused() {
    let mut defs: Vec<NoteTemplateDef> = BUILTIN_SOURCES
        .iter()
        .map(|(_, s)| toml::from_str(s).unwrap())
        .filter(|d: &NoteTemplateDef| d.phase != PhaseKind::Middle)
        .collect();
    defs.push(def("a", Some("b")));
    defs.push(def("b", Some("a")));
    let errors = NoteLibrary::from_defs(defs).unwrap_err();
    let e = errors.iter().find(|e| e.path == "a: extends").unwrap();
    assert_eq!(e.problem.code(), "extends-cycle");
    assert!(e.to_string().contains("a → b → a"), "{e}");
}

#[test]
fn a_library_needs_a_general_template_for_every_phase() {
    let defs: Vec<NoteTemplateDef> = BUILTIN_SOURCES
        .iter()
        .map(|(_, s)| toml::from_str::<NoteTemplateDef>(s).unwrap())
        .filter(|d| d.id != "pre-group")
        .collect();
    let errors = NoteLibrary::from_defs(defs).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        ".: there is no general template (without `area`) for phase `pre-group`"
    );
}

#[test]
fn a_clinic_adds_and_replaces_templates() {
    let mut lib = NoteLibrary::builtin().clone();
    // An area template for maintenance, built on the shipped one.
    let own = r#"
id = "maintenance-grief"
version = "1"
title = { en = "Maintenance: grief", es = "Mantenimiento: duelo" }
phase = "maintenance"
area = "grief"
extends = "maintenance"

[[sections]]
id = "anniversaries"
kind = "text"
after = "warning-signs"
label = { en = "Anniversaries coming up", es = "Aniversarios próximos" }
"#;
    lib.load(own).unwrap();
    let t = lib.template_for(PhaseKind::Maintenance, Some(FocusArea::Grief));
    assert_eq!(t.id(), "maintenance-grief");
    let ids: Vec<&str> = t.sections().iter().map(|s| s.id.as_str()).collect();
    let at = ids.iter().position(|s| *s == "warning-signs").unwrap();
    assert_eq!(ids[at + 1], "anniversaries");
    assert_eq!(
        lib.template_for(PhaseKind::Maintenance, Some(FocusArea::Dispute))
            .id(),
        "maintenance"
    );

    // Replacing the general middle template changes what the area templates inherit.
    let middle = r#"
id = "middle"
version = "clinic-1"
title = { en = "Middle", es = "Intermedia" }
phase = "middle"

[[sections]]
id = "since-last"
kind = "text"
ticks = ["since-last-met"]
label = { en = "Since last time", es = "Desde la última vez" }

[[sections]]
id = "mood-events"
kind = "text"
label = { en = "Mood and events", es = "Ánimo y acontecimientos" }

[[sections]]
id = "strategy"
kind = "text"
label = { en = "Focus", es = "Foco" }

[[sections]]
id = "worksheets"
kind = "worksheets"
label = { en = "Worksheets", es = "Hojas" }

[[sections]]
id = "risk"
kind = "risk-check"
required = true
ticks = ["risk-check"]
label = { en = "Risk", es = "Riesgo" }
"#;
    lib.load(middle).unwrap();
    let grief = lib.template_for(PhaseKind::Middle, Some(FocusArea::Grief));
    let ids: Vec<&str> = grief.sections().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "since-last",
            "mood-events",
            "strategy",
            "grief-steps",
            "worksheets",
            "risk"
        ]
    );

    // A replacement that breaks a template built on it is refused, naming that template.
    // (IPSRT's template puts its rhythm review after `mood-events`.)
    let broken = middle.replace("id = \"mood-events\"", "id = \"events\"");
    let errors = lib.clone().load(&broken).unwrap_err();
    let e = errors
        .iter()
        .find(|e| e.path == "middle-lost-healthy-self: sections[0].after")
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e.problem.code(), "unknown-section");
    assert_eq!(lib.get("middle").unwrap().version(), "clinic-1");
}

/// Every task a note template ticks is a task of some shipped protocol, or the one course event
/// that is not a protocol task (raising the ending, which the course records on its own).
#[test]
fn note_ticks_name_real_protocol_tasks() {
    use kith_domain::protocol::ProtocolLibrary;
    let lib = ProtocolLibrary::builtin();
    let mut known: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for p in lib.iter() {
        for t in p.all_tasks() {
            known.insert(t.id.clone());
        }
    }
    known.insert("raise-ending".to_string());
    for template in kith_domain::note::NoteLibrary::builtin().iter() {
        for task in template.tickable_tasks() {
            assert!(
                known.contains(task),
                "template {} ticks unknown task {task}",
                template.id()
            );
        }
    }
}
