//! The home page of each role, clients and their details.

use super::{Chrome, FormErrors, form_errors, html, html_status, parse_id, see_other};
use crate::errors::PageResult;
use crate::forms::Form;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::secrets::{body_hash, new_token};
use kith_app::{AppError, ClientInput, Ctx, FieldError};
use kith_domain::identity::Role;
use kith_domain::ids::ClientId;
use kith_domain::locale::Locale;
use kith_store::Idempotency;
use serde::Deserialize;

pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub clinicians: String,
}

#[derive(Default)]
pub struct ClientFields {
    pub display_name: String,
    pub date_of_birth: String,
    pub contact: String,
}

#[derive(Template)]
#[template(path = "clients/home.html")]
struct ClinicianHome {
    c: Chrome,
    clients: Vec<ClientRow>,
    form: ClientFields,
    idempotency_key: String,
    errors: FormErrors,
    supervisor: bool,
}

#[derive(Template)]
#[template(path = "clients/portal_home.html")]
struct PortalHome {
    c: Chrome,
    crisis_text: String,
}

async fn clinician_home(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    form: ClientFields,
    errors: FormErrors,
) -> Result<ClinicianHome, crate::errors::PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/", "home-title");
    let clients = s
        .app
        .clients(ctx)
        .await?
        .into_iter()
        .map(|c| ClientRow {
            id: c.id.to_string(),
            name: c.display_name,
            clinicians: c.clinicians.join(", "),
        })
        .collect();
    Ok(ClinicianHome {
        c,
        clients,
        form,
        idempotency_key: new_token(),
        errors,
        supervisor: ctx.role() == Some(Role::Supervisor),
    })
}

pub async fn home(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    if ctx.pending != kith_app::Pending::Nothing {
        return Ok(see_other("/mfa"));
    }
    match ctx.role() {
        Some(Role::Clinician | Role::Supervisor) => Ok(html(
            &clinician_home(
                &s,
                locale,
                &ctx,
                ClientFields::default(),
                FormErrors::default(),
            )
            .await?,
        )),
        Some(Role::ClinicAdmin) => Ok(see_other("/admin/members")),
        Some(Role::Client) => {
            let c = Chrome::new(&s, Some(&ctx), locale, "/", "portal-title");
            let crisis_text = ctx
                .clinic
                .as_ref()
                .map(|k| k.settings.crisis_text.clone())
                .unwrap_or_default();
            Ok(html(&PortalHome { c, crisis_text }))
        }
        None => Ok(see_other("/account")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientForm {
    display_name: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    version: Option<String>,
}

/// Reads the form into the application's input. A date that cannot be read is reported together
/// with every other problem of the form.
fn input_of(s: &AppState, f: &ClientForm) -> Result<ClientInput, AppError> {
    let dob = f.date_of_birth.trim();
    let parsed = (!dob.is_empty()).then(|| {
        time::Date::parse(
            dob,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
    });
    let input = ClientInput {
        display_name: f.display_name.clone(),
        date_of_birth: parsed.and_then(Result::ok),
        contact: Some(f.contact.clone()),
    };
    if let Some(Err(_)) = parsed {
        let mut errors = vec![FieldError::new("date_of_birth", "field-not-a-date")];
        if let Err(AppError::Invalid(more)) =
            kith_app::check_client_input(&input, s.app.now().date())
        {
            errors.extend(more);
        }
        return Err(AppError::Invalid(errors));
    }
    Ok(input)
}

fn fields_of(f: &ClientForm) -> ClientFields {
    ClientFields {
        display_name: f.display_name.clone(),
        date_of_birth: f.date_of_birth.clone(),
        contact: f.contact.clone(),
    }
}

pub async fn register(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<ClientForm>,
) -> PageResult {
    let idem =
        (!f.idempotency_key.is_empty() && f.idempotency_key.len() <= 200).then(|| Idempotency {
            user: ctx.user.id,
            route: "POST /clients",
            key: f.idempotency_key.clone(),
            request_hash: body_hash(
                format!(
                    "{}\u{0}{}\u{0}{}",
                    f.display_name, f.date_of_birth, f.contact
                )
                .as_bytes(),
            ),
            at: s.app.now(),
        });
    let result = match input_of(&s, &f) {
        Ok(input) => s.app.register_client(&ctx, &input, idem).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(written) => Ok(see_other(&format!("/clients/{}", written.value()))),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &clinician_home(&s, locale, &ctx, fields_of(&f), errors).await?,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "clients/client.html")]
struct ClientPage {
    c: Chrome,
    // course-hub: the client's courses and the form to open one.
    courses: Option<super::courses::ClientCourses>,
    id: String,
    name: String,
    date_of_birth: String,
    contact: String,
    clinicians: String,
    version: i64,
    form: ClientFields,
    errors: FormErrors,
    can_edit: bool,
    clinical: Option<super::measures::ClinicalSummary>,
}

async fn client_page(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    id: ClientId,
    form: Option<ClientFields>,
    errors: FormErrors,
) -> Result<ClientPage, crate::errors::PageError> {
    let client = s.app.client(ctx, id).await?;
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "client-title");
    let t = c.t;
    let clinical = super::measures::clinical_summary(s, ctx, &t, id).await?;
    let form = form.unwrap_or(ClientFields {
        display_name: client.display_name.clone(),
        date_of_birth: client
            .date_of_birth
            .map(|d| d.to_string())
            .unwrap_or_default(),
        contact: client.contact.clone().unwrap_or_default(),
    });
    Ok(ClientPage {
        // course-hub
        courses: super::courses::client_courses(s, ctx, locale, id).await?,
        id: client.id.to_string(),
        name: client.display_name.clone(),
        date_of_birth: client
            .date_of_birth
            .map(|d| t.date(d))
            .unwrap_or_else(|| t.get("not-given")),
        contact: client.contact.clone().unwrap_or_else(|| t.get("not-given")),
        clinicians: t.with1("client-clinician-count", "count", client.clinicians.len()),
        version: client.version,
        form,
        errors,
        can_edit: matches!(
            ctx.role(),
            Some(Role::Clinician | Role::Supervisor | Role::ClinicAdmin)
        ),
        clinical,
        c,
    })
}

pub async fn client(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    Ok(html(
        &client_page(&s, locale, &ctx, id, None, FormErrors::default()).await?,
    ))
}

pub async fn update(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<ClientForm>,
) -> PageResult {
    let id: ClientId = parse_id(&id)?;
    let version = f
        .version
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let result = match input_of(&s, &f) {
        Ok(input) => s.app.update_client(&ctx, id, &input, version).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/clients/{id}"))),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &client_page(&s, locale, &ctx, id, Some(fields_of(&f)), errors).await?,
            ))
        }
    }
}
