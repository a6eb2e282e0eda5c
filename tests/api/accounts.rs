//! Sign-up, sign-in, sessions in the database, cookies, CSRF and role checks.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Db, problem, spawn_app, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    sign_up_sign_in_sign_out,
    wrong_password_and_unknown_email_look_the_same,
    sessions_are_shared_through_the_database,
    session_cookie_flags,
    secure_cookie_over_tls,
    forms_need_the_csrf_token,
    api_writes_with_a_session_need_the_csrf_header,
    roles_are_checked_by_the_extractor,
);

async fn sign_up_sign_in_sign_out(db: Db) {
    let app = spawn_app(db).await;
    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":" Mei@Example.JP ","password":"a-long-password","display_name":"森 芽衣"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["email"], "mei@example.jp");
    assert_eq!(me["role"], "parent");
    assert_eq!(me["municipality"]["code"], "kiyose");

    // Signing up again with the same address is refused, naming the field.
    let res = app
        .post_json(
            "/api/v1/auth/signup",
            &json!({"email":"mei@example.jp","password":"another-password","display_name":"X"}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["code"], "taken");

    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    let res = app.sign_in("MEI@example.jp", "a-long-password").await;
    assert_eq!(res.status(), 200);
    let me: Value = app.get("/api/v1/me").await.json().await.expect("json");
    assert_eq!(me["display_name"], "森 芽衣");

    // The new parent has a household of their own and no children yet.
    let kids: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    assert!(kids.is_empty());

    let res = app.post_json("/api/v1/auth/signout", &json!({})).await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/v1/me").await.status(), 401);

    // Sign-up and sign-ins were audited.
    let audited = hagukumi_server::entities::audit_log::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert!(audited >= 2, "audit rows: {audited}");
}

async fn wrong_password_and_unknown_email_look_the_same(db: Db) {
    let app = spawn_app(db).await;
    let a = app.sign_in("parent@example.jp", "wrong-password").await;
    let a_status = a.status();
    let a_body: Value = a.json().await.expect("json");
    let b = app.sign_in("nobody@example.jp", "wrong-password").await;
    let b_status = b.status();
    let b_body: Value = b.json().await.expect("json");
    assert_eq!(a_status, 401);
    assert_eq!(a_status, b_status);
    assert_eq!(a_body, b_body);
}

async fn sessions_are_shared_through_the_database(db: Db) {
    // Two server processes' worth of state: a second app on the same database
    // accepts the session cookie the first one issued.
    let first = spawn_app(db).await;
    first.sign_in_demo("parent@example.jp").await;
    let token = first.cookie("hgk_session").expect("session cookie");
    // A second server with its own connection pool on the same database.
    let mut settings = crate::helpers::test_settings(first.db_url.clone());
    settings.database.seed_demo_if_empty = false;
    let second = hagukumi_server::Application::build(settings)
        .await
        .expect("second app");
    let address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until(std::future::pending()));
    let me: Value = reqwest::Client::new()
        .get(format!("{address}/api/v1/me"))
        .header("cookie", format!("hgk_session={token}"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "parent@example.jp");
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

async fn session_cookie_flags(db: Db) {
    let app = spawn_app(db).await;
    let res = app.sign_in("parent@example.jp", DEMO_PASSWORD).await;
    let cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("hgk_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
}

async fn secure_cookie_over_tls(db: Db) {
    let app = spawn_app_with(db, |s| {
        s.server.public_url = "https://hagukumi.example".into()
    })
    .await;
    let res = app.sign_in("parent@example.jp", DEMO_PASSWORD).await;
    let cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("hgk_session="))
        .expect("session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn forms_need_the_csrf_token(db: Db) {
    let app = spawn_app(db).await;
    let token = app.csrf().await;
    // Without the token (a cross-site form): refused, no session.
    let res = app
        .client
        .post(app.url("/auth/signin"))
        .form(&[("email", "parent@example.jp"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("request");
    problem(res, 403).await;
    // With a wrong token: refused.
    let res = app
        .client
        .post(app.url("/auth/signin"))
        .form(&[
            ("csrf", "0000"),
            ("email", "parent@example.jp"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("request");
    problem(res, 403).await;
    assert!(app.cookie("hgk_session").is_none());
    // With the token: signed in and sent to the parent page.
    let res = app
        .client
        .post(app.url("/auth/signin"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "parent@example.jp"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/parent");
    // A wrong password goes back to the form with a message, not an error page.
    let other = app.another_browser();
    let token = other.csrf().await;
    let res = other
        .client
        .post(other.url("/auth/signin"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "parent@example.jp"),
            ("password", "nope-nope"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/signin?error=credentials");
}

async fn api_writes_with_a_session_need_the_csrf_header(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/signout"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request");
    problem(res, 403).await;
    // Still signed in: the forged sign-out did nothing.
    assert_eq!(app.get("/api/v1/me").await.status(), 200);
}

async fn roles_are_checked_by_the_extractor(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(
        problem(app.get("/api/v1/children").await, 401).await["status"],
        401
    );

    app.sign_in_demo("provider@example.jp").await;
    problem(app.get("/api/v1/children").await, 403).await;

    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    let kids: Vec<Value> = parent
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = kids
        .iter()
        .filter_map(|k| k["given_name"].as_str())
        .collect();
    assert_eq!(names, ["陽太", "さくら"]);
}
