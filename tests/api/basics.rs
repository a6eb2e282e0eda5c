//! Probes, the OpenAPI document, the service catalogue and bad input.

use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    probes_answer,
    openapi_lists_the_api,
    six_services_with_domain_ids,
    bad_json_is_a_named_problem
);

async fn probes_answer(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
}

async fn openapi_lists_the_api(db: Db) {
    let app = spawn_app(db).await;
    let doc: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/services",
        "/api/v1/auth/signin",
        "/api/v1/auth/signup",
        "/api/v1/me",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
}

async fn six_services_with_domain_ids(db: Db) {
    let app = spawn_app(db).await;
    let list: Vec<Value> = app
        .get("/api/v1/services")
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = list.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "short-stay",
            "single-parent-home-help",
            "childrearing-support-helper",
            "temporary-care",
            "home-visitor",
            "family-support"
        ]
    );
    assert_eq!(list[3]["name_ja"], "一時預かり");
}

async fn bad_json_is_a_named_problem(db: Db) {
    let app = spawn_app(db).await;
    // Malformed JSON: 400.
    let res = app
        .post_raw("/api/v1/auth/signup", "application/json", "{\"email\": ")
        .await;
    let body = problem(res, 400).await;
    assert_eq!(body["errors"][0]["code"], "malformed_json");

    // Not JSON at all: 415.
    let res = app
        .post_raw("/api/v1/auth/signup", "text/plain", "hello")
        .await;
    problem(res, 415).await;

    // Unknown field, wrong type, missing field: 422 naming the field.
    let cases = [
        (
            json!({"email":"a@example.jp","password":"longenough","display_name":"A","admin":true}),
            "admin",
            "unknown_field",
        ),
        (
            json!({"email":5,"password":"longenough","display_name":"A"}),
            "email",
            "invalid_type",
        ),
        (
            json!({"password":"longenough","display_name":"A"}),
            "email",
            "required",
        ),
        (
            json!({"email":"not-an-email","password":"longenough","display_name":"A"}),
            "email",
            "invalid_email",
        ),
        (
            json!({"email":format!("{}@example.jp", "a".repeat(300)),"password":"longenough","display_name":"A"}),
            "email",
            "too_long",
        ),
        (
            json!({"email":"a@example.jp","password":"short","display_name":"A"}),
            "password",
            "too_short",
        ),
        (
            json!({"email":"a@example.jp","password":"longenough","display_name":"あ".repeat(101)}),
            "display_name",
            "too_long",
        ),
    ];
    for (input, field, code) in cases {
        let res = app.post_json("/api/v1/auth/signup", &input).await;
        let body = problem(res, 422).await;
        let err = &body["errors"][0];
        assert_eq!(err["field"], field, "{input}");
        assert_eq!(err["code"], code, "{input}");
        // Japanese by default, English alongside.
        assert!(
            !err["messages"]["ja"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
        assert!(
            !err["messages"]["en"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
        assert_eq!(err["message"], err["messages"]["ja"]);
    }

    // The English wording when the browser asks for English.
    let res = app
        .client
        .post(app.url("/api/v1/auth/signup"))
        .header("accept-language", "en-GB,en;q=0.8")
        .json(&json!({"email":"nope","password":"longenough","display_name":"A"}))
        .send()
        .await
        .expect("request");
    let body = problem(res, 422).await;
    assert_eq!(
        body["errors"][0]["message"],
        "This is not a valid email address"
    );
}
