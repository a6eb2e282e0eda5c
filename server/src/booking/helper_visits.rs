//! Bookings of the two helper programmes and the dispatcher's visits, kept in step inside
//! the booking's own transaction: approval hands the occurrence to dispatch as one
//! unassigned `helper_visit` (a fixed start, the booking's length, skills from the
//! reason); cancellation, decline or expiry takes the visit away again and tells the
//! helper who had it. Each booking row is one occurrence (a recurring request is a series
//! of rows), so there is one visit per occurrence.
//!
//! A helper programme is booked at its "site", the helper pool of the municipality
//! (seeded as a site whose code names the programme; its capacity is the number of
//! visits the agencies take a day). Where and by whom is the dispatcher's job.

use chrono::Timelike;
use hagukumi_domain::availability::{local_date, utc_to_local};
use hagukumi_domain::rules::ReasonCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::repo::Stored;
use crate::audit::{self, AuditEntry};
use crate::dispatch::notify;
use crate::dispatch::service::{PROGRAMMES, VisitIn, check_visit, insert_visit};
use crate::entities::{helper_visit, household, provider};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Where Kiyose's center is: the last resort for a family whose home is not on file.
const TOWN_CENTRE: (f64, f64) = (35.7857, 139.5265);

pub fn is_helper_programme(service_key: &str) -> bool {
    PROGRAMMES.contains(&service_key)
}

/// Skills a visit needs, from the reason the family gave.
fn skills_for(reason: Option<ReasonCode>) -> Vec<String> {
    match reason {
        Some(ReasonCode::MultipleBirth) => vec!["twins".into()],
        Some(ReasonCode::PrePostnatal) => vec!["newborn".into()],
        _ => vec![],
    }
}

/// The family's home for travel times: where an earlier visit to them was entered by a
/// coordinator (who has been there), else the middle of the helpers' home bases.
async fn home_of(conn: &impl ConnectionTrait, h: &household::Model) -> ApiResult<(f64, f64)> {
    if let Some(v) = helper_visit::Entity::find()
        .filter(helper_visit::Column::HouseholdId.eq(h.id))
        .order_by_desc(helper_visit::Column::CreatedAt)
        .one(conn)
        .await?
    {
        return Ok((v.lat, v.lon));
    }
    let homes: Vec<(f64, f64)> = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(h.municipality_id))
        .filter(provider::Column::Kind.eq("helper"))
        .all(conn)
        .await?
        .iter()
        .filter_map(|p| {
            let home = &p.profile["home"];
            home["lat"].as_f64().zip(home["lon"].as_f64())
        })
        .collect();
    if homes.is_empty() {
        return Ok(TOWN_CENTRE);
    }
    let n = homes.len() as f64;
    Ok((
        homes.iter().map(|p| p.0).sum::<f64>() / n,
        homes.iter().map(|p| p.1).sum::<f64>() / n,
    ))
}

fn is_place_holding(status: &str) -> bool {
    matches!(status, "approved" | "confirmed")
}

fn is_gone(status: &str) -> bool {
    matches!(status, "cancelled" | "declined" | "expired")
}

/// Called by the booking service after every transition (`was` is the status before),
/// on its transaction.
pub async fn after_transition(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: Option<Uuid>,
    was: &str,
    after: &Stored,
) -> ApiResult<()> {
    let row = &after.row;
    if !is_helper_programme(&row.service_key) || was == row.status {
        return Ok(());
    }
    let existing = helper_visit::Entity::find()
        .filter(helper_visit::Column::BookingId.eq(row.id))
        .one(txn)
        .await?;
    if is_place_holding(&row.status) {
        if existing.is_none() {
            hand_over(txn, actor, after).await?;
        }
    } else if is_gone(&row.status)
        && let Some(v) = existing.filter(|v| v.status == "approved")
    {
        withdraw(txn, state, actor, v).await?;
    }
    Ok(())
}

/// The approved occurrence becomes a visit for the dispatcher to plan.
async fn hand_over(txn: &DatabaseTransaction, actor: Option<Uuid>, s: &Stored) -> ApiResult<()> {
    let row = &s.row;
    let h = household::Entity::find_by_id(row.household_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let start = utc_to_local(row.starts_at);
    let minutes = (row.ends_at - row.starts_at).num_minutes();
    let at = format!("{:02}:{:02}", start.hour(), start.minute());
    let (lat, lon) = home_of(txn, &h).await?;
    let v = VisitIn {
        service: row.service_key.clone(),
        household_id: h.id,
        day: local_date(row.starts_at),
        earliest_start: at.clone(),
        latest_start: at,
        duration_minutes: i32::try_from(minutes).unwrap_or(0),
        required_skills: skills_for(s.details()?.reason),
        preferred_helper_id: None,
        booking_id: Some(row.id),
        lat,
        lon,
        notes: String::new(),
    };
    let window = check_visit(&v)?;
    insert_visit(txn, actor, &v, window, &h).await?;
    Ok(())
}

/// The occurrence is off: so is its visit; the helper who had it is told.
async fn withdraw(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: Option<Uuid>,
    v: helper_visit::Model,
) -> ApiResult<()> {
    let mut m = v.clone().into_active_model();
    m.status = Set("cancelled".into());
    m.pinned = Set(false);
    m.sequence = Set(v.sequence + 1);
    m.updated_at = Set(chrono::Utc::now());
    m.update(txn).await?;
    notify::helper_cancelled(txn, state, &v).await?;
    audit::record(
        txn,
        AuditEntry {
            municipality_id: Some(v.municipality_id),
            actor,
            action: "dispatch.visit_cancel",
            entity: "helper_visit",
            entity_id: v.id.to_string(),
            details: json!({ "booking": v.booking_id, "helper": v.assigned_provider_id }),
        },
    )
    .await?;
    Ok(())
}

/// The display name of the helper planned for each of `bookings` (once planned).
pub async fn helpers_of(
    conn: &impl ConnectionTrait,
    bookings: &[Uuid],
) -> ApiResult<std::collections::HashMap<Uuid, String>> {
    let visits = helper_visit::Entity::find()
        .filter(helper_visit::Column::BookingId.is_in(bookings.iter().copied()))
        .filter(helper_visit::Column::Status.eq("approved"))
        .filter(helper_visit::Column::AssignedProviderId.is_not_null())
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = visits
        .iter()
        .filter_map(|v| v.assigned_provider_id)
        .collect();
    let names: std::collections::HashMap<Uuid, String> = provider::Entity::find()
        .filter(provider::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    Ok(visits
        .into_iter()
        .filter_map(|v| {
            let b = v.booking_id?;
            let name = names.get(&v.assigned_provider_id?)?.clone();
            Some((b, name))
        })
        .collect())
}
