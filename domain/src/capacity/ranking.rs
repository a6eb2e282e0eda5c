//! Who among many people is free for one request, best first.
//!
//! For each person: is the request inside their availability (their RRULE windows minus
//! leave and holidays), does it fit between their visits with the travel buffer, and if
//! so how good a fit it is — less travel from where they will be, then fewer visits that
//! day. The matching solvers take this as their feasibility and cost input.

use chrono::NaiveDate;
use serde::Serialize;

use super::fmt::{span_en, span_ja};
use super::one_person::{GeoPoint, OnePerson};
use super::{CapacityModel, Conflict, ConflictCode, Occupancy, Request};
use crate::Text;
use crate::availability::{Availability, ExpansionLimits, Instant, Interval};

/// What the ranking needs to know about one person.
#[derive(Debug, Clone)]
pub struct PersonSchedule<'a, Id> {
    pub id: Id,
    pub availability: &'a Availability,
    /// Their place-holding visits, any order.
    pub visits: &'a [Occupancy],
    /// Where they start the day, for travel to a first visit.
    pub home: Option<GeoPoint>,
}

/// How good a fit is; smaller is better in every field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FitScore {
    /// Travel from the previous place (visit or home) plus to the next visit.
    pub travel_minutes: u32,
    /// Visits already on the request's local day.
    pub visits_that_day: u32,
}

/// One person's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedPerson<Id> {
    pub id: Id,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Either a score or the reason they cannot take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fits(FitScore),
    Conflict(Conflict),
}

/// Ranks `people` for `request`: those who fit first, best score first (ties keep input
/// order), then those who do not, in input order, each with the reason.
pub fn rank_people<Id: Clone>(
    people: &[PersonSchedule<'_, Id>],
    request: &Request,
    model: &OnePerson,
    is_holiday: &dyn Fn(NaiveDate) -> bool,
    limits: ExpansionLimits,
    now: Instant,
) -> Vec<RankedPerson<Id>> {
    let day = Interval::local_day(request.interval.local_start_date());
    let mut ranked: Vec<(usize, RankedPerson<Id>)> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let outcome = match assess(p, request, model, day, is_holiday, limits, now) {
                Ok(score) => Outcome::Fits(score),
                Err(c) => Outcome::Conflict(c),
            };
            (
                i,
                RankedPerson {
                    id: p.id.clone(),
                    outcome,
                },
            )
        })
        .collect();
    ranked.sort_by(|(i, a), (j, b)| {
        let key = |o: &Outcome| match o {
            Outcome::Fits(s) => (0, Some(*s)),
            Outcome::Conflict(_) => (1, None),
        };
        key(&a.outcome).cmp(&key(&b.outcome)).then(i.cmp(j))
    });
    ranked.into_iter().map(|(_, r)| r).collect()
}

fn assess<Id>(
    p: &PersonSchedule<'_, Id>,
    request: &Request,
    model: &OnePerson,
    day: Interval,
    is_holiday: &dyn Fn(NaiveDate) -> bool,
    limits: ExpansionLimits,
    now: Instant,
) -> Result<FitScore, Conflict> {
    // Windows of the whole local day, so a request crossing a window edge is refused.
    let range = day.union_hull(&request.interval);
    let windows = p
        .availability
        .windows(range, is_holiday, limits)
        .map_err(|e| {
            Conflict::new(ConflictCode::ScheduleError, e.message()).during(request.interval)
        })?;
    if !windows.covers(&request.interval) {
        return Err(Conflict::new(
            ConflictCode::Closed,
            Text::new(
                format!(
                    "{} は活動できる時間ではありません",
                    span_ja(&request.interval)
                ),
                format!("Not available at {}", span_en(&request.interval)),
            ),
        )
        .during(request.interval));
    }
    model.fits(p.visits, request, now)?;

    let prev = p
        .visits
        .iter()
        .filter(|v| v.interval.end() <= request.interval.start())
        .max_by_key(|v| v.interval.end());
    let next = p
        .visits
        .iter()
        .filter(|v| v.interval.start() >= request.interval.end())
        .min_by_key(|v| v.interval.start());
    let minutes = |a: Option<&GeoPoint>, b: Option<&GeoPoint>| match (model.travel, a, b) {
        (Some(speed), Some(a), Some(b)) => speed.minutes(a, b),
        _ => 0,
    };
    let here = request.location.as_ref();
    let from = match prev {
        Some(v) if v.interval.local_start_date() == request.interval.local_start_date() => {
            v.location.as_ref()
        }
        _ => p.home.as_ref(),
    };
    let to = next
        .filter(|v| v.interval.local_start_date() == request.interval.local_start_date())
        .and_then(|v| v.location.as_ref());
    let visits_that_day = p
        .visits
        .iter()
        .filter(|v| v.interval.overlaps(&day))
        .count();
    Ok(FitScore {
        travel_minutes: minutes(from, here).saturating_add(minutes(here, to)),
        visits_that_day: u32::try_from(visits_that_day).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::RecurringWindow;
    use crate::capacity::one_person::TravelSpeed;
    use chrono::NaiveDateTime;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    #[test]
    fn free_and_near_people_rank_first() {
        let weekdays = Availability {
            recurring: vec![
                RecurringWindow::parse("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", at(1, 9), 480)
                    .expect("rule"),
            ],
            ..Availability::default()
        };
        let mornings = Availability {
            recurring: vec![RecurringWindow::parse("FREQ=DAILY", at(1, 9), 180).expect("rule")],
            ..Availability::default()
        };
        let near = GeoPoint::new(35.786, 139.527).expect("p");
        let far = GeoPoint::new(35.76, 139.45).expect("p");
        let request = Occupancy::new(Interval::from_local(at(10, 13), at(10, 15)).expect("iv"))
            .with_location(near);
        let busy = [Occupancy::new(
            Interval::from_local(at(10, 12), at(10, 14)).expect("iv"),
        )];
        let people = [
            PersonSchedule {
                id: "far",
                availability: &weekdays,
                visits: &[],
                home: Some(far),
            },
            PersonSchedule {
                id: "mornings",
                availability: &mornings,
                visits: &[],
                home: Some(near),
            },
            PersonSchedule {
                id: "busy",
                availability: &weekdays,
                visits: &busy,
                home: Some(near),
            },
            PersonSchedule {
                id: "near",
                availability: &weekdays,
                visits: &[],
                home: Some(near),
            },
        ];
        let model = OnePerson::new(15).with_travel(TravelSpeed::bicycle());
        let now = crate::availability::local_to_utc(at(1, 0));
        let ranked = rank_people(
            &people,
            &request,
            &model,
            &|_| false,
            ExpansionLimits::default(),
            now,
        );
        let ids: Vec<_> = ranked.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec!["near", "far", "mornings", "busy"]);
        assert!(
            matches!(&ranked[2].outcome, Outcome::Conflict(c) if c.code == ConflictCode::Closed)
        );
        assert!(
            matches!(&ranked[3].outcome, Outcome::Conflict(c) if c.code == ConflictCode::PersonBusy)
        );
    }
}
