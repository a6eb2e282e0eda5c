//! Email: the outbox row is written with the change, the worker delivers it
//! (as an `.eml` file by default, or to a real SMTP server started here), and
//! nothing is lost or sent twice when the SMTP server and the server process fail.

use std::time::Duration;

use hagukumi_server::entities::outbox;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(sign_up_mail_is_written_with_the_account_and_listed_for_staff);

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
    let staff = app.another_browser();
    staff.sign_in_demo("coordinator@example.jp").await;
    let list: Vec<Value> = staff
        .get("/api/v1/admin/outbox?status=sent")
        .await
        .json()
        .await
        .expect("json");
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
