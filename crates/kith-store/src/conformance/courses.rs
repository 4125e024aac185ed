//! Conformance stories of courses, sessions, notes, inventory, timeline, formulation, goals and worksheets.

use super::foundation::{World, client_for, ev, hash, id, t0, world};
use crate::*;
use kith_domain::audit::AuditAction;
use kith_domain::course::{ContractLength, SessionStatus};
use kith_domain::ids::*;
use kith_domain::inventory::{PersonStatus, RelationshipType, Ring, Visibility};
use kith_domain::problem_area::DisputeStage;
use kith_domain::protocol::{Frequency, ParticipantRole};
use kith_domain::timeline::{LifeEvent, LifeEventKind, MoodEntry, Onset};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Date, Duration, Month, OffsetDateTime};

fn at(minutes: i64) -> OffsetDateTime {
    t0() + Duration::minutes(minutes)
}

fn day(d: u8) -> Date {
    Date::from_calendar_date(2026, Month::June, d).unwrap()
}

fn terms(n: u32) -> ContractTerms {
    ContractTerms {
        sessions: ContractLength::Sessions(n),
        frequency: Frequency::Weekly,
        planned_end: None,
        focus: String::new(),
        participants: vec![ParticipantRole::Client],
    }
}

fn idem(user: UserId, route: &'static str, key: &str) -> Idempotency {
    Idempotency {
        user,
        route,
        key: key.into(),
        request_hash: hash(key),
        at: t0(),
    }
}

/// A clinic with Alice's client Ann and an open 16-session `ipt` course.
pub(crate) struct CourseWorld {
    pub w: World,
    pub client: ClientId,
    pub course: CourseId,
}

pub(crate) async fn course_world(s: &Arc<dyn Store>, tag: &str) -> CourseWorld {
    let w = world(s, tag).await;
    let client = *s
        .register_client(client_for(&w, "Ann", Some(w.alice)), None, &[])
        .await
        .unwrap()
        .value();
    let course = CourseId(id());
    s.open_course(
        NewCourse {
            id: course,
            clinic: w.clinic,
            client,
            protocol_id: "ipt".into(),
            protocol_version: "1.0.0".into(),
            contract: terms(16),
            created_by: w.alice,
            opened_at: t0(),
        },
        None,
        &[],
    )
    .await
    .unwrap();
    CourseWorld { w, client, course }
}

async fn held_session(s: &Arc<dyn Store>, cw: &CourseWorld, number: u32) -> CourseSession {
    s.add_session(
        NewSession {
            id: SessionId(id()),
            clinic: cw.w.clinic,
            course: cw.course,
            number,
            status: SessionStatus::Held,
            scheduled_for: Some(at(i64::from(number) * 10_080)),
            held_at: Some(at(i64::from(number) * 10_080)),
            phase: Some("initial".into()),
            created_by: cw.w.alice,
            at: at(i64::from(number) * 10_080),
        },
        &[],
    )
    .await
    .unwrap()
}

fn note_content(text: &str) -> NoteContent {
    let mut sections = BTreeMap::new();
    sections.insert("summary".to_string(), serde_json::json!(text));
    sections.insert(
        "risk".to_string(),
        serde_json::json!({"asked": true, "level": "none"}),
    );
    NoteContent {
        template: "ipt-initial".into(),
        sections,
        ticks: vec![NoteTick {
            task: "risk-check".into(),
            section: "risk".into(),
        }],
    }
}

/// A signed note of session 1 of a fresh course, for backend tests that tamper with storage.
/// Returns the clinic and the note.
pub async fn signed_note_fixture(s: &Arc<dyn Store>) -> (ClinicId, NoteId) {
    let cw = course_world(s, "sig").await;
    let session = held_session(s, &cw, 1).await;
    let note = NoteId(id());
    s.save_note_draft(
        cw.w.clinic,
        &NoteDraft {
            id: note,
            session: session.id,
            content: note_content("Ann spoke about her mother's death."),
            author: cw.w.alice,
            at: at(60),
            risk_alert: None,
        },
        0,
        &[],
    )
    .await
    .unwrap();
    s.sign_note(cw.w.clinic, note, cw.w.alice, 1, at(61), &[])
        .await
        .unwrap();
    (cw.w.clinic, note)
}

pub async fn courses_open_with_intake_and_contract_history(s: Arc<dyn Store>) {
    let w = world(&s, "crs").await;
    let client = *s
        .register_client(client_for(&w, "Ann", Some(w.alice)), None, &[])
        .await
        .unwrap()
        .value();
    let key = idem(w.alice, "POST /courses", "open-1");
    let new = |cid: CourseId| NewCourse {
        id: cid,
        clinic: w.clinic,
        client,
        protocol_id: "ipt".into(),
        protocol_version: "1.0.0".into(),
        contract: terms(16),
        created_by: w.alice,
        opened_at: t0(),
    };
    let first = s
        .open_course(
            new(CourseId(id())),
            Some(&key),
            &[ev(
                AuditAction::Create,
                Some(w.alice),
                Some(w.clinic),
                Some(client),
                "course",
            )],
        )
        .await
        .unwrap();
    assert!(first.is_fresh());
    // A double click opens one course.
    let again = s
        .open_course(new(CourseId(id())), Some(&key), &[])
        .await
        .unwrap();
    assert_eq!(again, Written::Replayed(*first.value()));
    let course = *first.value();
    let c = s.course(w.clinic, course, &[]).await.unwrap().unwrap();
    assert_eq!(c.status, CourseStatus::Open);
    assert_eq!(c.contract.sessions, ContractLength::Sessions(16));
    assert_eq!(c.intake, None);
    assert_eq!(c.version, 1);

    // The intake is stored whole and comes back as written.
    let intake = Intake {
        diagnosis: Some(Diagnosis {
            code_system: "ICD-10".into(),
            code: "F32.1".into(),
            label: "Moderate depressive episode".into(),
        }),
        psychoeducation_on: Some(day(2)),
        sick_role: Some(SickRole {
            given_on: day(2),
            limited: false,
        }),
        medication: Some(MedicationAssessment {
            need: MedicationNeed::ToConsider,
            referral: ReferralDecision::Referred,
            notes: "GP to review".into(),
        }),
        concurrent_medication: vec![ConcurrentMedication {
            name: "Sertraline".into(),
            dose: "50 mg".into(),
            prescriber: "GP".into(),
        }],
        other_therapy: String::new(),
    };
    let c = s
        .save_intake(w.clinic, course, &intake, 1, at(5), &[])
        .await
        .unwrap();
    assert_eq!(c.intake.as_ref(), Some(&intake));
    assert_eq!(c.version, 2);
    let stale = s
        .save_intake(w.clinic, course, &Intake::default(), 1, at(6), &[])
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict { current: 2 })
    ));

    // Before agreement there is nothing to renegotiate.
    let change = |to: ContractTerms, at_session: u32| NewContractChange {
        id: id(),
        at_session,
        on: Some(day(20)),
        to,
        reason: "slow start".into(),
        by: w.alice,
        at: at(100),
    };
    assert!(matches!(
        s.change_contract(w.clinic, course, &change(terms(12), 3), 2, &[])
            .await,
        Err(StoreError::Refused(c)) if c == "contract-not-agreed"
    ));
    let agreed = ContractTerms {
        planned_end: Some(day(30)),
        focus: "Grief for her mother".into(),
        ..terms(14)
    };
    let c = s
        .agree_contract(w.clinic, course, &agreed, 3, 2, at(50), &[])
        .await
        .unwrap();
    assert_eq!(c.contract, agreed);
    assert_eq!(c.contract_agreed_at_session, Some(3));
    assert!(matches!(
        s.agree_contract(w.clinic, course, &terms(12), 3, 3, at(51), &[])
            .await,
        Err(StoreError::Refused(c)) if c == "contract-already-agreed"
    ));
    // A renegotiation keeps what it replaced.
    let to12 = ContractTerms {
        sessions: ContractLength::Sessions(12),
        ..agreed.clone()
    };
    let c = s
        .change_contract(w.clinic, course, &change(to12.clone(), 6), 3, &[])
        .await
        .unwrap();
    assert_eq!(c.contract.sessions, ContractLength::Sessions(12));
    assert_eq!(c.contract_changes.len(), 1);
    let h = &c.contract_changes[0];
    assert_eq!(
        (h.from.clone(), h.to.clone(), h.at_session),
        (agreed.clone(), to12, 6)
    );
    assert_eq!(
        (h.reason.as_str(), h.by, h.on),
        ("slow start", w.alice, Some(day(20)))
    );
    assert_eq!(c.initial_length(), ContractLength::Sessions(14));
    let c = s
        .record_ending_raised(w.clinic, course, 9, c.version, at(200), &[])
        .await
        .unwrap();
    assert_eq!(c.ending_raised_at_session, Some(9));

    // One open course at a time.
    assert!(matches!(
        s.open_course(new(CourseId(id())), None, &[]).await,
        Err(StoreError::Refused(c)) if c == "course-already-open"
    ));
    // Closing, then a maintenance course for the same client.
    let closed = s
        .close_course(
            w.clinic,
            course,
            CourseOutcome::Maintenance,
            c.version,
            at(300),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(closed.status, CourseStatus::Closed);
    assert_eq!(closed.outcome, Some(CourseOutcome::Maintenance));
    assert_eq!(closed.closed_at, Some(at(300)));
    assert!(matches!(
        s.close_course(w.clinic, course, CourseOutcome::Ended, closed.version, at(301), &[])
            .await,
        Err(StoreError::Refused(c)) if c == "course-closed"
    ));
    let m = CourseId(id());
    s.open_course(
        NewCourse {
            protocol_id: "ipt-m".into(),
            ..new(m)
        },
        None,
        &[],
    )
    .await
    .unwrap();
    let all = s.courses_of(w.clinic, client, &[]).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|c| c.protocol_id.as_str())
            .collect::<Vec<_>>(),
        ["ipt", "ipt-m"]
    );
}

pub async fn sessions_are_held_once_and_keep_their_tasks(s: Arc<dyn Store>) {
    let cw = course_world(&s, "ses").await;
    let one = held_session(&s, &cw, 1).await;
    assert_eq!(one.number, 1);
    assert_eq!(one.phase.as_deref(), Some("initial"));
    // Number 1 cannot be held twice.
    let dup = s
        .add_session(
            NewSession {
                id: SessionId(id()),
                clinic: cw.w.clinic,
                course: cw.course,
                number: 1,
                status: SessionStatus::Held,
                scheduled_for: None,
                held_at: Some(at(1)),
                phase: None,
                created_by: cw.w.alice,
                at: at(1),
            },
            &[],
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate("session"))));
    // A scheduled session 2 is missed, and a new session 2 is held later.
    let two = s
        .add_session(
            NewSession {
                id: SessionId(id()),
                clinic: cw.w.clinic,
                course: cw.course,
                number: 2,
                status: SessionStatus::Scheduled,
                scheduled_for: Some(at(20_000)),
                held_at: None,
                phase: None,
                created_by: cw.w.alice,
                at: at(10),
            },
            &[],
        )
        .await
        .unwrap();
    let missed = s
        .update_session(
            cw.w.clinic,
            two.id,
            &SessionUpdate {
                status: SessionStatus::Missed,
                scheduled_for: two.scheduled_for,
                held_at: None,
                reason: Some("client-unwell".into()),
                phase: None,
                at: at(20_001),
            },
            1,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(missed.status, SessionStatus::Missed);
    assert_eq!(missed.reason.as_deref(), Some("client-unwell"));
    assert_eq!(missed.version, 2);
    let stale = s
        .update_session(
            cw.w.clinic,
            two.id,
            &SessionUpdate {
                status: SessionStatus::Held,
                scheduled_for: None,
                held_at: None,
                reason: None,
                phase: None,
                at: at(20_002),
            },
            1,
            &[],
        )
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    let two_again = held_session(&s, &cw, 2).await;

    // Tasks ticked by hand, replaced, and unticked.
    let s1 = s
        .mark_tasks(
            cw.w.clinic,
            one.id,
            &[
                TaskDone {
                    task: "sick-role".into(),
                    evidence: TaskEvidence::Ticked,
                    by: cw.w.alice,
                    at: at(30),
                },
                TaskDone {
                    task: "psychoeducation".into(),
                    evidence: TaskEvidence::Ticked,
                    by: cw.w.alice,
                    at: at(30),
                },
            ],
            &[],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(s1.tasks.len(), 2);
    let s1 = s
        .mark_tasks(
            cw.w.clinic,
            one.id,
            &[],
            &["psychoeducation".to_string()],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        s1.tasks.iter().map(|t| t.task.as_str()).collect::<Vec<_>>(),
        ["sick-role"]
    );
    let all = s.sessions(cw.w.clinic, cw.course, &[]).await.unwrap();
    assert_eq!(
        all.iter().map(|x| (x.number, x.status)).collect::<Vec<_>>(),
        [
            (1, SessionStatus::Held),
            (2, SessionStatus::Missed),
            (2, SessionStatus::Held)
        ]
    );
    assert_eq!(all[0].tasks.len(), 1);
    assert_eq!(all[2].id, two_again.id);

    // A closed course takes no new sessions.
    let c = s
        .course(cw.w.clinic, cw.course, &[])
        .await
        .unwrap()
        .unwrap();
    s.close_course(
        cw.w.clinic,
        cw.course,
        CourseOutcome::Ended,
        c.version,
        at(99_000),
        &[],
    )
    .await
    .unwrap();
    let late = s
        .add_session(
            NewSession {
                id: SessionId(id()),
                clinic: cw.w.clinic,
                course: cw.course,
                number: 3,
                status: SessionStatus::Scheduled,
                scheduled_for: None,
                held_at: None,
                phase: None,
                created_by: cw.w.alice,
                at: at(99_001),
            },
            &[],
        )
        .await;
    assert!(matches!(late, Err(StoreError::Refused(c)) if c == "course-closed"));
}

pub async fn stale_note_saves_write_nothing(s: Arc<dyn Store>) {
    let cw = course_world(&s, "nte").await;
    let session = held_session(&s, &cw, 1).await;
    let draft = |text: &str, minute: i64| NoteDraft {
        id: NoteId(id()),
        session: session.id,
        content: note_content(text),
        author: cw.w.alice,
        at: at(minute),
        risk_alert: None,
    };
    let v1 = s
        .save_note_draft(cw.w.clinic, &draft("first words", 1), 0, &[])
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.integrity, NoteIntegrity::Draft);
    // Two tabs both hold version 1: the first save wins, the second is refused.
    let a = s
        .save_note_draft(cw.w.clinic, &draft("tab A", 2), 1, &[])
        .await
        .unwrap();
    assert_eq!(a.version, 2);
    let b = s
        .save_note_draft(cw.w.clinic, &draft("tab B", 3), 1, &[])
        .await;
    assert!(matches!(b, Err(StoreError::VersionConflict { current: 2 })));
    // Creating it again from a third tab is a conflict too, not a second note.
    let c = s
        .save_note_draft(cw.w.clinic, &draft("tab C", 4), 0, &[])
        .await;
    assert!(matches!(c, Err(StoreError::VersionConflict { .. })));
    let now = s
        .note_of_session(cw.w.clinic, session.id, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.id, v1.id);
    assert_eq!(now.content.sections["summary"], serde_json::json!("tab A"));
    assert_eq!(now.version, 2);
}

pub async fn signed_notes_never_change_and_take_addenda(s: Arc<dyn Store>) {
    let cw = course_world(&s, "sgn").await;
    let session = held_session(&s, &cw, 1).await;
    let note = NoteId(id());
    s.save_note_draft(
        cw.w.clinic,
        &NoteDraft {
            id: note,
            session: session.id,
            content: note_content("Ann named her grief."),
            author: cw.w.alice,
            at: at(1),
            risk_alert: None,
        },
        0,
        &[],
    )
    .await
    .unwrap();
    // An addendum needs a signed note.
    let add = |text: &str, key: Option<&Idempotency>| {
        let a = NewAddendum {
            id: NoteId(id()),
            note,
            text: text.into(),
            author: cw.w.alice,
            at: at(5),
        };
        let s = s.clone();
        let clinic = cw.w.clinic;
        let key = key.cloned();
        async move { s.add_addendum(clinic, &a, key.as_ref(), &[]).await }
    };
    assert!(matches!(
        add("too early", None).await,
        Err(StoreError::Refused(c)) if c == "note-not-signed"
    ));
    let signed = s
        .sign_note(cw.w.clinic, note, cw.w.alice, 1, at(2), &[])
        .await
        .unwrap();
    assert_eq!(signed.integrity, NoteIntegrity::Intact);
    let sig = signed.signature.clone().unwrap();
    assert_eq!((sig.by, sig.at), (cw.w.alice, at(2)));
    // The note's ticks are now tasks done in the session, evidenced by the note.
    let sess = s
        .course_session(cw.w.clinic, session.id, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sess.tasks.len(), 1);
    assert_eq!(sess.tasks[0].task, "risk-check");
    assert_eq!(
        sess.tasks[0].evidence,
        TaskEvidence::Note {
            section: "risk".into()
        }
    );
    // Nothing changes a signed note.
    let edit = s
        .save_note_draft(
            cw.w.clinic,
            &NoteDraft {
                id: NoteId(id()),
                session: session.id,
                content: note_content("rewritten"),
                author: cw.w.alice,
                at: at(3),
                risk_alert: None,
            },
            signed.version,
            &[],
        )
        .await;
    assert!(matches!(edit, Err(StoreError::Refused(c)) if c == "note-signed"));
    assert!(matches!(
        s.sign_note(cw.w.clinic, note, cw.w.alice, signed.version, at(4), &[])
            .await,
        Err(StoreError::Refused(c)) if c == "note-signed"
    ));
    // Corrections are addenda, written once per key.
    let key = idem(cw.w.alice, "POST /notes/addenda", "add-1");
    let first = add("She meant her aunt, not her mother.", Some(&key))
        .await
        .unwrap();
    let again = add("She meant her aunt, not her mother.", Some(&key))
        .await
        .unwrap();
    assert_eq!(again, Written::Replayed(*first.value()));
    // Supervisor sign-off, once.
    let off = s
        .sign_off_note(cw.w.clinic, note, cw.w.sue, Some("Good focus."), at(6), &[])
        .await
        .unwrap();
    assert_eq!(off.sign_off.as_ref().unwrap().supervisor, cw.w.sue);
    assert!(matches!(
        s.sign_off_note(cw.w.clinic, note, cw.w.sue, None, at(7), &[]).await,
        Err(StoreError::Refused(c)) if c == "note-already-signed-off"
    ));
    let read = s.note(cw.w.clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Intact);
    assert_eq!(
        read.content.sections["summary"],
        serde_json::json!("Ann named her grief.")
    );
    assert_eq!(read.addenda.len(), 1);
    assert_eq!(read.addenda[0].text, "She meant her aunt, not her mother.");
    assert_eq!(
        read.sign_off.unwrap().comment.as_deref(),
        Some("Good focus.")
    );
    assert_eq!(read.signature.unwrap().hash, sig.hash);
}

pub async fn process_notes_belong_to_their_author(s: Arc<dyn Store>) {
    let cw = course_world(&s, "prc").await;
    let pid = NoteId(id());
    let draft = |author: UserId, text: &str| ProcessNoteDraft {
        id: pid,
        client: cw.client,
        course: Some(cw.course),
        session: None,
        author,
        text: text.into(),
        at: at(1),
    };
    let p = s
        .save_process_note(cw.w.clinic, &draft(cw.w.alice, "I felt rushed."), 0, &[])
        .await
        .unwrap();
    assert_eq!(p.version, 1);
    let p = s
        .save_process_note(
            cw.w.clinic,
            &draft(cw.w.alice, "I felt rushed; why?"),
            1,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(p.text, "I felt rushed; why?");
    // Nobody else reads or changes it.
    for other in [cw.w.bob, cw.w.sue] {
        assert!(
            s.process_notes(cw.w.clinic, cw.client, other, &[])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            s.save_process_note(cw.w.clinic, &draft(other, "overwrite"), 2, &[])
                .await,
            Err(StoreError::NotFound)
        ));
    }
    let mine = s
        .process_notes(cw.w.clinic, cw.client, cw.w.alice, &[])
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].text, "I felt rushed; why?");
}

pub async fn inventory_people_are_versioned_and_snapshotted(s: Arc<dyn Store>) {
    let cw = course_world(&s, "inv").await;
    let mut mum = kith_domain::inventory::Person::new(
        id(),
        "Mum",
        RelationshipType::Parent,
        PersonStatus::Deceased,
    );
    mum.ring = Some(Ring::INNER);
    let key = idem(cw.w.alice, "POST /people", "p-1");
    let first = s
        .add_person(
            cw.w.clinic,
            cw.client,
            &mum,
            cw.w.alice,
            at(1),
            Some(&key),
            &[],
        )
        .await
        .unwrap();
    let again = s
        .add_person(
            cw.w.clinic,
            cw.client,
            &mum,
            cw.w.alice,
            at(1),
            Some(&key),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(again, Written::Replayed(mum.id));
    assert!(first.is_fresh());
    let sis = kith_domain::inventory::Person::new(
        id(),
        "Jo",
        RelationshipType::Sibling,
        PersonStatus::Current,
    );
    s.add_person(cw.w.clinic, cw.client, &sis, cw.w.alice, at(2), None, &[])
        .await
        .unwrap();
    let notes = InventoryNotes {
        completed_at: None,
        clinician_summary: "Few close ties since Mum died".into(),
        who_is_missing: "Her father is never mentioned".into(),
    };
    assert_eq!(
        s.save_inventory_notes(cw.w.clinic, cw.client, &notes, 0, at(2), &[])
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        s.save_inventory_notes(cw.w.clinic, cw.client, &notes, 0, at(2), &[])
            .await,
        Err(StoreError::VersionConflict { current: 1 })
    ));
    assert_eq!(
        s.inventory_notes(cw.w.clinic, cw.client, &[])
            .await
            .unwrap(),
        (notes.clone(), 1)
    );
    let intake = s
        .take_snapshot(
            NewSnapshot {
                id: id(),
                clinic: cw.w.clinic,
                client: cw.client,
                course: cw.course,
                label: SnapshotLabel::Intake,
                taken_by: cw.w.alice,
                taken_at: at(3),
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(intake.inventory.people.len(), 2);
    assert_eq!(intake.inventory.who_is_missing, notes.who_is_missing);

    // Jo moves into the inner ring; a stale edit is refused.
    let mut closer = sis.clone();
    closer.ring = Some(Ring::INNER);
    let r = s
        .update_person(cw.w.clinic, cw.client, &closer, 1, at(4), &[])
        .await
        .unwrap();
    assert_eq!((r.version, r.value.ring), (2, Some(Ring::INNER)));
    assert!(matches!(
        s.update_person(cw.w.clinic, cw.client, &sis, 1, at(5), &[])
            .await,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    // Mum is removed from the current view but kept for history.
    s.remove_person(cw.w.clinic, cw.client, mum.id, 1, at(6), &[])
        .await
        .unwrap();
    let now = s.people(cw.w.clinic, cw.client, false, &[]).await.unwrap();
    assert_eq!(now.len(), 1);
    let all = s.people(cw.w.clinic, cw.client, true, &[]).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].removed_at, Some(at(6)));
    let end = s
        .take_snapshot(
            NewSnapshot {
                id: id(),
                clinic: cw.w.clinic,
                client: cw.client,
                course: cw.course,
                label: SnapshotLabel::Custom("After the anniversary".into()),
                taken_by: cw.w.alice,
                taken_at: at(7),
            },
            &[],
        )
        .await
        .unwrap();
    let snaps = s.snapshots(cw.w.clinic, cw.course, &[]).await.unwrap();
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0].label, SnapshotLabel::Intake);
    assert_eq!(snaps[0].inventory, intake.inventory);
    assert_eq!(
        snaps[1].label,
        SnapshotLabel::Custom("After the anniversary".into())
    );
    assert_eq!(snaps[1].inventory, end.inventory);
    assert_eq!(snaps[1].inventory.people[0].ring, Some(Ring::INNER));
}

pub async fn timeline_entries_and_onset_are_versioned(s: Arc<dyn Store>) {
    let cw = course_world(&s, "tml").await;
    let death = LifeEvent {
        id: id(),
        date: "2026-01".parse().unwrap(),
        kind: LifeEventKind::Death,
        people: vec![],
        description: "Mother died".into(),
        impact: None,
        candidate_area: None,
    };
    let key = idem(cw.w.alice, "POST /timeline", "e-1");
    let e = TimelineEntry::Event(death.clone());
    s.add_timeline_entry(
        cw.w.clinic,
        cw.client,
        death.id,
        &e,
        cw.w.alice,
        at(1),
        Some(&key),
        &[],
    )
    .await
    .unwrap();
    let replay = s
        .add_timeline_entry(
            cw.w.clinic,
            cw.client,
            id(),
            &e,
            cw.w.alice,
            at(1),
            Some(&key),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(replay, Written::Replayed(death.id));
    let mood_id = id();
    let mood = TimelineEntry::Mood(MoodEntry {
        date: "2026-02".parse().unwrap(),
        rating: kith_domain::inventory::Score10::new(3).unwrap(),
        note: "low".into(),
    });
    s.add_timeline_entry(
        cw.w.clinic,
        cw.client,
        mood_id,
        &mood,
        cw.w.alice,
        at(2),
        None,
        &[],
    )
    .await
    .unwrap();
    let episode = TimelineEntry::Episode(kith_domain::timeline::MoodEpisode {
        kind: kith_domain::timeline::EpisodeKind::Depressive,
        start: "2019".parse().unwrap(),
        end: Some("2019-09".parse().unwrap()),
        severity: "moderate".into(),
        treatment: "GP, sertraline".into(),
    });
    s.add_timeline_entry(
        cw.w.clinic,
        cw.client,
        id(),
        &episode,
        cw.w.alice,
        at(2),
        None,
        &[],
    )
    .await
    .unwrap();
    let edited = TimelineEntry::Event(LifeEvent {
        description: "Mother died after a short illness".into(),
        ..death.clone()
    });
    let r = s
        .update_timeline_entry(cw.w.clinic, cw.client, death.id, &edited, 1, at(3), &[])
        .await
        .unwrap();
    assert_eq!((r.version, &r.value), (2, &edited));
    assert!(matches!(
        s.update_timeline_entry(cw.w.clinic, cw.client, death.id, &e, 1, at(4), &[])
            .await,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    s.remove_timeline_entry(cw.w.clinic, cw.client, mood_id, 1, at(5), &[])
        .await
        .unwrap();
    let onset = Onset {
        date: "2026-02".parse().unwrap(),
        description: "stopped sleeping".into(),
    };
    assert_eq!(
        s.set_onset(cw.w.clinic, cw.client, Some(&onset), 0, at(6), &[])
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        s.set_onset(cw.w.clinic, cw.client, None, 0, at(7), &[])
            .await,
        Err(StoreError::VersionConflict { current: 1 })
    ));
    let tl = s
        .timeline(cw.w.clinic, cw.client, false, &[])
        .await
        .unwrap();
    assert_eq!(tl.onset.as_ref(), Some(&onset));
    assert_eq!(tl.onset_version, 1);
    assert_eq!(tl.entries.len(), 2);
    assert_eq!(tl.entries[0].value, edited);
    assert_eq!(tl.entries[1].value, episode);
    let with_removed = s.timeline(cw.w.clinic, cw.client, true, &[]).await.unwrap();
    assert_eq!(with_removed.entries.len(), 3);
}

pub async fn formulation_revisions_keep_history_and_agreement(s: Arc<dyn Store>) {
    let cw = course_world(&s, "frm").await;
    let grief = Formulation {
        narrative_for_client: "Your low mood began after your mother died.".into(),
        clinician_formulation: "Complicated grief after a sudden death.".into(),
        areas: vec![ChosenArea {
            area: "grief".into(),
            primary: true,
            rationale: "Death two months before onset".into(),
            dispute_stage: None,
        }],
        ..Formulation::default()
    };
    let r1 = s
        .save_formulation(
            cw.w.clinic,
            cw.course,
            &grief,
            Some(2),
            0,
            cw.w.alice,
            at(1),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r1.revision, 1);
    let agreed = s
        .agree_formulation(
            cw.w.clinic,
            cw.course,
            1,
            day(10),
            3,
            cw.w.alice,
            at(2),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(agreed.agreement.as_ref().unwrap().at_session, 3);
    assert!(matches!(
        s.agree_formulation(cw.w.clinic, cw.course, 1, day(11), 4, cw.w.alice, at(3), &[])
            .await,
        Err(StoreError::Refused(c)) if c == "formulation-already-agreed"
    ));
    let mut both = grief.clone();
    both.areas.push(ChosenArea {
        area: "dispute".into(),
        primary: false,
        rationale: "Arguments with her brother over the estate".into(),
        dispute_stage: Some(DisputeStage::Impasse),
    });
    let stale = s
        .save_formulation(
            cw.w.clinic,
            cw.course,
            &both,
            Some(5),
            0,
            cw.w.alice,
            at(4),
            &[],
        )
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict { current: 1 })
    ));
    let r2 = s
        .save_formulation(
            cw.w.clinic,
            cw.course,
            &both,
            Some(5),
            1,
            cw.w.alice,
            at(5),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r2.revision, 2);
    assert_eq!(r2.agreement, None);
    let all = s.formulations(cw.w.clinic, cw.course, &[]).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].formulation, grief);
    assert!(all[0].agreement.is_some());
    assert_eq!(all[1].formulation, both);
    assert_eq!(all[1].at_session, Some(5));
}

pub async fn goals_and_worksheets_are_versioned(s: Arc<dyn Store>) {
    let cw = course_world(&s, "gws").await;
    let key = idem(cw.w.alice, "POST /goals", "g-1");
    let content = GoalContent {
        text: "Talk about Mum with Jo".into(),
        problem_area: Some("grief".into()),
        people: vec![],
        review: String::new(),
    };
    let g = s
        .add_goal(
            NewGoal {
                id: GoalId(id()),
                clinic: cw.w.clinic,
                course: cw.course,
                content: content.clone(),
                created_by: cw.w.alice,
                at: at(1),
            },
            Some(&key),
            &[],
        )
        .await
        .unwrap();
    let again = s
        .add_goal(
            NewGoal {
                id: GoalId(id()),
                clinic: cw.w.clinic,
                course: cw.course,
                content: content.clone(),
                created_by: cw.w.alice,
                at: at(1),
            },
            Some(&key),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(again, Written::Replayed(*g.value()));
    let reviewed = GoalContent {
        review: "Spoke with Jo twice".into(),
        ..content.clone()
    };
    let up = s
        .update_goal(
            cw.w.clinic,
            *g.value(),
            &reviewed,
            GoalStatus::Achieved,
            1,
            at(2),
            &[],
        )
        .await
        .unwrap();
    assert_eq!((up.status, up.version), (GoalStatus::Achieved, 2));
    assert!(matches!(
        s.update_goal(
            cw.w.clinic,
            *g.value(),
            &content,
            GoalStatus::Dropped,
            1,
            at(3),
            &[]
        )
        .await,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    assert_eq!(
        s.goals(cw.w.clinic, cw.course, &[]).await.unwrap(),
        vec![up]
    );

    let session = held_session(&s, &cw, 4).await;
    let new_ws = |due: Option<Date>| NewWorksheet {
        id: WorksheetId(id()),
        clinic: cw.w.clinic,
        client: cw.client,
        course: cw.course,
        session: Some(session.id),
        kind: "communication-analysis".into(),
        definition_version: "1".into(),
        visibility: Visibility::Shared,
        created_by: cw.w.alice,
        created_by_role: WorksheetAuthor::Clinician,
        due_on: due,
        content: WorksheetContent {
            content: serde_json::json!({"context": "Sunday lunch"}),
            clinician_comment: String::new(),
            people: vec![],
            goals: vec![*g.value()],
        },
        at: at(10),
    };
    let key = idem(cw.w.alice, "POST /worksheets", "w-1");
    let due_soon = s
        .create_worksheet(new_ws(Some(day(8))), Some(&key), &[])
        .await
        .unwrap();
    let replay = s
        .create_worksheet(new_ws(Some(day(8))), Some(&key), &[])
        .await
        .unwrap();
    assert_eq!(replay, Written::Replayed(*due_soon.value()));
    s.create_worksheet(new_ws(Some(day(20))), None, &[])
        .await
        .unwrap();
    s.create_worksheet(new_ws(None), None, &[]).await.unwrap();
    let due = s
        .worksheets_due(cw.w.clinic, cw.course, day(10), &[])
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, *due_soon.value());
    assert_eq!(due[0].content.goals, vec![*g.value()]);
    // Completing it takes it off the due list.
    let done = s
        .update_worksheet(
            cw.w.clinic,
            *due_soon.value(),
            &WorksheetUpdate {
                status: WorksheetStatus::Complete,
                visibility: Visibility::Shared,
                session: Some(session.id),
                due_on: Some(day(8)),
                reviewed_at_session: None,
                content: WorksheetContent {
                    content: serde_json::json!({"context": "Sunday lunch", "alternatives": ["ask"]}),
                    clinician_comment: "Well noticed".into(),
                    people: vec![],
                    goals: vec![],
                },
                at: at(20),
            },
            1,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(done.status, WorksheetStatus::Complete);
    assert_eq!(done.completed_at, Some(at(20)));
    assert!(
        s.worksheets_due(cw.w.clinic, cw.course, day(30), &[])
            .await
            .unwrap()
            .iter()
            .all(|w| w.id != done.id)
    );
    assert_eq!(
        s.worksheets(cw.w.clinic, cw.course, &[])
            .await
            .unwrap()
            .len(),
        3
    );
}

pub async fn course_records_never_cross_clinics(s: Arc<dyn Store>) {
    let cw = course_world(&s, "iso").await;
    let other = world(&s, "iso2").await;
    let session = held_session(&s, &cw, 1).await;
    let (_, note) = {
        let n = NoteId(id());
        s.save_note_draft(
            cw.w.clinic,
            &NoteDraft {
                id: n,
                session: session.id,
                content: note_content("private"),
                author: cw.w.alice,
                at: at(1),
                risk_alert: None,
            },
            0,
            &[],
        )
        .await
        .unwrap();
        (cw.w.clinic, n)
    };
    let c = other.clinic;
    assert_eq!(
        s.course_of(cw.w.clinic, CourseRef::Note(note))
            .await
            .unwrap(),
        Some((cw.course, cw.client))
    );
    assert_eq!(
        s.course_of(cw.w.clinic, CourseRef::Session(session.id))
            .await
            .unwrap(),
        Some((cw.course, cw.client))
    );
    for r in [
        CourseRef::Course(cw.course),
        CourseRef::Session(session.id),
        CourseRef::Note(note),
    ] {
        assert_eq!(s.course_of(c, r).await.unwrap(), None);
    }
    assert!(s.course(c, cw.course, &[]).await.unwrap().is_none());
    assert!(s.courses_of(c, cw.client, &[]).await.unwrap().is_empty());
    assert!(s.sessions(c, cw.course, &[]).await.unwrap().is_empty());
    assert!(
        s.course_session(c, session.id, &[])
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.note(c, note, &[]).await.unwrap().is_none());
    assert!(
        s.note_of_session(c, session.id, &[])
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.people(c, cw.client, true, &[]).await.unwrap().is_empty());
    assert!(
        s.timeline(c, cw.client, true, &[])
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    assert!(s.formulations(c, cw.course, &[]).await.unwrap().is_empty());
    assert!(s.goals(c, cw.course, &[]).await.unwrap().is_empty());
    assert!(s.worksheets(c, cw.course, &[]).await.unwrap().is_empty());
    assert!(s.snapshots(c, cw.course, &[]).await.unwrap().is_empty());
    // Writes through another clinic find nothing.
    assert!(matches!(
        s.save_intake(c, cw.course, &Intake::default(), 1, at(2), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.sign_note(c, note, other.alice, 1, at(2), &[]).await,
        Err(StoreError::NotFound)
    ));
    let person = kith_domain::inventory::Person::new(
        id(),
        "X",
        RelationshipType::Friend,
        PersonStatus::Current,
    );
    assert!(matches!(
        s.add_person(c, cw.client, &person, other.alice, at(2), None, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.open_course(
            NewCourse {
                id: CourseId(id()),
                clinic: c,
                client: cw.client,
                protocol_id: "ipt".into(),
                protocol_version: "1.0.0".into(),
                contract: terms(16),
                created_by: other.alice,
                opened_at: t0(),
            },
            None,
            &[]
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.save_formulation(
            c,
            cw.course,
            &Formulation::default(),
            None,
            0,
            other.alice,
            at(3),
            &[]
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

pub async fn course_tables_are_counted(s: Arc<dyn Store>) {
    let cw = course_world(&s, "tbl").await;
    held_session(&s, &cw, 1).await;
    let counts = s.row_counts().await.unwrap();
    let get = |t: &str| {
        counts
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, c)| *c)
            .unwrap_or_else(|| panic!("{t} is not counted"))
    };
    assert_eq!(get("courses"), 1);
    assert_eq!(get("course_sessions"), 1);
    for t in [
        "course_contract_changes",
        "session_tasks",
        "session_notes",
        "note_addenda",
        "note_signoffs",
        "process_notes",
        "inventory_people",
        "inventory_notes",
        "inventory_snapshots",
        "timeline_entries",
        "timeline_onsets",
        "formulations",
        "formulation_agreements",
        "goals",
        "worksheets",
    ] {
        assert_eq!(get(t), 0, "{t}");
    }
}

pub async fn a_note_recording_risk_raises_one_alert(s: Arc<dyn Store>) {
    use kith_domain::note::RiskUrgency;
    use kith_domain::safety::Tier;
    let cw = course_world(&s, "rsk").await;
    let s1 = held_session(&s, &cw, 1).await;
    let s2 = held_session(&s, &cw, 2).await;
    let view = ev(
        AuditAction::Read,
        Some(cw.w.alice),
        Some(cw.w.clinic),
        None,
        "alert",
    );
    let raise = |urgency, text: &str| NoteRiskAlert {
        id: AlertId(id()),
        client: cw.client,
        urgency,
        text: Some(text.into()),
        event: ev(
            AuditAction::Create,
            Some(cw.w.alice),
            Some(cw.w.clinic),
            Some(cw.client),
            "alert",
        ),
    };
    let draft = |session: SessionId, alert: NoteRiskAlert, minute: i64| NoteDraft {
        id: NoteId(id()),
        session,
        content: note_content("Ann said she has thought of ending her life."),
        author: cw.w.alice,
        at: at(minute),
        risk_alert: Some(alert),
    };
    // The first save raises the alert, escalated at once (emergency: 0 minutes by default).
    let first = raise(
        RiskUrgency::Emergency,
        "Crisis team called; stays with her sister tonight.",
    );
    let first_id = first.id;
    s.save_note_draft(cw.w.clinic, &draft(s1.id, first, 100), 0, &[])
        .await
        .unwrap();
    // Saving the note again, still recording risk, raises nothing new.
    s.save_note_draft(
        cw.w.clinic,
        &draft(s1.id, raise(RiskUrgency::Emergency, "Later words."), 105),
        1,
        &[],
    )
    .await
    .unwrap();
    let alerts = s
        .client_alerts(cw.w.clinic, cw.client, &view)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.id, first_id);
    assert_eq!(a.tier, Tier::Emergency);
    assert_eq!(a.status, AlertStatus::Open);
    assert!(a.note.is_some());
    assert_eq!(a.submission, None);
    assert_eq!(
        a.risk_text.as_deref(),
        Some("Crisis team called; stays with her sister tonight.")
    );
    assert_eq!(
        a.reasons,
        vec![AlertCause::ClinicianRisk {
            session: s1.id,
            urgency: RiskUrgency::Emergency
        }]
    );
    assert_eq!(a.clinicians, vec![cw.w.alice]);
    assert_eq!(a.escalated_at, Some(at(100)));

    // A routine one waits for the routine clock (240 minutes by default); an urgent one for 30.
    s.save_note_draft(
        cw.w.clinic,
        &draft(
            s2.id,
            raise(RiskUrgency::Routine, "Talked it through."),
            200,
        ),
        0,
        &[],
    )
    .await
    .unwrap();
    assert!(s.escalate_due(at(200 + 239)).await.unwrap().is_empty());
    assert_eq!(s.escalate_due(at(200 + 240)).await.unwrap().len(), 1);
    let alerts = s
        .client_alerts(cw.w.clinic, cw.client, &view)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 2);
    assert!(alerts.iter().any(|a| a.tier == Tier::Alert));
}
