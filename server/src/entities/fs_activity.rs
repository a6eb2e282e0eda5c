//! One Family Support activity of a pair (one-off, or one of a series).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub pair_id: Uuid,
    pub member_id: Uuid,
    pub series_id: Option<Uuid>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `booked`, `cancelled`.
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
