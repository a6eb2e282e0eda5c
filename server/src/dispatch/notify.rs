//! Mail about helper visits, through the outbox in the same transaction as the change:
//! a helper who loses a visit gets its cancellation, a helper who gets one gets it as a
//! new assignment, a helper whose visit moved gets the change (each with its calendar
//! entry) — after a plan run, a pin, a sick call or a cancelled booking. After a sick
//! call the families whose visit changed helper or time are told too: their own visit,
//! the new helper's display name and nothing about anyone else.

use chrono::{Duration, NaiveDate};
use hagukumi_domain::Text;
use hagukumi_domain::availability::local_midnight;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait};
use uuid::Uuid;

use super::problem::Day;
use super::service::Change;
use crate::entities::{booking, helper_visit, household, provider};
use crate::mail::booking_events::reference;
use crate::mail::{self, BookingInfo, MailEvent, Recipient};
use crate::state::AppState;

pub fn programme_name(service_key: &str) -> Text {
    match service_key {
        "single-parent-home-help" => {
            Text::new("ひとり親家庭ホームヘルプ", "Single-parent home help")
        }
        "home-visitor" => Text::new(
            "ホームスタート（ホームビジター）",
            "Home-Start (home visitor)",
        ),
        _ => Text::new("養育支援ヘルパー", "Childrearing support helper"),
    }
}

/// Start and end of a visit as instants (planned start, else the window's start).
pub fn span(
    day: NaiveDate,
    v: &helper_visit::Model,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = local_midnight(day)
        + Duration::minutes(i64::from(v.planned_start_min.unwrap_or(v.window_start_min)));
    (start, start + Duration::minutes(i64::from(v.duration_min)))
}

/// The visit as a helper's mail shows it: programme, time, area and the family's label
/// (never a child's name); the calendar UID is the visit's.
pub fn info(v: &helper_visit::Model) -> BookingInfo {
    let (starts_at, ends_at) = span(v.day, v);
    let place = match (v.area.is_empty(), v.family_label.is_empty()) {
        (false, false) => Some(format!("{}（{}）", v.area, v.family_label)),
        (false, true) => Some(v.area.clone()),
        (true, false) => Some(v.family_label.clone()),
        (true, true) => None,
    };
    BookingInfo {
        booking_id: v.id,
        reference: format!("HV-{}", &v.id.simple().to_string()[..8]),
        service: programme_name(&v.service_key),
        place: place.map(|p| Text::new(p.clone(), p)),
        starts_at,
        ends_at,
        child_given_name: None,
    }
}

async fn account_of(conn: &impl ConnectionTrait, helper: Uuid) -> Result<Option<Uuid>, DbErr> {
    Ok(provider::Entity::find_by_id(helper)
        .one(conn)
        .await?
        .and_then(|p| p.user_id))
}

/// The helper `v` was assigned to (as `v` stands) loses it.
pub async fn helper_cancelled(
    txn: &DatabaseTransaction,
    state: &AppState,
    v: &helper_visit::Model,
) -> Result<(), DbErr> {
    let Some(h) = v.assigned_provider_id else {
        return Ok(());
    };
    if let Some(u) = account_of(txn, h).await? {
        mail::enqueue(
            txn,
            &state.settings,
            Recipient::User(u),
            MailEvent::ProviderAssignmentCancelled { booking: info(v) },
        )
        .await?;
    }
    Ok(())
}

/// The helper `v` is now assigned to gets it.
pub async fn helper_assigned(
    txn: &DatabaseTransaction,
    state: &AppState,
    v: &helper_visit::Model,
) -> Result<(), DbErr> {
    let Some(h) = v.assigned_provider_id else {
        return Ok(());
    };
    if let Some(u) = account_of(txn, h).await? {
        mail::enqueue(
            txn,
            &state.settings,
            Recipient::User(u),
            MailEvent::ProviderAssigned { booking: info(v) },
        )
        .await?;
    }
    Ok(())
}

/// Each change of a plan run or sick call, to the helpers concerned. `day.visits` are the
/// rows as loaded before the change; the new state is read back on `txn`.
pub async fn helpers_of_changes(
    txn: &DatabaseTransaction,
    state: &AppState,
    day: &Day,
    changes: &[Change],
) -> Result<(), DbErr> {
    for c in changes {
        let (Some(before), Some(after)) = (
            day.visits.iter().find(|v| v.id == c.visit_id),
            helper_visit::Entity::find_by_id(c.visit_id)
                .one(txn)
                .await?,
        ) else {
            continue;
        };
        if c.time_only {
            let account = match after.assigned_provider_id {
                Some(h) => account_of(txn, h).await?,
                None => None,
            };
            let Some(u) = account else {
                continue;
            };
            let (previous_starts_at, previous_ends_at) = span(before.day, before);
            mail::enqueue(
                txn,
                &state.settings,
                Recipient::User(u),
                MailEvent::ProviderAssignmentChanged {
                    booking: info(&after),
                    previous_starts_at,
                    previous_ends_at,
                },
            )
            .await?;
        } else {
            helper_cancelled(txn, state, before).await?;
            helper_assigned(txn, state, &after).await?;
        }
    }
    Ok(())
}

/// After a sick call: the helpers concerned, and each family whose visit changed helper
/// or time (their own visit only; the helper's display name only).
pub async fn sick_call(
    txn: &DatabaseTransaction,
    state: &AppState,
    day: &Day,
    changes: &[Change],
) -> Result<(), DbErr> {
    helpers_of_changes(txn, state, day, changes).await?;
    for c in changes {
        let (Some(before), Some(after)) = (
            day.visits.iter().find(|v| v.id == c.visit_id),
            helper_visit::Entity::find_by_id(c.visit_id)
                .one(txn)
                .await?,
        ) else {
            continue;
        };
        let Some(family) = household::Entity::find_by_id(after.household_id)
            .one(txn)
            .await?
            .and_then(|h| h.user_id)
        else {
            // A household without an account is phoned by the center.
            continue;
        };
        let helper = match after.assigned_provider_id {
            Some(h) => provider::Entity::find_by_id(h)
                .one(txn)
                .await?
                .map(|p| p.display_name),
            None => None,
        };
        let (previous_starts_at, previous_ends_at) = span(before.day, before);
        mail::enqueue(
            txn,
            &state.settings,
            Recipient::User(family),
            MailEvent::VisitChanged {
                booking: family_info(txn, &after).await?,
                helper,
                previous_starts_at,
                previous_ends_at,
            },
        )
        .await?;
    }
    Ok(())
}

/// The visit as the family's mail shows it: their booking's number and link when the
/// visit came from a booking.
async fn family_info(
    conn: &impl ConnectionTrait,
    v: &helper_visit::Model,
) -> Result<BookingInfo, DbErr> {
    let mut i = info(v);
    i.place = None;
    if let Some(b) = v.booking_id
        && booking::Entity::find_by_id(b).one(conn).await?.is_some()
    {
        i.booking_id = b;
        i.reference = reference(b);
    }
    Ok(i)
}
