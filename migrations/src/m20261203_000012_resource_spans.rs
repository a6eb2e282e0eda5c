//! The longest booking ever stored on each resource, kept by the database.
//!
//! "Which bookings overlap these hours?" is `starts_at < end AND ends_at > start`.
//! The index on (resource_key, starts_at) bounds only the first half, so every
//! such read walked the resource's whole history up to `end`, and a booking
//! decision cost more with every booking ever made. A booking that overlaps
//! `start` began at most its own length before it, so with the longest length
//! on the resource known the read is a short index range. Triggers keep that
//! length on every insert and every change of times, whatever code writes the
//! booking; it only ever grows.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000012_resource_spans"
    }
}

const CREATE_TABLE: &str = "CREATE TABLE resource_spans (
    resource_key varchar(100) NOT NULL PRIMARY KEY,
    longest_seconds bigint NOT NULL
)";

/// A booking's length in whole seconds on SQLite, from the columns of `row`
/// (`NEW.` in a trigger, nothing in the backfill).
fn sqlite_span(row: &str) -> String {
    format!("CAST(ROUND((julianday({row}ends_at) - julianday({row}starts_at)) * 86400) AS INTEGER)")
}

fn sqlite_up() -> Vec<String> {
    // SQLite has no `AFTER INSERT OR UPDATE`: two triggers with one body.
    let trigger = |name: &str, event: &str| {
        format!(
            "CREATE TRIGGER {name} AFTER {event} ON bookings BEGIN
                INSERT INTO resource_spans (resource_key, longest_seconds)
                VALUES (NEW.resource_key, {span})
                ON CONFLICT (resource_key) DO UPDATE
                    SET longest_seconds = excluded.longest_seconds
                    WHERE excluded.longest_seconds > resource_spans.longest_seconds;
            END",
            span = sqlite_span("NEW.")
        )
    };
    vec![
        CREATE_TABLE.to_owned(),
        format!(
            "INSERT INTO resource_spans (resource_key, longest_seconds)
                SELECT resource_key, MAX({span}) FROM bookings GROUP BY resource_key",
            span = sqlite_span("")
        ),
        trigger("bookings_span_insert", "INSERT"),
        trigger(
            "bookings_span_update",
            "UPDATE OF starts_at, ends_at, resource_key",
        ),
    ]
}

const POSTGRES_UP: &[&str] = &[
    CREATE_TABLE,
    "INSERT INTO resource_spans (resource_key, longest_seconds)
        SELECT resource_key, MAX(CEIL(EXTRACT(EPOCH FROM ends_at - starts_at))::bigint)
        FROM bookings GROUP BY resource_key",
    // The plain read first: the upsert locks the resource's row, and bookings
    // on other days of the same resource must not queue on it.
    "CREATE FUNCTION note_booking_span() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        span bigint := CEIL(EXTRACT(EPOCH FROM NEW.ends_at - NEW.starts_at))::bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM resource_spans
                       WHERE resource_key = NEW.resource_key AND longest_seconds >= span) THEN
            INSERT INTO resource_spans (resource_key, longest_seconds)
            VALUES (NEW.resource_key, span)
            ON CONFLICT (resource_key) DO UPDATE
                SET longest_seconds = GREATEST(resource_spans.longest_seconds, EXCLUDED.longest_seconds);
        END IF;
        RETURN NULL;
    END $$",
    "CREATE TRIGGER bookings_span AFTER INSERT OR UPDATE OF starts_at, ends_at, resource_key
        ON bookings FOR EACH ROW EXECUTE FUNCTION note_booking_span()",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS bookings_span_update",
    "DROP TRIGGER IF EXISTS bookings_span_insert",
    "DROP TABLE IF EXISTS resource_spans",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS bookings_span ON bookings",
    "DROP FUNCTION IF EXISTS note_booking_span()",
    "DROP TABLE IF EXISTS resource_spans",
];

async fn run<S: AsRef<str>>(m: &SchemaManager<'_>, statements: &[S]) -> Result<(), DbErr> {
    for sql in statements {
        m.get_connection().execute_unprepared(sql.as_ref()).await?;
    }
    Ok(())
}

fn postgres(m: &SchemaManager<'_>) -> bool {
    m.get_database_backend() == sea_orm::DbBackend::Postgres
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if postgres(m) {
            run(m, POSTGRES_UP).await
        } else {
            run(m, &sqlite_up()).await
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(
            m,
            if postgres(m) {
                POSTGRES_DOWN
            } else {
                SQLITE_DOWN
            },
        )
        .await
    }
}
