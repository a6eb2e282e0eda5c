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
/// On PostgreSQL a table's rows go as one array parameter per column
/// (`INSERT … SELECT … FROM unnest($1::uuid[], $2::text[], …)`), sent in the
/// driver's binary form, rather than a parameter per value: the statement's
/// text then depends only on its tables and columns, not on how many rows a
/// round has, so each connection prepares it once instead of parsing,
/// describing and planning a statement of a thousand or two parameters every
/// round. (The rows went as one JSON parameter before, which the database
/// read back field by field from text: with pgbench on a copy of a load
/// database, a booking round's statement took 0.95 ms that way against 0.6 ms
/// for the same rows inserted from a table. In the load program the
/// statement's own time fell by about a tenth.)
pub struct Batch {
    backend: DbBackend,
    parts: Vec<(Part, usize)>,
}

/// One insert of a [`Batch`].
enum Part {
    Insert(Box<InsertStatement>),
    /// PostgreSQL: rows of `table`, a column at a time (see [`arrays_part`]).
    Arrays {
        table: &'static str,
        columns: Vec<ArrayColumn>,
    },
}

/// One column of a [`Part::Arrays`]: its values as one array of `kind`,
/// and for a column that may be `NULL`, which rows are (the array itself
/// holds a stand-in there: the driver sends arrays without `NULL`s).
struct ArrayColumn {
    name: &'static str,
    kind: ArrayKind,
    values: sea_orm::Value,
    nulls: Option<sea_orm::Value>,
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
                DbBackend::Postgres => arrays_part(chunk),
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
                    Part::Arrays { .. } => {
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

/// `rows` as a [`Part::Arrays`]; as a plain insert where a row sets other
/// columns than the first (a missing value would read as `NULL`, not as the
/// column's default) or a column is of a type [`ArrayKind::of`] does not carry.
fn arrays_part<A>(mut rows: Vec<A>) -> Part
where
    A: ActiveModelTrait + Send,
{
    use sea_orm::{ColumnTrait, EntityName, IdenStatic, Iterable};
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
    let mut values: Vec<Vec<sea_orm::Value>> = columns
        .iter()
        .map(|_| Vec::with_capacity(rows.len()))
        .collect();
    for row in &mut rows {
        for (c, out) in columns.iter().zip(&mut values) {
            if let Some(v) = row.take(*c).into_value() {
                out.push(v);
            }
        }
    }
    let kinds: Option<Vec<(ArrayKind, bool)>> = columns
        .iter()
        .map(|c| {
            let def = c.def();
            ArrayKind::of(def.get_column_type()).map(|k| (k, def.is_null()))
        })
        .collect();
    let fits = kinds.as_ref().is_some_and(|kinds| {
        kinds.iter().zip(&values).all(|((kind, nullable), column)| {
            column.len() == rows.len() && column.iter().all(|v| kind.carries(v, *nullable))
        })
    });
    match kinds {
        Some(kinds) if fits => Part::Arrays {
            table,
            columns: columns
                .iter()
                .zip(kinds)
                .zip(values)
                .map(|((c, (kind, nullable)), column)| {
                    array_column(c.as_str(), kind, nullable, column)
                })
                .collect(),
        },
        _ => {
            use sea_orm::sea_query::{Alias, Query};
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(table))
                .columns(columns.iter().map(|c| Alias::new(c.as_str())));
            let mut columns: Vec<_> = values.into_iter().map(Vec::into_iter).collect();
            for _ in 0..rows.len() {
                insert.values_panic(
                    columns
                        .iter_mut()
                        .filter_map(Iterator::next)
                        .map(Into::into),
                );
            }
            Part::Insert(Box::new(insert))
        }
    }
}

/// How a column's values travel as one array: the kind of value, and the
/// PostgreSQL type of the array's elements.
#[derive(Clone, Copy)]
enum ArrayKind {
    Uuid,
    Text,
    Int,
    BigInt,
    SmallInt,
    Bool,
    Double,
    TimestampTz,
    Timestamp,
    Date,
    /// JSON goes as its text and is cast: the driver's JSON arrays are `jsonb[]`.
    Json,
    Jsonb,
}

impl ArrayKind {
    /// The kind a column of `ty` is sent as; `None` for a type sent otherwise.
    fn of(ty: &sea_orm::ColumnType) -> Option<Self> {
        use sea_orm::ColumnType as T;
        Some(match ty {
            T::Uuid => Self::Uuid,
            T::String(_) | T::Text | T::Char(_) => Self::Text,
            T::Integer => Self::Int,
            T::BigInteger => Self::BigInt,
            T::SmallInteger => Self::SmallInt,
            T::Boolean => Self::Bool,
            T::Double => Self::Double,
            T::TimestampWithTimeZone => Self::TimestampTz,
            T::Timestamp | T::DateTime => Self::Timestamp,
            T::Date => Self::Date,
            T::Json => Self::Json,
            T::JsonBinary => Self::Jsonb,
            _ => return None,
        })
    }

    /// The array's cast in the statement.
    fn cast(self) -> &'static str {
        match self {
            Self::Uuid => "::uuid[]",
            Self::Text => "::text[]",
            Self::Int => "::int4[]",
            Self::BigInt => "::int8[]",
            Self::SmallInt => "::int2[]",
            Self::Bool => "::bool[]",
            Self::Double => "::float8[]",
            Self::TimestampTz => "::timestamptz[]",
            Self::Timestamp => "::timestamp[]",
            Self::Date => "::date[]",
            Self::Json => "::text[]::json[]",
            Self::Jsonb => "::text[]::jsonb[]",
        }
    }

    /// The kind of array value that carries it.
    fn array_type(self) -> sea_orm::sea_query::ArrayType {
        use sea_orm::sea_query::ArrayType as A;
        match self {
            Self::Uuid => A::Uuid,
            Self::Text | Self::Json | Self::Jsonb => A::String,
            Self::Int => A::Int,
            Self::BigInt => A::BigInt,
            Self::SmallInt => A::SmallInt,
            Self::Bool => A::Bool,
            Self::Double => A::Double,
            Self::TimestampTz => A::ChronoDateTimeUtc,
            Self::Timestamp => A::ChronoDateTime,
            Self::Date => A::ChronoDate,
        }
    }

    /// Whether `v` goes into an array of this kind (a `NULL` only where the
    /// column may hold one).
    fn carries(self, v: &sea_orm::Value, nullable: bool) -> bool {
        use sea_orm::Value as V;
        let null = match (self, v) {
            (Self::Uuid, V::Uuid(u)) => u.is_none(),
            (Self::Text | Self::Json | Self::Jsonb, V::String(s)) => s.is_none(),
            (Self::Json | Self::Jsonb, V::Json(j)) => j.is_none(),
            (Self::Int, V::Int(n)) => n.is_none(),
            (Self::BigInt, V::BigInt(n)) => n.is_none(),
            (Self::SmallInt, V::SmallInt(n)) => n.is_none(),
            (Self::Bool, V::Bool(b)) => b.is_none(),
            (Self::Double, V::Double(n)) => n.is_none(),
            (Self::TimestampTz, V::ChronoDateTimeUtc(t)) => t.is_none(),
            (Self::TimestampTz, V::ChronoDateTimeWithTimeZone(t)) => t.is_none(),
            (Self::Timestamp, V::ChronoDateTime(t)) => t.is_none(),
            (Self::Date, V::ChronoDate(d)) => d.is_none(),
            _ => return false,
        };
        nullable || !null
    }

    /// `v` (which this kind [carries](Self::carries)) as an element of the
    /// array, or a stand-in of its type for a `NULL` (marked apart).
    fn element(self, v: sea_orm::Value) -> (sea_orm::Value, bool) {
        use chrono::DateTime;
        use sea_orm::Value as V;
        let v = match (self, v) {
            // The stand-in must read as JSON: the whole array is cast.
            (Self::Json | Self::Jsonb, V::Json(None) | V::String(None)) => {
                return (V::String(Some("null".to_owned())), true);
            }
            (Self::Json | Self::Jsonb, V::Json(j)) => V::String(j.map(|j| j.to_string())),
            (Self::TimestampTz, V::ChronoDateTimeWithTimeZone(t)) => {
                V::ChronoDateTimeUtc(t.map(|t| t.to_utc()))
            }
            (_, v) => v,
        };
        match v {
            V::Uuid(None) => (V::Uuid(Some(uuid::Uuid::nil())), true),
            V::String(None) => (V::String(Some(String::new())), true),
            V::Int(None) => (V::Int(Some(0)), true),
            V::BigInt(None) => (V::BigInt(Some(0)), true),
            V::SmallInt(None) => (V::SmallInt(Some(0)), true),
            V::Bool(None) => (V::Bool(Some(false)), true),
            V::Double(None) => (V::Double(Some(0.0)), true),
            V::ChronoDateTimeUtc(None) => (V::ChronoDateTimeUtc(Some(DateTime::UNIX_EPOCH)), true),
            V::ChronoDateTime(None) => (
                V::ChronoDateTime(Some(DateTime::UNIX_EPOCH.naive_utc())),
                true,
            ),
            V::ChronoDate(None) => (V::ChronoDate(Some(DateTime::UNIX_EPOCH.date_naive())), true),
            v => (v, false),
        }
    }
}

/// One column's `values` (which `kind` [carries](ArrayKind::carries)) as an
/// [`ArrayColumn`].
fn array_column(
    name: &'static str,
    kind: ArrayKind,
    nullable: bool,
    values: Vec<sea_orm::Value>,
) -> ArrayColumn {
    use sea_orm::Value as V;
    use sea_orm::sea_query::ArrayType as A;
    let mut elements = Vec::with_capacity(values.len());
    let mut nulls = Vec::with_capacity(values.len());
    for v in values {
        let (e, null) = kind.element(v);
        elements.push(e);
        nulls.push(V::Bool(Some(null)));
    }
    ArrayColumn {
        name,
        kind,
        values: V::Array(kind.array_type(), Some(Box::new(elements))),
        nulls: nullable.then(|| V::Array(A::Bool, Some(Box::new(nulls)))),
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
            Part::Arrays { table, columns } => {
                // INSERT INTO "t" ("a", "b") SELECT u.c0, CASE WHEN u.n1 THEN
                // NULL ELSE u.c1 END FROM unnest($1::uuid[], $2::text[],
                // $3::bool[]) AS u(c0, c1, n1)
                let names = columns
                    .iter()
                    .map(|c| format!("\"{}\"", c.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = write!(sql, "INSERT INTO \"{table}\" ({names}) SELECT ");
                for (j, c) in columns.iter().enumerate() {
                    let comma = if j > 0 { ", " } else { "" };
                    let _ = match c.nulls {
                        Some(_) => write!(sql, "{comma}CASE WHEN u.n{j} THEN NULL ELSE u.c{j} END"),
                        None => write!(sql, "{comma}u.c{j}"),
                    };
                }
                let _ = write!(sql, " FROM unnest(");
                let mut aliases = Vec::new();
                for (j, c) in columns.into_iter().enumerate() {
                    if j > 0 {
                        let _ = write!(sql, ", ");
                    }
                    sql.push_param(c.values, &PostgresQueryBuilder);
                    let _ = write!(sql, "{}", c.kind.cast());
                    aliases.push(format!("c{j}"));
                    if let Some(nulls) = c.nulls {
                        let _ = write!(sql, ", ");
                        sql.push_param(nulls, &PostgresQueryBuilder);
                        let _ = write!(sql, "::bool[]");
                        aliases.push(format!("n{j}"));
                    }
                }
                let _ = write!(sql, ") AS u({})", aliases.join(", "));
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
    fn rows_go_to_postgresql_a_column_at_a_time_with_their_nulls_marked() {
        use sea_orm::Value as V;
        use sea_orm::sea_query::ArrayType;
        let lock = |key: &str| capacity_lock::ActiveModel {
            resource_key: Set(key.to_owned()),
            day: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")),
            version: Set(1),
        };
        // Rows that set the same columns go as one array per column; a
        // statement of two such parts is numbered across them, whatever the rows.
        let stmt = with_parts(vec![
            arrays_part(vec![lock("a"), lock("b")]),
            arrays_part(vec![lock("c")]),
        ]);
        let one = |p: [u8; 3]| {
            format!(
                "INSERT INTO \"capacity_locks\" (\"resource_key\", \"day\", \"version\") \
                 SELECT u.c0, u.c1, u.c2 FROM unnest(${}::text[], ${}::date[], ${}::int8[]) AS u(c0, c1, c2)",
                p[0], p[1], p[2]
            )
        };
        assert_eq!(
            stmt.sql,
            format!("WITH w0 AS ({}) {}", one([1, 2, 3]), one([4, 5, 6]))
        );
        let values = stmt.values.expect("values").0;
        assert_eq!(
            values[0],
            V::Array(
                ArrayType::String,
                Some(Box::new(vec!["a".into(), "b".into()]))
            )
        );
        assert_eq!(
            values[5],
            V::Array(ArrayType::BigInt, Some(Box::new(vec![1i64.into()])))
        );

        // A column that may be NULL carries a stand-in there and a flag per
        // row; JSON goes as its text, cast to the column's type.
        let at = chrono::DateTime::from_timestamp(1_796_000_000, 123_456_000).expect("time");
        let row = |actor: Option<Uuid>| crate::entities::audit_log::ActiveModel {
            id: Set(Uuid::nil()),
            municipality_id: Set(None),
            actor_user_id: Set(actor),
            action: Set("booking.create".into()),
            entity: Set("booking".into()),
            entity_id: Set("「予約」".into()),
            details: Set(serde_json::json!({"a": [1]})),
            at: Set(at),
        };
        let actor = Uuid::now_v7();
        let stmt = with_parts(vec![arrays_part(vec![row(Some(actor)), row(None)])]);
        assert_eq!(
            stmt.sql,
            "INSERT INTO \"audit_log\" (\"id\", \"municipality_id\", \"actor_user_id\", \"action\", \"entity\", \"entity_id\", \"details\", \"at\") \
             SELECT u.c0, CASE WHEN u.n1 THEN NULL ELSE u.c1 END, CASE WHEN u.n2 THEN NULL ELSE u.c2 END, u.c3, u.c4, u.c5, u.c6, u.c7 \
             FROM unnest($1::uuid[], $2::uuid[], $3::bool[], $4::uuid[], $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[]::json[], $10::timestamptz[]) \
             AS u(c0, c1, n1, c2, n2, c3, c4, c5, c6, c7)"
        );
        let values = stmt.values.expect("values").0;
        let uuids = |a: Option<Uuid>, b: Option<Uuid>| {
            V::Array(ArrayType::Uuid, Some(Box::new(vec![a.into(), b.into()])))
        };
        let flags =
            |a: bool, b: bool| V::Array(ArrayType::Bool, Some(Box::new(vec![a.into(), b.into()])));
        assert_eq!(values[3], uuids(Some(actor), Some(Uuid::nil())));
        assert_eq!(values[4], flags(false, true));
        assert_eq!(values[2], flags(true, true));
        assert_eq!(
            values[8],
            V::Array(
                ArrayType::String,
                Some(Box::new(vec!["{\"a\":[1]}".into(), "{\"a\":[1]}".into()]))
            )
        );
        assert_eq!(
            values[9],
            V::Array(
                ArrayType::ChronoDateTimeUtc,
                Some(Box::new(vec![at.into(), at.into()]))
            )
        );

        // A JSON column's stand-in is JSON too: the whole array is cast.
        assert_eq!(
            ArrayKind::Json.element(V::Json(None)),
            (V::String(Some("null".into())), true)
        );

        let mut missing = row(None);
        missing.entity = sea_orm::ActiveValue::NotSet;
        assert!(
            matches!(arrays_part(vec![row(None), missing]), Part::Insert(_)),
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
