//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
//! clock skew either way). Each accepted code's step is recorded so that it cannot be used twice.

use crate::crypto::random_bytes;
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// A new 160-bit secret.
pub fn new_secret() -> Vec<u8> {
    random_bytes::<20>().to_vec()
}

fn totp(secret: &[u8], account: &str) -> Option<Totp> {
    // Account names may not contain ':' in an otpauth URL.
    let account = account.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::from(secret.to_vec()))
        .with_issuer(Some("Kith"))
        .with_account_name(account)
        .build()
        .ok()
}

/// The secret in base32, for typing into an authenticator by hand.
pub fn secret_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://` URL an authenticator app scans.
pub fn otpauth_url(secret: &[u8], account: &str) -> Option<String> {
    totp(secret, account)?.to_url().ok()
}

/// The enrolment QR code as an inline SVG (no image library, no JavaScript).
pub fn qr_svg(secret: &[u8], account: &str) -> Option<String> {
    let url = otpauth_url(secret, account)?;
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// Checks a code at `unix_seconds`; returns the step it matched.
pub fn check(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    totp(secret, "x")?.check(&code, unix_seconds)
}

/// The code for a moment (demo output and tests).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> Option<String> {
    Some(totp(secret, "x")?.generate(unix_seconds).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_with_one_step_of_skew() {
        let s = new_secret();
        let t = 1_780_000_000u64;
        let code = code_at(&s, t).unwrap();
        assert_eq!(code.len(), 6);
        assert_eq!(check(&s, &code, t), Some(t / 30));
        assert_eq!(check(&s, &code, t + 30), Some(t / 30));
        assert_eq!(check(&s, &code, t + 90), None);
        assert_eq!(check(&s, "12a456", t), None);
        assert!(
            qr_svg(&s, "ana@example.org").unwrap().starts_with("<?xml")
                || qr_svg(&s, "a").unwrap().contains("<svg")
        );
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the last six digits are ours.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
    }
}
