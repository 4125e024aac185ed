//! Trust suite, sessions: cookie attributes and stored hashes (SE-1), fixation (SE-2), idle and
//! absolute timeouts (SE-3), ending sessions (SE-4), re-authentication (SE-6). On SQLite and, when
//! configured, PostgreSQL.

mod trust_support;

use kith_app::secrets::token_hash;
use kith_testkit::{TestApp, backends};
use std::net::SocketAddr;
use time::Duration;
use trust_support::{Resp, Tab, code_now, raw, sign_in};

/// Whether a token still opens anything: a page, a client record and a form post must all send the
/// caller to sign in. Returns how many of those requests succeeded.
async fn successes_with(app: &TestApp, token: &str, client: &str) -> usize {
    let mut tab = Tab::with_token(app, token);
    let mut ok = 0;
    for path in ["/", "/account", &format!("/clients/{client}")] {
        let r = tab.get(path).await;
        if !(r.status == 303 && r.location().starts_with("/login")) {
            ok += 1;
        }
    }
    // A form post with whatever form token the session had is refused too.
    let r = tab
        .post_form("/account/tokens", &[("name", "after the end")])
        .await;
    if !(r.status == 303 && r.location().starts_with("/login")) && r.status != 403 {
        ok += 1;
    }
    ok
}

async fn ended(app: &TestApp, token: &str) -> bool {
    app.store
        .session(token_hash(token))
        .await
        .unwrap()
        .is_none_or(|s| s.ended_at.is_some())
}

fn session_cookie(r: &Resp, name: &str) -> Option<String> {
    r.set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// SE-1 — pass figure: every session cookie is HttpOnly, SameSite=Lax, Path=/; with an https
/// public address it also carries Secure and the `__Host-` prefix. Over plain http (the test
/// server, or a deployment without TLS) Secure is left off, because browsers would drop the
/// cookie; production runs behind https, which the second half checks.
#[tokio::test]
async fn se1_session_cookie_attributes() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        // Plain http.
        let mut tab = Tab::new(&app);
        let r = tab
            .post_public(
                "/login",
                &[
                    ("email", &w.a.clinician.email),
                    ("password", &w.a.clinician.password),
                ],
            )
            .await;
        let c = session_cookie(&r, "kith_session").expect("cookie");
        for attr in ["; Path=/", "; HttpOnly", "; SameSite=Lax"] {
            assert!(c.contains(attr), "{backend:?}: {c} lacks {attr}");
        }
        assert!(!c.contains("Secure"), "{backend:?}: Secure over plain http");
        // The same app reached as https://…: a second server with that public address.
        let state = kith_web::state::AppState::new(
            app.app.clone(),
            kith_web::WebConfig {
                public_url: "https://kith.example.org".into(),
                ..Default::default()
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                kith_web::router(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        let mut secure = Tab::at(&format!("http://{addr}"), "__Host-kith_session");
        let r = secure
            .post_public(
                "/login",
                &[
                    ("email", &w.a.colleague.email),
                    ("password", &w.a.colleague.password),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{backend:?}: {}", r.body);
        let c = session_cookie(&r, "__Host-kith_session").expect("__Host- cookie");
        for attr in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
            assert!(c.contains(attr), "{backend:?}: {c} lacks {attr}");
        }
        assert!(
            !c.contains("Domain="),
            "{backend:?}: __Host- cookies carry no Domain"
        );
        assert!(
            r.header("strict-transport-security")
                .contains("max-age=31536000"),
            "{backend:?}: no HSTS over https"
        );
        // The second factor's new cookie has the same attributes.
        secure.refresh_csrf("/mfa").await;
        app.advance(Duration::seconds(31));
        let code = code_now(&app, w.a.colleague.totp_secret.as_ref().unwrap());
        let r = secure.post_form("/mfa", &[("code", &code)]).await;
        assert_eq!(r.status, 303, "{backend:?}");
        let c = session_cookie(&r, "__Host-kith_session").expect("rotated cookie");
        for attr in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
            assert!(c.contains(attr), "{backend:?}: {c} lacks {attr}");
        }
        server.abort();
        app.finish().await;
    }
}

/// SE-1 — pass figure: 0 raw session tokens in the database; only their hashes are stored.
#[tokio::test]
async fn se1_only_token_hashes_are_stored() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let tab = sign_in(&app, &w.a.clinician).await;
        assert_eq!(tab.tokens.len(), 2, "password step and second-factor step");
        let db = raw(&app);
        let tables = app.store.row_counts().await.unwrap();
        for token in &tab.tokens {
            assert!(
                token.len() >= 22,
                "{backend:?}: token too short for 128 bits"
            );
            for (table, _) in &tables {
                assert_eq!(
                    db.rows_holding(table, token).await,
                    0,
                    "{backend:?}: raw session token stored in {table}"
                );
            }
            // …while its hash is what the sessions table holds.
            assert!(
                app.store
                    .session(token_hash(token))
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        app.finish().await;
    }
}

/// SE-2 — pass figure: an old cookie is refused in 100 % of runs: a cookie planted before
/// sign-in is not adopted, and the token of the password step is dead after the second factor.
#[tokio::test]
async fn se2_no_session_fixation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let planted = "attacker-chosen-session-value-0123456789";
        let mut tab = Tab::with_token(&app, planted);
        let r = tab
            .post_public("/login", &[("email", &p.email), ("password", &p.password)])
            .await;
        assert_eq!(r.status, 303);
        let first = tab.token.clone().expect("a new cookie at sign-in");
        assert_ne!(first, planted, "{backend:?}: planted cookie adopted");
        assert_eq!(
            successes_with(&app, planted, &w.a.mine.to_string()).await,
            0
        );
        trust_support::pass_second_factor(&app, &mut tab, p).await;
        let second = tab.token.clone().unwrap();
        assert_ne!(
            second, first,
            "{backend:?}: no new token after the second factor"
        );
        assert!(
            ended(&app, &first).await,
            "{backend:?}: old session row not ended"
        );
        assert_eq!(
            successes_with(&app, &first, &w.a.mine.to_string()).await,
            0,
            "{backend:?}: the pre-second-factor token still works"
        );
        let r = tab.get(&format!("/clients/{}", w.a.mine)).await;
        assert_eq!(r.status, 200, "{backend:?}: the new token does not work");
        app.finish().await;
    }
}

/// SE-3 — pass figure: idle 14:59 still signed in, 15:01 signed out with the session row ended;
/// pages carry the idle-warning data for the client-side notice.
#[tokio::test]
async fn se3_idle_timeout_15_minutes() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut tab = sign_in(&app, &w.a.clinician).await;
        let r = tab.get("/").await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("data-idle-seconds=\"900\""),
            "{backend:?}: page lacks the idle warning data"
        );
        assert!(r.body.contains("data-idle-warning=\"") && r.body.contains("id=\"idle-banner\""));
        app.advance(Duration::seconds(14 * 60 + 59));
        let r = tab.get("/").await;
        assert_eq!(r.status, 200, "{backend:?}: signed out at 14:59 idle");
        app.advance(Duration::seconds(15 * 60 + 1));
        let token = tab.token.clone().unwrap();
        let r = tab.get("/").await;
        assert_eq!(r.status, 303, "{backend:?}: still signed in at 15:01 idle");
        assert!(r.location().starts_with("/login"));
        assert!(
            ended(&app, &token).await,
            "{backend:?}: session row not ended"
        );
        app.finish().await;
    }
}

/// SE-3 — pass figure: absolute lifetime 12 h: a session kept busy is still valid at 11:59 after
/// sign-in and signed out at 12:01, with its row ended.
#[tokio::test]
async fn se3_absolute_timeout_12_hours() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let signed_in_at = app.clock_now();
        let mut tab = sign_in(&app, &w.a.clinician).await;
        let until = signed_in_at + Duration::minutes(11 * 60 + 59);
        while app.clock_now() + Duration::minutes(10) < until {
            app.advance(Duration::minutes(10));
            assert_eq!(tab.get("/account").await.status, 200, "{backend:?}");
        }
        app.advance(until - app.clock_now());
        assert_eq!(tab.get("/").await.status, 200, "{backend:?}: out at 11:59");
        app.advance(Duration::minutes(2));
        let token = tab.token.clone().unwrap();
        let r = tab.get("/").await;
        assert_eq!(r.status, 303, "{backend:?}: still in at 12:01");
        assert!(
            ended(&app, &token).await,
            "{backend:?}: session row not ended"
        );
        app.finish().await;
    }
}

/// SE-4 — pass figure: 0 requests succeed with a terminated token, for each trigger: sign-out,
/// password change, second-factor change and a member being disabled (whose API token also stops).
#[tokio::test]
async fn se4_sessions_end_on_logout_password_second_factor_and_disable() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine.to_string();
        let p = &w.a.clinician;
        let mut succeeded = 0;

        // Sign-out.
        let mut a = sign_in(&app, p).await;
        let b = sign_in(&app, p).await;
        let a_token = a.token.clone().unwrap();
        let r = a.post_form("/logout", &[]).await;
        assert_eq!(r.status, 303);
        assert!(ended(&app, &a_token).await);
        succeeded += successes_with(&app, &a_token, &mine).await;
        assert_eq!(
            successes_with(&app, b.token.as_deref().unwrap(), &mine).await,
            4,
            "{backend:?}: signing out ended another session"
        );

        // Password change: every other session ends.
        let mut a = sign_in(&app, p).await;
        let b_token = b.token.clone().unwrap();
        let r = a
            .post_form(
                "/account/password",
                &[
                    ("current_password", &p.password),
                    ("new_password", "a-brand-new-harbour-phrase-77"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{backend:?}: {}", r.body);
        assert!(ended(&app, &b_token).await);
        succeeded += successes_with(&app, &b_token, &mine).await;
        let mut p2 = p.clone();
        p2.password = "a-brand-new-harbour-phrase-77".into();

        // Second-factor change: other sessions end, and the changing tab gets a new token.
        let b = sign_in(&app, &p2).await;
        let b_token = b.token.clone().unwrap();
        let mut a = sign_in(&app, &p2).await;
        let a_old = a.token.clone().unwrap();
        let r = a.post_form("/account/second-factor/reset", &[]).await;
        assert_eq!(r.location(), "/mfa/enrol", "{backend:?}: {}", r.status);
        a.refresh_csrf("/mfa/enrol").await;
        let secret = app.store.totp_secret(p.id).await.unwrap().unwrap();
        app.advance(Duration::seconds(31));
        let r = a
            .post_form("/mfa/enrol", &[("code", &code_now(&app, &secret))])
            .await;
        assert_eq!(r.status, 200, "{backend:?}: new authenticator refused");
        assert_ne!(a.token.as_deref(), Some(a_old.as_str()));
        succeeded += successes_with(&app, &b_token, &mine).await;
        succeeded += successes_with(&app, &a_old, &mine).await;
        assert_eq!(
            successes_with(&app, a.token.as_deref().unwrap(), &mine).await,
            4,
            "{backend:?}: the tab that changed it was signed out"
        );
        let mut p3 = p2.clone();
        p3.totp_secret = Some(secret);

        // A member disabled by the clinic admin.
        let c1 = sign_in(&app, &p3).await;
        let c2 = sign_in(&app, &p3).await;
        let api = app.api_as(&p3).await;
        assert_eq!(api.get("/api/v1/me").await.status().as_u16(), 200);
        let mut admin = sign_in(&app, &w.a.admin).await;
        let r = admin
            .post_form(&format!("/admin/members/{}/disable", p.id), &[])
            .await;
        assert_eq!(r.status, 303, "{backend:?}: {}", r.body);
        for t in [&c1, &c2] {
            succeeded += successes_with(&app, t.token.as_deref().unwrap(), &mine).await;
        }
        for path in ["/api/v1/me".to_string(), format!("/api/v1/clients/{mine}")] {
            let s = api.get(&path).await.status().as_u16();
            assert_eq!(
                s, 401,
                "{backend:?}: API token of a disabled member: {path} {s}"
            );
        }
        println!("SE-4 {backend:?}: {succeeded} requests succeeded with terminated tokens");
        assert_eq!(succeeded, 0, "{backend:?}");
        app.finish().await;
    }
}

/// SE-4 — people can list their sessions and end one of them from the account page.
#[tokio::test]
async fn se4_sessions_page_lists_and_ends_sessions() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut a = sign_in(&app, &w.a.supervisor).await;
        let b = sign_in(&app, &w.a.supervisor).await;
        let r = a.get("/account").await;
        let a_handle = hex::encode(token_hash(a.token.as_deref().unwrap()));
        let b_handle = hex::encode(token_hash(b.token.as_deref().unwrap()));
        for h in [&a_handle, &b_handle] {
            assert!(
                r.body.contains(&format!("/account/sessions/{h}/end")),
                "{backend:?}: session not listed"
            );
        }
        let r = a
            .post_form(&format!("/account/sessions/{b_handle}/end"), &[])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/account");
        assert_eq!(
            successes_with(&app, b.token.as_deref().unwrap(), &w.a.mine.to_string()).await,
            0,
            "{backend:?}: ended session still works"
        );
        let r = a.get("/account").await;
        assert_eq!(r.status, 200);
        assert!(
            !r.body.contains(&b_handle),
            "{backend:?}: ended session still listed"
        );
        app.finish().await;
    }
}

/// SE-6 — pass figure: 100 % of sensitive actions refuse without authentication in the last
/// 5 minutes: second-factor reset and API token creation send the person to re-enter their
/// password and change nothing; a password change needs the current password itself (that entry
/// is the re-authentication) and changes nothing when it is wrong.
#[tokio::test]
async fn se6_sensitive_actions_need_recent_authentication() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let mut tab = sign_in(&app, p).await;
        // Stay active, but let the last password entry grow older than 5 minutes.
        app.advance(Duration::minutes(4));
        assert_eq!(tab.get("/").await.status, 200);
        app.advance(Duration::minutes(2));
        let before = app.store.user(p.id).await.unwrap().unwrap();
        let secret_before = app.store.totp_secret(p.id).await.unwrap();

        let r = tab.post_form("/account/second-factor/reset", &[]).await;
        assert_eq!(r.status, 303);
        assert!(
            r.location().starts_with("/account/reauth"),
            "{backend:?}: {}",
            r.location()
        );
        let r = tab
            .post_form("/account/tokens", &[("name", "laptop")])
            .await;
        assert_eq!(r.status, 303);
        assert!(
            r.location().starts_with("/account/reauth"),
            "{backend:?}: {}",
            r.location()
        );
        let r = tab
            .post_form(
                "/account/password",
                &[
                    ("current_password", "not-my-password-at-all"),
                    ("new_password", "a-brand-new-harbour-phrase-77"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{backend:?}");

        let after = app.store.user(p.id).await.unwrap().unwrap();
        assert_eq!(after.password_hash, before.password_hash, "{backend:?}");
        assert!(
            after.second_factor_enrolled,
            "{backend:?}: second factor dropped"
        );
        assert_eq!(app.store.totp_secret(p.id).await.unwrap(), secret_before);
        assert!(app.store.api_tokens(p.id).await.unwrap().is_empty());

        // Entering the password again opens the window.
        let r = tab
            .post_form(
                "/account/reauth",
                &[("password", &p.password), ("next", "/account")],
            )
            .await;
        assert_eq!(r.status, 303, "{backend:?}");
        let r = tab
            .post_form("/account/tokens", &[("name", "laptop")])
            .await;
        assert_eq!(
            r.status, 200,
            "{backend:?}: token refused after re-authentication"
        );
        assert_eq!(app.store.api_tokens(p.id).await.unwrap().len(), 1);
        app.finish().await;
    }
}
