//! A Home-Start plan of one household: its state, visit count and visitor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "home_start_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub household_id: Uuid,
    /// `assessment`, `active`, `closed` or `cancelled`.
    pub status: String,
    /// Weekly visits the plan sets (within the rules' limits).
    pub visit_count: i32,
    pub visitor_id: Option<Uuid>,
    /// The RRULE the weekly visits were scheduled with.
    pub weekly_rrule: Option<String>,
    /// Neighbourhood only.
    pub area: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Family-name initial, never a child's name.
    pub family_label: String,
    pub notes: String,
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
