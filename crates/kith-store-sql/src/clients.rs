use crate::args;
use crate::driver::{Row, Tx, TxExt};
use crate::{SqlStore, fresh};
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::ids::{ClientId, ClinicId, UserId};
use kith_domain::policy::ClientFacts;
use kith_store::*;
use time::OffsetDateTime;

fn contact_field(id: ClientId) -> FieldRef {
    FieldRef::new("clients", "contact", id.0)
}

impl SqlStore {
    async fn client_row(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        id: ClientId,
    ) -> StoreResult<Option<Client>> {
        let Some(r) = tx
            .row(
                "SELECT id, clinic_id, display_name, date_of_birth, contact, portal_user_id, version, created_at FROM clients WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let clinicians = tx
            .rows("SELECT clinician_id FROM assignments WHERE client_id = $1 ORDER BY created_at, clinician_id", args![id.0])
            .await?
            .iter()
            .map(|r| r.uuid("clinician_id").map(UserId))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(Client {
            id,
            clinic,
            display_name: r.text("display_name")?,
            date_of_birth: r.opt_date("date_of_birth")?,
            contact: self
                .open_opt(tx, contact_field(id), r.opt_bytes("contact")?)
                .await?,
            portal_user: r.opt_uuid("portal_user_id")?.map(Into::into),
            clinicians,
            version: r.int("version")?,
            created_at: r.time("created_at")?,
        }))
    }

    /// Clinicians assigned to a client must be active clinicians or supervisors of the same clinic.
    async fn check_carer(
        &self,
        tx: &mut Box<dyn Tx>,
        clinic: ClinicId,
        user: UserId,
    ) -> StoreResult<()> {
        let r = tx
            .row(
                "SELECT role FROM memberships WHERE user_id = $1 AND clinic_id = $2 AND disabled_at IS NULL",
                args![user.0, clinic.0],
            )
            .await?;
        match r.map(|r| r.text("role")).transpose()?.as_deref() {
            Some("clinician" | "supervisor") => Ok(()),
            _ => Err(StoreError::NotFound),
        }
    }
}

fn summary_from(r: &Row) -> StoreResult<(ClientId, String, OffsetDateTime)> {
    Ok((
        r.uuid("id")?.into(),
        r.text("display_name")?,
        r.time("created_at")?,
    ))
}

#[async_trait]
impl ClientStore for SqlStore {
    async fn register_client(
        &self,
        c: NewClient,
        idem: Option<&Idempotency>,
        audit: &[AuditEvent],
    ) -> StoreResult<Written<ClientId>> {
        let mut tx = self.write().await?;
        if let Some(id) = self.idem_replay::<ClientId>(&mut tx, idem).await? {
            return Ok(Written::Replayed(id));
        }
        let contact = self
            .seal_opt(
                &mut tx,
                Some(c.clinic),
                contact_field(c.id),
                c.contact.as_deref(),
            )
            .await?;
        tx.exec(
            "INSERT INTO clients (id, clinic_id, display_name, date_of_birth, contact, created_by, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![c.id.0, c.clinic.0, c.display_name.as_str(), c.date_of_birth, contact, c.created_by.0, c.created_at, 1i64],
        )
        .await?;
        if let Some(clinician) = c.assign_to {
            self.check_carer(&mut tx, c.clinic, clinician).await?;
            tx.exec(
                "INSERT INTO assignments (client_id, clinician_id, clinic_id, created_at) VALUES ($1, $2, $3, $4)",
                args![c.id.0, clinician.0, c.clinic.0, c.created_at],
            )
            .await?;
        }
        self.idem_record(&mut tx, idem, &c.id).await?;
        self.finish(tx, audit).await?;
        Ok(fresh(c.id))
    }

    async fn clients(
        &self,
        clinic: ClinicId,
        scope: ClientScope,
        audit: &[AuditEvent],
    ) -> StoreResult<Vec<ClientSummary>> {
        let mut tx = self.write().await?;
        let rows = match scope {
            ClientScope::Clinic => {
                tx.rows(
                    "SELECT id, display_name, created_at FROM clients WHERE clinic_id = $1 ORDER BY display_name, id",
                    args![clinic.0],
                )
                .await?
            }
            ClientScope::AssignedTo(u) => {
                tx.rows(
                    "SELECT c.id, c.display_name, c.created_at FROM clients c JOIN assignments a ON a.client_id = c.id \
                     WHERE c.clinic_id = $1 AND a.clinician_id = $2 ORDER BY c.display_name, c.id",
                    args![clinic.0, u.0],
                )
                .await?
            }
            ClientScope::Supervisor(u) => {
                tx.rows(
                    "SELECT DISTINCT c.id, c.display_name, c.created_at FROM clients c JOIN assignments a ON a.client_id = c.id \
                     WHERE c.clinic_id = $1 AND (a.clinician_id = $2 OR a.clinician_id IN \
                        (SELECT s.clinician_id FROM supervision s WHERE s.clinic_id = $1 AND s.supervisor_id = $2)) \
                     ORDER BY c.display_name, c.id",
                    args![clinic.0, u.0],
                )
                .await?
            }
            ClientScope::Portal(u) => {
                tx.rows(
                    "SELECT id, display_name, created_at FROM clients WHERE clinic_id = $1 AND portal_user_id = $2 ORDER BY id",
                    args![clinic.0, u.0],
                )
                .await?
            }
        };
        let names = tx
            .rows(
                "SELECT a.client_id, u.display_name FROM assignments a JOIN users u ON u.id = a.clinician_id WHERE a.clinic_id = $1 ORDER BY u.display_name",
                args![clinic.0],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (id, display_name, created_at) = summary_from(r)?;
            let mut clinicians = Vec::new();
            for n in &names {
                if n.uuid("client_id")? == id.0 {
                    clinicians.push(n.text("display_name")?);
                }
            }
            out.push(ClientSummary {
                id,
                display_name,
                clinicians,
                created_at,
            });
        }
        self.finish(tx, audit).await?;
        Ok(out)
    }

    async fn client(
        &self,
        clinic: ClinicId,
        id: ClientId,
        audit: &[AuditEvent],
    ) -> StoreResult<Option<Client>> {
        let mut tx = self.write().await?;
        let c = self.client_row(&mut tx, clinic, id).await?;
        if c.is_some() {
            self.finish(tx, audit).await?;
        }
        Ok(c)
    }

    async fn client_facts(
        &self,
        clinic: ClinicId,
        id: ClientId,
    ) -> StoreResult<Option<ClientFacts>> {
        let mut tx = self.read().await?;
        let Some(r) = tx
            .row(
                "SELECT portal_user_id FROM clients WHERE id = $1 AND clinic_id = $2",
                args![id.0, clinic.0],
            )
            .await?
        else {
            return Ok(None);
        };
        let clinicians = tx
            .rows(
                "SELECT clinician_id FROM assignments WHERE client_id = $1 ORDER BY clinician_id",
                args![id.0],
            )
            .await?
            .iter()
            .map(|r| r.uuid("clinician_id").map(UserId))
            .collect::<StoreResult<Vec<_>>>()?;
        let supervisors = tx
            .rows(
                "SELECT DISTINCT s.supervisor_id FROM supervision s JOIN assignments a ON a.clinician_id = s.clinician_id \
                 WHERE a.client_id = $1 AND s.clinic_id = $2 ORDER BY s.supervisor_id",
                args![id.0, clinic.0],
            )
            .await?
            .iter()
            .map(|r| r.uuid("supervisor_id").map(UserId))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(ClientFacts {
            clinic,
            client: id,
            clinicians,
            supervisors,
            portal_user: r.opt_uuid("portal_user_id")?.map(Into::into),
        }))
    }

    async fn update_client(
        &self,
        clinic: ClinicId,
        id: ClientId,
        details: &ClientDetails,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Client> {
        let mut tx = self.write().await?;
        let contact = self
            .seal_opt(
                &mut tx,
                Some(clinic),
                contact_field(id),
                details.contact.as_deref(),
            )
            .await?;
        let n = tx
            .exec(
                "UPDATE clients SET display_name = $1, date_of_birth = $2, contact = $3, version = version + 1 \
                 WHERE id = $4 AND clinic_id = $5 AND version = $6",
                args![details.display_name.as_str(), details.date_of_birth, contact, id.0, clinic.0, expected_version],
            )
            .await?;
        let Some(c) = self.client_row(&mut tx, clinic, id).await? else {
            return Err(StoreError::NotFound);
        };
        if n != 1 {
            return Err(StoreError::VersionConflict { current: c.version });
        }
        self.finish(tx, audit).await?;
        Ok(c)
    }

    async fn assign_client(
        &self,
        clinic: ClinicId,
        client: ClientId,
        clinician: UserId,
        on: bool,
        now: OffsetDateTime,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        if tx
            .row(
                "SELECT id FROM clients WHERE id = $1 AND clinic_id = $2",
                args![client.0, clinic.0],
            )
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        if on {
            self.check_carer(&mut tx, clinic, clinician).await?;
            tx.exec(
                "INSERT INTO assignments (client_id, clinician_id, clinic_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                args![client.0, clinician.0, clinic.0, now],
            )
            .await?;
        } else {
            tx.exec(
                "DELETE FROM assignments WHERE client_id = $1 AND clinician_id = $2",
                args![client.0, clinician.0],
            )
            .await?;
        }
        self.finish(tx, audit).await
    }
}
