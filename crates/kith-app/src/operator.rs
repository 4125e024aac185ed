//! What the server operator does from the command line: create accounts and API tokens. These run
//! with the operator's authority over the machine, and are audited like everything else.

use crate::account::second_factor_enforced;
use crate::secrets::{new_token, token_hash};
use crate::{App, AppError, AppResult, FieldError, blocking, passwords};
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::identity::Role;
use kith_domain::ids::{ApiTokenId, ClinicId, UserId};
use kith_domain::password::check_new;
use kith_domain::text;
use kith_store::{ApiToken, NewUser};
use uuid::Uuid;

impl App {
    fn operator_event(
        &self,
        action: AuditAction,
        clinic: Option<ClinicId>,
        object: &str,
        id: String,
        detail: String,
    ) -> AuditEvent {
        AuditEvent {
            at: self.now(),
            actor: None,
            actor_role: Some("operator".into()),
            clinic,
            client: None,
            object_type: object.into(),
            object_id: Some(id),
            action,
            outcome: Outcome::Success,
            source: Some("command line".into()),
            detail: Some(detail),
        }
    }

    /// The clinic a command means: the one named, or the only one there is.
    pub async fn resolve_clinic(&self, clinic: Option<ClinicId>) -> AppResult<ClinicId> {
        let clinics = self.store.clinics().await?;
        match clinic {
            Some(c) if clinics.iter().any(|k| k.id == c) => Ok(c),
            Some(_) => Err(AppError::invalid("clinic", "clinic-unknown")),
            None if clinics.len() == 1 => Ok(clinics[0].id),
            None if clinics.is_empty() => Err(AppError::invalid("clinic", "clinic-none-yet")),
            None => Err(AppError::invalid("clinic", "clinic-choose-one")),
        }
    }

    /// Creates an account with a membership (or an operator without one).
    pub async fn create_user_cli(
        &self,
        email: &str,
        name: &str,
        role: Option<Role>,
        clinic: Option<ClinicId>,
        operator: bool,
        password: &str,
    ) -> AppResult<UserId> {
        let mut errors: Vec<FieldError> = Vec::new();
        let email = text::email(email)
            .map_err(|p| errors.push(crate::setup::text_error("email", &p)))
            .ok();
        let name = text::name(name, 100)
            .map_err(|p| errors.push(crate::setup::text_error("name", &p)))
            .ok();
        let mfa = second_factor_enforced(operator, role, false);
        let pw = check_new(
            password,
            mfa,
            &[
                email.as_deref().unwrap_or(""),
                name.as_deref().unwrap_or(""),
                "kith",
            ],
        )
        .map_err(|p| errors.push(crate::account::password_error("password", &p)))
        .ok();
        let membership = match role {
            Some(r) => Some((self.resolve_clinic(clinic).await?, r)),
            None => None,
        };
        let (Some(email), Some(name), Some(pw)) = (email, name, pw) else {
            return Err(AppError::Invalid(errors));
        };
        let hash = blocking(move || passwords::hash(&pw))
            .await?
            .map_err(AppError::Internal)?;
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            email,
            display_name: name,
            password_hash: Some(hash),
            operator,
            locale: None,
            created_at: self.now(),
        };
        let id = user.id;
        let e = self.operator_event(
            AuditAction::PrivilegeChange,
            membership.map(|m| m.0),
            "account",
            id.to_string(),
            format!(
                "account created from the command line{}",
                role.map(|r| format!(" as {r}")).unwrap_or_default()
            ),
        );
        self.store.create_user(user, membership, &[e]).await?;
        Ok(id)
    }

    /// Creates an API token for a person's membership. Returns the token (shown once).
    pub async fn create_token_cli(
        &self,
        email: &str,
        name: &str,
        clinic: Option<ClinicId>,
    ) -> AppResult<String> {
        let email = text::email(email)
            .map_err(|p| AppError::Invalid(vec![crate::setup::text_error("email", &p)]))?;
        let user = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::invalid("email", "account-unknown"))?;
        let name = text::name(name, 80)
            .map_err(|p| AppError::Invalid(vec![crate::setup::text_error("name", &p)]))?;
        let ms: Vec<_> = self
            .store
            .memberships(user.id)
            .await?
            .into_iter()
            .filter(|m| !m.disabled)
            .collect();
        let m = match clinic {
            Some(c) => ms.into_iter().find(|m| m.clinic == c),
            None if ms.len() == 1 => ms.into_iter().next(),
            None => return Err(AppError::invalid("clinic", "clinic-choose-one")),
        }
        .ok_or_else(|| AppError::invalid("clinic", "clinic-unknown"))?;
        if m.role.is_staff() && !user.second_factor_enrolled {
            return Err(AppError::invalid("email", "token-needs-second-factor"));
        }
        let token = format!("kith_{}", new_token());
        let t = ApiToken {
            id: ApiTokenId(Uuid::now_v7()),
            user: user.id,
            clinic: m.clinic,
            role: m.role,
            name,
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut e = self.operator_event(
            AuditAction::TokenCreated,
            Some(m.clinic),
            "api_token",
            t.id.to_string(),
            "created from the command line".into(),
        );
        e.actor = Some(user.id);
        self.store
            .create_api_token(t, token_hash(&token), &[e])
            .await?;
        Ok(token)
    }
}

/// A clinic as the operator's list shows it.
#[derive(Debug, Clone)]
pub struct ClinicSummary {
    pub id: ClinicId,
    pub name: String,
    pub members: usize,
    pub created_at: time::OffsetDateTime,
}

impl App {
    /// Every clinic on this server (operator only): names and member counts, no clinical content.
    pub async fn operator_clinics(&self, ctx: &crate::Ctx) -> AppResult<Vec<ClinicSummary>> {
        self.authorize(
            ctx,
            kith_domain::policy::Action::OperateServer,
            kith_domain::policy::Resource::Nothing,
        )
        .await?;
        let mut out = Vec::new();
        for c in self.store.clinics().await? {
            let members = self.store.members(c.id).await?.len();
            out.push(ClinicSummary {
                id: c.id,
                name: c.name,
                members,
                created_at: c.created_at,
            });
        }
        Ok(out)
    }

    /// Creates a clinic and an invitation for its first administrator; returns the invitation token.
    pub async fn operator_create_clinic(
        &self,
        ctx: &crate::Ctx,
        name: &str,
        admin_email: &str,
    ) -> AppResult<String> {
        self.authorize(
            ctx,
            kith_domain::policy::Action::OperateServer,
            kith_domain::policy::Resource::Nothing,
        )
        .await?;
        let mut errors = Vec::new();
        let name = text::name(name, kith_domain::clinic::CLINIC_NAME_MAX)
            .map_err(|p| errors.push(crate::setup::text_error("name", &p)))
            .ok();
        let email = text::email(admin_email)
            .map_err(|p| errors.push(crate::setup::text_error("email", &p)))
            .ok();
        let (Some(name), Some(email)) = (name, email) else {
            return Err(AppError::Invalid(errors));
        };
        let now = self.now();
        let clinic = kith_store::NewClinic {
            id: ClinicId(Uuid::now_v7()),
            name,
            settings: Default::default(),
            created_at: now,
        };
        let id = clinic.id;
        let mut created = ctx.event(AuditAction::Setup, "clinic", Some(id.to_string()), None);
        created.clinic = Some(id);
        self.store.create_clinic(clinic, &[created]).await?;
        let token = new_token();
        let inv = kith_store::Invitation {
            id: kith_domain::ids::InvitationId(Uuid::now_v7()),
            clinic: id,
            email,
            role: Role::ClinicAdmin,
            client: None,
            created_by: ctx.user.id,
            created_at: now,
            expires_at: now + self.limits.invitation,
            accepted_at: None,
            revoked_at: None,
        };
        let mut invited = ctx.event(
            AuditAction::Create,
            "invitation",
            Some(inv.id.to_string()),
            None,
        );
        invited.clinic = Some(id);
        invited.detail = Some("first administrator of a new clinic".into());
        self.store
            .create_invitation(inv, token_hash(&token), &[invited])
            .await?;
        Ok(token)
    }
}
