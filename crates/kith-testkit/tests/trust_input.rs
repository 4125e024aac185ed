//! Trust suite, hostile input (security bar §5, a representative subset on every form and API
//! body): empty and 10^6-character values, wrong types, invalid UTF-8 (raw and percent-encoded),
//! NUL bytes, bidi overrides, script injection, mass assignment and oversized bodies. Each must
//! give a clear 4xx — never 5xx — and write nothing; stored text is shown escaped. On SQLite and,
//! when configured, PostgreSQL.

mod trust_support;

use kith_testkit::{TestApp, backends};
use trust_support::{Resp, Tab, plain_client, sign_in};

/// Row counts of every table but the audit trail (refusals are audited) and the sign-in throttle.
async fn counts(app: &TestApp) -> Vec<(String, i64)> {
    app.store
        .row_counts()
        .await
        .unwrap()
        .into_iter()
        .filter(|(t, _)| t != "audit_events" && t != "login_throttle")
        .collect()
}

fn urlencode(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                kith_web::forms::encode_component(k),
                kith_web::forms::encode_component(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

struct Hostile {
    what: &'static str,
    body: Vec<u8>,
    /// Acceptable statuses (all 4xx).
    expect: &'static [u16],
}

/// IV-3/IV-5 and §5 — pass figure: 0 answers of 5xx, every refusal a clear 4xx with the stated
/// status, 0 rows written by a refused request.
#[tokio::test]
async fn hostile_form_and_json_bodies_are_refused_cleanly_and_write_nothing() {
    let long = "a".repeat(1_000_000);
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut clinician = sign_in(&app, &w.a.clinician).await;
        let mut admin = sign_in(&app, &w.a.admin).await;
        let api_token = app.api_as(&w.a.clinician).await.token;
        clinician.refresh_csrf("/account").await;
        admin.refresh_csrf("/account").await;
        let c_csrf = clinician.csrf.clone().unwrap();
        let a_csrf = admin.csrf.clone().unwrap();
        let mine = app
            .store
            .client(w.a.id, w.a.mine, &[])
            .await
            .unwrap()
            .unwrap();
        let version = mine.version.to_string();
        let clinic = app.store.clinic(w.a.id).await.unwrap().unwrap();
        let big = vec![b'a'; 2 * 1024 * 1024];

        // (who, path, cases): forms carry their form token.
        let form_cases = |csrf: &str, base: &[(&'static str, String)], field: &'static str| {
            let with = |v: &str| {
                let mut pairs: Vec<(&str, String)> = vec![("_csrf", csrf.to_string())];
                pairs.extend(base.iter().filter(|(k, _)| *k != field).cloned());
                pairs.push((field, v.to_string()));
                let borrowed: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                urlencode(&borrowed)
            };
            let mut raw_utf8 = with("x");
            raw_utf8.truncate(raw_utf8.len() - 1);
            raw_utf8.extend_from_slice(b"\xC3\x28");
            let mut overlong = with("x");
            overlong.truncate(overlong.len() - 1);
            overlong.extend_from_slice(b"\xC0\xAF");
            let mut unknown = with("Fine Name");
            unknown.extend_from_slice(
                b"&clinic_id=00000000-0000-0000-0000-000000000000&role=clinic_admin",
            );
            vec![
                Hostile {
                    what: "too long (10^6 characters)",
                    body: with(&long),
                    expect: &[413, 422],
                },
                Hostile {
                    what: "invalid UTF-8 \\xC3\\x28",
                    body: raw_utf8,
                    expect: &[400],
                },
                Hostile {
                    what: "overlong UTF-8 \\xC0\\xAF",
                    body: overlong,
                    expect: &[400],
                },
                Hostile {
                    what: "percent-encoded invalid UTF-8",
                    body: {
                        let mut b = with("x");
                        b.truncate(b.len() - 1);
                        b.extend_from_slice(b"%C3%28");
                        b
                    },
                    expect: &[400],
                },
                Hostile {
                    what: "NUL byte",
                    body: with("Nul\u{0}Name"),
                    expect: &[422],
                },
                Hostile {
                    what: "mass assignment",
                    body: unknown,
                    expect: &[400],
                },
                Hostile {
                    what: "oversized body",
                    body: big.clone(),
                    expect: &[413],
                },
            ]
        };
        let client_base = vec![
            ("display_name", "Fine Name".to_string()),
            ("contact", "fine contact".to_string()),
            ("version", version.clone()),
        ];
        let settings_base = vec![
            ("name", clinic.name.clone()),
            ("crisis_text", clinic.settings.crisis_text.clone()),
            (
                "escalation",
                clinic.settings.alert_escalation_minutes.to_string(),
            ),
            ("idle", clinic.settings.idle_timeout_minutes.to_string()),
            ("default_locale", "en".to_string()),
            ("version", clinic.version.to_string()),
        ];
        let mut targets: Vec<(&str, String, Vec<Hostile>)> = vec![
            (
                "clinician",
                "/clients".into(),
                form_cases(&c_csrf, &client_base[..2], "display_name"),
            ),
            (
                "clinician",
                "/clients".into(),
                form_cases(&c_csrf, &client_base[..2], "contact"),
            ),
            (
                "clinician",
                format!("/clients/{}", w.a.mine),
                form_cases(&c_csrf, &client_base, "display_name"),
            ),
            (
                "clinician",
                format!("/clients/{}", w.a.mine),
                form_cases(&c_csrf, &client_base, "contact"),
            ),
            (
                "clinician",
                "/account/tokens".into(),
                form_cases(&c_csrf, &[], "name"),
            ),
            (
                "admin",
                "/admin/invitations".into(),
                form_cases(&a_csrf, &[("role", "clinician".into())], "email"),
            ),
            (
                "admin",
                "/admin/settings".into(),
                form_cases(&a_csrf, &settings_base, "crisis_text"),
            ),
            (
                "admin",
                "/admin/settings".into(),
                form_cases(&a_csrf, &settings_base, "name"),
            ),
        ];
        // Empty and wrong-typed values where a value is required or typed.
        let empty_and_types = vec![
            Hostile {
                what: "empty name",
                body: urlencode(&[("_csrf", &c_csrf), ("display_name", "")]),
                expect: &[422],
            },
            Hostile {
                what: "whitespace-only name",
                body: urlencode(&[("_csrf", &c_csrf), ("display_name", " \u{200B} ")]),
                expect: &[422],
            },
            Hostile {
                what: "date of the wrong type",
                body: urlencode(&[
                    ("_csrf", &c_csrf),
                    ("display_name", "Typed"),
                    ("date_of_birth", "yesterday"),
                ]),
                expect: &[422],
            },
        ];
        targets.push(("clinician", "/clients".into(), empty_and_types));
        targets.push((
            "admin",
            "/admin/settings".into(),
            vec![Hostile {
                what: "number of the wrong type",
                body: urlencode(&[
                    ("_csrf", &a_csrf),
                    ("name", &clinic.name),
                    ("crisis_text", "x"),
                    ("escalation", "soon"),
                    ("idle", "[1,2]"),
                    ("default_locale", "xx"),
                    ("version", &clinic.version.to_string()),
                ]),
                expect: &[422],
            }],
        ));
        let mut checked = 0;
        let mut problems = Vec::new();
        for (who, path, cases) in targets {
            for h in cases {
                let before = counts(&app).await;
                let tab: &mut Tab = if who == "admin" {
                    &mut admin
                } else {
                    &mut clinician
                };
                let r = tab
                    .post_raw(&path, "application/x-www-form-urlencoded", h.body)
                    .await;
                checked += 1;
                if !h.expect.contains(&r.status) {
                    problems.push(format!(
                        "{backend:?} {path} {}: {} (expected {:?})",
                        h.what, r.status, h.expect
                    ));
                }
                if counts(&app).await != before {
                    problems.push(format!("{backend:?} {path} {}: rows written", h.what));
                }
            }
        }
        // The JSON API.
        let json_cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
            ("empty object", b"{}".to_vec(), &[400]),
            ("empty name", br#"{"display_name":""}"#.to_vec(), &[422]),
            (
                "too long",
                format!(r#"{{"display_name":"{long}"}}"#).into_bytes(),
                &[413, 422],
            ),
            (
                "number for a string",
                br#"{"display_name":5}"#.to_vec(),
                &[400],
            ),
            (
                "array for a string",
                br#"{"display_name":"A","contact":["x"]}"#.to_vec(),
                &[400],
            ),
            (
                "boolean date",
                br#"{"display_name":"A","date_of_birth":true}"#.to_vec(),
                &[400],
            ),
            (
                "invalid UTF-8",
                b"{\"display_name\":\"\xC3\x28\"}".to_vec(),
                &[400],
            ),
            (
                "lone surrogate",
                br#"{"display_name":"\ud800"}"#.to_vec(),
                &[400],
            ),
            (
                "NUL",
                br#"{"display_name":"Nul\u0000Name"}"#.to_vec(),
                &[422],
            ),
            (
                "clinic_id",
                br#"{"display_name":"A","clinic_id":"00000000-0000-0000-0000-000000000000"}"#
                    .to_vec(),
                &[400],
            ),
            (
                "role",
                br#"{"display_name":"A","role":"clinic_admin"}"#.to_vec(),
                &[400],
            ),
            (
                "id",
                br#"{"display_name":"A","id":"00000000-0000-0000-0000-000000000000"}"#.to_vec(),
                &[400],
            ),
            ("not JSON", b"display_name=A".to_vec(), &[400]),
            (
                "trailing data",
                br#"{"display_name":"A"} {}"#.to_vec(),
                &[400],
            ),
            (
                "deep nesting",
                format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
                &[400],
            ),
            ("oversized", big.clone(), &[413]),
        ];
        for (what, body, expect) in json_cases {
            let before = counts(&app).await;
            let r = Resp::read(
                plain_client()
                    .post(format!("{}/api/v1/clients", app.base))
                    .bearer_auth(&api_token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            checked += 1;
            if !expect.contains(&r.status) {
                problems.push(format!(
                    "{backend:?} API {what}: {} (expected {expect:?}) {}",
                    r.status,
                    r.body.chars().take(200).collect::<String>()
                ));
            }
            if counts(&app).await != before {
                problems.push(format!("{backend:?} API {what}: rows written"));
            }
        }
        // Sign-in with hostile values: a refusal, never an error.
        for (email, password) in [
            (long.as_str(), "x"),
            ("a@b.test", long.as_str()),
            ("nul\u{0}@b.test", "x"),
            ("", ""),
        ] {
            let r = Tab::new(&app)
                .post_public("/login", &[("email", email), ("password", password)])
                .await;
            checked += 1;
            if !(400..500).contains(&r.status) {
                problems.push(format!("{backend:?} /login hostile: {}", r.status));
            }
        }
        println!(
            "hostile input {backend:?}: {checked} requests, {} problems",
            problems.len()
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        app.finish().await;
    }
}

const XSS: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "{{7*7}} ${7*7}",
];

/// IV-2 and §5 — script injection in names and contact details is stored as text and shown
/// escaped: the raw markup never appears in any page; bidi overrides are stripped from names.
#[tokio::test]
async fn script_and_bidi_text_is_stored_as_text_and_shown_escaped() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut clinician = sign_in(&app, &w.a.clinician).await;
        let mut ids = Vec::new();
        for (i, x) in XSS.iter().enumerate() {
            let r = clinician
                .post_form(
                    "/clients",
                    &[
                        ("display_name", &format!("X{i} {x}")),
                        ("contact", x),
                        ("idempotency_key", &format!("xss-{i}")),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{backend:?}: {x} refused: {}", r.status);
            ids.push(r.location());
        }
        let r = clinician
            .post_form(
                "/clients",
                &[
                    ("display_name", "Ana\u{202E}lisa\u{2066}"),
                    ("idempotency_key", "bidi"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let bidi: kith_domain::ids::ClientId = r
            .location()
            .trim_start_matches("/clients/")
            .parse()
            .unwrap();
        let stored = app.store.client(w.a.id, bidi, &[]).await.unwrap().unwrap();
        assert_eq!(
            stored.display_name, "Analisa",
            "{backend:?}: bidi controls kept"
        );
        let mut admin = sign_in(&app, &w.a.admin).await;
        let mut pages = Vec::new();
        for path in ["/".to_string()].into_iter().chain(ids.iter().cloned()) {
            pages.push((path.clone(), clinician.get(&path).await));
        }
        for path in ["/admin/clients", "/admin/audit"] {
            pages.push((path.to_string(), admin.get(path).await));
        }
        for (path, r) in &pages {
            assert_eq!(r.status, 200, "{backend:?}: {path}");
            for raw in [
                "<script>alert",
                "<img src=x",
                "<svg onload",
                "onerror=alert(1)>",
            ] {
                assert!(
                    !r.body.contains(raw),
                    "{backend:?}: {path} shows {raw} unescaped"
                );
            }
            // Kith's own script is the only script, loaded from its own origin.
            assert_eq!(r.body.matches("<script").count(), 1, "{backend:?}: {path}");
        }
        // The text is kept as written (escaped on output, not altered on input).
        let shown = &pages[1].1.body;
        assert!(
            shown.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{backend:?}: the text is not shown as written"
        );
        app.finish().await;
    }
}
