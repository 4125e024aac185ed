//! The demo clinic has a course under every protocol and in every phase, each readable through
//! the pages and the API; loading it twice changes nothing.

use kith_app::Ctx;
use kith_domain::course::SessionStatus;
use kith_domain::identity::Role;
use kith_testkit::{Person, TestApp, backends};
use std::collections::{BTreeMap, BTreeSet};

async fn demo_person(app: &TestApp, email: &str, password: &str, role: Role) -> Person {
    let user = app
        .store
        .user_by_email(email)
        .await
        .expect("lookup")
        .expect("demo user");
    let secret = app.store.totp_secret(user.id).await.expect("secret");
    let token = app
        .app
        .create_token_cli(email, "demo test", None)
        .await
        .expect("token");
    let ctx = app.app.resolve_api_token(&token, None).await.expect("ctx");
    Person {
        id: user.id,
        email: email.into(),
        password: password.into(),
        role,
        clinic: ctx.clinic_id().expect("clinic"),
        totp_secret: secret,
    }
}

async fn ctx_of(app: &TestApp, p: &Person) -> Ctx {
    let token = app
        .app
        .create_token_cli(&p.email, "demo test", Some(p.clinic))
        .await
        .expect("token");
    app.app
        .resolve_api_token(&token, None)
        .await
        .expect("context")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_every_protocol_in_every_phase() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let started = std::time::Instant::now();
        let logins = app.app.load_demo(&|_| {}).await.expect("demo loads");
        eprintln!("demo loaded in {:?} on {:?}", started.elapsed(), backend);

        let mut protocols: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut phases: BTreeSet<String> = BTreeSet::new();
        let mut pages: Vec<String> = Vec::new();
        let mut people = Vec::new();
        for login in logins.iter().filter(|l| l.role == "clinician") {
            let p = demo_person(&app, &login.email, &login.password, Role::Clinician).await;
            let ctx = ctx_of(&app, &p).await;
            for client in app.app.clients(&ctx).await.expect("clients") {
                for course in app.app.courses(&ctx, client.id).await.expect("courses") {
                    let view = app.app.course_view(&ctx, course.id).await.expect("view");
                    protocols
                        .entry(course.protocol_id.clone())
                        .or_default()
                        .push(client.display_name.clone());
                    let phase = view.review.current_phase.clone().expect("a phase");
                    // No demo client is left with an open safety alert nobody has looked at.
                    for a in app.app.client_alerts(&ctx, client.id).await.unwrap() {
                        assert!(
                            a.acknowledged_at.is_some(),
                            "{}: open alert {:?}",
                            client.display_name,
                            a.reasons
                        );
                    }
                    phases.insert(phase.clone());
                    pages.push(format!("/courses/{}", course.id));
                    // Every course has sessions and scores behind it.
                    assert!(
                        view.sessions
                            .iter()
                            .any(|s| s.status == SessionStatus::Held),
                        "{}: a session held",
                        client.display_name
                    );
                    assert!(
                        !view.measures.is_empty(),
                        "{}: scores recorded",
                        client.display_name
                    );
                    if course.protocol_id == "ipt" && client.display_name == "R. Hughes" {
                        grief_case(&app, &ctx, &view).await;
                    }
                    if course.protocol_id == "ipt-b" {
                        assert_eq!(phase, "termination");
                        assert_eq!(app.app.snapshots(&ctx, course.id).await.unwrap().len(), 2);
                    }
                    if course.protocol_id == "pa-ipt" {
                        assert_eq!(view.measures[0].instrument, "epds");
                        assert_eq!(view.measures[0].safety_item_positive, Some(false));
                    }
                    if course.protocol_id == "ipsrt" {
                        assert!(view.measures.iter().any(|m| m.instrument == "srm5"));
                    }
                    if course.protocol_id == "dit" {
                        let f = view.formulation.as_ref().expect("formulation");
                        assert!(f.formulation.ipaf.is_some() && f.agreement.is_some());
                    }
                }
            }
            people.push(p);
        }
        for id in [
            "ipt", "ipt-b", "ipt-a", "ipt-g", "ipc", "ipt-m", "ipsrt", "pa-ipt", "dit",
        ] {
            assert!(protocols.contains_key(id), "a {id} course: {protocols:?}");
        }
        for phase in [
            "pre-group",
            "initial",
            "middle",
            "intermediate",
            "maintenance",
            "termination",
        ] {
            assert!(
                phases.contains(phase),
                "a course in its {phase} phase: {phases:?}"
            );
        }

        // Every demo course page opens for its clinician.
        for p in &people {
            let b = app.sign_in(p).await;
            let ctx = ctx_of(&app, p).await;
            for client in app.app.clients(&ctx).await.unwrap() {
                for course in app.app.courses(&ctx, client.id).await.unwrap() {
                    for part in ["", "/formulation", "/inventory", "/timeline", "/contract"] {
                        let path = format!("/courses/{}{part}", course.id);
                        let (status, _) = b.get_text(&path).await;
                        assert_eq!(status, 200, "{} GET {path}", p.email);
                    }
                }
            }
        }
        assert_eq!(
            pages.len(),
            10,
            "nine Riverside courses and one at Hillside"
        );

        // Loading again changes nothing.
        let counts = app.store.row_counts().await.expect("counts");
        app.app.load_demo(&|_| {}).await.expect("demo again");
        assert_eq!(app.store.row_counts().await.expect("counts"), counts);
        app.finish().await;
    }
}

/// The IPT grief case: middle phase, full inventory, a death before onset, the formulation
/// agreed, signed notes, and PHQ-9 and GAD-7 series.
async fn grief_case(app: &TestApp, ctx: &Ctx, view: &kith_app::courses::CourseView) {
    assert_eq!(view.review.current_phase.as_deref(), Some("middle"));
    assert!(view.inventory.people >= 6);
    assert_eq!(view.inventory.deceased, 1);
    let timeline = app.app.timeline(ctx, view.course.client).await.unwrap();
    let onset = timeline.onset.as_ref().expect("onset").date;
    let death = timeline
        .entries
        .iter()
        .find_map(|e| match &e.value {
            kith_store::TimelineEntry::Event(ev)
                if ev.kind == kith_domain::timeline::LifeEventKind::Death =>
            {
                Some(ev.date)
            }
            _ => None,
        })
        .expect("a death on the timeline");
    assert!(death < onset, "the death comes before onset");
    let f = view.formulation.as_ref().expect("formulation");
    assert!(f.agreement.is_some(), "formulation agreed");
    assert_eq!(f.formulation.areas[0].area, "grief");
    let kith_domain::problem_area::Suggestion::Areas(s) = &view.suggestion else {
        panic!("problem areas suggested");
    };
    assert_eq!(s.ranked[0].area, "grief");
    let held: Vec<_> = view
        .sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Held)
        .collect();
    assert_eq!(held.len(), 7);
    for s in held {
        let note = app
            .app
            .note_of_session(ctx, s.id)
            .await
            .unwrap()
            .expect("a note");
        assert!(note.signature.is_some(), "session {} signed", s.number);
    }
    let phq = view
        .measures
        .iter()
        .find(|m| m.instrument == "phq9")
        .unwrap();
    assert_eq!(phq.count, 7);
    assert_eq!(phq.change_since_baseline.as_deref(), Some("-7"));
    assert!(view.measures.iter().any(|m| m.instrument == "gad7"));
    // The item-9 alert of the first session was acknowledged with what was done.
    let alerts = app
        .app
        .client_alerts(ctx, view.course.client)
        .await
        .unwrap();
    assert!(!alerts.is_empty());
    assert!(alerts.iter().all(|a| a.acknowledged_at.is_some()));
    // Fidelity of the initial phase comes from the signed notes.
    let initial = view
        .review
        .fidelity
        .iter()
        .find(|f| f.phase == "initial")
        .unwrap();
    assert!(initial.done > 0);
    assert!(
        view.review
            .warnings
            .iter()
            .all(|w| w.code() != "no-baseline-measure")
    );
}
