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
    text.split('&')
        .all(|pair| std::str::from_utf8(&percent_decode(pair.as_bytes())).is_ok())
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

/// Where to go after sign-in, a language switch or re-authentication: only a path on this site,
/// written in the characters a URL path and query need. Anything else (another site, a scheme,
/// a backslash, a control character or a space, also when percent-encoded) goes to the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) && percent_decoded(n).is_some_and(|d| decoded_is_local(&d)) => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

const NEXT_MAX: usize = 2048;

fn is_local_path(n: &str) -> bool {
    let b = n.as_bytes();
    let safe = |c: &u8| c.is_ascii_alphanumeric() || b"-._~/?=&%+,;:@!$*()'".contains(c);
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && b.len() <= NEXT_MAX
        && b.iter().all(safe)
}

/// After one round of decoding, still a path here: no second slash or backslash to start another
/// authority, no control character.
fn decoded_is_local(d: &str) -> bool {
    d.starts_with('/')
        && !d.starts_with("//")
        && !d.starts_with("/\\")
        && !d.chars().any(char::is_control)
}

/// The text with its `%XX` escapes decoded (as bytes, read as UTF-8 loosely); `None` when it is
/// not text at all.
fn percent_decoded(n: &str) -> Option<String> {
    let bytes: Vec<u8> = percent_decode(n.as_bytes());
    String::from_utf8(bytes).ok()
}

/// `%XX` escapes to bytes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
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
        assert_eq!(
            safe_next(Some("/clients/7?tab=notes&x=a%20b")),
            "/clients/7?tab=notes&x=a%20b"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/%2F/evil.example")), "/");
        assert_eq!(safe_next(Some("/%5Cevil.example")), "/");
        assert_eq!(safe_next(Some("/%09/evil.example")), "/");
        assert_eq!(safe_next(Some("/%0d%0aLocation:%20x")), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
        assert_eq!(safe_next(Some("")), "/");
        assert_eq!(safe_next(None), "/");
    }

    proptest::proptest! {
        /// Whatever is sent, the answer is a path on this site with nothing that could end the
        /// Location header or start another authority, even after one round of decoding.
        #[test]
        fn next_is_always_a_plain_local_path(s in "\\PC{0,40}", pre in "(/|//|/\\\\|/%2[fF]|/%5[cC]|/%0[9aAdD]|[a-z]+:|)") {
            let out = safe_next(Some(&format!("{pre}{s}")));
            proptest::prop_assert!(out.starts_with('/'));
            proptest::prop_assert!(!out.starts_with("//") && !out.starts_with("/\\"));
            proptest::prop_assert!(out.bytes().all(|c| c.is_ascii_graphic()));
            let decoded = percent_decoded(&out).unwrap_or_default();
            proptest::prop_assert!(!decoded.starts_with("//") && !decoded.starts_with("/\\"));
            proptest::prop_assert!(!decoded.chars().any(char::is_control));
            proptest::prop_assert!(axum::http::HeaderValue::from_str(&out).is_ok());
        }

        /// Control characters anywhere in the path are refused, raw or encoded.
        #[test]
        fn control_characters_are_never_followed(path in "/[a-z]{0,8}", c in 0u8..0x20, tail in "[a-z/]{0,8}") {
            let raw = format!("{path}{}{tail}", c as char);
            proptest::prop_assert_eq!(safe_next(Some(&raw)), "/");
            let encoded = format!("{path}%{c:02X}{tail}");
            proptest::prop_assert_eq!(safe_next(Some(&encoded)), "/");
        }
    }
}
