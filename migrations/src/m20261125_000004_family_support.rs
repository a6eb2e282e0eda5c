//! Family Support (ファミリー・サポート・センター): members (requesting, providing, both),
//! requests with their recurring need, proposals with their accept link, pre-meetings
//! (事前打ち合わせ), pairs valid for a fiscal year and one content of help, and the pairs'
//! activities. The database refuses what must never happen: two open proposals for one
//! request, two live pairs for the same family, provider, year and help.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000004_family_support"
    }
}

#[derive(DeriveIden)]
enum FsMembers {
    Table,
    Id,
    MunicipalityId,
    Role,
    DisplayName,
    HouseholdId,
    ProviderId,
    TrainingHours,
    TrainingCompletedOn,
    LifesavingRefresherOn,
    SickChild,
    Overnight,
    AcceptsFromMonths,
    AcceptsToGrade,
    HomeLat,
    HomeLon,
    MaxPerWeek,
    Availability,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FsRequests {
    Table,
    Id,
    MunicipalityId,
    HouseholdId,
    ChildId,
    PlaceLabel,
    PlaceLat,
    PlaceLon,
    Rule,
    FirstDate,
    StartTime,
    Minutes,
    Until,
    Help,
    Notes,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FsProposals {
    Table,
    Id,
    MunicipalityId,
    RequestId,
    MemberId,
    Status,
    TokenHash,
    Score,
    Reasons,
    PreMeetingAt,
    ExpiresAt,
    DecidedAt,
    DecisionNote,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FsPairs {
    Table,
    Id,
    MunicipalityId,
    RequestId,
    HouseholdId,
    ChildId,
    MemberId,
    FiscalYear,
    Help,
    Status,
    EndedReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FsPreMeetings {
    Table,
    Id,
    MunicipalityId,
    PairId,
    ScheduledAt,
    Place,
    DoneAt,
    ChildPresent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FsActivities {
    Table,
    Id,
    MunicipalityId,
    PairId,
    MemberId,
    SeriesId,
    StartsAt,
    EndsAt,
    Status,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FsMembers::Table)
                .col(pk_uuid(FsMembers::Id))
                .col(uuid(FsMembers::MunicipalityId))
                .col(
                    string_len(FsMembers::Role, 16).check(Expr::col(FsMembers::Role).is_in([
                        "requesting",
                        "providing",
                        "both",
                    ])),
                )
                .col(string_len(FsMembers::DisplayName, 100))
                .col(uuid_null(FsMembers::HouseholdId).unique_key())
                .col(uuid_null(FsMembers::ProviderId).unique_key())
                .col(integer(FsMembers::TrainingHours).default(0))
                .col(date_null(FsMembers::TrainingCompletedOn))
                .col(date_null(FsMembers::LifesavingRefresherOn))
                .col(boolean(FsMembers::SickChild).default(false))
                .col(boolean(FsMembers::Overnight).default(false))
                .col(integer(FsMembers::AcceptsFromMonths).default(2))
                // A GradeLevel as JSON, e.g. {"elementary":6}.
                .col(json(FsMembers::AcceptsToGrade))
                .col(double_null(FsMembers::HomeLat))
                .col(double_null(FsMembers::HomeLon))
                .col(integer(FsMembers::MaxPerWeek).default(0))
                // [{"rule": "FREQ=WEEKLY;BYDAY=TU,TH", "dtstart": "…T16:00:00", "minutes": 240}]
                .col(json(FsMembers::Availability))
                .col(boolean(FsMembers::Active).default(true))
                .col(timestamp_with_time_zone(FsMembers::CreatedAt))
                .col(timestamp_with_time_zone(FsMembers::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_members_municipality",
                    (FsMembers::Table, FsMembers::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_fs_members_household",
                    (FsMembers::Table, FsMembers::HouseholdId),
                    (Households::Table, Households::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_fs_members_provider",
                    (FsMembers::Table, FsMembers::ProviderId),
                    (Providers::Table, Providers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FsRequests::Table)
                .col(pk_uuid(FsRequests::Id))
                .col(uuid(FsRequests::MunicipalityId))
                .col(uuid(FsRequests::HouseholdId))
                .col(uuid(FsRequests::ChildId))
                .col(string_len(FsRequests::PlaceLabel, 200))
                .col(double_null(FsRequests::PlaceLat))
                .col(double_null(FsRequests::PlaceLon))
                .col(string_len(FsRequests::Rule, 500))
                .col(date(FsRequests::FirstDate))
                // Local Asia/Tokyo start, `HH:MM`.
                .col(string_len(FsRequests::StartTime, 5))
                .col(integer(FsRequests::Minutes))
                .col(date(FsRequests::Until))
                // Comma-separated, sorted: escort,care,sick_child,overnight.
                .col(string_len(FsRequests::Help, 100))
                .col(text(FsRequests::Notes).default(""))
                .col(string_len(FsRequests::Status, 16).check(
                    Expr::col(FsRequests::Status).is_in(["open", "proposed", "paired", "closed"]),
                ))
                .col(uuid_null(FsRequests::CreatedBy))
                .col(timestamp_with_time_zone(FsRequests::CreatedAt))
                .col(timestamp_with_time_zone(FsRequests::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_requests_household",
                    (FsRequests::Table, FsRequests::HouseholdId),
                    (Households::Table, Households::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_fs_requests_child",
                    (FsRequests::Table, FsRequests::ChildId),
                    (Children::Table, Children::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fs_requests_status")
                .table(FsRequests::Table)
                .col(FsRequests::MunicipalityId)
                .col(FsRequests::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FsProposals::Table)
                .col(pk_uuid(FsProposals::Id))
                .col(uuid(FsProposals::MunicipalityId))
                .col(uuid(FsProposals::RequestId))
                .col(uuid(FsProposals::MemberId))
                .col(string_len(FsProposals::Status, 16).check(
                    Expr::col(FsProposals::Status).is_in([
                        "proposed",
                        "accepted",
                        "declined",
                        "expired",
                        "withdrawn",
                    ]),
                ))
                // SHA-256 of the accept-link token; the token itself is only mailed.
                .col(string_len_uniq(FsProposals::TokenHash, 64))
                .col(big_integer(FsProposals::Score))
                .col(json(FsProposals::Reasons))
                .col(timestamp_with_time_zone_null(FsProposals::PreMeetingAt))
                .col(timestamp_with_time_zone(FsProposals::ExpiresAt))
                .col(timestamp_with_time_zone_null(FsProposals::DecidedAt))
                .col(text(FsProposals::DecisionNote).default(""))
                .col(uuid_null(FsProposals::CreatedBy))
                .col(timestamp_with_time_zone(FsProposals::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_proposals_request",
                    (FsProposals::Table, FsProposals::RequestId),
                    (FsRequests::Table, FsRequests::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_fs_proposals_member",
                    (FsProposals::Table, FsProposals::MemberId),
                    (FsMembers::Table, FsMembers::Id),
                ))
                .to_owned(),
        )
        .await?;
        // At most one proposal waiting for an answer per request (partial index, both DBs).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_fs_proposals_open ON fs_proposals (request_id) \
                 WHERE status = 'proposed'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(FsPairs::Table)
                .col(pk_uuid(FsPairs::Id))
                .col(uuid(FsPairs::MunicipalityId))
                .col(uuid(FsPairs::RequestId))
                .col(uuid(FsPairs::HouseholdId))
                .col(uuid(FsPairs::ChildId))
                .col(uuid(FsPairs::MemberId))
                .col(integer(FsPairs::FiscalYear))
                .col(string_len(FsPairs::Help, 100))
                .col(
                    string_len(FsPairs::Status, 16).check(Expr::col(FsPairs::Status).is_in([
                        "pre_meeting",
                        "active",
                        "ended",
                    ])),
                )
                .col(string_len_null(FsPairs::EndedReason, 32))
                .col(timestamp_with_time_zone(FsPairs::CreatedAt))
                .col(timestamp_with_time_zone(FsPairs::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_pairs_request",
                    (FsPairs::Table, FsPairs::RequestId),
                    (FsRequests::Table, FsRequests::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_fs_pairs_member",
                    (FsPairs::Table, FsPairs::MemberId),
                    (FsMembers::Table, FsMembers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_fs_pairs_live ON fs_pairs \
                 (household_id, child_id, member_id, fiscal_year, help) WHERE status <> 'ended'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(FsPreMeetings::Table)
                .col(pk_uuid(FsPreMeetings::Id))
                .col(uuid(FsPreMeetings::MunicipalityId))
                .col(uuid_uniq(FsPreMeetings::PairId))
                .col(timestamp_with_time_zone_null(FsPreMeetings::ScheduledAt))
                .col(string_len(FsPreMeetings::Place, 200).default(""))
                .col(timestamp_with_time_zone_null(FsPreMeetings::DoneAt))
                .col(boolean(FsPreMeetings::ChildPresent).default(false))
                .col(timestamp_with_time_zone(FsPreMeetings::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_pre_meetings_pair",
                    (FsPreMeetings::Table, FsPreMeetings::PairId),
                    (FsPairs::Table, FsPairs::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FsActivities::Table)
                .col(pk_uuid(FsActivities::Id))
                .col(uuid(FsActivities::MunicipalityId))
                .col(uuid(FsActivities::PairId))
                .col(uuid(FsActivities::MemberId))
                .col(uuid_null(FsActivities::SeriesId))
                .col(timestamp_with_time_zone(FsActivities::StartsAt))
                .col(timestamp_with_time_zone(FsActivities::EndsAt))
                .col(
                    string_len(FsActivities::Status, 16)
                        .check(Expr::col(FsActivities::Status).is_in(["booked", "cancelled"])),
                )
                .col(uuid_null(FsActivities::CreatedBy))
                .col(timestamp_with_time_zone(FsActivities::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_fs_activities_pair",
                    (FsActivities::Table, FsActivities::PairId),
                    (FsPairs::Table, FsPairs::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_fs_activities_member_time")
                .table(FsActivities::Table)
                .col(FsActivities::MemberId)
                .col(FsActivities::StartsAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            FsActivities::Table.into_iden(),
            FsPreMeetings::Table.into_iden(),
            FsPairs::Table.into_iden(),
            FsProposals::Table.into_iden(),
            FsRequests::Table.into_iden(),
            FsMembers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
