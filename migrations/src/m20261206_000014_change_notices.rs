//! PostgreSQL change notices for the tables the server caches (see the server's
//! `db::changes`): a statement that changes one of them sends, on commit, a
//! notice on the channel `hagukumi_changes` carrying the table's name, so every
//! server process drops what it cached from that table. Statement-level
//! triggers, so a statement that changes many rows sends one notice (and
//! PostgreSQL folds equal notices of one transaction into one).
//!
//! Sessions notify only when they are changed or ended: a new session makes no
//! cached entry wrong. On SQLite nothing is cached and this migration does
//! nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000014_change_notices"
    }
}

/// (table, events that change what is cached from it)
const WATCHED: &[(&str, &str)] = &[
    ("sessions", "UPDATE OR DELETE OR TRUNCATE"),
    ("users", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("municipalities", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("households", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("children", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("sites", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("site_shares", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE FUNCTION hagukumi_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN PERFORM pg_notify('hagukumi_changes', TG_TABLE_NAME); RETURN NULL; END $$",
        )
        .await?;
        for (table, events) in WATCHED {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_notify_change AFTER {events} ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION hagukumi_notify_change()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, _) in WATCHED {
            db.execute_unprepared(&format!("DROP TRIGGER {table}_notify_change ON {table}"))
                .await?;
        }
        db.execute_unprepared("DROP FUNCTION hagukumi_notify_change()")
            .await?;
        Ok(())
    }
}
