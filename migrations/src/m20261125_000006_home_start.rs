//! Home-Start plans (issue 7 item 7): a plan per household (assessment → active →
//! closed / cancelled) with its visitor, and its visits (assessment, weekly, review).
//! Every visit is made with the parent present; the column says so and cannot say
//! otherwise.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000006_home_start"
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
enum HomeStartPlans {
    Table,
    Id,
    MunicipalityId,
    HouseholdId,
    Status,
    VisitCount,
    VisitorId,
    WeeklyRrule,
    Area,
    Lat,
    Lon,
    FamilyLabel,
    Notes,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HomeStartVisits {
    Table,
    Id,
    PlanId,
    MunicipalityId,
    Kind,
    VisitorId,
    StartsAt,
    EndsAt,
    Day,
    ParentPresent,
    Status,
    Sequence,
    CreatedAt,
    UpdatedAt,
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
                .table(HomeStartPlans::Table)
                .col(pk_uuid(HomeStartPlans::Id))
                .col(uuid(HomeStartPlans::MunicipalityId))
                .col(uuid(HomeStartPlans::HouseholdId))
                .col(string_len(HomeStartPlans::Status, 16).check(
                    Expr::col(HomeStartPlans::Status).is_in([
                        "assessment",
                        "active",
                        "closed",
                        "cancelled",
                    ]),
                ))
                // The rules say how many (4–6 in Kiyose); the table keeps it sane.
                .col(
                    integer(HomeStartPlans::VisitCount).check(
                        Expr::col(HomeStartPlans::VisitCount)
                            .gte(1)
                            .and(Expr::col(HomeStartPlans::VisitCount).lte(12)),
                    ),
                )
                .col(uuid_null(HomeStartPlans::VisitorId))
                .col(text_null(HomeStartPlans::WeeklyRrule))
                .col(string_len(HomeStartPlans::Area, 100))
                .col(double_null(HomeStartPlans::Lat))
                .col(double_null(HomeStartPlans::Lon))
                .col(string_len(HomeStartPlans::FamilyLabel, 100))
                .col(text(HomeStartPlans::Notes))
                .col(text_null(HomeStartPlans::CancelReason))
                .col(uuid_null(HomeStartPlans::CreatedBy))
                .col(timestamp_with_time_zone(HomeStartPlans::CreatedAt))
                .col(timestamp_with_time_zone(HomeStartPlans::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_home_start_plans_municipality",
                    (HomeStartPlans::Table, HomeStartPlans::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_home_start_plans_household",
                    (HomeStartPlans::Table, HomeStartPlans::HouseholdId),
                    (Households::Table, Households::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_home_start_plans_visitor",
                    (HomeStartPlans::Table, HomeStartPlans::VisitorId),
                    (Providers::Table, Providers::Id),
                    false,
                ))
                // Active plans have their visitor.
                .check(
                    Expr::col(HomeStartPlans::Status)
                        .ne("active")
                        .or(Expr::col(HomeStartPlans::VisitorId).is_not_null()),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_home_start_plans_household")
                .table(HomeStartPlans::Table)
                .col(HomeStartPlans::MunicipalityId)
                .col(HomeStartPlans::HouseholdId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HomeStartVisits::Table)
                .col(pk_uuid(HomeStartVisits::Id))
                .col(uuid(HomeStartVisits::PlanId))
                .col(uuid(HomeStartVisits::MunicipalityId))
                .col(string_len(HomeStartVisits::Kind, 16).check(
                    Expr::col(HomeStartVisits::Kind).is_in(["assessment", "weekly", "review"]),
                ))
                .col(uuid_null(HomeStartVisits::VisitorId))
                .col(timestamp_with_time_zone(HomeStartVisits::StartsAt))
                .col(timestamp_with_time_zone(HomeStartVisits::EndsAt))
                // The local (JST) day: the lock key and the index.
                .col(date(HomeStartVisits::Day))
                // Visitors are never booked without the parent present.
                .col(
                    boolean(HomeStartVisits::ParentPresent)
                        .default(true)
                        .check(Expr::col(HomeStartVisits::ParentPresent).eq(true)),
                )
                .col(
                    string_len(HomeStartVisits::Status, 16).check(
                        Expr::col(HomeStartVisits::Status).is_in(["scheduled", "cancelled"]),
                    ),
                )
                .col(integer(HomeStartVisits::Sequence).default(0))
                .col(timestamp_with_time_zone(HomeStartVisits::CreatedAt))
                .col(timestamp_with_time_zone(HomeStartVisits::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_home_start_visits_plan",
                    (HomeStartVisits::Table, HomeStartVisits::PlanId),
                    (HomeStartPlans::Table, HomeStartPlans::Id),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_home_start_visits_municipality",
                    (HomeStartVisits::Table, HomeStartVisits::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_home_start_visits_visitor",
                    (HomeStartVisits::Table, HomeStartVisits::VisitorId),
                    (Providers::Table, Providers::Id),
                    false,
                ))
                .check(Expr::col(HomeStartVisits::StartsAt).lt(Expr::col(HomeStartVisits::EndsAt)))
                // A weekly visit names its visitor.
                .check(
                    Expr::col(HomeStartVisits::Kind)
                        .ne("weekly")
                        .or(Expr::col(HomeStartVisits::VisitorId).is_not_null()),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_home_start_visits_visitor")
                .table(HomeStartVisits::Table)
                .col(HomeStartVisits::VisitorId)
                .col(HomeStartVisits::Day)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_home_start_visits_plan")
                .table(HomeStartVisits::Table)
                .col(HomeStartVisits::PlanId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HomeStartVisits::Table.into_iden(),
            HomeStartPlans::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
