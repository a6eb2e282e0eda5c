//! Family Support activity reports (活動報告): after each activity the provider
//! reports what actually happened, the requester confirms it, and the center reads
//! a monthly summary per pair. Reports are due around the 10th of the month after
//! the activity; the due day is a rule, so it is a parameter here.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::Text;

/// The day of the following month by which reports are due, as in the seed.
pub const DEFAULT_DUE_DAY: u32 = 10;

/// The latest an activity may run past its booked end (a late pick-up) or start
/// before it, and still be reported as that activity.
pub const SLACK: Duration = Duration::hours(3);

/// The longest activity a report may describe (an overnight stay included).
pub const LONGEST: Duration = Duration::hours(24);

/// When the report of an activity held on `activity_day` (local) is due: the
/// `due_day`th of the next month (clamped to the month's length).
pub fn due_date(activity_day: NaiveDate, due_day: u32) -> NaiveDate {
    let (y, m) = if activity_day.month() == 12 {
        (activity_day.year() + 1, 1)
    } else {
        (activity_day.year(), activity_day.month() + 1)
    };
    let day = due_day.clamp(1, 28);
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(activity_day)
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Not filed yet.
    Missing,
    /// Filed by the provider, waiting for the requester.
    Filed,
    /// Confirmed by the requester.
    Confirmed,
}

/// Is the report of an activity on `activity_day` late? A report filed after the
/// due date was late; a missing one is late once the due date has passed.
pub fn is_late(
    activity_day: NaiveDate,
    filed_on: Option<NaiveDate>,
    today: NaiveDate,
    due_day: u32,
) -> bool {
    let due = due_date(activity_day, due_day);
    match filed_on {
        Some(d) => d > due,
        None => today > due,
    }
}

/// Why the reported times cannot stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimesProblem {
    pub field: &'static str,
    pub code: &'static str,
    pub message: Text,
}

/// Checks the reported local times against the booked ones and the clock:
/// the end after the start, not in the future, not longer than [`LONGEST`], and
/// within [`SLACK`] of what was booked.
pub fn check_times(
    booked: (NaiveDateTime, NaiveDateTime),
    reported: (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> Result<(), TimesProblem> {
    let (start, end) = reported;
    if end <= start {
        return Err(TimesProblem {
            field: "end",
            code: "end_before_start",
            message: Text::new(
                "終了時刻は開始時刻より後にしてください",
                "The end must be after the start",
            ),
        });
    }
    if end > now {
        return Err(TimesProblem {
            field: "end",
            code: "in_future",
            message: Text::new(
                "まだ終わっていない活動は報告できません",
                "An activity can be reported once it has ended",
            ),
        });
    }
    if end - start > LONGEST {
        return Err(TimesProblem {
            field: "end",
            code: "too_long",
            message: Text::new(
                "1回の活動は24時間までです",
                "One activity lasts at most 24 hours",
            ),
        });
    }
    if start < booked.0 - SLACK || end > booked.1 + SLACK {
        return Err(TimesProblem {
            field: "start",
            code: "not_this_activity",
            message: Text::new(
                "予約した時間から3時間以上ずれています。別の活動はセンターにご相談ください",
                "More than 3 hours away from the booked time; ask the center about a different activity",
            ),
        });
    }
    Ok(())
}

/// One activity of a pair in a month, as the summary counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLine {
    pub activity_day: NaiveDate,
    pub state: ReportState,
    pub filed_on: Option<NaiveDate>,
    /// Reported minutes (0 while missing).
    pub minutes: i64,
    /// Fee of the report (0 while missing).
    pub fee_yen: i64,
}

/// A pair's month at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthSummary {
    pub activities: u32,
    pub filed: u32,
    pub confirmed: u32,
    pub missing: u32,
    pub late: u32,
    pub minutes: i64,
    pub fee_yen: i64,
}

/// Adds up a pair's activities of one month.
pub fn summarise(lines: &[ReportLine], today: NaiveDate, due_day: u32) -> MonthSummary {
    let mut s = MonthSummary::default();
    for l in lines {
        s.activities += 1;
        match l.state {
            ReportState::Missing => s.missing += 1,
            ReportState::Filed => s.filed += 1,
            ReportState::Confirmed => {
                s.filed += 1;
                s.confirmed += 1;
            }
        }
        if is_late(l.activity_day, l.filed_on, today, due_day) {
            s.late += 1;
        }
        s.minutes += l.minutes;
        s.fee_yen += l.fee_yen;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn t(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
        day.and_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn due_on_the_tenth_of_the_next_month_across_the_year_end() {
        assert_eq!(due_date(d(2026, 11, 3), 10), d(2026, 12, 10));
        assert_eq!(due_date(d(2026, 11, 30), 10), d(2026, 12, 10));
        assert_eq!(due_date(d(2026, 12, 28), 10), d(2027, 1, 10));
        assert_eq!(due_date(d(2027, 1, 31), 31), d(2027, 2, 28));
    }

    #[test]
    fn late_when_filed_after_the_due_day_or_still_missing_after_it() {
        let day = d(2026, 11, 5);
        assert!(!is_late(day, Some(d(2026, 12, 10)), d(2027, 1, 1), 10));
        assert!(is_late(day, Some(d(2026, 12, 11)), d(2026, 12, 11), 10));
        assert!(!is_late(day, None, d(2026, 12, 10), 10));
        assert!(is_late(day, None, d(2026, 12, 11), 10));
    }

    #[test]
    fn reported_times_must_be_past_ordered_bounded_and_near_the_booking() {
        let day = d(2026, 11, 10);
        let booked = (t(day, 17, 0), t(day, 19, 0));
        let now = t(d(2026, 11, 11), 9, 0);
        assert!(check_times(booked, (t(day, 17, 5), t(day, 19, 40)), now).is_ok());
        let code = |r: (NaiveDateTime, NaiveDateTime), now| {
            check_times(booked, r, now).err().map(|p| p.code)
        };
        assert_eq!(
            code((t(day, 19, 0), t(day, 17, 0)), now),
            Some("end_before_start")
        );
        assert_eq!(
            code((t(day, 17, 0), t(day, 19, 0)), t(day, 18, 0)),
            Some("in_future")
        );
        assert_eq!(
            code((t(day, 8, 0), t(day, 10, 0)), now),
            Some("not_this_activity")
        );
        assert_eq!(
            code((t(d(2026, 11, 9), 16, 0), t(day, 19, 0)), now),
            Some("too_long")
        );
    }

    #[test]
    fn a_month_adds_up_states_minutes_fees_and_lateness() {
        let today = d(2026, 12, 15);
        let line = |day, state, filed_on, minutes, fee_yen| ReportLine {
            activity_day: day,
            state,
            filed_on,
            minutes,
            fee_yen,
        };
        let s = summarise(
            &[
                line(
                    d(2026, 11, 3),
                    ReportState::Confirmed,
                    Some(d(2026, 11, 4)),
                    120,
                    1400,
                ),
                line(
                    d(2026, 11, 5),
                    ReportState::Filed,
                    Some(d(2026, 12, 12)),
                    90,
                    1050,
                ),
                line(d(2026, 11, 10), ReportState::Missing, None, 0, 0),
            ],
            today,
            10,
        );
        assert_eq!(
            s,
            MonthSummary {
                activities: 3,
                filed: 2,
                confirmed: 1,
                missing: 1,
                late: 2,
                minutes: 210,
                fee_yen: 2450,
            }
        );
    }
}
