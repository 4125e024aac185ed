//! Field encryption: XChaCha20-Poly1305 under per-clinic data keys, which are wrapped by the
//! key-encryption key (KEK) read from the key file. The KEK never enters the database; a database or
//! backup without the key file reveals no clinical text.
//!
//! Sealed value layout: `0x01 ‖ data-key id (16 bytes) ‖ nonce (24 bytes) ‖ ciphertext+tag`. The
//! associated data binds table, column and row, so a value copied elsewhere does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use kith_store::{FieldRef, Sealer, StoreError, StoreResult, WrappedKey};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

const VERSION: u8 = 1;
const HEADER: usize = 1 + 16 + 24;

/// Fills a buffer from the operating system's CSPRNG (via the thread generator reseeded from it).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// The key-encryption key.
#[derive(Clone)]
pub struct Kek {
    key: [u8; 32],
    id: String,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek({})", self.id)
    }
}

impl Kek {
    pub fn from_bytes(key: [u8; 32]) -> Kek {
        let mut h = Sha256::new();
        h.update(b"kith-kek-fingerprint");
        h.update(key);
        let id = hex::encode(&h.finalize()[..8]);
        Kek { key, id }
    }

    pub fn generate() -> Kek {
        Kek::from_bytes(random_bytes())
    }

    /// Fingerprint stored in the database to recognise the matching key file.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A key for another purpose (such as signing the audit anchor), derived from this one so that
    /// no second secret has to be kept; different purposes give unrelated keys.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"kith-kek-derive:");
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(self.key);
        h.finalize().into()
    }

    /// The key file's text form (hex).
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(self.key))
    }

    pub fn from_file_text(text: &str) -> Result<Kek, String> {
        let raw = hex::decode(text.trim())
            .map_err(|_| "the key file must hold 64 hexadecimal characters".to_string())?;
        let key: [u8; 32] = raw
            .try_into()
            .map_err(|_| "the key file must hold a 32-byte key".to_string())?;
        Ok(Kek::from_bytes(key))
    }
}

/// The [`Sealer`] storage uses.
pub struct FieldCrypto {
    kek: Kek,
    unwrapped: Mutex<HashMap<Uuid, [u8; 32]>>,
}

impl FieldCrypto {
    pub fn new(kek: Kek) -> FieldCrypto {
        FieldCrypto {
            kek,
            unwrapped: Mutex::new(HashMap::new()),
        }
    }

    fn wrap_aad(id: Uuid) -> Vec<u8> {
        let mut v = b"kith-data-key-v1".to_vec();
        v.extend_from_slice(id.as_bytes());
        v
    }

    fn data_key(&self, key: &WrappedKey) -> StoreResult<[u8; 32]> {
        if let Some(k) = self
            .unwrapped
            .lock()
            .map_err(|_| crypto("key cache poisoned"))?
            .get(&key.id)
        {
            return Ok(*k);
        }
        if key.kek_id != self.kek.id {
            return Err(crypto("this data key was wrapped by a different key file"));
        }
        if key.wrapped.len() < 24 {
            return Err(crypto("wrapped data key is too short"));
        }
        let (nonce, ct) = key.wrapped.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.kek.key).into());
        let plain = cipher
            .decrypt(
                &nonce_of(nonce)?,
                Payload {
                    msg: ct,
                    aad: &Self::wrap_aad(key.id),
                },
            )
            .map_err(|_| crypto("the data key does not open with this key file"))?;
        let dk: [u8; 32] = plain
            .try_into()
            .map_err(|_| crypto("data key has the wrong length"))?;
        self.unwrapped
            .lock()
            .map_err(|_| crypto("key cache poisoned"))?
            .insert(key.id, dk);
        Ok(dk)
    }
}

fn nonce_of(b: &[u8]) -> StoreResult<XNonce> {
    XNonce::try_from(b).map_err(|_| crypto("bad nonce"))
}

fn crypto(m: &str) -> StoreError {
    StoreError::Crypto(m.to_string())
}

impl Sealer for FieldCrypto {
    fn new_data_key(&self, id: Uuid) -> StoreResult<WrappedKey> {
        let dk: [u8; 32] = random_bytes();
        let nonce: [u8; 24] = random_bytes();
        let cipher = XChaCha20Poly1305::new((&self.kek.key).into());
        let ct = cipher
            .encrypt(
                &nonce_of(&nonce)?,
                Payload {
                    msg: &dk,
                    aad: &Self::wrap_aad(id),
                },
            )
            .map_err(|_| crypto("wrapping a data key failed"))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend_from_slice(&ct);
        Ok(WrappedKey {
            id,
            kek_id: self.kek.id.clone(),
            wrapped,
        })
    }

    fn seal(&self, key: &WrappedKey, field: FieldRef, plaintext: &[u8]) -> StoreResult<Vec<u8>> {
        let dk = self.data_key(key)?;
        // A fresh random 192-bit nonce per value: collisions are out of reach.
        let nonce: [u8; 24] = random_bytes();
        let cipher = XChaCha20Poly1305::new((&dk).into());
        let ct = cipher
            .encrypt(
                &nonce_of(&nonce)?,
                Payload {
                    msg: plaintext,
                    aad: &field.associated_data(),
                },
            )
            .map_err(|_| crypto("sealing failed"))?;
        let mut out = Vec::with_capacity(HEADER + ct.len());
        out.push(VERSION);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn open(&self, key: &WrappedKey, field: FieldRef, sealed: &[u8]) -> StoreResult<Vec<u8>> {
        if self.key_id_of(sealed)? != key.id {
            return Err(crypto("sealed under another data key"));
        }
        let dk = self.data_key(key)?;
        let nonce = &sealed[17..HEADER];
        let cipher = XChaCha20Poly1305::new((&dk).into());
        cipher
            .decrypt(
                &nonce_of(nonce)?,
                Payload {
                    msg: &sealed[HEADER..],
                    aad: &field.associated_data(),
                },
            )
            .map_err(|_| crypto("the value was altered or belongs to another field"))
    }

    fn key_id_of(&self, sealed: &[u8]) -> StoreResult<Uuid> {
        if sealed.len() < HEADER + 16 || sealed[0] != VERSION {
            return Err(crypto("not a sealed value"));
        }
        Uuid::from_slice(&sealed[1..17]).map_err(|_| crypto("bad key id"))
    }

    fn kek_id(&self) -> String {
        self.kek.id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_binds_to_its_field() {
        let c = FieldCrypto::new(Kek::generate());
        let key = c.new_data_key(Uuid::now_v7()).unwrap();
        let row = Uuid::now_v7();
        let f = FieldRef::new("notes", "body", row);
        let sealed = c.seal(&key, f, b"CANARY-7f3a9c").unwrap();
        assert!(!sealed.windows(13).any(|w| w == b"CANARY-7f3a9c"));
        assert_eq!(c.open(&key, f, &sealed).unwrap(), b"CANARY-7f3a9c");
        // Moved to another row or column, it no longer opens.
        assert!(
            c.open(
                &key,
                FieldRef::new("notes", "body", Uuid::now_v7()),
                &sealed
            )
            .is_err()
        );
        assert!(
            c.open(&key, FieldRef::new("notes", "title", row), &sealed)
                .is_err()
        );
        // A flipped bit is detected.
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(c.open(&key, f, &bad).is_err());
        // Two seals of the same text differ (fresh nonces).
        assert_ne!(
            c.seal(&key, f, b"x").unwrap(),
            c.seal(&key, f, b"x").unwrap()
        );
    }

    #[test]
    fn another_key_file_cannot_open() {
        let a = FieldCrypto::new(Kek::generate());
        let b = FieldCrypto::new(Kek::generate());
        let key = a.new_data_key(Uuid::now_v7()).unwrap();
        let f = FieldRef::new("t", "c", Uuid::now_v7());
        let sealed = a.seal(&key, f, b"secret").unwrap();
        assert!(b.open(&key, f, &sealed).is_err());
    }
}
