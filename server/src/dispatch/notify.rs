//! Mail after a sick call, through the outbox in the same transaction: the helper who
//! is off gets the cancellation of each visit, the helper who takes one over gets it as
//! a new assignment (each with its calendar entry).

use chrono::{Duration, NaiveDate};
use hagukumi_domain::Text;
use hagukumi_domain::availability::local_midnight;
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait};

use super::problem::Day;
use super::service::Outcome;
use crate::entities::helper_visit;
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

fn info(v: &helper_visit::Model) -> BookingInfo {
    let (starts_at, ends_at) = span(v.day, v);
    BookingInfo {
        booking_id: v.id,
        reference: format!("HV-{}", &v.id.simple().to_string()[..8]),
        service: programme_name(&v.service_key),
        place: (!v.area.is_empty()).then(|| Text::new(v.area.clone(), v.area.clone())),
        starts_at,
        ends_at,
        child_given_name: None,
    }
}

pub async fn sick_call(
    txn: &DatabaseTransaction,
    state: &AppState,
    day: &Day,
    out: &Outcome,
) -> Result<(), DbErr> {
    let user_of = |id| {
        day.helpers
            .iter()
            .find(|h| h.row.id == id)
            .and_then(|h| h.row.user_id)
    };
    for c in out.changes.iter().filter(|c| !c.time_only) {
        // The row as just planned (new helper, new start).
        let Some(v) = helper_visit::Entity::find_by_id(c.visit_id)
            .one(txn)
            .await?
        else {
            continue;
        };
        let v = &v;
        if let Some(u) = c.from_helper.and_then(user_of) {
            mail::enqueue(
                txn,
                &state.settings,
                Recipient::User(u),
                MailEvent::ProviderAssignmentCancelled { booking: info(v) },
            )
            .await?;
        }
        if let Some(u) = c.to_helper.and_then(user_of) {
            mail::enqueue(
                txn,
                &state.settings,
                Recipient::User(u),
                MailEvent::ProviderAssigned { booking: info(v) },
            )
            .await?;
        }
    }
    Ok(())
}
