//! The server operator adds clinics; each new clinic's administrator joins by invitation; clinic staff
//! cannot reach the operator page; the operator sees no records.

use kith_testkit::{Person, TestApp, backends, location};

async fn operator(app: &TestApp) -> Person {
    let email = "op@server.test".to_string();
    let password = "harbour-crane-midnight-sextant".to_string();
    let id = app
        .app
        .create_user_cli(&email, "Server Operator", None, None, true, &password)
        .await
        .expect("operator");
    let secret = kith_app::totp::new_secret();
    app.store.set_pending_totp(id, &secret).await.expect("totp");
    app.store
        .confirm_totp(id, app.clock_now(), &[], None, &[])
        .await
        .expect("confirm");
    Person {
        id,
        email,
        password,
        role: kith_domain::identity::Role::ClinicAdmin,
        clinic: kith_domain::ids::ClinicId(uuid::Uuid::nil()),
        totp_secret: Some(secret),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_adds_a_clinic_whose_admin_joins_by_invitation() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let world = app.world().await;
        let op = operator(&app).await;
        let browser = app.sign_in(&op).await;
        let (status, page) = browser.get_text("/operator/clinics").await;
        assert_eq!(status, 200);
        assert!(page.contains("North Clinic") && page.contains("South Clinic"));
        // Names and counts only: no client appears.
        assert!(!page.contains("Mine North"));
        let r = browser
            .post_form(
                "/operator/clinics",
                &[("name", "East Clinic"), ("email", "lead@east.test")],
            )
            .await;
        let status = r.status().as_u16();
        let body = r.text().await.expect("body");
        assert_eq!(status, 200, "{body}");
        let start = body.find("/invitation/").expect("link shown");
        let token: String = body[start + "/invitation/".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        // The new administrator accepts and can manage the new clinic only.
        let newcomer = app.browser();
        let r = newcomer
            .post_public(
                &format!("/invitation/{token}"),
                &[
                    ("display_name", "Lead East"),
                    ("password", "copper kettle dawn"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", location(&r));
        let clinics = app.store.clinics().await.expect("clinics");
        let east = clinics
            .iter()
            .find(|c| c.name == "East Clinic")
            .expect("created");
        let members = app.store.members(east.id).await.expect("members");
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].role, kith_domain::identity::Role::ClinicAdmin);
        // Bad input is named.
        let r = browser
            .post_form(
                "/operator/clinics",
                &[("name", ""), ("email", "not-an-email")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        // Clinic staff are refused.
        for p in [&world.a.admin, &world.a.clinician] {
            let b = app.sign_in(p).await;
            assert_eq!(b.get("/operator/clinics").await.status().as_u16(), 403);
        }
        app.finish().await;
    }
}
