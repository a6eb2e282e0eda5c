//! The foundation: municipalities, accounts and sessions, services and their
//! versioned rules, sites (shared between municipalities), providers, households,
//! children and the audit log. Every record belongs to a municipality from the start.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_foundation"
    }
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    Id,
    Code,
    NameJa,
    NameEn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    MunicipalityId,
    Email,
    PasswordHash,
    DisplayName,
    Role,
    Locale,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
    MunicipalityId,
    ServiceKey,
    NameJa,
    NameEn,
    SummaryJa,
    SummaryEn,
    Enabled,
    SortOrder,
}

#[derive(DeriveIden)]
enum RuleSets {
    Table,
    Id,
    MunicipalityId,
    ServiceKey,
    EffectiveFrom,
    Rules,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
    Code,
    MunicipalityId,
    ServiceKey,
    NameJa,
    NameEn,
    Capacity,
    Settings,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SiteShares {
    Table,
    SiteId,
    MunicipalityId,
    Allocation,
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
    MunicipalityId,
    NameJa,
    NameEn,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
    MunicipalityId,
    UserId,
    AgencyId,
    Kind,
    DisplayName,
    Profile,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
    MunicipalityId,
    UserId,
    SingleParent,
    SingleParentSince,
    PublicAssistance,
    TaxExempt,
    MultipleBirth,
    Area,
    FactsConfirmedAt,
    FactsConfirmedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
    MunicipalityId,
    HouseholdId,
    FamilyName,
    GivenName,
    BirthDate,
    DueDate,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    MunicipalityId,
    ActorUserId,
    Action,
    Entity,
    EntityId,
    Details,
    At,
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
                .table(Municipalities::Table)
                .col(pk_uuid(Municipalities::Id))
                .col(string_len_uniq(Municipalities::Code, 64))
                .col(string_len(Municipalities::NameJa, 200))
                .col(string_len(Municipalities::NameEn, 200))
                .col(timestamp_with_time_zone(Municipalities::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid(Users::MunicipalityId))
                .col(string_len_uniq(Users::Email, 254))
                .col(string_len(Users::PasswordHash, 200))
                .col(string_len(Users::DisplayName, 100))
                .col(string_len(Users::Role, 20))
                .col(string_len(Users::Locale, 5))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_users_municipality",
                    (Users::Table, Users::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .check(Expr::col(Users::Role).is_in(["parent", "coordinator", "provider", "admin"]))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(uuid(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(
                    "fk_sessions_user",
                    (Sessions::Table, Sessions::UserId),
                    (Users::Table, Users::Id),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Services::Table)
                .col(pk_uuid(Services::Id))
                .col(uuid(Services::MunicipalityId))
                .col(string_len(Services::ServiceKey, 64))
                .col(string_len(Services::NameJa, 200))
                .col(string_len(Services::NameEn, 200))
                .col(text(Services::SummaryJa))
                .col(text(Services::SummaryEn))
                .col(boolean(Services::Enabled))
                .col(integer(Services::SortOrder))
                .foreign_key(&mut fk(
                    "fk_services_municipality",
                    (Services::Table, Services::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .index(
                    Index::create()
                        .name("uq_services_municipality_key")
                        .col(Services::MunicipalityId)
                        .col(Services::ServiceKey)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RuleSets::Table)
                .col(pk_uuid(RuleSets::Id))
                .col(uuid(RuleSets::MunicipalityId))
                .col(string_len(RuleSets::ServiceKey, 64))
                .col(date(RuleSets::EffectiveFrom))
                .col(json(RuleSets::Rules))
                .col(timestamp_with_time_zone(RuleSets::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_rule_sets_municipality",
                    (RuleSets::Table, RuleSets::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .index(
                    Index::create()
                        .name("uq_rule_sets_version")
                        .col(RuleSets::MunicipalityId)
                        .col(RuleSets::ServiceKey)
                        .col(RuleSets::EffectiveFrom)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sites::Table)
                .col(pk_uuid(Sites::Id))
                .col(string_len_uniq(Sites::Code, 64))
                .col(uuid(Sites::MunicipalityId))
                .col(string_len(Sites::ServiceKey, 64))
                .col(string_len(Sites::NameJa, 200))
                .col(string_len(Sites::NameEn, 200))
                .col(integer(Sites::Capacity).check(Expr::col(Sites::Capacity).gte(0)))
                .col(json(Sites::Settings))
                .col(timestamp_with_time_zone(Sites::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_sites_municipality",
                    (Sites::Table, Sites::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SiteShares::Table)
                .col(uuid(SiteShares::SiteId))
                .col(uuid(SiteShares::MunicipalityId))
                .col(integer_null(SiteShares::Allocation))
                .primary_key(
                    Index::create()
                        .col(SiteShares::SiteId)
                        .col(SiteShares::MunicipalityId),
                )
                .foreign_key(&mut fk(
                    "fk_site_shares_site",
                    (SiteShares::Table, SiteShares::SiteId),
                    (Sites::Table, Sites::Id),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_site_shares_municipality",
                    (SiteShares::Table, SiteShares::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Agencies::Table)
                .col(pk_uuid(Agencies::Id))
                .col(uuid(Agencies::MunicipalityId))
                .col(string_len(Agencies::NameJa, 200))
                .col(string_len(Agencies::NameEn, 200))
                .foreign_key(&mut fk(
                    "fk_agencies_municipality",
                    (Agencies::Table, Agencies::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Providers::Table)
                .col(pk_uuid(Providers::Id))
                .col(uuid(Providers::MunicipalityId))
                .col(uuid_null(Providers::UserId).unique_key())
                .col(uuid_null(Providers::AgencyId))
                .col(string_len(Providers::Kind, 32))
                .col(string_len(Providers::DisplayName, 100))
                .col(json(Providers::Profile))
                .col(timestamp_with_time_zone(Providers::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_providers_municipality",
                    (Providers::Table, Providers::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_providers_user",
                    (Providers::Table, Providers::UserId),
                    (Users::Table, Users::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_providers_agency",
                    (Providers::Table, Providers::AgencyId),
                    (Agencies::Table, Agencies::Id),
                    false,
                ))
                .check(Expr::col(Providers::Kind).is_in([
                    "helper",
                    "home_visitor",
                    "family_support",
                    "facility_staff",
                ]))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Households::Table)
                .col(pk_uuid(Households::Id))
                .col(uuid(Households::MunicipalityId))
                .col(uuid_null(Households::UserId).unique_key())
                .col(boolean(Households::SingleParent))
                .col(date_null(Households::SingleParentSince))
                .col(boolean(Households::PublicAssistance))
                .col(boolean(Households::TaxExempt))
                .col(boolean(Households::MultipleBirth))
                .col(string_len_null(Households::Area, 100))
                .col(timestamp_with_time_zone_null(Households::FactsConfirmedAt))
                .col(uuid_null(Households::FactsConfirmedBy))
                .col(timestamp_with_time_zone(Households::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_households_municipality",
                    (Households::Table, Households::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_households_user",
                    (Households::Table, Households::UserId),
                    (Users::Table, Users::Id),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Children::Table)
                .col(pk_uuid(Children::Id))
                .col(uuid(Children::MunicipalityId))
                .col(uuid(Children::HouseholdId))
                .col(string_len(Children::FamilyName, 100))
                .col(string_len(Children::GivenName, 100))
                .col(date_null(Children::BirthDate))
                .col(date_null(Children::DueDate))
                .col(timestamp_with_time_zone(Children::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_children_household",
                    (Children::Table, Children::HouseholdId),
                    (Households::Table, Households::Id),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_children_municipality",
                    (Children::Table, Children::MunicipalityId),
                    (Municipalities::Table, Municipalities::Id),
                    false,
                ))
                .check(
                    Expr::col(Children::BirthDate)
                        .is_not_null()
                        .or(Expr::col(Children::DueDate).is_not_null()),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(pk_uuid(AuditLog::Id))
                .col(uuid_null(AuditLog::MunicipalityId))
                .col(uuid_null(AuditLog::ActorUserId))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::Entity, 64))
                .col(string_len(AuditLog::EntityId, 64))
                .col(json(AuditLog::Details))
                .col(timestamp_with_time_zone(AuditLog::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_log_entity")
                .table(AuditLog::Table)
                .col(AuditLog::Entity)
                .col(AuditLog::EntityId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Children::Table.into_iden(),
            Households::Table.into_iden(),
            Providers::Table.into_iden(),
            Agencies::Table.into_iden(),
            SiteShares::Table.into_iden(),
            Sites::Table.into_iden(),
            RuleSets::Table.into_iden(),
            Services::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            Municipalities::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
