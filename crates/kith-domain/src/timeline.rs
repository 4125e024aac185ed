//! The timeline of life events and mood, and the onset of the current episode.
//!
//! Clients rarely remember exact dates, so events carry an [`ApproxDate`]: a year, optionally a
//! month, optionally a day. Distances (e.g. "6 weeks before onset") are measured between the
//! midpoints of the periods such dates stand for.

use crate::inventory::Score10;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};
use uuid::Uuid;

/// A date known to the year, the month or the day: `2025`, `2025-03` or `2025-03-14`.
///
/// Ordering is by the period's start, then the less precise date first (`2025` <
/// `2025-01` < `2025-01-01` < `2025-02`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApproxDate {
    year: i32,
    month: Option<Month>,
    day: Option<u8>,
}

/// Why an approximate date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ApproxDateError {
    #[error("\"{text}\" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")]
    Format { text: String },
    #[error("year {year} is outside 1000-9999")]
    Year { year: i32 },
    #[error("month {month} is not between 1 and 12")]
    Month { month: u8 },
    #[error("day {day} does not exist in that month")]
    Day { day: u8 },
}

/// How precisely an approximate date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl ApproxDate {
    pub fn year(year: i32) -> Result<ApproxDate, ApproxDateError> {
        if !(1000..=9999).contains(&year) {
            return Err(ApproxDateError::Year { year });
        }
        Ok(ApproxDate {
            year,
            month: None,
            day: None,
        })
    }

    pub fn month(year: i32, month: u8) -> Result<ApproxDate, ApproxDateError> {
        let mut d = ApproxDate::year(year)?;
        d.month = Some(Month::try_from(month).map_err(|_| ApproxDateError::Month { month })?);
        Ok(d)
    }

    pub fn day(year: i32, month: u8, day: u8) -> Result<ApproxDate, ApproxDateError> {
        let mut d = ApproxDate::month(year, month)?;
        let m = d.month.unwrap_or(Month::January);
        Date::from_calendar_date(year, m, day).map_err(|_| ApproxDateError::Day { day })?;
        d.day = Some(day);
        Ok(d)
    }

    /// An exact date.
    pub fn exact(date: Date) -> ApproxDate {
        ApproxDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        }
    }

    pub fn year_value(&self) -> i32 {
        self.year
    }

    pub fn month_value(&self) -> Option<u8> {
        self.month.map(u8::from)
    }

    pub fn day_value(&self) -> Option<u8> {
        self.day
    }

    /// First day of the period this date stands for.
    pub fn first_day(&self) -> Date {
        let m = self.month.unwrap_or(Month::January);
        let d = self.day.unwrap_or(1);
        Date::from_calendar_date(self.year, m, d).unwrap_or(Date::MIN)
    }

    /// Last day of the period this date stands for.
    pub fn last_day(&self) -> Date {
        match (self.month, self.day) {
            (Some(_), Some(_)) => self.first_day(),
            (Some(m), None) => {
                let days = m.length(self.year);
                Date::from_calendar_date(self.year, m, days).unwrap_or(Date::MIN)
            }
            (None, _) => {
                Date::from_calendar_date(self.year, Month::December, 31).unwrap_or(Date::MIN)
            }
        }
    }

    /// The middle day of the period (the date itself when the day is known).
    pub fn midpoint(&self) -> Date {
        let first = self.first_day();
        let span = (self.last_day() - first).whole_days();
        first + time::Duration::days(span / 2)
    }

    /// Days from `self` to `other`, between midpoints (positive when `other` is later).
    pub fn days_until(&self, other: &ApproxDate) -> i64 {
        (other.midpoint() - self.midpoint()).whole_days()
    }
}

impl PartialOrd for ApproxDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ApproxDate {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |d: &ApproxDate| (d.year, d.month.map(u8::from), d.day);
        key(self).cmp(&key(other))
    }
}

impl fmt::Display for ApproxDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{:02}", u8::from(m))?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for ApproxDate {
    type Err = ApproxDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let bad = || ApproxDateError::Format {
            text: text.to_string(),
        };
        let parts: Vec<&str> = text.split('-').collect();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        match parts.as_slice() {
            [y] if digits(y, 4) => ApproxDate::year(y.parse().map_err(|_| bad())?),
            [y, m] if digits(y, 4) && digits(m, 2) => {
                ApproxDate::month(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
            }
            [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => ApproxDate::day(
                y.parse().map_err(|_| bad())?,
                m.parse().map_err(|_| bad())?,
                d.parse().map_err(|_| bad())?,
            ),
            _ => Err(bad()),
        }
    }
}

impl Serialize for ApproxDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApproxDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What kind of life event happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifeEventKind {
    Death,
    Separation,
    /// A conflict starting or getting worse.
    Conflict,
    Move,
    JobChange,
    JobLoss,
    Retirement,
    BirthOrPregnancy,
    /// An illness or diagnosis (the client's own when no person is linked).
    Illness,
    SchoolChange,
    Achievement,
    /// A loss other than a death (a relationship, health, a pregnancy, a pet…).
    Loss,
    Other,
}

impl LifeEventKind {
    pub fn code(self) -> &'static str {
        match self {
            LifeEventKind::Death => "death",
            LifeEventKind::Separation => "separation",
            LifeEventKind::Conflict => "conflict",
            LifeEventKind::Move => "move",
            LifeEventKind::JobChange => "job-change",
            LifeEventKind::JobLoss => "job-loss",
            LifeEventKind::Retirement => "retirement",
            LifeEventKind::BirthOrPregnancy => "birth-or-pregnancy",
            LifeEventKind::Illness => "illness",
            LifeEventKind::SchoolChange => "school-change",
            LifeEventKind::Achievement => "achievement",
            LifeEventKind::Loss => "loss",
            LifeEventKind::Other => "other",
        }
    }

    /// Events that change the client's roles or circumstances (role-transition signals).
    pub fn is_life_change(self) -> bool {
        matches!(
            self,
            LifeEventKind::Separation
                | LifeEventKind::Move
                | LifeEventKind::JobChange
                | LifeEventKind::JobLoss
                | LifeEventKind::Retirement
                | LifeEventKind::BirthOrPregnancy
                | LifeEventKind::Illness
                | LifeEventKind::SchoolChange
                | LifeEventKind::Achievement
                | LifeEventKind::Loss
        )
    }
}

/// One event on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifeEvent {
    pub id: Uuid,
    pub date: ApproxDate,
    pub kind: LifeEventKind,
    /// People of the inventory involved.
    #[serde(default)]
    pub people: Vec<Uuid>,
    #[serde(default)]
    pub description: String,
    /// How much it affected the client, as they rate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Score10>,
    /// A problem-area id the clinician linked the event to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_area: Option<String>,
}

/// When the current episode began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onset {
    pub date: ApproxDate,
    #[serde(default)]
    pub description: String,
}

/// A mood rating at a point in time (0 = lowest mood, 10 = best mood).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoodEntry {
    pub date: ApproxDate,
    pub rating: Score10,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EpisodeKind {
    Depressive,
    Manic,
    Hypomanic,
    Mixed,
    Anxious,
}

/// A past or current mood episode (for the life chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoodEpisode {
    pub kind: EpisodeKind,
    pub start: ApproxDate,
    /// `None` while ongoing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ApproxDate>,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub treatment: String,
}

/// A client's timeline: events, onset of the current episode, mood over time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timeline {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<Onset>,
    #[serde(default)]
    pub events: Vec<LifeEvent>,
    #[serde(default)]
    pub mood: Vec<MoodEntry>,
    #[serde(default)]
    pub episodes: Vec<MoodEpisode>,
}

/// How close to onset an event must be to count as "near onset".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnsetWindow {
    /// Weeks before onset (default 8).
    pub weeks_before: u32,
    /// Weeks after onset (default 4).
    pub weeks_after: u32,
}

impl Default for OnsetWindow {
    fn default() -> Self {
        OnsetWindow {
            weeks_before: 8,
            weeks_after: 4,
        }
    }
}

/// Where an event sits relative to onset: weeks before (positive) or after (negative), between
/// midpoints, rounded towards zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnsetDistance {
    pub days_before_onset: i64,
}

impl OnsetDistance {
    pub fn weeks_before_onset(self) -> i64 {
        self.days_before_onset / 7
    }

    pub fn within(self, w: OnsetWindow) -> bool {
        let d = self.days_before_onset;
        (0..=i64::from(w.weeks_before) * 7).contains(&d)
            || (d < 0 && -d <= i64::from(w.weeks_after) * 7)
    }
}

impl Timeline {
    /// Where `date` sits relative to the onset, if an onset is recorded.
    pub fn distance_to_onset(&self, date: &ApproxDate) -> Option<OnsetDistance> {
        let onset = self.onset.as_ref()?;
        Some(OnsetDistance {
            days_before_onset: date.days_until(&onset.date),
        })
    }

    /// Events inside the window around onset, nearest first.
    pub fn events_near_onset(&self, window: OnsetWindow) -> Vec<(&LifeEvent, OnsetDistance)> {
        let mut v: Vec<_> = self
            .events
            .iter()
            .filter_map(|e| {
                let d = self.distance_to_onset(&e.date)?;
                d.within(window).then_some((e, d))
            })
            .collect();
        v.sort_by_key(|(e, d)| (d.days_before_onset.abs(), e.date, e.id));
        v
    }

    pub fn event(&self, id: Uuid) -> Option<&LifeEvent> {
        self.events.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_dates_parse_print_and_order() {
        for t in ["2025", "2025-03", "2025-03-14"] {
            assert_eq!(t.parse::<ApproxDate>().unwrap().to_string(), t);
        }
        assert!("2025-02-30".parse::<ApproxDate>().is_err());
        assert!("2025-13".parse::<ApproxDate>().is_err());
        assert!("25-03".parse::<ApproxDate>().is_err());
        let y: ApproxDate = "2025".parse().unwrap();
        let m: ApproxDate = "2025-01".parse().unwrap();
        let d: ApproxDate = "2025-01-01".parse().unwrap();
        let f: ApproxDate = "2025-02".parse().unwrap();
        assert!(y < m && m < d && d < f);
    }

    #[test]
    fn midpoints_fall_in_the_middle_of_the_period() {
        let m: ApproxDate = "2025-03".parse().unwrap();
        assert_eq!(m.midpoint().to_string(), "2025-03-16");
        let y: ApproxDate = "2024".parse().unwrap();
        assert_eq!(y.midpoint().to_string(), "2024-07-01");
        let d: ApproxDate = "2025-03-14".parse().unwrap();
        assert_eq!(d.midpoint().to_string(), "2025-03-14");
    }

    #[test]
    fn onset_window_counts_before_and_a_little_after() {
        let w = OnsetWindow::default();
        assert!(
            OnsetDistance {
                days_before_onset: 56
            }
            .within(w)
        );
        assert!(
            !OnsetDistance {
                days_before_onset: 57
            }
            .within(w)
        );
        assert!(
            OnsetDistance {
                days_before_onset: -28
            }
            .within(w)
        );
        assert!(
            !OnsetDistance {
                days_before_onset: -29
            }
            .within(w)
        );
    }
}
