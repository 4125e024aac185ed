//! What worksheet definitions and session-note templates have in common as data files: reading
//! TOML with every unknown key refused, and reporting each problem with the key path it concerns.

use crate::locale::{Locale, Localized};
use serde::de::DeserializeOwned;
use std::fmt;

/// A problem found in a worksheet definition or note template file, with its key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// Key path such as `fields[3].options[1].label.es`; `.` for the document itself.
    pub path: String,
    pub problem: FormatProblem,
}

impl FormatError {
    pub fn new(path: impl Into<String>, problem: FormatProblem) -> FormatError {
        FormatError {
            path: path.into(),
            problem,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for FormatError {}

/// Why a definition or template file was refused. The messages are for the administrators who
/// write these files, so they are plain English; `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatProblem {
    #[error("unknown key `{key}`")]
    UnknownKey { key: String },
    #[error("required key `{key}` is missing")]
    MissingKey { key: String },
    #[error("`{value}` is not one of the accepted values")]
    UnknownValue { value: String },
    #[error("cannot read the file: {message}")]
    Syntax { message: String },
    #[error("text for locale `{}` is missing", locale.code())]
    MissingLocale { locale: Locale },
    #[error("must be {} (like `{}`), got `{value}`", style.describe(), style.example())]
    BadId { value: String, style: IdStyle },
    #[error("must not be empty")]
    Empty,
    #[error("`{id}` is used twice")]
    Duplicate { id: String },
    #[error("this key is not used by `{kind}`")]
    KeyNotUsed { kind: String },
    #[error("this key is required by `{kind}`")]
    KeyRequired { kind: String },
    #[error("must be between {min} and {max}")]
    NumberOutOfBounds { min: i64, max: i64 },
    #[error("minimum {min} must be below maximum {max}")]
    EmptyRange { min: i64, max: i64 },
    #[error("a group may not contain another group")]
    NestedGroup,
    #[error("refers to template `{id}`, which does not exist")]
    UnknownTemplate { id: String },
    #[error("templates extend each other in a circle: {}", chain.join(" → "))]
    ExtendsCycle { chain: Vec<String> },
    #[error(
        "extends a template of phase `{phase}`; a template may only extend one of its own phase"
    )]
    ExtendsOtherPhase { phase: String },
    #[error("`after` is only used in a template that extends another")]
    AfterWithoutExtends,
    #[error("refers to section `{id}`, which does not exist")]
    UnknownSection { id: String },
    #[error("template `{other}` is already chosen for this phase and problem area")]
    SameSelection { other: String },
    #[error("there is no general template (without `area`) for phase `{phase}`")]
    MissingGeneralTemplate { phase: String },
}

impl FormatProblem {
    pub fn code(&self) -> &'static str {
        use FormatProblem::*;
        match self {
            UnknownKey { .. } => "unknown-key",
            MissingKey { .. } => "missing-key",
            UnknownValue { .. } => "unknown-value",
            Syntax { .. } => "syntax",
            MissingLocale { .. } => "missing-locale",
            BadId { .. } => "bad-id",
            Empty => "empty",
            Duplicate { .. } => "duplicate",
            KeyNotUsed { .. } => "key-not-used",
            KeyRequired { .. } => "key-required",
            NumberOutOfBounds { .. } => "number-out-of-bounds",
            EmptyRange { .. } => "empty-range",
            NestedGroup => "nested-group",
            UnknownTemplate { .. } => "unknown-template",
            ExtendsCycle { .. } => "extends-cycle",
            ExtendsOtherPhase { .. } => "extends-other-phase",
            AfterWithoutExtends => "after-without-extends",
            UnknownSection { .. } => "unknown-section",
            SameSelection { .. } => "same-selection",
            MissingGeneralTemplate { .. } => "missing-general-template",
        }
    }
}

/// How an identifier must be spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStyle {
    /// Worksheet, template, section, option and task ids: `communication-analysis`.
    Kebab,
    /// Field ids, which become keys of submitted values: `what_i_felt`.
    Snake,
}

impl IdStyle {
    fn describe(self) -> &'static str {
        match self {
            IdStyle::Kebab => "lower-case letters and digits joined by dashes",
            IdStyle::Snake => "lower-case letters and digits joined by underscores",
        }
    }

    fn example(self) -> &'static str {
        match self {
            IdStyle::Kebab => "role-play",
            IdStyle::Snake => "what_i_felt",
        }
    }

    pub fn accepts(self, id: &str) -> bool {
        let sep = match self {
            IdStyle::Kebab => '-',
            IdStyle::Snake => '_',
        };
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        first_ok
            && !id.ends_with(sep)
            && !id.contains(&format!("{sep}{sep}"))
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep)
    }
}

/// Reads a TOML document into `T`, refusing unknown keys. The first problem stops reading; it is
/// returned with its key path.
pub(crate) fn read_toml<T: DeserializeOwned>(source: &str) -> Result<T, Vec<FormatError>> {
    let deserializer = toml::Deserializer::parse(source).map_err(|e| {
        vec![FormatError::new(
            ".",
            FormatProblem::Syntax {
                message: e.message().to_string(),
            },
        )]
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let message = e.inner().message().to_string();
        let path = e.path().to_string();
        vec![error_from_message(path, &message)]
    })
}

/// Turns serde's message into a problem, moving the offending key into the path where serde
/// leaves it out.
fn error_from_message(mut path: String, message: &str) -> FormatError {
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    let problem = if let Some(key) = quoted("unknown field `") {
        if !path_ends_with_key(&path, &key) {
            path = join(&path, &key);
        }
        FormatProblem::UnknownKey { key }
    } else if let Some(key) = quoted("missing field `") {
        if !path_ends_with_key(&path, &key) {
            path = join(&path, &key);
        }
        FormatProblem::MissingKey { key }
    } else if let Some(value) = quoted("unknown variant `") {
        FormatProblem::UnknownValue { value }
    } else {
        FormatProblem::Syntax {
            message: message.to_string(),
        }
    };
    FormatError::new(path, problem)
}

fn path_ends_with_key(path: &str, key: &str) -> bool {
    path == key || path.ends_with(&format!(".{key}"))
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() || path == "." {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Collects problems while a definition is checked.
#[derive(Default)]
pub(crate) struct Check {
    pub errors: Vec<FormatError>,
}

impl Check {
    pub fn push(&mut self, path: impl Into<String>, problem: FormatProblem) {
        self.errors.push(FormatError::new(path, problem));
    }

    pub fn localized(&mut self, path: &str, text: &Localized) {
        for locale in text.missing() {
            self.push(
                join(path, locale.code()),
                FormatProblem::MissingLocale { locale },
            );
        }
    }

    pub fn id(&mut self, path: &str, id: &str, style: IdStyle) -> bool {
        if style.accepts(id) {
            true
        } else {
            self.push(
                path,
                FormatProblem::BadId {
                    value: id.to_string(),
                    style,
                },
            );
            false
        }
    }

    /// Reports a key that the `kind` does not use.
    pub fn unused(&mut self, path: &str, key: &str, present: bool, kind: &str) {
        if present {
            self.push(
                join(path, key),
                FormatProblem::KeyNotUsed {
                    kind: kind.to_string(),
                },
            );
        }
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Vec<FormatError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_styles() {
        assert!(IdStyle::Kebab.accepts("role-play"));
        assert!(IdStyle::Kebab.accepts("phq9"));
        assert!(!IdStyle::Kebab.accepts("role_play"));
        assert!(!IdStyle::Kebab.accepts("-x"));
        assert!(!IdStyle::Kebab.accepts("9x"));
        assert!(!IdStyle::Kebab.accepts("a--b"));
        assert!(IdStyle::Snake.accepts("what_i_felt"));
        assert!(!IdStyle::Snake.accepts("what-i-felt"));
        assert!(!IdStyle::Snake.accepts("What"));
        assert!(!IdStyle::Snake.accepts(""));
    }

    #[test]
    fn missing_and_unknown_keys_get_their_key_in_the_path() {
        let e = error_from_message("fields[0]".into(), "missing field `label`");
        assert_eq!(e.path, "fields[0].label");
        assert_eq!(e.problem.code(), "missing-key");
        let e = error_from_message(".".into(), "unknown field `colour`, expected one of `id`");
        assert_eq!(e.path, "colour");
        let e = error_from_message(
            "fields[1].type".into(),
            "unknown variant `colour`, expected one of `short-text`",
        );
        assert_eq!(e.path, "fields[1].type");
        assert_eq!(
            e.problem,
            FormatProblem::UnknownValue {
                value: "colour".into()
            }
        );
    }
}
