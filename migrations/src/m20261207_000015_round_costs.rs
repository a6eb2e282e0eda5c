//! Two PostgreSQL details of the booking rounds (on SQLite this does nothing):
//!
//! 1. The outbox's bodies are compressed with LZ4 rather than PostgreSQL's own
//!    `pglz`. A confirmation's text, HTML and calendar come to about 3 KB, over
//!    the size at which PostgreSQL compresses a row, so every email of a round
//!    was compressed inside the round's transaction; LZ4 does it in a fraction
//!    of the time. A server built without LZ4 keeps `pglz` (new rows only
//!    either way; old rows stay as they were written).
//! 2. `services` joins the tables whose changes are announced (see migration
//!    14), so a process may keep the services' names its emails use.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000015_round_costs"
    }
}

const BODIES: &[&str] = &["text_body", "html_body", "ics"];

fn set_compression(method: &str) -> String {
    let columns: Vec<String> = BODIES
        .iter()
        .map(|c| format!("ALTER COLUMN {c} SET COMPRESSION {method}"))
        .collect();
    format!("ALTER TABLE outbox {}", columns.join(", "))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&format!(
            "DO $$ BEGIN EXECUTE '{}'; \
             EXCEPTION WHEN feature_not_supported THEN \
             RAISE NOTICE 'this PostgreSQL has no LZ4; the outbox keeps pglz'; END $$",
            set_compression("lz4")
        ))
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER services_notify_change \
             AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services \
             FOR EACH STATEMENT EXECUTE FUNCTION hagukumi_notify_change()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared("DROP TRIGGER services_notify_change ON services")
            .await?;
        db.execute_unprepared(&set_compression("pglz")).await?;
        Ok(())
    }
}
