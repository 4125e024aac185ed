//! The server operator's page: the clinics on this server.

use super::{Chrome, FormErrors, form_errors, html, html_status};
use crate::errors::PageResult;
use crate::forms::Form;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::Ctx;
use kith_domain::locale::Locale;
use serde::Deserialize;

pub struct ClinicRow {
    pub name: String,
    pub members: usize,
    pub created: String,
}

#[derive(Template)]
#[template(path = "operator/clinics.html")]
struct ClinicsPage {
    c: Chrome,
    clinics: Vec<ClinicRow>,
    new_link: Option<String>,
    name: String,
    email: String,
    errors: FormErrors,
}

async fn page(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    new_link: Option<String>,
    name: String,
    email: String,
    errors: FormErrors,
) -> Result<ClinicsPage, crate::errors::PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/operator/clinics", "operator-title");
    let t = c.t;
    let clinics = s
        .app
        .operator_clinics(ctx)
        .await?
        .into_iter()
        .map(|k| ClinicRow {
            name: k.name,
            members: k.members,
            created: t.datetime(k.created_at),
        })
        .collect();
    Ok(ClinicsPage {
        c,
        clinics,
        new_link,
        name,
        email,
        errors,
    })
}

pub async fn clinics(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    Ok(html(
        &page(
            &s,
            locale,
            &ctx,
            None,
            String::new(),
            String::new(),
            FormErrors::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClinicForm {
    name: String,
    email: String,
}

pub async fn create(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<NewClinicForm>,
) -> PageResult {
    match s.app.operator_create_clinic(&ctx, &f.name, &f.email).await {
        Ok(token) => {
            let link = format!(
                "{}/invitation/{token}",
                s.config.public_url.trim_end_matches('/')
            );
            Ok(html(
                &page(
                    &s,
                    locale,
                    &ctx,
                    Some(link),
                    String::new(),
                    String::new(),
                    FormErrors::default(),
                )
                .await?,
            ))
        }
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&s, locale, &ctx, None, f.name, f.email, errors).await?,
            ))
        }
    }
}
