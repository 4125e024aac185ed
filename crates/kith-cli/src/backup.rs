//! `kith backup`, `kith restore` and `kith audit verify`.
//!
//! A backup is a consistent copy of the SQLite database (`VACUUM INTO`) plus a manifest beside it
//! (`FILE.manifest.json`) with the row count of every table and the head of the audit trail. The
//! key file is never in a backup: a stolen backup reveals no clinical text.

use crate::config::Config;
use crate::open::{self, Backend};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kith_app::clock::SystemClock;
use kith_app::crypto::FieldCrypto;
use kith_app::{App, AuditVerification};
use kith_domain::audit::Anchor;
use kith_store::{AdminStore, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Serialize, Deserialize)]
pub struct Manifest {
    pub kith_version: String,
    pub created_at: String,
    pub key_fingerprint: String,
    pub row_counts: BTreeMap<String, i64>,
    pub audit_head: Option<Anchor>,
}

fn manifest_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".manifest.json");
    PathBuf::from(s)
}

fn steps(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("[{pos}/{len}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn e(x: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{x}")
}

pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let opened = open::open(config, false).await?;
    if let Backend::Postgres(_) = opened.backend {
        // The store answers with the pg_dump command to use.
        match opened.store.backup_to(file).await {
            Err(kith_store::StoreError::Refused(m)) => println!("{m}"),
            other => other.map_err(e)?,
        }
        opened.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    if file.exists() {
        bail!(
            "{} already exists; Kith never overwrites a backup",
            file.display()
        );
    }
    let bar = steps(3);
    bar.set_message("copying the database");
    opened.store.backup_to(file).await.map_err(e)?;
    bar.inc(1);
    bar.set_message("checking the copy");
    let kek = crate::keyfile::load(&config.key_path(), false)?;
    let (driver, copy) = kith_store_sqlite::open(file, Arc::new(FieldCrypto::new(kek.clone())))
        .await
        .map_err(e)?;
    let problems = copy.integrity_problems().await.map_err(e)?;
    if !problems.is_empty() {
        bail!(
            "the copy failed its integrity check: {}",
            problems.join("; ")
        );
    }
    let counts: BTreeMap<String, i64> = copy.row_counts().await.map_err(e)?.into_iter().collect();
    let head = kith_store::AuditStore::audit_head(&copy).await.map_err(e)?;
    driver.close().await;
    bar.inc(1);
    bar.set_message("writing the manifest");
    let manifest = Manifest {
        kith_version: env!("CARGO_PKG_VERSION").into(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        key_fingerprint: kek.id().to_string(),
        row_counts: counts,
        audit_head: head,
    };
    fs::write(manifest_path(file), serde_json::to_vec_pretty(&manifest)?)?;
    fs::set_permissions(file, fs::Permissions::from_mode(0o600))?;
    bar.inc(1);
    bar.finish_and_clear();
    let rows: i64 = manifest.row_counts.values().sum();
    println!(
        "Backup written to {} ({} rows; manifest beside it).",
        file.display(),
        rows
    );
    println!(
        "Keep the key file ({}) separately: the backup cannot be read without it.",
        config.key_path().display()
    );
    opened.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(
    config: &Config,
    file: &Path,
    with_key: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let url = config.database_url();
    let Some(target) = url.strip_prefix("sqlite://").map(PathBuf::from) else {
        bail!("restore works with SQLite; for PostgreSQL use pg_restore");
    };
    if target.exists() {
        bail!(
            "{} already exists: restore only into an empty data folder",
            target.display()
        );
    }
    if !file.exists() {
        bail!("{} does not exist", file.display());
    }
    open::ensure_data_dir(config)?;
    let key_path = config.key_path();
    if let Some(k) = with_key {
        if key_path.exists() {
            bail!(
                "{} already exists; remove --with-key or the existing key file",
                key_path.display()
            );
        }
        let text = fs::read_to_string(k).with_context(|| format!("reading {}", k.display()))?;
        kith_app::crypto::Kek::from_file_text(&text).map_err(e)?;
        fs::write(&key_path, text)?;
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600))?;
    }
    let kek = crate::keyfile::load(&key_path, false)?;
    let manifest: Option<Manifest> = match fs::read(manifest_path(file)) {
        Ok(b) => Some(serde_json::from_slice(&b).context("reading the backup's manifest")?),
        Err(_) => {
            eprintln!(
                "No manifest beside the backup: row counts and the audit head cannot be compared."
            );
            None
        }
    };
    if let Some(m) = &manifest
        && m.key_fingerprint != kek.id()
    {
        bail!(
            "this backup was made with another key file (fingerprint {}, this one is {})",
            m.key_fingerprint,
            kek.id()
        );
    }
    let bar = steps(4);
    bar.set_message("copying the backup into place");
    {
        let source = kith_store_sqlite::SqliteDriver::connect(file)
            .await
            .map_err(e)?;
        kith_store_sqlite::copy_into(&source, &target)
            .await
            .map_err(e)?;
        source.close().await;
    }
    bar.inc(1);
    bar.set_message("checking integrity");
    let (driver, store) = kith_store_sqlite::open(&target, Arc::new(FieldCrypto::new(kek)))
        .await
        .map_err(e)?;
    let store: Arc<dyn Store> = Arc::new(store);
    bar.inc(1);
    bar.set_message("comparing row counts");
    let counts: BTreeMap<String, i64> = store.row_counts().await.map_err(e)?.into_iter().collect();
    if let Some(m) = &manifest
        && m.row_counts != counts
    {
        bail!("the restored row counts differ from the backup's manifest");
    }
    bar.inc(1);
    bar.set_message("verifying the audit trail");
    let app = App::new(
        store.clone(),
        Arc::new(SystemClock),
        kith_app::Limits::default(),
    );
    let anchor = manifest.as_ref().and_then(|m| m.audit_head);
    match app.verify_audit(anchor).await.map_err(e)? {
        AuditVerification::Intact { rows, .. } => {
            bar.inc(1);
            bar.finish_and_clear();
            println!(
                "Restored into {} — integrity ok, {} tables match, audit trail intact ({rows} entries).",
                target.display(),
                counts.len()
            );
        }
        AuditVerification::Broken(b) => bail!("the audit trail in the backup is broken: {b}"),
    }
    if let Some(a) = anchor {
        crate::anchor::write_atomically(&config.anchor_path(), &a)?;
    }
    driver.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn verify_audit(config: &Config) -> anyhow::Result<ExitCode> {
    let opened = open::open(config, false).await?;
    let app = App::new(
        opened.store.clone(),
        Arc::new(SystemClock),
        kith_app::Limits::default(),
    );
    let file = opened.anchor.current()?;
    let copy = match opened.anchor.copy_head() {
        Ok(c) => c,
        Err(e) => {
            opened.close().await;
            println!("The audit trail cannot be trusted: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    // The later of the two heads is the one the trail must reach.
    let anchor = match (file, copy) {
        (Some(f), Some(c)) => Some(if c.seq > f.seq { c } else { f }),
        (f, c) => f.or(c),
    };
    let result = app.verify_audit(anchor).await.map_err(e)?;
    opened.close().await;
    match result {
        AuditVerification::Intact { rows, head } => {
            println!(
                "The audit trail is intact: {rows} entries{}{}.",
                head.map(|h| format!(", head {} {}", h.seq, hex::encode(h.hash)))
                    .unwrap_or_default(),
                if anchor.is_some() {
                    ", matching the anchor file"
                } else {
                    " (no anchor file to compare the end with)"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditVerification::Broken(b) => {
            println!("The audit trail is BROKEN at entry {}: {b}", b.seq());
            Ok(ExitCode::from(2))
        }
    }
}
