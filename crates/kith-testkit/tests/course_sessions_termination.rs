//! Sessions, the brief and the ending through the pages: scheduling, holding, missing and
//! cancelling with reasons in both languages; the reminder to raise the ending; the termination
//! review and the printable end-of-treatment summary.

mod course_sessions_common;

use course_sessions_common::*;
use kith_store::{GoalContent, SnapshotLabel};
use kith_testkit::{TestApp, backends};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_scheduled_held_or_called_off_with_their_phase_and_reason() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 3).await;
        let course = f.course.to_string();
        let b = sign_in(&app, &a.clinician).await;
        let (st, page) = b.get_text(&format!("/courses/{course}/sessions")).await;
        assert_eq!(st, 200, "{backend:?}");
        assert!(page.contains("data-testid=\"session-list\""));
        assert!(page.contains("Initial phase"));
        assert!(page.contains("Session 4 of 12"));
        // Schedule session 4 next week: the engine places it in the middle phase.
        let at = (app.clock_now() + time::Duration::days(7)).date();
        let r = b
            .post_form(
                &format!("/courses/{course}/sessions"),
                &[("at", &format!("{at}T10:00")), ("status", "scheduled")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let s4 = location(&r);
        let (_, page) = b.get_text(&s4).await;
        let phase = &page[page.find("data-testid=\"session-phase\"").unwrap()..];
        assert!(phase.starts_with("data-testid=\"session-phase\">Middle phase"));
        assert!(page.contains("Scheduled"));
        // It is called off: the client was unwell. The reason shows in English and Spanish.
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("{s4}/call-off"),
                &[
                    ("version", &version),
                    ("status", "cancelled"),
                    ("reason", "client-unwell"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&s4).await;
        assert!(page.contains("Cancelled · The client was unwell"));
        let r = b
            .post_form("/language", &[("lang", "es"), ("next", &s4)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&s4).await;
        assert!(
            page.contains("Cancelada · El cliente estaba enfermo"),
            "{backend:?}"
        );
        assert!(page.contains("Fase intermedia"));
        let r = b
            .post_form("/language", &[("lang", "en"), ("next", &s4)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        // An unknown reason is refused and named.
        let r = b
            .post_form(
                &format!("/courses/{course}/sessions"),
                &[("at", &format!("{at}T11:00")), ("status", "scheduled")],
            )
            .await;
        let other = location(&r);
        let (_, page) = b.get_text(&other).await;
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("{other}/call-off"),
                &[
                    ("version", &version),
                    ("status", "missed"),
                    ("reason", "forgot"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("Please choose a reason."));
        // Holding it records the time; a time that cannot be read is refused.
        let r = b
            .post_form(
                &format!("{other}/hold"),
                &[("version", &version), ("held_at", "tomorrow")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let r = b
            .post_form(
                &format!("{other}/hold"),
                &[("version", &version), ("held_at", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&other).await;
        assert!(page.contains("data-testid=\"session-status\">Held"));
        // A task no note section shows is ticked by hand.
        let r = b
            .post_form(
                &format!("{other}/tasks"),
                &[("listed", "keep-focus"), ("done", "keep-focus")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&other).await;
        assert!(page.contains("data-task=\"keep-focus\""));
        assert!(page.contains("ticked by hand"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ending_is_raised_in_time_and_the_summary_compares_with_the_start() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let ctx = ctx_of(&app, &a.clinician).await;
        // Intake: Jo and Ana on the circle, a baseline PHQ-9, a goal.
        let jo = add_person(&app, &a.clinician, a.mine, "Jo", 3).await;
        add_person(&app, &a.clinician, a.mine, "Ana", 2).await;
        app.app
            .take_snapshot(&ctx, f.course, SnapshotLabel::Intake)
            .await
            .unwrap();
        app.app
            .record_measure(
                &ctx,
                a.mine,
                phq9(
                    [3, 3, 2, 2, 2, 2, 2, 2, 0],
                    app.clock_now(),
                    f.course,
                    f.session(1),
                ),
                None,
            )
            .await
            .unwrap();
        let goal = *app
            .app
            .add_goal(
                &ctx,
                f.course,
                &GoalContent {
                    text: "Speak with Jo about Mum every week".into(),
                    ..GoalContent::default()
                },
                None,
            )
            .await
            .unwrap()
            .value();
        // Sessions 2 to 8.
        let mut last = f.session(1);
        for _ in 2..=8 {
            app.advance(time::Duration::days(7));
            let ctx = ctx_of(&app, &a.clinician).await;
            last = app
                .app
                .add_session(
                    &ctx,
                    f.course,
                    None,
                    kith_domain::course::SessionStatus::Held,
                    app.clock_now(),
                )
                .await
                .unwrap()
                .id;
        }
        let ctx = ctx_of(&app, &a.clinician).await;
        app.app
            .record_measure(
                &ctx,
                a.mine,
                phq9([1, 1, 1, 1, 1, 1, 1, 1, 0], app.clock_now(), f.course, last),
                None,
            )
            .await
            .unwrap();
        // Jo came closer.
        let people = app.app.inventory(&ctx, a.mine).await.unwrap();
        let rec = people.iter().find(|p| p.id == jo).unwrap();
        let mut closer = rec.value.clone();
        closer.ring = Some(kith_domain::inventory::Ring::INNER);
        app.app
            .update_person(&ctx, a.mine, &closer, rec.version)
            .await
            .unwrap();
        app.app
            .take_snapshot(&ctx, f.course, SnapshotLabel::Termination)
            .await
            .unwrap();
        let course = f.course.to_string();
        let b = sign_in(&app, &a.clinician).await;
        // Eight of twelve held: the ending should be raised at the next session (by session 9).
        let (_, page) = b.get_text(&format!("/courses/{course}/sessions")).await;
        assert!(
            page.contains("data-testid=\"ending-reminder\""),
            "{backend:?}: {}",
            &page[page.find("sessions-block").unwrap()..][..1500]
        );
        let (_, brief) = b.get_text(&format!("/courses/{course}/brief")).await;
        assert!(brief.contains("data-testid=\"brief-raise-ending\""));
        assert!(brief.contains("4 sessions left in the contract"));
        let measures = &brief[brief.find("data-testid=\"brief-measures\"").unwrap()..];
        assert!(measures.contains("<td>8</td><td>-10</td>"), "{backend:?}");
        let (st, page) = b.get_text(&format!("/courses/{course}/termination")).await;
        assert_eq!(st, 200);
        assert!(page.contains("data-testid=\"ending-reminder\""));
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/courses/{course}/ending-raised"),
                &[("version", &version), ("session", "8")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let (_, page) = b.get_text(&format!("/courses/{course}/termination")).await;
        assert!(!page.contains("data-testid=\"ending-reminder\""));
        assert!(page.contains("The ending was raised at session 8."));
        // Baseline and now, for every measure of the protocol.
        assert!(
            page.contains("data-testid=\"baseline-phq9\">18<"),
            "{backend:?}"
        );
        assert!(page.contains("data-testid=\"latest-phq9\">8<"));
        assert!(page.contains("data-instrument=\"gad7\""));
        assert!(page.contains("data-instrument=\"wsas\""));
        // The closeness circle then and now, drawn by Kith.
        assert!(page.contains("class=\"closeness-circle closeness-change\""));
        let table = &page[page.find("data-testid=\"circle-change-table\"").unwrap()..];
        assert!(table.contains(
            "<th scope=\"row\">Jo</th><td>Further out</td><td>Closest</td><td>Moved closer</td>"
        ));
        // Each goal reviewed.
        let (_, page) = b.get_text(&format!("/courses/{course}/termination")).await;
        let goal_form = &page[page.find(&format!("data-testid=\"goal-{goal}\"")).unwrap()..];
        let gv = input_value(goal_form, "version");
        let r = b
            .post_form(
                &format!("/courses/{course}/goals/{goal}/review"),
                &[
                    ("version", &gv),
                    ("status", "achieved"),
                    ("review", "They now speak every Sunday."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        // The relapse-prevention plan, started from the page and filled in.
        let r = b
            .post_form(
                &format!("/courses/{course}/worksheets"),
                &[("kind", "relapse-prevention-plan")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let plan = location(&r);
        let (_, page) = b.get_text(&plan).await;
        let version = input_value(&page, "version");
        let next = (app.clock_now() + time::Duration::days(28))
            .date()
            .to_string();
        let r = b
            .post_form(
                &plan,
                &[
                    ("version", &version),
                    ("intent", "complete"),
                    ("f.warning_signs[0].sign", "Sleeping badly for a week"),
                    ("f.what_helps[0].action", "Walking with Ana"),
                    ("f.contacts[0].person", &jo.to_string()),
                    ("f.next_step", "maintenance"),
                    ("f.next_step_date", &next),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        // Closing the course with its outcome; the plan's next step is offered first.
        let (_, page) = b.get_text(&format!("/courses/{course}/termination")).await;
        assert!(
            page.contains("value=\"maintenance\" checked"),
            "{backend:?}"
        );
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/courses/{course}/close"),
                &[("version", &version), ("outcome", "maintenance")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        // The printable summary.
        let (st, summary) = b.get_text(&format!("/courses/{course}/summary")).await;
        assert_eq!(st, 200, "{backend:?}");
        assert!(summary.contains("data-testid=\"summary\""));
        assert!(
            summary
                .contains("<link rel=\"stylesheet\" href=\"/static/print.css\" media=\"print\">")
        );
        assert!(summary.contains("data-testid=\"baseline-phq9\">18<"));
        assert!(summary.contains("data-testid=\"latest-phq9\">8<"));
        let goals = &summary[summary.find("data-testid=\"summary-goals\"").unwrap()..];
        assert!(goals.contains("Speak with Jo about Mum every week"));
        assert!(goals.contains("Achieved"));
        assert!(goals.contains("They now speak every Sunday."));
        assert!(summary.contains("Sleeping badly for a week"));
        assert!(summary.contains("A maintenance course follows"));
        assert!(summary.contains("8 held, 0 missed, 0 cancelled"));
        assert!(summary.contains("class=\"closeness-circle closeness-change\""));
        let css = b.get("/static/print.css").await;
        assert_eq!(css.status().as_u16(), 200);
        let css = css.text().await.unwrap();
        assert!(css.contains("size: A4"));
        assert!(css.contains(".printable"));
        // The summary in Spanish.
        b.post_form("/language", &[("lang", "es"), ("next", "/")])
            .await;
        let (_, es) = b.get_text(&format!("/courses/{course}/summary")).await;
        assert!(es.contains("Resumen de fin de tratamiento"));
        assert!(es.contains("Sigue un tratamiento de mantenimiento"));
        app.finish().await;
    }
}
