//! The session-note and worksheet wiring: templates chosen by phase and problem area, tasks
//! read from what a note holds, worksheet answers checked against their definitions, measures
//! in the brief and the termination review.

use super::*;
use crate::{MeasureAnswers, MeasureInput};
use kith_domain::ids::SessionId;
use kith_domain::measure::AnswerValue;
use kith_domain::note::RiskStatus;
use kith_domain::worksheet::WorksheetLibrary;
use kith_store::{AdministrationMode, WorksheetAuthor, WorksheetStatus, WorksheetUpdate};
use serde_json::json;

/// A grief course with sessions 1 to `held` held and the formulation agreed at session 3.
async fn grief_course(h: &Harness, held: u32) -> (ClientId, CourseId, Vec<CourseSession>) {
    let (client, course, s1) = h.course().await;
    let ctx = h.ctx(h.alice).await;
    let mut sessions = vec![s1];
    for _ in 2..=held {
        h.week();
        sessions.push(
            h.app
                .add_session(&ctx, course, None, SessionStatus::Held, h.app.now())
                .await
                .unwrap(),
        );
    }
    let rev = h
        .app
        .save_formulation(
            &ctx,
            course,
            &Formulation {
                areas: vec![ChosenArea {
                    area: "grief".into(),
                    primary: true,
                    rationale: "Mum died before the onset.".into(),
                    dispute_stage: None,
                }],
                ..Formulation::default()
            },
            Some(3),
            0,
        )
        .await
        .unwrap();
    h.app
        .agree_formulation(&ctx, course, rev.revision, h.app.now().date(), 3)
        .await
        .unwrap();
    (client, course, sessions)
}

fn sections(pairs: &[(&str, serde_json::Value)]) -> NoteInput {
    NoteInput {
        sections: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_middle_session_note_follows_the_grief_template_and_ticks_what_it_shows() {
    let h = Harness::new().await;
    let (client, _, sessions) = grief_course(&h, 5).await;
    let ctx = h.ctx(h.alice).await;
    let s5 = &sessions[4];
    let template = h.app.session_note_template(&ctx, s5.id).await.unwrap();
    assert_eq!(template.id(), "middle-grief");
    assert!(template.section("grief-steps").is_some());

    // A draft may leave required sections empty; the tasks come from what is filled in.
    let draft = h
        .app
        .save_note(
            &ctx,
            s5.id,
            &sections(&[
                (
                    "since-last",
                    json!("A hard week; the anniversary is close."),
                ),
                (
                    "techniques",
                    json!(["clarification", "encouragement-of-affect"]),
                ),
                ("grief-steps", json!(["relationship-review"])),
            ]),
            0,
        )
        .await
        .unwrap();
    assert_eq!(draft.content.template, "middle-grief");
    let tasks: Vec<&str> = draft
        .content
        .ticks
        .iter()
        .map(|t| t.task.as_str())
        .collect();
    assert_eq!(tasks, ["since-last-met", "area-work", "technique"]);

    // Signing needs the required sections: each missing one is named.
    let refused = h.app.sign_note(&ctx, draft.id, draft.version).await;
    assert_eq!(
        codes(&refused.unwrap_err()),
        [
            ("strategy".into(), "field-required".into()),
            ("risk".into(), "field-required".into())
        ]
    );

    // Risk identified: it needs its urgency even in a draft, raises one alert however often the
    // note is saved, and the actions must be written before the note can be signed.
    let no_urgency = sections(&[("risk", json!({"status": "risk-identified"}))]);
    assert_eq!(
        codes(
            &h.app
                .save_note(&ctx, s5.id, &no_urgency, draft.version)
                .await
                .unwrap_err()
        ),
        [("risk.urgency".into(), "field-required".into())]
    );
    let before = h.app.store.audit_rows(0, 10_000).await.unwrap().len();
    let risky = sections(&[
        ("since-last", json!("A hard week.")),
        ("strategy", json!("Reviewed the relationship with Mum.")),
        (
            "risk",
            json!({"status": "risk-identified", "urgency": "urgent"}),
        ),
    ]);
    let d2 = h
        .app
        .save_note(&ctx, s5.id, &risky, draft.version)
        .await
        .unwrap();
    let d3 = h
        .app
        .save_note(&ctx, s5.id, &risky, d2.version)
        .await
        .unwrap();
    let rows = h.app.store.audit_rows(0, 10_000).await.unwrap();
    let entries: Vec<_> = rows[before..]
        .iter()
        .filter(|r| r.event.object_type == "alert")
        .collect();
    assert_eq!(entries.len(), 1, "one alert for the first save with risk");
    assert_eq!(entries[0].event.client, Some(client));
    assert_eq!(entries[0].event.detail.as_deref(), Some("tier=urgent"));
    let alerts = h.app.client_alerts(&ctx, client).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].tier, kith_domain::safety::Tier::Urgent);
    assert_eq!(
        codes(&h.app.sign_note(&ctx, d3.id, d3.version).await.unwrap_err()),
        [("risk.actions".into(), "field-actions-required".into())]
    );
    let done = h
        .app
        .save_note(
            &ctx,
            s5.id,
            &sections(&[
                ("since-last", json!("A hard week.")),
                ("strategy", json!("Reviewed the relationship with Mum.")),
                (
                    "risk",
                    json!({"status": "risk-identified", "urgency": "urgent", "actions": "Safety plan reviewed; GP informed."}),
                ),
            ]),
            d3.version,
        )
        .await
        .unwrap();
    let signed = h.app.sign_note(&ctx, done.id, done.version).await.unwrap();
    assert_eq!(signed.integrity, NoteIntegrity::Intact);
    // The session now shows the tasks the note evidences, with the section.
    let s = h
        .app
        .sessions(&ctx, s5.course)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id == s5.id)
        .unwrap();
    let mut done_tasks: Vec<&str> = s.tasks.iter().map(|t| t.task.as_str()).collect();
    done_tasks.sort();
    assert_eq!(done_tasks, ["area-work", "risk-check", "since-last-met"]);
    // The brief before the next session reports the risk the last note recorded.
    let brief = h.app.pre_session_brief(&ctx, s5.course).await.unwrap();
    assert_eq!(brief.last_note_risk, Some(RiskStatus::RiskIdentified));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_note_that_raises_the_ending_records_it_on_the_course() {
    let h = Harness::new().await;
    let (_, course, sessions) = grief_course(&h, 9).await;
    let ctx = h.ctx(h.alice).await;
    let s9 = &sessions[8];
    // Before: the engine asks for the ending to be raised (16 sessions, raise by 13).
    assert_eq!(
        h.app
            .course(&ctx, course)
            .await
            .unwrap()
            .ending_raised_at_session,
        None
    );
    let draft = h
        .app
        .save_note(
            &ctx,
            s9.id,
            &sections(&[
                ("since-last", json!("Better week.")),
                ("strategy", json!("New activities with Jo.")),
                ("reminders", json!(["sessions-left", "ending-raised"])),
                ("risk", json!({"status": "no-risk-identified"})),
            ]),
            0,
        )
        .await
        .unwrap();
    // A draft does not count yet.
    assert_eq!(
        h.app
            .course(&ctx, course)
            .await
            .unwrap()
            .ending_raised_at_session,
        None
    );
    h.app
        .sign_note(&ctx, draft.id, draft.version)
        .await
        .unwrap();
    let c = h.app.course(&ctx, course).await.unwrap();
    assert_eq!(c.ending_raised_at_session, Some(9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worksheets_are_checked_against_their_definitions() {
    let h = Harness::new().await;
    let (client, course, sessions) = grief_course(&h, 4).await;
    let ctx = h.ctx(h.alice).await;
    let jo = *h
        .app
        .add_person(
            &ctx,
            client,
            &Person::new(
                Uuid::nil(),
                "Jo",
                RelationshipType::Sibling,
                PersonStatus::Current,
            ),
            None,
        )
        .await
        .unwrap()
        .value();
    let input = |kind: &str, content: serde_json::Value| WorksheetInput {
        kind: kind.into(),
        definition_version: "1".into(),
        session: Some(sessions[3].id),
        visibility: kith_domain::inventory::Visibility::Shared,
        due_on: None,
        content: WorksheetContent {
            content,
            ..WorksheetContent::default()
        },
    };
    // An unknown kind and an old version are refused.
    assert_eq!(
        codes(
            &h.app
                .create_worksheet(&ctx, course, &input("gratitude-note", json!({})), None)
                .await
                .unwrap_err()
        ),
        [("kind".into(), "worksheet-kind-unknown".into())]
    );
    let mut old = input("dispute-map", json!({}));
    old.definition_version = "0".into();
    assert_eq!(
        codes(
            &h.app
                .create_worksheet(&ctx, course, &old, None)
                .await
                .unwrap_err()
        ),
        [(
            "definition_version".into(),
            "worksheet-wrong-definition".into()
        )]
    );
    // Each wrong answer is named by its path; a person outside the inventory is refused.
    let stranger = Uuid::now_v7();
    let bad = input(
        "communication-analysis",
        json!({
            "other_person": stranger.to_string(),
            "when": "yesterday",
            "steps": [{"speaker": "nobody", "words": "Fine."}],
            "colour": "blue"
        }),
    );
    let err = h
        .app
        .create_worksheet(&ctx, course, &bad, None)
        .await
        .unwrap_err();
    let got = codes(&err);
    assert!(
        got.contains(&("content.when".into(), "field-bad-format".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "content.steps[0].speaker".into(),
            "field-unknown-option".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&("content".into(), "field-unknown".into())),
        "{got:?}"
    );
    // The person check comes after the values are well formed.
    let unknown_person = input(
        "communication-analysis",
        json!({"other_person": stranger.to_string()}),
    );
    assert_eq!(
        codes(
            &h.app
                .create_worksheet(&ctx, course, &unknown_person, None)
                .await
                .unwrap_err()
        ),
        [("content.other_person".into(), "person-unknown".into())]
    );
    // A good one: stored normalised, with the people it names listed.
    let id = *h
        .app
        .create_worksheet(
            &ctx,
            course,
            &input(
                "communication-analysis",
                json!({"other_person": jo.to_string(), "what_i_wanted": "  To be heard. "}),
            ),
            None,
        )
        .await
        .unwrap()
        .value();
    let w = h.app.worksheet(&ctx, id).await.unwrap();
    assert_eq!(w.content.people, [jo]);
    assert_eq!(w.created_by_role, WorksheetAuthor::Clinician);
    // Marking it complete needs the required answers; reviewed cannot skip complete.
    let update = |status, content: serde_json::Value| WorksheetUpdate {
        status,
        visibility: w.visibility,
        session: w.session,
        due_on: None,
        reviewed_at_session: Some(sessions[3].id),
        content: WorksheetContent {
            content,
            ..w.content.clone()
        },
        at: h.app.now(),
    };
    let skip = h
        .app
        .update_worksheet(
            &ctx,
            id,
            &update(WorksheetStatus::Reviewed, w.content.content.clone()),
            w.version,
        )
        .await
        .unwrap_err();
    assert!(codes(&skip).contains(&("status".into(), "worksheet-status-move".into())));
    let incomplete = h
        .app
        .update_worksheet(
            &ctx,
            id,
            &update(WorksheetStatus::Complete, w.content.content.clone()),
            w.version,
        )
        .await
        .unwrap_err();
    assert!(
        codes(&incomplete)
            .iter()
            .all(|(f, c)| f.starts_with("content.") && c == "field-required"),
        "{incomplete:?}"
    );
    // The client's own kinds are the client's work, and cannot be hidden from them.
    let mut diary = input("social-rhythm-diary", json!({}));
    diary.visibility = kith_domain::inventory::Visibility::ClinicianPrivate;
    assert_eq!(
        codes(
            &h.app
                .create_worksheet(&ctx, course, &diary, None)
                .await
                .unwrap_err()
        ),
        [("visibility".into(), "worksheet-client-work-private".into())]
    );
    diary.visibility = kith_domain::inventory::Visibility::Shared;
    diary.due_on = Some(h.app.now().date() + Duration::days(7));
    let d = *h
        .app
        .create_worksheet(&ctx, course, &diary, None)
        .await
        .unwrap()
        .value();
    assert_eq!(
        h.app.worksheet(&ctx, d).await.unwrap().created_by_role,
        WorksheetAuthor::Client
    );
    // A session of another course is refused.
    let other = h.client("Bea").await;
    let other_course = *h
        .app
        .open_course(&ctx, other, "ipt", None, None)
        .await
        .unwrap()
        .value();
    let foreign = h
        .app
        .add_session(&ctx, other_course, None, SessionStatus::Held, h.app.now())
        .await
        .unwrap();
    let mut wrong_session = input("role-play", json!({}));
    wrong_session.session = Some(foreign.id);
    assert_eq!(
        codes(
            &h.app
                .create_worksheet(&ctx, course, &wrong_session, None)
                .await
                .unwrap_err()
        ),
        [("session".into(), "session-unknown".into())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_worksheet_kind_can_be_started() {
    let h = Harness::new().await;
    let (_, course, _) = h.course().await;
    let ctx = h.ctx(h.alice).await;
    let lib = WorksheetLibrary::builtin();
    assert!(lib.get(RELAPSE_PLAN_KIND).is_some());
    for def in lib.iter() {
        h.app
            .create_worksheet(
                &ctx,
                course,
                &WorksheetInput {
                    kind: def.id().into(),
                    definition_version: def.version().into(),
                    session: None,
                    visibility: kith_domain::inventory::Visibility::Shared,
                    due_on: def
                        .def()
                        .between_session
                        .then(|| h.app.now().date() + Duration::days(7)),
                    content: WorksheetContent::default(),
                },
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", def.id()));
    }
    assert_eq!(
        h.app.worksheets(&ctx, course).await.unwrap().len(),
        lib.iter().count()
    );
}

fn phq9_at(
    values: [i64; 9],
    at: time::OffsetDateTime,
    course: CourseId,
    session: SessionId,
) -> MeasureInput {
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
        session: Some(session),
        language: kith_domain::locale::Locale::En,
        mode: AdministrationMode::ClinicianEntered,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brief_and_the_termination_review_read_the_course_measures() {
    let h = Harness::new().await;
    let (client, course, sessions) = grief_course(&h, 4).await;
    let ctx = h.ctx(h.alice).await;
    h.app
        .record_measure(
            &ctx,
            client,
            phq9_at(
                [3, 3, 2, 2, 2, 2, 2, 2, 0],
                sessions[0].held_at.unwrap(),
                course,
                sessions[0].id,
            ),
            None,
        )
        .await
        .unwrap();
    h.app
        .record_measure(
            &ctx,
            client,
            phq9_at(
                [1, 1, 1, 1, 1, 1, 1, 0, 1],
                sessions[3].held_at.unwrap(),
                course,
                sessions[3].id,
            ),
            None,
        )
        .await
        .unwrap();
    let brief = h.app.pre_session_brief(&ctx, course).await.unwrap();
    assert_eq!(brief.measures.len(), 1);
    let line = &brief.measures[0];
    assert_eq!(line.instrument, "phq9");
    assert_eq!(line.latest_total.as_deref(), Some("8"));
    assert_eq!(line.baseline_total.as_deref(), Some("18"));
    assert_eq!(line.change.as_deref(), Some("-10"));
    assert_eq!(line.change_since_baseline.as_deref(), Some("-10"));
    assert_eq!(line.safety_item_positive, Some(true));
    assert_eq!(line.count, 2);
    // The engine now knows the baseline was taken at session 1.
    assert!(
        !brief
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::NoBaselineMeasure { missing } if missing.contains(&"phq9".to_string())))
    );
    let review = h.app.termination_review(&ctx, course).await.unwrap();
    let phq = review
        .measures
        .iter()
        .find(|m| m.instrument == "phq9")
        .unwrap();
    assert_eq!(phq.baseline.as_ref().unwrap().total.to_string(), "18");
    assert_eq!(phq.baseline.as_ref().unwrap().session, Some(1));
    assert_eq!(phq.latest.as_ref().unwrap().total.to_string(), "8");
    assert!(phq.analysis.response.is_suggested());
    // Protocol measures never taken are listed too, without scores.
    let gad = review.measures.iter().find(|m| m.instrument == "gad7");
    assert!(gad.is_some_and(|m| m.baseline.is_none()));
}
