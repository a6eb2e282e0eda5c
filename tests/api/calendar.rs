//! `GET /api/v1/holidays`: the contract and its bad input.

use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};

#[tokio::test]
async fn holidays_in_a_range_with_japanese_names() {
    let app = spawn_app(Db::Sqlite).await;
    let list: Value = app
        .get("/api/v1/holidays?from=2026-09-19&to=2026-09-23")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list,
        json!([
            {"date": "2026-09-21", "name": "敬老の日"},
            {"date": "2026-09-22", "name": "国民の休日"},
            {"date": "2026-09-23", "name": "秋分の日"},
        ])
    );
}

#[tokio::test]
async fn bad_ranges_name_the_parameter() {
    let app = spawn_app(Db::Sqlite).await;
    for (query, field) in [
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-01-01", "to"),
        ("from=1900-01-01&to=1900-12-31", "from"),
        ("from=2026-01-01&to=2200-01-01", "to"),
        ("from=2026-01-01&to=2025-01-01", "to"),
        ("from=1950-01-01&to=2026-01-01", "to"),
        ("from=2026-01-01&to=2026-02-01&x=1", "x"),
    ] {
        let res = app.get(&format!("/api/v1/holidays?{query}")).await;
        let body = problem(res, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}
