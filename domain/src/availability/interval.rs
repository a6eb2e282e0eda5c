//! Half-open time intervals `[start, end)` in UTC, and sorted disjoint sets of them.
//!
//! Every availability and capacity computation is interval arithmetic. Instants are
//! UTC (as stored); local (Asia/Tokyo) dates only appear at the edges, through the
//! helpers at the bottom of this file.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// An instant, always UTC.
pub type Instant = DateTime<Utc>;

/// The time zone every rule is evaluated in.
pub const JST: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

/// A non-empty half-open interval `[start, end)`. A value that exists has `start < end`,
/// so no caller ever has to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawInterval")]
pub struct Interval {
    start: Instant,
    end: Instant,
}

#[derive(Deserialize)]
struct RawInterval {
    start: Instant,
    end: Instant,
}

impl TryFrom<RawInterval> for Interval {
    type Error = EmptyInterval;
    fn try_from(raw: RawInterval) -> Result<Self, Self::Error> {
        Interval::new(raw.start, raw.end)
    }
}

/// The end was not after the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interval end {end} is not after its start {start}")]
pub struct EmptyInterval {
    pub start: Instant,
    pub end: Instant,
}

impl Interval {
    pub fn new(start: Instant, end: Instant) -> Result<Self, EmptyInterval> {
        if start < end {
            Ok(Interval { start, end })
        } else {
            Err(EmptyInterval { start, end })
        }
    }

    /// `start` plus a positive length.
    pub fn starting_at(start: Instant, length: Duration) -> Result<Self, EmptyInterval> {
        Interval::new(start, start + length)
    }

    /// From a local (JST) start and end.
    pub fn from_local(start: NaiveDateTime, end: NaiveDateTime) -> Result<Self, EmptyInterval> {
        Interval::new(local_to_utc(start), local_to_utc(end))
    }

    /// The whole local day `date` 00:00 to the next day 00:00 JST.
    pub fn local_day(date: NaiveDate) -> Self {
        let start = local_to_utc(date.and_time(NaiveTime::MIN));
        Interval {
            start,
            end: start + Duration::days(1),
        }
    }

    pub fn start(&self) -> Instant {
        self.start
    }

    pub fn end(&self) -> Instant {
        self.end
    }

    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    pub fn contains_instant(&self, t: Instant) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether `other` lies wholly inside `self`.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Touching intervals (`a.end == b.start`) do not overlap: back-to-back bookings are fine.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn intersection(&self, other: &Interval) -> Option<Interval> {
        Interval::new(self.start.max(other.start), self.end.min(other.end)).ok()
    }

    /// The smallest interval containing both.
    pub fn union_hull(&self, other: &Interval) -> Interval {
        Interval {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The same length, moved to start at `start`.
    pub fn moved_to(&self, start: Instant) -> Interval {
        Interval {
            start,
            end: start + self.duration(),
        }
    }

    /// The local date the interval starts on.
    pub fn local_start_date(&self) -> NaiveDate {
        local_date(self.start)
    }
}

/// A set of instants kept as sorted, disjoint, non-touching intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntervalSet(Vec<Interval>);

impl IntervalSet {
    pub fn new() -> Self {
        IntervalSet(Vec::new())
    }

    /// Sorts and merges any intervals; overlapping or touching ones become one.
    pub fn from_intervals(intervals: impl IntoIterator<Item = Interval>) -> Self {
        let mut all: Vec<Interval> = intervals.into_iter().collect();
        all.sort_unstable();
        let mut merged: Vec<Interval> = Vec::with_capacity(all.len());
        for iv in all {
            match merged.last_mut() {
                Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
                _ => merged.push(iv),
            }
        }
        IntervalSet(merged)
    }

    pub fn as_slice(&self) -> &[Interval] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Interval> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn total(&self) -> Duration {
        self.0
            .iter()
            .fold(Duration::zero(), |acc, iv| acc + iv.duration())
    }

    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        IntervalSet::from_intervals(self.0.iter().chain(other.0.iter()).copied())
    }

    /// Everything in `self` that is not in `other`.
    pub fn subtract(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::with_capacity(self.0.len());
        let mut j = 0;
        for iv in &self.0 {
            let mut cur_start = iv.start;
            // Skip holes wholly before this interval; they cannot touch later ones either.
            while j < other.0.len() && other.0[j].end <= cur_start {
                j += 1;
            }
            let mut k = j;
            while k < other.0.len() && other.0[k].start < iv.end {
                let hole = other.0[k];
                if hole.start > cur_start {
                    out.push(Interval {
                        start: cur_start,
                        end: hole.start,
                    });
                }
                cur_start = cur_start.max(hole.end);
                k += 1;
            }
            if cur_start < iv.end {
                out.push(Interval {
                    start: cur_start,
                    end: iv.end,
                });
            }
        }
        IntervalSet(out)
    }

    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < other.0.len() {
            if let Some(x) = self.0[i].intersection(&other.0[j]) {
                out.push(x);
            }
            if self.0[i].end < other.0[j].end {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet(out)
    }

    /// Only the parts inside `range`.
    pub fn clip(&self, range: Interval) -> IntervalSet {
        IntervalSet(
            self.0
                .iter()
                .filter_map(|iv| iv.intersection(&range))
                .collect(),
        )
    }

    /// Whether `iv` lies wholly inside one interval of the set.
    pub fn covers(&self, iv: &Interval) -> bool {
        // First interval whose end is after iv.start; it must contain iv.
        let idx = self.0.partition_point(|x| x.end <= iv.start);
        self.0.get(idx).is_some_and(|x| x.contains(iv))
    }
}

impl<'a> IntoIterator for &'a IntervalSet {
    type Item = &'a Interval;
    type IntoIter = std::slice::Iter<'a, Interval>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A local wall-clock time in Japan to a UTC instant. Japan has had no daylight saving
/// since 1951, so every local time exists exactly once; the fixed +09:00 fallback only
/// matters for dates before that, which this system never books.
pub fn local_to_utc(local: NaiveDateTime) -> Instant {
    match JST.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&(local - Duration::hours(9))),
    }
}

/// The local (JST) wall-clock time of an instant.
pub fn utc_to_local(t: Instant) -> NaiveDateTime {
    t.with_timezone(&JST).naive_local()
}

/// The local (JST) date of an instant.
pub fn local_date(t: Instant) -> NaiveDate {
    utc_to_local(t).date()
}

/// The instant of local midnight starting `date`.
pub fn local_midnight(date: NaiveDate) -> Instant {
    local_to_utc(date.and_time(NaiveTime::MIN))
}

/// An inclusive range of local dates, e.g. a closure 12/29–1/3. `first <= last` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    first: NaiveDate,
    last: NaiveDate,
}

#[derive(Deserialize)]
struct RawDateRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = ReversedDateRange;
    fn try_from(raw: RawDateRange) -> Result<Self, Self::Error> {
        DateRange::new(raw.first, raw.last)
    }
}

/// The last date was before the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("date range ends on {last}, before it starts on {first}")]
pub struct ReversedDateRange {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateRange {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Self, ReversedDateRange> {
        if first <= last {
            Ok(DateRange { first, last })
        } else {
            Err(ReversedDateRange { first, last })
        }
    }

    pub fn single(date: NaiveDate) -> Self {
        DateRange {
            first: date,
            last: date,
        }
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> NaiveDate {
        self.last
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Every date of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let last = self.last;
        self.first.iter_days().take_while(move |d| *d <= last)
    }

    /// From local midnight of `first` to local midnight after `last`.
    pub fn to_interval(&self) -> Interval {
        let start = local_midnight(self.first);
        let days = (self.last - self.first).num_days() + 1;
        Interval {
            start,
            end: start + Duration::days(days),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> Instant {
        local_to_utc(
            NaiveDate::from_ymd_opt(2026, 11, 25)
                .and_then(|d| d.and_hms_opt(h, m, 0))
                .unwrap_or_default(),
        )
    }

    fn iv(a: (u32, u32), b: (u32, u32)) -> Interval {
        Interval::new(t(a.0, a.1), t(b.0, b.1)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn empty_and_reversed_intervals_do_not_exist() {
        assert!(Interval::new(t(10, 0), t(10, 0)).is_err());
        assert!(Interval::new(t(11, 0), t(10, 0)).is_err());
        let json = r#"{"start":"2026-11-25T03:00:00Z","end":"2026-11-25T01:00:00Z"}"#;
        assert!(serde_json::from_str::<Interval>(json).is_err());
    }

    #[test]
    fn set_merges_touching_and_overlapping() {
        let s = IntervalSet::from_intervals([
            iv((13, 0), (14, 0)),
            iv((9, 0), (10, 0)),
            iv((10, 0), (11, 0)),
            iv((10, 30), (12, 0)),
        ]);
        assert_eq!(s.as_slice(), &[iv((9, 0), (12, 0)), iv((13, 0), (14, 0))]);
    }

    #[test]
    fn subtract_cuts_holes() {
        let s = IntervalSet::from_intervals([iv((9, 0), (17, 0))]);
        let holes = IntervalSet::from_intervals([iv((8, 0), (9, 30)), iv((12, 0), (13, 0))]);
        assert_eq!(
            s.subtract(&holes).as_slice(),
            &[iv((9, 30), (12, 0)), iv((13, 0), (17, 0))]
        );
        assert!(s.covers(&iv((9, 0), (17, 0))));
        assert!(!s.subtract(&holes).covers(&iv((11, 0), (13, 30))));
    }

    #[test]
    fn date_range_is_local_midnight_to_midnight() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        let r = DateRange::new(d(12, 29), d(12, 31)).unwrap_or_else(|e| panic!("{e}"));
        let i = r.to_interval();
        assert_eq!(i.start().to_rfc3339(), "2026-12-28T15:00:00+00:00");
        assert_eq!(i.duration(), Duration::days(3));
        assert!(DateRange::new(d(12, 31), d(12, 29)).is_err());
    }
}
