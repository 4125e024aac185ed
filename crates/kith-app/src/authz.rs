//! Asking the policy, and recording refusals.

use crate::{App, AppError, AppResult, Ctx, Pending};
use kith_domain::audit::{AuditAction, Outcome};
use kith_domain::ids::ClientId;
use kith_domain::policy::{Action, ClientFacts, Denial, Resource, can};

impl App {
    /// Allows or refuses `action` on `resource` for the caller. Refusals about a record are audited
    /// and, where they must not reveal that the record exists, answered as "not found".
    pub async fn authorize(
        &self,
        ctx: &Ctx,
        action: Action,
        resource: Resource<'_>,
    ) -> AppResult<()> {
        if ctx.pending != Pending::Nothing
            && !matches!(action, Action::OwnAccount | Action::ViewReference)
        {
            return Err(AppError::SecondFactorRequired);
        }
        match can(&ctx.actor, action, resource) {
            Ok(()) => Ok(()),
            Err(Denial::SecondFactorRequired) => Err(AppError::SecondFactorRequired),
            Err(d) => {
                let client = match resource {
                    Resource::Client(f) | Resource::ProcessNote { client: f, .. } => Some(f.client),
                    _ => None,
                };
                // Refusals on other clinics' records name no client: the caller must learn nothing.
                let client = if d == Denial::OtherClinic {
                    None
                } else {
                    client
                };
                let mut e = ctx.event(
                    AuditAction::Read,
                    "access",
                    Some(action.as_str().to_string()),
                    client,
                );
                e.outcome = Outcome::Denied;
                e.detail = Some(format!("{d:?}"));
                self.store.append_audit(&[e]).await?;
                Err(if d.hides_existence() {
                    AppError::NotFound
                } else {
                    AppError::Forbidden
                })
            }
        }
    }

    /// Loads what the policy needs about a client of the caller's clinic and checks `action`.
    /// A client of another clinic, or one that does not exist, is "not found".
    pub async fn client_access(
        &self,
        ctx: &Ctx,
        client: ClientId,
        action: Action,
    ) -> AppResult<ClientFacts> {
        if ctx.pending != Pending::Nothing {
            return Err(AppError::SecondFactorRequired);
        }
        let Some(clinic) = ctx.clinic_id() else {
            return Err(AppError::NotFound);
        };
        // Staff without a second factor learn nothing, not even whether the id exists.
        if ctx.actor.needs_second_factor() {
            return Err(AppError::SecondFactorRequired);
        }
        let Some(facts) = self.store.client_facts(clinic, client).await? else {
            // Another clinic's client, or none at all: the same answer either way, and the attempt
            // is audited as refused without naming a client.
            let mut e = ctx.event(
                AuditAction::Read,
                "access",
                Some(action.as_str().to_string()),
                None,
            );
            e.outcome = Outcome::Denied;
            e.detail = Some("NotFound".into());
            self.store.append_audit(&[e]).await?;
            return Err(AppError::NotFound);
        };
        self.authorize(ctx, action, Resource::Client(&facts))
            .await?;
        Ok(facts)
    }
}

/// The record a route's `{id}` names, for the access check made before any handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordScope {
    Client,
    Alert,
    Course,
    Session,
    Note,
    Worksheet,
}

impl App {
    /// Checks `action` on the record a route names, before the request body is even read: a record
    /// of another clinic, one that does not exist, and one not in the caller's care all answer
    /// "not found" the same way.
    pub async fn record_access(
        &self,
        ctx: &Ctx,
        scope: RecordScope,
        id: &str,
        action: Action,
    ) -> AppResult<()> {
        let Ok(uuid) = uuid::Uuid::parse_str(id) else {
            return Err(AppError::NotFound);
        };
        use kith_domain::ids::{AlertId, CourseId, NoteId, SessionId, WorksheetId};
        use kith_store::CourseRef;
        let clinic = ctx.clinic_id().ok_or(AppError::NotFound)?;
        let course_client = |r: Option<(CourseId, ClientId)>| r.map(|x| x.1);
        let found = match scope {
            RecordScope::Client => Some(ClientId(uuid)),
            RecordScope::Alert => self.store.alert_client(clinic, AlertId(uuid)).await?,
            RecordScope::Course => course_client(
                self.store
                    .course_of(clinic, CourseRef::Course(CourseId(uuid)))
                    .await?,
            ),
            RecordScope::Session => course_client(
                self.store
                    .course_of(clinic, CourseRef::Session(SessionId(uuid)))
                    .await?,
            ),
            RecordScope::Note => course_client(
                self.store
                    .course_of(clinic, CourseRef::Note(NoteId(uuid)))
                    .await?,
            ),
            RecordScope::Worksheet => course_client(
                self.store
                    .course_of(clinic, CourseRef::Worksheet(WorksheetId(uuid)))
                    .await?,
            ),
        };
        // A record that is not there (in this clinic) is refused and recorded like a missing client.
        let client = found.unwrap_or(ClientId(uuid::Uuid::nil()));
        self.client_access(ctx, client, action).await.map(|_| ())
    }
}
