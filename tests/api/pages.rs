//! Server-rendered pages: complete HTML without wasm, in Japanese or English.

use crate::helpers::{Db, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    home_lists_services_in_the_html,
    role_page_shows_the_person,
    language_switch,
    staff_see_the_outgoing_mail
);

async fn home_lists_services_in_the_html(db: Db) {
    let app = spawn_app(db).await;
    let html = app.get("/").await.text().await.expect("html");
    assert!(html.contains("<html lang=\"ja\""));
    assert!(
        html.contains("一時預かり"),
        "services must be in the first HTML, not streamed in later"
    );
    assert!(html.contains("ファミリー・サポート・センター"));
    assert!(
        html.contains("/pkg/hagukumi.js"),
        "hydration script is linked"
    );
}

async fn role_page_shows_the_person(db: Db) {
    let app = spawn_app(db).await;
    let html = app.get("/parent").await.text().await.expect("html");
    assert!(html.contains("ログインしてください"));
    app.sign_in_demo("parent@example.jp").await;
    let html = app.get("/parent").await.text().await.expect("html");
    assert!(html.contains("ようこそ、清瀬 花子さん"), "{html}");
    assert!(html.contains("保護者"));
    let html = app.get("/coordinator").await.text().await.expect("html");
    assert!(html.contains("権限がありません"));
}

async fn language_switch(db: Db) {
    let app = spawn_app(db).await;
    let res = app.get("/lang/en?next=/signin").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin");
    let html = app.get("/signin").await.text().await.expect("html");
    assert!(html.contains("Sign in") && html.contains("日本語"));
    assert!(
        html.contains("<html lang=\"en\""),
        "the document says it is English"
    );
    // Never an open redirect.
    let res = app.get("/lang/ja?next=//evil.example").await;
    assert_eq!(res.headers()["location"], "/");
}

async fn staff_see_the_outgoing_mail(db: Db) {
    let app = spawn_app(db).await;
    // A sign-up writes a welcome mail to the outbox in the same transaction.
    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &serde_json::json!({"email": "new@example.jp", "password": "a-long-password", "display_name": "新井 さん"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let staff = app.another_browser();
    staff.sign_in_demo("coordinator@example.jp").await;
    let html = staff.get("/staff/mail").await.text().await.expect("html");
    assert!(
        html.contains("new@example.jp"),
        "the welcome mail is listed"
    );
    assert!(html.contains("id=\"mail-log\""));
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    let html = parent.get("/staff/mail").await.text().await.expect("html");
    assert!(!html.contains("mail-log") && html.contains("センター職員としてログインしてください"));
}
