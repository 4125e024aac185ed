//! Trust suite, audit: every clinical-data route leaves a complete audit row (AD-1), refusals are
//! audited, the trail cannot be changed through the database and tampering is found (AD-2), the
//! audit report returns exactly the matching accesses (AD-3), and clinic admins cannot switch
//! auditing off (AD-4). On SQLite and, when configured, PostgreSQL.

mod trust_support;

use kith_app::AuditVerification;
use kith_domain::audit::{AuditAction, ChainedEvent, Outcome};
use kith_domain::policy::Action;
use kith_testkit::{Backend, TestApp, backends};
use kith_web::routes::Access;
use reqwest::Method;
use time::Duration;
use trust_support::walk::walk;
use trust_support::{plain_client, raw, sign_in};

async fn all_rows(app: &TestApp) -> Vec<ChainedEvent> {
    app.store.audit_rows(0, 100_000).await.unwrap()
}

async fn head(app: &TestApp) -> i64 {
    app.store
        .audit_head()
        .await
        .unwrap()
        .map(|a| a.seq)
        .unwrap_or(0)
}

async fn rows_after(app: &TestApp, seq: i64) -> Vec<ChainedEvent> {
    app.store.audit_rows(seq, 1000).await.unwrap()
}

/// Actions whose routes serve or change clinical data (clients' records and anything about them).
fn clinical(action: Action) -> bool {
    matches!(
        action,
        Action::ListClients
            | Action::RegisterClient
            | Action::ViewClient
            | Action::EditClient
            | Action::ViewClinical
            | Action::WriteClinical
            | Action::ExportRecord
            | Action::AcknowledgeAlert
            | Action::SignOffNote
            | Action::ProcessNote
            | Action::UsePortal
            | Action::ViewCaseload
    )
}

/// AD-1 — pass figure: 100 % of clinical-data routes produce an audit row naming who (user and
/// role), the clinic, the client, the object, the action, the outcome, the source address and the
/// time. The walk calls every such route with real records, as the person allowed to (the
/// clinician caring for the client, their supervisor for sign-off, the client in the portal).
#[tokio::test]
async fn ad1_every_clinical_route_is_audited_with_all_fields() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let visits = walk(&app, &w).await;
        let (_, specs) = kith_web::route_table();
        let clinical_routes: Vec<(Method, &str)> = specs
            .iter()
            .filter(|s| matches!(s.access, Access::Signed(a) if clinical(a)))
            .map(|s| (s.method.clone(), s.path))
            .collect();
        let missed: Vec<String> = clinical_routes
            .iter()
            .filter(|(m, p)| !visits.iter().any(|v| v.method == *m && v.route == *p))
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        assert!(
            missed.is_empty(),
            "{backend:?}: clinical routes the walk does not call: {missed:?}"
        );
        for v in &visits {
            let what = format!("{backend:?}: {} {}", v.method, v.path);
            assert!(
                clinical_routes
                    .iter()
                    .any(|(m, p)| *m == v.method && *p == v.route),
                "{what}: the walk names {} which is not a clinical route",
                v.route
            );
            let about = |r: &&ChainedEvent| {
                r.event.actor == Some(v.who.id)
                    && matches!(
                        r.event.action,
                        AuditAction::Read
                            | AuditAction::Create
                            | AuditAction::Update
                            | AuditAction::Delete
                            | AuditAction::Query
                            | AuditAction::Export
                            | AuditAction::Print
                    )
            };
            // The row that names the client, when the call is about one (a portal page first
            // looks up whose record it is, which names nobody yet).
            let row = v
                .rows
                .iter()
                .filter(about)
                .find(|r| v.client.is_none() || r.event.client == v.client)
                .or_else(|| v.rows.iter().find(about))
                .unwrap_or_else(|| panic!("{what} left no audit row: {:?}", v.rows));
            let e = &row.event;
            assert_eq!(e.actor_role.as_deref(), Some(v.who.role.as_str()), "{what}");
            assert_eq!(e.clinic, Some(w.a.id), "{what}");
            assert_eq!(e.outcome, Outcome::Success, "{what}");
            assert_eq!(e.source.as_deref(), Some("127.0.0.1"), "{what}");
            assert_eq!(e.at, app.clock_now(), "{what}");
            assert!(!e.object_type.is_empty(), "{what}");
            match v.client {
                // The object is its type and id, or — for what a client has one of (the safety
                // plan, the inventory notes, a list) — its type and the client.
                Some(client) => assert_eq!(e.client, Some(client), "{what}"),
                None if e.action == AuditAction::Create => {
                    assert!(
                        e.client.is_some() && e.object_id.is_some(),
                        "{what}: a new record names itself"
                    );
                }
                None => {}
            }
        }
        println!(
            "AD-1 {backend:?}: {} calls over {} clinical routes, each audited",
            visits.len(),
            clinical_routes.len()
        );
        app.finish().await;
    }
}

/// AC-5 — pass figure: 0 database changes caused by any GET. Every clinical page and API read is
/// called with real records (a course with sessions, signed notes, worksheets, alerts…) and the
/// stored rows compared before and after.
#[tokio::test]
async fn ac5_reading_a_full_record_changes_nothing() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let visits = walk(&app, &w).await;
        let changed: Vec<String> = visits
            .iter()
            .filter(|v| v.method == Method::GET && !v.changed.is_empty())
            .map(|v| format!("GET {} changed {:?}", v.path, v.changed))
            .collect();
        assert!(changed.is_empty(), "{backend:?}: {changed:#?}");
        let reads = visits.iter().filter(|v| v.method == Method::GET).count();
        assert!(reads >= 40, "{backend:?}: only {reads} reads");
        app.finish().await;
    }
}

/// AD-1 — refused attempts are audited too, with outcome "denied"; a refusal about another
/// clinic's record names no client.
#[tokio::test]
async fn ad1_denied_attempts_are_audited() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let who = &w.a.clinician;
        let mut tab = sign_in(&app, who).await;
        let token = app.api_as(who).await.token;
        for (path, client, api) in [
            (format!("/clients/{}", w.a.theirs), Some(w.a.theirs), false),
            (format!("/clients/{}", w.b.mine), None, false),
            (
                format!("/api/v1/clients/{}", w.a.theirs),
                Some(w.a.theirs),
                true,
            ),
        ] {
            let before = head(&app).await;
            let status = if api {
                plain_client()
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            } else {
                tab.get(&path).await.status
            };
            assert_eq!(status, 404, "{backend:?}: {path}");
            let rows = rows_after(&app, before).await;
            let denied: Vec<_> = rows
                .iter()
                .filter(|r| r.event.outcome == Outcome::Denied)
                .collect();
            assert_eq!(denied.len(), 1, "{backend:?}: {path}: {rows:?}");
            let e = &denied[0].event;
            assert_eq!(e.actor, Some(who.id));
            assert_eq!(e.actor_role.as_deref(), Some("clinician"));
            assert_eq!(e.clinic, Some(w.a.id));
            assert_eq!(e.client, client, "{backend:?}: {path}");
            assert_eq!(e.source.as_deref(), Some("127.0.0.1"));
            assert_eq!(e.at, app.clock_now());
        }
        app.finish().await;
    }
}

/// AD-2 — the database itself refuses UPDATE and DELETE (and on PostgreSQL TRUNCATE) of audit
/// rows; someone with database access who drops that protection is found by `verify_audit`, which
/// names the first broken row (an edited row, then a deleted one).
#[tokio::test]
async fn ad2_audit_rows_cannot_be_changed_and_tampering_is_found() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut tab = sign_in(&app, &w.a.clinician).await;
        tab.get(&format!("/clients/{}", w.a.mine)).await;
        let db = raw(&app);
        let count = all_rows(&app).await.len();
        assert!(count >= 3);
        let target = (count / 2) as i64;
        for sql in [
            format!("UPDATE audit_events SET detail = 'rewritten' WHERE seq = {target}"),
            format!("DELETE FROM audit_events WHERE seq = {target}"),
            "DELETE FROM audit_events".to_string(),
        ] {
            let r = db.exec(&sql).await;
            assert!(r.is_err(), "{backend:?}: the database accepted {sql}");
        }
        if backend == Backend::Postgres {
            assert!(
                db.exec("TRUNCATE audit_events").await.is_err(),
                "TRUNCATE accepted"
            );
        }
        assert_eq!(all_rows(&app).await.len(), count);
        assert!(matches!(
            app.app.verify_audit(None).await.unwrap(),
            AuditVerification::Intact { .. }
        ));

        // Someone with database access removes the protection and edits one row.
        let (off, on) = match backend {
            Backend::Sqlite => (
                "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete",
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
                 BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END; \
                 CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events \
                 BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;",
            ),
            Backend::Postgres => (
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update",
            ),
        };
        db.exec(&format!(
            "CREATE TABLE audit_saved AS SELECT * FROM audit_events WHERE seq = {target}"
        ))
        .await
        .unwrap();
        db.exec(off).await.unwrap();
        db.exec(&format!(
            "UPDATE audit_events SET detail = 'nothing to see' WHERE seq = {target}"
        ))
        .await
        .unwrap();
        match app.app.verify_audit(None).await.unwrap() {
            AuditVerification::Broken(b) => {
                assert_eq!(b.seq(), target, "{backend:?}: {b}");
                assert!(b.to_string().contains(&target.to_string()), "{b}");
                println!("AD-2 {backend:?}: edit found: {b}");
            }
            other => panic!("{backend:?}: edit not found: {other:?}"),
        }
        // Put the row back as it was, then delete it.
        db.exec(&format!(
            "UPDATE audit_events SET detail = (SELECT detail FROM audit_saved) WHERE seq = {target}"
        ))
        .await
        .unwrap();
        assert!(matches!(
            app.app.verify_audit(None).await.unwrap(),
            AuditVerification::Intact { .. }
        ));
        db.exec(&format!("DELETE FROM audit_events WHERE seq = {target}"))
            .await
            .unwrap();
        match app.app.verify_audit(None).await.unwrap() {
            AuditVerification::Broken(b) => {
                assert_eq!(b.seq(), target, "{backend:?}: {b}");
                println!("AD-2 {backend:?}: deletion found: {b}");
            }
            other => panic!("{backend:?}: deletion not found: {other:?}"),
        }
        // Restore the trail and its protection so the test ends on an intact database.
        db.exec("INSERT INTO audit_events SELECT * FROM audit_saved")
            .await
            .unwrap();
        db.exec("DROP TABLE audit_saved").await.unwrap();
        db.exec(on).await.unwrap();
        assert!(
            db.exec(&format!("DELETE FROM audit_events WHERE seq = {target}"))
                .await
                .is_err()
        );
        app.finish().await;
    }
}

/// The sequence numbers listed on an audit page.
fn listed(body: &str) -> Vec<i64> {
    let Some(rows) = trust_support::between(body, "<tbody>", "</tbody>") else {
        return Vec::new();
    };
    rows.split("<tr><td>")
        .skip(1)
        .filter_map(|r| r.split("</td>").next())
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// AD-3 — pass figure: the audit report returns exactly the matching accesses for 3 filter
/// combinations (a client; a person; a client on one day), compared with the stored trail.
#[tokio::test]
async fn ad3_audit_report_returns_exactly_the_matching_accesses() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        // Seeded accesses: two reads of `mine` by its clinician and one of `theirs` by theirs today;
        // two days later one read of `mine` by the supervisor.
        let mut c = sign_in(&app, &w.a.clinician).await;
        c.get(&format!("/clients/{mine}")).await;
        c.get(&format!("/clients/{mine}")).await;
        let mut k = sign_in(&app, &w.a.colleague).await;
        k.get(&format!("/clients/{}", w.a.theirs)).await;
        app.advance(Duration::days(2));
        let day2 = app.clock_now().date();
        let mut s = sign_in(&app, &w.a.supervisor).await;
        s.get(&format!("/clients/{mine}")).await;
        let reads_of_mine = |rows: &[ChainedEvent]| {
            rows.iter()
                .filter(|r| {
                    r.event.client == Some(mine)
                        && r.event.action == AuditAction::Read
                        && r.event.object_type == "client"
                })
                .count()
        };
        assert_eq!(reads_of_mine(&all_rows(&app).await), 3, "{backend:?}");
        let mut admin = sign_in(&app, &w.a.admin).await;
        let clinic = Some(w.a.id);
        type Filter = Box<dyn Fn(&ChainedEvent) -> bool>;
        let sup = w.a.supervisor.id;
        let combos: Vec<(String, Filter, usize)> = vec![
            (
                format!("/admin/audit?client={mine}"),
                Box::new(move |r: &ChainedEvent| {
                    r.event.clinic == clinic && r.event.client == Some(mine)
                }),
                3,
            ),
            (
                format!("/admin/audit?actor={sup}"),
                Box::new(move |r: &ChainedEvent| {
                    r.event.clinic == clinic && r.event.actor == Some(sup)
                }),
                1,
            ),
            (
                format!("/admin/audit?client={mine}&from={day2}&to={day2}"),
                Box::new(move |r: &ChainedEvent| {
                    r.event.clinic == clinic
                        && r.event.client == Some(mine)
                        && r.event.at.date() == day2
                }),
                1,
            ),
        ];
        for (path, keep, seeded_reads) in combos {
            let stored: Vec<ChainedEvent> = all_rows(&app)
                .await
                .into_iter()
                .filter(|r| keep(r))
                .collect();
            let r = admin.get(&path).await;
            assert_eq!(r.status, 200, "{backend:?}: {path}");
            let mut shown = listed(&r.body);
            shown.sort();
            let mut expected: Vec<i64> = stored.iter().map(|r| r.seq).collect();
            expected.sort();
            assert_eq!(shown, expected, "{backend:?}: {path}");
            assert_eq!(reads_of_mine(&stored), seeded_reads, "{backend:?}: {path}");
            println!(
                "AD-3 {backend:?}: {path}: {} rows, exactly the stored matches",
                shown.len()
            );
        }
        app.finish().await;
    }
}

/// AD-4 — a clinic admin cannot switch auditing off: there is no such setting, posting an `audit`
/// field to the settings is refused as an unknown field, nothing changes, and reads are still
/// audited afterwards.
#[tokio::test]
async fn ad4_clinic_admin_cannot_switch_auditing_off() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mut admin = sign_in(&app, &w.a.admin).await;
        let before = app.store.clinic(w.a.id).await.unwrap().unwrap();
        let s = &before.settings;
        let version = before.version.to_string();
        let escalation = s.alert_escalation_minutes.to_string();
        let idle = s.idle_timeout_minutes.to_string();
        for field in ["audit", "audit_enabled", "audit_logging"] {
            let r = admin
                .post_form(
                    "/admin/settings",
                    &[
                        ("name", &before.name),
                        ("crisis_text", &s.crisis_text),
                        ("escalation", &escalation),
                        ("idle", &idle),
                        ("default_locale", s.default_locale.code()),
                        ("version", &version),
                        (field, "off"),
                    ],
                )
                .await;
            assert_eq!(r.status, 400, "{backend:?}: {field} accepted");
        }
        let after = app.store.clinic(w.a.id).await.unwrap().unwrap();
        assert_eq!(
            after.version, before.version,
            "{backend:?}: settings changed"
        );
        let start = head(&app).await;
        admin.get(&format!("/clients/{}", w.a.mine)).await;
        let rows = rows_after(&app, start).await;
        assert!(
            rows.iter()
                .any(|r| r.event.client == Some(w.a.mine) && r.event.action == AuditAction::Read),
            "{backend:?}: reads no longer audited"
        );
        app.finish().await;
    }
}
