//! When one resource (a room, a facility's beds, a helper, a visitor) can be booked.
//!
//! Open time = (recurring windows ∪ one-off extra windows) − exceptions (leave, one-off
//! closed hours) − closed date ranges (年末年始 and other site closures) − national
//! holidays when the resource closes on them. Closures win over extra windows on purpose:
//! a closed site is closed, whatever else was planned.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::interval::{DateRange, Interval, IntervalSet, local_date};
use super::recurrence::{ExpansionLimits, RecurrenceError, RecurringWindow};

/// The availability of one resource, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Regular opening hours or a person's regular availability.
    #[serde(default)]
    pub recurring: Vec<RecurringWindow>,
    /// One-off extra windows (an extra Saturday session, a helper's extra day).
    #[serde(default)]
    pub extra: Vec<Interval>,
    /// One-off unavailable times: leave, training, a room used for something else.
    #[serde(default)]
    pub exceptions: Vec<Interval>,
    /// Whole local days closed: site closures, a person's holidays.
    #[serde(default)]
    pub closed: Vec<DateRange>,
    /// Closed on national holidays (the predicate comes from the calendar).
    #[serde(default)]
    pub closed_on_holidays: bool,
}

impl Availability {
    /// The open time inside `range`, sorted and merged.
    pub fn windows(
        &self,
        range: Interval,
        is_holiday: &dyn Fn(NaiveDate) -> bool,
        limits: ExpansionLimits,
    ) -> Result<IntervalSet, RecurrenceError> {
        let mut open = Vec::new();
        for w in &self.recurring {
            open.extend(w.occurrences(range, limits)?);
        }
        open.extend(self.extra.iter().copied());
        let open = IntervalSet::from_intervals(open).clip(range);
        Ok(open.subtract(&self.closed_in(range, is_holiday)))
    }

    /// Everything that closes the resource inside `range` (exceptions, closed days,
    /// holidays when they apply).
    pub fn closed_in(
        &self,
        range: Interval,
        is_holiday: &dyn Fn(NaiveDate) -> bool,
    ) -> IntervalSet {
        let mut shut: Vec<Interval> = self.exceptions.clone();
        shut.extend(self.closed.iter().map(DateRange::to_interval));
        if self.closed_on_holidays {
            let first = local_date(range.start());
            let last = local_date(range.end());
            shut.extend(
                first
                    .iter_days()
                    .take_while(|d| *d <= last)
                    .filter(|d| is_holiday(*d))
                    .map(Interval::local_day),
            );
        }
        IntervalSet::from_intervals(shut)
    }

    /// Whether the resource is closed for any part of the local day `date` by a closure,
    /// or for the holiday (for showing "closed" rather than "full").
    pub fn is_closed_day(&self, date: NaiveDate, is_holiday: &dyn Fn(NaiveDate) -> bool) -> bool {
        self.closed.iter().any(|r| r.contains(date))
            || (self.closed_on_holidays && is_holiday(date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::interval::{local_midnight, local_to_utc};
    use chrono::NaiveDateTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }
    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, 0, 0).expect("time")
    }

    fn weekday_site() -> Availability {
        Availability {
            recurring: vec![
                RecurringWindow::parse(
                    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA",
                    at(2026, 4, 1, 9),
                    480,
                )
                .expect("rule"),
            ],
            closed: vec![DateRange::new(date(2026, 12, 29), date(2027, 1, 3)).expect("range")],
            closed_on_holidays: true,
            ..Availability::default()
        }
    }

    #[test]
    fn new_year_closure_and_holidays_are_removed() {
        let site = weekday_site();
        let range = Interval::new(
            local_midnight(date(2026, 12, 26)),
            local_midnight(date(2027, 1, 13)),
        )
        .expect("range");
        // 2027-01-11 is 成人の日 (second Monday of January).
        let holiday = |d: NaiveDate| d == date(2027, 1, 11);
        let open = site
            .windows(range, &holiday, ExpansionLimits::default())
            .expect("ok");
        let days: Vec<_> = open.iter().map(|i| i.local_start_date()).collect();
        assert_eq!(
            days,
            vec![
                date(2026, 12, 26),
                date(2026, 12, 28),
                date(2027, 1, 4),
                date(2027, 1, 5),
                date(2027, 1, 6),
                date(2027, 1, 7),
                date(2027, 1, 8),
                date(2027, 1, 9),
                date(2027, 1, 12),
            ]
        );
        assert!(site.is_closed_day(date(2027, 1, 1), &holiday));
        assert!(!site.is_closed_day(date(2027, 1, 4), &holiday));
    }

    #[test]
    fn leave_cuts_a_hole_and_extra_adds_time() {
        let mut site = weekday_site();
        site.exceptions
            .push(Interval::from_local(at(2026, 6, 1, 12), at(2026, 6, 1, 13)).expect("iv"));
        // An extra Sunday morning.
        site.extra
            .push(Interval::from_local(at(2026, 6, 7, 9), at(2026, 6, 7, 12)).expect("iv"));
        let range = Interval::new(
            local_midnight(date(2026, 6, 1)),
            local_midnight(date(2026, 6, 8)),
        )
        .expect("range");
        let open = site
            .windows(range, &|_| false, ExpansionLimits::default())
            .expect("ok");
        assert_eq!(open.len(), 8);
        assert_eq!(open.as_slice()[0].end(), local_to_utc(at(2026, 6, 1, 12)));
        assert_eq!(open.as_slice()[1].start(), local_to_utc(at(2026, 6, 1, 13)));
        assert_eq!(open.as_slice()[7].local_start_date(), date(2026, 6, 7));
    }
}
