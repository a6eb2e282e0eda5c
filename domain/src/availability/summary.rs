//! The month calendar the booking widget shows: per day ○ free / △ few left / × full or
//! closed, with the bookable start times (hourly services) or the night (stays) and what
//! remains of each.
//!
//! A slot is shown only if the resource is open for all of it and it is inside the
//! booking window *now* ("requests open on the 15th of the previous month at 00:00 and
//! close the day before at 17:00"). Remaining places come from the capacity model, in one
//! pass over the month.

use std::num::NonZeroU32;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::interval::{
    DateRange, Instant, Interval, IntervalSet, JST, local_date, local_midnight, local_to_utc,
};
use crate::Text;
use crate::capacity::{CapacityModel, Conflict, ConflictCode, Occupancy};

/// When requests for a slot open, relative to the slot's local start date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Opens {
    /// No horizon.
    Always,
    /// On `day` of the month `months_before` the slot's month, at `at` (e.g. the 15th of
    /// the previous month at 00:00). A day past the month's end means its last day.
    DayOfMonthBefore {
        months_before: u32,
        day: u32,
        at: NaiveTime,
    },
    /// `days` before the slot's date at `at` (a rolling horizon, e.g. 90 days).
    DaysBefore { days: u32, at: NaiveTime },
}

/// When requests for a slot close (the lead time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Closes {
    /// `days` before the slot's date at `at` (e.g. the day before at 17:00).
    DaysBefore { days: u32, at: NaiveTime },
    /// `minutes` before the slot starts (0 = until it starts).
    MinutesBefore { minutes: u32 },
}

/// The booking window of a service: mirrors issue 3's lead time and horizon rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingWindow {
    pub opens: Opens,
    pub closes: Closes,
}

/// The service rules' window (issue 3). The deadline is exclusive here: a window that
/// "closes the day before at 17:00" refuses a request made at 17:00:00.
impl From<crate::rules::BookingWindow> for BookingWindow {
    fn from(w: crate::rules::BookingWindow) -> Self {
        BookingWindow {
            opens: match w.opens {
                crate::rules::Opens::DayOfPreviousMonth { day, at } => Opens::DayOfMonthBefore {
                    months_before: 1,
                    day,
                    at,
                },
                crate::rules::Opens::DaysBefore { days, at } => Opens::DaysBefore { days, at },
            },
            closes: Closes::DaysBefore {
                days: w.closes.days_before,
                at: w.closes.at,
            },
        }
    }
}

/// Where `now` stands relative to one slot's booking window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStatus {
    NotYetOpen { opens_at: Instant },
    Open,
    Closed { closed_at: Instant },
}

fn days_in_month(first: NaiveDate) -> u32 {
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .map_or(28, |d| d.day())
}

impl BookingWindow {
    /// Temporary care in Kiyose *(typical)*: opens the 15th of the previous month at
    /// 00:00, closes the day before at 17:00.
    pub fn monthly_from_15th_until_day_before_17() -> Self {
        BookingWindow {
            opens: Opens::DayOfMonthBefore {
                months_before: 1,
                day: 15,
                at: NaiveTime::MIN,
            },
            closes: Closes::DaysBefore {
                days: 1,
                at: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
            },
        }
    }

    /// No horizon; open until the slot starts (used to refuse only the past).
    pub fn until_start() -> Self {
        BookingWindow {
            opens: Opens::Always,
            closes: Closes::MinutesBefore { minutes: 0 },
        }
    }

    /// `None` when there is no horizon.
    pub fn opens_at(&self, start: Instant) -> Option<Instant> {
        let date = local_date(start);
        match self.opens {
            Opens::Always => None,
            Opens::DayOfMonthBefore {
                months_before,
                day,
                at,
            } => {
                let first = date
                    .with_day(1)?
                    .checked_sub_months(Months::new(months_before))?;
                let d = day.clamp(1, days_in_month(first));
                Some(local_to_utc(first.with_day(d)?.and_time(at)))
            }
            Opens::DaysBefore { days, at } => {
                let d = date.checked_sub_signed(Duration::days(i64::from(days)))?;
                Some(local_to_utc(d.and_time(at)))
            }
        }
    }

    /// The deadline; never after the start itself, so a slot in the past is never open.
    pub fn closes_at(&self, start: Instant) -> Instant {
        let deadline = match self.closes {
            Closes::DaysBefore { days, at } => local_date(start)
                .checked_sub_signed(Duration::days(i64::from(days)))
                .map_or(start, |d| local_to_utc(d.and_time(at))),
            Closes::MinutesBefore { minutes } => start - Duration::minutes(i64::from(minutes)),
        };
        deadline.min(start)
    }

    /// Open means `opens_at <= now < closes_at`: at 17:00:00 the day before it is closed.
    pub fn status(&self, start: Instant, now: Instant) -> WindowStatus {
        let closed_at = self.closes_at(start);
        if now >= closed_at {
            return WindowStatus::Closed { closed_at };
        }
        match self.opens_at(start) {
            Some(opens_at) if now < opens_at => WindowStatus::NotYetOpen { opens_at },
            _ => WindowStatus::Open,
        }
    }

    /// The same as [`status`](Self::status), as a conflict for booking requests.
    pub fn check(&self, start: Instant, now: Instant) -> Result<(), Conflict> {
        let at = |t: Instant| t.with_timezone(&JST).format("%Y-%m-%d %H:%M").to_string();
        match self.status(start, now) {
            WindowStatus::Open => Ok(()),
            WindowStatus::NotYetOpen { opens_at } => Err(Conflict::new(
                ConflictCode::BookingWindow,
                Text::new(
                    format!("この日の受付は {} から始まります", at(opens_at)),
                    format!("Requests for this day open at {}", at(opens_at)),
                ),
            )),
            WindowStatus::Closed { closed_at } => Err(Conflict::new(
                ConflictCode::BookingWindow,
                Text::new(
                    format!("この日の受付は {} に締め切りました", at(closed_at)),
                    format!("Requests for this day closed at {}", at(closed_at)),
                ),
            )),
        }
    }
}

/// How a service's day is cut into bookable slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlotPattern {
    /// A start every `step_minutes` from local midnight, each lasting `length_minutes`
    /// (hourly services: step 60, length 60 or the requested length).
    Starts {
        step_minutes: NonZeroU32,
        length_minutes: NonZeroU32,
    },
    /// One night per day: `check_in` on the day to `check_out` the next day.
    Nights {
        check_in: NaiveTime,
        check_out: NaiveTime,
    },
}

/// What the summary needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryConfig {
    pub window: BookingWindow,
    pub pattern: SlotPattern,
    /// A day with at most this many places left (and more than 0) is △.
    pub few_threshold: u32,
}

/// ○ / △ / × for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Free,
    Few,
    Full,
    Closed,
}

impl Mark {
    /// The symbol Japanese calendars use.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Free => "○",
            Mark::Few => "△",
            Mark::Full | Mark::Closed => "×",
        }
    }
}

/// Why a day shows no bookable slot although it may not be full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayReason {
    /// The resource is not open that day (closure, holiday, no opening hours).
    Closed,
    /// Requests for the day do not open yet (`opens_at` says when).
    NotYetOpen,
    /// The deadline has passed or the day is over.
    BookingClosed,
}

/// A bookable slot with its remaining places. Times are Japan time (`+09:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub remaining: u32,
}

/// One day of the month calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySummary {
    pub date: NaiveDate,
    pub mark: Mark,
    /// The most places left in any slot of the day.
    pub remaining: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<DayReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<DateTime<FixedOffset>>,
    pub slots: Vec<Slot>,
}

fn jst(t: Instant) -> DateTime<FixedOffset> {
    t.with_timezone(&JST).fixed_offset()
}

/// The slots of local day `date` that the resource is open for, whole.
fn open_slots(date: NaiveDate, open: &IntervalSet, pattern: SlotPattern, out: &mut Vec<Interval>) {
    match pattern {
        SlotPattern::Nights {
            check_in,
            check_out,
        } => {
            let (Some(next), start) = (date.succ_opt(), date.and_time(check_in)) else {
                return;
            };
            if let Ok(night) = Interval::from_local(start, next.and_time(check_out))
                && open.covers(&night)
            {
                out.push(night);
            }
        }
        SlotPattern::Starts {
            step_minutes,
            length_minutes,
        } => {
            let day = Interval::local_day(date);
            let step = Duration::minutes(i64::from(step_minutes.get()));
            let len = Duration::minutes(i64::from(length_minutes.get()));
            let from = open
                .as_slice()
                .partition_point(|iv| iv.end() <= day.start());
            for iv in open.as_slice()[from..]
                .iter()
                .take_while(|iv| iv.start() < day.end())
            {
                // First aligned start at or after the window opens.
                let since = (iv.start().max(day.start()) - day.start()).num_minutes();
                let k = since.div_euclid(step.num_minutes())
                    + i64::from(since.rem_euclid(step.num_minutes()) != 0);
                let mut t = day.start() + Duration::minutes(k * step.num_minutes());
                while t < day.end() && t + len <= iv.end() {
                    if let Ok(slot) = Interval::starting_at(t, len) {
                        out.push(slot);
                    }
                    t += step;
                }
            }
        }
    }
}

/// The month calendar for `days`.
///
/// - `open`: the resource's open time covering `days` (from
///   [`Availability::windows`](super::Availability::windows), holidays and closures applied;
///   for nights, one day more).
/// - `model`, `existing`: capacity and the place-holding bookings.
/// - `template`: the request being considered (children, municipality, location); its
///   interval is ignored. With no children, ratio models count an unknown child as a
///   newborn, so the calendar never promises too much.
pub fn month_summary(
    days: DateRange,
    open: &IntervalSet,
    model: &dyn CapacityModel,
    existing: &[Occupancy],
    template: &Occupancy,
    config: &SummaryConfig,
    now: Instant,
) -> Vec<DaySummary> {
    let mut out: Vec<DaySummary> = Vec::new();
    let mut slots: Vec<Interval> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    let mut candidates = Vec::new();
    for date in days.days() {
        candidates.clear();
        open_slots(date, open, config.pattern, &mut candidates);
        let mut day = DaySummary {
            date,
            mark: Mark::Closed,
            remaining: 0,
            reason: None,
            opens_at: None,
            slots: Vec::new(),
        };
        if candidates.is_empty() {
            day.reason = Some(DayReason::Closed);
        }
        let mut earliest_open: Option<Instant> = None;
        let mut any_bookable = false;
        for c in &candidates {
            match config.window.status(c.start(), now) {
                WindowStatus::Open => {
                    any_bookable = true;
                    slots.push(*c);
                    owner.push(out.len());
                }
                WindowStatus::NotYetOpen { opens_at } => {
                    earliest_open = Some(earliest_open.map_or(opens_at, |e| e.min(opens_at)));
                }
                WindowStatus::Closed { .. } => {}
            }
        }
        if !candidates.is_empty() && !any_bookable {
            day.reason = Some(if earliest_open.is_some() {
                DayReason::NotYetOpen
            } else {
                DayReason::BookingClosed
            });
            day.opens_at = earliest_open.map(jst);
        }
        out.push(day);
    }

    let remaining = model.remaining_per_slot(existing, template, &slots, now);
    for ((slot, n), &i) in slots.iter().zip(remaining).zip(&owner) {
        if let Some(day) = out.get_mut(i) {
            day.remaining = day.remaining.max(n);
            day.slots.push(Slot {
                start: jst(slot.start()),
                end: jst(slot.end()),
                remaining: n,
            });
        }
    }
    for day in &mut out {
        if day.slots.is_empty() {
            continue;
        }
        day.mark = match day.remaining {
            0 => Mark::Full,
            n if n <= config.few_threshold => Mark::Few,
            _ => Mark::Free,
        };
    }
    out
}

/// The UTC range [first day 00:00, day after last 00:00 + 1 day) to expand open windows
/// for a summary of `days` (one extra day so nights can check out).
pub fn summary_range(days: DateRange) -> Interval {
    let start = local_midnight(days.first());
    let end = local_midnight(days.last()) + Duration::days(2);
    Interval::new(start, end).unwrap_or_else(|_| Interval::local_day(days.first()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::StaffLevels;
    use crate::availability::{Availability, ExpansionLimits, RecurringWindow, local_to_utc};
    use crate::capacity::{BedsPerNight, StaffRatio};
    use chrono::NaiveDateTime;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, s).expect("time")
    }
    fn t(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Instant {
        local_to_utc(at(y, m, d, h, min, s))
    }
    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("non-zero")
    }

    #[test]
    fn lead_time_and_horizon_edges() {
        let w = BookingWindow::monthly_from_15th_until_day_before_17();
        let slot = t(2026, 12, 10, 10, 0, 0);
        let cases = [
            (
                t(2026, 11, 14, 23, 59, 59),
                false,
                "a second before the 15th of the previous month",
            ),
            (
                t(2026, 11, 15, 0, 0, 0),
                true,
                "the 15th of the previous month at 00:00",
            ),
            (t(2026, 12, 9, 16, 59, 59), true, "16:59:59 the day before"),
            (t(2026, 12, 9, 17, 0, 0), false, "17:00:00 the day before"),
            (t(2026, 12, 10, 11, 0, 0), false, "after the start"),
        ];
        for (now, open, why) in cases {
            assert_eq!(w.check(slot, now).is_ok(), open, "{why}");
        }
        // January's window opens on 15 December of the previous year.
        assert_eq!(
            w.opens_at(t(2027, 1, 5, 9, 0, 0)),
            Some(t(2026, 12, 15, 0, 0, 0))
        );
        // A day past a short month's end means its last day.
        let end_of_month = BookingWindow {
            opens: Opens::DayOfMonthBefore {
                months_before: 1,
                day: 31,
                at: NaiveTime::MIN,
            },
            closes: Closes::MinutesBefore { minutes: 120 },
        };
        assert_eq!(
            end_of_month.opens_at(t(2026, 3, 5, 9, 0, 0)),
            Some(t(2026, 2, 28, 0, 0, 0))
        );
        assert_eq!(
            end_of_month.closes_at(t(2026, 3, 5, 9, 0, 0)),
            t(2026, 3, 5, 7, 0, 0)
        );
    }

    fn required(_on: NaiveDate, births: &[NaiveDate]) -> u32 {
        // Everyone 6:1 for this test, at least 2 staff once a child is there.
        let n = u32::try_from(births.len()).unwrap_or(u32::MAX);
        if n == 0 { 0 } else { n.div_ceil(6).max(2) }
    }

    #[test]
    fn temporary_care_month_with_new_year_closure() {
        let site = Availability {
            recurring: vec![
                RecurringWindow::parse(
                    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA",
                    at(2026, 4, 1, 9, 0, 0),
                    8 * 60,
                )
                .expect("rule"),
            ],
            closed: vec![DateRange::new(date(2026, 12, 29), date(2027, 1, 3)).expect("range")],
            closed_on_holidays: true,
            ..Availability::default()
        };
        let days = DateRange::new(date(2026, 12, 21), date(2027, 1, 10)).expect("range");
        let holiday = |d: NaiveDate| d == date(2027, 1, 1);
        let open = site
            .windows(summary_range(days), &holiday, ExpansionLimits::default())
            .expect("open");
        // 2 staff all open hours → 12 children per slot.
        let staff = StaffLevels::from_pieces(open.iter().map(|iv| (*iv, 2)));
        let model = StaffRatio::new(staff, &required);
        let kid = date(2024, 1, 1);
        // 12 children on 12/22 all day: full. 8 on 12/23 10–11: 4 left at 10:00 → still ○ for the day.
        let mut existing = Vec::new();
        for _ in 0..12 {
            existing.push(
                Occupancy::new(
                    Interval::from_local(at(2026, 12, 22, 9, 0, 0), at(2026, 12, 22, 17, 0, 0))
                        .expect("iv"),
                )
                .with_children([kid]),
            );
        }
        for _ in 0..10 {
            existing.push(
                Occupancy::new(
                    Interval::from_local(at(2026, 12, 24, 9, 0, 0), at(2026, 12, 24, 17, 0, 0))
                        .expect("iv"),
                )
                .with_children([kid]),
            );
        }
        let config = SummaryConfig {
            window: BookingWindow::monthly_from_15th_until_day_before_17(),
            pattern: SlotPattern::Starts {
                step_minutes: nz(60),
                length_minutes: nz(60),
            },
            few_threshold: 3,
        };
        let template = Occupancy::new(Interval::local_day(date(2026, 12, 21))).with_children([kid]);
        let now = t(2026, 12, 20, 12, 0, 0);
        let summary = month_summary(days, &open, &model, &existing, &template, &config, now);
        let by_date = |d: NaiveDate| summary.iter().find(|s| s.date == d).expect("day");

        let mon = by_date(date(2026, 12, 21));
        assert_eq!(mon.mark, Mark::Free);
        assert_eq!(mon.slots.len(), 8);
        assert_eq!(mon.slots[0].start.to_rfc3339(), "2026-12-21T09:00:00+09:00");
        assert_eq!(mon.remaining, 12);
        assert_eq!(by_date(date(2026, 12, 22)).mark, Mark::Full);
        assert_eq!(by_date(date(2026, 12, 24)).mark, Mark::Few);
        assert_eq!(by_date(date(2026, 12, 24)).remaining, 2);
        assert_eq!(by_date(date(2026, 12, 27)).reason, Some(DayReason::Closed)); // Sunday
        for d in [date(2026, 12, 29), date(2027, 1, 1), date(2027, 1, 2)] {
            assert_eq!(by_date(d).mark, Mark::Closed);
            assert_eq!(by_date(d).reason, Some(DayReason::Closed));
        }
        // January opens on 12/15, so it is bookable already; 1/4 is a Monday.
        assert_eq!(by_date(date(2027, 1, 4)).mark, Mark::Free);
        // Asked on 12/14, January is not yet open and says when it opens.
        let early = month_summary(
            days,
            &open,
            &model,
            &existing,
            &template,
            &config,
            t(2026, 12, 14, 12, 0, 0),
        );
        let jan4 = early
            .iter()
            .find(|s| s.date == date(2027, 1, 4))
            .expect("day");
        assert_eq!(jan4.reason, Some(DayReason::NotYetOpen));
        assert_eq!(
            jan4.opens_at.map(|t| t.to_rfc3339()),
            Some("2026-12-15T00:00:00+09:00".into())
        );
        // Today (12/20 at noon): 12/21 is bookable until 12/20 17:00; 12/20 itself is past its deadline.
        let sun_before = summary
            .iter()
            .find(|s| s.date == date(2026, 12, 21))
            .expect("day");
        assert!(!sun_before.slots.is_empty());
        let json = serde_json::to_value(mon).expect("json");
        assert_eq!(json["mark"], "free");
        assert_eq!(json["slots"][0]["remaining"], 12);
    }

    #[test]
    fn short_stay_nights_skip_new_year() {
        let facility = Availability {
            recurring: vec![
                RecurringWindow::parse("FREQ=DAILY", at(2026, 4, 1, 0, 0, 0), 24 * 60)
                    .expect("rule"),
            ],
            closed: vec![DateRange::new(date(2026, 12, 29), date(2027, 1, 3)).expect("range")],
            ..Availability::default()
        };
        let days = DateRange::new(date(2026, 12, 26), date(2027, 1, 5)).expect("range");
        let open = facility
            .windows(summary_range(days), &|_| false, ExpansionLimits::default())
            .expect("open");
        let ten = NaiveTime::from_hms_opt(10, 0, 0).expect("time");
        let config = SummaryConfig {
            window: BookingWindow {
                opens: Opens::Always,
                closes: Closes::DaysBefore {
                    days: 1,
                    at: NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
                },
            },
            pattern: SlotPattern::Nights {
                check_in: ten,
                check_out: ten,
            },
            few_threshold: 1,
        };
        let beds = BedsPerNight::simple(2);
        let stay = Occupancy::new(
            Interval::from_local(at(2026, 12, 26, 10, 0, 0), at(2026, 12, 27, 10, 0, 0))
                .expect("iv"),
        );
        let summary = month_summary(
            days,
            &open,
            &beds,
            &[stay],
            &Occupancy::new(Interval::local_day(date(2026, 12, 26))),
            &config,
            t(2026, 12, 1, 0, 0, 0),
        );
        let marks: Vec<_> = summary.iter().map(|d| d.mark.symbol()).collect();
        // 12/26 one bed left (△), 12/27 ○, 12/28 × (checking out into the closure), 12/29–1/3 ×, 1/4 ○, 1/5 ○.
        assert_eq!(
            marks,
            vec!["△", "○", "×", "×", "×", "×", "×", "×", "×", "○", "○"]
        );
        assert_eq!(
            summary[0].slots[0].end.to_rfc3339(),
            "2026-12-27T10:00:00+09:00"
        );
    }
}
