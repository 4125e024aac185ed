//! Records as storage hands them over. Sealed fields arrive here already opened; callers never see
//! ciphertext.

use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::{ApiTokenId, ClientId, ClinicId, InvitationId, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lower-cased, NFKC-normalised email: the sign-in name.
    pub email: String,
    pub display_name: String,
    /// PHC string (argon2id); `None` until the user sets one.
    pub password_hash: Option<String>,
    pub operator: bool,
    pub disabled: bool,
    pub locale: Option<String>,
    pub second_factor_enrolled: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub operator: bool,
    pub locale: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinic {
    pub id: ClinicId,
    pub name: String,
    pub settings: ClinicSettings,
    pub version: i64,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewClinic {
    pub id: ClinicId,
    pub name: String,
    pub settings: ClinicSettings,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub user: UserId,
    pub clinic: ClinicId,
    pub clinic_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
}

/// A member of a clinic as the admin pages list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub membership_disabled: bool,
    /// For clinicians: their supervisors.
    pub supervisors: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub clinic: ClinicId,
    pub email: String,
    pub role: Role,
    /// For a client's portal invitation: which client record the account joins.
    pub client: Option<ClientId>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// How the person accepting an invitation signs in afterwards.
#[derive(Debug, Clone)]
pub enum Invitee {
    /// A new account.
    New(NewUser),
    /// An existing account joins one more clinic.
    Existing(UserId),
}

/// A signed-in browser session. Only the hash of its token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    pub token_hash: [u8; 32],
    pub user: UserId,
    pub clinic: Option<ClinicId>,
    pub role: Option<Role>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// Absolute end of the session.
    pub expires_at: OffsetDateTime,
    /// When the second factor was passed in this session.
    pub second_factor_at: Option<OffsetDateTime>,
    /// When the password (or second factor) was last re-entered, for sensitive actions.
    pub reauth_at: Option<OffsetDateTime>,
    /// Per-session token every HTML form carries.
    pub csrf_token: String,
    pub source: Option<String>,
    pub user_agent: Option<String>,
    pub ended_at: Option<OffsetDateTime>,
}

/// Failed sign-in attempts under one key (an account or a source address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    pub failures: i64,
    pub last_failure_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub user: UserId,
    pub clinic: ClinicId,
    pub role: Role,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub clinic: ClinicId,
    /// May be a pseudonym.
    pub display_name: String,
    pub date_of_birth: Option<Date>,
    /// Sealed at rest.
    pub contact: Option<String>,
    pub portal_user: Option<UserId>,
    pub clinicians: Vec<UserId>,
    pub version: i64,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewClient {
    pub id: ClientId,
    pub clinic: ClinicId,
    pub display_name: String,
    pub date_of_birth: Option<Date>,
    pub contact: Option<String>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    /// The clinician who will care for the client, if any.
    pub assign_to: Option<UserId>,
}

/// The editable details of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDetails {
    pub display_name: String,
    pub date_of_birth: Option<Date>,
    pub contact: Option<String>,
}

/// Which clients a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientScope {
    /// Every client of the clinic (clinic admins: a directory without clinical content).
    Clinic,
    /// Clients assigned to this clinician.
    AssignedTo(UserId),
    /// Clients assigned to this user or to anyone this user supervises.
    Supervisor(UserId),
    /// Only the client whose portal account this is.
    Portal(UserId),
}

/// A row of a client list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub id: ClientId,
    pub display_name: String,
    pub clinicians: Vec<String>,
    pub created_at: OffsetDateTime,
}

/// The key that makes a create request safe to repeat.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub user: UserId,
    /// The operation, e.g. `POST /api/v1/clients`.
    pub route: &'static str,
    pub key: String,
    /// Hash of the request body as received.
    pub request_hash: [u8; 32],
    pub at: OffsetDateTime,
}

/// The outcome of a create that may have been a repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written<T> {
    /// Written now.
    Fresh(T),
    /// Written by an earlier request with the same key; this is what it returned.
    Replayed(T),
}

impl<T> Written<T> {
    pub fn value(&self) -> &T {
        match self {
            Written::Fresh(v) | Written::Replayed(v) => v,
        }
    }

    pub fn into_value(self) -> T {
        match self {
            Written::Fresh(v) | Written::Replayed(v) => v,
        }
    }

    pub fn is_fresh(&self) -> bool {
        matches!(self, Written::Fresh(_))
    }
}

/// Filters of the audit report.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub clinic: Option<ClinicId>,
    pub client: Option<ClientId>,
    pub actor: Option<UserId>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub limit: i64,
}
