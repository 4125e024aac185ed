//! Password rules (NIST SP 800-63B-4): length only, no composition rules, no expiry; refused when
//! common or built from the user's or clinic's own names. Passwords are NFKC-normalised before they
//! are checked or hashed, so the same password typed on two keyboards is the same password.

use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Minimum length for an account that can sign in with a password alone.
pub const MIN_PASSWORD_ONLY: usize = 15;
/// Minimum length when a second factor is enforced for the account.
pub const MIN_WITH_SECOND_FACTOR: usize = 8;
/// Longest password accepted (characters, after normalisation).
pub const MAX_LEN: usize = 256;

const BLOCKLIST_TEXT: &str = include_str!("../data/password-blocklist.txt");

fn blocklist() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<&str> = BLOCKLIST_TEXT.lines().filter(|l| !l.is_empty()).collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// How many common passwords Kith refuses.
pub fn blocklist_len() -> usize {
    blocklist().len()
}

/// Why a new password was refused. Each variant maps to one message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    Common,
    ContainsContext { word: String },
}

impl PasswordProblem {
    /// Stable code, used as the message key.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort { .. } => "password-too-short",
            PasswordProblem::TooLong { .. } => "password-too-long",
            PasswordProblem::Common => "password-common",
            PasswordProblem::ContainsContext { .. } => "password-contains-name",
        }
    }
}

/// NFKC normalisation applied before checking and hashing.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password. `context` holds words the password must not contain (the user's name and
/// email, the clinic's name); words shorter than four characters are ignored. Returns the normalised
/// password to hash.
pub fn check_new(
    password: &str,
    second_factor_enforced: bool,
    context: &[&str],
) -> Result<String, PasswordProblem> {
    let normalized = normalize(password);
    let len = normalized.chars().count();
    let min = if second_factor_enforced {
        MIN_WITH_SECOND_FACTOR
    } else {
        MIN_PASSWORD_ONLY
    };
    if len < min {
        return Err(PasswordProblem::TooShort { min });
    }
    if len > MAX_LEN {
        return Err(PasswordProblem::TooLong { max: MAX_LEN });
    }
    let lowered = normalized.to_lowercase();
    if blocklist().binary_search(&lowered.as_str()).is_ok() {
        return Err(PasswordProblem::Common);
    }
    for raw in context {
        for word in context_words(raw) {
            if lowered.contains(&word) {
                return Err(PasswordProblem::ContainsContext { word });
            }
        }
    }
    Ok(normalized)
}

/// Splits a name or email into the words a password must not contain.
fn context_words(raw: &str) -> Vec<String> {
    let lowered = normalize(raw).to_lowercase();
    let mut out: Vec<String> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_string)
        .collect();
    // "Ana Lopez" → also "analopez".
    let joined: String = lowered.chars().filter(|c| c.is_alphanumeric()).collect();
    if joined.chars().count() >= 4 && !out.contains(&joined) && !lowered.contains('@') {
        out.push(joined);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeat(c: char, n: usize) -> String {
        std::iter::repeat_n(c, n).collect()
    }

    #[test]
    fn boundaries_for_password_only_accounts() {
        assert_eq!(
            check_new(&repeat('q', 14), false, &[]),
            Err(PasswordProblem::TooShort { min: 15 })
        );
        assert!(check_new("river otter tea 9", false, &[]).is_ok());
        assert!(check_new(&"lantern-".repeat(32), false, &[]).is_ok()); // 256
        assert_eq!(
            check_new(&format!("{}x", "lantern-".repeat(32)), false, &[]),
            Err(PasswordProblem::TooLong { max: 256 })
        );
    }

    #[test]
    fn boundaries_with_a_second_factor() {
        assert_eq!(
            check_new("kq7#vzp", true, &[]),
            Err(PasswordProblem::TooShort { min: 8 })
        );
        assert!(check_new("kq7#vzpw", true, &[]).is_ok());
        assert!(check_new(&"a9".repeat(32), true, &[]).is_ok());
    }

    #[test]
    fn counts_characters_not_bytes_and_normalises() {
        // Eight emoji are eight characters.
        assert!(check_new("🌿🍵🌧️🦦🌿🍵🦦🌧", true, &[]).is_ok());
        // Full-width letters normalise to ASCII under NFKC.
        assert_eq!(normalize("ｐａｓｓ"), "pass");
        // A combining accent and its precomposed form are the same password.
        assert_eq!(
            normalize("cafe\u{301} con leche"),
            normalize("café con leche")
        );
    }

    #[test]
    fn common_passwords_and_names_are_refused() {
        assert!(
            blocklist_len() >= 100_000,
            "blocklist holds {}",
            blocklist_len()
        );
        assert_eq!(
            check_new("password1", true, &[]),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("PASSWORD1", true, &[]),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("iloveyou", true, &[]),
            Err(PasswordProblem::Common)
        );
        assert!(matches!(
            check_new("Riverside Clinic 2026!", true, &["Riverside Clinic"]),
            Err(PasswordProblem::ContainsContext { .. })
        ));
        assert!(matches!(
            check_new(
                "my name is marisol ok",
                false,
                &["marisol.vega@example.org"]
            ),
            Err(PasswordProblem::ContainsContext { .. })
        ));
        assert!(check_new("quiet harbour lamps", false, &["Ana Li"]).is_ok());
    }
}
