//! Server-rendered pages. Every page template extends `base.html` and carries a [`Chrome`]: the
//! translator, the signed-in person, the navigation for their role, the form token.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod auth;
pub mod clients;
pub mod measures;
pub mod operator;
pub mod portal;
pub mod reference;
pub mod safety_plan;
// course-sessions: sessions and the brief, session and process notes, worksheets, termination.
pub mod notes;
pub mod sessions;
pub mod termination;
pub mod worksheets;

use crate::errors::{PageError, Rendered, WebError};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, Ctx, FieldError, Pending};
use kith_domain::identity::Role;
use kith_domain::locale::Locale;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What the layout needs on every page.
pub struct Chrome {
    pub t: Tr,
    pub title: String,
    /// The section of the site, for the navigation.
    pub path: String,
    /// The page's own address, where the language switch comes back to.
    pub here: String,
    pub user_name: Option<String>,
    pub clinic_name: Option<String>,
    pub role_label: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// Seconds until the session ends for inactivity (the page warns before).
    pub idle_seconds: i64,
    pub other_locale: &'static str,
    pub other_locale_label: String,
    /// Open safety alerts on the person's dashboard; the banner shows while there are any.
    pub open_alerts: usize,
}

impl Chrome {
    /// The layout for a page, signed in or not.
    pub fn new(
        state: &AppState,
        ctx: Option<&Ctx>,
        locale: Locale,
        path: &str,
        title_key: &str,
    ) -> Chrome {
        let t = Tr::new(locale);
        let mut nav = Vec::new();
        let mut push = |href: &'static str, key: &str| {
            let current = path == href || (href != "/" && path.starts_with(href));
            nav.push(NavItem {
                href,
                label: t.get(key),
                current,
            });
        };
        if let Some(ctx) = ctx.filter(|c| c.pending == Pending::Nothing) {
            match ctx.role() {
                Some(Role::Clinician) | Some(Role::Supervisor) => {
                    push("/", "nav-clients");
                    push("/alerts", "nav-alerts");
                    push("/protocols", "nav-protocols");
                }
                Some(Role::ClinicAdmin) => {
                    push("/admin/members", "nav-members");
                    push("/alerts", "nav-alerts");
                    push("/admin/clients", "nav-client-directory");
                    push("/admin/settings", "nav-settings");
                    push("/admin/audit", "nav-audit");
                }
                Some(Role::Client) => push("/", "nav-my-care"),
                None => {}
            }
            if ctx.actor.operator {
                push("/operator/clinics", "nav-operator");
            }
            push("/account", "nav-account");
        }
        let (other, other_label) = match locale {
            Locale::En => ("es", "Español"),
            Locale::Es => ("en", "English"),
        };
        Chrome {
            t,
            title: t.get(title_key),
            path: path.to_string(),
            here: crate::routes::current_path().unwrap_or_else(|| path.to_string()),
            user_name: ctx.map(|c| c.user.display_name.clone()),
            clinic_name: ctx.and_then(|c| c.clinic.as_ref().map(|k| k.name.clone())),
            role_label: ctx.map(|c| match c.role() {
                Some(r) => t.get(&format!("role-{}", r.as_str().replace('_', "-"))),
                None => t.get("role-operator"),
            }),
            csrf: ctx.and_then(|c| c.csrf_token()).unwrap_or("").to_string(),
            nav,
            idle_seconds: ctx
                .and_then(|c| state.app.idle_remaining(c))
                .map(|d| d.whole_seconds())
                .unwrap_or(0),
            other_locale: other,
            other_locale_label: other_label.to_string(),
            open_alerts: ctx
                .filter(|c| {
                    c.pending == Pending::Nothing
                        && matches!(c.role(), Some(Role::Clinician | Role::Supervisor))
                })
                .map(|c| c.open_alerts)
                .unwrap_or(0),
        }
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }
}

/// Renders a page with 200.
pub fn html<T: Template>(page: &T) -> Response {
    html_status(StatusCode::OK, page)
}

/// Renders a page with a status (a form shown again with its errors: 422), marked as complete so
/// the error renderer leaves it alone.
pub fn html_status<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut r = (status, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r.extensions_mut().insert(Rendered);
            r
        }
        Err(e) => WebError::App(AppError::Internal(format!("template: {e}"))).into_response(),
    }
}

/// 303 See Other: after a form, the browser loads the next page with GET.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Sets the session cookie and goes on.
pub fn with_session(state: &AppState, token: &str, to: &str) -> Response {
    let mut r = see_other(to);
    let secure = if state.config.secure() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
        state.config.session_cookie()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Removes the session cookie.
pub fn clear_session(state: &AppState, to: &str) -> Response {
    let mut r = see_other(to);
    let secure = if state.config.secure() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        state.config.session_cookie()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Field errors of a form, translated, keyed by field name.
#[derive(Default)]
pub struct FormErrors(pub Vec<(String, String)>);

impl FormErrors {
    pub fn from(t: &Tr, errs: &[FieldError]) -> FormErrors {
        FormErrors(
            errs.iter()
                .map(|e| (e.field.clone(), crate::errors::field_message(t, e)))
                .collect(),
        )
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn all(&self) -> Vec<String> {
        self.0.iter().map(|(_, m)| m.clone()).collect()
    }
}

/// Splits an application error into field errors to show in the form, or an error to return.
pub fn form_errors(t: &Tr, e: AppError) -> Result<FormErrors, PageError> {
    match e {
        AppError::Invalid(fields) => Ok(FormErrors::from(t, &fields)),
        AppError::BadCredentials => Ok(FormErrors(vec![("".into(), t.get("msg-bad-credentials"))])),
        AppError::Conflict { .. } => Ok(FormErrors(vec![("".into(), t.get("msg-conflict"))])),
        AppError::Throttled { retry_after_secs } => Ok(FormErrors(vec![(
            "".into(),
            t.with1("msg-throttled", "seconds", retry_after_secs),
        )])),
        other => Err(PageError(WebError::App(other))),
    }
}

/// Parses an id from the URL; a malformed id is simply "not found".
pub fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, PageError> {
    s.parse()
        .map_err(|_| PageError(WebError::App(AppError::NotFound)))
}

// course-hub: the course page, intake, contract, formulation and goals, inventory, timeline.
pub mod course_words;
pub mod courses;
pub mod formulation;
pub mod inventory;
pub mod timeline;
// end course-hub
