//! Database schema migrations. They run at server start; each has a real `down`.

use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_bookings;
mod m20261125_000003_outbox;
mod m20261125_000004_family_support;
mod m20261125_000005_dispatch;
mod m20261125_000006_home_start;
mod m20261125_000010_fs_reports;
mod m20261125_000011_capacity_versions;
mod m20261203_000012_resource_spans;
mod m20261204_000013_holding_cover;
mod m20261206_000014_change_notices;
mod m20261207_000015_round_costs;
mod m20261208_000016_rules_notices;
mod m20261209_000017_outbox_event;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_bookings::Migration),
            Box::new(m20261125_000003_outbox::Migration),
            Box::new(m20261125_000004_family_support::Migration),
            Box::new(m20261125_000005_dispatch::Migration),
            Box::new(m20261125_000006_home_start::Migration),
            Box::new(m20261125_000010_fs_reports::Migration),
            Box::new(m20261125_000011_capacity_versions::Migration),
            Box::new(m20261203_000012_resource_spans::Migration),
            Box::new(m20261204_000013_holding_cover::Migration),
            Box::new(m20261206_000014_change_notices::Migration),
            Box::new(m20261207_000015_round_costs::Migration),
            Box::new(m20261208_000016_rules_notices::Migration),
            Box::new(m20261209_000017_outbox_event::Migration),
        ]
    }
}
