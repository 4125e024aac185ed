//! Session notes through the pages: a stale save keeps what was written, a signed note never
//! changes (corrections are addenda, a supervisor signs off), and process notes are seen by
//! their author alone.

mod course_sessions_common;

use course_sessions_common::*;
use kith_testkit::{TestApp, backends};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_note_save_answers_409_and_keeps_the_text() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let b = sign_in(&app, &a.clinician).await;
        let (st, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert_eq!(st, 200, "{backend:?}");
        // The form follows the initial-phase template.
        assert!(page.contains("id=\"note-symptoms\""));
        assert!(page.contains("id=\"note-risk-status\""));
        let v0 = input_value(&page, "version");
        assert_eq!(v0, "0");

        // Tab A saves first.
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", &v0),
                    ("intent", "save"),
                    ("s.symptoms", "Tab A: sleeping four hours a night."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        // Tab B still holds version 0.
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", &v0),
                    ("intent", "save"),
                    ("s.symptoms", "Tab B: the words that must not be lost."),
                    ("s.risk.status", "no-risk-identified"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 409, "{backend:?}");
        let body = r.text().await.unwrap();
        // What tab B sent is still in the form, the other version is shown beside it.
        assert!(body.contains("Tab B: the words that must not be lost.</textarea>"));
        assert!(body.contains("data-testid=\"note-conflict\""));
        let other = &body[body.find("data-testid=\"note-other-version\"").unwrap()..];
        assert!(other.contains("Tab A: sleeping four hours a night."));
        assert!(body.contains("value=\"no-risk-identified\" selected"));
        // Nothing was overwritten.
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert!(page.contains("Tab A: sleeping four hours a night.</textarea>"));
        // Saving again from the conflict page, on purpose, keeps tab B's text.
        let current = input_value(&body, "version");
        assert_eq!(current, "1");
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", &current),
                    ("intent", "save"),
                    ("s.symptoms", "Tab B: the words that must not be lost."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert!(page.contains("Tab B: the words that must not be lost.</textarea>"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_note_cannot_be_edited_and_shows_its_addenda_and_sign_off() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let b = sign_in(&app, &a.clinician).await;
        // Signing an incomplete note is refused and names what is missing; the draft is kept.
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", "0"),
                    ("intent", "sign"),
                    ("s.symptoms", "Low mood for two months; poor sleep."),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "{backend:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("The draft was saved, but it could not be signed yet"));
        assert!(body.contains("This is needed."));
        let version = input_value(&body, "version");
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", &version),
                    ("intent", "sign"),
                    ("s.symptoms", "Low mood for two months; poor sleep."),
                    (
                        "s.diagnosis",
                        "Moderate depressive episode named and explained.",
                    ),
                    ("s.risk.status", "no-risk-identified"),
                    ("s.initial-tasks", "timeline"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert!(
            !page.contains("id=\"note-form\""),
            "a signed note has no edit form"
        );
        assert!(page.contains("data-testid=\"note-signed\""));
        assert!(page.contains("Unchanged since it was signed"));
        // The tasks the note shows are recorded on the session, from the template.
        let ticks = &page[page.find("data-testid=\"note-ticks\"").unwrap()..];
        assert!(ticks.contains("Review current symptoms with a rating scale"));
        assert!(ticks.contains("Build the timeline and link the onset to life events"));
        let (_, session) = b.get_text(&format!("/sessions/{s1}")).await;
        assert!(session.contains("data-task=\"review-symptoms\""));
        assert!(session.contains("data-task=\"timeline\""));
        assert!(session.contains("data-task=\"risk-check\""));
        // A save anyway (an old tab) is refused and changes nothing.
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", "2"),
                    ("intent", "save"),
                    ("s.symptoms", "Rewritten after signing."),
                ],
            )
            .await;
        assert!(matches!(r.status().as_u16(), 409 | 422), "{}", r.status());
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert!(!page.contains("Rewritten after signing."));
        assert!(page.contains("Low mood for two months; poor sleep."));
        // A correction is an addendum, shown with the note.
        let note_id = attr(&page, "data-note-id");
        let key = input_value(&page, "idempotency_key");
        let r = b
            .post_form(
                &format!("/notes/{note_id}/addenda"),
                &[
                    ("text", "Correction: three months, not two."),
                    ("idempotency_key", &key),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        let addenda = &page[page.find("data-testid=\"note-addenda\"").unwrap()..];
        assert!(addenda.contains("Correction: three months, not two."));
        assert!(addenda.contains("Cleo North"));
        // The supervisor reads it and signs it off; the sign-off is shown.
        let sup = sign_in(&app, &a.supervisor).await;
        let (st, page) = sup.get_text(&format!("/sessions/{s1}/note")).await;
        assert_eq!(st, 200);
        assert!(page.contains("Not signed off yet."));
        let r = sup
            .post_form(
                &format!("/notes/{note_id}/sign-off"),
                &[("comment", "Clear and complete.")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        let off = &page[page.find("data-testid=\"note-sign-off\"").unwrap()..];
        assert!(off.contains("Signed off by Sol North"));
        assert!(off.contains("Clear and complete."));
        // A colleague who does not care for the client finds nothing.
        let other = sign_in(&app, &a.colleague).await;
        assert_eq!(
            other.get(&format!("/sessions/{s1}/note")).await.status(),
            404
        );
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_recording_risk_needs_the_actions_and_is_flagged() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let b = sign_in(&app, &a.clinician).await;
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", "0"),
                    ("intent", "sign"),
                    ("s.symptoms", "Thoughts of not wanting to wake up."),
                    ("s.risk.status", "risk-identified"),
                    ("s.risk.urgency", "urgent"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "{backend:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("please write down the actions taken"));
        assert!(body.contains("data-testid=\"note-risk\""));
        let (_, session) = b.get_text(&format!("/sessions/{s1}")).await;
        assert!(session.contains("data-testid=\"session-risk\""));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_note_is_invisible_to_everyone_but_its_author() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let secret = "PROCESS-NOTE-ONLY-CLEO-SEES-THIS";
        let b = sign_in(&app, &a.clinician).await;
        let (st, page) = b.get_text(&format!("/sessions/{s1}/process-note")).await;
        assert_eq!(st, 200, "{backend:?}");
        assert!(page.contains("data-testid=\"pnote-private\""));
        let r = b
            .post_form(
                &format!("/sessions/{s1}/process-note"),
                &[("text", secret), ("version", "0")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{backend:?}");
        let (_, page) = b.get_text(&format!("/sessions/{s1}/process-note")).await;
        assert!(page.contains(secret));
        let (_, list) = b
            .get_text(&format!("/clients/{}/process-notes", a.mine))
            .await;
        let id = link_id(&list, &format!("/clients/{}/process-notes/", a.mine));
        let own = format!("/clients/{}/process-notes/{id}", a.mine);
        let (st, page) = b.get_text(&own).await;
        assert_eq!(st, 200);
        assert!(page.contains(secret));
        // Nobody else: another clinician, the supervisor, the clinic admin.
        for (who, p) in [
            ("colleague", &a.colleague),
            ("supervisor", &a.supervisor),
            ("admin", &a.admin),
        ] {
            let x = sign_in(&app, p).await;
            for path in [
                format!("/sessions/{s1}/process-note"),
                format!("/clients/{}/process-notes", a.mine),
                own.clone(),
            ] {
                let (st, body) = x.get_text(&path).await;
                // Admins never hold process notes (403 for every id); others find none (404).
                let expected = if who == "admin" { 403 } else { 404 };
                assert_eq!(st, expected, "{who} on {path} ({backend:?})");
                assert!(!body.contains(secret));
            }
            let r = x
                .post_form(&own, &[("text", "overwritten"), ("version", "1")])
                .await;
            let expected = if who == "admin" { 403 } else { 404 };
            assert_eq!(r.status().as_u16(), expected, "{who} writing ({backend:?})");
        }
        // Nor anywhere else, even for its author.
        for path in [
            format!("/sessions/{s1}"),
            format!("/sessions/{s1}/note"),
            format!("/courses/{}/brief", f.course),
            format!("/courses/{}/summary", f.course),
            format!("/courses/{}/termination", f.course),
            format!("/courses/{}/sessions", f.course),
        ] {
            let (st, body) = b.get_text(&path).await;
            assert_eq!(st, 200, "{path}");
            assert!(!body.contains(secret), "{path} shows the process note");
        }
        let (_, page) = b.get_text(&own).await;
        assert!(page.contains(secret), "still there for its author");
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_with_a_field_the_form_does_not_have_is_refused_and_nothing_saved() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let a = &w.a;
        let f = course_with(&app, &a.clinician, a.mine, 1).await;
        let s1 = f.session(1);
        let b = sign_in(&app, &a.clinician).await;
        let r = b
            .post_form(
                &format!("/sessions/{s1}/note"),
                &[
                    ("version", "0"),
                    ("intent", "save"),
                    ("s.symptoms", "Should not be kept."),
                    ("s.not-a-section", "smuggled"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}");
        let body = r.text().await.unwrap();
        assert!(
            body.contains("s.not-a-section"),
            "the refusal names the field"
        );
        let (_, page) = b.get_text(&format!("/sessions/{s1}/note")).await;
        assert!(!page.contains("Should not be kept."));
        assert_eq!(input_value(&page, "version"), "0");
        app.finish().await;
    }
}
