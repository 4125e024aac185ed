//! Trust suite, the API and headers: API tokens made and revoked on the account page, shown once
//! and stored hashed, bearer-only and JSON-only, under the same policy and audit as the pages
//! (SE-1/SE-5/AC-2 for the API); security headers on every kind of answer (TX-2). On SQLite and,
//! when configured, PostgreSQL.

mod trust_support;

use kith_domain::audit::Outcome;
use kith_testkit::{TestApp, backends};
use trust_support::{Resp, Tab, between, plain_client, raw, sign_in};

async fn api_get(app: &TestApp, token: &str, path: &str) -> u16 {
    plain_client()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// API tokens — made on the account page and shown once; only their hash is stored (0 hits of
/// the raw token in the table); a session cookie alone opens no API route (401); bodies must be
/// `application/json` (text/plain and forms: 415); a revoked token gets 401; a clinician's token
/// cannot read another clinician's client (404), and that refusal is audited as for pages.
#[tokio::test]
async fn api_tokens_shown_once_hashed_bearer_only_json_only_revocable_same_policy() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let who = &w.a.clinician;
        let mut tab = sign_in(&app, who).await;
        let r = tab
            .post_form("/account/tokens", &[("name", "laptop")])
            .await;
        assert_eq!(r.status, 200, "{backend:?}");
        let token = between(&r.body, "data-testid=\"new-token\">", "<")
            .expect("token shown")
            .to_string();
        assert!(token.len() >= 30, "{backend:?}: short token");
        // Shown once.
        let again = tab.get("/account").await;
        assert!(
            !again.body.contains(&token),
            "{backend:?}: token shown again"
        );
        // Stored hashed.
        let db = raw(&app);
        for table in ["api_tokens", "audit_events", "auth_sessions"] {
            assert_eq!(
                db.rows_holding(table, &token).await,
                0,
                "{backend:?}: raw token in {table}"
            );
        }
        assert_eq!(
            api_get(&app, &token, "/api/v1/me").await,
            200,
            "{backend:?}"
        );
        // A session cookie alone is not an API credential.
        let cookie = tab.token.clone().unwrap();
        for path in ["/api/v1/me", "/api/v1/clients"] {
            let r = plain_client()
                .get(format!("{}{path}", app.base))
                .header("cookie", format!("kith_session={cookie}"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status().as_u16(),
                401,
                "{backend:?}: cookie opened {path}"
            );
        }
        // JSON only.
        let before = app.store.row_counts().await.unwrap();
        for (ct, body) in [
            ("text/plain", r#"{"display_name":"Plain Text"}"#),
            (
                "application/x-www-form-urlencoded",
                "display_name=Form+Body",
            ),
            ("multipart/form-data; boundary=x", "--x\r\n\r\n--x--"),
        ] {
            let r = plain_client()
                .post(format!("{}/api/v1/clients", app.base))
                .bearer_auth(&token)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 415, "{backend:?}: {ct}");
        }
        assert_eq!(app.store.row_counts().await.unwrap(), before, "{backend:?}");
        // Same policy and audit as the pages.
        let start = app
            .store
            .audit_head()
            .await
            .unwrap()
            .map(|a| a.seq)
            .unwrap_or(0);
        assert_eq!(
            api_get(&app, &token, &format!("/api/v1/clients/{}", w.a.theirs)).await,
            404,
            "{backend:?}"
        );
        assert_eq!(
            api_get(&app, &token, &format!("/api/v1/clients/{}", w.a.mine)).await,
            200,
            "{backend:?}"
        );
        let rows = app.store.audit_rows(start, 100).await.unwrap();
        assert!(
            rows.iter().any(|r| r.event.outcome == Outcome::Denied
                && r.event.client == Some(w.a.theirs)
                && r.event.actor == Some(who.id)),
            "{backend:?}: API refusal not audited"
        );
        // Revoked on the account page: 401 from then on.
        let id = app.store.api_tokens(who.id).await.unwrap()[0].id;
        let r = tab
            .post_form(&format!("/account/tokens/{id}/revoke"), &[])
            .await;
        assert_eq!(r.status, 303, "{backend:?}");
        for path in [
            "/api/v1/me".to_string(),
            format!("/api/v1/clients/{}", w.a.mine),
        ] {
            assert_eq!(
                api_get(&app, &token, &path).await,
                401,
                "{backend:?}: revoked token {path}"
            );
        }
        app.finish().await;
    }
}

fn header_problems(what: &str, r: &Resp, is_static: bool) -> Vec<String> {
    let mut out = Vec::new();
    let csp = r.header("content-security-policy");
    for part in [
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        if !csp.contains(part) {
            out.push(format!("{what}: CSP lacks {part}"));
        }
    }
    if csp.contains("unsafe-inline") || csp.contains("unsafe-eval") {
        out.push(format!("{what}: CSP allows unsafe scripts"));
    }
    if r.header("x-content-type-options") != "nosniff" {
        out.push(format!("{what}: nosniff missing"));
    }
    if r.header("referrer-policy") != "no-referrer" {
        out.push(format!("{what}: Referrer-Policy missing"));
    }
    let cc = r.header("cache-control");
    if !is_static && cc != "no-store" {
        out.push(format!("{what}: Cache-Control is {cc:?}"));
    }
    if is_static && r.status == 200 && cc.contains("no-store") {
        out.push(format!("{what}: static asset not cacheable"));
    }
    let ct = r.header("content-type");
    if ct.starts_with("text/") && !ct.contains("charset=utf-8") {
        out.push(format!("{what}: Content-Type without charset: {ct}"));
    }
    out
}

/// TX-2 — pass figure: 100 % of answers carry the header set — pages, API answers, error pages
/// and problem documents (401, 403, 404, 405, 413, 415, 422), unknown paths, and static files
/// (which alone may be cached). Every route of the table is covered as well by the matrix test.
#[tokio::test]
async fn tx2_security_headers_on_every_kind_of_answer() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut tab = sign_in(&app, &w.a.clinician).await;
        let mut anon = Tab::new(&app);
        let token = app.api_as(&w.a.clinician).await.token;
        let mut answers: Vec<(String, Resp, bool)> = Vec::new();
        for path in [
            "/",
            "/account",
            "/protocols",
            "/no-such-page",
            "/admin/members",
        ] {
            answers.push((format!("page {path}"), tab.get(path).await, false));
        }
        for path in [
            "/login",
            "/clients/x",
            "/healthz",
            "/api/v1/openapi.json",
            "/nothing-here",
        ] {
            answers.push((format!("anonymous {path}"), anon.get(path).await, false));
        }
        for path in ["/static/kith.css", "/static/kith.js", "/static/no-such.css"] {
            answers.push((format!("static {path}"), anon.get(path).await, true));
        }
        for path in [
            "/api/v1/me",
            "/api/v1/clients",
            "/api/v1/nothing",
            "/api/v1/clients/nope",
        ] {
            let r = Resp::read(
                plain_client()
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            answers.push((format!("api {path}"), r, false));
        }
        answers.push((
            "api 401".into(),
            Resp::read(
                plain_client()
                    .get(format!("{}/api/v1/me", app.base))
                    .send()
                    .await
                    .unwrap(),
            )
            .await,
            false,
        ));
        let big = vec![b'a'; 2 * 1024 * 1024];
        answers.push((
            "api 413".into(),
            Resp::read(
                plain_client()
                    .post(format!("{}/api/v1/clients", app.base))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(big.clone())
                    .send()
                    .await
                    .unwrap(),
            )
            .await,
            false,
        ));
        answers.push((
            "api 415".into(),
            Resp::read(
                plain_client()
                    .post(format!("{}/api/v1/clients", app.base))
                    .bearer_auth(&token)
                    .header("content-type", "text/plain")
                    .body("{}")
                    .send()
                    .await
                    .unwrap(),
            )
            .await,
            false,
        ));
        answers.push((
            "page 405".into(),
            tab.send(tab.http.delete(format!("{}/account", app.base)))
                .await,
            false,
        ));
        answers.push((
            "page 422".into(),
            tab.post_form("/clients", &[("display_name", "")]).await,
            false,
        ));
        answers.push((
            "page 403 csrf".into(),
            {
                let rb = tab
                    .http
                    .post(format!("{}/clients", app.base))
                    .header(
                        "cookie",
                        format!("kith_session={}", tab.token.clone().unwrap()),
                    )
                    .form(&[("display_name", "No Token")]);
                tab.send(rb).await
            },
            false,
        ));
        let mut problems = Vec::new();
        let mut statuses = Vec::new();
        for (what, r, is_static) in &answers {
            statuses.push(r.status);
            problems.extend(header_problems(
                &format!("{what} ({})", r.status),
                r,
                *is_static,
            ));
        }
        for s in [200, 303, 401, 403, 404, 405, 413, 415, 422] {
            assert!(
                statuses.contains(&s),
                "{backend:?}: no {s} answer was checked: {statuses:?}"
            );
        }
        println!("TX-2 {backend:?}: {} answers checked", answers.len());
        assert!(problems.is_empty(), "{backend:?}: {problems:#?}");
        app.finish().await;
    }
}
