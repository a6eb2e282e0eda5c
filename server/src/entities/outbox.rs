//! One email in the outbox: written inside the transaction of the change it
//! reports, rendered then or (booking rounds) when it is sent, and claimed,
//! sent and marked by the mail worker.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Option<Uuid>,
    /// The template, e.g. `booking_confirmed`.
    pub kind: String,
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    pub recipient_user_id: Option<Uuid>,
    pub to_address: String,
    pub to_name: String,
    pub locale: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub ics: Option<String>,
    pub ics_method: Option<String>,
    pub ics_uid: Option<String>,
    pub ics_sequence: Option<i32>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// `<uuid@host>`: the same on every attempt, so a resend is recognisable.
    #[sea_orm(unique)]
    pub message_id: String,
    /// `pending`, `sent` or `failed` (gave up; shown to coordinators).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub location: Option<String>,
    /// The event as JSON (`MailEvent`) when the message is rendered at
    /// delivery: until then subject and bodies are empty (see
    /// `mail::outbox::rendered`). NULL when rendered as it was written.
    #[sea_orm(column_type = "Text", nullable)]
    pub event: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
