//! The audit anchor: the head of the audit trail (sequence number and hash of its last entry),
//! kept in a file beside the database so that rows cut off the trail's end are noticed.
//!
//! Rules: the anchor only ever moves forwards, and only along the chain it already vouches for
//! (before moving, the entry it names must still be in the database with the same hash). It moves
//! after every commit that wrote audit rows — the server registers a listener with the store, and
//! every CLI command moves it before it closes the database. When configured, each move is also
//! appended as a line signed with a key derived from the key file (`audit_anchor_copy`) and/or
//! logged (`audit_anchor_log`), so the head is known off the machine as well.

use crate::config::Config;
use anyhow::Context;
use hmac::{Hmac, Mac};
use kith_domain::audit::Anchor;
use kith_store::Store;
use sha2::Sha256;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

/// What an attempt to move the anchor to the trail's head did.
#[derive(Debug, PartialEq, Eq)]
pub enum Moved {
    /// The anchor already names the head.
    Unchanged,
    /// The anchor now names this head.
    To(Anchor),
    /// The anchor was left where it was, because moving it would hide a change to the trail.
    Refused(String),
}

pub struct AnchorKeeper {
    store: Arc<dyn Store>,
    path: PathBuf,
    copy: Option<PathBuf>,
    log: bool,
    mac_key: [u8; 32],
    lock: tokio::sync::Mutex<()>,
}

impl AnchorKeeper {
    pub fn new(store: Arc<dyn Store>, config: &Config, mac_key: [u8; 32]) -> AnchorKeeper {
        AnchorKeeper {
            store,
            path: config.anchor_path(),
            copy: config.audit_anchor_copy.clone(),
            log: config.audit_anchor_log,
            mac_key,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The anchor file's content, if there is one.
    pub fn current(&self) -> anyhow::Result<Option<Anchor>> {
        read(&self.path)
    }

    /// Moves the anchor to the trail's current head, if that is a move forwards along the chain
    /// the anchor already vouches for.
    pub async fn advance(&self) -> anyhow::Result<Moved> {
        let _one_at_a_time = self.lock.lock().await;
        let err = |e: kith_store::StoreError| anyhow::anyhow!("{e}");
        let head = self.store.audit_head().await.map_err(err)?;
        let current = self.current()?;
        let head = match (head, current) {
            (None, None) => return Ok(Moved::Unchanged),
            (None, Some(a)) => {
                return Ok(Moved::Refused(format!(
                    "the audit trail is empty but the anchor records entry {}",
                    a.seq
                )));
            }
            (Some(h), None) => h,
            (Some(h), Some(a)) if h.seq < a.seq => {
                return Ok(Moved::Refused(format!(
                    "the audit trail ends at entry {} but the anchor records entry {}: entries were removed from its end",
                    h.seq, a.seq
                )));
            }
            (Some(h), Some(a)) if h.seq == a.seq => {
                return Ok(if h.hash == a.hash {
                    Moved::Unchanged
                } else {
                    Moved::Refused(format!(
                        "the audit trail's entry {} differs from the one the anchor records",
                        a.seq
                    ))
                });
            }
            (Some(h), Some(a)) => {
                let row = self
                    .store
                    .audit_rows(a.seq - 1, 1)
                    .await
                    .map_err(err)?
                    .into_iter()
                    .next();
                if !row.is_some_and(|r| r.seq == a.seq && r.hash == a.hash) {
                    return Ok(Moved::Refused(format!(
                        "the audit trail's entry {} is missing or differs from the one the anchor records",
                        a.seq
                    )));
                }
                h
            }
        };
        write_atomically(&self.path, &head)?;
        self.publish(&head)?;
        Ok(Moved::To(head))
    }

    /// Moves the anchor, logging (not failing) when it cannot: for the server's background writer
    /// and for CLI commands on their way out.
    pub async fn advance_or_warn(&self) {
        match self.advance().await {
            Ok(Moved::Refused(why)) => tracing::error!(
                "the audit anchor was not moved: {why}. Run `kith audit verify` to investigate"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not write the audit anchor"),
        }
    }

    fn publish(&self, head: &Anchor) -> anyhow::Result<()> {
        if self.copy.is_none() && !self.log {
            return Ok(());
        }
        let line = signed_line(&self.mac_key, head, time::OffsetDateTime::now_utc());
        if self.log {
            tracing::info!(target: "kith::audit_anchor", "{line}");
        }
        if let Some(copy) = &self.copy {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(copy)
                .with_context(|| format!("opening the anchor copy {}", copy.display()))?;
            writeln!(f, "{line}")?;
            f.sync_data()?;
        }
        Ok(())
    }

    /// The last line of the signed copy, checked: `Ok(None)` when no copy is configured or it is
    /// empty, an error when its signature does not hold.
    pub fn copy_head(&self) -> anyhow::Result<Option<Anchor>> {
        let Some(copy) = &self.copy else {
            return Ok(None);
        };
        let text = match std::fs::read_to_string(copy) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).context("reading the anchor copy"),
        };
        match text.lines().rev().find(|l| !l.trim().is_empty()) {
            None => Ok(None),
            Some(line) => check_line(&self.mac_key, line).map(Some),
        }
    }
}

/// Reads an anchor file; a missing file is `None`.
pub fn read(path: &Path) -> anyhow::Result<Option<Anchor>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(serde_json::from_slice(&b).with_context(|| {
            format!("reading the audit anchor {}", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading the audit anchor {}", path.display())),
    }
}

/// Replaces the anchor file in one step (write beside it, flush, rename).
pub fn write_atomically(path: &Path, head: &Anchor) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(
        &serde_json::json!({ "seq": head.seq, "hash": hex::encode(head.hash) }),
    )?;
    let mut f = std::fs::File::create(&tmp)
        .with_context(|| format!("writing the audit anchor {}", tmp.display()))?;
    f.write_all(&body)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("writing the audit anchor {}", path.display()))?;
    Ok(())
}

fn mac(key: &[u8; 32], payload: &str) -> String {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(payload.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// `kith-audit-anchor seq=N hash=HEX at=UNIX mac=HEX`, the MAC covering everything before it.
pub fn signed_line(key: &[u8; 32], head: &Anchor, at: time::OffsetDateTime) -> String {
    let payload = format!(
        "kith-audit-anchor seq={} hash={} at={}",
        head.seq,
        hex::encode(head.hash),
        at.unix_timestamp()
    );
    let m = mac(key, &payload);
    format!("{payload} mac={m}")
}

/// Checks a signed line and returns the head it names.
pub fn check_line(key: &[u8; 32], line: &str) -> anyhow::Result<Anchor> {
    let bad = || anyhow::anyhow!("the anchor copy's last line is not a signed anchor: {line}");
    let (payload, given) = line.trim().rsplit_once(" mac=").ok_or_else(bad)?;
    // The MAC crate compares in constant time.
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(payload.as_bytes());
    let signed = hex::decode(given).unwrap_or_default();
    if m.verify_slice(&signed).is_err() {
        anyhow::bail!(
            "the anchor copy's last line has a signature that does not match this key file: it was altered or written by another installation"
        );
    }
    let mut seq = None;
    let mut hash = None;
    for part in payload.split(' ') {
        if let Some(v) = part.strip_prefix("seq=") {
            seq = v.parse::<i64>().ok();
        } else if let Some(v) = part.strip_prefix("hash=") {
            hash = hex::decode(v)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok());
        }
    }
    match (seq, hash) {
        (Some(seq), Some(hash)) => Ok(Anchor { seq, hash }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_line_checks_and_an_altered_one_does_not() {
        let key = [7u8; 32];
        let head = Anchor {
            seq: 42,
            hash: [9u8; 32],
        };
        let line = signed_line(&key, &head, time::OffsetDateTime::UNIX_EPOCH);
        assert_eq!(check_line(&key, &line).unwrap(), head);
        let shorter = line.replace("seq=42", "seq=41");
        assert!(check_line(&key, &shorter).is_err());
        assert!(check_line(&[8u8; 32], &line).is_err());
        assert!(check_line(&key, "nonsense").is_err());
    }
}
