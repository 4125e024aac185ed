//! The storage port, one trait per area of use. Every method that changes or reads clinical data takes
//! the audit events to record and writes them in the same transaction: an action is never stored
//! without its audit row, and an audit row never describes an action that did not happen.

use crate::error::StoreResult;
use crate::records::*;
use async_trait::async_trait;
use kith_domain::audit::{Anchor, AuditEvent, ChainedEvent};
use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::{ApiTokenId, ClientId, ClinicId, InvitationId, UserId};
use kith_domain::policy::ClientFacts;
use std::path::Path;
use time::OffsetDateTime;

/// Operations on the database as a whole.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Cheap liveness check.
    async fn ping(&self) -> StoreResult<()>;
    /// Problems found by the database's own consistency check (empty when healthy).
    async fn integrity_problems(&self) -> StoreResult<Vec<String>>;
    /// Row count of every table, in a stable order.
    async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>>;
    /// Writes a consistent copy of the database to `dest` (SQLite); PostgreSQL answers
    /// `Refused` with the `pg_dump` command to use instead.
    async fn backup_to(&self, dest: &Path) -> StoreResult<()>;
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
    /// Whether any user exists (a fresh install has none).
    async fn has_users(&self) -> StoreResult<bool>;
    /// Replaces any unused first-administrator setup token with a new one.
    async fn create_setup_token(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Uses a setup token: creates the first clinic and its administrator (also server operator).
    /// `Expired` when the token is unknown, used or past its expiry.
    async fn complete_setup(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        clinic: NewClinic,
        admin: NewUser,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    /// Creates a user, optionally with a membership. `Duplicate("email")` when the email is taken.
    async fn create_user(
        &self,
        user: NewUser,
        membership: Option<(ClinicId, Role)>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Sets a new password hash, ends every session of the user except `keep` and revokes every
    /// API token of the user.
    async fn set_password(
        &self,
        user: UserId,
        hash: &str,
        now: OffsetDateTime,
        keep: Option<[u8; 32]>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Replaces a hash with a stronger one of the same password (no audit, no session change).
    async fn upgrade_password_hash(&self, user: UserId, hash: &str) -> StoreResult<()>;
    async fn set_locale(&self, user: UserId, locale: Option<&str>) -> StoreResult<()>;
    async fn memberships(&self, user: UserId) -> StoreResult<Vec<Membership>>;
    async fn members(&self, clinic: ClinicId) -> StoreResult<Vec<Member>>;
    /// Disables or re-enables a member in a clinic; disabling ends their sessions in that clinic.
    async fn set_member_disabled(
        &self,
        clinic: ClinicId,
        user: UserId,
        disabled: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Changes a member's role; ends their sessions in that clinic.
    async fn set_member_role(
        &self,
        clinic: ClinicId,
        user: UserId,
        role: Role,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn set_supervision(
        &self,
        clinic: ClinicId,
        supervisor: UserId,
        clinician: UserId,
        on: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn create_invitation(
        &self,
        inv: Invitation,
        token_hash: [u8; 32],
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn invitation_by_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<Invitation>>;
    async fn invitations(&self, clinic: ClinicId) -> StoreResult<Vec<Invitation>>;
    async fn revoke_invitation(
        &self,
        clinic: ClinicId,
        id: InvitationId,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Uses an invitation once: creates or links the account and its membership. `Expired` when
    /// used, revoked or past expiry.
    async fn accept_invitation(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        invitee: Invitee,
        audit: &[AuditEvent],
    ) -> StoreResult<UserId>;
}

#[async_trait]
pub trait AuthStore: Send + Sync {
    async fn create_session(&self, session: AuthSession) -> StoreResult<()>;
    /// Ends `old` and creates `new` in one step (token rotation on sign-in steps and role changes).
    async fn rotate_session(
        &self,
        old: [u8; 32],
        new: AuthSession,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<AuthSession>>;
    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()>;
    async fn mark_reauthenticated(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn end_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()>;
    /// Ends a session of `user` named by a prefix-free handle (hex of its hash), for "sign out" on
    /// the sessions page.
    async fn end_session_of_user(
        &self,
        user: UserId,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn end_all_sessions(
        &self,
        user: UserId,
        now: OffsetDateTime,
        keep: Option<[u8; 32]>,
    ) -> StoreResult<()>;
    /// Open sessions of a user, newest first.
    async fn sessions_of(&self, user: UserId, now: OffsetDateTime)
    -> StoreResult<Vec<AuthSession>>;

    async fn throttle(&self, key: &str) -> StoreResult<Throttle>;
    /// Counts one failure under each key; a key whose count reaches `lock_after` is locked until
    /// `now + lock_for`. Returns the new state of each key.
    async fn record_failure(
        &self,
        keys: &[String],
        now: OffsetDateTime,
        lock_after: i64,
        lock_for: time::Duration,
    ) -> StoreResult<Vec<Throttle>>;
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;

    /// Stores a not-yet-confirmed TOTP secret (sealed).
    async fn set_pending_totp(&self, user: UserId, secret: &[u8]) -> StoreResult<()>;
    /// The user's TOTP secret (pending or confirmed), opened.
    async fn totp_secret(&self, user: UserId) -> StoreResult<Option<Vec<u8>>>;
    /// Confirms enrolment and replaces the recovery codes (hashes); ends other sessions.
    async fn confirm_totp(
        &self,
        user: UserId,
        now: OffsetDateTime,
        recovery_hashes: &[[u8; 32]],
        keep: Option<[u8; 32]>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Records that the code of time step `step` was used; false if that step or a later one
    /// was already used (a replayed code).
    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    /// Marks a recovery code used; false if unknown or already used.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<i64>;

    async fn create_api_token(
        &self,
        token: ApiToken,
        token_hash: [u8; 32],
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn api_token(&self, token_hash: [u8; 32]) -> StoreResult<Option<ApiToken>>;
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_api_token(
        &self,
        user: UserId,
        id: ApiTokenId,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn touch_api_token(&self, id: ApiTokenId, now: OffsetDateTime) -> StoreResult<()>;
}

/// Called with the trail's new head after every commit that appended audit rows.
pub type AuditListener = std::sync::Arc<dyn Fn(Anchor) + Send + Sync>;

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends events on their own (sign-in attempts, refusals).
    async fn append_audit(&self, events: &[AuditEvent]) -> StoreResult<()>;
    /// Registers the function told the new head after each commit of audit rows (the composition
    /// root keeps the anchor outside the database current with it). One listener; a second
    /// replaces the first.
    fn on_audit_commit(&self, listener: AuditListener);
    async fn audit_head(&self) -> StoreResult<Option<Anchor>>;
    /// Rows with `seq > after`, in order, at most `limit`.
    async fn audit_rows(&self, after: i64, limit: i64) -> StoreResult<Vec<ChainedEvent>>;
    /// The audit report, newest first.
    async fn audit_report(&self, filter: &AuditFilter) -> StoreResult<Vec<ChainedEvent>>;
}

#[async_trait]
pub trait ClinicStore: Send + Sync {
    async fn clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>>;
    async fn clinics(&self) -> StoreResult<Vec<Clinic>>;
    async fn create_clinic(&self, clinic: NewClinic, audit: &[AuditEvent]) -> StoreResult<()>;
    /// Updates name and settings if the clinic is still at `expected_version`.
    async fn update_clinic(
        &self,
        id: ClinicId,
        name: &str,
        settings: &ClinicSettings,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Clinic>;
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    async fn register_client(
        &self,
        client: NewClient,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<ClientId>>;
    async fn clients(
        &self,
        clinic: ClinicId,
        scope: ClientScope,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<ClientSummary>>;
    /// One client of `clinic` (never of another clinic); `audit` records the read.
    async fn client(
        &self,
        clinic: ClinicId,
        id: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Client>>;
    /// What the authorisation policy needs to know about a client.
    async fn client_facts(
        &self,
        clinic: ClinicId,
        id: ClientId,
    ) -> StoreResult<Option<ClientFacts>>;
    async fn update_client(
        &self,
        clinic: ClinicId,
        id: ClientId,
        details: &ClientDetails,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Client>;
    async fn assign_client(
        &self,
        clinic: ClinicId,
        client: ClientId,
        clinician: UserId,
        on: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
}

/// Everything Kith stores. Application code holds an `Arc<dyn Store>`.
pub trait Store:
    AdminStore
    + IdentityStore
    + AuthStore
    + AuditStore
    + ClinicStore
    + ClientStore
    + crate::MeasureStore
    + crate::CourseStore
{
}

impl<T> Store for T where
    T: AdminStore
        + IdentityStore
        + AuthStore
        + AuditStore
        + ClinicStore
        + ClientStore
        + crate::MeasureStore
        + crate::CourseStore
{
}
