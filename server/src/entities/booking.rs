//! A booking: one family's request for one place (a site's bed or room, later a
//! person), with its status in the domain's lifecycle and what it costs.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The family's municipality.
    pub municipality_id: Uuid,
    pub household_id: Uuid,
    pub created_by: Uuid,
    pub service_key: String,
    pub site_id: Option<Uuid>,
    /// What the capacity check locks and counts, e.g. `site:<uuid>`.
    pub resource_key: String,
    /// The domain status code (`requested`, `confirmed`, `offered`, …).
    pub status: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub waitlisted_at: Option<DateTimeUtc>,
    /// The quoted fee before coupons.
    pub fee_yen: i64,
    pub coupon_yen: i64,
    pub total_yen: i64,
    pub charge_kind: Option<String>,
    pub charge_percent: Option<i32>,
    pub charge_yen: i64,
    pub series_id: Option<Uuid>,
    /// Flow, cancellation policy for this household, quote lines, reason.
    pub details: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
