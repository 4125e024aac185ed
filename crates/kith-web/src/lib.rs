//! The web interface and JSON API: the only crate that knows HTTP, HTML, cookies and JSON wire
//! shapes. Pages are server-rendered (askama) and work without JavaScript; every word comes from the
//! Fluent catalogues in `locales/`; every route is registered in one table with the policy action it
//! needs ([`routes`]).

pub mod api;
mod assets;
pub mod errors;
pub mod forms;
pub mod headers;
pub mod i18n;
pub mod pages;
pub mod routes;
pub mod state;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Json, Response};
use kith_domain::policy::Action;
use routes::{Access, Registry, RouteSpec};
use state::AppState;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::WebConfig;

use Access::{Public, Signed};

/// Every route of Kith, with the action each needs.
pub fn route_table() -> (Router<AppState>, Vec<RouteSpec>) {
    use pages::{
        account, admin, alerts, auth, clients, measures, operator, portal, reference, safety_plan,
    };
    // course-sessions
    use pages as course_sessions;
    let get = Method::GET;
    let post = Method::POST;
    Registry::new()
        // Health and assets.
        .page(get.clone(), "/healthz", Public, health)
        .page(get.clone(), "/static/{file}", Public, assets::serve)
        // Signing in, setup, invitations.
        .page(get.clone(), "/login", Public, auth::login_form)
        .page(post.clone(), "/login", Public, auth::login)
        .page(
            post.clone(),
            "/logout",
            Signed(Action::OwnAccount),
            auth::logout,
        )
        .page(get.clone(), "/setup/{token}", Public, auth::setup_form)
        .page(post.clone(), "/setup/{token}", Public, auth::setup)
        .page(
            get.clone(),
            "/invitation/{token}",
            Public,
            auth::invitation_form,
        )
        .page(
            post.clone(),
            "/invitation/{token}",
            Public,
            auth::accept_invitation,
        )
        .page(post.clone(), "/language", Public, auth::language)
        .page(
            get.clone(),
            "/mfa",
            Signed(Action::OwnAccount),
            auth::mfa_form,
        )
        .page(post.clone(), "/mfa", Signed(Action::OwnAccount), auth::mfa)
        .page(
            get.clone(),
            "/mfa/enrol",
            Signed(Action::OwnAccount),
            auth::enrol_form,
        )
        .page(
            post.clone(),
            "/mfa/enrol",
            Signed(Action::OwnAccount),
            auth::enrol,
        )
        // Own account.
        .page(
            get.clone(),
            "/account",
            Signed(Action::OwnAccount),
            account::index,
        )
        .page(
            post.clone(),
            "/account/password",
            Signed(Action::OwnAccount),
            account::change_password,
        )
        .page(
            post.clone(),
            "/account/sessions/{handle}/end",
            Signed(Action::OwnAccount),
            account::end_session,
        )
        .page(
            post.clone(),
            "/account/tokens",
            Signed(Action::OwnAccount),
            account::create_token,
        )
        .page(
            post.clone(),
            "/account/tokens/{id}/revoke",
            Signed(Action::OwnAccount),
            account::revoke_token,
        )
        .page(
            post.clone(),
            "/account/clinic",
            Signed(Action::OwnAccount),
            account::switch_clinic,
        )
        .page(
            post.clone(),
            "/account/second-factor/reset",
            Signed(Action::OwnAccount),
            account::reset_second_factor,
        )
        .page(
            get.clone(),
            "/account/reauth",
            Signed(Action::OwnAccount),
            account::reauth_form,
        )
        .page(
            post.clone(),
            "/account/reauth",
            Signed(Action::OwnAccount),
            account::reauth,
        )
        // Home, clients.
        .page(get.clone(), "/", Signed(Action::OwnAccount), clients::home)
        .page(
            post.clone(),
            "/clients",
            Signed(Action::RegisterClient),
            clients::register,
        )
        .page(
            get.clone(),
            "/clients/{id}",
            Signed(Action::ViewClient),
            clients::client,
        )
        .page(
            post.clone(),
            "/clients/{id}",
            Signed(Action::EditClient),
            clients::update,
        )
        // Measures, alerts and safety plans.
        .page(
            get.clone(),
            "/clients/{id}/measures",
            Signed(Action::ViewClinical),
            measures::index,
        )
        .page(
            get.clone(),
            "/clients/{id}/measures/new",
            Signed(Action::WriteClinical),
            measures::new_form,
        )
        .page(
            post.clone(),
            "/clients/{id}/measures",
            Signed(Action::WriteClinical),
            measures::submit,
        )
        .page(
            get.clone(),
            "/clients/{id}/measures/{sid}",
            Signed(Action::ViewClinical),
            measures::result,
        )
        .page(
            get.clone(),
            "/alerts",
            Signed(Action::ViewCaseload),
            alerts::list,
        )
        .page(
            get.clone(),
            "/alerts/{id}",
            Signed(Action::ViewClinical),
            alerts::show,
        )
        .page(
            post.clone(),
            "/alerts/{id}/acknowledge",
            Signed(Action::AcknowledgeAlert),
            alerts::acknowledge,
        )
        .page(
            get.clone(),
            "/clients/{id}/safety-plan",
            Signed(Action::ViewClinical),
            safety_plan::show,
        )
        .page(
            get.clone(),
            "/clients/{id}/safety-plan/versions/{version}",
            Signed(Action::ViewClinical),
            safety_plan::version,
        )
        .page(
            get.clone(),
            "/clients/{id}/safety-plan/edit",
            Signed(Action::WriteClinical),
            safety_plan::edit,
        )
        .page(
            post.clone(),
            "/clients/{id}/safety-plan",
            Signed(Action::WriteClinical),
            safety_plan::save,
        )
        // The client's portal.
        .page(
            get.clone(),
            "/portal/safety-plan",
            Signed(Action::UsePortal),
            portal::safety_plan,
        )
        .page(
            get.clone(),
            "/portal/questionnaires",
            Signed(Action::UsePortal),
            portal::questionnaires,
        )
        .page(
            get.clone(),
            "/portal/questionnaires/{instrument}",
            Signed(Action::UsePortal),
            portal::questionnaire,
        )
        .page(
            post.clone(),
            "/portal/questionnaires/{instrument}",
            Signed(Action::UsePortal),
            portal::answer,
        )
        .page(
            get.clone(),
            "/portal/questionnaires/answered/{id}",
            Signed(Action::UsePortal),
            portal::answered,
        )
        // Reference.
        .page(
            get.clone(),
            "/protocols",
            Signed(Action::ViewReference),
            reference::protocols,
        )
        .page(
            get.clone(),
            "/protocols/{id}",
            Signed(Action::ViewReference),
            reference::protocol,
        )
        // Clinic administration.
        .page(
            get.clone(),
            "/admin/members",
            Signed(Action::ManageMembers),
            admin::members,
        )
        .page(
            post.clone(),
            "/admin/invitations",
            Signed(Action::ManageMembers),
            admin::invite,
        )
        .page(
            post.clone(),
            "/admin/invitations/{id}/revoke",
            Signed(Action::ManageMembers),
            admin::revoke_invitation,
        )
        .page(
            post.clone(),
            "/admin/members/{id}/role",
            Signed(Action::ManageMembers),
            admin::set_role,
        )
        .page(
            post.clone(),
            "/admin/members/{id}/disable",
            Signed(Action::ManageMembers),
            admin::disable,
        )
        .page(
            post.clone(),
            "/admin/members/{id}/enable",
            Signed(Action::ManageMembers),
            admin::enable,
        )
        .page(
            post.clone(),
            "/admin/supervision",
            Signed(Action::ManageMembers),
            admin::supervision,
        )
        .page(
            get.clone(),
            "/admin/clients",
            Signed(Action::AssignClients),
            admin::directory,
        )
        .page(
            post.clone(),
            "/admin/clients/{id}/assign",
            Signed(Action::AssignClients),
            admin::assign,
        )
        .page(
            get.clone(),
            "/admin/settings",
            Signed(Action::ManageClinic),
            admin::settings,
        )
        .page(
            post.clone(),
            "/admin/settings",
            Signed(Action::ManageClinic),
            admin::save_settings,
        )
        .page(
            get.clone(),
            "/admin/audit",
            Signed(Action::ViewAudit),
            admin::audit,
        )
        // Server operator.
        .page(
            get.clone(),
            "/operator/clinics",
            Signed(Action::OperateServer),
            operator::clinics,
        )
        .page(
            post.clone(),
            "/operator/clinics",
            Signed(Action::OperateServer),
            operator::create,
        )
        // course-sessions: sessions, pre-session brief, session and process notes, worksheets,
        // termination and the end-of-treatment summary.
        .page(
            get.clone(),
            "/courses/{id}/sessions",
            Signed(Action::ViewClinical),
            course_sessions::sessions::list,
        )
        .page(
            post.clone(),
            "/courses/{id}/sessions",
            Signed(Action::WriteClinical),
            course_sessions::sessions::schedule,
        )
        .page(
            get.clone(),
            "/courses/{id}/brief",
            Signed(Action::ViewClinical),
            course_sessions::sessions::brief,
        )
        .page(
            get.clone(),
            "/sessions/{id}",
            Signed(Action::ViewClinical),
            course_sessions::sessions::session,
        )
        .page(
            post.clone(),
            "/sessions/{id}/hold",
            Signed(Action::WriteClinical),
            course_sessions::sessions::hold,
        )
        .page(
            post.clone(),
            "/sessions/{id}/call-off",
            Signed(Action::WriteClinical),
            course_sessions::sessions::call_off,
        )
        .page(
            post.clone(),
            "/sessions/{id}/tasks",
            Signed(Action::WriteClinical),
            course_sessions::sessions::tick,
        )
        .page(
            get.clone(),
            "/sessions/{id}/note",
            Signed(Action::ViewClinical),
            course_sessions::notes::note,
        )
        .page(
            post.clone(),
            "/sessions/{id}/note",
            Signed(Action::WriteClinical),
            course_sessions::notes::save,
        )
        .page(
            post.clone(),
            "/notes/{id}/sign",
            Signed(Action::WriteClinical),
            course_sessions::notes::sign,
        )
        .page(
            post.clone(),
            "/notes/{id}/addenda",
            Signed(Action::WriteClinical),
            course_sessions::notes::addendum,
        )
        .page(
            post.clone(),
            "/notes/{id}/sign-off",
            Signed(Action::SignOffNote),
            course_sessions::notes::sign_off,
        )
        // Process notes: the application lets only their author in; everyone else, whatever
        // their role, gets "not found" (so the route asks only for a signed-in person).
        .page(
            get.clone(),
            "/sessions/{id}/process-note",
            Signed(Action::ProcessNote),
            course_sessions::notes::process_for_session,
        )
        .page(
            post.clone(),
            "/sessions/{id}/process-note",
            Signed(Action::ProcessNote),
            course_sessions::notes::save_process_for_session,
        )
        .page(
            get.clone(),
            "/clients/{id}/process-notes",
            Signed(Action::ProcessNote),
            course_sessions::notes::process_list,
        )
        .page(
            post.clone(),
            "/clients/{id}/process-notes",
            Signed(Action::ProcessNote),
            course_sessions::notes::create_process_note,
        )
        .page(
            get.clone(),
            "/clients/{id}/process-notes/{note}",
            Signed(Action::ProcessNote),
            course_sessions::notes::process_note,
        )
        .page(
            post.clone(),
            "/clients/{id}/process-notes/{note}",
            Signed(Action::ProcessNote),
            course_sessions::notes::update_process_note,
        )
        .page(
            get.clone(),
            "/courses/{id}/worksheets",
            Signed(Action::ViewClinical),
            course_sessions::worksheets::list,
        )
        .page(
            post.clone(),
            "/courses/{id}/worksheets",
            Signed(Action::WriteClinical),
            course_sessions::worksheets::start,
        )
        .page(
            get.clone(),
            "/worksheets/{id}",
            Signed(Action::ViewClinical),
            course_sessions::worksheets::worksheet,
        )
        .page(
            post.clone(),
            "/worksheets/{id}",
            Signed(Action::WriteClinical),
            course_sessions::worksheets::save,
        )
        .page(
            post.clone(),
            "/worksheets/{id}/review",
            Signed(Action::WriteClinical),
            course_sessions::worksheets::review,
        )
        .page(
            get.clone(),
            "/courses/{id}/termination",
            Signed(Action::ViewClinical),
            course_sessions::termination::termination,
        )
        .page(
            post.clone(),
            "/courses/{id}/ending-raised",
            Signed(Action::WriteClinical),
            course_sessions::termination::ending_raised,
        )
        .page(
            post.clone(),
            "/courses/{id}/goals/{goal}/review",
            Signed(Action::WriteClinical),
            course_sessions::termination::review_goal,
        )
        .page(
            post.clone(),
            "/courses/{id}/close",
            Signed(Action::WriteClinical),
            course_sessions::termination::close,
        )
        .page(
            get.clone(),
            "/courses/{id}/summary",
            Signed(Action::ViewClinical),
            course_sessions::termination::summary,
        )
        // end of course-sessions.
        // The JSON API.
        .api(get.clone(), "/api/v1/openapi.json", Public, openapi_json)
        .api(
            get.clone(),
            "/api/v1/me",
            Signed(Action::OwnAccount),
            api::clients::me,
        )
        .api(
            get.clone(),
            "/api/v1/clients",
            Signed(Action::ListClients),
            api::clients::list,
        )
        .api(
            post.clone(),
            "/api/v1/clients",
            Signed(Action::RegisterClient),
            api::clients::create,
        )
        .api(
            get.clone(),
            "/api/v1/clients/{id}",
            Signed(Action::ViewClient),
            api::clients::get_one,
        )
        .api(
            post.clone(),
            "/api/v1/clients/{id}/measures",
            Signed(Action::WriteClinical),
            api::measures::create,
        )
        .api(
            get.clone(),
            "/api/v1/clients/{id}/measures",
            Signed(Action::ViewClinical),
            api::measures::list,
        )
        .api(
            get.clone(),
            "/api/v1/clients/{id}/alerts",
            Signed(Action::ViewClinical),
            api::measures::client_alerts,
        )
        .api(
            post.clone(),
            "/api/v1/alerts/{id}/acknowledge",
            Signed(Action::AcknowledgeAlert),
            api::measures::acknowledge,
        )
        .api(
            get.clone(),
            "/api/v1/protocols",
            Signed(Action::ViewReference),
            api::reference::protocols,
        )
        .api(
            get.clone(),
            "/api/v1/protocols/{id}",
            Signed(Action::ViewReference),
            api::reference::protocol,
        )
        .api(
            get.clone(),
            "/api/v1/instruments",
            Signed(Action::ViewReference),
            api::reference::instruments,
        )
        .api(
            get.clone(),
            "/api/v1/instruments/{id}",
            Signed(Action::ViewReference),
            api::reference::instrument,
        )
        // course-hub: courses (opening, course page, intake, contract, formulation and goals,
        // inventory and snapshots, timeline) and the course API.
        .page(
            get.clone(),
            "/clients/{id}/courses/new",
            Signed(Action::WriteClinical),
            pages::courses::open_form,
        )
        .page(
            post.clone(),
            "/clients/{id}/courses",
            Signed(Action::WriteClinical),
            pages::courses::open,
        )
        .page(
            get.clone(),
            "/courses/{id}",
            Signed(Action::ViewClinical),
            pages::courses::course,
        )
        .page(
            get.clone(),
            "/courses/{id}/intake",
            Signed(Action::ViewClinical),
            pages::courses::intake_form,
        )
        .page(
            post.clone(),
            "/courses/{id}/intake",
            Signed(Action::WriteClinical),
            pages::courses::save_intake,
        )
        .page(
            get.clone(),
            "/courses/{id}/contract",
            Signed(Action::ViewClinical),
            pages::courses::contract_form,
        )
        .page(
            post.clone(),
            "/courses/{id}/contract",
            Signed(Action::WriteClinical),
            pages::courses::agree_contract,
        )
        .page(
            post.clone(),
            "/courses/{id}/contract/renegotiate",
            Signed(Action::WriteClinical),
            pages::courses::renegotiate,
        )
        .page(
            get.clone(),
            "/courses/{id}/formulation",
            Signed(Action::ViewClinical),
            pages::formulation::show,
        )
        .page(
            post.clone(),
            "/courses/{id}/formulation",
            Signed(Action::WriteClinical),
            pages::formulation::save,
        )
        .page(
            post.clone(),
            "/courses/{id}/formulation/agree",
            Signed(Action::WriteClinical),
            pages::formulation::agree,
        )
        .page(
            post.clone(),
            "/courses/{id}/goals",
            Signed(Action::WriteClinical),
            pages::formulation::add_goal,
        )
        .page(
            get.clone(),
            "/courses/{id}/goals/{goal}",
            Signed(Action::ViewClinical),
            pages::formulation::goal_form,
        )
        .page(
            post.clone(),
            "/courses/{id}/goals/{goal}",
            Signed(Action::WriteClinical),
            pages::formulation::update_goal,
        )
        .page(
            get.clone(),
            "/courses/{id}/inventory",
            Signed(Action::ViewClinical),
            pages::inventory::show,
        )
        .page(
            post.clone(),
            "/courses/{id}/inventory",
            Signed(Action::WriteClinical),
            pages::inventory::add_person,
        )
        .page(
            get.clone(),
            "/courses/{id}/inventory/new",
            Signed(Action::WriteClinical),
            pages::inventory::new_person_form,
        )
        .page(
            get.clone(),
            "/courses/{id}/inventory/compare",
            Signed(Action::ViewClinical),
            pages::inventory::compare,
        )
        .page(
            post.clone(),
            "/courses/{id}/inventory/notes",
            Signed(Action::WriteClinical),
            pages::inventory::save_notes,
        )
        .page(
            get.clone(),
            "/courses/{id}/inventory/{person}",
            Signed(Action::ViewClinical),
            pages::inventory::person_form,
        )
        .page(
            post.clone(),
            "/courses/{id}/inventory/{person}",
            Signed(Action::WriteClinical),
            pages::inventory::update_person,
        )
        .page(
            post.clone(),
            "/courses/{id}/inventory/{person}/remove",
            Signed(Action::WriteClinical),
            pages::inventory::remove_person,
        )
        .page(
            post.clone(),
            "/courses/{id}/snapshots",
            Signed(Action::WriteClinical),
            pages::inventory::take_snapshot,
        )
        .page(
            get.clone(),
            "/courses/{id}/timeline",
            Signed(Action::ViewClinical),
            pages::timeline::show,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/onset",
            Signed(Action::WriteClinical),
            pages::timeline::set_onset,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/events",
            Signed(Action::WriteClinical),
            pages::timeline::add_event,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/mood",
            Signed(Action::WriteClinical),
            pages::timeline::add_mood,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/episodes",
            Signed(Action::WriteClinical),
            pages::timeline::add_episode,
        )
        .page(
            get.clone(),
            "/courses/{id}/timeline/{entry}",
            Signed(Action::ViewClinical),
            pages::timeline::entry_form,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/{entry}",
            Signed(Action::WriteClinical),
            pages::timeline::update_entry,
        )
        .page(
            post.clone(),
            "/courses/{id}/timeline/{entry}/remove",
            Signed(Action::WriteClinical),
            pages::timeline::remove_entry,
        )
        .api(
            get.clone(),
            "/api/v1/clients/{id}/courses",
            Signed(Action::ViewClinical),
            api::courses::list,
        )
        .api(
            post.clone(),
            "/api/v1/clients/{id}/courses",
            Signed(Action::WriteClinical),
            api::courses::open,
        )
        .api(
            get.clone(),
            "/api/v1/courses/{id}",
            Signed(Action::ViewClinical),
            api::courses::get_one,
        )
        .api(
            get.clone(),
            "/api/v1/courses/{id}/sessions",
            Signed(Action::ViewClinical),
            api::courses::sessions,
        )
        // end course-hub
        .finish()
}

async fn health(State(s): State<AppState>) -> Response {
    match s.app.store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable" })),
        )
            .into_response(),
    }
}

async fn openapi_json() -> Response {
    let (_, specs) = route_table();
    let doc = api::document(&specs);
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The OpenAPI document as committed in `openapi.json` (pretty-printed, stable order).
pub fn openapi_pretty() -> String {
    let (_, specs) = route_table();
    let doc = api::document(&specs);
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The whole application: routes plus the layers every request passes through.
pub fn router(state: AppState) -> Router {
    let (routes, _) = route_table();
    let max_body = state.config.max_body;
    let mut csrf = CsrfLayer::new();
    if let Ok(c) =
        CsrfLayer::new().add_trusted_origin(state.config.public_url.trim_end_matches('/'))
    {
        csrf = c;
    }
    routes
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .with_state(state.clone())
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                ]))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(TraceLayer::new_for_http())
                .layer(from_fn_with_state(state.clone(), headers::security_headers))
                .layer(axum::Extension(state))
                .layer(from_fn(errors::render_errors))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                ))
                .layer(csrf)
                .layer(RequestBodyLimitLayer::new(max_body)),
        )
}
