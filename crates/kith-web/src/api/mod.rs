//! The JSON API under `/api/v1`: bearer tokens only (never cookies), `application/json` bodies
//! only, RFC 9457 problem documents for errors, and an OpenAPI 3.1 description generated from this
//! code. Each operation's roles come from the same route table and policy the web pages use.

pub mod clients;
pub mod measures;
pub mod reference;

use crate::routes::{Access, RouteSpec, Surface};
use kith_domain::policy::Action;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Text given in each of Kith's languages, keyed by language code (`en`, `es`).
pub type LocalizedText = BTreeMap<String, String>;

pub fn localized(l: &kith_domain::locale::Localized) -> LocalizedText {
    l.0.iter()
        .map(|(k, v)| (k.code().to_string(), v.clone()))
        .collect()
}

/// An RFC 9457 problem document.
#[derive(Serialize, ToSchema)]
pub struct ProblemDoc {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, e.g. `not-found`, `invalid`.
    pub code: String,
    /// Quote this when asking for help: it finds the request in the server's log.
    pub correlation_id: String,
    /// For `invalid`: one entry per wrong field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemFieldDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemFieldDoc {
    pub field: String,
    pub code: String,
    pub message: String,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token made in the account page or with `kith user token`.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Kith API", description = "Interpersonal Psychotherapy courses, measures and records. Every call is authorised by the same policy as the web pages and is audited.", license(name = "AGPL-3.0-or-later")),
    paths(
        openapi_doc,
        clients::me,
        clients::list,
        clients::create,
        clients::get_one,
        measures::create,
        measures::list,
        measures::client_alerts,
        measures::acknowledge,
        reference::protocols,
        reference::protocol,
        reference::instruments,
        reference::instrument,
        // course-hub
        courses::list,
        courses::open,
        courses::get_one,
        courses::sessions,
    ),
    components(schemas(ProblemDoc, ProblemFieldDoc)),
    modifiers(&Security),
    tags((name = "account", description = "Who am I"), (name = "clients", description = "Clients and their records"), (name = "measures", description = "Questionnaires, scores, safety alerts"), (name = "reference", description = "Protocols and instruments"))
)]
pub struct ApiDoc;

/// The OpenAPI document, with each operation marked (`x-kith-access`) with its policy action and
/// the roles that may call it, taken from the route table.
pub fn document(specs: &[RouteSpec]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for spec in specs.iter().filter(|s| s.surface == Surface::Api) {
        let Some(item) = doc.paths.paths.get_mut(spec.path) else {
            continue;
        };
        let op = match spec.method.as_str() {
            "GET" => item.get.as_mut(),
            "POST" => item.post.as_mut(),
            "PUT" => item.put.as_mut(),
            "PATCH" => item.patch.as_mut(),
            "DELETE" => item.delete.as_mut(),
            _ => None,
        };
        let Some(op) = op else { continue };
        let (roles, action): (Vec<String>, Option<Action>) = match spec.access {
            Access::Public => (vec!["anyone".into()], None),
            Access::Signed(a) => (
                a.roles().iter().map(|r| r.as_str().to_string()).collect(),
                Some(a),
            ),
        };
        // One extension object keeps the document's key order stable.
        let ext = op.extensions.get_or_insert_with(Default::default);
        ext.insert(
            "x-kith-access".into(),
            serde_json::json!({ "action": action.map(|a| a.as_str()), "roles": roles }),
        );
    }
    doc
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "reference", responses((status = 200, description = "The OpenAPI 3.1 description of the Kith API", content_type = "application/json")))]
#[allow(dead_code)]
fn openapi_doc() {}

// course-hub: courses of IPT.
pub mod courses;
