//! Benchmark: how many outbox messages per second the worker delivers to a
//! local SMTP server. Enqueues N booking confirmations (HTML + text + .ics)
//! into a fresh database, then drains the outbox with the real worker and
//! lettre's pooled SMTP transport, and prints the rate.
//!
//! ```text
//! .venv/bin/pip install -r tests/requirements.txt
//! cargo run --release -p hagukumi-server --bin outbox_bench -- [messages] [workers] [postgres-url]
//! ```
//! Without an URL it uses a fresh SQLite file. The SMTP server is
//! `tests/smtp/sink.py --discard` (aiosmtpd), started here.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hagukumi_domain::{Lang, Text};
use hagukumi_server::mail::settings::TransportKind;
use hagukumi_server::mail::{self, BookingInfo, MailEvent, Recipient, Worker};
use hagukumi_server::{Settings, db};
use sea_orm::{ConnectionTrait, TransactionTrait};
use secrecy::SecretString;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let workers: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or_else(|| anyhow::anyhow!("repository root"))?
        .to_path_buf();
    let tmp =
        std::env::temp_dir().join(format!("hagukumi-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&tmp)?;

    let url = match args.get(3) {
        Some(base) => {
            let name = format!("hgk_bench_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(format!("{base}/test")).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            format!("{base}/{name}")
        }
        None => format!("sqlite://{}/bench.db?mode=rwc", tmp.display()),
    };

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut sink = tokio::process::Command::new(root.join(".venv/bin/python"))
        .arg(root.join("tests/smtp/sink.py"))
        .args(["--port", &port.to_string(), "--discard", "--dir"])
        .arg(&tmp)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(
        sink.stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("stdout"))?,
    )
    .lines();
    lines.next_line().await?;

    let mut settings = Settings::default();
    settings.database.url = SecretString::from(url.clone());
    settings.mail.transport = TransportKind::Smtp;
    settings.mail.smtp.port = port;
    settings.mail.smtp.pool_size = 8;
    settings.mail.batch_size = 64;
    let settings = Arc::new(settings);
    let conn = db::connect(&settings.database).await?;
    db::migrate(&conn).await?;

    let started = Instant::now();
    for chunk in 0..n.div_ceil(100) {
        let txn = conn.begin().await?;
        for i in chunk * 100..((chunk + 1) * 100).min(n) {
            let start = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
                + chrono::Duration::minutes(i as i64);
            let booking = BookingInfo {
                booking_id: uuid::Uuid::now_v7(),
                reference: format!("HG-{i:06}"),
                service: Text::new("一時預かり", "Temporary care"),
                place: Some(Text::new("With-I", "With-I")),
                starts_at: start,
                ends_at: start + chrono::Duration::hours(3),
                child_given_name: Some("さくら".into()),
            };
            let to = Recipient::Address {
                email: format!("parent-{i}@example.jp"),
                name: "清瀬 花子".into(),
                lang: Lang::Ja,
            };
            mail::enqueue(&txn, &settings, to, MailEvent::BookingConfirmed { booking }).await?;
        }
        txn.commit().await?;
    }
    let enqueue = started.elapsed();

    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..workers {
        let w = Worker::new(conn.clone(), settings.clone())?;
        tasks.push(tokio::spawn(async move { w.drain().await }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await??.sent;
    }
    let took = started.elapsed();
    let _ = sink.start_kill();
    let kind = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "enqueued {n} messages in {:.2} s ({:.0}/s, {kind})",
        enqueue.as_secs_f64(),
        n as f64 / enqueue.as_secs_f64()
    );
    println!(
        "delivered {sent} of {n} messages to the local SMTP server in {:.2} s with {workers} worker(s), pool of {}: {:.0} messages/s",
        took.as_secs_f64(),
        settings.mail.smtp.pool_size,
        sent as f64
            / took
                .as_secs_f64()
                .max(Duration::from_millis(1).as_secs_f64())
    );
    let _ = std::fs::remove_dir_all(&tmp);
    conn.close().await?;
    if let (Some(base), Some(name)) = (args.get(3), url.rsplit('/').next()) {
        let admin = sea_orm::Database::connect(format!("{base}/test")).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
            .await?;
    }
    Ok(())
}
