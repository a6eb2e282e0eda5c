//! A site's calendar for staff: one day, a week or a month, with capacity used and
//! free — beds per night for stays, staff needed against staff on duty per hour for
//! temporary care — and who booked what. A municipality's coordinators see the sites
//! its families may use; names are shown only for their own families (a shared
//! facility's other bookings appear by number), and only the owning municipality
//! changes capacity ([`super::site_admin`]).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use hagukumi_domain::availability::{Interval, local_date, local_midnight, utc_to_local};
use hagukumi_domain::capacity::beds::nights;
use hagukumi_domain::rules::ServiceRules;
use hagukumi_domain::{ServiceId, Text};
use hagukumi_frontend::console::model::{
    CalendarBooking, CalendarDay, HourLine, RosterShift, SiteCalendar, SiteOption,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::locks::days_of;
use super::repo::{self, HOLDING, Stored};
use super::resource::{SiteResource, municipality_codes};
use crate::auth::CurrentUser;
use crate::entities::{child, household, site, user};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::mail::booking_events::reference;
use crate::rules;

/// How much of the calendar to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Day,
    Week,
    Month,
}

impl View {
    pub fn parse(s: Option<&str>) -> ApiResult<View> {
        match s.unwrap_or("week") {
            "day" => Ok(View::Day),
            "week" => Ok(View::Week),
            "month" => Ok(View::Month),
            other => Err(ApiError::Validation(vec![FieldError::new(
                "view",
                "invalid",
                Text::new(
                    format!("表示「{other}」はありません(day / week / month)"),
                    format!("There is no view `{other}` (day, week or month)"),
                ),
            )])),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            View::Day => "day",
            View::Week => "week",
            View::Month => "month",
        }
    }

    /// The first and last day shown, and the dates the arrows lead to.
    pub fn span(self, date: NaiveDate) -> (NaiveDate, NaiveDate, NaiveDate, NaiveDate) {
        match self {
            View::Day => (
                date,
                date,
                date - Duration::days(1),
                date + Duration::days(1),
            ),
            View::Week => {
                let monday =
                    date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
                (
                    monday,
                    monday + Duration::days(6),
                    monday - Duration::days(7),
                    monday + Duration::days(7),
                )
            }
            View::Month => {
                let first = date.with_day(1).unwrap_or(date);
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(first);
                let prev = first
                    .checked_sub_months(chrono::Months::new(1))
                    .unwrap_or(first);
                (first, next - Duration::days(1), prev, next)
            }
        }
    }
}

/// The sites the user's municipality may use, with whether it manages them.
pub async fn sites_for(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<Vec<SiteOption>> {
    let mut out = Vec::new();
    let mut all = site::Entity::find().all(conn).await?;
    all.sort_by(|a, b| (&a.service_key, &a.code).cmp(&(&b.service_key, &b.code)));
    for s in all {
        let r = SiteResource::load(conn, s).await?;
        if r.municipalities.contains(&user.municipality_id) {
            out.push(option(&r, user));
        }
    }
    Ok(out)
}

fn option(r: &SiteResource, user: &CurrentUser) -> SiteOption {
    let service = r
        .site
        .service_key
        .parse::<ServiceId>()
        .map(|s| s.name())
        .unwrap_or_else(|_| Text::new(r.site.service_key.clone(), r.site.service_key.clone()));
    SiteOption {
        code: r.site.code.clone(),
        name: Text::new(r.site.name_ja.clone(), r.site.name_en.clone()),
        service: r.site.service_key.clone(),
        service_name: service,
        manage: r.site.municipality_id == user.municipality_id,
    }
}

/// The site with `code` if the user's municipality may use it; otherwise 404.
pub async fn site_for(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    code: &str,
) -> ApiResult<SiteResource> {
    let s = site::Entity::find()
        .filter(site::Column::Code.eq(code))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let r = SiteResource::load(conn, s).await?;
    if r.municipalities.contains(&user.municipality_id) {
        Ok(r)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The service rules a site's calendar is drawn with.
pub async fn site_rules(
    conn: &impl ConnectionTrait,
    r: &SiteResource,
    on: NaiveDate,
) -> ApiResult<ServiceRules> {
    let all = rules::load(conn, r.site.municipality_id).await?;
    let service: ServiceId = r
        .site
        .service_key
        .parse()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("site {} service", r.site.code)))?;
    all.rules_for(service, on).cloned().ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "date",
            "not_offered",
            Text::new(
                "この日はこのサービスを実施していません",
                "The service is not offered on that date",
            ),
        )])
    })
}

/// How bookings appear on a staff calendar.
pub async fn calendar_booking(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    s: &Stored,
) -> ApiResult<CalendarBooking> {
    let own = s.row.municipality_id == user.municipality_id;
    let who = if own {
        let parent = match household::Entity::find_by_id(s.row.household_id)
            .one(conn)
            .await?
            .and_then(|h| h.user_id)
        {
            Some(uid) => user::Entity::find_by_id(uid)
                .one(conn)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let ids: Vec<Uuid> = s.children.iter().map(|c| c.child_id).collect();
        let names: Vec<String> = child::Entity::find()
            .filter(child::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| c.given_name)
            .collect();
        Some(format!("{parent}（{}）", names.join("・")))
    } else {
        None
    };
    Ok(CalendarBooking {
        id: s.row.id.to_string(),
        reference: reference(s.row.id),
        status: s.row.status.clone(),
        start: utc_to_local(s.row.starts_at),
        end: utc_to_local(s.row.ends_at),
        who,
        children: u32::try_from(s.children.len()).unwrap_or(0),
        own,
    })
}

/// The local days a booking takes on its site's calendar: nights for stays.
fn booking_days(r: &SiteResource, staffed: bool, s: &Stored) -> Vec<NaiveDate> {
    let Ok(iv) = s.interval() else {
        return Vec::new();
    };
    if staffed || r.site.service_key != ServiceId::ShortStay.as_str() {
        days_of(&iv).into_iter().collect()
    } else {
        nights(&iv).collect()
    }
}

/// Place-holding bookings of the site on its closed days from `from` on.
pub async fn closure_hits(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    r: &SiteResource,
    from: NaiveDate,
) -> ApiResult<Vec<CalendarBooking>> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for day in r.closed_days.keys().filter(|d| **d >= from) {
        let iv = Interval::local_day(*day);
        for s in repo::on_resource(conn, &r.key(), &HOLDING, iv).await? {
            if repo::holds_at(&s.row, Utc::now()) && seen.insert(s.row.id) {
                out.push(calendar_booking(conn, user, &s).await?);
            }
        }
    }
    out.sort_by_key(|b| b.start);
    Ok(out)
}

/// The calendar of site `code` around `date`.
pub async fn calendar(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    code: &str,
    view: View,
    date: NaiveDate,
) -> ApiResult<SiteCalendar> {
    let r = site_for(conn, user, code).await?;
    let (from, to, prev, next) = view.span(date);
    let rules = site_rules(conn, &r, from).await?;
    let staffed = r.staffed(&rules);
    let range = Interval::new(
        local_midnight(from - Duration::days(1)),
        local_midnight(to + Duration::days(2)),
    )
    .map_err(|_| ApiError::Internal(anyhow::anyhow!("empty calendar range")))?;
    let codes = municipality_codes(conn).await?;
    let mut statuses: Vec<&str> = HOLDING.to_vec();
    statuses.push("waitlisted");
    let now = Utc::now();
    let rows: Vec<Stored> = repo::on_resource(conn, &r.key(), &statuses, range)
        .await?
        .into_iter()
        .filter(|s| repo::holds_at(&s.row, now))
        .collect();
    let holding: Vec<&Stored> = rows
        .iter()
        .filter(|s| s.row.status != "waitlisted")
        .collect();
    let occupancy = holding
        .iter()
        .map(|s| s.occupancy(&codes))
        .collect::<ApiResult<Vec<_>>>()?;
    let mut shown: HashMap<Uuid, CalendarBooking> = HashMap::new();
    for s in &holding {
        shown.insert(s.row.id, calendar_booking(conn, user, s).await?);
    }
    let on_duty = if staffed {
        Some(r.staff_on_duty(range)?)
    } else {
        None
    };
    let beds = r.beds_model();
    let mut days = Vec::new();
    for d in from.iter_days().take_while(|d| *d <= to) {
        let open = r.hours_on(&rules, d);
        let mut day = CalendarDay {
            date: d,
            open: open.is_some(),
            closed_reason: r.closed_days.get(&d).cloned(),
            capacity: 0,
            used: 0,
            free: 0,
            extra: r.extra_beds.get(&d).copied().unwrap_or(0),
            hours: Vec::new(),
            bookings: Vec::new(),
            waiting: 0,
        };
        match (&on_duty, &rules.staffing) {
            (Some(levels), Some(ratios)) => {
                let (first, last) = open.map_or((9, 17), |h| {
                    (h.from.hour(), h.to.hour() + u32::from(h.to.minute() > 0))
                });
                let mut min_free = u32::MAX;
                for h in first..last {
                    let Some(a) = NaiveTime::from_hms_opt(h, 0, 0) else {
                        continue;
                    };
                    let start = d.and_time(a);
                    let Ok(iv) = Interval::from_local(start, start + Duration::hours(1)) else {
                        continue;
                    };
                    let births: Vec<NaiveDate> = occupancy
                        .iter()
                        .filter(|o| o.interval.overlaps(&iv))
                        .flat_map(|o| o.children.iter().copied())
                        .collect();
                    let needed = if births.is_empty() {
                        0
                    } else {
                        ratios.required_staff(d, &births)
                    };
                    let staff = levels.min_over(&iv);
                    day.capacity = day.capacity.max(staff);
                    day.used = day.used.max(needed);
                    if open.is_some() {
                        min_free = min_free.min(staff.saturating_sub(needed));
                    }
                    day.hours.push(HourLine {
                        hour: format!("{h:02}:00"),
                        children: u32::try_from(births.len()).unwrap_or(0),
                        staff_on_duty: staff,
                        staff_needed: needed,
                    });
                }
                day.free = if min_free == u32::MAX { 0 } else { min_free };
            }
            _ => {
                let (cap, taken) = beds.night_usage(&occupancy, d);
                day.capacity = cap;
                day.used = taken;
                day.free = if open.is_some() {
                    cap.saturating_sub(taken)
                } else {
                    0
                };
            }
        }
        for s in &rows {
            if !booking_days(&r, staffed, s).contains(&d) {
                continue;
            }
            if s.row.status == "waitlisted" {
                day.waiting += 1;
            } else if let Some(b) = shown.get(&s.row.id) {
                day.bookings.push(b.clone());
            }
        }
        days.push(day);
    }
    let today = local_date(Utc::now());
    Ok(SiteCalendar {
        site: option(&r, user),
        unit: if staffed { "hours" } else { "nights" }.to_owned(),
        view: view.code().to_owned(),
        date,
        from,
        to,
        prev,
        next,
        days,
        closure_hits: closure_hits(conn, user, &r, today).await?,
        roster: r
            .settings
            .roster
            .iter()
            .map(|s| RosterShift {
                rrule: s.rrule.clone(),
                start: s.start.format("%H:%M").to_string(),
                hours: s.hours,
                staff: s.staff,
            })
            .collect(),
    })
}
