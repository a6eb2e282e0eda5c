//! Periodic mail jobs, run by every worker: each enqueues with
//! [`super::outbox::enqueue_once`] and a key per booking and kind, so running
//! them in several processes, or again after a restart, sends nothing twice.

use chrono::{DateTime, Datelike, Days, Timelike, Utc};
use hagukumi_domain::calendar::{TZ, local_datetime};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::booking_events::{booking_info, waiting_for_approval};
use super::outbox::{Recipient, enqueue_once};
use super::templates::MailEvent;
use crate::dispatch::digest::{self, Frequency};
use crate::entities::{booking, provider};
use crate::settings::Settings;

/// Runs the jobs whose time has come.
pub async fn run_due(
    db: &DatabaseConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    reminders(db, settings, now).await?;
    digests(db, settings, now).await?;
    approvals_digest(db, settings, now).await?;
    Ok(())
}

/// From `mail.approvals_hour` (Japan time) on, once a day per municipality, its
/// coordinators get the requests waiting for approval, oldest first; nothing is
/// sent on a day when none wait. Returns how many messages were written now.
pub async fn approvals_digest(
    db: &DatabaseConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let local = local_datetime(now);
    if local.hour() < settings.mail.approvals_hour {
        return Ok(0);
    }
    let municipalities: Vec<uuid::Uuid> = booking::Entity::find()
        .select_only()
        .column(booking::Column::MunicipalityId)
        .filter(booking::Column::Status.eq("requested"))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut written = 0;
    for m in municipalities {
        let (count, oldest) = waiting_for_approval(db, m).await?;
        if count == 0 {
            continue;
        }
        written += enqueue_once(
            db,
            settings,
            Recipient::Coordinators(m),
            MailEvent::ApprovalsWaiting { count, oldest },
            &format!("approvals:{m}:{}", local.date()),
        )
        .await?
        .len();
    }
    Ok(written)
}

/// From `mail.digest_hour` (Japan time) on, each provider with an account gets their
/// schedule once per period: the day's visits every day, or — if their profile says
/// `weekly` — the seven days from `mail.digest_weekday` on that day. A period without
/// visits sends nothing; `off` sends nothing. The key (provider, frequency, first day)
/// makes it once per period however many processes run the job.
/// Returns how many were written now.
pub async fn digests(
    db: &DatabaseConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let local = local_datetime(now);
    if local.hour() < settings.mail.digest_hour {
        return Ok(0);
    }
    let today = local.date();
    let weekly_today = today.weekday().number_from_monday() == settings.mail.digest_weekday;
    let providers = provider::Entity::find()
        .filter(provider::Column::UserId.is_not_null())
        .order_by_asc(provider::Column::Id)
        .all(db)
        .await?;
    let mut written = 0;
    for p in providers {
        let Some(user) = p.user_id else {
            continue;
        };
        let days = match Frequency::of(&p) {
            Frequency::Daily => 0,
            Frequency::Weekly if weekly_today => 6,
            Frequency::Weekly | Frequency::Off => continue,
        };
        let Some(to) = today.checked_add_days(Days::new(days)) else {
            continue;
        };
        let items = digest::items(db, &p, today, to).await?;
        if items.is_empty() {
            continue;
        }
        written += enqueue_once(
            db,
            settings,
            Recipient::User(user),
            MailEvent::ProviderDigest {
                from: today,
                to,
                items,
            },
            &format!("digest:{}:{}:{today}", p.id, Frequency::of(&p).as_str()),
        )
        .await?
        .len();
    }
    Ok(written)
}

/// From `mail.reminder_hour` (Japan time) on, every confirmed booking that
/// starts tomorrow gets one reminder, to the account that booked it.
/// Returns how many were written now.
pub async fn reminders(
    db: &DatabaseConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let local = local_datetime(now);
    if local.hour() < settings.mail.reminder_hour {
        return Ok(0);
    }
    let Some(tomorrow) = local.date().checked_add_days(Days::new(1)) else {
        return Ok(0);
    };
    let start_of = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(TZ).single())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (
        start_of(tomorrow),
        tomorrow.checked_add_days(Days::new(1)).and_then(start_of),
    ) else {
        return Ok(0);
    };
    let due = booking::Entity::find()
        .filter(booking::Column::Status.eq("confirmed"))
        .filter(booking::Column::StartsAt.gte(from))
        .filter(booking::Column::StartsAt.lt(to))
        .all(db)
        .await?;
    let mut written = 0;
    for b in due {
        let info = booking_info(db, &b).await?;
        written += enqueue_once(
            db,
            settings,
            Recipient::User(b.created_by),
            MailEvent::Reminder { booking: info },
            &format!("reminder:{}", b.id),
        )
        .await?
        .len();
    }
    Ok(written)
}
