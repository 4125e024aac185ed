//! Change over a course: response, remission, reliable improvement and deterioration, and the
//! mid-course "not on track" check.
//!
//! Everything here is a suggestion for the clinician, given with the figures behind it; none of
//! it is a verdict.

use super::{Direction, Percent, Score};
use serde::{Deserialize, Serialize};
use time::Date;

/// A cut-off on the score scale, written in definition files as `{ below = 5 }`,
/// `{ at_most = 7 }`, `{ at_least = 5 }` or `{ above = 4 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Cutoff {
    Below(i64),
    AtMost(i64),
    AtLeast(i64),
    Above(i64),
}

impl Cutoff {
    pub fn value(self) -> i64 {
        match self {
            Cutoff::Below(v) | Cutoff::AtMost(v) | Cutoff::AtLeast(v) | Cutoff::Above(v) => v,
        }
    }

    pub fn contains(self, score: Score) -> bool {
        let v = Score::whole(self.value());
        match self {
            Cutoff::Below(_) => score < v,
            Cutoff::AtMost(_) => score <= v,
            Cutoff::AtLeast(_) => score >= v,
            Cutoff::Above(_) => score > v,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Cutoff::Below(_) => "below",
            Cutoff::AtMost(_) => "at-most",
            Cutoff::AtLeast(_) => "at-least",
            Cutoff::Above(_) => "above",
        }
    }
}

/// The thresholds used to read a series. An instrument gives defaults
/// ([`super::Instrument::change_rules`]); a clinic may override any of them. `None` switches a
/// check off (its finding is then "cannot tell" with reason `rule-not-set`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRules {
    /// Response: improvement from baseline of at least this percentage.
    pub response_percent: Option<u32>,
    /// Remission: the latest score within this cut-off.
    pub remission: Option<Cutoff>,
    /// Reliable change: at least this many points from baseline, either way.
    pub reliable_change: Option<Score>,
    /// Not on track: improvement below this percentage at the decision point.
    pub not_on_track_percent: Option<u32>,
}

impl Default for ChangeRules {
    /// The general defaults: response ≥ 50 %, not on track < 20 %; no remission or reliable-change
    /// figure without an instrument.
    fn default() -> Self {
        ChangeRules {
            response_percent: Some(50),
            remission: None,
            reliable_change: None,
            not_on_track_percent: Some(20),
        }
    }
}

/// A clinic's overrides of an instrument's change rules, as stored in its settings. A field left
/// out keeps the instrument's default; `Some(None)` switches the check off. Unset keys are left out
/// when written, so that they read back as unset (not as switched off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRulesOverride {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub response_percent: Option<Option<u32>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub remission: Option<Option<Cutoff>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub reliable_change: Option<Option<Score>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_on_track_percent: Option<Option<u32>>,
}

/// A key that is present (even as `null`) is an override; an absent key is not.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl ChangeRulesOverride {
    pub fn apply(&self, base: ChangeRules) -> ChangeRules {
        ChangeRules {
            response_percent: self.response_percent.unwrap_or(base.response_percent),
            remission: self.remission.unwrap_or(base.remission),
            reliable_change: self.reliable_change.unwrap_or(base.reliable_change),
            not_on_track_percent: self
                .not_on_track_percent
                .unwrap_or(base.not_on_track_percent),
        }
    }
}

/// One score in a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePoint {
    pub date: Date,
    /// The session the measure was taken at, when it was tied to one.
    pub session: Option<u32>,
    pub score: Score,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// The data suggest it (a label for the clinician to consider).
    Suggested,
    /// The data do not suggest it.
    NotSuggested,
    /// Not enough data, or no threshold set.
    CannotTell,
}

impl FindingStatus {
    pub fn code(self) -> &'static str {
        match self {
            FindingStatus::Suggested => "suggested",
            FindingStatus::NotSuggested => "not-suggested",
            FindingStatus::CannotTell => "cannot-tell",
        }
    }
}

/// Why a finding came out the way it did; the web layer words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum FindingReason {
    NoScores,
    OnlyBaseline,
    RuleNotSet,
    /// A percentage cannot be taken of a baseline of zero (or below).
    BaselineNotPositive,
    /// Improvement (positive = better) compared with the percentage threshold.
    PercentImprovement {
        percent: Percent,
        threshold_percent: u32,
    },
    /// The latest score compared with the remission cut-off.
    LatestScore {
        latest: Score,
        cutoff: Cutoff,
    },
    /// Points of change in the relevant direction compared with the reliable-change figure.
    Points {
        points: Score,
        threshold: Score,
    },
    NoDecisionPoint,
    /// No score has been taken at or after the decision session yet.
    DecisionPointNotReached {
        decision_session: u32,
    },
    /// There is no score after baseline up to the decision session.
    NoScoreByDecisionPoint {
        decision_session: u32,
    },
}

impl FindingReason {
    pub fn code(&self) -> &'static str {
        match self {
            FindingReason::NoScores => "no-scores",
            FindingReason::OnlyBaseline => "only-baseline",
            FindingReason::RuleNotSet => "rule-not-set",
            FindingReason::BaselineNotPositive => "baseline-not-positive",
            FindingReason::PercentImprovement { .. } => "percent-improvement",
            FindingReason::LatestScore { .. } => "latest-score",
            FindingReason::Points { .. } => "points",
            FindingReason::NoDecisionPoint => "no-decision-point",
            FindingReason::DecisionPointNotReached { .. } => "decision-point-not-reached",
            FindingReason::NoScoreByDecisionPoint { .. } => "no-score-by-decision-point",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub status: FindingStatus,
    pub reason: FindingReason,
}

impl Finding {
    fn cannot(reason: FindingReason) -> Finding {
        Finding {
            status: FindingStatus::CannotTell,
            reason,
        }
    }

    fn when(suggested: bool, reason: FindingReason) -> Finding {
        Finding {
            status: if suggested {
                FindingStatus::Suggested
            } else {
                FindingStatus::NotSuggested
            },
            reason,
        }
    }

    pub fn is_suggested(&self) -> bool {
        self.status == FindingStatus::Suggested
    }
}

/// What a series of scores suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesAnalysis {
    pub direction: Direction,
    pub count: usize,
    /// The first score by date (then by session).
    pub baseline: Option<ScorePoint>,
    pub latest: Option<ScorePoint>,
    /// Latest minus baseline, as on the scale (negative = the score went down).
    pub change: Option<Score>,
    /// Change in the better direction (negative = worse).
    pub improvement: Option<Score>,
    /// Improvement as a percentage of the baseline score.
    pub percent_improvement: Option<Percent>,
    pub response: Finding,
    pub remission: Finding,
    pub reliable_improvement: Finding,
    pub reliable_deterioration: Finding,
    /// "Suggested" means the course looks not on track at the decision session.
    pub not_on_track: Finding,
}

/// Reads a series of scores. Points are put in date order (then session order) first, so the
/// caller need not sort them. `decision_session` is the protocol's mid-course decision point.
pub fn analyse(
    points: &[ScorePoint],
    direction: Direction,
    rules: &ChangeRules,
    decision_session: Option<u32>,
) -> SeriesAnalysis {
    let mut sorted: Vec<ScorePoint> = points.to_vec();
    sorted.sort_by_key(|p| (p.date, p.session));
    let count = sorted.len();

    let (Some(&baseline), Some(&latest)) = (sorted.first(), sorted.last()) else {
        let none = Finding::cannot(FindingReason::NoScores);
        return SeriesAnalysis {
            direction,
            count,
            baseline: None,
            latest: None,
            change: None,
            improvement: None,
            percent_improvement: None,
            response: none,
            remission: none,
            reliable_improvement: none,
            reliable_deterioration: none,
            not_on_track: none,
        };
    };

    let change = Score::from_hundredths(latest.score.hundredths() - baseline.score.hundredths());
    let improvement = direction.improvement(baseline.score, latest.score);
    let positive_baseline = baseline.score > Score::ZERO;
    let percent_improvement = positive_baseline.then(|| Percent::of(improvement, baseline.score));
    let only_baseline = count < 2;

    // improvement ≥ pct % of baseline, compared exactly in integers.
    let reaches = |imp: Score, pct: u32| {
        i128::from(imp.hundredths()) * 100
            >= i128::from(pct) * i128::from(baseline.score.hundredths())
    };

    let response = match rules.response_percent {
        None => Finding::cannot(FindingReason::RuleNotSet),
        Some(_) if only_baseline => Finding::cannot(FindingReason::OnlyBaseline),
        Some(_) if !positive_baseline => Finding::cannot(FindingReason::BaselineNotPositive),
        Some(pct) => Finding::when(
            reaches(improvement, pct),
            FindingReason::PercentImprovement {
                percent: Percent::of(improvement, baseline.score),
                threshold_percent: pct,
            },
        ),
    };

    let remission = match rules.remission {
        None => Finding::cannot(FindingReason::RuleNotSet),
        Some(_) if only_baseline => Finding::cannot(FindingReason::OnlyBaseline),
        Some(cutoff) => Finding::when(
            cutoff.contains(latest.score),
            FindingReason::LatestScore {
                latest: latest.score,
                cutoff,
            },
        ),
    };

    let (reliable_improvement, reliable_deterioration) = match rules.reliable_change {
        None => (
            Finding::cannot(FindingReason::RuleNotSet),
            Finding::cannot(FindingReason::RuleNotSet),
        ),
        Some(_) if only_baseline => (
            Finding::cannot(FindingReason::OnlyBaseline),
            Finding::cannot(FindingReason::OnlyBaseline),
        ),
        Some(threshold) => {
            let worsening = Score::from_hundredths(-improvement.hundredths());
            (
                Finding::when(
                    improvement >= threshold,
                    FindingReason::Points {
                        points: improvement,
                        threshold,
                    },
                ),
                Finding::when(
                    worsening >= threshold,
                    FindingReason::Points {
                        points: worsening,
                        threshold,
                    },
                ),
            )
        }
    };

    let not_on_track = match (rules.not_on_track_percent, decision_session) {
        (None, _) => Finding::cannot(FindingReason::RuleNotSet),
        (_, None) => Finding::cannot(FindingReason::NoDecisionPoint),
        (Some(pct), Some(d)) => {
            let reached = sorted.iter().any(|p| p.session.is_some_and(|s| s >= d));
            let at_decision = sorted
                .iter()
                .skip(1)
                .rfind(|p| p.session.is_some_and(|s| s <= d));
            match at_decision {
                _ if !reached => Finding::cannot(FindingReason::DecisionPointNotReached {
                    decision_session: d,
                }),
                None => Finding::cannot(FindingReason::NoScoreByDecisionPoint {
                    decision_session: d,
                }),
                Some(_) if !positive_baseline => {
                    Finding::cannot(FindingReason::BaselineNotPositive)
                }
                Some(p) => {
                    let imp = direction.improvement(baseline.score, p.score);
                    Finding::when(
                        !reaches(imp, pct),
                        FindingReason::PercentImprovement {
                            percent: Percent::of(imp, baseline.score),
                            threshold_percent: pct,
                        },
                    )
                }
            }
        }
    };

    SeriesAnalysis {
        direction,
        count,
        baseline: Some(baseline),
        latest: Some(latest),
        change: Some(change),
        improvement: Some(improvement),
        percent_improvement,
        response,
        remission,
        reliable_improvement,
        reliable_deterioration,
        not_on_track,
    }
}
