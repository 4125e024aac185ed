//! Worksheets through the pages: any definition becomes a form, answers are checked against it
//! with every problem named by its field, between-session tasks are due and then overdue, and
//! every shipped kind can be started, filled in and saved.

mod course_sessions_common;

use course_sessions_common::*;
use kith_domain::worksheet::WorksheetLibrary;
use kith_testkit::{TestApp, backends};

async fn start(b: &kith_testkit::Browser, course: &str, fields: &[(&str, &str)]) -> String {
    let r = b
        .post_form(&format!("/courses/{course}/worksheets"), fields)
        .await;
    assert_eq!(r.status().as_u16(), 303, "starting {fields:?}");
    let to = location(&r);
    to.strip_prefix("/worksheets/")
        .expect("to the worksheet")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worksheet_problems_are_named_by_their_field_and_nothing_is_lost() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 4).await;
        let jo = add_person(&app, &a.clinician, a.mine, "Jo", 1).await;
        let course = f.course.to_string();
        let b = sign_in(&app, &a.clinician).await;
        let id = start(&b, &course, &[("kind", "communication-analysis")]).await;
        let (st, page) = b.get_text(&format!("/worksheets/{id}")).await;
        assert_eq!(st, 200, "{backend:?}");
        // The generic form: a date-time, a person chosen from the inventory, a repeating group
        // with blank rows, a 0–10 scale, a multiple choice.
        assert!(page.contains("id=\"f-when\" name=\"f.when\" type=\"datetime-local\""));
        assert!(page.contains(&format!("<option value=\"{jo}\">Jo</option>")));
        assert!(page.contains("name=\"f.steps[0].words\""));
        assert!(page.contains("name=\"f.steps[1].words\""));
        assert!(page.contains("name=\"f.mood_after\" type=\"number\" min=\"0\" max=\"10\""));
        assert!(page.contains("type=\"checkbox\" id=\"f-problems_noticed-1\""));
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/worksheets/{id}"),
                &[
                    ("version", &version),
                    ("intent", "complete"),
                    ("f.when", "last tuesday"),
                    ("f.what_i_wanted", "To be listened to."),
                    ("f.steps[0].speaker", "nobody"),
                    ("f.steps[0].words", "You never listen."),
                    ("f.steps[1].words", ""),
                    ("f.mood_after", "11"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "{backend:?}");
        let body = r.text().await.unwrap();
        for path in [
            "content.when",
            "content.other_person",
            "content.steps[0].speaker",
            "content.mood_after",
        ] {
            assert!(
                body.contains(&format!("data-field=\"{path}\"")),
                "{path} not named ({backend:?})"
            );
        }
        assert!(body.contains("Please give a whole number from 0 to 10."));
        assert!(body.contains("This is needed."));
        // What was written is still in the form.
        assert!(body.contains("To be listened to.</textarea>"));
        assert!(body.contains("You never listen.</textarea>"));
        // Saving a draft with the same problems in its values still names them; a draft may
        // leave required answers empty.
        let r = b
            .post_form(
                &format!("/worksheets/{id}"),
                &[
                    ("version", &version),
                    ("intent", "save"),
                    ("f.what_i_wanted", "To be listened to."),
                    ("f.other_person", &jo.to_string()),
                    ("f.steps[0].speaker", "me"),
                    ("f.steps[0].words", "You never listen."),
                    ("f.steps[2].words", "I do, when you do not shout."),
                    ("f.steps[2].speaker", "them"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let ctx = ctx_of(&app, &a.clinician).await;
        let stored = app.app.worksheet(&ctx, id.parse().unwrap()).await.unwrap();
        let steps = stored.content.content["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2, "the blank row in between is left out");
        assert_eq!(steps[1]["speaker"], "them");
        assert_eq!(stored.content.people, [jo]);
        // Complete, then reviewed at a session with a comment.
        let (_, page) = b.get_text(&format!("/worksheets/{id}")).await;
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/worksheets/{id}"),
                &[
                    ("version", &version),
                    ("intent", "complete"),
                    ("f.what_i_wanted", "To be listened to."),
                    ("f.other_person", &jo.to_string()),
                    ("f.steps[0].speaker", "me"),
                    ("f.steps[0].words", "You never listen."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let (_, page) = b.get_text(&format!("/worksheets/{id}")).await;
        assert!(page.contains("id=\"ws-review\""));
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/worksheets/{id}/review"),
                &[
                    ("version", &version),
                    ("session", &f.session(4).to_string()),
                    ("comment", "Good catch on the tone."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&format!("/worksheets/{id}")).await;
        let status = &page[page.find("data-testid=\"ws-status\"").unwrap()..];
        assert!(status.contains("Reviewed"));
        assert!(status.contains("reviewed at Session 4"));
        assert!(page.contains("Good catch on the tone.</textarea>"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_between_session_task_is_due_and_then_overdue() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 4).await;
        let course = f.course.to_string();
        let b = sign_in(&app, &a.clinician).await;
        let due = app.clock_now().date() + time::Duration::days(3);
        start(
            &b,
            &course,
            &[
                ("kind", "social-contact-log"),
                ("session", &f.session(4).to_string()),
                ("due_on", &due.to_string()),
            ],
        )
        .await;
        let (_, list) = b.get_text(&format!("/courses/{course}/worksheets")).await;
        assert!(list.contains("between-session task"));
        assert!(list.contains("due "), "{backend:?}");
        assert!(!list.contains("data-testid=\"ws-overdue\""));
        let (_, brief) = b.get_text(&format!("/courses/{course}/brief")).await;
        let due_part = &brief[brief.find("data-testid=\"brief-tasks-due\"").unwrap()..];
        assert!(due_part.contains("Contact log"), "{backend:?}");
        let (_, sessions) = b.get_text(&format!("/courses/{course}/sessions")).await;
        assert!(sessions.contains("one due this week"));
        // Five days on, it is overdue everywhere it is listed.
        app.advance(time::Duration::days(5));
        let b = sign_in(&app, &a.clinician).await;
        let (_, list) = b.get_text(&format!("/courses/{course}/worksheets")).await;
        assert!(list.contains("data-testid=\"ws-overdue\""), "{backend:?}");
        assert!(list.contains("overdue since"));
        let (_, sessions) = b.get_text(&format!("/courses/{course}/sessions")).await;
        assert!(sessions.contains("data-testid=\"worksheets-overdue\""));
        assert!(sessions.contains("one overdue"));
        let (_, brief) = b.get_text(&format!("/courses/{course}/brief")).await;
        assert!(brief.contains("overdue since"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_worksheet_kind_works_through_the_form() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 3).await;
        let jo = add_person(&app, &a.clinician, a.mine, "Jo", 2).await;
        let ctx = ctx_of(&app, &a.clinician).await;
        let goal = *app
            .app
            .add_goal(
                &ctx,
                f.course,
                &kith_store::GoalContent {
                    text: "Call Jo every week".into(),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap()
            .value();
        let course = f.course.to_string();
        let b = sign_in(&app, &a.clinician).await;
        let lib = WorksheetLibrary::builtin();
        for def in lib.iter() {
            let id = start(&b, &course, &[("kind", def.id())]).await;
            let (st, page) = b.get_text(&format!("/worksheets/{id}")).await;
            assert_eq!(st, 200, "{} ({backend:?})", def.id());
            assert!(page.contains(&format!("data-kind=\"{}\"", def.id())));
            for field in def.fields() {
                assert!(
                    page.contains(&format!("f.{}", field.id)),
                    "{} lacks {}",
                    def.id(),
                    field.id
                );
            }
            let version = input_value(&page, "version");
            let r = b
                .post_form(
                    &format!("/worksheets/{id}"),
                    &[("version", &version), ("intent", "save")],
                )
                .await;
            assert_eq!(r.status().as_u16(), 303, "{} ({backend:?})", def.id());
        }
        // Every kind of field through the form: time, integer and date in a repeating group
        // (social-rhythm diary); a goal, people and scales (decision analysis).
        let diary = start(&b, &course, &[("kind", "social-rhythm-diary")]).await;
        let (_, page) = b.get_text(&format!("/worksheets/{diary}")).await;
        assert!(page.contains("name=\"f.days[0].out_of_bed\" type=\"time\""));
        let version = input_value(&page, "version");
        let week = app.clock_now().date().to_string();
        let r = b
            .post_form(
                &format!("/worksheets/{diary}"),
                &[
                    ("version", &version),
                    ("intent", "save"),
                    ("f.week_starting", &week),
                    ("f.days[0].date", &week),
                    ("f.days[0].out_of_bed", "07:30"),
                    ("f.days[0].out_of_bed_people", "1"),
                    ("f.days[0].mood", "-2"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "diary ({backend:?})");
        let stored = app
            .app
            .worksheet(&ctx, diary.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(stored.content.content["days"][0]["out_of_bed"], "07:30");
        assert_eq!(stored.content.content["days"][0]["mood"], -2);
        let da = start(&b, &course, &[("kind", "decision-analysis")]).await;
        let (_, page) = b.get_text(&format!("/worksheets/{da}")).await;
        assert!(page.contains("Call Jo every week</option>"));
        let version = input_value(&page, "version");
        let r = b
            .post_form(
                &format!("/worksheets/{da}"),
                &[
                    ("version", &version),
                    ("intent", "save"),
                    ("f.problem", "Whether to tell Jo how I feel."),
                    ("f.linked_goal", &goal.to_string()),
                    ("f.people_involved", &jo.to_string()),
                    ("f.mood_before", "3"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "decision analysis ({backend:?})");
        let stored = app.app.worksheet(&ctx, da.parse().unwrap()).await.unwrap();
        assert_eq!(stored.content.goals, [goal]);
        assert_eq!(stored.content.people, [jo]);
        assert_eq!(stored.content.content["mood_before"], 3);
        app.finish().await;
    }
}
