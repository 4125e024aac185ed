//! Safety: which answers raise an alert and at what tier, and the client's safety plan.
//!
//! The triggers themselves are data in each instrument's definition (`[[safety]]`); scoring marks
//! each item that fired ([`SafetyFlag`]). [`evaluate`] turns a scored submission into at most one
//! alert, however many items fired, and can add reliable deterioration as a reason. Storage must
//! write that alert in the same transaction as the answers.
//!
//! An item marked `history` in its instrument (PHQ-A: a suicide attempt ever) asks about the
//! client's whole life. Its positive answer raises an alert the first time it is given; once it is
//! on record, the same answer at a later administration is history, not a new crisis, and raises
//! nothing ([`evaluate_with_history`]).

use crate::measure::{FindingReason, Score, ScoredSubmission, SeriesAnalysis};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How soon a clinician should look. Ordered: `Review < Alert < Urgent < Emergency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// At the next opportunity (for example reliable deterioration without a risk answer).
    Review,
    /// Same-day clinician review.
    Alert,
    /// Action within the hour.
    Urgent,
    /// Immediate danger, as a clinician judged it: escalates at once by default.
    Emergency,
}

impl Tier {
    pub fn code(self) -> &'static str {
        match self {
            Tier::Review => "review",
            Tier::Alert => "alert",
            Tier::Urgent => "urgent",
            Tier::Emergency => "emergency",
        }
    }
}

/// A safety item that fired in one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyFlag {
    pub instrument: String,
    pub item: String,
    /// The item's value after any reversal.
    pub value: i64,
    /// The highest tier among the item's triggers that fired.
    pub tier: Tier,
    /// The item asks about the client's whole life (its instrument marks it `history`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

/// Why an alert is raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum AlertReason {
    SafetyItem(SafetyFlag),
    ReliableDeterioration {
        instrument: String,
        baseline: Score,
        latest: Score,
        worsening: Score,
        threshold: Score,
    },
}

impl AlertReason {
    pub fn code(&self) -> &'static str {
        match self {
            AlertReason::SafetyItem(_) => "safety-item",
            AlertReason::ReliableDeterioration { .. } => "reliable-deterioration",
        }
    }

    pub fn tier(&self, policy: &SafetyPolicy) -> Tier {
        match self {
            AlertReason::SafetyItem(f) => f.tier,
            AlertReason::ReliableDeterioration { .. } => {
                policy.deterioration_tier.unwrap_or(Tier::Review)
            }
        }
    }
}

/// The one alert a submission raises: its tier is the highest of its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDecision {
    pub tier: Tier,
    /// Safety items first (in item order), then deterioration.
    pub reasons: Vec<AlertReason>,
}

/// Clinic settings for alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyPolicy {
    /// Tier for reliable deterioration; `None` means deterioration raises no alert.
    pub deterioration_tier: Option<Tier>,
}

impl Default for SafetyPolicy {
    fn default() -> Self {
        SafetyPolicy {
            deterioration_tier: Some(Tier::Review),
        }
    }
}

/// Whether a scored submission must raise an alert, and why.
///
/// `analysis` is the analysis of the instrument's series *including* this submission; pass it to
/// have reliable deterioration count as a reason. Returns `None` when nothing fired; otherwise
/// exactly one decision listing every reason.
pub fn evaluate(
    scored: &ScoredSubmission,
    analysis: Option<&SeriesAnalysis>,
    policy: &SafetyPolicy,
) -> Option<AlertDecision> {
    evaluate_with_history(scored, analysis, policy, &[])
}

/// Whether a safety flag is history already on record: a lifetime item whose positive answer was
/// given before (`on_record` lists the items of this instrument with a positive answer in any of
/// the client's earlier submissions).
pub fn is_recorded_history(flag: &SafetyFlag, on_record: &[String]) -> bool {
    flag.history && on_record.contains(&flag.item)
}

/// As [`evaluate`], leaving out history already on record: a lifetime item answered positively
/// before raises no new alert (see [`is_recorded_history`]). Every other flag counts as usual.
pub fn evaluate_with_history(
    scored: &ScoredSubmission,
    analysis: Option<&SeriesAnalysis>,
    policy: &SafetyPolicy,
    on_record: &[String],
) -> Option<AlertDecision> {
    let mut reasons: Vec<AlertReason> = scored
        .safety
        .iter()
        .filter(|f| !is_recorded_history(f, on_record))
        .cloned()
        .map(AlertReason::SafetyItem)
        .collect();
    if policy.deterioration_tier.is_some()
        && let Some(a) = analysis
        && a.reliable_deterioration.is_suggested()
        && let (Some(b), Some(l)) = (a.baseline, a.latest)
        && let FindingReason::Points { points, threshold } = a.reliable_deterioration.reason
    {
        reasons.push(AlertReason::ReliableDeterioration {
            instrument: scored.instrument.clone(),
            baseline: b.score,
            latest: l.score,
            worsening: points,
            threshold,
        });
    }
    let tier = reasons.iter().map(|r| r.tier(policy)).max()?;
    Some(AlertDecision { tier, reasons })
}

/// The sections of a safety plan (Stanley–Brown, with reasons for living added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanSection {
    WarningSigns,
    InternalCoping,
    Distractions,
    HelpContacts,
    Professionals,
    EnvironmentSafety,
    ReasonsForLiving,
}

impl PlanSection {
    pub const ALL: [PlanSection; 7] = [
        PlanSection::WarningSigns,
        PlanSection::InternalCoping,
        PlanSection::Distractions,
        PlanSection::HelpContacts,
        PlanSection::Professionals,
        PlanSection::EnvironmentSafety,
        PlanSection::ReasonsForLiving,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanSection::WarningSigns => "warning-signs",
            PlanSection::InternalCoping => "internal-coping",
            PlanSection::Distractions => "distractions",
            PlanSection::HelpContacts => "help-contacts",
            PlanSection::Professionals => "professionals",
            PlanSection::EnvironmentSafety => "environment-safety",
            PlanSection::ReasonsForLiving => "reasons-for-living",
        }
    }
}

/// One line of a safety plan: what to do or who to call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    pub text: String,
    /// A person's or place's name, or other way to reach them.
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// When they can be reached.
    #[serde(default)]
    pub hours: Option<String>,
}

impl PlanEntry {
    pub fn text(text: impl Into<String>) -> PlanEntry {
        PlanEntry {
            text: text.into(),
            ..PlanEntry::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanStatus {
    #[default]
    Draft,
    Complete,
}

/// A client's safety plan, built with their clinician. Each save of a changed plan is a new
/// version; storage keeps the earlier ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyPlan {
    pub version: u32,
    pub status: PlanStatus,
    pub warning_signs: Vec<PlanEntry>,
    pub internal_coping: Vec<PlanEntry>,
    pub distractions: Vec<PlanEntry>,
    pub help_contacts: Vec<PlanEntry>,
    pub professionals: Vec<PlanEntry>,
    pub environment_safety: Vec<PlanEntry>,
    pub reasons_for_living: Vec<PlanEntry>,
}

impl Default for SafetyPlan {
    fn default() -> Self {
        SafetyPlan::new()
    }
}

/// Limits on a plan's size, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
pub const MAX_CONTACT_CHARS: usize = 200;
pub const MAX_PHONE_CHARS: usize = 40;
pub const MAX_HOURS_CHARS: usize = 100;
pub const MAX_ENTRIES_PER_SECTION: usize = 20;

/// A problem that stops a plan being saved or completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum PlanProblem {
    TooManyEntries {
        section: PlanSection,
        max: usize,
    },
    EmptyText {
        section: PlanSection,
        entry: usize,
    },
    TooLong {
        section: PlanSection,
        entry: usize,
        field: PlanField,
        max: usize,
    },
    /// Phone numbers may hold digits, spaces and `+ - ( ) .` only, with at least three digits.
    BadPhone {
        section: PlanSection,
        entry: usize,
    },
    /// A plan can be marked complete only when at least one section has an entry.
    NothingFilled,
}

impl PlanProblem {
    pub fn code(&self) -> &'static str {
        match self {
            PlanProblem::TooManyEntries { .. } => "too-many-entries",
            PlanProblem::EmptyText { .. } => "empty-text",
            PlanProblem::TooLong { .. } => "too-long",
            PlanProblem::BadPhone { .. } => "bad-phone",
            PlanProblem::NothingFilled => "nothing-filled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanField {
    Text,
    Contact,
    Phone,
    Hours,
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl SafetyPlan {
    /// An empty draft, version 1.
    pub fn new() -> SafetyPlan {
        SafetyPlan {
            version: 1,
            status: PlanStatus::Draft,
            warning_signs: Vec::new(),
            internal_coping: Vec::new(),
            distractions: Vec::new(),
            help_contacts: Vec::new(),
            professionals: Vec::new(),
            environment_safety: Vec::new(),
            reasons_for_living: Vec::new(),
        }
    }

    pub fn section(&self, section: PlanSection) -> &[PlanEntry] {
        match section {
            PlanSection::WarningSigns => &self.warning_signs,
            PlanSection::InternalCoping => &self.internal_coping,
            PlanSection::Distractions => &self.distractions,
            PlanSection::HelpContacts => &self.help_contacts,
            PlanSection::Professionals => &self.professionals,
            PlanSection::EnvironmentSafety => &self.environment_safety,
            PlanSection::ReasonsForLiving => &self.reasons_for_living,
        }
    }

    pub fn section_mut(&mut self, section: PlanSection) -> &mut Vec<PlanEntry> {
        match section {
            PlanSection::WarningSigns => &mut self.warning_signs,
            PlanSection::InternalCoping => &mut self.internal_coping,
            PlanSection::Distractions => &mut self.distractions,
            PlanSection::HelpContacts => &mut self.help_contacts,
            PlanSection::Professionals => &mut self.professionals,
            PlanSection::EnvironmentSafety => &mut self.environment_safety,
            PlanSection::ReasonsForLiving => &mut self.reasons_for_living,
        }
    }

    pub fn is_empty(&self) -> bool {
        PlanSection::ALL.iter().all(|s| self.section(*s).is_empty())
    }

    /// Checks sizes and phone numbers; a draft may be empty. A complete plan must also have at
    /// least one entry.
    pub fn validate(&self) -> Result<(), Vec<PlanProblem>> {
        let mut problems = Vec::new();
        for section in PlanSection::ALL {
            let entries = self.section(section);
            if entries.len() > MAX_ENTRIES_PER_SECTION {
                problems.push(PlanProblem::TooManyEntries {
                    section,
                    max: MAX_ENTRIES_PER_SECTION,
                });
            }
            for (entry, e) in entries.iter().enumerate() {
                if e.text.trim().is_empty() {
                    problems.push(PlanProblem::EmptyText { section, entry });
                }
                let fields = [
                    (PlanField::Text, Some(&e.text), MAX_TEXT_CHARS),
                    (PlanField::Contact, e.contact.as_ref(), MAX_CONTACT_CHARS),
                    (PlanField::Phone, e.phone.as_ref(), MAX_PHONE_CHARS),
                    (PlanField::Hours, e.hours.as_ref(), MAX_HOURS_CHARS),
                ];
                for (field, value, max) in fields {
                    if value.is_some_and(|v| v.chars().count() > max) {
                        problems.push(PlanProblem::TooLong {
                            section,
                            entry,
                            field,
                            max,
                        });
                    }
                }
                if let Some(phone) = &e.phone
                    && !is_phone(phone)
                {
                    problems.push(PlanProblem::BadPhone { section, entry });
                }
            }
        }
        if self.status == PlanStatus::Complete && self.is_empty() {
            problems.push(PlanProblem::NothingFilled);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Marks the plan complete, if it is valid and has at least one entry.
    pub fn mark_complete(&mut self) -> Result<(), Vec<PlanProblem>> {
        let previous = self.status;
        self.status = PlanStatus::Complete;
        let result = self.validate();
        if result.is_err() {
            self.status = previous;
        }
        result
    }

    /// The next version of this plan, to be edited and saved alongside the earlier one.
    pub fn next_version(&self) -> SafetyPlan {
        SafetyPlan {
            version: self.version + 1,
            ..self.clone()
        }
    }
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    digits >= 3
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_ordered() {
        assert!(Tier::Review < Tier::Alert && Tier::Alert < Tier::Urgent);
    }

    #[test]
    fn phone_numbers() {
        assert!(is_phone("+44 (0)20 7946 0958"));
        assert!(is_phone("988"));
        assert!(!is_phone("call me"));
        assert!(!is_phone("12"));
    }
}
