//! The route table. Every route is registered here with the policy [`Action`] it needs (or as
//! public); there is no other way to add a route, so a route without an entry cannot exist. Before a
//! handler runs, the guard resolves who is calling (session cookie for pages, bearer token for the
//! API), sends people who still owe a second factor to it, and asks the policy whether this caller
//! could perform the action at all. The handler then checks the particular record through the
//! application layer.

use crate::errors::{ErrorInfo, WebError};
use crate::i18n::from_accept_language;
use crate::state::AppState;
use axum::Extension;
use axum::RequestExt;
use axum::Router;
use axum::extract::{ConnectInfo, RawPathParams, Request};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, on};
use kith_app::{AppError, Ctx, Pending, RecordScope};
use kith_domain::locale::Locale;
use kith_domain::policy::{Action, Denial, precheck};
use std::net::SocketAddr;
use std::sync::Arc;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in, setup, invitations, assets, health.
    Public,
    /// A signed-in caller whom the policy allows this action.
    Signed(Action),
}

/// Whether a route serves people (HTML, cookies) or programs (JSON, bearer tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

/// Builds the router and the table side by side.
pub struct Registry {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

fn filter(m: &Method) -> MethodFilter {
    match *m {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl Registry {
    pub fn new() -> Registry {
        Registry {
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        surface: Surface,
        handler: H,
    ) -> Registry
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let spec = RouteSpec {
            method: method.clone(),
            path,
            access,
            surface,
        };
        assert!(
            !self
                .specs
                .iter()
                .any(|s| s.path == path && s.method == method),
            "route {method} {path} registered twice"
        );
        let mr = on(filter(&method), handler)
            .route_layer(from_fn(guard))
            .route_layer(Extension(Arc::new(spec.clone())));
        self.router = self.router.route(path, mr);
        self.specs.push(spec);
        self
    }

    pub fn page<H: Handler<T, AppState>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Registry {
        self.add(method, path, access, Surface::Page, h)
    }

    pub fn api<H: Handler<T, AppState>, T: 'static>(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Registry {
        self.add(method, path, access, Surface::Api, h)
    }

    pub fn finish(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

/// The caller's address: the peer, or the last hop of `X-Forwarded-For` when the peer is the
/// configured proxy.
pub fn client_ip(req: &Request, state: &AppState) -> Option<String> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)?;
    client_ip_of(state, peer, req.headers())
}

/// [`client_ip`] for handlers that hold the peer address and headers.
pub fn client_ip_of(
    state: &AppState,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
) -> Option<String> {
    let peer = peer.ip();
    if let Some(proxy) = state.config.trusted_proxy
        && peer == proxy
        && let Some(xff) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = xff.split(',').next_back()
        && let Ok(ip) = last.trim().parse::<std::net::IpAddr>()
    {
        return Some(ip.to_string());
    }
    Some(peer.to_string())
}

pub fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|all| {
            all.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == name).then_some(v)
            })
        })
}

fn bearer(req: &Request) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The locale of a request before (or without) a signed-in person's own choice.
pub fn request_locale(req: &Request) -> Option<Locale> {
    cookie(req, "kith_lang")
        .and_then(Locale::from_tag)
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
}

/// Which record a route's `{id}` names, by the route's shape.
fn scope_of(path: &str) -> Option<RecordScope> {
    if path.starts_with("/clients/{id}") || path.starts_with("/api/v1/clients/{id}") {
        Some(RecordScope::Client)
    } else if path.starts_with("/alerts/{id}") || path.starts_with("/api/v1/alerts/{id}") {
        Some(RecordScope::Alert)
    } else if path.starts_with("/courses/{id}") || path.starts_with("/api/v1/courses/{id}") {
        Some(RecordScope::Course)
    } else if path.starts_with("/sessions/{id}") {
        Some(RecordScope::Session)
    } else if path.starts_with("/notes/{id}") {
        Some(RecordScope::Note)
    } else if path.starts_with("/worksheets/{id}") {
        Some(RecordScope::Worksheet)
    } else {
        None
    }
}

async fn record_of(path: &str, req: &mut Request) -> Option<(RecordScope, String)> {
    let scope = scope_of(path)?;
    let params = req.extract_parts::<RawPathParams>().await.ok()?;
    let id = params
        .iter()
        .find(|(k, _)| *k == "id")
        .map(|(_, v)| v.to_string())?;
    Some((scope, id))
}

fn api_error(status: StatusCode, code: &'static str) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(ErrorInfo {
        code,
        detail: None,
        fields: Vec::new(),
        retry_after: None,
    });
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

fn login_redirect(req: &Request) -> Response {
    if req.method() == Method::GET {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        Redirect::to(&format!(
            "/login?next={}",
            crate::forms::encode_component(next)
        ))
        .into_response()
    } else {
        Redirect::to("/login?ended=1").into_response()
    }
}

tokio::task_local! {
    /// The path and query of the request being handled (the language switch returns there).
    pub static CURRENT_PATH: String;
}

/// The path and query of the request being handled, if inside one.
pub fn current_path() -> Option<String> {
    CURRENT_PATH.try_with(|p| p.clone()).ok()
}

/// The routes a session may use while it still owes its second factor: the step itself (entering
/// a code, or setting up an authenticator for someone who has none) and signing out.
pub fn second_factor_route(pending: Pending, spec: &RouteSpec) -> bool {
    match (pending, spec.path) {
        (Pending::Nothing, _) => true,
        (_, "/logout") => spec.method == Method::POST,
        (Pending::SecondFactor, "/mfa") => true,
        // Posting a code to enrolment is answered (refused and audited) by enrolment itself.
        (Pending::SecondFactor, "/mfa/enrol") => spec.method == Method::POST,
        (Pending::EnrolSecondFactor, "/mfa" | "/mfa/enrol") => true,
        (Pending::EnrolSecondFactor, "/account/second-factor/reset") => spec.method == Method::POST,
        _ => false,
    }
}

async fn guard(req: Request, next: Next) -> Response {
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    CURRENT_PATH.scope(here, guarded(req, next)).await
}

async fn guarded(mut req: Request, next: Next) -> Response {
    let (Some(state), Some(spec)) = (
        req.extensions().get::<AppState>().cloned(),
        req.extensions().get::<Arc<RouteSpec>>().cloned(),
    ) else {
        return WebError::App(AppError::Internal("route without its table entry".into()))
            .into_response();
    };
    let locale = request_locale(&req).unwrap_or(Locale::En);
    req.extensions_mut().insert(locale);
    let Access::Signed(action) = spec.access else {
        return next.run(req).await;
    };
    let source = client_ip(&req, &state);
    let resolved = match spec.surface {
        Surface::Api => match bearer(&req) {
            Some(token) => state.app.resolve_api_token(token, source.as_deref()).await,
            None => Err(AppError::Unauthenticated),
        },
        Surface::Page => match cookie(&req, state.config.session_cookie()) {
            Some(token) => state.app.resolve_session(token, source.as_deref()).await,
            None => Err(AppError::Unauthenticated),
        },
    };
    let ctx: Ctx = match resolved {
        Ok(c) => c,
        Err(AppError::Unauthenticated) => {
            return match spec.surface {
                Surface::Api => api_error(StatusCode::UNAUTHORIZED, "unauthenticated"),
                Surface::Page => login_redirect(&req),
            };
        }
        Err(e) => return WebError::App(e).into_response(),
    };
    // A session that has passed only the password reaches the second-factor pages and sign-out,
    // nothing else: not the account pages, not the reference pages (AU-5a).
    if ctx.pending != Pending::Nothing && !second_factor_route(ctx.pending, &spec) {
        return match spec.surface {
            Surface::Api => api_error(StatusCode::FORBIDDEN, "second-factor-required"),
            Surface::Page => Redirect::to("/mfa").into_response(),
        };
    }
    if let Err(d) = precheck(&ctx.actor, action) {
        return match (d, spec.surface) {
            (Denial::SecondFactorRequired, Surface::Page) => Redirect::to("/mfa").into_response(),
            (Denial::SecondFactorRequired, Surface::Api) => {
                api_error(StatusCode::FORBIDDEN, "second-factor-required")
            }
            (d, surface) if d.hides_existence() => {
                let _ = surface;
                WebError::App(AppError::NotFound).into_response()
            }
            _ => WebError::App(AppError::Forbidden).into_response(),
        };
    }
    // Routes about one record check it now, before the handler reads any body: a record of another
    // clinic, a missing one and one not in the caller's care all answer the same "not found".
    if action.is_about_a_client()
        && let Some((scope, id)) = record_of(spec.path, &mut req).await
        && let Err(e) = state.app.record_access(&ctx, scope, &id, action).await
    {
        return match (e, spec.surface) {
            (AppError::SecondFactorRequired, Surface::Page) => Redirect::to("/mfa").into_response(),
            (e, _) => WebError::App(e).into_response(),
        };
    }
    // A person's own language choice wins over the browser's.
    if let Some(l) = ctx.user.locale.as_deref().and_then(Locale::from_tag) {
        req.extensions_mut().insert(l);
    } else if request_locale(&req).is_none()
        && let Some(c) = &ctx.clinic
    {
        req.extensions_mut().insert(c.settings.default_locale);
    }
    req.extensions_mut().insert(ctx);
    next.run(req).await
}
