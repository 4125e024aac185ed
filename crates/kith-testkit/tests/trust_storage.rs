//! Trust suite, encryption at rest (CR-1): the canary test. SQLite only — it searches the
//! database file, its write-ahead log and a fresh backup byte by byte, which has no equivalent for
//! a PostgreSQL server's files here. (Key-file permissions, CR-3, are unit-tested in kith-cli.)

mod trust_support;

use kith_app::{MeasureAnswers, MeasureInput};
use kith_domain::locale::Locale;
use kith_domain::measure::AnswerValue;
use kith_domain::safety::{PlanEntry, SafetyPlan};
use kith_testkit::{Backend, TestApp};
use std::path::{Path, PathBuf};
use trust_support::{contains_bytes, sign_in};

const CANARY: &str = "CANARY-7f3a9c";

/// Files under `dir` (recursively) whose bytes hold the canary.
fn files_with_canary(dir: &Path) -> Vec<PathBuf> {
    files_holding(dir, CANARY)
}

/// Files under `dir` (recursively) whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if contains_bytes(&std::fs::read(&path).unwrap(), needle.as_bytes()) {
                found.push(path);
            }
        }
    }
    found
}

/// CR-1 — pass figure: 0 canary hits in the database file, the WAL and a backup, after writing
/// `CANARY-7f3a9c` into every clinical free-text field that exists today: client contact details
/// (through the page form, its edit, and the API), a safety plan (every text field of every
/// section) and an alert's action note (through the application, as those pages are not there
/// yet). Client display names are not sealed by design (they may be pseudonyms and are listed and
/// searched); they are not clinical text under CR-1 and carry no canary here.
#[tokio::test]
async fn cr1_canary_never_reaches_database_wal_or_backup_in_clear() {
    let app = TestApp::new(Backend::Sqlite).await;
    let w = app.world().await;
    let mut tab = sign_in(&app, &w.a.clinician).await;
    // Client contact: page form, page edit, API.
    let r = tab
        .post_form(
            "/clients",
            &[
                ("display_name", "Canary Form"),
                ("contact", &format!("phone {CANARY} form")),
                ("idempotency_key", "canary-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let form_client = r.location().trim_start_matches("/clients/").to_string();
    let c = app
        .store
        .client(w.a.id, w.a.mine, &[])
        .await
        .unwrap()
        .unwrap();
    let r = tab
        .post_form(
            &format!("/clients/{}", w.a.mine),
            &[
                ("display_name", &c.display_name),
                ("contact", &format!("edited {CANARY}")),
                ("version", &c.version.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let api = app.api_as(&w.a.clinician).await;
    let r = api
        .post_json(
            "/api/v1/clients",
            &serde_json::json!({ "display_name": "Canary Api", "contact": format!("email {CANARY}") }),
            None,
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    // Safety plan and alert note, through the application as the signed-in clinician.
    let ctx = app
        .app
        .resolve_session(tab.token.as_deref().unwrap(), Some("127.0.0.1"))
        .await
        .unwrap();
    let entry = |what: &str| PlanEntry {
        text: format!("{what} {CANARY}"),
        contact: Some(format!("contact {CANARY}")),
        phone: None,
        hours: Some(format!("hours {CANARY}")),
    };
    let mut plan = SafetyPlan::new();
    for section in [
        &mut plan.warning_signs,
        &mut plan.internal_coping,
        &mut plan.distractions,
        &mut plan.help_contacts,
        &mut plan.professionals,
        &mut plan.environment_safety,
        &mut plan.reasons_for_living,
    ] {
        section.push(entry("entry"));
    }
    app.app
        .save_safety_plan(&ctx, w.a.mine, plan, 0)
        .await
        .expect("safety plan");
    let input = MeasureInput {
        instrument: "phq9".into(),
        answers: MeasureAnswers::Items(
            [2, 2, 1, 1, 0, 1, 1, 0, 2]
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), AnswerValue::Value(*v)))
                .collect(),
        ),
        taken_at: app.clock_now(),
        course: None,
        session: None,
        language: Locale::En,
        mode: kith_store::AdministrationMode::ClinicianEntered,
    };
    let recorded = app
        .app
        .record_measure(&ctx, w.a.mine, input, None)
        .await
        .expect("measure")
        .into_value();
    let alert = recorded.alert.expect("item 9 raises an alert");
    app.app
        .acknowledge_alert(&ctx, alert, &format!("called them {CANARY}"))
        .await
        .expect("acknowledge");
    // Everything reads back (sealed, not lost).
    let page = tab.get(&format!("/clients/{form_client}")).await;
    assert!(page.body.contains(CANARY), "contact not readable back");
    let plan = app.app.safety_plan(&ctx, w.a.mine).await.unwrap().unwrap();
    assert!(plan.plan.reasons_for_living[0].text.contains(CANARY));

    let dir = app.dir.path().to_path_buf();
    let db = dir.join("kith.db");
    // Before the checkpoint the new pages live in the WAL.
    let wal = dir.join("kith.db-wal");
    assert!(wal.exists(), "no WAL file to search");
    let hits_before = files_with_canary(&dir);
    let pool = app.sqlite().unwrap().pool().clone();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    let hits_after = files_with_canary(&dir);
    let backup_dir = tempfile::tempdir().unwrap();
    app.store
        .backup_to(&backup_dir.path().join("backup.db"))
        .await
        .unwrap();
    let hits_backup = files_with_canary(backup_dir.path());
    let searched = std::fs::metadata(&db).unwrap().len();
    println!(
        "CR-1: searched {searched} bytes of database, the WAL before and after checkpoint, and a backup: {} + {} + {} canary hits",
        hits_before.len(),
        hits_after.len(),
        hits_backup.len()
    );
    assert!(
        hits_before.is_empty(),
        "canary in clear before checkpoint: {hits_before:?}"
    );
    assert!(
        hits_after.is_empty(),
        "canary in clear after checkpoint: {hits_after:?}"
    );
    assert!(
        hits_backup.is_empty(),
        "canary in clear in the backup: {hits_backup:?}"
    );
    // The search itself bites: a display name (stored in clear by design) with the canary is found.
    let r = tab
        .post_form(
            "/clients",
            &[
                ("display_name", &format!("Control {CANARY}")),
                ("idempotency_key", "canary-2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        !files_with_canary(&dir).is_empty(),
        "the byte search finds nothing even in clear text"
    );
    app.finish().await;
}

/// CR-1 over a whole course — pass figure: 0 hits. The walk writes a distinct phrase into each kind
/// of clinical free text a course has (contract focus and its renegotiation, inventory notes, the
/// timeline's onset and events, the formulation, goals and their review, session-note sections,
/// addenda, supervisor sign-off, process notes, worksheets and their review, an alert's action
/// note, the safety plan); none of them may be found in the database file, its WAL or a backup.
#[tokio::test]
async fn cr1_a_whole_course_leaves_no_clinical_text_in_clear() {
    let app = TestApp::new(Backend::Sqlite).await;
    let w = app.world().await;
    let visits = trust_support::walk::walk(&app, &w).await;
    assert!(visits.len() > 90);
    let dir = app.dir.path().to_path_buf();
    let mut found: Vec<String> = Vec::new();
    let search = |stage: &str, dir: &Path, found: &mut Vec<String>| {
        for phrase in trust_support::walk::CLINICAL_TEXT {
            for f in files_holding(dir, phrase) {
                found.push(format!("{stage}: {phrase:?} in {}", f.display()));
            }
        }
    };
    search("before checkpoint", &dir, &mut found);
    let pool = app.sqlite().unwrap().pool().clone();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    search("after checkpoint", &dir, &mut found);
    let backup_dir = tempfile::tempdir().unwrap();
    app.store
        .backup_to(&backup_dir.path().join("backup.db"))
        .await
        .unwrap();
    search("backup", backup_dir.path(), &mut found);
    println!(
        "CR-1: {} phrases of course text searched in the database, WAL and a backup: {} hits",
        trust_support::walk::CLINICAL_TEXT.len(),
        found.len()
    );
    assert!(found.is_empty(), "clinical text in clear: {found:#?}");
    // The search bites: the walk's client registered by name (kept in clear by design) is found.
    assert!(!files_holding(&dir, "Walk Newcomer").is_empty());
    app.finish().await;
}
