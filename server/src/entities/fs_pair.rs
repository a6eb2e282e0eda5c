//! A requesting family and a providing member, valid for one fiscal year and one
//! content of help.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_pairs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub request_id: Uuid,
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub member_id: Uuid,
    pub fiscal_year: i32,
    pub help: String,
    /// `pre_meeting`, `active`, `ended`.
    pub status: String,
    pub ended_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
