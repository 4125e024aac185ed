//! Every code the course-sessions pages turn into words has its words in English and Spanish:
//! session reasons and statuses, worksheet statuses, goal reviews, outcomes, risk statuses, the
//! engine's warnings on the brief, the change findings, and every problem a note or worksheet
//! value can have.

use kith_app::courses::SESSION_REASONS;
use kith_domain::course::Warning;
use kith_domain::locale::Locale;
use kith_domain::measure::FindingStatus;
use kith_domain::note::RiskStatus;
use kith_domain::worksheet::{CommonProblem, FilledBy, ValueProblem};
use kith_store::{CourseOutcome, GoalStatus, WorksheetStatus};
use kith_web::i18n::Tr;

fn keys() -> Vec<String> {
    let mut k: Vec<String> = Vec::new();
    k.extend(
        SESSION_REASONS
            .iter()
            .map(|r| format!("session-reason-{r}")),
    );
    for s in ["held", "missed", "cancelled", "scheduled"] {
        k.push(format!("session-status-{s}"));
    }
    for s in [
        WorksheetStatus::Draft,
        WorksheetStatus::Complete,
        WorksheetStatus::Reviewed,
    ] {
        k.push(format!("ws-status-{}", s.code()));
    }
    for g in [
        GoalStatus::Active,
        GoalStatus::Achieved,
        GoalStatus::Partly,
        GoalStatus::NotAchieved,
        GoalStatus::Dropped,
    ] {
        k.push(format!("term-goal-{}", g.code()));
    }
    for o in [
        CourseOutcome::Ended,
        CourseOutcome::Continuation,
        CourseOutcome::Maintenance,
    ] {
        k.push(format!("term-outcome-{}", o.code()));
    }
    for r in [
        RiskStatus::NotAssessed,
        RiskStatus::NoRiskIdentified,
        RiskStatus::RiskIdentified,
    ] {
        k.push(format!("note-risk-{}", r.code()));
    }
    for f in [
        FindingStatus::Suggested,
        FindingStatus::NotSuggested,
        FindingStatus::CannotTell,
    ] {
        k.push(format!("term-finding-{}", f.code()));
    }
    for c in [
        "moved-inward",
        "moved-outward",
        "joined",
        "left",
        "unchanged",
    ] {
        k.push(format!("term-change-{c}"));
    }
    for a in ["yes", "no", "unsure"] {
        k.push(format!("ws-answer-{a}"));
    }
    let warnings = [
        Warning::FormulationNotAgreed {
            session: 4,
            expected_by: 4,
        },
        Warning::TwoProblemAreas { areas: vec![] },
        Warning::EndingNotRaised {
            session: 10,
            raise_by: 9,
            last_session: 12,
        },
        Warning::DeficitsWithDeathNearOnset {
            area: "deficits".into(),
            event: uuid::Uuid::nil(),
            weeks_before_onset: 3,
        },
        Warning::BeyondProtocolMax {
            session: 17,
            max: 16,
        },
        Warning::BeyondContract {
            session: 13,
            contracted: 12,
        },
        Warning::NoBaselineMeasure { missing: vec![] },
        Warning::DisputeStageMissing {
            area: "dispute".into(),
        },
        Warning::DecisionPointPending {
            id: "mid-course".into(),
            scheduled_at: 6,
        },
    ];
    k.extend(
        warnings
            .iter()
            .map(|w| format!("brief-warning-{}", w.code())),
    );
    let problems = [
        ValueProblem::Required,
        ValueProblem::UnknownField { key: "x".into() },
        ValueProblem::WrongType { expected: "text" },
        ValueProblem::BadFormat { expected: "date" },
        ValueProblem::TooLong { max: 1, length: 2 },
        ValueProblem::ControlCharacters,
        ValueProblem::OutOfRange {
            min: 0,
            max: 10,
            value: 11,
        },
        ValueProblem::UnknownOption { value: "x".into() },
        ValueProblem::Duplicate { value: "x".into() },
        ValueProblem::TooFewEntries { min: 1 },
        ValueProblem::TooManyEntries { max: 1 },
        ValueProblem::ActionsRequired,
    ];
    k.extend(problems.iter().map(|p| format!("value-{}", p.code())));
    let common = [
        CommonProblem::WrongDefinition {
            expected: String::new(),
            found: String::new(),
        },
        CommonProblem::AuthorNotAllowed {
            filled_by: FilledBy::Client,
        },
        CommonProblem::NotATask,
        CommonProblem::ClientWorkPrivate,
        CommonProblem::UpdatedBeforeCreated,
        CommonProblem::Comment {
            problem: ValueProblem::ControlCharacters,
        },
    ];
    k.extend(common.iter().map(|p| format!("value-{}", p.code())));
    for kind in [
        "text",
        "integer",
        "boolean",
        "list",
        "object",
        "date",
        "time",
        "datetime",
        "person-id",
        "goal-id",
        "worksheet-id",
    ] {
        k.push(format!("value-kind-{kind}"));
    }
    // Codes the application reports for sessions, notes and worksheets.
    for code in [
        "person-unknown",
        "goal-unknown",
        "worksheet-unknown",
        "worksheet-kind-unknown",
        "worksheet-status-move",
        "worksheet-definition-gone",
        "session-unknown",
        "session-not-held",
        "session-status-not-allowed",
        "session-reason-unknown",
        "session-already-held",
        "date-in-future",
        "unknown-task",
        "note-signed",
        "note-not-signed",
        "note-already-signed-off",
        "course-closed",
        "field-not-a-datetime",
    ] {
        k.push(format!("value-{code}"));
    }
    k
}

/// The message, with every value any of these messages may take filled in.
fn say(t: &Tr, key: &str) -> String {
    let args: Vec<(&str, String)> = [
        "key", "expected", "max", "length", "min", "value", "from", "to", "code", "missing",
        "raise_by", "last",
    ]
    .into_iter()
    .map(|a| (a, "1".to_string()))
    .collect();
    t.with(key, &args)
}

#[test]
fn every_code_the_pages_word_has_words_in_both_languages() {
    for locale in Locale::ALL {
        let t = Tr::new(locale);
        let missing: Vec<String> = keys().into_iter().filter(|k| say(&t, k) == *k).collect();
        assert!(missing.is_empty(), "{locale:?} lacks {missing:?}");
    }
}

#[test]
fn spanish_words_are_not_english_words() {
    let en = Tr::new(Locale::En);
    let es = Tr::new(Locale::Es);
    let same: Vec<String> = keys()
        .into_iter()
        .filter(|k| say(&en, k) == say(&es, k))
        // "No" is the same word in both.
        .filter(|k| k != "ws-answer-no")
        .collect();
    assert!(same.is_empty(), "not translated: {same:?}");
}
