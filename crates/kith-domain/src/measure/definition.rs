//! The instrument definition format, its validation, and the library of shipped instruments.
//!
//! A definition is a TOML document (see `docs/instrument-format.md`). Loading it goes in two
//! steps: the document is read into [`InstrumentDef`] with unknown keys rejected, then checked as a
//! whole. Every problem comes back with the key path it concerns, for instance
//! `items[3].responses` or `bands[1].min`.

use super::change::{ChangeRules, Cutoff};
use super::{Direction, Score};
use crate::locale::{Locale, Localized};
use crate::safety::Tier;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

/// One instrument as written in its definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentDef {
    /// Stable identifier, kebab-case: `phq9`.
    pub id: String,
    /// Version of this definition; a submission must name it.
    pub version: String,
    pub title: Localized,
    /// Abbreviation shown in tight places: "PHQ-9".
    pub short_title: Localized,
    pub respondent: Respondent,
    pub recall: Recall,
    pub direction: Direction,
    pub licence: Licence,
    #[serde(default)]
    pub loinc: Option<Loinc>,
    /// Named sets of response options that items refer to.
    #[serde(default)]
    pub response_sets: BTreeMap<String, ResponseSet>,
    pub items: Vec<ItemDef>,
    pub scoring: ScoringDef,
    /// Severity bands; when present they must cover the whole score range without gap or overlap.
    #[serde(default)]
    pub bands: Vec<BandDef>,
    /// Items whose answers raise a safety alert.
    #[serde(default)]
    pub safety: Vec<SafetyTriggerDef>,
    #[serde(default)]
    pub change: ChangeDefaults,
}

/// Who gives the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Respondent {
    Client,
    Clinician,
    Either,
}

impl Respondent {
    pub fn code(self) -> &'static str {
        match self {
            Respondent::Client => "client",
            Respondent::Clinician => "clinician",
            Respondent::Either => "either",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recall {
    /// Length of the period asked about, in days (14 for "the last 2 weeks", 1 for a daily diary).
    pub days: u32,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub status: LicenceStatus,
    pub wording: Wording,
    /// Set in a clinic's own copy when the clinic holds a licence for a licensed instrument.
    #[serde(default)]
    pub held_by_clinic: bool,
    pub note: Localized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenceStatus {
    PublicDomain,
    Free,
    Licensed,
    Unverified,
    /// Written for Kith; no outside terms.
    KithOwn,
}

/// Where the wording of the items comes from, and so whether it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wording {
    /// The instrument's own item text is in the file (public-domain or free instruments, or a
    /// clinic's licensed copy).
    Included,
    /// Kith's own wording (activity names, the mood rating).
    KithOwn,
    /// Item text to be supplied by a licensed clinic: the file holds structure, short construct
    /// labels and scoring only.
    SuppliedByLicensedClinic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loinc {
    #[serde(default)]
    pub panel: Option<String>,
    #[serde(default)]
    pub total: Option<String>,
    /// Codes in this file not yet checked against the LOINC release.
    #[serde(default)]
    pub unverified: Vec<String>,
}

/// The answers an item accepts: a list of options, or a whole-number range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSet {
    #[serde(default)]
    pub options: Vec<OptionDef>,
    #[serde(default)]
    pub range: Option<ValueRange>,
    /// Labels for some values of a range (for example its two ends).
    #[serde(default)]
    pub anchors: Vec<OptionDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRange {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    pub value: i64,
    #[serde(default)]
    pub label: Option<Localized>,
    /// LOINC answer code (LA…).
    #[serde(default)]
    pub loinc_answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub id: String,
    /// Short construct label of our own ("Sleep", "Work"), always present.
    pub label: Localized,
    /// The item's wording, only where it may be shown.
    #[serde(default)]
    pub text: Option<Localized>,
    /// Name of the response set (not used by social-rhythm activities).
    #[serde(default)]
    pub responses: Option<String>,
    /// Whether the item counts towards the total.
    #[serde(default = "yes")]
    pub scored: bool,
    /// Unscored items may be left out of a submission when optional.
    #[serde(default)]
    pub optional: bool,
    /// The item may be answered "not applicable" (WSAS work item).
    #[serde(default)]
    pub allow_not_applicable: bool,
    /// The item asks about the client's whole life (PHQ-A: a suicide attempt ever). A positive
    /// answer is history: it raises an alert the first time it is given, and afterwards is shown
    /// as history rather than as a new crisis at every administration.
    #[serde(default)]
    pub history: bool,
    #[serde(default)]
    pub loinc: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringDef {
    pub rule: ScoringRule,
    /// Items scored in reverse: value = (lowest option + highest option) − answer.
    #[serde(default)]
    pub reverse: Vec<String>,
    /// How a total is formed when an item is answered "not applicable".
    #[serde(default)]
    pub not_applicable: Option<NotApplicablePolicy>,
    /// Settings of the social-rhythm rule.
    #[serde(default)]
    pub rhythm: Option<RhythmDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScoringRule {
    /// Sum of the scored items (after reversal).
    Sum,
    /// Exactly one scored item; its value is the score.
    Single,
    /// SRM: a week of diary days; hits ÷ regular activities.
    SocialRhythm,
}

impl ScoringRule {
    pub fn code(self) -> &'static str {
        match self {
            ScoringRule::Sum => "sum",
            ScoringRule::Single => "single",
            ScoringRule::SocialRhythm => "social-rhythm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotApplicablePolicy {
    /// Sum the answered items and scale to the full number of items:
    /// round(sum × items ÷ answered), half up. Bands apply unchanged.
    Prorate,
    /// Report the plain sum out of a lower maximum (WSAS: out of 32); bands are read on the sum.
    ReducedMaximum,
}

impl NotApplicablePolicy {
    pub fn code(self) -> &'static str {
        match self {
            NotApplicablePolicy::Prorate => "prorate",
            NotApplicablePolicy::ReducedMaximum => "reduced-maximum",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RhythmDef {
    /// An occurrence within this many minutes of the habitual time is a hit (45).
    pub window_minutes: u32,
    /// Activities done fewer times than this in the week are left out (3).
    pub min_occurrences: u32,
    /// Diary days per scored week (7); also the top of the score range.
    pub days: u32,
    /// Clock time at which a diary day starts, "HH:MM" (times before it belong to the day before,
    /// so going to bed at 00:30 sits next to 23:30).
    pub day_starts_at: String,
    /// Daily mood rating range (−5..+5).
    pub mood: ValueRange,
    /// People-involvement code range (0..3).
    pub people: ValueRange,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandDef {
    /// Stable id, also used as a CSS class suffix on charts: `moderate`.
    pub id: String,
    /// Lowest total in the band (inclusive).
    pub min: i64,
    /// Highest total in the band (inclusive). A fractional score belongs to the band whose
    /// `min ≤ score < max + 1`.
    pub max: i64,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyTriggerDef {
    pub item: String,
    /// Fires when the item's value (after any reversal) is at least this.
    pub at_least: i64,
    pub tier: Tier,
}

/// Default change thresholds of an instrument; a clinic may override them ([`ChangeRules`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDefaults {
    /// Response: improvement from baseline of at least this percentage (50); 0 switches it off.
    #[serde(default = "default_response")]
    pub response_percent: Option<u32>,
    #[serde(default)]
    pub remission: Option<Cutoff>,
    /// Reliable change, in whole points.
    #[serde(default)]
    pub reliable_change: Option<i64>,
    /// Not on track: improvement below this percentage at the decision point (20); 0 switches
    /// it off.
    #[serde(default = "default_not_on_track")]
    pub not_on_track_percent: Option<u32>,
}

fn default_response() -> Option<u32> {
    Some(50)
}

fn default_not_on_track() -> Option<u32> {
    Some(20)
}

impl Default for ChangeDefaults {
    fn default() -> Self {
        ChangeDefaults {
            response_percent: default_response(),
            remission: None,
            reliable_change: None,
            not_on_track_percent: default_not_on_track(),
        }
    }
}

/// A problem found in a definition file, with the key path it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// Key path such as `items[3].responses`; `.` for the document itself.
    pub path: String,
    pub problem: DefinitionProblem,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for DefinitionError {}

/// Why a definition was rejected. These messages are for the people who write definition files
/// (administrators), so they are plain English; `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionProblem {
    #[error("unknown key `{key}`")]
    UnknownKey { key: String },
    #[error("cannot read the file: {message}")]
    Syntax { message: String },
    #[error("text for locale `{}` is missing", locale.code())]
    MissingLocale { locale: Locale },
    #[error("must be kebab-case letters and digits (like `phq9`), got `{value}`")]
    BadId { value: String },
    #[error("must not be empty")]
    Empty,
    #[error("`{id}` is used twice")]
    Duplicate { id: String },
    #[error("refers to item `{item}`, which does not exist")]
    UnknownItem { item: String },
    #[error("refers to response set `{set}`, which does not exist")]
    UnknownResponseSet { set: String },
    #[error("response set `{set}` is not used by any item")]
    UnusedResponseSet { set: String },
    #[error("give either `options` or `range`, not both and not neither")]
    OptionsOrRange,
    #[error("value {value} is outside the range {min}..{max}")]
    ValueOutside { value: i64, min: i64, max: i64 },
    #[error("range minimum {min} must be below maximum {max}")]
    EmptyRange { min: i64, max: i64 },
    #[error("item text is not allowed: the wording is to be supplied by a licensed clinic")]
    TextNotAllowed,
    #[error("option labels are not allowed: the wording is to be supplied by a licensed clinic")]
    OptionLabelNotAllowed,
    #[error("item text is required when the wording is included")]
    TextRequired,
    #[error(
        "this instrument is `{status}`: its wording may be included only with `held_by_clinic = true`"
    )]
    WordingNeedsLicence { status: String },
    #[error("this key is required by the `{rule}` scoring rule")]
    RequiredByRule { rule: &'static str },
    #[error("this key is not used by the `{rule}` scoring rule")]
    NotUsedByRule { rule: &'static str },
    #[error("an item may not be both scored and optional")]
    ScoredOptional,
    #[error("only scored items can be reversed or answered not applicable")]
    NotScored,
    #[error("the `single` rule needs exactly one scored item, found {found}")]
    SingleNeedsOneItem { found: usize },
    #[error("no item is scored")]
    NothingScored,
    #[error("items allow \"not applicable\" but `scoring.not_applicable` is not set")]
    PolicyMissing,
    #[error(
        "band starts at {found}, expected {expected} (bands must follow each other without gap or overlap)"
    )]
    BandGapOrOverlap { expected: i64, found: i64 },
    #[error("band minimum {min} is above its maximum {max}")]
    BandInverted { min: i64, max: i64 },
    #[error("bands end at {found}, but the highest possible score is {expected}")]
    BandsEndEarlyOrLate { expected: i64, found: i64 },
    #[error("trigger at {at_least} would {}", if *always { "fire on every answer" } else { "never fire" })]
    TriggerUseless { at_least: i64, always: bool },
    #[error("{value} is not a valid LOINC code (digits, dash, check digit)")]
    BadLoinc { value: String },
    #[error("`{value}` is not listed anywhere else in the file")]
    UnverifiedCodeUnknown { value: String },
    #[error("must be between {min} and {max}")]
    NumberOutOfBounds { min: i64, max: i64 },
    #[error("must be a clock time HH:MM")]
    BadClockTime,
    #[error("only an item with a safety trigger can be marked as history")]
    HistoryWithoutTrigger,
}

impl DefinitionProblem {
    pub fn code(&self) -> &'static str {
        use DefinitionProblem::*;
        match self {
            UnknownKey { .. } => "unknown-key",
            Syntax { .. } => "syntax",
            MissingLocale { .. } => "missing-locale",
            BadId { .. } => "bad-id",
            Empty => "empty",
            Duplicate { .. } => "duplicate",
            UnknownItem { .. } => "unknown-item",
            UnknownResponseSet { .. } => "unknown-response-set",
            UnusedResponseSet { .. } => "unused-response-set",
            OptionsOrRange => "options-or-range",
            ValueOutside { .. } => "value-outside",
            EmptyRange { .. } => "empty-range",
            TextNotAllowed => "text-not-allowed",
            OptionLabelNotAllowed => "option-label-not-allowed",
            TextRequired => "text-required",
            WordingNeedsLicence { .. } => "wording-needs-licence",
            RequiredByRule { .. } => "required-by-rule",
            NotUsedByRule { .. } => "not-used-by-rule",
            ScoredOptional => "scored-optional",
            NotScored => "not-scored",
            SingleNeedsOneItem { .. } => "single-needs-one-item",
            NothingScored => "nothing-scored",
            PolicyMissing => "not-applicable-policy-missing",
            BandGapOrOverlap { .. } => "band-gap-or-overlap",
            BandInverted { .. } => "band-inverted",
            BandsEndEarlyOrLate { .. } => "bands-end-mismatch",
            TriggerUseless { .. } => "trigger-useless",
            BadLoinc { .. } => "bad-loinc",
            UnverifiedCodeUnknown { .. } => "unverified-code-unknown",
            NumberOutOfBounds { .. } => "number-out-of-bounds",
            BadClockTime => "bad-clock-time",
            HistoryWithoutTrigger => "history-without-trigger",
        }
    }
}

/// A definition that passed validation, with its score range worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    def: InstrumentDef,
    min: i64,
    max: i64,
    day_start_minutes: u32,
}

impl Instrument {
    /// Reads and validates a definition. All problems found are returned, each with its key path.
    pub fn from_toml(source: &str) -> Result<Instrument, Vec<DefinitionError>> {
        let deserializer = toml::Deserializer::parse(source).map_err(|e| {
            vec![DefinitionError {
                path: ".".into(),
                problem: DefinitionProblem::Syntax {
                    message: e.message().to_string(),
                },
            }]
        })?;
        let def: InstrumentDef = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let message = e.inner().message().to_string();
            let mut path = e.path().to_string();
            let problem = match message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
            {
                Some(key) => {
                    // The path may or may not already end with the offending key.
                    if !path.ends_with(key) {
                        path = join(&path, key);
                    }
                    DefinitionProblem::UnknownKey {
                        key: key.to_string(),
                    }
                }
                None => DefinitionProblem::Syntax { message },
            };
            vec![DefinitionError { path, problem }]
        })?;
        Instrument::from_def(def)
    }

    /// Validates a definition built in code.
    pub fn from_def(def: InstrumentDef) -> Result<Instrument, Vec<DefinitionError>> {
        let mut c = Check::default();
        let (min, max, day_start_minutes) = validate(&def, &mut c);
        if c.errors.is_empty() {
            Ok(Instrument {
                def,
                min,
                max,
                day_start_minutes,
            })
        } else {
            Err(c.errors)
        }
    }

    pub fn def(&self) -> &InstrumentDef {
        &self.def
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    pub fn version(&self) -> &str {
        &self.def.version
    }

    pub fn direction(&self) -> Direction {
        self.def.direction
    }

    pub fn rule(&self) -> ScoringRule {
        self.def.scoring.rule
    }

    /// Lowest and highest possible score.
    pub fn range(&self) -> (Score, Score) {
        (Score::whole(self.min), Score::whole(self.max))
    }

    /// Whether item wording may be shown to users (public domain, free, Kith's own, or a clinic's
    /// licensed copy).
    pub fn may_show_wording(&self) -> bool {
        self.def.licence.wording != Wording::SuppliedByLicensedClinic
    }

    pub fn item(&self, id: &str) -> Option<&ItemDef> {
        self.def.items.iter().find(|i| i.id == id)
    }

    pub fn items(&self) -> &[ItemDef] {
        &self.def.items
    }

    /// The response set an item uses.
    pub fn responses_of(&self, item: &ItemDef) -> Option<&ResponseSet> {
        item.responses
            .as_ref()
            .and_then(|r| self.def.response_sets.get(r))
    }

    /// Lowest and highest answer an item accepts.
    pub fn item_bounds(&self, item: &ItemDef) -> Option<(i64, i64)> {
        self.responses_of(item).and_then(ResponseSet::bounds)
    }

    pub fn is_reversed(&self, item_id: &str) -> bool {
        self.def.scoring.reverse.iter().any(|r| r == item_id)
    }

    /// Whether an item's answers are history (see [`ItemDef::history`]).
    pub fn is_history(&self, item_id: &str) -> bool {
        self.item(item_id).is_some_and(|i| i.history)
    }

    /// The score printed beside an answer on the paper form: the answer itself, or for a
    /// reverse-scored item the reversed value (EPDS item 10: the top option, answer 0, prints 3).
    pub fn printed_score(&self, item: &ItemDef, answer: i64) -> i64 {
        match self.item_bounds(item) {
            Some((lo, hi)) if self.is_reversed(&item.id) => lo + hi - answer,
            _ => answer,
        }
    }

    /// The answer whose printed score is `score`, or `None` when no answer of the item prints it.
    pub fn answer_for_score(&self, item: &ItemDef, score: i64) -> Option<i64> {
        let set = self.responses_of(item)?;
        // Reversal is its own inverse: the answer printing `score` is `score` reversed.
        let answer = self.printed_score(item, score);
        (set.accepts(answer) && self.printed_score(item, answer) == score).then_some(answer)
    }

    pub fn bands(&self) -> &[BandDef] {
        &self.def.bands
    }

    pub fn band(&self, id: &str) -> Option<&BandDef> {
        self.def.bands.iter().find(|b| b.id == id)
    }

    /// The band a score falls in: `min ≤ score < max + 1`.
    pub fn band_for(&self, score: Score) -> Option<&BandDef> {
        self.def
            .bands
            .iter()
            .find(|b| Score::whole(b.min) <= score && score < Score::whole(b.max + 1))
    }

    /// The instrument's default change rules.
    pub fn change_rules(&self) -> ChangeRules {
        let c = &self.def.change;
        ChangeRules {
            response_percent: c.response_percent.filter(|p| *p > 0),
            remission: c.remission,
            reliable_change: c.reliable_change.map(Score::whole),
            not_on_track_percent: c.not_on_track_percent.filter(|p| *p > 0),
        }
    }

    pub(crate) fn day_start_minutes(&self) -> u32 {
        self.day_start_minutes
    }
}

impl ResponseSet {
    pub fn bounds(&self) -> Option<(i64, i64)> {
        if let Some(r) = self.range {
            return Some((r.min, r.max));
        }
        let min = self.options.iter().map(|o| o.value).min()?;
        let max = self.options.iter().map(|o| o.value).max()?;
        Some((min, max))
    }

    /// Whether `value` is one of the accepted answers.
    pub fn accepts(&self, value: i64) -> bool {
        match self.range {
            Some(r) => (r.min..=r.max).contains(&value),
            None => self.options.iter().any(|o| o.value == value),
        }
    }
}

#[derive(Default)]
struct Check {
    errors: Vec<DefinitionError>,
}

impl Check {
    fn push(&mut self, path: impl Into<String>, problem: DefinitionProblem) {
        self.errors.push(DefinitionError {
            path: path.into(),
            problem,
        });
    }

    fn localized(&mut self, path: &str, text: &Localized) {
        for locale in text.missing() {
            self.push(
                join(path, locale.code()),
                DefinitionProblem::MissingLocale { locale },
            );
        }
    }

    fn loinc(&mut self, path: &str, code: &str) {
        if !is_loinc_shaped(code) {
            self.push(
                path,
                DefinitionProblem::BadLoinc {
                    value: code.to_string(),
                },
            );
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() || path == "." {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// LOINC codes are digits, a dash and one check digit (`44261-6`); answer codes start with `LA`.
/// The check digit of a term code is LOINC's mod-10 digit, so a mistyped code is caught here
/// (answer codes use another scheme, so only their shape is checked).
fn is_loinc_shaped(code: &str) -> bool {
    let (answer, body) = match code.strip_prefix("LA") {
        Some(rest) => (true, rest),
        None => (false, code),
    };
    match body.split_once('-') {
        Some((num, check)) => {
            (1..=7).contains(&num.len())
                && num.chars().all(|c| c.is_ascii_digit())
                && check.len() == 1
                && check.chars().all(|c| c.is_ascii_digit())
                && (answer || loinc_check_digit(num) == check.chars().next())
        }
        None => false,
    }
}

/// LOINC's mod-10 check digit: from the right, every other digit (starting with the last) is
/// doubled and its digits summed; the check digit brings the total to a multiple of ten.
fn loinc_check_digit(num: &str) -> Option<char> {
    let mut total = 0u32;
    for (i, c) in num.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        total += if i % 2 == 0 {
            let twice = d * 2;
            twice / 10 + twice % 10
        } else {
            d
        };
    }
    char::from_digit((10 - total % 10) % 10, 10)
}

pub(crate) fn parse_clock(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Checks a definition; returns the score range and the diary day start.
fn validate(def: &InstrumentDef, c: &mut Check) -> (i64, i64, u32) {
    if !is_kebab(&def.id) {
        c.push(
            "id",
            DefinitionProblem::BadId {
                value: def.id.clone(),
            },
        );
    }
    if def.version.trim().is_empty() {
        c.push("version", DefinitionProblem::Empty);
    }
    c.localized("title", &def.title);
    c.localized("short_title", &def.short_title);
    c.localized("recall.label", &def.recall.label);
    c.localized("licence.note", &def.licence.note);

    let wording = def.licence.wording;
    if wording == Wording::Included
        && matches!(
            def.licence.status,
            LicenceStatus::Licensed | LicenceStatus::Unverified
        )
        && !def.licence.held_by_clinic
    {
        let status = match def.licence.status {
            LicenceStatus::Licensed => "licensed",
            _ => "unverified",
        };
        c.push(
            "licence.wording",
            DefinitionProblem::WordingNeedsLicence {
                status: status.into(),
            },
        );
    }

    // LOINC codes
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    if let Some(l) = &def.loinc {
        for (key, code) in [("panel", &l.panel), ("total", &l.total)] {
            if let Some(code) = code {
                c.loinc(&format!("loinc.{key}"), code);
                codes.insert(code);
            }
        }
    }
    for (i, item) in def.items.iter().enumerate() {
        if let Some(code) = &item.loinc {
            c.loinc(&format!("items[{i}].loinc"), code);
            codes.insert(code);
        }
    }

    // Response sets
    let rule = def.scoring.rule;
    for (name, set) in &def.response_sets {
        let base = format!("response_sets.{name}");
        match (set.options.is_empty(), set.range) {
            (false, None) => {
                let mut seen = BTreeSet::new();
                for (j, o) in set.options.iter().enumerate() {
                    if !seen.insert(o.value) {
                        c.push(
                            format!("{base}.options[{j}].value"),
                            DefinitionProblem::Duplicate {
                                id: o.value.to_string(),
                            },
                        );
                    }
                }
            }
            (true, Some(r)) => {
                if r.min >= r.max {
                    c.push(
                        format!("{base}.range"),
                        DefinitionProblem::EmptyRange {
                            min: r.min,
                            max: r.max,
                        },
                    );
                }
                for (j, a) in set.anchors.iter().enumerate() {
                    if !(r.min..=r.max).contains(&a.value) {
                        c.push(
                            format!("{base}.anchors[{j}].value"),
                            DefinitionProblem::ValueOutside {
                                value: a.value,
                                min: r.min,
                                max: r.max,
                            },
                        );
                    }
                }
            }
            _ => c.push(base.clone(), DefinitionProblem::OptionsOrRange),
        }
        for (key, list) in [("options", &set.options), ("anchors", &set.anchors)] {
            for (j, o) in list.iter().enumerate() {
                let p = format!("{base}.{key}[{j}]");
                if let Some(label) = &o.label {
                    if wording == Wording::SuppliedByLicensedClinic {
                        c.push(
                            format!("{p}.label"),
                            DefinitionProblem::OptionLabelNotAllowed,
                        );
                    } else {
                        c.localized(&format!("{p}.label"), label);
                    }
                }
                if let Some(code) = &o.loinc_answer {
                    c.loinc(&format!("{p}.loinc_answer"), code);
                    codes.insert(code);
                }
            }
        }
        if !def
            .items
            .iter()
            .any(|i| i.responses.as_deref() == Some(name.as_str()))
        {
            c.push(
                base,
                DefinitionProblem::UnusedResponseSet { set: name.clone() },
            );
        }
    }
    if let Some(l) = &def.loinc {
        for (j, code) in l.unverified.iter().enumerate() {
            if !codes.contains(code.as_str()) {
                c.push(
                    format!("loinc.unverified[{j}]"),
                    DefinitionProblem::UnverifiedCodeUnknown {
                        value: code.clone(),
                    },
                );
            }
        }
    }

    // Items
    if def.items.is_empty() {
        c.push("items", DefinitionProblem::Empty);
    }
    let mut ids = BTreeSet::new();
    let mut min = 0i64;
    let mut max = 0i64;
    let mut scored_count = 0usize;
    for (i, item) in def.items.iter().enumerate() {
        let p = format!("items[{i}]");
        if item.id.trim().is_empty() {
            c.push(format!("{p}.id"), DefinitionProblem::Empty);
        } else if !ids.insert(item.id.as_str()) {
            c.push(
                format!("{p}.id"),
                DefinitionProblem::Duplicate {
                    id: item.id.clone(),
                },
            );
        }
        c.localized(&format!("{p}.label"), &item.label);
        match (&item.text, wording) {
            (Some(_), Wording::SuppliedByLicensedClinic) => {
                c.push(format!("{p}.text"), DefinitionProblem::TextNotAllowed)
            }
            (Some(t), _) => c.localized(&format!("{p}.text"), t),
            (None, Wording::Included) => {
                c.push(format!("{p}.text"), DefinitionProblem::TextRequired)
            }
            (None, _) => {}
        }
        if item.scored && item.optional {
            c.push(format!("{p}.optional"), DefinitionProblem::ScoredOptional);
        }
        if item.history && !def.safety.iter().any(|t| t.item == item.id) {
            c.push(
                format!("{p}.history"),
                DefinitionProblem::HistoryWithoutTrigger,
            );
        }
        if item.allow_not_applicable && !item.scored {
            c.push(
                format!("{p}.allow_not_applicable"),
                DefinitionProblem::NotScored,
            );
        }
        match (rule, &item.responses) {
            (ScoringRule::SocialRhythm, Some(_)) => c.push(
                format!("{p}.responses"),
                DefinitionProblem::NotUsedByRule { rule: rule.code() },
            ),
            (ScoringRule::SocialRhythm, None) => {
                if item.allow_not_applicable {
                    c.push(
                        format!("{p}.allow_not_applicable"),
                        DefinitionProblem::NotUsedByRule { rule: rule.code() },
                    );
                }
            }
            (_, None) => c.push(
                format!("{p}.responses"),
                DefinitionProblem::RequiredByRule { rule: rule.code() },
            ),
            (_, Some(set)) => match def.response_sets.get(set) {
                None => c.push(
                    format!("{p}.responses"),
                    DefinitionProblem::UnknownResponseSet { set: set.clone() },
                ),
                Some(rs) => {
                    if let (true, Some((lo, hi))) = (item.scored, rs.bounds()) {
                        min += lo;
                        max += hi;
                    }
                }
            },
        }
        if item.scored {
            scored_count += 1;
        }
    }

    // Scoring
    let s = &def.scoring;
    for (j, r) in s.reverse.iter().enumerate() {
        let p = format!("scoring.reverse[{j}]");
        match def.items.iter().find(|i| &i.id == r) {
            None => c.push(p, DefinitionProblem::UnknownItem { item: r.clone() }),
            Some(item) if !item.scored => c.push(p, DefinitionProblem::NotScored),
            Some(_) => {}
        }
    }
    let any_na = def.items.iter().any(|i| i.allow_not_applicable);
    if any_na && s.not_applicable.is_none() {
        c.push("scoring.not_applicable", DefinitionProblem::PolicyMissing);
    }
    let mut day_start = 0;
    match rule {
        ScoringRule::Sum | ScoringRule::Single => {
            if s.rhythm.is_some() {
                c.push(
                    "scoring.rhythm",
                    DefinitionProblem::NotUsedByRule { rule: rule.code() },
                );
            }
            if scored_count == 0 {
                c.push("items", DefinitionProblem::NothingScored);
            }
            if rule == ScoringRule::Single && scored_count != 1 {
                c.push(
                    "items",
                    DefinitionProblem::SingleNeedsOneItem {
                        found: scored_count,
                    },
                );
            }
        }
        ScoringRule::SocialRhythm => {
            if !s.reverse.is_empty() {
                c.push(
                    "scoring.reverse",
                    DefinitionProblem::NotUsedByRule { rule: rule.code() },
                );
            }
            match &s.rhythm {
                None => c.push(
                    "scoring.rhythm",
                    DefinitionProblem::RequiredByRule { rule: rule.code() },
                ),
                Some(r) => {
                    min = 0;
                    max = i64::from(r.days);
                    if !(1..=7).contains(&r.days) {
                        c.push(
                            "scoring.rhythm.days",
                            DefinitionProblem::NumberOutOfBounds { min: 1, max: 7 },
                        );
                    }
                    if !(1..=r.days.max(1)).contains(&r.min_occurrences) {
                        c.push(
                            "scoring.rhythm.min_occurrences",
                            DefinitionProblem::NumberOutOfBounds {
                                min: 1,
                                max: i64::from(r.days),
                            },
                        );
                    }
                    if !(1..=720).contains(&r.window_minutes) {
                        c.push(
                            "scoring.rhythm.window_minutes",
                            DefinitionProblem::NumberOutOfBounds { min: 1, max: 720 },
                        );
                    }
                    match parse_clock(&r.day_starts_at) {
                        Some(m) => day_start = m,
                        None => c.push(
                            "scoring.rhythm.day_starts_at",
                            DefinitionProblem::BadClockTime,
                        ),
                    }
                    for (key, range) in [("mood", r.mood), ("people", r.people)] {
                        if range.min >= range.max {
                            c.push(
                                format!("scoring.rhythm.{key}"),
                                DefinitionProblem::EmptyRange {
                                    min: range.min,
                                    max: range.max,
                                },
                            );
                        }
                    }
                }
            }
        }
    }

    // Bands: contiguous, covering min..=max exactly.
    let mut band_ids = BTreeSet::new();
    let mut expected = min;
    for (i, b) in def.bands.iter().enumerate() {
        let p = format!("bands[{i}]");
        if !is_kebab(&b.id) {
            c.push(
                format!("{p}.id"),
                DefinitionProblem::BadId {
                    value: b.id.clone(),
                },
            );
        } else if !band_ids.insert(b.id.as_str()) {
            c.push(
                format!("{p}.id"),
                DefinitionProblem::Duplicate { id: b.id.clone() },
            );
        }
        c.localized(&format!("{p}.label"), &b.label);
        if b.min != expected {
            c.push(
                format!("{p}.min"),
                DefinitionProblem::BandGapOrOverlap {
                    expected,
                    found: b.min,
                },
            );
        }
        if b.max < b.min {
            c.push(
                format!("{p}.max"),
                DefinitionProblem::BandInverted {
                    min: b.min,
                    max: b.max,
                },
            );
        }
        expected = b.max + 1;
    }
    if let Some(last) = def.bands.last()
        && last.max != max
    {
        c.push(
            format!("bands[{}].max", def.bands.len() - 1),
            DefinitionProblem::BandsEndEarlyOrLate {
                expected: max,
                found: last.max,
            },
        );
    }

    // Safety triggers
    for (i, t) in def.safety.iter().enumerate() {
        let p = format!("safety[{i}]");
        let Some(item) = def.items.iter().find(|it| it.id == t.item) else {
            c.push(
                format!("{p}.item"),
                DefinitionProblem::UnknownItem {
                    item: t.item.clone(),
                },
            );
            continue;
        };
        let bounds = item
            .responses
            .as_ref()
            .and_then(|r| def.response_sets.get(r))
            .and_then(ResponseSet::bounds);
        match bounds {
            None => c.push(
                format!("{p}.item"),
                DefinitionProblem::NotUsedByRule { rule: rule.code() },
            ),
            Some((lo, hi)) => {
                if t.at_least <= lo || t.at_least > hi {
                    c.push(
                        format!("{p}.at_least"),
                        DefinitionProblem::TriggerUseless {
                            at_least: t.at_least,
                            always: t.at_least <= lo,
                        },
                    );
                }
            }
        }
    }

    // Change defaults
    let ch = &def.change;
    for (key, v) in [
        ("response_percent", ch.response_percent),
        ("not_on_track_percent", ch.not_on_track_percent),
    ] {
        if let Some(v) = v
            && v > 100
        {
            c.push(
                format!("change.{key}"),
                DefinitionProblem::NumberOutOfBounds { min: 0, max: 100 },
            );
        }
    }
    if let Some(r) = ch.reliable_change
        && !(1..=(max - min).max(1)).contains(&r)
    {
        c.push(
            "change.reliable_change",
            DefinitionProblem::NumberOutOfBounds {
                min: 1,
                max: max - min,
            },
        );
    }
    if let Some(cut) = ch.remission {
        let v = cut.value();
        if !(min..=max).contains(&v) {
            c.push(
                "change.remission",
                DefinitionProblem::ValueOutside { value: v, min, max },
            );
        }
    }
    (min, max, day_start)
}

/// The shipped definition files, embedded in the binary.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("phq9", include_str!("../../instruments/phq9.toml")),
    ("phqa", include_str!("../../instruments/phqa.toml")),
    ("gad7", include_str!("../../instruments/gad7.toml")),
    ("hamd17", include_str!("../../instruments/hamd17.toml")),
    ("epds", include_str!("../../instruments/epds.toml")),
    ("wsas", include_str!("../../instruments/wsas.toml")),
    ("srm5", include_str!("../../instruments/srm5.toml")),
    ("mood", include_str!("../../instruments/mood.toml")),
];

/// Instruments by id: the built-ins, possibly replaced by a clinic's own copies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentLibrary {
    instruments: BTreeMap<String, Instrument>,
}

impl InstrumentLibrary {
    /// The instruments Kith ships. Their files are checked by the test suite, so a broken
    /// built-in is a programming error and stops the program with the file's problems.
    pub fn builtin() -> &'static InstrumentLibrary {
        static LIBRARY: OnceLock<InstrumentLibrary> = OnceLock::new();
        LIBRARY.get_or_init(|| {
            let mut lib = InstrumentLibrary::default();
            for (name, source) in BUILTIN_SOURCES {
                match Instrument::from_toml(source) {
                    Ok(i) => {
                        lib.insert(i);
                    }
                    Err(errors) => {
                        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                        panic!("built-in instrument {name} is invalid: {}", list.join("; "))
                    }
                }
            }
            lib
        })
    }

    /// Adds an instrument, replacing (and returning) one with the same id.
    pub fn insert(&mut self, instrument: Instrument) -> Option<Instrument> {
        self.instruments
            .insert(instrument.id().to_string(), instrument)
    }

    /// Reads a clinic's own copy of a definition (for example a licensed EPDS with item text) and
    /// puts it in place of the instrument with the same id.
    pub fn load(&mut self, source: &str) -> Result<&Instrument, Vec<DefinitionError>> {
        let instrument = Instrument::from_toml(source)?;
        let id = instrument.id().to_string();
        self.insert(instrument);
        Ok(&self.instruments[&id])
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.get(id)
    }

    /// The instrument with this id and exactly this version.
    pub fn get_version(&self, id: &str, version: &str) -> Option<&Instrument> {
        self.get(id).filter(|i| i.version() == version)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.values()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.instruments.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loinc_shape() {
        assert!(is_loinc_shaped("44261-6"));
        assert!(is_loinc_shaped("LA6568-5"));
        assert!(!is_loinc_shaped("44261"));
        assert!(!is_loinc_shaped("44261-66"));
        assert!(!is_loinc_shaped("4a261-6"));
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock("04:00"), Some(240));
        assert_eq!(parse_clock("23:59"), Some(1439));
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("4:00"), None);
    }

    #[test]
    fn kebab_ids() {
        assert!(is_kebab("phq9"));
        assert!(!is_kebab("PHQ-9"));
        assert!(!is_kebab("phq--9"));
        assert!(!is_kebab(""));
    }
}
