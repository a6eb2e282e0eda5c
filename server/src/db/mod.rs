//! Connecting to SQLite or PostgreSQL, migrating, and the transaction modes that
//! make capacity checks safe on both.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hagukumi_migrations::Migrator;
use sea_orm::QueryTrait;
use sea_orm::sea_query::{InsertStatement, PostgresQueryBuilder, SqlWriterValues};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use secrecy::ExposeSecret;

use crate::booking::group::IN_FLIGHT;
use crate::settings::DatabaseSettings;

pub mod changes;
mod sqlite_sync;
pub use sqlite_sync::{SqliteReads, SyncSqlite};

pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.expose_secret().to_owned();
    if settings.is_sqlite() {
        ensure_sqlite_dir(&url)?;
    }
    let mut opts = pool_options(&url, settings.max_connections);
    // One writer at a time is SQLite's model: WAL lets readers go on while a
    // writer holds the lock, and the busy timeout queues writers instead of failing.
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
    });
    let conn = counted(Database::connect(opts).await?);
    // The writers' own connection (see [`begin_write`]) and the request reads'
    // (see [`request_reads`]), one of each per file and process: another pool
    // on the same file shares them. An in-memory database would be another
    // database on another connection.
    if settings.is_sqlite()
        && let Some(path) = sqlite_path(&url)
        && sqlite_file(&conn, |f| f.writer.is_none())
    {
        let sync = SyncSqlite::open(path)?;
        let writer =
            Database::connect_proxy(DbBackend::Sqlite, Arc::new(Box::new(sync.clone()))).await?;
        let reads = SqliteReads::open(path)?;
        let reads = Database::connect_proxy(DbBackend::Sqlite, Arc::new(Box::new(reads))).await?;
        sqlite_file(&conn, |f| {
            f.writer = Some((writer, sync));
            f.reads = Some(reads);
        });
    }
    Ok(conn)
}

/// The connections new-booking rounds write through ([`crate::booking::group`]).
/// On PostgreSQL a process runs up to [`IN_FLIGHT`] rounds at once (the next
/// begins once the last holds its locks), on connections of their own: a
/// round does not queue for a pool connection behind the requests' session
/// reads, and its prepared statements stay prepared. One more for the
/// transaction begun ahead for the next round, and one more again because sqlx
/// pings a connection when it goes back to its pool: a round that took the
/// connection just released waited for that ping to be answered (1.1 ms of a
/// 6.7 ms round, when a process ran one round at a time on one connection).
/// (A broken connection fails one round, whose requests are then tried again
/// alone, and the pool opens a new one.) On SQLite the rounds use the file's
/// writers' connection like every other writer, through [`begin_write`].
pub async fn rounds_connection(
    settings: &DatabaseSettings,
    db: &DatabaseConnection,
) -> anyhow::Result<DatabaseConnection> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(db.clone());
    }
    let n = u32::try_from(IN_FLIGHT + 2).unwrap_or(u32::MAX);
    let mut opts = pool_options(settings.url.expose_secret(), n);
    opts.min_connections(n);
    Ok(counted(Database::connect(opts).await?))
}

/// A pool of at most `max` connections to `url`, one kept open. A connection
/// is pinged before use only after it has been idle a while (one that died
/// idle, say when the database restarted, is replaced without failing a
/// request); sqlx pings every connection as it goes back to the pool anyway.
/// Pinging before every use was a third round trip for every single-statement
/// request (the ping, the statement, the ping on release).
fn pool_options(url: &str, max: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire_if_idle_for(Duration::from_secs(5))
        .sqlx_logging(false);
    opts
}

/// Where the short read behind every request (the session) goes: on a SQLite
/// file, connections that run it in the calling task ([`SqliteReads`]) rather
/// than hand it to a sqlx worker thread and back; otherwise `db` itself.
pub fn request_reads(db: &DatabaseConnection) -> DatabaseConnection {
    match db.get_database_backend() {
        DbBackend::Sqlite => sqlite_file(db, |f| f.reads.clone()).unwrap_or_else(|| db.clone()),
        _ => db.clone(),
    }
}

/// `conn`, its statements counted in [`statements`].
fn counted(mut conn: DatabaseConnection) -> DatabaseConnection {
    conn.set_metric_callback(|_| count_statement());
    conn
}

fn count_statement() {
    STATEMENTS.fetch_add(1, Ordering::Relaxed);
}

/// Statements run so far on connections made by [`connect`], in this process
/// (`BEGIN` and `COMMIT` not included): the load program's statements per booking.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

pub fn statements() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

/// The file behind a SQLite URL; `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<&str> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    let memory = path.is_empty() || path == ":memory:" || url.contains("mode=memory");
    (!memory).then_some(path)
}

fn ensure_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    if let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A transaction for a state change that must be serialised against others on
/// the same rows: `BEGIN IMMEDIATE` on SQLite (take the write lock first, so two
/// writers never both read stale capacity); on PostgreSQL callers lock the rows
/// they decide on with `SELECT … FOR UPDATE`.
///
/// On SQLite the writers of this process queue, first come first served, on one
/// in-process gate per database file before they ask SQLite for its lock, and
/// write through one connection of their own:
/// - SQLite's busy handler makes a waiting writer sleep (1, 2, 5 … 100 ms) and
///   poll again, so under contention most of the time went to sleeping while the
///   lock stood free; the gate hands it over the moment the previous writer ends.
/// - In WAL mode a connection drops its whole page cache whenever another
///   connection has written since its last read. Writers that took turns on the
///   pool's sixteen connections found a cold cache nearly every time and read
///   their pages back from the file; the writers' connection only ever sees its
///   own writes, so its cache stays warm.
/// - That connection runs its statements in the writing task ([`SyncSqlite`]),
///   not on a sqlx worker thread: no thread hand-offs inside the write lock.
///
/// Other processes on the same file still meet the busy timeout, as before.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let (gate, writer) = sqlite_file(db, |f| (f.gate.clone(), f.writer.clone()));
            let gate = gate.lock_owned().await;
            let (conn, sync) = match &writer {
                Some((conn, sync)) => (conn, Some(sync.clone())),
                None => (db, None),
            };
            let txn = conn
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?;
            if let Some(sync) = &sync {
                // A BEGIN IMMEDIATE that timed out: nothing may run outside it.
                sync.take_failure()?;
            }
            Ok(WriteTxn {
                txn,
                sync,
                _gate: Some(gate),
            })
        }
        _ => Ok(WriteTxn {
            txn: db.begin().await?,
            sync: None,
            _gate: None,
        }),
    }
}

/// What this process keeps per SQLite file: the writers' gate and connection.
#[derive(Default)]
struct SqliteFile {
    gate: Arc<tokio::sync::Mutex<()>>,
    /// Made by [`connect`] (see [`SyncSqlite`]); a connection made otherwise
    /// writes through its own pool.
    writer: Option<(DatabaseConnection, SyncSqlite)>,
    /// Made by [`connect`] (see [`request_reads`]).
    reads: Option<DatabaseConnection>,
}

/// `f` of the writers' gate and connection of the SQLite file behind `db`.
fn sqlite_file<R>(db: &DatabaseConnection, f: impl FnOnce(&mut SqliteFile) -> R) -> R {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, SqliteFile>>> = OnceLock::new();
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut files = FILES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(files.entry(file).or_default())
}

/// A write transaction (see [`begin_write`]); it is used like the
/// [`DatabaseTransaction`] it wraps and releases the writers' gate when it is
/// committed, rolled back or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    /// The writers' connection, whose failed COMMIT sea-orm's proxy cannot report.
    sync: Option<SyncSqlite>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        match &self.sync {
            Some(sync) => {
                sync.take_failure()?;
                sync.committed();
                Ok(())
            }
            None => Ok(()),
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}

/// Inserts `rows` with one multi-row `INSERT` per hundred rows, well inside
/// every backend's limit on bound values per statement.
pub async fn insert_all<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    insert_sized(conn, rows.into_iter().map(|r| (r, 0)).collect()).await
}

/// `items` as a PostgreSQL array literal (`{"a","b"}`), to bind as text and
/// cast (`$1::text::uuid[]`): a list bound this way keeps a statement's text
/// the same however long it is, so each connection prepares it once, where a
/// parameter per item made every new length a statement of its own.
pub fn pg_array<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let mut out = String::from("{");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.to_string().chars() {
            if matches!(c, '"' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
}

/// The most bytes of row data one multi-row `INSERT` carries to PostgreSQL:
/// a bound on one statement's buffers, not a tuning knob. (sqlx 0.9.0 left
/// `TCP_NODELAY` off, and a statement longer than its 8 KiB write buffer waited
/// about 40 ms for the server's delayed ACK, so rows went in 8 KiB statements,
/// about one per email; sqlx 0.9.1 sets it again.) SQLite is in-process and
/// would take any size; its inserts are cut at the same bound, which costs
/// nothing there.
const PG_STATEMENT_BYTES: usize = 4 * 1024 * 1024;

/// Like [`insert_all`] for rows whose size (`bytes`, roughly their text) is
/// known: a hundred rows or [`PG_STATEMENT_BYTES`] to an insert, whichever
/// comes first (see [`Batch`]).
pub async fn insert_sized<A>(
    conn: &impl ConnectionTrait,
    rows: Vec<(A, usize)>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut batch = Batch::new(conn.get_database_backend());
    batch.insert_sized(rows);
    batch.run(conn).await
}

/// `items` in order, in groups of at most `most` and [`PG_STATEMENT_BYTES`]
/// (an item larger than that goes alone), each with its bytes.
fn grouped<T>(items: Vec<(T, usize)>, most: usize) -> Vec<(Vec<T>, usize)> {
    let mut groups: Vec<(Vec<T>, usize)> = Vec::new();
    for (item, size) in items {
        match groups.last_mut() {
            Some((group, bytes))
                if group.len() < most && bytes.saturating_add(size) <= PG_STATEMENT_BYTES =>
            {
                group.push(item);
                *bytes = bytes.saturating_add(size);
            }
            _ => groups.push((vec![item], size)),
        }
    }
    groups
}

/// Inserts gathered for one transaction and sent together. On PostgreSQL they
/// go as one statement, each insert a data-modifying part of a `WITH`: a
/// booking round's bookings, children, balances, audit rows, keys and emails
/// were five or six statements, each a round trip while the round held its
/// days. (PostgreSQL runs every part; foreign keys between the parts are
/// checked at the end of the statement.) Elsewhere each insert is a statement
/// of its own.
///
/// On PostgreSQL a table's rows go as one JSON parameter
/// (`INSERT … SELECT … FROM json_populate_recordset(NULL::t, $1::json)`)
/// rather than a parameter per value: the statement's text then depends only
/// on its tables and columns, not on how many rows a round has, so each
/// connection prepares it once instead of parsing, describing and planning a
/// statement of a thousand or two parameters every round, and the values are
/// written once, as JSON, instead of through the query builder and the
/// driver's encoding.
pub struct Batch {
    backend: DbBackend,
    parts: Vec<(Part, usize)>,
}

/// One insert of a [`Batch`].
enum Part {
    Insert(Box<InsertStatement>),
    /// PostgreSQL: rows of `table`, as a JSON array of objects with `columns`.
    Json {
        table: &'static str,
        columns: Vec<&'static str>,
        rows: String,
    },
}

/// The most inserts one statement of a [`Batch`] carries: a hundred rows each
/// at most, so well inside PostgreSQL's 65,535 bound values per statement.
const BATCH_PARTS: usize = 8;

impl Batch {
    pub fn new(backend: DbBackend) -> Self {
        Batch {
            backend,
            parts: Vec::new(),
        }
    }

    /// Adds `rows`, a hundred to an insert.
    pub fn insert<A>(&mut self, rows: Vec<A>)
    where
        A: ActiveModelTrait + Send,
    {
        self.insert_sized(rows.into_iter().map(|r| (r, 0)).collect());
    }

    /// Adds `rows` whose size (`bytes`, roughly their text) is known: a
    /// hundred rows or [`PG_STATEMENT_BYTES`] to an insert, whichever is less.
    pub fn insert_sized<A>(&mut self, rows: Vec<(A, usize)>)
    where
        A: ActiveModelTrait + Send,
    {
        for (chunk, bytes) in grouped(rows, 100) {
            let part = match self.backend {
                DbBackend::Postgres => json_part(chunk),
                _ => Part::Insert(Box::new(A::Entity::insert_many(chunk).into_query())),
            };
            self.parts.push((part, bytes));
        }
    }

    /// Adds one insert of at most a hundred rows, such as an upsert.
    pub fn add(&mut self, insert: InsertStatement, bytes: usize) {
        self.parts.push((Part::Insert(Box::new(insert)), bytes));
    }

    /// Sends everything added, in the order added, and empties the batch.
    pub async fn run(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let parts = std::mem::take(&mut self.parts);
        if conn.get_database_backend() != DbBackend::Postgres {
            for (part, _) in parts {
                match part {
                    Part::Insert(insert) => conn.execute(insert.as_ref()).await?,
                    Part::Json { .. } => {
                        return Err(DbErr::Custom(
                            "a PostgreSQL batch run on another database".into(),
                        ));
                    }
                };
            }
            return Ok(());
        }
        for (part, _) in grouped(parts, BATCH_PARTS) {
            conn.execute_raw(with_parts(part)).await?;
        }
        Ok(())
    }
}

/// `rows` as a [`Part::Json`]; as a plain insert where a row sets other
/// columns than the first (a missing key would read as `NULL`, not as the
/// column's default) or holds a kind of value [`write_json`] does not carry.
fn json_part<A>(mut rows: Vec<A>) -> Part
where
    A: ActiveModelTrait + Send,
{
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::{EntityName, IdenStatic, Iterable};
    type Column<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Column;
    let table = <A::Entity as Default>::default().table_name();
    let all: Vec<Column<A>> = Column::<A>::iter().collect();
    let set = |r: &A| -> Vec<bool> { all.iter().map(|c| !r.is_not_set(*c)).collect() };
    let mask = rows.first().map(set).unwrap_or_default();
    if !mask.contains(&true) || rows.iter().any(|r| set(r) != mask) {
        return Part::Insert(Box::new(A::Entity::insert_many(rows).into_query()));
    }
    let columns: Vec<Column<A>> = all
        .iter()
        .zip(&mask)
        .filter_map(|(c, set)| set.then_some(*c))
        .collect();
    let values: Vec<Vec<sea_orm::Value>> = rows
        .iter_mut()
        .map(|r| {
            columns
                .iter()
                .filter_map(|c| r.take(*c).into_value())
                .collect()
        })
        .collect();
    let names: Vec<&'static str> = columns.iter().map(|c| c.as_str()).collect();
    let mut out = Vec::with_capacity(values.len() * 256);
    out.push(b'[');
    let mut fits = true;
    for (i, row) in values.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"{" } else { b",{" });
        for (j, (name, value)) in names.iter().zip(row).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            fits &= serde_json::to_writer(&mut out, name).is_ok();
            out.push(b':');
            fits &= write_json(&mut out, value);
        }
        out.push(b'}');
    }
    out.push(b']');
    match String::from_utf8(out) {
        Ok(rows) if fits => Part::Json {
            table,
            columns: names,
            rows,
        },
        _ => {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(table))
                .columns(names.iter().map(|n| Alias::new(*n)));
            for row in values {
                insert.values_panic(row.into_iter().map(Into::into));
            }
            Part::Insert(Box::new(insert))
        }
    }
}

/// Writes `value` as the JSON that PostgreSQL reads back as the same value
/// (timestamps to the microsecond, as the driver sends them); `false` for a
/// kind of value it does not carry.
fn write_json(out: &mut Vec<u8>, value: &sea_orm::Value) -> bool {
    use chrono::SecondsFormat;
    use sea_orm::Value as V;
    use std::io::Write as _;
    fn text(out: &mut Vec<u8>, s: &str) -> bool {
        serde_json::to_writer(&mut *out, s).is_ok()
    }
    match value {
        V::Bool(None)
        | V::TinyInt(None)
        | V::SmallInt(None)
        | V::Int(None)
        | V::BigInt(None)
        | V::String(None)
        | V::Json(None)
        | V::Uuid(None)
        | V::ChronoDate(None)
        | V::ChronoDateTime(None)
        | V::ChronoDateTimeUtc(None)
        | V::ChronoDateTimeWithTimeZone(None) => {
            out.extend_from_slice(b"null");
            true
        }
        V::Bool(Some(b)) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
            true
        }
        V::TinyInt(Some(n)) => write!(out, "{n}").is_ok(),
        V::SmallInt(Some(n)) => write!(out, "{n}").is_ok(),
        V::Int(Some(n)) => write!(out, "{n}").is_ok(),
        V::BigInt(Some(n)) => write!(out, "{n}").is_ok(),
        V::String(Some(s)) => text(out, s),
        V::Json(Some(j)) => serde_json::to_writer(&mut *out, j.as_ref()).is_ok(),
        V::Uuid(Some(u)) => write!(out, "\"{u}\"").is_ok(),
        V::ChronoDate(Some(d)) => write!(out, "\"{}\"", d.format("%Y-%m-%d")).is_ok(),
        V::ChronoDateTime(Some(t)) => {
            write!(out, "\"{}\"", t.format("%Y-%m-%dT%H:%M:%S%.6f")).is_ok()
        }
        V::ChronoDateTimeUtc(Some(t)) => text(out, &t.to_rfc3339_opts(SecondsFormat::Micros, true)),
        V::ChronoDateTimeWithTimeZone(Some(t)) => {
            text(out, &t.to_rfc3339_opts(SecondsFormat::Micros, false))
        }
        _ => false,
    }
}

/// `WITH w0 AS (first), w1 AS (second), … last` on PostgreSQL, its
/// parameters numbered across the parts.
fn with_parts(parts: Vec<Part>) -> Statement {
    use sea_orm::sea_query::SqlWriter as _;
    use std::fmt::Write as _;
    let mut sql = SqlWriterValues::new("$", true);
    let count = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        let last = i + 1 == count;
        if !last {
            let _ = write!(sql, "{} w{i} AS (", if i == 0 { "WITH" } else { "," });
        } else if i > 0 {
            let _ = write!(sql, " ");
        }
        match part {
            Part::Insert(insert) => insert.build_collect_into(PostgresQueryBuilder, &mut sql),
            Part::Json {
                table,
                columns,
                rows,
            } => {
                let columns = columns
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = write!(
                    sql,
                    "INSERT INTO \"{table}\" ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::\"{table}\", "
                );
                sql.push_param(rows.into(), &PostgresQueryBuilder);
                let _ = write!(sql, "::json)");
            }
        }
        if !last {
            let _ = write!(sql, ")");
        }
    }
    let (sql, values) = sql.into_parts();
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

#[cfg(test)]
mod tests {
    use sea_orm::Set;
    use uuid::Uuid;

    use super::*;
    use crate::entities::capacity_lock;

    #[test]
    fn lists_go_as_array_literals_whatever_they_hold() {
        assert_eq!(pg_array(Vec::<String>::new()), "{}");
        assert_eq!(
            pg_array(["site:a", "NULL", "x,y", "q\"b\\"]),
            "{\"site:a\",\"NULL\",\"x,y\",\"q\\\"b\\\\\"}"
        );
        assert_eq!(pg_array([2026, 2027]), "{\"2026\",\"2027\"}");
    }

    #[test]
    fn groups_stop_at_their_count_or_their_bytes() {
        let items: Vec<(usize, usize)> = (0..5).map(|i| (i, 10)).collect();
        assert_eq!(
            grouped(items, 2),
            vec![(vec![0, 1], 20), (vec![2, 3], 20), (vec![4], 10)]
        );
        let big = PG_STATEMENT_BYTES - 5;
        let items = vec![(0, 10), (1, big), (2, 10), (3, 1)];
        assert_eq!(
            grouped(items, 100),
            vec![(vec![0], 10), (vec![1], big), (vec![2, 3], 11)],
            "an item that would pass the bound starts a group"
        );
        assert!(grouped(Vec::<(usize, usize)>::new(), 3).is_empty());
    }

    #[test]
    fn rows_go_to_postgresql_as_json_it_reads_back_as_the_same_values() {
        use chrono::TimeZone;
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 12, 7, 9, 30, 0)
            .single()
            .expect("time")
            + chrono::Duration::nanoseconds(123_456_789);
        let json = |v: sea_orm::Value| {
            let mut out = Vec::new();
            assert!(write_json(&mut out, &v), "{v:?}");
            String::from_utf8(out).expect("utf-8")
        };
        // Truncated to the microsecond, as the driver sends a timestamp.
        assert_eq!(json(at.into()), "\"2026-12-07T09:30:00.123456Z\"");
        assert_eq!(
            json(Option::<chrono::DateTime<chrono::Utc>>::None.into()),
            "null"
        );
        assert_eq!(json("「予約」\n\"x\"".into()), "\"「予約」\\n\\\"x\\\"\"");
        assert_eq!(json(Uuid::nil().into()), format!("\"{}\"", Uuid::nil()));
        assert_eq!(json(serde_json::json!({"a": [1]}).into()), "{\"a\":[1]}");
        assert_eq!(json(i64::MIN.into()), i64::MIN.to_string());
        assert!(!write_json(
            &mut Vec::new(),
            &sea_orm::Value::Double(Some(0.5))
        ));

        // Rows that set the same columns go as one parameter; a statement
        // of two such parts is numbered $1, $2 whatever the rows.
        let lock = |key: &str| capacity_lock::ActiveModel {
            resource_key: Set(key.to_owned()),
            day: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")),
            version: Set(1),
        };
        let part = json_part(vec![lock("a"), lock("b")]);
        let Part::Json { table, rows, .. } = &part else {
            panic!("rows setting the same columns go as JSON");
        };
        assert_eq!(*table, "capacity_locks");
        assert_eq!(
            rows,
            "[{\"resource_key\":\"a\",\"day\":\"2026-12-07\",\"version\":1},{\"resource_key\":\"b\",\"day\":\"2026-12-07\",\"version\":1}]"
        );
        let stmt = with_parts(vec![part, json_part(vec![lock("c")])]);
        assert_eq!(
            stmt.sql,
            "WITH w0 AS (INSERT INTO \"capacity_locks\" (\"resource_key\", \"day\", \"version\") \
             SELECT \"resource_key\", \"day\", \"version\" FROM json_populate_recordset(NULL::\"capacity_locks\", $1::json)) \
             INSERT INTO \"capacity_locks\" (\"resource_key\", \"day\", \"version\") \
             SELECT \"resource_key\", \"day\", \"version\" FROM json_populate_recordset(NULL::\"capacity_locks\", $2::json)"
        );
        let mut partial = lock("d");
        partial.version = sea_orm::ActiveValue::NotSet;
        assert!(
            matches!(json_part(vec![lock("e"), partial]), Part::Insert(_)),
            "a row that leaves a column to its default is not sent as NULL"
        );
    }

    #[test]
    fn a_batch_numbers_its_parameters_across_its_parts() {
        let lock = |key: &str| capacity_lock::ActiveModel {
            resource_key: Set(key.to_owned()),
            day: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")),
            version: Set(1),
        };
        let first = capacity_lock::Entity::insert_many([lock("a"), lock("b")]).into_query();
        let second =
            capacity_lock::Entity::insert_many([lock(&Uuid::nil().to_string())]).into_query();
        let stmt = with_parts(vec![
            Part::Insert(Box::new(first)),
            Part::Insert(Box::new(second)),
        ]);
        assert!(
            stmt.sql
                .starts_with("WITH w0 AS (INSERT INTO \"capacity_locks\"")
        );
        assert!(stmt.sql.contains(") INSERT INTO \"capacity_locks\""));
        // Three columns a row, three rows: $1 … $9, each once.
        for n in 1..=9 {
            assert_eq!(
                stmt.sql.matches(&format!("${n},")).count()
                    + stmt.sql.matches(&format!("${n})")).count(),
                1,
                "${n} in {}",
                stmt.sql
            );
        }
        assert!(!stmt.sql.contains("$10"));
        assert_eq!(stmt.values.map_or(0, |v| v.0.len()), 9);
    }
}
