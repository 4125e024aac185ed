use crate::SqlStore;
use crate::args;
use crate::driver::{Row, Tx, TxExt};
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::identity::Role;
use kith_domain::ids::{ClinicId, InvitationId, UserId};
use kith_store::*;
use time::OffsetDateTime;

pub(crate) fn user_from(r: &Row) -> StoreResult<User> {
    Ok(User {
        id: r.uuid("id")?.into(),
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        password_hash: r.opt_text("password_hash")?,
        operator: r.bool("is_operator")?,
        disabled: r.opt_time("disabled_at")?.is_some(),
        locale: r.opt_text("locale")?,
        second_factor_enrolled: r.opt_time("totp_enrolled_at")?.is_some(),
        created_at: r.time("created_at")?,
    })
}

pub(crate) fn role_from(r: &Row, col: &str) -> StoreResult<Role> {
    let s = r.text(col)?;
    s.parse()
        .map_err(|_| StoreError::Backend(format!("unknown role {s}")))
}

fn invitation_from(r: &Row) -> StoreResult<Invitation> {
    Ok(Invitation {
        id: r.uuid("id")?.into(),
        clinic: r.uuid("clinic_id")?.into(),
        email: r.text("email")?,
        role: role_from(r, "role")?,
        client: r.opt_uuid("client_id")?.map(Into::into),
        created_by: r.uuid("created_by")?.into(),
        created_at: r.time("created_at")?,
        expires_at: r.time("expires_at")?,
        accepted_at: r.opt_time("accepted_at")?,
        revoked_at: r.opt_time("revoked_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_user(&self, tx: &mut Box<dyn Tx>, u: &NewUser) -> StoreResult<()> {
        let taken = tx
            .row(
                "SELECT id FROM users WHERE email = $1",
                args![u.email.as_str()],
            )
            .await?;
        if taken.is_some() {
            return Err(StoreError::Duplicate("email"));
        }
        tx.exec(
            "INSERT INTO users (id, email, display_name, password_hash, is_operator, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![u.id.0, u.email.as_str(), u.display_name.as_str(), u.password_hash.as_deref(), u.operator, u.locale.as_deref(), u.created_at],
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => StoreError::Duplicate("email"),
            e => e,
        })?;
        Ok(())
    }

    pub(crate) async fn end_sessions_in(
        &self,
        tx: &mut Box<dyn Tx>,
        user: UserId,
        clinic: Option<ClinicId>,
        now: OffsetDateTime,
        keep: Option<[u8; 32]>,
    ) -> StoreResult<()> {
        let keep = keep.map(|k| k.to_vec()).unwrap_or_default();
        match clinic {
            Some(c) => {
                tx.exec(
                    "UPDATE auth_sessions SET ended_at = $1 WHERE user_id = $2 AND clinic_id = $3 AND ended_at IS NULL AND token_hash <> $4",
                    args![now, user.0, c.0, keep],
                )
                .await?;
                tx.exec(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND clinic_id = $3 AND revoked_at IS NULL",
                    args![now, user.0, c.0],
                )
                .await?;
            }
            None => {
                tx.exec(
                    "UPDATE auth_sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL AND token_hash <> $3",
                    args![now, user.0, keep],
                )
                .await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl IdentityStore for SqlStore {
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT id, email, display_name, password_hash, is_operator, disabled_at, locale, totp_enrolled_at, created_at FROM users WHERE id = $1",
                args![id.0],
            )
            .await?;
        r.as_ref().map(user_from).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT id, email, display_name, password_hash, is_operator, disabled_at, locale, totp_enrolled_at, created_at FROM users WHERE email = $1",
                args![email],
            )
            .await?;
        r.as_ref().map(user_from).transpose()
    }

    async fn create_user(
        &self,
        user: NewUser,
        membership: Option<(ClinicId, Role)>,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.insert_user(&mut tx, &user).await?;
        if let Some((clinic, role)) = membership {
            tx.exec(
                "INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4)",
                args![user.id.0, clinic.0, role.as_str(), user.created_at],
            )
            .await?;
        }
        self.finish(tx, audit).await
    }

    async fn set_password(
        &self,
        user: UserId,
        hash: &str,
        now: OffsetDateTime,
        keep: Option<[u8; 32]>,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                args![hash, user.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.end_sessions_in(&mut tx, user, None, now, keep).await?;
        // A token made under the old password must not outlive it.
        tx.exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            args![now, user.0],
        )
        .await?;
        self.finish(tx, audit).await
    }

    async fn upgrade_password_hash(&self, user: UserId, hash: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            args![hash, user.0],
        )
        .await?;
        tx.commit().await
    }

    async fn set_locale(&self, user: UserId, locale: Option<&str>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "UPDATE users SET locale = $1 WHERE id = $2",
            args![locale, user.0],
        )
        .await?;
        tx.commit().await
    }

    async fn memberships(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT m.user_id, m.clinic_id, c.name, m.role, m.disabled_at, m.created_at FROM memberships m \
                 JOIN clinics c ON c.id = m.clinic_id WHERE m.user_id = $1 ORDER BY c.name, m.clinic_id",
                args![user.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Membership {
                    user: r.uuid("user_id")?.into(),
                    clinic: r.uuid("clinic_id")?.into(),
                    clinic_name: r.text("name")?,
                    role: role_from(r, "role")?,
                    disabled: r.opt_time("disabled_at")?.is_some(),
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    async fn members(&self, clinic: ClinicId) -> StoreResult<Vec<Member>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT u.id, u.email, u.display_name, u.password_hash, u.is_operator, u.disabled_at, u.locale, u.totp_enrolled_at, u.created_at, \
                        m.role, m.disabled_at AS membership_disabled_at \
                 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.clinic_id = $1 ORDER BY u.display_name, u.id",
                args![clinic.0],
            )
            .await?;
        let links = tx
            .rows(
                "SELECT supervisor_id, clinician_id FROM supervision WHERE clinic_id = $1",
                args![clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let user = user_from(r)?;
            let mut supervisors = Vec::new();
            for l in &links {
                if l.uuid("clinician_id")? == user.id.0 {
                    supervisors.push(l.uuid("supervisor_id")?.into());
                }
            }
            out.push(Member {
                user,
                role: role_from(r, "role")?,
                membership_disabled: r.opt_time("membership_disabled_at")?.is_some(),
                supervisors,
            });
        }
        Ok(out)
    }

    async fn set_member_disabled(
        &self,
        clinic: ClinicId,
        user: UserId,
        disabled: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE memberships SET disabled_at = $1 WHERE user_id = $2 AND clinic_id = $3",
                args![if disabled { Some(now) } else { None }, user.0, clinic.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            self.end_sessions_in(&mut tx, user, Some(clinic), now, None)
                .await?;
        }
        self.finish(tx, audit).await
    }

    async fn set_member_role(
        &self,
        clinic: ClinicId,
        user: UserId,
        role: Role,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE memberships SET role = $1 WHERE user_id = $2 AND clinic_id = $3",
                args![role.as_str(), user.0, clinic.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.end_sessions_in(&mut tx, user, Some(clinic), now, None)
            .await?;
        self.finish(tx, audit).await
    }

    async fn set_supervision(
        &self,
        clinic: ClinicId,
        supervisor: UserId,
        clinician: UserId,
        on: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        if on {
            // Both must be members of this clinic in the right roles.
            let sup = tx
                .row(
                    "SELECT role FROM memberships WHERE user_id = $1 AND clinic_id = $2 AND disabled_at IS NULL",
                    args![supervisor.0, clinic.0],
                )
                .await?;
            let cli = tx
                .row(
                    "SELECT role FROM memberships WHERE user_id = $1 AND clinic_id = $2 AND disabled_at IS NULL",
                    args![clinician.0, clinic.0],
                )
                .await?;
            let sup_ok = sup.map(|r| role_from(&r, "role")).transpose()? == Some(Role::Supervisor);
            let cli_ok = matches!(
                cli.map(|r| role_from(&r, "role")).transpose()?,
                Some(Role::Clinician | Role::Supervisor)
            );
            if !sup_ok || !cli_ok || supervisor == clinician {
                return Err(StoreError::NotFound);
            }
            tx.exec(
                "INSERT INTO supervision (clinic_id, supervisor_id, clinician_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                args![clinic.0, supervisor.0, clinician.0, now],
            )
            .await?;
        } else {
            tx.exec(
                "DELETE FROM supervision WHERE clinic_id = $1 AND supervisor_id = $2 AND clinician_id = $3",
                args![clinic.0, supervisor.0, clinician.0],
            )
            .await?;
        }
        self.finish(tx, audit).await
    }

    async fn create_invitation(
        &self,
        inv: Invitation,
        token_hash: [u8; 32],
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        tx.exec(
            "INSERT INTO invitations (id, clinic_id, email, role, client_id, token_hash, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                inv.id.0,
                inv.clinic.0,
                inv.email.as_str(),
                inv.role.as_str(),
                inv.client.map(|c| c.0),
                token_hash,
                inv.created_by.0,
                inv.created_at,
                inv.expires_at
            ],
        )
        .await?;
        self.finish(tx, audit).await
    }

    async fn invitation_by_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<Invitation>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT id, clinic_id, email, role, client_id, created_by, created_at, expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = $1",
                args![token_hash],
            )
            .await?;
        r.as_ref().map(invitation_from).transpose()
    }

    async fn invitations(&self, clinic: ClinicId) -> StoreResult<Vec<Invitation>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT id, clinic_id, email, role, client_id, created_by, created_at, expires_at, accepted_at, revoked_at FROM invitations \
                 WHERE clinic_id = $1 ORDER BY created_at DESC, id",
                args![clinic.0],
            )
            .await?;
        rows.iter().map(invitation_from).collect()
    }

    async fn revoke_invitation(
        &self,
        clinic: ClinicId,
        id: InvitationId,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND clinic_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
                args![now, id.0, clinic.0],
            )
            .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, audit).await
    }

    async fn accept_invitation(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        invitee: Invitee,
        audit: &[AuditEvent],
    ) -> StoreResult<UserId> {
        let mut tx = self.write().await?;
        let row = tx
            .row(
                "SELECT id, clinic_id, email, role, client_id, created_by, created_at, expires_at, accepted_at, revoked_at FROM invitations WHERE token_hash = $1",
                args![token_hash],
            )
            .await?;
        let Some(inv) = row.as_ref().map(invitation_from).transpose()? else {
            return Err(StoreError::Expired);
        };
        if inv.accepted_at.is_some() || inv.revoked_at.is_some() || inv.expires_at <= now {
            return Err(StoreError::Expired);
        }
        let user = match &invitee {
            Invitee::New(u) => {
                self.insert_user(&mut tx, u).await?;
                u.id
            }
            Invitee::Existing(id) => *id,
        };
        let existing = tx
            .row(
                "SELECT role FROM memberships WHERE user_id = $1 AND clinic_id = $2",
                args![user.0, inv.clinic.0],
            )
            .await?;
        if existing.is_some() {
            return Err(StoreError::Duplicate("membership"));
        }
        tx.exec(
            "INSERT INTO memberships (user_id, clinic_id, role, created_at) VALUES ($1, $2, $3, $4)",
            args![user.0, inv.clinic.0, inv.role.as_str(), now],
        )
        .await?;
        if let Some(client) = inv.client {
            let n = tx
                .exec(
                    "UPDATE clients SET portal_user_id = $1 WHERE id = $2 AND clinic_id = $3 AND portal_user_id IS NULL",
                    args![user.0, client.0, inv.clinic.0],
                )
                .await?;
            if n != 1 {
                return Err(StoreError::Expired);
            }
        }
        tx.exec(
            "UPDATE invitations SET accepted_at = $1 WHERE id = $2",
            args![now, inv.id.0],
        )
        .await?;
        self.finish(tx, audit).await?;
        Ok(user)
    }
}
