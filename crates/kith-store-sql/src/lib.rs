//! The SQL both backends share, written once over a small driver interface ([`driver`]).
//!
//! [`SqlStore`] implements every `kith_store` trait. It opens and commits its own transactions (they
//! never cross the trait boundary), writes audit events in the same transaction as the action they
//! describe, seals clinical text before it reaches the database and opens it on the way out.

pub mod driver;

mod admin;
mod audit;
mod auth;
mod clients;
mod clinics;
mod courses;
mod identity;
mod keys;
mod measures;

use driver::{Dialect, Driver, Tx, TxExt};
use kith_domain::audit::AuditEvent;
use kith_store::{Idempotency, Sealer, StoreError, StoreResult, Written};
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

pub use keys::KeyCache;

/// The store over one database.
pub struct SqlStore {
    db: Arc<dyn Driver>,
    sealer: Arc<dyn Sealer>,
    keys: KeyCache,
    backend: &'static str,
    audit_listener: std::sync::RwLock<Option<kith_store::AuditListener>>,
}

impl SqlStore {
    /// Wraps a driver. Checks that the key file matches the database (the fingerprint of the
    /// key-encryption key is recorded on first use) and that the server data key exists.
    pub async fn open(db: Arc<dyn Driver>, sealer: Arc<dyn Sealer>) -> StoreResult<SqlStore> {
        let backend = match db.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        };
        let store = SqlStore {
            db,
            sealer,
            keys: KeyCache::default(),
            backend,
            audit_listener: std::sync::RwLock::new(None),
        };
        store.check_kek().await?;
        Ok(store)
    }

    fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        self.db.begin(true).await
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        self.db.begin(false).await
    }

    /// Appends the audit events and commits: the last step of every audited transaction.
    async fn finish(&self, mut tx: Box<dyn Tx>, events: &[AuditEvent]) -> StoreResult<()> {
        let head = audit::append(&mut tx, self.dialect(), events).await?;
        tx.commit().await?;
        if let Some(head) = head
            && let Ok(l) = self.audit_listener.read()
            && let Some(listener) = l.as_ref()
        {
            listener(head);
        }
        Ok(())
    }

    /// Looks up an idempotency key inside the transaction: the stored result of an earlier request
    /// with the same key and body, or an error if the body differs.
    async fn idem_replay<T: DeserializeOwned>(
        &self,
        tx: &mut Box<dyn Tx>,
        idem: Option<&Idempotency>,
    ) -> StoreResult<Option<T>> {
        let Some(idem) = idem else { return Ok(None) };
        let row = tx
            .row(
                "SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND route = $2 AND key = $3",
                args![idem.user.0, idem.route, idem.key.as_str()],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.hash32("request_hash")? != idem.request_hash {
            return Err(StoreError::IdempotencyMismatch);
        }
        let v = serde_json::from_str(&row.text("response")?)
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Some(v))
    }

    /// Records the result of a request under its idempotency key, in the same transaction.
    async fn idem_record<T: Serialize>(
        &self,
        tx: &mut Box<dyn Tx>,
        idem: Option<&Idempotency>,
        result: &T,
    ) -> StoreResult<()> {
        let Some(idem) = idem else { return Ok(()) };
        let json = serde_json::to_string(result).map_err(|e| StoreError::Backend(e.to_string()))?;
        let r = tx
            .exec(
                "INSERT INTO idempotency_keys (user_id, route, key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                args![idem.user.0, idem.route, idem.key.as_str(), idem.request_hash, json, idem.at],
            )
            .await;
        match r {
            Ok(_) => Ok(()),
            // Another request with the same key committed first (PostgreSQL lets both start).
            Err(StoreError::Duplicate(_)) => Err(StoreError::IdempotencyInProgress),
            Err(e) => Err(e),
        }
    }
}

/// Helper for idempotent creates: runs `replay` lookup, then the write, then records the result.
pub(crate) fn fresh<T>(v: T) -> Written<T> {
    Written::Fresh(v)
}
