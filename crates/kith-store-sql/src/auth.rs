use crate::SqlStore;
use crate::args;
use crate::driver::{Row, Tx, TxExt};
use crate::identity::role_from;
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::ids::{ApiTokenId, UserId};
use kith_store::*;
use time::OffsetDateTime;

fn session_from(r: &Row) -> StoreResult<AuthSession> {
    Ok(AuthSession {
        token_hash: r.hash32("token_hash")?,
        user: r.uuid("user_id")?.into(),
        clinic: r.opt_uuid("clinic_id")?.map(Into::into),
        role: match r.opt_text("role")? {
            Some(_) => Some(role_from(r, "role")?),
            None => None,
        },
        created_at: r.time("created_at")?,
        last_seen_at: r.time("last_seen_at")?,
        expires_at: r.time("expires_at")?,
        second_factor_at: r.opt_time("second_factor_at")?,
        reauth_at: r.opt_time("reauth_at")?,
        csrf_token: r.text("csrf_token")?,
        source: r.opt_text("source")?,
        user_agent: r.opt_text("user_agent")?,
        ended_at: r.opt_time("ended_at")?,
    })
}

fn token_from(r: &Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: r.uuid("id")?.into(),
        user: r.uuid("user_id")?.into(),
        clinic: r.uuid("clinic_id")?.into(),
        role: role_from(r, "role")?,
        name: r.text("name")?,
        created_at: r.time("created_at")?,
        last_used_at: r.opt_time("last_used_at")?,
        revoked_at: r.opt_time("revoked_at")?,
    })
}

fn throttle_from(r: &Row) -> StoreResult<Throttle> {
    Ok(Throttle {
        failures: r.int("failures")?,
        last_failure_at: r.opt_time("last_failure_at")?,
        locked_until: r.opt_time("locked_until")?,
    })
}

const TOTP_TABLE: &str = "users";
const TOTP_COLUMN: &str = "totp_secret";

async fn insert_session(tx: &mut Box<dyn Tx>, s: &AuthSession) -> StoreResult<()> {
    tx.exec(
        "INSERT INTO auth_sessions (token_hash, user_id, clinic_id, role, created_at, last_seen_at, expires_at, second_factor_at, reauth_at, csrf_token, source, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![
            s.token_hash,
            s.user.0,
            s.clinic.map(|c| c.0),
            s.role.map(|r| r.as_str()),
            s.created_at,
            s.last_seen_at,
            s.expires_at,
            s.second_factor_at,
            s.reauth_at,
            s.csrf_token.as_str(),
            s.source.as_deref(),
            s.user_agent.as_deref()
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl AuthStore for SqlStore {
    async fn create_session(&self, session: AuthSession) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_session(&mut tx, &session).await?;
        tx.commit().await
    }

    async fn rotate_session(
        &self,
        old: [u8; 32],
        new: AuthSession,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE auth_sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
                args![now, old],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::Expired);
        }
        insert_session(&mut tx, &new).await?;
        tx.commit().await
    }

    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<AuthSession>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT token_hash, user_id, clinic_id, role, created_at, last_seen_at, expires_at, second_factor_at, reauth_at, csrf_token, source, user_agent, ended_at \
                 FROM auth_sessions WHERE token_hash = $1",
                args![token_hash],
            )
            .await?;
        r.as_ref().map(session_from).transpose()
    }

    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE auth_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
            args![now, token_hash],
        )
        .await?;
        tx.commit().await
    }

    async fn mark_reauthenticated(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE auth_sessions SET reauth_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
            args![now, token_hash],
        )
        .await?;
        tx.commit().await
    }

    async fn end_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE auth_sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
            args![now, token_hash],
        )
        .await?;
        tx.commit().await
    }

    async fn end_session_of_user(
        &self,
        user: UserId,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE auth_sessions SET ended_at = $1 WHERE token_hash = $2 AND user_id = $3 AND ended_at IS NULL",
                args![now, token_hash, user.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, audit).await
    }

    async fn end_all_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        keep: Option<[u8; 32]>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.end_sessions_in(&mut tx, user, None, now, keep).await?;
        tx.commit().await
    }

    async fn sessions_of(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AuthSession>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT token_hash, user_id, clinic_id, role, created_at, last_seen_at, expires_at, second_factor_at, reauth_at, csrf_token, source, user_agent, ended_at \
                 FROM auth_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY last_seen_at DESC",
                args![user.0, now],
            )
            .await?;
        rows.iter().map(session_from).collect()
    }

    async fn throttle(&self, key: &str) -> StoreResult<Throttle> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1",
                args![key],
            )
            .await?;
        Ok(r.as_ref()
            .map(throttle_from)
            .transpose()?
            .unwrap_or_default())
    }

    async fn record_failure(
        &self,
        keys: &[String],
        now: OffsetDateTime,
        lock_after: i64,
        lock_for: time::Duration,
    ) -> StoreResult<Vec<Throttle>> {
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            tx.exec(
                "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, last_failure_at = excluded.last_failure_at",
                args![key.as_str(), now],
            )
            .await?;
            tx.exec(
                "UPDATE login_throttle SET locked_until = $1 WHERE key = $2 AND failures >= $3 AND locked_until IS NULL",
                args![now + lock_for, key.as_str(), lock_after],
            )
            .await?;
            let r = tx
                .row("SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1", args![key.as_str()])
                .await?
                .ok_or(StoreError::NotFound)?;
            out.push(throttle_from(&r)?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec("DELETE FROM login_throttle WHERE key = $1", args![key])
            .await?;
        tx.commit().await
    }

    async fn set_pending_totp(&self, user: UserId, secret: &[u8]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let sealed = self
            .seal_bytes(
                &mut tx,
                None,
                FieldRef::new(TOTP_TABLE, TOTP_COLUMN, user.0),
                secret,
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE users SET totp_secret = $1, totp_enrolled_at = NULL, totp_last_step = NULL WHERE id = $2",
                args![sealed, user.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    async fn totp_secret(&self, user: UserId) -> StoreResult<Option<Vec<u8>>> {
        let mut tx = self.read().await?;
        let Some(r) = tx
            .row("SELECT totp_secret FROM users WHERE id = $1", args![user.0])
            .await?
        else {
            return Ok(None);
        };
        match r.opt_bytes("totp_secret")? {
            Some(sealed) => self
                .open_bytes(
                    &mut tx,
                    FieldRef::new(TOTP_TABLE, TOTP_COLUMN, user.0),
                    &sealed,
                )
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        now: OffsetDateTime,
        recovery_hashes: &[[u8; 32]],
        keep: Option<[u8; 32]>,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE users SET totp_enrolled_at = $1 WHERE id = $2 AND totp_secret IS NOT NULL",
                args![now, user.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        tx.exec(
            "DELETE FROM recovery_codes WHERE user_id = $1",
            args![user.0],
        )
        .await?;
        for h in recovery_hashes {
            tx.exec(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
                args![user.0, *h],
            )
            .await?;
        }
        self.end_sessions_in(&mut tx, user, None, now, keep).await?;
        self.finish(tx, audit).await
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                args![step, user.0],
            )
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                args![now, user.0, code_hash],
            )
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<i64> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                args![user.0],
            )
            .await?;
        Ok(r.map(|r| r.int("n")).transpose()?.unwrap_or(0))
    }

    async fn create_api_token(
        &self,
        t: ApiToken,
        token_hash: [u8; 32],
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "INSERT INTO api_tokens (id, user_id, clinic_id, role, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![t.id.0, t.user.0, t.clinic.0, t.role.as_str(), t.name.as_str(), token_hash, t.created_at],
        )
        .await?;
        self.finish(tx, audit).await
    }

    async fn api_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<ApiToken>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT id, user_id, clinic_id, role, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = $1",
                args![token_hash],
            )
            .await?;
        r.as_ref().map(token_from).transpose()
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT id, user_id, clinic_id, role, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
                args![user.0],
            )
            .await?;
        rows.iter().map(token_from).collect()
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        id: ApiTokenId,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                args![now, id.0, user.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, audit).await
    }

    async fn touch_api_token(&self, id: ApiTokenId, now: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            args![now, id.0],
        )
        .await?;
        tx.commit().await
    }
}
