//! Risk a clinician records in a session note raises a safety alert, as a questionnaire answer
//! does: once, with the urgency the clinician chose, open until acknowledged, and escalating on
//! that urgency's own clock. A clinic admin is warned while a clinician has nobody to escalate to.

mod course_sessions_common;
mod measures_support;

use course_sessions_common::{course_with, input_value, sign_in};
use kith_testkit::{TestApp, backends};
use measures_support::{count, has_banner, page, set_clinic};
use time::Duration;

fn alert_link(body: &str) -> String {
    let id = body
        .split("href=\"/alerts/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to the alert");
    format!("/alerts/{id}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_recording_risk_raises_one_alert_with_the_chosen_urgency() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let b = sign_in(&app, &a.clinician).await;
        let path = format!("/sessions/{s1}/note");
        // The form asks how urgent identified risk is.
        let form = page(&b, &path).await;
        assert!(form.contains("name=\"s.risk.urgency\""));
        assert!(form.contains("value=\"emergency\""));

        // Risk identified without saying how urgent: refused, nothing saved, no alert.
        let r = b
            .post_form(
                &path,
                &[
                    ("version", "0"),
                    ("intent", "save"),
                    ("s.symptoms", "Says she has a plan."),
                    ("s.risk.status", "risk-identified"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "{backend:?}");
        assert_eq!(count(&app, "alerts").await, 0);

        let r = b
            .post_form(
                &path,
                &[
                    ("version", "0"),
                    ("intent", "save"),
                    ("s.symptoms", "Says she has a plan."),
                    ("s.risk.status", "risk-identified"),
                    ("s.risk.urgency", "emergency"),
                    (
                        "s.risk.actions",
                        "Crisis team called from the session; her sister is with her tonight.",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        assert_eq!(count(&app, "alerts").await, 1);
        // The note says an alert was raised.
        let note = page(&b, &path).await;
        assert!(note.contains("a safety alert was raised"));

        // Saved again with the risk still recorded: still one alert.
        let v = input_value(&note, "version");
        let r = b
            .post_form(
                &path,
                &[
                    ("version", &v),
                    ("intent", "save"),
                    (
                        "s.symptoms",
                        "Says she has a plan. Agreed to call tomorrow.",
                    ),
                    ("s.risk.status", "risk-identified"),
                    ("s.risk.urgency", "emergency"),
                    ("s.risk.actions", "Crisis team called."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(count(&app, "alerts").await, 1);

        // The clinician's dashboard lists it as an emergency; its page shows what was written.
        let list = page(&b, "/alerts").await;
        assert!(list.contains("Emergency"), "{list}");
        assert!(list.contains("Session note · risk identified"));
        let alert_path = alert_link(&list);
        let alert = page(&b, &alert_path).await;
        assert!(alert.contains("urgency: Emergency"));
        assert!(
            alert.contains("Crisis team called from the session; her sister is with her tonight.")
        );
        assert!(alert.contains(&format!("href=\"/sessions/{s1}/note\"")));
        // An emergency reaches the supervisor at once (the clinic's emergency clock is 0).
        let sup = sign_in(&app, &a.supervisor).await;
        assert!(has_banner(&page(&sup, "/protocols").await));
        let sup_alert = page(&sup, &alert_path).await;
        assert!(sup_alert.contains("Crisis team called from the session"));
        // Nobody outside the client's care sees it.
        let colleague = sign_in(&app, &a.colleague).await;
        assert_eq!(colleague.get_text(&alert_path).await.0, 404);

        // Open until acknowledged with what was done.
        let r = b
            .post_form(&format!("{alert_path}/acknowledge"), &[("note", " ")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let r = b
            .post_form(
                &format!("{alert_path}/acknowledge"),
                &[("note", "Crisis team saw her at home; follow-up booked.")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert!(!has_banner(&page(&b, "/protocols").await));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_and_routine_risk_escalate_on_their_own_clocks() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 2).await;
        let b = sign_in(&app, &a.clinician).await;
        for (session, urgency) in [(f.session(1), "urgent"), (f.session(2), "routine")] {
            let r = b
                .post_form(
                    &format!("/sessions/{session}/note"),
                    &[
                        ("version", "0"),
                        ("intent", "save"),
                        ("s.symptoms", "Passive wishes to be dead."),
                        ("s.risk.status", "risk-identified"),
                        ("s.risk.urgency", urgency),
                    ],
                )
                .await;
            assert_eq!(r.status().as_u16(), 303, "{backend:?} {urgency}");
        }
        assert_eq!(count(&app, "alerts").await, 2);
        // Urgent: 30 minutes by default; routine: the clinic's 240.
        app.advance(Duration::minutes(29));
        assert!(app.app.escalate_due().await.unwrap().is_empty());
        app.advance(Duration::minutes(2));
        assert_eq!(app.app.escalate_due().await.unwrap().len(), 1);
        let sup = sign_in(&app, &a.supervisor).await;
        let list = page(&sup, "/alerts").await;
        assert!(list.contains("Urgent"));
        assert!(!list.contains("Same-day review"), "routine is not due yet");
        app.advance(Duration::minutes(240 - 31));
        assert_eq!(app.app.escalate_due().await.unwrap().len(), 1);
        // (Hours later: a fresh sign-in.)
        let sup = sign_in(&app, &a.supervisor).await;
        let list = page(&sup, "/alerts").await;
        assert!(list.contains("Same-day review"));

        // A clinic may set its own clocks; an urgent one may not be slower than routine.
        set_clinic(&app, a.id, |s| s.urgent_escalation_minutes = 10).await;
        let admin = sign_in(&app, &a.admin).await;
        let settings = page(&admin, "/admin/settings").await;
        assert!(settings.contains("name=\"urgent_escalation\""));
        let r = admin
            .post_form(
                "/admin/settings",
                &[
                    ("name", "North Clinic"),
                    ("crisis_text", ""),
                    ("escalation", "60"),
                    ("urgent_escalation", "90"),
                    ("emergency_escalation", "0"),
                    ("idle", "15"),
                    ("default_locale", "en"),
                    ("version", &input_value(&settings, "version")),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("id=\"urgent_escalation_minutes-error\""),
            "{body}"
        );
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_is_warned_while_a_clinician_has_nobody_to_escalate_to() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let admin = sign_in(&app, &a.admin).await;
        let settings = page(&admin, "/admin/settings").await;
        // The colleague has no supervisor; the clinician has one.
        let warning = settings
            .split("data-testid=\"unsupervised-warning\"")
            .nth(1)
            .expect("a warning")
            .split("</div>")
            .next()
            .unwrap()
            .to_string();
        // (The world names its clinicians Cleo and Cal, with the clinic's tag.)
        assert!(warning.contains("Cal "), "{warning}");
        assert!(!warning.contains("Cleo "));
        // Once the colleague has a supervisor the warning goes.
        let r = admin
            .post_form(
                "/admin/supervision",
                &[
                    ("supervisor", &a.supervisor.id.to_string()),
                    ("clinician", &a.colleague.id.to_string()),
                    ("action", "add"),
                ],
            )
            .await;
        assert!(r.status().is_redirection(), "{}", r.status());
        let settings = page(&admin, "/admin/settings").await;
        assert!(!settings.contains("data-testid=\"unsupervised-warning\""));
        app.finish().await;
    }
}
