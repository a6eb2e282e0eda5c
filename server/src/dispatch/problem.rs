//! From rows to a `domain::dispatch::Problem` for one day: helpers (home base, working
//! hours from their RRULEs minus absences, skills), approved visits (window, duration,
//! skills, continuity, pins and accepted assignments as hard pins, declines), and the plan
//! as currently stored. Minutes after local midnight are the time unit, metres the
//! distance unit.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime, Timelike};
use hagukumi_domain::availability::{ExpansionLimits, Interval, RecurringWindow, utc_to_local};
use hagukumi_domain::dispatch::{Objective, Plan, Point, Problem, Skills, Vehicle, Visit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{helper_absence, helper_visit, helper_visit_decline, provider};

/// Straight-line metres per minute between homes (about 12 km/h: a bicycle in Kiyose,
/// or a car in town traffic once the detour factor is counted).
pub const DEFAULT_SPEED_M_PER_MIN: f64 = 200.0;

/// Working hours when a helper's profile names none.
const DEFAULT_HOURS: (u32, u32) = (9 * 60, 18 * 60);

/// A helper as the dispatcher sees them.
#[derive(Debug, Clone)]
pub struct Helper {
    pub row: provider::Model,
    pub skills: Vec<String>,
    pub home: Option<(f64, f64)>,
    /// Working minutes on the day, after absences; `None` = not working.
    pub hours: Option<(u32, u32)>,
}

/// One day's dispatch problem with the rows behind each index.
#[derive(Debug, Clone)]
pub struct Day {
    pub day: NaiveDate,
    pub helpers: Vec<Helper>,
    pub visits: Vec<helper_visit::Model>,
    pub problem: Problem,
}

pub fn skills_of(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn home_of(profile: &Value) -> Option<(f64, f64)> {
    let h = &profile["home"];
    Some((h["lat"].as_f64()?, h["lon"].as_f64()?))
}

fn hhmm(s: &str) -> Option<u32> {
    let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
    Some(t.hour() * 60 + t.minute())
}

/// The helper's working minutes on `day`: the profile's `hours` (`{"from":"09:00",
/// "to":"18:00"}`, default 09:00–18:00) on the days its `availability` RRULEs name
/// (every day when it names none).
pub fn working_hours(profile: &Value, day: NaiveDate) -> Option<(u32, u32)> {
    let (from, to) = match (
        profile["hours"]["from"].as_str().and_then(hhmm),
        profile["hours"]["to"].as_str().and_then(hhmm),
    ) {
        (Some(f), Some(t)) if f < t => (f, t),
        _ => DEFAULT_HOURS,
    };
    let rules = skills_of(&profile["availability"]);
    if rules.is_empty() {
        return Some((from, to));
    }
    // A Monday long ago anchors the weekly rules; only the weekday and time matter.
    let anchor = NaiveDate::from_ymd_opt(2024, 1, 1)?.and_hms_opt(from / 60, from % 60, 0)?;
    let whole_day = Interval::local_day(day);
    let mut span: Option<(u32, u32)> = None;
    for rule in rules {
        let Ok(w) = RecurringWindow::parse(&rule, anchor, to - from) else {
            tracing::warn!(rule, "unreadable helper availability rule");
            continue;
        };
        let Ok(occurrences) = w.occurrences(whole_day, ExpansionLimits::default()) else {
            continue;
        };
        for o in occurrences {
            let Some(o) = o.intersection(&whole_day) else {
                continue;
            };
            let minutes = |t| {
                let l = utc_to_local(t);
                if l.date() > day {
                    24 * 60
                } else {
                    l.hour() * 60 + l.minute()
                }
            };
            let (s, e) = (minutes(o.start()), minutes(o.end()));
            span = Some(span.map_or((s, e), |(a, b)| (a.min(s), b.max(e))));
        }
    }
    span
}

/// Local projection of latitude/longitude to metres (equirectangular; exact enough within
/// a city).
fn project(lat: f64, lon: f64, lat0: f64) -> Point {
    Point::new(lon * 111_320.0 * lat0.to_radians().cos(), lat * 110_574.0)
}

pub struct LoadOptions {
    pub speed_m_per_min: f64,
    /// Lock the day's visits (`FOR UPDATE` on PostgreSQL) when loading inside a write.
    pub lock: bool,
}

/// Loads the helpers and approved visits of `day` in `municipality`.
pub async fn load(
    conn: &impl ConnectionTrait,
    municipality: Uuid,
    day: NaiveDate,
    opts: &LoadOptions,
) -> Result<Day, DbErr> {
    let providers = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(municipality))
        .filter(provider::Column::Kind.eq("helper"))
        .order_by_asc(provider::Column::DisplayName)
        .order_by_asc(provider::Column::Id)
        .all(conn)
        .await?;
    let absent: Vec<Uuid> = helper_absence::Entity::find()
        .filter(helper_absence::Column::MunicipalityId.eq(municipality))
        .filter(helper_absence::Column::DateFrom.lte(day))
        .filter(helper_absence::Column::DateTo.gte(day))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.provider_id)
        .collect();
    let helpers: Vec<Helper> = providers
        .into_iter()
        .map(|p| Helper {
            skills: skills_of(&p.profile["skills"]),
            home: home_of(&p.profile),
            hours: if absent.contains(&p.id) {
                None
            } else {
                working_hours(&p.profile, day)
            },
            row: p,
        })
        .collect();
    let mut q = helper_visit::Entity::find()
        .filter(helper_visit::Column::MunicipalityId.eq(municipality))
        .filter(helper_visit::Column::Day.eq(day))
        .filter(helper_visit::Column::Status.eq("approved"))
        .order_by_asc(helper_visit::Column::WindowStartMin)
        .order_by_asc(helper_visit::Column::Id);
    if opts.lock && conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let visits = q.all(conn).await?;
    let visit_ids: Vec<Uuid> = visits.iter().map(|v| v.id).collect();
    let declines = helper_visit_decline::Entity::find()
        .filter(helper_visit_decline::Column::VisitId.is_in(visit_ids))
        .all(conn)
        .await?;
    // Continuity: the helper who last served each family before this day.
    let households: Vec<Uuid> = visits.iter().map(|v| v.household_id).collect();
    let earlier = helper_visit::Entity::find()
        .filter(helper_visit::Column::HouseholdId.is_in(households))
        .filter(helper_visit::Column::Day.lt(day))
        .filter(helper_visit::Column::AssignmentStatus.eq("accepted"))
        .order_by_desc(helper_visit::Column::Day)
        .all(conn)
        .await?;
    let mut served_before: HashMap<Uuid, Uuid> = HashMap::new();
    for v in earlier {
        if let Some(h) = v.assigned_provider_id {
            served_before.entry(v.household_id).or_insert(h);
        }
    }
    let problem = build(
        &helpers,
        &visits,
        &declines,
        &served_before,
        opts.speed_m_per_min,
    );
    Ok(Day {
        day,
        helpers,
        visits,
        problem,
    })
}

fn build(
    helpers: &[Helper],
    visits: &[helper_visit::Model],
    declines: &[helper_visit_decline::Model],
    served_before: &HashMap<Uuid, Uuid>,
    speed: f64,
) -> Problem {
    let index: HashMap<Uuid, usize> = helpers
        .iter()
        .enumerate()
        .map(|(k, h)| (h.row.id, k))
        .collect();
    // Skill names become bits; after them, one bit per visit with declines, which every
    // helper has except those who declined it (so "not to them again" is a skill rule).
    let mut bits: BTreeMap<String, u32> = BTreeMap::new();
    for name in helpers
        .iter()
        .flat_map(|h| h.skills.iter().cloned())
        .chain(visits.iter().flat_map(|v| skills_of(&v.required_skills)))
    {
        let next = bits.len() as u32;
        bits.entry(name).or_insert(next);
    }
    let mask = |names: &[String]| -> Skills {
        // A skill no helper has still needs a bit nobody covers: the last one.
        Skills(
            names
                .iter()
                .map(|n| 1u64 << bits.get(n).copied().unwrap_or(63).min(63))
                .fold(0, |a, b| a | b),
        )
    };
    let mut helper_skills: Vec<Skills> = helpers.iter().map(|h| mask(&h.skills)).collect();
    let mut visit_extra: Vec<u64> = vec![0; visits.len()];
    let mut next_bit = bits.len() as u32;
    for (i, v) in visits.iter().enumerate() {
        let who: Vec<Uuid> = declines
            .iter()
            .filter(|d| d.visit_id == v.id)
            .map(|d| d.provider_id)
            .collect();
        if who.is_empty() {
            continue;
        }
        if next_bit >= 63 {
            tracing::warn!(visit = %v.id, "too many declines to model; ignored");
            continue;
        }
        visit_extra[i] = 1 << next_bit;
        for (k, h) in helpers.iter().enumerate() {
            if !who.contains(&h.row.id) {
                helper_skills[k].0 |= 1 << next_bit;
            }
        }
        next_bit += 1;
    }
    let lat0 = helpers
        .iter()
        .filter_map(|h| h.home.map(|p| p.0))
        .chain(visits.iter().map(|v| v.lat))
        .next()
        .unwrap_or(35.78);
    let vehicles = helpers
        .iter()
        .enumerate()
        .map(|(k, h)| {
            let home = h
                .home
                .map(|(lat, lon)| project(lat, lon, lat0))
                // No home base on file: start at the first visit's neighbourhood.
                .or_else(|| visits.first().map(|v| project(v.lat, v.lon, lat0)))
                .unwrap_or(Point::new(0.0, 0.0));
            let (s, e) = h.hours.unwrap_or((0, 0));
            Vehicle {
                start: home,
                end: home,
                shift_start: f64::from(s),
                shift_end: f64::from(e),
                capacity: 0,
                skills: helper_skills[k],
                available: h.hours.is_some(),
            }
        })
        .collect();
    let visits = visits
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let assigned = v.assigned_provider_id.and_then(|p| index.get(&p).copied());
            let fixed = v.pinned || v.assignment_status == "accepted";
            Visit {
                location: project(v.lat, v.lon, lat0),
                ready: f64::from(v.window_start_min),
                due: f64::from(v.window_end_min),
                service: f64::from(v.duration_min),
                demand: 0,
                required_skills: Skills(mask(&skills_of(&v.required_skills)).0 | visit_extra[i]),
                preferred_vehicle: v
                    .preferred_provider_id
                    .or_else(|| served_before.get(&v.household_id).copied())
                    .and_then(|p| index.get(&p).copied()),
                pinned_vehicle: if fixed { assigned } else { None },
            }
        })
        .collect();
    Problem {
        visits,
        vehicles,
        speed,
        objective: Objective {
            minimise_vehicles: false,
            // A different helper than the family knows costs as much as 2 km of travel.
            continuity_penalty: 2_000.0,
            // Spreads work: two 4-hour days beat one 8-hour day by about 1 km.
            fairness_weight: 0.01,
        },
    }
}

impl Day {
    /// The plan as stored: each helper's assigned visits in planned order.
    pub fn stored_plan(&self) -> Plan {
        let mut routes: Vec<Vec<usize>> = vec![vec![]; self.helpers.len()];
        let mut unassigned = vec![];
        let mut order: Vec<usize> = (0..self.visits.len()).collect();
        order.sort_by_key(|&i| {
            let v = &self.visits[i];
            (v.planned_start_min.unwrap_or(v.window_start_min), i)
        });
        for i in order {
            let v = &self.visits[i];
            match v
                .assigned_provider_id
                .and_then(|p| self.helpers.iter().position(|h| h.row.id == p))
            {
                Some(k) => routes[k].push(i),
                None => unassigned.push(i),
            }
        }
        Plan { routes, unassigned }
    }

    pub fn helper_index(&self, id: Uuid) -> Option<usize> {
        self.helpers.iter().position(|h| h.row.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn weekly_rule_gives_hours_on_its_days_only() {
        let p = json!({"availability": ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9"],
                       "hours": {"from": "09:00", "to": "17:00"}});
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(working_hours(&p, monday), Some((540, 1020)));
        assert_eq!(working_hours(&p, sunday), None);
        assert_eq!(working_hours(&json!({}), sunday), Some(DEFAULT_HOURS));
    }
}
