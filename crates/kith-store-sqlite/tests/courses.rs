//! Signed notes on SQLite: what the database itself refuses, and what a read reports when someone
//! with access to the file has altered a signed note behind Kith's back.

use kith_app::crypto::{FieldCrypto, Kek};
use kith_domain::ids::NoteId;
use kith_store::conformance::courses::signed_note_fixture;
use kith_store::{NewAddendum, NoteIntegrity, Store};
use std::str::FromStr;
use std::sync::Arc;

async fn open(dir: &tempfile::TempDir) -> (Arc<kith_store_sqlite::SqliteDriver>, Arc<dyn Store>) {
    let sealer = Arc::new(FieldCrypto::new(Kek::generate()));
    let (driver, store) = kith_store_sqlite::open(&dir.path().join("kith.db"), sealer)
        .await
        .unwrap();
    (driver, Arc::new(store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_or_delete_a_signed_note() {
    let dir = tempfile::tempdir().unwrap();
    let (driver, store) = open(&dir).await;
    let (clinic, note) = signed_note_fixture(&store).await;
    let pool = driver.pool();
    for sql in [
        "UPDATE session_notes SET template = 'other' WHERE id = $1",
        "UPDATE session_notes SET content_hash = zeroblob(32) WHERE id = $1",
        "DELETE FROM session_notes WHERE id = $1",
    ] {
        let r = sqlx::query(sql)
            .bind(note.0.as_bytes().to_vec())
            .execute(pool)
            .await;
        assert!(r.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    // Addenda are append-only too.
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    store
        .add_addendum(
            clinic,
            &NewAddendum {
                id: NoteId::from_str("0190a000-0000-7000-8000-000000000001").unwrap(),
                note,
                text: "A correction.".into(),
                author: read.author,
                at: read.updated_at,
            },
            None,
            &[],
        )
        .await
        .unwrap();
    for sql in [
        "UPDATE note_addenda SET created_at = 'x'",
        "DELETE FROM note_addenda",
    ] {
        let r = sqlx::query(sql).execute(pool).await;
        assert!(r.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_reports_a_tampered_signed_note() {
    let dir = tempfile::tempdir().unwrap();
    let (driver, store) = open(&dir).await;
    let (clinic, note) = signed_note_fixture(&store).await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Intact);
    let pool = driver.pool();
    // Someone with the database file removes the guard first.
    sqlx::query("DROP TRIGGER session_notes_signed_no_update")
        .execute(pool)
        .await
        .unwrap();
    let set = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(sql)
                .bind(note.0.as_bytes().to_vec())
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    // A plain column the signature covers is changed: the read flags it.
    set("UPDATE session_notes SET template = 'ipt-middle' WHERE id = $1").await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Tampered);
    // Put back, the note checks out again: the flag is about content, not about the trigger.
    set("UPDATE session_notes SET template = 'ipt-initial' WHERE id = $1").await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Intact);
    // The stored hash is rewritten.
    set("UPDATE session_notes SET content_hash = zeroblob(32) WHERE id = $1").await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Tampered);
    // Or corrupts the sealed body itself: it no longer opens, and the read says so.
    set("UPDATE session_notes SET body = zeroblob(64) WHERE id = $1").await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Tampered);
    assert!(read.content.sections.is_empty());
    driver.close().await;
}

/// Clinical text of every course table is sealed: none of the text the course stories write
/// can be found in the database file or its write-ahead log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn course_text_never_reaches_the_disk_in_clear() {
    use kith_store::conformance::courses as stories;
    let dir = tempfile::tempdir().unwrap();
    let (driver, store) = open(&dir).await;
    stories::courses_open_with_intake_and_contract_history(store.clone()).await;
    stories::signed_notes_never_change_and_take_addenda(store.clone()).await;
    stories::process_notes_belong_to_their_author(store.clone()).await;
    stories::inventory_people_are_versioned_and_snapshotted(store.clone()).await;
    stories::timeline_entries_and_onset_are_versioned(store.clone()).await;
    stories::formulation_revisions_keep_history_and_agreement(store.clone()).await;
    stories::goals_and_worksheets_are_versioned(store.clone()).await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    driver.close().await;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for canary in [
        "Moderate depressive episode",
        "GP to review",
        "Grief for her mother",
        "slow start",
        "Ann named her grief",
        "She meant her aunt",
        "Good focus.",
        "I felt rushed",
        "Her father is never mentioned",
        "After the anniversary",
        "Mother died after a short illness",
        "stopped sleeping",
        "Complicated grief after a sudden death",
        "Arguments with her brother",
        "Talk about Mum with Jo",
        "Spoke with Jo twice",
        "Sunday lunch",
        "Well noticed",
    ] {
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary:?} is stored in clear"
        );
    }
    // The search can find text that is stored in clear (client names are, by design).
    assert!(bytes.windows(3).any(|w| w == b"Ann"));
}
