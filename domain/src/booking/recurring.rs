//! Recurring bookings: expand a bounded RRULE to occurrences and say, for each one,
//! whether it fits *before* the family commits.
//!
//! Each occurrence is checked in order: booking window (if any), opening hours and
//! closures, capacity, quotas. Occurrences accepted earlier in the series count against
//! later ones (capacity and quotas), so the report is what committing would give.

use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};

use super::quota::{Quota, check_quotas};
use crate::Text;
use crate::availability::summary::WindowStatus;
use crate::availability::{
    BookingWindow, Instant, Interval, IntervalSet, RecurrenceError, RecurringWindow,
};
use crate::capacity::fmt::{span_en, span_ja};
use crate::capacity::{CapacityModel, Conflict, ConflictCode, Occupancy, Request};

/// A series has at most this many occurrences unless the service says otherwise.
pub const SERIES_CAP: usize = 200;

/// Expands a recurring booking (e.g. `FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T235959`,
/// first at 17:00 for 120 minutes). Rules without COUNT or UNTIL, and rules with more than
/// `cap` occurrences, are refused.
pub fn expand_series(
    rule: &str,
    dtstart: NaiveDateTime,
    minutes: u32,
    cap: usize,
) -> Result<Vec<Interval>, RecurrenceError> {
    RecurringWindow::parse(rule, dtstart, minutes)?.all_occurrences(cap)
}

/// Everything an occurrence is checked against.
pub struct SeriesContext<'a> {
    /// The resource's open time over the span of the series (closures, holidays applied).
    pub open: &'a IntervalSet,
    /// The booking window, if it applies to series (often it does not).
    pub window: Option<&'a BookingWindow>,
    pub model: &'a dyn CapacityModel,
    /// Place-holding occupancy of the resource.
    pub existing: &'a [Occupancy],
    /// The request (children, city, place); its interval is replaced per occurrence.
    pub template: &'a Request,
    pub quotas: &'a [Quota],
    /// The family's counted bookings of the service.
    pub family_bookings: &'a [Interval],
    pub now: Instant,
}

/// One occurrence and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceReport {
    pub interval: Interval,
    pub outcome: Result<(), Conflict>,
}

impl OccurrenceReport {
    pub fn fits(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// JSON: `{"start","end","fits":true}` or `{"start","end","fits":false,"conflict":{…}}`.
impl Serialize for OccurrenceReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            start: Instant,
            end: Instant,
            fits: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            conflict: Option<&'a Conflict>,
        }
        Repr {
            start: self.interval.start(),
            end: self.interval.end(),
            fits: self.outcome.is_ok(),
            conflict: self.outcome.as_ref().err(),
        }
        .serialize(s)
    }
}

/// Checks every occurrence; see the module docs for the order.
pub fn plan_series(occurrences: &[Interval], ctx: &SeriesContext<'_>) -> Vec<OccurrenceReport> {
    let mut existing: Vec<Occupancy> = ctx.existing.to_vec();
    let mut family: Vec<Interval> = ctx.family_bookings.to_vec();
    occurrences
        .iter()
        .map(|iv| {
            let request = ctx.template.at(*iv);
            let outcome = check_one(&request, ctx, &existing, &family);
            if outcome.is_ok() {
                existing.push(request);
                family.push(*iv);
            }
            OccurrenceReport {
                interval: *iv,
                outcome,
            }
        })
        .collect()
}

fn check_one(
    request: &Request,
    ctx: &SeriesContext<'_>,
    existing: &[Occupancy],
    family: &[Interval],
) -> Result<(), Conflict> {
    let iv = request.interval;
    match ctx.window {
        Some(w) => w.check(iv.start(), ctx.now)?,
        None => {
            if !matches!(
                BookingWindow::until_start().status(iv.start(), ctx.now),
                WindowStatus::Open
            ) {
                return Err(Conflict::new(
                    ConflictCode::BookingWindow,
                    Text::new(
                        "過去の日時は予約できません",
                        "This occurrence is in the past",
                    ),
                )
                .during(iv));
            }
        }
    }
    if !ctx.open.covers(&iv) {
        return Err(Conflict::new(
            ConflictCode::Closed,
            Text::new(
                format!("{} は休業日または受付時間外です", span_ja(&iv)),
                format!(
                    "{} is outside opening hours or on a closed day",
                    span_en(&iv)
                ),
            ),
        )
        .during(iv));
    }
    ctx.model.fits(existing, request, ctx.now)?;
    check_quotas(ctx.quotas, family, &iv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{Availability, ExpansionLimits, local_to_utc};
    use crate::booking::quota::{Period, QuotaUnit};
    use crate::capacity::OnePerson;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    #[test]
    fn tuesdays_and_thursdays_until_march_with_closures_busy_days_and_quota() {
        let occ = expand_series(
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T235959",
            at(2026, 12, 1, 17),
            120,
            SERIES_CAP,
        )
        .expect("bounded");
        assert_eq!(occ.len(), 35);
        let provider = Availability {
            recurring: vec![
                RecurringWindow::parse("FREQ=DAILY", at(2026, 4, 1, 7), 15 * 60).expect("rule"),
            ],
            closed: vec![
                crate::availability::DateRange::new(
                    NaiveDate::from_ymd_opt(2026, 12, 29).expect("d"),
                    NaiveDate::from_ymd_opt(2027, 1, 3).expect("d"),
                )
                .expect("range"),
            ],
            ..Availability::default()
        };
        let span = Interval::from_local(at(2026, 12, 1, 0), at(2027, 4, 1, 0)).expect("span");
        let open = provider
            .windows(span, &|_| false, ExpansionLimits::default())
            .expect("open");
        let busy = [Occupancy::new(
            Interval::from_local(at(2026, 12, 8, 16), at(2026, 12, 8, 17)).expect("iv"),
        )];
        let quotas = [Quota {
            period: Period::Month,
            unit: QuotaUnit::Bookings,
            max: 8,
        }];
        let model = OnePerson::new(30);
        let template = Occupancy::new(span);
        let ctx = SeriesContext {
            open: &open,
            window: None,
            model: &model,
            existing: &busy,
            template: &template,
            quotas: &quotas,
            family_bookings: &[],
            now: local_to_utc(at(2026, 11, 20, 12)),
        };
        let report = plan_series(&occ, &ctx);
        let refused: Vec<_> = report
            .iter()
            .filter_map(|r| {
                r.outcome
                    .as_ref()
                    .err()
                    .map(|c| (r.interval.local_start_date(), c.code))
            })
            .collect();
        let d =
            |m, day| NaiveDate::from_ymd_opt(if m < 4 { 2027 } else { 2026 }, m, day).expect("d");
        assert_eq!(
            refused,
            vec![
                (d(12, 8), ConflictCode::TravelBuffer), // 16:00–17:00 elsewhere, 30 min buffer
                (d(12, 29), ConflictCode::Closed),      // 年末年始
                (d(12, 31), ConflictCode::Closed),
                (d(3, 30), ConflictCode::Quota), // 9th in March (5 Tue + 4 Thu)
            ]
        );
        let json = serde_json::to_value(&report[2]).expect("json");
        assert_eq!(json["fits"], false);
        assert_eq!(json["conflict"]["code"], "travel_buffer");
    }

    #[test]
    fn unbounded_series_is_refused() {
        assert_eq!(
            expand_series("FREQ=WEEKLY;BYDAY=TU", at(2026, 12, 1, 17), 120, SERIES_CAP),
            Err(RecurrenceError::Unbounded)
        );
        assert!(matches!(
            expand_series(
                "FREQ=DAILY;UNTIL=20301231",
                at(2026, 12, 1, 17),
                120,
                SERIES_CAP
            ),
            Err(RecurrenceError::TooManyOccurrences { limit: 200 })
        ));
    }
}
