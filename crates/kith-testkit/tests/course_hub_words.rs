//! Every code the course engine, the suggestion and the course records can show has words in
//! every language Kith speaks. The lists below match on every variant, so a new warning or
//! reason does not compile here until it is added (and then fails until it has its words).

use kith_domain::course::{ContractLength, CourseError, Warning};
use kith_domain::inventory::{ConflictFrequency, ContactFrequency};
use kith_domain::locale::Locale;
use kith_domain::problem_area::{Caution, PatternSignal, Signal, StageSignal};
use kith_domain::timeline::{LifeEventKind, Precision};
use kith_web::i18n::Tr;
use uuid::Uuid;

fn warnings() -> Vec<Warning> {
    let all = vec![
        Warning::FormulationNotAgreed {
            session: 5,
            expected_by: 4,
        },
        Warning::TwoProblemAreas { areas: vec![] },
        Warning::EndingNotRaised {
            session: 15,
            raise_by: 13,
            last_session: 16,
        },
        Warning::DeficitsWithDeathNearOnset {
            area: "deficits".into(),
            event: Uuid::nil(),
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
            id: "x".into(),
            scheduled_at: 8,
        },
    ];
    for w in &all {
        match w {
            Warning::FormulationNotAgreed { .. }
            | Warning::TwoProblemAreas { .. }
            | Warning::EndingNotRaised { .. }
            | Warning::DeficitsWithDeathNearOnset { .. }
            | Warning::BeyondProtocolMax { .. }
            | Warning::BeyondContract { .. }
            | Warning::NoBaselineMeasure { .. }
            | Warning::DisputeStageMissing { .. }
            | Warning::DecisionPointPending { .. } => {}
        }
    }
    all
}

fn signals() -> Vec<Signal> {
    let e = Uuid::nil();
    let f = ConflictFrequency::Often;
    let all = vec![
        Signal::DeathNearOnset {
            event: e,
            person: None,
            weeks_before_onset: 2,
            precision: Precision::Day,
        },
        Signal::PersonDiedAroundOnset {
            person: e,
            weeks_before_onset: None,
        },
        Signal::DeceasedWasClose { person: e },
        Signal::DeceasedInInnerRing { person: e },
        Signal::DeathAnniversaryNearOnset {
            event: e,
            years_before: 2,
        },
        Signal::EarlierDeath {
            event: e,
            weeks_before_onset: 40,
        },
        Signal::NonDeathLossNearOnset {
            event: e,
            weeks_before_onset: 2,
        },
        Signal::ConflictWithMismatchedExpectations {
            person: e,
            frequency: f,
        },
        Signal::OngoingConflict {
            person: e,
            frequency: f,
        },
        Signal::MismatchedExpectations { person: e },
        Signal::ConflictNearOnset {
            event: e,
            person: None,
            weeks_before_onset: 1,
        },
        Signal::RelationshipChangedAroundOnset {
            person: e,
            weeks_before_onset: None,
        },
        Signal::LifeChangeNearOnset {
            event: e,
            kind: LifeEventKind::Move,
            weeks_before_onset: 3,
        },
        Signal::PersonChangedAroundOnset {
            person: e,
            weeks_before_onset: None,
        },
        Signal::OwnIllness {
            event: e,
            weeks_before_onset: None,
        },
        Signal::PastEpisodes { count: 2 },
        Signal::FewClosePeople { close: 1, total: 3 },
        Signal::NoEventNearOnset,
        Signal::OthersRuledOut,
    ];
    for s in &all {
        match s {
            Signal::DeathNearOnset { .. }
            | Signal::PersonDiedAroundOnset { .. }
            | Signal::DeceasedWasClose { .. }
            | Signal::DeceasedInInnerRing { .. }
            | Signal::DeathAnniversaryNearOnset { .. }
            | Signal::EarlierDeath { .. }
            | Signal::NonDeathLossNearOnset { .. }
            | Signal::ConflictWithMismatchedExpectations { .. }
            | Signal::OngoingConflict { .. }
            | Signal::MismatchedExpectations { .. }
            | Signal::ConflictNearOnset { .. }
            | Signal::RelationshipChangedAroundOnset { .. }
            | Signal::LifeChangeNearOnset { .. }
            | Signal::PersonChangedAroundOnset { .. }
            | Signal::OwnIllness { .. }
            | Signal::PastEpisodes { .. }
            | Signal::FewClosePeople { .. }
            | Signal::NoEventNearOnset
            | Signal::OthersRuledOut => {}
        }
    }
    all
}

fn other_codes() -> Vec<String> {
    let e = Uuid::nil();
    let mut keys = Vec::new();
    for s in [
        StageSignal::Separation { event: e },
        StageSignal::Estranged,
        StageSignal::ArgumentsDropped,
        StageSignal::LittleContact {
            contact: ContactFrequency::Rarely,
        },
        StageSignal::QuietDisagreement,
        StageSignal::ActiveArguments {
            frequency: ConflictFrequency::Often,
        },
    ] {
        match s {
            StageSignal::Separation { .. }
            | StageSignal::Estranged
            | StageSignal::ArgumentsDropped
            | StageSignal::LittleContact { .. }
            | StageSignal::QuietDisagreement
            | StageSignal::ActiveArguments { .. } => {}
        }
        keys.push(format!("stage-reason-{}", s.code()));
    }
    for c in [
        Caution::CheckForHiddenGrief,
        Caution::YearOnlyDate { event: e },
    ] {
        keys.push(format!("caution-{}", c.code()));
    }
    for p in [
        PatternSignal::PastPattern { person: e },
        PatternSignal::OriginOfPattern { person: e },
        PatternSignal::MismatchedExpectations { person: e },
        PatternSignal::RecurringConflict {
            person: e,
            frequency: ConflictFrequency::Often,
        },
        PatternSignal::RepeatedEvents {
            kind: LifeEventKind::Move,
            count: 2,
        },
    ] {
        keys.push(format!("pattern-{}", p.code()));
    }
    // What refusals of course records can say (engine, app and storage codes).
    let engine = [
        CourseError::WrongProtocol {
            course: String::new(),
            given: String::new(),
        },
        CourseError::ContractOutsideProtocol {
            requested: 0,
            min: 0,
            max: 0,
        },
        CourseError::OpenContractNotAllowed,
        CourseError::ZeroSessions,
        CourseError::RenegotiateBelowUsed {
            requested: 0,
            used: 0,
        },
        CourseError::LengthDoesNotFitPhases { requested: 0 },
        CourseError::RenegotiateUnchanged,
        CourseError::TooManyProblemAreas { chosen: vec![] },
        CourseError::AreaNotInProtocol {
            area: String::new(),
        },
        CourseError::AreaAlreadyChosen {
            area: String::new(),
        },
        CourseError::AreaNotChosen {
            area: String::new(),
        },
        CourseError::StageOnlyForDisputes {
            area: String::new(),
        },
        CourseError::FocusIsIpaf,
        CourseError::FocusIsProblemAreas,
        CourseError::UnknownTask {
            task: String::new(),
        },
        CourseError::SessionAlreadyHeld { number: 0 },
        CourseError::NoPreSession,
        CourseError::UnknownMeasure {
            instrument: String::new(),
        },
        CourseError::UnknownDecision { id: String::new() },
    ];
    for e in engine {
        keys.push(format!("msg-{}", e.code()));
    }
    for code in [
        "protocol-unknown",
        "course-already-open",
        "course-closed",
        "contract-already-agreed",
        "contract-not-agreed",
        "formulation-already-agreed",
        "date-in-future",
        "limited-sick-role-adolescents-only",
        "person-unknown",
        "goal-unknown",
        "end-before-start",
        "ipaf-required",
        "primary-area-required",
        "dispute-stage-required",
        "approx-date-invalid",
        "field-between",
    ] {
        keys.push(format!("msg-{code}"));
    }
    keys
}

fn all_keys() -> Vec<String> {
    let mut keys: Vec<String> = warnings()
        .iter()
        .map(|w| format!("warning-{}", w.code()))
        .collect();
    keys.extend(signals().iter().map(|s| format!("reason-{}", s.code())));
    keys.extend(other_codes());
    keys.extend(kith_web::pages::course_words::catalogue_keys());
    keys
}

#[test]
fn every_course_code_has_words_in_every_language() {
    let keys = all_keys();
    assert!(keys.len() > 170, "only {} keys", keys.len());
    // Every value any of these messages takes (Fluent ignores the ones a message does not use).
    let args: Vec<(&str, String)> = [
        "session",
        "expected",
        "areas",
        "raise",
        "last",
        "area",
        "event",
        "weeks",
        "max",
        "contracted",
        "measures",
        "decision",
        "person",
        "years",
        "often",
        "kind",
        "count",
        "close",
        "total",
        "contact",
        "min",
    ]
    .iter()
    .map(|k| (*k, "2".to_string()))
    .collect();
    for l in Locale::ALL {
        let t = Tr::new(l);
        let missing: Vec<&String> = keys.iter().filter(|k| t.with(k, &args) == **k).collect();
        assert!(missing.is_empty(), "{l:?} lacks {missing:?}");
    }
}

#[test]
fn warnings_and_reasons_read_as_sentences_with_their_data() {
    use kith_domain::protocol::ProtocolLibrary;
    use kith_web::pages::course_words::{Names, Words};
    let library = ProtocolLibrary::builtin();
    let ipt = library.get("ipt").expect("ipt");
    let mut names = Names::default();
    names.people.insert(Uuid::nil(), "Mum".into());
    names
        .events
        .insert(Uuid::nil(), "Mum died (5 January 2026)".into());
    let en = Words::new(Tr::new(Locale::En), ipt);
    let es = Words::new(Tr::new(Locale::Es), ipt);
    let w = Warning::DeficitsWithDeathNearOnset {
        area: "deficits".into(),
        event: Uuid::nil(),
        weeks_before_onset: 6,
    };
    assert_eq!(
        en.warning(&w, &names),
        "Interpersonal deficits is chosen while the timeline shows a death close to onset (Mum died (5 January 2026), 6 weeks before onset). Check for grief before settling on this area."
    );
    assert!(
        es.warning(&w, &names)
            .contains("6 semanas antes del inicio")
    );
    assert!(es.warning(&w, &names).contains("Déficits interpersonales"));
    let s = Signal::DeathNearOnset {
        event: Uuid::nil(),
        person: Some(Uuid::nil()),
        weeks_before_onset: -1,
        precision: Precision::Day,
    };
    assert_eq!(
        en.reason(&s, &names),
        "A death close to onset: Mum died (5 January 2026), one week after onset."
    );
    let n = Warning::NoBaselineMeasure {
        missing: vec!["phq9".into(), "gad7".into()],
    };
    assert_eq!(
        en.warning(&n, &names),
        "No baseline score was recorded for: PHQ-9, GAD-7."
    );
    assert_eq!(
        es.contract_length(ContractLength::Sessions(12)),
        "12 sesiones"
    );
    assert_eq!(en.contract_length(ContractLength::Open), "Open-ended");
}
