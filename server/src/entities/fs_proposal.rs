//! The coordinator's proposal of one providing member for a request.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub request_id: Uuid,
    pub member_id: Uuid,
    /// `proposed`, `accepted`, `declined`, `expired`, `withdrawn`.
    pub status: String,
    pub token_hash: String,
    pub score: i64,
    pub reasons: Json,
    pub pre_meeting_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
