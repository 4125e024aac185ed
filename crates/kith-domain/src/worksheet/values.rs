//! Checking a filled-in worksheet against its definition.
//!
//! Submitted values are a JSON object with one key per field id. Each problem found is reported
//! with the path of the field it concerns (`steps[2].what_i_felt`) and a stable code; nothing is
//! stored unless there are none. A `null`, an empty string or an empty list means "not answered".

use super::definition::{FieldDef, FieldType, Worksheet};
use crate::ids::{GoalId, PersonId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};
use unicode_normalization::UnicodeNormalization;

/// How complete the values must be: a draft may leave required fields empty; a worksheet marked
/// complete (or reviewed) may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Completeness {
    Draft,
    Complete,
}

/// An answer to `yes-no-unsure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YesNoUnsure {
    Yes,
    No,
    Unsure,
}

impl YesNoUnsure {
    pub fn code(self) -> &'static str {
        match self {
            YesNoUnsure::Yes => "yes",
            YesNoUnsure::No => "no",
            YesNoUnsure::Unsure => "unsure",
        }
    }
}

/// One checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Short or long text, Unicode-normalised (NFC), line breaks as `\n`.
    Text(String),
    /// Integer and scale fields.
    Integer(i64),
    YesNo(bool),
    YesNoUnsure(YesNoUnsure),
    Date(Date),
    Time(Time),
    Datetime(PrimitiveDateTime),
    Choice(String),
    /// Distinct option ids in the order given.
    Choices(Vec<String>),
    Person(PersonId),
    People(Vec<PersonId>),
    Goal(GoalId),
    Group(Vec<Entry>),
}

/// Answers by field id (the whole worksheet, or one entry of a group). Unanswered fields are
/// absent.
pub type Entry = BTreeMap<String, FieldValue>;

/// A filled-in worksheet whose values passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorksheetValues {
    pub fields: Entry,
}

/// Something a worksheet links to that lives elsewhere and must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum Target {
    Person(PersonId),
    Goal(GoalId),
}

/// A link from a field to a person or goal, with the path of the field, so that storage can
/// refuse a link to a person who is not in this client's inventory and name the field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Reference {
    pub path: String,
    pub target: Target,
}

/// A problem with one submitted value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueError {
    /// Field path: `what_i_wanted`, `steps[2].what_i_felt`, `problems[1]`; `.` for the whole
    /// submission. Unknown keys are reported at the object that holds them.
    pub path: String,
    pub problem: ValueProblem,
}

impl ValueError {
    pub fn new(path: impl Into<String>, problem: ValueProblem) -> ValueError {
        ValueError {
            path: path.into(),
            problem,
        }
    }
}

impl fmt::Display for ValueError {
    /// For logs and tests; people see the translated `code()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem.describe())
    }
}

/// What is wrong with a value. `code()` is the message key the web layer translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum ValueProblem {
    /// A required field (or section) is not answered.
    Required,
    /// A key that the definition does not have.
    UnknownField {
        key: String,
    },
    /// The value has the wrong JSON type (`expected` names the value kind: `text`, `integer`,
    /// `boolean`, `list`, `object`…).
    WrongType {
        expected: &'static str,
    },
    /// A string in the wrong format (`date`, `time`, `datetime`, `person-id`, `goal-id`,
    /// `worksheet-id`).
    BadFormat {
        expected: &'static str,
    },
    TooLong {
        max: u32,
        length: usize,
    },
    ControlCharacters,
    OutOfRange {
        min: i64,
        max: i64,
        value: i64,
    },
    UnknownOption {
        value: String,
    },
    /// The same option, person or link given twice in a list.
    Duplicate {
        value: String,
    },
    TooFewEntries {
        min: u32,
    },
    TooManyEntries {
        max: u32,
    },
    /// A risk check reporting risk needs the actions taken (session notes).
    ActionsRequired,
}

impl ValueProblem {
    pub fn code(&self) -> &'static str {
        use ValueProblem::*;
        match self {
            Required => "field-required",
            UnknownField { .. } => "field-unknown",
            WrongType { .. } => "field-wrong-type",
            BadFormat { .. } => "field-bad-format",
            TooLong { .. } => "field-too-long",
            ControlCharacters => "field-control-characters",
            OutOfRange { .. } => "field-out-of-range",
            UnknownOption { .. } => "field-unknown-option",
            Duplicate { .. } => "field-duplicate",
            TooFewEntries { .. } => "field-too-few-entries",
            TooManyEntries { .. } => "field-too-many-entries",
            ActionsRequired => "field-actions-required",
        }
    }

    fn describe(&self) -> String {
        use ValueProblem::*;
        match self {
            Required => "required".into(),
            UnknownField { key } => format!("unknown field `{key}`"),
            WrongType { expected } => format!("wrong type, expected {expected}"),
            BadFormat { expected } => format!("not a valid {expected}"),
            TooLong { max, length } => format!("too long ({length} characters, max {max})"),
            ControlCharacters => "contains control characters".into(),
            OutOfRange { min, max, value } => format!("{value} is outside {min}..{max}"),
            UnknownOption { value } => format!("unknown option `{value}`"),
            Duplicate { value } => format!("`{value}` given twice"),
            TooFewEntries { min } => format!("needs at least {min} entries"),
            TooManyEntries { max } => format!("at most {max} entries"),
            ActionsRequired => "the actions taken are required".into(),
        }
    }
}

/// Longest unknown key or option echoed back in an error.
const ECHO_MAX: usize = 64;

pub(crate) fn echo(s: &str) -> String {
    s.chars().take(ECHO_MAX).collect()
}

impl Worksheet {
    /// Checks submitted values. Every problem is returned, in field order (unknown keys after the
    /// known fields of the same object).
    pub fn validate(
        &self,
        values: &Value,
        completeness: Completeness,
    ) -> Result<WorksheetValues, Vec<ValueError>> {
        let mut errors = Vec::new();
        let Some(object) = values.as_object() else {
            return Err(vec![ValueError::new(
                ".",
                ValueProblem::WrongType { expected: "object" },
            )]);
        };
        let fields = check_object(".", self.fields(), object, completeness, &mut errors);
        if errors.is_empty() {
            Ok(WorksheetValues { fields })
        } else {
            Err(errors)
        }
    }
}

fn child(base: &str, key: &str) -> String {
    if base == "." {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn check_object(
    base: &str,
    defs: &[FieldDef],
    object: &Map<String, Value>,
    completeness: Completeness,
    errors: &mut Vec<ValueError>,
) -> Entry {
    let mut out = Entry::new();
    for def in defs {
        let path = child(base, &def.id);
        let value = object.get(&def.id).filter(|v| !is_blank(v));
        match value {
            None => {
                if def.required && completeness == Completeness::Complete {
                    errors.push(ValueError::new(path, ValueProblem::Required));
                }
            }
            Some(v) => {
                if let Some(checked) = check_field(&path, def, v, completeness, errors) {
                    out.insert(def.id.clone(), checked);
                }
            }
        }
    }
    for key in object.keys() {
        if !defs.iter().any(|d| &d.id == key) {
            errors.push(ValueError::new(
                base,
                ValueProblem::UnknownField { key: echo(key) },
            ));
        }
    }
    out
}

/// `null`, a blank string or an empty list: not answered. (Text that is only spaces counts as
/// blank; a group sent as an empty list has no entries.)
pub(crate) fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn check_field(
    path: &str,
    def: &FieldDef,
    v: &Value,
    completeness: Completeness,
    errors: &mut Vec<ValueError>,
) -> Option<FieldValue> {
    let mut fail = |problem: ValueProblem| {
        errors.push(ValueError::new(path, problem));
        None
    };
    match def.kind {
        FieldType::ShortText | FieldType::LongText => {
            let Some(s) = v.as_str() else {
                return fail(ValueProblem::WrongType { expected: "text" });
            };
            match clean_text(s, def.kind == FieldType::LongText, def.text_limit()) {
                Ok(t) => Some(FieldValue::Text(t)),
                Err(p) => fail(p),
            }
        }
        FieldType::Integer | FieldType::Scale => {
            let Some(n) = v.as_i64() else {
                return fail(ValueProblem::WrongType {
                    expected: "integer",
                });
            };
            let (min, max) = def.bounds().unwrap_or((i64::MIN, i64::MAX));
            if (min..=max).contains(&n) {
                Some(FieldValue::Integer(n))
            } else {
                fail(ValueProblem::OutOfRange { min, max, value: n })
            }
        }
        FieldType::YesNo => match v.as_bool() {
            Some(b) => Some(FieldValue::YesNo(b)),
            None => fail(ValueProblem::WrongType {
                expected: "boolean",
            }),
        },
        FieldType::YesNoUnsure => match v.as_str() {
            Some("yes") => Some(FieldValue::YesNoUnsure(YesNoUnsure::Yes)),
            Some("no") => Some(FieldValue::YesNoUnsure(YesNoUnsure::No)),
            Some("unsure") => Some(FieldValue::YesNoUnsure(YesNoUnsure::Unsure)),
            Some(other) => fail(ValueProblem::UnknownOption { value: echo(other) }),
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::Date => match v.as_str() {
            Some(s) => match parse_date(s) {
                Some(d) => Some(FieldValue::Date(d)),
                None => fail(ValueProblem::BadFormat { expected: "date" }),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::Time => match v.as_str() {
            Some(s) => match parse_time(s) {
                Some(t) => Some(FieldValue::Time(t)),
                None => fail(ValueProblem::BadFormat { expected: "time" }),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::Datetime => match v.as_str() {
            Some(s) => match parse_datetime(s) {
                Some(t) => Some(FieldValue::Datetime(t)),
                None => fail(ValueProblem::BadFormat {
                    expected: "datetime",
                }),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::Choice => match v.as_str() {
            Some(s) if def.option(s).is_some() => Some(FieldValue::Choice(s.to_string())),
            Some(s) => fail(ValueProblem::UnknownOption { value: echo(s) }),
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::MultiChoice => {
            let Some(list) = v.as_array() else {
                return fail(ValueProblem::WrongType { expected: "list" });
            };
            let before = errors.len();
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match item.as_str() {
                    None => errors.push(ValueError::new(
                        p,
                        ValueProblem::WrongType { expected: "text" },
                    )),
                    Some(s) if def.option(s).is_none() => errors.push(ValueError::new(
                        p,
                        ValueProblem::UnknownOption { value: echo(s) },
                    )),
                    Some(s) if !seen.insert(s) => errors.push(ValueError::new(
                        p,
                        ValueProblem::Duplicate { value: echo(s) },
                    )),
                    Some(s) => out.push(s.to_string()),
                }
            }
            (errors.len() == before).then_some(FieldValue::Choices(out))
        }
        FieldType::Person => match v.as_str() {
            Some(s) => match s.parse::<uuid::Uuid>() {
                Ok(u) => Some(FieldValue::Person(PersonId(u))),
                Err(_) => fail(ValueProblem::BadFormat {
                    expected: "person-id",
                }),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::Goal => match v.as_str() {
            Some(s) => match s.parse::<uuid::Uuid>() {
                Ok(u) => Some(FieldValue::Goal(GoalId(u))),
                Err(_) => fail(ValueProblem::BadFormat {
                    expected: "goal-id",
                }),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        FieldType::People => {
            let Some(list) = v.as_array() else {
                return fail(ValueProblem::WrongType { expected: "list" });
            };
            let before = errors.len();
            let mut out: Vec<PersonId> = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let Some(s) = item.as_str() else {
                    errors.push(ValueError::new(
                        p,
                        ValueProblem::WrongType { expected: "text" },
                    ));
                    continue;
                };
                match s.parse::<uuid::Uuid>() {
                    Err(_) => errors.push(ValueError::new(
                        p,
                        ValueProblem::BadFormat {
                            expected: "person-id",
                        },
                    )),
                    Ok(u) if out.contains(&PersonId(u)) => errors.push(ValueError::new(
                        p,
                        ValueProblem::Duplicate {
                            value: u.to_string(),
                        },
                    )),
                    Ok(u) => out.push(PersonId(u)),
                }
            }
            (errors.len() == before).then_some(FieldValue::People(out))
        }
        FieldType::Group => {
            let Some(list) = v.as_array() else {
                return fail(ValueProblem::WrongType { expected: "list" });
            };
            let (min, max) = def.entry_bounds();
            let before = errors.len();
            if list.len() > max as usize {
                errors.push(ValueError::new(path, ValueProblem::TooManyEntries { max }));
            } else if completeness == Completeness::Complete && list.len() < min as usize {
                errors.push(ValueError::new(path, ValueProblem::TooFewEntries { min }));
            }
            let mut entries = Vec::new();
            // Entries beyond the maximum are refused as a whole and not looked into.
            for (i, item) in list.iter().take(max as usize).enumerate() {
                let p = format!("{path}[{i}]");
                match item.as_object() {
                    Some(object) => {
                        entries.push(check_object(&p, &def.fields, object, completeness, errors))
                    }
                    None => errors.push(ValueError::new(
                        p,
                        ValueProblem::WrongType { expected: "object" },
                    )),
                }
            }
            (errors.len() == before).then_some(FieldValue::Group(entries))
        }
    }
}

/// Normalises text (NFC, `\r\n` → `\n`) and checks it. Short text is one line, trimmed; long text
/// keeps its line breaks and tabs. The limit counts characters after normalisation.
pub(crate) fn clean_text(raw: &str, multiline: bool, max: u32) -> Result<String, ValueProblem> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if raw.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(ValueProblem::ControlCharacters);
    }
    let s: String = raw.nfc().collect();
    let s = if multiline {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.trim().to_string()
    };
    let length = s.chars().count();
    if length > max as usize {
        return Err(ValueProblem::TooLong { max, length });
    }
    Ok(s)
}

pub(crate) fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    Time::parse(s, format_description!("[hour]:[minute]"))
        .or_else(|_| Time::parse(s, format_description!("[hour]:[minute]:[second]")))
        .ok()
}

fn parse_datetime(s: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(
            s,
            format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
    })
    .ok()
}

pub(crate) fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn format_time(t: Time) -> String {
    if t.second() == 0 {
        t.format(format_description!("[hour]:[minute]"))
    } else {
        t.format(format_description!("[hour]:[minute]:[second]"))
    }
    .unwrap_or_default()
}

fn format_datetime(t: PrimitiveDateTime) -> String {
    format!("{}T{}", format_date(t.date()), format_time(t.time()))
}

impl FieldValue {
    /// The value in the JSON shape a submission uses; checking it again gives the same value.
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(s) | FieldValue::Choice(s) => Value::String(s.clone()),
            FieldValue::Integer(n) => Value::from(*n),
            FieldValue::YesNo(b) => Value::Bool(*b),
            FieldValue::YesNoUnsure(a) => Value::String(a.code().into()),
            FieldValue::Date(d) => Value::String(format_date(*d)),
            FieldValue::Time(t) => Value::String(format_time(*t)),
            FieldValue::Datetime(t) => Value::String(format_datetime(*t)),
            FieldValue::Choices(list) => {
                Value::Array(list.iter().cloned().map(Value::String).collect())
            }
            FieldValue::Person(p) => Value::String(p.to_string()),
            FieldValue::People(list) => {
                Value::Array(list.iter().map(|p| Value::String(p.to_string())).collect())
            }
            FieldValue::Goal(g) => Value::String(g.to_string()),
            FieldValue::Group(entries) => Value::Array(entries.iter().map(entry_json).collect()),
        }
    }
}

fn entry_json(entry: &Entry) -> Value {
    Value::Object(
        entry
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect(),
    )
}

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl Serialize for WorksheetValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl WorksheetValues {
    /// The values as a JSON object, the same shape as a submission.
    pub fn to_json(&self) -> Value {
        entry_json(&self.fields)
    }

    pub fn get(&self, field: &str) -> Option<&FieldValue> {
        self.fields.get(field)
    }

    /// Every person and goal the worksheet links to, with the path of the field, in field order.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        collect_references(".", &self.fields, &mut out);
        out
    }

    /// The distinct people the worksheet links to.
    pub fn person_ids(&self) -> BTreeSet<PersonId> {
        self.references()
            .into_iter()
            .filter_map(|r| match r.target {
                Target::Person(p) => Some(p),
                Target::Goal(_) => None,
            })
            .collect()
    }

    /// The distinct goals the worksheet links to.
    pub fn goal_ids(&self) -> BTreeSet<GoalId> {
        self.references()
            .into_iter()
            .filter_map(|r| match r.target {
                Target::Goal(g) => Some(g),
                Target::Person(_) => None,
            })
            .collect()
    }
}

fn collect_references(base: &str, entry: &Entry, out: &mut Vec<Reference>) {
    for (key, value) in entry {
        let path = child(base, key);
        match value {
            FieldValue::Person(p) => out.push(Reference {
                path,
                target: Target::Person(*p),
            }),
            FieldValue::Goal(g) => out.push(Reference {
                path,
                target: Target::Goal(*g),
            }),
            FieldValue::People(list) => {
                for (i, p) in list.iter().enumerate() {
                    out.push(Reference {
                        path: format!("{path}[{i}]"),
                        target: Target::Person(*p),
                    });
                }
            }
            FieldValue::Group(entries) => {
                for (i, e) in entries.iter().enumerate() {
                    collect_references(&format!("{path}[{i}]"), e, out);
                }
            }
            _ => {}
        }
    }
}
