//! Family Support activity reports (issue 7, item 6): one report per activity, filed
//! by the provider with the actual times, what was done and the fee the rules give,
//! then confirmed by the requesting family.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000010_fs_reports"
    }
}

#[derive(DeriveIden)]
enum FsActivities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FsActivityReports {
    Table,
    Id,
    MunicipalityId,
    ActivityId,
    PairId,
    MemberId,
    HouseholdId,
    StartedAt,
    EndedAt,
    Content,
    FeeYen,
    Quote,
    Status,
    FiledAt,
    FiledBy,
    ConfirmedAt,
    ConfirmedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FsActivityReports::Table)
                .col(pk_uuid(FsActivityReports::Id))
                .col(uuid(FsActivityReports::MunicipalityId))
                // One report per activity: filing again replaces it until confirmed.
                .col(uuid_uniq(FsActivityReports::ActivityId))
                .col(uuid(FsActivityReports::PairId))
                .col(uuid(FsActivityReports::MemberId))
                .col(uuid(FsActivityReports::HouseholdId))
                .col(timestamp_with_time_zone(FsActivityReports::StartedAt))
                .col(timestamp_with_time_zone(FsActivityReports::EndedAt))
                .col(text(FsActivityReports::Content))
                .col(big_integer(FsActivityReports::FeeYen))
                .col(json(FsActivityReports::Quote))
                .col(
                    string_len(FsActivityReports::Status, 16)
                        .check(Expr::col(FsActivityReports::Status).is_in(["filed", "confirmed"])),
                )
                .col(timestamp_with_time_zone(FsActivityReports::FiledAt))
                .col(uuid(FsActivityReports::FiledBy))
                .col(timestamp_with_time_zone_null(
                    FsActivityReports::ConfirmedAt,
                ))
                .col(uuid_null(FsActivityReports::ConfirmedBy))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_fs_activity_reports_activity")
                        .from(FsActivityReports::Table, FsActivityReports::ActivityId)
                        .to(FsActivities::Table, FsActivities::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fs_activity_reports_household")
                .table(FsActivityReports::Table)
                .col(FsActivityReports::HouseholdId)
                .col(FsActivityReports::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(FsActivityReports::Table)
                .if_exists()
                .to_owned(),
        )
        .await
    }
}
