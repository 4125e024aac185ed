//! Signed notes on PostgreSQL: what the database itself refuses, and what a read reports when
//! someone with direct database access has altered a signed note behind Kith's back. Runs when
//! `KITH_TEST_POSTGRES_URL` is set, like the conformance suite.

use kith_app::crypto::{FieldCrypto, Kek};
use kith_domain::ids::NoteId;
use kith_store::conformance::courses::signed_note_fixture;
use kith_store::{NewAddendum, NoteIntegrity, Store};
use kith_store_postgres::ScratchDatabase;
use std::str::FromStr;
use std::sync::Arc;

async fn open() -> Option<(
    ScratchDatabase,
    Arc<kith_store_postgres::PgDriver>,
    Arc<dyn Store>,
)> {
    let Ok(url) = std::env::var("KITH_TEST_POSTGRES_URL") else {
        eprintln!("skipped: set KITH_TEST_POSTGRES_URL to run the PostgreSQL tests");
        return None;
    };
    let scratch = ScratchDatabase::create(&url).await.unwrap();
    let sealer = Arc::new(FieldCrypto::new(Kek::generate()));
    let (driver, store) = kith_store_postgres::open(&scratch.url, sealer)
        .await
        .unwrap();
    Some((scratch, driver, Arc::new(store)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_or_delete_a_signed_note() {
    let Some((scratch, driver, store)) = open().await else {
        return;
    };
    let (clinic, note) = signed_note_fixture(&store).await;
    let pool = driver.pool();
    for sql in [
        "UPDATE session_notes SET template = 'other' WHERE id = $1",
        "UPDATE session_notes SET content_hash = decode(repeat('00', 32), 'hex') WHERE id = $1",
        "DELETE FROM session_notes WHERE id = $1",
    ] {
        let r = sqlx::query(sql).bind(note.0).execute(pool).await;
        assert!(r.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    // TRUNCATE skips row triggers; it is refused on its own.
    let r = sqlx::query("TRUNCATE session_notes CASCADE")
        .execute(pool)
        .await;
    assert!(r.unwrap_err().to_string().contains("append-only"));
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
        "UPDATE note_addenda SET created_at = now()",
        "DELETE FROM note_addenda",
        "TRUNCATE note_addenda",
    ] {
        let r = sqlx::query(sql).execute(pool).await;
        assert!(r.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    driver.close().await;
    drop(store);
    scratch.drop_now().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_reports_a_tampered_signed_note() {
    let Some((scratch, driver, store)) = open().await else {
        return;
    };
    let (clinic, note) = signed_note_fixture(&store).await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Intact);
    let pool = driver.pool();
    // Someone with the database file removes the guard first.
    sqlx::query("ALTER TABLE session_notes DISABLE TRIGGER session_notes_signed")
        .execute(pool)
        .await
        .unwrap();
    let set = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(sql).bind(note.0).execute(&pool).await.unwrap();
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
    set("UPDATE session_notes SET content_hash = decode(repeat('00', 32), 'hex') WHERE id = $1")
        .await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Tampered);
    // Or corrupts the sealed body itself: it no longer opens, and the read says so.
    set("UPDATE session_notes SET body = decode(repeat('00', 64), 'hex') WHERE id = $1").await;
    let read = store.note(clinic, note, &[]).await.unwrap().unwrap();
    assert_eq!(read.integrity, NoteIntegrity::Tampered);
    assert!(read.content.sections.is_empty());
    driver.close().await;
    drop(store);
    scratch.drop_now().await.unwrap();
}
