//! The measures API: idempotent, server-scored submissions with exactly one alert each, strict
//! answer vectors, alert listing and acknowledgement; on SQLite, and on PostgreSQL when configured.

mod measures_support;

use kith_testkit::{TestApp, backends};
use measures_support::*;
use serde_json::{Value, json};

#[tokio::test]
async fn the_same_key_twice_records_once_and_answers_the_same() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let path = format!("/api/v1/clients/{}/measures", w.a.mine);
        let body = phq9_json([2, 2, 1, 1, 1, 1, 1, 0, 3]);

        let first = api.post_json(&path, &body, Some("submit-7f3a")).await;
        assert_eq!(first.status().as_u16(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let again = api.post_json(&path, &body, Some("submit-7f3a")).await;
        assert_eq!(again.status().as_u16(), 201);
        assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(
            first, again,
            "a retry answers exactly as the first request did"
        );
        assert_eq!(first["total"], json!(12));
        assert_eq!(first["band"], json!("moderate"));
        assert_eq!(
            first["flags"],
            json!([{"item": "9", "tier": "alert", "history": false}])
        );
        assert_eq!(first["show_crisis_resources"], json!(true));
        assert!(first["alert_id"].is_string());
        insta::assert_json_snapshot!("api_recorded_phq9_item9", first, {
            ".id" => "[id]",
            ".alert_id" => "[alert id]",
        });
        let c = counts(&app).await;
        assert_eq!(c["measure_submissions"], 1);
        assert_eq!(c["measure_answers"], 9);
        assert_eq!(c["alerts"], 1);

        // The same key with other answers is refused, and writes nothing.
        let r = api
            .post_json(&path, &phq9_json([0; 9]), Some("submit-7f3a"))
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["code"], json!("idempotency-mismatch"));
        // The same key from another person is theirs alone: no replay of the first result.
        let sup = app.api_as(&w.a.supervisor).await;
        let r = sup.post_json(&path, &body, Some("submit-7f3a")).await;
        assert_eq!(
            r.status().as_u16(),
            404,
            "the supervisor does not care for the client"
        );
        assert_eq!(count(&app, "measure_submissions").await, 1);
        assert_eq!(count(&app, "alerts").await, 1);

        // The list shows it once, with its alert.
        let list: Value = api.get(&path).await.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["alert_id"], first["alert_id"]);
        assert_eq!(list[0]["mode"], json!("clinician-entered"));

        // A later, lower score: the change and its findings come back with their figures.
        let later: Value = api
            .post_json(
                &path,
                &phq9_json([1, 1, 0, 0, 1, 0, 0, 0, 0]),
                Some("submit-8b2c"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(later["total"], json!(3));
        assert_eq!(later["alert_id"], Value::Null);
        assert_eq!(later["show_crisis_resources"], json!(false));
        assert_eq!(later["change"]["change"], json!(-9));
        assert_eq!(
            later["change"]["response"],
            json!({"status": "suggested", "reason": {"code": "percent-improvement", "percent": 75, "threshold_percent": 50}})
        );
        assert_eq!(
            later["change"]["reliable_improvement"],
            json!({"status": "suggested", "reason": {"code": "points", "points": 9, "threshold": 6}})
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn concurrent_submissions_with_different_keys_each_raise_their_alert() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let path = format!("/api/v1/clients/{}/measures", w.a.mine);
        let n = 8;
        let sends = (0..n).map(|i| {
            let api = api.clone();
            let path = path.clone();
            async move {
                let r = api
                    .post_json(
                        &path,
                        &phq9_json([1, 1, 1, 1, 1, 1, 1, 1, 1 + (i % 3)]),
                        Some(&format!("parallel-{i}")),
                    )
                    .await;
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }
        });
        let results = futures_join(sends).await;
        let mut alerts: Vec<String> = results
            .iter()
            .map(|(status, body)| {
                assert_eq!(*status, 201, "{body}");
                body["alert_id"].as_str().expect("an alert").to_string()
            })
            .collect();
        alerts.sort();
        alerts.dedup();
        assert_eq!(alerts.len(), n as usize, "one alert per submission");
        let c = counts(&app).await;
        assert_eq!(c["measure_submissions"], n);
        assert_eq!(c["alerts"], n);

        // A double click: the same key twice at once gives one submission.
        let twice = (0..2).map(|_| {
            let api = api.clone();
            let path = path.clone();
            async move {
                api.post_json(
                    &path,
                    &phq9_json([0, 0, 0, 0, 0, 0, 0, 0, 2]),
                    Some("double"),
                )
                .await
                .status()
                .as_u16()
            }
        });
        let statuses = futures_join(twice).await;
        assert!(statuses.contains(&201), "{statuses:?}");
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        let c = counts(&app).await;
        assert_eq!(c["measure_submissions"], n + 1);
        assert_eq!(c["alerts"], n + 1);

        let listed: Value = api
            .get(&format!("/api/v1/clients/{}/alerts", w.a.mine))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), (n + 1) as usize);
        app.finish().await;
    }
}

/// Runs the futures at once and returns their results in order.
async fn futures_join<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn invalid_answer_vectors_are_refused_naming_the_item_and_write_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let path = format!("/api/v1/clients/{}/measures", w.a.mine);
        let with_nine = |v: Value| {
            let mut b = phq9_json([0; 9]);
            b["answers"][8]["value"] = v;
            b
        };
        let mut duplicate = phq9_json([0; 9]);
        duplicate["answers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"item": "1", "value": 1}));
        let mut missing = phq9_json([0; 9]);
        missing["answers"].as_array_mut().unwrap().remove(8);
        let mut unknown = phq9_json([0; 9]);
        unknown["answers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"item": "10", "value": 1}));
        let mut with_total = phq9_json([3; 9]);
        with_total["total"] = json!(0);
        let mut total_in_answer = phq9_json([0; 9]);
        total_in_answer["answers"][0]["total"] = json!(0);
        let cases: Vec<(&str, Value, u16, Option<&str>)> = vec![
            (
                "a string",
                with_nine(json!("3")),
                422,
                Some("answers[item 9]"),
            ),
            (
                "a fraction",
                with_nine(json!(1.5)),
                422,
                Some("answers[item 9]"),
            ),
            ("true", with_nine(json!(true)), 422, Some("answers[item 9]")),
            ("null", with_nine(json!(null)), 422, Some("answers[item 9]")),
            (
                "below range",
                with_nine(json!(-1)),
                422,
                Some("answers[item 9]"),
            ),
            (
                "above range",
                with_nine(json!(4)),
                422,
                Some("answers[item 9]"),
            ),
            ("missing", missing, 422, Some("answers[item 9]")),
            ("duplicated", duplicate, 422, Some("answers[item 1]")),
            ("unknown item", unknown, 422, Some("answers[item 10]")),
            ("a total", with_total, 400, None),
            ("a total in an answer", total_in_answer, 400, None),
        ];
        for (what, body, status, field) in cases {
            let r = api
                .post_json(&path, &body, Some(&format!("bad-{what}")))
                .await;
            assert_eq!(r.status().as_u16(), status, "{what}");
            assert_eq!(
                r.headers().get("content-type").unwrap(),
                "application/problem+json"
            );
            let p: Value = r.json().await.unwrap();
            if let Some(field) = field {
                let fields: Vec<&str> = p["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|e| e["field"].as_str())
                    .collect();
                assert!(fields.contains(&field), "{what}: {p}");
            }
        }
        // The shape of a refusal.
        let r = api
            .post_json(&path, &with_nine(json!("3")), Some("bad-shape"))
            .await;
        let p: Value = r.json().await.unwrap();
        insta::assert_json_snapshot!("api_refused_string_answer", p, {
            ".correlation_id" => "[correlation id]",
        });

        let c = counts(&app).await;
        for table in ["measure_submissions", "measure_answers", "alerts"] {
            assert_eq!(c[table], 0, "{table} written");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn alerts_are_listed_and_acknowledged_through_the_api() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let mine = w.a.mine;
        let r = api
            .post_json(
                &format!("/api/v1/clients/{mine}/measures"),
                &phq9_json([0, 0, 0, 0, 0, 0, 0, 0, 1]),
                Some("k1"),
            )
            .await;
        let recorded: Value = r.json().await.unwrap();
        let alert = recorded["alert_id"].as_str().unwrap().to_string();

        let listed: Value = api
            .get(&format!("/api/v1/clients/{mine}/alerts"))
            .await
            .json()
            .await
            .unwrap();
        insta::assert_json_snapshot!("api_open_alert", listed, {
            "[].id" => "[alert id]",
            "[].client_id" => "[client id]",
            "[].submission_id" => "[submission id]",
            "[].raised_at" => "[time]",
        });
        // A colleague's token finds nothing.
        let colleague = app.api_as(&w.a.colleague).await;
        assert_eq!(
            colleague
                .get(&format!("/api/v1/clients/{mine}/alerts"))
                .await
                .status()
                .as_u16(),
            404
        );
        let ack = format!("/api/v1/alerts/{alert}/acknowledge");
        assert_eq!(
            colleague
                .post_json(&ack, &json!({"note": "not mine"}), None)
                .await
                .status()
                .as_u16(),
            404
        );
        // A note is required.
        let r = api.post_json(&ack, &json!({"note": " "}), None).await;
        assert_eq!(r.status().as_u16(), 422);
        let r = api
            .post_json(
                &ack,
                &json!({"note": "Called; safe tonight; seen tomorrow."}),
                None,
            )
            .await;
        assert_eq!(r.status().as_u16(), 200);
        let done: Value = r.json().await.unwrap();
        assert_eq!(done["status"], json!("acknowledged"));
        assert_eq!(
            done["action_note"],
            json!("Called; safe tonight; seen tomorrow.")
        );
        assert_eq!(done["acknowledged_by"], json!(w.a.clinician.id.to_string()));
        let r = api.post_json(&ack, &json!({"note": "again"}), None).await;
        assert_eq!(r.status().as_u16(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["code"], json!("alert-already-acknowledged"));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_measure_calls() {
    let app = TestApp::new(kith_testkit::Backend::Sqlite).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post = &doc["paths"]["/api/v1/clients/{id}/measures"]["post"];
    assert!(post["responses"]["201"].is_object());
    assert!(post["responses"]["422"].is_object());
    assert_eq!(post["x-kith-access"]["action"], json!("write_clinical"));
    assert!(doc["paths"]["/api/v1/clients/{id}/alerts"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/alerts/{id}/acknowledge"]["post"].is_object());
    let schema = &doc["components"]["schemas"]["NewMeasureDoc"]["properties"];
    assert!(schema["answers"].is_object());
    assert!(schema.get("total").is_none(), "no place for a total");
    app.finish().await;
}
