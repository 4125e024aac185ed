//! Tamper evidence of the audit trail (security-bar AD-2): random edits, deletions, insertions,
//! reorders and tail truncations are all detected, at or before the first changed row.

use kith_domain::audit::{Anchor, AuditAction, AuditEvent, ChainedEvent, Outcome, link, verify};
use kith_domain::ids::{ClinicId, UserId};
use proptest::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

fn event(i: u64) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::from_unix_timestamp(1_760_000_000 + i as i64).unwrap(),
        actor: Some(UserId(Uuid::from_u128(i as u128 % 7))),
        actor_role: Some("clinician".into()),
        clinic: Some(ClinicId(Uuid::from_u128(1))),
        client: None,
        object_type: "client".into(),
        object_id: Some(format!("obj-{i}")),
        action: if i.is_multiple_of(3) {
            AuditAction::Read
        } else {
            AuditAction::Update
        },
        outcome: Outcome::Success,
        source: Some("127.0.0.1".into()),
        detail: None,
    }
}

fn trail(n: usize) -> Vec<ChainedEvent> {
    let mut out: Vec<ChainedEvent> = Vec::with_capacity(n);
    for i in 0..n {
        let prev = out.last().map(|r| (r.seq, r.hash));
        out.push(link(prev, event(i as u64)));
    }
    out
}

#[derive(Debug, Clone)]
enum Tamper {
    EditObject(usize),
    EditOutcome(usize),
    EditTime(usize),
    Delete(usize),
    Insert(usize),
    InsertRelinked(usize),
    Swap(usize, usize),
    Truncate(usize),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        any::<usize>().prop_map(Tamper::EditObject),
        any::<usize>().prop_map(Tamper::EditOutcome),
        any::<usize>().prop_map(Tamper::EditTime),
        any::<usize>().prop_map(Tamper::Delete),
        any::<usize>().prop_map(Tamper::Insert),
        any::<usize>().prop_map(Tamper::InsertRelinked),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Tamper::Swap(a, b)),
        any::<usize>().prop_map(Tamper::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_tampering_is_detected(n in 2usize..40, t in tamper()) {
        let original = trail(n);
        let anchor = original.last().map(|r| Anchor { seq: r.seq, hash: r.hash });
        prop_assert_eq!(verify(&original, anchor), Ok(n));
        let mut rows = original.clone();
        match t {
            Tamper::EditObject(i) => rows[i % n].event.object_id = Some("changed".into()),
            Tamper::EditOutcome(i) => rows[i % n].event.outcome = Outcome::Denied,
            Tamper::EditTime(i) => rows[i % n].event.at += time::Duration::seconds(1),
            Tamper::Delete(i) => { rows.remove(i % n); }
            Tamper::Insert(i) => {
                // A forged row copied from elsewhere in the trail.
                let forged = rows[(i + 1) % n].clone();
                rows.insert(i % n, forged);
            }
            Tamper::InsertRelinked(i) => {
                // A forger who recomputes the forged row's own hash but cannot rewrite the rest.
                let at = i % n;
                let prev = if at == 0 { None } else { Some((rows[at - 1].seq, rows[at - 1].hash)) };
                rows.insert(at, link(prev, event(999)));
            }
            Tamper::Swap(a, b) => {
                let (a, b) = (a % n, b % n);
                prop_assume!(a != b);
                rows.swap(a, b);
            }
            Tamper::Truncate(k) => { rows.truncate(k % n); }
        }
        prop_assert!(verify(&rows, anchor).is_err(), "tampering {:?} went unnoticed", t);
    }
}

#[test]
fn names_the_first_broken_row() {
    let mut rows = trail(10);
    rows[6].event.detail = Some("edited".into());
    let err = verify(&rows, None).unwrap_err();
    assert_eq!(err.seq(), 7);
}
