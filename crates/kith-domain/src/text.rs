//! Checks for short text people type: names, emails, titles. Invisible direction and zero-width
//! characters are removed from names (they can disguise one name as another); control characters
//! are refused.

use unicode_normalization::UnicodeNormalization;

/// Why a piece of text was refused. `code()` is the message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    Required,
    TooLong { max: usize },
    ControlCharacters,
    NotAnEmail,
}

impl TextProblem {
    pub fn code(&self) -> &'static str {
        match self {
            TextProblem::Required => "field-required",
            TextProblem::TooLong { .. } => "field-too-long",
            TextProblem::ControlCharacters => "field-control-characters",
            TextProblem::NotAnEmail => "field-not-an-email",
        }
    }
}

fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A one-line name: NFC-normalised, trimmed, invisible formatting removed, no control characters,
/// at most `max` characters.
pub fn name(raw: &str, max: usize) -> Result<String, TextProblem> {
    if raw.chars().any(|c| c.is_control()) {
        return Err(TextProblem::ControlCharacters);
    }
    let cleaned: String = raw.nfc().filter(|c| !invisible(*c)).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        return Err(TextProblem::Required);
    }
    if cleaned.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(cleaned)
}

/// Free text of several lines (a crisis-resources text, a note): NUL and other control characters
/// except line breaks and tabs are refused; length limited.
pub fn multiline(raw: &str, max: usize) -> Result<String, TextProblem> {
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextProblem::ControlCharacters);
    }
    let s: String = raw.nfc().collect();
    let s = s.replace("\r\n", "\n");
    if s.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(s)
}

/// An email address as a sign-in name: NFKC, lower case, trimmed; one `@` with text on both sides,
/// a dot in the domain, no spaces; at most 254 characters.
pub fn email(raw: &str) -> Result<String, TextProblem> {
    let e: String = raw.nfkc().collect::<String>().trim().to_lowercase();
    if e.is_empty() {
        return Err(TextProblem::Required);
    }
    if e.chars().count() > 254 {
        return Err(TextProblem::TooLong { max: 254 });
    }
    if e.chars()
        .any(|c| c.is_control() || c.is_whitespace() || invisible(c))
    {
        return Err(TextProblem::NotAnEmail);
    }
    let mut parts = e.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TextProblem::NotAnEmail);
    };
    if local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(TextProblem::NotAnEmail);
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_invisible_characters() {
        assert_eq!(name("  Ana\u{202E}lisa ", 20).unwrap(), "Analisa");
        assert_eq!(name("\u{200B}", 20), Err(TextProblem::Required));
        assert_eq!(name("a\u{0}b", 20), Err(TextProblem::ControlCharacters));
        assert_eq!(name("abcdef", 5), Err(TextProblem::TooLong { max: 5 }));
        // NFC: a decomposed accent becomes one character.
        assert_eq!(name("Jose\u{301}", 4).unwrap(), "José");
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            email(" Ana.Lopez@Example.ORG ").unwrap(),
            "ana.lopez@example.org"
        );
        assert_eq!(email("ＡＮＡ@example.org").unwrap(), "ana@example.org");
        for bad in [
            "ana",
            "ana@",
            "@x.org",
            "a b@x.org",
            "a@@x.org",
            "a@x",
            "a@.org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn multiline_keeps_line_breaks() {
        assert_eq!(
            multiline("Call 112\r\nor 024", 100).unwrap(),
            "Call 112\nor 024"
        );
        assert!(multiline("x\u{7}", 100).is_err());
    }
}
