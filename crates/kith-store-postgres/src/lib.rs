//! PostgreSQL backend: connection setup, migrations, durability checks.
//!
//! Kith keeps no state of its own beside the database, so several servers can share one PostgreSQL.
//! At start the server checks that PostgreSQL will not lose acknowledged commits (`fsync`,
//! `full_page_writes` and `synchronous_commit` on).

use async_trait::async_trait;
use kith_store::{Sealer, StoreError, StoreResult};
use kith_store_sql::SqlStore;
use kith_store_sql::driver::{Arg, Dialect, Driver, Row, Tx, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Column, PgPool, Row as _, TypeInfo, ValueRef};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct PgDriver {
    pool: PgPool,
    url_for_humans: String,
}

fn backend(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => return StoreError::Duplicate("unique"),
            sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::NotFound,
            _ => {}
        }
        if db.message().contains("append-only") {
            return StoreError::Refused(db.message().to_string());
        }
    }
    StoreError::Backend(e.to_string())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(o) => format!(
            "postgres://{}@{}:{}/{}",
            o.get_username(),
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
        Err(_) => "postgres://…".to_string(),
    }
}

impl PgDriver {
    pub async fn connect(url: &str) -> StoreResult<PgDriver> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Refused(format!("bad database URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Refused(format!("cannot connect to {}: {e}", redact(url))))?;
        Ok(PgDriver {
            pool,
            url_for_humans: redact(url),
        })
    }

    /// Refuses a server that could lose acknowledged commits.
    pub async fn check_durability(&self) -> StoreResult<()> {
        for setting in ["fsync", "full_page_writes", "synchronous_commit"] {
            let v: String = sqlx::query_scalar("SELECT current_setting($1)")
                .bind(setting)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
            if v != "on" {
                return Err(StoreError::Refused(format!(
                    "PostgreSQL at {} runs with {setting} = {v}; Kith needs it on so that saved records survive a crash",
                    self.url_for_humans
                )));
            }
        }
        Ok(())
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::Refused(format!(
                "the database carries migration {v}, which this version of Kith does not know; it was written by a newer Kith"
            )),
            other => StoreError::Backend(format!("migration failed: {other}")),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

struct PgTx {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a {
            Arg::Uuid(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Bytes(v) => q.bind(v),
            Arg::Time(v) => q.bind(v),
            Arg::Date(v) => q.bind(v),
        };
    }
    q
}

fn convert(row: &sqlx::postgres::PgRow, names: &Arc<[String]>) -> StoreResult<Row> {
    let mut values = Vec::with_capacity(names.len());
    for i in 0..names.len() {
        let raw = row.try_get_raw(i).map_err(backend)?;
        let v = if raw.is_null() {
            Value::Null
        } else {
            let ty = raw.type_info().name().to_string();
            match ty.as_str() {
                "UUID" => Value::Uuid(row.try_get(i).map_err(backend)?),
                "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" => {
                    Value::Text(row.try_get(i).map_err(backend)?)
                }
                "INT8" => Value::Int(row.try_get(i).map_err(backend)?),
                "INT4" => Value::Int(row.try_get::<i32, _>(i).map_err(backend)?.into()),
                "INT2" => Value::Int(row.try_get::<i16, _>(i).map_err(backend)?.into()),
                "BOOL" => Value::Bool(row.try_get(i).map_err(backend)?),
                "BYTEA" => Value::Bytes(row.try_get(i).map_err(backend)?),
                "TIMESTAMPTZ" => Value::Time(row.try_get(i).map_err(backend)?),
                "DATE" => Value::Date(row.try_get(i).map_err(backend)?),
                "FLOAT8" => Value::Float(row.try_get(i).map_err(backend)?),
                "VOID" => Value::Null,
                other => {
                    return Err(StoreError::Backend(format!(
                        "unexpected PostgreSQL type {other}"
                    )));
                }
            }
        };
        values.push(v);
    }
    Ok(Row::new(names.clone(), values))
}

#[async_trait]
impl Tx for PgTx {
    async fn exec(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<u64> {
        let r = bind(sqlx::query(sql), args)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(r.rows_affected())
    }

    async fn rows(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Vec<Row>> {
        let rows = bind(sqlx::query(sql), args)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(backend)?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let names: Arc<[String]> = first
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        rows.iter().map(|r| convert(r, &names)).collect()
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(backend)
    }
}

#[async_trait]
impl Driver for PgDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn begin(&self, _write: bool) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(backend)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        // PostgreSQL checks its own pages; what Kith can check is that the schema is reachable and
        // the durability settings hold.
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        match self.check_durability().await {
            Ok(()) => Ok(Vec::new()),
            Err(e) => Ok(vec![e.to_string()]),
        }
    }

    async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        Err(StoreError::Refused(format!(
            "Kith does not copy a PostgreSQL database itself; use PostgreSQL's own tool, for example:\n  pg_dump --format=custom --file={} '{}'",
            dest.display(),
            self.url_for_humans
        )))
    }
}

/// Connects, checks durability settings, migrates and wraps the database in the store.
pub async fn open(url: &str, sealer: Arc<dyn Sealer>) -> StoreResult<(Arc<PgDriver>, SqlStore)> {
    let driver = Arc::new(PgDriver::connect(url).await?);
    driver.check_durability().await?;
    driver.migrate().await?;
    let store = SqlStore::open(driver.clone(), sealer).await?;
    Ok((driver, store))
}

/// Test support: a fresh, uniquely named database on a PostgreSQL server, dropped by
/// [`ScratchDatabase::drop_now`].
pub struct ScratchDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    /// Creates `kith_t_<pid>_<random>` on the server `admin_url` points at. Databases left behind by
    /// test processes that no longer run are dropped first.
    pub async fn create(admin_url: &str) -> StoreResult<ScratchDatabase> {
        let admin = PgPool::connect(admin_url)
            .await
            .map_err(|e| StoreError::Refused(format!("cannot reach {}: {e}", redact(admin_url))))?;
        let stale: Vec<String> = sqlx::query_scalar(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'kith_t_%'",
        )
        .fetch_all(&admin)
        .await
        .map_err(backend)?;
        for name in stale {
            let pid_alive = name
                .split('_')
                .nth(2)
                .and_then(|p| p.parse::<u32>().ok())
                .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !pid_alive {
                drop_database(&admin, &name).await?;
            }
        }
        let name = format!(
            "kith_t_{}_{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        create_database(&admin, &name).await?;
        admin.close().await;
        let mut opts = PgConnectOptions::from_str(admin_url)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        opts = opts.database(&name);
        let url = format!(
            "postgres://{}@{}:{}/{}",
            opts.get_username(),
            opts.get_host(),
            opts.get_port(),
            name
        );
        Ok(ScratchDatabase {
            url,
            admin_url: admin_url.to_string(),
            name,
        })
    }

    pub async fn drop_now(self) -> StoreResult<()> {
        let admin = PgPool::connect(&self.admin_url).await.map_err(backend)?;
        drop_database(&admin, &self.name).await?;
        admin.close().await;
        Ok(())
    }
}

// Database names cannot be bound as parameters; these two statements are the only ones Kith builds
// at run time, from names it generated itself (`kith_t_` + digits + hex), checked below.
fn checked_name(name: &str) -> StoreResult<&str> {
    if name.starts_with("kith_t_")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(name)
    } else {
        Err(StoreError::Refused(format!(
            "refusing to touch database {name:?}"
        )))
    }
}

async fn create_database(admin: &PgPool, name: &str) -> StoreResult<()> {
    let sql = format!("CREATE DATABASE {}", checked_name(name)?);
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(admin)
        .await
        .map_err(backend)?;
    Ok(())
}

async fn drop_database(admin: &PgPool, name: &str) -> StoreResult<()> {
    let sql = format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        checked_name(name)?
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(admin)
        .await
        .map_err(backend)?;
    Ok(())
}
