//! Load program (prints figures; asserts nothing): the real server in-process on a
//! fresh SQLite file and a fresh PostgreSQL database, and for each
//!
//! 1. the database's plain single-row `INSERT` rate with 32 concurrent tasks (the
//!    yardstick, measured in the same run on the same pool settings),
//! 2. booking throughput: 32 families, each with its own session, POST bookings
//!    as fast as they can (temporary care, spread over the month's hours),
//! 3. availability latency: a 31-day temporary-care calendar requested at a steady
//!    200 requests/s, p50/p99 over the run,
//!
//! then the process's peak memory (VmHWM: server and clients together).
//!
//! `cargo run --release -p hagukumi-tests --example loadtest` (PostgreSQL from
//! `HAGUKUMI_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`; set
//! `LOADTEST_SECONDS` to change the 5 s phases).

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

/// Plain single-row INSERTs (autocommit) from 32 tasks for `secs`.
async fn insert_rate(db: &DatabaseConnection, secs: u64, tasks_n: usize) -> anyhow::Result<f64> {
    db.execute_unprepared("CREATE TABLE load_plain (id VARCHAR(36) PRIMARY KEY, payload TEXT NOT NULL, at VARCHAR(40) NOT NULL)")
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
    Ok(count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// A family with one preschool child and a session, as a client of `address`.
async fn family(
    db: &DatabaseConnection,
    address: &str,
    i: usize,
) -> anyhow::Result<(reqwest::Client, String, String)> {
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
    let cid = Uuid::now_v7();
    child::ActiveModel {
        id: Set(cid),
        municipality_id: Set(m.id),
        household_id: Set(hid),
        family_name: Set("負荷".into()),
        given_name: Set(format!("{i}")),
        birth_date: Set(NaiveDate::from_ymd_opt(2021, 6, 1)),
        due_date: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
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
    Ok((client, csrf, cid.to_string()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
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
    let inserts = insert_rate(&yard, secs, nc).await?;
    println!("plain single-row INSERT, {nc} tasks, {secs} s: {inserts:.0} rows/s");

    // The month's bookable hours at With-I (1-hour slots on the hour).
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    let to = today + chrono::Duration::days(30);
    let cal: Value = reqwest::get(format!(
        "{address}/api/v1/services/temporary-care/availability?from={today}&to={to}&site=with-i&minutes=60&birth_dates=2021-06-01"
    ))
    .await?
    .json()
    .await?;
    let mut slots: Vec<(String, String)> = Vec::new();
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
    let slots = Arc::new(slots);
    println!(
        "bookable 1-hour slots at With-I in the next 31 days: {}",
        slots.len()
    );

    let mut families = Vec::new();
    for i in 0..nc {
        families.push(family(&db, &address, i).await?);
    }
    let created = Arc::new(AtomicU64::new(0));
    let full = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let statements_before = hagukumi_server::db::statements();
    let rounds_before = hagukumi_server::booking::group::rounds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (client, csrf, child)) in families.into_iter().enumerate() {
        let (slots, created, full, other, address) = (
            slots.clone(),
            created.clone(),
            full.clone(),
            other.clone(),
            address.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Each family walks the month from its own offset, so the 32 clients
            // mostly book different days at any moment, as families do.
            let n = slots.len().max(1);
            let mut j = i * n / nc;
            let mut taken = 0;
            while Instant::now() < deadline && taken < n {
                let (start, end) = &slots[j % n];
                let body = json!({"service": "temporary-care", "site": "with-i", "children": [child],
                    "period": {"kind": "hours", "start": start, "end": end}});
                let res = client
                    .post(format!("{address}/api/v1/bookings"))
                    .header("x-csrf-token", &csrf)
                    .json(&body)
                    .send()
                    .await;
                match res.map(|r| r.status().as_u16()) {
                    Ok(201) => created.fetch_add(1, Ordering::Relaxed),
                    Ok(409) => full.fetch_add(1, Ordering::Relaxed),
                    _ => other.fetch_add(1, Ordering::Relaxed),
                };
                j += 1;
                taken += 1;
            }
        }));
    }
    for t in tasks {
        t.await?;
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
    let answered = made + full.load(Ordering::Relaxed) as f64;
    println!(
        "statements per booking request (session, checks, decision, writes, answer; BEGIN/COMMIT not counted): {:.1}",
        statements as f64 / answered.max(1.0)
    );
    let (rounds, requests, micros) = (
        rounds_after.0 - rounds_before.0,
        rounds_after.1 - rounds_before.1,
        rounds_after.2 - rounds_before.2,
    );
    println!(
        "booking transactions (group commit): {rounds}, {:.1} requests each, {:.2} ms each, busy {:.0} % of the time",
        requests as f64 / rounds.max(1) as f64,
        micros as f64 / 1000.0 / rounds.max(1) as f64,
        micros as f64 / 1e6 / elapsed * 100.0
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
    for kind in ["sqlite", "postgres"] {
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
