//! Appending to and reading the hash-chained audit trail.

use crate::SqlStore;
use crate::args;
use crate::driver::{Dialect, Row, Tx, TxExt};
use async_trait::async_trait;
use kith_domain::audit::{Anchor, AuditAction, AuditEvent, ChainedEvent, Outcome, link};
use kith_store::{AuditFilter, AuditStore, StoreError, StoreResult};

/// Chains and inserts `events` after the current head, inside `tx`. Returns the new head (none
/// when there was nothing to append).
pub(crate) async fn append(
    tx: &mut Box<dyn Tx>,
    dialect: Dialect,
    events: &[AuditEvent],
) -> StoreResult<Option<Anchor>> {
    if events.is_empty() {
        return Ok(None);
    }
    if dialect == Dialect::Postgres {
        // One appender at a time keeps the chain linear; SQLite's write lock already does this.
        tx.exec("SELECT pg_advisory_xact_lock(7310001)", vec![])
            .await?;
    }
    let mut head = tx
        .row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            vec![],
        )
        .await?
        .map(|r| Ok::<_, StoreError>((r.int("seq")?, r.hash32("hash")?)))
        .transpose()?;
    for e in events {
        let c = link(head, e.clone());
        let ev = &c.event;
        tx.exec(
            "INSERT INTO audit_events (seq, at, actor_id, actor_role, clinic_id, client_id, object_type, object_id, action, outcome, source, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            args![
                c.seq,
                ev.at,
                ev.actor.map(|u| u.0),
                ev.actor_role.as_deref(),
                ev.clinic.map(|u| u.0),
                ev.client.map(|u| u.0),
                ev.object_type.as_str(),
                ev.object_id.as_deref(),
                ev.action.as_str(),
                ev.outcome.as_str(),
                ev.source.as_deref(),
                ev.detail.as_deref(),
                c.prev_hash,
                c.hash
            ],
        )
        .await?;
        head = Some((c.seq, c.hash));
    }
    Ok(head.map(|(seq, hash)| Anchor { seq, hash }))
}

fn chained(r: &Row) -> StoreResult<ChainedEvent> {
    let action = r.text("action")?;
    let outcome = r.text("outcome")?;
    Ok(ChainedEvent {
        seq: r.int("seq")?,
        event: AuditEvent {
            at: r.time("at")?,
            actor: r.opt_uuid("actor_id")?.map(Into::into),
            actor_role: r.opt_text("actor_role")?,
            clinic: r.opt_uuid("clinic_id")?.map(Into::into),
            client: r.opt_uuid("client_id")?.map(Into::into),
            object_type: r.text("object_type")?,
            object_id: r.opt_text("object_id")?,
            action: AuditAction::parse(&action)
                .ok_or_else(|| StoreError::Backend(format!("unknown audit action {action}")))?,
            outcome: Outcome::parse(&outcome)
                .ok_or_else(|| StoreError::Backend(format!("unknown audit outcome {outcome}")))?,
            source: r.opt_text("source")?,
            detail: r.opt_text("detail")?,
        },
        prev_hash: r.hash32("prev_hash")?,
        hash: r.hash32("hash")?,
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, events: &[AuditEvent]) -> StoreResult<()> {
        let tx = self.write().await?;
        self.finish(tx, events).await
    }

    fn on_audit_commit(&self, listener: kith_store::AuditListener) {
        if let Ok(mut l) = self.audit_listener.write() {
            *l = Some(listener);
        }
    }

    async fn audit_head(&self) -> StoreResult<Option<Anchor>> {
        let mut tx = self.read().await?;
        let row = tx
            .row(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
                vec![],
            )
            .await?;
        row.map(|r| {
            Ok(Anchor {
                seq: r.int("seq")?,
                hash: r.hash32("hash")?,
            })
        })
        .transpose()
    }

    async fn audit_rows(&self, after: i64, limit: i64) -> StoreResult<Vec<ChainedEvent>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT seq, at, actor_id, actor_role, clinic_id, client_id, object_type, object_id, action, outcome, source, detail, prev_hash, hash \
                 FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
                args![after, limit],
            )
            .await?;
        rows.iter().map(chained).collect()
    }

    async fn audit_report(&self, f: &AuditFilter) -> StoreResult<Vec<ChainedEvent>> {
        let mut tx = self.read().await?;
        // Each filter is optional: a NULL parameter matches everything.
        let rows = tx
            .rows(
                "SELECT seq, at, actor_id, actor_role, clinic_id, client_id, object_type, object_id, action, outcome, source, detail, prev_hash, hash \
                 FROM audit_events \
                 WHERE ($1 IS NULL OR clinic_id = $1) AND ($2 IS NULL OR client_id = $2) AND ($3 IS NULL OR actor_id = $3) \
                   AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
                 ORDER BY seq DESC LIMIT $6",
                args![
                    f.clinic.map(|c| c.0),
                    f.client.map(|c| c.0),
                    f.actor.map(|c| c.0),
                    f.from,
                    f.to,
                    if f.limit > 0 { f.limit } else { 500 }
                ],
            )
            .await?;
        rows.iter().map(chained).collect()
    }
}
