//! Opening the database named by the configuration, with the key file.

use crate::anchor::AnchorKeeper;
use crate::config::Config;
use crate::keyfile;
use anyhow::{Context, bail};
use kith_app::crypto::FieldCrypto;
use kith_store::Store;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

pub struct Opened {
    pub store: Arc<dyn Store>,
    pub backend: Backend,
    /// Keeps the audit anchor file at the trail's head.
    pub anchor: Arc<AnchorKeeper>,
}

pub enum Backend {
    Sqlite(Arc<kith_store_sqlite::SqliteDriver>),
    Postgres(Arc<kith_store_postgres::PgDriver>),
}

impl Opened {
    /// Moves the audit anchor to what this command wrote, then closes the database.
    pub async fn close(&self) {
        self.anchor.advance_or_warn().await;
        self.driver_close().await;
    }

    /// Closes the database without touching the anchor (for a refused start).
    pub async fn driver_close(&self) {
        match &self.backend {
            Backend::Sqlite(d) => d.close().await,
            Backend::Postgres(d) => d.close().await,
        }
    }
}

/// Creates the data folder (owner only) if needed.
pub fn ensure_data_dir(config: &Config) -> anyhow::Result<()> {
    if !config.data_dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    }
    Ok(())
}

/// Opens (and migrates) the database. `create_key` allows making a new key file on first start.
pub async fn open(config: &Config, create_key: bool) -> anyhow::Result<Opened> {
    ensure_data_dir(config)?;
    let kek = keyfile::load(&config.key_path(), create_key)?;
    let anchor_key = kek.derive("audit-anchor");
    let sealer = Arc::new(FieldCrypto::new(kek));
    let url = config.database_url();
    if let Some(path) = url.strip_prefix("sqlite://") {
        let (driver, store) = kith_store_sqlite::open(std::path::Path::new(path), sealer)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let store: Arc<dyn Store> = Arc::new(store);
        Ok(Opened {
            anchor: Arc::new(AnchorKeeper::new(store.clone(), config, anchor_key)),
            store,
            backend: Backend::Sqlite(driver),
        })
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (driver, store) = kith_store_postgres::open(&url, sealer)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let store: Arc<dyn Store> = Arc::new(store);
        Ok(Opened {
            anchor: Arc::new(AnchorKeeper::new(store.clone(), config, anchor_key)),
            store,
            backend: Backend::Postgres(driver),
        })
    } else {
        bail!(
            "the database must be sqlite://PATH or postgres://…, not {}",
            crate::config::redact(&url)
        )
    }
}
