//! What the measures tests share: answer sets, counting rows, clinic settings, reading pages.

#![allow(dead_code)]

use kith_domain::ids::{ClientId, ClinicId};
use kith_testkit::{Browser, TestApp};
use std::collections::HashMap;

/// Counts of the rows of every table.
pub async fn counts(app: &TestApp) -> HashMap<String, i64> {
    app.store
        .row_counts()
        .await
        .expect("row counts")
        .into_iter()
        .collect()
}

pub async fn count(app: &TestApp, table: &str) -> i64 {
    counts(app).await.get(table).copied().unwrap_or(0)
}

/// Changes a clinic's settings directly in storage.
pub async fn set_clinic(
    app: &TestApp,
    clinic: ClinicId,
    change: impl FnOnce(&mut kith_domain::clinic::ClinicSettings),
) {
    let c = app
        .store
        .clinic(clinic)
        .await
        .expect("clinic")
        .expect("clinic exists");
    let mut settings = c.settings.clone();
    change(&mut settings);
    app.store
        .update_clinic(clinic, &c.name, &settings, c.version, &[])
        .await
        .expect("update clinic");
}

pub const CRISIS: &str = "Crisis line (24 hours): 0800 555 0199\nIn an emergency call 999.";

/// A PHQ-9 form: items 1 to 9 with these answers, and a fresh idempotency key.
pub fn phq9_form(values: [i64; 9]) -> Vec<(String, String)> {
    let mut f = vec![
        ("instrument".to_string(), "phq9".to_string()),
        (
            "idempotency_key".to_string(),
            uuid::Uuid::new_v4().to_string(),
        ),
    ];
    for (i, v) in values.iter().enumerate() {
        f.push((format!("item-{}", i + 1), v.to_string()));
    }
    f
}

/// PHQ-9 answers as the API takes them.
pub fn phq9_json(values: [i64; 9]) -> serde_json::Value {
    let answers: Vec<serde_json::Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| serde_json::json!({"item": (i + 1).to_string(), "value": v}))
        .collect();
    serde_json::json!({"instrument": "phq9", "answers": answers})
}

pub async fn post(b: &Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_form(path, &refs).await
}

/// Posts a questionnaire for a client and returns where the browser is sent (the result page).
pub async fn submit_phq9(b: &Browser, client: ClientId, values: [i64; 9]) -> String {
    let r = post(
        b,
        &format!("/clients/{client}/measures"),
        &phq9_form(values),
    )
    .await;
    assert_eq!(r.status().as_u16(), 303, "questionnaire refused");
    kith_testkit::location(&r)
}

pub async fn page(b: &Browser, path: &str) -> String {
    let (status, body) = b.get_text(path).await;
    assert_eq!(status, 200, "GET {path} answered {status}: {body}");
    body
}

/// Whether the page carries the open-alert banner.
pub fn has_banner(body: &str) -> bool {
    body.contains("data-testid=\"alert-banner\"")
}

/// The value of a hidden field in a page.
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let i = body.find(&needle)? + needle.len();
    let rest = &body[i..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Signs a person in and reads the form token of their signed-in session.
pub async fn sign(app: &TestApp, p: &kith_testkit::Person) -> Browser {
    let b = app.sign_in(p).await;
    b.refresh_csrf("/account").await;
    b
}
