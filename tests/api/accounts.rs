//! Sign-up, sign-in, sessions in the database, cookies, CSRF and role checks.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{
    DEMO_PASSWORD, Db, listening, problem, second_server, spawn_app, spawn_app_with,
};
use crate::on_both_databases;

on_both_databases!(
    sign_up_sign_in_sign_out,
    wrong_password_and_unknown_email_look_the_same,
    sessions_are_shared_through_the_database,
    a_change_to_a_session_on_one_server_counts_on_the_other,
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
    let address = second_server(&first).await.0.address;
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

/// `/api/v1/me` on `address` with the session `token`: (status, display name).
async fn me_at(address: &str, token: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .get(format!("{address}/api/v1/me"))
        .header("cookie", format!("hgk_session={token}"))
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or_default();
    (
        status,
        body["display_name"].as_str().unwrap_or("").to_owned(),
    )
}

/// Asks `address` again for up to 5 s until it answers `want`.
async fn me_becomes(address: &str, token: &str, want: (u16, &str)) -> (u16, String) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let got = me_at(address, token).await;
        if (got.0, got.1.as_str()) == want || std::time::Instant::now() > until {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn a_change_to_a_session_on_one_server_counts_on_the_other(db: Db) {
    // On PostgreSQL each server caches who a session belongs to and drops it
    // on the database's change notices; on SQLite it reads every time. Either
    // way a change made anywhere must count on every server.
    let first = spawn_app(db).await;
    first.sign_in_demo("parent@example.jp").await;
    let token = first.cookie("hgk_session").expect("session cookie");
    let (second, changes) = second_server(&first).await;
    let address = second.address;
    let pg = db == Db::Postgres;
    if pg {
        assert!(
            listening(&changes).await,
            "the second server never started listening"
        );
    }
    let (status, name) = me_at(&address, &token).await;
    assert_eq!(status, 200);
    let rename = |name: &str| {
        Statement::from_sql_and_values(
            first.db.get_database_backend(),
            match db {
                Db::Postgres => "UPDATE users SET display_name = $1 WHERE email = $2",
                Db::Sqlite => "UPDATE users SET display_name = ? WHERE email = ?",
            },
            [name.into(), "parent@example.jp".into()],
        )
    };

    if pg {
        // The cache is really in use: a change that sends no notice (triggers
        // switched off for one connection) is not seen...
        let txn = first.db.begin().await.expect("begin");
        txn.execute_unprepared("SET LOCAL session_replication_role = replica")
            .await
            .expect("no triggers");
        txn.execute_raw(rename("通知なし")).await.expect("rename");
        txn.commit().await.expect("commit");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(me_at(&address, &token).await, (200, name.clone()));
    }
    // ... while one made with the triggers, outside both servers (an
    // administrator's SQL, say), is.
    first
        .db
        .execute_raw(rename("森 一郎"))
        .await
        .expect("rename");
    assert_eq!(
        me_becomes(&address, &token, (200, "森 一郎")).await,
        (200, "森 一郎".to_owned())
    );

    if pg {
        // The listening connections are cut, and a change is made before the
        // second server listens again: its notice is lost, yet once listening
        // again the server does not serve what it had.
        first
            .db
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE 'LISTEN%' AND datname = current_database()",
            )
            .await
            .expect("terminate the listeners");
        let live_is = |want: bool| {
            let changes = changes.clone();
            async move {
                let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
                while changes.is_live() != want && std::time::Instant::now() < until {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                changes.is_live() == want
            }
        };
        assert!(live_is(false).await, "the cut was not noticed");
        first
            .db
            .execute_raw(rename("森 二郎"))
            .await
            .expect("rename");
        assert!(
            live_is(true).await,
            "the second server did not listen again"
        );
        assert_eq!(me_at(&address, &token).await, (200, "森 二郎".to_owned()));
    }

    // Signing out on the first server ends the session on the second.
    let res = first.post_json("/api/v1/auth/signout", &json!({})).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(me_at(&first.address, &token).await.0, 401);
    assert_eq!(
        me_becomes(&address, &token, (401, "")).await,
        (401, String::new())
    );
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
