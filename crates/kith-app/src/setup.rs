//! The first start: a one-time link that creates the first clinic and its administrator.

use crate::account::password_error;
use crate::secrets::{new_token, token_hash};
use crate::{App, AppError, AppResult, FieldError, blocking, passwords};
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::clinic::{CLINIC_NAME_MAX, ClinicSettings};
use kith_domain::ids::{ClinicId, UserId};
use kith_domain::password::check_new;
use kith_domain::text;
use kith_store::{NewClinic, NewUser};
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    pub clinic_name: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub locale: Option<String>,
}

pub(crate) fn text_error(field: &str, p: &text::TextProblem) -> FieldError {
    let e = FieldError::new(field, p.code());
    match p {
        text::TextProblem::TooLong { max } => e.with("max", max),
        _ => e,
    }
}

impl App {
    /// When nobody has an account yet, makes a new setup link token (valid 24 hours, single use;
    /// any earlier link stops working). Returns `None` once the server has users.
    pub async fn setup_link_token(&self) -> AppResult<Option<String>> {
        if self.store.has_users().await? {
            return Ok(None);
        }
        let token = new_token();
        let now = self.now();
        self.store
            .create_setup_token(token_hash(&token), now, now + self.limits.setup_link)
            .await?;
        Ok(Some(token))
    }

    /// Creates the first clinic and its administrator (who is also the server operator).
    pub async fn complete_setup(&self, token: &str, input: SetupInput) -> AppResult<UserId> {
        let mut errors = Vec::new();
        let clinic_name = text::name(&input.clinic_name, CLINIC_NAME_MAX)
            .map_err(|p| errors.push(text_error("clinic_name", &p)))
            .ok();
        let display_name = text::name(&input.display_name, 100)
            .map_err(|p| errors.push(text_error("display_name", &p)))
            .ok();
        let email = text::email(&input.email)
            .map_err(|p| errors.push(text_error("email", &p)))
            .ok();
        let context = [
            input.display_name.as_str(),
            input.email.as_str(),
            input.clinic_name.as_str(),
            "kith",
        ];
        let password = check_new(&input.password, true, &context)
            .map_err(|p| errors.push(password_error("password", &p)))
            .ok();
        let (Some(clinic_name), Some(display_name), Some(email), Some(password)) =
            (clinic_name, display_name, email, password)
        else {
            return Err(AppError::Invalid(errors));
        };
        let hash = blocking(move || passwords::hash(&password))
            .await?
            .map_err(AppError::Internal)?;
        let now = self.now();
        let user = NewUser {
            id: UserId(Uuid::now_v7()),
            email,
            display_name,
            password_hash: Some(hash),
            operator: true,
            locale: input.locale,
            created_at: now,
        };
        let clinic = NewClinic {
            id: ClinicId(Uuid::now_v7()),
            name: clinic_name,
            settings: ClinicSettings::default(),
            created_at: now,
        };
        let e = AuditEvent {
            at: now,
            actor: Some(user.id),
            actor_role: Some("operator".into()),
            clinic: Some(clinic.id),
            client: None,
            object_type: "clinic".into(),
            object_id: Some(clinic.id.to_string()),
            action: AuditAction::Setup,
            outcome: Outcome::Success,
            source: None,
            detail: Some("first administrator created".into()),
        };
        let id = user.id;
        self.store
            .complete_setup(token_hash(token), now, clinic, user, &[e])
            .await?;
        Ok(id)
    }
}
