//! Stylesheet, scripts and icons, compiled into the binary. Nothing is fetched from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "kith.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/kith.css"),
    ),
    (
        "print.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/print.css"),
    ),
    (
        "kith.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/kith.js"),
    ),
    // course-sessions: the Print button of printable pages.
    (
        "sessions.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/sessions.js"),
    ),
    // course-hub: dragging people on the closeness circle.
    (
        "circle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/circle.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => {
            let mut r = (StatusCode::OK, *body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
