//! The report of one Family Support activity: actual times, what was done, the fee.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_activity_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    #[sea_orm(unique)]
    pub activity_id: Uuid,
    pub pair_id: Uuid,
    pub member_id: Uuid,
    pub household_id: Uuid,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    pub content: String,
    pub fee_yen: i64,
    /// The domain's `Quote` for the reported times.
    pub quote: Json,
    /// `filed`, `confirmed`.
    pub status: String,
    pub filed_at: DateTimeUtc,
    pub filed_by: Uuid,
    pub confirmed_at: Option<DateTimeUtc>,
    pub confirmed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
