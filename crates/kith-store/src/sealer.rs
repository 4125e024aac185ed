//! Encryption of clinical text at rest. Storage decides *what* is sealed (it knows the table, column
//! and row of every field); the application provides *how* ([`Sealer`], implemented in kith-app).

use crate::error::StoreResult;
use uuid::Uuid;

/// Where a sealed value lives. Bound into the ciphertext as associated data, so a value moved to
/// another row or column no longer opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef {
    pub table: &'static str,
    pub column: &'static str,
    pub row: Uuid,
}

impl FieldRef {
    pub fn new(table: &'static str, column: &'static str, row: Uuid) -> Self {
        FieldRef { table, column, row }
    }

    /// The associated-data bytes.
    pub fn associated_data(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(b"kith-field-v1\0");
        v.extend_from_slice(self.table.as_bytes());
        v.push(0);
        v.extend_from_slice(self.column.as_bytes());
        v.push(0);
        v.extend_from_slice(self.row.as_bytes());
        v
    }
}

/// A data key as stored: wrapped by the key-encryption key, never in clear in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub id: Uuid,
    /// Fingerprint of the key-encryption key that wrapped it.
    pub kek_id: String,
    pub wrapped: Vec<u8>,
}

/// The crypto service storage uses for sealed fields.
pub trait Sealer: Send + Sync {
    /// Makes a fresh random data key, wrapped.
    fn new_data_key(&self, id: Uuid) -> StoreResult<WrappedKey>;
    /// Seals plaintext under a data key. The output names the data key, so [`Sealer::key_id_of`]
    /// can find it again.
    fn seal(&self, key: &WrappedKey, field: FieldRef, plaintext: &[u8]) -> StoreResult<Vec<u8>>;
    /// Opens a sealed value.
    fn open(&self, key: &WrappedKey, field: FieldRef, sealed: &[u8]) -> StoreResult<Vec<u8>>;
    /// Which data key a sealed value was sealed under.
    fn key_id_of(&self, sealed: &[u8]) -> StoreResult<Uuid>;
    /// Fingerprint of the key-encryption key in use (stored in the database to detect a wrong key file).
    fn kek_id(&self) -> String;
}
