//! The worksheet definition format, its checks, and the library of shipped worksheets.
//!
//! A definition is a TOML document (see `docs/worksheet-format.md`). Reading it refuses unknown
//! keys; the definition is then checked as a whole and every problem comes back with its key
//! path, for instance `fields[4].fields[1].options` or `fields[0].label.es`.

use super::FocusArea;
use super::format::{Check, FormatError, FormatProblem, IdStyle, join, read_toml};
use crate::locale::Localized;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Longest answer to a short-text field when the definition sets no `max_length`.
pub const SHORT_TEXT_DEFAULT_MAX: u32 = 200;
/// Longest answer to a long-text field when the definition sets no `max_length`.
pub const LONG_TEXT_DEFAULT_MAX: u32 = 4000;
/// Most entries in a repeating group when the definition sets no `max_entries`.
pub const GROUP_DEFAULT_MAX_ENTRIES: u32 = 50;

const SHORT_TEXT_LIMIT: u32 = 1000;
const LONG_TEXT_LIMIT: u32 = 20_000;
const GROUP_ENTRIES_LIMIT: u32 = 500;

/// One worksheet kind as written in its definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorksheetDef {
    /// Stable identifier, kebab-case: `communication-analysis`.
    pub id: String,
    /// Version of this definition; every filled worksheet records the version it was filled in.
    pub version: String,
    pub title: Localized,
    pub description: Localized,
    /// The problem areas and techniques the worksheet serves (empty lists: any).
    #[serde(default)]
    pub serves: Serves,
    pub filled_by: FilledBy,
    /// Whether the worksheet may be set as a between-session task (with a due date).
    #[serde(default)]
    pub between_session: bool,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Serves {
    #[serde(default)]
    pub areas: Vec<FocusArea>,
    /// Technique ids, kebab-case: `communication-analysis`, `role-play`, `encouragement-of-affect`.
    #[serde(default)]
    pub techniques: Vec<String>,
}

/// Who fills in a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FilledBy {
    Client,
    Clinician,
    Both,
}

impl FilledBy {
    pub fn code(self) -> &'static str {
        match self {
            FilledBy::Client => "client",
            FilledBy::Clinician => "clinician",
            FilledBy::Both => "both",
        }
    }
}

/// One field. Which of the optional keys apply depends on `type`; a key the type does not use is
/// refused, so a typo such as `max` on a text field does not pass silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Stable identifier, snake_case: it is the key of the answer in submitted values.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// Must be answered before the worksheet can be marked complete (a draft may leave it).
    #[serde(default)]
    pub required: bool,
    /// Text fields: most characters accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Integer fields: lowest and highest value accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Integer and scale fields: what the two ends mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Anchors>,
    /// Choice and multi-choice fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Group fields: the fields of each entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_entries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_entries: Option<u32>,
}

/// The kinds of field a worksheet can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    /// One line of text.
    ShortText,
    /// Several lines of text.
    LongText,
    /// A whole number between `min` and `max`.
    Integer,
    /// A whole number from 0 to 10.
    Scale,
    /// `true` or `false`.
    YesNo,
    /// `"yes"`, `"no"` or `"unsure"`.
    YesNoUnsure,
    /// `"2026-03-14"`.
    Date,
    /// A clock time, `"07:30"`.
    Time,
    /// A local date and time, `"2026-03-14T18:30"`.
    Datetime,
    /// One option id.
    Choice,
    /// A list of distinct option ids.
    MultiChoice,
    /// A person in the client's interpersonal inventory (their id).
    Person,
    /// Several people from the inventory (distinct ids).
    People,
    /// One of the course's treatment goals (its id).
    Goal,
    /// A repeating group: a list of entries, each with the group's own fields.
    Group,
}

impl FieldType {
    pub fn code(self) -> &'static str {
        match self {
            FieldType::ShortText => "short-text",
            FieldType::LongText => "long-text",
            FieldType::Integer => "integer",
            FieldType::Scale => "scale",
            FieldType::YesNo => "yes-no",
            FieldType::YesNoUnsure => "yes-no-unsure",
            FieldType::Date => "date",
            FieldType::Time => "time",
            FieldType::Datetime => "datetime",
            FieldType::Choice => "choice",
            FieldType::MultiChoice => "multi-choice",
            FieldType::Person => "person",
            FieldType::People => "people",
            FieldType::Goal => "goal",
            FieldType::Group => "group",
        }
    }
}

/// The meaning of the two ends of a scale, for example "very low" and "very good".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchors {
    pub low: Localized,
    pub high: Localized,
}

/// One option of a choice, multi-choice or technique list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable identifier, kebab-case; it is what submitted values contain.
    pub id: String,
    pub label: Localized,
}

impl FieldDef {
    /// Most characters a text field accepts.
    pub fn text_limit(&self) -> u32 {
        match (self.kind, self.max_length) {
            (_, Some(m)) => m,
            (FieldType::LongText, None) => LONG_TEXT_DEFAULT_MAX,
            _ => SHORT_TEXT_DEFAULT_MAX,
        }
    }

    /// Lowest and highest value of an integer or scale field.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        match self.kind {
            FieldType::Scale => Some((0, 10)),
            FieldType::Integer => Some((self.min?, self.max?)),
            _ => None,
        }
    }

    /// Fewest and most entries of a group (a required group needs at least one).
    pub fn entry_bounds(&self) -> (u32, u32) {
        let min = self.min_entries.unwrap_or(0);
        let min = if self.required { min.max(1) } else { min };
        (min, self.max_entries.unwrap_or(GROUP_DEFAULT_MAX_ENTRIES))
    }

    pub fn option(&self, id: &str) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| o.id == id)
    }

    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }
}

/// A definition that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Worksheet {
    def: WorksheetDef,
}

impl Worksheet {
    /// Reads and checks a definition file. All problems found are returned, each with its path.
    pub fn from_toml(source: &str) -> Result<Worksheet, Vec<FormatError>> {
        let def: WorksheetDef = read_toml(source)?;
        Worksheet::from_def(def)
    }

    /// Checks a definition built in code.
    pub fn from_def(def: WorksheetDef) -> Result<Worksheet, Vec<FormatError>> {
        let mut c = Check::default();
        check_definition(&def, &mut c);
        c.into_result(Worksheet { def })
    }

    pub fn def(&self) -> &WorksheetDef {
        &self.def
    }

    pub fn id(&self) -> &str {
        &self.def.id
    }

    pub fn version(&self) -> &str {
        &self.def.version
    }

    pub fn filled_by(&self) -> FilledBy {
        self.def.filled_by
    }

    pub fn fields(&self) -> &[FieldDef] {
        &self.def.fields
    }

    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.def.fields.iter().find(|f| f.id == id)
    }

    /// Whether the worksheet suits a problem area (a worksheet naming no areas suits every area).
    pub fn serves_area(&self, area: FocusArea) -> bool {
        self.def.serves.areas.is_empty() || self.def.serves.areas.contains(&area)
    }

    /// Whether a path reported by value validation names something in this definition:
    /// `.` (the whole worksheet), a field (`when`), an entry of a group or list (`steps[2]`,
    /// `problems[0]`) or a field of an entry (`steps[2].what_i_felt`).
    pub fn has_path(&self, path: &str) -> bool {
        if path == "." {
            return true;
        }
        let mut fields: &[FieldDef] = &self.def.fields;
        let mut segments = path.split('.').peekable();
        while let Some(segment) = segments.next() {
            let (name, index) = match segment.split_once('[') {
                Some((name, rest)) => {
                    let Some(digits) = rest.strip_suffix(']') else {
                        return false;
                    };
                    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                        return false;
                    }
                    (name, true)
                }
                None => (segment, false),
            };
            let Some(field) = fields.iter().find(|f| f.id == name) else {
                return false;
            };
            let listed = matches!(
                field.kind,
                FieldType::Group | FieldType::MultiChoice | FieldType::People
            );
            if index && !listed {
                return false;
            }
            if segments.peek().is_some() {
                if field.kind != FieldType::Group || !index {
                    return false;
                }
                fields = &field.fields;
            }
        }
        true
    }
}

fn check_definition(def: &WorksheetDef, c: &mut Check) {
    c.id("id", &def.id, IdStyle::Kebab);
    if def.version.trim().is_empty() {
        c.push("version", FormatProblem::Empty);
    }
    c.localized("title", &def.title);
    c.localized("description", &def.description);
    let mut areas = BTreeSet::new();
    for (i, area) in def.serves.areas.iter().enumerate() {
        if !areas.insert(*area) {
            c.push(
                format!("serves.areas[{i}]"),
                FormatProblem::Duplicate {
                    id: area.code().to_string(),
                },
            );
        }
    }
    let mut techniques = BTreeSet::new();
    for (i, t) in def.serves.techniques.iter().enumerate() {
        let p = format!("serves.techniques[{i}]");
        if c.id(&p, t, IdStyle::Kebab) && !techniques.insert(t.as_str()) {
            c.push(p, FormatProblem::Duplicate { id: t.clone() });
        }
    }
    if def.fields.is_empty() {
        c.push("fields", FormatProblem::Empty);
    }
    check_fields("fields", &def.fields, false, c);
}

fn check_fields(base: &str, fields: &[FieldDef], in_group: bool, c: &mut Check) {
    let mut ids = BTreeSet::new();
    for (i, f) in fields.iter().enumerate() {
        let p = format!("{base}[{i}]");
        if c.id(&join(&p, "id"), &f.id, IdStyle::Snake) && !ids.insert(f.id.as_str()) {
            c.push(
                join(&p, "id"),
                FormatProblem::Duplicate { id: f.id.clone() },
            );
        }
        c.localized(&join(&p, "label"), &f.label);
        if let Some(help) = &f.help {
            c.localized(&join(&p, "help"), help);
        }
        check_field_keys(&p, f, in_group, c);
    }
}

fn check_field_keys(p: &str, f: &FieldDef, in_group: bool, c: &mut Check) {
    use FieldType::*;
    let kind = f.kind.code();
    let is_text = matches!(f.kind, ShortText | LongText);
    let is_choice = matches!(f.kind, Choice | MultiChoice);
    c.unused(p, "max_length", f.max_length.is_some() && !is_text, kind);
    c.unused(p, "min", f.min.is_some() && f.kind != Integer, kind);
    c.unused(p, "max", f.max.is_some() && f.kind != Integer, kind);
    c.unused(
        p,
        "anchors",
        f.anchors.is_some() && !matches!(f.kind, Integer | Scale),
        kind,
    );
    c.unused(p, "options", !f.options.is_empty() && !is_choice, kind);
    c.unused(p, "fields", !f.fields.is_empty() && f.kind != Group, kind);
    c.unused(
        p,
        "min_entries",
        f.min_entries.is_some() && f.kind != Group,
        kind,
    );
    c.unused(
        p,
        "max_entries",
        f.max_entries.is_some() && f.kind != Group,
        kind,
    );

    if let Some(anchors) = &f.anchors {
        c.localized(&join(p, "anchors.low"), &anchors.low);
        c.localized(&join(p, "anchors.high"), &anchors.high);
    }
    match f.kind {
        ShortText | LongText => {
            let limit = if f.kind == ShortText {
                SHORT_TEXT_LIMIT
            } else {
                LONG_TEXT_LIMIT
            };
            if let Some(m) = f.max_length
                && !(1..=limit).contains(&m)
            {
                c.push(
                    join(p, "max_length"),
                    FormatProblem::NumberOutOfBounds {
                        min: 1,
                        max: i64::from(limit),
                    },
                );
            }
        }
        Integer => match (f.min, f.max) {
            (Some(min), Some(max)) if min >= max => {
                c.push(join(p, "max"), FormatProblem::EmptyRange { min, max })
            }
            (Some(_), Some(_)) => {}
            (min, max) => {
                for (key, v) in [("min", min), ("max", max)] {
                    if v.is_none() {
                        c.push(
                            join(p, key),
                            FormatProblem::KeyRequired {
                                kind: kind.to_string(),
                            },
                        );
                    }
                }
            }
        },
        Choice | MultiChoice => check_options(p, &f.options, kind, c),
        Group => {
            if in_group {
                c.push(join(p, "type"), FormatProblem::NestedGroup);
            }
            if f.fields.is_empty() {
                c.push(
                    join(p, "fields"),
                    FormatProblem::KeyRequired {
                        kind: kind.to_string(),
                    },
                );
            }
            let max = f.max_entries.unwrap_or(GROUP_DEFAULT_MAX_ENTRIES);
            if let Some(m) = f.max_entries
                && !(1..=GROUP_ENTRIES_LIMIT).contains(&m)
            {
                c.push(
                    join(p, "max_entries"),
                    FormatProblem::NumberOutOfBounds {
                        min: 1,
                        max: i64::from(GROUP_ENTRIES_LIMIT),
                    },
                );
            }
            if let Some(min) = f.min_entries
                && min > max
            {
                c.push(
                    join(p, "min_entries"),
                    FormatProblem::NumberOutOfBounds {
                        min: 0,
                        max: i64::from(max),
                    },
                );
            }
            check_fields(&join(p, "fields"), &f.fields, true, c);
        }
        Scale | YesNo | YesNoUnsure | Date | Time | Datetime | Person | People | Goal => {}
    }
}

/// Checks a list of options (choice fields here, technique lists in note templates).
pub(crate) fn check_options(p: &str, options: &[ChoiceOption], kind: &str, c: &mut Check) {
    if options.is_empty() {
        c.push(
            join(p, "options"),
            FormatProblem::KeyRequired {
                kind: kind.to_string(),
            },
        );
    }
    let mut ids = BTreeSet::new();
    for (j, o) in options.iter().enumerate() {
        let op = format!("{}[{j}]", join(p, "options"));
        if c.id(&join(&op, "id"), &o.id, IdStyle::Kebab) && !ids.insert(o.id.as_str()) {
            c.push(
                join(&op, "id"),
                FormatProblem::Duplicate { id: o.id.clone() },
            );
        }
        c.localized(&join(&op, "label"), &o.label);
    }
}

/// The shipped worksheet definitions, embedded in the binary.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    (
        "communication-analysis",
        include_str!("../../worksheets/communication-analysis.toml"),
    ),
    (
        "decision-analysis",
        include_str!("../../worksheets/decision-analysis.toml"),
    ),
    ("role-play", include_str!("../../worksheets/role-play.toml")),
    (
        "emotion-log",
        include_str!("../../worksheets/emotion-log.toml"),
    ),
    (
        "grief-review",
        include_str!("../../worksheets/grief-review.toml"),
    ),
    (
        "transition-balance-sheet",
        include_str!("../../worksheets/transition-balance-sheet.toml"),
    ),
    (
        "dispute-map",
        include_str!("../../worksheets/dispute-map.toml"),
    ),
    (
        "social-support-plan",
        include_str!("../../worksheets/social-support-plan.toml"),
    ),
    (
        "social-contact-log",
        include_str!("../../worksheets/social-contact-log.toml"),
    ),
    (
        "social-rhythm-diary",
        include_str!("../../worksheets/social-rhythm-diary.toml"),
    ),
    (
        "relapse-prevention-plan",
        include_str!("../../worksheets/relapse-prevention-plan.toml"),
    ),
];

/// Worksheet kinds by id: the shipped ones, plus or replaced by a clinic's own definitions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorksheetLibrary {
    worksheets: BTreeMap<String, Worksheet>,
}

impl WorksheetLibrary {
    /// The worksheets Kith ships. Their files are checked by the test suite, so a broken one is a
    /// programming error and stops the program with the file's problems.
    pub fn builtin() -> &'static WorksheetLibrary {
        static LIBRARY: OnceLock<WorksheetLibrary> = OnceLock::new();
        LIBRARY.get_or_init(|| {
            let mut lib = WorksheetLibrary::default();
            for (name, source) in BUILTIN_SOURCES {
                match Worksheet::from_toml(source) {
                    Ok(w) => {
                        lib.insert(w);
                    }
                    Err(errors) => {
                        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                        panic!("built-in worksheet {name} is invalid: {}", list.join("; "))
                    }
                }
            }
            lib
        })
    }

    /// Adds a worksheet, replacing (and returning) one with the same id.
    pub fn insert(&mut self, worksheet: Worksheet) -> Option<Worksheet> {
        self.worksheets
            .insert(worksheet.id().to_string(), worksheet)
    }

    /// Reads a clinic's own definition file and adds it (replacing a worksheet with the same id).
    /// A bad file changes nothing and comes back with every problem and its key path.
    pub fn load(&mut self, source: &str) -> Result<&Worksheet, Vec<FormatError>> {
        let worksheet = Worksheet::from_toml(source)?;
        let id = worksheet.id().to_string();
        self.insert(worksheet);
        Ok(&self.worksheets[&id])
    }

    pub fn get(&self, id: &str) -> Option<&Worksheet> {
        self.worksheets.get(id)
    }

    /// The worksheet with this id and exactly this version.
    pub fn get_version(&self, id: &str, version: &str) -> Option<&Worksheet> {
        self.get(id).filter(|w| w.version() == version)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Worksheet> {
        self.worksheets.values()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.worksheets.keys().map(String::as_str)
    }

    /// Worksheets that suit a problem area, in id order.
    pub fn for_area(&self, area: FocusArea) -> impl Iterator<Item = &Worksheet> {
        self.iter().filter(move |w| w.serves_area(area))
    }
}
