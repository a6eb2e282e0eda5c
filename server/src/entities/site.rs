//! A place where a service is given: a short-stay facility or a temporary-care room.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable key used by the rules (`with-i`, `shimojuku`, …).
    #[sea_orm(unique)]
    pub code: String,
    pub municipality_id: Uuid,
    pub service_key: String,
    pub name_ja: String,
    pub name_en: String,
    pub capacity: i32,
    pub settings: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
