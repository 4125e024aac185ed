//! Trust suite, the second-factor step (AU-5a) and the smaller findings of the attacker's review:
//! enrolment cannot be used to guess an existing factor, a password-only session reaches nothing
//! but the second-factor pages, redirect targets stay on this site, invitations do not reveal
//! accounts, a password change revokes API tokens, implausible dates and unknown note fields are
//! refused. Every test runs on SQLite and, when `KITH_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod trust_support;

use axum::http::Method;
use kith_domain::audit::{AuditAction, Outcome};
use kith_store::AuditFilter;
use kith_testkit::{TestApp, backends};
use kith_web::routes::Access;
use time::Duration;
use trust_support::{Tab, code_now, mask_uuids, sign_in};

/// A tab that has passed the password of `p` and owes the second factor.
async fn password_only(app: &TestApp, p: &kith_testkit::Person) -> Tab {
    let mut tab = Tab::new(app);
    let r = tab
        .post_public("/login", &[("email", &p.email), ("password", &p.password)])
        .await;
    assert_eq!(r.location(), "/mfa", "{} owes a code", p.email);
    tab.refresh_csrf("/mfa").await;
    tab
}

async fn second_factor_rows(app: &TestApp, p: &kith_testkit::Person) -> Vec<(Outcome, String)> {
    let rows = app
        .store
        .audit_report(&AuditFilter {
            actor: Some(p.id),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .expect("audit report");
    rows.into_iter()
        .filter(|r| r.event.action == AuditAction::SecondFactorFailed)
        .map(|r| (r.event.outcome, r.event.detail.unwrap_or_default()))
        .collect()
}

/// AU-5a — the enrolment form was a second, unthrottled door to an existing factor: a
/// password-only session could post the current code there and come out fully signed in with
/// new recovery codes. Now it is refused (and audited) even with the right code.
#[tokio::test]
async fn au5a_enrolment_is_refused_for_an_account_that_has_a_factor() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let secret = p.totp_secret.clone().unwrap();
        let codes_before = app.store.recovery_codes_left(p.id).await.unwrap();
        let mut tab = password_only(&app, p).await;
        app.advance(Duration::seconds(31));
        let r = tab
            .post_form("/mfa/enrol", &[("code", &code_now(&app, &secret))])
            .await;
        assert_ne!(r.status, 200, "{backend:?}: enrolment accepted a code");
        assert!(
            !r.body.contains("recovery-codes"),
            "{backend:?}: new recovery codes were shown"
        );
        let r = tab.get(&format!("/clients/{}", w.a.mine)).await;
        assert_eq!(r.status, 303, "{backend:?}: the session was upgraded");
        assert_eq!(r.location(), "/mfa", "{backend:?}");
        assert_eq!(
            app.store.recovery_codes_left(p.id).await.unwrap(),
            codes_before,
            "{backend:?}: the recovery codes were replaced"
        );
        let rows = second_factor_rows(&app, p).await;
        assert!(
            rows.iter()
                .any(|(o, d)| *o == Outcome::Denied && d.contains("already set up")),
            "{backend:?}: the refused enrolment is not audited: {rows:?}"
        );
        // The ordinary step still works with a fresh code.
        app.advance(Duration::seconds(31));
        let r = tab
            .post_form("/mfa", &[("code", &code_now(&app, &secret))])
            .await;
        assert_eq!(r.status, 303, "{backend:?}");
        app.finish().await;
    }
}

/// AU-5a — pass figure: 20 wrong codes spread over every endpoint that takes one (the code, a
/// recovery code, enrolment of a new account) are evaluated at most 10 times in all, and every one
/// of the 20 leaves an audit row. Signing in again with the password gives no fresh tries.
#[tokio::test]
async fn au5a_code_guessing_is_throttled_across_endpoints_and_every_failure_is_audited() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let mut tab = password_only(&app, p).await;
        let mut attempts = 0;
        for i in 0..20 {
            // Every fourth try signs in again, as a guesser would to reset a shared counter.
            if i % 4 == 3 {
                tab = password_only(&app, p).await;
            }
            let r = match i % 3 {
                0 => tab.post_form("/mfa", &[("code", "000000")]).await,
                1 => {
                    tab.post_form("/mfa", &[("code", ""), ("recovery_code", "wrong-wrong")])
                        .await
                }
                _ => tab.post_form("/mfa/enrol", &[("code", "111111")]).await,
            };
            assert!(
                r.status >= 400,
                "{backend:?}: wrong code {i} answered {}",
                r.status
            );
            attempts += 1;
        }
        let rows = second_factor_rows(&app, p).await;
        let evaluated = rows.iter().filter(|(o, _)| *o == Outcome::Failed).count();
        assert!(
            evaluated <= 10,
            "{backend:?}: {evaluated} of {attempts} wrong codes were evaluated"
        );
        assert_eq!(
            rows.len(),
            attempts,
            "{backend:?}: not every failure is audited: {rows:?}"
        );
        // While the limiter says wait, even the right code is not taken.
        let secret = p.totp_secret.clone().unwrap();
        let r = tab
            .post_form("/mfa", &[("code", &code_now(&app, &secret))])
            .await;
        assert_ne!(r.status, 303, "{backend:?}: a throttled account got in");
        println!(
            "AU-5a {backend:?}: {attempts} wrong codes over 3 endpoints, {evaluated} evaluated, {} audited",
            rows.len()
        );
        app.finish().await;
    }
}

/// AU-5a — pass figure: a password-only session gets no 2xx from any signed-in page except the
/// second-factor step; it cannot change the password or read the account page.
#[tokio::test]
async fn au5a_password_only_session_reaches_only_the_second_factor_pages() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let mut tab = password_only(&app, p).await;
        let (_, specs) = kith_web::route_table();
        let id = uuid::Uuid::now_v7().to_string();
        let mut checked = 0;
        for spec in specs.iter().filter(|s| {
            matches!(s.access, Access::Signed(_))
                && s.surface == kith_web::routes::Surface::Page
                && s.path != "/logout"
        }) {
            let path = spec
                .path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        id.as_str()
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let r = if spec.method == Method::GET {
                tab.get(&path).await
            } else {
                tab.post_form(&path, &[]).await
            };
            let allowed = spec.path == "/mfa";
            if !allowed {
                assert!(
                    !(200..300).contains(&r.status),
                    "{backend:?}: {} {} answered {} to a password-only session",
                    spec.method,
                    spec.path,
                    r.status
                );
            }
            checked += 1;
        }
        // The password cannot be changed (the owner would be locked out).
        let r = tab
            .post_form(
                "/account/password",
                &[
                    ("current_password", &p.password),
                    ("new_password", "a-brand-new-password-for-the-thief"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/mfa", "{backend:?}");
        let fresh = sign_in(&app, p).await;
        drop(fresh);
        let r = tab.get("/account").await;
        assert_eq!(r.location(), "/mfa", "{backend:?}: /account was shown");
        println!("AU-5a {backend:?}: {checked} page routes refused to a password-only session");
        app.finish().await;
    }
}

/// Redirect targets: control characters, a tab before a second slash, encoded slashes and
/// schemes all fall back to the home page, never a 500 or another site.
#[tokio::test]
async fn redirect_targets_stay_on_this_site() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let hostile = [
            "/\r\nSet-Cookie: stolen=1",
            "/\t/evil.example",
            "/%2F/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/%0d%0aLocation: https://evil.example",
        ];
        for next in hostile {
            let mut tab = Tab::new(&app);
            let r = tab
                .post_public("/language", &[("lang", "es"), ("next", next)])
                .await;
            assert_eq!(r.status, 303, "{backend:?}: /language with {next:?}");
            assert_eq!(r.location(), "/", "{backend:?}: /language with {next:?}");
            let r = tab
                .post_public(
                    "/login",
                    &[
                        ("email", &w.a.client.email),
                        ("password", &w.a.client.password),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{backend:?}: /login with {next:?}");
            assert_eq!(r.location(), "/", "{backend:?}: /login with {next:?}");
            let mut staff = sign_in(&app, &w.a.clinician).await;
            staff.refresh_csrf("/account").await;
            let r = staff
                .post_form(
                    "/account/reauth",
                    &[("password", &w.a.clinician.password), ("next", next)],
                )
                .await;
            assert_eq!(r.status, 303, "{backend:?}: /account/reauth with {next:?}");
            assert_eq!(r.location(), "/", "{backend:?}: reauth with {next:?}");
        }
        // An ordinary local target is kept.
        let mut tab = Tab::new(&app);
        let r = tab
            .post_public("/language", &[("lang", "en"), ("next", "/protocols?x=1")])
            .await;
        assert_eq!(r.location(), "/protocols?x=1", "{backend:?}");
        app.finish().await;
    }
}

/// An invitation page looks the same whether or not its email already has an account, so another
/// clinic cannot learn that someone uses Kith.
#[tokio::test]
async fn invitation_page_does_not_reveal_an_existing_account() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut pages = Vec::new();
        for email in [
            w.a.client.email.clone(),
            "nobody-here-yet@north.test".to_string(),
        ] {
            let token = kith_app::secrets::new_token();
            let now = app.clock_now();
            app.store
                .create_invitation(
                    kith_store::Invitation {
                        id: kith_domain::ids::InvitationId(uuid::Uuid::now_v7()),
                        clinic: w.b.id,
                        email: email.clone(),
                        role: kith_domain::identity::Role::Clinician,
                        client: None,
                        created_by: w.b.admin.id,
                        created_at: now,
                        expires_at: now + Duration::days(1),
                        accepted_at: None,
                        revoked_at: None,
                    },
                    kith_app::secrets::token_hash(&token),
                    &[],
                )
                .await
                .expect("invitation");
            let mut tab = Tab::new(&app);
            let r = tab.get(&format!("/invitation/{token}")).await;
            assert_eq!(r.status, 200, "{backend:?}");
            let body = r
                .body
                .replace(&email, "EMAIL")
                .replace(&token, "TOKEN")
                .lines()
                .filter(|l| !l.contains("_csrf") && !l.contains("csrf-token"))
                .collect::<Vec<_>>()
                .join("\n");
            pages.push(mask_uuids(&body));
        }
        assert_eq!(
            pages[0], pages[1],
            "{backend:?}: the page differs for an existing account"
        );
        app.finish().await;
    }
}

/// A password change revokes the person's API tokens and says so.
#[tokio::test]
async fn password_change_revokes_api_tokens_and_says_so() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let p = &w.a.clinician;
        let api = app.api_as(p).await;
        assert_eq!(api.get("/api/v1/me").await.status(), 200);
        let mut tab = sign_in(&app, p).await;
        tab.refresh_csrf("/account").await;
        let r = tab
            .post_form(
                "/account/password",
                &[
                    ("current_password", &p.password),
                    ("new_password", "lanterns-over-the-quiet-harbour"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{backend:?}: {}", r.body);
        let r = tab.get(&r.location()).await;
        assert!(
            r.body.contains("API tokens were revoked"),
            "{backend:?}: the page does not say the tokens were revoked"
        );
        assert_eq!(
            api.get("/api/v1/me").await.status(),
            401,
            "{backend:?}: a token outlived the password"
        );
        app.finish().await;
    }
}

/// A questionnaire dated 0001-01-01 is refused with a reason that names the earliest date.
#[tokio::test]
async fn implausibly_old_measure_dates_are_refused() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let answers: Vec<serde_json::Value> = (1..=9)
            .map(|i| serde_json::json!({"item": i.to_string(), "value": 0}))
            .collect();
        for when in ["0001-01-01T00:00:00Z", "1025-03-01T09:00:00Z"] {
            let r = api
                .post_json(
                    &format!("/api/v1/clients/{}/measures", w.a.mine),
                    &serde_json::json!({"instrument": "phq9", "answers": answers, "taken_at": when}),
                    None,
                )
                .await;
            assert_eq!(r.status(), 422, "{backend:?}: {when} accepted");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(
                body["errors"][0]["code"], "taken-at-too-early",
                "{backend:?}: {body}"
            );
        }
        let r = api
            .get(&format!("/api/v1/clients/{}/measures", w.a.mine))
            .await;
        let list: serde_json::Value = r.json().await.unwrap();
        assert!(
            !list.to_string().contains("0001-01-01"),
            "{backend:?}: stored anyway"
        );
        app.finish().await;
    }
}
