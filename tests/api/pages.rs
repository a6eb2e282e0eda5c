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

/// Pages keep answering while another server starts in the same process: a
/// server works its routes out by rendering the apps with resource loading held
/// back process-wide, and a page whose data was first asked for at that moment
/// used to wait until the 30 s timeout (the API tests' occasional 408).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_while_another_server_starts() {
    let app = spawn_app(Db::Sqlite).await;
    app.sign_in_demo("parent@example.jp").await;
    let db = app.db.clone();
    let url = app.db_url.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let starting = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut started = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut settings = crate::helpers::test_settings(url.clone());
                settings.database.migrate_on_start = false;
                settings.database.seed_demo_if_empty = false;
                let other = hagukumi_server::Application::build_with_db(settings, db.clone())
                    .await
                    .expect("another server builds");
                drop(other);
                started += 1;
                tokio::task::yield_now().await;
            }
            started
        })
    };
    // A page that is not answered in 10 s has stalled: a real render takes
    // milliseconds, and the server would give up only at 30 s.
    let client = reqwest::Client::builder()
        .cookie_provider(app.jar.clone())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("client");
    let pages = ["/parent/household", "/", "/parent", "/parent/services"];
    for round in 0..25 {
        let answers = futures::future::join_all(pages.iter().map(|p| {
            let client = client.clone();
            let url = app.url(p);
            async move { (p, client.get(url).send().await) }
        }))
        .await;
        for (page, answer) in answers {
            let res = answer.unwrap_or_else(|e| panic!("{page} in round {round}: {e}"));
            assert_eq!(res.status(), 200, "{page} in round {round}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let started = starting.await.expect("starter");
    assert!(started > 0, "other servers were started meanwhile");
}
