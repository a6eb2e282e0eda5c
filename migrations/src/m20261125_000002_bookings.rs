//! Bookings and what keeps them honest: the bookings with their children, the
//! rows the capacity check locks (one per resource and local day, created on first
//! use), idempotency keys of `POST /api/v1/bookings`, and each child's coupon spent
//! per fiscal year.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_bookings"
    }
}

#[derive(DeriveIden)]
enum Bookings {
    Table,
    Id,
    MunicipalityId,
    HouseholdId,
    CreatedBy,
    ServiceKey,
    SiteId,
    ResourceKey,
    Status,
    StartsAt,
    EndsAt,
    OfferExpiresAt,
    WaitlistedAt,
    FeeYen,
    CouponYen,
    TotalYen,
    ChargeKind,
    ChargePercent,
    ChargeYen,
    SeriesId,
    Details,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BookingChildren {
    Table,
    BookingId,
    ChildId,
    BirthDate,
    CouponYen,
}

#[derive(DeriveIden)]
enum CapacityLocks {
    Table,
    ResourceKey,
    Day,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserId,
    Key,
    Fingerprint,
    BookingIds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CouponBalances {
    Table,
    ChildId,
    FiscalYear,
    SpentYen,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Bookings::Table)
                    .col(pk_uuid(Bookings::Id))
                    .col(uuid(Bookings::MunicipalityId))
                    .col(uuid(Bookings::HouseholdId))
                    .col(uuid(Bookings::CreatedBy))
                    .col(string_len(Bookings::ServiceKey, 64))
                    .col(uuid_null(Bookings::SiteId))
                    .col(string_len(Bookings::ResourceKey, 100))
                    .col(string_len(Bookings::Status, 20))
                    .col(timestamp_with_time_zone(Bookings::StartsAt))
                    .col(timestamp_with_time_zone(Bookings::EndsAt))
                    .col(timestamp_with_time_zone_null(Bookings::OfferExpiresAt))
                    .col(timestamp_with_time_zone_null(Bookings::WaitlistedAt))
                    .col(big_integer(Bookings::FeeYen))
                    .col(big_integer(Bookings::CouponYen))
                    .col(big_integer(Bookings::TotalYen))
                    .col(string_len_null(Bookings::ChargeKind, 20))
                    .col(integer_null(Bookings::ChargePercent))
                    .col(big_integer(Bookings::ChargeYen).default(0))
                    .col(uuid_null(Bookings::SeriesId))
                    .col(json(Bookings::Details))
                    .col(timestamp_with_time_zone(Bookings::CreatedAt))
                    .col(timestamp_with_time_zone(Bookings::UpdatedAt))
                    .check(Expr::col(Bookings::EndsAt).gt(Expr::col(Bookings::StartsAt)))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_bookings_resource_time",
                vec![Bookings::ResourceKey, Bookings::StartsAt],
            ),
            (
                "idx_bookings_household_time",
                vec![Bookings::HouseholdId, Bookings::StartsAt],
            ),
            (
                "idx_bookings_status_offer",
                vec![Bookings::Status, Bookings::OfferExpiresAt],
            ),
            (
                "idx_bookings_municipality_time",
                vec![Bookings::MunicipalityId, Bookings::StartsAt],
            ),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Bookings::Table);
            for c in cols {
                idx.col(c);
            }
            manager.create_index(idx.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(BookingChildren::Table)
                    .col(uuid(BookingChildren::BookingId))
                    .col(uuid(BookingChildren::ChildId))
                    .col(date(BookingChildren::BirthDate))
                    .col(big_integer(BookingChildren::CouponYen).default(0))
                    .primary_key(
                        Index::create()
                            .col(BookingChildren::BookingId)
                            .col(BookingChildren::ChildId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_booking_children_booking")
                            .from(BookingChildren::Table, BookingChildren::BookingId)
                            .to(Bookings::Table, Bookings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_booking_children_child")
                    .table(BookingChildren::Table)
                    .col(BookingChildren::ChildId)
                    .to_owned(),
            )
            .await?;
        // The row every capacity decision on a resource-day locks first; it always
        // exists once created and is never deleted while bookings may need it.
        manager
            .create_table(
                Table::create()
                    .table(CapacityLocks::Table)
                    .col(string_len(CapacityLocks::ResourceKey, 100))
                    .col(date(CapacityLocks::Day))
                    .primary_key(
                        Index::create()
                            .col(CapacityLocks::ResourceKey)
                            .col(CapacityLocks::Day),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(uuid(IdempotencyKeys::UserId))
                    .col(string_len(IdempotencyKeys::Key, 200))
                    .col(string_len(IdempotencyKeys::Fingerprint, 64))
                    .col(json(IdempotencyKeys::BookingIds))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CouponBalances::Table)
                    .col(uuid(CouponBalances::ChildId))
                    .col(integer(CouponBalances::FiscalYear))
                    .col(
                        big_integer(CouponBalances::SpentYen)
                            .default(0)
                            .check(Expr::col(CouponBalances::SpentYen).gte(0)),
                    )
                    .primary_key(
                        Index::create()
                            .col(CouponBalances::ChildId)
                            .col(CouponBalances::FiscalYear),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CouponBalances::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            CapacityLocks::Table.into_iden(),
            BookingChildren::Table.into_iden(),
            Bookings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
