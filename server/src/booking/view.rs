//! The JSON a family or a coordinator sees of a booking. Times are Japan time.

use chrono::{DateTime, FixedOffset, Utc};
use hagukumi_domain::availability::JST;
use hagukumi_domain::booking::{Charge, Status};
use serde::Serialize;
use uuid::Uuid;

use super::repo::Stored;
use crate::entities::site;
use crate::error::ApiResult;

#[derive(Debug, Clone, Serialize)]
pub struct SiteRef {
    pub id: Uuid,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

impl From<&site::Model> for SiteRef {
    fn from(s: &site::Model) -> Self {
        SiteRef {
            id: s.id,
            code: s.code.clone(),
            name_ja: s.name_ja.clone(),
            name_en: s.name_en.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildRef {
    pub id: Uuid,
    /// Coupon applied for this child (spent once the booking is confirmed).
    pub coupon_yen: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChargeOut {
    pub kind: String,
    pub percent: i32,
    pub yen: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookingOut {
    pub id: Uuid,
    pub service: String,
    pub site: Option<SiteRef>,
    pub status: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub children: Vec<ChildRef>,
    /// The quoted fee before coupons.
    pub fee_yen: i64,
    pub coupon_yen: i64,
    /// What the family pays if the booking takes place.
    pub total_yen: i64,
    /// A cancellation or no-show charge that was made.
    pub charge: Option<ChargeOut>,
    /// What cancelling now would cost under the booking's cancellation policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_fee_now: Option<Charge>,
    pub offer_expires_at: Option<DateTime<FixedOffset>>,
    pub waitlisted_at: Option<DateTime<FixedOffset>>,
    pub series_id: Option<Uuid>,
    /// Helper programmes: the helper planned for the visit (display name only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helper: Option<String>,
    /// What the center told the family: a decline's reason (`declined`), or a note
    /// given with a move to the waiting list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_note: Option<hagukumi_domain::Text>,
    pub quote: serde_json::Value,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

fn jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&JST).fixed_offset()
}

pub fn booking_out(
    s: &Stored,
    site: Option<&site::Model>,
    now: DateTime<Utc>,
) -> ApiResult<BookingOut> {
    let d = s.details()?;
    let status = s.status()?;
    let cancellation_fee_now = (status == Status::Confirmed && now < s.row.starts_at).then(|| {
        d.cancellation.cancellation_fee(
            u32::try_from(s.row.fee_yen).unwrap_or(0),
            s.row.starts_at,
            now,
            d.low_income,
        )
    });
    Ok(BookingOut {
        id: s.row.id,
        service: s.row.service_key.clone(),
        site: site.map(SiteRef::from),
        status: s.row.status.clone(),
        start: jst(s.row.starts_at),
        end: jst(s.row.ends_at),
        children: s
            .children
            .iter()
            .map(|c| ChildRef {
                id: c.child_id,
                coupon_yen: c.coupon_yen,
            })
            .collect(),
        fee_yen: s.row.fee_yen,
        coupon_yen: s.row.coupon_yen,
        total_yen: s.row.total_yen,
        charge: s.row.charge_kind.as_ref().map(|k| ChargeOut {
            kind: k.clone(),
            percent: s.row.charge_percent.unwrap_or(0),
            yen: s.row.charge_yen,
        }),
        cancellation_fee_now,
        offer_expires_at: s.row.offer_expires_at.map(jst),
        waitlisted_at: s.row.waitlisted_at.map(jst),
        series_id: s.row.series_id,
        helper: None,
        center_note: match s.row.status.as_str() {
            "declined" => crate::mail::booking_events::note(&s.row, "decline_reason"),
            "waitlisted" | "offered" => crate::mail::booking_events::note(&s.row, "waitlist_note"),
            _ => None,
        },
        quote: d.quote,
        created_at: jst(s.row.created_at),
        updated_at: jst(s.row.updated_at),
    })
}
