//! The pre-meeting (事前打ち合わせ) of a pair, with the child present.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_pre_meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub pair_id: Uuid,
    pub scheduled_at: Option<DateTimeUtc>,
    pub place: String,
    pub done_at: Option<DateTimeUtc>,
    pub child_present: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
