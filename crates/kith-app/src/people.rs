//! Clinic members: invitations, roles, disabling, supervision, assignments of clients.

use crate::account::{password_error, second_factor_enforced};
use crate::secrets::{new_token, token_hash};
use crate::setup::text_error;
use crate::{App, AppError, AppResult, Ctx, blocking, passwords};
use kith_domain::audit::AuditAction;
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, InvitationId, UserId};
use kith_domain::password::check_new;
use kith_domain::policy::{Action, Resource};
use kith_domain::text;
use kith_store::{Invitation, Invitee, Member, NewUser};
use uuid::Uuid;

/// What the invitation page shows to the person invited.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub clinic_name: String,
    pub email: String,
    pub role: Role,
    /// The email already has an account: accepting checks its password. Never shown on the
    /// invitation page, which looks the same either way.
    pub existing_account: bool,
    pub client_mfa_required: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NewMemberInput {
    pub display_name: String,
    pub password: String,
}

impl App {
    fn clinic_of(&self, ctx: &Ctx) -> AppResult<kith_domain::ids::ClinicId> {
        ctx.clinic_id().ok_or(AppError::Forbidden)
    }

    pub async fn members(&self, ctx: &Ctx) -> AppResult<Vec<Member>> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        Ok(self.store.members(clinic).await?)
    }

    pub async fn invitations(&self, ctx: &Ctx) -> AppResult<Vec<Invitation>> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        Ok(self.store.invitations(clinic).await?)
    }

    /// Invites staff by email. Returns the raw link token (shown once, to be passed on by the admin).
    pub async fn invite_staff(&self, ctx: &Ctx, email: &str, role: Role) -> AppResult<String> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        if role == Role::Client {
            return Err(AppError::invalid("role", "role-not-allowed"));
        }
        self.invite(ctx, email, role, None).await
    }

    /// Invites a client to the portal of their own record.
    pub async fn invite_client(
        &self,
        ctx: &Ctx,
        client: ClientId,
        email: &str,
    ) -> AppResult<String> {
        self.client_access(ctx, client, Action::EditClient).await?;
        self.invite(ctx, email, Role::Client, Some(client)).await
    }

    async fn invite(
        &self,
        ctx: &Ctx,
        email: &str,
        role: Role,
        client: Option<ClientId>,
    ) -> AppResult<String> {
        let clinic = self.clinic_of(ctx)?;
        let email =
            text::email(email).map_err(|p| AppError::Invalid(vec![text_error("email", &p)]))?;
        let token = new_token();
        let now = self.now();
        let inv = Invitation {
            id: InvitationId(Uuid::now_v7()),
            clinic,
            email,
            role,
            client,
            created_by: ctx.user.id,
            created_at: now,
            expires_at: now + self.limits.invitation,
            accepted_at: None,
            revoked_at: None,
        };
        let mut e = ctx.event(
            AuditAction::Create,
            "invitation",
            Some(inv.id.to_string()),
            client,
        );
        e.detail = Some(format!("role {role}"));
        self.store
            .create_invitation(inv, token_hash(&token), &[e])
            .await?;
        Ok(token)
    }

    pub async fn revoke_invitation(&self, ctx: &Ctx, id: InvitationId) -> AppResult<()> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        let e = ctx.event(
            AuditAction::Delete,
            "invitation",
            Some(id.to_string()),
            None,
        );
        Ok(self
            .store
            .revoke_invitation(clinic, id, self.now(), &[e])
            .await?)
    }

    /// What an invitation link offers, if it is still valid.
    pub async fn invitation(&self, token: &str) -> AppResult<InvitationView> {
        let inv = self
            .store
            .invitation_by_token(token_hash(token))
            .await?
            .ok_or(AppError::Expired)?;
        if inv.accepted_at.is_some() || inv.revoked_at.is_some() || inv.expires_at <= self.now() {
            return Err(AppError::Expired);
        }
        let clinic = self
            .store
            .clinic(inv.clinic)
            .await?
            .ok_or(AppError::Expired)?;
        let existing = self.store.user_by_email(&inv.email).await?.is_some();
        Ok(InvitationView {
            clinic_name: clinic.name,
            email: inv.email,
            role: inv.role,
            existing_account: existing,
            client_mfa_required: clinic.settings.client_second_factor_required,
        })
    }

    /// Accepts an invitation: a new account with a password, or (for an email that already has an
    /// account) the existing account after its password is checked.
    pub async fn accept_invitation(
        &self,
        token: &str,
        input: NewMemberInput,
        source: Option<&str>,
    ) -> AppResult<UserId> {
        let view = self.invitation(token).await?;
        let now = self.now();
        let e_base = |user: UserId| kith_domain::audit::AuditEvent {
            at: now,
            actor: Some(user),
            actor_role: Some(view.role.as_str().into()),
            clinic: None,
            client: None,
            object_type: "membership".into(),
            object_id: Some(user.to_string()),
            action: AuditAction::PrivilegeChange,
            outcome: kith_domain::audit::Outcome::Success,
            source: source.map(str::to_string),
            detail: Some(format!("invitation accepted as {}", view.role)),
        };
        if view.existing_account {
            let user = self
                .check_password_for_invite(&view.email, &input.password, source)
                .await
                .map_err(|_| AppError::invalid("password", "password-wrong"))?;
            let id = self
                .store
                .accept_invitation(
                    token_hash(token),
                    now,
                    Invitee::Existing(user),
                    &[e_base(user)],
                )
                .await?;
            return Ok(id);
        }
        // The page is the same whether or not the email has an account (another clinic must not
        // learn that it does), so the name is asked of everyone and checked only for new accounts.
        let mut errors = Vec::new();
        let name = text::name(&input.display_name, 100)
            .map_err(|p| errors.push(text_error("display_name", &p)))
            .ok();
        let mfa = second_factor_enforced(false, Some(view.role), view.client_mfa_required);
        let pw = check_new(
            &input.password,
            mfa,
            &[&input.display_name, &view.email, &view.clinic_name, "kith"],
        )
        .map_err(|p| errors.push(password_error("password", &p)))
        .ok();
        let (Some(name), Some(pw)) = (name, pw) else {
            return Err(AppError::Invalid(errors));
        };
        let hash = blocking(move || passwords::hash(&pw))
            .await?
            .map_err(AppError::Internal)?;
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            email: view.email.clone(),
            display_name: name,
            password_hash: Some(hash),
            operator: false,
            locale: None,
            created_at: now,
        };
        let id = user.id;
        self.store
            .accept_invitation(token_hash(token), now, Invitee::New(user), &[e_base(id)])
            .await?;
        Ok(id)
    }

    async fn check_password_for_invite(
        &self,
        email: &str,
        password: &str,
        source: Option<&str>,
    ) -> AppResult<UserId> {
        let signed = self.sign_in_check_only(email, password, source).await?;
        Ok(signed)
    }

    pub async fn set_member_disabled(
        &self,
        ctx: &Ctx,
        user: UserId,
        disabled: bool,
    ) -> AppResult<()> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        if user == ctx.user.id {
            return Err(AppError::invalid("user", "cannot-change-self"));
        }
        let mut e = ctx.event(
            AuditAction::PrivilegeChange,
            "membership",
            Some(user.to_string()),
            None,
        );
        e.detail = Some(if disabled { "disabled" } else { "enabled" }.into());
        Ok(self
            .store
            .set_member_disabled(clinic, user, disabled, self.now(), &[e])
            .await?)
    }

    pub async fn set_member_role(&self, ctx: &Ctx, user: UserId, role: Role) -> AppResult<()> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        if user == ctx.user.id {
            return Err(AppError::invalid("user", "cannot-change-self"));
        }
        if role == Role::Client {
            return Err(AppError::invalid("role", "role-not-allowed"));
        }
        let mut e = ctx.event(
            AuditAction::PrivilegeChange,
            "membership",
            Some(user.to_string()),
            None,
        );
        e.detail = Some(format!("role set to {role}"));
        Ok(self
            .store
            .set_member_role(clinic, user, role, self.now(), &[e])
            .await?)
    }

    pub async fn set_supervision(
        &self,
        ctx: &Ctx,
        supervisor: UserId,
        clinician: UserId,
        on: bool,
    ) -> AppResult<()> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::ManageMembers, Resource::Clinic(clinic))
            .await?;
        let mut e = ctx.event(
            AuditAction::PrivilegeChange,
            "supervision",
            Some(format!("{supervisor}->{clinician}")),
            None,
        );
        e.detail = Some(
            if on {
                "supervision added"
            } else {
                "supervision removed"
            }
            .into(),
        );
        self.store
            .set_supervision(clinic, supervisor, clinician, on, self.now(), &[e])
            .await
            .map_err(|err| match err {
                kith_store::StoreError::NotFound => {
                    AppError::invalid("supervisor", "supervision-roles")
                }
                other => other.into(),
            })
    }

    pub async fn assign_client(
        &self,
        ctx: &Ctx,
        client: ClientId,
        clinician: UserId,
        on: bool,
    ) -> AppResult<()> {
        let clinic = self.clinic_of(ctx)?;
        self.authorize(ctx, Action::AssignClients, Resource::Clinic(clinic))
            .await?;
        let mut e = ctx.event(
            AuditAction::PrivilegeChange,
            "assignment",
            Some(clinician.to_string()),
            Some(client),
        );
        e.detail = Some(if on { "assigned" } else { "unassigned" }.into());
        Ok(self
            .store
            .assign_client(clinic, client, clinician, on, self.now(), &[e])
            .await?)
    }
}
