//! Helper dispatch (issue 8): the helpers' absences (leave, sickness), the approved visits
//! of the two helper programmes with their assignment (proposed → accepted, declines kept
//! so a re-plan never proposes the same helper again), and each provider's secret
//! calendar-feed token (only its hash is stored).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000005_dispatch"
    }
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum HelperAbsences {
    Table,
    Id,
    MunicipalityId,
    ProviderId,
    DateFrom,
    DateTo,
    Kind,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HelperVisits {
    Table,
    Id,
    MunicipalityId,
    ServiceKey,
    HouseholdId,
    BookingId,
    Day,
    WindowStartMin,
    WindowEndMin,
    DurationMin,
    RequiredSkills,
    PreferredProviderId,
    Status,
    AssignedProviderId,
    AssignmentStatus,
    PlannedStartMin,
    Pinned,
    Sequence,
    Area,
    Lat,
    Lon,
    FamilyLabel,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HelperVisitDeclines {
    Table,
    VisitId,
    ProviderId,
    DeclinedAt,
}

#[derive(DeriveIden)]
enum ProviderFeedTokens {
    Table,
    ProviderId,
    TokenHash,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut stmt = ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned();
    if cascade {
        stmt.on_delete(ForeignKeyAction::Cascade);
    }
    stmt
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HelperAbsences::Table)
                .col(pk_uuid(HelperAbsences::Id))
                .col(uuid(HelperAbsences::MunicipalityId))
                .col(uuid(HelperAbsences::ProviderId))
                .col(date(HelperAbsences::DateFrom))
                .col(date(HelperAbsences::DateTo))
                .col(
                    string_len(HelperAbsences::Kind, 16)
                        .check(Expr::col(HelperAbsences::Kind).is_in(["leave", "sickness"])),
                )
                .col(uuid_null(HelperAbsences::CreatedBy))
                .col(timestamp_with_time_zone(HelperAbsences::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_helper_absences_municipality",
                    (HelperAbsences::Table, HelperAbsences::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_helper_absences_provider",
                    (HelperAbsences::Table, HelperAbsences::ProviderId),
                    (Providers::Table, Providers::Id),
                    true,
                ))
                .check(Expr::col(HelperAbsences::DateFrom).lte(Expr::col(HelperAbsences::DateTo)))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_helper_absences_provider")
                .table(HelperAbsences::Table)
                .col(HelperAbsences::ProviderId)
                .col(HelperAbsences::DateFrom)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HelperVisits::Table)
                .col(pk_uuid(HelperVisits::Id))
                .col(uuid(HelperVisits::MunicipalityId))
                .col(
                    string_len(HelperVisits::ServiceKey, 64).check(
                        Expr::col(HelperVisits::ServiceKey)
                            .is_in(["single-parent-home-help", "childrearing-support-helper"]),
                    ),
                )
                .col(uuid(HelperVisits::HouseholdId))
                // A booking id when the visit came from a booking; no foreign key, so
                // visits entered by a coordinator need none.
                .col(uuid_null(HelperVisits::BookingId).unique_key())
                .col(date(HelperVisits::Day))
                // Minutes after local (JST) midnight of `day`: the earliest and latest
                // start, and how long the helper stays.
                .col(integer(HelperVisits::WindowStartMin))
                .col(integer(HelperVisits::WindowEndMin))
                .col(integer(HelperVisits::DurationMin))
                .col(json(HelperVisits::RequiredSkills))
                .col(uuid_null(HelperVisits::PreferredProviderId))
                .col(
                    string_len(HelperVisits::Status, 16)
                        .check(Expr::col(HelperVisits::Status).is_in(["approved", "cancelled"])),
                )
                .col(uuid_null(HelperVisits::AssignedProviderId))
                .col(string_len(HelperVisits::AssignmentStatus, 16).check(
                    Expr::col(HelperVisits::AssignmentStatus).is_in([
                        "unassigned",
                        "proposed",
                        "accepted",
                    ]),
                ))
                .col(integer_null(HelperVisits::PlannedStartMin))
                .col(boolean(HelperVisits::Pinned).default(false))
                // Grows with every change a helper's calendar must see (RFC 5545 SEQUENCE).
                .col(integer(HelperVisits::Sequence).default(0))
                .col(string_len(HelperVisits::Area, 100))
                .col(double(HelperVisits::Lat))
                .col(double(HelperVisits::Lon))
                .col(string_len(HelperVisits::FamilyLabel, 100))
                .col(text(HelperVisits::Notes))
                .col(timestamp_with_time_zone(HelperVisits::CreatedAt))
                .col(timestamp_with_time_zone(HelperVisits::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_helper_visits_municipality",
                    (HelperVisits::Table, HelperVisits::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_helper_visits_household",
                    (HelperVisits::Table, HelperVisits::HouseholdId),
                    (Households::Table, Households::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_helper_visits_preferred",
                    (HelperVisits::Table, HelperVisits::PreferredProviderId),
                    (Providers::Table, Providers::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_helper_visits_assigned",
                    (HelperVisits::Table, HelperVisits::AssignedProviderId),
                    (Providers::Table, Providers::Id),
                    false,
                ))
                .check(
                    Expr::col(HelperVisits::WindowStartMin)
                        .gte(0)
                        .and(
                            Expr::col(HelperVisits::WindowStartMin)
                                .lte(Expr::col(HelperVisits::WindowEndMin)),
                        )
                        .and(Expr::col(HelperVisits::WindowEndMin).lt(24 * 60))
                        .and(Expr::col(HelperVisits::DurationMin).gt(0)),
                )
                // An assignment that is proposed or accepted names its helper.
                .check(
                    Expr::col(HelperVisits::AssignmentStatus)
                        .eq("unassigned")
                        .or(Expr::col(HelperVisits::AssignedProviderId).is_not_null()),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_helper_visits_day")
                .table(HelperVisits::Table)
                .col(HelperVisits::MunicipalityId)
                .col(HelperVisits::Day)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_helper_visits_assigned")
                .table(HelperVisits::Table)
                .col(HelperVisits::AssignedProviderId)
                .col(HelperVisits::Day)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HelperVisitDeclines::Table)
                .col(uuid(HelperVisitDeclines::VisitId))
                .col(uuid(HelperVisitDeclines::ProviderId))
                .col(timestamp_with_time_zone(HelperVisitDeclines::DeclinedAt))
                .primary_key(
                    Index::create()
                        .col(HelperVisitDeclines::VisitId)
                        .col(HelperVisitDeclines::ProviderId),
                )
                .foreign_key(&mut fk(
                    "fk_helper_visit_declines_visit",
                    (HelperVisitDeclines::Table, HelperVisitDeclines::VisitId),
                    (HelperVisits::Table, HelperVisits::Id),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_helper_visit_declines_provider",
                    (HelperVisitDeclines::Table, HelperVisitDeclines::ProviderId),
                    (Providers::Table, Providers::Id),
                    true,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProviderFeedTokens::Table)
                .col(uuid(ProviderFeedTokens::ProviderId).primary_key())
                .col(string_len_uniq(ProviderFeedTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(ProviderFeedTokens::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_provider_feed_tokens_provider",
                    (ProviderFeedTokens::Table, ProviderFeedTokens::ProviderId),
                    (Providers::Table, Providers::Id),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ProviderFeedTokens::Table.into_iden(),
            HelperVisitDeclines::Table.into_iden(),
            HelperVisits::Table.into_iden(),
            HelperAbsences::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
