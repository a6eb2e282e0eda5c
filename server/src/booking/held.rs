//! The places held on a resource's days, kept between this process's booking
//! rounds.
//!
//! The longest read of a booking round was the place-holding bookings of the
//! days its requests touch. Those are the days the round has just locked, and
//! every transaction that changes a booking locks its days and raises their
//! versions, in this process or any other (see [`super::locks`]). So when a
//! round finds a day's lock row exactly one version past the one this
//! process's previous round left it at, nobody has touched that day since,
//! and what that round held there (what it read plus what it booked) is still
//! what the database holds. Any other version, and the day is read again.
//!
//! An offer that lapses changes nothing in the database (readers stop counting
//! it; see `repo::still_held`), so a day's list is used only for [`FRESH`]
//! after it was read: a lapsed offer may count that much longer, which shows a
//! place as taken a little too long but never gives one out twice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hagukumi_domain::availability::Interval;
use hagukumi_domain::capacity::{Municipality, Occupancy};

use super::locks::{Versions, days_of};

/// How long a day's list read from the database is used.
pub const FRESH: Duration = Duration::seconds(60);

/// Enough resource days for every site's next months; past it the cache starts
/// again empty rather than keep old days.
const MAX_DAYS: usize = 8192;

/// One resource day's place-holding bookings.
#[derive(Debug, Clone)]
pub struct Day {
    /// The day's lock version these were true at.
    pub version: i64,
    /// When they were read from the database.
    pub read_at: DateTime<Utc>,
    /// Every place-holding booking that overlaps the day.
    pub held: Vec<Occupancy>,
}

/// The cache of one process (see the module documentation).
#[derive(Default)]
pub struct HeldCache(Mutex<HashMap<(String, NaiveDate), Day>>);

impl HeldCache {
    fn days(&self) -> std::sync::MutexGuard<'_, HashMap<(String, NaiveDate), Day>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The day's list if nothing on it changed since it was kept: the lock row
    /// now reads `version`, one past the kept one (this round's own raise).
    /// It leaves the cache (a round that fails keeps nothing), and comes back
    /// with what the round adds once it commits.
    pub fn take(&self, key: &str, day: NaiveDate, version: i64, now: DateTime<Utc>) -> Option<Day> {
        let d = self.days().remove(&(key.to_owned(), day))?;
        (d.version + 1 == version && now - d.read_at < FRESH).then_some(Day { version, ..d })
    }

    /// Keeps a committed round's days.
    pub fn keep(&self, key: &str, days: BTreeMap<NaiveDate, Day>) {
        let mut all = self.days();
        if all.len() + days.len() > MAX_DAYS {
            all.clear();
        }
        for (day, d) in days {
            all.insert((key.to_owned(), day), d);
        }
    }
}

/// A day to read, with its lock version now.
pub type Missing = (NaiveDate, i64);

/// Which of a resource's locked days are kept and which must be read, for a
/// round whose requests span `hulls`: `None` when a request reaches beyond the
/// locked days (a series spans unlocked days between its occurrences), and the
/// resource is then read the usual way.
pub fn plan(
    cache: &HeldCache,
    key: &str,
    hulls: &[Interval],
    versions: &Versions,
    now: DateTime<Utc>,
) -> Option<(BTreeMap<NaiveDate, Day>, Vec<Missing>)> {
    let mut days = BTreeMap::new();
    let mut missing = Vec::new();
    let wanted: std::collections::BTreeSet<NaiveDate> = hulls.iter().flat_map(days_of).collect();
    for day in wanted {
        let version = *versions.get(&(key.to_owned(), day))?;
        match cache.take(key, day, version, now) {
            Some(d) => {
                days.insert(day, d);
            }
            None => missing.push((day, version)),
        }
    }
    Some((days, missing))
}

/// Files what was read for `missing` days under each day it overlaps.
pub fn file_read(
    days: &mut BTreeMap<NaiveDate, Day>,
    missing: &[Missing],
    read: &[Occupancy],
    read_at: DateTime<Utc>,
) {
    for (day, version) in missing {
        let whole = Interval::local_day(*day);
        days.insert(
            *day,
            Day {
                version: *version,
                read_at,
                held: read
                    .iter()
                    .filter(|o| o.interval.overlaps(&whole))
                    .cloned()
                    .collect(),
            },
        );
    }
}

/// Adds a booking the round made to each of the days it overlaps. As in the
/// database's reads, children of bookings with the same hours and municipality
/// are counted together (a busy hour stays one entry, not one per family); a
/// booking without children holds a place of its own.
pub fn add(days: &mut BTreeMap<NaiveDate, Day>, o: &Occupancy) {
    for (day, d) in days.iter_mut() {
        if !o.interval.overlaps(&Interval::local_day(*day)) {
            continue;
        }
        let same = d.held.iter_mut().find(|h| {
            !o.children.is_empty()
                && !h.children.is_empty()
                && h.interval == o.interval
                && h.municipality == o.municipality
                && h.location == o.location
        });
        match same {
            Some(h) => h.children.extend_from_slice(&o.children),
            None => d.held.push(o.clone()),
        }
    }
}

/// Every booking of the days, once: a booking over several days is in the list
/// of each. Bookings with the same hours and municipality are one group in
/// every day's list they are in (whatever changes one changes all of its
/// days), so each group is taken from the first day it appears in.
pub fn union(days: &BTreeMap<NaiveDate, Day>) -> Vec<Occupancy> {
    type Group = (Interval, Option<Municipality>);
    let mut earlier: HashSet<Group> = HashSet::new();
    let mut out = Vec::new();
    for d in days.values() {
        let mut here: HashSet<Group> = HashSet::new();
        for o in &d.held {
            let group = (o.interval, o.municipality.clone());
            if !earlier.contains(&group) {
                here.insert(group);
                out.push(o.clone());
            }
        }
        earlier.extend(here);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        // 09:00 JST is 00:00 UTC.
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn occ(from: DateTime<Utc>, to: DateTime<Utc>, births: usize) -> Occupancy {
        let births: Vec<NaiveDate> = (0..births)
            .map(|i| {
                NaiveDate::from_ymd_opt(2022, 1, 1 + u32::try_from(i).unwrap_or_default())
                    .unwrap_or_default()
            })
            .collect();
        let iv = Interval::new(from, to).unwrap_or_else(|_| Interval::local_day(NaiveDate::MIN));
        Occupancy::new(iv).with_children(births)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    #[test]
    fn a_stay_over_two_days_counts_once_and_same_day_bookings_each() {
        let stay = occ(at(10, 9), at(11, 1), 2);
        let a = occ(at(10, 1), at(10, 3), 1);
        let b = occ(at(10, 1), at(10, 3), 1);
        let bare = occ(at(10, 1), at(10, 3), 0);
        let mut days = BTreeMap::new();
        let missing = [(day(10), 3), (day(11), 5)];
        file_read(&mut days, &missing, &[stay.clone(), a.clone()], at(10, 0));
        add(&mut days, &b);
        add(&mut days, &bare);
        add(&mut days, &bare);
        // The same hours' children count together; bookings without children apart.
        let mut both = a.clone();
        both.children.extend_from_slice(&b.children);
        assert_eq!(
            days[&day(10)].held,
            vec![stay.clone(), both.clone(), bare.clone(), bare.clone()]
        );
        assert_eq!(days[&day(11)].held, vec![stay.clone()]);
        let all = union(&days);
        assert_eq!(all, vec![stay, both, bare.clone(), bare]);
    }

    #[test]
    fn a_day_is_used_only_one_version_on_and_while_fresh() {
        let cache = HeldCache::default();
        let mut days = BTreeMap::new();
        file_read(&mut days, &[(day(10), 7)], &[], at(1, 0));
        let keep = |days: &BTreeMap<NaiveDate, Day>| cache.keep("site:x", days.clone());
        keep(&days);
        let taken = cache.take("site:x", day(10), 8, at(1, 0));
        assert_eq!(taken.map(|d| d.version), Some(8), "one version on");
        assert!(
            cache.take("site:x", day(10), 8, at(1, 0)).is_none(),
            "taken until the round keeps it again"
        );
        // Someone else locked the day in between, or it was never one on.
        for version in [9, 7] {
            keep(&days);
            assert!(cache.take("site:x", day(10), version, at(1, 0)).is_none());
        }
        keep(&days);
        assert!(cache.take("site:y", day(10), 8, at(1, 0)).is_none());
        assert!(cache.take("site:x", day(10), 8, at(1, 0) + FRESH).is_none());
    }

    #[test]
    fn a_request_beyond_the_locked_days_is_read_the_usual_way() {
        let cache = HeldCache::default();
        let versions: Versions = [(("site:x".to_owned(), day(10)), 2)].into();
        let one = Interval::local_day(day(10));
        let two = Interval::new(at(10, 0), at(11, 20)).unwrap_or(one);
        let (kept, missing) =
            plan(&cache, "site:x", &[one], &versions, at(1, 0)).unwrap_or_default();
        assert!(kept.is_empty());
        assert_eq!(missing, vec![(day(10), 2)]);
        assert!(plan(&cache, "site:x", &[two], &versions, at(1, 0)).is_none());
    }
}
