//! Serialising capacity decisions. Every decision first locks rows that always
//! exist: one per (resource, local day) the booking touches, and one per household
//! (quotas and coupons are the family's). On PostgreSQL the row is created once
//! (`INSERT … ON CONFLICT DO NOTHING`) and then locked (`SELECT … FOR UPDATE`), so
//! two transactions deciding on the same day queue instead of both counting the
//! same free place; keys are locked in sorted order so they never deadlock. On
//! SQLite `BEGIN IMMEDIATE` (see [`crate::db::begin_write`]) already makes every
//! writer wait for the previous one.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use hagukumi_domain::availability::{Interval, local_date};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use uuid::Uuid;

/// The day of a lock that is not about a day (household locks).
pub fn whole() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

pub fn site_key(site_id: Uuid) -> String {
    format!("site:{site_id}")
}

pub fn household_key(household_id: Uuid) -> String {
    format!("household:{household_id}")
}

/// The local (JST) days an interval touches: two overlapping intervals share one.
pub fn days_of(iv: &Interval) -> BTreeSet<NaiveDate> {
    let first = local_date(iv.start());
    let last = local_date(iv.end() - Duration::nanoseconds(1));
    first.iter_days().take_while(|d| *d <= last).collect()
}

/// A set of lock keys, taken together in a fixed order.
#[derive(Debug, Default, Clone)]
pub struct LockSet(BTreeSet<(String, NaiveDate)>);

impl LockSet {
    pub fn new() -> Self {
        LockSet::default()
    }

    pub fn household(&mut self, id: Uuid) -> &mut Self {
        self.0.insert((household_key(id), whole()));
        self
    }

    /// A lock on something that is not about a day (a site's settings).
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.0.insert((key.to_owned(), whole()));
        self
    }

    pub fn days(&mut self, resource_key: &str, iv: &Interval) -> &mut Self {
        for d in days_of(iv) {
            self.0.insert((resource_key.to_owned(), d));
        }
        self
    }

    /// The days locked for `resource_key`.
    pub fn days_for(&self, resource_key: &str) -> BTreeSet<NaiveDate> {
        self.0
            .iter()
            .filter(|(k, _)| k == resource_key)
            .map(|(_, d)| *d)
            .collect()
    }

    /// Takes every lock, in order, inside `txn`.
    pub async fn acquire(&self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        if txn.get_database_backend() != DbBackend::Postgres {
            // SQLite: the transaction already holds the database's write lock.
            return Ok(());
        }
        for (key, day) in &self.0 {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO capacity_locks (resource_key, day) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [key.clone().into(), (*day).into()],
            ))
            .await?;
            txn.query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT resource_key FROM capacity_locks WHERE resource_key = $1 AND day = $2 FOR UPDATE",
                [key.clone().into(), (*day).into()],
            ))
            .await?;
        }
        Ok(())
    }
}
