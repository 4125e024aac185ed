//! Errors become one of two shapes: an HTML page for people, or an RFC 9457 `application/problem+json`
//! document under `/api`. Handlers only say *what* went wrong ([`WebError`]); one middleware
//! ([`render_errors`]) renders every error response — including 404s of unknown paths, 413s of
//! oversized bodies and 500s of panics — in the right shape and language, with a correlation id.
//! Nothing internal (stack traces, SQL, file paths) ever reaches the response.

use crate::i18n::{Tr, from_accept_language};
use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, FieldError};
use kith_domain::locale::Locale;
use serde::Serialize;

/// What went wrong, attached to an error response for [`render_errors`].
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Stable code, also the message key (`error-<code>` for the title).
    pub code: &'static str,
    /// A detail message key with its values, when there is more to say.
    pub detail: Option<(String, Vec<(String, String)>)>,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// Marks a response whose body is already complete (a form re-rendered with its errors).
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

#[derive(Debug)]
pub enum WebError {
    App(AppError),
    /// Malformed request: invalid UTF-8, unparseable form or JSON, a field of the wrong type.
    BadRequest {
        code: &'static str,
        detail: Option<(String, Vec<(String, String)>)>,
    },
    UnsupportedMediaType,
    /// The per-session form token is missing or wrong.
    Csrf,
    /// A page that needs the password again; `next` is where to return.
    Reauth {
        next: String,
    },
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError::App(e)
    }
}

impl WebError {
    pub fn bad(code: &'static str, detail_key: &str, args: Vec<(String, String)>) -> WebError {
        WebError::BadRequest {
            code,
            detail: Some((detail_key.to_string(), args)),
        }
    }
}

pub fn status_and_info(e: &AppError) -> (StatusCode, ErrorInfo) {
    let info = |code| ErrorInfo {
        code,
        detail: None,
        fields: Vec::new(),
        retry_after: None,
    };
    match e {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, info("unauthenticated")),
        AppError::SecondFactorRequired => (StatusCode::FORBIDDEN, info("second-factor-required")),
        AppError::ReauthRequired => (StatusCode::FORBIDDEN, info("reauth-required")),
        AppError::NotFound => (StatusCode::NOT_FOUND, info("not-found")),
        AppError::Forbidden => (StatusCode::FORBIDDEN, info("forbidden")),
        AppError::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorInfo {
                fields: fields.clone(),
                ..info("invalid")
            },
        ),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, info("bad-credentials")),
        AppError::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            ErrorInfo {
                retry_after: Some(*retry_after_secs),
                ..info("throttled")
            },
        ),
        AppError::Expired => (StatusCode::GONE, info("expired")),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, info("conflict")),
        AppError::IdempotencyMismatch => (
            StatusCode::UNPROCESSABLE_ENTITY,
            info("idempotency-mismatch"),
        ),
        AppError::InProgress => (StatusCode::CONFLICT, info("in-progress")),
        AppError::Internal(m) => {
            tracing::error!(error = %m, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, info("internal"))
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, info) = match self {
            WebError::App(e) => status_and_info(&e),
            WebError::BadRequest { code, detail } => (
                StatusCode::BAD_REQUEST,
                ErrorInfo {
                    code,
                    detail,
                    fields: Vec::new(),
                    retry_after: None,
                },
            ),
            WebError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorInfo {
                    code: "unsupported-media-type",
                    detail: None,
                    fields: Vec::new(),
                    retry_after: None,
                },
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                ErrorInfo {
                    code: "csrf",
                    detail: None,
                    fields: Vec::new(),
                    retry_after: None,
                },
            ),
            WebError::Reauth { next } => {
                return Redirect::to(&format!(
                    "/account/reauth?next={}",
                    crate::forms::encode_component(&next)
                ))
                .into_response();
            }
        };
        let mut r = status.into_response();
        r.extensions_mut().insert(info);
        r
    }
}

/// The error a page handler returns; sign-in and second-factor problems become redirects.
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            WebError::App(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
            WebError::App(AppError::SecondFactorRequired) => Redirect::to("/mfa").into_response(),
            other => other.into_response(),
        }
    }
}

pub type PageResult = Result<Response, PageError>;
pub type ApiResult<T> = Result<T, WebError>;

fn default_info(status: StatusCode) -> ErrorInfo {
    let code = match status {
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        s if s.is_client_error() => "bad-request",
        _ => "internal",
    };
    ErrorInfo {
        code,
        detail: None,
        fields: Vec::new(),
        retry_after: None,
    }
}

#[derive(Serialize)]
struct ProblemField {
    field: String,
    code: String,
    message: String,
}

#[derive(Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    code: String,
    correlation_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    title: String,
    detail: Option<String>,
    fields: Vec<String>,
    correlation_id: String,
    signed_in_home: bool,
}

/// Translates a field error for people.
pub fn field_message(t: &Tr, f: &FieldError) -> String {
    let key = format!("msg-{}", f.code);
    let args: Vec<(&str, String)> = f
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    t.with(&key, &args)
}

/// Renders every error response in the shape the caller expects.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let locale = req
        .extensions()
        .get::<Locale>()
        .copied()
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or(Locale::En);
    let correlation_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let signed_in = req.headers().contains_key(header::COOKIE);
    let mut response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let info = response
        .extensions()
        .get::<ErrorInfo>()
        .cloned()
        .unwrap_or_else(|| default_info(status));
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), correlation_id, "request failed");
    }
    let t = Tr::new(locale);
    let title = t.get(&format!("error-{}", info.code));
    let detail = info.detail.as_ref().map(|(k, args)| {
        let a: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        t.with(k, &a)
    });
    let mut out = if is_api {
        let problem = Problem {
            kind: format!("https://kith.invalid/problems/{}", info.code),
            title,
            status: status.as_u16(),
            detail,
            code: info.code.to_string(),
            correlation_id,
            errors: info
                .fields
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    code: f.code.clone(),
                    message: field_message(&t, f),
                })
                .collect(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else {
        let page = ErrorPage {
            t,
            status: status.as_u16(),
            title,
            detail,
            fields: info.fields.iter().map(|f| field_message(&t, f)).collect(),
            correlation_id,
            signed_in_home: signed_in,
        };
        let html = page.render().unwrap_or_else(|_| "Error".to_string());
        let mut r = Response::new(Body::from(html));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r
    };
    *out.status_mut() = status;
    if let Some(secs) = info.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    // Keep headers the handler set deliberately (e.g. Allow on 405).
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = response.headers_mut().remove(&name) {
            out.headers_mut().insert(name, v);
        }
    }
    out
}
