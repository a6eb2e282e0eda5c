//! The row a capacity decision locks first: one per resource and local day (and one
//! per household for quotas and coupons), created on first use and never deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "capacity_locks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// Raised by every transaction that locks the row (see `booking::locks`).
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
