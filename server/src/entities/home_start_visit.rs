//! One visit of a Home-Start plan: the assessment, a weekly visit or the review.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "home_start_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_id: Uuid,
    pub municipality_id: Uuid,
    /// `assessment`, `weekly` or `review`.
    pub kind: String,
    /// The visitor of a weekly visit (the organiser makes the other two).
    pub visitor_id: Option<Uuid>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Local (JST) day of the visit.
    pub day: Date,
    /// Always true: visits happen with the parent present.
    pub parent_present: bool,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// Calendar SEQUENCE.
    pub sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
