//! Indexes that answer "which bookings hold places on these hours" by
//! themselves.
//!
//! A booking decision reads every place-holding booking of a resource on the
//! hours asked about, with its children's birth dates (staff ratios count
//! ages). With the index on (resource_key, starts_at) alone, each of those
//! bookings cost a lookup of its whole row (details and all) for its end,
//! status and municipality, and each child a lookup of its row for the birth
//! date: on a busy temporary-care room, most of the decision's time. The
//! covering index replaces the old one (it has the same leading columns, so
//! every read that used the old one uses this one).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000013_holding_cover"
    }
}

const UP: &[&str] = &[
    "CREATE INDEX idx_bookings_resource_cover ON bookings \
        (resource_key, starts_at, ends_at, status, offer_expires_at, municipality_id, id)",
    "DROP INDEX idx_bookings_resource_time",
    "CREATE INDEX idx_booking_children_births ON booking_children (booking_id, birth_date)",
];

const DOWN: &[&str] = &[
    "DROP INDEX idx_booking_children_births",
    "CREATE INDEX idx_bookings_resource_time ON bookings (resource_key, starts_at)",
    "DROP INDEX idx_bookings_resource_cover",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}
