//! The measure use cases against a real SQLite store.

use super::*;
use crate::clock::{Clock, ManualClock};
use crate::context::{Pending, Via};
use crate::crypto::{FieldCrypto, Kek};
use crate::{AppError, Limits};
use kith_domain::audit::ChainedEvent;
use kith_domain::identity::Actor;
use kith_domain::ids::{ApiTokenId, ClinicId, InvitationId, UserId};
use kith_domain::measure::{ChangeRulesOverride, FindingStatus};
use kith_domain::safety::{PlanEntry, PlanStatus, SafetyPlan};
use kith_store::{
    AlertCause, AlertStatus, AuditFilter, Invitation, Invitee, NewClient, NewClinic, NewUser, Store,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::macros::datetime;

const MEASURE_TABLES: [&str; 8] = [
    "measure_client_seq",
    "measure_submissions",
    "measure_answers",
    "measure_diaries",
    "alerts",
    "alert_clinicians",
    "safety_plans",
    "safety_plan_versions",
];

fn t0() -> OffsetDateTime {
    datetime!(2026-03-02 09:00 UTC)
}

/// A clinic with an admin, Alice (a clinician supervised by Sue), Bob (another clinician), Sue
/// (a supervisor) and Ann, Alice's client, who uses the portal.
struct Env {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
    driver: Arc<kith_store_sqlite::SqliteDriver>,
    clinic: ClinicId,
    admin: UserId,
    alice: UserId,
    bob: UserId,
    sue: UserId,
    ann: ClientId,
    ann_user: UserId,
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        id: UserId(Uuid::now_v7()),
        email: email.into(),
        display_name: email.split('@').next().unwrap_or(email).into(),
        password_hash: None,
        operator: false,
        locale: None,
        created_at: t0(),
    }
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sealer = Arc::new(FieldCrypto::new(Kek::generate()));
    let (driver, store) = kith_store_sqlite::open(&dir.path().join("kith.db"), sealer)
        .await
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let clock = Arc::new(ManualClock::new(t0()));
    let app = App::new(store.clone(), clock.clone(), Limits::default());
    let clinic = ClinicId(Uuid::now_v7());
    store
        .create_clinic(
            NewClinic {
                id: clinic,
                name: "Riverside".into(),
                settings: ClinicSettings::default(),
                created_at: t0(),
            },
            &[],
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (email, role) in [
        ("admin@riverside.example", Role::ClinicAdmin),
        ("alice@riverside.example", Role::Clinician),
        ("bob@riverside.example", Role::Clinician),
        ("sue@riverside.example", Role::Supervisor),
    ] {
        let u = new_user(email);
        ids.push(u.id);
        store
            .create_user(u, Some((clinic, role)), &[])
            .await
            .unwrap();
    }
    let (admin, alice, bob, sue) = (ids[0], ids[1], ids[2], ids[3]);
    store
        .set_supervision(clinic, sue, alice, true, t0(), &[])
        .await
        .unwrap();
    let ann = store
        .register_client(
            NewClient {
                id: ClientId(Uuid::now_v7()),
                clinic,
                display_name: "Ann".into(),
                date_of_birth: None,
                contact: None,
                created_by: admin,
                created_at: t0(),
                assign_to: Some(alice),
            },
            None,
            &[],
        )
        .await
        .unwrap()
        .into_value();
    let token = [7u8; 32];
    store
        .create_invitation(
            Invitation {
                id: InvitationId(Uuid::now_v7()),
                clinic,
                email: "ann@home.example".into(),
                role: Role::Client,
                client: Some(ann),
                created_by: alice,
                created_at: t0(),
                expires_at: t0() + Duration::days(7),
                accepted_at: None,
                revoked_at: None,
            },
            token,
            &[],
        )
        .await
        .unwrap();
    let ann_user = store
        .accept_invitation(token, t0(), Invitee::New(new_user("ann@home.example")), &[])
        .await
        .unwrap();
    Env {
        app,
        store,
        clock,
        dir,
        driver,
        clinic,
        admin,
        alice,
        bob,
        sue,
        ann,
        ann_user,
    }
}

impl Env {
    async fn ctx(&self, user: UserId, role: Role) -> Ctx {
        Ctx {
            user: self.store.user(user).await.unwrap().unwrap(),
            actor: Actor {
                user,
                membership: Some((self.clinic, role)),
                operator: false,
                second_factor: true,
            },
            clinic: self.store.clinic(self.clinic).await.unwrap(),
            pending: Pending::Nothing,
            open_alerts: 0,
            via: Via::Api {
                token: ApiTokenId(Uuid::now_v7()),
            },
            source: Some("192.0.2.7".into()),
            now: self.clock.now(),
        }
    }

    async fn alice(&self) -> Ctx {
        self.ctx(self.alice, Role::Clinician).await
    }

    async fn bob(&self) -> Ctx {
        self.ctx(self.bob, Role::Clinician).await
    }

    async fn sue(&self) -> Ctx {
        self.ctx(self.sue, Role::Supervisor).await
    }

    async fn admin(&self) -> Ctx {
        self.ctx(self.admin, Role::ClinicAdmin).await
    }

    async fn ann(&self) -> Ctx {
        self.ctx(self.ann_user, Role::Client).await
    }

    async fn measure_rows(&self) -> BTreeMap<String, i64> {
        self.store
            .row_counts()
            .await
            .unwrap()
            .into_iter()
            .filter(|(t, _)| MEASURE_TABLES.contains(&t.as_str()))
            .collect()
    }

    async fn audit(&self) -> Vec<ChainedEvent> {
        self.store
            .audit_report(&AuditFilter {
                clinic: Some(self.clinic),
                limit: 10_000,
                ..AuditFilter::default()
            })
            .await
            .unwrap()
    }

    async fn set_settings(&self, change: impl FnOnce(&mut ClinicSettings)) {
        let c = self.store.clinic(self.clinic).await.unwrap().unwrap();
        let mut settings = c.settings.clone();
        change(&mut settings);
        self.store
            .update_clinic(self.clinic, &c.name, &settings, c.version, &[])
            .await
            .unwrap();
    }
}

fn phq9(values: [i64; 9], mode: AdministrationMode) -> MeasureInput {
    MeasureInput {
        instrument: "phq9".into(),
        answers: MeasureAnswers::Items(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), AnswerValue::Value(*v)))
                .collect(),
        ),
        taken_at: t0(),
        course: None,
        session: None,
        language: Locale::En,
        mode,
    }
}

fn with_answers(answers: &[(&str, i64)]) -> MeasureInput {
    MeasureInput {
        answers: MeasureAnswers::Items(
            answers
                .iter()
                .map(|(i, v)| ((*i).to_string(), AnswerValue::Value(*v)))
                .collect(),
        ),
        ..phq9([0; 9], AdministrationMode::ClinicianEntered)
    }
}

const ITEM9: [i64; 9] = [2, 2, 1, 1, 0, 1, 1, 0, 2];

fn invalid(r: AppResult<Written<Recorded>>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn item_9_from_the_portal_alerts_the_assigned_clinician_only() {
    let env = env().await;
    let recorded = env
        .app
        .record_measure(
            &env.ann().await,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            None,
        )
        .await
        .unwrap()
        .into_value();
    assert_eq!(recorded.total, Score::whole(10));
    assert_eq!(recorded.band.as_deref(), Some("moderate"));
    assert_eq!(
        recorded.flags,
        vec![FlagCode {
            item: "9".into(),
            tier: Tier::Alert,
            history: false,
        }]
    );
    assert!(recorded.show_crisis_resources());
    let alert = recorded.alert.expect("item 9 raises an alert");
    assert_eq!(recorded.alert_tier, Some(Tier::Alert));

    // The submission records who answered and how.
    let stored = env
        .app
        .measure(&env.alice().await, env.ann, recorded.submission)
        .await
        .unwrap();
    assert_eq!(stored.summary.respondent, env.ann_user);
    assert_eq!(stored.summary.respondent_role, RespondentRole::Client);
    assert_eq!(stored.summary.mode, AdministrationMode::SelfReport);
    assert_eq!(stored.answers[8], ItemAnswer::new("9", 2));

    let mine = env.app.alerts_for_me(&env.alice().await).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, alert);
    assert_eq!(mine[0].client, env.ann);
    assert_eq!(mine[0].clinicians, vec![env.alice]);
    assert_eq!(
        mine[0].reasons,
        vec![AlertCause::SafetyItem {
            instrument: "phq9".into(),
            item: "9".into(),
            tier: Tier::Alert
        }]
    );
    // Bob does not care for Ann: he sees nothing, and cannot open her alerts.
    assert!(
        env.app
            .alerts_for_me(&env.bob().await)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        env.app.client_alerts(&env.bob().await, env.ann).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        env.app.alert(&env.bob().await, alert).await,
        Err(AppError::NotFound)
    ));

    // The raise is audited once, by the client who answered.
    let raised: Vec<_> = env
        .audit()
        .await
        .into_iter()
        .filter(|r| r.event.object_type == "alert" && r.event.action == AuditAction::Create)
        .collect();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].event.actor, Some(env.ann_user));
    assert_eq!(raised[0].event.object_id, Some(alert.to_string()));
}

#[tokio::test]
async fn a_supervisor_sees_an_alert_only_after_escalation() {
    let env = env().await;
    env.set_settings(|s| s.alert_escalation_minutes = 60).await;
    let alert = env
        .app
        .record_measure(
            &env.ann().await,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            None,
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    assert!(
        env.app
            .alerts_for_me(&env.sue().await)
            .await
            .unwrap()
            .is_empty()
    );

    env.clock.advance(Duration::minutes(59));
    assert!(env.app.escalate_due().await.unwrap().is_empty());
    assert!(
        env.app
            .alerts_for_me(&env.sue().await)
            .await
            .unwrap()
            .is_empty()
    );

    env.clock.advance(Duration::minutes(1));
    assert_eq!(env.app.escalate_due().await.unwrap(), vec![alert]);
    assert!(env.app.escalate_due().await.unwrap().is_empty(), "once");
    let sue = env.app.alerts_for_me(&env.sue().await).await.unwrap();
    assert_eq!(sue.len(), 1);
    assert_eq!(sue[0].escalated_at, Some(t0() + Duration::minutes(60)));
    // Still on Alice's dashboard too, and still open.
    assert_eq!(
        env.app
            .alerts_for_me(&env.alice().await)
            .await
            .unwrap()
            .len(),
        1
    );

    // The supervisor acknowledges it with what was done; it leaves both dashboards.
    let done = env
        .app
        .acknowledge_alert(
            &env.sue().await,
            alert,
            "Alice is on leave; I phoned Ann, she is safe and has her plan.",
        )
        .await
        .unwrap();
    assert_eq!(done.status, AlertStatus::Acknowledged);
    assert_eq!(done.acknowledged_by, Some(env.sue));
    assert!(
        env.app
            .alerts_for_me(&env.sue().await)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        env.app
            .alerts_for_me(&env.alice().await)
            .await
            .unwrap()
            .is_empty()
    );

    let escalations: Vec<_> = env
        .audit()
        .await
        .into_iter()
        .filter(|r| r.event.detail.as_deref() == Some("escalated"))
        .collect();
    assert_eq!(escalations.len(), 1);
    assert_eq!(
        escalations[0].event.actor, None,
        "the sweep acts for nobody"
    );
}

/// Item ids and values as a form would send them.
type Answers = Vec<(String, i64)>;

#[tokio::test]
async fn invalid_answer_vectors_are_refused_whole() {
    let env = env().await;
    let all = |v: [i64; 9]| -> Answers {
        v.iter()
            .enumerate()
            .map(|(i, x)| ((i + 1).to_string(), *x))
            .collect()
    };
    let mut minus_one = all([0; 9]);
    minus_one[8].1 = -1;
    let mut four = all([0; 9]);
    four[0].1 = 4;
    let mut missing = all([1; 9]);
    missing.remove(4);
    let mut duplicated = all([1; 9]);
    duplicated.push(("3".into(), 2));
    let mut unknown = all([1; 9]);
    unknown.push(("10".into(), 1));
    let cases: [(&str, Answers, &str, &str); 5] = [
        ("-1", minus_one, "answers[item 9]", "answer-out-of-range"),
        ("4", four, "answers[item 1]", "answer-out-of-range"),
        ("missing", missing, "answers[item 5]", "answer-missing"),
        (
            "duplicate",
            duplicated,
            "answers[item 3]",
            "answer-duplicate",
        ),
        (
            "unknown",
            unknown,
            "answers[item 10]",
            "answer-unknown-item",
        ),
    ];
    let before = env.measure_rows().await;
    let audit_before = env.audit().await.len();
    for (name, answers, field, code) in cases {
        for ctx in [env.alice().await, env.ann().await] {
            let mode = if ctx.role() == Some(Role::Client) {
                AdministrationMode::SelfReport
            } else {
                AdministrationMode::ClinicianEntered
            };
            let pairs: Vec<(&str, i64)> = answers.iter().map(|(i, v)| (i.as_str(), *v)).collect();
            let input = MeasureInput {
                mode,
                ..with_answers(&pairs)
            };
            let errors = invalid(env.app.record_measure(&ctx, env.ann, input, None).await);
            assert_eq!(
                errors,
                vec![(field.to_string(), code.to_string())],
                "case {name}"
            );
        }
    }
    assert_eq!(env.measure_rows().await, before, "nothing written");
    assert_eq!(env.audit().await.len(), audit_before, "and nothing audited");

    // An out-of-range answer says what the range is.
    let err = env
        .app
        .record_measure(
            &env.alice().await,
            env.ann,
            with_answers(&[
                ("1", 0),
                ("2", 0),
                ("3", 0),
                ("4", 0),
                ("5", 0),
                ("6", 0),
                ("7", 0),
                ("8", 0),
                ("9", 7),
            ]),
            None,
        )
        .await;
    let Err(AppError::Invalid(errors)) = err else {
        panic!("{err:?}")
    };
    let args: BTreeMap<_, _> = errors[0].args.iter().cloned().collect();
    assert_eq!(args["min"], "0");
    assert_eq!(args["max"], "3");
    assert_eq!(args["value"], "7");
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let env = env().await;
    let input = MeasureInput {
        taken_at: t0() + Duration::days(1),
        session: Some(SessionId(Uuid::now_v7())),
        ..with_answers(&[
            ("1", 1),
            ("2", 9),
            ("2", 1),
            ("4", 1),
            ("5", 1),
            ("6", 1),
            ("7", 1),
            ("8", 1),
            ("9", 0),
            ("ten", 1),
        ])
    };
    let errors = invalid(
        env.app
            .record_measure(&env.alice().await, env.ann, input, None)
            .await,
    );
    for expected in [
        ("taken_at", "taken-at-in-future"),
        ("answers[item 2]", "answer-out-of-range"),
        ("answers[item 2]", "answer-duplicate"),
        ("answers[item 3]", "answer-missing"),
        ("answers[item ten]", "answer-unknown-item"),
    ] {
        assert!(
            errors.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} missing from {errors:?}"
        );
    }
    assert_eq!(errors.len(), 5);

    // Instruments and modes.
    let unknown = MeasureInput {
        instrument: "beck".into(),
        ..phq9([0; 9], AdministrationMode::ClinicianEntered)
    };
    assert_eq!(
        invalid(
            env.app
                .record_measure(&env.alice().await, env.ann, unknown, None)
                .await
        ),
        vec![("instrument".to_string(), "instrument-unknown".to_string())]
    );
    let hamd = library().get("hamd17").unwrap();
    let rating = MeasureInput {
        instrument: "hamd17".into(),
        answers: MeasureAnswers::Items(
            hamd.items()
                .iter()
                .map(|i| (i.id.clone(), AnswerValue::Value(0)))
                .collect(),
        ),
        ..phq9([0; 9], AdministrationMode::SelfReport)
    };
    assert_eq!(
        invalid(
            env.app
                .record_measure(&env.ann().await, env.ann, rating.clone(), None)
                .await
        ),
        vec![(
            "instrument".to_string(),
            "instrument-clinician-rated".to_string()
        )]
    );
    assert_eq!(
        invalid(
            env.app
                .record_measure(&env.alice().await, env.ann, rating.clone(), None)
                .await
        ),
        vec![("mode".to_string(), "mode-not-allowed".to_string())]
    );
    let rated = MeasureInput {
        mode: AdministrationMode::ClinicianEntered,
        ..rating
    };
    assert!(
        env.app
            .record_measure(&env.alice().await, env.ann, rated, None)
            .await
            .is_ok()
    );
    assert_eq!(
        invalid(
            env.app
                .record_measure(
                    &env.ann().await,
                    env.ann,
                    phq9([0; 9], AdministrationMode::Proxy),
                    None
                )
                .await
        ),
        vec![("mode".to_string(), "mode-not-allowed".to_string())]
    );
}

#[tokio::test]
async fn the_total_is_always_the_servers() {
    let env = env().await;
    // Every field of the input, spelled out: there is no total, band or flag a caller could send.
    let input = MeasureInput {
        instrument: "gad7".into(),
        answers: MeasureAnswers::Items(
            (1..=7)
                .map(|i| (i.to_string(), AnswerValue::Value(3)))
                .collect(),
        ),
        taken_at: t0(),
        course: None,
        session: None,
        language: Locale::Es,
        mode: AdministrationMode::ClinicianEntered,
    };
    let r = env
        .app
        .record_measure(&env.alice().await, env.ann, input, None)
        .await
        .unwrap()
        .into_value();
    assert_eq!(r.total, Score::whole(21));
    assert_eq!(r.band.as_deref(), Some("severe"));
    assert!(r.alert.is_none(), "GAD-7 has no safety item");
    assert!(!r.show_crisis_resources());
    let listed = env.app.measures(&env.alice().await, env.ann).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].total, Score::whole(21));
    assert_eq!(listed[0].language, Locale::Es);
}

#[tokio::test]
async fn reliable_deterioration_raises_a_review_alert() {
    let env = env().await;
    let alice = env.alice().await;
    let baseline = env
        .app
        .record_measure(
            &alice,
            env.ann,
            phq9(
                [1, 1, 1, 1, 1, 1, 1, 1, 0],
                AdministrationMode::ClinicianEntered,
            ),
            None,
        )
        .await
        .unwrap()
        .into_value();
    assert!(baseline.alert.is_none());
    env.clock.advance(Duration::weeks(2));
    let worse = MeasureInput {
        taken_at: t0() + Duration::weeks(2),
        ..phq9(
            [2, 2, 2, 2, 2, 1, 1, 2, 0],
            AdministrationMode::ClinicianEntered,
        )
    };
    let r = env
        .app
        .record_measure(&alice, env.ann, worse, None)
        .await
        .unwrap()
        .into_value();
    assert_eq!(r.total, Score::whole(14));
    assert_eq!(
        r.analysis.reliable_deterioration.status,
        FindingStatus::Suggested
    );
    assert!(r.flags.is_empty(), "no safety item fired");
    assert_eq!(r.alert_tier, Some(Tier::Review));
    assert!(!r.show_crisis_resources());
    let mine = env.app.alerts_for_me(&env.alice().await).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].reasons,
        vec![AlertCause::ReliableDeterioration {
            instrument: "phq9".into(),
            baseline: Score::whole(8),
            latest: Score::whole(14),
            worsening: Score::whole(6),
            threshold: Score::whole(6),
        }]
    );

    // The series reads the same way, with the clinic's rules.
    let (points, analysis) = env.app.series(&alice, env.ann, "phq9", None).await.unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(analysis, r.analysis);

    // A clinic that asks for 10 points before calling a change reliable gets no alert for +6.
    env.set_settings(|s| {
        s.instrument_change_rules.insert(
            "phq9".into(),
            ChangeRulesOverride {
                reliable_change: Some(Some(Score::whole(10))),
                ..ChangeRulesOverride::default()
            },
        );
    })
    .await;
    let again = MeasureInput {
        taken_at: t0() + Duration::weeks(2),
        ..phq9(
            [2, 2, 2, 2, 2, 1, 1, 2, 0],
            AdministrationMode::ClinicianEntered,
        )
    };
    let r = env
        .app
        .record_measure(&env.alice().await, env.ann, again, None)
        .await
        .unwrap()
        .into_value();
    assert!(r.alert.is_none());
    assert_eq!(
        r.analysis.reliable_deterioration.status,
        FindingStatus::NotSuggested
    );
}

#[tokio::test]
async fn acknowledgement_needs_a_note_and_happens_once() {
    let env = env().await;
    let alert = env
        .app
        .record_measure(
            &env.alice().await,
            env.ann,
            phq9(ITEM9, AdministrationMode::ClinicianEntered),
            None,
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let alice = env.alice().await;
    for (note, code) in [
        ("", "field-required"),
        ("   \n", "field-required"),
        (&"x".repeat(2001) as &str, "field-too-long"),
    ] {
        match env.app.acknowledge_alert(&alice, alert, note).await {
            Err(AppError::Invalid(e)) => {
                assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("note", code))
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        env.app.alert(&alice, alert).await.unwrap().status,
        AlertStatus::Open,
        "a refused note leaves the alert open"
    );
    // Bob may not acknowledge an alert of a client he does not care for.
    assert!(matches!(
        env.app
            .acknowledge_alert(&env.bob().await, alert, "Seen.")
            .await,
        Err(AppError::NotFound)
    ));
    // Neither may the client, nor the admin.
    assert!(
        env.app
            .acknowledge_alert(&env.ann().await, alert, "I'm fine")
            .await
            .is_err()
    );
    assert!(matches!(
        env.app
            .acknowledge_alert(&env.admin().await, alert, "Seen.")
            .await,
        Err(AppError::Forbidden)
    ));

    env.clock.advance(Duration::minutes(25));
    let note =
        "Called Ann at 10:20; no plan or intent; safety plan reviewed; session moved to Thursday.";
    let done = env
        .app
        .acknowledge_alert(&alice, alert, note)
        .await
        .unwrap();
    assert_eq!(done.action_note.as_deref(), Some(note));
    assert_eq!(done.acknowledged_at, Some(t0() + Duration::minutes(25)));
    match env.app.acknowledge_alert(&alice, alert, "again").await {
        Err(AppError::Invalid(e)) => assert_eq!(e[0].code, "alert-already-acknowledged"),
        other => panic!("{other:?}"),
    }
    let history = env.app.client_alerts(&alice, env.ann).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action_note.as_deref(), Some(note));
    assert_eq!(
        env.audit()
            .await
            .iter()
            .filter(|r| r.event.detail.as_deref() == Some("acknowledged"))
            .count(),
        1
    );
    // Acknowledged before its time, it never escalates.
    env.clock.advance(Duration::days(2));
    assert!(env.app.escalate_due().await.unwrap().is_empty());
}

#[tokio::test]
async fn roles_see_what_they_should() {
    let env = env().await;
    env.app
        .record_measure(
            &env.ann().await,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            None,
        )
        .await
        .unwrap();
    // The admin sees that there is an open alert and whose it is, nothing clinical.
    let overview = env.app.clinic_alerts(&env.admin().await).await.unwrap();
    assert_eq!((overview.open, overview.escalated), (1, 0));
    assert_eq!(overview.alerts[0].client, env.ann);
    assert!(matches!(
        env.app.alerts_for_me(&env.admin().await).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        env.app.client_alerts(&env.admin().await, env.ann).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        env.app.measures(&env.admin().await, env.ann).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        env.app.clinic_alerts(&env.alice().await).await,
        Err(AppError::Forbidden)
    ));
    // The client sees their own questionnaires, not the alert machinery.
    assert_eq!(
        env.app
            .measures(&env.ann().await, env.ann)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(env.app.alerts_for_me(&env.ann().await).await.is_err());
    // An admin records nothing clinical; a colleague not caring for Ann cannot either.
    assert!(matches!(
        env.app
            .record_measure(
                &env.admin().await,
                env.ann,
                phq9([0; 9], AdministrationMode::ClinicianEntered),
                None
            )
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        env.app
            .record_measure(
                &env.bob().await,
                env.ann,
                phq9([0; 9], AdministrationMode::ClinicianEntered),
                None
            )
            .await,
        Err(AppError::NotFound)
    ));
    // The supervisor may read the record of a supervisee's client but writes only for their own.
    assert_eq!(
        env.app
            .measures(&env.sue().await, env.ann)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        env.app
            .record_measure(
                &env.sue().await,
                env.ann,
                phq9([0; 9], AdministrationMode::ClinicianEntered),
                None
            )
            .await,
        Err(AppError::NotFound)
    ));
}

#[tokio::test]
async fn a_retried_submission_is_one_submission_with_one_alert() {
    let env = env().await;
    let key = |k: &str, body: &str| Idempotency {
        user: env.ann_user,
        route: "POST /portal/measures",
        key: k.into(),
        request_hash: crate::secrets::body_hash(body.as_bytes()),
        at: t0(),
    };
    let ann = env.ann().await;
    let first = env
        .app
        .record_measure(
            &ann,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            Some(key("k1", "item9=2")),
        )
        .await
        .unwrap();
    let again = env
        .app
        .record_measure(
            &ann,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            Some(key("k1", "item9=2")),
        )
        .await
        .unwrap();
    assert!(first.is_fresh() && !again.is_fresh());
    assert_eq!(first.value(), again.value());
    let rows = env.measure_rows().await;
    assert_eq!((rows["measure_submissions"], rows["alerts"]), (1, 1));
    // A second, separate answer is a second submission and a second alert.
    let other = env
        .app
        .record_measure(
            &ann,
            env.ann,
            phq9(ITEM9, AdministrationMode::SelfReport),
            Some(key("k2", "item9=2")),
        )
        .await
        .unwrap()
        .into_value();
    assert_ne!(other.alert, first.value().alert);
    assert_eq!(
        env.app
            .alerts_for_me(&env.alice().await)
            .await
            .unwrap()
            .len(),
        2
    );
}

fn plan(first_sign: &str) -> SafetyPlan {
    let mut p = SafetyPlan::new();
    p.warning_signs.push(PlanEntry::text(first_sign));
    p.internal_coping
        .push(PlanEntry::text("Walk the dog round the park"));
    p.professionals.push(PlanEntry {
        text: "Riverside duty clinician".into(),
        contact: None,
        phone: Some("+44 20 7946 0000".into()),
        hours: Some("Mon–Fri 9–5".into()),
    });
    p
}

#[tokio::test]
async fn a_safety_plan_is_written_in_session_and_read_in_the_portal() {
    let env = env().await;
    let alice = env.alice().await;
    let ann = env.ann().await;
    assert!(env.app.safety_plan(&ann, env.ann).await.unwrap().is_none());

    let v1 = env
        .app
        .save_safety_plan(&alice, env.ann, plan("Staying in bed past noon"), 0)
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    let seen = env.app.safety_plan(&ann, env.ann).await.unwrap().unwrap();
    assert_eq!(seen.plan.warning_signs[0].text, "Staying in bed past noon");

    // The client reads it but does not edit it in the portal.
    assert!(matches!(
        env.app
            .save_safety_plan(&ann, env.ann, plan("changed"), 1)
            .await,
        Err(AppError::Forbidden)
    ));
    // An invalid plan names the entry.
    let mut bad = plan("x");
    bad.help_contacts.push(PlanEntry {
        text: "Sister".into(),
        phone: Some("call her".into()),
        ..PlanEntry::default()
    });
    match env.app.save_safety_plan(&alice, env.ann, bad, 1).await {
        Err(AppError::Invalid(e)) => {
            assert_eq!(e.len(), 1);
            assert_eq!(
                (e[0].field.as_str(), e[0].code.as_str()),
                ("help_contacts[0].phone", "plan-phone-invalid")
            );
        }
        other => panic!("{other:?}"),
    }

    let mut complete = plan("Staying in bed past noon; not answering texts");
    complete.status = PlanStatus::Complete;
    env.clock.advance(Duration::days(7));
    let v2 = env
        .app
        .save_safety_plan(&alice, env.ann, complete, 1)
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    // A second tab still on version 1 is told the plan moved on; nothing is written.
    assert!(matches!(
        env.app
            .save_safety_plan(&alice, env.ann, plan("old tab"), 1)
            .await,
        Err(AppError::Conflict { current_version: 2 })
    ));
    let history = env.app.safety_plan_versions(&ann, env.ann).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.saved_by, v.saved_at))
            .collect::<Vec<_>>(),
        vec![
            (2, env.alice, t0() + Duration::days(7)),
            (1, env.alice, t0())
        ]
    );
    let old = env
        .app
        .safety_plan_version(&alice, env.ann, 1)
        .await
        .unwrap();
    assert_eq!(old.plan.status, PlanStatus::Draft);
    assert_eq!(old.latest_version, 2);
    // Bob, not caring for Ann, sees no plan.
    assert!(matches!(
        env.app.safety_plan(&env.bob().await, env.ann).await,
        Err(AppError::NotFound)
    ));
    // Each read and write was audited.
    let audit = env.audit().await;
    let plan_rows = audit
        .iter()
        .filter(|r| r.event.object_type.starts_with("safety_plan"))
        .count();
    assert_eq!(
        plan_rows, 6,
        "two saves, two plan reads, one history, one old version"
    );
}

#[tokio::test]
async fn clinical_text_never_reaches_the_disk_in_clear() {
    let env = env().await;
    let canary = "CANARY-7f3a9c";
    let alice = env.alice().await;
    let alert = env
        .app
        .record_measure(
            &alice,
            env.ann,
            phq9(ITEM9, AdministrationMode::ClinicianEntered),
            None,
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    env.app
        .acknowledge_alert(&alice, alert, &format!("note {canary}"))
        .await
        .unwrap();
    env.app
        .save_safety_plan(&alice, env.ann, plan(&format!("sign {canary}")), 0)
        .await
        .unwrap();
    // Reading them back works (they are sealed, not lost).
    assert!(
        env.app
            .safety_plan(&alice, env.ann)
            .await
            .unwrap()
            .unwrap()
            .plan
            .warning_signs[0]
            .text
            .contains(canary)
    );
    env.driver.close().await;
    let mut found = Vec::new();
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if bytes.windows(canary.len()).any(|w| w == canary.as_bytes()) {
            found.push(path);
        }
    }
    assert!(found.is_empty(), "canary in clear in {found:?}");
}

#[tokio::test]
async fn reading_measures_and_alerts_is_audited() {
    let env = env().await;
    let alice = env.alice().await;
    let r = env
        .app
        .record_measure(
            &alice,
            env.ann,
            phq9(ITEM9, AdministrationMode::ClinicianEntered),
            None,
        )
        .await
        .unwrap()
        .into_value();
    let last = env.audit().await.iter().map(|r| r.seq).max().unwrap();
    env.app.measures(&alice, env.ann).await.unwrap();
    env.app
        .measure(&alice, env.ann, r.submission)
        .await
        .unwrap();
    env.app.series(&alice, env.ann, "phq9", None).await.unwrap();
    env.app.alerts_for_me(&alice).await.unwrap();
    env.app.client_alerts(&alice, env.ann).await.unwrap();
    env.app.alert(&alice, r.alert.unwrap()).await.unwrap();
    let audit = env.audit().await;
    let new: Vec<_> = audit
        .iter()
        .filter(|r| r.seq > last)
        .map(|r| (r.event.object_type.as_str(), r.event.action, r.event.client))
        .collect();
    let mut kinds: Vec<&str> = new.iter().map(|(t, _, _)| *t).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "alert",
            "alert",
            "alert",
            "measure_list",
            "measure_series",
            "measure_submission"
        ]
    );
    assert!(
        new.iter()
            .all(|(_, a, c)| *a == AuditAction::Read && *c == Some(env.ann))
    );
}

/// Random answer vectors — values out of range, items missing, repeated or unknown — are either
/// scored exactly as the instrument says, or refused with nothing written.
#[test]
fn random_answer_vectors_are_scored_or_refused_whole() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let env = rt.block_on(env());
    let ctx = rt.block_on(env.alice());
    let item = prop_oneof![
        8 => (1u8..=9).prop_map(|i| i.to_string()),
        1 => Just("0".to_string()),
        1 => Just("10".to_string()),
    ];
    let strategy = proptest::collection::vec((item, -2i64..6), 0..13);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    runner
        .run(&strategy, |answers| {
            let mut seen = std::collections::BTreeSet::new();
            let valid = answers.len() == 9
                && answers.iter().all(|(i, v)| {
                    seen.insert(i.clone()) && i != "0" && i != "10" && (0..=3).contains(v)
                });
            let input = MeasureInput {
                answers: MeasureAnswers::Items(
                    answers
                        .iter()
                        .map(|(i, v)| (i.clone(), AnswerValue::Value(*v)))
                        .collect(),
                ),
                ..phq9([0; 9], AdministrationMode::ClinicianEntered)
            };
            let before = rt.block_on(env.measure_rows());
            let result = rt.block_on(env.app.record_measure(&ctx, env.ann, input, None));
            let after = rt.block_on(env.measure_rows());
            if valid {
                let r = result.expect("a valid vector is accepted").into_value();
                let sum: i64 = answers.iter().map(|(_, v)| v).sum();
                prop_assert_eq!(r.total, Score::whole(sum));
                let nine = answers
                    .iter()
                    .find(|(i, _)| i == "9")
                    .map_or(0, |(_, v)| *v);
                // Item 9 above zero always flags and always alerts at the "alert" tier or above.
                prop_assert_eq!(r.flags.is_empty(), nine == 0);
                if nine > 0 {
                    prop_assert!(r.alert_tier >= Some(Tier::Alert));
                }
                prop_assert_eq!(
                    after["measure_submissions"],
                    before["measure_submissions"] + 1
                );
            } else {
                match result {
                    Err(AppError::Invalid(errors)) => {
                        prop_assert!(!errors.is_empty());
                        prop_assert!(errors.iter().all(|e| e.field.starts_with("answers[item ")));
                    }
                    other => prop_assert!(false, "expected Invalid, got {:?}", other),
                }
                prop_assert_eq!(after, before);
            }
            Ok(())
        })
        .unwrap();
}

fn diary_week(mood_on_day_three: i64) -> Vec<kith_domain::measure::DiaryDay> {
    use kith_domain::measure::{ActivityEntry, DiaryDay, DoneAt};
    let start = t0().date();
    (0..7)
        .map(|d| DiaryDay {
            date: start + Duration::days(d),
            mood: if d == 3 { mood_on_day_three } else { 0 },
            activities: [
                "out-of-bed",
                "first-contact",
                "start-day",
                "dinner",
                "to-bed",
            ]
            .iter()
            .enumerate()
            .map(|(k, item)| ActivityEntry {
                item: (*item).to_string(),
                done: Some(DoneAt {
                    // Out of bed drifts from 06:00 by half an hour a day (mean 07:30, so
                    // only 07:00, 07:30 and 08:00 are within 45 minutes); the rest keep to
                    // the clock.
                    at: if k == 0 {
                        time::Time::from_hms(6 + (d / 2) as u8, (d % 2 * 30) as u8, 0)
                    } else {
                        time::Time::from_hms(7 + 3 * k as u8, 0, 0)
                    }
                    .unwrap(),
                    people: 1,
                }),
            })
            .collect(),
        })
        .collect()
}

#[tokio::test]
async fn a_social_rhythm_week_is_scored_and_kept_whole() {
    let env = env().await;
    let ann = env.ann().await;
    let input = |days| MeasureInput {
        instrument: "srm5".into(),
        answers: MeasureAnswers::Diary(days),
        ..phq9([0; 9], AdministrationMode::SelfReport)
    };
    let day3 = t0().date() + Duration::days(3);
    let errors = invalid(
        env.app
            .record_measure(&ann, env.ann, input(diary_week(9)), None)
            .await,
    );
    assert_eq!(
        errors,
        vec![(
            format!("diary[{day3}].mood"),
            "diary-mood-out-of-range".to_string()
        )]
    );
    assert!(env.measure_rows().await.values().all(|n| *n == 0));

    let week = diary_week(-2);
    let r = env
        .app
        .record_measure(&ann, env.ann, input(week.clone()), None)
        .await
        .unwrap()
        .into_value();
    // Four activities hit on all 7 days, out of bed on 3: (28 + 3) / 5 activities.
    assert_eq!(r.total, Score::from_hundredths(620));
    assert!(r.alert.is_none());
    let back = env
        .app
        .measure(&env.alice().await, env.ann, r.submission)
        .await
        .unwrap();
    assert_eq!(back.diary, Some(week));
    assert_eq!(back.summary.total, r.total);
}

#[tokio::test]
async fn answers_are_filed_only_under_the_clients_own_course_and_session() {
    let env = env().await;
    for (course, session, field, code) in [
        (
            Some(CourseId(Uuid::now_v7())),
            None,
            "course_id",
            "course-not-of-client",
        ),
        (
            None,
            Some(SessionId(Uuid::now_v7())),
            "session_id",
            "session-not-of-client",
        ),
    ] {
        let input = MeasureInput {
            course,
            session,
            ..phq9(
                [1, 1, 1, 1, 1, 1, 1, 1, 0],
                AdministrationMode::ClinicianEntered,
            )
        };
        let errors = invalid(
            env.app
                .record_measure(&env.alice().await, env.ann, input, None)
                .await,
        );
        assert_eq!(errors, vec![(field.to_string(), code.to_string())]);
    }
}
