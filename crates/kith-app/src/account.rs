//! A person's own account: password, second factor, sessions, API tokens, clinic, language.

use crate::context::{Ctx, Pending, Via};
use crate::secrets::{new_recovery_code, new_token, recovery_code_hash, token_hash};
use crate::{App, AppError, AppResult, FieldError, blocking, passwords, totp};
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::identity::Role;
use kith_domain::ids::{ApiTokenId, ClinicId};
use kith_domain::password::{PasswordProblem, check_new};
use kith_store::{ApiToken, AuthSession, Membership};
use uuid::Uuid;

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

/// A new API token: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct ApiTokenCreated {
    pub id: ApiTokenId,
    pub token: String,
}

pub(crate) fn password_error(field: &str, p: &PasswordProblem) -> FieldError {
    let e = FieldError::new(field, p.code());
    match p {
        PasswordProblem::TooShort { min } => e.with("min", min),
        PasswordProblem::TooLong { max } => e.with("max", max),
        PasswordProblem::ContainsContext { word } => e.with("word", word),
        PasswordProblem::Common => e,
    }
}

/// Whether a second factor is enforced for a person (which lowers the minimum password length).
pub(crate) fn second_factor_enforced(
    operator: bool,
    role: Option<Role>,
    client_mfa_required: bool,
) -> bool {
    operator || role.is_some_and(Role::is_staff) || client_mfa_required
}

impl App {
    /// Changes the caller's password. The current password must be given (that is the
    /// re-authentication); every other session of the person ends and every API token is
    /// revoked. Returns how many tokens were revoked, for the page to say so.
    pub async fn change_password(&self, ctx: &Ctx, current: &str, new: &str) -> AppResult<usize> {
        self.reauthenticate(ctx, current)
            .await
            .map_err(|e| match e {
                AppError::BadCredentials => AppError::invalid("current_password", "password-wrong"),
                other => other,
            })?;
        let mfa = second_factor_enforced(
            ctx.user.operator,
            ctx.role(),
            ctx.clinic
                .as_ref()
                .is_some_and(|c| c.settings.client_second_factor_required),
        ) || ctx.user.second_factor_enrolled;
        let clinic_name = ctx
            .clinic
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let normalized = check_new(
            new,
            mfa,
            &[
                &ctx.user.display_name,
                &ctx.user.email,
                &clinic_name,
                "kith",
            ],
        )
        .map_err(|p| AppError::Invalid(vec![password_error("new_password", &p)]))?;
        let hash = blocking(move || passwords::hash(&normalized))
            .await?
            .map_err(AppError::Internal)?;
        let live_tokens = self
            .store
            .api_tokens(ctx.user.id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        let mut e = ctx.event(
            AuditAction::PasswordChanged,
            "account",
            Some(ctx.user.id.to_string()),
            None,
        );
        e.detail = Some(format!(
            "other sessions ended; {live_tokens} API token(s) revoked"
        ));
        self.store
            .set_password(ctx.user.id, &hash, self.now(), ctx.session_hash(), &[e])
            .await?;
        Ok(live_tokens)
    }

    /// Starts (or restarts) authenticator enrolment. Replacing an existing second factor needs
    /// recent re-authentication.
    pub async fn start_enrolment(&self, ctx: &Ctx) -> AppResult<Enrolment> {
        let replacing = ctx.user.second_factor_enrolled;
        if ctx.pending == Pending::SecondFactor || (replacing && ctx.pending != Pending::Nothing) {
            // Enrolled but not yet verified in this session: verify first.
            return Err(AppError::SecondFactorRequired);
        }
        if replacing {
            self.require_recent_auth(ctx)?;
        }
        let secret = totp::new_secret();
        self.store.set_pending_totp(ctx.user.id, &secret).await?;
        if replacing {
            // The old factor is gone: no other session of this person may pick up the new one.
            self.store
                .end_all_sessions(ctx.user.id, self.now(), ctx.session_hash())
                .await?;
            let mut e = ctx.event(
                AuditAction::SecondFactorEnrolled,
                "account",
                Some(ctx.user.id.to_string()),
                None,
            );
            e.detail = Some("old authenticator removed; other sessions ended".into());
            self.store.append_audit(&[e]).await?;
        }
        self.enrolment_view(ctx, &secret)
    }

    /// The enrolment page for the secret already pending (reloading the page shows the same code).
    pub async fn pending_enrolment(&self, ctx: &Ctx) -> AppResult<Option<Enrolment>> {
        if ctx.user.second_factor_enrolled {
            return Ok(None);
        }
        match self.store.totp_secret(ctx.user.id).await? {
            Some(secret) => self.enrolment_view(ctx, &secret).map(Some),
            None => Ok(None),
        }
    }

    fn enrolment_view(&self, ctx: &Ctx, secret: &[u8]) -> AppResult<Enrolment> {
        let account = ctx.user.email.clone();
        Ok(Enrolment {
            secret_base32: totp::secret_base32(secret),
            otpauth_url: totp::otpauth_url(secret, &account)
                .ok_or_else(|| AppError::Internal("otpauth url".into()))?,
            qr_svg: totp::qr_svg(secret, &account)
                .ok_or_else(|| AppError::Internal("qr code".into()))?,
        })
    }

    /// Confirms enrolment with a first code. Returns the new session token and ten recovery codes
    /// (shown once). Every other session of the person ends.
    pub async fn confirm_enrolment(
        &self,
        ctx: &Ctx,
        code: &str,
    ) -> AppResult<(String, Vec<String>)> {
        // Only an account without a factor enrols. Someone who has one and wants another first
        // passes the current one and re-enters the password (`start_enrolment` drops the old
        // factor then), so this never checks a code against a factor already in use.
        if ctx.user.second_factor_enrolled {
            let mut e = ctx.event(AuditAction::SecondFactorFailed, "account", None, None);
            e.outcome = Outcome::Denied;
            e.detail = Some("enrolment refused: a second factor is already set up".into());
            self.store.append_audit(&[e]).await?;
            return Err(AppError::Forbidden);
        }
        let key = self.code_attempt(ctx).await?;
        let secret = self
            .store
            .totp_secret(ctx.user.id)
            .await?
            .ok_or(AppError::Expired)?;
        let now = self.now();
        let Some(step) = totp::check(&secret, code, now.unix_timestamp().max(0) as u64) else {
            self.code_failed(ctx, &key, "wrong enrolment code").await?;
            return Err(AppError::invalid("code", "totp-wrong"));
        };
        if !self.store.use_totp_step(ctx.user.id, step as i64).await? {
            self.code_failed(ctx, &key, "enrolment code already used")
                .await?;
            return Err(AppError::invalid("code", "totp-used"));
        }
        self.store.clear_failures(&key).await?;
        let codes: Vec<String> = (0..10).map(|_| new_recovery_code()).collect();
        let hashes: Vec<[u8; 32]> = codes.iter().map(|c| recovery_code_hash(c)).collect();
        let e = ctx.event(
            AuditAction::SecondFactorEnrolled,
            "account",
            Some(ctx.user.id.to_string()),
            None,
        );
        self.store
            .confirm_totp(ctx.user.id, now, &hashes, ctx.session_hash(), &[e])
            .await?;
        let token = self.rotate(ctx, ctx.actor.membership, true).await?;
        Ok((token, codes))
    }

    pub async fn recovery_codes_left(&self, ctx: &Ctx) -> AppResult<i64> {
        Ok(self.store.recovery_codes_left(ctx.user.id).await?)
    }

    /// The caller's open sessions.
    pub async fn my_sessions(&self, ctx: &Ctx) -> AppResult<Vec<AuthSession>> {
        Ok(self.store.sessions_of(ctx.user.id, self.now()).await?)
    }

    /// Ends one of the caller's sessions, named by the hex of its hash.
    pub async fn end_my_session(&self, ctx: &Ctx, handle: &str) -> AppResult<()> {
        let raw = hex::decode(handle).map_err(|_| AppError::NotFound)?;
        let h: [u8; 32] = raw.try_into().map_err(|_| AppError::NotFound)?;
        let e = ctx.event(AuditAction::SessionEnded, "session", None, None);
        self.store
            .end_session_of_user(ctx.user.id, h, self.now(), &[e])
            .await?;
        Ok(())
    }

    /// The clinics the caller belongs to.
    pub async fn my_memberships(&self, ctx: &Ctx) -> AppResult<Vec<Membership>> {
        Ok(self
            .store
            .memberships(ctx.user.id)
            .await?
            .into_iter()
            .filter(|m| !m.disabled)
            .collect())
    }

    /// Acts in another of the caller's clinics: a new session token (a privilege change).
    pub async fn switch_clinic(&self, ctx: &Ctx, clinic: ClinicId) -> AppResult<String> {
        let m = self
            .store
            .memberships(ctx.user.id)
            .await?
            .into_iter()
            .find(|m| m.clinic == clinic && !m.disabled)
            .ok_or(AppError::NotFound)?;
        let token = self
            .rotate(ctx, Some((m.clinic, m.role)), ctx.actor.second_factor)
            .await?;
        let mut e = ctx.event(
            AuditAction::PrivilegeChange,
            "session",
            Some(clinic.to_string()),
            None,
        );
        e.detail = Some(format!("acts as {} in clinic", m.role));
        self.store.append_audit(&[e]).await?;
        Ok(token)
    }

    pub async fn set_locale(&self, ctx: &Ctx, locale: Option<&str>) -> AppResult<()> {
        Ok(self.store.set_locale(ctx.user.id, locale).await?)
    }

    /// Creates a named API token for the caller's current clinic and role. Needs a browser session
    /// with a passed second factor (for staff) and recent re-authentication.
    pub async fn create_api_token(&self, ctx: &Ctx, name: &str) -> AppResult<ApiTokenCreated> {
        if !matches!(ctx.via, Via::Browser { .. }) {
            return Err(AppError::Forbidden);
        }
        if ctx.pending != Pending::Nothing {
            return Err(AppError::SecondFactorRequired);
        }
        self.require_recent_auth(ctx)?;
        let name = kith_domain::text::name(name, 80).map_err(|p| {
            AppError::Invalid(vec![FieldError::new("name", p.code()).with("max", 80)])
        })?;
        let (clinic, role) = ctx.actor.membership.ok_or(AppError::Forbidden)?;
        let token = format!("kith_{}", new_token());
        let t = ApiToken {
            id: ApiTokenId(Uuid::now_v7()),
            user: ctx.user.id,
            clinic,
            role,
            name,
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let id = t.id;
        let e = ctx.event(
            AuditAction::TokenCreated,
            "api_token",
            Some(id.to_string()),
            None,
        );
        self.store
            .create_api_token(t, token_hash(&token), &[e])
            .await?;
        Ok(ApiTokenCreated { id, token })
    }

    pub async fn api_tokens(&self, ctx: &Ctx) -> AppResult<Vec<ApiToken>> {
        Ok(self.store.api_tokens(ctx.user.id).await?)
    }

    pub async fn revoke_api_token(&self, ctx: &Ctx, id: ApiTokenId) -> AppResult<()> {
        let e = ctx.event(
            AuditAction::TokenRevoked,
            "api_token",
            Some(id.to_string()),
            None,
        );
        self.store
            .revoke_api_token(ctx.user.id, id, self.now(), &[e])
            .await?;
        Ok(())
    }

    /// Resolves a bearer token from the API. Revoked tokens, disabled people and changed memberships
    /// are refused.
    pub async fn resolve_api_token(&self, bearer: &str, source: Option<&str>) -> AppResult<Ctx> {
        let now = self.now();
        let Some(t) = self.store.api_token(token_hash(bearer)).await? else {
            return Err(AppError::Unauthenticated);
        };
        if t.revoked_at.is_some() {
            return Err(AppError::Unauthenticated);
        }
        let user = self
            .store
            .user(t.user)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if user.disabled {
            return Err(AppError::Unauthenticated);
        }
        let m = self
            .store
            .memberships(user.id)
            .await?
            .into_iter()
            .find(|m| m.clinic == t.clinic);
        match m {
            Some(m) if !m.disabled && m.role == t.role => {}
            _ => {
                let e = AuditEvent {
                    at: now,
                    actor: Some(user.id),
                    actor_role: Some(t.role.as_str().into()),
                    clinic: Some(t.clinic),
                    client: None,
                    object_type: "api_token".into(),
                    object_id: Some(t.id.to_string()),
                    action: AuditAction::Login,
                    outcome: Outcome::Denied,
                    source: source.map(str::to_string),
                    detail: Some("membership changed".into()),
                };
                self.store.append_audit(&[e]).await?;
                return Err(AppError::Unauthenticated);
            }
        }
        self.store.touch_api_token(t.id, now).await?;
        let clinic = self.store.clinic(t.clinic).await?;
        Ok(Ctx {
            actor: kith_domain::identity::Actor {
                user: user.id,
                membership: Some((t.clinic, t.role)),
                operator: user.operator,
                // Tokens are made only from sessions that passed the second factor.
                second_factor: true,
            },
            user,
            clinic,
            pending: Pending::Nothing,
            open_alerts: 0,
            via: Via::Api { token: t.id },
            source: source.map(str::to_string),
            now,
        })
    }
}
