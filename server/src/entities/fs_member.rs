//! A Family Support member: requesting (a household), providing (a provider), or both.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fs_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    /// `requesting`, `providing` or `both`.
    pub role: String,
    pub display_name: String,
    pub household_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub training_hours: i32,
    pub training_completed_on: Option<Date>,
    pub lifesaving_refresher_on: Option<Date>,
    pub sick_child: bool,
    pub overnight: bool,
    pub accepts_from_months: i32,
    /// A `GradeLevel` as JSON.
    pub accepts_to_grade: Json,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub max_per_week: i32,
    /// A list of `WindowSpec`.
    pub availability: Json,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
