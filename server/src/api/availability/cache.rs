//! Calendars already computed, kept for the minute they were asked in.
//!
//! A month calendar costs a handful of queries and the domain's month summary; the
//! widget asks for the same one again and again. An answer is reused only when
//! nothing it depends on has changed, which every process can tell from the
//! database: the rules by their stamp (in the key) and the sites' days by the
//! versions of their `capacity_locks` rows, which every booking, cancellation,
//! offer and capacity change raises in its own transaction (see
//! [`crate::booking::locks`]). Lead times and lapsing offers move with the clock,
//! so an answer is never used after the minute it was computed in.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use axum::body::Bytes;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::booking::locks::whole;
use crate::error::{ApiError, ApiResult};
use crate::rules::Stamp;

/// Everything in the question that changes the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub service: String,
    pub municipality: Uuid,
    pub site: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub minutes: Option<u32>,
    pub births: Vec<NaiveDate>,
    /// Minutes since the epoch when it was asked.
    pub minute: i64,
    pub rules: Stamp,
}

/// The number and the sum of the versions of the lock rows an answer depends on.
/// Versions only ever go up and rows are never deleted, so any change there
/// changes the pair.
pub type Versions = (i64, i64);

struct Entry {
    keys: Vec<String>,
    span: (NaiveDate, NaiveDate),
    versions: Versions,
    body: Bytes,
}

/// Enough for every site, month and child-age mix asked within a minute.
const MAX_ENTRIES: usize = 1024;

static CACHE: LazyLock<Mutex<HashMap<Key, Entry>>> = LazyLock::new(Default::default);

fn cache() -> std::sync::MutexGuard<'static, HashMap<Key, Entry>> {
    CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The stored answer to `key`, if the days it depends on are unchanged.
pub async fn get(conn: &impl ConnectionTrait, key: &Key) -> ApiResult<Option<Bytes>> {
    let Some((keys, span, versions, body)) = cache()
        .get(key)
        .map(|e| (e.keys.clone(), e.span, e.versions, e.body.clone()))
    else {
        return Ok(None);
    };
    Ok((self::versions(conn, &keys, span).await? == versions).then_some(body))
}

/// Keeps an answer whose inputs were read at `versions`.
pub fn put(
    key: Key,
    keys: Vec<String>,
    span: (NaiveDate, NaiveDate),
    versions: Versions,
    body: Bytes,
) {
    let mut map = cache();
    if map.len() >= MAX_ENTRIES {
        // Answers from an earlier minute are never used again.
        let minute = key.minute;
        map.retain(|k, _| k.minute >= minute);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
    }
    map.insert(
        key,
        Entry {
            keys,
            span,
            versions,
            body,
        },
    );
}

/// The versions of the sites' day rows in `span` and of their settings rows.
pub async fn versions(
    conn: &impl ConnectionTrait,
    site_keys: &[String],
    span: (NaiveDate, NaiveDate),
) -> ApiResult<Versions> {
    if site_keys.is_empty() {
        return Ok((0, 0));
    }
    let backend = conn.get_database_backend();
    let mut n = 0;
    let mut param = || {
        n += 1;
        match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    };
    let mut values: Vec<Value> = Vec::new();
    let mut list = Vec::new();
    for k in site_keys {
        for key in [k.clone(), format!("settings:{k}")] {
            list.push(param());
            values.push(key.into());
        }
    }
    let (from, to, whole_day) = (param(), param(), param());
    values.extend([span.0.into(), span.1.into(), whole().into()]);
    let sql = format!(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS v FROM capacity_locks \
         WHERE resource_key IN ({}) AND ((day >= {from} AND day <= {to}) OR day = {whole_day})",
        list.join(", ")
    );
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no aggregate row")))?;
    Ok((row.try_get("", "n")?, row.try_get("", "v")?))
}
