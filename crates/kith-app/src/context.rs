//! Who is asking: the resolved session or API token behind a request.

use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::identity::{Actor, Role};
use kith_domain::ids::{ApiTokenId, ClientId, ClinicId};
use kith_store::{Clinic, User};
use time::OffsetDateTime;

/// What a signed-in person still has to do before they are fully signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Nothing,
    /// Enter a code from the authenticator (or a recovery code).
    SecondFactor,
    /// Set up an authenticator first (staff, or clients of a clinic that requires it).
    EnrolSecondFactor,
}

/// How the request authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Browser {
        token_hash: [u8; 32],
        csrf_token: String,
        reauth_at: Option<OffsetDateTime>,
        expires_at: OffsetDateTime,
        last_seen_at: OffsetDateTime,
    },
    Api {
        token: ApiTokenId,
    },
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: User,
    pub actor: Actor,
    pub clinic: Option<Clinic>,
    pub pending: Pending,
    pub via: Via,
    pub source: Option<String>,
    pub now: OffsetDateTime,
    /// Open safety alerts on this person's dashboard (a clinician's clients'; for a supervisor
    /// also the escalated ones of their supervisees), for the banner on every page. Counted for
    /// signed-in staff sessions that have passed the second factor; 0 otherwise (API calls too).
    pub open_alerts: usize,
}

impl Ctx {
    pub fn role(&self) -> Option<Role> {
        self.actor.role()
    }

    pub fn clinic_id(&self) -> Option<ClinicId> {
        self.actor.clinic()
    }

    pub fn session_hash(&self) -> Option<[u8; 32]> {
        match &self.via {
            Via::Browser { token_hash, .. } => Some(*token_hash),
            Via::Api { .. } => None,
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Browser { csrf_token, .. } => Some(csrf_token),
            Via::Api { .. } => None,
        }
    }

    /// The role name recorded in audit rows.
    pub fn role_label(&self) -> String {
        match (self.actor.role(), self.actor.operator) {
            (Some(r), _) => r.as_str().to_string(),
            (None, true) => "operator".to_string(),
            (None, false) => "none".to_string(),
        }
    }

    /// An audit event done by this caller.
    pub fn event(
        &self,
        action: AuditAction,
        object_type: &str,
        object_id: Option<String>,
        client: Option<ClientId>,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now,
            actor: Some(self.user.id),
            actor_role: Some(self.role_label()),
            clinic: self.clinic_id(),
            client,
            object_type: object_type.to_string(),
            object_id,
            action,
            outcome: Outcome::Success,
            source: self.source.clone(),
            detail: None,
        }
    }
}
