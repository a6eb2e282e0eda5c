//! The writers' connection to a SQLite file, run in the task that asks.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is
//! sent to that thread and its answer sent back, two hand-offs between threads
//! per statement. A booking round is about fifteen statements between `BEGIN`
//! and `COMMIT`, and under load it spent most of its time not in SQLite but
//! waiting for one thread or the other to be scheduled, while every other
//! writer queued behind it. This connection runs each statement in the calling
//! task, through rusqlite on the same SQLite library, behind sea-orm's proxy
//! interface, so the code that writes is the same on both databases.
//!
//! - Values are bound as sqlx binds them (UUIDs as 16-byte blobs, times as
//!   RFC 3339 text, dates as `YYYY-MM-DD`, JSON as text, booleans as 0/1), so a
//!   row reads the same whichever connection wrote it.
//! - The proxy interface hands sea-orm typed values, so a result column is typed
//!   from the entity column it comes from ([`crate::entities::column_types`],
//!   found through SQLite's column metadata); a computed column is typed from
//!   SQLite's storage class (an integer as `i64`, text as `String`).
//! - Results are keyed by column name: read them by name, not by position.
//! - sea-orm's proxy cannot report a failed `BEGIN` or `COMMIT`; they are kept
//!   here and [`super::begin_write`] and [`super::WriteTxn::commit`] report them.
//! - Statements run on the calling thread: the busy timeout can hold it while
//!   another process writes, as a sqlx connection would hold its own thread.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
use rusqlite::types::{Value as Sql, ValueRef};
use sea_orm::sea_query::OptionEnum;
use sea_orm::{
    ColumnType, DbErr, ProxyDatabaseTrait, ProxyExecResult, ProxyRow, RuntimeErr, Statement, Value,
};
use uuid::Uuid;

type Types = HashMap<String, HashMap<String, ColumnType>>;

/// One rusqlite connection to a SQLite file, shared by the writers of this
/// process one transaction at a time (they take turns at [`super::begin_write`]'s gate).
#[derive(Clone)]
pub struct SyncSqlite {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Column types by table, then column.
    types: Arc<Types>,
    path: String,
    /// Commits so far, for [`SyncSqlite::committed`].
    commits: AtomicU64,
    /// Whether a checkpoint is running now.
    checkpointing: AtomicBool,
    /// The checkpoints' own connection, once opened.
    checkpointer: Mutex<Option<rusqlite::Connection>>,
    /// The writers' busy timeout, restored after a restart of the log.
    busy: Duration,
    /// Set by a checkpoint that found the WAL past [`RESTART_FRAMES`].
    restart: AtomicBool,
}

/// How many commits of the writers' connection between checkpoints: a round
/// of bookings adds about a hundred pages to the WAL, so about every
/// thousand pages, SQLite's own default.
const CHECKPOINT_EVERY: u64 = 8;

/// WAL frames (pages) past which the writer, between two transactions, finishes
/// the checkpoint and has the log start over (16 MiB of 4 KiB pages).
const RESTART_FRAMES: i64 = 4096;

/// How long that restart waits for readers still reading the old log before
/// it gives up until the next time (the writer holds the writers' turn meanwhile).
const RESTART_WAIT: Duration = Duration::from_millis(20);

struct State {
    conn: rusqlite::Connection,
    /// Open transactions: 1 is `BEGIN IMMEDIATE`, more are savepoints.
    depth: u32,
    /// A `BEGIN`, `COMMIT` or `ROLLBACK` that failed, until it is reported.
    failed: Option<String>,
}

impl fmt::Debug for SyncSqlite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SyncSqlite")
    }
}

impl SyncSqlite {
    /// Opens `path` with the settings of the sqlx pool (WAL, `synchronous =
    /// NORMAL`, foreign keys, a 30 s busy timeout).
    pub fn open(path: &str) -> Result<Self, DbErr> {
        Self::open_waiting(path, Duration::from_secs(30))
    }

    fn open_waiting(path: &str, busy: Duration) -> Result<Self, DbErr> {
        let conn = connect(path, busy)?;
        // Checkpoints run beside the writers (see `committed`), not inside
        // whichever COMMIT crosses SQLite's threshold.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(conn_err)?;
        Ok(Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    conn,
                    depth: 0,
                    failed: None,
                }),
                types: types(),
                path: path.to_owned(),
                commits: AtomicU64::new(0),
                checkpointing: AtomicBool::new(false),
                checkpointer: Mutex::new(None),
                busy,
                restart: AtomicBool::new(false),
            }),
        })
    }

    /// Called after each commit through this connection, while its caller
    /// still holds the writers' turn. Every [`CHECKPOINT_EVERY`]th starts a
    /// passive checkpoint (the WAL's pages copied back into the database file,
    /// and both synced) on a blocking thread of its own, unless one is still
    /// running.
    ///
    /// SQLite's automatic checkpoint runs inside the COMMIT that crosses its
    /// threshold, while that writer still holds the write lock, so every
    /// writer queued behind it waited for the copy and two fsyncs. A passive
    /// checkpoint takes no lock that writers need; the sqlx pool's connections
    /// keep SQLite's automatic checkpoint for the little they write.
    ///
    /// But a passive checkpoint copies only the pages written before it
    /// started, and under steady writes the next commit always came first: the
    /// log was never wholly copied, so it never started over, and grew by every
    /// page ever written (200 MB for the load program's 5,888 bookings), each
    /// commit extending the file. When a checkpoint finds the log past
    /// [`RESTART_FRAMES`], the next commit finishes the copy itself and
    /// waits (briefly) for readers of the old log, so the next transaction
    /// writes the log from its start again (see [`Self::restart_log`]).
    pub fn committed(&self) {
        if self.inner.restart.swap(false, Ordering::AcqRel) {
            self.restart_log();
        }
        let n = self.inner.commits.fetch_add(1, Ordering::Relaxed) + 1;
        if !n.is_multiple_of(CHECKPOINT_EVERY)
            || self.inner.checkpointing.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut slot = inner
                .checkpointer
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = connect(&inner.path, Duration::from_secs(30)).ok();
            }
            if let Some(conn) = slot.as_ref() {
                // (busy, frames in the log, frames copied)
                match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
                    Ok(frames) if frames >= RESTART_FRAMES => {
                        inner.restart.store(true, Ordering::Release);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "SQLite checkpoint failed; the next one tries again");
                    }
                }
            }
            inner.checkpointing.store(false, Ordering::Release);
        });
    }

    /// Copies what the passive checkpoints left of the log and waits up to
    /// [`RESTART_WAIT`] for readers still reading from it, so that the next
    /// write starts the log over (a `RESTART` checkpoint). Readers who start
    /// meanwhile read the database file and do not hold it up. If the wait
    /// runs out, the next large log tries again.
    fn restart_log(&self) {
        let state = self.lock();
        if state.depth > 0 {
            return;
        }
        let conn = &state.conn;
        let _ = conn.busy_timeout(RESTART_WAIT);
        let done = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0));
        let _ = conn.busy_timeout(self.inner.busy);
        match done {
            Ok(0) => {}
            Ok(_) => tracing::debug!("SQLite log restart waited out; the next one tries again"),
            Err(e) => {
                tracing::warn!(error = %e, "SQLite log restart failed; the next one tries again")
            }
        }
    }

    /// The `BEGIN`, `COMMIT` or `ROLLBACK` that failed since the last call, if any.
    pub fn take_failure(&self) -> Result<(), DbErr> {
        match self.lock().failed.take() {
            Some(e) => Err(DbErr::Exec(RuntimeErr::Internal(e))),
            None => Ok(()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic mid-statement leaves a connection SQLite still knows the state of.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn query_now(&self, stmt: &Statement) -> Result<Vec<ProxyRow>, DbErr> {
        query(&self.lock().conn, &self.inner.types, stmt)
    }

    fn execute_now(&self, stmt: &Statement) -> Result<ProxyExecResult, DbErr> {
        super::count_statement();
        let params = params(stmt)?;
        let state = self.lock();
        let changed = if params.is_empty() {
            // Unprepared text may hold several statements (a migration, PRAGMAs).
            state.conn.execute_batch(&stmt.sql).map_err(exec_err)?;
            state.conn.changes()
        } else {
            let mut prepared = state.conn.prepare_cached(&stmt.sql).map_err(exec_err)?;
            prepared
                .execute(rusqlite::params_from_iter(params.iter()))
                .map_err(exec_err)? as u64
        };
        Ok(ProxyExecResult::new(
            u64::try_from(state.conn.last_insert_rowid()).unwrap_or_default(),
            changed,
        ))
    }

    fn begin_now(&self) {
        let mut state = self.lock();
        let sql = match state.depth {
            0 => "BEGIN IMMEDIATE".to_owned(),
            n => format!("SAVEPOINT hgk_{n}"),
        };
        // Counted either way, so the matching COMMIT or ROLLBACK stays paired.
        state.depth += 1;
        if let Err(e) = state.conn.execute_batch(&sql) {
            state.failed = Some(format!("{sql}: {e}"));
        }
    }

    fn end_now(&self, commit: bool) {
        let mut state = self.lock();
        state.depth = state.depth.saturating_sub(1);
        if state.conn.is_autocommit() {
            // The BEGIN failed (already reported), or SQLite ended the
            // transaction itself after an error.
            return;
        }
        let sql = match (state.depth, commit) {
            (0, true) => "COMMIT".to_owned(),
            (0, false) => "ROLLBACK".to_owned(),
            (n, true) => format!("RELEASE hgk_{n}"),
            (n, false) => format!("ROLLBACK TO hgk_{n}; RELEASE hgk_{n}"),
        };
        if let Err(e) = state.conn.execute_batch(&sql) {
            if state.failed.is_none() {
                state.failed = Some(format!("{sql}: {e}"));
            }
            if state.depth == 0 && !state.conn.is_autocommit() {
                // Never leave the write lock held after a failed COMMIT.
                let _ = state.conn.execute_batch("ROLLBACK");
            }
        }
    }
}

#[async_trait::async_trait]
impl ProxyDatabaseTrait for SyncSqlite {
    async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
        self.query_now(&statement)
    }

    async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
        self.execute_now(&statement)
    }

    async fn begin(&self) {
        self.begin_now();
    }

    async fn commit(&self) {
        self.end_now(true);
    }

    async fn rollback(&self) {
        self.end_now(false);
    }

    fn start_rollback(&self) {
        self.end_now(false);
    }
}

/// Connections to a SQLite file for short reads that run in the calling task
/// (the session behind every request), opened as needed and kept for reuse.
/// Read-only use: a statement outside a transaction reads the latest commit.
/// sea-orm's proxy cannot refuse a transaction, so none may be begun here.
#[derive(Clone)]
pub struct SqliteReads {
    inner: Arc<Reads>,
}

struct Reads {
    path: String,
    spare: Mutex<Vec<rusqlite::Connection>>,
    types: Arc<Types>,
}

impl fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SqliteReads")
    }
}

impl SqliteReads {
    pub fn open(path: &str) -> Result<Self, DbErr> {
        let first = connect(path, Duration::from_secs(30))?;
        Ok(Self {
            inner: Arc::new(Reads {
                path: path.to_owned(),
                spare: Mutex::new(vec![first]),
                types: types(),
            }),
        })
    }

    fn spare(&self) -> MutexGuard<'_, Vec<rusqlite::Connection>> {
        self.inner
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn query_now(&self, stmt: &Statement) -> Result<Vec<ProxyRow>, DbErr> {
        let taken = self.spare().pop();
        let conn = match taken {
            Some(c) => c,
            None => connect(&self.inner.path, Duration::from_secs(30))?,
        };
        let rows = query(&conn, &self.inner.types, stmt);
        self.spare().push(conn);
        rows
    }
}

#[async_trait::async_trait]
impl ProxyDatabaseTrait for SqliteReads {
    async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
        self.query_now(&statement)
    }

    async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
        Err(DbErr::Exec(RuntimeErr::Internal(format!(
            "the SQLite read connections do not write: {}",
            statement.sql
        ))))
    }

    async fn begin(&self) {
        tracing::error!("a transaction was begun on the SQLite read connections");
        debug_assert!(false, "the SQLite read connections take no transactions");
    }
}

/// A connection to `path` with the settings of the sqlx pool (WAL,
/// `synchronous = NORMAL`, foreign keys) and the busy timeout `busy`.
fn connect(path: &str, busy: Duration) -> Result<rusqlite::Connection, DbErr> {
    let conn = rusqlite::Connection::open(path).map_err(conn_err)?;
    conn.busy_timeout(busy).map_err(conn_err)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )
    .map_err(conn_err)?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// The entities' column types, read once per process.
fn types() -> Arc<Types> {
    static TYPES: std::sync::OnceLock<Arc<Types>> = std::sync::OnceLock::new();
    TYPES
        .get_or_init(|| {
            let mut types = Types::new();
            for ((table, column), ty) in crate::entities::column_types() {
                types.entry(table).or_default().insert(column, ty);
            }
            Arc::new(types)
        })
        .clone()
}

/// Runs `stmt` on `conn`, its rows typed for sea-orm (see the module's doc).
fn query(
    conn: &rusqlite::Connection,
    types: &Types,
    stmt: &Statement,
) -> Result<Vec<ProxyRow>, DbErr> {
    super::count_statement();
    let params = params(stmt)?;
    let mut prepared = conn.prepare_cached(&stmt.sql).map_err(query_err)?;
    let columns: Vec<(String, Option<&ColumnType>)> = prepared
        .columns_with_metadata()
        .iter()
        .map(|c| {
            let ty = c
                .table_name()
                .zip(c.origin_name())
                .and_then(|(t, o)| types.get(t)?.get(o));
            (c.name().to_owned(), ty)
        })
        .collect();
    let mut rows = prepared
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(query_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(query_err)? {
        let mut values = BTreeMap::new();
        for (i, (name, ty)) in columns.iter().enumerate() {
            let v = row.get_ref(i).map_err(query_err)?;
            values.insert(name.clone(), decode(v, *ty).map_err(DbErr::Type)?);
        }
        out.push(ProxyRow::new(values));
    }
    Ok(out)
}

fn conn_err(e: rusqlite::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::Internal(e.to_string()))
}

fn query_err(e: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(e.to_string()))
}

fn exec_err(e: rusqlite::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::Internal(e.to_string()))
}

fn params(stmt: &Statement) -> Result<Vec<Sql>, DbErr> {
    stmt.values
        .iter()
        .flat_map(|v| v.0.iter())
        .map(bind)
        .collect()
}

/// `v` as sqlx-sqlite (through sea-query's binder) would bind it.
fn bind(v: &Value) -> Result<Sql, DbErr> {
    fn int(i: Option<i64>) -> Sql {
        i.map_or(Sql::Null, Sql::Integer)
    }
    fn text(s: Option<String>) -> Sql {
        s.map_or(Sql::Null, Sql::Text)
    }
    Ok(match v {
        Value::Bool(b) => int(b.map(i64::from)),
        Value::TinyInt(i) => int(i.map(i64::from)),
        Value::SmallInt(i) => int(i.map(i64::from)),
        Value::Int(i) => int(i.map(i64::from)),
        Value::BigInt(i) => int(*i),
        Value::TinyUnsigned(i) => int(i.map(i64::from)),
        Value::SmallUnsigned(i) => int(i.map(i64::from)),
        Value::Unsigned(i) => int(i.map(i64::from)),
        Value::BigUnsigned(i) => {
            match i {
                Some(u) => Sql::Integer(i64::try_from(*u).map_err(|_| {
                    DbErr::Type(format!("{u} does not fit SQLite's 64-bit integer"))
                })?),
                None => Sql::Null,
            }
        }
        Value::Float(f) => f.map_or(Sql::Null, |f| Sql::Real(f64::from(f))),
        Value::Double(f) => f.map_or(Sql::Null, Sql::Real),
        Value::String(s) => text(s.clone()),
        Value::Enum(e) => match e {
            OptionEnum::Some(v) => Sql::Text(v.value.to_string()),
            OptionEnum::None(_) => Sql::Null,
        },
        Value::Char(c) => text(c.map(|c| c.to_string())),
        Value::Bytes(b) => b.clone().map_or(Sql::Null, Sql::Blob),
        Value::Json(j) => match j {
            Some(j) => Sql::Text(
                serde_json::to_string(j.as_ref()).map_err(|e| DbErr::Type(e.to_string()))?,
            ),
            None => Sql::Null,
        },
        Value::ChronoDate(d) => text(d.map(|d| d.format("%F").to_string())),
        Value::ChronoTime(t) => text(t.map(|t| t.format("%T%.f").to_string())),
        Value::ChronoDateTime(t) => text(t.map(|t| t.format("%F %T%.f").to_string())),
        Value::ChronoDateTimeUtc(t) => {
            text(t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
        }
        Value::ChronoDateTimeLocal(t) => {
            text(t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
        }
        Value::ChronoDateTimeWithTimeZone(t) => {
            text(t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
        }
        Value::Uuid(u) => u.map_or(Sql::Null, |u| Sql::Blob(u.as_bytes().to_vec())),
        #[allow(unreachable_patterns)]
        other => return Err(DbErr::Type(format!("SQLite cannot bind {other:?}"))),
    })
}

/// A value SQLite returned, typed for sea-orm: as the entity column `ty` it
/// comes from, or by its storage class.
fn decode(v: ValueRef<'_>, ty: Option<&ColumnType>) -> Result<Value, String> {
    let Some(ty) = ty else {
        return Ok(match v {
            ValueRef::Null => Value::String(None),
            ValueRef::Integer(i) => Value::BigInt(Some(i)),
            ValueRef::Real(f) => Value::Double(Some(f)),
            ValueRef::Text(t) => Value::String(Some(utf8(t)?.to_owned())),
            ValueRef::Blob(b) => Value::Bytes(Some(b.to_vec())),
        });
    };
    let null = matches!(v, ValueRef::Null);
    Ok(match ty {
        ColumnType::Uuid => Value::Uuid(if null { None } else { Some(uuid(v)?) }),
        ColumnType::TimestampWithTimeZone | ColumnType::Timestamp => {
            Value::ChronoDateTimeUtc(if null { None } else { Some(datetime(v)?) })
        }
        ColumnType::DateTime => Value::ChronoDateTime(if null {
            None
        } else {
            Some(datetime(v)?.naive_utc())
        }),
        ColumnType::Date => Value::ChronoDate(if null {
            None
        } else {
            Some(NaiveDate::parse_from_str(text(v)?, "%F").map_err(|e| e.to_string())?)
        }),
        ColumnType::Time => Value::ChronoTime(if null {
            None
        } else {
            Some(NaiveTime::parse_from_str(text(v)?, "%T%.f").map_err(|e| e.to_string())?)
        }),
        ColumnType::Json | ColumnType::JsonBinary => Value::Json(if null {
            None
        } else {
            Some(Box::new(
                serde_json::from_str(text(v)?).map_err(|e| e.to_string())?,
            ))
        }),
        ColumnType::Boolean => Value::Bool(if null { None } else { Some(integer(v)? != 0) }),
        ColumnType::TinyInteger => Value::TinyInt(if null { None } else { Some(narrow(v)?) }),
        ColumnType::SmallInteger => Value::SmallInt(if null { None } else { Some(narrow(v)?) }),
        ColumnType::Integer => Value::Int(if null { None } else { Some(narrow(v)?) }),
        ColumnType::BigInteger => Value::BigInt(if null { None } else { Some(integer(v)?) }),
        ColumnType::TinyUnsigned => Value::TinyUnsigned(if null { None } else { Some(narrow(v)?) }),
        ColumnType::SmallUnsigned => {
            Value::SmallUnsigned(if null { None } else { Some(narrow(v)?) })
        }
        ColumnType::Unsigned => Value::Unsigned(if null { None } else { Some(narrow(v)?) }),
        ColumnType::BigUnsigned => Value::BigUnsigned(if null { None } else { Some(narrow(v)?) }),
        ColumnType::Float => Value::Float(if null {
            None
        } else {
            #[allow(clippy::cast_possible_truncation)]
            Some(real(v)? as f32)
        }),
        ColumnType::Double | ColumnType::Decimal(_) => {
            Value::Double(if null { None } else { Some(real(v)?) })
        }
        ColumnType::Blob | ColumnType::Binary(_) | ColumnType::VarBinary(_) => {
            Value::Bytes(match v {
                ValueRef::Null => None,
                ValueRef::Blob(b) | ValueRef::Text(b) => Some(b.to_vec()),
                other => return Err(format!("expected bytes, found {:?}", other.data_type())),
            })
        }
        _ => Value::String(if null {
            None
        } else {
            Some(text(v)?.to_owned())
        }),
    })
}

fn utf8(b: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(b).map_err(|e| e.to_string())
}

fn text(v: ValueRef<'_>) -> Result<&str, String> {
    match v {
        ValueRef::Text(t) => utf8(t),
        other => Err(format!("expected text, found {:?}", other.data_type())),
    }
}

fn integer(v: ValueRef<'_>) -> Result<i64, String> {
    match v {
        ValueRef::Integer(i) => Ok(i),
        other => Err(format!(
            "expected an integer, found {:?}",
            other.data_type()
        )),
    }
}

fn narrow<T: TryFrom<i64>>(v: ValueRef<'_>) -> Result<T, String> {
    let i = integer(v)?;
    T::try_from(i).map_err(|_| format!("{i} is out of range for its column"))
}

fn real(v: ValueRef<'_>) -> Result<f64, String> {
    match v {
        ValueRef::Real(f) => Ok(f),
        #[allow(clippy::cast_precision_loss)]
        ValueRef::Integer(i) => Ok(i as f64),
        other => Err(format!("expected a number, found {:?}", other.data_type())),
    }
}

fn uuid(v: ValueRef<'_>) -> Result<Uuid, String> {
    match v {
        ValueRef::Blob(b) => Uuid::from_slice(b).map_err(|e| e.to_string()),
        ValueRef::Text(t) => Uuid::parse_str(utf8(t)?).map_err(|e| e.to_string()),
        other => Err(format!("expected a UUID, found {:?}", other.data_type())),
    }
}

/// A time as sqlx-sqlite reads one: RFC 3339 text (what it writes), SQLite's
/// own `YYYY-MM-DD HH:MM:SS[.fff][±HH:MM]` (taken as UTC without an offset),
/// or Unix seconds.
fn datetime(v: ValueRef<'_>) -> Result<DateTime<Utc>, String> {
    let s = match v {
        ValueRef::Integer(secs) => {
            return DateTime::from_timestamp(secs, 0).ok_or_else(|| format!("{secs} is no time"));
        }
        other => text(other)?,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%F %T%.f%#z") {
        return Ok(t.with_timezone(&Utc));
    }
    ["%F %T%.f", "%FT%T%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?} is not a time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_uuids_are_bound_as_sqlx_binds_them() {
        let t = DateTime::parse_from_rfc3339("2026-12-04T01:02:03.5+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            bind(&Value::ChronoDateTimeUtc(Some(t))).unwrap(),
            Sql::Text("2026-12-04T01:02:03.500+00:00".into())
        );
        let u = Uuid::now_v7();
        assert_eq!(
            bind(&Value::Uuid(Some(u))).unwrap(),
            Sql::Blob(u.as_bytes().to_vec())
        );
        assert_eq!(bind(&Value::Bool(Some(true))).unwrap(), Sql::Integer(1));
        assert_eq!(
            decode(
                ValueRef::Text(b"2026-12-04T01:02:03.500+00:00"),
                Some(&ColumnType::TimestampWithTimeZone)
            )
            .unwrap(),
            Value::ChronoDateTimeUtc(Some(t))
        );
        assert_eq!(
            decode(ValueRef::Null, Some(&ColumnType::Integer)).unwrap(),
            Value::Int(None)
        );
        assert!(decode(ValueRef::Integer(1 << 40), Some(&ColumnType::Integer)).is_err());
    }

    fn sql(stmt: &str) -> Statement {
        Statement::from_string(sea_orm::DbBackend::Sqlite, stmt)
    }

    /// A database file in the temporary directory, removed with its WAL and
    /// shared-memory files when dropped (declare it before its connections).
    struct TempDb(String);

    impl TempDb {
        fn new(prefix: &str) -> Self {
            let path = std::env::temp_dir().join(format!("{prefix}-{}.db", Uuid::now_v7()));
            TempDb(path.to_str().unwrap().to_owned())
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0));
            }
        }
    }

    /// One committed transaction through `db` adding `rows` rows of `pad`
    /// bytes to `t` (without telling `db` it committed).
    fn write_rows(db: &SyncSqlite, rows: u32, pad: u32) {
        db.begin_now();
        db.execute_now(&sql(&format!(
            "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < {rows}) \
             INSERT INTO t SELECT v, printf('%.{pad}c', 'x') FROM n"
        )))
        .unwrap();
        db.end_now(true);
        db.take_failure().unwrap();
    }

    fn count(db: &SyncSqlite) -> i64 {
        let rows = db.query_now(&sql("SELECT COUNT(*) AS n FROM t")).unwrap();
        rows[0].try_get("n").unwrap()
    }

    #[tokio::test]
    async fn commits_are_checkpointed_beside_the_writer() {
        let file = TempDb::new("hgk-ckpt");
        let path = &file.0;
        let db = SyncSqlite::open(path).unwrap();
        db.execute_now(&sql("CREATE TABLE t (x INTEGER, pad TEXT)"))
            .unwrap();
        let main_file = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let before = main_file();
        for _ in 0..CHECKPOINT_EVERY {
            write_rows(&db, 200, 500);
            // The writer never checkpoints itself: its rows are only in the WAL.
            assert_eq!(main_file(), before);
            db.committed();
        }
        // The eighth commit started a checkpoint on another thread: the rows
        // reach the database file without another write.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while main_file() < 400 * 1000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            main_file() >= 400 * 1000,
            "database file {} bytes",
            main_file()
        );
    }

    /// Under steady writes the passive checkpoints never copy the whole log;
    /// once one finds the log past [`RESTART_FRAMES`], the next commit copies
    /// the rest and the log starts over instead of growing.
    #[tokio::test]
    async fn a_long_log_starts_over() {
        let file = TempDb::new("hgk-restart");
        let path = &file.0;
        let db = SyncSqlite::open(path).unwrap();
        db.execute_now(&sql("CREATE TABLE t (x INTEGER, pad TEXT)"))
            .unwrap();
        let wal = || {
            std::fs::metadata(format!("{path}-wal"))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        let settled = || async {
            while db.inner.checkpointing.load(Ordering::Acquire) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        // About a hundred 4 KiB pages per commit.
        let write = |n: u64| {
            for _ in 0..n {
                write_rows(&db, 100, 3900);
                db.committed();
            }
        };
        // A reader on an old snapshot stands for the steady writes: no
        // checkpoint can copy the pages written after it.
        let reader = rusqlite::Connection::open(path).unwrap();
        reader
            .execute_batch("BEGIN; SELECT count(*) FROM t;")
            .unwrap();
        for _ in 0..6 {
            write(CHECKPOINT_EVERY);
            settled().await;
        }
        assert!(
            db.inner.restart.load(Ordering::Acquire),
            "a checkpoint saw {} bytes of log",
            wal()
        );
        reader.execute_batch("COMMIT").unwrap();
        // This commit finishes the copy; the writes after it start the log over.
        write(1);
        let long = wal();
        assert!(long >= (RESTART_FRAMES as u64) * 4096, "log {long} bytes");
        write(CHECKPOINT_EVERY * 2);
        settled().await;
        assert_eq!(wal(), long, "the log grew instead of starting over");
    }

    /// A table missing from `entities::column_types` would be read by storage
    /// class: a UUID as bytes, a time as text, which a model's optional field
    /// would silently take as `None`.
    #[tokio::test]
    async fn every_migrated_column_is_typed_from_its_entity() {
        let file = TempDb::new("hgk-types");
        let path = &file.0;
        let settings = crate::settings::DatabaseSettings {
            url: secrecy::SecretString::from(format!("sqlite://{path}?mode=rwc")),
            ..Default::default()
        };
        let db = super::super::connect(&settings).await.unwrap();
        super::super::migrate(&db).await.unwrap();
        db.close().await.unwrap();
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut listing = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' \
                 -- kept by triggers and read as plain integers, with no entity
                 AND name <> 'resource_spans'",
            )
            .unwrap();
        let tables: Vec<String> = listing
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        drop(listing);
        assert!(tables.len() > 20, "tables: {tables:?}");
        let typed = types();
        let mut missing = Vec::new();
        for t in &tables {
            let mut cols = conn
                .prepare(&format!("PRAGMA table_info(\"{t}\")"))
                .unwrap();
            let cols: Vec<String> = cols
                .query_map([], |r| r.get(1))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for c in cols {
                if typed.get(t).and_then(|m| m.get(&c)).is_none() {
                    missing.push(format!("{t}.{c}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "columns without an entity type: {missing:?}"
        );
    }

    #[test]
    fn a_begin_that_cannot_lock_and_savepoints_are_reported_and_undone() {
        let file = TempDb::new("hgk-sync");
        let path = file.0.as_str();
        let db = SyncSqlite::open_waiting(path, Duration::from_millis(50)).unwrap();
        db.execute_now(&sql("CREATE TABLE t (x INTEGER)")).unwrap();

        // Another connection holds the write lock: BEGIN IMMEDIATE fails, and
        // the failure is kept for the caller instead of being lost.
        let other = rusqlite::Connection::open(path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        db.begin_now();
        assert!(db.take_failure().is_err());
        db.end_now(false);
        assert!(db.take_failure().is_ok(), "a failure is reported once");
        other.execute_batch("COMMIT").unwrap();

        // A savepoint rolled back undoes only its own rows.
        db.begin_now();
        db.execute_now(&sql("INSERT INTO t VALUES (1)")).unwrap();
        db.begin_now();
        db.execute_now(&sql("INSERT INTO t VALUES (2)")).unwrap();
        db.end_now(false);
        db.end_now(true);
        db.take_failure().unwrap();
        assert_eq!(count(&db), 1);

        // A transaction dropped without a commit leaves nothing.
        db.begin_now();
        db.execute_now(&sql("INSERT INTO t VALUES (3)")).unwrap();
        db.end_now(false);
        assert_eq!(count(&db), 1);
        assert!(db.lock().conn.is_autocommit(), "the write lock is released");
    }
}
