//! The email outbox: every message is a row written in the same transaction as
//! the state change it reports; a worker claims, sends and marks rows, so a
//! crash or a mail-server outage delays mail but never loses it.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000003_outbox"
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    MunicipalityId,
    Kind,
    DedupeKey,
    RecipientUserId,
    ToAddress,
    ToName,
    Locale,
    Subject,
    TextBody,
    HtmlBody,
    Ics,
    IcsMethod,
    IcsUid,
    IcsSequence,
    Entity,
    EntityId,
    MessageId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
    Location,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(uuid_null(Outbox::MunicipalityId))
                .col(string_len(Outbox::Kind, 64))
                // Periodic jobs (reminders, digests) enqueue with a key such as
                // `reminder:<booking>:<user>`; the unique index makes a second
                // run of the job a no-op. NULLs never collide.
                .col(string_len_null(Outbox::DedupeKey, 200).unique_key())
                .col(uuid_null(Outbox::RecipientUserId))
                .col(string_len(Outbox::ToAddress, 254))
                .col(string_len(Outbox::ToName, 100))
                .col(string_len(Outbox::Locale, 5))
                .col(text(Outbox::Subject))
                .col(text(Outbox::TextBody))
                .col(text(Outbox::HtmlBody))
                .col(text_null(Outbox::Ics))
                .col(string_len_null(Outbox::IcsMethod, 16))
                .col(string_len_null(Outbox::IcsUid, 200))
                .col(integer_null(Outbox::IcsSequence))
                .col(string_len_null(Outbox::Entity, 32))
                .col(string_len_null(Outbox::EntityId, 64))
                .col(string_len_uniq(Outbox::MessageId, 200))
                .col(
                    string_len(Outbox::Status, 16)
                        .check(Expr::col(Outbox::Status).is_in(["pending", "sent", "failed"])),
                )
                .col(integer(Outbox::Attempts).default(0))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(string_len_null(Outbox::ClaimedBy, 64))
                .col(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                // Where the file transport wrote the message (`data/mail/…eml`).
                .col(string_len_null(Outbox::Location, 500))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_ics_uid")
                .table(Outbox::Table)
                .col(Outbox::IcsUid)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_created")
                .table(Outbox::Table)
                .col(Outbox::CreatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
