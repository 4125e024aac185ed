//! Measures: questionnaires and rating scales described as data, scored exactly, and read over a
//! course of treatment.
//!
//! * [`definition`]: the instrument definition format (TOML), its validation, and the
//!   [`InstrumentLibrary`] holding the instruments Kith ships.
//! * [`scoring`]: turning one submission (answers item by item, or a week of a social-rhythm
//!   diary) into a total, a severity band, per-item values and safety flags.
//! * [`change`]: change rules (response, remission, reliable change, "not on track") and the
//!   analysis of a series of scores. Every finding is a suggestion with its reason.
//!
//! Scores are fixed-point numbers in hundredths ([`Score`]) so that every comparison with a
//! threshold is exact and every printed figure is stable.

pub mod change;
pub mod definition;
mod rhythm;
pub mod scoring;

pub use change::{
    ChangeRules, ChangeRulesOverride, Cutoff, Finding, FindingReason, FindingStatus, ScorePoint,
    SeriesAnalysis, analyse,
};
pub use definition::{
    BandDef, ChangeDefaults, DefinitionError, DefinitionProblem, Instrument, InstrumentDef,
    InstrumentLibrary, ItemDef, Licence, LicenceStatus, Loinc, NotApplicablePolicy, OptionDef,
    Recall, Respondent, ResponseSet, RhythmDef, ScoringDef, ScoringRule, ValueRange, Wording,
};
pub use rhythm::{ActivityEntry, ActivityRhythm, DiaryDay, DoneAt, RhythmResult};
pub use scoring::{
    AnswerValue, InvalidSubmission, ItemAnswer, NotApplicableAdjustment, Responses, ScoredItem,
    ScoredSubmission, Submission, SubmissionProblem,
};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which way is better on an instrument's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Symptom scales: PHQ-9, GAD-7, HAM-D, EPDS, WSAS.
    LowerIsBetter,
    /// Regularity and well-being scales: SRM-5, the 0–10 mood rating as shipped.
    HigherIsBetter,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower-is-better",
            Direction::HigherIsBetter => "higher-is-better",
        }
    }

    /// How much better `later` is than `earlier` (negative when it is worse).
    pub fn improvement(self, earlier: Score, later: Score) -> Score {
        match self {
            Direction::LowerIsBetter => Score(earlier.0 - later.0),
            Direction::HigherIsBetter => Score(later.0 - earlier.0),
        }
    }
}

/// A score as a fixed-point number with two decimals (stored in hundredths).
///
/// Totals of summed instruments are whole numbers; the SRM-5 gives fractions (hits ÷ activities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Score(i64);

impl Score {
    pub const ZERO: Score = Score(0);

    /// A whole-number score.
    pub const fn whole(points: i64) -> Score {
        Score(points * 100)
    }

    pub const fn from_hundredths(hundredths: i64) -> Score {
        Score(hundredths)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_whole(self) -> bool {
        self.0 % 100 == 0
    }

    /// For drawing only; never compare thresholds with this.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `numerator ÷ denominator`, rounded half away from zero to two decimals.
    /// `denominator` must not be zero.
    pub fn ratio(numerator: i64, denominator: i64) -> Score {
        Score(round_div(numerator * 100, denominator))
    }

    pub fn abs(self) -> Score {
        Score(self.0.abs())
    }
}

impl fmt::Display for Score {
    /// Whole scores print without decimals ("12"); others with exactly two ("3.50").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0))
    }
}

/// A percentage with two decimals (stored in hundredths of a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Percent(i64);

impl Percent {
    pub const fn from_hundredths(hundredths: i64) -> Percent {
        Percent(hundredths)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// `part ÷ whole × 100`, rounded half away from zero to two decimals; `whole` must not be zero.
    pub fn of(part: Score, whole: Score) -> Percent {
        Percent(round_div(part.0 * 10_000, whole.0))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0))
    }
}

/// Integer division rounded half away from zero.
pub(crate) fn round_div(numerator: i64, denominator: i64) -> i64 {
    debug_assert!(denominator != 0);
    let (n, d) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((2 * -n + d) / (2 * d))
    }
}

fn format_hundredths(h: i64) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let a = h.unsigned_abs();
    if a.is_multiple_of(100) {
        format!("{sign}{}", a / 100)
    } else {
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_print_with_fixed_decimals() {
        assert_eq!(Score::whole(12).to_string(), "12");
        assert_eq!(Score::ratio(7, 2).to_string(), "3.50");
        assert_eq!(Score::ratio(25, 7).to_string(), "3.57");
        assert_eq!(Score::from_hundredths(-5).to_string(), "-0.05");
        assert_eq!(
            Percent::of(Score::whole(1), Score::whole(3)).to_string(),
            "33.33"
        );
        assert_eq!(
            Percent::of(Score::whole(-2), Score::whole(3)).to_string(),
            "-66.67"
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_div(5, 2), 3);
        assert_eq!(round_div(-5, 2), -3);
        assert_eq!(round_div(4, 3), 1);
        assert_eq!(round_div(-4, 3), -1);
        assert_eq!(round_div(7, -2), -4);
    }

    #[test]
    fn improvement_respects_direction() {
        let (a, b) = (Score::whole(10), Score::whole(4));
        assert_eq!(Direction::LowerIsBetter.improvement(a, b), Score::whole(6));
        assert_eq!(
            Direction::HigherIsBetter.improvement(a, b),
            Score::whole(-6)
        );
    }
}
