//! An approved visit of a helper programme and its assignment to a helper.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "helper_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_id: Uuid,
    /// `single-parent-home-help` or `childrearing-support-helper`.
    pub service_key: String,
    pub household_id: Uuid,
    pub booking_id: Option<Uuid>,
    /// The local (JST) day of the visit.
    pub day: Date,
    /// Earliest and latest start, minutes after local midnight of `day`.
    pub window_start_min: i32,
    pub window_end_min: i32,
    pub duration_min: i32,
    /// Skill names, e.g. `["newborn", "twins"]`.
    pub required_skills: Json,
    pub preferred_provider_id: Option<Uuid>,
    /// `approved` or `cancelled`.
    pub status: String,
    pub assigned_provider_id: Option<Uuid>,
    /// `unassigned`, `proposed` (waiting for the helper) or `accepted`.
    pub assignment_status: String,
    pub planned_start_min: Option<i32>,
    /// The coordinator fixed the helper: re-plans keep it.
    pub pinned: bool,
    /// Calendar SEQUENCE: grows with each change the helper's calendar must see.
    pub sequence: i32,
    /// Neighbourhood only; the exact address is not shown outside the visit itself.
    pub area: String,
    pub lat: f64,
    pub lon: f64,
    /// What the helper needs to find the family: family-name initial, never a child's name.
    pub family_label: String,
    pub notes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
