//! The shared conformance suite on SQLite, plus what only SQLite has: pragmas, triggers, backup.

use kith_app::crypto::{FieldCrypto, Kek};
use kith_store::{AdminStore, Store};
use std::sync::Arc;

struct Db {
    store: Arc<dyn Store>,
    driver: Arc<kith_store_sqlite::SqliteDriver>,
    kek: Kek,
    dir: tempfile::TempDir,
}

impl Db {
    async fn finish(self) {
        let problems = self.store.integrity_problems().await.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        self.driver.close().await;
        drop(self.dir);
    }
}

async fn fresh() -> Option<Db> {
    let dir = tempfile::tempdir().unwrap();
    let kek = Kek::generate();
    let sealer = Arc::new(FieldCrypto::new(kek.clone()));
    let (driver, store) = kith_store_sqlite::open(&dir.path().join("kith.db"), sealer)
        .await
        .unwrap();
    Some(Db {
        store: Arc::new(store),
        driver,
        kek,
        dir,
    })
}

kith_store::conformance_suite!(fresh);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_reports_durable_pragmas() {
    let db = fresh().await.unwrap();
    // Hold several connections at once so the pool must open distinct ones.
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(db.driver.pool().acquire().await.unwrap());
    }
    for conn in &mut held {
        let mode: String = sqlx_query_scalar(conn, "PRAGMA journal_mode").await;
        let sync: i64 = sqlx_query_scalar(conn, "PRAGMA synchronous").await;
        let fk: i64 = sqlx_query_scalar(conn, "PRAGMA foreign_keys").await;
        let busy: i64 = sqlx_query_scalar(conn, "PRAGMA busy_timeout").await;
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
        assert!(busy >= 5000);
    }
    drop(held);
    db.finish().await;
}

async fn sqlx_query_scalar<T>(conn: &mut sqlx::SqliteConnection, sql: &'static str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    sqlx::query_scalar(sql).fetch_one(conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_refuses_update_and_delete() {
    let db = fresh().await.unwrap();
    db.store
        .append_audit(&[kith_domain::audit::AuditEvent {
            at: time::OffsetDateTime::now_utc(),
            actor: None,
            actor_role: None,
            clinic: None,
            client: None,
            object_type: "test".into(),
            object_id: None,
            action: kith_domain::audit::AuditAction::Read,
            outcome: kith_domain::audit::Outcome::Success,
            source: None,
            detail: None,
        }])
        .await
        .unwrap();
    let pool = db.driver.pool();
    let upd = sqlx::query("UPDATE audit_events SET detail = 'x'")
        .execute(pool)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_events").execute(pool).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_is_a_consistent_copy_with_the_same_counts() {
    let db = fresh().await.unwrap();
    kith_store::conformance::foundation::meta_and_counts(db.store.clone()).await;
    let dest = db.dir.path().join("backup.db");
    db.store.backup_to(&dest).await.unwrap();
    assert!(db.store.backup_to(&dest).await.is_err(), "never overwrites");
    let before = db.store.row_counts().await.unwrap();
    let (d2, copy) = kith_store_sqlite::open(&dest, Arc::new(FieldCrypto::new(db.kek.clone())))
        .await
        .unwrap();
    assert_eq!(copy.row_counts().await.unwrap(), before);
    assert!(copy.integrity_problems().await.unwrap().is_empty());
    d2.close().await;
    // Without the matching key file the copy is refused rather than half-read.
    let wrong = kith_store_sqlite::open(&dest, Arc::new(FieldCrypto::new(Kek::generate()))).await;
    assert!(matches!(wrong, Err(kith_store::StoreError::Crypto(_))));
    db.finish().await;
}
