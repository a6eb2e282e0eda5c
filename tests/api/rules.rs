//! Eligibility, quotes and the rules over HTTP, from the rules stored per
//! municipality (Kiyose's defaults in the demo).

use serde_json::{Value, json};

use crate::helpers::{Db, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    eligibility_gives_every_reason,
    rules_are_readable_and_versioned
);

async fn eligibility_gives_every_reason(db: Db) {
    let app = spawn_app(db).await;
    // Grade 4 on 2027-04-01 (born 2017-06-01) in a two-parent home: two reasons.
    let res = app
        .post_json(
            "/api/v1/eligibility",
            &json!({"service": "single-parent-home-help", "on": "2027-04-01",
                    "child": {"birth_date": "2017-06-01"}, "household": {}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["eligible"], false);
    let reasons = body["reasons"].as_array().expect("reasons");
    assert!(reasons.len() >= 2, "{body}");
    let text: Vec<&str> = reasons
        .iter()
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert!(text.iter().any(|m| m.contains("4年生")), "{text:?}");

    // Eligible: a newborn for temporary care… once 57 days old.
    let ok: Value = app
        .post_json(
            "/api/v1/eligibility",
            &json!({"service": "temporary-care", "on": "2026-12-01", "child": {"birth_date": "2025-02-03"}}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(ok["eligible"], true, "{ok}");
    assert_eq!(ok["reasons"], json!([]));

    // Bad input names the field.
    for (body, field) in [
        (
            json!({"service": "babysitting", "on": "2026-12-01", "child": {"birth_date": "2020-01-01"}}),
            "service",
        ),
        (
            json!({"service": "short-stay", "on": "2026-12-01", "child": {"birth_date": "2027-01-01"}}),
            "child.birth_date",
        ),
        (
            json!({"service": "home-visitor", "on": "2026-12-01", "child": {"due_date": "2026-01-01"}}),
            "child.due_date",
        ),
        (
            json!({"service": "short-stay", "on": "1800-01-01", "child": {"birth_date": "1799-01-01"}}),
            "on",
        ),
        (
            json!({"service": "short-stay", "on": "2026-12-01", "child": {"birth_date": "2020-01-01"},
                "household": {"single_parent": false, "single_parent_since": "2025-01-01"}}),
            "household.single_parent_since",
        ),
    ] {
        let res = app.post_json("/api/v1/eligibility", &body).await;
        let p = problem(res, 422).await;
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }

    // A quote: Family Support, two hours on a weekday evening with the coupon.
    let quote: Value = app
        .post_json(
            "/api/v1/quotes",
            &json!({"service": "family-support",
                    "period": {"kind": "hours", "start": "2026-12-01T17:00:00", "end": "2026-12-01T19:00:00"},
                    "children": [{"birth_date": "2023-05-01", "coupon_balance_yen": 6000}]}),
        )
        .await
        .json()
        .await
        .expect("json");
    let subtotal = quote["subtotal_yen"].as_i64().expect("subtotal");
    assert!(subtotal > 0, "{quote}");
    assert_eq!(
        quote["total_yen"].as_i64(),
        Some(subtotal - quote["coupon_applied_yen"].as_i64().unwrap_or(-1))
    );
}

async fn rules_are_readable_and_versioned(db: Db) {
    let app = spawn_app(db).await;
    let before: Value = app
        .get("/api/v1/services/temporary-care/rules?on=2024-03-31")
        .await
        .json()
        .await
        .expect("json");
    let after: Value = app
        .get("/api/v1/services/temporary-care/rules?on=2024-04-01")
        .await
        .json()
        .await
        .expect("json");
    assert_ne!(
        before["effective_from"], after["effective_from"],
        "the 2024-04-01 ratio change is a new version"
    );
    assert_ne!(before["staffing"], after["staffing"]);
    problem(app.get("/api/v1/services/babysitting/rules").await, 422).await;
}
