//! The audit report and the verification of the chain.

use crate::{App, AppError, AppResult, Ctx};
use kith_domain::audit::{Anchor, AuditAction, BrokenLink, ChainedEvent, Verifier};
use kith_domain::ids::{ClientId, UserId};
use kith_domain::policy::{Action, Resource};
use kith_store::AuditFilter;
use time::OffsetDateTime;

/// The result of checking the whole trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    Intact { rows: usize, head: Option<Anchor> },
    Broken(BrokenLink),
}

impl App {
    /// Accesses to one client, or by one user, over a time range, in the caller's clinic.
    pub async fn audit_report(
        &self,
        ctx: &Ctx,
        client: Option<ClientId>,
        actor: Option<UserId>,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> AppResult<Vec<ChainedEvent>> {
        let clinic = ctx.clinic_id().ok_or(AppError::Forbidden)?;
        self.authorize(ctx, Action::ViewAudit, Resource::Clinic(clinic))
            .await?;
        let filter = AuditFilter {
            clinic: Some(clinic),
            client,
            actor,
            from,
            to,
            limit: 1000,
        };
        let rows = self.store.audit_report(&filter).await?;
        let mut e = ctx.event(AuditAction::Query, "audit_report", None, client);
        e.detail = Some(format!("{} rows", rows.len()));
        self.store.append_audit(&[e]).await?;
        Ok(rows)
    }

    /// Reads the whole trail in pages and checks every link, and the end against `anchor` (the head
    /// recorded outside the database) when given.
    pub async fn verify_audit(&self, anchor: Option<Anchor>) -> AppResult<AuditVerification> {
        let mut v = Verifier::new(anchor);
        let mut after = 0;
        loop {
            let page = self.store.audit_rows(after, 2000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for row in &page {
                if let Err(b) = v.push(row) {
                    return Ok(AuditVerification::Broken(b));
                }
            }
        }
        match v.finish() {
            Ok(rows) => Ok(AuditVerification::Intact {
                rows,
                head: self.store.audit_head().await?,
            }),
            Err(b) => Ok(AuditVerification::Broken(b)),
        }
    }
}
