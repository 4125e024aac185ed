//! Problem areas: dispute stages, and the **suggestion** of problem areas from the
//! interpersonal inventory and the timeline.
//!
//! Kith suggests, the clinician decides: [`suggest`] returns a [`Suggestion`] with the reasons
//! for each area; nothing here changes a course. The clinician's choice, agreed with the client,
//! is recorded separately with [`crate::course::CourseState::confirm_problem_area`].
//!
//! Signals follow the IPT manuals: a death near onset points to grief; a current conflict with
//! expectations that do not match points to a role dispute (with a proposed stage); a life
//! change near onset points to a role transition; a sparse inventory with no event near onset
//! points to interpersonal deficits, which is offered **only when no other area has a signal**.

use crate::inventory::{
    ConflictFrequency, ConflictOutcome, ContactFrequency, Inventory, Person, PersonStatus,
    RelationshipType, Ring,
};
use crate::protocol::{AreaKind, FocusKind, Protocol};
use crate::timeline::{
    ApproxDate, EpisodeKind, LifeEvent, LifeEventKind, OnsetDistance, OnsetWindow, Precision,
    Timeline,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Stage of a role dispute (recorded for every dispute; it drives the goals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeStage {
    /// Both know they differ and are actively, if unsuccessfully, trying to change things.
    Renegotiation,
    /// Discussion has stopped; low-level resentment; the relationship is "frozen".
    Impasse,
    /// The relationship is judged beyond repair; one or both want out.
    Dissolution,
}

impl DisputeStage {
    pub fn code(self) -> &'static str {
        match self {
            DisputeStage::Renegotiation => "renegotiation",
            DisputeStage::Impasse => "impasse",
            DisputeStage::Dissolution => "dissolution",
        }
    }
}

/// Settings of the suggestion (clinic-configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionSettings {
    /// What counts as "near onset" (default 8 weeks before, 4 weeks after).
    #[serde(default)]
    pub window: OnsetWindow,
    /// Treat a non-death loss (end of a relationship, health, a pregnancy, a pet) near onset as a
    /// grief signal as well as a transition. Classic IPT treats such losses as transitions, so
    /// the default is `false`.
    #[serde(default)]
    pub non_death_loss_is_grief: bool,
    /// The inventory is "sparse" when at most this many living people sit in the inner and
    /// middle rings (default 2).
    #[serde(default = "default_sparse")]
    pub sparse_max_close: usize,
    /// How far back (in weeks) a death still counts as an earlier, possibly unmourned loss
    /// (default 104, two years).
    #[serde(default = "default_earlier")]
    pub earlier_death_weeks: u32,
}

fn default_sparse() -> usize {
    2
}
fn default_earlier() -> u32 {
    104
}

impl Default for SuggestionSettings {
    fn default() -> Self {
        SuggestionSettings {
            window: OnsetWindow::default(),
            non_death_loss_is_grief: false,
            sparse_max_close: default_sparse(),
            earlier_death_weeks: default_earlier(),
        }
    }
}

/// How much a reason weighs in the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weight {
    Weak = 1,
    Medium = 2,
    Strong = 3,
}

/// What a reason rests on. Every variant names the person or event it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Signal {
    /// A death on the timeline inside the window around onset.
    DeathNearOnset {
        event: Uuid,
        person: Option<Uuid>,
        weeks_before_onset: i64,
        precision: Precision,
    },
    /// A deceased person whose death the inventory places around onset (no timeline event).
    PersonDiedAroundOnset {
        person: Uuid,
        weeks_before_onset: Option<i64>,
    },
    /// The person who died was in the inner ring.
    DeceasedWasClose { person: Uuid },
    /// A deceased person in the inner ring, with no date near onset.
    DeceasedInInnerRing { person: Uuid },
    /// The onset falls near the anniversary of an earlier death.
    DeathAnniversaryNearOnset { event: Uuid, years_before: i32 },
    /// A death before the window but within the look-back period: possibly never mourned.
    EarlierDeath {
        event: Uuid,
        weeks_before_onset: i64,
    },
    /// A non-death loss near onset, counted as grief by clinic setting.
    NonDeathLossNearOnset {
        event: Uuid,
        weeks_before_onset: i64,
    },
    /// Frequent arguments and expectations that do not match.
    ConflictWithMismatchedExpectations {
        person: Uuid,
        frequency: ConflictFrequency,
    },
    /// Arguments at least sometimes, expectations not known to differ.
    OngoingConflict {
        person: Uuid,
        frequency: ConflictFrequency,
    },
    /// Expectations that do not match, with little open arguing (a possibly covert dispute).
    MismatchedExpectations { person: Uuid },
    /// A conflict event on the timeline near onset.
    ConflictNearOnset {
        event: Uuid,
        person: Option<Uuid>,
        weeks_before_onset: i64,
    },
    /// A relationship in conflict that changed around onset.
    RelationshipChangedAroundOnset {
        person: Uuid,
        weeks_before_onset: Option<i64>,
    },
    /// A life change on the timeline near onset (move, job, birth, separation…).
    LifeChangeNearOnset {
        event: Uuid,
        kind: LifeEventKind,
        weeks_before_onset: i64,
    },
    /// A relationship without conflict that changed around onset (someone left, a new role).
    PersonChangedAroundOnset {
        person: Uuid,
        weeks_before_onset: Option<i64>,
    },
    /// The client's own illness or diagnosis on the timeline.
    OwnIllness {
        event: Uuid,
        weeks_before_onset: Option<i64>,
    },
    /// Earlier manic, hypomanic or mixed episodes on the timeline.
    PastEpisodes { count: usize },
    /// Few living people in the inner and middle rings.
    FewClosePeople { close: usize, total: usize },
    /// No event at all inside the window around onset.
    NoEventNearOnset,
    /// No death, dispute or life change was found: the residual area applies.
    OthersRuledOut,
}

impl Signal {
    pub fn code(&self) -> &'static str {
        match self {
            Signal::DeathNearOnset { .. } => "death-near-onset",
            Signal::PersonDiedAroundOnset { .. } => "person-died-around-onset",
            Signal::DeceasedWasClose { .. } => "deceased-was-close",
            Signal::DeceasedInInnerRing { .. } => "deceased-in-inner-ring",
            Signal::DeathAnniversaryNearOnset { .. } => "death-anniversary-near-onset",
            Signal::EarlierDeath { .. } => "earlier-death",
            Signal::NonDeathLossNearOnset { .. } => "non-death-loss-near-onset",
            Signal::ConflictWithMismatchedExpectations { .. } => {
                "conflict-with-mismatched-expectations"
            }
            Signal::OngoingConflict { .. } => "ongoing-conflict",
            Signal::MismatchedExpectations { .. } => "mismatched-expectations",
            Signal::ConflictNearOnset { .. } => "conflict-near-onset",
            Signal::RelationshipChangedAroundOnset { .. } => "relationship-changed-around-onset",
            Signal::LifeChangeNearOnset { .. } => "life-change-near-onset",
            Signal::PersonChangedAroundOnset { .. } => "person-changed-around-onset",
            Signal::OwnIllness { .. } => "own-illness",
            Signal::PastEpisodes { .. } => "past-episodes",
            Signal::FewClosePeople { .. } => "few-close-people",
            Signal::NoEventNearOnset => "no-event-near-onset",
            Signal::OthersRuledOut => "others-ruled-out",
        }
    }

    /// The person this reason rests on, if any.
    pub fn person(&self) -> Option<Uuid> {
        match self {
            Signal::DeathNearOnset { person, .. } | Signal::ConflictNearOnset { person, .. } => {
                *person
            }
            Signal::PersonDiedAroundOnset { person, .. }
            | Signal::DeceasedWasClose { person }
            | Signal::DeceasedInInnerRing { person }
            | Signal::ConflictWithMismatchedExpectations { person, .. }
            | Signal::OngoingConflict { person, .. }
            | Signal::MismatchedExpectations { person }
            | Signal::RelationshipChangedAroundOnset { person, .. }
            | Signal::PersonChangedAroundOnset { person, .. } => Some(*person),
            _ => None,
        }
    }

    /// The timeline event this reason rests on, if any.
    pub fn event(&self) -> Option<Uuid> {
        match self {
            Signal::DeathNearOnset { event, .. }
            | Signal::DeathAnniversaryNearOnset { event, .. }
            | Signal::EarlierDeath { event, .. }
            | Signal::NonDeathLossNearOnset { event, .. }
            | Signal::ConflictNearOnset { event, .. }
            | Signal::LifeChangeNearOnset { event, .. }
            | Signal::OwnIllness { event, .. } => Some(*event),
            _ => None,
        }
    }
}

/// One reason for suggesting an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub signal: Signal,
    pub weight: Weight,
}

impl Reason {
    pub fn code(&self) -> &'static str {
        self.signal.code()
    }
}

/// Why a dispute stage is proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum StageSignal {
    /// A separation involving this person is on the timeline.
    Separation { event: Uuid },
    /// The relationship is marked estranged.
    Estranged,
    /// Arguments are dropped without being resolved.
    ArgumentsDropped,
    /// Little or no contact despite a current relationship.
    LittleContact { contact: ContactFrequency },
    /// Few open arguments although expectations differ.
    QuietDisagreement,
    /// The two argue often and the issue stays open: they are still negotiating.
    ActiveArguments { frequency: ConflictFrequency },
}

impl StageSignal {
    pub fn code(&self) -> &'static str {
        match self {
            StageSignal::Separation { .. } => "separation",
            StageSignal::Estranged => "estranged",
            StageSignal::ArgumentsDropped => "arguments-dropped",
            StageSignal::LittleContact { .. } => "little-contact",
            StageSignal::QuietDisagreement => "quiet-disagreement",
            StageSignal::ActiveArguments { .. } => "active-arguments",
        }
    }
}

/// A proposed dispute stage for one person, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageProposal {
    pub person: Uuid,
    pub stage: DisputeStage,
    pub reasons: Vec<StageSignal>,
}

/// Something for the clinician to keep in mind about a suggested area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Caution {
    /// A "deficits" picture can hide an unmourned death: ask again as trust grows.
    CheckForHiddenGrief,
    /// A reason rests on a date known only to the year.
    YearOnlyDate { event: Uuid },
}

impl Caution {
    pub fn code(&self) -> &'static str {
        match self {
            Caution::CheckForHiddenGrief => "check-for-hidden-grief",
            Caution::YearOnlyDate { .. } => "year-only-date",
        }
    }
}

/// One suggested area of the protocol, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedArea {
    /// The area's id in the protocol (labels come from the protocol).
    pub area: String,
    pub kind: AreaKind,
    /// Sum of the reasons' weights; higher ranks first.
    pub strength: u32,
    pub reasons: Vec<Reason>,
    /// For disputes: a proposed stage per person involved, strongest first.
    pub stages: Vec<StageProposal>,
    pub cautions: Vec<Caution>,
}

/// An area that had signals but is not offered, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBack {
    pub area: String,
    pub kind: AreaKind,
    pub why: HeldBackWhy,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeldBackWhy {
    /// Deficits is the residual area: other areas have signals.
    OtherAreasHaveSignals,
}

/// A ranking of the protocol's problem areas. It is a **suggestion** for the clinician to
/// discuss with the client; the chosen areas are recorded on the course separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSuggestion {
    pub ranked: Vec<RankedArea>,
    pub held_back: Vec<HeldBack>,
    /// No onset is recorded, so no "near onset" reasoning was possible.
    pub onset_missing: bool,
}

/// A recurring pattern that may inform the IPAF (DIT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum PatternSignal {
    /// The inventory records a relevant past pattern for this person.
    PastPattern {
        person: Uuid,
    },
    /// This person is marked as where a pattern began.
    OriginOfPattern {
        person: Uuid,
    },
    MismatchedExpectations {
        person: Uuid,
    },
    RecurringConflict {
        person: Uuid,
        frequency: ConflictFrequency,
    },
    /// The same kind of event happens again and again on the timeline.
    RepeatedEvents {
        kind: LifeEventKind,
        count: usize,
    },
}

impl PatternSignal {
    pub fn code(&self) -> &'static str {
        match self {
            PatternSignal::PastPattern { .. } => "past-pattern",
            PatternSignal::OriginOfPattern { .. } => "origin-of-pattern",
            PatternSignal::MismatchedExpectations { .. } => "mismatched-expectations",
            PatternSignal::RecurringConflict { .. } => "recurring-conflict",
            PatternSignal::RepeatedEvents { .. } => "repeated-events",
        }
    }
}

/// Material for the clinician's IPAF formulation (DIT has no problem areas).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpafHint {
    pub patterns: Vec<PatternSignal>,
    /// Events inside the window around onset, nearest first.
    pub events_near_onset: Vec<Uuid>,
    pub onset_missing: bool,
}

/// What Kith suggests for a course's focus. Always a suggestion: see module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "focus", rename_all = "kebab-case")]
pub enum Suggestion {
    Areas(AreaSuggestion),
    Ipaf(IpafHint),
}

/// Suggests a focus for a course under `protocol` from the inventory and the timeline.
pub fn suggest(
    protocol: &Protocol,
    inventory: &Inventory,
    timeline: &Timeline,
    settings: &SuggestionSettings,
) -> Suggestion {
    match protocol.focus() {
        FocusKind::Ipaf => Suggestion::Ipaf(ipaf_hint(inventory, timeline, settings)),
        FocusKind::ProblemAreas => {
            Suggestion::Areas(rank_areas(protocol, inventory, timeline, settings))
        }
    }
}

/// Signals gathered per kind of area.
#[derive(Default)]
struct Gathered {
    by_kind: BTreeMap<AreaKind, Vec<Reason>>,
    cautions: BTreeMap<AreaKind, Vec<Caution>>,
    stages: Vec<(u32, StageProposal)>,
}

impl Gathered {
    fn add(&mut self, kind: AreaKind, weight: Weight, signal: Signal) {
        let list = self.by_kind.entry(kind).or_default();
        if !list.iter().any(|r| r.signal == signal) {
            list.push(Reason { signal, weight });
        }
    }
    fn caution(&mut self, kind: AreaKind, c: Caution) {
        let list = self.cautions.entry(kind).or_default();
        if !list.contains(&c) {
            list.push(c);
        }
    }
}

fn weeks(d: OnsetDistance) -> i64 {
    d.weeks_before_onset()
}

fn rank_areas(
    protocol: &Protocol,
    inventory: &Inventory,
    timeline: &Timeline,
    settings: &SuggestionSettings,
) -> AreaSuggestion {
    let window = settings.window;
    let onset_missing = timeline.onset.is_none();
    let mut g = Gathered::default();
    let own_event = |e: &LifeEvent| e.people.is_empty();

    // Timeline events.
    for e in &timeline.events {
        let dist = timeline.distance_to_onset(&e.date);
        let near = dist.filter(|d| d.within(window));
        let year_only = e.date.precision() == Precision::Year;
        match e.kind {
            LifeEventKind::Death => {
                if let Some(d) = near {
                    g.add(
                        AreaKind::Grief,
                        Weight::Strong,
                        Signal::DeathNearOnset {
                            event: e.id,
                            person: e.people.first().copied(),
                            weeks_before_onset: weeks(d),
                            precision: e.date.precision(),
                        },
                    );
                    for pid in &e.people {
                        if inventory.person(*pid).and_then(|p| p.ring) == Some(Ring::INNER) {
                            g.add(
                                AreaKind::Grief,
                                Weight::Medium,
                                Signal::DeceasedWasClose { person: *pid },
                            );
                        }
                    }
                    if year_only {
                        g.caution(AreaKind::Grief, Caution::YearOnlyDate { event: e.id });
                    }
                } else if let Some(d) = dist {
                    let w = weeks(d);
                    if let Some(years) = anniversary_near(timeline, &e.date, window) {
                        g.add(
                            AreaKind::Grief,
                            Weight::Medium,
                            Signal::DeathAnniversaryNearOnset {
                                event: e.id,
                                years_before: years,
                            },
                        );
                    } else if w > 0 && w <= i64::from(settings.earlier_death_weeks) {
                        g.add(
                            AreaKind::Grief,
                            Weight::Weak,
                            Signal::EarlierDeath {
                                event: e.id,
                                weeks_before_onset: w,
                            },
                        );
                    }
                }
            }
            LifeEventKind::Conflict => {
                if let Some(d) = near {
                    g.add(
                        AreaKind::Dispute,
                        Weight::Strong,
                        Signal::ConflictNearOnset {
                            event: e.id,
                            person: e.people.first().copied(),
                            weeks_before_onset: weeks(d),
                        },
                    );
                }
            }
            kind if kind.is_life_change() => {
                if kind == LifeEventKind::Illness && own_event(e) {
                    g.add(
                        AreaKind::LostHealthySelf,
                        if near.is_some() {
                            Weight::Strong
                        } else {
                            Weight::Medium
                        },
                        Signal::OwnIllness {
                            event: e.id,
                            weeks_before_onset: dist.map(weeks),
                        },
                    );
                }
                if let Some(d) = near {
                    g.add(
                        AreaKind::Transition,
                        Weight::Strong,
                        Signal::LifeChangeNearOnset {
                            event: e.id,
                            kind,
                            weeks_before_onset: weeks(d),
                        },
                    );
                    if year_only {
                        g.caution(AreaKind::Transition, Caution::YearOnlyDate { event: e.id });
                    }
                    if kind == LifeEventKind::Loss && settings.non_death_loss_is_grief {
                        g.add(
                            AreaKind::Grief,
                            Weight::Medium,
                            Signal::NonDeathLossNearOnset {
                                event: e.id,
                                weeks_before_onset: weeks(d),
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }
    let manic = timeline
        .episodes
        .iter()
        .filter(|ep| {
            matches!(
                ep.kind,
                EpisodeKind::Manic | EpisodeKind::Hypomanic | EpisodeKind::Mixed
            )
        })
        .count();
    if manic > 0 {
        g.add(
            AreaKind::LostHealthySelf,
            Weight::Weak,
            Signal::PastEpisodes { count: manic },
        );
    }

    // Inventory people.
    for p in &inventory.people {
        let change = &p.change_around_onset;
        let change_dist = change
            .date
            .as_ref()
            .and_then(|d| timeline.distance_to_onset(d));
        // A change marked "around onset" counts unless its date is known to be far from it.
        let changed_near = change.changed && change_dist.is_none_or(|d| d.within(window));
        if p.is_deceased() {
            if changed_near {
                g.add(
                    AreaKind::Grief,
                    Weight::Strong,
                    Signal::PersonDiedAroundOnset {
                        person: p.id,
                        weeks_before_onset: change_dist.map(weeks),
                    },
                );
                if p.ring == Some(Ring::INNER) {
                    g.add(
                        AreaKind::Grief,
                        Weight::Medium,
                        Signal::DeceasedWasClose { person: p.id },
                    );
                }
            } else if p.ring == Some(Ring::INNER)
                && !g
                    .by_kind
                    .get(&AreaKind::Grief)
                    .is_some_and(|v| v.iter().any(|r| r.signal.person() == Some(p.id)))
            {
                // Only when no timeline death already speaks for this person.
                g.add(
                    AreaKind::Grief,
                    Weight::Weak,
                    Signal::DeceasedInInnerRing { person: p.id },
                );
            }
            continue;
        }
        if p.relationship == RelationshipType::Pet {
            continue;
        }
        let mismatch = p.expectations.mismatched();
        let conflict = p.conflict.is_present();
        let freq = p.conflict.frequency;
        let mut dispute_strength = 0;
        if conflict && mismatch {
            g.add(
                AreaKind::Dispute,
                Weight::Strong,
                Signal::ConflictWithMismatchedExpectations {
                    person: p.id,
                    frequency: freq.unwrap_or(ConflictFrequency::Sometimes),
                },
            );
            dispute_strength += 3;
        } else if conflict {
            g.add(
                AreaKind::Dispute,
                Weight::Medium,
                Signal::OngoingConflict {
                    person: p.id,
                    frequency: freq.unwrap_or(ConflictFrequency::Sometimes),
                },
            );
            dispute_strength += 2;
        } else if mismatch {
            g.add(
                AreaKind::Dispute,
                Weight::Weak,
                Signal::MismatchedExpectations { person: p.id },
            );
            dispute_strength += 1;
        }
        let conflict_events: Vec<&LifeEvent> = timeline
            .events
            .iter()
            .filter(|e| e.people.contains(&p.id))
            .filter(|e| matches!(e.kind, LifeEventKind::Conflict | LifeEventKind::Separation))
            .collect();
        if dispute_strength == 0
            && conflict_events
                .iter()
                .any(|e| e.kind == LifeEventKind::Conflict)
        {
            dispute_strength = 1;
        }
        if changed_near {
            if dispute_strength > 0 {
                g.add(
                    AreaKind::Dispute,
                    Weight::Medium,
                    Signal::RelationshipChangedAroundOnset {
                        person: p.id,
                        weeks_before_onset: change_dist.map(weeks),
                    },
                );
                dispute_strength += 2;
            } else {
                g.add(
                    AreaKind::Transition,
                    Weight::Medium,
                    Signal::PersonChangedAroundOnset {
                        person: p.id,
                        weeks_before_onset: change_dist.map(weeks),
                    },
                );
            }
        }
        if dispute_strength > 0 {
            g.stages
                .push((dispute_strength, propose_stage(p, &conflict_events)));
        }
    }

    // Deficits: the residual area, only once the others are ruled out.
    let close = inventory.living_in_ring(Ring::INNER) + inventory.living_in_ring(Ring::MIDDLE);
    let total = inventory
        .people
        .iter()
        .filter(|p| !p.is_deceased() && p.relationship != RelationshipType::Pet)
        .count();
    let sparse = close <= settings.sparse_max_close;
    let allowed = |k: AreaKind| protocol.areas_of_kind(k).next().is_some();
    let others_have_signals = [
        AreaKind::Grief,
        AreaKind::Dispute,
        AreaKind::Transition,
        AreaKind::LostHealthySelf,
    ]
    .into_iter()
    .any(|k| allowed(k) && g.by_kind.get(&k).is_some_and(|v| !v.is_empty()));
    let mut deficit_reasons = Vec::new();
    if sparse {
        deficit_reasons.push(Reason {
            signal: Signal::FewClosePeople { close, total },
            weight: Weight::Medium,
        });
        if !onset_missing && timeline.events_near_onset(window).is_empty() {
            deficit_reasons.push(Reason {
                signal: Signal::NoEventNearOnset,
                weight: Weight::Weak,
            });
        }
    }

    let mut ranked = Vec::new();
    let mut held_back = Vec::new();
    for area in protocol.problem_areas() {
        let kind = area.kind;
        let reasons = match kind {
            AreaKind::Deficits => {
                if deficit_reasons.is_empty() {
                    continue;
                }
                if others_have_signals {
                    held_back.push(HeldBack {
                        area: area.id.clone(),
                        kind,
                        why: HeldBackWhy::OtherAreasHaveSignals,
                        reasons: deficit_reasons.clone(),
                    });
                    continue;
                }
                let mut r = vec![Reason {
                    signal: Signal::OthersRuledOut,
                    weight: Weight::Weak,
                }];
                r.extend(deficit_reasons.iter().cloned());
                g.caution(AreaKind::Deficits, Caution::CheckForHiddenGrief);
                r
            }
            AreaKind::Other => continue,
            _ => match g.by_kind.get(&kind) {
                Some(r) if !r.is_empty() => r.clone(),
                _ => continue,
            },
        };
        let mut reasons = reasons;
        reasons.sort_by_key(|r| std::cmp::Reverse(r.weight));
        let strength = reasons.iter().map(|r| r.weight as u32).sum();
        let stages = if kind == AreaKind::Dispute {
            let mut s = g.stages.clone();
            s.sort_by_key(|x| std::cmp::Reverse(x.0));
            s.into_iter().map(|(_, p)| p).collect()
        } else {
            Vec::new()
        };
        ranked.push(RankedArea {
            area: area.id.clone(),
            kind,
            strength,
            reasons,
            stages,
            cautions: g.cautions.get(&kind).cloned().unwrap_or_default(),
        });
    }
    ranked.sort_by(|a, b| {
        b.strength
            .cmp(&a.strength)
            .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
            .then(a.area.cmp(&b.area))
    });
    AreaSuggestion {
        ranked,
        held_back,
        onset_missing,
    }
}

fn kind_order(k: AreaKind) -> u8 {
    match k {
        AreaKind::Grief => 0,
        AreaKind::Dispute => 1,
        AreaKind::Transition => 2,
        AreaKind::LostHealthySelf => 3,
        AreaKind::Deficits => 4,
        AreaKind::Other => 5,
    }
}

/// If the onset falls near the anniversary of `death` (one or more whole years later),
/// the number of years.
fn anniversary_near(timeline: &Timeline, death: &ApproxDate, window: OnsetWindow) -> Option<i32> {
    let onset = timeline.onset.as_ref()?;
    if death.precision() == Precision::Year {
        return None;
    }
    let years = onset.date.year_value() - death.year_value();
    for y in [years - 1, years] {
        if y < 1 {
            continue;
        }
        let shifted = match (death.month_value(), death.day_value()) {
            (Some(m), Some(d)) => ApproxDate::day(death.year_value() + y, m, d.min(28)).ok(),
            (Some(m), None) => ApproxDate::month(death.year_value() + y, m).ok(),
            _ => None,
        }?;
        let d = OnsetDistance {
            days_before_onset: shifted.days_until(&onset.date),
        };
        if d.within(window) {
            return Some(y);
        }
    }
    None
}

fn propose_stage(p: &Person, events: &[&LifeEvent]) -> StageProposal {
    let mut dissolution = Vec::new();
    for e in events {
        if e.kind == LifeEventKind::Separation {
            dissolution.push(StageSignal::Separation { event: e.id });
        }
    }
    if p.status == PersonStatus::Estranged {
        dissolution.push(StageSignal::Estranged);
    }
    if !dissolution.is_empty() {
        return StageProposal {
            person: p.id,
            stage: DisputeStage::Dissolution,
            reasons: dissolution,
        };
    }
    let freq = p.conflict.frequency;
    let dropped = p.conflict.outcome == Some(ConflictOutcome::Dropped);
    let frequent = freq.is_some_and(|f| f >= ConflictFrequency::Often);
    if frequent && !dropped {
        return StageProposal {
            person: p.id,
            stage: DisputeStage::Renegotiation,
            reasons: vec![StageSignal::ActiveArguments {
                frequency: freq.unwrap_or(ConflictFrequency::Often),
            }],
        };
    }
    let mut impasse = Vec::new();
    if dropped {
        impasse.push(StageSignal::ArgumentsDropped);
    }
    if p.status == PersonStatus::Current
        && let Some(c) = p.contact
        && c >= ContactFrequency::Rarely
    {
        impasse.push(StageSignal::LittleContact { contact: c });
    }
    if p.expectations.mismatched() && freq.is_none_or(|f| f <= ConflictFrequency::Rarely) {
        impasse.push(StageSignal::QuietDisagreement);
    }
    if !impasse.is_empty() {
        return StageProposal {
            person: p.id,
            stage: DisputeStage::Impasse,
            reasons: impasse,
        };
    }
    StageProposal {
        person: p.id,
        stage: DisputeStage::Renegotiation,
        reasons: vec![StageSignal::ActiveArguments {
            frequency: freq.unwrap_or(ConflictFrequency::Sometimes),
        }],
    }
}

fn ipaf_hint(
    inventory: &Inventory,
    timeline: &Timeline,
    settings: &SuggestionSettings,
) -> IpafHint {
    let mut patterns = Vec::new();
    for p in &inventory.people {
        if p.origin_of_pattern {
            patterns.push(PatternSignal::OriginOfPattern { person: p.id });
        }
        if !p.past_pattern.trim().is_empty() {
            patterns.push(PatternSignal::PastPattern { person: p.id });
        }
        if p.is_deceased() {
            continue;
        }
        if p.conflict.is_present() {
            patterns.push(PatternSignal::RecurringConflict {
                person: p.id,
                frequency: p.conflict.frequency.unwrap_or(ConflictFrequency::Sometimes),
            });
        }
        if p.expectations.mismatched() {
            patterns.push(PatternSignal::MismatchedExpectations { person: p.id });
        }
    }
    let mut counts: BTreeMap<LifeEventKind, usize> = BTreeMap::new();
    for e in &timeline.events {
        if e.kind != LifeEventKind::Other {
            *counts.entry(e.kind).or_default() += 1;
        }
    }
    for (kind, count) in counts {
        if count >= 2 {
            patterns.push(PatternSignal::RepeatedEvents { kind, count });
        }
    }
    IpafHint {
        patterns,
        events_near_onset: timeline
            .events_near_onset(settings.window)
            .into_iter()
            .map(|(e, _)| e.id)
            .collect(),
        onset_missing: timeline.onset.is_none(),
    }
}
