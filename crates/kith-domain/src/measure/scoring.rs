//! Scoring one submission.
//!
//! Answers are whole numbers by construction ([`AnswerValue`] holds an `i64`), so a value such as
//! `1.5` or `"3"` has to be refused where it is parsed. Any total a client may have sent is not
//! part of a [`Submission`] at all: the total is always computed here.

use super::change::{ChangeRules, ScorePoint, SeriesAnalysis, analyse};
use super::definition::{Instrument, NotApplicablePolicy, ScoringRule};
use super::rhythm::{DiaryDay, RhythmResult, score_diary};
use super::{Score, round_div};
use crate::safety::{SafetyFlag, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::Date;

/// The answer to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerValue {
    Value(i64),
    /// Only for items that allow it (WSAS work item: not working for reasons unrelated).
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemAnswer {
    pub item: String,
    pub value: AnswerValue,
}

impl ItemAnswer {
    pub fn new(item: impl Into<String>, value: i64) -> ItemAnswer {
        ItemAnswer {
            item: item.into(),
            value: AnswerValue::Value(value),
        }
    }

    pub fn not_applicable(item: impl Into<String>) -> ItemAnswer {
        ItemAnswer {
            item: item.into(),
            value: AnswerValue::NotApplicable,
        }
    }
}

/// The answers of one submission. A list rather than a map, so that an item given twice is seen
/// and refused instead of one answer silently winning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Responses {
    Items(Vec<ItemAnswer>),
    /// A week of a social-rhythm diary.
    Diary(Vec<DiaryDay>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub instrument: String,
    pub version: String,
    pub responses: Responses,
}

impl Submission {
    /// Item answers for `instrument`, at its current version.
    pub fn items(instrument: &Instrument, answers: Vec<ItemAnswer>) -> Submission {
        Submission {
            instrument: instrument.id().to_string(),
            version: instrument.version().to_string(),
            responses: Responses::Items(answers),
        }
    }

    pub fn diary(instrument: &Instrument, days: Vec<DiaryDay>) -> Submission {
        Submission {
            instrument: instrument.id().to_string(),
            version: instrument.version().to_string(),
            responses: Responses::Diary(days),
        }
    }
}

/// One item of a scored submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredItem {
    pub item: String,
    /// What was answered; `None` for an optional item left out.
    pub answer: Option<AnswerValue>,
    /// The item's value after any reversal (`None` when not applicable or left out).
    pub value: Option<i64>,
    pub scored: bool,
    pub reversed: bool,
}

/// How a total was formed when items were answered "not applicable".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotApplicableAdjustment {
    pub policy: NotApplicablePolicy,
    pub items: Vec<String>,
    /// Sum of the items that were answered.
    pub answered_sum: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredSubmission {
    pub instrument: String,
    pub version: String,
    pub total: Score,
    /// The lowest and highest total possible for this submission (a reduced maximum shows here).
    pub min: Score,
    pub max: Score,
    /// Id of the severity band, when the instrument has bands.
    pub band: Option<String>,
    /// Items in definition order.
    pub items: Vec<ScoredItem>,
    /// One flag per safety item that fired, at the highest tier it reached, in item order.
    pub safety: Vec<SafetyFlag>,
    pub not_applicable: Option<NotApplicableAdjustment>,
    /// Detail of a social-rhythm week.
    pub rhythm: Option<RhythmResult>,
}

impl ScoredSubmission {
    /// Highest safety tier raised, if any.
    pub fn highest_tier(&self) -> Option<Tier> {
        self.safety.iter().map(|f| f.tier).max()
    }

    pub fn item_value(&self, item: &str) -> Option<i64> {
        self.items
            .iter()
            .find(|i| i.item == item)
            .and_then(|i| i.value)
    }
}

/// Why a submission was refused. Each problem names the item (or diary day) concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum SubmissionProblem {
    WrongInstrument {
        expected: String,
        found: String,
    },
    WrongVersion {
        expected: String,
        found: String,
    },
    /// Item answers sent for a diary instrument, or the other way round.
    WrongResponseKind,
    UnknownItem {
        item: String,
    },
    DuplicateItem {
        item: String,
    },
    MissingItem {
        item: String,
    },
    OutOfRange {
        item: String,
        value: i64,
    },
    NotApplicableNotAllowed {
        item: String,
    },
    /// Every scored item was answered "not applicable"; there is nothing to total.
    AllNotApplicable,
    NoDiaryDays,
    TooManyDiaryDays {
        max: u32,
    },
    /// The days do not fit in one week.
    DiarySpanTooLong {
        first: Date,
        last: Date,
    },
    DuplicateDay {
        date: Date,
    },
    UnknownActivity {
        date: Date,
        item: String,
    },
    DuplicateActivity {
        date: Date,
        item: String,
    },
    MissingActivity {
        date: Date,
        item: String,
    },
    PeopleOutOfRange {
        date: Date,
        item: String,
        value: i64,
    },
    MoodOutOfRange {
        date: Date,
        value: i64,
    },
}

impl SubmissionProblem {
    pub fn code(&self) -> &'static str {
        use SubmissionProblem::*;
        match self {
            WrongInstrument { .. } => "wrong-instrument",
            WrongVersion { .. } => "wrong-version",
            WrongResponseKind => "wrong-response-kind",
            UnknownItem { .. } => "unknown-item",
            DuplicateItem { .. } => "duplicate-item",
            MissingItem { .. } => "missing-item",
            OutOfRange { .. } => "out-of-range",
            NotApplicableNotAllowed { .. } => "not-applicable-not-allowed",
            AllNotApplicable => "all-not-applicable",
            NoDiaryDays => "no-diary-days",
            TooManyDiaryDays { .. } => "too-many-diary-days",
            DiarySpanTooLong { .. } => "diary-span-too-long",
            DuplicateDay { .. } => "duplicate-day",
            UnknownActivity { .. } => "unknown-activity",
            DuplicateActivity { .. } => "duplicate-activity",
            MissingActivity { .. } => "missing-activity",
            PeopleOutOfRange { .. } => "people-out-of-range",
            MoodOutOfRange { .. } => "mood-out-of-range",
        }
    }

    /// The item (or activity) the problem is about.
    pub fn item(&self) -> Option<&str> {
        use SubmissionProblem::*;
        match self {
            UnknownItem { item }
            | DuplicateItem { item }
            | MissingItem { item }
            | OutOfRange { item, .. }
            | NotApplicableNotAllowed { item }
            | UnknownActivity { item, .. }
            | DuplicateActivity { item, .. }
            | MissingActivity { item, .. }
            | PeopleOutOfRange { item, .. } => Some(item),
            _ => None,
        }
    }
}

/// A refused submission: every problem found, in a stable order. Nothing of it may be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("submission refused: {}", problems.iter().map(|p| p.code()).collect::<Vec<_>>().join(", "))]
pub struct InvalidSubmission {
    pub problems: Vec<SubmissionProblem>,
}

impl Instrument {
    /// Scores a submission: all or nothing.
    pub fn score(&self, submission: &Submission) -> Result<ScoredSubmission, InvalidSubmission> {
        let refuse = |p: SubmissionProblem| InvalidSubmission { problems: vec![p] };
        if submission.instrument != self.id() {
            return Err(refuse(SubmissionProblem::WrongInstrument {
                expected: self.id().to_string(),
                found: submission.instrument.clone(),
            }));
        }
        if submission.version != self.version() {
            return Err(refuse(SubmissionProblem::WrongVersion {
                expected: self.version().to_string(),
                found: submission.version.clone(),
            }));
        }
        match (&submission.responses, self.rule()) {
            (Responses::Diary(days), ScoringRule::SocialRhythm) => {
                let rhythm = score_diary(self, days)?;
                let (min, max) = self.range();
                Ok(ScoredSubmission {
                    instrument: self.id().to_string(),
                    version: self.version().to_string(),
                    total: rhythm.score,
                    min,
                    max,
                    band: self.band_for(rhythm.score).map(|b| b.id.clone()),
                    items: Vec::new(),
                    safety: Vec::new(),
                    not_applicable: None,
                    rhythm: Some(rhythm),
                })
            }
            (Responses::Items(answers), ScoringRule::Sum | ScoringRule::Single) => {
                self.score_items(answers)
            }
            _ => Err(refuse(SubmissionProblem::WrongResponseKind)),
        }
    }

    /// Reads a series of this instrument's scores in its direction (see [`analyse`]).
    pub fn analyse(
        &self,
        points: &[ScorePoint],
        rules: &ChangeRules,
        decision_session: Option<u32>,
    ) -> SeriesAnalysis {
        analyse(points, self.direction(), rules, decision_session)
    }

    fn score_items(&self, answers: &[ItemAnswer]) -> Result<ScoredSubmission, InvalidSubmission> {
        let mut problems = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for a in answers {
            let Some(item) = self.item(&a.item) else {
                problems.push(SubmissionProblem::UnknownItem {
                    item: a.item.clone(),
                });
                continue;
            };
            if !seen.insert(a.item.as_str()) {
                problems.push(SubmissionProblem::DuplicateItem {
                    item: a.item.clone(),
                });
                continue;
            }
            match a.value {
                AnswerValue::NotApplicable if !item.allow_not_applicable => {
                    problems.push(SubmissionProblem::NotApplicableNotAllowed {
                        item: a.item.clone(),
                    })
                }
                AnswerValue::NotApplicable => {}
                AnswerValue::Value(v) => {
                    let ok = self.responses_of(item).is_some_and(|rs| rs.accepts(v));
                    if !ok {
                        problems.push(SubmissionProblem::OutOfRange {
                            item: a.item.clone(),
                            value: v,
                        });
                    }
                }
            }
        }
        for item in self.items() {
            if !item.optional && !seen.contains(item.id.as_str()) {
                problems.push(SubmissionProblem::MissingItem {
                    item: item.id.clone(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(InvalidSubmission { problems });
        }

        let mut items = Vec::with_capacity(self.items().len());
        let mut sum = 0i64;
        let mut scored_total = 0i64;
        let mut answered = 0i64;
        let mut na_items = Vec::new();
        let mut na_max = 0i64;
        let mut safety = Vec::new();
        for item in self.items() {
            let answer = answers.iter().find(|a| a.item == item.id).map(|a| a.value);
            let reversed = self.is_reversed(&item.id);
            let (lo, hi) = self.item_bounds(item).unwrap_or((0, 0));
            let value = match answer {
                Some(AnswerValue::Value(v)) if reversed => Some(lo + hi - v),
                Some(AnswerValue::Value(v)) => Some(v),
                _ => None,
            };
            if item.scored {
                scored_total += 1;
                match value {
                    Some(v) => {
                        sum += v;
                        answered += 1;
                    }
                    None => {
                        na_items.push(item.id.clone());
                        na_max += hi;
                    }
                }
            }
            if let Some(v) = value {
                let tier = self
                    .def()
                    .safety
                    .iter()
                    .filter(|t| t.item == item.id && v >= t.at_least)
                    .map(|t| t.tier)
                    .max();
                if let Some(tier) = tier {
                    safety.push(SafetyFlag {
                        instrument: self.id().to_string(),
                        item: item.id.clone(),
                        value: v,
                        tier,
                        history: item.history,
                    });
                }
            }
            items.push(ScoredItem {
                item: item.id.clone(),
                answer,
                value,
                scored: item.scored,
                reversed,
            });
        }
        if answered == 0 {
            return Err(InvalidSubmission {
                problems: vec![SubmissionProblem::AllNotApplicable],
            });
        }

        let (min, mut max) = self.range();
        let mut not_applicable = None;
        let total = if na_items.is_empty() {
            Score::whole(sum)
        } else {
            let policy = self
                .def()
                .scoring
                .not_applicable
                .unwrap_or(NotApplicablePolicy::Prorate);
            not_applicable = Some(NotApplicableAdjustment {
                policy,
                items: na_items,
                answered_sum: sum,
            });
            match policy {
                NotApplicablePolicy::Prorate => {
                    Score::whole(round_div(sum * scored_total, answered))
                }
                NotApplicablePolicy::ReducedMaximum => {
                    max = Score::whole(max.hundredths() / 100 - na_max);
                    Score::whole(sum)
                }
            }
        };
        Ok(ScoredSubmission {
            instrument: self.id().to_string(),
            version: self.version().to_string(),
            total,
            min,
            max,
            band: self.band_for(total).map(|b| b.id.clone()),
            items,
            safety,
            not_applicable,
            rhythm: None,
        })
    }
}
