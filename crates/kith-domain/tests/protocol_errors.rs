//! Broken protocol files are refused whole, each with the exact key path and reason.

use kith_domain::locale::Locale;
use kith_domain::protocol::position::PositionSyntaxError;
use kith_domain::protocol::{
    Protocol, ProtocolErrorReason as R, ProtocolLibrary, ProtocolOverride,
};

/// A small, valid clinic protocol (the same example as in the format documentation).
const EXAMPLE: &str = r#"
id = "clinic-ipt-10"
version = "1.0.0"
title = { en = "IPT in ten sessions", es = "TIP en diez sesiones" }
description = { en = "Our clinic's shorter IPT course.", es = "El curso breve de TIP de nuestro centro." }
focus = "problem-areas"
frequency = "weekly"
session_minutes = 50
termination_lead = 2
formulation_warn_at = "3"

[sessions]
min = 8
default = 10
max = 12

[[participants]]
role = "client"

[[session_tasks]]
id = "risk-check"
label = { en = "Check for risk", es = "Valorar el riesgo" }

[[phases]]
id = "initial"
label = { en = "Initial phase", es = "Fase inicial" }
sessions = "1..2"

[[phases.tasks]]
id = "inventory"
label = { en = "Complete the interpersonal inventory", es = "Completar el inventario interpersonal" }

[[phases.tasks]]
id = "formulation"
label = { en = "Share the formulation", es = "Compartir la formulación" }
at = "last"

[[phases]]
id = "middle"
label = { en = "Middle phase", es = "Fase intermedia" }
sessions = "3..last-2"
strategies = true

[[phases.tasks]]
id = "area-work"
label = { en = "Work on the problem area", es = "Trabajar el área problema" }
repeat = "every-session"

[[phases]]
id = "termination"
label = { en = "Termination", es = "Finalización" }
sessions = "last-1..last"

[[phases.tasks]]
id = "relapse-plan"
label = { en = "Write the relapse-prevention plan", es = "Redactar el plan de prevención de recaídas" }

[[problem_areas]]
id = "grief"
kind = "grief"
label = { en = "Grief", es = "Duelo" }

[[problem_areas.strategies]]
id = "grief-review"
label = { en = "Review the relationship with the person who died", es = "Revisar la relación con la persona fallecida" }

[[problem_areas]]
id = "dispute"
kind = "dispute"
label = { en = "Role dispute", es = "Disputa de roles" }

[[problem_areas.strategies]]
id = "dispute-stage"
label = { en = "Stage the dispute", es = "Determinar la etapa de la disputa" }

[[measures]]
instrument = "phq9"
cadence = ["baseline", "every-session"]

[[measures]]
instrument = "wsas"
cadence = ["baseline", "mid", "end"]

[[decision_points]]
id = "mid-check"
kind = "response-check"
label = { en = "Mid-course check", es = "Revisión a mitad del tratamiento" }
at = "mid"
"#;

/// The example with `from` replaced by `to` (which must be present, so a case cannot pass by
/// editing nothing).
fn broken(from: &str, to: &str) -> String {
    assert!(
        EXAMPLE.contains(from),
        "test case edits text that is not there: {from}"
    );
    EXAMPLE.replacen(from, to, 1)
}

#[test]
fn the_example_is_valid() {
    let p = Protocol::from_toml(EXAMPLE).expect("example loads");
    assert_eq!(p.id(), "clinic-ipt-10");
    assert_eq!(
        p.phase_span(p.phase("termination").unwrap(), Some(8)),
        Some((7, Some(8)))
    );
}

#[test]
fn broken_files_name_the_key_path_and_the_reason() {
    let cases: Vec<(&str, String, &str, R)> = vec![
        (
            "unknown top-level key",
            broken("focus =", "colour = \"blue\"\nfocus ="),
            "colour",
            R::UnknownKey {
                key: "colour".into(),
            },
        ),
        (
            "misspelt key inside a task",
            broken("id = \"inventory\"\nlabel", "id = \"inventory\"\nlable"),
            "phases[0].tasks[0].lable",
            R::UnknownKey {
                key: "lable".into(),
            },
        ),
        (
            "missing key",
            broken("session_minutes = 50\n", ""),
            "session_minutes",
            R::MissingKey {
                key: "session_minutes".into(),
            },
        ),
        (
            "missing key in a sub-table",
            broken("max = 12\n", ""),
            "sessions.max",
            R::MissingKey { key: "max".into() },
        ),
        (
            "wrong type",
            broken("session_minutes = 50", "session_minutes = \"fifty\""),
            "session_minutes",
            R::WrongType {
                detail: "invalid type: string \"fifty\", expected u32".into(),
            },
        ),
        (
            "unknown frequency",
            broken("frequency = \"weekly\"", "frequency = \"daily\""),
            "frequency",
            R::UnknownValue {
                value: "daily".into(),
                expected: "one of \"weekly\", \"fortnightly\", \"monthly\", \"flexible\"".into(),
            },
        ),
        (
            "label in an unsupported language",
            broken(
                "label = { en = \"Termination\", es = \"Finalización\" }",
                "label = { en = \"Termination\", fr = \"Fin\" }",
            ),
            "phases[2].label.fr",
            R::UnknownValue {
                value: "fr".into(),
                expected: "\"en\" or \"es\"".into(),
            },
        ),
        (
            "missing Spanish label",
            broken(
                "label = { en = \"Middle phase\", es = \"Fase intermedia\" }",
                "label = { en = \"Middle phase\" }",
            ),
            "phases[1].label",
            R::MissingLabel { locale: Locale::Es },
        ),
        (
            "blank English label",
            broken(
                "{ en = \"Grief\", es = \"Duelo\" }",
                "{ en = \" \", es = \"Duelo\" }",
            ),
            "problem_areas[0].label",
            R::MissingLabel { locale: Locale::En },
        ),
        (
            "duplicate task id",
            broken("id = \"relapse-plan\"", "id = \"inventory\""),
            "phases[2].tasks[0].id",
            R::DuplicateId {
                id: "inventory".into(),
                first: "phases[0].tasks[0].id".into(),
            },
        ),
        (
            "task id clashing with a per-session task",
            broken("id = \"area-work\"", "id = \"risk-check\""),
            "phases[1].tasks[0].id",
            R::DuplicateId {
                id: "risk-check".into(),
                first: "session_tasks[0].id".into(),
            },
        ),
        (
            "id that is not kebab-case",
            broken("id = \"middle\"", "id = \"Middle Phase\""),
            "phases[1].id",
            R::BadId {
                id: "Middle Phase".into(),
            },
        ),
        (
            "min above max",
            broken(
                "min = 8\ndefault = 10\nmax = 12",
                "min = 14\ndefault = 10\nmax = 12",
            ),
            "sessions.min",
            R::MinAboveMax { min: 14, max: 12 },
        ),
        (
            "default outside min and max",
            broken("default = 10", "default = 13"),
            "sessions.default",
            R::DefaultOutOfRange {
                min: 8,
                default: 13,
                max: 12,
            },
        ),
        (
            "phases overlap",
            broken("sessions = \"last-1..last\"", "sessions = \"last-2..last\""),
            "phases[2].sessions",
            R::PhaseOverlap {
                other: "middle".into(),
                session: 6,
                count: Some(8),
            },
        ),
        (
            "phases leave a gap",
            broken("sessions = \"3..last-2\"", "sessions = \"4..last-2\""),
            "phases",
            R::PhaseGap {
                session: 3,
                count: Some(8),
            },
        ),
        (
            "phase runs past the end of the shortest course",
            broken("sessions = \"3..last-2\"", "sessions = \"3..8\""),
            "phases[2].sessions",
            R::PhaseOverlap {
                other: "middle".into(),
                session: 7,
                count: Some(8),
            },
        ),
        (
            "fixed phase past the end",
            broken("sessions = \"last-1..last\"", "sessions = \"last-1..12\""),
            "phases[2].sessions",
            R::PhaseBeyondEnd {
                session: 12,
                count: 8,
            },
        ),
        (
            "unreadable range",
            broken("sessions = \"1..2\"", "sessions = \"first..2\""),
            "phases[0].sessions",
            R::BadPosition {
                problem: PositionSyntaxError::NotAPosition {
                    text: "first".into(),
                },
            },
        ),
        (
            "session zero",
            broken("sessions = \"1..2\"", "sessions = \"0..2\""),
            "phases[0].sessions",
            R::BadPosition {
                problem: PositionSyntaxError::ZeroSession,
            },
        ),
        (
            "preparatory phase without sessions.pre",
            broken("sessions = \"1..2\"", "sessions = \"pre\""),
            "phases[0].sessions",
            R::PrePhaseUnexpected,
        ),
        (
            "sessions.pre without a preparatory phase",
            broken("max = 12", "max = 12\npre = \"required\""),
            "phases",
            R::PrePhaseMissing,
        ),
        (
            "task placed outside its phase",
            broken("at = \"last\"", "at = \"3\""),
            "phases[0].tasks[1].at",
            R::TaskAtOutsidePhase {
                at: "3".into(),
                phase_sessions: 2,
                count: Some(8),
            },
        ),
        (
            "task both repeated and placed",
            broken(
                "repeat = \"every-session\"",
                "repeat = \"every-session\"\nat = \"1\"",
            ),
            "phases[1].tasks[0].at",
            R::TaskAtWithRepeat,
        ),
        (
            "unknown instrument",
            broken("instrument = \"wsas\"", "instrument = \"bdi2\""),
            "measures[1].instrument",
            R::UnknownInstrument { id: "bdi2".into() },
        ),
        (
            "instrument listed twice",
            broken("instrument = \"wsas\"", "instrument = \"phq9\""),
            "measures[1].instrument",
            R::DuplicateId {
                id: "phq9".into(),
                first: "measures[0].instrument".into(),
            },
        ),
        (
            "unknown cadence",
            broken(
                "[\"baseline\", \"every-session\"]",
                "[\"baseline\", \"weekly\"]",
            ),
            "measures[0].cadence[1]",
            R::UnknownCadence {
                value: "weekly".into(),
            },
        ),
        (
            "every-1 is not a cadence (use every-session)",
            broken(
                "[\"baseline\", \"every-session\"]",
                "[\"baseline\", \"every-1\"]",
            ),
            "measures[0].cadence[1]",
            R::UnknownCadence {
                value: "every-1".into(),
            },
        ),
        (
            "measure without cadence",
            broken("[\"baseline\", \"mid\", \"end\"]", "[]"),
            "measures[1].cadence",
            R::NoCadence,
        ),
        (
            "problem-area focus with no areas",
            EXAMPLE[..EXAMPLE.find("[[problem_areas]]").unwrap()].to_string()
                + &EXAMPLE[EXAMPLE.find("[[measures]]").unwrap()..],
            "problem_areas",
            R::NoProblemAreas,
        ),
        (
            "IPAF focus with problem areas",
            broken("focus = \"problem-areas\"", "focus = \"ipaf\""),
            "problem_areas",
            R::ProblemAreasWithIpaf,
        ),
        (
            "decision point without at or every",
            broken("at = \"mid\"", ""),
            "decision_points[0]",
            R::DecisionNeedsAtOrEvery,
        ),
        (
            "termination lead longer than the course",
            broken("termination_lead = 2", "termination_lead = 8"),
            "termination_lead",
            R::TerminationLeadTooLong { lead: 8, min: 8 },
        ),
        (
            "formulation check after the end",
            broken("formulation_warn_at = \"3\"", "formulation_warn_at = \"9\""),
            "formulation_warn_at",
            R::PositionOutOfRange {
                position: "9".into(),
                session: 9,
                count: Some(8),
            },
        ),
        (
            "participant in an unknown phase",
            broken(
                "role = \"client\"",
                "role = \"partner\"\nphases = [\"closing\"]",
            ),
            "participants[0].phases[0]",
            R::UnknownPhase {
                id: "closing".into(),
            },
        ),
        (
            "strategy-less area",
            broken(
                "[[problem_areas.strategies]]\nid = \"dispute-stage\"\nlabel = { en = \"Stage the dispute\", es = \"Determinar la etapa de la disputa\" }\n",
                "strategies = []\n",
            ),
            "problem_areas[1].strategies",
            R::NoStrategies,
        ),
    ];
    for (name, text, path, reason) in cases {
        let err = match Protocol::from_toml(&text) {
            Ok(_) => panic!("{name}: was accepted"),
            Err(e) => e,
        };
        let found = err
            .at(path)
            .unwrap_or_else(|| panic!("{name}: no error at {path}; got:\n{err}"));
        assert_eq!(found.reason, reason, "{name}: all errors:\n{err}");
    }
}

#[test]
fn error_text_reads_as_path_then_reason() {
    let text = broken("sessions = \"last-1..last\"", "sessions = \"last-2..last\"");
    let err = Protocol::from_toml(&text).unwrap_err();
    assert_eq!(
        err.first().to_string(),
        "phases[2].sessions: overlaps phase \"middle\" at session 6 when the course has 8 sessions"
    );
    assert_eq!(err.first().reason.code(), "phase-overlap");
}

#[test]
fn a_syntax_error_gives_line_and_column() {
    let err = Protocol::from_toml("id = \"x\"\nversion = \"1\n").unwrap_err();
    match &err.first().reason {
        R::Syntax { line, .. } => assert_eq!(*line, 2),
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert_eq!(err.first().path, "");
}

#[test]
fn several_problems_are_reported_together() {
    let text = broken("instrument = \"wsas\"", "instrument = \"bdi2\"").replacen(
        "label = { en = \"Middle phase\", es = \"Fase intermedia\" }",
        "label = { en = \"Middle phase\" }",
        1,
    );
    let err = Protocol::from_toml(&text).unwrap_err();
    let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["phases[1].label", "measures[1].instrument"]);
}

#[test]
fn a_preset_override_is_applied_and_validated_again() {
    let mut lib = ProtocolLibrary::builtin();
    let o = ProtocolOverride::from_toml(
        "default_sessions = 12\nsession_minutes = 45\nmid_session = \"5\"",
    )
    .unwrap();
    let p = lib.apply_override("ipt", &o).unwrap();
    assert_eq!(p.sessions().default, 12);
    assert_eq!(p.session_minutes(), 45);
    assert_eq!(p.mid_session(Some(12)), Some(5));

    // Raising the default past max is refused unless max rises too; the library is untouched.
    let bad = ProtocolOverride {
        default_sessions: Some(20),
        ..Default::default()
    };
    let err = lib.apply_override("ipt", &bad).unwrap_err();
    assert_eq!(err.first().path, "sessions.default");
    assert_eq!(lib.get("ipt").unwrap().sessions().default, 12);
    let ok = ProtocolOverride {
        default_sessions: Some(20),
        max_sessions: Some(20),
        ..Default::default()
    };
    let p = lib.apply_override("ipt", &ok).unwrap();
    assert_eq!(
        p.phase_span(p.phase("termination").unwrap(), Some(20)),
        Some((18, Some(20)))
    );

    // A lead that no longer fits the shortest course is refused.
    let lead = ProtocolOverride {
        termination_lead: Some(12),
        ..Default::default()
    };
    assert_eq!(
        lib.apply_override("ipt", &lead).unwrap_err().first().path,
        "termination_lead"
    );

    // Unknown keys in an override are refused with their path.
    let err = ProtocolOverride::from_toml("default_session = 12").unwrap_err();
    assert_eq!(err.first().path, "default_session");
    assert_eq!(
        lib.apply_override("nope", &o).unwrap_err().first().reason,
        R::UnknownProtocol { id: "nope".into() }
    );
}

#[test]
fn clinic_files_join_the_library_unless_bad_or_clashing() {
    let mut lib = ProtocolLibrary::builtin();
    let p = lib.add_toml(EXAMPLE).unwrap();
    assert_eq!(p.id(), "clinic-ipt-10");
    assert_eq!(lib.len(), 10);
    assert!(!ProtocolLibrary::is_preset("clinic-ipt-10"));

    let clash = EXAMPLE.replacen("id = \"clinic-ipt-10\"", "id = \"ipt\"", 1);
    let err = lib.add_toml(&clash).unwrap_err();
    assert_eq!(
        (err.first().path.as_str(), err.first().reason.code()),
        ("id", "id-taken")
    );

    let bad = broken("instrument = \"wsas\"", "instrument = \"bdi2\"").replacen(
        "clinic-ipt-10",
        "clinic-other",
        1,
    );
    assert!(lib.add_toml(&bad).is_err());
    assert!(
        lib.get("clinic-other").is_none(),
        "a bad file is never half-loaded"
    );
    assert_eq!(lib.len(), 10);
}

/// The TOML blocks of the format documentation stay valid: the override applies to the
/// standard preset and the example file loads.
#[test]
fn the_documented_examples_load() {
    let doc = include_str!("../../../ARCHITECTURE.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    assert_eq!(blocks.len(), 2);
    let o = ProtocolOverride::from_toml(blocks[0]).unwrap();
    let p = kith_domain::protocol::presets::get("ipt")
        .unwrap()
        .with_override(&o)
        .unwrap();
    assert_eq!(
        (p.sessions().min, p.sessions().default, p.sessions().max),
        (12, 12, 20)
    );
    let example = Protocol::from_toml(blocks[1]).unwrap();
    assert_eq!(example, Protocol::from_toml(EXAMPLE).unwrap());
}
