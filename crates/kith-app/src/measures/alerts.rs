//! Safety alerts: dashboards, one client's alerts, acknowledgement with an action note, and the
//! escalation sweep.

use crate::setup::text_error;
use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::identity::{Actor, Role};
use kith_domain::ids::{AlertId, ClientId};
use kith_domain::policy::{Action, Resource};
use kith_domain::text;
use kith_store::{Alert, AlertScope, ClinicAlerts, StoreError};

/// Longest action note.
pub const ACTION_NOTE_MAX: usize = 2000;

/// An action note as it will be stored: required, at most [`ACTION_NOTE_MAX`] characters.
fn clean_note(raw: &str) -> Result<String, FieldError> {
    let note = text::multiline(raw, ACTION_NOTE_MAX).map_err(|p| text_error("note", &p))?;
    let note = note.trim().to_string();
    if note.is_empty() {
        return Err(FieldError::new("note", "field-required"));
    }
    Ok(note)
}

impl App {
    /// The open alerts on the caller's dashboard: a clinician's clients'; for a supervisor, their
    /// own clients' and, once escalated, those of the clinicians they supervise. Most urgent first.
    /// Each alert shown is audited.
    pub async fn alerts_for_me(&self, ctx: &Ctx) -> AppResult<Vec<Alert>> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ViewCaseload, Resource::Clinic(clinic))
            .await?;
        let scope = match ctx.role() {
            Some(Role::Clinician) => AlertScope::Clinician(ctx.user.id),
            Some(Role::Supervisor) => AlertScope::Supervisor(ctx.user.id),
            _ => return Err(AppError::Forbidden),
        };
        let view = ctx.event(AuditAction::Read, "alert", None, None);
        Ok(self.store.open_alerts(clinic, scope, &view).await?)
    }

    /// How many alerts [`App::alerts_for_me`] would list for this person, read cheaply and without
    /// an audit row (a number, nothing clinical): the banner on every page. 0 for roles without
    /// an alert dashboard.
    pub(crate) async fn open_alert_count(&self, actor: &Actor) -> AppResult<usize> {
        let Some((clinic, role)) = actor.membership else {
            return Ok(0);
        };
        let scope = match role {
            Role::Clinician => AlertScope::Clinician(actor.user),
            Role::Supervisor => AlertScope::Supervisor(actor.user),
            Role::ClinicAdmin | Role::Client => return Ok(0),
        };
        Ok(self.store.count_open_alerts(clinic, scope).await?)
    }

    /// For clinic admins: how many alerts are open and escalated, with ids only — enough to see
    /// that a client without a clinician has an alert, nothing clinical.
    pub async fn clinic_alerts(&self, ctx: &Ctx) -> AppResult<ClinicAlerts> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ViewCaseload, Resource::Clinic(clinic))
            .await?;
        if ctx.role() != Some(Role::ClinicAdmin) {
            return Err(AppError::Forbidden);
        }
        let e = ctx.event(AuditAction::Query, "alert_overview", None, None);
        Ok(self.store.clinic_alerts(clinic, &[e]).await?)
    }

    /// Every alert of one client, open first.
    pub async fn client_alerts(&self, ctx: &Ctx, client: ClientId) -> AppResult<Vec<Alert>> {
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let view = ctx.event(AuditAction::Read, "alert", None, Some(client));
        Ok(self
            .store
            .client_alerts(facts.clinic, client, &view)
            .await?)
    }

    /// One alert.
    pub async fn alert(&self, ctx: &Ctx, id: AlertId) -> AppResult<Alert> {
        let clinic = ctx.clinic_id().ok_or(AppError::NotFound)?;
        let client = self
            .store
            .alert_client(clinic, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let e = ctx.event(
            AuditAction::Read,
            "alert",
            Some(id.to_string()),
            Some(client),
        );
        self.store
            .alert(facts.clinic, id, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Closes an open alert with what was done about it (required, 1–2000 characters). Allowed
    /// to the client's clinicians and their supervisors; an alert already acknowledged is refused
    /// with `alert-already-acknowledged`.
    pub async fn acknowledge_alert(&self, ctx: &Ctx, id: AlertId, note: &str) -> AppResult<Alert> {
        let clinic = ctx.clinic_id().ok_or(AppError::NotFound)?;
        let client = self
            .store
            .alert_client(clinic, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = self
            .client_access(ctx, client, Action::AcknowledgeAlert)
            .await?;
        let note = clean_note(note).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut e = ctx.event(
            AuditAction::Update,
            "alert",
            Some(id.to_string()),
            Some(client),
        );
        e.detail = Some("acknowledged".into());
        match self
            .store
            .acknowledge_alert(facts.clinic, id, ctx.user.id, &note, self.now(), &[e])
            .await
        {
            Err(StoreError::Refused(_)) => {
                Err(AppError::invalid("alert", "alert-already-acknowledged"))
            }
            other => Ok(other?),
        }
    }

    /// The background sweep: escalates every alert left unacknowledged past its clinic's
    /// `alert_escalation_minutes`. Safe to run as often as wanted and from several servers; each
    /// alert escalates once. Returns the alerts escalated now.
    pub async fn escalate_due(&self) -> AppResult<Vec<AlertId>> {
        Ok(self.store.escalate_due(self.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_required_and_bounded() {
        assert_eq!(clean_note("  \n ").unwrap_err().code, "field-required");
        assert_eq!(clean_note("").unwrap_err().code, "field-required");
        let long = "a".repeat(ACTION_NOTE_MAX + 1);
        let e = clean_note(&long).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("note", "field-too-long")
        );
        assert_eq!(e.args, vec![("max".to_string(), "2000".to_string())]);
        assert_eq!(
            clean_note(&"a".repeat(ACTION_NOTE_MAX)).unwrap().len(),
            2000
        );
        assert_eq!(
            clean_note("called\u{0}").unwrap_err().code,
            "field-control-characters"
        );
        assert_eq!(clean_note("  Called her. \n").unwrap(), "Called her.");
    }
}
