//! The interface a database driver offers the shared SQL: typed arguments in, typed rows out,
//! transactions. SQL text is always `&'static str`, so no query can be assembled from strings at run
//! time (values are always bound as parameters).

use async_trait::async_trait;
use kith_store::{StoreError, StoreResult};
use std::path::Path;
use std::sync::Arc;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value bound to a `$n` parameter. `None` binds a typed NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
    Time(Option<OffsetDateTime>),
    Date(Option<Date>),
}

macro_rules! arg_from {
    ($t:ty, $v:ident, $conv:expr) => {
        impl From<$t> for Arg {
            fn from(x: $t) -> Arg {
                let f = $conv;
                Arg::$v(Some(f(x)))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(x: Option<$t>) -> Arg {
                let f = $conv;
                Arg::$v(x.map(f))
            }
        }
    };
}

arg_from!(Uuid, Uuid, |x| x);
arg_from!(String, Text, |x| x);
arg_from!(&str, Text, |x: &str| x.to_string());
arg_from!(i64, Int, |x| x);
arg_from!(bool, Bool, |x| x);
arg_from!(Vec<u8>, Bytes, |x| x);
arg_from!(&[u8], Bytes, |x: &[u8]| x.to_vec());
arg_from!(OffsetDateTime, Time, |x: OffsetDateTime| x
    .to_offset(time::UtcOffset::UTC));
arg_from!(Date, Date, |x| x);

impl From<[u8; 32]> for Arg {
    fn from(x: [u8; 32]) -> Arg {
        Arg::Bytes(Some(x.to_vec()))
    }
}

/// Builds the argument list of a query: `args![id, name, now]`.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::driver::Arg::from($a)),*] };
}

/// A column value as the driver read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Uuid(Uuid),
    Time(OffsetDateTime),
    Date(Date),
}

/// One result row, owned.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

/// Timestamps are stored by SQLite as text in this one format (UTC, microseconds), so that text order
/// is time order.
pub const SQLITE_TIME_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

pub fn format_sqlite_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(SQLITE_TIME_FORMAT)
        .unwrap_or_default()
}

fn bad(col: &str, want: &str, got: &Value) -> StoreError {
    StoreError::Backend(format!("column {col}: expected {want}, found {got:?}"))
}

impl Row {
    pub fn new(names: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { names, values }
    }

    fn get(&self, col: &str) -> StoreResult<&Value> {
        self.names
            .iter()
            .position(|n| n == col)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Backend(format!("no column {col} in result")))
    }

    fn opt<'a, T>(
        &'a self,
        col: &str,
        f: impl FnOnce(&'a Value) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        match self.get(col)? {
            Value::Null => Ok(None),
            v => f(v).map(Some),
        }
    }

    pub fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.opt(col, |v| match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(bad(col, "integer", other)),
        })
    }

    pub fn int(&self, col: &str) -> StoreResult<i64> {
        self.opt_int(col)?
            .ok_or_else(|| bad(col, "integer", &Value::Null))
    }

    pub fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
        self.opt(col, |v| match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(bad(col, "text", other)),
        })
    }

    pub fn text(&self, col: &str) -> StoreResult<String> {
        self.opt_text(col)?
            .ok_or_else(|| bad(col, "text", &Value::Null))
    }

    pub fn opt_bool(&self, col: &str) -> StoreResult<Option<bool>> {
        self.opt(col, |v| match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(i) => Ok(*i != 0),
            other => Err(bad(col, "boolean", other)),
        })
    }

    pub fn bool(&self, col: &str) -> StoreResult<bool> {
        self.opt_bool(col)?
            .ok_or_else(|| bad(col, "boolean", &Value::Null))
    }

    pub fn opt_bytes(&self, col: &str) -> StoreResult<Option<Vec<u8>>> {
        self.opt(col, |v| match v {
            Value::Bytes(b) => Ok(b.clone()),
            other => Err(bad(col, "bytes", other)),
        })
    }

    pub fn bytes(&self, col: &str) -> StoreResult<Vec<u8>> {
        self.opt_bytes(col)?
            .ok_or_else(|| bad(col, "bytes", &Value::Null))
    }

    pub fn hash32(&self, col: &str) -> StoreResult<[u8; 32]> {
        let b = self.bytes(col)?;
        b.try_into()
            .map_err(|_| StoreError::Backend(format!("column {col}: expected 32 bytes")))
    }

    pub fn opt_uuid(&self, col: &str) -> StoreResult<Option<Uuid>> {
        self.opt(col, |v| match v {
            Value::Uuid(u) => Ok(*u),
            Value::Bytes(b) => Uuid::from_slice(b).map_err(|_| bad(col, "uuid", v)),
            Value::Text(s) => Uuid::parse_str(s).map_err(|_| bad(col, "uuid", v)),
            other => Err(bad(col, "uuid", other)),
        })
    }

    pub fn uuid(&self, col: &str) -> StoreResult<Uuid> {
        self.opt_uuid(col)?
            .ok_or_else(|| bad(col, "uuid", &Value::Null))
    }

    pub fn opt_time(&self, col: &str) -> StoreResult<Option<OffsetDateTime>> {
        self.opt(col, |v| match v {
            Value::Time(t) => Ok(*t),
            Value::Text(s) => time::PrimitiveDateTime::parse(s, SQLITE_TIME_FORMAT)
                .map(|p| p.assume_utc())
                .map_err(|_| bad(col, "timestamp", v)),
            other => Err(bad(col, "timestamp", other)),
        })
    }

    pub fn time(&self, col: &str) -> StoreResult<OffsetDateTime> {
        self.opt_time(col)?
            .ok_or_else(|| bad(col, "timestamp", &Value::Null))
    }

    pub fn opt_date(&self, col: &str) -> StoreResult<Option<Date>> {
        self.opt(col, |v| match v {
            Value::Date(d) => Ok(*d),
            Value::Text(s) => {
                Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|_| bad(col, "date", v))
            }
            other => Err(bad(col, "date", other)),
        })
    }
}

/// A database the shared SQL can run on.
#[async_trait]
pub trait Driver: Send + Sync {
    fn dialect(&self) -> Dialect;
    /// Starts a transaction; `write` transactions take the write lock at once (SQLite
    /// `BEGIN IMMEDIATE`), so they never fail half-way for want of it.
    async fn begin(&self, write: bool) -> StoreResult<Box<dyn Tx>>;
    async fn integrity_problems(&self) -> StoreResult<Vec<String>>;
    async fn backup_to(&self, dest: &Path) -> StoreResult<()>;
}

/// An open transaction. Dropped without [`Tx::commit`], it rolls back.
#[async_trait]
pub trait Tx: Send {
    async fn exec(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<u64>;
    async fn rows(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Vec<Row>>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// Convenience on any transaction.
#[async_trait]
pub trait TxExt {
    async fn row(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Option<Row>>;
}

#[async_trait]
impl TxExt for Box<dyn Tx> {
    async fn row(&mut self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Option<Row>> {
        Ok(self.rows(sql, args).await?.into_iter().next())
    }
}
