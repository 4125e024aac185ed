//! The social-rhythm diary (SRM-5) and its weekly score.
//!
//! For each activity done at least `min_occurrences` times in the week, the habitual time is the
//! mean of its clock times; each occurrence within `window_minutes` of that mean is a hit. The
//! score is all hits ÷ the number of such activities (0–7 for a 7-day week; higher = more
//! regular). Clock times are counted from the diary day's start (04:00 by default) so that a
//! bedtime of 00:30 sits next to one of 23:30. All comparisons are done in whole minutes ×
//! occurrences, so nothing is lost to rounding.

use super::definition::Instrument;
use super::scoring::{InvalidSubmission, SubmissionProblem};
use super::{Score, round_div};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Time};

/// An activity done at a clock time, with the people-involvement code
/// (0 alone, 1 others present, 2 others actively involved, 3 others very stimulating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneAt {
    pub at: Time,
    pub people: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityEntry {
    pub item: String,
    /// `None`: did not do it that day.
    pub done: Option<DoneAt>,
}

/// One day of the diary: every activity (done or not) and the day's mood (−5..+5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiaryDay {
    pub date: Date,
    pub mood: i64,
    pub activities: Vec<ActivityEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRhythm {
    pub item: String,
    /// Days on which the activity was done.
    pub occurrences: u32,
    /// Whether it was done often enough to count.
    pub counted: bool,
    /// Mean clock time, to the nearest minute (only for counted activities).
    pub habitual: Option<Time>,
    pub hits: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RhythmResult {
    /// Hits ÷ counted activities, to two decimals; 0 when no activity was regular enough to
    /// count (see `counted_activities`).
    pub score: Score,
    pub hits: u32,
    pub counted_activities: u32,
    pub days: u32,
    /// Mean of the daily mood ratings, to two decimals.
    pub mean_mood: Score,
    pub activities: Vec<ActivityRhythm>,
}

pub(crate) fn score_diary(
    instrument: &Instrument,
    days: &[DiaryDay],
) -> Result<RhythmResult, InvalidSubmission> {
    let Some(def) = instrument.def().scoring.rhythm.as_ref() else {
        return Err(InvalidSubmission {
            problems: vec![SubmissionProblem::WrongResponseKind],
        });
    };
    let mut problems = Vec::new();
    if days.is_empty() {
        problems.push(SubmissionProblem::NoDiaryDays);
    }
    if days.len() > def.days as usize {
        problems.push(SubmissionProblem::TooManyDiaryDays { max: def.days });
    }
    if let (Some(first), Some(last)) = (
        days.iter().map(|d| d.date).min(),
        days.iter().map(|d| d.date).max(),
    ) && (last - first).whole_days() >= i64::from(def.days)
    {
        problems.push(SubmissionProblem::DiarySpanTooLong { first, last });
    }
    let mut dates = BTreeSet::new();
    for day in days {
        if !dates.insert(day.date) {
            problems.push(SubmissionProblem::DuplicateDay { date: day.date });
        }
        if !(def.mood.min..=def.mood.max).contains(&day.mood) {
            problems.push(SubmissionProblem::MoodOutOfRange {
                date: day.date,
                value: day.mood,
            });
        }
        let mut seen = BTreeSet::new();
        for entry in &day.activities {
            if instrument.item(&entry.item).is_none() {
                problems.push(SubmissionProblem::UnknownActivity {
                    date: day.date,
                    item: entry.item.clone(),
                });
                continue;
            }
            if !seen.insert(entry.item.as_str()) {
                problems.push(SubmissionProblem::DuplicateActivity {
                    date: day.date,
                    item: entry.item.clone(),
                });
            }
            if let Some(done) = entry.done
                && !(def.people.min..=def.people.max).contains(&done.people)
            {
                problems.push(SubmissionProblem::PeopleOutOfRange {
                    date: day.date,
                    item: entry.item.clone(),
                    value: done.people,
                });
            }
        }
        for item in instrument.items() {
            if !seen.contains(item.id.as_str()) {
                problems.push(SubmissionProblem::MissingActivity {
                    date: day.date,
                    item: item.id.clone(),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(InvalidSubmission { problems });
    }

    let day_start = i64::from(instrument.day_start_minutes());
    let window = i64::from(def.window_minutes);
    let mut activities = Vec::new();
    let mut hits_total = 0u32;
    let mut counted_total = 0u32;
    for item in instrument.items() {
        let times: Vec<i64> = days
            .iter()
            .filter_map(|d| d.activities.iter().find(|a| a.item == item.id))
            .filter_map(|a| a.done)
            .map(|d| {
                let minutes = i64::from(d.at.hour()) * 60 + i64::from(d.at.minute());
                (minutes - day_start).rem_euclid(1440)
            })
            .collect();
        let n = times.len() as i64;
        let counted = n >= i64::from(def.min_occurrences) && n > 0;
        let (habitual, hits) = if counted {
            let sum: i64 = times.iter().sum();
            // |t − sum/n| ≤ window  ⇔  |t·n − sum| ≤ window·n
            let hits = times
                .iter()
                .filter(|&&t| (t * n - sum).abs() <= window * n)
                .count() as u32;
            let mean = (round_div(sum, n) + day_start).rem_euclid(1440);
            let time = Time::from_hms((mean / 60) as u8, (mean % 60) as u8, 0).ok();
            hits_total += hits;
            counted_total += 1;
            (time, Some(hits))
        } else {
            (None, None)
        };
        activities.push(ActivityRhythm {
            item: item.id.clone(),
            occurrences: n as u32,
            counted,
            habitual,
            hits,
        });
    }
    let score = if counted_total == 0 {
        Score::ZERO
    } else {
        Score::ratio(i64::from(hits_total), i64::from(counted_total))
    };
    let mood_sum: i64 = days.iter().map(|d| d.mood).sum();
    Ok(RhythmResult {
        score,
        hits: hits_total,
        counted_activities: counted_total,
        days: days.len() as u32,
        mean_mood: Score::ratio(mood_sum, days.len() as i64),
        activities,
    })
}
