//! Staff on duty over time, from RRULE-based shifts (temporary care rosters).
//!
//! The result is a step function kept as change points, so capacity checks sweep over
//! the few moments something changes instead of every minute.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::interval::{Instant, Interval};
use super::recurrence::{ExpansionLimits, RecurrenceError, RecurringWindow};

/// One recurring shift: `staff` people on duty during each occurrence of `window`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub window: RecurringWindow,
    pub staff: u32,
}

/// A roster: overlapping shifts add up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub shifts: Vec<Shift>,
    /// One-off extra staff (a volunteer on a busy day), as (time, count).
    #[serde(default)]
    pub extra: Vec<(Interval, u32)>,
    /// Days nobody works (closures); the server passes the site's closures here too.
    #[serde(default)]
    pub off_days: Vec<NaiveDate>,
}

/// A step function of time → staff count. Zero before the first and after the last point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StaffLevels {
    /// `(from, count)`, strictly increasing in time, no two neighbours with equal counts.
    points: Vec<(Instant, u32)>,
}

impl StaffLevels {
    /// Builds the step function from `(interval, count)` pieces that may overlap.
    pub fn from_pieces(pieces: impl IntoIterator<Item = (Interval, u32)>) -> Self {
        let mut events: Vec<(Instant, i64)> = Vec::new();
        for (iv, n) in pieces {
            if n > 0 {
                events.push((iv.start(), i64::from(n)));
                events.push((iv.end(), -i64::from(n)));
            }
        }
        events.sort_unstable();
        let mut points: Vec<(Instant, u32)> = Vec::new();
        let mut level: i64 = 0;
        let mut i = 0;
        while i < events.len() {
            let t = events[i].0;
            while i < events.len() && events[i].0 == t {
                level += events[i].1;
                i += 1;
            }
            let count = u32::try_from(level.max(0)).unwrap_or(u32::MAX);
            let same =
                points.last().is_some_and(|p| p.1 == count) || (points.is_empty() && count == 0);
            if !same {
                points.push((t, count));
            }
        }
        StaffLevels { points }
    }

    /// A constant level over one interval (tests, simple sites).
    pub fn constant(iv: Interval, staff: u32) -> Self {
        StaffLevels::from_pieces([(iv, staff)])
    }

    /// Staff on duty at instant `t`.
    pub fn at(&self, t: Instant) -> u32 {
        let idx = self.points.partition_point(|p| p.0 <= t);
        if idx == 0 { 0 } else { self.points[idx - 1].1 }
    }

    /// The smallest staff count at any moment of `iv`.
    pub fn min_over(&self, iv: &Interval) -> u32 {
        let mut min = self.at(iv.start());
        let from = self.points.partition_point(|p| p.0 <= iv.start());
        for p in &self.points[from..] {
            if p.0 >= iv.end() {
                break;
            }
            min = min.min(p.1);
        }
        min
    }

    /// The instants strictly inside `iv` where the level changes.
    pub fn change_points_within<'a>(
        &'a self,
        iv: &'a Interval,
    ) -> impl Iterator<Item = Instant> + 'a {
        let from = self.points.partition_point(|p| p.0 <= iv.start());
        self.points[from..]
            .iter()
            .map(|p| p.0)
            .take_while(move |t| *t < iv.end())
    }

    pub fn points(&self) -> &[(Instant, u32)] {
        &self.points
    }
}

impl Roster {
    /// Staff on duty over `range`.
    pub fn on_duty(
        &self,
        range: Interval,
        limits: ExpansionLimits,
    ) -> Result<StaffLevels, RecurrenceError> {
        let mut pieces = Vec::new();
        for s in &self.shifts {
            for iv in s.window.occurrences(range, limits)? {
                if !self.off_days.contains(&iv.local_start_date()) {
                    pieces.push((iv, s.staff));
                }
            }
        }
        pieces.extend(
            self.extra
                .iter()
                .filter(|(iv, _)| iv.overlaps(&range))
                .copied(),
        );
        Ok(StaffLevels::from_pieces(pieces))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::interval::local_to_utc;
    use chrono::NaiveDateTime;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    #[test]
    fn overlapping_shifts_add_up_as_a_step_function() {
        let roster = Roster {
            shifts: vec![
                Shift {
                    window: RecurringWindow::parse("FREQ=DAILY", at(1, 9), 8 * 60).expect("rule"),
                    staff: 2,
                },
                Shift {
                    window: RecurringWindow::parse("FREQ=DAILY", at(1, 11), 3 * 60).expect("rule"),
                    staff: 1,
                },
            ],
            ..Roster::default()
        };
        let range = Interval::from_local(at(2, 0), at(3, 0)).expect("range");
        let levels = roster
            .on_duty(range, ExpansionLimits::default())
            .expect("ok");
        let t = |h| local_to_utc(at(2, h));
        assert_eq!(levels.at(t(8)), 0);
        assert_eq!(levels.at(t(9)), 2);
        assert_eq!(levels.at(t(11)), 3);
        assert_eq!(levels.at(t(14)), 2);
        assert_eq!(levels.at(t(17)), 0);
        let morning = Interval::new(t(10), t(12)).expect("iv");
        assert_eq!(levels.min_over(&morning), 2);
        assert_eq!(
            levels.change_points_within(&morning).collect::<Vec<_>>(),
            vec![t(11)]
        );
    }
}
