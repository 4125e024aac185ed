//! Strict request bodies. HTML forms and JSON bodies are read the same careful way: the right
//! content type (else 415), valid UTF-8 (else 400), parseable, every field of the right type and no
//! unknown fields (else 400 naming the field). Forms of signed-in pages must carry the session's
//! form token (`_csrf`), checked in constant time.

use crate::errors::WebError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use kith_app::Ctx;
use serde::de::DeserializeOwned;

fn content_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

async fn body_text(req: Request) -> Result<String, WebError> {
    let bytes = Bytes::from_request(req, &()).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::BadRequest {
                code: "payload-too-large",
                detail: None,
            }
        } else {
            WebError::bad("bad-request", "detail-body-unreadable", vec![])
        }
    })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| WebError::bad("invalid-utf8", "detail-invalid-utf8", vec![]))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Deserialises form pairs into `T`, naming the field on failure.
fn from_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, WebError> {
    let encoded = serde_urlencoded::to_string(pairs)
        .map_err(|_| WebError::bad("malformed-form", "detail-malformed-form", vec![]))?;
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        // An unknown field is named by serde itself; a wrong value is named by the path.
        if let Some(rest) = inner.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or("").to_string();
            WebError::bad(
                "unknown-field",
                "detail-unknown-field",
                vec![("field".into(), name)],
            )
        } else if let Some(rest) = inner.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("").to_string();
            WebError::bad(
                "missing-field",
                "detail-missing-field",
                vec![("field".into(), name)],
            )
        } else {
            WebError::bad(
                "bad-field",
                "detail-bad-field",
                vec![("field".into(), field)],
            )
        }
    })
}

/// Whether every percent-escape in a form body decodes to valid UTF-8. The form decoder would
/// otherwise replace invalid sequences (`%C3%28`) with U+FFFD and store the altered text.
fn escapes_are_utf8(text: &str) -> bool {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.split('&').all(|pair| {
        let bytes = pair.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        std::str::from_utf8(&out).is_ok()
    })
}

fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, WebError> {
    if !escapes_are_utf8(text) {
        return Err(WebError::bad("invalid-utf8", "detail-invalid-utf8", vec![]));
    }
    serde_urlencoded::from_str::<Vec<(String, String)>>(text)
        .map_err(|_| WebError::bad("malformed-form", "detail-malformed-form", vec![]))
}

/// An HTML form posted by a signed-in person: the `_csrf` field must match the session.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if content_type(&req) != "application/x-www-form-urlencoded" {
            return Err(WebError::UnsupportedMediaType);
        }
        let expected = req
            .extensions()
            .get::<Ctx>()
            .and_then(|c| c.csrf_token().map(str::to_string));
        let text = body_text(req).await?;
        let mut pairs = parse_pairs(&text)?;
        let given = pairs
            .iter()
            .position(|(k, _)| k == "_csrf")
            .map(|i| pairs.remove(i).1);
        match (expected, given) {
            (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()) => {}
            _ => return Err(WebError::Csrf),
        }
        from_pairs(&pairs).map(Form)
    }
}

/// A form posted before signing in (sign-in, setup, invitation). Cross-site posts are already
/// refused by the Origin/Sec-Fetch-Site check; there is no session to bind a token to.
pub struct PublicForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PublicForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if content_type(&req) != "application/x-www-form-urlencoded" {
            return Err(WebError::UnsupportedMediaType);
        }
        let text = body_text(req).await?;
        let mut pairs = parse_pairs(&text)?;
        pairs.retain(|(k, _)| k != "_csrf");
        from_pairs(&pairs).map(PublicForm)
    }
}

/// A JSON body of the API: `application/json` only (never text/plain or forms).
pub struct ApiJson<T>(pub T, pub Vec<u8>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(&req);
        if ct != "application/json" {
            return Err(WebError::UnsupportedMediaType);
        }
        let text = body_text(req).await?;
        let mut de = serde_json::Deserializer::from_str(&text);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                WebError::bad(
                    "malformed-json",
                    "detail-malformed-json",
                    vec![("line".into(), inner.line().to_string())],
                )
            } else {
                WebError::bad(
                    "bad-field",
                    "detail-bad-json-field",
                    vec![("field".into(), path), ("reason".into(), inner.to_string())],
                )
            }
        })?;
        de.end().map_err(|_| {
            WebError::bad(
                "malformed-json",
                "detail-malformed-json",
                vec![("line".into(), "0".into())],
            )
        })?;
        Ok(ApiJson(value, text.into_bytes()))
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only local paths are followed after sign-in (never another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_must_decode_to_utf8() {
        assert!(escapes_are_utf8("name=Jos%C3%A9&x=100%25&y=%"));
        assert!(escapes_are_utf8("a=%zz&b=%2"));
        assert!(!escapes_are_utf8("name=%C3%28"));
        assert!(!escapes_are_utf8("ok=1&name=%C0%AF"));
        assert!(!escapes_are_utf8("%FF=1"));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/clients")), "/clients");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
