//! An outbox row may carry the event it reports instead of its rendered
//! message: booking rounds write the event (a few hundred bytes) and the mail
//! worker renders the message when it sends it, then keeps what it sent in the
//! row. `event` is the `MailEvent` as JSON; NULL for rows rendered when written.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261209_000017_outbox_event"
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Event,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .add_column(ColumnDef::new(Outbox::Event).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .drop_column(Outbox::Event)
                .to_owned(),
        )
        .await
    }
}
