//! A clinic's own settings. Stored as one document; every field has a default so that settings
//! written by an older Kith still load.

use crate::locale::Locale;
use crate::measure::ChangeRulesOverride;
use crate::safety::{SafetyPolicy, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest crisis-resources text a clinic may set.
pub const CRISIS_TEXT_MAX: usize = 4000;
/// Longest clinic name.
pub const CLINIC_NAME_MAX: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClinicSettings {
    /// Crisis lines and emergency instructions shown to clients (and beside every safety plan).
    pub crisis_text: String,
    /// Whether clients must also use a second factor (staff always must).
    pub client_second_factor_required: bool,
    /// Minutes a routine alert (review or same-day tier) may stay unacknowledged before it
    /// escalates to the supervisor.
    pub alert_escalation_minutes: u32,
    /// The same for urgent alerts (default 30).
    pub urgent_escalation_minutes: u32,
    /// The same for emergency alerts (default 0: the supervisor is told at once).
    pub emergency_escalation_minutes: u32,
    /// Language for people who have not chosen one and whose browser asks for none we have.
    pub default_locale: Locale,
    /// Idle minutes before a session ends (never more than 15).
    pub idle_timeout_minutes: u32,
    /// The clinic's own change thresholds for every instrument (response and "not on track"
    /// percentages are the usual ones to set here). A key left out keeps the instrument's default.
    #[serde(default)]
    pub change_rules: ChangeRulesOverride,
    /// Thresholds for one instrument, by instrument id (`phq9`), applied after `change_rules`:
    /// remission cut-offs and reliable-change points differ from scale to scale.
    #[serde(default)]
    pub instrument_change_rules: BTreeMap<String, ChangeRulesOverride>,
    /// Which findings besides safety items raise an alert (reliable deterioration, and at what tier).
    #[serde(default)]
    pub alert_policy: SafetyPolicy,
}

impl ClinicSettings {
    /// How long an alert of this tier may stay unacknowledged before it escalates.
    pub fn escalation_minutes(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Review | Tier::Alert => self.alert_escalation_minutes,
            Tier::Urgent => self.urgent_escalation_minutes,
            Tier::Emergency => self.emergency_escalation_minutes,
        }
    }

    /// The clinic's overrides for one instrument: the clinic-wide ones, then the instrument's own.
    pub fn change_rules_for(&self, instrument: &str) -> ChangeRulesOverride {
        let general = self.change_rules;
        match self.instrument_change_rules.get(instrument) {
            None => general,
            Some(own) => ChangeRulesOverride {
                response_percent: own.response_percent.or(general.response_percent),
                remission: own.remission.or(general.remission),
                reliable_change: own.reliable_change.or(general.reliable_change),
                not_on_track_percent: own.not_on_track_percent.or(general.not_on_track_percent),
            },
        }
    }
}

impl Default for ClinicSettings {
    fn default() -> Self {
        ClinicSettings {
            crisis_text: String::new(),
            client_second_factor_required: false,
            alert_escalation_minutes: 240,
            urgent_escalation_minutes: 30,
            emergency_escalation_minutes: 0,
            default_locale: Locale::En,
            idle_timeout_minutes: 15,
            change_rules: ChangeRulesOverride::default(),
            instrument_change_rules: BTreeMap::new(),
            alert_policy: SafetyPolicy::default(),
        }
    }
}

/// Problems with submitted settings, each tied to the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsProblem {
    NameEmpty,
    NameTooLong { max: usize },
    CrisisTextTooLong { max: usize },
    EscalationOutOfRange { min: u32, max: u32 },
    UrgentEscalationOutOfRange { min: u32, max: u32 },
    EmergencyEscalationOutOfRange { min: u32, max: u32 },
    IdleTimeoutOutOfRange { min: u32, max: u32 },
}

impl SettingsProblem {
    pub fn field(&self) -> &'static str {
        match self {
            SettingsProblem::NameEmpty | SettingsProblem::NameTooLong { .. } => "name",
            SettingsProblem::CrisisTextTooLong { .. } => "crisis_text",
            SettingsProblem::EscalationOutOfRange { .. } => "alert_escalation_minutes",
            SettingsProblem::UrgentEscalationOutOfRange { .. } => "urgent_escalation_minutes",
            SettingsProblem::EmergencyEscalationOutOfRange { .. } => "emergency_escalation_minutes",
            SettingsProblem::IdleTimeoutOutOfRange { .. } => "idle_timeout_minutes",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            SettingsProblem::NameEmpty => "field-required",
            SettingsProblem::NameTooLong { .. } | SettingsProblem::CrisisTextTooLong { .. } => {
                "field-too-long"
            }
            SettingsProblem::EscalationOutOfRange { .. }
            | SettingsProblem::UrgentEscalationOutOfRange { .. }
            | SettingsProblem::EmergencyEscalationOutOfRange { .. }
            | SettingsProblem::IdleTimeoutOutOfRange { .. } => "field-out-of-range",
        }
    }
}

/// Checks a clinic name and its settings together.
pub fn check(name: &str, s: &ClinicSettings) -> Vec<SettingsProblem> {
    let mut out = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        out.push(SettingsProblem::NameEmpty);
    } else if name.chars().count() > CLINIC_NAME_MAX {
        out.push(SettingsProblem::NameTooLong {
            max: CLINIC_NAME_MAX,
        });
    }
    if s.crisis_text.chars().count() > CRISIS_TEXT_MAX {
        out.push(SettingsProblem::CrisisTextTooLong {
            max: CRISIS_TEXT_MAX,
        });
    }
    if !(5..=7 * 24 * 60).contains(&s.alert_escalation_minutes) {
        out.push(SettingsProblem::EscalationOutOfRange {
            min: 5,
            max: 7 * 24 * 60,
        });
    }
    // Faster clocks may not be slower than the routine one: that would invert the tiers.
    let urgent_max = s.alert_escalation_minutes.min(24 * 60);
    if s.urgent_escalation_minutes > urgent_max {
        out.push(SettingsProblem::UrgentEscalationOutOfRange {
            min: 0,
            max: urgent_max,
        });
    }
    let emergency_max = s.urgent_escalation_minutes.min(urgent_max).min(60);
    if s.emergency_escalation_minutes > emergency_max {
        out.push(SettingsProblem::EmergencyEscalationOutOfRange {
            min: 0,
            max: emergency_max,
        });
    }
    if !(1..=15).contains(&s.idle_timeout_minutes) {
        out.push(SettingsProblem::IdleTimeoutOutOfRange { min: 1, max: 15 });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Cutoff, Score};

    #[test]
    fn settings_written_by_an_older_kith_still_load() {
        let old = r#"{"crisis_text":"Call 112","client_second_factor_required":false,
            "alert_escalation_minutes":60,"default_locale":"en","idle_timeout_minutes":10}"#;
        let s: ClinicSettings = serde_json::from_str(old).unwrap();
        assert_eq!(s.alert_escalation_minutes, 60);
        // Faster clocks for urgent and emergency alerts, whatever the clinic set before.
        assert_eq!(s.escalation_minutes(Tier::Urgent), 30);
        assert_eq!(s.escalation_minutes(Tier::Emergency), 0);
        assert_eq!(s.escalation_minutes(Tier::Review), 60);
        assert_eq!(s.change_rules, ChangeRulesOverride::default());
        assert!(s.instrument_change_rules.is_empty());
        assert_eq!(s.alert_policy.deterioration_tier, Some(Tier::Review));
    }

    #[test]
    fn urgent_clocks_may_not_be_slower_than_routine_ones() {
        let mut s = ClinicSettings {
            alert_escalation_minutes: 20,
            ..ClinicSettings::default()
        };
        let fields: Vec<_> = check("Clinic", &s).iter().map(|p| p.field()).collect();
        assert_eq!(fields, vec!["urgent_escalation_minutes"]);
        s.urgent_escalation_minutes = 10;
        s.emergency_escalation_minutes = 15;
        let fields: Vec<_> = check("Clinic", &s).iter().map(|p| p.field()).collect();
        assert_eq!(fields, vec!["emergency_escalation_minutes"]);
        s.emergency_escalation_minutes = 0;
        assert!(check("Clinic", &s).is_empty());
    }

    #[test]
    fn unset_overrides_survive_a_round_trip_as_unset() {
        // A clinic that set nothing must not come back with every check switched off.
        let s = ClinicSettings::default();
        let back: ClinicSettings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.change_rules.reliable_change, None);
    }

    #[test]
    fn switched_off_and_set_overrides_round_trip() {
        let mut s = ClinicSettings::default();
        s.change_rules.not_on_track_percent = Some(Some(25));
        s.change_rules.remission = Some(None);
        s.instrument_change_rules.insert(
            "phq9".into(),
            ChangeRulesOverride {
                reliable_change: Some(Some(Score::whole(5))),
                remission: Some(Some(Cutoff::Below(5))),
                ..ChangeRulesOverride::default()
            },
        );
        s.alert_policy.deterioration_tier = None;
        let back: ClinicSettings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn instrument_rules_win_over_clinic_wide_ones() {
        let mut s = ClinicSettings::default();
        s.change_rules.response_percent = Some(Some(40));
        s.change_rules.remission = Some(None);
        s.instrument_change_rules.insert(
            "phq9".into(),
            ChangeRulesOverride {
                remission: Some(Some(Cutoff::AtMost(4))),
                ..ChangeRulesOverride::default()
            },
        );
        let phq9 = s.change_rules_for("phq9");
        assert_eq!(phq9.response_percent, Some(Some(40)));
        assert_eq!(phq9.remission, Some(Some(Cutoff::AtMost(4))));
        let gad7 = s.change_rules_for("gad7");
        assert_eq!(gad7.remission, Some(None));
    }
}
