//! The interpersonal inventory: the important people in the client's life and how each
//! relationship works, as placed on the closeness circle.

use crate::timeline::ApproxDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use time::Date;
use uuid::Uuid;

/// A rating from 0 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score10(u8);

/// A value outside its allowed range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{value} is outside {min}..={max}")]
pub struct OutOfRange {
    pub value: u8,
    pub min: u8,
    pub max: u8,
}

impl Score10 {
    pub fn new(value: u8) -> Result<Score10, OutOfRange> {
        if value <= 10 {
            Ok(Score10(value))
        } else {
            Err(OutOfRange {
                value,
                min: 0,
                max: 10,
            })
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score10 {
    type Error = OutOfRange;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Score10::new(v)
    }
}

impl From<Score10> for u8 {
    fn from(s: Score10) -> u8 {
        s.0
    }
}

impl fmt::Display for Score10 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A ring of the closeness circle: 1 = inner (closest), 2 = middle, 3 = outer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Ring(u8);

impl Ring {
    pub const INNER: Ring = Ring(1);
    pub const MIDDLE: Ring = Ring(2);
    pub const OUTER: Ring = Ring(3);

    pub fn new(value: u8) -> Result<Ring, OutOfRange> {
        if (1..=3).contains(&value) {
            Ok(Ring(value))
        } else {
            Err(OutOfRange {
                value,
                min: 1,
                max: 3,
            })
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Ring {
    type Error = OutOfRange;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Ring::new(v)
    }
}

impl From<Ring> for u8 {
    fn from(r: Ring) -> u8 {
        r.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationshipType {
    Partner,
    ExPartner,
    Parent,
    Child,
    Sibling,
    OtherFamily,
    Friend,
    Colleague,
    Manager,
    Teacher,
    Neighbour,
    Professional,
    Pet,
    Deceased,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonStatus {
    Current,
    Past,
    Deceased,
    Estranged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactFrequency {
    Daily,
    Weekly,
    Monthly,
    Rarely,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportType {
    Emotional,
    Practical,
    Information,
    Companionship,
}

/// How often the client and this person argue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictFrequency {
    Never,
    Rarely,
    Sometimes,
    Often,
    Constantly,
}

/// What usually becomes of an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictOutcome {
    /// It gets resolved.
    Resolved,
    /// It is dropped without being resolved (silence, avoidance).
    Dropped,
    /// It goes on or comes back unresolved.
    Ongoing,
}

/// Yes / no / partly answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YesNoPartly {
    Yes,
    No,
    Partly,
    Unsure,
}

/// Who may see a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Visible to the client in their portal.
    #[default]
    Shared,
    /// Only clinicians see it.
    ClinicianPrivate,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Support {
    #[serde(default)]
    pub types: BTreeSet<SupportType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Score10>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conflict {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<ConflictFrequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ConflictOutcome>,
    /// What happens when they argue.
    #[serde(default)]
    pub what_happens: String,
}

impl Conflict {
    /// Arguments at least "sometimes".
    pub fn is_present(&self) -> bool {
        self.frequency
            .is_some_and(|f| f >= ConflictFrequency::Sometimes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Expectations {
    /// What the client expects of this person.
    #[serde(default)]
    pub mine: String,
    /// What this person expects of the client, as the client sees it.
    #[serde(default)]
    pub theirs: String,
    /// Whether the expectations match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reciprocal: Option<YesNoPartly>,
}

impl Expectations {
    /// Expectations that do not (fully) match.
    pub fn mismatched(&self) -> bool {
        matches!(self.reciprocal, Some(YesNoPartly::No | YesNoPartly::Partly))
    }
}

/// A change in this relationship around the onset of the current episode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OnsetChange {
    pub changed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<ApproxDate>,
    #[serde(default)]
    pub description: String,
}

/// One person of the interpersonal inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    /// Name, initials or pseudonym.
    pub display_name: String,
    pub relationship: RelationshipType,
    pub status: PersonStatus,
    /// Ring on the closeness circle; `None` if not placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring: Option<Ring>,
    /// Optional angle on the circle, in degrees (0..360).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angle: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactFrequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<ApproxDate>,
    /// Time spent and activities together.
    #[serde(default)]
    pub time_together: String,
    #[serde(default)]
    pub what_they_are_like: String,
    #[serde(default)]
    pub what_i_like: String,
    #[serde(default)]
    pub what_i_dislike: String,
    #[serde(default)]
    pub topics_i_can_talk_about: String,
    #[serde(default)]
    pub topics_i_cannot_talk_about: String,
    /// Does this person know how the client has been feeling?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knows_how_i_feel: Option<YesNoPartly>,
    /// Feelings when with them (free labels, e.g. from an emotion list).
    #[serde(default)]
    pub feelings: Vec<String>,
    #[serde(default)]
    pub support: Support,
    #[serde(default)]
    pub conflict: Conflict,
    #[serde(default)]
    pub expectations: Expectations,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Score10>,
    #[serde(default)]
    pub changes_wanted: String,
    #[serde(default)]
    pub change_around_onset: OnsetChange,
    #[serde(default)]
    pub past_pattern: String,
    /// Marks an early figure in whom a recurring pattern began (used in DIT).
    #[serde(default)]
    pub origin_of_pattern: bool,
    /// Problem-area id the clinician linked this person to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_problem_area: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub notes: String,
}

impl Person {
    /// A person with only the required fields set.
    pub fn new(
        id: Uuid,
        display_name: impl Into<String>,
        relationship: RelationshipType,
        status: PersonStatus,
    ) -> Person {
        Person {
            id,
            display_name: display_name.into(),
            relationship,
            status,
            ring: None,
            angle: None,
            contact: None,
            last_contact: None,
            time_together: String::new(),
            what_they_are_like: String::new(),
            what_i_like: String::new(),
            what_i_dislike: String::new(),
            topics_i_can_talk_about: String::new(),
            topics_i_cannot_talk_about: String::new(),
            knows_how_i_feel: None,
            feelings: Vec::new(),
            support: Support::default(),
            conflict: Conflict::default(),
            expectations: Expectations::default(),
            satisfaction: None,
            changes_wanted: String::new(),
            change_around_onset: OnsetChange::default(),
            past_pattern: String::new(),
            origin_of_pattern: false,
            linked_problem_area: None,
            visibility: Visibility::Shared,
            notes: String::new(),
        }
    }

    pub fn is_deceased(&self) -> bool {
        self.status == PersonStatus::Deceased || self.relationship == RelationshipType::Deceased
    }
}

/// The whole inventory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inventory {
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Date>,
    #[serde(default)]
    pub clinician_summary: String,
    /// Who seems to be missing from the client's account (covert conflicts show as omissions).
    #[serde(default)]
    pub who_is_missing: String,
}

impl Inventory {
    pub fn person(&self, id: Uuid) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// Living people (not deceased, not a pet) placed in `ring`.
    pub fn living_in_ring(&self, ring: Ring) -> usize {
        self.people
            .iter()
            .filter(|p| {
                !p.is_deceased() && p.relationship != RelationshipType::Pet && p.ring == Some(ring)
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_and_rings_refuse_values_out_of_range() {
        assert!(Score10::new(10).is_ok());
        assert!(Score10::new(11).is_err());
        assert!(Ring::new(0).is_err());
        assert!(Ring::new(4).is_err());
        assert_eq!(Ring::new(1).unwrap(), Ring::INNER);
        assert!(serde_json::from_str::<Ring>("4").is_err());
        assert!(serde_json::from_str::<Score10>("7").is_ok());
    }

    #[test]
    fn a_person_round_trips_through_json() {
        let mut p = Person::new(
            Uuid::nil(),
            "M.",
            RelationshipType::Partner,
            PersonStatus::Current,
        );
        p.ring = Some(Ring::INNER);
        p.change_around_onset = OnsetChange {
            changed: true,
            date: Some("2025-03".parse().unwrap()),
            description: "moved out".into(),
        };
        p.support.types.insert(SupportType::Practical);
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"2025-03\""));
        let back: Person = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }
}
