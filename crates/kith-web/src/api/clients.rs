//! `/api/v1/me` and `/api/v1/clients`.

use super::ProblemDoc;
use crate::errors::{ApiResult, WebError};
use crate::forms::ApiJson;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use kith_app::secrets::body_hash;
use kith_app::{AppError, ClientInput, Ctx};
use kith_domain::ids::ClientId;
use kith_store::Idempotency;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MeDoc {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    /// `clinic_admin`, `clinician`, `supervisor` or `client`.
    pub role: Option<String>,
    pub clinic_id: Option<String>,
    pub clinic_name: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = MeDoc), (status = 401, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn me(Extension(ctx): Extension<Ctx>) -> Json<MeDoc> {
    Json(MeDoc {
        user_id: ctx.user.id.to_string(),
        display_name: ctx.user.display_name.clone(),
        email: ctx.user.email.clone(),
        role: ctx.role().map(|r| r.as_str().to_string()),
        clinic_id: ctx.clinic_id().map(|c| c.to_string()),
        clinic_name: ctx.clinic.as_ref().map(|c| c.name.clone()),
    })
}

#[derive(Serialize, ToSchema)]
pub struct ClientSummaryDoc {
    pub id: String,
    pub display_name: String,
    /// Names of the clinicians caring for the client.
    pub clinicians: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// The clients the caller may see: a clinician's caseload, a supervisor's supervisees' clients, the
/// clinic directory for an admin.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    responses((status = 200, body = [ClientSummaryDoc]), (status = 401, body = ProblemDoc, content_type = "application/problem+json"), (status = 403, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn list(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> ApiResult<Json<Vec<ClientSummaryDoc>>> {
    let rows = s.app.clients(&ctx).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| ClientSummaryDoc {
                id: c.id.to_string(),
                display_name: c.display_name,
                clinicians: c.clinicians,
                created_at: c.created_at,
            })
            .collect(),
    ))
}

/// A client to register. Unknown fields are refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientDoc {
    /// May be a pseudonym. 1–100 characters, no control characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub display_name: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
    /// Phone, email or address; stored encrypted. Up to 500 characters; line breaks allowed, other
    /// control characters not.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub contact: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDoc {
    pub id: String,
}

/// Registers a client. With an `Idempotency-Key` header a retried request creates nothing new and
/// answers as the first one did; the same key with a different body is refused (422).
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to repeat (up to 200 characters).")),
    request_body = NewClientDoc,
    responses(
        (status = 201, body = CreatedDoc),
        (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 415, body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn create(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    ApiJson(body, raw): ApiJson<NewClientDoc>,
) -> ApiResult<Response> {
    let idem = idempotency(&s, &ctx, &headers, "POST /api/v1/clients", &raw)?;
    let date_of_birth = match body
        .date_of_birth
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => Some(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| {
                    AppError::Invalid(vec![kith_app::FieldError::new(
                        "date_of_birth",
                        "field-not-a-date",
                    )])
                })?,
        ),
        None => None,
    };
    let input = ClientInput {
        display_name: body.display_name,
        date_of_birth,
        contact: body.contact,
    };
    let written = s.app.register_client(&ctx, &input, idem).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDoc {
            id: written.value().to_string(),
        }),
    )
        .into_response())
}

/// Reads the `Idempotency-Key` header into the key the store keeps with the write.
pub fn idempotency(
    s: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    route: &'static str,
    raw: &[u8],
) -> ApiResult<Option<Idempotency>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .map_err(|_| WebError::bad("bad-idempotency-key", "detail-idempotency-key", vec![]))?
        .trim()
        .to_string();
    if key.is_empty() || key.len() > 200 {
        return Err(WebError::bad(
            "bad-idempotency-key",
            "detail-idempotency-key",
            vec![],
        ));
    }
    Ok(Some(Idempotency {
        user: ctx.user.id,
        route,
        key,
        request_hash: body_hash(raw),
        at: s.app.now(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ClientDoc {
    pub id: String,
    pub display_name: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
    pub contact: Option<String>,
    /// User ids of the clinicians caring for the client.
    pub clinicians: Vec<String>,
    /// Give this back when changing the record.
    pub version: i64,
}

/// One client's details.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, body = ClientDoc), (status = 401, body = ProblemDoc, content_type = "application/problem+json"), (status = 404, body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_one(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> ApiResult<Json<ClientDoc>> {
    let id: ClientId = id.parse().map_err(|_| AppError::NotFound)?;
    let c = s.app.client(&ctx, id).await?;
    Ok(Json(ClientDoc {
        id: c.id.to_string(),
        display_name: c.display_name,
        date_of_birth: c.date_of_birth.map(|d| d.to_string()),
        contact: c.contact,
        clinicians: c.clinicians.iter().map(|u| u.to_string()).collect(),
        version: c.version,
    }))
}
