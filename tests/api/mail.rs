//! Email: the outbox row is written with the change, the worker delivers it
//! (as an `.eml` file by default, or to a real SMTP server started here), and
//! nothing is lost or sent twice when the SMTP server and the server process fail.

use std::time::Duration;

use hagukumi_server::entities::outbox;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    sign_up_mail_is_written_with_the_account_and_listed_for_staff,
    staff_see_a_waiting_booking_email_as_it_will_be_sent
);

/// The outbox rows for one address, oldest first.
pub async fn rows_for(db: &DatabaseConnection, to: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::ToAddress.eq(to))
        .order_by_asc(outbox::Column::CreatedAt)
        .all(db)
        .await
        .expect("outbox rows")
}

/// Waits until no row is pending (or the time is up) and returns all rows.
pub async fn wait_settled(db: &DatabaseConnection, within: Duration) -> Vec<outbox::Model> {
    let start = std::time::Instant::now();
    loop {
        let rows = outbox::Entity::find()
            .order_by_asc(outbox::Column::CreatedAt)
            .all(db)
            .await
            .expect("outbox rows");
        if rows.iter().all(|r| r.status != "pending") || start.elapsed() > within {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn sign_up_mail_is_written_with_the_account_and_listed_for_staff(db: Db) {
    let app = spawn_app_with(db, |s| s.mail.poll_interval_ms = 50).await;

    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":"mail-ja@example.jp","password":"a-long-password","display_name":"森 芽衣"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":"mail-en@example.jp","password":"a-long-password","display_name":"Mei Mori","locale":"en"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // A refused sign-up rolls back, and its email with it.
    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":"mail-ja@example.jp","password":"another-password","display_name":"X"}),
        )
        .await;
    problem(res, 422).await;

    let rows = wait_settled(&app.db, Duration::from_secs(15)).await;
    let ja = rows_for(&app.db, "mail-ja@example.jp").await;
    let en = rows_for(&app.db, "mail-en@example.jp").await;
    assert_eq!((ja.len(), en.len()), (1, 1), "one welcome each: {rows:#?}");
    let (ja, en) = (&ja[0], &en[0]);
    assert_eq!(ja.kind, "welcome");
    assert_eq!(ja.status, "sent", "{ja:#?}");
    assert_eq!(ja.subject, "【はぐくみ】ご登録ありがとうございます");
    assert_eq!(en.subject, "[Hagukumi] Welcome");
    assert!(ja.message_id.starts_with(&format!("<{}@", ja.id)));

    // The default transport wrote an .eml file with the row's Message-ID and
    // an RFC 2047 encoded subject.
    let path = ja.location.as_deref().expect("location");
    assert!(path.ends_with(&format!("{}.eml", ja.id)), "{path}");
    let eml = std::fs::read_to_string(path).expect("eml file");
    assert!(
        eml.contains(&format!("Message-ID: {}", ja.message_id)),
        "{eml}"
    );
    assert!(eml.contains("Subject: =?utf-8?"), "{eml}");
    assert!(eml.contains("multipart/alternative"));
    assert!(eml.contains("Auto-Submitted: auto-generated"));

    // Staff see the outbox; parents do not.
    app.sign_in_demo("parent@example.jp").await;
    assert_eq!(app.get("/api/v1/admin/outbox").await.status(), 403);
    let (staff, list) = staff_outbox(&app, "sent").await;
    let item = list
        .iter()
        .find(|i| i["to"] == "mail-ja@example.jp")
        .expect("listed");
    assert_eq!(item["status"], "sent");
    assert_eq!(item["location"], path);
    let res = staff.get("/api/v1/admin/outbox?status=lost").await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "status");
    // Only failed messages can be retried.
    let res = staff
        .post_json(&format!("/api/v1/admin/outbox/{}/retry", ja.id), &json!({}))
        .await;
    problem(res, 409).await;
}

/// A coordinator's browser and the outbox as it lists the messages with `status`.
async fn staff_outbox(
    app: &crate::helpers::TestApp,
    status: &str,
) -> (crate::helpers::TestApp, Vec<Value>) {
    let staff = app.another_browser();
    staff.sign_in_demo("coordinator@example.jp").await;
    let list = staff
        .get(&format!("/api/v1/admin/outbox?status={status}"))
        .await
        .json()
        .await
        .expect("json");
    (staff, list)
}

/// The family's first child in temporary care from the first free hour to
/// 11:00, confirmed at once: the booking.
async fn book_first_care_hour(app: &crate::helpers::TestApp) -> Value {
    let kids = crate::bookings::my_children(app).await;
    let (_, slot) = crate::bookings::first_bookable(app, "temporary-care", "with-i", "").await;
    let start = slot["start"].as_str().expect("start")[..19].to_owned();
    let end = format!("{}T11:00:00", &start[..10]);
    let res = app
        .post_json(
            "/api/v1/bookings",
            &json!({"service": "temporary-care", "site": "with-i", "children": &kids[..1],
                    "period": {"kind": "hours", "start": start, "end": end}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.expect("json")
}

/// A booking round writes its emails as their events, to be rendered when
/// sent; until then staff still see each one's subject.
async fn staff_see_a_waiting_booking_email_as_it_will_be_sent(db: Db) {
    let app = spawn_app_with(db, |s| s.mail.worker_enabled = false).await;
    app.sign_in_demo("parent@example.jp").await;
    book_first_care_hour(&app).await;
    let rows = rows_for(&app.db, "parent@example.jp").await;
    let row = rows
        .iter()
        .find(|r| r.kind == "booking_confirmed")
        .expect("written with the booking");
    assert!(row.event.is_some() && row.text_body.is_empty(), "{row:#?}");

    let (_, list) = staff_outbox(&app, "pending").await;
    let item = list
        .iter()
        .find(|i| i["id"] == row.id.to_string())
        .expect("listed");
    let subject = item["subject"].as_str().unwrap_or("");
    assert!(
        subject.starts_with("【はぐくみ】予約が確定しました 一時預かり"),
        "{item:#?}"
    );
    assert_eq!(item["calendar"], "REQUEST #0");
}

#[path = "../smtp/harness.rs"]
mod harness;

use chrono::{TimeZone, Utc};
use hagukumi_domain::Text;
use hagukumi_server::Settings;
use hagukumi_server::entities::user;
use hagukumi_server::mail::settings::TransportKind;
use hagukumi_server::mail::{self, BookingInfo, MailEvent, Recipient};
use harness::{SmtpSink, free_port, received, temp_dir};

on_both_databases!(
    real_bookings_send_their_mail_over_smtp,
    booking_mail_reaches_a_real_smtp_server,
    temporary_failures_retry_and_rejections_are_shown_to_staff,
    nothing_is_lost_or_doubled_when_smtp_and_the_server_crash
);

/// SMTP to the sink on `port`, with short waits so failures play out quickly.
fn smtp_to(s: &mut Settings, port: u16) {
    s.mail.transport = TransportKind::Smtp;
    s.mail.smtp.port = port;
    s.mail.smtp.timeout_secs = 5;
    s.mail.poll_interval_ms = 50;
    s.mail.retry_base_secs = 0.2;
    s.mail.retry_max_secs = 1.0;
    // The tests run the periodic jobs themselves, at the times they choose.
    s.mail.jobs_interval_secs = 3600;
}

async fn user_id(db: &DatabaseConnection, email: &str) -> uuid::Uuid {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query")
        .expect("user")
        .id
}

fn booking(hour_jst: u32) -> BookingInfo {
    BookingInfo {
        booking_id: uuid::Uuid::now_v7(),
        reference: "HG-2026-0042".into(),
        service: Text::new("一時預かり", "Temporary care"),
        place: Some(Text::new("With-I（ウィズアイ）", "With-I")),
        starts_at: Utc
            .with_ymd_and_hms(2026, 12, 1, hour_jst - 9, 0, 0)
            .unwrap(),
        ends_at: Utc
            .with_ymd_and_hms(2026, 12, 1, hour_jst - 9 + 3, 0, 0)
            .unwrap(),
        child_given_name: Some("さくら".into()),
    }
}

fn by_subject<'a>(msgs: &'a [Value], to: &str, starts: &str) -> &'a Value {
    msgs.iter()
        .find(|m| {
            m["to_addresses"][0] == to && m["subject"].as_str().unwrap_or("").starts_with(starts)
        })
        .unwrap_or_else(|| panic!("no message to {to} starting {starts}: {msgs:#?}"))
}

async fn booking_mail_reaches_a_real_smtp_server(db: Db) {
    let dir = temp_dir("smtp");
    let port = free_port();
    let _sink = SmtpSink::start(port, &dir, &[]).await;
    let app = spawn_app_with(db, |s| smtp_to(s, port)).await;
    let mut settings = crate::helpers::test_settings(app.db_url.clone());
    smtp_to(&mut settings, port);

    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":"smtp-en@example.jp","password":"a-long-password","display_name":"Mei Mori","locale":"en"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let parent = user_id(&app.db, "parent@example.jp").await;
    let provider = user_id(&app.db, "provider@example.jp").await;
    let english = user_id(&app.db, "smtp-en@example.jp").await;
    let parent_name = user::Entity::find_by_id(parent)
        .one(&app.db)
        .await
        .expect("query")
        .expect("parent")
        .display_name;
    let kiyose = user::Entity::find_by_id(parent)
        .one(&app.db)
        .await
        .expect("query")
        .expect("parent")
        .municipality_id;
    let coordinators = user::Entity::find()
        .filter(user::Column::MunicipalityId.eq(kiyose))
        .filter(user::Column::Role.eq("coordinator"))
        .all(&app.db)
        .await
        .expect("query")
        .len();

    // Each change is one transaction with its emails, as the booking service does.
    let b = booking(10);
    let moved = BookingInfo {
        starts_at: b.starts_at + chrono::Duration::hours(4),
        ends_at: b.ends_at + chrono::Duration::hours(4),
        ..b.clone()
    };
    let txn = hagukumi_server::db::begin_write(&app.db)
        .await
        .expect("begin");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(parent),
        MailEvent::BookingConfirmed { booking: b.clone() },
    )
    .await
    .expect("enqueue");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(provider),
        MailEvent::ProviderAssigned { booking: b.clone() },
    )
    .await
    .expect("enqueue");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::Coordinators(kiyose),
        MailEvent::ApprovalsWaiting {
            count: 2,
            oldest: vec![b.clone()],
        },
    )
    .await
    .expect("enqueue");
    txn.commit().await.expect("commit");
    let txn = hagukumi_server::db::begin_write(&app.db)
        .await
        .expect("begin");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(parent),
        MailEvent::BookingChanged {
            booking: moved.clone(),
            previous_starts_at: b.starts_at,
            previous_ends_at: b.ends_at,
        },
    )
    .await
    .expect("enqueue");
    txn.commit().await.expect("commit");
    // A change that rolls back takes its email with it.
    let txn = hagukumi_server::db::begin_write(&app.db)
        .await
        .expect("begin");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(parent),
        MailEvent::Reminder {
            booking: moved.clone(),
        },
    )
    .await
    .expect("enqueue");
    txn.rollback().await.expect("rollback");
    let txn = hagukumi_server::db::begin_write(&app.db)
        .await
        .expect("begin");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(parent),
        MailEvent::BookingCancelled {
            booking: moved.clone(),
            fee_yen: 1500,
        },
    )
    .await
    .expect("enqueue");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(provider),
        MailEvent::ProviderAssignmentCancelled {
            booking: moved.clone(),
        },
    )
    .await
    .expect("enqueue");
    mail::enqueue(
        &txn,
        &settings,
        Recipient::User(english),
        MailEvent::BookingConfirmed {
            booking: booking(14),
        },
    )
    .await
    .expect("enqueue");
    txn.commit().await.expect("commit");

    let expected = 1 + 3 + 2 + 1 + coordinators;
    let rows = wait_settled(&app.db, Duration::from_secs(20)).await;
    assert_eq!(rows.len(), expected, "{rows:#?}");
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:#?}");
    harness::wait_for_messages(&dir, expected, Duration::from_secs(10)).await;
    let msgs = received(&dir).await;

    // Exactly the outbox, each once.
    let mut got: Vec<&str> = msgs
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    got.sort();
    let mut want: Vec<&str> = rows.iter().map(|r| r.message_id.as_str()).collect();
    want.sort();
    assert_eq!(got, want);
    for m in &msgs {
        assert_eq!(m["defects"], json!([]), "{m:#?}");
        assert_eq!(
            m["raw_subject_ascii"], true,
            "subject must be RFC 2047 encoded"
        );
        assert!(
            !m["subject"].as_str().unwrap_or("").contains("さくら"),
            "child's name in subject"
        );
        assert!(m["text"].is_string() && m["html"].is_string(), "{m:#?}");
        assert!(m["from"].as_str().unwrap_or("").contains("はぐくみ"));
    }

    let confirmed = by_subject(&msgs, "parent@example.jp", "【はぐくみ】予約が確定しました");
    assert_eq!(
        confirmed["subject"],
        "【はぐくみ】予約が確定しました 一時預かり 12月1日(火)"
    );
    assert_eq!(confirmed["to_names"][0], parent_name.as_str());
    let link = format!(
        "{}/parent/bookings/{}",
        settings.server.public_url, b.booking_id
    );
    assert!(confirmed["text"].as_str().unwrap_or("").contains(&link));
    assert!(
        confirmed["html"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("href=\"{link}\""))
    );
    assert!(
        confirmed["text"]
            .as_str()
            .unwrap_or("")
            .contains("2026年12月1日(火) 10:00–13:00")
    );
    let cal = &confirmed["calendar"];
    assert_eq!(cal["method"], "REQUEST");
    assert_eq!(cal["method_param"], "REQUEST");
    assert_eq!(cal["version"], "2.0");
    assert_eq!(cal["timezones"], json!(["Asia/Tokyo"]));
    assert_eq!(cal["dtstart_tzid"], "Asia/Tokyo");
    assert_eq!(cal["dtstart_utc"], "2026-12-01T01:00:00+00:00");
    assert_eq!(cal["dtend_utc"], "2026-12-01T04:00:00+00:00");
    assert_eq!(cal["status"], "CONFIRMED");
    assert_eq!(cal["summary"], "一時預かり（With-I（ウィズアイ））");
    let uid = format!("booking-{}@hagukumi.localhost", b.booking_id);
    assert_eq!(cal["uid"], uid.as_str());
    assert_eq!(cal["attendee"], "mailto:parent@example.jp");

    let changed = by_subject(
        &msgs,
        "parent@example.jp",
        "【はぐくみ】予約内容が変更されました",
    );
    assert_eq!(changed["calendar"]["method"], "REQUEST");
    assert_eq!(changed["calendar"]["uid"], uid.as_str());
    assert_eq!(
        changed["calendar"]["dtstart_utc"],
        "2026-12-01T05:00:00+00:00"
    );
    let cancelled = by_subject(
        &msgs,
        "parent@example.jp",
        "【はぐくみ】予約をキャンセルしました",
    );
    assert_eq!(cancelled["calendar"]["method"], "CANCEL");
    assert_eq!(cancelled["calendar"]["method_param"], "CANCEL");
    assert_eq!(cancelled["calendar"]["status"], "CANCELLED");
    assert_eq!(cancelled["calendar"]["uid"], uid.as_str());
    assert!(
        cancelled["text"]
            .as_str()
            .unwrap_or("")
            .contains("キャンセル料：1,500円")
    );
    let seq = |m: &Value| m["calendar"]["sequence"].as_i64().unwrap_or(-1);
    assert!(seq(confirmed) < seq(changed) && seq(changed) < seq(cancelled));

    let assigned = by_subject(
        &msgs,
        "provider@example.jp",
        "【はぐくみ】新しい担当のお知らせ",
    );
    assert_eq!(assigned["calendar"]["method"], "REQUEST");
    assert!(
        assigned["text"]
            .as_str()
            .unwrap_or("")
            .contains("/provider/bookings/")
    );
    let withdrawn = by_subject(
        &msgs,
        "provider@example.jp",
        "【はぐくみ】担当の活動が取り消されました",
    );
    assert_eq!(withdrawn["calendar"]["method"], "CANCEL");

    let en = by_subject(&msgs, "smtp-en@example.jp", "[Hagukumi] Booking confirmed");
    assert_eq!(
        en["subject"],
        "[Hagukumi] Booking confirmed: Temporary care Tue 1 Dec 2026"
    );
    assert_eq!(en["calendar"]["dtstart_utc"], "2026-12-01T05:00:00+00:00");
    by_subject(&msgs, "smtp-en@example.jp", "[Hagukumi] Welcome");
    let approvals = by_subject(
        &msgs,
        "coordinator@example.jp",
        "【はぐくみ】承認待ちのお申し込み 2件",
    );
    assert!(approvals["calendar"].is_null());
}

async fn temporary_failures_retry_and_rejections_are_shown_to_staff(db: Db) {
    let dir = temp_dir("smtp-retry");
    let port = free_port();
    let _sink = SmtpSink::start(
        port,
        &dir,
        &["--tempfail", "3", "--reject", "bounce@example.jp"],
    )
    .await;
    let app = spawn_app_with(db, |s| smtp_to(s, port)).await;
    for email in [
        "retry-1@example.jp",
        "retry-2@example.jp",
        "bounce@example.jp",
    ] {
        let res = app
            .post_json(
                "/api/v1/auth/signup",
                &json!({"email": email, "password":"a-long-password","display_name":"森 芽衣"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let rows = wait_settled(&app.db, Duration::from_secs(20)).await;
    let sent: Vec<_> = rows.iter().filter(|r| r.status == "sent").collect();
    let failed: Vec<_> = rows.iter().filter(|r| r.status == "failed").collect();
    assert_eq!((sent.len(), failed.len()), (2, 1), "{rows:#?}");
    // The relay said "451, try later" three times: someone needed more than one attempt.
    assert!(sent.iter().any(|r| r.attempts > 1), "{rows:#?}");
    assert_eq!(failed[0].to_address, "bounce@example.jp");
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("550"),
        "{:?}",
        failed[0]
    );
    harness::wait_for_messages(&dir, 2, Duration::from_secs(5)).await;
    assert_eq!(received(&dir).await.len(), 2);

    // Coordinators see the failure and can try again; a permanent rejection stays failed.
    let staff = app.another_browser();
    staff.sign_in_demo("coordinator@example.jp").await;
    let list: Vec<Value> = staff
        .get("/api/v1/admin/outbox?status=failed")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["to"], "bounce@example.jp");
    let res = staff
        .post_json(
            &format!("/api/v1/admin/outbox/{}/retry", failed[0].id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let again = wait_settled(&app.db, Duration::from_secs(10)).await;
    let row = again.iter().find(|r| r.id == failed[0].id).expect("row");
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("failed", 1),
        "{row:#?}"
    );
}

/// The server run as a separate process by the crash test (see `harness`).
#[test]
#[ignore = "started by the crash test as a separate server process"]
fn server_process() {
    if std::env::var_os(harness::CHILD_ENV).is_none() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(hagukumi_server::cli::run(hagukumi_server::cli::Cli {
        command: Some(hagukumi_server::cli::Command::Serve),
    }))
    .expect("serve");
}

async fn nothing_is_lost_or_doubled_when_smtp_and_the_server_crash(db: Db) {
    let dir = temp_dir("smtp-crash");
    let port = free_port();
    let db_url = crate::helpers::fresh_database(db).await;
    let env: Vec<(String, String)> = [
        ("HAGUKUMI_DATABASE__URL", db_url.as_str()),
        ("HAGUKUMI_DATABASE__MAX_CONNECTIONS", "4"),
        ("HAGUKUMI_MAIL__TRANSPORT", "smtp"),
        ("HAGUKUMI_MAIL__SMTP__PORT", &port.to_string()),
        ("HAGUKUMI_MAIL__SMTP__POOL_SIZE", "2"),
        ("HAGUKUMI_MAIL__SMTP__TIMEOUT_SECS", "5"),
        ("HAGUKUMI_MAIL__BATCH_SIZE", "4"),
        ("HAGUKUMI_MAIL__POLL_INTERVAL_MS", "50"),
        ("HAGUKUMI_MAIL__RETRY_BASE_SECS", "0.2"),
        ("HAGUKUMI_MAIL__RETRY_MAX_SECS", "0.8"),
        ("HAGUKUMI_MAIL__CLAIM_SECS", "2"),
        ("HAGUKUMI_MAIL__MAX_ATTEMPTS", "100"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    // A slow relay: each message is held 3 s before "250", so sends are in flight.
    let mut slow = SmtpSink::start(port, &dir, &["--slow", "3"]).await;
    let mut first = harness::ServerProcess::start("mail::server_process", &env, &dir).await;
    let client = reqwest::Client::new();
    let n = 10;
    for i in 0..n {
        let res = client
            .post(format!("{}/api/v1/auth/signup", first.address))
            .header("origin", &first.address)
            .json(&json!({"email": format!("crash-{i}@example.jp"), "password":"a-long-password","display_name":"森 芽衣"}))
            .send()
            .await
            .expect("sign-up");
        assert_eq!(
            res.status(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }
    // Kill -9 while the relay holds a message in DATA.
    let in_flight = || {
        std::fs::read_dir(&dir).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("inflight-"))
        })
    };
    let start = std::time::Instant::now();
    while !in_flight() && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(in_flight(), "nothing in flight to crash on");
    first.kill9().await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    // And the relay goes down too.
    slow.stop().await;
    assert!(
        slow.log().contains("dropped"),
        "the kill did not hit a send: {}",
        slow.log()
    );
    let before = harness::wait_for_messages(&dir, 0, Duration::ZERO).await;
    assert!(before < n, "everything was sent before the crash");

    // A new server process finds the relay down: attempts fail and are retried.
    let conn = sea_orm::Database::connect(&db_url).await.expect("connect");
    let mut second = harness::ServerProcess::start("mail::server_process", &env, &dir).await;
    let start = std::time::Instant::now();
    loop {
        let rows = outbox::Entity::find().all(&conn).await.expect("rows");
        let failing = rows
            .iter()
            .filter(|r| r.status == "pending" && r.last_error.is_some())
            .count();
        if failing > 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no failed attempt recorded: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The relay comes back; everything is delivered, once.
    let _sink = SmtpSink::start(port, &dir, &[]).await;
    let rows = wait_settled(&conn, Duration::from_secs(30)).await;
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:#?}");
    assert_eq!(rows.len(), n);
    harness::wait_for_messages(&dir, n, Duration::from_secs(10)).await;
    let msgs = received(&dir).await;
    let mut got: Vec<&str> = msgs
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    got.sort();
    let total = got.len();
    got.dedup();
    assert_eq!(total, got.len(), "a message arrived twice");
    let mut want: Vec<&str> = rows.iter().map(|r| r.message_id.as_str()).collect();
    want.sort();
    assert_eq!(got, want, "every message arrived");
    second.kill9().await;
    conn.close().await.ok();
}

/// Through the booking API: each change's emails arrive over SMTP, with the
/// calendar invitation and its cancellation sharing one UID.
async fn real_bookings_send_their_mail_over_smtp(db: Db) {
    let dir = temp_dir("smtp-bookings");
    let port = free_port();
    let _sink = SmtpSink::start(port, &dir, &[]).await;
    let app = spawn_app_with(db, |s| smtp_to(s, port)).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = crate::bookings::my_children(&app).await;

    // Temporary care confirms at once; then the family cancels it.
    let care = book_first_care_hour(&app).await;
    let care_id = care["id"].as_str().expect("id").to_owned();
    // The reminder job, run at 20:00 the day before (twice, as two processes
    // would): one reminder.
    let mut settings = crate::helpers::test_settings(app.db_url.clone());
    smtp_to(&mut settings, port);
    let start = care["start"].as_str().expect("start");
    let day: chrono::NaiveDate = start[..10].parse().expect("date");
    let evening = (day - chrono::Duration::days(1))
        .and_hms_opt(20, 0, 0)
        .expect("time")
        .and_local_timezone(hagukumi_domain::calendar::TZ)
        .single()
        .expect("JST")
        .with_timezone(&Utc);
    let jobs = hagukumi_server::mail::jobs::reminders;
    assert_eq!(jobs(&app.db, &settings, evening).await.expect("job"), 1);
    assert_eq!(jobs(&app.db, &settings, evening).await.expect("job"), 0);
    let res = app
        .post_json(&format!("/api/v1/bookings/{care_id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);

    // Short stay waits for a coordinator, who declines it.
    let (night, _) = crate::bookings::first_bookable(&app, "short-stay", "midori", "").await;
    let res = app
        .post_json(
            "/api/v1/bookings",
            &json!({"service": "short-stay", "site": "midori", "children": &kids[..1], "reason": "hospitalisation",
                    "period": {"kind": "nights", "check_in": night, "nights": 1}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let stay: Value = res.json().await.expect("json");
    let stay_id = stay["id"].as_str().expect("id").to_owned();
    let coord = app.another_browser();
    coord.sign_in_demo("coordinator@example.jp").await;
    let res = coord
        .post_json(
            &format!("/api/v1/bookings/{stay_id}/decline"),
            &json!({"reason": "その夜は満床です"}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let rows = wait_settled(&app.db, Duration::from_secs(20)).await;
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:#?}");
    let kinds = |to: &str, id: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.to_address == to && r.entity_id.as_deref() == Some(id))
            .map(|r| r.kind.clone())
            .collect()
    };
    assert_eq!(
        kinds("parent@example.jp", &care_id),
        ["booking_confirmed", "reminder", "booking_cancelled"]
    );
    assert_eq!(
        kinds("parent@example.jp", &stay_id),
        ["booking_received", "booking_declined"]
    );
    assert!(
        rows.iter()
            .any(|r| r.kind == "approvals_waiting" && r.to_address == "coordinator@example.jp"),
        "{rows:#?}"
    );
    // The booking's first email was written by its booking round as its
    // event, and rendered when sent; the row keeps the message as sent.
    let first = rows
        .iter()
        .find(|r| r.kind == "booking_confirmed" && r.entity_id.as_deref() == Some(&care_id))
        .expect("confirmation");
    assert!(first.event.is_some(), "{first:#?}");
    assert!(first.subject.starts_with("【はぐくみ】予約が確定しました"));
    assert!(
        first
            .text_body
            .contains(&format!("/parent/bookings/{care_id}"))
    );
    assert!(
        first
            .ics
            .as_deref()
            .is_some_and(|i| i.contains("METHOD:REQUEST"))
    );
    harness::wait_for_messages(&dir, rows.len(), Duration::from_secs(10)).await;
    let msgs = received(&dir).await;
    let mut got: Vec<&str> = msgs
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    got.sort();
    let mut want: Vec<&str> = rows.iter().map(|r| r.message_id.as_str()).collect();
    want.sort();
    assert_eq!(got, want, "exactly the outbox, each once");

    let confirmed = by_subject(
        &msgs,
        "parent@example.jp",
        "【はぐくみ】予約が確定しました 一時預かり",
    );
    let cancelled = by_subject(
        &msgs,
        "parent@example.jp",
        "【はぐくみ】予約をキャンセルしました 一時預かり",
    );
    let uid = format!("booking-{care_id}@hagukumi.localhost");
    assert_eq!(confirmed["calendar"]["method"], "REQUEST");
    assert_eq!(confirmed["calendar"]["uid"], uid.as_str());
    assert_eq!(confirmed["calendar"]["dtstart_tzid"], "Asia/Tokyo");
    assert_eq!(cancelled["calendar"]["method"], "CANCEL");
    assert_eq!(cancelled["calendar"]["uid"], uid.as_str());
    assert!(
        cancelled["calendar"]["sequence"].as_i64() > confirmed["calendar"]["sequence"].as_i64()
    );
    assert!(
        confirmed["text"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("/parent/bookings/{care_id}"))
    );
    assert!(
        cancelled["text"]
            .as_str()
            .unwrap_or("")
            .contains("キャンセル料：")
    );
    let declined = by_subject(
        &msgs,
        "parent@example.jp",
        "【はぐくみ】予約をお受けできませんでした",
    );
    assert!(declined["calendar"].is_null());
    assert!(declined["text"].as_str().unwrap_or("").contains("理由："));
}
