//! Unguessable tokens (sessions, links, API tokens, recovery codes): 256 bits from the CSPRNG, shown
//! once, stored only as SHA-256 hashes.

use crate::crypto::random_bytes;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new random token in URL-safe text (43 characters).
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A recovery code: 80 bits as four groups of five letters and digits, easy to type.
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<20>();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Recovery codes are compared without dashes, spaces or case.
pub fn recovery_code_hash(code: &str) -> [u8; 32] {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(format!("kith-recovery:{norm}").as_bytes()).into()
}

/// Hash of a request body, for idempotency keys.
pub fn body_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_ne!(token_hash(&a), token_hash(&new_token()));
    }

    #[test]
    fn recovery_codes_are_forgiving_about_format() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 23);
        assert_eq!(
            recovery_code_hash(&c),
            recovery_code_hash(&c.to_uppercase().replace('-', " "))
        );
    }
}
