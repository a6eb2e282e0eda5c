//! Helper dispatch through the API: the plan keeps every hard rule and the coordinator's
//! pins; a sick call moves only the sick helper's visits and mails those affected; a
//! helper answers a proposal and subscribes to a calendar feed that an independent
//! parser (Python `icalendar`) accepts.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    plan_respects_hard_rules_and_pins,
    sick_call_moves_only_the_sick_helpers_visits,
    provider_accepts_and_subscribes_to_a_valid_feed
);

/// A Monday far from the demo's own visits.
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 1).expect("date")
}

fn minutes(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<i64>().expect("hour") * 60 + m.parse::<i64>().expect("minute")
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn households(app: &TestApp) -> Vec<String> {
    let kids: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let mut ids: Vec<String> = kids
        .iter()
        .filter_map(|k| k["household_id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Eight visits around Kiyose on `day`, two of which need twins care.
async fn add_visits(app: &TestApp, day: NaiveDate) -> Vec<Value> {
    let homes = households(app).await;
    assert!(homes.len() >= 3, "demo households");
    let specs = [
        ("09:00", "10:00", 120, vec!["twins"], 35.7850, 139.5190),
        ("09:00", "09:30", 90, vec![], 35.7790, 139.5370),
        ("10:00", "12:00", 120, vec!["housework"], 35.7720, 139.5060),
        ("11:00", "13:00", 60, vec!["newborn"], 35.7810, 139.5250),
        ("13:00", "14:00", 120, vec!["twins"], 35.7760, 139.5330),
        ("13:00", "15:00", 180, vec!["housework"], 35.7700, 139.5200),
        ("14:00", "15:00", 120, vec![], 35.7870, 139.5120),
        ("15:00", "15:30", 120, vec!["english"], 35.7740, 139.5150),
    ];
    let mut out = vec![];
    for (k, (from, to, minutes, skills, lat, lon)) in specs.into_iter().enumerate() {
        let service = if k % 2 == 0 {
            "childrearing-support-helper"
        } else {
            "single-parent-home-help"
        };
        let res = app
            .post_json(
                "/api/v1/dispatch/visits",
                &json!({"service": service, "household_id": homes[k % homes.len()], "day": day,
                        "earliest_start": from, "latest_start": to, "duration_minutes": minutes,
                        "required_skills": skills, "lat": lat, "lon": lon, "notes": "鍵は郵便受け"}),
            )
            .await;
        out.push(json_of(res, 201).await);
    }
    out
}

async fn day(app: &TestApp, day: NaiveDate) -> Value {
    json_of(app.get(&format!("/api/v1/dispatch/days/{day}")).await, 200).await
}

async fn plan(app: &TestApp, day: NaiveDate) -> Value {
    let res = app
        .post_json(
            &format!("/api/v1/dispatch/days/{day}/plan"),
            &json!({"iterations": 1500}),
        )
        .await;
    json_of(res, 200).await
}

/// Every hard rule, checked from the stored plan alone.
fn assert_hard_rules(d: &Value) {
    let helpers: HashMap<&str, &Value> = d["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .map(|h| (h["id"].as_str().expect("id"), h))
        .collect();
    let mut by_helper: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
    for v in d["visits"].as_array().expect("visits") {
        let Some(h) = v["assigned_helper_id"].as_str() else {
            continue;
        };
        let helper = helpers[h];
        for s in v["required_skills"].as_array().expect("skills") {
            assert!(
                helper["skills"].as_array().expect("skills").contains(s),
                "skill {s} missing: {v}"
            );
        }
        let start = minutes(v["planned_start"].as_str().expect("planned"));
        assert!(start >= minutes(v["earliest_start"].as_str().expect("e")));
        assert!(start <= minutes(v["latest_start"].as_str().expect("l")));
        let end = start + v["duration_minutes"].as_i64().expect("d");
        let from = minutes(helper["from"].as_str().expect("working"));
        let to = minutes(helper["to"].as_str().expect("working"));
        assert!(start >= from && end <= to, "within working hours: {v}");
        by_helper.entry(h).or_default().push((start, end));
    }
    for spans in by_helper.values_mut() {
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0, "one place at a time: {spans:?}");
        }
    }
}

async fn plan_respects_hard_rules_and_pins(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let d0 = monday();
    let visits = add_visits(&app, d0).await;

    let out = plan(&app, d0).await;
    assert_eq!(out["assigned"], 8, "{out}");
    let board = day(&app, d0).await;
    assert_hard_rules(&board);
    for v in board["visits"].as_array().expect("visits") {
        assert_eq!(v["assignment_status"], "proposed");
    }

    // Pin a visit to a helper the planner did not choose; re-planning keeps it there.
    let target = &visits[1];
    let id = target["id"].as_str().expect("id");
    let current = board["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .find(|v| v["id"] == target["id"])
        .and_then(|v| v["assigned_helper_id"].as_str())
        .expect("assigned")
        .to_owned();
    let other = board["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .find(|h| *h != current)
        .expect("another helper");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/dispatch/visits/{id}/pin")))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"helper_id": other}))
        .send()
        .await
        .expect("request");
    assert_eq!(json_of(res, 200).await["pinned"], true);
    plan(&app, d0).await;
    let board = day(&app, d0).await;
    assert_hard_rules(&board);
    let pinned = board["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .find(|v| v["id"] == target["id"])
        .expect("visit");
    assert_eq!(pinned["assigned_helper_id"], json!(other));
    assert_eq!(pinned["pinned"], true);

    // The same day planned again gives the same plan: nothing changes.
    let again = plan(&app, d0).await;
    assert_eq!(again["changes"], json!([]), "{again}");

    // A pin to a helper without the skill is refused.
    let twins = visits[0]["id"].as_str().expect("id");
    let no_twins = board["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| !h["skills"].as_array().expect("s").contains(&json!("twins")))
        .and_then(|h| h["id"].as_str())
        .expect("helper");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/dispatch/visits/{twins}/pin")))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"helper_id": no_twins}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        problem(res, 422).await["errors"][0]["code"],
        "missing_skill"
    );

    // Parents and providers cannot dispatch.
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    let res = parent
        .post_json(&format!("/api/v1/dispatch/days/{d0}/plan"), &json!({}))
        .await;
    problem(res, 403).await;
}

async fn sick_call_moves_only_the_sick_helpers_visits(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let d0 = monday() + Duration::days(1);
    let visits = add_visits(&app, d0).await;
    let board = day(&app, d0).await;
    // The demo helper (who has an account, so gets mail) takes the first visit.
    let sato = board["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["name"] == "佐藤 みどり")
        .and_then(|h| h["id"].as_str())
        .expect("helper")
        .to_owned();
    let first = visits[0]["id"].as_str().expect("id");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/dispatch/visits/{first}/pin")))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"helper_id": sato}))
        .send()
        .await
        .expect("request");
    json_of(res, 200).await;
    plan(&app, d0).await;
    let before = day(&app, d0).await;
    let assigned = |b: &Value| -> HashMap<String, (Value, Value)> {
        b["visits"]
            .as_array()
            .expect("visits")
            .iter()
            .map(|v| {
                (
                    v["id"].as_str().expect("id").to_owned(),
                    (v["assigned_helper_id"].clone(), v["planned_start"].clone()),
                )
            })
            .collect()
    };
    let before_map = assigned(&before);
    let sato_visits: Vec<String> = before_map
        .iter()
        .filter(|(_, (h, _))| *h == json!(sato))
        .map(|(id, _)| id.clone())
        .collect();
    assert!(!sato_visits.is_empty());

    let res = app
        .post_json(
            &format!("/api/v1/dispatch/helpers/{sato}/unavailable"),
            &json!({"date": d0}),
        )
        .await;
    let out = json_of(res, 200).await;
    let after = day(&app, d0).await;
    assert_hard_rules(&after);
    let after_map = assigned(&after);
    for (id, was) in &before_map {
        if sato_visits.contains(id) {
            assert_ne!(after_map[id].0, json!(sato), "moved off the sick helper");
        } else {
            // Same helper; the start may move only where an orphan was slotted in before it.
            assert_eq!(
                after_map[id].0, was.0,
                "unaffected visit {id} kept in place"
            );
        }
    }
    for c in out["changes"].as_array().expect("changes") {
        if c["time_only"] == false {
            assert_eq!(
                c["from_helper"],
                json!(sato),
                "only the sick helper's visits move"
            );
        }
    }
    assert!(
        out["affected_helpers"]
            .as_array()
            .expect("affected")
            .contains(&json!(sato))
    );
    let helper = after["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["id"] == json!(sato))
        .expect("helper");
    assert_eq!(helper["from"], Value::Null, "off that day");

    // The sick helper is told, in the same transaction, through the outbox.
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'provider_assignment_cancelled' \
             AND to_address = 'provider@example.jp'",
        ))
        .await
        .expect("query")
        .expect("row");
    let n: i64 = row.try_get("", "n").expect("count");
    assert_eq!(n as usize, sato_visits.len());
}

/// The next weekday at least three days ahead (inside the feed's window).
fn soon() -> NaiveDate {
    let mut d = Utc::now().date_naive() + Duration::days(3);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

async fn provider_accepts_and_subscribes_to_a_valid_feed(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let d0 = soon();
    let homes = households(&app).await;
    let res = app
        .post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": "childrearing-support-helper", "household_id": homes[0], "day": d0,
                    "earliest_start": "10:00", "latest_start": "10:00", "duration_minutes": 120,
                    "required_skills": ["newborn"], "lat": 35.785, "lon": 139.519,
                    "notes": "ミルクの作り方を一緒に確認; 駐輪場あり"}),
        )
        .await;
    let visit = json_of(res, 201).await;
    let id = visit["id"].as_str().expect("id").to_owned();
    let board = day(&app, d0).await;
    let sato = board["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["name"] == "佐藤 みどり")
        .and_then(|h| h["id"].as_str())
        .expect("helper")
        .to_owned();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/dispatch/visits/{id}/pin")))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({"helper_id": sato}))
        .send()
        .await
        .expect("request");
    assert_eq!(json_of(res, 200).await["assignment_status"], "proposed");

    let helper = app.another_browser();
    helper.sign_in_demo("provider@example.jp").await;
    let path = format!("/api/v1/schedule?from={d0}&to={d0}");
    let items: Value = json_of(helper.get(&path).await, 200).await;
    let item = items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["visit_id"] == json!(id))
        .expect("proposal in the schedule")
        .clone();
    assert_eq!(item["status"], "proposed");
    assert_eq!(item["start"], "10:00");
    assert!(item["travel_minutes"].as_i64().is_some());
    let accept = format!("/api/v1/schedule/visits/{id}/accept");
    assert_eq!(
        json_of(helper.post_json(&accept, &json!({})).await, 200).await["status"],
        "accepted"
    );
    problem(helper.post_json(&accept, &json!({})).await, 409).await;
    // Another helper's visit is not theirs to answer.
    let other = board["visits"].as_array().expect("visits").first().cloned();
    if let Some(o) = other.filter(|o| o["id"] != json!(id)) {
        let res = helper
            .post_json(
                &format!(
                    "/api/v1/schedule/visits/{}/decline",
                    o["id"].as_str().expect("id")
                ),
                &json!({}),
            )
            .await;
        problem(res, 404).await;
    }

    // An accepted visit stays with its helper when the day is planned again.
    app.post_json(&format!("/api/v1/dispatch/days/{d0}/plan"), &json!({}))
        .await;
    let items: Value = json_of(helper.get(&path).await, 200).await;
    assert!(
        items
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["visit_id"] == json!(id) && i["status"] == "accepted")
    );

    // The private feed: no cookies needed, only the secret URL.
    let feed: Value = json_of(
        helper.post_json("/api/v1/schedule/feed", &json!({})).await,
        200,
    )
    .await;
    let url = feed["url"].as_str().expect("url").to_owned();
    let path = url
        .split_once("/calendar/")
        .map(|(_, t)| format!("/calendar/{t}"))
        .expect("path");
    let stranger = app.another_browser();
    let res = stranger.get(&path).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/calendar")
    );
    let ics = res.text().await.expect("body");
    assert!(ics.contains(&format!("UID:helper-visit-{id}@")));
    let events = ics.matches("BEGIN:VEVENT").count();
    check_with_icalendar(&ics, events, &["陽太", "さくら", "清瀬 花子"]);

    // Resetting the URL retires the old one.
    let feed2: Value = json_of(
        helper.post_json("/api/v1/schedule/feed", &json!({})).await,
        200,
    )
    .await;
    assert_ne!(feed2["url"], feed["url"]);
    assert_eq!(stranger.get(&path).await.status(), 404);
    assert_eq!(stranger.get("/calendar/nothing.ics").await.status(), 404);
}

/// Parses the feed with Python's `icalendar` (tests/requirements.txt, installed
/// into .venv by scripts/test before the Rust tests). Without it the test fails:
/// an unchecked feed must not count as a passing test.
pub(crate) fn check_with_icalendar(ics: &str, events: usize, forbidden: &[&str]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("HAGUKUMI_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("../.venv/bin/python"));
    assert!(
        python.exists(),
        "no Python venv at {}: run scripts/test (or set HAGUKUMI_PYTHON)",
        python.display()
    );
    let file = std::env::temp_dir().join(format!("hagukumi-feed-{}.ics", uuid::Uuid::new_v4()));
    std::fs::write(&file, ics).expect("write feed");
    let out = std::process::Command::new(python)
        .arg(root.join("python/check_ics_feed.py"))
        .arg(&file)
        .arg(events.to_string())
        .args(forbidden)
        .output()
        .expect("run python");
    std::fs::remove_file(&file).ok();
    assert!(
        out.status.success(),
        "icalendar rejected the feed:\n{}\n{}\n{ics}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
