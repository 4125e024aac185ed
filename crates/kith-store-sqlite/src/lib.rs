//! SQLite backend: connection setup, pragmas, migrations, integrity checks, backup.
//!
//! Every pooled connection is opened in WAL mode with `synchronous=FULL` (a commit survives a power
//! cut), foreign keys on and a busy timeout of at least five seconds; the values are read back and
//! checked on each connection before it is used. Write transactions begin with `BEGIN IMMEDIATE`.

use async_trait::async_trait;
use kith_store::{Sealer, StoreError, StoreResult};
use kith_store_sql::SqlStore;
use kith_store_sql::driver::{Arg, Dialect, Driver, Row, Tx, Value, format_sqlite_time};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Column, Executor, Row as _, SqlitePool, TypeInfo, ValueRef};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Busy timeout set on every connection (milliseconds).
pub const BUSY_TIMEOUT_MS: i64 = 5000;

/// The pragma values every connection must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragmas {
    pub journal_mode: String,
    pub synchronous: i64,
    pub foreign_keys: i64,
    pub busy_timeout: i64,
}

pub struct SqliteDriver {
    pool: SqlitePool,
    path: PathBuf,
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

async fn read_pragmas(conn: &mut sqlx::SqliteConnection) -> Result<Pragmas, sqlx::Error> {
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?;
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await?;
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await?;
    let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await?;
    Ok(Pragmas {
        journal_mode,
        synchronous,
        foreign_keys,
        busy_timeout,
    })
}

/// Checks a connection's pragmas; a connection that does not match is refused.
fn pragmas_ok(p: &Pragmas) -> Result<(), String> {
    if !p.journal_mode.eq_ignore_ascii_case("wal") {
        return Err(format!("journal_mode is {}, expected wal", p.journal_mode));
    }
    if p.synchronous != 2 {
        return Err(format!(
            "synchronous is {}, expected 2 (FULL)",
            p.synchronous
        ));
    }
    if p.foreign_keys != 1 {
        return Err("foreign_keys is off".into());
    }
    if p.busy_timeout < BUSY_TIMEOUT_MS {
        return Err(format!(
            "busy_timeout is {} ms, expected at least {BUSY_TIMEOUT_MS}",
            p.busy_timeout
        ));
    }
    Ok(())
}

impl SqliteDriver {
    /// Opens (creating if needed) the database file. Does not migrate.
    pub async fn connect(path: &Path) -> StoreResult<SqliteDriver> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS as u64));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    let p = read_pragmas(conn).await?;
                    pragmas_ok(&p).map_err(|m| {
                        sqlx::Error::Configuration(format!("SQLite connection refused: {m}").into())
                    })
                })
            })
            .connect_with(opts)
            .await
            .map_err(backend)?;
        Ok(SqliteDriver {
            pool,
            path: path.to_path_buf(),
        })
    }

    /// The pragmas of one pooled connection.
    pub async fn pragmas(&self) -> StoreResult<Pragmas> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        read_pragmas(&mut conn).await.map_err(backend)
    }

    /// Applies pending migrations. Refuses a database that carries migrations this Kith does not
    /// know (it was written by a newer version).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => StoreError::Refused(format!(
                "the database carries migration {v}, which this version of Kith does not know; it was written by a newer Kith"
            )),
            other => StoreError::Backend(format!("migration failed: {other}")),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

struct SqliteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    for a in args {
        q = match a {
            Arg::Uuid(v) => q.bind(v.map(|u| u.as_bytes().to_vec())),
            Arg::Text(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Bytes(v) => q.bind(v),
            Arg::Time(v) => q.bind(v.map(format_sqlite_time)),
            Arg::Date(v) => q.bind(v.map(|d| d.to_string())),
        };
    }
    q
}

fn convert(row: &sqlx::sqlite::SqliteRow, names: &Arc<[String]>) -> StoreResult<Row> {
    let mut values = Vec::with_capacity(names.len());
    for i in 0..names.len() {
        let raw = row.try_get_raw(i).map_err(backend)?;
        let v = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().name() {
                "INTEGER" => Value::Int(row.try_get(i).map_err(backend)?),
                "REAL" => Value::Float(row.try_get(i).map_err(backend)?),
                "TEXT" => Value::Text(row.try_get(i).map_err(backend)?),
                "BLOB" => Value::Bytes(row.try_get(i).map_err(backend)?),
                other => {
                    return Err(StoreError::Backend(format!(
                        "unexpected SQLite type {other}"
                    )));
                }
            }
        };
        values.push(v);
    }
    Ok(Row::new(names.clone(), values))
}

#[async_trait]
impl Tx for SqliteTx {
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
impl Driver for SqliteDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn begin(&self, write: bool) -> StoreResult<Box<dyn Tx>> {
        let tx = if write {
            self.pool.begin_with("BEGIN IMMEDIATE").await
        } else {
            self.pool.begin().await
        }
        .map_err(backend)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?;
        let mut problems: Vec<String> = rows.into_iter().filter(|r| r != "ok").collect();
        let fk = conn
            .fetch_all("PRAGMA foreign_key_check")
            .await
            .map_err(backend)?;
        for r in fk {
            let table: String = r.try_get(0).map_err(backend)?;
            problems.push(format!("foreign key check failed in table {table}"));
        }
        Ok(problems)
    }

    async fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        if dest.exists() {
            return Err(StoreError::Refused(format!(
                "{} already exists",
                dest.display()
            )));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::Refused("backup path is not valid UTF-8".into()))?
            .to_string();
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Opens a Kith database file: connects, checks integrity, migrates, and wraps it in the store.
pub async fn open(
    path: &Path,
    sealer: Arc<dyn Sealer>,
) -> StoreResult<(Arc<SqliteDriver>, SqlStore)> {
    let driver = Arc::new(SqliteDriver::connect(path).await?);
    let problems = driver.integrity_problems().await?;
    if !problems.is_empty() {
        return Err(StoreError::Refused(format!(
            "the database at {} failed its integrity check: {}",
            path.display(),
            problems.join("; ")
        )));
    }
    driver.migrate().await?;
    let store = SqlStore::open(driver.clone(), sealer).await?;
    tracing::debug!(path = %path.display(), "SQLite database opened");
    Ok((driver, store))
}

/// Copies an open database into a new file as one consistent snapshot (used by restore).
pub async fn copy_into(source: &SqliteDriver, dest: &Path) -> StoreResult<()> {
    source.backup_to(dest).await
}
