//! Registering and finding clients.

use crate::setup::text_error;
use crate::{App, AppError, AppResult, Ctx};
use kith_domain::audit::AuditAction;
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, UserId};
use kith_domain::policy::{Action, Resource};
use kith_domain::text;
use kith_store::{
    Client, ClientDetails, ClientScope, ClientSummary, Idempotency, NewClient, Written,
};
use time::Date;
use uuid::Uuid;

/// What a form or API body gives to register or edit a client.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    /// May be a pseudonym.
    pub display_name: String,
    pub date_of_birth: Option<Date>,
    pub contact: Option<String>,
}

pub const CLIENT_NAME_MAX: usize = 100;
pub const CONTACT_MAX: usize = 500;

/// Checks a client's details, listing every problem.
pub fn check_client_input(input: &ClientInput, today: Date) -> AppResult<ClientDetails> {
    let mut errors = Vec::new();
    let name = text::name(&input.display_name, CLIENT_NAME_MAX)
        .map_err(|p| errors.push(text_error("display_name", &p)))
        .ok();
    if let Some(d) = input.date_of_birth
        && (d > today || d.year() < 1900)
    {
        errors.push(crate::FieldError::new("date_of_birth", "date-out-of-range"));
    }
    let contact = match input
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => text::multiline(c, CONTACT_MAX)
            .map_err(|p| errors.push(text_error("contact", &p)))
            .ok(),
        None => None,
    };
    match name {
        Some(display_name) if errors.is_empty() => Ok(ClientDetails {
            display_name,
            date_of_birth: input.date_of_birth,
            contact,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

impl App {
    /// Registers a client. A clinician registering becomes the client's clinician.
    pub async fn register_client(
        &self,
        ctx: &Ctx,
        input: &ClientInput,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<ClientId>> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::RegisterClient, Resource::Clinic(clinic))
            .await?;
        let details = check_client_input(input, self.now().date())?;
        let id = ClientId(Uuid::now_v7());
        let assign_to =
            matches!(ctx.role(), Some(Role::Clinician | Role::Supervisor)).then_some(ctx.user.id);
        let e = ctx.event(
            AuditAction::Create,
            "client",
            Some(id.to_string()),
            Some(id),
        );
        let new = NewClient {
            id,
            clinic,
            display_name: details.display_name,
            date_of_birth: details.date_of_birth,
            contact: details.contact,
            created_by: ctx.user.id,
            created_at: self.now(),
            assign_to,
        };
        Ok(self.store.register_client(new, idem.as_ref(), &[e]).await?)
    }

    /// The clients the caller may see: their own caseload, their supervisees', or the clinic's
    /// directory for admins.
    pub async fn clients(&self, ctx: &Ctx) -> AppResult<Vec<ClientSummary>> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ListClients, Resource::Clinic(clinic))
            .await?;
        let scope = match ctx.role() {
            Some(Role::ClinicAdmin) => ClientScope::Clinic,
            Some(Role::Supervisor) => ClientScope::Supervisor(ctx.user.id),
            Some(Role::Clinician) => ClientScope::AssignedTo(ctx.user.id),
            _ => return Err(AppError::Forbidden),
        };
        let e = ctx.event(AuditAction::Query, "client_list", None, None);
        Ok(self.store.clients(clinic, scope, &[e]).await?)
    }

    /// The record a portal account belongs to: the caller's own, for a client signed in to the
    /// portal. Staff have no such record (`Forbidden`).
    pub async fn my_record(&self, ctx: &Ctx) -> AppResult<ClientId> {
        let clinic = ctx.clinic_id().ok_or(AppError::NotFound)?;
        if ctx.role() != Some(Role::Client) {
            return Err(AppError::Forbidden);
        }
        // Which record is theirs is looked up first, so that the audit row can name it.
        let id = self
            .store
            .clients(clinic, ClientScope::Portal(ctx.user.id), &[])
            .await?
            .into_iter()
            .next()
            .map(|c| c.id)
            .ok_or(AppError::NotFound)?;
        self.client_access(ctx, id, Action::UsePortal).await?;
        let e = ctx.event(
            AuditAction::Query,
            "portal_record",
            Some(id.to_string()),
            Some(id),
        );
        self.store.append_audit(&[e]).await?;
        Ok(id)
    }

    /// One client's details (not clinical content).
    pub async fn client(&self, ctx: &Ctx, id: ClientId) -> AppResult<Client> {
        let facts = self.client_access(ctx, id, Action::ViewClient).await?;
        let e = ctx.event(AuditAction::Read, "client", Some(id.to_string()), Some(id));
        self.store
            .client(facts.clinic, id, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn update_client(
        &self,
        ctx: &Ctx,
        id: ClientId,
        input: &ClientInput,
        version: i64,
    ) -> AppResult<Client> {
        let facts = self.client_access(ctx, id, Action::EditClient).await?;
        let details = check_client_input(input, self.now().date())?;
        let e = ctx.event(
            AuditAction::Update,
            "client",
            Some(id.to_string()),
            Some(id),
        );
        Ok(self
            .store
            .update_client(facts.clinic, id, &details, version, &[e])
            .await?)
    }

    /// The clinicians a client can be assigned to (for admin pages).
    pub async fn carers(&self, ctx: &Ctx) -> AppResult<Vec<(UserId, String)>> {
        let members = self.members(ctx).await?;
        Ok(members
            .into_iter()
            .filter(|m| {
                !m.membership_disabled && matches!(m.role, Role::Clinician | Role::Supervisor)
            })
            .map(|m| (m.user.id, m.user.display_name))
            .collect())
    }
}
