//! A person's own account: password, second factor, sessions, API tokens, clinic.

use super::{
    Chrome, FormErrors, form_errors, html, html_status, parse_id, see_other, with_session,
};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::{Form, safe_next};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kith_app::{AppError, Ctx};
use kith_domain::ids::{ApiTokenId, ClinicId};
use kith_domain::locale::Locale;
use serde::Deserialize;

pub struct SessionRow {
    pub handle: String,
    pub current: bool,
    pub started: String,
    pub last_seen: String,
    pub source: String,
    pub device: String,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

pub struct ClinicRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    c: Chrome,
    email: String,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    clinics: Vec<ClinicRow>,
    second_factor: bool,
    recovery_left: i64,
    can_make_tokens: bool,
    new_token: Option<String>,
    password_errors: FormErrors,
    token_errors: FormErrors,
    notice: Option<String>,
}

async fn account_page(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    new_token: Option<String>,
    password_errors: FormErrors,
    token_errors: FormErrors,
    notice: Option<String>,
) -> Result<AccountPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/account", "account-title");
    let t = c.t;
    let me = ctx.session_hash();
    let sessions = s
        .app
        .my_sessions(ctx)
        .await?
        .into_iter()
        .map(|x| SessionRow {
            handle: hex::encode(x.token_hash),
            current: Some(x.token_hash) == me,
            started: t.datetime(x.created_at),
            last_seen: t.datetime(x.last_seen_at),
            source: x.source.unwrap_or_default(),
            device: x.user_agent.unwrap_or_default().chars().take(60).collect(),
        })
        .collect();
    let tokens = s
        .app
        .api_tokens(ctx)
        .await?
        .into_iter()
        .map(|x| TokenRow {
            id: x.id.to_string(),
            name: x.name,
            created: t.datetime(x.created_at),
            last_used: x
                .last_used_at
                .map(|d| t.datetime(d))
                .unwrap_or_else(|| t.get("never")),
            revoked: x.revoked_at.is_some(),
        })
        .collect();
    let clinics = s
        .app
        .my_memberships(ctx)
        .await?
        .into_iter()
        .map(|m| ClinicRow {
            id: m.clinic.to_string(),
            name: m.clinic_name,
            role: t.get(&format!("role-{}", m.role.as_str().replace('_', "-"))),
            current: Some(m.clinic) == ctx.clinic_id(),
        })
        .collect();
    Ok(AccountPage {
        email: ctx.user.email.clone(),
        sessions,
        tokens,
        clinics,
        second_factor: ctx.user.second_factor_enrolled,
        recovery_left: s.app.recovery_codes_left(ctx).await?,
        can_make_tokens: ctx.clinic_id().is_some(),
        new_token,
        password_errors,
        token_errors,
        notice,
        c,
    })
}

#[derive(Deserialize)]
pub struct AccountQuery {
    done: Option<String>,
}

pub async fn index(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    let t = crate::i18n::Tr::new(locale);
    let notice = q.done.as_deref().map(|d| {
        t.get(match d {
            "password" => "account-done-password",
            "password-tokens" => "account-done-password-tokens",
            _ => "account-done-saved",
        })
    });
    let page = account_page(
        &s,
        locale,
        &ctx,
        None,
        FormErrors::default(),
        FormErrors::default(),
        notice,
    )
    .await?;
    Ok(html(&page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    match s
        .app
        .change_password(&ctx, &f.current_password, &f.new_password)
        .await
    {
        Ok(0) => Ok(see_other("/account?done=password")),
        Ok(_) => Ok(see_other("/account?done=password-tokens")),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            let page =
                account_page(&s, locale, &ctx, None, errors, FormErrors::default(), None).await?;
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

pub async fn end_session(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(handle): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    s.app.end_my_session(&ctx, &handle).await?;
    if Some(handle.as_str()) == ctx.session_hash().map(hex::encode).as_deref() {
        return Ok(super::clear_session(&s, "/login"));
    }
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<TokenForm>,
) -> PageResult {
    match s.app.create_api_token(&ctx, &f.name).await {
        Ok(created) => {
            let page = account_page(
                &s,
                locale,
                &ctx,
                Some(created.token),
                FormErrors::default(),
                FormErrors::default(),
                None,
            )
            .await?;
            Ok(html(&page))
        }
        Err(AppError::ReauthRequired) => Err(PageError(WebError::Reauth {
            next: "/account".into(),
        })),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            let page =
                account_page(&s, locale, &ctx, None, FormErrors::default(), errors, None).await?;
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub async fn revoke_token(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    let id: ApiTokenId = parse_id(&id)?;
    s.app.revoke_api_token(&ctx, id).await?;
    Ok(see_other("/account?done=saved"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicForm {
    clinic: String,
}

pub async fn switch_clinic(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<ClinicForm>,
) -> PageResult {
    let clinic: ClinicId = parse_id(&f.clinic)?;
    let token = s.app.switch_clinic(&ctx, clinic).await?;
    Ok(with_session(&s, &token, "/"))
}

/// Restarting the second factor (a new authenticator) needs the password again first.
pub async fn reset_second_factor(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(_): Form<Empty>,
) -> PageResult {
    match s.app.start_enrolment(&ctx).await {
        Ok(_) => Ok(see_other("/mfa/enrol")),
        Err(AppError::ReauthRequired) => Err(PageError(WebError::Reauth {
            next: "/account".into(),
        })),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account/reauth.html")]
struct ReauthPage {
    c: Chrome,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn reauth_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> PageResult {
    let c = Chrome::new(&s, Some(&ctx), locale, "/account/reauth", "reauth-title");
    Ok(html(&ReauthPage {
        c,
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReauthForm {
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn reauth(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<ReauthForm>,
) -> PageResult {
    match s.app.reauthenticate(&ctx, &f.password).await {
        Ok(()) => Ok(see_other(&safe_next(f.next.as_deref()))),
        Err(e) => {
            let c = Chrome::new(&s, Some(&ctx), locale, "/account/reauth", "reauth-title");
            let errors = form_errors(&c.t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReauthPage {
                    c,
                    next: safe_next(f.next.as_deref()),
                    errors,
                },
            ))
        }
    }
}
