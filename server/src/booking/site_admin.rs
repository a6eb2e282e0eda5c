//! Coordinators change a site's capacity: extra beds for a night, an extra staff
//! shift on a date, a closed day (with the reason) or one opened again, a new roster. Each change is one
//! transaction that locks the site's settings and the days it touches, stores the
//! settings, writes the audit record, and lets the waiting list react at once: the
//! first waiting request that now fits gets an offer (mailed in the same transaction).
//! A closed day answers with the bookings it hits, for the coordinator to handle.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::availability::{Interval, RecurringWindow, local_date};
use hagukumi_frontend::console::model::CalendarBooking;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::events;
use super::locks::{LockSet, days_of};
use super::repo;
use super::resource::{ClosedDay, ExtraBeds, ExtraShift, ShiftSetting, SiteSettings};
use super::site_calendar::{calendar_booking, site_for};
use super::waitlist;
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db;
use crate::entities::site;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// `{"date","beds"}`: beds added for the night of `date`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraBedsIn {
    pub date: NaiveDate,
    pub beds: u32,
}

/// `{"date","start":"HH:MM","hours","staff"}`: an extra shift on `date`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraShiftIn {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub hours: u32,
    pub staff: u32,
}

/// `{"date","reason"}`: the site is closed that day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseDayIn {
    pub date: NaiveDate,
    pub reason: String,
}

/// `{"date"}`: a day the center closed opens again.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenDayIn {
    pub date: NaiveDate,
}

/// `{"shifts":[{"rrule","start","hours","staff"}]}`: the whole roster, replaced.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterIn {
    pub shifts: Vec<ShiftSetting>,
}

/// What a change did.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeOut {
    /// Waiting requests offered a place because of the change.
    pub offered: Vec<uuid::Uuid>,
    /// Bookings on a day just closed: to be moved or cancelled by the center.
    pub affected: Vec<CalendarBooking>,
}

fn bad(field: &str, code: &str, ja: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, code, Text::new(ja, en))])
}

fn not_past(date: NaiveDate, now: DateTime<Utc>) -> ApiResult<()> {
    if date < local_date(now) {
        return Err(bad(
            "date",
            "in_past",
            "過去の日付は変更できません",
            "A past date cannot be changed",
        ));
    }
    Ok(())
}

fn in_range(field: &str, v: u32, max: u32) -> ApiResult<()> {
    if v == 0 || v > max {
        return Err(bad(
            field,
            "out_of_range",
            format!("1〜{max}で指定してください"),
            format!("Give 1 to {max}"),
        ));
    }
    Ok(())
}

/// The change to apply to the settings, checked before the transaction.
enum Change {
    Beds(ExtraBedsIn),
    Shift(ExtraShiftIn),
    Close(CloseDayIn),
    Reopen(ReopenDayIn),
    Roster(RosterIn),
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Beds(_) => "site.add_beds",
            Change::Shift(_) => "site.add_shift",
            Change::Close(_) => "site.close_day",
            Change::Reopen(_) => "site.reopen_day",
            Change::Roster(_) => "site.roster",
        }
    }

    fn date(&self) -> Option<NaiveDate> {
        match self {
            Change::Beds(b) => Some(b.date),
            Change::Shift(s) => Some(s.date),
            Change::Close(c) => Some(c.date),
            Change::Reopen(r) => Some(r.date),
            Change::Roster(_) => None,
        }
    }

    fn validate(&self, now: DateTime<Utc>) -> ApiResult<()> {
        if let Some(d) = self.date() {
            not_past(d, now)?;
        }
        match self {
            Change::Beds(b) => in_range("beds", b.beds, 20),
            Change::Shift(s) => {
                in_range("hours", s.hours, 24)?;
                in_range("staff", s.staff, 50)
            }
            Change::Close(c) => {
                let r = c.reason.trim();
                if r.is_empty() {
                    return Err(bad(
                        "reason",
                        "required",
                        "休業の理由を入力してください",
                        "Give the reason for the closure",
                    ));
                }
                if r.chars().count() > 200 {
                    return Err(bad(
                        "reason",
                        "too_long",
                        "理由は200文字までです",
                        "At most 200 characters",
                    ));
                }
                Ok(())
            }
            Change::Reopen(_) => Ok(()),
            Change::Roster(r) => {
                if r.shifts.len() > 20 {
                    return Err(bad(
                        "shifts",
                        "too_many",
                        "シフトは20件までです",
                        "At most 20 shifts",
                    ));
                }
                let epoch = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN);
                for (i, s) in r.shifts.iter().enumerate() {
                    in_range(&format!("shifts[{i}].hours"), s.hours, 24)?;
                    in_range(&format!("shifts[{i}].staff"), s.staff, 50)?;
                    RecurringWindow::parse(&s.rrule, epoch.and_time(s.start), s.hours * 60)
                        .map_err(|e| {
                            ApiError::Validation(vec![FieldError::new(
                                format!("shifts[{i}].rrule"),
                                e.code(),
                                e.message(),
                            )])
                        })?;
                }
                Ok(())
            }
        }
    }

    /// Changes the stored settings; refuses to reopen a day the center did not close.
    fn apply(&self, s: &mut SiteSettings) -> ApiResult<()> {
        match self {
            Change::Beds(b) => s.extra_beds.push(ExtraBeds {
                date: b.date,
                beds: b.beds,
            }),
            Change::Shift(x) => s.extra_shifts.push(ExtraShift {
                date: x.date,
                start: x.start,
                hours: x.hours,
                staff: x.staff,
            }),
            Change::Close(c) => {
                s.closed_days.retain(|d| d.date != c.date);
                s.closed_days.push(ClosedDay {
                    date: c.date,
                    reason: c.reason.trim().to_owned(),
                });
                s.closed_days.sort_by_key(|d| d.date);
            }
            Change::Reopen(r) => {
                if !s.closed_days.iter().any(|d| d.date == r.date) {
                    return Err(bad(
                        "date",
                        "not_closed",
                        "この日は休業日に登録されていません（年末年始などの定休日は規則で決まっています）",
                        "That day was not closed by the center (yearly closures come from the rules)",
                    ));
                }
                s.closed_days.retain(|d| d.date != r.date);
            }
            Change::Roster(r) => s.roster = r.shifts.clone(),
        }
        Ok(())
    }

    fn details(&self) -> serde_json::Value {
        match self {
            Change::Beds(b) => json!({"date": b.date, "beds": b.beds}),
            Change::Shift(s) => {
                json!({"date": s.date, "start": s.start, "hours": s.hours, "staff": s.staff})
            }
            Change::Close(c) => json!({"date": c.date, "reason": c.reason.trim()}),
            Change::Reopen(r) => json!({"date": r.date}),
            Change::Roster(r) => json!({"shifts": r.shifts}),
        }
    }
}

/// Writes `settings` over the stored JSON, keeping keys this module does not know
/// (opening hours and the like).
fn merged(stored: &serde_json::Value, settings: &SiteSettings) -> serde_json::Value {
    let mut out = stored.clone();
    if let (Some(obj), Ok(serde_json::Value::Object(new))) =
        (out.as_object_mut(), serde_json::to_value(settings))
    {
        for k in ["extra_beds", "extra_shifts", "closed_days"] {
            obj.remove(k);
        }
        for (k, v) in new {
            obj.insert(k, v);
        }
        return out;
    }
    serde_json::to_value(settings).unwrap_or(out)
}

async fn change(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    change: Change,
) -> ApiResult<ChangeOut> {
    let now = Utc::now();
    let res = site_for(&state.db, user, code).await?;
    if res.site.municipality_id != user.municipality_id {
        // Another municipality's facility: it may be used, not changed.
        return Err(ApiError::Forbidden);
    }
    change.validate(now)?;
    // The days whose capacity changes, and those of requests waiting on them (their
    // offers are decided under the same locks).
    let mut days: BTreeSet<NaiveDate> = change.date().into_iter().collect();
    let range = match change.date() {
        Some(d) => {
            let day = Interval::local_day(d);
            Interval::new(day.start().max(now), day.end())
        }
        None => Interval::new(now, now + chrono::Duration::days(366)),
    };
    let waiting = match range {
        Ok(range) => repo::on_resource(&state.db, &res.key(), &["waitlisted"], range).await?,
        Err(_) => Vec::new(),
    };
    for w in &waiting {
        days.extend(days_of(&w.interval()?));
    }
    let txn = db::begin_write(&state.db).await?;
    let mut locks = LockSet::new();
    locks.key(&format!("settings:{}", res.key()));
    for d in &days {
        locks.days(&res.key(), &Interval::local_day(*d));
    }
    locks.acquire(&txn).await?;
    let row = site::Entity::find_by_id(res.site.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut settings = SiteSettings::of(&row)?;
    change.apply(&mut settings)?;
    let mut am = row.clone().into_active_model();
    am.settings = Set(merged(&row.settings, &settings));
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: change.action(),
            entity: "site",
            entity_id: row.id.to_string(),
            details: change.details(),
        },
    )
    .await?;
    let mut evs = Vec::new();
    let offered = waitlist::offer_on_site(
        &txn,
        row.clone(),
        &days,
        now,
        &mut evs,
        None,
        json!({"site_change": change.action()}),
    )
    .await?;
    let mut affected = Vec::new();
    if let Change::Close(c) = &change {
        for s in repo::on_resource(
            &txn,
            &res.key(),
            &repo::HOLDING,
            Interval::local_day(c.date),
        )
        .await?
        {
            affected.push(calendar_booking(&txn, user, &s).await?);
        }
    }
    events::publish(&txn, &state.settings, &evs).await?;
    txn.commit().await?;
    Ok(ChangeOut { offered, affected })
}

pub async fn add_beds(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: ExtraBedsIn,
) -> ApiResult<ChangeOut> {
    change(state, user, code, Change::Beds(input)).await
}

pub async fn add_shift(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: ExtraShiftIn,
) -> ApiResult<ChangeOut> {
    change(state, user, code, Change::Shift(input)).await
}

pub async fn close_day(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: CloseDayIn,
) -> ApiResult<ChangeOut> {
    change(state, user, code, Change::Close(input)).await
}

pub async fn reopen_day(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: ReopenDayIn,
) -> ApiResult<ChangeOut> {
    change(state, user, code, Change::Reopen(input)).await
}

pub async fn set_roster(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: RosterIn,
) -> ApiResult<ChangeOut> {
    change(state, user, code, Change::Roster(input)).await
}
