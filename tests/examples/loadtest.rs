//! Load program (prints figures; asserts nothing): the real server in-process on a
//! fresh SQLite file and a fresh PostgreSQL database, and for each
//!
//! 1. the database's plain single-row `INSERT` rate with 32 concurrent tasks (the
//!    yardstick, measured in the same run on the same pool settings, before the
//!    bookings and again right after them),
//! 2. the floor under any booking: the same 32 families' authenticated
//!    `GET /api/v1/me` (HTTP, the session read, a JSON answer),
//! 3. booking throughput: 32 families, each with its own session, POST bookings
//!    as fast as they can (temporary care, spread over the month's hours, each
//!    hour for two of the family's children in turn), after a warm-up of one
//!    booking per family at another site (see [`warm_up`]), with where a
//!    booking transaction's time goes,
//! 4. availability latency: a 31-day temporary-care calendar requested at a steady
//!    200 requests/s, p50/p99 over the run,
//!
//! the first three with the CPU time per request (this process, and the whole machine: on
//! PostgreSQL the database's own processes), then the process's peak memory
//! (VmHWM: server and clients together). The program uses the server binary's
//! allocator. The booking and `/me` clients are bare HTTP/1.1 connections
//! ([`Bare`]), the availability clients reqwest.
//!
//! `cargo run --release -p hagukumi-tests --example loadtest` (PostgreSQL from
//! `HAGUKUMI_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`; set
//! `LOADTEST_SECONDS` to change the 5 s phases, `LOADTEST_DATABASES=postgres` or
//! `sqlite` to run one of the two).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use hagukumi_server::entities::{child, household, municipality, user};
use hagukumi_server::startup::Application;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, Set, Statement,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

/// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Concurrent clients (`LOADTEST_CLIENTS`, default 32).
fn clients() -> usize {
    std::env::var("LOADTEST_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32)
}
const RATE: u64 = 200;

fn seconds() -> u64 {
    std::env::var("LOADTEST_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
}

fn pg_base() -> String {
    std::env::var("HAGUKUMI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        .unwrap_or_else(|| "n/a".into())
}

async fn fresh(kind: &str) -> anyhow::Result<String> {
    let name = format!("hgk_load_{}", Uuid::new_v4().simple());
    if kind == "sqlite" {
        let dir = std::env::temp_dir().join("hagukumi-load");
        std::fs::create_dir_all(&dir)?;
        return Ok(format!("sqlite://{}/{name}.db?mode=rwc", dir.display()));
    }
    let admin = Database::connect(format!("{}/test", pg_base())).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    admin.close().await?;
    Ok(format!("{}/{name}", pg_base()))
}

/// Plain single-row INSERTs (autocommit) from 32 tasks for `secs` (into the
/// same table when measured again).
/// Returns (rows per second, rows).
async fn insert_rate(
    db: &DatabaseConnection,
    secs: u64,
    tasks_n: usize,
) -> anyhow::Result<(f64, f64)> {
    db.execute_unprepared("CREATE TABLE IF NOT EXISTS load_plain (id VARCHAR(36) PRIMARY KEY, payload TEXT NOT NULL, at VARCHAR(40) NOT NULL)")
        .await?;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "INSERT INTO load_plain (id, payload, at) VALUES ($1, $2, $3)",
        _ => "INSERT INTO load_plain (id, payload, at) VALUES (?, ?, ?)",
    };
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..tasks_n {
        let (db, count) = (db.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let stmt = Statement::from_sql_and_values(
                    backend,
                    sql,
                    [
                        Uuid::now_v7().to_string().into(),
                        "a booking-sized payload of some forty bytes".into(),
                        Utc::now().to_rfc3339().into(),
                    ],
                );
                if db.execute_raw(stmt).await.is_ok() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let started = Instant::now();
    for t in tasks {
        t.await?;
    }
    let rows = count.load(Ordering::Relaxed) as f64;
    Ok((rows / started.elapsed().as_secs_f64(), rows))
}

/// A family signed in: its session and CSRF tokens and its children's ids.
struct Family {
    session: String,
    csrf: String,
    /// The first is booked once before the clock (see [`warm_up`]), the
    /// others into every hour of the month while it runs.
    children: Vec<String>,
}

/// The children of each load family, by birth date: class ages 4 and 5 on
/// 1 April 2026 (one member of staff per 25), so the 32 families' 64 children
/// booked into the same hour need With-I's three staff and no more.
const BIRTHS: [(i32, u32, u32); 3] = [(2021, 6, 1), (2021, 6, 1), (2020, 9, 1)];

/// A family with three preschool children and a session, as a client of `address`.
async fn family(db: &DatabaseConnection, address: &str, i: usize) -> anyhow::Result<Family> {
    let m = municipality::Entity::find()
        .filter(municipality::Column::Code.eq("kiyose"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no Kiyose"))?;
    let now = Utc::now();
    let uid = Uuid::now_v7();
    user::ActiveModel {
        id: Set(uid),
        municipality_id: Set(m.id),
        email: Set(format!("load{i}@example.jp")),
        password_hash: Set("-".into()),
        display_name: Set(format!("load {i}")),
        role: Set("parent".into()),
        locale: Set("ja".into()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let hid = Uuid::now_v7();
    household::ActiveModel {
        id: Set(hid),
        municipality_id: Set(m.id),
        user_id: Set(Some(uid)),
        single_parent: Set(false),
        single_parent_since: Set(None),
        public_assistance: Set(false),
        tax_exempt: Set(false),
        multiple_birth: Set(false),
        area: Set(None),
        facts_confirmed_at: Set(None),
        facts_confirmed_by: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let mut children = Vec::new();
    for (k, (y, m_, d)) in BIRTHS.into_iter().enumerate() {
        let cid = Uuid::now_v7();
        child::ActiveModel {
            id: Set(cid),
            municipality_id: Set(m.id),
            household_id: Set(hid),
            family_name: Set("負荷".into()),
            given_name: Set(format!("{i}-{k}")),
            birth_date: Set(NaiveDate::from_ymd_opt(y, m_, d)),
            due_date: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        children.push(cid.to_string());
    }
    let token = hagukumi_server::auth::session::create(db, uid, 1).await?;
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let url: reqwest::Url = address.parse()?;
    jar.add_cookie_str(&format!("hgk_session={token}; Path=/"), &url);
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()?;
    client.get(format!("{address}/healthz")).send().await?;
    use reqwest::cookie::CookieStore;
    let csrf = jar
        .cookies(&url)
        .and_then(|h| h.to_str().ok().map(str::to_owned))
        .and_then(|h| {
            h.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == "hgk_csrf")
                .map(|(_, v)| v.to_owned())
        })
        .unwrap_or_default();
    Ok(Family {
        session: token,
        csrf,
        children,
    })
}

/// A bare HTTP/1.1 client on one keep-alive connection, one request at a time:
/// what a family's browser sends, with nothing of a general client's own
/// work (a connection pool, a cookie jar, URL parsing, redirects). The load
/// program shares the machine's two cores with the server it measures, and
/// the yardstick beside it pays for no HTTP client at all; reqwest's work
/// per request was about a sixth of the process's CPU in the booking phase.
struct Bare {
    conn: tokio::io::BufReader<tokio::net::TcpStream>,
    host: String,
    /// The family's `Cookie` and `X-CSRF-Token` header lines.
    auth: String,
}

impl Bare {
    async fn connect(address: &str, family: &Family) -> anyhow::Result<Bare> {
        let host = address.trim_start_matches("http://").to_owned();
        let stream = tokio::net::TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let auth = format!(
            "Cookie: hgk_session={}; hgk_csrf={}\r\nX-CSRF-Token: {}\r\n",
            family.session, family.csrf, family.csrf
        );
        Ok(Bare {
            conn: tokio::io::BufReader::new(stream),
            host,
            auth,
        })
    }

    /// A connection for each family, opened before a phase's clock starts,
    /// as a browser's is before a family presses "book": a connection's
    /// set-up is not a request's work.
    async fn connect_all(address: &str, families: &[Family]) -> anyhow::Result<Vec<Bare>> {
        let mut clients = Vec::with_capacity(families.len());
        for f in families {
            clients.push(Bare::connect(address, f).await?);
        }
        Ok(clients)
    }

    /// Sends one request and reads its answer to the end: its status.
    async fn send(&mut self, method: &str, path: &str, json: Option<&[u8]>) -> anyhow::Result<u16> {
        use tokio::io::AsyncWriteExt;
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{}",
            self.host, self.auth
        )
        .into_bytes();
        if let Some(body) = json {
            req.extend_from_slice(
                format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            req.extend_from_slice(body);
        } else {
            req.extend_from_slice(b"\r\n");
        }
        self.conn.get_mut().write_all(&req).await?;
        self.response().await
    }

    async fn response(&mut self) -> anyhow::Result<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt};
        let mut line = Vec::new();
        self.conn.read_until(b'\n', &mut line).await?;
        let status: u16 = std::str::from_utf8(&line)?
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("not an HTTP status line"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            if self.conn.read_until(b'\n', &mut line).await? == 0 {
                anyhow::bail!("the connection closed in the headers");
            }
            if line == b"\r\n" {
                break;
            }
            let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
            if let Some((name, value)) = text.split_once(':') {
                match name.trim() {
                    "content-length" => length = value.trim().parse::<usize>().ok(),
                    "transfer-encoding" => chunked = value.contains("chunked"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.conn.read_until(b'\n', &mut line).await?;
                let hex = std::str::from_utf8(&line)?.trim();
                let size = usize::from_str_radix(hex.split(';').next().unwrap_or(""), 16)?;
                let at = body.len();
                body.resize(at + size + 2, 0); // the chunk and its CRLF
                self.conn.read_exact(&mut body[at..]).await?;
                body.truncate(at + size);
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.conn.read_exact(&mut body).await?;
        } else {
            anyhow::bail!("an answer without a length");
        }
        Ok(status)
    }
}

/// CPU time of this process (user + system) and of the whole machine (busy,
/// all cores), in seconds, from `/proc`: CPU per request next to the rates.
fn cpu() -> (f64, f64) {
    let tick = 100.0; // USER_HZ on Linux
    let own = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) / tick)
        })
        .unwrap_or(f64::NAN);
    let machine = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<f64> = s
                .lines()
                .next()?
                .split_whitespace()
                .skip(1)
                .filter_map(|v| v.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal
            let idle = f.get(3)? + f.get(4)?;
            Some((f.iter().take(8).sum::<f64>() - idle) / tick)
        })
        .unwrap_or(f64::NAN);
    (own, machine)
}

/// "x µs CPU per op (process), y µs (machine)" for `n` operations since `from`.
fn cpu_per(from: (f64, f64), n: f64) -> String {
    let now = cpu();
    format!(
        "{:.0} µs CPU each in this process, {:.0} µs on the whole machine",
        (now.0 - from.0) / n.max(1.0) * 1e6,
        (now.1 - from.1) / n.max(1.0) * 1e6
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The bookable 1-hour slots on the hour at temporary-care `site` from
/// `from` to `to`, as (start, end) local times.
async fn hours(
    address: &str,
    site: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Vec<(String, String)>> {
    let cal: Value = reqwest::get(format!(
        "{address}/api/v1/services/temporary-care/availability?from={from}&to={to}&site={site}&minutes=60&birth_dates=2021-06-01"
    ))
    .await?
    .json()
    .await?;
    let mut slots = Vec::new();
    for d in cal["sites"][0]["days"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        for s in d["slots"].as_array().cloned().unwrap_or_default() {
            let (start, end) = (
                s["start"].as_str().unwrap_or(""),
                s["end"].as_str().unwrap_or(""),
            );
            if start.len() >= 19 && &start[14..16] == "00" {
                slots.push((start[..19].to_owned(), end[..19].to_owned()));
            }
        }
    }
    Ok(slots)
}

/// A temporary-care booking of `child` at `site` for one slot of [`hours`].
fn booking_body(site: &str, child: &str, (start, end): &(String, String)) -> Vec<u8> {
    let body = json!({"service": "temporary-care", "site": site, "children": [child],
        "period": {"kind": "hours", "start": start, "end": end}});
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Before the clock: each family books one hour at the Shimojuku center for
/// its first child, all at once, on the connections the measured phase then
/// uses. A server that has been up for a while has its booking connections
/// open and their statements prepared; a fresh one opened and prepared them
/// in the measured phase's first tenth of a second, which then made a quarter
/// to two fifths of the bookings of the tenths after it (warmed, about three
/// fifths: each day's held places are still read on its first booking).
/// Returns the bookings made.
async fn warm_up(
    address: &str,
    clients: Vec<Bare>,
    families: &[Family],
    (from, to): (NaiveDate, NaiveDate),
) -> anyhow::Result<(Vec<Bare>, usize)> {
    let slots = hours(address, "shimojuku", from, to).await?;
    if slots.is_empty() {
        anyhow::bail!("no bookable hour at Shimojuku to warm up with");
    }
    let mut tasks = Vec::new();
    for (i, (f, mut client)) in families.iter().zip(clients).enumerate() {
        let body = booking_body("shimojuku", &f.children[0], &slots[i % slots.len()]);
        tasks.push(tokio::spawn(async move {
            let status = client.send("POST", "/api/v1/bookings", Some(&body)).await;
            (client, matches!(status, Ok(201)))
        }));
    }
    let (mut clients, mut made) = (Vec::new(), 0);
    for t in tasks {
        let (client, ok) = t.await?;
        clients.push(client);
        made += usize::from(ok);
    }
    Ok((clients, made))
}

async fn run(kind: &str) -> anyhow::Result<()> {
    let secs = seconds();
    let nc = clients();
    let url = fresh(kind).await?;
    let mut settings = hagukumi_server::Settings::default();
    settings.server.port = 0;
    settings.database.url = SecretString::from(url.clone());
    settings.database.max_connections = 16;
    settings.mail.worker_enabled = false;
    settings.mail.file_dir = std::env::temp_dir()
        .join("hagukumi-load/mail")
        .display()
        .to_string();
    let app = Application::build(settings.clone()).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let label = if kind == "sqlite" {
        "SQLite (file, WAL, synchronous=NORMAL)"
    } else {
        "PostgreSQL (local, trust)"
    };
    println!("== {label} ==");

    // The yardstick, on its own pool with the server's settings.
    let yard = hagukumi_server::db::connect(&settings.database).await?;
    let cpu0 = cpu();
    let (inserts, rows) = insert_rate(&yard, secs, nc).await?;
    println!(
        "plain single-row INSERT, {nc} tasks, {secs} s: {inserts:.0} rows/s ({})",
        cpu_per(cpu0, rows)
    );

    // The month's bookable hours at With-I (1-hour slots on the hour).
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    let to = today + chrono::Duration::days(30);
    let slots = Arc::new(hours(&address, "with-i", today, to).await?);
    println!(
        "bookable 1-hour slots at With-I in the next 31 days: {}",
        slots.len()
    );

    let mut families = Vec::new();
    for i in 0..nc {
        families.push(family(&db, &address, i).await?);
    }
    // The floor under any booking: an authenticated request that reads the
    // session and answers, from the same clients.
    let me_clients = Bare::connect_all(&address, &families).await?;
    let cpu0 = cpu();
    let started = Instant::now();
    let me_deadline = started + Duration::from_secs(secs.min(2));
    let mut tasks = Vec::new();
    for mut client in me_clients {
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < me_deadline {
                if let Ok(200) = client.send("GET", "/api/v1/me", None).await {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut me = 0u64;
    for t in tasks {
        me += t.await?;
    }
    let me_rate = me as f64 / started.elapsed().as_secs_f64();
    println!(
        "authenticated GET /api/v1/me, {nc} clients: {me_rate:.0} requests/s = {:.2} of the plain insert rate ({})",
        me_rate / inserts,
        cpu_per(cpu0, me as f64)
    );

    let created = Arc::new(AtomicU64::new(0));
    let full = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let clients = Bare::connect_all(&address, &families).await?;
    let (clients, warm) = warm_up(&address, clients, &families, (today, to)).await?;
    println!(
        "warm-up before the clock: {warm} of {nc} bookings made at Shimojuku, one per family, all at once"
    );
    let deadline = Instant::now() + Duration::from_secs(secs);
    let statements_before = hagukumi_server::db::statements();
    let rounds_before = hagukumi_server::booking::group::rounds();
    let phases_before = hagukumi_server::booking::group::phases();
    // Bookings made in each tenth of a second: a stall (a checkpoint, say)
    // shows as a dip, the start as the connections' first statements.
    let tenths: Arc<Vec<AtomicU64>> =
        Arc::new((0..=secs * 10).map(|_| AtomicU64::new(0)).collect());
    let cpu0 = cpu();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (f, mut client)) in families.into_iter().zip(clients).enumerate() {
        let (slots, created, full, other, tenths) = (
            slots.clone(),
            created.clone(),
            full.clone(),
            other.clone(),
            tenths.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Each family walks the month from its own offset, so the 32 clients
            // mostly book different days at any moment, as families do, and
            // books each hour for its second and third child in turn.
            let n = slots.len().max(1);
            let mut j = i * n / nc;
            let mut taken = 0;
            'walk: while taken < n {
                for child in &f.children[1..] {
                    if Instant::now() >= deadline {
                        break 'walk;
                    }
                    let body = booking_body("with-i", child, &slots[j % n]);
                    // The answer is read to its end, as a client does.
                    let status = client.send("POST", "/api/v1/bookings", Some(&body)).await;
                    if matches!(status, Ok(201)) {
                        let tenth = (started.elapsed().as_millis() / 100) as usize;
                        tenths[tenth.min(tenths.len() - 1)].fetch_add(1, Ordering::Relaxed);
                    }
                    match status {
                        Ok(201) => created.fetch_add(1, Ordering::Relaxed),
                        Ok(409) => full.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
                j += 1;
                taken += 1;
            }
            // When this client ran out of slots (or time).
            started.elapsed().as_secs_f64()
        }));
    }
    let mut ends = Vec::new();
    for t in tasks {
        ends.push(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let statements = hagukumi_server::db::statements() - statements_before;
    let rounds_after = hagukumi_server::booking::group::rounds();
    let made = created.load(Ordering::Relaxed) as f64;
    let rate = made / elapsed;
    println!(
        "booking POST, {nc} clients, {elapsed:.1} s: {rate:.0} bookings/s created ({} full → 409, {} other) = {:.2} of the plain insert rate",
        full.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
        rate / inserts
    );
    ends.sort_by(f64::total_cmp);
    let tenths: Vec<u64> = tenths.iter().map(|n| n.load(Ordering::Relaxed)).collect();
    let last = tenths.iter().rposition(|&n| n > 0).unwrap_or(0);
    println!(
        "  bookings made in each 0.1 s: {:?}; the first client was done at {:.2} s, the last at {:.2} s",
        &tenths[..=last],
        ends.first().copied().unwrap_or(0.0),
        ends.last().copied().unwrap_or(0.0)
    );
    let answered = made + full.load(Ordering::Relaxed) as f64;
    println!("  per booking request: {}", cpu_per(cpu0, answered));
    println!(
        "statements per booking request (session, checks, decision, writes, answer; BEGIN/COMMIT not counted): {:.1}",
        statements as f64 / answered.max(1.0)
    );
    let (rounds, requests, micros, waited) = (
        rounds_after.0 - rounds_before.0,
        rounds_after.1 - rounds_before.1,
        rounds_after.2 - rounds_before.2,
        rounds_after.3 - rounds_before.3,
    );
    println!(
        "booking transactions (group commit): {rounds}, {:.1} requests each, {:.2} ms each, {:.2} running on average (PostgreSQL overlaps up to {}); a request waited {:.2} ms for its round",
        requests as f64 / rounds.max(1) as f64,
        micros as f64 / 1000.0 / rounds.max(1) as f64,
        micros as f64 / 1e6 / elapsed,
        hagukumi_server::booking::group::IN_FLIGHT,
        waited as f64 / 1000.0 / requests.max(1) as f64
    );
    let spent = hagukumi_server::booking::group::phases();
    let parts: Vec<String> = hagukumi_server::booking::group::PHASES
        .iter()
        .zip(spent.iter().zip(phases_before))
        .map(|(name, (now, before))| {
            format!(
                "{name} {:.2}",
                (now - before) as f64 / 1000.0 / rounds.max(1) as f64
            )
        })
        .collect();
    println!(
        "  where a transaction's time goes (ms; the locks include waiting for the round before): {}",
        parts.join(", ")
    );
    // The yardstick again, right after the bookings: the host's speed drifts
    // from minute to minute, and the mean of the measurements on either side
    // is the fairer measure for the bookings between them.
    let (again, _) = insert_rate(&yard, secs, nc).await?;
    let mean = (inserts + again) / 2.0;
    println!(
        "plain single-row INSERT again, after the bookings: {again:.0} rows/s; bookings = {:.2} of the mean of the two ({mean:.0} rows/s)",
        rate / mean
    );
    println!("peak memory so far (VmHWM): {}", vm_hwm());

    // Availability at a steady 200 requests/s from 32 clients.
    let clients: Vec<reqwest::Client> = (0..nc).map(|_| reqwest::Client::new()).collect();
    let month_url = format!(
        "{address}/api/v1/services/temporary-care/availability?from={today}&to={to}&site=with-i&birth_dates=2021-06-01"
    );
    // One client, one request at a time: the cost of one calendar.
    let mut alone = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        clients[0].get(&month_url).send().await?.bytes().await?;
        alone.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    alone.sort_by(f64::total_cmp);
    println!(
        "availability GET alone (31 days, sequential): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&alone, 0.50),
        percentile(&alone, 0.99)
    );
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / RATE));
    let total = RATE * secs;
    let mut tasks = Vec::new();
    for k in 0..total {
        tick.tick().await;
        let client = clients[(k as usize) % nc].clone();
        let (url, latencies, errors) = (month_url.clone(), latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = match client.get(&url).send().await {
                Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                _ => false,
            };
            if ok {
                latencies
                    .lock()
                    .await
                    .push(t.elapsed().as_secs_f64() * 1000.0);
            } else {
                errors.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let mut l = latencies.lock().await.clone();
    l.sort_by(f64::total_cmp);
    println!(
        "availability GET (31 days, {made:.0} bookings stored), {RATE} req/s for {secs} s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} ok, {} errors)",
        percentile(&l, 0.50),
        percentile(&l, 0.99),
        l.last().copied().unwrap_or(f64::NAN),
        l.len(),
        errors.load(Ordering::Relaxed)
    );
    println!("peak memory so far (VmHWM): {}", vm_hwm());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `LOADTEST_DATABASES=postgres` (or `sqlite`) runs only that one.
    let only = std::env::var("LOADTEST_DATABASES").unwrap_or_default();
    for kind in ["sqlite", "postgres"] {
        if !only.is_empty() && !only.split(',').any(|k| k.trim() == kind) {
            continue;
        }
        if let Err(e) = run(kind).await {
            println!("{kind}: skipped ({e})");
        }
    }
    println!(
        "peak memory of the whole run (VmHWM, server and clients in one process): {}",
        vm_hwm()
    );
    Ok(())
}
