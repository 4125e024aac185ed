//! Password hashing with Argon2id (m = 19 456 KiB, t = 2, p = 1, 16-byte random salt, PHC string).
//! Hashes made with weaker parameters are upgraded at the next successful sign-in.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

pub const M_COST: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

fn hasher(m: u32, t: u32, p: u32) -> Argon2<'static> {
    let params = Params::new(m, t, p, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a (normalised) password with the current parameters.
pub fn hash(password: &str) -> Result<String, String> {
    hasher(M_COST, T_COST, P_COST)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Hashes with given parameters (tests of the upgrade path use weak ones).
pub fn hash_with(password: &str, m: u32, t: u32, p: u32) -> Result<String, String> {
    hasher(m, t, p)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored hash.
pub fn verify(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// Whether a stored hash is weaker than the current parameters.
pub fn needs_upgrade(stored: &str) -> bool {
    let Ok(h) = PasswordHash::new(stored) else {
        return true;
    };
    if h.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&h) {
        Ok(p) => p.m_cost() < M_COST || p.t_cost() < T_COST || p.p_cost() < P_COST,
        Err(_) => true,
    }
}

/// A hash of a random password, verified against when an account does not exist, so that unknown
/// and known accounts take the same time to refuse.
pub fn dummy_hash() -> String {
    hash(&crate::secrets::new_token()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_hashes_use_the_required_parameters() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("correct horse battery stapler", &h));
        assert!(!needs_upgrade(&h));
    }

    #[test]
    fn weaker_hashes_are_flagged_for_upgrade() {
        let weak = hash_with("pw pw pw pw pw pw", 8192, 1, 1).unwrap();
        assert!(verify("pw pw pw pw pw pw", &weak));
        assert!(needs_upgrade(&weak));
        assert!(needs_upgrade("not a hash"));
    }
}
