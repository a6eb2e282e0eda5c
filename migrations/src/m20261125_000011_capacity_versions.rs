//! A version on every capacity lock row: each transaction that decides on a
//! (resource, day) raises it while holding the row, so "has anything on these
//! days changed?" is one indexed read — what the availability cache asks.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000011_capacity_versions"
    }
}

#[derive(DeriveIden)]
enum CapacityLocks {
    Table,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CapacityLocks::Table)
                .add_column(big_integer(CapacityLocks::Version).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CapacityLocks::Table)
                .drop_column(CapacityLocks::Version)
                .to_owned(),
        )
        .await
    }
}
