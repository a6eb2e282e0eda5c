//! Beds per night (child short stay), with per-municipality allocations.
//!
//! A stay from 10:00 on day d to 10:00 on day d+n takes a bed on the nights of d … d+n−1;
//! a day-only stay (10:00–20:00) takes a place on its own date. A bed handed over at
//! 10:00 can be taken by a stay starting 10:00 the same day.
//!
//! Shared facilities: the facility has `beds`; each municipality's allocation is a number
//! of beds *guaranteed* to it on every night, and the remainder is pooled first come first
//! served. A family from city A may take a bed only if what is left afterwards still
//! covers every other city's unused guarantee. With a [`Release`] rule the guarantee ends
//! at a set time before the night (e.g. 3 days before at 00:00): after that an unused
//! allocation is pooled too, so beds are not left empty for want of the right city.
//! Example: 2 beds, Kiyose 1, Higashikurume 1 → Kiyose holds at most 1 bed a night unless
//! Higashikurume has not used its bed by the release time.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::fmt::{date_en, date_ja};
use super::{
    CapacityModel, Conflict, ConflictCode, Municipality, Occupancy, REMAINING_CAP, Request,
};
use crate::Text;
use crate::availability::{Instant, Interval, local_to_utc};

/// Beds guaranteed to one municipality each night.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub municipality: Municipality,
    pub beds: u32,
}

/// When unused guarantees are released to the pool: `days_before` the night, at `at`
/// local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub days_before: u32,
    pub at: NaiveTime,
}

/// The bed model. Construct with [`BedsPerNight::new`]; allocations never exceed beds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BedsPerNight {
    beds: u32,
    allocations: Vec<Allocation>,
    release: Option<Release>,
    /// Beds added for single nights (a coordinator arranged extra staff or a spare
    /// room); they go to the common pool, not to any municipality's guarantee.
    extra: BTreeMap<NaiveDate, u32>,
}

/// The allocations do not fit the facility.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BedsConfigError {
    #[error("allocations total {allocated} beds but the facility has {beds}")]
    OverAllocated { allocated: u32, beds: u32 },
    #[error("municipality `{0}` has two allocations")]
    Duplicate(String),
}

/// The nights (local dates) a stay occupies.
pub fn nights(iv: &Interval) -> impl Iterator<Item = NaiveDate> + use<> {
    let first = iv.local_start_date();
    let end = crate::availability::local_date(iv.end());
    // A stay ending on its start date (day-only) still takes that date.
    let last = if end > first {
        end - Duration::days(1)
    } else {
        first
    };
    first.iter_days().take_while(move |d| *d <= last)
}

impl BedsPerNight {
    pub fn new(
        beds: u32,
        allocations: Vec<Allocation>,
        release: Option<Release>,
    ) -> Result<Self, BedsConfigError> {
        let allocated = allocations
            .iter()
            .fold(0u32, |acc, a| acc.saturating_add(a.beds));
        if allocated > beds {
            return Err(BedsConfigError::OverAllocated { allocated, beds });
        }
        let mut seen = BTreeSet::new();
        for a in &allocations {
            if !seen.insert(&a.municipality) {
                return Err(BedsConfigError::Duplicate(
                    a.municipality.as_str().to_owned(),
                ));
            }
        }
        Ok(BedsPerNight {
            beds,
            allocations,
            release,
            extra: BTreeMap::new(),
        })
    }

    /// A facility without allocations.
    pub fn simple(beds: u32) -> Self {
        BedsPerNight {
            beds,
            allocations: Vec::new(),
            release: None,
            extra: BTreeMap::new(),
        }
    }

    /// Adds beds for single nights.
    pub fn with_extra(mut self, extra: BTreeMap<NaiveDate, u32>) -> Self {
        self.extra = extra;
        self
    }

    pub fn beds(&self) -> u32 {
        self.beds
    }

    /// Beds on `night`: the facility's own plus any added for that night.
    pub fn beds_on(&self, night: NaiveDate) -> u32 {
        self.beds
            .saturating_add(self.extra.get(&night).copied().unwrap_or(0))
    }

    /// `(beds, taken)` on `night` for a staff calendar: every municipality's stays
    /// count, guarantees do not matter.
    pub fn night_usage(&self, existing: &[Occupancy], night: NaiveDate) -> (u32, u32) {
        let taken = existing
            .iter()
            .filter(|e| nights(&e.interval).any(|n| n == night))
            .fold(0u32, |acc, e| acc.saturating_add(e.places()));
        (self.beds_on(night), taken)
    }

    fn released(&self, night: NaiveDate, now: Instant) -> bool {
        self.release.is_some_and(|r| {
            let day = night - Duration::days(i64::from(r.days_before));
            now >= local_to_utc(day.and_time(r.at))
        })
    }

    /// `(taken in total, free for `who`)` on `night`.
    fn night_state(
        &self,
        existing: &[Occupancy],
        night: NaiveDate,
        who: Option<&Municipality>,
        now: Instant,
    ) -> (u32, u32) {
        let mut total = 0u32;
        let mut by_city: Vec<(&Municipality, u32)> = Vec::new();
        for e in existing {
            if !nights(&e.interval).any(|n| n == night) {
                continue;
            }
            total = total.saturating_add(e.places());
            if let Some(m) = &e.municipality {
                match by_city.iter_mut().find(|(c, _)| *c == m) {
                    Some((_, n)) => *n = n.saturating_add(e.places()),
                    None => by_city.push((m, e.places())),
                }
            }
        }
        let reserved: u32 = if self.released(night, now) {
            0
        } else {
            self.allocations
                .iter()
                .filter(|a| Some(&a.municipality) != who)
                .map(|a| {
                    let used = by_city
                        .iter()
                        .find(|(c, _)| *c == &a.municipality)
                        .map_or(0, |(_, n)| *n);
                    a.beds.saturating_sub(used)
                })
                .sum()
        };
        let free = self
            .beds_on(night)
            .saturating_sub(total)
            .saturating_sub(reserved);
        (total, free)
    }
}

impl CapacityModel for BedsPerNight {
    fn fits(
        &self,
        existing: &[Occupancy],
        candidate: &Request,
        now: Instant,
    ) -> Result<(), Conflict> {
        let places = candidate.places();
        for night in nights(&candidate.interval) {
            let (total, free) =
                self.night_state(existing, night, candidate.municipality.as_ref(), now);
            if places <= free {
                continue;
            }
            let conflict = if self.beds_on(night).saturating_sub(total) >= places {
                Conflict::new(
                    ConflictCode::AllocationReserved,
                    Text::new(
                        format!(
                            "{}の夜の空きベッドは他の自治体の利用枠として確保されています",
                            date_ja(night)
                        ),
                        format!(
                            "The free beds on the night of {} are reserved for another municipality",
                            date_en(night)
                        ),
                    ),
                )
            } else {
                Conflict::new(
                    ConflictCode::NoBed,
                    Text::new(
                        format!(
                            "{}の夜は空きベッドが足りません(必要 {places}、空き {})",
                            date_ja(night),
                            self.beds_on(night).saturating_sub(total)
                        ),
                        format!(
                            "Not enough beds on the night of {} ({places} needed, {} free)",
                            date_en(night),
                            self.beds_on(night).saturating_sub(total)
                        ),
                    ),
                )
            };
            return Err(conflict.on_night(night).during(candidate.interval));
        }
        Ok(())
    }

    fn remaining(&self, existing: &[Occupancy], probe: &Request, now: Instant) -> u32 {
        let places = probe.places();
        nights(&probe.interval)
            .map(|n| {
                self.night_state(existing, n, probe.municipality.as_ref(), now)
                    .1
                    / places
            })
            .min()
            .unwrap_or(0)
            .min(REMAINING_CAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, m, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("time")
    }
    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }
    fn stay(from: u32, to: u32) -> Occupancy {
        Occupancy::new(Interval::from_local(at(6, from, 10), at(6, to, 10)).expect("iv"))
            .with_children([NaiveDate::from_ymd_opt(2020, 5, 5).expect("date")])
    }
    fn city(s: &str) -> Municipality {
        Municipality::parse(s).expect("city")
    }
    fn now() -> Instant {
        local_to_utc(at(5, 1, 9))
    }

    #[test]
    fn a_three_night_stay_needs_a_bed_each_night() {
        let beds = BedsPerNight::simple(2);
        let existing = vec![stay(1, 3), stay(3, 4), stay(3, 5)];
        // Nights of 6/2, 6/3, 6/4: 6/3 has two stays (3→4 and 3→5) → full.
        let err = beds
            .fits(&existing, &stay(2, 5), now())
            .expect_err("night 6/3 full");
        assert_eq!(err.code, ConflictCode::NoBed);
        assert_eq!(err.night, Some(date(6, 3)));
        // 6/5 → 6/8 only overlaps nothing.
        assert_eq!(beds.fits(&existing, &stay(5, 8), now()), Ok(()));
        // Checking out at 10:00 on 6/3 frees the bed for a 10:00 check-in the same day.
        assert_eq!(
            beds.fits(&[stay(1, 3), stay(1, 3)], &stay(3, 4), now()),
            Ok(())
        );
        assert_eq!(nights(&stay(2, 5).interval).count(), 3);
    }

    #[test]
    fn an_extra_bed_counts_on_its_night_only() {
        let beds = BedsPerNight::simple(1).with_extra(BTreeMap::from([(date(6, 3), 1)]));
        let existing = vec![stay(2, 5)];
        assert_eq!(beds.fits(&existing, &stay(3, 4), now()), Ok(()));
        let err = beds
            .fits(&existing, &stay(3, 5), now())
            .expect_err("no extra bed on 6/4");
        assert_eq!(err.night, Some(date(6, 4)));
        assert_eq!(beds.night_usage(&existing, date(6, 3)), (2, 1));
        assert_eq!(beds.night_usage(&existing, date(6, 4)), (1, 1));
    }

    #[test]
    fn siblings_need_a_bed_each_and_day_stays_take_their_date() {
        let beds = BedsPerNight::simple(2);
        let b = NaiveDate::from_ymd_opt(2019, 1, 1).expect("date");
        let twins = stay(10, 11).with_children([b, b]);
        assert_eq!(beds.fits(&[], &twins, now()), Ok(()));
        assert!(beds.fits(&[stay(10, 12)], &twins, now()).is_err());
        let day = Occupancy::new(Interval::from_local(at(6, 10, 10), at(6, 10, 20)).expect("iv"));
        assert_eq!(nights(&day.interval).collect::<Vec<_>>(), vec![date(6, 10)]);
        assert_eq!(
            beds.remaining(&[day.clone(), day.clone()], &stay(10, 11), now()),
            0
        );
    }

    #[test]
    fn shared_allocation_guarantees_and_releases() {
        let kiyose = city("kiyose");
        let higashi = city("higashikurume");
        let beds = BedsPerNight::new(
            2,
            vec![
                Allocation {
                    municipality: kiyose.clone(),
                    beds: 1,
                },
                Allocation {
                    municipality: higashi.clone(),
                    beds: 1,
                },
            ],
            Some(Release {
                days_before: 3,
                at: NaiveTime::MIN,
            }),
        )
        .expect("config");
        let k = |s: Occupancy| s.with_municipality(kiyose.clone());
        let h = |s: Occupancy| s.with_municipality(higashi.clone());
        let existing = vec![k(stay(20, 21))];
        // A month ahead: Kiyose already holds its bed; the other is Higashikurume's.
        let err = beds
            .fits(&existing, &k(stay(20, 21)), now())
            .expect_err("reserved");
        assert_eq!(err.code, ConflictCode::AllocationReserved);
        assert_eq!(beds.fits(&existing, &h(stay(20, 21)), now()), Ok(()));
        assert_eq!(beds.remaining(&existing, &k(stay(20, 21)), now()), 0);
        assert_eq!(beds.remaining(&existing, &h(stay(20, 21)), now()), 1);
        // A family from elsewhere only gets the pool, which is empty.
        assert_eq!(beds.remaining(&[], &stay(20, 21), now()), 0);
        // From 6/17 00:00 (3 days before) the unused bed is released to everyone.
        let released = local_to_utc(at(6, 17, 0));
        assert_eq!(beds.fits(&existing, &k(stay(20, 21)), released), Ok(()));
        let just_before = released - Duration::seconds(1);
        assert!(beds.fits(&existing, &k(stay(20, 21)), just_before).is_err());
    }

    #[test]
    fn over_allocation_is_refused() {
        let a = |s: &str, n| Allocation {
            municipality: city(s),
            beds: n,
        };
        assert!(BedsPerNight::new(2, vec![a("kiyose", 2), a("higashikurume", 1)], None).is_err());
        assert!(BedsPerNight::new(2, vec![a("kiyose", 1), a("kiyose", 1)], None).is_err());
        assert!(Municipality::parse("Kiyose City").is_err());
    }
}
