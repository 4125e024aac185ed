//! Course use cases against a real SQLite store.

use super::*;
use crate::clock::ManualClock;
use crate::crypto::{FieldCrypto, Kek};
use crate::{ClientInput, Limits, Pending, Via};
use kith_domain::clinic::ClinicSettings;
use kith_domain::course::{SessionStatus, Warning};
use kith_domain::identity::{Actor, Role};
use kith_domain::ids::{ApiTokenId, ClinicId, UserId};
use kith_domain::inventory::{Person, PersonStatus, RelationshipType};
use kith_domain::problem_area::Suggestion;
use kith_domain::timeline::{LifeEvent, LifeEventKind, Onset};
use kith_store::{
    ChosenArea, CourseOutcome, Formulation, GoalContent, GoalStatus, NewClinic, NewUser,
    NoteIntegrity, SnapshotLabel, Store, WorksheetContent,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

struct Harness {
    app: App,
    clock: Arc<ManualClock>,
    clinic: ClinicId,
    alice: UserId,
    bob: UserId,
    sue: UserId,
    _driver: Arc<kith_store_sqlite::SqliteDriver>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Arc::new(FieldCrypto::new(Kek::generate()));
        let (driver, store) = kith_store_sqlite::open(&dir.path().join("kith.db"), sealer)
            .await
            .unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        let start = datetime!(2026-03-02 09:00 UTC);
        let clock = Arc::new(ManualClock::new(start));
        let clinic = ClinicId(Uuid::now_v7());
        store
            .create_clinic(
                NewClinic {
                    id: clinic,
                    name: "Riverside".into(),
                    settings: ClinicSettings::default(),
                    created_at: start,
                },
                &[],
            )
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (who, role) in [
            ("alice", Role::Clinician),
            ("bob", Role::Clinician),
            ("sue", Role::Supervisor),
        ] {
            let id = UserId(Uuid::now_v7());
            store
                .create_user(
                    NewUser {
                        id,
                        email: format!("{who}@example.org"),
                        display_name: who.into(),
                        password_hash: None,
                        operator: false,
                        locale: None,
                        created_at: start,
                    },
                    Some((clinic, role)),
                    &[],
                )
                .await
                .unwrap();
            ids.push(id);
        }
        store
            .set_supervision(clinic, ids[2], ids[0], true, start, &[])
            .await
            .unwrap();
        let app = App::new(store, clock.clone(), Limits::default());
        Harness {
            app,
            clock,
            clinic,
            alice: ids[0],
            bob: ids[1],
            sue: ids[2],
            _driver: driver,
            _dir: dir,
        }
    }

    async fn ctx(&self, user: UserId) -> Ctx {
        let store = &self.app.store;
        let u = store.user(user).await.unwrap().unwrap();
        let role = if user == self.sue {
            Role::Supervisor
        } else {
            Role::Clinician
        };
        Ctx {
            user: u,
            actor: Actor {
                user,
                membership: Some((self.clinic, role)),
                operator: false,
                second_factor: true,
            },
            clinic: store.clinic(self.clinic).await.unwrap(),
            pending: Pending::Nothing,
            via: Via::Api {
                token: ApiTokenId(Uuid::now_v7()),
            },
            source: Some("127.0.0.1".into()),
            now: self.app.now(),
            open_alerts: 0,
        }
    }

    fn week(&self) {
        self.clock.advance(Duration::days(7));
    }

    async fn client(&self, name: &str) -> ClientId {
        let ctx = self.ctx(self.alice).await;
        *self
            .app
            .register_client(
                &ctx,
                &ClientInput {
                    display_name: name.into(),
                    ..ClientInput::default()
                },
                None,
            )
            .await
            .unwrap()
            .value()
    }

    /// A client of Alice's with an open 16-session `ipt` course and session 1 held.
    async fn course(&self) -> (ClientId, CourseId, CourseSession) {
        let client = self.client("Ann").await;
        let ctx = self.ctx(self.alice).await;
        let course = *self
            .app
            .open_course(&ctx, client, "ipt", None, None)
            .await
            .unwrap()
            .value();
        let s1 = self
            .app
            .add_session(&ctx, course, None, SessionStatus::Held, self.app.now())
            .await
            .unwrap();
        (client, course, s1)
    }
}

/// A note for an initial-phase session (the `initial` template): symptoms and the risk check.
fn note(text: &str) -> NoteInput {
    let mut sections = BTreeMap::new();
    sections.insert("symptoms".to_string(), serde_json::json!(text));
    sections.insert(
        "risk".to_string(),
        serde_json::json!({"status": "no-risk-identified"}),
    );
    NoteInput { sections }
}

/// A note for a middle-phase session: its required sections and the risk check.
fn middle_note(text: &str) -> NoteInput {
    let mut sections = BTreeMap::new();
    sections.insert("since-last".to_string(), serde_json::json!(text));
    sections.insert("strategy".to_string(), serde_json::json!(text));
    sections.insert(
        "risk".to_string(),
        serde_json::json!({"status": "no-risk-identified"}),
    );
    NoteInput { sections }
}

fn codes(e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Invalid(errs) => errs
            .iter()
            .map(|e| (e.field.clone(), e.code.clone()))
            .collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn contract(n: u32, focus: &str) -> ContractInput {
    ContractInput {
        sessions: ContractLength::Sessions(n),
        frequency: Frequency::Weekly,
        planned_end: None,
        focus: focus.into(),
        participants: vec![ParticipantRole::Client],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixteen_session_grief_course_from_opening_to_ending() {
    let h = Harness::new().await;
    let client = h.client("Ann").await;
    let ctx = h.ctx(h.alice).await;
    let app = &h.app;

    // Opening: the protocol's default length, once per double click.
    let key = Idempotency {
        user: h.alice,
        route: "POST /courses",
        key: "open".into(),
        request_hash: [7; 32],
        at: app.now(),
    };
    let opened = app
        .open_course(&ctx, client, "ipt", None, Some(key.clone()))
        .await
        .unwrap();
    let again = app
        .open_course(&ctx, client, "ipt", None, Some(key))
        .await
        .unwrap();
    assert!(!again.is_fresh());
    let course = *opened.value();
    assert_eq!(app.courses(&ctx, client).await.unwrap().len(), 1);
    let unknown = app.open_course(&ctx, client, "ipt-x", None, None).await;
    assert_eq!(
        codes(&unknown.unwrap_err()),
        [("protocol_id".into(), "protocol-unknown".into())]
    );
    let too_long = app
        .open_course(
            &ctx,
            client,
            "ipt",
            Some(ContractLength::Sessions(30)),
            None,
        )
        .await;
    assert_eq!(
        codes(&too_long.unwrap_err()),
        [("sessions".into(), "contract-outside-protocol".into())]
    );

    // Session 1: intake.
    let s1 = app
        .add_session(&ctx, course, None, SessionStatus::Held, app.now())
        .await
        .unwrap();
    assert_eq!((s1.number, s1.phase.as_deref()), (1, Some("initial")));
    let c = app.course(&ctx, course).await.unwrap();
    let intake = Intake {
        diagnosis: Some(kith_store::Diagnosis {
            code_system: "ICD-10".into(),
            code: "F32.1".into(),
            label: "Moderate depressive episode".into(),
        }),
        psychoeducation_on: Some(app.now().date()),
        sick_role: Some(kith_store::SickRole {
            given_on: app.now().date(),
            limited: false,
        }),
        ..Intake::default()
    };
    let c = app
        .save_intake(&ctx, course, &intake, c.version)
        .await
        .unwrap();
    assert_eq!(c.intake.as_ref().unwrap().diagnosis, intake.diagnosis);
    // IPT-A's limited sick role does not belong in an adult course; every problem is listed.
    let wrong = Intake {
        sick_role: Some(kith_store::SickRole {
            given_on: app.now().date() + Duration::days(3),
            limited: true,
        }),
        ..intake.clone()
    };
    let err = app
        .save_intake(&ctx, course, &wrong, c.version)
        .await
        .unwrap_err();
    assert_eq!(
        codes(&err),
        [
            ("sick_role.given_on".into(), "date-in-future".into()),
            (
                "sick_role.limited".into(),
                "limited-sick-role-adolescents-only".into()
            )
        ]
    );
    app.tick_tasks(
        &ctx,
        s1.id,
        &[
            "name-diagnosis".into(),
            "psychoeducation".into(),
            "sick-role".into(),
        ],
        &[],
    )
    .await
    .unwrap();

    // Inventory and timeline: her mother died six weeks before she stopped sleeping.
    let mut mum = Person::new(
        Uuid::nil(),
        "Mum",
        RelationshipType::Parent,
        PersonStatus::Deceased,
    );
    mum.ring = Some(Ring::INNER);
    let mum_id = *app
        .add_person(&ctx, client, &mum, None)
        .await
        .unwrap()
        .value();
    let mut jo = Person::new(
        Uuid::nil(),
        "Jo",
        RelationshipType::Sibling,
        PersonStatus::Current,
    );
    jo.ring = Some(Ring::OUTER);
    let jo_id = *app
        .add_person(&ctx, client, &jo, None)
        .await
        .unwrap()
        .value();
    let death = LifeEvent {
        id: Uuid::nil(),
        date: "2026-01-05".parse().unwrap(),
        kind: LifeEventKind::Death,
        people: vec![mum_id],
        description: "Mum died in hospital".into(),
        impact: None,
        candidate_area: None,
    };
    app.add_life_event(&ctx, client, &death, None)
        .await
        .unwrap();
    let stray = LifeEvent {
        people: vec![Uuid::nil()],
        ..death.clone()
    };
    assert_eq!(
        codes(
            &app.add_life_event(&ctx, client, &stray, None)
                .await
                .unwrap_err()
        ),
        [("people[0]".into(), "person-unknown".into())]
    );
    app.set_onset(
        &ctx,
        client,
        Some(&Onset {
            date: "2026-02-16".parse().unwrap(),
            description: "Stopped sleeping".into(),
        }),
        0,
    )
    .await
    .unwrap();
    let intake_snap = app
        .take_snapshot(&ctx, course, SnapshotLabel::Intake)
        .await
        .unwrap();

    // Kith suggests grief first, with the death near onset as its reason.
    let view = app.course_view(&ctx, course).await.unwrap();
    let Suggestion::Areas(s) = &view.suggestion else {
        panic!("ipt suggests problem areas");
    };
    assert_eq!(s.ranked[0].area, "grief");
    assert!(
        s.ranked[0]
            .reasons
            .iter()
            .any(|r| r.code() == "death-near-onset")
    );
    assert_eq!(view.inventory.people, 2);
    assert_eq!(view.inventory.deceased, 1);
    assert_eq!(view.review.current_phase.as_deref(), Some("initial"));
    assert_eq!(view.review.agenda.session, 2);
    assert_eq!(
        view.protocol_title.get(kith_domain::locale::Locale::En),
        "Interpersonal psychotherapy (IPT)"
    );

    // Sessions 2 and 3: formulation agreed, contract agreed.
    for _ in 2..=3 {
        h.week();
        app.add_session(&ctx, course, None, SessionStatus::Held, app.now())
            .await
            .unwrap();
    }
    // Engine checks on the formulation: every problem at once.
    let bad = Formulation {
        areas: vec![
            ChosenArea {
                area: "dispute".into(),
                primary: true,
                rationale: String::new(),
                dispute_stage: None,
            },
            ChosenArea {
                area: "grief".into(),
                primary: false,
                rationale: String::new(),
                dispute_stage: Some(kith_domain::problem_area::DisputeStage::Impasse),
            },
            ChosenArea {
                area: "transition".into(),
                primary: false,
                rationale: String::new(),
                dispute_stage: None,
            },
        ],
        ..Formulation::default()
    };
    assert_eq!(
        codes(
            &app.save_formulation(&ctx, course, &bad, Some(3), 0)
                .await
                .unwrap_err()
        ),
        [
            (
                "areas[0].dispute_stage".into(),
                "dispute-stage-required".into()
            ),
            ("areas[1]".into(), "stage-only-for-disputes".into()),
            ("areas[2]".into(), "too-many-problem-areas".into()),
        ]
    );
    let grief = Formulation {
        narrative_for_client: "Your low mood began after your mum died. We will work on that loss for the sessions we agree.".into(),
        clinician_formulation: "Complicated grief; onset six weeks after the death.".into(),
        areas: vec![ChosenArea {
            area: "grief".into(),
            primary: true,
            rationale: "Death six weeks before onset; Mum was in the inner ring.".into(),
            dispute_stage: None,
        }],
        ..Formulation::default()
    };
    let rev = app
        .save_formulation(&ctx, course, &grief, Some(3), 0)
        .await
        .unwrap();
    app.agree_formulation(&ctx, course, rev.revision, app.now().date(), 3)
        .await
        .unwrap();
    let c = app.course(&ctx, course).await.unwrap();
    let c = app
        .agree_contract(&ctx, course, &contract(16, "Grief for Mum"), 3, c.version)
        .await
        .unwrap();
    assert_eq!(c.contract_agreed_at_session, Some(3));
    let goal = *app
        .add_goal(
            &ctx,
            course,
            &GoalContent {
                text: "Talk about Mum with Jo".into(),
                problem_area: Some("grief".into()),
                people: vec![jo_id],
                review: String::new(),
            },
            None,
        )
        .await
        .unwrap()
        .value();

    // Sessions 4 to 6 of the middle phase, each with a signed note.
    for n in 4..=6 {
        h.week();
        let s = app
            .add_session(&ctx, course, None, SessionStatus::Held, app.now())
            .await
            .unwrap();
        assert_eq!((s.number, s.phase.as_deref()), (n, Some("middle")));
        let draft = app
            .save_note(&ctx, s.id, &middle_note("We spoke about Mum."), 0)
            .await
            .unwrap();
        app.sign_note(&ctx, draft.id, draft.version).await.unwrap();
    }
    let view = app.course_view(&ctx, course).await.unwrap();
    assert_eq!(view.review.used, 6);
    assert_eq!(view.review.remaining, Some(10));
    assert_eq!(view.review.agenda.phase.as_deref(), Some("middle"));
    assert!(
        !view
            .review
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::FormulationNotAgreed { .. }))
    );
    let s6 = view.sessions.iter().find(|s| s.number == 6).unwrap();
    assert!(s6.tasks.iter().any(|t| t.task == "risk-check"));

    // Renegotiation: refused below what is used, then down to 12, kept in history.
    let c = view.course.clone();
    let below = app
        .renegotiate_contract(
            &ctx,
            course,
            &contract(5, "Grief for Mum"),
            6,
            None,
            "shorter",
            c.version,
        )
        .await
        .unwrap_err();
    assert_eq!(
        codes(&below),
        [("sessions".into(), "renegotiate-below-used".into())]
    );
    let no_reason = app
        .renegotiate_contract(
            &ctx,
            course,
            &contract(12, "Grief for Mum"),
            6,
            None,
            " ",
            c.version,
        )
        .await
        .unwrap_err();
    assert_eq!(
        codes(&no_reason),
        [("reason".into(), "field-required".into())]
    );
    let c = app
        .renegotiate_contract(
            &ctx,
            course,
            &contract(12, "Grief for Mum"),
            6,
            Some(app.now().date()),
            "Ann is moving away in two months",
            c.version,
        )
        .await
        .unwrap();
    assert_eq!(c.contract.sessions, ContractLength::Sessions(12));
    assert_eq!(c.contract_changes.len(), 1);
    assert_eq!(
        c.contract_changes[0].from.sessions,
        ContractLength::Sessions(16)
    );
    assert_eq!(c.contract_changes[0].by, h.alice);

    // Sessions 7 to 9; under 12 the termination phase starts at 10 (it was 14 under 16), and the
    // ending is due to be raised at 9.
    for _ in 7..=8 {
        h.week();
        app.add_session(&ctx, course, None, SessionStatus::Held, app.now())
            .await
            .unwrap();
    }
    let view = app.course_view(&ctx, course).await.unwrap();
    assert_eq!(view.review.agenda.session, 9);
    assert!(view.review.agenda.raise_ending);
    h.week();
    let s9 = app
        .add_session(&ctx, course, None, SessionStatus::Held, app.now())
        .await
        .unwrap();
    assert_eq!(s9.phase.as_deref(), Some("middle"));
    let view = app.course_view(&ctx, course).await.unwrap();
    assert_eq!(view.review.agenda.phase.as_deref(), Some("termination"));
    assert!(view.review.warnings.iter().any(|w| matches!(
        w,
        Warning::EndingNotRaised {
            raise_by: 9,
            last_session: 12,
            ..
        }
    )));
    let c = app
        .record_ending_raised(&ctx, course, 9, view.course.version)
        .await
        .unwrap();
    let view = app.course_view(&ctx, course).await.unwrap();
    assert!(
        !view
            .review
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::EndingNotRaised { .. }))
    );
    assert_eq!(c.ending_raised_at_session, Some(9));

    // The brief before session 10.
    let brief = app.pre_session_brief(&ctx, course).await.unwrap();
    assert_eq!(
        (brief.session, brief.of, brief.remaining),
        (10, Some(12), Some(3))
    );
    assert_eq!(brief.agenda.phase.as_deref(), Some("termination"));
    assert_eq!(brief.last_session, Some(9));
    assert!(brief.measures.is_empty());

    // Between sessions: Jo comes closer, a worksheet is due.
    h.clock.advance(Duration::days(2));
    let mut closer = app.inventory(&ctx, client).await.unwrap();
    let jo_rec = closer.iter_mut().find(|p| p.id == jo_id).unwrap();
    let mut jo_now = jo_rec.value.clone();
    jo_now.ring = Some(Ring::INNER);
    app.update_person(&ctx, client, &jo_now, jo_rec.version)
        .await
        .unwrap();
    let due = app.now().date() + Duration::days(3);
    app.create_worksheet(
        &ctx,
        course,
        &WorksheetInput {
            kind: RELAPSE_PLAN_KIND.into(),
            definition_version: "1".into(),
            session: Some(s9.id),
            visibility: kith_domain::inventory::Visibility::Shared,
            due_on: Some(due),
            content: WorksheetContent {
                content: serde_json::json!({"warning_signs": [{"sign": "sleeping badly"}]}),
                ..WorksheetContent::default()
            },
        },
        None,
    )
    .await
    .unwrap();
    let brief = app.pre_session_brief(&ctx, course).await.unwrap();
    assert_eq!(brief.inventory_changes.len(), 1);
    assert_eq!(brief.inventory_changes[0].display_name, "Jo");
    assert_eq!(brief.inventory_changes[0].kind, BriefChangeKind::Edited);
    assert_eq!(brief.tasks_due.len(), 1);
    assert!(brief.new_events.is_empty());

    // Sessions 10 to 12, goal review, termination snapshot, summary.
    for _ in 10..=12 {
        h.week();
        app.add_session(&ctx, course, None, SessionStatus::Held, app.now())
            .await
            .unwrap();
    }
    let g = app.goals(&ctx, course).await.unwrap().pop().unwrap();
    app.update_goal(
        &ctx,
        goal,
        &GoalContent {
            review: "Ann and Jo now speak every week about Mum.".into(),
            ..g.content.clone()
        },
        GoalStatus::Achieved,
        g.version,
    )
    .await
    .unwrap();
    let end_snap = app
        .take_snapshot(&ctx, course, SnapshotLabel::Termination)
        .await
        .unwrap();
    let diff = app
        .compare_snapshots(&ctx, course, intake_snap.id, end_snap.id)
        .await
        .unwrap();
    assert_eq!(
        diff.moved_in()
            .map(|c| c.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Jo"]
    );
    let c = app.course(&ctx, course).await.unwrap();
    app.close_course(&ctx, course, CourseOutcome::Ended, c.version)
        .await
        .unwrap();
    let sum = app.end_of_treatment_summary(&ctx, course).await.unwrap();
    assert_eq!(sum.sessions_held, 12);
    assert_eq!(sum.contract, ContractLength::Sessions(12));
    assert_eq!(sum.problem_areas[0].area, "grief");
    assert_eq!(sum.goals[0].status, GoalStatus::Achieved);
    assert_eq!(sum.next_step, Some(CourseOutcome::Ended));
    assert!(sum.relapse_plan.is_some());
    assert_eq!(sum.inventory_change.unwrap().moved_in().count(), 1);
    assert_eq!(sum.diagnosis.unwrap().code, "F32.1");
    assert!(
        sum.formulation_for_client
            .unwrap()
            .starts_with("Your low mood")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_note_save_is_refused_and_keeps_the_first_text() {
    let h = Harness::new().await;
    let (_, _, s1) = h.course().await;
    let ctx = h.ctx(h.alice).await;
    let v1 = h
        .app
        .save_note(&ctx, s1.id, &note("first"), 0)
        .await
        .unwrap();
    let tab_a = h
        .app
        .save_note(&ctx, s1.id, &note("tab A"), v1.version)
        .await
        .unwrap();
    let tab_b = h
        .app
        .save_note(&ctx, s1.id, &note("tab B"), v1.version)
        .await;
    assert!(
        matches!(tab_b, Err(AppError::Conflict { current_version }) if current_version == tab_a.version)
    );
    let now = h.app.note(&ctx, v1.id).await.unwrap();
    assert_eq!(now.content.sections["symptoms"], serde_json::json!("tab A"));
    // Session 1 is in the initial phase: the note is checked against the initial template, and
    // the tasks it evidences come from that template.
    assert_eq!(now.content.template, "initial");
    let ticked: Vec<(&str, &str)> = now
        .content
        .ticks
        .iter()
        .map(|t| (t.task.as_str(), t.section.as_str()))
        .collect();
    assert_eq!(
        ticked,
        [("review-symptoms", "symptoms"), ("risk-check", "risk")]
    );
    // A section the template does not have, and a risk status that does not exist: both named,
    // nothing written.
    let mut bad = note("x");
    bad.sections
        .insert("nowhere".into(), serde_json::json!("stray text"));
    bad.sections
        .insert("risk".into(), serde_json::json!({"status": "fine"}));
    assert_eq!(
        codes(
            &h.app
                .save_note(&ctx, s1.id, &bad, now.version)
                .await
                .unwrap_err()
        ),
        [
            ("risk.status".into(), "field-unknown-option".into()),
            (".".into(), "field-unknown".into())
        ]
    );
    assert_eq!(h.app.note(&ctx, v1.id).await.unwrap().version, now.version);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_note_never_changes_and_shows_its_addenda() {
    let h = Harness::new().await;
    let (_, _, s1) = h.course().await;
    let ctx = h.ctx(h.alice).await;
    let d = h
        .app
        .save_note(&ctx, s1.id, &note("Ann cried about Mum."), 0)
        .await
        .unwrap();
    let signed = h.app.sign_note(&ctx, d.id, d.version).await.unwrap();
    assert_eq!(signed.integrity, NoteIntegrity::Intact);
    let edit = h
        .app
        .save_note(&ctx, s1.id, &note("rewritten"), signed.version)
        .await;
    assert_eq!(
        codes(&edit.unwrap_err()),
        [("note".into(), "note-signed".into())]
    );
    let again = h.app.sign_note(&ctx, d.id, signed.version).await;
    assert_eq!(
        codes(&again.unwrap_err()),
        [("note".into(), "note-signed".into())]
    );
    assert_eq!(
        codes(
            &h.app
                .add_addendum(&ctx, d.id, "  ", None)
                .await
                .unwrap_err()
        ),
        [("text".into(), "field-required".into())]
    );
    h.app
        .add_addendum(&ctx, d.id, "It was her aunt she cried about.", None)
        .await
        .unwrap();
    // The supervisor reads it and signs it off; a colleague cannot.
    let sue = h.ctx(h.sue).await;
    let read = h.app.note(&sue, d.id).await.unwrap();
    assert_eq!(
        read.content.sections["symptoms"],
        serde_json::json!("Ann cried about Mum.")
    );
    assert_eq!(read.addenda.len(), 1);
    assert_eq!(read.addenda[0].text, "It was her aunt she cried about.");
    let off = h.app.sign_off_note(&sue, d.id, Some("Good")).await.unwrap();
    assert_eq!(off.sign_off.unwrap().supervisor, h.sue);
    let bob = h.ctx(h.bob).await;
    assert!(matches!(
        h.app.sign_off_note(&bob, d.id, None).await,
        Err(AppError::NotFound | AppError::Forbidden)
    ));
    // The supervisor does not write notes for clients outside their own care.
    assert!(matches!(
        h.app.add_addendum(&sue, d.id, "mine", None).await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_notes_are_seen_by_their_author_alone() {
    let h = Harness::new().await;
    let (client, course, s1) = h.course().await;
    let alice = h.ctx(h.alice).await;
    let p = h
        .app
        .save_process_note(
            &alice,
            client,
            None,
            Some(course),
            Some(s1.id),
            "I felt protective of her.",
            0,
        )
        .await
        .unwrap();
    let p = h
        .app
        .save_process_note(
            &alice,
            client,
            Some(p.id),
            Some(course),
            Some(s1.id),
            "I felt protective; why?",
            p.version,
        )
        .await
        .unwrap();
    assert_eq!(p.version, 2);
    assert_eq!(h.app.process_notes(&alice, client).await.unwrap().len(), 1);
    let sue = h.ctx(h.sue).await;
    assert!(matches!(
        h.app.process_notes(&sue, client).await,
        Err(AppError::NotFound)
    ));
    let bob = h.ctx(h.bob).await;
    assert!(matches!(
        h.app.process_notes(&bob, client).await,
        Err(AppError::NotFound)
    ));
    // Even once Bob also cares for Ann, he sees only his own (none).
    h.app
        .store
        .assign_client(h.clinic, client, h.bob, true, h.app.now(), &[])
        .await
        .unwrap();
    let bob = h.ctx(h.bob).await;
    assert!(h.app.process_notes(&bob, client).await.unwrap().is_empty());
    assert!(matches!(
        h.app
            .save_process_note(&bob, client, Some(p.id), None, None, "overwrite", p.version)
            .await,
        Err(AppError::NotFound)
    ));
    // Never part of the summary.
    let sum = h
        .app
        .end_of_treatment_summary(&alice, course)
        .await
        .unwrap();
    assert!(format!("{sum:?}").find("protective").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unassigned_clinician_finds_nothing() {
    let h = Harness::new().await;
    let (client, course, s1) = h.course().await;
    let alice = h.ctx(h.alice).await;
    let d = h
        .app
        .save_note(&alice, s1.id, &note("private"), 0)
        .await
        .unwrap();
    let goal = *h
        .app
        .add_goal(
            &alice,
            course,
            &GoalContent {
                text: "Sleep better".into(),
                ..GoalContent::default()
            },
            None,
        )
        .await
        .unwrap()
        .value();
    let bob = h.ctx(h.bob).await;
    let app = &h.app;
    let nf = |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
    nf(app.courses(&bob, client).await.map(drop));
    nf(app.course(&bob, course).await.map(drop));
    nf(app.course_view(&bob, course).await.map(drop));
    nf(app.sessions(&bob, course).await.map(drop));
    nf(app.note(&bob, d.id).await.map(drop));
    nf(app.note_of_session(&bob, s1.id).await.map(drop));
    nf(app
        .save_note(&bob, s1.id, &note("x"), d.version)
        .await
        .map(drop));
    nf(app.sign_note(&bob, d.id, d.version).await.map(drop));
    nf(app
        .open_course(&bob, client, "ipt", None, None)
        .await
        .map(drop));
    nf(app
        .add_session(&bob, course, None, SessionStatus::Held, app.now())
        .await
        .map(drop));
    nf(app.inventory(&bob, client).await.map(drop));
    nf(app
        .add_person(
            &bob,
            client,
            &Person::new(
                Uuid::nil(),
                "X",
                RelationshipType::Friend,
                PersonStatus::Current,
            ),
            None,
        )
        .await
        .map(drop));
    nf(app.timeline(&bob, client).await.map(drop));
    nf(app.formulation_history(&bob, course).await.map(drop));
    nf(app
        .save_formulation(&bob, course, &Formulation::default(), None, 0)
        .await
        .map(drop));
    nf(app.goals(&bob, course).await.map(drop));
    nf(app
        .update_goal(&bob, goal, &GoalContent::default(), GoalStatus::Dropped, 1)
        .await
        .map(drop));
    nf(app.worksheets(&bob, course).await.map(drop));
    nf(app.snapshots(&bob, course).await.map(drop));
    nf(app.pre_session_brief(&bob, course).await.map(drop));
    nf(app.end_of_treatment_summary(&bob, course).await.map(drop));
    nf(app.course(&bob, CourseId(Uuid::now_v7())).await.map(drop));
    // The supervisor reads the course but does not write to it.
    let sue = h.ctx(h.sue).await;
    assert!(app.course_view(&sue, course).await.is_ok());
    nf(app
        .add_session(&sue, course, None, SessionStatus::Held, app.now())
        .await
        .map(drop));
    // Nothing was written by the refused calls.
    let view = app.course_view(&alice, course).await.unwrap();
    assert_eq!(view.sessions.len(), 1);
    assert_eq!(view.inventory.people, 0);
    assert_eq!(app.note(&alice, d.id).await.unwrap().version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_writes_leave_one_audit_row_each_and_refusals_are_recorded() {
    let h = Harness::new().await;
    let (client, course, s1) = h.course().await;
    let alice = h.ctx(h.alice).await;
    let before = h.app.store.audit_rows(0, 10_000).await.unwrap().len();
    h.app.course_view(&alice, course).await.unwrap();
    let d = h.app.save_note(&alice, s1.id, &note("x"), 0).await.unwrap();
    h.app.note(&alice, d.id).await.unwrap();
    let rows = h.app.store.audit_rows(0, 10_000).await.unwrap();
    let new: Vec<_> = rows[before..]
        .iter()
        .map(|r| {
            (
                r.event.object_type.as_str(),
                r.event.action,
                r.event.client,
                r.event.actor,
            )
        })
        .collect();
    assert_eq!(
        new,
        [
            (
                "course_view",
                AuditAction::Read,
                Some(client),
                Some(h.alice)
            ),
            (
                "session_note",
                AuditAction::Create,
                Some(client),
                Some(h.alice)
            ),
            (
                "session_note",
                AuditAction::Read,
                Some(client),
                Some(h.alice)
            ),
        ]
    );
    // A refused look by a colleague is recorded as denied.
    let bob = h.ctx(h.bob).await;
    assert!(h.app.note(&bob, d.id).await.is_err());
    let last = h
        .app
        .store
        .audit_rows(0, 10_000)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.event.outcome, kith_domain::audit::Outcome::Denied);
    assert_eq!(last.event.actor, Some(h.bob));
}

fn scored(
    instrument: &str,
    answers: &[(&str, i64)],
    at: time::OffsetDateTime,
    course: Option<CourseId>,
    session: Option<kith_domain::ids::SessionId>,
) -> crate::measures::MeasureInput {
    crate::measures::MeasureInput {
        instrument: instrument.into(),
        answers: crate::measures::MeasureAnswers::Items(
            answers
                .iter()
                .map(|(i, v)| {
                    (
                        (*i).to_string(),
                        kith_domain::measure::AnswerValue::Value(*v),
                    )
                })
                .collect(),
        ),
        taken_at: at,
        course,
        session,
        language: kith_domain::locale::Locale::En,
        mode: kith_store::AdministrationMode::ClinicianEntered,
    }
}

fn phq9_items(values: [i64; 9]) -> Vec<(&'static str, i64)> {
    ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
        .into_iter()
        .zip(values)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_course_page_and_brief_read_the_measures_taken_in_the_course() {
    let h = Harness::new().await;
    let (client, course, s1) = h.course().await;
    let alice = h.ctx(h.alice).await;
    let app = &h.app;
    let baseline_missing = |v: &CourseView| {
        v.review.warnings.iter().find_map(|w| match w {
            Warning::NoBaselineMeasure { missing } => Some(missing.clone()),
            _ => None,
        })
    };

    // Session 1 is held and nothing was measured: every baseline measure is missing.
    let view = app.course_view(&alice, course).await.unwrap();
    assert_eq!(
        baseline_missing(&view),
        Some(vec!["phq9".into(), "gad7".into(), "wsas".into()])
    );
    assert!(view.measures.is_empty());

    // A PHQ-9 from a month before the course opened, tied to no course, is not this course's.
    let before = app.now() - Duration::days(30);
    app.record_measure(
        &alice,
        client,
        scored(
            "phq9",
            &phq9_items([3, 3, 3, 3, 3, 3, 3, 3, 0]),
            before,
            None,
            None,
        ),
        None,
    )
    .await
    .unwrap();
    // The baseline: PHQ-9 tied to session 1, GAD-7 tied to the course only (taken the day of
    // session 1), WSAS tied to nothing but taken while the course is open.
    let now = app.now();
    app.record_measure(
        &alice,
        client,
        scored(
            "phq9",
            &phq9_items([2, 2, 2, 2, 2, 2, 2, 2, 1]),
            now,
            Some(course),
            Some(s1.id),
        ),
        None,
    )
    .await
    .unwrap();
    let gad = [
        ("1", 2),
        ("2", 2),
        ("3", 1),
        ("4", 1),
        ("5", 1),
        ("6", 1),
        ("7", 1),
    ];
    app.record_measure(
        &alice,
        client,
        scored("gad7", &gad, now, Some(course), None),
        None,
    )
    .await
    .unwrap();
    let wsas = [
        ("work", 4),
        ("home", 4),
        ("social-leisure", 5),
        ("private-leisure", 3),
        ("relationships", 4),
    ];
    app.record_measure(&alice, client, scored("wsas", &wsas, now, None, None), None)
        .await
        .unwrap();
    let view = app.course_view(&alice, course).await.unwrap();
    assert_eq!(baseline_missing(&view), None, "{:?}", view.review.warnings);
    // The next session asks for a PHQ-9 (every session).
    assert_eq!(view.review.agenda.session, 2);
    assert!(
        view.review
            .agenda
            .measures_due
            .iter()
            .any(|m| m.instrument == "phq9")
    );

    // Session 2 is booked for next week; the client answers a PHQ-9 two days before it. The
    // answers count for session 2, so the agenda no longer asks for it.
    h.week();
    let s2_at = app.now();
    app.add_session(&alice, course, None, SessionStatus::Scheduled, s2_at)
        .await
        .unwrap();
    h.clock.advance(Duration::days(-2));
    app.record_measure(
        &alice,
        client,
        scored(
            "phq9",
            &phq9_items([1, 1, 1, 1, 1, 1, 1, 1, 0]),
            app.now(),
            Some(course),
            None,
        ),
        None,
    )
    .await
    .unwrap();
    let view = app.course_view(&alice, course).await.unwrap();
    assert_eq!(view.review.agenda.session, 2);
    assert!(
        view.review
            .agenda
            .measures_due
            .iter()
            .all(|m| m.instrument != "phq9"),
        "{:?}",
        view.review.agenda.measures_due
    );

    // The brief's measure lines: latest total and band, change since baseline, safety item.
    let brief = app.pre_session_brief(&alice, course).await.unwrap();
    let line = |id: &str| {
        brief
            .measures
            .iter()
            .find(|m| m.instrument == id)
            .cloned()
            .unwrap()
    };
    let ids: Vec<&str> = brief
        .measures
        .iter()
        .map(|m| m.instrument.as_str())
        .collect();
    assert_eq!(ids, ["phq9", "gad7", "wsas"], "protocol order");
    let phq = line("phq9");
    assert_eq!(phq.latest_total.as_deref(), Some("8"));
    assert_eq!(phq.band.as_deref(), Some("mild"));
    assert_eq!(phq.baseline_total.as_deref(), Some("17"));
    assert_eq!(phq.change_since_baseline.as_deref(), Some("-9"));
    assert_eq!(phq.change.as_deref(), Some("-9"));
    assert_eq!(phq.session, Some(2));
    assert_eq!(phq.count, 2);
    // Item 9 was positive at baseline, not in the latest answers.
    assert_eq!(phq.safety_item_positive, Some(false));
    let gad = line("gad7");
    assert_eq!(gad.latest_total.as_deref(), Some("9"));
    assert_eq!(gad.change_since_baseline, None, "one score: no change yet");
    assert_eq!(gad.safety_item_positive, None, "GAD-7 has no safety item");
    // The course page carries the same lines.
    assert_eq!(view.measures, brief.measures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_follow_the_protocol_numbering() {
    let h = Harness::new().await;
    let client = h.client("Ann").await;
    let alice = h.ctx(h.alice).await;
    let app = &h.app;
    // Individual IPT has no preparatory meeting.
    let ipt = *app
        .open_course(&alice, client, "ipt", None, None)
        .await
        .unwrap()
        .value();
    let zero = app
        .add_session(&alice, ipt, Some(0), SessionStatus::Held, app.now())
        .await
        .unwrap_err();
    assert_eq!(codes(&zero), [("number".into(), "no-pre-session".into())]);
    // A missed session keeps its number for the next meeting, and takes a reason code.
    let s1 = app
        .add_session(
            &alice,
            ipt,
            None,
            SessionStatus::Scheduled,
            app.now() + Duration::days(1),
        )
        .await
        .unwrap();
    let bad = app
        .call_off_session(&alice, s1.id, SessionStatus::Missed, "forgot", s1.version)
        .await
        .unwrap_err();
    assert_eq!(
        codes(&bad),
        [("reason".into(), "session-reason-unknown".into())]
    );
    let missed = app
        .call_off_session(
            &alice,
            s1.id,
            SessionStatus::Missed,
            "client-unwell",
            s1.version,
        )
        .await
        .unwrap();
    assert_eq!(missed.reason.as_deref(), Some("client-unwell"));
    h.week();
    let again = app
        .add_session(&alice, ipt, None, SessionStatus::Held, app.now())
        .await
        .unwrap();
    assert_eq!(again.number, 1);
    // A note cannot be signed for a session that did not take place.
    let draft = app
        .save_note(&alice, s1.id, &note("no-show"), 0)
        .await
        .unwrap();
    assert_eq!(
        codes(
            &app.sign_note(&alice, draft.id, draft.version)
                .await
                .unwrap_err()
        ),
        [("session".into(), "session-not-held".into())]
    );
    // Holding the same number twice is refused by the engine.
    let dup = app
        .add_session(&alice, ipt, Some(1), SessionStatus::Held, app.now())
        .await
        .unwrap_err();
    assert_eq!(
        codes(&dup),
        [("number".into(), "session-already-held".into())]
    );
    let dup = app
        .add_session(
            &alice,
            ipt,
            Some(1),
            SessionStatus::Scheduled,
            app.now() + Duration::days(2),
        )
        .await
        .unwrap_err();
    assert_eq!(
        codes(&dup),
        [("number".into(), "session-already-held".into())]
    );

    // A second course waits until the first is closed.
    assert_eq!(
        codes(
            &app.open_course(&alice, client, "ipt-g", None, None)
                .await
                .unwrap_err()
        ),
        [("client".into(), "course-already-open".into())]
    );
    let c = app.course(&alice, ipt).await.unwrap();
    app.close_course(&alice, ipt, CourseOutcome::Ended, c.version)
        .await
        .unwrap();
    // WHO group IPT starts with the pre-group meeting, session 0.
    let group = *app
        .open_course(&alice, client, "ipt-g", None, None)
        .await
        .unwrap()
        .value();
    let pre = app
        .add_session(&alice, group, None, SessionStatus::Held, app.now())
        .await
        .unwrap();
    assert_eq!(pre.number, 0);
    let first = app
        .add_session(
            &alice,
            group,
            None,
            SessionStatus::Scheduled,
            app.now() + Duration::days(7),
        )
        .await
        .unwrap();
    assert_eq!(first.number, 1);
    // A held session is later recorded for a scheduled one, with the engine's phase.
    h.week();
    let held = app
        .hold_session(&alice, first.id, None, first.version)
        .await
        .unwrap();
    assert_eq!(held.status, SessionStatus::Held);
    assert!(held.phase.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dit_formulation_takes_an_ipaf_not_problem_areas() {
    let h = Harness::new().await;
    let client = h.client("Ben").await;
    let alice = h.ctx(h.alice).await;
    let app = &h.app;
    let course = *app
        .open_course(&alice, client, "dit", None, None)
        .await
        .unwrap()
        .value();
    let with_areas = Formulation {
        areas: vec![ChosenArea {
            area: "grief".into(),
            primary: true,
            rationale: String::new(),
            dispute_stage: None,
        }],
        ..Formulation::default()
    };
    assert_eq!(
        codes(
            &app.save_formulation(&alice, course, &with_areas, Some(3), 0)
                .await
                .unwrap_err()
        ),
        [
            ("areas".into(), "focus-is-ipaf".into()),
            ("ipaf".into(), "ipaf-required".into())
        ]
    );
    let ipaf = Formulation {
        narrative_for_client:
            "When someone close seems to pull away, you expect to be dropped and go quiet first."
                .into(),
        ipaf: Some(kith_domain::course::IpafFocus {
            summary: "Expecting to be abandoned, withdrawing first".into(),
            self_view: "Unwanted".into(),
            other_view: "About to leave".into(),
            affect: "Fear".into(),
            defence: "Withdrawal".into(),
            agreed_at_session: 4,
        }),
        ..Formulation::default()
    };
    let rev = app
        .save_formulation(&alice, course, &ipaf, Some(4), 0)
        .await
        .unwrap();
    assert_eq!(rev.revision, 1);
    // An IPT course refuses an IPAF.
    let ipt_client = h.client("Cy").await;
    let ipt = *app
        .open_course(&alice, ipt_client, "ipt", None, None)
        .await
        .unwrap()
        .value();
    assert_eq!(
        codes(
            &app.save_formulation(&alice, ipt, &ipaf, Some(3), 0)
                .await
                .unwrap_err()
        ),
        [("ipaf".into(), "focus-is-problem-areas".into())]
    );
}

// course-sessions: note templates, worksheet definitions, measures in the brief and summary.
mod sessions_wiring;
