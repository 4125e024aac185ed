//! Signing in and out, sessions, the second-factor step, re-authentication.

use crate::context::{Ctx, Pending, Via};
use crate::secrets::{new_token, recovery_code_hash, token_hash};
use crate::{App, AppError, AppResult, blocking, passwords, totp};
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::identity::{Actor, Role};
use kith_store::{AuthSession, Membership, Throttle, User};
use time::{Duration, OffsetDateTime};

/// A fresh session: the token to put in the cookie, and what the person must still do.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub pending: Pending,
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// The one limiter every endpoint that takes a second-factor code shares (the sign-in step, the
/// recovery code, enrolment). It is apart from the password's, so that signing in again with the
/// password does not give a guesser fresh tries.
fn code_key(user: kith_domain::ids::UserId) -> String {
    format!("second-factor:{user}")
}

fn address_key(source: Option<&str>) -> Option<String> {
    source.map(|s| format!("address:{s}"))
}

fn secs(d: Duration) -> u64 {
    d.whole_seconds().max(1) as u64
}

/// What a person must still do, given the session's state.
pub(crate) fn pending_for(
    user: &User,
    role: Option<Role>,
    client_mfa_required: bool,
    second_factor_passed: bool,
) -> Pending {
    if second_factor_passed {
        return Pending::Nothing;
    }
    let staff = user.operator || role.is_some_and(Role::is_staff);
    if user.second_factor_enrolled {
        Pending::SecondFactor
    } else if staff || (role == Some(Role::Client) && client_mfa_required) {
        Pending::EnrolSecondFactor
    } else {
        Pending::Nothing
    }
}

impl App {
    fn anonymous_event(
        &self,
        action: AuditAction,
        outcome: Outcome,
        user: Option<&User>,
        source: Option<&str>,
        detail: &str,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now(),
            actor: user.map(|u| u.id),
            actor_role: None,
            clinic: None,
            client: None,
            object_type: "account".into(),
            object_id: None,
            action,
            outcome,
            source: source.map(str::to_string),
            detail: Some(detail.to_string()),
        }
    }

    /// Refuses while a key is locked or must wait; clears locks that have run out.
    async fn check_throttle(&self, key: &str, with_delay: bool) -> AppResult<()> {
        let now = self.now();
        let t: Throttle = self.store.throttle(key).await?;
        if let Some(until) = t.locked_until {
            if until > now {
                return Err(AppError::Throttled {
                    retry_after_secs: secs(until - now),
                });
            }
            self.store.clear_failures(key).await?;
            return Ok(());
        }
        if with_delay && t.failures >= self.limits.delay_after {
            let exp = (t.failures - self.limits.delay_after).min(10) as u32;
            let wait = Duration::seconds(1i64 << exp).min(self.limits.max_delay);
            if let Some(last) = t.last_failure_at
                && last + wait > now
            {
                return Err(AppError::Throttled {
                    retry_after_secs: secs(last + wait - now),
                });
            }
        }
        Ok(())
    }

    async fn count_failure(&self, email_key: &str, addr_key: Option<&str>) -> AppResult<()> {
        let now = self.now();
        self.store
            .record_failure(
                &[email_key.to_string()],
                now,
                self.limits.account_lock_after,
                self.limits.account_lock_for,
            )
            .await?;
        if let Some(a) = addr_key {
            self.store
                .record_failure(
                    &[a.to_string()],
                    now,
                    self.limits.address_lock_after,
                    self.limits.address_lock_for,
                )
                .await?;
        }
        Ok(())
    }

    /// Checks a password for a sign-in name, with throttling and equal treatment of unknown accounts.
    /// Returns the user when the password matches an account that may sign in.
    async fn check_password(
        &self,
        email_raw: &str,
        password: &str,
        source: Option<&str>,
    ) -> AppResult<User> {
        // A sign-in name that is not an email belongs to no account. Its throttle key is a digest:
        // the raw text may be huge or hold NUL bytes, which a database refuses to store.
        let email = kith_domain::text::email(email_raw).ok();
        let akey = match &email {
            Some(e) => account_key(e),
            None => format!("account:?{}", hex::encode(token_hash(email_raw))),
        };
        let ipkey = address_key(source);
        self.check_throttle(&akey, true).await?;
        if let Some(k) = &ipkey {
            self.check_throttle(k, false).await?;
        }
        let user = match &email {
            Some(e) => self.store.user_by_email(e).await?,
            None => None,
        };
        let usable = user
            .as_ref()
            .filter(|u| !u.disabled && u.password_hash.is_some());
        let stored = usable
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let candidate = kith_domain::password::normalize(password);
        let ok =
            blocking(move || passwords::verify(&candidate, &stored)).await? && usable.is_some();
        if !ok {
            self.count_failure(&akey, ipkey.as_deref()).await?;
            self.store
                .append_audit(&[self.anonymous_event(
                    AuditAction::LoginFailed,
                    Outcome::Failed,
                    user.as_ref(),
                    source,
                    "password",
                )])
                .await?;
            return Err(AppError::BadCredentials);
        }
        self.store.clear_failures(&akey).await?;
        let user = user.ok_or(AppError::BadCredentials)?;
        if let Some(h) = &user.password_hash
            && passwords::needs_upgrade(h)
        {
            let candidate = kith_domain::password::normalize(password);
            if let Ok(new_hash) = blocking(move || passwords::hash(&candidate)).await? {
                self.store.upgrade_password_hash(user.id, &new_hash).await?;
            }
        }
        Ok(user)
    }

    /// Checks a password without starting a session (accepting an invitation with an existing account).
    pub(crate) async fn sign_in_check_only(
        &self,
        email: &str,
        password: &str,
        source: Option<&str>,
    ) -> AppResult<kith_domain::ids::UserId> {
        Ok(self.check_password(email, password, source).await?.id)
    }

    /// The membership a new session acts in: the first active one (a person in several clinics
    /// switches later), or none for an operator without a clinic.
    async fn first_membership(&self, user: &User) -> AppResult<Option<Membership>> {
        let ms = self.store.memberships(user.id).await?;
        Ok(ms.into_iter().find(|m| !m.disabled))
    }

    fn new_session(
        &self,
        user: &User,
        m: Option<&Membership>,
        source: Option<&str>,
        user_agent: Option<&str>,
    ) -> (String, AuthSession) {
        let now = self.now();
        let token = new_token();
        let s = AuthSession {
            token_hash: token_hash(&token),
            user: user.id,
            clinic: m.map(|m| m.clinic),
            role: m.map(|m| m.role),
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.limits.absolute,
            second_factor_at: None,
            // Entering the password just now counts as re-authentication.
            reauth_at: Some(now),
            csrf_token: new_token(),
            source: source.map(str::to_string),
            user_agent: user_agent.map(|u| u.chars().take(200).collect()),
            ended_at: None,
        };
        (token, s)
    }

    /// Signs in with email and password. Unknown accounts, wrong passwords and accounts that cannot
    /// sign in get the same answer after the same work.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        source: Option<&str>,
        user_agent: Option<&str>,
    ) -> AppResult<SignedIn> {
        let user = self.check_password(email, password, source).await?;
        let m = self.first_membership(&user).await?;
        if m.is_none() && !user.operator {
            self.store
                .append_audit(&[self.anonymous_event(
                    AuditAction::LoginFailed,
                    Outcome::Denied,
                    Some(&user),
                    source,
                    "no active membership",
                )])
                .await?;
            return Err(AppError::BadCredentials);
        }
        let client_mfa = match &m {
            Some(m) => self
                .store
                .clinic(m.clinic)
                .await?
                .is_some_and(|c| c.settings.client_second_factor_required),
            None => false,
        };
        let (token, session) = self.new_session(&user, m.as_ref(), source, user_agent);
        self.store.create_session(session).await?;
        let mut e = self.anonymous_event(
            AuditAction::Login,
            Outcome::Success,
            Some(&user),
            source,
            "password",
        );
        e.clinic = m.as_ref().map(|m| m.clinic);
        e.actor_role = m
            .as_ref()
            .map(|m| m.role.as_str().to_string())
            .or(user.operator.then(|| "operator".to_string()));
        self.store.append_audit(&[e]).await?;
        Ok(SignedIn {
            token,
            pending: pending_for(&user, m.map(|m| m.role), client_mfa, false),
        })
    }

    /// Resolves a session cookie. Ends sessions that are idle too long or past their absolute
    /// lifetime, whose user was disabled or whose membership changed.
    pub async fn resolve_session(&self, token: &str, source: Option<&str>) -> AppResult<Ctx> {
        let now = self.now();
        let hash = token_hash(token);
        let Some(s) = self.store.session(hash).await? else {
            return Err(AppError::Unauthenticated);
        };
        if s.ended_at.is_some() {
            return Err(AppError::Unauthenticated);
        }
        let clinic = match s.clinic {
            Some(c) => self.store.clinic(c).await?,
            None => None,
        };
        let idle = clinic
            .as_ref()
            .map(|c| {
                Duration::minutes(i64::from(c.settings.idle_timeout_minutes)).min(self.limits.idle)
            })
            .unwrap_or(self.limits.idle);
        let end = |reason: &'static str| async move {
            self.store.end_session(hash, now).await?;
            let e = AuditEvent {
                at: now,
                actor: Some(s.user),
                actor_role: s.role.map(|r| r.as_str().to_string()),
                clinic: s.clinic,
                client: None,
                object_type: "session".into(),
                object_id: None,
                action: AuditAction::SessionEnded,
                outcome: Outcome::Success,
                source: source.map(str::to_string),
                detail: Some(reason.to_string()),
            };
            self.store.append_audit(&[e]).await?;
            Err::<Ctx, AppError>(AppError::Unauthenticated)
        };
        if now >= s.expires_at {
            return end("absolute timeout").await;
        }
        if now - s.last_seen_at >= idle {
            return end("idle timeout").await;
        }
        let Some(user) = self.store.user(s.user).await? else {
            return end("user gone").await;
        };
        if user.disabled {
            return end("user disabled").await;
        }
        let membership = match s.clinic {
            Some(c) => {
                let ms = self.store.memberships(user.id).await?;
                match ms.into_iter().find(|m| m.clinic == c) {
                    Some(m) if !m.disabled && Some(m.role) == s.role => Some(m),
                    _ => return end("membership changed").await,
                }
            }
            None => None,
        };
        self.store.touch_session(hash, now).await?;
        let client_mfa = clinic
            .as_ref()
            .is_some_and(|c| c.settings.client_second_factor_required);
        let pending = pending_for(&user, s.role, client_mfa, s.second_factor_at.is_some());
        let actor = Actor {
            user: user.id,
            membership: membership.map(|m| (m.clinic, m.role)),
            operator: user.operator,
            second_factor: s.second_factor_at.is_some(),
        };
        let open_alerts = if pending == Pending::Nothing && !actor.needs_second_factor() {
            self.open_alert_count(&actor).await?
        } else {
            0
        };
        Ok(Ctx {
            user,
            actor,
            clinic,
            pending,
            open_alerts,
            via: Via::Browser {
                token_hash: hash,
                csrf_token: s.csrf_token,
                reauth_at: s.reauth_at,
                expires_at: s.expires_at,
                last_seen_at: now,
            },
            source: source.map(str::to_string),
            now,
        })
    }

    /// Ends the caller's session.
    pub async fn sign_out(&self, ctx: &Ctx) -> AppResult<()> {
        if let Some(h) = ctx.session_hash() {
            self.store.end_session(h, self.now()).await?;
            self.store
                .append_audit(&[ctx.event(AuditAction::Logout, "session", None, None)])
                .await?;
        }
        Ok(())
    }

    /// Replaces the caller's session token with a new one (second-factor step, clinic switch),
    /// keeping its absolute expiry.
    pub(crate) async fn rotate(
        &self,
        ctx: &Ctx,
        clinic_role: Option<(kith_domain::ids::ClinicId, Role)>,
        second_factor: bool,
    ) -> AppResult<String> {
        let Via::Browser {
            token_hash: old,
            expires_at,
            ..
        } = &ctx.via
        else {
            return Err(AppError::Forbidden);
        };
        let now = self.now();
        let token = new_token();
        let s = AuthSession {
            token_hash: token_hash(&token),
            user: ctx.user.id,
            clinic: clinic_role.map(|c| c.0),
            role: clinic_role.map(|c| c.1),
            created_at: now,
            last_seen_at: now,
            expires_at: *expires_at,
            second_factor_at: second_factor.then_some(now),
            reauth_at: Some(now),
            csrf_token: new_token(),
            source: ctx.source.clone(),
            user_agent: None,
            ended_at: None,
        };
        self.store.rotate_session(*old, s, now).await?;
        Ok(token)
    }

    /// Before any second-factor code is checked: refuses while the account's code limiter says
    /// wait. Returns the limiter's key.
    pub(crate) async fn code_attempt(&self, ctx: &Ctx) -> AppResult<String> {
        let key = code_key(ctx.user.id);
        if let Err(e) = self.check_throttle(&key, true).await {
            let mut ev = ctx.event(AuditAction::SecondFactorFailed, "account", None, None);
            ev.outcome = Outcome::Denied;
            ev.detail = Some("throttled".into());
            self.store.append_audit(&[ev]).await?;
            return Err(e);
        }
        Ok(key)
    }

    /// A wrong second-factor code, on whichever endpoint: counted under the account's code
    /// limiter (and the address's) and audited.
    pub(crate) async fn code_failed(&self, ctx: &Ctx, key: &str, detail: &str) -> AppResult<()> {
        self.count_failure(key, address_key(ctx.source.as_deref()).as_deref())
            .await?;
        let mut e = ctx.event(AuditAction::SecondFactorFailed, "account", None, None);
        e.outcome = Outcome::Failed;
        e.detail = Some(detail.into());
        self.store.append_audit(&[e]).await?;
        Ok(())
    }

    /// The second-factor step: a code from the authenticator. Returns the new session token.
    pub async fn verify_second_factor(&self, ctx: &Ctx, code: &str) -> AppResult<String> {
        if !ctx.user.second_factor_enrolled {
            return Err(AppError::Forbidden);
        }
        let akey = self.code_attempt(ctx).await?;
        let secret = self
            .store
            .totp_secret(ctx.user.id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let now = self.now();
        let step = totp::check(&secret, code, now.unix_timestamp().max(0) as u64);
        let fresh = match step {
            Some(step) => self.store.use_totp_step(ctx.user.id, step as i64).await?,
            None => false,
        };
        if !fresh {
            let detail = if step.is_some() {
                "code already used"
            } else {
                "wrong code"
            };
            self.code_failed(ctx, &akey, detail).await?;
            return Err(AppError::invalid(
                "code",
                if step.is_some() {
                    "totp-used"
                } else {
                    "totp-wrong"
                },
            ));
        }
        self.store.clear_failures(&akey).await?;
        let token = self.rotate(ctx, ctx.actor.membership, true).await?;
        self.store
            .append_audit(&[ctx.event(AuditAction::SecondFactor, "account", None, None)])
            .await?;
        Ok(token)
    }

    /// The second-factor step with a one-time recovery code instead.
    pub async fn use_recovery_code(&self, ctx: &Ctx, code: &str) -> AppResult<String> {
        if !ctx.user.second_factor_enrolled {
            return Err(AppError::Forbidden);
        }
        let akey = self.code_attempt(ctx).await?;
        if !self
            .store
            .use_recovery_code(ctx.user.id, recovery_code_hash(code), self.now())
            .await?
        {
            self.code_failed(ctx, &akey, "wrong recovery code").await?;
            return Err(AppError::invalid("recovery_code", "recovery-code-wrong"));
        }
        self.store.clear_failures(&akey).await?;
        let token = self.rotate(ctx, ctx.actor.membership, true).await?;
        self.store
            .append_audit(&[ctx.event(AuditAction::RecoveryCodeUsed, "account", None, None)])
            .await?;
        Ok(token)
    }

    /// Enters the password again before a sensitive action.
    pub async fn reauthenticate(&self, ctx: &Ctx, password: &str) -> AppResult<()> {
        let user = self
            .check_password(&ctx.user.email, password, ctx.source.as_deref())
            .await?;
        if user.id != ctx.user.id {
            return Err(AppError::BadCredentials);
        }
        if let Some(h) = ctx.session_hash() {
            self.store.mark_reauthenticated(h, self.now()).await?;
        }
        Ok(())
    }

    /// Refuses unless the password was entered within the re-authentication window.
    pub fn require_recent_auth(&self, ctx: &Ctx) -> AppResult<()> {
        match &ctx.via {
            Via::Browser {
                reauth_at: Some(t), ..
            } if self.now() - *t <= self.limits.reauth => Ok(()),
            _ => Err(AppError::ReauthRequired),
        }
    }

    /// How long until the caller's session ends for inactivity (for the warning shown in pages).
    pub fn idle_remaining(&self, ctx: &Ctx) -> Option<Duration> {
        let idle = ctx
            .clinic
            .as_ref()
            .map(|c| {
                Duration::minutes(i64::from(c.settings.idle_timeout_minutes)).min(self.limits.idle)
            })
            .unwrap_or(self.limits.idle);
        match &ctx.via {
            Via::Browser {
                last_seen_at,
                expires_at,
                ..
            } => Some((*last_seen_at + idle).min(*expires_at) - self.now()),
            Via::Api { .. } => None,
        }
    }

    /// Timestamp helper for messages.
    pub fn session_expires_at(&self, ctx: &Ctx) -> Option<OffsetDateTime> {
        match &ctx.via {
            Via::Browser { expires_at, .. } => Some(*expires_at),
            Via::Api { .. } => None,
        }
    }
}
