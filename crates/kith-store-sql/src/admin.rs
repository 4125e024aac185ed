use crate::SqlStore;
use crate::args;
use crate::driver::TxExt;
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_store::{AdminStore, NewClinic, NewUser, StoreError, StoreResult};
use std::path::Path;
use time::OffsetDateTime;

/// Tables of the foundation, with the query that counts their rows (used by backup and restore
/// checks together with the tables of each area).
pub(crate) const FOUNDATION_TABLES: &[(&str, &str)] = &[
    ("meta", "SELECT COUNT(*) AS n FROM meta"),
    ("clinics", "SELECT COUNT(*) AS n FROM clinics"),
    ("data_keys", "SELECT COUNT(*) AS n FROM data_keys"),
    ("users", "SELECT COUNT(*) AS n FROM users"),
    ("memberships", "SELECT COUNT(*) AS n FROM memberships"),
    ("supervision", "SELECT COUNT(*) AS n FROM supervision"),
    ("recovery_codes", "SELECT COUNT(*) AS n FROM recovery_codes"),
    ("setup_tokens", "SELECT COUNT(*) AS n FROM setup_tokens"),
    ("invitations", "SELECT COUNT(*) AS n FROM invitations"),
    ("auth_sessions", "SELECT COUNT(*) AS n FROM auth_sessions"),
    ("login_throttle", "SELECT COUNT(*) AS n FROM login_throttle"),
    ("api_tokens", "SELECT COUNT(*) AS n FROM api_tokens"),
    ("clients", "SELECT COUNT(*) AS n FROM clients"),
    ("assignments", "SELECT COUNT(*) AS n FROM assignments"),
    (
        "idempotency_keys",
        "SELECT COUNT(*) AS n FROM idempotency_keys",
    ),
    ("audit_events", "SELECT COUNT(*) AS n FROM audit_events"),
];

#[async_trait]
impl AdminStore for SqlStore {
    fn backend(&self) -> &'static str {
        self.backend
    }

    async fn ping(&self) -> StoreResult<()> {
        let mut tx = self.read().await?;
        tx.row("SELECT 1 AS one", vec![]).await?;
        Ok(())
    }

    async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        self.db.integrity_problems().await
    }

    async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let mut tx = self.read().await?;
        let mut out = Vec::new();
        let all = FOUNDATION_TABLES
            .iter()
            .chain(crate::measures::TABLES)
            .chain(crate::courses::TABLES);
        for (table, sql) in all {
            let n = tx
                .row(sql, vec![])
                .await?
                .map(|r| r.int("n"))
                .transpose()?
                .unwrap_or(0);
            out.push((table.to_string(), n));
        }
        Ok(out)
    }

    async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        self.db.backup_to(dest).await
    }

    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        let mut tx = self.read().await?;
        tx.row("SELECT value FROM meta WHERE key = $1", args![key])
            .await?
            .map(|r| r.text("value"))
            .transpose()
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            args![key, value],
        )
        .await?;
        tx.commit().await
    }

    async fn has_users(&self) -> StoreResult<bool> {
        let mut tx = self.read().await?;
        Ok(tx
            .row("SELECT id FROM users LIMIT 1", vec![])
            .await?
            .is_some())
    }

    async fn create_setup_token(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Any earlier unused link stops working: only the newest printed link is valid.
        tx.exec(
            "UPDATE setup_tokens SET used_at = $1 WHERE used_at IS NULL",
            args![now],
        )
        .await?;
        tx.exec(
            "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
            args![token_hash, now, expires_at],
        )
        .await?;
        tx.commit().await
    }

    async fn complete_setup(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        clinic: NewClinic,
        admin: NewUser,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let used = tx
            .exec(
                "UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
                args![now, token_hash],
            )
            .await?;
        if used != 1 {
            return Err(StoreError::Expired);
        }
        // Setup makes the first administrator only; once anyone exists, the link is spent.
        if tx
            .row("SELECT id FROM users LIMIT 1", vec![])
            .await?
            .is_some()
        {
            return Err(StoreError::Expired);
        }
        self.insert_clinic(&mut tx, &clinic).await?;
        self.insert_user(&mut tx, &admin).await?;
        tx.exec(
            "INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4)",
            args![admin.id.0, clinic.id.0, "clinic_admin", now],
        )
        .await?;
        self.finish(tx, audit).await
    }
}
