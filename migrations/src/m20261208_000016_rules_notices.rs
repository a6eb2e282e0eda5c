//! `rule_sets` joins the tables whose changes are announced (see migration
//! 14), so a process may keep each municipality's parsed rules instead of
//! asking for their stamp on every booking round. On SQLite this does nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000016_rules_notices"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE TRIGGER rule_sets_notify_change \
             AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rule_sets \
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
        db.execute_unprepared("DROP TRIGGER rule_sets_notify_change ON rule_sets")
            .await?;
        Ok(())
    }
}
