//! Words for what the course engine, the suggestion and the course records return as codes and
//! data: warnings, reasons, agenda items, labels of enums. Product wording comes from the Fluent
//! catalogue (`warning-<code>`, `reason-<code>`…); protocol and instrument labels come from their
//! data files in the reader's language.

use crate::i18n::Tr;
use kith_domain::course::{ContractLength, Warning};
use kith_domain::inventory::{
    ConflictFrequency, ConflictOutcome, ContactFrequency, PersonStatus, RelationshipType,
    SupportType, Visibility, YesNoPartly,
};
use kith_domain::locale::Locale;
use kith_domain::measure::InstrumentLibrary;
use kith_domain::problem_area::{
    Caution, DisputeStage, HeldBackWhy, PatternSignal, Signal, StageSignal,
};
use kith_domain::protocol::{Cadence, Frequency, ParticipantRole, Protocol};
use kith_domain::timeline::{ApproxDate, EpisodeKind, LifeEventKind, Precision};
use kith_store::{CourseOutcome, CourseStatus, GoalStatus, MedicationNeed, ReferralDecision};
use std::collections::HashMap;
use uuid::Uuid;

/// Names of inventory people and short descriptions of timeline events, for reasons that point
/// at them.
#[derive(Default)]
pub struct Names {
    pub people: HashMap<Uuid, String>,
    pub events: HashMap<Uuid, String>,
}

impl Names {
    fn person(&self, t: &Tr, id: Option<Uuid>) -> String {
        id.and_then(|i| self.people.get(&i).cloned())
            .unwrap_or_else(|| t.get("course-someone"))
    }

    fn event(&self, t: &Tr, id: Uuid) -> String {
        self.events
            .get(&id)
            .cloned()
            .unwrap_or_else(|| t.get("course-an-event"))
    }
}

/// Everything a page needs to put words on a course of one protocol.
pub struct Words<'a> {
    pub t: Tr,
    pub locale: Locale,
    pub protocol: &'a Protocol,
    pub instruments: &'static InstrumentLibrary,
}

impl<'a> Words<'a> {
    pub fn new(t: Tr, protocol: &'a Protocol) -> Words<'a> {
        Words {
            t,
            locale: t.locale,
            protocol,
            instruments: InstrumentLibrary::builtin(),
        }
    }

    pub fn phase(&self, id: &str) -> String {
        self.protocol
            .phase(id)
            .map(|p| p.label.get(self.locale).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn task(&self, id: &str) -> String {
        self.protocol
            .all_tasks()
            .find(|t| t.id == id)
            .map(|t| t.label.get(self.locale).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn area(&self, id: &str) -> String {
        self.protocol
            .problem_area(id)
            .map(|a| a.label.get(self.locale).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn area_description(&self, id: &str) -> String {
        self.protocol
            .problem_area(id)
            .and_then(|a| a.description.as_ref())
            .map(|d| d.get(self.locale).to_string())
            .unwrap_or_default()
    }

    pub fn decision(&self, id: &str) -> String {
        self.protocol
            .decision_points()
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.label.get(self.locale).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// The instrument's short name (PHQ-9); the id when unknown.
    pub fn instrument(&self, id: &str) -> String {
        self.instruments
            .get(id)
            .map(|i| i.def().short_title.get(self.locale).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn band(&self, instrument: &str, band: &str) -> String {
        self.instruments
            .get(instrument)
            .and_then(|i| i.band(band))
            .map(|b| b.label.get(self.locale).to_string())
            .unwrap_or_else(|| band.to_string())
    }

    pub fn instruments_list(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|i| self.instrument(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn cadence(&self, c: Cadence) -> String {
        match c {
            Cadence::Every(n) => self.t.with1("cadence-every-n", "n", n),
            other => self.t.get(&format!("cadence-{}", other.code())),
        }
    }

    /// A warning of the engine, in words, with the data it carries.
    pub fn warning(&self, w: &Warning, names: &Names) -> String {
        let t = &self.t;
        let key = format!("warning-{}", w.code());
        match w {
            Warning::FormulationNotAgreed {
                session,
                expected_by,
            } => t.with2(&key, "session", session, "expected", expected_by),
            Warning::TwoProblemAreas { areas } => t.with1(
                &key,
                "areas",
                areas
                    .iter()
                    .map(|a| self.area(a))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Warning::EndingNotRaised {
                session,
                raise_by,
                last_session,
            } => t.with(
                &key,
                &[
                    ("session", session.to_string()),
                    ("raise", raise_by.to_string()),
                    ("last", last_session.to_string()),
                ],
            ),
            Warning::DeficitsWithDeathNearOnset {
                area,
                event,
                weeks_before_onset,
            } => t.with(
                &key,
                &[
                    ("area", self.area(area)),
                    ("event", names.event(t, *event)),
                    ("weeks", weeks_phrase(t, *weeks_before_onset)),
                ],
            ),
            Warning::BeyondProtocolMax { session, max } => {
                t.with2(&key, "session", session, "max", max)
            }
            Warning::BeyondContract {
                session,
                contracted,
            } => t.with2(&key, "session", session, "contracted", contracted),
            Warning::NoBaselineMeasure { missing } => {
                t.with1(&key, "measures", self.instruments_list(missing))
            }
            Warning::DisputeStageMissing { area } => t.with1(&key, "area", self.area(area)),
            Warning::DecisionPointPending { id, scheduled_at } => {
                t.with2(&key, "decision", self.decision(id), "session", scheduled_at)
            }
        }
    }

    /// One reason of the problem-area suggestion, in words.
    pub fn reason(&self, s: &Signal, names: &Names) -> String {
        let t = &self.t;
        let key = format!("reason-{}", s.code());
        match s {
            Signal::DeathNearOnset {
                event,
                person,
                weeks_before_onset,
                ..
            } => t.with(
                &key,
                &[
                    ("event", names.event(t, *event)),
                    ("person", names.person(t, *person)),
                    ("weeks", weeks_phrase(t, *weeks_before_onset)),
                ],
            ),
            Signal::PersonDiedAroundOnset { person, .. }
            | Signal::DeceasedWasClose { person }
            | Signal::DeceasedInInnerRing { person }
            | Signal::MismatchedExpectations { person }
            | Signal::RelationshipChangedAroundOnset { person, .. }
            | Signal::PersonChangedAroundOnset { person, .. } => {
                t.with1(&key, "person", names.person(t, Some(*person)))
            }
            Signal::DeathAnniversaryNearOnset {
                event,
                years_before,
            } => t.with2(&key, "event", names.event(t, *event), "years", years_before),
            Signal::EarlierDeath {
                event,
                weeks_before_onset,
            }
            | Signal::NonDeathLossNearOnset {
                event,
                weeks_before_onset,
            } => t.with2(
                &key,
                "event",
                names.event(t, *event),
                "weeks",
                weeks_phrase(t, *weeks_before_onset),
            ),
            Signal::ConflictWithMismatchedExpectations { person, frequency }
            | Signal::OngoingConflict { person, frequency } => t.with2(
                &key,
                "person",
                names.person(t, Some(*person)),
                "often",
                self.conflict_frequency(*frequency),
            ),
            Signal::ConflictNearOnset {
                event,
                person,
                weeks_before_onset,
            } => t.with(
                &key,
                &[
                    ("event", names.event(t, *event)),
                    ("person", names.person(t, *person)),
                    ("weeks", weeks_phrase(t, *weeks_before_onset)),
                ],
            ),
            Signal::LifeChangeNearOnset {
                event,
                kind,
                weeks_before_onset,
            } => t.with(
                &key,
                &[
                    ("event", names.event(t, *event)),
                    ("kind", self.event_kind(*kind)),
                    ("weeks", weeks_phrase(t, *weeks_before_onset)),
                ],
            ),
            Signal::OwnIllness { event, .. } => t.with1(&key, "event", names.event(t, *event)),
            Signal::PastEpisodes { count } => t.with1(&key, "count", count),
            Signal::FewClosePeople { close, total } => {
                t.with2(&key, "close", close, "total", total)
            }
            Signal::NoEventNearOnset | Signal::OthersRuledOut => t.get(&key),
        }
    }

    pub fn stage_reason(&self, s: &StageSignal) -> String {
        let key = format!("stage-reason-{}", s.code());
        match s {
            StageSignal::LittleContact { contact } => {
                self.t.with1(&key, "contact", self.contact(*contact))
            }
            StageSignal::ActiveArguments { frequency } => {
                self.t
                    .with1(&key, "often", self.conflict_frequency(*frequency))
            }
            _ => self.t.get(&key),
        }
    }

    pub fn caution(&self, c: &Caution, names: &Names) -> String {
        let key = format!("caution-{}", c.code());
        match c {
            Caution::YearOnlyDate { event } => {
                self.t.with1(&key, "event", names.event(&self.t, *event))
            }
            Caution::CheckForHiddenGrief => self.t.get(&key),
        }
    }

    pub fn held_back(&self, why: HeldBackWhy) -> String {
        match why {
            HeldBackWhy::OtherAreasHaveSignals => self.t.get("held-back-other-areas-have-signals"),
        }
    }

    pub fn pattern(&self, p: &PatternSignal, names: &Names) -> String {
        let key = format!("pattern-{}", p.code());
        match p {
            PatternSignal::PastPattern { person }
            | PatternSignal::OriginOfPattern { person }
            | PatternSignal::MismatchedExpectations { person } => {
                self.t
                    .with1(&key, "person", names.person(&self.t, Some(*person)))
            }
            PatternSignal::RecurringConflict { person, frequency } => self.t.with2(
                &key,
                "person",
                names.person(&self.t, Some(*person)),
                "often",
                self.conflict_frequency(*frequency),
            ),
            PatternSignal::RepeatedEvents { kind, count } => {
                self.t
                    .with2(&key, "kind", self.event_kind(*kind), "count", count)
            }
        }
    }

    pub fn contract_length(&self, l: ContractLength) -> String {
        match l {
            ContractLength::Sessions(n) => self.t.with1("contract-sessions-n", "n", n),
            ContractLength::Open => self.t.get("contract-open-ended"),
        }
    }

    pub fn frequency(&self, f: Frequency) -> String {
        self.t.get(&format!("frequency-{}", frequency_code(f)))
    }

    pub fn participant(&self, r: ParticipantRole) -> String {
        self.t.get(&format!("participant-{}", participant_code(r)))
    }

    pub fn stage(&self, s: DisputeStage) -> String {
        self.t.get(&format!("stage-{}", s.code()))
    }

    pub fn relationship(&self, r: RelationshipType) -> String {
        self.t.get(&format!("rel-{}", code_of(&r)))
    }

    pub fn person_status(&self, s: PersonStatus) -> String {
        self.t.get(&format!("person-status-{}", code_of(&s)))
    }

    pub fn contact(&self, c: ContactFrequency) -> String {
        self.t.get(&format!("contact-{}", code_of(&c)))
    }

    pub fn conflict_frequency(&self, c: ConflictFrequency) -> String {
        self.t.get(&format!("conflict-freq-{}", code_of(&c)))
    }

    pub fn conflict_outcome(&self, c: ConflictOutcome) -> String {
        self.t.get(&format!("conflict-outcome-{}", code_of(&c)))
    }

    pub fn support_type(&self, s: SupportType) -> String {
        self.t.get(&format!("support-{}", code_of(&s)))
    }

    pub fn yes_no(&self, y: YesNoPartly) -> String {
        self.t.get(&format!("ynp-{}", code_of(&y)))
    }

    pub fn visibility(&self, v: Visibility) -> String {
        self.t.get(&format!("visibility-{}", code_of(&v)))
    }

    pub fn event_kind(&self, k: LifeEventKind) -> String {
        self.t.get(&format!("event-kind-{}", k.code()))
    }

    pub fn episode_kind(&self, k: EpisodeKind) -> String {
        self.t.get(&format!("episode-kind-{}", code_of(&k)))
    }

    pub fn goal_status(&self, g: GoalStatus) -> String {
        self.t.get(&format!("goal-status-{}", g.code()))
    }

    pub fn course_status(&self, s: CourseStatus, outcome: Option<CourseOutcome>) -> String {
        match (s, outcome) {
            (CourseStatus::Open, _) => self.t.get("course-status-open"),
            (CourseStatus::Closed, Some(o)) => self.t.get(&format!("course-outcome-{}", o.code())),
            (CourseStatus::Closed, None) => self.t.get("course-status-closed"),
        }
    }

    pub fn medication_need(&self, n: MedicationNeed) -> String {
        self.t.get(&format!("med-need-{}", code_of(&n)))
    }

    pub fn referral(&self, r: ReferralDecision) -> String {
        self.t.get(&format!("referral-{}", code_of(&r)))
    }

    /// An approximate date as a person reads it: "2025", "March 2025", "14 March 2025".
    pub fn approx_date(&self, d: &ApproxDate) -> String {
        approx_date(&self.t, d)
    }
}

/// An approximate date as a person reads it.
pub fn approx_date(t: &Tr, d: &ApproxDate) -> String {
    match d.precision() {
        Precision::Year => d.year_value().to_string(),
        Precision::Month => {
            let month = t.get(&format!("month-{}", d.month_value().unwrap_or(1)));
            match t.locale {
                Locale::En => format!("{month} {}", d.year_value()),
                Locale::Es => format!("{month} de {}", d.year_value()),
            }
        }
        Precision::Day => t.date(d.first_day()),
    }
}

/// Weeks before onset in words: "6 weeks before onset", "2 weeks after onset", "around onset".
pub fn weeks_phrase(t: &Tr, weeks_before: i64) -> String {
    if weeks_before > 0 {
        t.with1("tl-weeks-before", "n", weeks_before)
    } else if weeks_before < 0 {
        t.with1("tl-weeks-after", "n", -weeks_before)
    } else {
        t.get("tl-around-onset")
    }
}

/// The kebab-case code serde gives a unit enum value.
pub fn code_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub fn frequency_code(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "weekly",
        Frequency::Fortnightly => "fortnightly",
        Frequency::Monthly => "monthly",
        Frequency::Flexible => "flexible",
    }
}

pub fn participant_code(r: ParticipantRole) -> &'static str {
    match r {
        ParticipantRole::Client => "client",
        ParticipantRole::Parent => "parent",
        ParticipantRole::Partner => "partner",
        ParticipantRole::Group => "group",
    }
}

/// Every key of the catalogue that the course pages build from a code: one per value of each
/// enum shown in words, and one per warning, reason and hint the engine and the suggestion
/// return. The completeness test walks this list in every language.
pub fn catalogue_keys() -> Vec<String> {
    let mut keys = Vec::new();
    let mut push = |prefix: &str, code: String| keys.push(format!("{prefix}-{code}"));
    for r in RELATIONSHIPS {
        push("rel", code_of(&r));
    }
    for s in PERSON_STATUSES {
        push("person-status", code_of(&s));
    }
    for c in CONTACTS {
        push("contact", code_of(&c));
    }
    for c in CONFLICT_FREQUENCIES {
        push("conflict-freq", code_of(&c));
    }
    for c in CONFLICT_OUTCOMES {
        push("conflict-outcome", code_of(&c));
    }
    for s in SUPPORT_TYPES {
        push("support", code_of(&s));
    }
    for y in YES_NO {
        push("ynp", code_of(&y));
    }
    for v in [Visibility::Shared, Visibility::ClinicianPrivate] {
        push("visibility", code_of(&v));
    }
    for k in EVENT_KINDS {
        push("event-kind", k.code().to_string());
    }
    for k in EPISODE_KINDS {
        push("episode-kind", code_of(&k));
    }
    for s in STAGES {
        push("stage", s.code().to_string());
    }
    for f in [
        Frequency::Weekly,
        Frequency::Fortnightly,
        Frequency::Monthly,
        Frequency::Flexible,
    ] {
        push("frequency", frequency_code(f).to_string());
    }
    for r in PARTICIPANTS {
        push("participant", participant_code(r).to_string());
    }
    for g in GOAL_STATUSES {
        push("goal-status", g.code().to_string());
    }
    for o in [
        CourseOutcome::Ended,
        CourseOutcome::Continuation,
        CourseOutcome::Maintenance,
    ] {
        push("course-outcome", o.code().to_string());
    }
    for n in MEDICATION_NEEDS {
        push("med-need", code_of(&n));
    }
    for r in REFERRALS {
        push("referral", code_of(&r));
    }
    for s in ["intake", "mid-course", "termination", "custom"] {
        push("snapshot", s.to_string());
    }
    for r in 1..=3 {
        push("ring", r.to_string());
    }
    for t in ["review", "alert", "urgent"] {
        push("course-alert-tier", t.to_string());
    }
    for k in [
        "moved-inward",
        "moved-outward",
        "joined",
        "left",
        "unchanged",
    ] {
        push("circle-change", k.to_string());
    }
    for c in ["none", "low", "moderate", "high"] {
        push("circle-conflict", c.to_string());
    }
    keys
}

pub const PERSON_STATUSES: [PersonStatus; 4] = [
    PersonStatus::Current,
    PersonStatus::Past,
    PersonStatus::Deceased,
    PersonStatus::Estranged,
];
pub const CONTACTS: [ContactFrequency; 5] = [
    ContactFrequency::Daily,
    ContactFrequency::Weekly,
    ContactFrequency::Monthly,
    ContactFrequency::Rarely,
    ContactFrequency::Never,
];
pub const CONFLICT_FREQUENCIES: [ConflictFrequency; 5] = [
    ConflictFrequency::Never,
    ConflictFrequency::Rarely,
    ConflictFrequency::Sometimes,
    ConflictFrequency::Often,
    ConflictFrequency::Constantly,
];
pub const CONFLICT_OUTCOMES: [ConflictOutcome; 3] = [
    ConflictOutcome::Resolved,
    ConflictOutcome::Dropped,
    ConflictOutcome::Ongoing,
];
pub const SUPPORT_TYPES: [SupportType; 4] = [
    SupportType::Emotional,
    SupportType::Practical,
    SupportType::Information,
    SupportType::Companionship,
];
pub const YES_NO: [YesNoPartly; 4] = [
    YesNoPartly::Yes,
    YesNoPartly::No,
    YesNoPartly::Partly,
    YesNoPartly::Unsure,
];
pub const EVENT_KINDS: [LifeEventKind; 13] = [
    LifeEventKind::Death,
    LifeEventKind::Separation,
    LifeEventKind::Conflict,
    LifeEventKind::Move,
    LifeEventKind::JobChange,
    LifeEventKind::JobLoss,
    LifeEventKind::Retirement,
    LifeEventKind::BirthOrPregnancy,
    LifeEventKind::Illness,
    LifeEventKind::SchoolChange,
    LifeEventKind::Achievement,
    LifeEventKind::Loss,
    LifeEventKind::Other,
];
pub const EPISODE_KINDS: [EpisodeKind; 5] = [
    EpisodeKind::Depressive,
    EpisodeKind::Manic,
    EpisodeKind::Hypomanic,
    EpisodeKind::Mixed,
    EpisodeKind::Anxious,
];
pub const STAGES: [DisputeStage; 3] = [
    DisputeStage::Renegotiation,
    DisputeStage::Impasse,
    DisputeStage::Dissolution,
];
pub const PARTICIPANTS: [ParticipantRole; 4] = [
    ParticipantRole::Client,
    ParticipantRole::Parent,
    ParticipantRole::Partner,
    ParticipantRole::Group,
];
pub const GOAL_STATUSES: [GoalStatus; 5] = [
    GoalStatus::Active,
    GoalStatus::Achieved,
    GoalStatus::Partly,
    GoalStatus::NotAchieved,
    GoalStatus::Dropped,
];
pub const MEDICATION_NEEDS: [MedicationNeed; 4] = [
    MedicationNeed::NotIndicated,
    MedicationNeed::ToConsider,
    MedicationNeed::Recommended,
    MedicationNeed::AlreadyTaking,
];
pub const REFERRALS: [ReferralDecision; 4] = [
    ReferralDecision::NotNeeded,
    ReferralDecision::Referred,
    ReferralDecision::ClientDeclined,
    ReferralDecision::AlreadyPrescribed,
];
pub const RELATIONSHIPS: [RelationshipType; 15] = [
    RelationshipType::Partner,
    RelationshipType::ExPartner,
    RelationshipType::Parent,
    RelationshipType::Child,
    RelationshipType::Sibling,
    RelationshipType::OtherFamily,
    RelationshipType::Friend,
    RelationshipType::Colleague,
    RelationshipType::Manager,
    RelationshipType::Teacher,
    RelationshipType::Neighbour,
    RelationshipType::Professional,
    RelationshipType::Pet,
    RelationshipType::Deceased,
    RelationshipType::Other,
];

/// Parses a kebab-case code into a unit enum value (as serde names it).
pub fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}
