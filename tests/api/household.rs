//! A family registers and edits its household and children; nobody else can.

use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    parent_manages_household_and_children,
    staff_confirm_and_changes_withdraw_it
);

async fn parent_manages_household_and_children(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;

    // An expected child, then a mistake: a birth date in the future.
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
    let res = app
        .post_json(
            "/api/v1/children",
            &json!({"family_name": "清瀬", "given_name": "（予定）", "due_date": due}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let expected: Value = res.json().await.expect("json");
    let res = app
        .post_json(
            "/api/v1/children",
            &json!({"family_name": "清瀬", "given_name": "x", "birth_date": due}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "birth_date");
    let res = app
        .post_json("/api/v1/children", &json!({"family_name": "", "given_name": "x", "birth_date": "2020-01-01", "due_date": "2027-01-01"}))
        .await;
    let body = problem(res, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["family_name", "birth_date"]);

    let kids: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kids.len(), 3);

    // Facts: contradictory input is refused and nothing changes.
    let res = app
        .client
        .put(app.url("/api/v1/household"))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"single_parent": false, "single_parent_since": "2025-01-01"}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        problem(res, 422).await["errors"][0]["field"],
        "single_parent_since"
    );
    let res = app
        .client
        .put(app.url("/api/v1/household"))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"single_parent": true, "single_parent_since": "2025-01-01", "tax_exempt": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let h: Value = app
        .get("/api/v1/household")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(h["single_parent"], true);
    assert_eq!(h["tax_exempt"], true);
    assert_eq!(h["confirmed"], false);

    // Another family cannot touch this child: not found, not forbidden.
    let other = app.another_browser();
    other.sign_in_demo("parent-hk@example.jp").await;
    let res = other
        .client
        .put(other.url(&format!(
            "/api/v1/children/{}",
            expected["id"].as_str().expect("id")
        )))
        .header("x-csrf-token", other.csrf().await)
        .json(&json!({"family_name": "x", "given_name": "y", "birth_date": "2020-01-01"}))
        .send()
        .await
        .expect("request");
    problem(res, 404).await;
    // Staff of the other city cannot confirm this household.
    let hk_staff = app.another_browser();
    hk_staff.sign_in_demo("coordinator-hk@example.jp").await;
    let res = hk_staff
        .post_json(
            &format!(
                "/api/v1/households/{}/confirm",
                h["id"].as_str().expect("id")
            ),
            &json!({}),
        )
        .await;
    problem(res, 404).await;
}

async fn staff_confirm_and_changes_withdraw_it(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let h: Value = app
        .get("/api/v1/household")
        .await
        .json()
        .await
        .expect("json");
    let id = h["id"].as_str().expect("id").to_owned();

    let staff = app.another_browser();
    staff.sign_in_demo("coordinator@example.jp").await;
    // A parent cannot confirm their own facts.
    problem(
        app.post_json(&format!("/api/v1/households/{id}/confirm"), &json!({}))
            .await,
        403,
    )
    .await;
    let res = staff
        .post_json(&format!("/api/v1/households/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get("/api/v1/household")
            .await
            .json::<Value>()
            .await
            .expect("json")["confirmed"],
        true
    );

    // Declaring a new fee-relevant fact withdraws the confirmation.
    let res = app
        .client
        .put(app.url("/api/v1/household"))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"public_assistance": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get("/api/v1/household")
            .await
            .json::<Value>()
            .await
            .expect("json")["confirmed"],
        false
    );
}
