//! Helper-programme bookings end to end: a parent's request becomes a dispatch visit only
//! when a coordinator approves it, the family sees the planned helper's name, a
//! cancellation takes the visit away and tells the helper; a sick call tells the family;
//! racing pins for one helper cannot both commit; every path mails the provider; the
//! schedule digest goes out once per provider and period.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use hagukumi_domain::calendar::{TZ, is_holiday, local_date};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_helper_visit_request_reaches_dispatch_only_when_approved,
    recurring_requests_keep_to_the_quota,
    a_sick_call_tells_the_family_with_the_new_helpers_name_only,
    racing_pins_for_one_helper_cannot_both_commit,
    a_pin_releases_a_clashing_proposal_and_mails_both_helpers,
    the_digest_goes_once_per_provider_and_period
);

const SITE: &str = "kiyose-support-helper";
const SERVICE: &str = "childrearing-support-helper";

/// A weekday (Monday–Friday, no holiday, outside the New Year closure) at least `ahead`
/// days from today (JST): inside the booking window and the demo helpers' working days.
fn weekday_ahead(ahead: i64) -> NaiveDate {
    let mut d = local_date(Utc::now()) + Duration::days(ahead);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
        || is_holiday(d)
        || (d.month() == 12 && d.day() >= 29)
        || (d.month() == 1 && d.day() <= 3)
    {
        d += Duration::days(1);
    }
    d
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "n").expect("count")
}

async fn mails(app: &TestApp, kind: &str, to: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM outbox WHERE kind = '{kind}' AND to_address = '{to}'"),
    )
    .await
}

/// The demo parent's children (陽太, then さくら).
async fn children(app: &TestApp) -> Vec<String> {
    let kids: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    kids.iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The parent asks for a helper on `day` from `from` for `hours`.
async fn request(app: &TestApp, day: NaiveDate, from: &str, hours: i64, reason: &str) -> Value {
    let kids = children(app).await;
    let start = day.and_time(format!("{from}:00").parse().expect("time"));
    let end = start + Duration::hours(hours);
    let res = app
        .post_json(
            "/api/v1/bookings",
            &json!({"service": SERVICE, "site": SITE, "children": [kids[1]], "reason": reason,
                    "period": {"kind": "hours", "start": start, "end": end}}),
        )
        .await;
    json_of(res, 201).await
}

async fn board(app: &TestApp, day: NaiveDate) -> Value {
    json_of(app.get(&format!("/api/v1/dispatch/days/{day}")).await, 200).await
}

fn visit_of<'a>(board: &'a Value, booking: &str) -> Option<&'a Value> {
    board["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .find(|v| v["booking_id"] == json!(booking))
}

fn helper_named(board: &Value, name: &str) -> String {
    board["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["name"] == name)
        .and_then(|h| h["id"].as_str())
        .expect("helper")
        .to_owned()
}

async fn pin(app: &TestApp, visit: &str, helper: Option<&str>) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/dispatch/visits/{visit}/pin")))
        .header("x-csrf-token", app.csrf().await)
        .json(&json!({ "helper_id": helper }))
        .send()
        .await
        .expect("request")
}

async fn a_helper_visit_request_reaches_dispatch_only_when_approved(db: Db) {
    let app = spawn_app(db).await;
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    app.sign_in_demo("coordinator@example.jp").await;
    let day = weekday_ahead(5);

    // Bad input is refused and writes nothing: longer than the rules allow (4 h).
    let kids = children(&parent).await;
    let start = day.and_hms_opt(10, 0, 0).expect("time");
    let res = parent
        .post_json(
            "/api/v1/bookings",
            &json!({"service": SERVICE, "site": SITE, "children": [kids[1]], "reason": "no-daytime-help",
                    "period": {"kind": "hours", "start": start, "end": start + Duration::hours(5)}}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["code"], "too_long");
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM bookings").await,
        0,
        "nothing written"
    );

    // The request waits for approval; dispatch does not see it yet.
    let b = request(&parent, day, "10:00", 2, "pre-postnatal").await;
    assert_eq!(b["status"], "requested");
    let id = b["id"].as_str().expect("id").to_owned();
    assert!(visit_of(&board(&app, day).await, &id).is_none());

    // Approval hands one visit to dispatch, in the same transaction.
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/approve"), &json!({}))
        .await;
    let approved = json_of(res, 200).await;
    assert!(
        matches!(approved["status"].as_str(), Some("confirmed" | "approved")),
        "{approved}"
    );
    let d = board(&app, day).await;
    let v = visit_of(&d, &id).expect("a visit for the booking").clone();
    assert_eq!(v["earliest_start"], "10:00");
    assert_eq!(v["latest_start"], "10:00");
    assert_eq!(v["duration_minutes"], 120);
    assert_eq!(v["assignment_status"], "unassigned");
    assert_eq!(v["required_skills"], json!(["newborn"]), "from the reason");
    assert_eq!(v["family_label"], "清様");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dispatch.visit_create'"
        )
        .await,
        1
    );
    let mine = json_of(parent.get(&format!("/api/v1/bookings/{id}")).await, 200).await;
    assert!(mine.get("helper").is_none(), "{mine}");
    // Not yet planned: no helper on the family's list.
    let page = parent
        .get("/parent/bookings")
        .await
        .text()
        .await
        .expect("html");
    assert!(!page.contains("担当ヘルパー"));

    // Planned: the family sees the helper's display name; the helper got the assignment.
    let sato = helper_named(&d, "佐藤 みどり");
    let vid = v["id"].as_str().expect("id").to_owned();
    json_of(pin(&app, &vid, Some(&sato)).await, 200).await;
    assert_eq!(
        mails(&app, "provider_assigned", "provider@example.jp").await,
        1
    );
    let page = parent
        .get("/parent/bookings")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("class=\"helper\"") && page.contains("佐藤 みどり"),
        "helper shown"
    );
    let mine = json_of(parent.get(&format!("/api/v1/bookings/{id}")).await, 200).await;
    assert_eq!(mine["helper"], "佐藤 みどり");
    // The family list shows names of helpers only for its own bookings: the API too
    // gives another family nothing (the booking is not found).
    let other = app.another_browser();
    other.sign_in_demo("parent-hk@example.jp").await;
    assert_eq!(
        other
            .get(&format!("/api/v1/bookings/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );

    // The family cancels: the visit goes, the helper is told.
    let res = parent
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(json_of(res, 200).await["status"], "cancelled");
    assert!(visit_of(&board(&app, day).await, &id).is_none());
    assert_eq!(
        mails(&app, "provider_assignment_cancelled", "provider@example.jp").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dispatch.visit_cancel'"
        )
        .await,
        1
    );

    // A declined request never reaches dispatch.
    let b = request(&parent, day, "14:00", 2, "no-daytime-help").await;
    let id = b["id"].as_str().expect("id").to_owned();
    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/decline"),
            &json!({"reason": "この日はヘルパーの手配ができません"}),
        )
        .await;
    assert_eq!(json_of(res, 200).await["status"], "declined");
    assert!(visit_of(&board(&app, day).await, &id).is_none());
}

async fn recurring_requests_keep_to_the_quota(db: Db) {
    let app = spawn_app(db).await;
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    app.sign_in_demo("coordinator@example.jp").await;
    // Monday to Saturday, twelve times: the rules allow 10 visits a half-year
    // (the series stays in one half-year unless it crosses 1 April or 1 October).
    let mut first = weekday_ahead(3);
    while first.weekday() != Weekday::Mon {
        first += Duration::days(1);
    }
    let kids = children(&parent).await;
    let start = first.and_hms_opt(9, 0, 0).expect("time");
    let res = parent
        .post_json(
            "/api/v1/bookings",
            &json!({"service": SERVICE, "site": SITE, "children": [kids[1]], "reason": "no-daytime-help",
                    "period": {"kind": "hours", "start": start, "end": start + Duration::hours(2)},
                    "recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA;COUNT=12"}}),
        )
        .await;
    let series = json_of(res, 201).await;
    let made = series["bookings"].as_array().expect("bookings").clone();
    let skipped = series["skipped"].as_array().expect("skipped").clone();
    let crosses = {
        let last = first + Duration::days(14);
        let half = |d: NaiveDate| (d.year(), (d.month() + 2) / 6);
        half(first) != half(last)
    };
    if !crosses {
        assert!(made.len() <= 10, "at most the quota: {}", made.len());
        assert!(
            skipped.iter().any(|s| s["conflict"]["code"] == "quota"),
            "{skipped:?}"
        );
    }
    // Each approved occurrence is one visit on its own day.
    for b in made.iter().take(3) {
        let id = b["id"].as_str().expect("id");
        let res = app
            .post_json(&format!("/api/v1/bookings/{id}/approve"), &json!({}))
            .await;
        json_of(res, 200).await;
        let day: NaiveDate = b["start"].as_str().expect("start")[..10]
            .parse()
            .expect("date");
        let d = board(&app, day).await;
        assert_eq!(
            visit_of(&d, id).expect("visit")["earliest_start"],
            "09:00",
            "{d}"
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM helper_visits WHERE booking_id IS NOT NULL"
        )
        .await,
        3
    );
}

async fn a_sick_call_tells_the_family_with_the_new_helpers_name_only(db: Db) {
    let app = spawn_app(db).await;
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    app.sign_in_demo("coordinator@example.jp").await;
    let day = weekday_ahead(6);
    let b = request(&parent, day, "10:00", 2, "no-daytime-help").await;
    let id = b["id"].as_str().expect("id").to_owned();
    json_of(
        app.post_json(&format!("/api/v1/bookings/{id}/approve"), &json!({}))
            .await,
        200,
    )
    .await;
    // Another family's visit the same day, entered by the coordinator.
    let d = board(&app, day).await;
    let other_home = {
        let kids: Vec<Value> = app
            .get("/api/v1/children")
            .await
            .json()
            .await
            .expect("json");
        let mine = visit_of(&d, &id).expect("visit")["household_id"].clone();
        kids.iter()
            .map(|k| k["household_id"].clone())
            .find(|h| *h != mine)
            .expect("another household")
    };
    json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": "single-parent-home-help", "household_id": other_home, "day": day,
                    "earliest_start": "13:00", "latest_start": "14:00", "duration_minutes": 60,
                    "lat": 35.779, "lon": 139.537}),
        )
        .await,
        201,
    )
    .await;
    let sato = helper_named(&d, "佐藤 みどり");
    let vid = visit_of(&d, &id).expect("visit")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    json_of(pin(&app, &vid, Some(&sato)).await, 200).await;
    json_of(
        app.post_json(&format!("/api/v1/dispatch/days/{day}/plan"), &json!({}))
            .await,
        200,
    )
    .await;

    let res = app
        .post_json(
            &format!("/api/v1/dispatch/helpers/{sato}/unavailable"),
            &json!({"date": day}),
        )
        .await;
    let out = json_of(res, 200).await;
    assert!(
        out["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["visit_id"] == json!(vid))
    );
    let after = board(&app, day).await;
    let v = visit_of(&after, &id).expect("visit");
    let new_helper = after["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["id"] == v["assigned_helper_id"])
        .map(|h| h["name"].as_str().expect("name").to_owned());
    assert_ne!(new_helper.as_deref(), Some("佐藤 みどり"));

    // The family: one message about its own visit, with the new helper's name only.
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT subject, text_body FROM outbox WHERE kind = 'visit_changed' \
             AND to_address = 'parent@example.jp'",
        ))
        .await
        .expect("query");
    assert_eq!(rows.len(), 1);
    let subject: String = rows[0].try_get("", "subject").expect("subject");
    let body: String = rows[0].try_get("", "text_body").expect("body");
    assert!(subject.contains("ヘルパー訪問の変更"), "{subject}");
    assert!(!subject.contains("さくら") && !body.contains("さくら"));
    match &new_helper {
        Some(name) => assert!(body.contains(name.as_str()), "{body}"),
        None => assert!(body.contains("調整中"), "{body}"),
    }
    for other in ["竹様", "野様", "竹丘", "野塩"] {
        assert!(!body.contains(other), "no other family's data: {body}");
    }
    // The sick helper's cancellation went out too.
    assert!(mails(&app, "provider_assignment_cancelled", "provider@example.jp").await >= 1);
}

/// Eight visits at the same hour; eight coordinators' requests pin one each to the same
/// helper at the same moment: exactly one commits.
async fn racing_pins_for_one_helper_cannot_both_commit(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let day = NaiveDate::from_ymd_opt(2027, 3, 3).expect("date");
    let d = board(&app, day).await;
    let sato = helper_named(&d, "佐藤 みどり");
    let homes: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let home = homes[0]["household_id"].clone();
    let mut ids = vec![];
    for _ in 0..8 {
        let v = json_of(
            app.post_json(
                "/api/v1/dispatch/visits",
                &json!({"service": SERVICE, "household_id": home, "day": day,
                        "earliest_start": "10:00", "latest_start": "10:30", "duration_minutes": 120,
                        "lat": 35.785, "lon": 139.519}),
            )
            .await,
            201,
        )
        .await;
        ids.push(v["id"].as_str().expect("id").to_owned());
    }
    let token = app.csrf().await;
    let tasks = ids.iter().map(|id| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/dispatch/visits/{id}/pin"));
        let token = token.clone();
        let sato = sato.clone();
        tokio::spawn(async move {
            client
                .put(url)
                .header("x-csrf-token", token)
                .json(&json!({ "helper_id": sato }))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let stored = board(&app, day).await["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .filter(|v| v["assigned_helper_id"] == json!(sato))
        .count();
    assert_eq!(stored, 1, "one helper, one place at a time");

    // A visit that fits after the pinned one may still be pinned; a clash answers 409.
    let later = json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": SERVICE, "household_id": home, "day": day,
                    "earliest_start": "13:00", "latest_start": "13:00", "duration_minutes": 60,
                    "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    let later = later["id"].as_str().expect("id");
    json_of(pin(&app, later, Some(&sato)).await, 200).await;
    let loser = ids
        .iter()
        .zip(&statuses)
        .find(|(_, s)| **s == 409)
        .map(|(id, _)| id.clone())
        .expect("a refused pin");
    let body = problem(pin(&app, &loser, Some(&sato)).await, 409).await;
    assert!(body["detail"].to_string().contains("10:"), "{body}");
}

/// Pinning over a proposal of the plan releases that proposal for re-planning (the helper
/// who had it is told) and proposes the pinned visit to its helper; unpinning mails no one.
async fn a_pin_releases_a_clashing_proposal_and_mails_both_helpers(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let day = NaiveDate::from_ymd_opt(2027, 3, 4).expect("date");
    let d = board(&app, day).await;
    let sato = helper_named(&d, "佐藤 みどり");
    let homes: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let home = homes[0]["household_id"].clone();
    // A visit whose family the demo helper knows (preferred), planned to her.
    let first = json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": SERVICE, "household_id": home, "day": day,
                    "earliest_start": "10:00", "latest_start": "10:00", "duration_minutes": 120,
                    "preferred_helper_id": sato, "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    let first = first["id"].as_str().expect("id").to_owned();
    json_of(
        app.post_json(&format!("/api/v1/dispatch/days/{day}/plan"), &json!({}))
            .await,
        200,
    )
    .await;
    let planned = board(&app, day).await;
    let v = planned["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .find(|v| v["id"] == json!(first))
        .expect("visit");
    assert_eq!(v["assigned_helper_id"], json!(sato), "the preferred helper");
    assert_eq!(
        mails(&app, "provider_assigned", "provider@example.jp").await,
        1,
        "the plan run mails the new assignment"
    );

    // Another visit at the same time pinned to her: the proposal is released.
    let second = json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": SERVICE, "household_id": home, "day": day,
                    "earliest_start": "10:30", "latest_start": "10:30", "duration_minutes": 60,
                    "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    let second = second["id"].as_str().expect("id").to_owned();
    json_of(pin(&app, &second, Some(&sato)).await, 200).await;
    let after = board(&app, day).await;
    let by_id = |id: &str| {
        after["visits"]
            .as_array()
            .expect("visits")
            .iter()
            .find(|v| v["id"] == json!(id))
            .expect("visit")
            .clone()
    };
    assert_eq!(by_id(&first)["assignment_status"], "unassigned");
    assert_eq!(by_id(&second)["assigned_helper_id"], json!(sato));
    assert_eq!(
        mails(&app, "provider_assignment_cancelled", "provider@example.jp").await,
        1
    );
    assert_eq!(
        mails(&app, "provider_assigned", "provider@example.jp").await,
        2
    );
    // Moving the pin to another helper: she is told it is off.
    let other = after["helpers"]
        .as_array()
        .expect("helpers")
        .iter()
        .find(|h| h["id"] != json!(sato))
        .and_then(|h| h["id"].as_str())
        .expect("helper")
        .to_owned();
    json_of(pin(&app, &second, Some(&other)).await, 200).await;
    assert_eq!(
        mails(&app, "provider_assignment_cancelled", "provider@example.jp").await,
        2
    );
    // Releasing a pin changes no assignment and mails no one.
    let before = count(&app, "SELECT COUNT(*) AS n FROM outbox").await;
    json_of(pin(&app, &second, None).await, 200).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM outbox").await,
        before
    );
}

async fn the_digest_goes_once_per_provider_and_period(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    // A Monday (the default weekly day) with a visit pinned to the demo helper.
    let day = NaiveDate::from_ymd_opt(2027, 3, 8).expect("date");
    assert_eq!(day.weekday(), Weekday::Mon);
    let d = board(&app, day).await;
    let sato = helper_named(&d, "佐藤 みどり");
    let homes: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let v = json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": SERVICE, "household_id": homes[0]["household_id"], "day": day,
                    "earliest_start": "10:00", "latest_start": "10:00", "duration_minutes": 90,
                    "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        pin(&app, v["id"].as_str().expect("id"), Some(&sato)).await,
        200,
    )
    .await;
    // A second visit on Wednesday: only a weekly digest lists it.
    let wed = day + Duration::days(2);
    let w = json_of(
        app.post_json(
            "/api/v1/dispatch/visits",
            &json!({"service": SERVICE, "household_id": homes[0]["household_id"], "day": wed,
                    "earliest_start": "14:00", "latest_start": "14:00", "duration_minutes": 60,
                    "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        pin(&app, w["id"].as_str().expect("id"), Some(&sato)).await,
        200,
    )
    .await;

    let settings = crate::helpers::test_settings(app.db_url.clone());
    let at = |d: NaiveDate, h: u32| {
        TZ.from_local_datetime(&d.and_hms_opt(h, 0, 0).expect("time"))
            .single()
            .expect("JST")
            .with_timezone(&Utc)
    };
    let job = hagukumi_server::mail::jobs::digests;
    // Before the configured hour (07:00 by default): nothing.
    assert_eq!(job(&app.db, &settings, at(day, 6)).await.expect("job"), 0);
    // Daily by default: once that day, however often the job runs.
    assert_eq!(job(&app.db, &settings, at(day, 8)).await.expect("job"), 1);
    assert_eq!(job(&app.db, &settings, at(day, 9)).await.expect("job"), 0);
    let body: String = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT text_body FROM outbox WHERE kind = 'provider_digest'",
        ))
        .await
        .expect("query")
        .expect("row")
        .try_get("", "text_body")
        .expect("body");
    assert!(body.contains("10:00"), "{body}");
    assert!(body.contains("様"), "where, by the family's label: {body}");
    assert!(!body.contains("陽太") && !body.contains("さくら"), "{body}");
    // The next day has no visit: no digest.
    assert_eq!(
        job(&app.db, &settings, at(day + Duration::days(1), 8))
            .await
            .expect("job"),
        0
    );

    // The helper chooses weekly on her settings: Monday's digest lists the week.
    let helper = app.another_browser();
    helper.sign_in_demo("provider@example.jp").await;
    let res = helper
        .client
        .put(helper.url("/api/v1/schedule/digest"))
        .header("x-csrf-token", helper.csrf().await)
        .json(&json!({"frequency": "fortnightly"}))
        .send()
        .await
        .expect("request");
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "frequency");
    let res = helper
        .client
        .put(helper.url("/api/v1/schedule/digest"))
        .header("x-csrf-token", helper.csrf().await)
        .json(&json!({"frequency": "weekly"}))
        .send()
        .await
        .expect("request");
    assert_eq!(json_of(res, 200).await["frequency"], "weekly");
    // Wednesday is not the weekly day: nothing, though a visit is on it.
    assert_eq!(job(&app.db, &settings, at(wed, 8)).await.expect("job"), 0);
    assert_eq!(job(&app.db, &settings, at(day, 8)).await.expect("job"), 1);
    assert_eq!(job(&app.db, &settings, at(day, 20)).await.expect("job"), 0);
    let weekly: String = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT text_body FROM outbox WHERE kind = 'provider_digest' ORDER BY created_at DESC",
        ))
        .await
        .expect("query")
        .expect("row")
        .try_get("", "text_body")
        .expect("body");
    assert!(
        weekly.contains("14:00") && weekly.contains("10:00"),
        "{weekly}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'provider.digest'"
        )
        .await,
        1
    );
    // Off: nothing at all.
    let res = helper
        .client
        .put(helper.url("/api/v1/schedule/digest"))
        .header("x-csrf-token", helper.csrf().await)
        .json(&json!({"frequency": "off"}))
        .send()
        .await
        .expect("request");
    json_of(res, 200).await;
    assert_eq!(
        job(&app.db, &settings, at(day + Duration::days(7), 8))
            .await
            .expect("job"),
        0
    );
}
