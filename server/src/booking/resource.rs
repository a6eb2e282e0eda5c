//! A site (a short-stay facility's beds, a temporary-care room) as the domain sees
//! it: its open time from the service rules and the site's own closures, and its
//! capacity model — beds per night with per-municipality allocations, or staff
//! ratio against the site's RRULE staff roster. Availability, booking and the
//! waitlist all build the model here, so they can never disagree.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use hagukumi_domain::Text;
use hagukumi_domain::availability::{
    ExpansionLimits, Interval, IntervalSet, RecurringWindow, Roster, Shift, StaffLevels,
};
use hagukumi_domain::calendar::MonthDay;
use hagukumi_domain::capacity::{
    Allocation, BedsPerNight, CapacityModel, Municipality, Occupancy, StaffRatio,
};
use hagukumi_domain::rules::{BookingUnit, ServiceRules};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::locks::site_key;
use crate::entities::{municipality, site, site_share};
use crate::error::{ApiError, ApiResult};

/// A recurring shift of the staff roster: `staff` people from `start` for `hours`
/// on each day of `rrule` (e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSetting {
    pub rrule: String,
    pub start: NaiveTime,
    pub hours: u32,
    pub staff: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClosedSetting {
    from: MonthDay,
    to: MonthDay,
}

/// Beds added for one night.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraBeds {
    pub date: NaiveDate,
    pub beds: u32,
}

/// An extra staff shift on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraShift {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub hours: u32,
    pub staff: u32,
}

/// A day the site is closed, with the reason the coordinator gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedDay {
    pub date: NaiveDate,
    pub reason: String,
}

/// `sites.settings`: the roster, yearly closures, and the coordinators' changes for
/// single dates (extra beds, extra shifts, closed days).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteSettings {
    #[serde(default)]
    pub roster: Vec<ShiftSetting>,
    #[serde(default)]
    closed: Vec<ClosedSetting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_beds: Vec<ExtraBeds>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_shifts: Vec<ExtraShift>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_days: Vec<ClosedDay>,
}

impl SiteSettings {
    pub fn of(site: &site::Model) -> ApiResult<Self> {
        Self::deserialize(&site.settings).map_err(|e| broken(site, e))
    }

    /// The roster's shifts as the domain reads them (checks every RRULE).
    pub fn shifts(&self) -> Result<Vec<Shift>, hagukumi_domain::availability::RecurrenceError> {
        self.roster
            .iter()
            .map(|s| {
                Ok(Shift {
                    window: RecurringWindow::parse(&s.rrule, roster_epoch(s.start), s.hours * 60)?,
                    staff: s.staff,
                })
            })
            .collect()
    }
}

/// A site with what its capacity depends on.
#[derive(Debug, Clone)]
pub struct SiteResource {
    pub site: site::Model,
    /// Municipalities that may use the site, with their guaranteed beds.
    pub allocations: Vec<Allocation>,
    /// Ids of the municipalities whose families may book here.
    pub municipalities: Vec<Uuid>,
    roster: Roster,
    closed: Vec<(MonthDay, MonthDay)>,
    /// Single days closed by a coordinator, with the reason.
    pub closed_days: BTreeMap<NaiveDate, String>,
    /// Beds added for single nights.
    pub extra_beds: BTreeMap<NaiveDate, u32>,
    pub settings: SiteSettings,
}

/// The first day a roster RRULE counts from (rosters are open-ended).
fn roster_epoch(at: NaiveTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap_or(NaiveDate::MIN)
        .and_time(at)
}

fn broken(site: &site::Model, what: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!(
        "site {} has broken settings: {what}",
        site.code
    ))
}

impl SiteResource {
    pub async fn load(conn: &impl ConnectionTrait, site: site::Model) -> ApiResult<Self> {
        let settings = SiteSettings::of(&site)?;
        let roster = Self::roster_of(&site, &settings)?;
        let shares = site_share::Entity::find()
            .filter(site_share::Column::SiteId.eq(site.id))
            .all(conn)
            .await?;
        let codes = municipality_codes(conn).await?;
        Self::build(site, settings, roster, &shares, &codes)
    }

    /// The staff roster: RRULE shifts, extra shifts, and the days closed.
    fn roster_of(site: &site::Model, settings: &SiteSettings) -> ApiResult<Roster> {
        let mut roster = Roster {
            shifts: settings.shifts().map_err(|e| broken(site, e))?,
            ..Roster::default()
        };
        for x in &settings.extra_shifts {
            let start = x.date.and_time(x.start);
            let end = start + Duration::hours(i64::from(x.hours));
            if let Ok(iv) = Interval::from_local(start, end) {
                roster.extra.push((iv, x.staff));
            }
        }
        roster.off_days = settings.closed_days.iter().map(|c| c.date).collect();
        Ok(roster)
    }

    /// The resource from its rows (no queries): settings already parsed, the
    /// site's shares and every municipality's code.
    fn build(
        site: site::Model,
        settings: SiteSettings,
        roster: Roster,
        shares: &[site_share::Model],
        codes: &HashMap<Uuid, Municipality>,
    ) -> ApiResult<Self> {
        let closed_days = settings
            .closed_days
            .iter()
            .map(|c| (c.date, c.reason.clone()))
            .collect();
        let mut extra_beds: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for x in &settings.extra_beds {
            *extra_beds.entry(x.date).or_default() += x.beds;
        }
        let mut municipalities = vec![site.municipality_id];
        let mut allocations = Vec::new();
        for s in shares.iter().filter(|s| s.site_id == site.id) {
            if !municipalities.contains(&s.municipality_id) {
                municipalities.push(s.municipality_id);
            }
            if let (Some(beds), Some(code)) = (s.allocation, codes.get(&s.municipality_id)) {
                allocations.push(Allocation {
                    municipality: code.clone(),
                    beds: u32::try_from(beds).unwrap_or(0),
                });
            }
        }
        Ok(SiteResource {
            allocations,
            municipalities,
            roster,
            closed: settings.closed.iter().map(|c| (c.from, c.to)).collect(),
            closed_days,
            extra_beds,
            settings,
            site,
        })
    }

    /// The sites of `service` a family of `municipality_id` may book.
    pub async fn for_service(
        conn: &impl ConnectionTrait,
        service_key: &str,
        municipality_id: Uuid,
    ) -> ApiResult<Vec<SiteResource>> {
        let codes = municipality_codes(conn).await?;
        Self::for_service_with(conn, service_key, municipality_id, &codes).await
    }

    /// [`Self::for_service`] with the municipalities' codes already read.
    pub async fn for_service_with(
        conn: &impl ConnectionTrait,
        service_key: &str,
        municipality_id: Uuid,
        codes: &HashMap<Uuid, Municipality>,
    ) -> ApiResult<Vec<SiteResource>> {
        let mut out: Vec<SiteResource> = Self::of_services(conn, &[service_key], codes)
            .await?
            .into_iter()
            .filter(|r| r.municipalities.contains(&municipality_id))
            .collect();
        out.sort_by(|a, b| a.site.code.cmp(&b.site.code));
        Ok(out)
    }

    /// Every site of the `service_keys`, whoever may book it: two queries
    /// however many sites, the sites and all their shares.
    pub async fn of_services(
        conn: &impl ConnectionTrait,
        service_keys: &[&str],
        codes: &HashMap<Uuid, Municipality>,
    ) -> ApiResult<Vec<SiteResource>> {
        let (sites, shares) = Self::rows_of_services(conn, service_keys).await?;
        Self::assemble(sites, &shares, codes)
    }

    /// The rows behind [`Self::of_services`]: the sites and their shares, two
    /// queries that do not wait for each other.
    pub async fn rows_of_services(
        conn: &impl ConnectionTrait,
        service_keys: &[&str],
    ) -> Result<(Vec<site::Model>, Vec<site_share::Model>), sea_orm::DbErr> {
        let of_services = || site::Column::ServiceKey.is_in(service_keys.iter().copied());
        futures::try_join!(
            site::Entity::find().filter(of_services()).all(conn),
            site_share::Entity::find()
                .filter(
                    site_share::Column::SiteId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(site::Column::Id)
                            .from(site::Entity)
                            .and_where(of_services())
                            .to_owned(),
                    ),
                )
                .all(conn),
        )
    }

    /// The sites of [`Self::of_services`], from their rows and shares.
    pub fn assemble(
        sites: Vec<site::Model>,
        shares: &[site_share::Model],
        codes: &HashMap<Uuid, Municipality>,
    ) -> ApiResult<Vec<SiteResource>> {
        let mut out = Vec::new();
        for s in sites {
            let settings = SiteSettings::of(&s)?;
            let roster = Self::roster_of(&s, &settings)?;
            out.push(SiteResource::build(s, settings, roster, shares, codes)?);
        }
        Ok(out)
    }

    pub fn key(&self) -> String {
        site_key(self.site.id)
    }

    /// Whether the site is closed on `date` (a yearly closure or a closed day).
    pub fn site_closed(&self, date: NaiveDate) -> bool {
        if self.closed_days.contains_key(&date) {
            return true;
        }
        let md = MonthDay::of(date);
        self.closed.iter().any(|(from, to)| {
            if from <= to {
                *from <= md && md <= *to
            } else {
                md >= *from || md <= *to
            }
        })
    }

    /// Whether families can use the site on `date` at all, and its hours then.
    pub fn hours_on(
        &self,
        rules: &ServiceRules,
        date: NaiveDate,
    ) -> Option<hagukumi_domain::rules::TimeRange> {
        if self.site_closed(date) {
            return None;
        }
        rules.hours_on(Some(&self.site.code), date)
    }

    /// Open time over local days `first..=last`: opening hours for hourly services,
    /// check-in to check-out for each open night of stays (adjacent nights merge, so a
    /// multi-night stay is covered when every night is open).
    pub fn open_time(
        &self,
        rules: &ServiceRules,
        first: NaiveDate,
        last: NaiveDate,
    ) -> IntervalSet {
        let mut open = Vec::new();
        for d in first.iter_days().take_while(|d| *d <= last) {
            let Some(hours) = self.hours_on(rules, d) else {
                continue;
            };
            let iv = match rules.unit {
                BookingUnit::Timed { .. } => {
                    Interval::from_local(d.and_time(hours.from), d.and_time(hours.to))
                }
                BookingUnit::Stay {
                    check_in,
                    check_out,
                    ..
                } => Interval::from_local(
                    d.and_time(check_in),
                    (d + Duration::days(1)).and_time(check_out),
                ),
            };
            if let Ok(iv) = iv {
                open.push(iv);
            }
        }
        IntervalSet::from_intervals(open)
    }

    /// Runs `f` with the site's capacity model for `range` (staff on duty are
    /// expanded over it).
    pub fn with_model<R>(
        &self,
        rules: &ServiceRules,
        range: Interval,
        f: impl FnOnce(&dyn CapacityModel) -> R,
    ) -> ApiResult<R> {
        match (&rules.unit, &rules.staffing) {
            (BookingUnit::Timed { .. }, Some(ratios)) if !self.roster.shifts.is_empty() => {
                let wide = Interval::new(
                    range.start() - Duration::days(1),
                    range.end() + Duration::days(1),
                )
                .unwrap_or(range);
                let on_duty: StaffLevels = self
                    .roster
                    .on_duty(wide, ExpansionLimits::default())
                    .map_err(|e| broken(&self.site, e))?;
                let required =
                    |on: NaiveDate, births: &[NaiveDate]| ratios.required_staff(on, births);
                let model = StaffRatio::new(on_duty, &required);
                Ok(f(&model))
            }
            _ => Ok(f(&self.beds_model())),
        }
    }

    /// The bed model: the site's beds, each municipality's guarantee, extra beds.
    pub fn beds_model(&self) -> BedsPerNight {
        let beds = u32::try_from(self.site.capacity).unwrap_or(0);
        BedsPerNight::new(beds, self.allocations.clone(), None)
            .unwrap_or_else(|_| BedsPerNight::simple(beds))
            .with_extra(self.extra_beds.clone())
    }

    /// Staff on duty over `range` (the roster with extra shifts and closed days), for
    /// sites whose capacity is a staff ratio.
    pub fn staff_on_duty(&self, range: Interval) -> ApiResult<StaffLevels> {
        self.roster
            .on_duty(range, ExpansionLimits::default())
            .map_err(|e| broken(&self.site, e))
    }

    /// Whether the site's capacity is counted in staff (a roster) rather than beds.
    pub fn staffed(&self, rules: &ServiceRules) -> bool {
        matches!(rules.unit, BookingUnit::Timed { .. })
            && rules.staffing.is_some()
            && !self.roster.shifts.is_empty()
    }
}

/// Municipality ids to the codes the capacity models use.
pub async fn municipality_codes(
    conn: &impl ConnectionTrait,
) -> ApiResult<HashMap<Uuid, Municipality>> {
    Ok(municipality::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| Municipality::parse(&m.code).ok().map(|c| (m.id, c)))
        .collect())
}

/// A message naming the hours in force on a day, for "outside opening hours".
pub fn hours_text(res: &SiteResource, rules: &ServiceRules, date: NaiveDate) -> Text {
    match res.hours_on(rules, date) {
        Some(h) => Text::new(
            format!(
                "{}の受付時間は {}〜{} です",
                hagukumi_domain::calendar::format_date_ja(date),
                h.from.format("%H:%M"),
                h.to.format("%H:%M")
            ),
            format!(
                "On {date} the hours are {}–{}",
                h.from.format("%H:%M"),
                h.to.format("%H:%M")
            ),
        ),
        None => Text::new(
            format!(
                "{}は休業日です",
                hagukumi_domain::calendar::format_date_ja(date)
            ),
            format!("{date} is a closed day"),
        ),
    }
}

/// Place-holding occupancy in the shape the capacity models read.
pub fn occupancy(
    iv: Interval,
    births: Vec<NaiveDate>,
    municipality: Option<Municipality>,
) -> Occupancy {
    let mut o = Occupancy::new(iv).with_children(births);
    o.municipality = municipality;
    o
}
