//! A Family Support request: a child, a place, a recurring need and the content of help.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub place_label: String,
    pub place_lat: Option<f64>,
    pub place_lon: Option<f64>,
    pub rule: String,
    pub first_date: Date,
    /// Local `HH:MM`.
    pub start_time: String,
    pub minutes: i32,
    pub until: Date,
    /// Comma-separated help codes, sorted.
    pub help: String,
    pub notes: String,
    /// `open`, `proposed`, `paired`, `closed`.
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
