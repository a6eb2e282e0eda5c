//! Rows written in bulk (`db::Batch`: on PostgreSQL one array per column, in
//! the driver's binary form) read back exactly as they were written.

use chrono::{DateTime, Utc};
use hagukumi_server::db::{self, Batch};
use hagukumi_server::entities::{audit_log, outbox};
use sea_orm::{EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{Db, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(bulk_rows_read_back_as_written);

/// An email with every optional field empty (`None`) or, with `full`, set to
/// text that is hard to carry: quotes, backslashes, new lines, braces, commas,
/// the word NULL, Japanese.
fn email(at: DateTime<Utc>, full: bool, n: u32) -> outbox::Model {
    let hard = |s: &str| full.then(|| format!("{s} \"引用\" \\ {{a,b}}\nNULL {n}"));
    outbox::Model {
        id: Uuid::now_v7(),
        municipality_id: full.then(Uuid::now_v7),
        kind: "booking_confirmed".into(),
        dedupe_key: hard("dedupe"),
        recipient_user_id: full.then(Uuid::now_v7),
        to_address: format!("parent{n}@example.jp"),
        to_name: "山田 花子".into(),
        locale: "ja".into(),
        subject: if full {
            "ご予約を承りました"
        } else {
            ""
        }
        .into(),
        text_body: String::new(),
        html_body: "<p>\"本文\"</p>".into(),
        ics: hard("BEGIN:VCALENDAR"),
        ics_method: full.then(|| "REQUEST".into()),
        ics_uid: hard("uid"),
        ics_sequence: full.then_some(-3),
        entity: hard("booking"),
        entity_id: full.then(String::new),
        message_id: format!("<{n}@hagukumi.test>"),
        status: "pending".into(),
        attempts: 7 - i32::try_from(n).unwrap_or(0),
        next_attempt_at: at,
        claimed_by: hard("worker"),
        claimed_until: full.then_some(at),
        last_error: hard("error"),
        created_at: at,
        sent_at: full.then(|| at + chrono::Duration::microseconds(1)),
        location: hard("ウイズアイ"),
        event: full.then(|| json!({"BookingConfirmed": {"booking": "「予約」"}}).to_string()),
    }
}

async fn bulk_rows_read_back_as_written(kind: Db) {
    // No mail worker: it would claim the emails and change them meanwhile.
    let app = spawn_app_with(kind, |s| s.mail.worker_enabled = false).await;
    // To the microsecond, as both databases keep time.
    let at = DateTime::from_timestamp(1_796_000_000, 123_456_000).expect("time");
    let emails: Vec<outbox::Model> = (0..5).map(|n| email(at, n % 2 == 1, n)).collect();
    let audit: Vec<audit_log::Model> = (0..3)
        .map(|n| audit_log::Model {
            id: Uuid::now_v7(),
            municipality_id: (n != 0).then(Uuid::now_v7),
            actor_user_id: (n == 2).then(Uuid::now_v7),
            action: "booking.create".into(),
            entity: "booking".into(),
            entity_id: Uuid::now_v7().to_string(),
            details: json!({"n": n, "text": "「予約」\n\"x\"\\", "nested": [null, {"a": 1.5}]}),
            at,
        })
        .collect();

    // Two tables in one batch (one statement on PostgreSQL), then a table alone.
    let mut batch = Batch::new(app.db.get_database_backend());
    batch.insert(
        emails[..3]
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    );
    batch.insert(
        audit
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    );
    batch.run(&app.db).await.expect("batch");
    db::insert_all(
        &app.db,
        emails[3..]
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await
    .expect("insert");

    let mut read = outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .all(&app.db)
        .await
        .expect("emails");
    read.retain(|m| emails.iter().any(|e| e.id == m.id));
    assert_eq!(read, emails);
    let read = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .expect("audit");
    let read: Vec<_> = read
        .into_iter()
        .filter(|m| audit.iter().any(|a| a.id == m.id))
        .collect();
    assert_eq!(read, audit);
}
