//! Queries beside transactions: each takes `&impl ConnectionTrait`, so the same call
//! works inside the write transaction (after the locks) and outside it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::availability::Interval;
use hagukumi_domain::booking::{Booking, CancellationPolicy, CouponUse, Flow, Status};
use hagukumi_domain::capacity::{Municipality, Occupancy};
use hagukumi_domain::rules::ReasonCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::resource::occupancy;
use crate::entities::{booking, booking_child};
use crate::error::{ApiError, ApiResult};

/// Statuses that hold a place (the domain's `Status::holds_place`).
pub const HOLDING: [&str; 4] = ["offered", "requested", "approved", "confirmed"];

/// What the lifecycle needs besides the columns, fixed when the booking is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Details {
    pub flow: Flow,
    /// The policy as it applies to this household (exemptions resolved).
    pub cancellation: CancellationPolicy,
    pub low_income: bool,
    #[serde(default)]
    pub reason: Option<ReasonCode>,
    /// The fee quote at booking time (lines, reductions, coupon).
    #[serde(default)]
    pub quote: serde_json::Value,
}

/// A booking row with its children.
#[derive(Debug, Clone)]
pub struct Stored {
    pub row: booking::Model,
    pub children: Vec<booking_child::Model>,
}

impl Stored {
    pub fn interval(&self) -> ApiResult<Interval> {
        Interval::new(self.row.starts_at, self.row.ends_at)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("booking {} is empty", self.row.id)))
    }

    pub fn status(&self) -> ApiResult<Status> {
        status_from(&self.row.status, self.row.offer_expires_at).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "booking {} has an unknown status",
                self.row.id
            ))
        })
    }

    pub fn details(&self) -> ApiResult<Details> {
        // Read in place: `from_value` would take a copy of the whole tree first.
        Details::deserialize(&self.row.details).map_err(|e| {
            ApiError::Internal(anyhow::anyhow!("booking {} details: {e}", self.row.id))
        })
    }

    pub fn births(&self) -> Vec<NaiveDate> {
        self.children.iter().map(|c| c.birth_date).collect()
    }

    /// The booking as the domain's state machine sees it.
    pub fn domain(&self) -> ApiResult<Booking> {
        self.domain_with(self.details()?)
    }

    /// [`Stored::domain`] with its details already at hand (a booking being
    /// made): its JSON need not be read back.
    pub fn domain_with(&self, d: Details) -> ApiResult<Booking> {
        Ok(Booking {
            status: self.status()?,
            interval: self.interval()?,
            flow: d.flow,
            fee_yen: u32::try_from(self.row.fee_yen).unwrap_or(0),
            coupons: self
                .children
                .iter()
                .map(|c| CouponUse {
                    child: c.child_id.to_string(),
                    yen: u32::try_from(c.coupon_yen).unwrap_or(0),
                })
                .collect(),
            cancellation: d.cancellation,
            low_income: d.low_income,
        })
    }

    pub fn occupancy(&self, codes: &HashMap<Uuid, Municipality>) -> ApiResult<Occupancy> {
        Ok(occupancy(
            self.interval()?,
            self.births(),
            codes.get(&self.row.municipality_id).cloned(),
        ))
    }
}

pub fn status_from(code: &str, offer_expires_at: Option<DateTime<Utc>>) -> Option<Status> {
    Some(match code {
        "waitlisted" => Status::Waitlisted,
        "offered" => Status::Offered {
            expires_at: offer_expires_at?,
        },
        "requested" => Status::Requested,
        "approved" => Status::Approved,
        "confirmed" => Status::Confirmed,
        "completed" => Status::Completed,
        "no_show" => Status::NoShow,
        "declined" => Status::Declined,
        "cancelled" => Status::Cancelled,
        "expired" => Status::Expired,
        _ => return None,
    })
}

/// Attaches the children to booking rows (one query).
pub async fn with_children(
    conn: &impl ConnectionTrait,
    rows: Vec<booking::Model>,
) -> ApiResult<Vec<Stored>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_booking: HashMap<Uuid, Vec<booking_child::Model>> = HashMap::new();
    for c in booking_child::Entity::find()
        .filter(booking_child::Column::BookingId.is_in(ids))
        .order_by_asc(booking_child::Column::ChildId)
        .all(conn)
        .await?
    {
        by_booking.entry(c.booking_id).or_default().push(c);
    }
    Ok(rows
        .into_iter()
        .map(|row| Stored {
            children: by_booking.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Stored>> {
    let Some(row) = booking::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_children(conn, vec![row]).await?.pop())
}

/// Bookings of `resource_key` in `statuses` overlapping `range`.
pub async fn on_resource(
    conn: &impl ConnectionTrait,
    resource_key: &str,
    statuses: &[&str],
    range: Interval,
) -> ApiResult<Vec<Stored>> {
    let rows = booking::Entity::find()
        .filter(booking::Column::ResourceKey.eq(resource_key))
        .filter(booking::Column::Status.is_in(statuses.iter().copied()))
        .filter(booking::Column::StartsAt.lt(range.end()))
        .filter(booking::Column::EndsAt.gt(range.start()))
        .filter(reaching(
            conn.get_database_backend(),
            resource_key,
            range.start(),
        ))
        .order_by_asc(booking::Column::StartsAt)
        .all(conn)
        .await?;
    with_children(conn, rows).await
}

/// The place-holding occupancy of a resource over `range`, reading only what the
/// capacity models need. The calendar runs this on every request over a month of
/// bookings, so on SQLite the database builds one JSON array (one entry per hours
/// and municipality, with the children's birth dates of all bookings there) and
/// hands over a single row: moving a row from SQLite's worker thread costs more
/// than the row itself.
pub async fn holding(
    conn: &impl ConnectionTrait,
    resource_key: &str,
    range: Interval,
    codes: &HashMap<Uuid, Municipality>,
) -> ApiResult<Vec<Occupancy>> {
    holding_in(conn, resource_key, &[range], codes).await
}

/// The earliest start a booking of the resource overlapping a range from `?`
/// (bound first) can have: that start less the longest booking ever stored on
/// the resource (`?`, the resource key; kept by the database, see migration
/// `resource_spans`) and a minute's margin. The index on (resource_key,
/// starts_at) then reads the range's bookings, not the resource's history
/// before it. No span yet means no booking yet; an empty bound then reads all.
const SQLITE_SINCE: &str = "COALESCE(strftime('%Y-%m-%dT%H:%M:%S', julianday(?) - \
     (SELECT longest_seconds FROM resource_spans WHERE resource_key = ?) / 86400.0 - 1 / 1440.0), '')";

/// `starts_at` late enough for a booking of `resource_key` to reach past
/// `from` (see [`SQLITE_SINCE`]): the condition that keeps an overlap read on
/// the index range of the hours asked about.
fn reaching(
    backend: DbBackend,
    resource_key: &str,
    from: DateTime<Utc>,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    let values = [sea_orm::Value::from(from), resource_key.into()];
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(POSTGRES_SINCE, values),
        _ => Expr::cust_with_values(
            format!("\"bookings\".\"starts_at\" > {SQLITE_SINCE}"),
            values,
        ),
    }
}

/// Ranges read by one SQLite statement: well inside its 500 terms of a
/// compound SELECT and its bound parameters.
const SQLITE_RANGES_PER_QUERY: usize = 100;

/// [`SQLITE_SINCE`] for PostgreSQL: a whole condition on `starts_at`.
const POSTGRES_SINCE: &str = "\"bookings\".\"starts_at\" > $1::timestamptz - make_interval(secs => \
     COALESCE((SELECT longest_seconds FROM resource_spans WHERE resource_key = $2), 3153600000) + 60)";

/// [`holding`] over several ranges at once, each booking once: a round of
/// requests spread over a month reads the days they touch, not the month. On
/// SQLite bookings with the same hours and municipality come back as one
/// [`Occupancy`] with all their children.
pub async fn holding_in(
    conn: &impl ConnectionTrait,
    resource_key: &str,
    ranges: &[Interval],
    codes: &HashMap<Uuid, Municipality>,
) -> ApiResult<Vec<Occupancy>> {
    let ranges = merged(ranges);
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        // PostgreSQL streams rows cheaply; its per-booking JSON subqueries do not pay.
        return holding_rows(conn, resource_key, &ranges, codes).await;
    }
    let held = held_list();
    // One indexed range per request range, joined with UNION (a booking across
    // two ranges counts once): with many ranges OR'ed in one WHERE, SQLite gave
    // up the index ranges and read every booking the resource ever had. The
    // lower bound on `starts_at` is what lets each range stop early (see
    // `SQLITE_SINCE`). A lapsed offer holds nothing (see `still_held`). After
    // the first statement, a range also skips bookings that start before the
    // previous statement's last range ends: those reach into it (ranges are
    // sorted and apart), so that statement counted them already.
    let one = |floor: bool| {
        format!(
            "SELECT id, municipality_id, starts_at, ends_at FROM bookings \
               WHERE resource_key = ? AND starts_at < ? AND starts_at > {SQLITE_SINCE} AND ends_at > ? {} \
                 AND status IN ({held}) AND (status <> 'offered' OR offer_expires_at > ?)",
            if floor { "AND starts_at >= ?" } else { "" }
        )
    };
    let text = |col: &str| format!("CASE typeof({col}) WHEN 'blob' THEN hex({col}) ELSE {col} END");
    // Bookings with the same hours and municipality come back as one row with
    // all their children's birth dates: the capacity models count children, not
    // bookings, so a busy hour is one row, not one per family. A booking without
    // children still takes a place of its own (see `Occupancy`), so those are
    // counted apart.
    // (municipality, start, end, the children's birth dates, bookings without children)
    type Held = (String, String, String, Vec<NaiveDate>, u32);
    let time = |s: &str| {
        DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("holding time {s}: {e}")))
    };
    let now = Utc::now();
    let mut out = Vec::new();
    let mut floor: Option<DateTime<Utc>> = None;
    for chunk in ranges.chunks(SQLITE_RANGES_PER_QUERY) {
        let sql = format!(
            "SELECT json_group_array(json_array({m}, g.s, g.e, json(g.births), g.bare)) FROM ( \
               SELECT b.municipality_id AS mid, b.starts_at AS s, b.ends_at AS e, \
                      json_group_array(c.birth_date) FILTER (WHERE c.birth_date IS NOT NULL) AS births, \
                      count(*) FILTER (WHERE c.booking_id IS NULL) AS bare \
                 FROM ({ranges}) b LEFT JOIN booking_children c ON c.booking_id = b.id \
                GROUP BY b.municipality_id, b.starts_at, b.ends_at) g",
            m = text("g.mid"),
            ranges = vec![one(floor.is_some()).as_str(); chunk.len()].join(" UNION ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 7);
        for r in chunk {
            values.push(resource_key.into());
            values.push(r.end().into());
            values.push(r.start().into());
            values.push(resource_key.into());
            values.push(r.start().into());
            if let Some(f) = floor {
                values.push(f.into());
            }
            values.push(now.into());
        }
        floor = chunk.last().map(Interval::end);
        let stmt = Statement::from_sql_and_values(backend, sql, values);
        let json: String = match conn.query_one_raw(stmt).await? {
            Some(row) => row
                .try_get_by_index::<Option<String>>(0)?
                .unwrap_or_default(),
            None => String::new(),
        };
        if json.is_empty() {
            continue;
        }
        let rows: Vec<Held> = serde_json::from_str(&json)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("holding rows: {e}")))?;
        for (m, start, end, births, bare) in rows {
            let Ok(iv) = Interval::new(time(&start)?, time(&end)?) else {
                continue;
            };
            let code = Uuid::parse_str(&m)
                .ok()
                .and_then(|m| codes.get(&m).cloned());
            for _ in 0..bare {
                out.push(occupancy(iv, Vec::new(), code.clone()));
            }
            if !births.is_empty() {
                out.push(occupancy(iv, births, code));
            }
        }
    }
    Ok(out)
}

/// `ranges` sorted, with overlapping or touching ones joined.
fn merged(ranges: &[Interval]) -> Vec<Interval> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(Interval::start);
    let mut out: Vec<Interval> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start() <= last.end() => *last = last.union_hull(&r),
            _ => out.push(r),
        }
    }
    out
}

/// Whether a row read with [`HOLDING`] still holds its place at `now` (a lapsed
/// offer does not; see `still_held`).
pub fn holds_at(row: &booking::Model, now: DateTime<Utc>) -> bool {
    row.status != "offered" || row.offer_expires_at.is_some_and(|t| t > now)
}

/// [`holding`] as one row per hours and municipality, with their children (PostgreSQL).
///
/// Each range is its own indexed read of (resource_key, starts_at), bounded
/// below as in [`reaching`], and a booking found by several counts once. The
/// ranges OR'ed in one `WHERE` had PostgreSQL's planner read every booking
/// the resource ever had and filter them (4,373 of them for 118 held, 7 ms,
/// in the load program's database; 0.9 ms now). The ranges come as two
/// arrays, so the statement's text is the same however many there are and is
/// prepared once.
async fn holding_rows(
    conn: &impl ConnectionTrait,
    resource_key: &str,
    ranges: &[Interval],
    codes: &HashMap<Uuid, Municipality>,
) -> ApiResult<Vec<Occupancy>> {
    // The ranges' starts and ends as array literals of timestamps.
    let array = |at: &dyn Fn(&Interval) -> DateTime<Utc>| {
        crate::db::pg_array(ranges.iter().map(|r| at(r).to_rfc3339()))
    };
    let held = held_list();
    // Each range's bookings by the index, once each; then each booking's
    // children's birth dates, by their own index. `OFFSET 0` keeps the LATERAL
    // read a read per range: without it the planner may flatten it and, with no
    // statistics yet on a fast-growing table, loop over the resource's every
    // booking instead (10 ms against 0.9 ms on the load program's database).
    // As on SQLite, bookings with the same hours and municipality come back as
    // one row with all their children (a busy hour of the load program is one
    // row, not seventeen), and bookings without children are counted apart.
    let sql = format!(
        "SELECT h.municipality_id, h.starts_at, h.ends_at, \
                string_agg(k.births, ',') AS births, \
                count(*) FILTER (WHERE k.births IS NULL) AS bare \
           FROM (SELECT DISTINCT ON (x.id) x.* \
                   FROM unnest($2::text::timestamptz[], $3::text::timestamptz[]) AS r(s, e) \
                  CROSS JOIN LATERAL ( \
                        SELECT id, municipality_id, starts_at, ends_at FROM bookings \
                         WHERE resource_key = $1 AND starts_at < r.e AND ends_at > r.s \
                           AND starts_at > r.s - make_interval(secs => COALESCE( \
                               (SELECT longest_seconds FROM resource_spans WHERE resource_key = $1), \
                               3153600000) + 60) \
                           AND status IN ({held}) AND (status <> 'offered' OR offer_expires_at > $4) \
                        OFFSET 0) x \
                ) h \
          CROSS JOIN LATERAL (SELECT string_agg(c.birth_date::text, ',') AS births \
                                FROM booking_children c WHERE c.booking_id = h.id) k \
          GROUP BY h.municipality_id, h.starts_at, h.ends_at"
    );
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [
            resource_key.into(),
            array(&|r| r.start()).into(),
            array(&|r| r.end()).into(),
            Utc::now().into(),
        ],
    );
    let mut out = Vec::new();
    for r in conn.query_all_raw(stmt).await? {
        let m: Uuid = r.try_get_by_index(0)?;
        let start: DateTime<Utc> = r.try_get_by_index(1)?;
        let end: DateTime<Utc> = r.try_get_by_index(2)?;
        let births: Option<String> = r.try_get_by_index(3)?;
        let bare: i64 = r.try_get_by_index(4)?;
        let Ok(iv) = Interval::new(start, end) else {
            continue;
        };
        let births = births
            .iter()
            .flat_map(|b| b.split(','))
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("holding birth date {d}: {e}")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let code = codes.get(&m).cloned();
        for _ in 0..bare {
            out.push(occupancy(iv, Vec::new(), code.clone()));
        }
        if !births.is_empty() {
            out.push(occupancy(iv, births, code));
        }
    }
    Ok(out)
}

/// [`HOLDING`] as an SQL list of literals, for the raw holding reads.
fn held_list() -> String {
    HOLDING
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An offer whose time ran out holds nothing, even before the waitlist job has
/// marked it expired: readers never wait for (or do) that write.
fn still_held(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(booking::Column::Status.ne("offered"))
        .add(booking::Column::OfferExpiresAt.gt(now))
}

/// The household's bookings of a service that count against quotas (held or used),
/// starting inside `range`.
pub async fn family_usage(
    conn: &impl ConnectionTrait,
    household_id: Uuid,
    service_key: &str,
    range: Interval,
) -> ApiResult<Vec<Interval>> {
    let key = (household_id, service_key.to_owned());
    let mut all = family_usage_many(conn, std::slice::from_ref(&key), range).await?;
    Ok(all.remove(&key).unwrap_or_default())
}

/// [`family_usage`] of several (household, service) pairs at once, in one query.
pub async fn family_usage_many(
    conn: &impl ConnectionTrait,
    pairs: &[(Uuid, String)],
    range: Interval,
) -> ApiResult<HashMap<(Uuid, String), Vec<Interval>>> {
    let mut out: HashMap<(Uuid, String), Vec<Interval>> = HashMap::new();
    if pairs.is_empty() {
        return Ok(out);
    }
    // Only the columns counted: a family's year of bookings is many rows, read
    // by name (the SQLite writers' connection keys its rows by name).
    #[derive(sea_orm::FromQueryResult)]
    struct Counted {
        household_id: Uuid,
        service_key: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    }
    let rows = booking::Entity::find()
        .select_only()
        .column(booking::Column::HouseholdId)
        .column(booking::Column::ServiceKey)
        .column(booking::Column::StartsAt)
        .column(booking::Column::EndsAt)
        .filter(booking::Column::HouseholdId.is_in(pairs.iter().map(|(h, _)| *h)))
        .filter(booking::Column::ServiceKey.is_in(pairs.iter().map(|(_, s)| s.clone())))
        .filter(
            booking::Column::Status.is_in(HOLDING.iter().copied().chain(["completed", "no_show"])),
        )
        .filter(still_held(Utc::now()))
        .filter(booking::Column::StartsAt.gte(range.start()))
        .filter(booking::Column::StartsAt.lt(range.end()))
        .into_model::<Counted>()
        .all(conn)
        .await?;
    for Counted {
        household_id: household,
        service_key: service,
        starts_at: start,
        ends_at: end,
    } in rows
    {
        if let Ok(iv) = Interval::new(start, end) {
            out.entry((household, service)).or_default().push(iv);
        }
    }
    Ok(out)
}
