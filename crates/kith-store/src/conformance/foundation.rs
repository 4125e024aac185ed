//! Conformance stories of the foundation: setup, people, sessions, throttling, second factors,
//! API tokens, clients, idempotency, versions, audit.

use crate::*;
use kith_domain::audit::{AuditAction, AuditEvent, Outcome, verify};
use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::*;
use kith_domain::policy::ClientFacts;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub(crate) fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap()
}

pub(crate) fn id() -> Uuid {
    Uuid::now_v7()
}

pub(crate) fn ev(
    action: AuditAction,
    actor: Option<UserId>,
    clinic: Option<ClinicId>,
    client: Option<ClientId>,
    object: &str,
) -> AuditEvent {
    AuditEvent {
        at: t0(),
        actor,
        actor_role: actor.map(|_| "clinician".to_string()),
        clinic,
        client,
        object_type: object.to_string(),
        object_id: None,
        action,
        outcome: Outcome::Success,
        source: Some("127.0.0.1".into()),
        detail: None,
    }
}

pub(crate) fn hash(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

pub(crate) fn new_user(email: &str) -> NewUser {
    NewUser {
        id: UserId(id()),
        email: email.to_string(),
        display_name: email.split('@').next().unwrap_or(email).to_string(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into()),
        operator: false,
        locale: None,
        created_at: t0(),
    }
}

pub(crate) fn new_clinic(name: &str) -> NewClinic {
    NewClinic {
        id: ClinicId(id()),
        name: name.into(),
        settings: ClinicSettings::default(),
        created_at: t0(),
    }
}

/// A clinic with an admin, two clinicians (one supervised) and a supervisor.
pub(crate) struct World {
    pub clinic: ClinicId,
    pub admin: UserId,
    pub alice: UserId,
    pub bob: UserId,
    pub sue: UserId,
}

pub(crate) async fn world(s: &Arc<dyn Store>, tag: &str) -> World {
    let c = new_clinic(&format!("Clinic {tag}"));
    let clinic = c.id;
    s.create_clinic(c, &[]).await.unwrap();
    let mut ids = Vec::new();
    for (who, role) in [
        ("admin", Role::ClinicAdmin),
        ("alice", Role::Clinician),
        ("bob", Role::Clinician),
        ("sue", Role::Supervisor),
    ] {
        let u = new_user(&format!("{who}.{tag}@example.org"));
        ids.push(u.id);
        s.create_user(u, Some((clinic, role)), &[]).await.unwrap();
    }
    s.set_supervision(clinic, ids[3], ids[1], true, t0(), &[])
        .await
        .unwrap();
    World {
        clinic,
        admin: ids[0],
        alice: ids[1],
        bob: ids[2],
        sue: ids[3],
    }
}

pub(crate) fn details(name: &str) -> ClientDetails {
    ClientDetails {
        display_name: name.into(),
        date_of_birth: None,
        contact: None,
    }
}

pub(crate) fn client_for(w: &World, name: &str, clinician: Option<UserId>) -> NewClient {
    NewClient {
        id: ClientId(id()),
        clinic: w.clinic,
        display_name: name.into(),
        date_of_birth: None,
        contact: Some(format!("{name}'s phone 0123")),
        created_by: w.admin,
        created_at: t0(),
        assign_to: clinician,
    }
}

pub async fn setup_makes_one_first_admin(s: Arc<dyn Store>) {
    assert!(!s.has_users().await.unwrap());
    let token = hash("setup-1");
    s.create_setup_token(token, t0(), t0() + Duration::hours(24))
        .await
        .unwrap();
    // A newer link replaces the older one.
    let token2 = hash("setup-2");
    s.create_setup_token(token2, t0(), t0() + Duration::hours(24))
        .await
        .unwrap();
    let admin = NewUser {
        operator: true,
        ..new_user("first@example.org")
    };
    let r = s
        .complete_setup(token, t0(), new_clinic("Old link"), admin.clone(), &[])
        .await;
    assert!(matches!(r, Err(StoreError::Expired)), "{r:?}");
    // Past its expiry it is refused too.
    let late = s
        .complete_setup(
            token2,
            t0() + Duration::hours(25),
            new_clinic("Late"),
            admin.clone(),
            &[],
        )
        .await;
    assert!(matches!(late, Err(StoreError::Expired)));
    let clinic = new_clinic("Riverside");
    let clinic_id = clinic.id;
    s.complete_setup(
        token2,
        t0(),
        clinic,
        admin.clone(),
        &[ev(
            AuditAction::Setup,
            Some(admin.id),
            Some(clinic_id),
            None,
            "clinic",
        )],
    )
    .await
    .unwrap();
    assert!(s.has_users().await.unwrap());
    let ms = s.memberships(admin.id).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].role, Role::ClinicAdmin);
    assert_eq!(ms[0].clinic_name, "Riverside");
    assert!(s.user(admin.id).await.unwrap().unwrap().operator);
    // Single use.
    let again = s
        .complete_setup(
            token2,
            t0(),
            new_clinic("Again"),
            new_user("second@example.org"),
            &[],
        )
        .await;
    assert!(matches!(again, Err(StoreError::Expired)));
    // Even a fresh link cannot make a second first admin.
    let token3 = hash("setup-3");
    s.create_setup_token(token3, t0(), t0() + Duration::hours(24))
        .await
        .unwrap();
    let third = s
        .complete_setup(
            token3,
            t0(),
            new_clinic("Third"),
            new_user("third@example.org"),
            &[],
        )
        .await;
    assert!(matches!(third, Err(StoreError::Expired)));
    assert_eq!(s.clinics().await.unwrap().len(), 1);
}

pub async fn users_memberships_and_supervision(s: Arc<dyn Store>) {
    let w = world(&s, "um").await;
    let dup = s
        .create_user(new_user("alice.um@example.org"), None, &[])
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate("email"))),
        "{dup:?}"
    );
    let alice = s
        .user_by_email("alice.um@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.id, w.alice);
    assert!(!alice.second_factor_enrolled);
    let members = s.members(w.clinic).await.unwrap();
    assert_eq!(members.len(), 4);
    let a = members.iter().find(|m| m.user.id == w.alice).unwrap();
    assert_eq!(a.supervisors, vec![w.sue]);
    // A supervisor link needs a supervisor on one side.
    let bad = s
        .set_supervision(w.clinic, w.bob, w.alice, true, t0(), &[])
        .await;
    assert!(matches!(bad, Err(StoreError::NotFound)));
    // Role change and disabling end the member's sessions in that clinic.
    let sess = session(w.bob, Some(w.clinic), "bob-1");
    s.create_session(sess.clone()).await.unwrap();
    s.set_member_role(w.clinic, w.bob, Role::Supervisor, t0(), &[])
        .await
        .unwrap();
    assert!(
        s.session(sess.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some()
    );
    let sess2 = session(w.bob, Some(w.clinic), "bob-2");
    s.create_session(sess2.clone()).await.unwrap();
    s.set_member_disabled(w.clinic, w.bob, true, t0(), &[])
        .await
        .unwrap();
    assert!(
        s.session(sess2.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some()
    );
    assert!(s.memberships(w.bob).await.unwrap()[0].disabled);
    // Password change ends every other session.
    let keep = session(w.alice, Some(w.clinic), "alice-keep");
    let other = session(w.alice, Some(w.clinic), "alice-other");
    s.create_session(keep.clone()).await.unwrap();
    s.create_session(other.clone()).await.unwrap();
    s.set_password(w.alice, "$argon2id$new", t0(), Some(keep.token_hash), &[])
        .await
        .unwrap();
    assert!(
        s.session(keep.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_none()
    );
    assert!(
        s.session(other.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some()
    );
    assert_eq!(
        s.user(w.alice)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$new")
    );
}

pub(crate) fn session(user: UserId, clinic: Option<ClinicId>, token: &str) -> AuthSession {
    AuthSession {
        token_hash: hash(token),
        user,
        clinic,
        role: Some(Role::Clinician),
        created_at: t0(),
        last_seen_at: t0(),
        expires_at: t0() + Duration::hours(12),
        second_factor_at: None,
        reauth_at: None,
        csrf_token: format!("csrf-{token}"),
        source: Some("127.0.0.1".into()),
        user_agent: Some("test".into()),
        ended_at: None,
    }
}

pub async fn invitations_are_single_use(s: Arc<dyn Store>) {
    let w = world(&s, "inv").await;
    let inv = Invitation {
        id: InvitationId(id()),
        clinic: w.clinic,
        email: "new.clinician@example.org".into(),
        role: Role::Clinician,
        client: None,
        created_by: w.admin,
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        accepted_at: None,
        revoked_at: None,
    };
    s.create_invitation(inv.clone(), hash("inv-1"), &[])
        .await
        .unwrap();
    let found = s.invitation_by_token(hash("inv-1")).await.unwrap().unwrap();
    assert_eq!(found.email, "new.clinician@example.org");
    let late = s
        .accept_invitation(
            hash("inv-1"),
            t0() + Duration::days(8),
            Invitee::New(new_user("new.clinician@example.org")),
            &[],
        )
        .await;
    assert!(matches!(late, Err(StoreError::Expired)));
    let user = s
        .accept_invitation(
            hash("inv-1"),
            t0(),
            Invitee::New(new_user("new.clinician@example.org")),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(s.memberships(user).await.unwrap()[0].role, Role::Clinician);
    let again = s
        .accept_invitation(
            hash("inv-1"),
            t0(),
            Invitee::New(new_user("other@example.org")),
            &[],
        )
        .await;
    assert!(matches!(again, Err(StoreError::Expired)));
    // A revoked invitation cannot be used; revoking twice is "not found".
    let inv2 = Invitation {
        id: InvitationId(id()),
        email: "x@example.org".into(),
        ..inv
    };
    s.create_invitation(inv2.clone(), hash("inv-2"), &[])
        .await
        .unwrap();
    s.revoke_invitation(w.clinic, inv2.id, t0(), &[])
        .await
        .unwrap();
    assert!(matches!(
        s.revoke_invitation(w.clinic, inv2.id, t0(), &[]).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.accept_invitation(
            hash("inv-2"),
            t0(),
            Invitee::New(new_user("x@example.org")),
            &[]
        )
        .await,
        Err(StoreError::Expired)
    ));
    assert_eq!(s.invitations(w.clinic).await.unwrap().len(), 2);
    // A failed acceptance writes nothing.
    assert!(s.user_by_email("x@example.org").await.unwrap().is_none());
}

pub async fn sessions_rotate_and_end(s: Arc<dyn Store>) {
    let w = world(&s, "sess").await;
    let a = session(w.alice, Some(w.clinic), "a");
    s.create_session(a.clone()).await.unwrap();
    let got = s.session(a.token_hash).await.unwrap().unwrap();
    assert_eq!(got, a);
    s.touch_session(a.token_hash, t0() + Duration::minutes(3))
        .await
        .unwrap();
    assert_eq!(
        s.session(a.token_hash).await.unwrap().unwrap().last_seen_at,
        t0() + Duration::minutes(3)
    );
    let b = AuthSession {
        second_factor_at: Some(t0()),
        ..session(w.alice, Some(w.clinic), "b")
    };
    s.rotate_session(a.token_hash, b.clone(), t0())
        .await
        .unwrap();
    assert!(
        s.session(a.token_hash)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some()
    );
    // An ended session cannot be rotated again (no fixation through an old token).
    assert!(matches!(
        s.rotate_session(a.token_hash, session(w.alice, None, "c"), t0())
            .await,
        Err(StoreError::Expired)
    ));
    let open = s.sessions_of(w.alice, t0()).await.unwrap();
    assert_eq!(
        open.iter().map(|x| x.token_hash).collect::<Vec<_>>(),
        vec![b.token_hash]
    );
    // Nobody ends another user's session.
    assert!(matches!(
        s.end_session_of_user(w.bob, b.token_hash, t0(), &[]).await,
        Err(StoreError::NotFound)
    ));
    s.end_session_of_user(w.alice, b.token_hash, t0(), &[])
        .await
        .unwrap();
    assert!(s.sessions_of(w.alice, t0()).await.unwrap().is_empty());
    s.create_session(session(w.alice, None, "d")).await.unwrap();
    s.create_session(session(w.alice, None, "e")).await.unwrap();
    s.end_all_sessions(w.alice, t0(), Some(hash("e")))
        .await
        .unwrap();
    assert_eq!(s.sessions_of(w.alice, t0()).await.unwrap().len(), 1);
    s.mark_reauthenticated(hash("e"), t0() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(
        s.session(hash("e")).await.unwrap().unwrap().reauth_at,
        Some(t0() + Duration::minutes(1))
    );
}

pub async fn sign_in_failures_lock_and_clear(s: Arc<dyn Store>) {
    let keys = vec!["account:alice".to_string(), "address:10.0.0.1".to_string()];
    for i in 1..=4 {
        let st = s
            .record_failure(&keys, t0() + Duration::seconds(i), 5, Duration::minutes(15))
            .await
            .unwrap();
        assert_eq!(st[0].failures, i);
        assert!(st[0].locked_until.is_none());
    }
    let st = s
        .record_failure(&keys, t0() + Duration::seconds(5), 5, Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(st[0].failures, 5);
    assert_eq!(
        st[0].locked_until,
        Some(t0() + Duration::seconds(5) + Duration::minutes(15))
    );
    assert_eq!(s.throttle("address:10.0.0.1").await.unwrap().failures, 5);
    s.clear_failures("account:alice").await.unwrap();
    assert_eq!(
        s.throttle("account:alice").await.unwrap(),
        Throttle::default()
    );
}

pub async fn second_factor_secrets_and_codes_are_single_use(s: Arc<dyn Store>) {
    let w = world(&s, "mfa").await;
    assert!(s.totp_secret(w.alice).await.unwrap().is_none());
    s.set_pending_totp(w.alice, b"JBSWY3DPEHPK3PXP-secret")
        .await
        .unwrap();
    assert_eq!(
        s.totp_secret(w.alice).await.unwrap().unwrap(),
        b"JBSWY3DPEHPK3PXP-secret"
    );
    assert!(
        !s.user(w.alice)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    let codes: Vec<[u8; 32]> = (0..10).map(|i| hash(&format!("code-{i}"))).collect();
    s.confirm_totp(w.alice, t0(), &codes, None, &[])
        .await
        .unwrap();
    assert!(
        s.user(w.alice)
            .await
            .unwrap()
            .unwrap()
            .second_factor_enrolled
    );
    assert!(s.use_totp_step(w.alice, 100).await.unwrap());
    assert!(
        !s.use_totp_step(w.alice, 100).await.unwrap(),
        "a code's time step is used once"
    );
    assert!(!s.use_totp_step(w.alice, 99).await.unwrap());
    assert!(s.use_totp_step(w.alice, 101).await.unwrap());
    assert_eq!(s.recovery_codes_left(w.alice).await.unwrap(), 10);
    assert!(s.use_recovery_code(w.alice, codes[3], t0()).await.unwrap());
    assert!(!s.use_recovery_code(w.alice, codes[3], t0()).await.unwrap());
    assert!(!s.use_recovery_code(w.bob, codes[4], t0()).await.unwrap());
    assert_eq!(s.recovery_codes_left(w.alice).await.unwrap(), 9);
}

pub async fn api_tokens_are_found_by_hash_and_revoked(s: Arc<dyn Store>) {
    let w = world(&s, "tok").await;
    let t = ApiToken {
        id: ApiTokenId(id()),
        user: w.alice,
        clinic: w.clinic,
        role: Role::Clinician,
        name: "reports".into(),
        created_at: t0(),
        last_used_at: None,
        revoked_at: None,
    };
    s.create_api_token(t.clone(), hash("tok-secret"), &[])
        .await
        .unwrap();
    assert_eq!(s.api_token(hash("tok-secret")).await.unwrap().unwrap(), t);
    assert!(s.api_token(hash("other")).await.unwrap().is_none());
    s.touch_api_token(t.id, t0() + Duration::minutes(1))
        .await
        .unwrap();
    assert!(matches!(
        s.revoke_api_token(w.bob, t.id, t0(), &[]).await,
        Err(StoreError::NotFound)
    ));
    s.revoke_api_token(w.alice, t.id, t0(), &[]).await.unwrap();
    let listed = s.api_tokens(w.alice).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert_eq!(listed[0].last_used_at, Some(t0() + Duration::minutes(1)));
}

pub async fn clients_never_cross_clinics(s: Arc<dyn Store>) {
    let a = world(&s, "ca").await;
    let b = world(&s, "cb").await;
    let c = client_for(&a, "Rosa", Some(a.alice));
    let cid = c.id;
    s.register_client(c, None, &[]).await.unwrap();
    let got = s.client(a.clinic, cid, &[]).await.unwrap().unwrap();
    assert_eq!(got.contact.as_deref(), Some("Rosa's phone 0123"));
    assert_eq!(got.clinicians, vec![a.alice]);
    assert!(s.client(b.clinic, cid, &[]).await.unwrap().is_none());
    assert!(s.client_facts(b.clinic, cid).await.unwrap().is_none());
    assert!(
        s.clients(b.clinic, ClientScope::Clinic, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.assign_client(b.clinic, cid, b.alice, true, t0(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    // A clinician of another clinic cannot be assigned here.
    assert!(matches!(
        s.assign_client(a.clinic, cid, b.alice, true, t0(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    let stale = s
        .update_client(b.clinic, cid, &details("X"), got.version, &[])
        .await;
    assert!(matches!(stale, Err(StoreError::NotFound)));
    let facts = s.client_facts(a.clinic, cid).await.unwrap().unwrap();
    assert_eq!(
        facts,
        ClientFacts {
            clinic: a.clinic,
            client: cid,
            clinicians: vec![a.alice],
            supervisors: vec![a.sue],
            portal_user: None
        }
    );
}

pub async fn client_lists_follow_scope(s: Arc<dyn Store>) {
    let w = world(&s, "scope").await;
    for (name, who) in [("Ana", Some(w.alice)), ("Ben", Some(w.bob)), ("Cy", None)] {
        s.register_client(client_for(&w, name, who), None, &[])
            .await
            .unwrap();
    }
    let names = |v: Vec<ClientSummary>| v.into_iter().map(|c| c.display_name).collect::<Vec<_>>();
    assert_eq!(
        names(s.clients(w.clinic, ClientScope::Clinic, &[]).await.unwrap()),
        vec!["Ana", "Ben", "Cy"]
    );
    assert_eq!(
        names(
            s.clients(w.clinic, ClientScope::AssignedTo(w.alice), &[])
                .await
                .unwrap()
        ),
        vec!["Ana"]
    );
    // Sue supervises Alice only.
    assert_eq!(
        names(
            s.clients(w.clinic, ClientScope::Supervisor(w.sue), &[])
                .await
                .unwrap()
        ),
        vec!["Ana"]
    );
    let listed = s
        .clients(w.clinic, ClientScope::AssignedTo(w.bob), &[])
        .await
        .unwrap();
    assert_eq!(listed[0].clinicians, vec!["bob.scope".to_string()]);
}

pub async fn idempotent_register_writes_once(s: Arc<dyn Store>) {
    let w = world(&s, "idem").await;
    let idem = Idempotency {
        user: w.alice,
        route: "POST /clients",
        key: "k-1".into(),
        request_hash: hash("body-1"),
        at: t0(),
    };
    let first = s
        .register_client(client_for(&w, "Dee", Some(w.alice)), Some(&idem), &[])
        .await
        .unwrap();
    assert!(first.is_fresh());
    // The retry (a new id generated by the retried request) returns the first result.
    let again = s
        .register_client(client_for(&w, "Dee", Some(w.alice)), Some(&idem), &[])
        .await
        .unwrap();
    assert_eq!(again, Written::Replayed(*first.value()));
    assert_eq!(
        s.clients(w.clinic, ClientScope::Clinic, &[])
            .await
            .unwrap()
            .len(),
        1
    );
    let other_body = Idempotency {
        request_hash: hash("body-2"),
        ..idem.clone()
    };
    assert!(matches!(
        s.register_client(client_for(&w, "Eve", Some(w.alice)), Some(&other_body), &[])
            .await,
        Err(StoreError::IdempotencyMismatch)
    ));
    // The same key from another user is another request.
    let bobs = Idempotency {
        user: w.bob,
        ..idem
    };
    assert!(
        s.register_client(client_for(&w, "Fay", Some(w.bob)), Some(&bobs), &[])
            .await
            .unwrap()
            .is_fresh()
    );
    assert_eq!(
        s.clients(w.clinic, ClientScope::Clinic, &[])
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn concurrent_duplicates_write_once(s: Arc<dyn Store>) {
    let w = world(&s, "race").await;
    let w = Arc::new(w);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let idem = Idempotency {
                user: w.alice,
                route: "POST /clients",
                key: "dbl".into(),
                request_hash: hash("same"),
                at: t0(),
            };
            s.register_client(
                client_for(&w, "Gil", Some(w.alice)),
                Some(&idem),
                &[ev(
                    AuditAction::Create,
                    Some(w.alice),
                    Some(w.clinic),
                    None,
                    "client",
                )],
            )
            .await
        }));
    }
    let mut fresh = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Written::Fresh(_)) => fresh += 1,
            Ok(Written::Replayed(_)) | Err(StoreError::IdempotencyInProgress) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(
        s.clients(w.clinic, ClientScope::Clinic, &[])
            .await
            .unwrap()
            .len(),
        1
    );
    // Exactly one audit row for the one write.
    let report = s
        .audit_report(&AuditFilter {
            clinic: Some(w.clinic),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        report
            .iter()
            .filter(|r| r.event.action == AuditAction::Create)
            .count(),
        1
    );
}

pub async fn version_checks_refuse_stale_writes(s: Arc<dyn Store>) {
    let w = world(&s, "ver").await;
    let clinic = s.clinic(w.clinic).await.unwrap().unwrap();
    let settings = ClinicSettings {
        crisis_text: "Call 112".into(),
        ..clinic.settings.clone()
    };
    let updated = s
        .update_clinic(w.clinic, "Renamed", &settings, clinic.version, &[])
        .await
        .unwrap();
    assert_eq!(updated.version, clinic.version + 1);
    assert_eq!(updated.settings.crisis_text, "Call 112");
    let stale = s
        .update_clinic(w.clinic, "Other", &settings, clinic.version, &[])
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionConflict { current }) if current == updated.version)
    );
    assert_eq!(s.clinic(w.clinic).await.unwrap().unwrap().name, "Renamed");
    let c = client_for(&w, "Hal", Some(w.alice));
    let cid = c.id;
    s.register_client(c, None, &[]).await.unwrap();
    let v1 = s.client(w.clinic, cid, &[]).await.unwrap().unwrap();
    let v2 = s
        .update_client(w.clinic, cid, &details("Hal B."), v1.version, &[])
        .await
        .unwrap();
    assert_eq!(v2.contact, None);
    assert!(matches!(
        s.update_client(w.clinic, cid, &details("Hal C."), v1.version, &[])
            .await,
        Err(StoreError::VersionConflict { .. })
    ));
    assert_eq!(
        s.client(w.clinic, cid, &[])
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Hal B."
    );
}

pub async fn audit_chain_is_linear_and_verifies(s: Arc<dyn Store>) {
    let w = Arc::new(world(&s, "aud").await);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let s = s.clone();
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let e = AuditEvent {
                object_id: Some(format!("obj-{i}")),
                ..ev(
                    AuditAction::Read,
                    Some(w.alice),
                    Some(w.clinic),
                    None,
                    "client",
                )
            };
            s.append_audit(&[e.clone(), e]).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let rows = s.audit_rows(0, 1000).await.unwrap();
    assert_eq!(rows.len(), 24);
    let head = s.audit_head().await.unwrap().unwrap();
    assert_eq!(head.seq, 24);
    assert_eq!(verify(&rows, Some(head)), Ok(24));
    // Paging reads the same rows.
    let mut paged = s.audit_rows(0, 10).await.unwrap();
    paged.extend(s.audit_rows(10, 100).await.unwrap());
    assert_eq!(paged, rows);
}

pub async fn audit_listener_hears_each_commit(s: Arc<dyn Store>) {
    let w = world(&s, "lis").await;
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = heard.clone();
    s.on_audit_commit(Arc::new(move |a| h.lock().unwrap().push(a)));
    let e = ev(
        AuditAction::Read,
        Some(w.alice),
        Some(w.clinic),
        None,
        "client",
    );
    s.append_audit(std::slice::from_ref(&e)).await.unwrap();
    s.append_audit(&[e.clone(), e]).await.unwrap();
    // Nothing to append is not a commit of audit rows.
    s.append_audit(&[]).await.unwrap();
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert_eq!(heard[1].seq, heard[0].seq + 2);
    // What the listener hears is the head a reader then sees.
    assert_eq!(Some(heard[1]), s.audit_head().await.unwrap());
}

pub async fn audit_report_filters(s: Arc<dyn Store>) {
    let w = world(&s, "rep").await;
    let c1 = ClientId(id());
    let c2 = ClientId(id());
    let mut events = Vec::new();
    for (i, (who, client)) in [(w.alice, c1), (w.alice, c2), (w.bob, c1), (w.sue, c2)]
        .into_iter()
        .enumerate()
    {
        events.push(AuditEvent {
            at: t0() + Duration::hours(i as i64),
            ..ev(
                AuditAction::Read,
                Some(who),
                Some(w.clinic),
                Some(client),
                "session_note",
            )
        });
    }
    s.append_audit(&events).await.unwrap();
    let q = |f: AuditFilter| {
        let s = s.clone();
        async move {
            s.audit_report(&AuditFilter { limit: 100, ..f })
                .await
                .unwrap()
        }
    };
    assert_eq!(
        q(AuditFilter {
            client: Some(c1),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    assert_eq!(
        q(AuditFilter {
            actor: Some(w.alice),
            ..Default::default()
        })
        .await
        .len(),
        2
    );
    let window = q(AuditFilter {
        clinic: Some(w.clinic),
        from: Some(t0() + Duration::hours(1)),
        to: Some(t0() + Duration::hours(3)),
        ..Default::default()
    })
    .await;
    assert_eq!(window.len(), 2);
    assert!(window[0].seq > window[1].seq, "newest first");
    assert_eq!(
        q(AuditFilter {
            clinic: Some(ClinicId(id())),
            ..Default::default()
        })
        .await
        .len(),
        0
    );
}

pub async fn meta_and_counts(s: Arc<dyn Store>) {
    s.ping().await.unwrap();
    assert!(s.integrity_problems().await.unwrap().is_empty());
    assert_eq!(s.meta("anchor").await.unwrap(), None);
    s.set_meta("anchor", "1").await.unwrap();
    s.set_meta("anchor", "2").await.unwrap();
    assert_eq!(s.meta("anchor").await.unwrap().as_deref(), Some("2"));
    let w = world(&s, "cnt").await;
    s.register_client(client_for(&w, "Ivy", Some(w.alice)), None, &[])
        .await
        .unwrap();
    let counts = s.row_counts().await.unwrap();
    let get = |t: &str| {
        counts
            .iter()
            .find(|(n, _)| n == t)
            .map(|(_, c)| *c)
            .unwrap()
    };
    assert_eq!(get("users"), 4);
    assert_eq!(get("clients"), 1);
    assert_eq!(get("assignments"), 1);
    assert!(get("data_keys") >= 2);
}
