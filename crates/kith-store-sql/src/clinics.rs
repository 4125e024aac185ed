use crate::SqlStore;
use crate::args;
use crate::driver::{Row, Tx, TxExt};
use async_trait::async_trait;
use kith_domain::audit::AuditEvent;
use kith_domain::clinic::ClinicSettings;
use kith_domain::ids::ClinicId;
use kith_store::{Clinic, ClinicStore, NewClinic, StoreError, StoreResult};

pub(crate) fn clinic_from(r: &Row) -> StoreResult<Clinic> {
    let settings: ClinicSettings = serde_json::from_str(&r.text("settings")?)
        .map_err(|e| StoreError::Backend(format!("clinic settings: {e}")))?;
    Ok(Clinic {
        id: r.uuid("id")?.into(),
        name: r.text("name")?,
        settings,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
    })
}

fn settings_json(s: &ClinicSettings) -> StoreResult<String> {
    serde_json::to_string(s).map_err(|e| StoreError::Backend(e.to_string()))
}

impl SqlStore {
    /// Inserts a clinic and its data key.
    pub(crate) async fn insert_clinic(
        &self,
        tx: &mut Box<dyn Tx>,
        c: &NewClinic,
    ) -> StoreResult<()> {
        tx.exec(
            "INSERT INTO clinics (id, name, settings, version, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![c.id.0, c.name.as_str(), settings_json(&c.settings)?, 1i64, c.created_at],
        )
        .await?;
        self.insert_data_key(tx, Some(c.id)).await
    }
}

#[async_trait]
impl ClinicStore for SqlStore {
    async fn clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        let mut tx = self.read().await?;
        let r = tx
            .row(
                "SELECT id, name, settings, version, created_at FROM clinics WHERE id = $1",
                args![id.0],
            )
            .await?;
        r.as_ref().map(clinic_from).transpose()
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        let mut tx = self.read().await?;
        let rows = tx
            .rows(
                "SELECT id, name, settings, version, created_at FROM clinics ORDER BY name, id",
                vec![],
            )
            .await?;
        rows.iter().map(clinic_from).collect()
    }

    async fn create_clinic(&self, clinic: NewClinic, audit: &[AuditEvent]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        self.insert_clinic(&mut tx, &clinic).await?;
        self.finish(tx, audit).await
    }

    async fn update_clinic(
        &self,
        id: ClinicId,
        name: &str,
        settings: &ClinicSettings,
        expected_version: i64,
        audit: &[AuditEvent],
    ) -> StoreResult<Clinic> {
        let mut tx = self.write().await?;
        let n = tx
            .exec(
                "UPDATE clinics SET name = $1, settings = $2, version = version + 1 WHERE id = $3 AND version = $4",
                args![name, settings_json(settings)?, id.0, expected_version],
            )
            .await?;
        let row = tx
            .row(
                "SELECT id, name, settings, version, created_at FROM clinics WHERE id = $1",
                args![id.0],
            )
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let clinic = clinic_from(&row)?;
        if n != 1 {
            return Err(StoreError::VersionConflict {
                current: clinic.version,
            });
        }
        self.finish(tx, audit).await?;
        Ok(clinic)
    }
}
