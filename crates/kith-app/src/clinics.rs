//! Clinic settings.

use crate::setup::text_error;
use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::clinic::{ClinicSettings, SettingsProblem, check};
use kith_domain::policy::{Action, Resource};
use kith_store::Clinic;

fn settings_error(p: &SettingsProblem) -> FieldError {
    let e = FieldError::new(p.field(), p.code());
    match p {
        SettingsProblem::NameTooLong { max } | SettingsProblem::CrisisTextTooLong { max } => {
            e.with("max", max)
        }
        SettingsProblem::EscalationOutOfRange { min, max }
        | SettingsProblem::UrgentEscalationOutOfRange { min, max }
        | SettingsProblem::EmergencyEscalationOutOfRange { min, max }
        | SettingsProblem::IdleTimeoutOutOfRange { min, max } => {
            e.with("min", min).with("max", max)
        }
        SettingsProblem::NameEmpty => e,
    }
}

impl App {
    /// The caller's clinic as its admin sees it.
    pub async fn clinic_settings(&self, ctx: &Ctx) -> AppResult<Clinic> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ManageClinic, Resource::Clinic(clinic))
            .await?;
        self.store.clinic(clinic).await?.ok_or(AppError::NotFound)
    }

    /// Saves name and settings if nobody changed them since `version` was read.
    pub async fn update_clinic(
        &self,
        ctx: &Ctx,
        name: &str,
        settings: ClinicSettings,
        version: i64,
    ) -> AppResult<Clinic> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ManageClinic, Resource::Clinic(clinic))
            .await?;
        let name = kith_domain::text::name(name, kith_domain::clinic::CLINIC_NAME_MAX)
            .map_err(|p| AppError::Invalid(vec![text_error("name", &p)]))?;
        let crisis = kith_domain::text::multiline(
            &settings.crisis_text,
            kith_domain::clinic::CRISIS_TEXT_MAX,
        )
        .map_err(|p| AppError::Invalid(vec![text_error("crisis_text", &p)]))?;
        let settings = ClinicSettings {
            crisis_text: crisis,
            ..settings
        };
        let problems = check(&name, &settings);
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems.iter().map(settings_error).collect(),
            ));
        }
        let e = ctx.event(
            AuditAction::Update,
            "clinic_settings",
            Some(clinic.to_string()),
            None,
        );
        Ok(self
            .store
            .update_clinic(clinic, &name, &settings, version, &[e])
            .await?)
    }
}
