//! Data keys and sealed fields. One active data key per clinic (and one for server-wide secrets such
//! as TOTP seeds), each wrapped by the key-encryption key from the key file. Keys never change once
//! written, so a cache of them is safe across transactions and servers.

use crate::SqlStore;
use crate::args;
use crate::driver::{Tx, TxExt};
use kith_domain::ids::ClinicId;
use kith_store::{FieldRef, StoreError, StoreResult, WrappedKey};
use std::collections::HashMap;
use std::sync::RwLock;
use uuid::Uuid;

#[derive(Default)]
pub struct KeyCache {
    by_id: RwLock<HashMap<Uuid, WrappedKey>>,
    active: RwLock<HashMap<String, Uuid>>,
}

/// Whose data a key protects.
pub(crate) fn scope_of(clinic: Option<ClinicId>) -> String {
    clinic.map_or_else(|| "server".to_string(), |c| c.to_string())
}

impl SqlStore {
    pub(crate) async fn check_kek(&self) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let kek = self.sealer.kek_id();
        let row = tx
            .row("SELECT value FROM meta WHERE key = $1", args!["kek_id"])
            .await?;
        match row {
            Some(r) if r.text("value")? != kek => {
                return Err(StoreError::Crypto(
                    "the key file does not match this database (its fingerprint differs from the one recorded at first start)".into(),
                ));
            }
            Some(_) => {}
            None => {
                tx.exec(
                    "INSERT INTO meta (key, value) VALUES ($1, $2)",
                    args!["kek_id", kek.as_str()],
                )
                .await?;
            }
        }
        let server = tx
            .row(
                "SELECT id FROM data_keys WHERE scope = $1 AND active = $2",
                args!["server", true],
            )
            .await?;
        if server.is_none() {
            self.insert_data_key(&mut tx, None).await?;
        }
        tx.commit().await
    }

    /// Creates the active data key of a scope (a new clinic, or the server) inside `tx`.
    pub(crate) async fn insert_data_key(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: Option<ClinicId>,
    ) -> StoreResult<()> {
        let id = Uuid::now_v7();
        let key = self.sealer.new_data_key(id)?;
        tx.exec(
            "INSERT INTO data_keys (id, scope, wrapped, kek_id, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            args![id, scope_of(clinic), key.wrapped, key.kek_id, true, time::OffsetDateTime::now_utc()],
        )
        .await?;
        Ok(())
    }

    async fn key_by_id(&self, tx: &mut Box<dyn Tx>, id: Uuid) -> StoreResult<WrappedKey> {
        if let Some(k) = self.keys.by_id.read().map_err(poisoned)?.get(&id) {
            return Ok(k.clone());
        }
        let row = tx
            .row(
                "SELECT id, wrapped, kek_id FROM data_keys WHERE id = $1",
                args![id],
            )
            .await?
            .ok_or_else(|| StoreError::Crypto("the data key of this field is missing".into()))?;
        let key = WrappedKey {
            id: row.uuid("id")?,
            wrapped: row.bytes("wrapped")?,
            kek_id: row.text("kek_id")?,
        };
        self.keys
            .by_id
            .write()
            .map_err(poisoned)?
            .insert(id, key.clone());
        Ok(key)
    }

    async fn active_key(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: Option<ClinicId>,
    ) -> StoreResult<WrappedKey> {
        let scope = scope_of(clinic);
        let cached = self
            .keys
            .active
            .read()
            .map_err(poisoned)?
            .get(&scope)
            .copied();
        let id = match cached {
            Some(id) => id,
            None => {
                let row = tx
                    .row(
                        "SELECT id FROM data_keys WHERE scope = $1 AND active = $2",
                        args![scope.as_str(), true],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Crypto(format!("no data key for {scope}")))?;
                let id = row.uuid("id")?;
                self.keys
                    .active
                    .write()
                    .map_err(poisoned)?
                    .insert(scope, id);
                id
            }
        };
        self.key_by_id(tx, id).await
    }

    /// Seals a text field of a clinic's record.
    pub(crate) async fn seal(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: Option<ClinicId>,
        field: FieldRef,
        plain: &str,
    ) -> StoreResult<Vec<u8>> {
        let key = self.active_key(tx, clinic).await?;
        self.sealer.seal(&key, field, plain.as_bytes())
    }

    pub(crate) async fn seal_opt(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: Option<ClinicId>,
        field: FieldRef,
        plain: Option<&str>,
    ) -> StoreResult<Option<Vec<u8>>> {
        match plain {
            Some(p) => self.seal(tx, clinic, field, p).await.map(Some),
            None => Ok(None),
        }
    }

    pub(crate) async fn seal_bytes(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: Option<ClinicId>,
        field: FieldRef,
        plain: &[u8],
    ) -> StoreResult<Vec<u8>> {
        let key = self.active_key(tx, clinic).await?;
        self.sealer.seal(&key, field, plain)
    }

    pub(crate) async fn open_bytes(
        &self,
        tx: &mut Box<dyn Tx>,
        field: FieldRef,
        sealed: &[u8],
    ) -> StoreResult<Vec<u8>> {
        let id = self.sealer.key_id_of(sealed)?;
        let key = self.key_by_id(tx, id).await?;
        self.sealer.open(&key, field, sealed)
    }

    pub(crate) async fn open_text(
        &self,
        tx: &mut Box<dyn Tx>,
        field: FieldRef,
        sealed: &[u8],
    ) -> StoreResult<String> {
        let bytes = self.open_bytes(tx, field, sealed).await?;
        String::from_utf8(bytes).map_err(|_| StoreError::Crypto("sealed text is not UTF-8".into()))
    }

    pub(crate) async fn open_opt(
        &self,
        tx: &mut Box<dyn Tx>,
        field: FieldRef,
        sealed: Option<Vec<u8>>,
    ) -> StoreResult<Option<String>> {
        match sealed {
            Some(s) => self.open_text(tx, field, &s).await.map(Some),
            None => Ok(None),
        }
    }
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Backend("key cache lock poisoned".into())
}
