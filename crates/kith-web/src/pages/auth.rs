//! Signing in and out, the first-administrator setup, invitations, the second factor, language.

use super::{
    Chrome, FormErrors, clear_session, form_errors, html, html_status, see_other, with_session,
};
use crate::errors::{PageError, PageResult};
use crate::forms::{Form, PublicForm, safe_next};
use crate::routes::client_ip_of;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, extract::ConnectInfo};
use kith_app::{AppError, Ctx, NewMemberInput, Pending, SetupInput};
use kith_domain::locale::Locale;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    c: Chrome,
    email: String,
    next: String,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
    done: Option<String>,
}

pub async fn login_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    let c = Chrome::new(&s, None, locale, "/login", "login-title");
    let notice = if q.ended.is_some() {
        Some(c.t.get("login-session-ended"))
    } else if q.done.is_some() {
        Some(c.t.get("login-account-ready"))
    } else {
        None
    };
    Ok(html(&LoginPage {
        c,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        notice,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PublicForm(f): PublicForm<LoginInput>,
) -> PageResult {
    let source = client_ip_of(&s, peer, &headers);
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    match s
        .app
        .sign_in(&f.email, &f.password, source.as_deref(), ua)
        .await
    {
        Ok(signed) => {
            let to = match signed.pending {
                Pending::Nothing => safe_next(f.next.as_deref()),
                Pending::SecondFactor => "/mfa".to_string(),
                Pending::EnrolSecondFactor => "/mfa/enrol".to_string(),
            };
            Ok(with_session(&s, &signed.token, &to))
        }
        Err(e) => {
            let status = match &e {
                AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let retry = if let AppError::Throttled { retry_after_secs } = &e {
                Some(*retry_after_secs)
            } else {
                None
            };
            let c = Chrome::new(&s, None, locale, "/login", "login-title");
            let errors = form_errors(&c.t, e)?;
            let mut r = html_status(
                status,
                &LoginPage {
                    c,
                    email: f.email,
                    next: safe_next(f.next.as_deref()),
                    errors,
                    notice: None,
                },
            );
            if let Some(secs) = retry
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

pub async fn logout(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(_): Form<Empty>,
) -> PageResult {
    s.app.sign_out(&ctx).await?;
    Ok(clear_session(&s, "/login"))
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    c: Chrome,
    token: String,
    clinic_name: String,
    display_name: String,
    email: String,
    errors: FormErrors,
}

pub async fn setup_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path(token): Path<String>,
) -> PageResult {
    if s.app.store.has_users().await.map_err(AppError::from)? {
        return Err(PageError(AppError::Expired.into()));
    }
    let c = Chrome::new(&s, None, locale, "/setup", "setup-title");
    Ok(html(&SetupPage {
        c,
        token,
        clinic_name: String::new(),
        display_name: String::new(),
        email: String::new(),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupForm {
    clinic_name: String,
    display_name: String,
    email: String,
    password: String,
}

pub async fn setup(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path(token): Path<String>,
    PublicForm(f): PublicForm<SetupForm>,
) -> PageResult {
    let input = SetupInput {
        clinic_name: f.clinic_name.clone(),
        display_name: f.display_name.clone(),
        email: f.email.clone(),
        password: f.password,
        locale: Some(locale.code().to_string()),
    };
    match s.app.complete_setup(&token, input).await {
        Ok(_) => Ok(see_other("/login?done=1")),
        Err(e) => {
            let c = Chrome::new(&s, None, locale, "/setup", "setup-title");
            let errors = form_errors(&c.t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SetupPage {
                    c,
                    token,
                    clinic_name: f.clinic_name,
                    display_name: f.display_name,
                    email: f.email,
                    errors,
                },
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/invitation.html")]
struct InvitationPage {
    c: Chrome,
    token: String,
    clinic_name: String,
    email: String,
    role_label: String,
    display_name: String,
    min_password: usize,
    errors: FormErrors,
}

async fn invitation_page(
    s: &AppState,
    locale: Locale,
    token: String,
    display_name: String,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let view = s.app.invitation(&token).await?;
    let c = Chrome::new(s, None, locale, "/invitation", "invitation-title");
    let role_label =
        c.t.get(&format!("role-{}", view.role.as_str().replace('_', "-")));
    let staff = view.role.is_staff() || view.client_mfa_required;
    let min_password = if staff {
        kith_domain::password::MIN_WITH_SECOND_FACTOR
    } else {
        kith_domain::password::MIN_PASSWORD_ONLY
    };
    Ok(html_status(
        status,
        &InvitationPage {
            c,
            token,
            clinic_name: view.clinic_name,
            email: view.email,
            role_label,
            display_name,
            min_password,
            errors,
        },
    ))
}

pub async fn invitation_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path(token): Path<String>,
) -> PageResult {
    invitation_page(
        &s,
        locale,
        token,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationForm {
    #[serde(default)]
    display_name: String,
    password: String,
}

pub async fn accept_invitation(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    PublicForm(f): PublicForm<InvitationForm>,
) -> PageResult {
    let source = client_ip_of(&s, peer, &headers);
    let input = NewMemberInput {
        display_name: f.display_name.clone(),
        password: f.password,
    };
    match s
        .app
        .accept_invitation(&token, input, source.as_deref())
        .await
    {
        Ok(_) => Ok(see_other("/login?done=1")),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            invitation_page(
                &s,
                locale,
                token,
                f.display_name,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "auth/mfa.html")]
struct MfaPage {
    c: Chrome,
    errors: FormErrors,
}

pub async fn mfa_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    match ctx.pending {
        Pending::Nothing => return Ok(see_other("/")),
        Pending::EnrolSecondFactor => return Ok(see_other("/mfa/enrol")),
        Pending::SecondFactor => {}
    }
    let c = Chrome::new(&s, Some(&ctx), locale, "/mfa", "mfa-title");
    Ok(html(&MfaPage {
        c,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

pub async fn mfa(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let result = if !f.recovery_code.trim().is_empty() {
        s.app.use_recovery_code(&ctx, &f.recovery_code).await
    } else {
        s.app.verify_second_factor(&ctx, &f.code).await
    };
    match result {
        Ok(token) => Ok(with_session(&s, &token, "/")),
        Err(e) => {
            let c = Chrome::new(&s, Some(&ctx), locale, "/mfa", "mfa-title");
            let errors = form_errors(&c.t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MfaPage { c, errors },
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/enrol.html")]
struct EnrolPage {
    c: Chrome,
    secret: String,
    qr_svg: String,
    errors: FormErrors,
}

/// Shows the enrolment under way. A GET never starts one: starting writes a new secret (and, for
/// someone already enrolled, drops the old one), so with nothing pending the page offers a button
/// that posts to `/account/second-factor/reset`, where re-authentication rules apply.
pub async fn enrol_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    let (secret, qr_svg) = match s.app.pending_enrolment(&ctx).await? {
        Some(e) => (e.secret_base32, e.qr_svg),
        None => (String::new(), String::new()),
    };
    let c = Chrome::new(&s, Some(&ctx), locale, "/mfa/enrol", "enrol-title");
    Ok(html(&EnrolPage {
        c,
        secret,
        qr_svg,
        errors: FormErrors::default(),
    }))
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    c: Chrome,
    codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolForm {
    code: String,
}

pub async fn enrol(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<EnrolForm>,
) -> PageResult {
    match s.app.confirm_enrolment(&ctx, &f.code).await {
        Ok((token, codes)) => {
            // The codes are shown once, on this response; the new session cookie comes with it.
            let c = Chrome::new(&s, None, locale, "/mfa/enrol", "recovery-codes-title");
            let mut r = html(&RecoveryCodesPage { c, codes });
            let secure = if s.config.secure() { "; Secure" } else { "" };
            let cookie = format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
                s.config.session_cookie()
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(e) => {
            let c = Chrome::new(&s, Some(&ctx), locale, "/mfa/enrol", "enrol-title");
            let errors = form_errors(&c.t, e)?;
            let enrolment = s
                .app
                .pending_enrolment(&ctx)
                .await?
                .ok_or(AppError::Expired)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EnrolPage {
                    c,
                    secret: enrolment.secret_base32,
                    qr_svg: enrolment.qr_svg,
                    errors,
                },
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

/// Switches the language: remembered in a cookie, and for signed-in people in their account.
pub async fn language(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PublicForm(f): PublicForm<LanguageForm>,
) -> PageResult {
    let Some(locale) = Locale::from_tag(&f.lang) else {
        return Err(PageError(
            kith_app::AppError::invalid("lang", "field-out-of-range").into(),
        ));
    };
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|all| all.split(';'))
        .find_map(|kv| {
            kv.trim()
                .strip_prefix(&format!("{}=", s.config.session_cookie()))
                .map(str::to_string)
        });
    if let Some(token) = token {
        let source = client_ip_of(&s, peer, &headers);
        if let Ok(ctx) = s.app.resolve_session(&token, source.as_deref()).await {
            s.app.set_locale(&ctx, Some(locale.code())).await?;
        }
    }
    let mut r = see_other(&safe_next(f.next.as_deref()));
    let cookie = format!(
        "kith_lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
        locale.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r.into_response())
}
