//! Conformance stories of measure submissions, alerts and safety plans.

use super::foundation::{World, client_for, ev, hash, id, t0, world};
use crate::*;
use kith_domain::audit::{AuditAction, AuditEvent};
use kith_domain::clinic::ClinicSettings;
use kith_domain::ids::*;
use kith_domain::locale::Locale;
use kith_domain::measure::{
    ActivityEntry, AnswerValue, DiaryDay, DoneAt, FindingStatus, Instrument, InstrumentLibrary,
    ItemAnswer, Score, Submission,
};
use kith_domain::safety::{PlanEntry, PlanStatus, SafetyPlan, SafetyPolicy, Tier};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime, Time};

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

fn instrument(id: &str) -> &'static Instrument {
    InstrumentLibrary::builtin()
        .get(id)
        .expect("a shipped instrument")
}

/// PHQ-9 answers for items 1–9 in order.
fn phq9_answers(values: [i64; 9]) -> Vec<ItemAnswer> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| ItemAnswer::new((i + 1).to_string(), *v))
        .collect()
}

/// A scored PHQ-9 submission by `by` for `client`, taken at `at`.
fn phq9(
    w: &World,
    client: ClientId,
    by: UserId,
    values: [i64; 9],
    at: OffsetDateTime,
) -> NewSubmission {
    let i = instrument("phq9");
    let scored = i
        .score(&Submission::items(i, phq9_answers(values)))
        .expect("valid answers");
    new_submission(w, client, by, i, scored, None, at)
}

fn new_submission(
    w: &World,
    client: ClientId,
    by: UserId,
    i: &Instrument,
    scored: kith_domain::measure::ScoredSubmission,
    diary: Option<Vec<DiaryDay>>,
    at: OffsetDateTime,
) -> NewSubmission {
    NewSubmission {
        id: SubmissionId(id()),
        clinic: w.clinic,
        client,
        course: None,
        session: None,
        language: Locale::En,
        respondent: by,
        respondent_role: RespondentRole::Clinician,
        mode: AdministrationMode::ClinicianEntered,
        taken_at: at,
        recorded_at: at,
        scored,
        diary,
        alerting: AlertRules {
            direction: i.direction(),
            change: i.change_rules(),
            policy: SafetyPolicy::default(),
        },
        alert_id: AlertId(id()),
        alert_event: ev(
            AuditAction::Create,
            Some(by),
            Some(w.clinic),
            Some(client),
            "alert",
        ),
    }
}

fn created(w: &World, client: ClientId, by: UserId) -> Vec<AuditEvent> {
    vec![ev(
        AuditAction::Create,
        Some(by),
        Some(w.clinic),
        Some(client),
        "measure_submission",
    )]
}

fn viewed(w: &World, by: UserId) -> AuditEvent {
    ev(AuditAction::Read, Some(by), Some(w.clinic), None, "alert")
}

async fn measure_counts(s: &Arc<dyn Store>) -> BTreeMap<String, i64> {
    s.row_counts()
        .await
        .unwrap()
        .into_iter()
        .filter(|(t, _)| MEASURE_TABLES.contains(&t.as_str()))
        .collect()
}

async fn audit_rows(s: &Arc<dyn Store>, clinic: ClinicId) -> Vec<kith_domain::audit::ChainedEvent> {
    s.audit_report(&AuditFilter {
        clinic: Some(clinic),
        limit: 10_000,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn client_of(s: &Arc<dyn Store>, w: &World, name: &str, carer: Option<UserId>) -> ClientId {
    s.register_client(client_for(w, name, carer), None, &[])
        .await
        .unwrap()
        .into_value()
}

fn idem(user: UserId, key: &str, body: &str) -> Idempotency {
    Idempotency {
        user,
        route: "POST /clients/{id}/measures",
        key: key.into(),
        request_hash: hash(body),
        at: t0(),
    }
}

const ITEM9: [i64; 9] = [1, 1, 1, 1, 1, 1, 1, 1, 2];
const QUIET: [i64; 9] = [1, 1, 1, 1, 1, 1, 1, 1, 0];

pub async fn submissions_are_all_or_nothing(s: Arc<dyn Store>) {
    let w = world(&s, "aon").await;
    let other = world(&s, "aon-other").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let stranger = client_of(&s, &other, "Sam", Some(other.alice)).await;
    let empty = measure_counts(&s).await;
    assert_eq!(empty.len(), MEASURE_TABLES.len(), "every table is counted");
    assert!(empty.values().all(|n| *n == 0));

    // A client that does not exist, and one of another clinic: nothing at all is written.
    let ghost = phq9(&w, ClientId(id()), w.alice, ITEM9, t0());
    assert!(matches!(
        s.record_submission(ghost, None, &created(&w, ann, w.alice))
            .await,
        Err(StoreError::NotFound)
    ));
    let foreign = phq9(&w, stranger, w.alice, ITEM9, t0());
    assert!(matches!(
        s.record_submission(foreign, None, &created(&w, stranger, w.alice))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(measure_counts(&s).await, empty);
    assert!(
        audit_rows(&s, w.clinic)
            .await
            .iter()
            .all(|r| r.event.object_type != "measure_submission")
    );

    // One good submission with its alert.
    let first = phq9(&w, ann, w.alice, ITEM9, t0());
    let taken_alert = first.alert_id;
    let taken_id = first.id;
    s.record_submission(first, None, &created(&w, ann, w.alice))
        .await
        .unwrap();
    let after_one = measure_counts(&s).await;
    let audit_after_one = audit_rows(&s, w.clinic).await.len();

    // A failure at the very last step (the alert's id is already used) takes the answers,
    // the submission and its number back with it.
    let mut clash = phq9(&w, ann, w.alice, ITEM9, t0() + Duration::hours(1));
    clash.alert_id = taken_alert;
    assert!(
        s.record_submission(clash, None, &created(&w, ann, w.alice))
            .await
            .is_err()
    );
    assert_eq!(measure_counts(&s).await, after_one);
    assert_eq!(audit_rows(&s, w.clinic).await.len(), audit_after_one);

    // A reused submission id fails the same way.
    let mut again = phq9(&w, ann, w.alice, QUIET, t0() + Duration::hours(2));
    again.id = taken_id;
    assert!(
        s.record_submission(again, None, &created(&w, ann, w.alice))
            .await
            .is_err()
    );
    assert_eq!(measure_counts(&s).await, after_one);

    // The store is not left stuck: the next good submission goes through.
    let next = s
        .record_submission(
            phq9(&w, ann, w.alice, QUIET, t0() + Duration::hours(3)),
            None,
            &created(&w, ann, w.alice),
        )
        .await
        .unwrap()
        .into_value();
    assert!(next.alert.is_none());
    assert_eq!(
        s.submissions(w.clinic, ann, &[]).await.unwrap().len(),
        2,
        "the two good submissions, nothing of the failed ones"
    );
}

pub async fn answers_are_sealed_and_round_trip(s: Arc<dyn Store>) {
    let w = world(&s, "seal").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;

    let values = [0, 1, 2, 3, 0, 1, 2, 3, 0];
    let mut sub = phq9(&w, ann, w.alice, values, t0());
    sub.language = Locale::Es;
    sub.mode = AdministrationMode::Proxy;
    let sid = sub.id;
    let recorded = s
        .record_submission(sub, None, &created(&w, ann, w.alice))
        .await
        .unwrap();
    assert!(recorded.is_fresh());
    let r = recorded.into_value();
    assert_eq!(r.submission.total, Score::whole(12));
    assert_eq!(r.submission.band.as_deref(), Some("moderate"));
    assert!(r.submission.flags.is_empty());
    assert!(r.alert.is_none());

    let back = s
        .submission(w.clinic, ann, sid, &created(&w, ann, w.alice))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.answers, phq9_answers(values));
    assert_eq!(back.summary.language, Locale::Es);
    assert_eq!(back.summary.mode, AdministrationMode::Proxy);
    assert_eq!(back.summary.respondent, w.alice);
    assert_eq!(back.summary.instrument, "phq9");
    assert_eq!(back.summary.taken_at, t0());
    assert_eq!(back.summary, r.submission);

    // "Not applicable" is kept as such, not as a number.
    let wsas = instrument("wsas");
    let answers = vec![
        ItemAnswer::not_applicable("work"),
        ItemAnswer::new("home", 4),
        ItemAnswer::new("social-leisure", 5),
        ItemAnswer::new("private-leisure", 6),
        ItemAnswer::new("relationships", 7),
    ];
    let scored = wsas
        .score(&Submission::items(wsas, answers.clone()))
        .unwrap();
    let total = scored.total;
    let sub = new_submission(&w, ann, w.alice, wsas, scored, None, t0());
    let wid = sub.id;
    s.record_submission(sub, None, &[]).await.unwrap();
    let back = s
        .submission(w.clinic, ann, wid, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.answers, answers);
    assert_eq!(back.answers[0].value, AnswerValue::NotApplicable);
    assert_eq!(back.summary.total, total);

    // A week of the social-rhythm diary comes back day by day, with its fractional score.
    let srm = instrument("srm5");
    let start = Date::from_calendar_date(2026, time::Month::March, 2).unwrap();
    let days: Vec<DiaryDay> = (0..7)
        .map(|d| DiaryDay {
            date: start + Duration::days(d),
            mood: (d % 3) - 1,
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
                done: (d != 3 || k != 2).then(|| DoneAt {
                    at: Time::from_hms(7 + 3 * k as u8, (d * 11 % 60) as u8, 0).unwrap(),
                    people: k as i64 % 4,
                }),
            })
            .collect(),
        })
        .collect();
    let scored = srm.score(&Submission::diary(srm, days.clone())).unwrap();
    let srm_total = scored.total;
    let sub = new_submission(&w, ann, w.alice, srm, scored, Some(days.clone()), t0());
    let did = sub.id;
    s.record_submission(sub, None, &[]).await.unwrap();
    let back = s
        .submission(w.clinic, ann, did, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.diary, Some(days));
    assert!(back.answers.is_empty());
    assert_eq!(back.summary.total, srm_total);

    // Lists show every submission newest first, without answers; the series holds totals only.
    let list = s.submissions(w.clinic, ann, &[]).await.unwrap();
    assert_eq!(list.len(), 3);
    let series = s.series(w.clinic, ann, "phq9", None, &[]).await.unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].total, Score::whole(12));
    assert_eq!(series[0].submission, sid);
}

pub async fn one_alert_per_submission_under_retries(s: Arc<dyn Store>) {
    let w = world(&s, "retry").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let key = idem(w.alice, "k-1", "phq9 item 9 = 2");

    let first = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0()),
            Some(&key),
            &created(&w, ann, w.alice),
        )
        .await
        .unwrap();
    assert!(first.is_fresh());
    let first = first.into_value();
    let alert = first.alert.clone().expect("item 9 raises an alert");
    assert_eq!(alert.tier, Tier::Alert);
    assert_eq!(
        alert.reasons,
        vec![AlertCause::SafetyItem {
            instrument: "phq9".into(),
            item: "9".into(),
            tier: Tier::Alert
        }]
    );
    assert_eq!(alert.clinicians, vec![w.alice]);
    assert_eq!(alert.status, AlertStatus::Open);
    assert_eq!(first.submission.alert, Some(alert.id));
    assert_eq!(
        first.submission.flags,
        vec![FlagCode {
            item: "9".into(),
            tier: Tier::Alert,
            history: false,
        }]
    );

    // The retry carries a fresh submission id, as a new request would; the key makes it a replay.
    let retry = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0()),
            Some(&key),
            &created(&w, ann, w.alice),
        )
        .await
        .unwrap();
    assert!(!retry.is_fresh());
    assert_eq!(retry.value(), &first);

    // The same key with another body is refused, not replayed.
    let other_body = idem(w.alice, "k-1", "phq9 item 9 = 3");
    assert!(matches!(
        s.record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0()),
            Some(&other_body),
            &created(&w, ann, w.alice)
        )
        .await,
        Err(StoreError::IdempotencyMismatch)
    ));

    let counts = measure_counts(&s).await;
    assert_eq!(counts["measure_submissions"], 1);
    assert_eq!(counts["measure_answers"], 9);
    assert_eq!(counts["alerts"], 1);
    let audit = audit_rows(&s, w.clinic).await;
    let raised: Vec<_> = audit
        .iter()
        .filter(|r| r.event.object_type == "alert" && r.event.action == AuditAction::Create)
        .collect();
    assert_eq!(raised.len(), 1, "one raise, one audit row");
    assert_eq!(raised[0].event.object_id, Some(alert.id.to_string()));
    assert_eq!(raised[0].event.detail.as_deref(), Some("tier=alert"));
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.event.object_type == "measure_submission")
            .count(),
        1
    );

    // A separate answer (another key) is a separate submission with its own alert.
    let second = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0() + Duration::days(1)),
            Some(&idem(w.alice, "k-2", "phq9 item 9 = 2")),
            &created(&w, ann, w.alice),
        )
        .await
        .unwrap()
        .into_value();
    assert_ne!(second.submission.id, first.submission.id);
    assert_ne!(second.alert.map(|a| a.id), Some(alert.id));
    assert_eq!(measure_counts(&s).await["alerts"], 2);
}

pub async fn concurrent_same_key_writes_one_alert(s: Arc<dyn Store>) {
    let w = Arc::new(world(&s, "race-same").await);
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, w) = (s.clone(), w.clone());
        tasks.push(tokio::spawn(async move {
            let key = idem(w.alice, "double-click", "same body");
            s.record_submission(
                phq9(&w, ann, w.alice, ITEM9, t0()),
                Some(&key),
                &created(&w, ann, w.alice),
            )
            .await
        }));
    }
    let mut fresh = Vec::new();
    let mut replayed = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(Written::Fresh(r)) => fresh.push(r),
            Ok(Written::Replayed(r)) => replayed.push(r),
            Err(StoreError::IdempotencyInProgress) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(fresh.len(), 1);
    for r in &replayed {
        assert_eq!(r, &fresh[0], "a replay returns what the first stored");
    }
    let counts = measure_counts(&s).await;
    assert_eq!(counts["measure_submissions"], 1);
    assert_eq!(counts["alerts"], 1);
    assert_eq!(
        audit_rows(&s, w.clinic)
            .await
            .iter()
            .filter(|r| r.event.object_type == "alert")
            .count(),
        1
    );
}

pub async fn concurrent_different_keys_write_one_alert_each(s: Arc<dyn Store>) {
    let w = Arc::new(world(&s, "race-many").await);
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (s, w) = (s.clone(), w.clone());
        tasks.push(tokio::spawn(async move {
            let key = idem(w.alice, &format!("key-{n}"), &format!("body-{n}"));
            s.record_submission(
                phq9(&w, ann, w.alice, ITEM9, t0() + Duration::minutes(n)),
                Some(&key),
                &created(&w, ann, w.alice),
            )
            .await
        }));
    }
    let mut alerts = Vec::new();
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        assert!(r.is_fresh());
        alerts.push(r.into_value().alert.expect("each raises its alert").id);
    }
    alerts.sort();
    alerts.dedup();
    assert_eq!(alerts.len(), 8);
    let counts = measure_counts(&s).await;
    assert_eq!(counts["measure_submissions"], 8);
    assert_eq!(counts["measure_answers"], 72);
    assert_eq!(counts["alerts"], 8);
    let open = s
        .open_alerts(
            w.clinic,
            AlertScope::Clinician(w.alice),
            &viewed(&w, w.alice),
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 8);
    let mut subs: Vec<_> = open.iter().map(|a| a.submission.unwrap()).collect();
    subs.sort();
    subs.dedup();
    assert_eq!(subs.len(), 8, "each alert belongs to its own submission");
}

async fn set_escalation(s: &Arc<dyn Store>, clinic: ClinicId, minutes: u32) {
    let c = s.clinic(clinic).await.unwrap().unwrap();
    let settings = ClinicSettings {
        alert_escalation_minutes: minutes,
        ..c.settings.clone()
    };
    s.update_clinic(clinic, &c.name, &settings, c.version, &[])
        .await
        .unwrap();
}

pub async fn escalation_happens_once_after_the_clinic_time(s: Arc<dyn Store>) {
    let w = world(&s, "esc").await;
    set_escalation(&s, w.clinic, 30).await;
    // Another clinic with the default (four hours) shows the setting is per clinic.
    let slow = world(&s, "esc-slow").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let sid = client_of(&s, &slow, "Sid", Some(slow.alice)).await;
    let a = s
        .record_submission(phq9(&w, ann, w.alice, ITEM9, t0()), None, &[])
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let b = s
        .record_submission(phq9(&slow, sid, slow.alice, ITEM9, t0()), None, &[])
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let sue_sees = |s: Arc<dyn Store>, w_clinic: ClinicId, sue: UserId| async move {
        s.open_alerts(
            w_clinic,
            AlertScope::Supervisor(sue),
            &viewed_any(w_clinic, sue),
        )
        .await
        .unwrap()
    };

    assert!(
        s.escalate_due(t0() + Duration::minutes(29))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        sue_sees(s.clone(), w.clinic, w.sue).await.is_empty(),
        "not before its time"
    );
    assert_eq!(
        s.escalate_due(t0() + Duration::minutes(30)).await.unwrap(),
        vec![a.id]
    );
    assert!(
        s.escalate_due(t0() + Duration::minutes(31))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.escalate_due(t0() + Duration::minutes(90))
            .await
            .unwrap()
            .is_empty()
    );
    let seen = sue_sees(s.clone(), w.clinic, w.sue).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].escalated_at, Some(t0() + Duration::minutes(30)));
    // Bob neither cares for Ann nor supervises her clinician.
    assert!(
        s.open_alerts(w.clinic, AlertScope::Clinician(w.bob), &viewed(&w, w.bob))
            .await
            .unwrap()
            .is_empty()
    );

    let escalations: Vec<_> = audit_rows(&s, w.clinic)
        .await
        .into_iter()
        .filter(|r| r.event.detail.as_deref() == Some("escalated"))
        .collect();
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0].event.actor, None);
    assert_eq!(escalations[0].event.object_id, Some(a.id.to_string()));
    assert_eq!(escalations[0].event.client, Some(ann));

    // The slower clinic's alert waits for its own four hours.
    assert_eq!(
        s.escalate_due(t0() + Duration::minutes(240)).await.unwrap(),
        vec![b.id]
    );

    // Two sweeps racing (two servers) escalate a due alert once between them.
    let c = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0() + Duration::hours(5)),
            None,
            &[],
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let later = t0() + Duration::hours(6);
    let (x, y) = tokio::join!(
        {
            let s = s.clone();
            async move { s.escalate_due(later).await.unwrap() }
        },
        {
            let s = s.clone();
            async move { s.escalate_due(later).await.unwrap() }
        }
    );
    let mut both = x;
    both.extend(y);
    assert_eq!(both, vec![c.id]);

    // An acknowledged alert never escalates.
    let d = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0() + Duration::hours(7)),
            None,
            &[],
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    s.acknowledge_alert(
        w.clinic,
        d.id,
        w.alice,
        "Called Ann; safe tonight.",
        t0() + Duration::hours(7),
        &[],
    )
    .await
    .unwrap();
    assert!(
        s.escalate_due(t0() + Duration::days(3))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        audit_rows(&s, w.clinic)
            .await
            .iter()
            .filter(|r| r.event.detail.as_deref() == Some("escalated"))
            .count(),
        2
    );
}

fn viewed_any(clinic: ClinicId, by: UserId) -> AuditEvent {
    ev(AuditAction::Read, Some(by), Some(clinic), None, "alert")
}

pub async fn acknowledgement_is_recorded_once(s: Arc<dyn Store>) {
    let w = world(&s, "ack").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let alert = s
        .record_submission(phq9(&w, ann, w.alice, ITEM9, t0()), None, &[])
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let at = t0() + Duration::minutes(20);
    let done = s
        .acknowledge_alert(
            w.clinic,
            alert.id,
            w.alice,
            "Phoned Ann, reviewed her safety plan together; next session brought forward.",
            at,
            &[ev(
                AuditAction::Update,
                Some(w.alice),
                Some(w.clinic),
                Some(ann),
                "alert",
            )],
        )
        .await
        .unwrap();
    assert_eq!(done.status, AlertStatus::Acknowledged);
    assert_eq!(done.acknowledged_by, Some(w.alice));
    assert_eq!(done.acknowledged_at, Some(at));
    assert!(
        done.action_note
            .as_deref()
            .unwrap()
            .starts_with("Phoned Ann")
    );

    // A second acknowledgement (another tab, the supervisor) is refused and changes nothing.
    let again = s
        .acknowledge_alert(
            w.clinic,
            alert.id,
            w.sue,
            "Also called.",
            at + Duration::minutes(1),
            &[],
        )
        .await;
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    let kept = s.alert(w.clinic, alert.id, &[]).await.unwrap().unwrap();
    assert_eq!(kept, done);

    // It leaves the dashboards and stays in the client's history.
    assert!(
        s.open_alerts(
            w.clinic,
            AlertScope::Clinician(w.alice),
            &viewed(&w, w.alice)
        )
        .await
        .unwrap()
        .is_empty()
    );
    let history = s
        .client_alerts(w.clinic, ann, &viewed(&w, w.alice))
        .await
        .unwrap();
    assert_eq!(history, vec![done.clone()]);

    // Two clinicians acknowledging at once: one wins.
    let other = s
        .record_submission(
            phq9(&w, ann, w.alice, ITEM9, t0() + Duration::hours(1)),
            None,
            &[],
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    let (clinic, alice, sue) = (w.clinic, w.alice, w.sue);
    let ack_event = |by: UserId| {
        vec![ev(
            AuditAction::Update,
            Some(by),
            Some(clinic),
            Some(ann),
            "alert",
        )]
    };
    let (x, y) = tokio::join!(
        {
            let (s, e) = (s.clone(), ack_event(alice));
            async move {
                s.acknowledge_alert(clinic, other.id, alice, "first", at, &e)
                    .await
            }
        },
        {
            let (s, e) = (s.clone(), ack_event(sue));
            async move {
                s.acknowledge_alert(clinic, other.id, sue, "second", at, &e)
                    .await
            }
        }
    );
    assert_eq!(usize::from(x.is_ok()) + usize::from(y.is_ok()), 1);
    let acks = audit_rows(&s, w.clinic)
        .await
        .iter()
        .filter(|r| r.event.object_type == "alert" && r.event.action == AuditAction::Update)
        .count();
    assert_eq!(
        acks, 2,
        "the first acknowledgement and the winner of the race; refusals write none"
    );
}

pub async fn alert_scopes_follow_care_and_supervision(s: Arc<dyn Store>) {
    let w = world(&s, "scope").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let ben = client_of(&s, &w, "Ben", Some(w.bob)).await;
    let cat = client_of(&s, &w, "Cat", Some(w.sue)).await;
    let nobody = client_of(&s, &w, "Dee", None).await;
    let mut ids = BTreeMap::new();
    for (name, client, by) in [
        ("ann", ann, w.alice),
        ("ben", ben, w.bob),
        ("cat", cat, w.sue),
        ("dee", nobody, w.admin),
    ] {
        let a = s
            .record_submission(phq9(&w, client, by, ITEM9, t0()), None, &[])
            .await
            .unwrap()
            .into_value()
            .alert
            .unwrap();
        ids.insert(name, a);
    }
    assert!(
        ids["dee"].clinicians.is_empty(),
        "nobody was caring for Dee"
    );

    let names = |alerts: &[Alert]| {
        let mut v: Vec<&str> = alerts
            .iter()
            .map(|a| {
                ids.iter()
                    .find(|(_, x)| x.id == a.id)
                    .map(|(n, _)| *n)
                    .unwrap()
            })
            .collect();
        v.sort();
        v
    };
    let alice = s
        .open_alerts(
            w.clinic,
            AlertScope::Clinician(w.alice),
            &viewed(&w, w.alice),
        )
        .await
        .unwrap();
    assert_eq!(names(&alice), vec!["ann"]);
    let sue = s
        .open_alerts(w.clinic, AlertScope::Supervisor(w.sue), &viewed(&w, w.sue))
        .await
        .unwrap();
    assert_eq!(
        names(&sue),
        vec!["cat"],
        "a supervisee's alert only once escalated"
    );
    // The banner's count agrees with the dashboards, and reading it leaves no audit row.
    let before = audit_rows(&s, w.clinic).await.len();
    assert_eq!(
        s.count_open_alerts(w.clinic, AlertScope::Clinician(w.alice))
            .await
            .unwrap(),
        alice.len()
    );
    assert_eq!(
        s.count_open_alerts(w.clinic, AlertScope::Supervisor(w.sue))
            .await
            .unwrap(),
        sue.len()
    );
    assert_eq!(audit_rows(&s, w.clinic).await.len(), before);

    // Each alert shown is one audit row naming the alert and its client.
    let reads: Vec<_> = audit_rows(&s, w.clinic)
        .await
        .into_iter()
        .filter(|r| r.event.actor == Some(w.alice) && r.event.action == AuditAction::Read)
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].event.object_id, Some(ids["ann"].id.to_string()));
    assert_eq!(reads[0].event.client, Some(ann));

    // The admin sees counts and ids, nothing clinical.
    let overview = s.clinic_alerts(w.clinic, &[]).await.unwrap();
    assert_eq!(overview.open, 4);
    assert_eq!(overview.escalated, 0);
    assert!(overview.alerts.iter().any(|r| r.client == nobody));

    // Bob takes Ann over as well: he sees her open alert; the record of who was responsible
    // when it was raised does not change.
    s.assign_client(w.clinic, ann, w.bob, true, t0(), &[])
        .await
        .unwrap();
    let bob = s
        .open_alerts(w.clinic, AlertScope::Clinician(w.bob), &viewed(&w, w.bob))
        .await
        .unwrap();
    assert_eq!(names(&bob), vec!["ann", "ben"]);
    let ann_alert = bob.iter().find(|a| a.client == ann).unwrap();
    assert_eq!(ann_alert.clinicians, vec![w.alice]);

    // Most urgent first: an urgent HAM-D suicide item comes before earlier alerts.
    let hamd = instrument("hamd17");
    let answers: Vec<ItemAnswer> = hamd
        .items()
        .iter()
        .map(|i| ItemAnswer::new(i.id.clone(), if i.id == "3" { 4 } else { 0 }))
        .collect();
    let scored = hamd.score(&Submission::items(hamd, answers)).unwrap();
    let urgent = s
        .record_submission(
            new_submission(
                &w,
                ann,
                w.alice,
                hamd,
                scored,
                None,
                t0() + Duration::hours(1),
            ),
            None,
            &[],
        )
        .await
        .unwrap()
        .into_value()
        .alert
        .unwrap();
    assert_eq!(urgent.tier, Tier::Urgent);
    let alice = s
        .open_alerts(
            w.clinic,
            AlertScope::Clinician(w.alice),
            &viewed(&w, w.alice),
        )
        .await
        .unwrap();
    assert_eq!(alice.len(), 2);
    assert_eq!(alice[0].id, urgent.id);
}

pub async fn reliable_deterioration_raises_an_alert(s: Arc<dyn Store>) {
    let w = world(&s, "worse").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    // Baseline 8, then 13 (+5: not reliable), then 14 (+6: reliable deterioration on PHQ-9).
    let steps: [([i64; 9], bool); 3] = [
        ([1, 1, 1, 1, 1, 1, 1, 1, 0], false),
        ([2, 2, 2, 2, 1, 1, 1, 2, 0], false),
        ([2, 2, 2, 2, 2, 1, 1, 2, 0], true),
    ];
    let mut last = None;
    for (n, (values, alerts)) in steps.iter().enumerate() {
        let r = s
            .record_submission(
                phq9(&w, ann, w.alice, *values, t0() + Duration::weeks(n as i64)),
                None,
                &[],
            )
            .await
            .unwrap()
            .into_value();
        assert_eq!(r.alert.is_some(), *alerts, "step {n}");
        last = Some(r);
    }
    let r = last.unwrap();
    assert_eq!(r.analysis.count, 3);
    assert_eq!(
        r.analysis.reliable_deterioration.status,
        FindingStatus::Suggested
    );
    let alert = r.alert.unwrap();
    assert_eq!(alert.tier, Tier::Review);
    assert_eq!(
        alert.reasons,
        vec![AlertCause::ReliableDeterioration {
            instrument: "phq9".into(),
            baseline: Score::whole(8),
            latest: Score::whole(14),
            worsening: Score::whole(6),
            threshold: Score::whole(6),
        }]
    );
    assert!(r.submission.flags.is_empty());

    // A submission taken earlier than the rest joins the series in date order: it becomes the
    // baseline the next reading is compared with.
    let mut early = phq9(
        &w,
        ann,
        w.alice,
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        t0() - Duration::weeks(1),
    );
    early.alerting.policy = SafetyPolicy {
        deterioration_tier: Some(Tier::Alert),
    };
    let r = s
        .record_submission(early, None, &[])
        .await
        .unwrap()
        .into_value();
    assert_eq!(r.analysis.baseline.unwrap().score, Score::ZERO);
    assert_eq!(r.analysis.latest.unwrap().score, Score::whole(14));
    // The latest reading is 14 points above the new baseline, so this submission raises an
    // alert at the clinic's chosen tier.
    assert_eq!(r.alert.unwrap().tier, Tier::Alert);

    // A clinic that turned deterioration alerts off gets none.
    let bea = client_of(&s, &w, "Bea", Some(w.alice)).await;
    for (n, values) in [[0; 9], [3, 3, 3, 3, 3, 3, 3, 3, 0]]
        .into_iter()
        .enumerate()
    {
        let mut sub = phq9(&w, bea, w.alice, values, t0() + Duration::weeks(n as i64));
        sub.alerting.policy = SafetyPolicy {
            deterioration_tier: None,
        };
        let r = s
            .record_submission(sub, None, &[])
            .await
            .unwrap()
            .into_value();
        assert!(r.alert.is_none());
    }
}

fn plan_with(warning: &str) -> SafetyPlan {
    let mut p = SafetyPlan::new();
    p.warning_signs.push(PlanEntry::text(warning));
    p.help_contacts.push(PlanEntry {
        text: "My sister".into(),
        contact: Some("Rosa".into()),
        phone: Some("+34 600 000 000".into()),
        hours: None,
    });
    p
}

fn save(w: &World, client: ClientId, plan: SafetyPlan, expected: i64) -> SafetyPlanSave {
    SafetyPlanSave {
        clinic: w.clinic,
        client,
        plan,
        expected_version: expected,
        saved_by: w.alice,
        saved_at: t0() + Duration::minutes(expected),
    }
}

pub async fn safety_plans_are_versioned(s: Arc<dyn Store>) {
    let w = world(&s, "plan").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    assert!(
        s.safety_plan(w.clinic, ann, None, &[])
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.safety_plan_versions(w.clinic, ann, &[])
            .await
            .unwrap()
            .is_empty()
    );

    let v1 = s
        .save_safety_plan(save(&w, ann, plan_with("Not sleeping"), 0), &[])
        .await
        .unwrap();
    assert_eq!((v1.version, v1.latest_version, v1.plan.version), (1, 1, 1));
    // Someone else also starting from "no plan" is told a plan now exists.
    assert!(matches!(
        s.save_safety_plan(save(&w, ann, plan_with("Other"), 0), &[])
            .await,
        Err(StoreError::VersionConflict { current: 1 })
    ));
    let mut second = plan_with("Not sleeping; staying in bed all day");
    second.status = PlanStatus::Complete;
    let v2 = s
        .save_safety_plan(save(&w, ann, second.clone(), 1), &[])
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    // A stale editor writes nothing.
    let stale = s
        .save_safety_plan(save(&w, ann, plan_with("Lost"), 1), &[])
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    let ahead = s
        .save_safety_plan(save(&w, ann, plan_with("Lost"), 7), &[])
        .await;
    assert!(matches!(
        ahead,
        Err(StoreError::VersionConflict { current: 2 })
    ));
    assert_eq!(measure_counts(&s).await["safety_plan_versions"], 2);

    let latest = s
        .safety_plan(w.clinic, ann, None, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(
        latest.plan,
        SafetyPlan {
            version: 2,
            ..second
        }
    );
    assert_eq!(latest.saved_by, w.alice);
    let first = s
        .safety_plan(w.clinic, ann, Some(1), &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.plan.warning_signs[0].text, "Not sleeping");
    assert_eq!(first.latest_version, 2);
    assert_eq!(first.id, latest.id, "all versions share the plan's id");
    assert!(
        s.safety_plan(w.clinic, ann, Some(3), &[])
            .await
            .unwrap()
            .is_none()
    );

    let versions = s.safety_plan_versions(w.clinic, ann, &[]).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.status, v.saved_by))
            .collect::<Vec<_>>(),
        vec![
            (2, PlanStatus::Complete, w.alice),
            (1, PlanStatus::Draft, w.alice)
        ]
    );
    assert_eq!(versions[0].saved_by_name, "alice.plan");

    // Two first saves at once: one plan, one version 1.
    let bea = client_of(&s, &w, "Bea", Some(w.alice)).await;
    let (x, y) = tokio::join!(
        {
            let (s, p) = (s.clone(), save(&w, bea, plan_with("a"), 0));
            async move { s.save_safety_plan(p, &[]).await }
        },
        {
            let (s, p) = (s.clone(), save(&w, bea, plan_with("b"), 0));
            async move { s.save_safety_plan(p, &[]).await }
        }
    );
    assert_eq!(usize::from(x.is_ok()) + usize::from(y.is_ok()), 1);
    assert!(matches!(
        x.err().or(y.err()),
        Some(StoreError::VersionConflict { current: 1 })
    ));
    assert_eq!(
        s.safety_plan_versions(w.clinic, bea, &[])
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn measure_queries_never_cross_clinics(s: Arc<dyn Store>) {
    let w = world(&s, "iso-a").await;
    let b = world(&s, "iso-b").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    let rec = s
        .record_submission(phq9(&w, ann, w.alice, ITEM9, t0()), None, &[])
        .await
        .unwrap()
        .into_value();
    let alert = rec.alert.unwrap();
    s.save_safety_plan(save(&w, ann, plan_with("x"), 0), &[])
        .await
        .unwrap();
    s.escalate_due(t0() + Duration::days(1)).await.unwrap();

    // Clinic B, asking about clinic A's records, finds nothing and changes nothing.
    let ours = b.clinic;
    assert!(s.submissions(ours, ann, &[]).await.unwrap().is_empty());
    assert!(
        s.submission(ours, ann, rec.submission.id, &[])
            .await
            .unwrap()
            .is_none()
    );
    // Nor is a submission found under another client of its own clinic.
    let olga = client_of(&s, &w, "Olga", Some(w.alice)).await;
    assert!(
        s.submission(w.clinic, olga, rec.submission.id, &[])
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.series(ours, ann, "phq9", None, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.alert(ours, alert.id, &[]).await.unwrap().is_none());
    assert!(s.alert_client(ours, alert.id).await.unwrap().is_none());
    assert!(
        s.client_alerts(ours, ann, &viewed(&b, b.alice))
            .await
            .unwrap()
            .is_empty()
    );
    for scope in [
        AlertScope::Clinician(w.alice),
        AlertScope::Supervisor(w.sue),
    ] {
        assert!(
            s.open_alerts(ours, scope, &viewed(&b, b.alice))
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(s.clinic_alerts(ours, &[]).await.unwrap().open, 0);
    assert!(matches!(
        s.acknowledge_alert(ours, alert.id, b.alice, "note", t0(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(s.safety_plan(ours, ann, None, &[]).await.unwrap().is_none());
    assert!(
        s.safety_plan_versions(ours, ann, &[])
            .await
            .unwrap()
            .is_empty()
    );
    let mut foreign = save(&w, ann, plan_with("y"), 1);
    foreign.clinic = ours;
    assert!(matches!(
        s.save_safety_plan(foreign, &[]).await,
        Err(StoreError::NotFound)
    ));
    // Clinic A still sees its own.
    assert_eq!(s.clinic_alerts(w.clinic, &[]).await.unwrap().open, 1);
    let still = s.alert(w.clinic, alert.id, &[]).await.unwrap().unwrap();
    assert_eq!(still.status, AlertStatus::Open);
    assert_eq!(
        s.safety_plan_versions(w.clinic, ann, &[])
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn measure_tables_are_counted(s: Arc<dyn Store>) {
    let w = world(&s, "count").await;
    let ann = client_of(&s, &w, "Ann", Some(w.alice)).await;
    s.record_submission(phq9(&w, ann, w.alice, ITEM9, t0()), None, &[])
        .await
        .unwrap();
    s.save_safety_plan(save(&w, ann, plan_with("x"), 0), &[])
        .await
        .unwrap();
    let counts = measure_counts(&s).await;
    let expected: BTreeMap<String, i64> = [
        ("measure_client_seq", 1),
        ("measure_submissions", 1),
        ("measure_answers", 9),
        ("measure_diaries", 0),
        ("alerts", 1),
        ("alert_clinicians", 1),
        ("safety_plans", 1),
        ("safety_plan_versions", 1),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_string(), n))
    .collect();
    assert_eq!(counts, expected);
}
