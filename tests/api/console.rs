//! The coordinator's work queue and site calendars: requests waiting for approval,
//! oldest first, with what the decision needs; decline needs a reason; moving to the
//! waiting list; another municipality's staff see nothing; extra capacity offers a
//! waiting request a place; a closed day lists the bookings it hits; the daily mail.

use chrono::{NaiveDate, Utc};
use hagukumi_server::entities::{audit_log, booking, outbox};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::bookings::{another_family, first_bookable, my_children};
use crate::helpers::{Db, TestApp, problem, spawn_app, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    the_queue_is_oldest_first_with_what_the_decision_needs,
    decline_needs_a_reason_and_the_family_reads_it,
    moving_to_the_waitlist_mails_the_family,
    another_municipality_sees_nothing,
    an_extra_bed_offers_the_night_to_the_waiting_family,
    closing_a_day_lists_the_bookings_it_hits,
    a_closed_day_opens_again_for_the_waiting_family,
    a_roster_change_checks_each_rrule_and_shows_on_the_calendar,
    coordinators_get_one_approvals_mail_a_day,
    a_helpers_calendar_is_for_their_own_municipality,
);

fn stay(site: &str, children: &[String], night: NaiveDate, waitlist: bool) -> Value {
    json!({"service": "short-stay", "site": site, "children": children, "reason": "hospitalisation",
           "waitlist": waitlist, "period": {"kind": "nights", "check_in": night, "nights": 1}})
}

async fn book(app: &TestApp, body: &Value) -> String {
    let res = app.post_json("/api/v1/bookings", body).await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.expect("json");
    b["id"].as_str().expect("id").to_owned()
}

async fn coordinator(app: &TestApp, email: &str) -> TestApp {
    let c = app.another_browser();
    c.sign_in_demo(email).await;
    c
}

async fn queue(c: &TestApp) -> Vec<Value> {
    let res = c.get("/api/v1/console/queue").await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

async fn status(app: &TestApp, id: &str) -> String {
    let b: Value = app
        .get(&format!("/api/v1/bookings/{id}"))
        .await
        .json()
        .await
        .expect("json");
    b["status"].as_str().unwrap_or_default().to_owned()
}

async fn the_queue_is_oldest_first_with_what_the_decision_needs(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    // Two stays the same night at two facilities: each is the other's conflict.
    let first = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let second = book(&app, &stay("hikari", &kids[1..2], night, false)).await;

    let coord = coordinator(&app, "coordinator@example.jp").await;
    let items = queue(&coord).await;
    let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "oldest first");
    let q = &items[0];
    assert_eq!(q["service"], "short-stay");
    assert_eq!(q["family"]["parent_name"], "清瀬 花子");
    assert_eq!(q["family"]["confirmed"], false);
    assert!(q["family"]["single_parent"].is_boolean());
    assert_eq!(q["eligible"], true, "{q:#}");
    assert_eq!(q["children"][0]["eligible"], true);
    assert!(
        q["reason"]["ja"]
            .as_str()
            .is_some_and(|r| r.contains("入院"))
    );
    assert!(q["total_yen"].as_i64().is_some_and(|y| y > 0), "{q:#}");
    // Kiyose's guaranteed bed, counted with this request: 1 of 2 beds taken.
    assert!(
        q["capacity"][0]["text"]["ja"]
            .as_str()
            .is_some_and(|t| t.contains("ベッド 1/2")),
        "{q:#}"
    );
    let codes: Vec<&str> = q["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["family_overlap"], "{q:#}");

    // Approving takes it off the queue and confirms it for the family.
    let res = coord
        .post_json(&format!("/api/v1/bookings/{first}/approve"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status(&app, &first).await, "confirmed");
    let left: Vec<String> = queue(&coord)
        .await
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(left, [second]);

    // The page lists the same, with a form per action.
    let page = coord
        .get("/coordinator/queue")
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("承認待ちのお申し込み"));
    assert!(page.contains(&format!("/coordinator/queue/{}/decline", left[0])));
}

async fn decline_needs_a_reason_and_the_family_reads_it(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let id = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let coord = coordinator(&app, "coordinator@example.jp").await;

    for body in [json!({}), json!({"reason": "   "})] {
        let res = coord
            .post_json(&format!("/api/v1/bookings/{id}/decline"), &body)
            .await;
        let p = problem(res, 422).await;
        assert_eq!(p["errors"][0]["field"], "reason", "{p:#}");
    }
    assert_eq!(status(&app, &id).await, "requested", "nothing written");

    // The form without JavaScript says the same.
    let token = coord.csrf().await;
    let res = coord
        .client
        .post(coord.url(&format!("/coordinator/queue/{id}/decline")))
        .form(&[("csrf", token.as_str()), ("reason", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().expect("location");
    assert!(to.contains("error=reason%3Arequired"), "{to}");

    let reason = "その夜は職員が手配できず、お受けできません";
    let res = coord
        .post_json(
            &format!("/api/v1/bookings/{id}/decline"),
            &json!({"reason": reason}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let b: Value = app
        .get(&format!("/api/v1/bookings/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(b["status"], "declined");
    assert_eq!(b["center_note"]["ja"], reason);
    let mail = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("booking_declined"))
        .filter(outbox::Column::EntityId.eq(id.as_str()))
        .one(&app.db)
        .await
        .expect("query")
        .expect("declined mail");
    assert!(mail.text_body.contains(reason), "{}", mail.text_body);
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("booking.decline"))
        .filter(audit_log::Column::EntityId.eq(id.as_str()))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(audit, 1);
    let page = app
        .get("/parent/bookings")
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains(reason), "the parent's page shows the reason");
}

async fn moving_to_the_waitlist_mails_the_family(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let id = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let coord = coordinator(&app, "coordinator@example.jp").await;
    let res = coord
        .post_json(
            &format!("/api/v1/bookings/{id}/waitlist"),
            &json!({"note": "ベッドの調整中です"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let b: Value = res.json().await.expect("json");
    assert_eq!(b["status"], "waitlisted");
    assert!(queue(&coord).await.is_empty());
    let mail = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("booking_waitlisted"))
        .filter(outbox::Column::EntityId.eq(id.as_str()))
        .one(&app.db)
        .await
        .expect("query")
        .expect("mail");
    assert_eq!(mail.to_address, "parent@example.jp");
    assert!(mail.text_body.contains("ベッドの調整中です"));
    // Not twice: a waiting request cannot be moved again.
    let res = coord
        .post_json(&format!("/api/v1/bookings/{id}/waitlist"), &json!({}))
        .await;
    problem(res, 409).await;
}

async fn another_municipality_sees_nothing(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let id = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let hk = coordinator(&app, "coordinator-hk@example.jp").await;
    assert!(queue(&hk).await.is_empty());
    for action in ["approve", "waitlist"] {
        let res = hk
            .post_json(&format!("/api/v1/bookings/{id}/{action}"), &json!({}))
            .await;
        problem(res, 404).await;
    }
    let res = hk
        .post_json(
            &format!("/api/v1/bookings/{id}/decline"),
            &json!({"reason": "x"}),
        )
        .await;
    problem(res, 404).await;
    assert_eq!(status(&app, &id).await, "requested");
    // Kiyose's own temporary-care room is not Higashikurume's at all.
    problem(hk.get("/api/v1/console/sites/with-i/calendar").await, 404).await;
    // The shared facility: Higashikurume sees the night taken, not by whom.
    let res = hk
        .get(&format!(
            "/api/v1/console/sites/midori/calendar?view=day&date={night}"
        ))
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.expect("body");
    let cal: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(cal["days"][0]["used"], 1);
    assert_eq!(cal["days"][0]["bookings"][0]["who"], Value::Null);
    assert!(!text.contains("花子"), "{text}");
    // …and cannot change it.
    let res = hk
        .post_json(
            "/api/v1/console/sites/midori/extra-beds",
            &json!({"date": night, "beds": 1}),
        )
        .await;
    problem(res, 403).await;
    // Parents are not staff.
    assert_eq!(app.get("/api/v1/console/queue").await.status(), 403);
}

async fn an_extra_bed_offers_the_night_to_the_waiting_family(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    book(&app, &stay("midori", &kids[..1], night, false)).await;
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, child) = another_family(&app, "kiyose", "waiting@example.jp", birth).await;
    let waiting = book(&other, &stay("midori", &[child], night, true)).await;
    assert_eq!(status(&other, &waiting).await, "waitlisted");

    let coord = coordinator(&app, "coordinator@example.jp").await;
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/extra-beds",
            &json!({"date": night, "beds": 0}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "beds");
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/extra-beds",
            &json!({"date": night, "beds": 1}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.expect("json");
    assert_eq!(out["offered"], json!([waiting]));
    assert_eq!(status(&other, &waiting).await, "offered");
    let offer_mail = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("waitlist_offer"))
        .filter(outbox::Column::EntityId.eq(waiting.as_str()))
        .count(&app.db)
        .await
        .expect("query");
    assert_eq!(offer_mail, 1);
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("site.add_beds"))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(audit, 1);
    let cal: Value = coord
        .get(&format!(
            "/api/v1/console/sites/midori/calendar?view=week&date={night}"
        ))
        .await
        .json()
        .await
        .expect("json");
    let day = cal["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["date"] == json!(night))
        .expect("the night")
        .clone();
    assert_eq!(day["capacity"], 3);
    assert_eq!(day["extra"], 1);
    assert_eq!(day["used"], 2, "the stay and the offer hold a bed each");
    assert_eq!(cal["days"].as_array().map(Vec::len), Some(7));
}

async fn closing_a_day_lists_the_bookings_it_hits(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let id = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let coord = coordinator(&app, "coordinator@example.jp").await;
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/closures",
            &json!({"date": night, "reason": ""}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "reason");
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/closures",
            &json!({"date": night, "reason": "設備点検"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.expect("json");
    assert_eq!(out["affected"][0]["id"], id.as_str());
    let cal: Value = coord
        .get(&format!(
            "/api/v1/console/sites/midori/calendar?view=day&date={night}"
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cal["days"][0]["open"], false);
    assert_eq!(cal["days"][0]["closed_reason"], "設備点検");
    assert_eq!(cal["closure_hits"][0]["id"], id.as_str());
    // Families can no longer book that night.
    let res = app
        .post_json(
            "/api/v1/bookings",
            &stay("midori", &kids[1..2], night, false),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["code"], "outside_opening_hours", "{p:#}");
    // The queue says so too.
    let items = queue(&coord).await;
    assert!(
        items[0]["conflicts"]
            .as_array()
            .expect("conflicts")
            .iter()
            .any(|c| c["code"] == "closed"),
        "{items:#?}"
    );
    // The center cancels the stay, free of charge; the hit list empties.
    let token = coord.csrf().await;
    let res = coord
        .client
        .post(coord.url(&format!(
            "/coordinator/calendar/midori/bookings/{id}/cancel"
        )))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 303);
    let b: Value = app
        .get(&format!("/api/v1/bookings/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(b["status"], "cancelled");
    assert_eq!(b["charge"], Value::Null);
    let cal: Value = coord
        .get("/api/v1/console/sites/midori/calendar")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cal["closure_hits"], json!([]));
    // A day in the past cannot be closed.
    let yesterday = hagukumi_domain::calendar::local_date(Utc::now()) - chrono::Duration::days(1);
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/closures",
            &json!({"date": yesterday, "reason": "x"}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "date");
}

async fn delete(c: &TestApp, path: String) -> reqwest::Response {
    let token = c.csrf().await;
    c.client
        .delete(c.url(&path))
        .header("x-csrf-token", token)
        .send()
        .await
        .expect("request")
}

async fn a_closed_day_opens_again_for_the_waiting_family(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let coord = coordinator(&app, "coordinator@example.jp").await;
    let reopen = |date: NaiveDate| format!("/api/v1/console/sites/midori/closures/{date}");

    // Only a day the center closed can be opened again.
    let res = delete(&coord, reopen(night)).await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "date");
    assert_eq!(p["errors"][0]["code"], "not_closed");

    // Kiyose's bed is taken and another family waits; then the night is closed.
    let id = book(&app, &stay("midori", &kids[..1], night, false)).await;
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, child) = another_family(&app, "kiyose", "waiting@example.jp", birth).await;
    let waiting = book(&other, &stay("midori", &[child], night, true)).await;
    let res = coord
        .post_json(
            "/api/v1/console/sites/midori/closures",
            &json!({"date": night, "reason": "断水"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // The center cancels the stay; nobody is offered a closed night.
    let res = coord
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status(&other, &waiting).await, "waitlisted");

    // Another city's coordinator cannot open Kiyose's facility.
    let hk = coordinator(&app, "coordinator-hk@example.jp").await;
    assert_eq!(delete(&hk, reopen(night)).await.status(), 403);

    // The water is back: the night opens and the waiting family is offered it.
    let res = delete(&coord, reopen(night)).await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.expect("json");
    assert_eq!(out["offered"], json!([waiting]));
    assert_eq!(status(&other, &waiting).await, "offered");
    let cal: Value = coord
        .get(&format!(
            "/api/v1/console/sites/midori/calendar?view=day&date={night}"
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cal["days"][0]["open"], true);
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("site.reopen_day"))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(audit, 1);

    // The plain form does the same and says so; a past day is refused.
    let token = coord.csrf().await;
    let yesterday = hagukumi_domain::calendar::local_date(Utc::now()) - chrono::Duration::days(1);
    let res = coord
        .client
        .post(coord.url("/coordinator/calendar/midori/reopen"))
        .form(&[("csrf", token.as_str()), ("date", &yesterday.to_string())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().expect("location");
    assert!(to.contains("error="), "{to}");
}

async fn a_roster_change_checks_each_rrule_and_shows_on_the_calendar(db: Db) {
    let app = spawn_app(db).await;
    let coord = coordinator(&app, "coordinator@example.jp").await;
    let res = coord
        .client
        .put(coord.url("/api/v1/console/sites/shimojuku/roster"))
        .header("x-csrf-token", coord.csrf().await)
        .json(&json!({"shifts": [
            {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "09:00:00", "hours": 8, "staff": 2},
            {"rrule": "FREQ=SOMETIMES", "start": "12:00:00", "hours": 2, "staff": 1}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(
        problem(res, 422).await["errors"][0]["field"],
        "shifts[1].rrule"
    );
    let res = coord
        .client
        .put(coord.url("/api/v1/console/sites/shimojuku/roster"))
        .header("x-csrf-token", coord.csrf().await)
        .json(&json!({"shifts": [
            {"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "09:00:00", "hours": 8, "staff": 4}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    // The next Wednesday: four on duty all day.
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    let wednesday = (1..=7)
        .map(|n| today + chrono::Duration::days(n))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Wed)
        .expect("a Wednesday");
    let cal: Value = coord
        .get(&format!(
            "/api/v1/console/sites/shimojuku/calendar?view=day&date={wednesday}"
        ))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cal["unit"], "hours");
    assert_eq!(cal["roster"][0]["staff"], 4);
    let day = &cal["days"][0];
    if day["open"] == true {
        assert_eq!(day["hours"][0]["hour"], "09:00");
        assert_eq!(day["hours"][0]["staff_on_duty"], 4, "{day:#}");
    }
    // An extra shift on that day adds to it.
    let res = coord
        .post_json(
            "/api/v1/console/sites/shimojuku/extra-shifts",
            &json!({"date": wednesday, "start": "09:00:00", "hours": 2, "staff": 1}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cal: Value = coord
        .get(&format!(
            "/api/v1/console/sites/shimojuku/calendar?view=day&date={wednesday}"
        ))
        .await
        .json()
        .await
        .expect("json");
    if cal["days"][0]["open"] == true {
        assert_eq!(cal["days"][0]["hours"][0]["staff_on_duty"], 5);
        assert_eq!(cal["days"][0]["hours"][3]["staff_on_duty"], 4);
    }
    let bad = coord
        .get("/api/v1/console/sites/shimojuku/calendar?view=year")
        .await;
    assert_eq!(problem(bad, 422).await["errors"][0]["field"], "view");
}

async fn coordinators_get_one_approvals_mail_a_day(db: Db) {
    let app = spawn_app_with(db, |s| s.mail.worker_enabled = false).await;
    let settings = crate::helpers::test_settings(app.db_url.clone());
    let at = |h: u32| {
        hagukumi_domain::calendar::local_date(Utc::now())
            .and_hms_opt(h, 0, 0)
            .expect("time")
            .and_local_timezone(hagukumi_domain::calendar::TZ)
            .single()
            .expect("JST")
            .with_timezone(&Utc)
    };
    let job = hagukumi_server::mail::jobs::approvals_digest;
    // Nothing waits: nothing is sent.
    assert_eq!(job(&app.db, &settings, at(9)).await.expect("job"), 0);
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    book(&app, &stay("midori", &kids[..1], night, false)).await;
    // Before the configured hour, nothing; then once, however often it runs.
    assert_eq!(job(&app.db, &settings, at(7)).await.expect("job"), 0);
    assert_eq!(job(&app.db, &settings, at(9)).await.expect("job"), 1);
    assert_eq!(job(&app.db, &settings, at(10)).await.expect("job"), 0);
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("approvals_waiting"))
        .filter(outbox::Column::DedupeKey.is_not_null())
        .all(&app.db)
        .await
        .expect("query");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].to_address, "coordinator@example.jp");
    assert!(rows[0].text_body.contains("/coordinator/queue"));
    let waiting = booking::Entity::find()
        .filter(booking::Column::Status.eq("requested"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(waiting, 1);
}

async fn a_helpers_calendar_is_for_their_own_municipality(db: Db) {
    let app = spawn_app(db).await;
    let coord = coordinator(&app, "coordinator@example.jp").await;
    let people: Vec<Value> = coord
        .get("/api/v1/console/people")
        .await
        .json()
        .await
        .expect("json");
    let id = people
        .iter()
        .find(|p| p["name"] == "佐藤 みどり")
        .and_then(|p| p["id"].as_str())
        .expect("the demo helper")
        .to_owned();
    let res = coord
        .get(&format!("/api/v1/console/people/{id}/calendar?view=month"))
        .await;
    assert_eq!(res.status(), 200);
    let cal: Value = res.json().await.expect("json");
    assert_eq!(cal["person"]["id"], id.as_str());
    assert!(cal["days"].as_array().is_some_and(|d| d.len() >= 28));
    let hk = coordinator(&app, "coordinator-hk@example.jp").await;
    problem(
        hk.get(&format!("/api/v1/console/people/{id}/calendar"))
            .await,
        404,
    )
    .await;
    let hk_people: Vec<Value> = hk
        .get("/api/v1/console/people")
        .await
        .json()
        .await
        .expect("json");
    assert!(hk_people.iter().all(|p| p["id"] != id.as_str()));
}
