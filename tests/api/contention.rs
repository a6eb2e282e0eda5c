//! Proof under contention: 64 families, each with its own session, press "book" at
//! the same moment for the last places of one short-stay night and of one
//! temporary-care hour, through TWO server instances (separate connection pools) on
//! one database. Exactly the capacity succeeds, everyone else gets a 409, and the
//! stored place-holding bookings never exceed the capacity — sampled while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use chrono::NaiveDate;
use hagukumi_server::entities::booking;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::bookings::{another_family, first_bookable};
use crate::helpers::{Db, TestApp, second_server, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    the_last_short_stay_beds_go_to_exactly_two_of_64_families,
    the_last_temporary_care_places_go_to_exactly_the_ratio,
    a_day_closed_while_families_book_it_takes_no_booking_after,
    a_day_closed_while_families_move_onto_it_takes_no_booking_after,
    what_one_server_knows_of_a_day_gives_way_to_the_other_servers_bookings,
);

const CLIENTS: usize = 64;
const HOLDING: [&str; 4] = ["offered", "requested", "approved", "confirmed"];

async fn site_id(app: &TestApp, site_code: &str) -> uuid::Uuid {
    hagukumi_server::entities::site::Entity::find()
        .filter(hagukumi_server::entities::site::Column::Code.eq(site_code))
        .one(&app.db)
        .await
        .expect("q")
        .expect("site")
        .id
}

async fn holding_on(app: &TestApp, site_code: &str) -> u64 {
    booking::Entity::find()
        .filter(booking::Column::SiteId.eq(site_id(app, site_code).await))
        .filter(booking::Column::Status.is_in(HOLDING))
        .count(&app.db)
        .await
        .expect("count")
}

/// Runs `CLIENTS` families against the two servers at once; returns the statuses and
/// the most place-holding bookings seen at any moment while they ran.
async fn race(
    servers: [&TestApp; 2],
    site_code: &str,
    families: Vec<(TestApp, Value)>,
) -> (Vec<u16>, u64) {
    let barrier = Arc::new(Barrier::new(families.len()));
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (done, peak) = (done.clone(), peak.clone());
        let app = servers[0].another_browser();
        let code = site_code.to_owned();
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(holding_on(&app, &code).await, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    let mut tasks = Vec::new();
    for (client, body) in families {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            client.csrf().await;
            barrier.wait().await;
            client.post_json("/api/v1/bookings", &body).await
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let res = t.await.expect("task");
        let status = res.status().as_u16();
        if status == 409 {
            let ct = res.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            assert_eq!(ct, "application/problem+json");
        }
        statuses.push(status);
    }
    done.store(true, Ordering::Relaxed);
    watcher.await.expect("watcher");
    peak.fetch_max(holding_on(servers[0], site_code).await, Ordering::Relaxed);
    (statuses, peak.load(Ordering::Relaxed))
}

async fn the_last_short_stay_beds_go_to_exactly_two_of_64_families(db: Db) {
    let first = spawn_app(db).await;
    let second = second_server(&first).await.0;
    let (night, slot) = first_bookable(&first, "short-stay", "midori", "").await;
    assert_eq!(slot["remaining"], 1);
    // Half the families from Kiyose, half from Higashikurume: each city is
    // guaranteed one of the facility's two beds.
    let birth = NaiveDate::from_ymd_opt(2019, 4, 10).expect("date");
    let mut families = Vec::new();
    for i in 0..CLIENTS {
        let server = if i % 2 == 0 { &first } else { &second };
        let city = if i % 4 < 2 { "kiyose" } else { "higashikurume" };
        let (client, child) =
            another_family(server, city, &format!("night{i}@example.jp"), birth).await;
        let body = json!({"service": "short-stay", "site": "midori", "children": [child],
            "reason": "business-trip", "period": {"kind": "nights", "check_in": night, "nights": 1}});
        families.push((client, body));
    }
    let (statuses, peak) = race([&first, &second], "midori", families).await;
    let ok = statuses.iter().filter(|s| **s == 201).count();
    let full = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(ok, 2, "exactly the two beds: {statuses:?}");
    assert_eq!(
        full,
        CLIENTS - 2,
        "everyone else is told it is full: {statuses:?}"
    );
    assert!(
        peak <= 2,
        "never more than two held at any moment (saw {peak})"
    );
}

/// The first free one-hour slot at With-I for an infant born on 1 July 2026.
struct InfantHour {
    birth: NaiveDate,
    /// How many such infants it still takes.
    capacity: usize,
    /// Local start and end, as the booking request writes them.
    start: String,
    end: String,
}

async fn first_infant_hour(app: &TestApp) -> InfantHour {
    let birth = NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
    let (_, slot) = first_bookable(
        app,
        "temporary-care",
        "with-i",
        &format!("&birth_dates={birth}&minutes=60"),
    )
    .await;
    let capacity = usize::try_from(slot["remaining"].as_u64().expect("remaining")).expect("n");
    InfantHour {
        birth,
        capacity,
        start: slot["start"].as_str().expect("start")[..19].to_owned(),
        end: slot["end"].as_str().expect("end")[..19].to_owned(),
    }
}

async fn the_last_temporary_care_places_go_to_exactly_the_ratio(db: Db) {
    let first = spawn_app(db).await;
    let second = second_server(&first).await.0;
    // Infants (age 0): three children per member of staff, so With-I's three staff
    // take nine of them in one hour, whatever 64 families want.
    let InfantHour {
        birth,
        capacity,
        start,
        end,
    } = first_infant_hour(&first).await;
    assert!(capacity > 0 && capacity < CLIENTS, "capacity {capacity}");
    let mut families = Vec::new();
    for i in 0..CLIENTS {
        let server = if i % 2 == 0 { &first } else { &second };
        let (client, child) =
            another_family(server, "kiyose", &format!("hour{i}@example.jp"), birth).await;
        let body = json!({"service": "temporary-care", "site": "with-i", "children": [child],
            "period": {"kind": "hours", "start": start, "end": end}});
        families.push((client, body));
    }
    let (statuses, peak) = race([&first, &second], "with-i", families).await;
    let ok = statuses.iter().filter(|s| **s == 201).count();
    let full = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(
        ok, capacity,
        "exactly the places the ratio allows: {statuses:?}"
    );
    assert_eq!(full, CLIENTS - capacity, "{statuses:?}");
    assert!(
        peak as usize <= capacity,
        "never more than {capacity} held (saw {peak})"
    );
    // A server begins the transaction of its next round ahead while requests
    // keep coming (PostgreSQL); once they stop, none is left idle in a
    // transaction, and the next booking still goes through.
    if db == Db::Postgres {
        no_transaction_left_idle(&first).await;
    }
    let (late, child) = another_family(&first, "kiyose", "hour-late@example.jp", birth).await;
    let later = first_infant_hour(&first).await;
    let res = late
        .post_json(
            "/api/v1/bookings",
            &json!({"service": "temporary-care", "site": "with-i", "children": [child],
                "period": {"kind": "hours", "start": later.start, "end": later.end}}),
        )
        .await;
    assert_eq!(
        res.status().as_u16(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

/// Waits (at most ten seconds) until no connection to `app`'s database is
/// idle in a transaction.
async fn no_transaction_left_idle(app: &TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT COUNT(*) AS n FROM pg_stat_activity \
               WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND state LIKE 'idle in transaction%'";
    let mut idle = -1;
    for _ in 0..100 {
        let row = app
            .db
            .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .expect("pg_stat_activity")
            .expect("a row");
        idle = row.try_get::<i64>("", "n").expect("n");
        if idle == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{idle} connections still idle in a transaction");
}

/// One server's booking rounds keep what they hold on the days they lock; the
/// other server's bookings and cancellations on those days must be seen, or the
/// first would give out the last place twice, or never give back a freed one.
async fn what_one_server_knows_of_a_day_gives_way_to_the_other_servers_bookings(db: Db) {
    let first = spawn_app(db).await;
    let second = second_server(&first).await.0;
    let InfantHour {
        birth,
        capacity,
        start,
        end,
    } = first_infant_hour(&first).await;
    assert!(capacity >= 2, "capacity {capacity}");
    let book = |server: &TestApp, i: usize| {
        let server = server.another_browser();
        let (start, end) = (start.clone(), end.clone());
        async move {
            let (client, child) =
                another_family(&server, "kiyose", &format!("kept{i}@example.jp"), birth).await;
            let body = json!({"service": "temporary-care", "site": "with-i", "children": [child],
                "period": {"kind": "hours", "start": start, "end": end}});
            let res = client.post_json("/api/v1/bookings", &body).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or_default();
            (client, status, body)
        }
    };
    // The first server books all but the last place, one by one.
    for i in 0..capacity - 1 {
        let (_, status, body) = book(&first, i).await;
        assert_eq!(status, 201, "place {i}: {body}");
    }
    // The second server takes the last one.
    let (last, status, last_body) = book(&second, capacity).await;
    assert_eq!(status, 201, "the last place: {last_body}");
    // The first server must see it: the hour is full.
    let (_, status, body) = book(&first, capacity + 1).await;
    assert_eq!(status, 409, "the hour is full: {body}");
    assert_eq!(holding_on(&first, "with-i").await as usize, capacity);
    // The second server's family cancels; the first server gives the place out again.
    let id = last_body["id"].as_str().expect("id").to_owned();
    let res = last
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status().as_u16(), 200, "cancelled");
    let (_, status, body) = book(&first, capacity + 2).await;
    assert_eq!(status, 201, "the freed place: {body}");
    let (_, status, body) = book(&first, capacity + 3).await;
    assert_eq!(status, 409, "full again: {body}");
    assert_eq!(holding_on(&first, "with-i").await as usize, capacity);
}

/// Days closed one after another while 16 families (half on each server) book them.
const CLOSED_DAYS: usize = 8;

/// An open day at With-I with its free one-hour slots (start, end).
type OpenDay = (NaiveDate, Vec<(String, String)>);

/// The first `n` open days at With-I from today, each with its free one-hour
/// slots (at least four).
async fn open_days(app: &TestApp, n: usize) -> Vec<OpenDay> {
    let birth = NaiveDate::from_ymd_opt(2021, 6, 1).expect("date");
    let cal = app
        .calendar(
            "temporary-care",
            "with-i",
            &format!("&minutes=60&birth_dates={birth}"),
        )
        .await;
    let mut days: Vec<OpenDay> = Vec::new();
    for d in cal["sites"][0]["days"].as_array().expect("days") {
        let slots: Vec<(String, String)> = d["slots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["remaining"].as_u64().unwrap_or(0) > 0)
            .map(|s| {
                let cut = |k: &str| s[k].as_str().expect("time")[..19].to_owned();
                (cut("start"), cut("end"))
            })
            .collect();
        if slots.len() >= 4 {
            let date = d["date"].as_str().expect("date").parse().expect("date");
            days.push((date, slots));
        }
    }
    days.truncate(n);
    assert_eq!(days.len(), n, "open days at With-I");
    days
}

/// Closes `days` one after another as the coordinator, pointing `target` at
/// each a moment before; then stops the families with `done`. Returns the
/// bookings each closure listed.
async fn close_one_by_one(
    app: &TestApp,
    days: &[OpenDay],
    target: &AtomicUsize,
    done: &AtomicBool,
) -> Vec<Vec<String>> {
    let coord = app.another_browser();
    coord.sign_in_demo("coordinator@example.jp").await;
    let mut listed: Vec<Vec<String>> = Vec::new();
    for (k, (date, _)) in days.iter().enumerate() {
        target.store(k, Ordering::Relaxed);
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        let res = coord
            .post_json(
                "/api/v1/console/sites/with-i/closures",
                &json!({"date": date, "reason": "設備点検"}),
            )
            .await;
        assert_eq!(res.status(), 200, "close {date}");
        let out: Value = res.json().await.expect("json");
        listed.push(
            out["affected"]
                .as_array()
                .expect("affected")
                .iter()
                .map(|b| b["id"].as_str().expect("id").to_owned())
                .collect(),
        );
    }
    done.store(true, Ordering::Relaxed);
    listed
}

/// Every booking held on a closed day is one its closure listed.
async fn nothing_after_the_closures(app: &TestApp, days: &[OpenDay], listed: &[Vec<String>]) {
    let site = site_id(app, "with-i").await;
    for ((date, _), listed) in days.iter().zip(listed) {
        let day = hagukumi_domain::availability::Interval::local_day(*date);
        let held: Vec<String> = booking::Entity::find()
            .filter(booking::Column::SiteId.eq(site))
            .filter(booking::Column::Status.is_in(HOLDING))
            .filter(booking::Column::StartsAt.gte(day.start()))
            .filter(booking::Column::StartsAt.lt(day.end()))
            .all(&app.db)
            .await
            .expect("bookings")
            .into_iter()
            .map(|b| b.id.to_string())
            .collect();
        let late: Vec<&String> = held.iter().filter(|id| !listed.contains(id)).collect();
        assert!(
            late.is_empty(),
            "{date} was closed, yet {} booking(s) were made or moved there after: {late:?}",
            late.len()
        );
    }
}

/// A family that, until `done`, keeps posting to `path` the body `body(start,
/// end)` for a slot of the day `target` points at (each try the next slot,
/// starting from its own). Returns how many were accepted (2xx); refused ones
/// (full, clashing with the family's own, closed) are all fine here.
fn keep_asking(
    client: TestApp,
    i: usize,
    days: Arc<Vec<OpenDay>>,
    target: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    path: String,
    body: impl Fn(&str, &str) -> Value + Send + 'static,
) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let (mut tries, mut accepted) = (0, 0);
        while !done.load(Ordering::Relaxed) {
            let (_, slots) = &days[target.load(Ordering::Relaxed)];
            let (start, end) = &slots[(i + tries) % slots.len()];
            if client
                .post_json(&path, &body(start, end))
                .await
                .status()
                .is_success()
            {
                accepted += 1;
            }
            tries += 1;
        }
        accepted
    })
}

/// A coordinator closes a day while families are booking it: the day keeps the
/// bookings the closure listed and takes none after it. A closure locks the days
/// it touches until it commits; on PostgreSQL a booking round reads its sites
/// before it takes those locks, so what it read can be older than the closure.
async fn a_day_closed_while_families_book_it_takes_no_booking_after(db: Db) {
    let first = spawn_app(db).await;
    let second = second_server(&first).await.0;
    let birth = NaiveDate::from_ymd_opt(2021, 6, 1).expect("date");
    let days = Arc::new(open_days(&first, CLOSED_DAYS).await);

    let target = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mut families = Vec::new();
    for i in 0..16 {
        let server = if i % 2 == 0 { &first } else { &second };
        let (client, child) =
            another_family(server, "kiyose", &format!("closing{i}@example.jp"), birth).await;
        families.push(keep_asking(
            client,
            i,
            days.clone(),
            target.clone(),
            done.clone(),
            "/api/v1/bookings".to_owned(),
            move |start, end| {
                json!({"service": "temporary-care", "site": "with-i", "children": [child],
                    "period": {"kind": "hours", "start": start, "end": end}})
            },
        ));
    }

    let listed = close_one_by_one(&first, &days, &target, &done).await;
    for f in families {
        f.await.expect("family");
    }
    nothing_after_the_closures(&first, &days, &listed).await;
    // The families were booking those days when they closed.
    assert!(
        listed.iter().map(Vec::len).sum::<usize>() > 0,
        "no booking was made before the closures"
    );
}

/// The same race with changes: families who booked a later day keep moving
/// their booking onto the day being closed. A change locks the booking's old
/// and new days and reads the site again under them, as a new booking does;
/// no booking may be moved onto a day after its closure.
async fn a_day_closed_while_families_move_onto_it_takes_no_booking_after(db: Db) {
    let first = spawn_app(db).await;
    let second = second_server(&first).await.0;
    let birth = NaiveDate::from_ymd_opt(2021, 6, 1).expect("date");
    let mut days = open_days(&first, CLOSED_DAYS + 1).await;
    // Each family's booking starts on the day after the ones that close.
    let (_, home) = days.pop().expect("a later day");
    let days = Arc::new(days);

    let target = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mut families = Vec::new();
    for i in 0..16 {
        let server = if i % 2 == 0 { &first } else { &second };
        let (client, child) =
            another_family(server, "kiyose", &format!("moving{i}@example.jp"), birth).await;
        let (start, end) = &home[i % home.len()];
        let res = client
            .post_json(
                "/api/v1/bookings",
                &json!({"service": "temporary-care", "site": "with-i", "children": [child],
                    "period": {"kind": "hours", "start": start, "end": end}}),
            )
            .await;
        assert_eq!(res.status(), 201, "family {i} books the later day");
        let id = res.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        families.push(keep_asking(
            client,
            i,
            days.clone(),
            target.clone(),
            done.clone(),
            format!("/api/v1/bookings/{id}/change"),
            |start, end| json!({"period": {"kind": "hours", "start": start, "end": end}}),
        ));
    }

    let listed = close_one_by_one(&first, &days, &target, &done).await;
    let mut moved = 0;
    for f in families {
        moved += f.await.expect("family");
    }
    nothing_after_the_closures(&first, &days, &listed).await;
    // The families were moving onto those days when they closed.
    assert!(moved > 0, "no booking was moved before the closures");
}
