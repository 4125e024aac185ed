//! The shared conformance suite on PostgreSQL. Runs when `KITH_TEST_POSTGRES_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/test`); each test gets its own fresh database, dropped
//! afterwards. Without the setting every test says it was skipped.

use kith_app::crypto::{FieldCrypto, Kek};
use kith_store::Store;
use kith_store_postgres::ScratchDatabase;
use std::sync::Arc;

struct Db {
    store: Arc<dyn Store>,
    driver: Arc<kith_store_postgres::PgDriver>,
    scratch: ScratchDatabase,
}

impl Db {
    async fn finish(self) {
        let problems = self.store.integrity_problems().await.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        self.driver.close().await;
        drop(self.store);
        self.scratch.drop_now().await.unwrap();
    }
}

async fn fresh() -> Option<Db> {
    let Ok(url) = std::env::var("KITH_TEST_POSTGRES_URL") else {
        eprintln!("skipped: set KITH_TEST_POSTGRES_URL to run the PostgreSQL conformance suite");
        return None;
    };
    let scratch = ScratchDatabase::create(&url).await.unwrap();
    let sealer = Arc::new(FieldCrypto::new(Kek::generate()));
    let (driver, store) = kith_store_postgres::open(&scratch.url, sealer)
        .await
        .unwrap();
    Some(Db {
        store: Arc::new(store),
        driver,
        scratch,
    })
}

kith_store::conformance_suite!(fresh);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_refuses_update_delete_and_truncate() {
    let Some(db) = fresh().await else { return };
    kith_store::conformance::foundation::audit_report_filters(db.store.clone()).await;
    let pool = db.driver.pool();
    for sql in [
        "UPDATE audit_events SET detail = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let r = sqlx::query(sql).execute(pool).await;
        assert!(r.unwrap_err().to_string().contains("append-only"), "{sql}");
    }
    db.finish().await;
}
