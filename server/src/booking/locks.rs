//! Serialising capacity decisions. Every decision first locks rows that always
//! exist: one per (resource, local day) the booking touches, and one per household
//! (quotas and coupons are the family's). On PostgreSQL one `INSERT … ON CONFLICT
//! DO UPDATE` creates the row on first use and otherwise holds it to the end of the
//! transaction, so two transactions deciding on the same day queue instead of both counting the
//! same free place; keys are locked in sorted order so they never deadlock. On
//! SQLite `BEGIN IMMEDIATE` (see [`crate::db::begin_write`]) already makes every
//! writer wait for the previous one. Either way each locked row's `version` goes
//! up, so readers can tell cheaply whether anything on a day has changed.

use std::collections::{BTreeSet, HashMap};

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

    /// Takes every lock, in order, inside `txn`, and raises each row's version.
    ///
    /// One statement for all keys: `INSERT … ON CONFLICT DO UPDATE` creates a row on
    /// first use and otherwise updates it, which on PostgreSQL holds the row until
    /// the transaction ends (rows are taken in the order given, which is sorted).
    /// On SQLite the transaction already holds the database's write lock; the
    /// versions are raised all the same, for the availability cache.
    pub async fn acquire(&self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        if let Some(stmt) = self.statement(txn.get_database_backend(), false) {
            txn.execute_raw(stmt).await?;
        }
        Ok(())
    }

    /// [`Self::acquire`], answering each locked row's version after it was
    /// raised: a holder that remembers the version it left a row at knows that
    /// nothing on that day changed since when it now reads one more.
    pub async fn acquire_versions(&self, txn: &DatabaseTransaction) -> Result<Versions, DbErr> {
        let Some(stmt) = self.statement(txn.get_database_backend(), true) else {
            return Ok(Versions::new());
        };
        let mut out = Versions::with_capacity(self.0.len());
        for row in txn.query_all_raw(stmt).await? {
            let key: String = row.try_get("", "resource_key")?;
            // As text on both databases (SQLite keeps dates as text anyway).
            let day: String = row.try_get("", "day_text")?;
            let day = NaiveDate::parse_from_str(&day, "%F")
                .map_err(|e| DbErr::Type(format!("lock day {day}: {e}")))?;
            let version: i64 = row.try_get("", "version")?;
            out.insert((key, day), version);
        }
        Ok(out)
    }

    fn statement(&self, backend: DbBackend, returning: bool) -> Option<Statement> {
        if self.0.is_empty() {
            return None;
        }
        let returning = if returning {
            " RETURNING resource_key, CAST(day AS TEXT) AS day_text, version"
        } else {
            ""
        };
        if backend == DbBackend::Postgres {
            // The keys and days as two array literals, taken in the order given
            // (sorted): the statement's text is the same however many there
            // are, so each connection prepares it once. With a row of values
            // per key, every new number of keys was prepared anew, a round
            // trip more for the statement that spaces the booking rounds.
            let sql = format!(
                "INSERT INTO capacity_locks (resource_key, day, version) \
                 SELECT k, d, 1 FROM unnest($1::text::text[], $2::text::date[]) \
                   WITH ORDINALITY AS u(k, d, i) ORDER BY i \
                 ON CONFLICT (resource_key, day) DO UPDATE SET version = capacity_locks.version + 1{returning}"
            );
            let values: [sea_orm::Value; 2] = [
                crate::db::pg_array(self.0.iter().map(|(k, _)| k)).into(),
                crate::db::pg_array(self.0.iter().map(|(_, d)| d)).into(),
            ];
            return Some(Statement::from_sql_and_values(backend, sql, values));
        }
        let mut sql =
            String::from("INSERT INTO capacity_locks (resource_key, day, version) VALUES ");
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(self.0.len() * 2);
        for (i, (key, day)) in self.0.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("(?, ?, 1)");
            values.push(key.clone().into());
            values.push((*day).into());
        }
        sql.push_str(
            " ON CONFLICT (resource_key, day) DO UPDATE SET version = capacity_locks.version + 1",
        );
        sql.push_str(returning);
        Some(Statement::from_sql_and_values(backend, sql, values))
    }
}

/// The versions of locked rows, by (resource key, day), as [`LockSet::acquire_versions`]
/// left them.
pub type Versions = HashMap<(String, NaiveDate), i64>;
