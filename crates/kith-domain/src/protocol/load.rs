//! Reading TOML text into the file types, with exact key paths in errors.

use super::error::{ProtocolErrorReason as R, ProtocolLoadError};
use super::file::ProtocolFile;
use serde::de::DeserializeOwned;

pub(super) fn parse_file(text: &str) -> Result<ProtocolFile, ProtocolLoadError> {
    parse_toml(text)
}

/// Parses TOML text into `T`, turning any failure into a path and a structured reason.
pub(super) fn parse_toml<T: DeserializeOwned>(text: &str) -> Result<T, ProtocolLoadError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ProtocolLoadError::single(
            "",
            R::Syntax {
                line,
                column,
                message: e.message().trim().to_string(),
            },
        )
    })?;
    serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().message().trim().to_string();
        let (path, reason) = classify(path, &message);
        ProtocolLoadError::single(path, reason)
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The text between the first pair of backticks in `s`, and what follows it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some((&s[start..start + len], &s[start + len + 1..]))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() || path == "." {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn classify(path: String, message: &str) -> (String, R) {
    let path = if path == "." { String::new() } else { path };
    if let Some(rest) = message.strip_prefix("unknown field ")
        && let Some((key, _)) = quoted(rest)
    {
        // The path already ends with the unknown key.
        let path = if path.is_empty() {
            key.to_string()
        } else {
            path
        };
        return (
            path,
            R::UnknownKey {
                key: key.to_string(),
            },
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ")
        && let Some((key, _)) = quoted(rest)
    {
        return (
            join(&path, key),
            R::MissingKey {
                key: key.to_string(),
            },
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ")
        && let Some((value, after)) = quoted(rest)
    {
        let expected = after
            .trim_start_matches(',')
            .trim()
            .trim_start_matches("expected")
            .trim()
            .replace('`', "\"");
        // An unknown map key (such as a locale) shows as `?` in the path: name it.
        let path = match path.strip_suffix('?') {
            Some(p) => format!("{p}{value}"),
            None => path,
        };
        return (
            path,
            R::UnknownValue {
                value: value.to_string(),
                expected,
            },
        );
    }
    (
        path,
        R::WrongType {
            detail: message.replace('`', "\""),
        },
    )
}
