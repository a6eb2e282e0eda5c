//! No helper in two places at once, enforced by the database even when requests race.
//!
//! Every write that gives a helper a visit (a pin, a plan run, a sick call) first locks one
//! row per (helper, local day) — the same always-existing `capacity_locks` rows the booking
//! code locks for resource-days, keyed `helper:{id}` — and only then reads that helper's
//! visits and decides. On PostgreSQL two pins for one helper-day therefore queue, and the
//! second sees the first; on SQLite `BEGIN IMMEDIATE` already serialises every writer.
//! Locks are taken before any visit row is locked, in sorted order, so they never deadlock.

use chrono::NaiveDate;
use hagukumi_domain::availability::Interval;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::booking::locks::LockSet;
use crate::entities::{helper_visit, provider};

pub fn helper_key(helper: Uuid) -> String {
    format!("helper:{helper}")
}

/// Locks the given helpers' `day`.
pub async fn lock_helpers(
    txn: &DatabaseTransaction,
    helpers: impl IntoIterator<Item = Uuid>,
    day: NaiveDate,
) -> Result<(), DbErr> {
    let mut locks = LockSet::new();
    let whole = Interval::local_day(day);
    for h in helpers {
        locks.days(&helper_key(h), &whole);
    }
    locks.acquire(txn).await
}

/// Locks `day` of every helper of `municipality` (plan runs and sick calls may give any
/// of them work).
pub async fn lock_all_helpers(
    txn: &DatabaseTransaction,
    municipality: Uuid,
    day: NaiveDate,
) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(municipality))
        .filter(provider::Column::Kind.eq("helper"))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    lock_helpers(txn, ids, day).await
}

/// When a visit can happen: fixed at its planned start, or anywhere its window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub earliest: i32,
    pub latest: i32,
    pub duration: i32,
}

impl Span {
    /// A visit whose start is still free within its window.
    pub fn flexible(v: &helper_visit::Model) -> Span {
        Span {
            earliest: v.window_start_min,
            latest: v.window_end_min,
            duration: v.duration_min,
        }
    }

    /// A visit as it stands: a planned, unpinned assignment is fixed at its planned
    /// start; a pinned one may still move within its window when the day is planned.
    pub fn of(v: &helper_visit::Model) -> Span {
        match v.planned_start_min {
            Some(s) if !v.pinned => Span {
                earliest: s,
                latest: s,
                duration: v.duration_min,
            },
            _ => Span::flexible(v),
        }
    }

    /// Whether one helper can do both, one after the other in some order.
    pub fn compatible(&self, other: &Span) -> bool {
        self.earliest + self.duration <= other.latest
            || other.earliest + other.duration <= self.latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(earliest: i32, latest: i32, duration: i32) -> Span {
        Span {
            earliest,
            latest,
            duration,
        }
    }

    #[test]
    fn overlapping_fixed_visits_clash_and_sequential_ones_do_not() {
        assert!(!s(600, 600, 120).compatible(&s(660, 660, 60)));
        assert!(s(600, 600, 60).compatible(&s(660, 660, 60)));
        assert!(s(660, 660, 60).compatible(&s(600, 600, 60)));
    }

    #[test]
    fn a_window_that_allows_an_order_is_compatible() {
        // 09:00–10:00 start, 90 min; the other fixed at 10:00 for 60: start 09:00 ends
        // 10:30 — too late; but after it (11:00) is outside the window: clash.
        assert!(!s(540, 600, 90).compatible(&s(600, 600, 60)));
        // A window reaching 11:00 lets it go after.
        assert!(s(540, 660, 90).compatible(&s(600, 600, 60)));
    }
}
