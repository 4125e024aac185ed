//! Measurement-based care and safety through the pages, as a clinician, a colleague, a supervisor,
//! a clinic admin and a client would see them; on SQLite, and on PostgreSQL when configured.

mod course_sessions_common;
mod measures_support;

use course_sessions_common::course_with;
use kith_testkit::{TestApp, backends, location};
use measures_support::*;
use time::Duration;

#[tokio::test]
async fn a_phq9_entered_through_the_form_shows_score_band_and_chart() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;

        // The form: one fieldset per item, with the item's label and its wording.
        let form = page(&b, &format!("/clients/{mine}/measures/new?instrument=phq9")).await;
        assert_eq!(
            form.matches("<fieldset").count(),
            10,
            "nine items and the difficulty question"
        );
        assert!(form.contains("<legend>Thoughts of death or self-harm"));
        assert!(form.contains("Thoughts that you would be better off dead"));
        assert!(form.contains("More than half the days"));
        assert!(hidden(&form, "idempotency_key").is_some_and(|k| k.len() >= 16));

        let result = submit_phq9(&b, mine, [2, 1, 1, 1, 1, 1, 1, 1, 0]).await;
        assert!(result.starts_with(&format!("/clients/{mine}/measures/")));
        let body = page(&b, &result).await;
        assert!(body.contains("9 of 27"), "{body}");
        assert!(body.contains(">Mild<"));
        assert!(body.contains("No alert was raised."));
        assert!(!has_banner(&body));
        assert!(body.contains("What the scores suggest"));
        assert!(body.contains("there is only the first score so far."));

        // A second score: the change since the first, and the findings with their reasons.
        let result = submit_phq9(&b, mine, [1, 0, 1, 0, 1, 0, 0, 1, 0]).await;
        let body = page(&b, &result).await;
        assert!(body.contains("4 of 27"));
        assert!(body.contains("None or minimal"));
        assert!(body.contains("-5 points (55.56 % improvement)"), "{body}");
        assert!(
            body.contains("improvement of 55.56 % since the first score; the threshold is 50 %.")
        );
        assert!(body.contains("the latest score is 4; the threshold is below 5."));
        assert!(body.contains("Reliable deterioration</strong> · <span class=\"status\">not suggested</span>: not worse than the first score"));

        // The client's page charts the series, with the data as a table beside it.
        let client = page(&b, &format!("/clients/{mine}")).await;
        assert!(client.contains("<svg"));
        assert!(client.contains("PHQ-9 scores"));
        assert!(client.contains("<caption>PHQ-9 scores as a table</caption>"));
        assert!(client.contains("<td>9</td><td>Mild</td>"));
        assert!(client.contains("<td>4</td><td>None or minimal</td>"));
        assert!(client.contains("Response</strong> · <span class=\"status\">suggested</span>"));

        // In Spanish the same page speaks Spanish.
        let r = b
            .post_form("/language", &[("lang", "es"), ("next", "/")])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let es = page(&b, &format!("/clients/{mine}/measures")).await;
        assert!(es.contains("Puntuaciones de PHQ-9"), "{es}");
        assert!(es.contains("Lo que sugieren las puntuaciones"));

        assert_eq!(count(&app, "measure_submissions").await, 2);
        assert_eq!(count(&app, "alerts").await, 0);
        app.finish().await;
    }
}

#[tokio::test]
async fn item_nine_raises_one_alert_for_the_clinician_until_acknowledged_with_a_note() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        set_clinic(&app, w.a.id, |s| s.crisis_text = CRISIS.into()).await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;

        let result = submit_phq9(&b, mine, [1, 1, 1, 1, 0, 0, 0, 0, 2]).await;
        let body = page(&b, &result).await;
        assert!(body.contains("A safety question needs attention"));
        assert!(body.contains("An alert was raised for the client"));
        assert!(body.contains("Crisis line (24 hours): 0800 555 0199"));
        assert!(body.contains(&format!("href=\"/clients/{mine}/safety-plan\"")));
        assert!(body.contains("2 — More than half the days"));
        assert_eq!(count(&app, "alerts").await, 1);

        // The banner is on every page of the assigned clinician.
        for path in ["/", "/protocols", "/account", &format!("/clients/{mine}")] {
            let body = page(&b, path).await;
            assert!(has_banner(&body), "no banner on {path}");
            assert!(body.contains("You have an open safety alert."));
        }
        // Not for a colleague, who cannot open the alert either.
        let colleague = sign(&app, &w.a.colleague).await;
        assert!(!has_banner(&page(&colleague, "/protocols").await));
        let alerts = page(&b, "/alerts").await;
        assert!(alerts.contains("Mine North"));
        assert!(alerts.contains("PHQ-9 · Thoughts of death or self-harm"));
        let href = alerts
            .split("href=\"/alerts/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a link to the alert")
            .to_string();
        let alert_path = format!("/alerts/{href}");
        assert_eq!(colleague.get_text(&alert_path).await.0, 404);
        // Not for the supervisor before it escalates.
        let sup = sign(&app, &w.a.supervisor).await;
        assert!(!has_banner(&page(&sup, "/protocols").await));
        // The clinic admin sees how many, nothing clinical.
        let admin = sign(&app, &w.a.admin).await;
        let overview = page(&admin, "/alerts").await;
        assert!(overview.contains("Open alerts in this clinic: 1."));
        assert!(!overview.contains("Mine North"));
        assert!(!overview.contains("PHQ-9"));
        assert_eq!(admin.get_text(&alert_path).await.0, 403);

        // The alert's reasons: item, answer and urgency.
        let alert = page(&b, &alert_path).await;
        assert!(alert.contains(
            "PHQ-9, item 9 (Thoughts of death or self-harm): answered “2 — More than half the days” · Same-day review"
        ));
        // Acknowledging needs a note.
        let r = b
            .post_form(&format!("{alert_path}/acknowledge"), &[("note", "  ")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("This is required."));
        assert!(has_banner(&page(&b, "/protocols").await));
        let r = b
            .post_form(
                &format!("{alert_path}/acknowledge"),
                &[(
                    "note",
                    "Phoned her the same afternoon; reviewed the safety plan together.",
                )],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(location(&r), alert_path);
        let done = page(&b, &alert_path).await;
        assert!(done.contains("Phoned her the same afternoon"));
        assert!(done.contains("by you"));
        assert!(
            !done.contains("/acknowledge\""),
            "no form once acknowledged"
        );
        // The banner is gone.
        assert!(!has_banner(&page(&b, "/protocols").await));
        assert!(page(&b, "/alerts").await.contains("No open alerts."));
        // A second acknowledgement is refused.
        let r = b
            .post_form(&format!("{alert_path}/acknowledge"), &[("note", "again")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(count(&app, "alerts").await, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn an_unacknowledged_alert_escalates_to_the_supervisor_after_the_clinic_time() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        set_clinic(&app, w.a.id, |s| s.alert_escalation_minutes = 30).await;
        let b = sign(&app, &w.a.clinician).await;
        submit_phq9(&b, w.a.mine, [0, 0, 0, 0, 0, 0, 0, 0, 1]).await;

        app.advance(Duration::minutes(29));
        assert!(app.app.escalate_due().await.unwrap().is_empty());
        let sup = sign(&app, &w.a.supervisor).await;
        assert!(!has_banner(&page(&sup, "/protocols").await));

        app.advance(Duration::minutes(2));
        assert_eq!(app.app.escalate_due().await.unwrap().len(), 1);
        assert!(
            app.app.escalate_due().await.unwrap().is_empty(),
            "an alert escalates once"
        );
        let sup = sign(&app, &w.a.supervisor).await;
        let body = page(&sup, "/protocols").await;
        assert!(has_banner(&body));
        let alerts = page(&sup, "/alerts").await;
        assert!(alerts.contains("Mine North"));
        assert!(alerts.contains("Passed to the supervisor"));
        // The other clinic's supervisor and an unrelated colleague still see nothing.
        let other = sign(&app, &w.b.supervisor).await;
        assert!(!has_banner(&page(&other, "/protocols").await));
        let colleague = sign(&app, &w.a.colleague).await;
        assert!(!has_banner(&page(&colleague, "/protocols").await));
        // The supervisor may acknowledge it; then their banner goes too.
        let href = alerts
            .split("href=\"/alerts/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let r = sup
            .post_form(
                &format!("/alerts/{href}/acknowledge"),
                &[("note", "Called the client; her clinician is away today.")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert!(!has_banner(&page(&sup, "/protocols").await));
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_answers_are_refused_naming_the_item_and_nothing_is_written() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;
        let path = format!("/clients/{mine}/measures");

        // Item 9 left out: the form comes back with the other answers kept.
        let mut form = phq9_form([3, 1, 1, 1, 1, 1, 1, 1, 0]);
        form.retain(|(k, _)| k != "item-9");
        let r = post(&b, &path, &form).await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("Thoughts of death or self-harm: Please choose an answer."));
        assert!(body.contains("id=\"item-1-3\" name=\"item-1\" value=\"3\" checked"));

        // An answer out of range.
        let mut form = phq9_form([0, 0, 7, 0, 0, 0, 0, 0, 0]);
        let r = post(&b, &path, &form).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Sleep: The answer 7 is not possible here (from 0 to 3).")
        );
        // Not a whole number.
        form[4].1 = "1.5".into();
        let r = post(&b, &path, &form).await;
        assert_eq!(r.status().as_u16(), 422);
        // A total is not part of the form.
        let mut form = phq9_form([0; 9]);
        form.push(("total".into(), "0".into()));
        assert_eq!(post(&b, &path, &form).await.status().as_u16(), 400);
        // A clinician who does not care for the client cannot record for them.
        let colleague = sign(&app, &w.a.colleague).await;
        assert_eq!(
            post(&colleague, &path, &phq9_form([0; 9]))
                .await
                .status()
                .as_u16(),
            404
        );

        let c = counts(&app).await;
        for table in ["measure_submissions", "measure_answers", "alerts"] {
            assert_eq!(c[table], 0, "{table} written");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_week_diary_form_records_a_social_rhythm_score() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;
        let form = page(&b, &format!("/clients/{mine}/measures/new?instrument=srm5")).await;
        assert!(form.contains("Got out of bed"));
        assert_eq!(form.matches("class=\"diary-day").count(), 7);

        let today = app.clock_now().date();
        let items = [
            "out-of-bed",
            "first-contact",
            "start-day",
            "dinner",
            "to-bed",
        ];
        let times = ["07:00", "08:00", "09:00", "19:00", "23:00"];
        let mut fields = vec![
            ("instrument".to_string(), "srm5".to_string()),
            ("idempotency_key".to_string(), "diary-week-1".to_string()),
        ];
        for day in 0..7 {
            let date = today - Duration::days(6 - day as i64);
            fields.push((format!("day{day}-date"), date.to_string()));
            fields.push((format!("day{day}-mood"), "1".into()));
            for (item, at) in items.iter().zip(times) {
                fields.push((format!("day{day}-{item}-time"), at.into()));
                fields.push((format!("day{day}-{item}-people"), "1".into()));
            }
        }
        let r = post(&b, &format!("/clients/{mine}/measures"), &fields).await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &location(&r)).await;
        assert!(body.contains("7 of 7"), "{body}");
        assert!(body.contains("07:00 · Others present"));

        // A day with a time that cannot be read names the day and the activity.
        let mut bad = fields.clone();
        bad[1].1 = "diary-week-2".into();
        let i = bad
            .iter()
            .position(|(k, _)| k == "day3-dinner-time")
            .unwrap();
        bad[i].1 = "seven".into();
        let r = post(&b, &format!("/clients/{mine}/measures"), &bad).await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        let day3 = today - Duration::days(3);
        assert!(body.contains(&format!(
            "{day3} · Had dinner: Please give the time as hours:minutes"
        )));
        assert_eq!(count(&app, "measure_submissions").await, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_stale_safety_plan_save_is_a_conflict_that_keeps_the_text() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        set_clinic(&app, w.a.id, |s| s.crisis_text = CRISIS.into()).await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;
        let path = format!("/clients/{mine}/safety-plan");

        let edit = page(&b, &format!("{path}/edit")).await;
        assert_eq!(hidden(&edit, "expected_version").as_deref(), Some("0"));
        assert!(edit.contains("Warning signs that a crisis may be starting"));
        assert!(edit.contains("Crisis line (24 hours)"));
        assert!(edit.contains("name=\"professionals[2].hours\""));

        let first = [
            ("expected_version", "0"),
            ("status", "complete"),
            ("warning_signs[0].text", "Not sleeping for nights in a row"),
            ("help_contacts[0].text", "My sister Ana"),
            ("help_contacts[0].phone", "0800 555 0100"),
            ("reasons_for_living[0].text", "My dog, Bruno"),
        ];
        let r = b.post_form(&path, &first).await;
        assert_eq!(r.status().as_u16(), 303);
        let shown = page(&b, &path).await;
        assert!(shown.contains("Not sleeping for nights in a row"));
        assert!(shown.contains("Phone: 0800 555 0100"));
        assert!(shown.contains("Version 1 of 1 · Complete"));
        assert!(shown.contains("Crisis line (24 hours)"));
        assert!(shown.contains("/static/print.css"));

        // A second tab still started from "no plan": its save is a conflict, its text kept.
        let stale = [
            ("expected_version", "0"),
            ("status", "draft"),
            ("warning_signs[0].text", "Pacing the flat at night"),
        ];
        let r = b.post_form(&path, &stale).await;
        assert_eq!(r.status().as_u16(), 409);
        let body = r.text().await.unwrap();
        assert!(body.contains("value=\"Pacing the flat at night\""));
        assert!(body.contains("Someone saved the plan while you were writing."));
        assert!(
            body.contains("Not sleeping for nights in a row"),
            "the other version is shown"
        );
        assert_eq!(hidden(&body, "expected_version").as_deref(), Some("1"));

        // Saving again on purpose makes it the next version; both stay in the history.
        let again = [
            ("expected_version", "1"),
            ("status", "draft"),
            ("warning_signs[0].text", "Pacing the flat at night"),
        ];
        assert_eq!(b.post_form(&path, &again).await.status().as_u16(), 303);
        let shown = page(&b, &path).await;
        assert!(shown.contains("Version 2 of 2 · Draft"));
        assert!(shown.contains(&format!("href=\"{path}/versions/1\"")));
        let v1 = page(&b, &format!("{path}/versions/1")).await;
        assert!(v1.contains("Not sleeping for nights in a row"));
        assert!(v1.contains("This is an earlier version. The latest is version 2."));

        // A phone number that is not one names its row.
        let bad = [
            ("expected_version", "2"),
            ("status", "draft"),
            ("help_contacts[0].text", "My neighbour"),
            ("help_contacts[0].phone", "knock on the door"),
        ];
        let r = b.post_form(&path, &bad).await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("value=\"knock on the door\" aria-invalid=\"true\""));
        assert!(body.contains("A phone number can have digits"));
        assert_eq!(count(&app, "safety_plan_versions").await, 2);

        // The client reads the latest plan in the portal, with the crisis resources.
        let client = sign(&app, &w.a.client).await;
        let plan = page(&client, "/portal/safety-plan").await;
        assert!(plan.contains("Pacing the flat at night"));
        assert!(plan.contains("Crisis line (24 hours)"));
        assert!(!plan.contains("<form method=\"post\" action=\"/clients"));
        // A colleague does not see it at all.
        let colleague = sign(&app, &w.a.colleague).await;
        assert_eq!(colleague.get_text(&path).await.0, 404);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_portal_shows_crisis_resources_right_after_a_positive_safety_item() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        set_clinic(&app, w.a.id, |s| s.crisis_text = CRISIS.into()).await;
        let client = sign(&app, &w.a.client).await;

        let home = page(&client, "/").await;
        assert!(home.contains("href=\"/portal/questionnaires\""));
        assert!(home.contains("href=\"/portal/safety-plan\""));
        let list = page(&client, "/portal/questionnaires").await;
        assert!(list.contains("href=\"/portal/questionnaires/phq9\""));
        assert!(list.contains("href=\"/portal/questionnaires/gad7\""));
        assert!(!list.contains("hamd17"), "clinician-rated");
        assert!(
            !list.contains("epds"),
            "its wording needs the clinic's licence"
        );
        assert_eq!(
            client.get_text("/portal/questionnaires/hamd17").await.0,
            404
        );

        // The client reads the questions themselves.
        let form = page(&client, "/portal/questionnaires/phq9").await;
        assert!(form.contains("<legend>Thoughts that you would be better off dead"));
        assert!(!form.contains("taken_on"));

        let mut answers = phq9_form([1, 2, 1, 1, 0, 1, 0, 0, 1]);
        answers.retain(|(k, _)| k != "instrument");
        let r = post(&client, "/portal/questionnaires/phq9", &answers).await;
        assert_eq!(r.status().as_u16(), 303);
        let next = location(&r);
        assert!(next.starts_with("/portal/questionnaires/answered/"));
        let body = page(&client, &next).await;
        assert!(body.contains("data-testid=\"crisis-now\""));
        assert!(body.contains("Crisis line (24 hours): 0800 555 0199"));
        assert!(body.contains("My safety plan"));
        assert!(body.contains("not watched around the clock"));
        // Nothing suggests that anyone has already read the answers, and no score is shown.
        for said in [
            "has seen",
            "has read",
            "reviewed your",
            "of 27",
            "Mild",
            "Moderate",
        ] {
            assert!(!body.contains(said), "the page says {said:?}");
        }
        // The clinician has an alert waiting.
        let clinician = sign(&app, &w.a.clinician).await;
        assert!(has_banner(&page(&clinician, "/").await));
        assert_eq!(count(&app, "alerts").await, 1);

        // Without a positive safety item: thanks, and no crisis page first.
        let mut calm = phq9_form([0, 1, 0, 0, 0, 0, 0, 0, 0]);
        calm.retain(|(k, _)| k != "instrument");
        let r = post(&client, "/portal/questionnaires/phq9", &calm).await;
        let body = page(&client, &location(&r)).await;
        assert!(body.contains("Thank you for answering the Patient Health Questionnaire (PHQ-9)."));
        assert!(!body.contains("data-testid=\"crisis-now\""));

        // The client's portal stays the client's: no clinician pages.
        assert_eq!(
            client
                .get_text(&format!("/clients/{}/measures", w.a.mine))
                .await
                .0,
            403
        );
        assert_eq!(count(&app, "alerts").await, 1);
        app.finish().await;
    }
}

/// Answers entered in a session are filed under it: the clinician's form offers the sessions of
/// the open course (the one held today already chosen), a session's page links to the form with
/// that session chosen, and a session or course of another client is refused — on the page and in
/// the API — with nothing written.
#[tokio::test]
async fn answers_are_filed_under_the_session_they_were_given_in() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let fx = course_with(&app, &w.a.clinician, mine, 2).await;
        let theirs = course_with(&app, &w.a.colleague, w.a.theirs, 1).await;
        let elsewhere = course_with(&app, &w.b.clinician, w.b.mine, 1).await;
        let (s1, s2) = (fx.session(1), fx.session(2));
        let b = sign(&app, &w.a.clinician).await;

        let form = page(&b, &format!("/clients/{mine}/measures/new?instrument=phq9")).await;
        assert!(form.contains("<select id=\"session\" name=\"session\""));
        assert!(
            form.contains(&format!("<option value=\"{s2}\" selected>")),
            "today's session is chosen"
        );
        assert!(form.contains(&format!("<option value=\"{s1}\">")));
        let link = format!("/clients/{mine}/measures/new?session={s1}");
        assert!(page(&b, &format!("/sessions/{s1}")).await.contains(&link));
        let form = page(&b, &format!("{link}&instrument=phq9")).await;
        assert!(form.contains(&format!("<option value=\"{s1}\" selected>")));

        let mut answers = phq9_form([1, 1, 1, 1, 1, 1, 1, 1, 0]);
        answers.push(("session".into(), s1.to_string()));
        let r = post(&b, &format!("/clients/{mine}/measures"), &answers).await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "{}",
            r.text().await.unwrap_or_default()
        );
        let api = app.api_as(&w.a.clinician).await;
        let list: serde_json::Value = api
            .get(&format!("/api/v1/clients/{mine}/measures"))
            .await
            .json()
            .await
            .unwrap();
        let filed = &list.as_array().expect("list")[0];
        assert_eq!(filed["session_id"], s1.to_string());
        assert_eq!(filed["course_id"], fx.course.to_string());

        // Another client's session, on the page and through the API; another clinic's course.
        let before = count(&app, "measure_submissions").await;
        let mut answers = phq9_form([1, 1, 1, 1, 1, 1, 1, 1, 0]);
        answers.push(("session".into(), theirs.session(1).to_string()));
        let r = post(&b, &format!("/clients/{mine}/measures"), &answers).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("This session is not one of this client’s.")
        );
        for (field, id) in [
            ("session_id", theirs.session(1).to_string()),
            ("course_id", elsewhere.course.to_string()),
        ] {
            let mut body = phq9_json([1, 1, 1, 1, 1, 1, 1, 1, 0]);
            body[field] = serde_json::Value::String(id);
            let r = api
                .post_json(&format!("/api/v1/clients/{mine}/measures"), &body, None)
                .await;
            assert_eq!(r.status().as_u16(), 422, "{field}");
            let problem: serde_json::Value = r.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
        assert_eq!(count(&app, "measure_submissions").await, before);
        app.finish().await;
    }
}
