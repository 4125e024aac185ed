//! The course API: listing and opening courses, a course as the engine reads it, its sessions.
//! JSON shapes are kept as snapshots with ids and times redacted. On SQLite always, on PostgreSQL
//! when configured.

use kith_app::{Ctx, MeasureAnswers, MeasureInput};
use kith_domain::course::SessionStatus;
use kith_domain::ids::CourseId;
use kith_domain::inventory::{Person as InventoryPerson, PersonStatus, RelationshipType, Ring};
use kith_domain::locale::Locale;
use kith_domain::measure::AnswerValue;
use kith_domain::timeline::{LifeEvent, LifeEventKind, Onset};
use kith_store::AdministrationMode;
use kith_testkit::{Person, TestApp, backends};
use serde_json::{Value, json};
use uuid::Uuid;

async fn ctx_of(app: &TestApp, p: &Person) -> Ctx {
    let token = app
        .app
        .create_token_cli(&p.email, "tests", Some(p.clinic))
        .await
        .expect("token");
    app.app
        .resolve_api_token(&token, None)
        .await
        .expect("context")
}

/// Replaces ids, times and dates (which change from run to run) with placeholders.
fn redact(v: &mut Value) {
    match v {
        Value::String(s) => {
            if Uuid::parse_str(s).is_ok() {
                *s = "[id]".into();
            } else if s.len() >= 20 && s.as_bytes()[4] == b'-' && s.contains('T') {
                *s = "[time]".into();
            } else if s.len() == 10
                && s.as_bytes()[4] == b'-'
                && s.as_bytes()[7] == b'-'
                && s.bytes().filter(u8::is_ascii_digit).count() == 8
            {
                *s = "[date]".into();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact),
        Value::Object(o) => o.values_mut().for_each(redact),
        _ => {}
    }
}

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.expect("json body")
}

fn phq9(values: [i64; 9], course: CourseId, at: time::OffsetDateTime) -> MeasureInput {
    MeasureInput {
        instrument: "phq9".into(),
        answers: MeasureAnswers::Items(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), AnswerValue::Value(*v)))
                .collect(),
        ),
        taken_at: at,
        course: Some(course),
        session: None,
        language: Locale::En,
        mode: AdministrationMode::ClinicianEntered,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn courses_through_the_api() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let api = app.api_as(&w.a.clinician).await;
        let client = w.a.mine;
        let path = format!("/api/v1/clients/{client}/courses");

        // Nothing yet.
        let r = api.get(&path).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(json_of(r).await, json!([]));

        // Problems: an unknown protocol, a length outside the protocol, a field not expected.
        let r = api
            .post_json(&path, &json!({"protocol": "cbt"}), None)
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let p = json_of(r).await;
        assert_eq!(p["errors"][0]["field"], "protocol_id");
        assert_eq!(p["errors"][0]["code"], "protocol-unknown");
        let r = api
            .post_json(&path, &json!({"protocol": "ipt", "sessions": 30}), None)
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(
            json_of(r).await["errors"][0]["code"],
            "contract-outside-protocol"
        );
        let r = api
            .post_json(&path, &json!({"protocol": "ipt", "phase": "middle"}), None)
            .await;
        assert_eq!(r.status().as_u16(), 400);

        // Opened once, however often the request is repeated with its key.
        let body = json!({"protocol": "ipt", "sessions": 14});
        let r = api.post_json(&path, &body, Some("open-1")).await;
        assert_eq!(r.status().as_u16(), 201);
        let id = json_of(r).await["id"].as_str().unwrap().to_string();
        let r = api.post_json(&path, &body, Some("open-1")).await;
        assert_eq!(r.status().as_u16(), 201);
        assert_eq!(json_of(r).await["id"], id.as_str());
        let r = api
            .post_json(&path, &json!({"protocol": "ipc"}), Some("open-1"))
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(json_of(r).await["code"], "idempotency-mismatch");
        let r = api
            .post_json(&path, &json!({"protocol": "ipc"}), Some("open-2"))
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(json_of(r).await["errors"][0]["code"], "course-already-open");
        let course: CourseId = id.parse().unwrap();

        // A course with a death before onset, the first session held and a baseline PHQ-9.
        let ctx = ctx_of(&app, &w.a.clinician).await;
        let mut mum = InventoryPerson::new(
            Uuid::nil(),
            "Mum",
            RelationshipType::Parent,
            PersonStatus::Deceased,
        );
        mum.ring = Some(Ring::INNER);
        let mum = *app
            .app
            .add_person(&ctx, client, &mum, None)
            .await
            .unwrap()
            .value();
        app.app
            .add_life_event(
                &ctx,
                client,
                &LifeEvent {
                    id: Uuid::nil(),
                    date: "2026-01-05".parse().unwrap(),
                    kind: LifeEventKind::Death,
                    people: vec![mum],
                    description: "Mum died".into(),
                    impact: None,
                    candidate_area: None,
                },
                None,
            )
            .await
            .unwrap();
        app.app
            .set_onset(
                &ctx,
                client,
                Some(&Onset {
                    date: "2026-02-16".parse().unwrap(),
                    description: String::new(),
                }),
                0,
            )
            .await
            .unwrap();
        let now = app.clock_now();
        app.app
            .add_session(&ctx, course, None, SessionStatus::Held, now)
            .await
            .unwrap();
        app.app
            .record_measure(
                &ctx,
                client,
                phq9([2, 2, 2, 2, 1, 1, 1, 1, 0], course, now),
                None,
            )
            .await
            .unwrap();
        app.app
            .tick_tasks(
                &ctx,
                app.app.sessions(&ctx, course).await.unwrap()[0].id,
                &["review-symptoms".into(), "name-diagnosis".into()],
                &[],
            )
            .await
            .unwrap();

        let mut list = json_of(api.get(&path).await).await;
        redact(&mut list);
        insta::assert_json_snapshot!("client_courses", list);

        let r = api.get(&format!("/api/v1/courses/{course}")).await;
        assert_eq!(r.status().as_u16(), 200);
        let mut doc = json_of(r).await;
        // What a clinician relies on, stated plainly before the snapshot.
        assert_eq!(doc["progress"]["next_session"], 2);
        assert_eq!(doc["progress"]["of"], 14);
        assert_eq!(doc["phase"], "initial");
        assert_eq!(doc["focus"]["suggestion"]["ranked"][0]["area"], "grief");
        assert_eq!(doc["measures"][0]["latest_total"], "12");
        redact(&mut doc);
        insta::assert_json_snapshot!("course", doc);

        let r = api.get(&format!("/api/v1/courses/{course}/sessions")).await;
        assert_eq!(r.status().as_u16(), 200);
        let mut sessions = json_of(r).await;
        redact(&mut sessions);
        insta::assert_json_snapshot!("course_sessions", sessions);

        // The supervisor may read; a colleague, another clinic and a malformed id find nothing.
        let sup = app.api_as(&w.a.supervisor).await;
        assert_eq!(
            sup.get(&format!("/api/v1/courses/{course}"))
                .await
                .status()
                .as_u16(),
            200
        );
        for who in [&w.a.colleague, &w.b.clinician] {
            let other = app.api_as(who).await;
            for p in [
                format!("/api/v1/courses/{course}"),
                format!("/api/v1/courses/{course}/sessions"),
                path.clone(),
            ] {
                let r = other.get(&p).await;
                assert_eq!(r.status().as_u16(), 404, "{} GET {p}", who.email);
                assert_eq!(
                    r.headers()["content-type"].to_str().unwrap(),
                    "application/problem+json"
                );
            }
            let r = other
                .post_json(&path, &json!({"protocol": "ipc"}), None)
                .await;
            assert_eq!(r.status().as_u16(), 404, "{} POST", who.email);
        }
        assert_eq!(
            api.get("/api/v1/courses/not-an-id").await.status().as_u16(),
            404
        );
        let anonymous = kith_testkit::ApiClient::new(&app.base, "not-a-token");
        assert_eq!(
            anonymous
                .get(&format!("/api/v1/courses/{course}"))
                .await
                .status()
                .as_u16(),
            401
        );
        app.finish().await;
    }
}
