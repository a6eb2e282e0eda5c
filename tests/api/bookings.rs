//! Availability and the booking lifecycle: book for one's own children, idempotency,
//! bad input as 422 with nothing written, cancellation fees and coupons, approval,
//! the waiting list, recurring previews.

use chrono::{NaiveDate, Utc};
use hagukumi_server::entities::{booking, child, household, rule_set, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Db, TestApp, listening, problem, second_server, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    availability_shows_marks_slots_and_closures,
    siblings_book_once_per_idempotency_key_and_cancel_refunds_the_coupon,
    bad_input_is_a_422_naming_the_rule_and_writes_nothing,
    short_stay_needs_approval_and_the_waitlist_gets_the_freed_night,
    a_lapsed_offer_expires_lazily_and_passes_to_the_next,
    recurring_preview_reports_each_occurrence_before_committing,
    the_calendar_follows_a_booking_and_its_cancellation_at_once,
    requests_arriving_together_are_decided_one_by_one,
    a_child_changed_elsewhere_counts_at_the_next_booking,
    rules_changed_elsewhere_count_at_the_next_booking,
    a_long_stay_holds_its_last_night,
);

/// The ids of the signed-in parent's children, oldest first.
pub async fn my_children(app: &TestApp) -> Vec<String> {
    let kids: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("children");
    kids.iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The first day in the next two months with a bookable slot, and that slot.
pub async fn first_bookable(
    app: &TestApp,
    service: &str,
    site: &str,
    extra: &str,
) -> (NaiveDate, Value) {
    let body = app.calendar(service, site, extra).await;
    let days = body["sites"][0]["days"].as_array().expect("days").clone();
    for d in days {
        if let Some(slot) = d["slots"].as_array().and_then(|s| s.first())
            && slot["remaining"].as_u64().unwrap_or(0) > 0
        {
            let date: NaiveDate = d["date"].as_str().expect("date").parse().expect("date");
            return (date, slot.clone());
        }
    }
    panic!("no bookable day for {service} at {site}");
}

/// Two servers on one database, the demo parent booking whole hours of
/// temporary care at With-I on the second while changes are made outside
/// both: on PostgreSQL the second server's rounds keep what they read and
/// drop it on the database's change notices; on SQLite they read every time.
struct Elsewhere {
    first: TestApp,
    second: TestApp,
    kid: String,
    free: std::vec::IntoIter<(String, String)>,
}

impl Elsewhere {
    async fn start(db: Db) -> Elsewhere {
        let first = spawn_app(db).await;
        let (second, changes) = second_server(&first).await;
        if db == Db::Postgres {
            assert!(
                listening(&changes).await,
                "the second server never listened"
            );
        }
        second.sign_in_demo("parent@example.jp").await;
        let kid = my_children(&second).await.remove(0);
        let calendar = second
            .calendar("temporary-care", "with-i", "&minutes=60")
            .await;
        let free: Vec<(String, String)> = calendar["sites"][0]["days"]
            .as_array()
            .expect("days")
            .iter()
            .filter_map(|d| d["slots"].as_array())
            .flatten()
            .filter(|s| s["remaining"].as_u64().unwrap_or(0) > 0)
            .map(|s| (local(&s["start"]), local(&s["end"])))
            .filter(|(start, _)| &start[14..16] == "00")
            .collect();
        Elsewhere {
            first,
            second,
            kid,
            free: free.into_iter(),
        }
    }

    /// Books the child's next free hour on the second server.
    async fn book(&mut self) -> reqwest::Response {
        let (start, end) = self.free.next().expect("a free hour left");
        let children = std::slice::from_ref(&self.kid);
        self.second
            .post_json(
                "/api/v1/bookings",
                &hours("temporary-care", "with-i", children, &start, &end),
            )
            .await
    }

    /// Books until a booking is refused, for at most 5 s (a change counts
    /// within moments): the refusal's problem.
    async fn refused(&mut self) -> Value {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let refused = loop {
            let res = self.book().await;
            if res.status() == 422 || std::time::Instant::now() > until {
                break res;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        problem(refused, 422).await
    }
}

async fn a_child_changed_elsewhere_counts_at_the_next_booking(db: Db) {
    let mut at = Elsewhere::start(db).await;
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    // The first booking reads the family and the child (and keeps them).
    assert_eq!(at.book().await.status(), 201);
    // The child's birth is taken back by plain SQL, outside both servers ...
    let mut am = child::Entity::find_by_id(at.kid.parse::<Uuid>().expect("uuid"))
        .one(&at.first.db)
        .await
        .expect("q")
        .expect("child")
        .into_active_model();
    am.birth_date = Set(None);
    am.due_date = Set(Some(today + chrono::Duration::days(60)));
    am.update(&at.first.db).await.expect("update");
    // ... and within moments the next booking of the child is refused for it.
    let body = at.refused().await;
    assert!(body.to_string().contains("not_born"), "{body}");
}

async fn rules_changed_elsewhere_count_at_the_next_booking(db: Db) {
    let mut at = Elsewhere::start(db).await;
    // The first booking reads the rules (and keeps them).
    assert_eq!(at.book().await.status(), 201);
    // A new version of temporary care's rules, from today, allows 30 minutes
    // a day; it is written by plain SQL, outside both servers ...
    let parent = user::Entity::find()
        .filter(user::Column::Email.eq("parent@example.jp"))
        .one(&at.first.db)
        .await
        .expect("q")
        .expect("parent");
    let latest = rule_set::Entity::find()
        .filter(rule_set::Column::MunicipalityId.eq(parent.municipality_id))
        .filter(rule_set::Column::ServiceKey.eq("temporary-care"))
        .all(&at.first.db)
        .await
        .expect("q")
        .into_iter()
        .max_by_key(|r| r.effective_from)
        .expect("temporary care's rules");
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    assert!(latest.effective_from < today, "{}", latest.effective_from);
    let mut rules = latest.rules.clone();
    rules["effective_from"] = json!(today);
    rules["limits"]["max_minutes_per_day"] = json!(30);
    rule_set::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(parent.municipality_id),
        service_key: Set("temporary-care".into()),
        effective_from: Set(today),
        rules: Set(rules),
        created_at: Set(Utc::now()),
    }
    .insert(&at.first.db)
    .await
    .expect("insert");
    // ... and within moments an hour is too long on the second server.
    let body = at.refused().await;
    assert!(body.to_string().contains("too_long"), "{body}");
}

/// A second family in the municipality, signed in on its own client.
pub async fn another_family(
    app: &TestApp,
    municipality: &str,
    email: &str,
    birth: NaiveDate,
) -> (TestApp, String) {
    let m = hagukumi_server::entities::municipality::Entity::find()
        .filter(hagukumi_server::entities::municipality::Column::Code.eq(municipality))
        .one(&app.db)
        .await
        .expect("query")
        .expect("municipality");
    let now = Utc::now();
    let uid = Uuid::now_v7();
    user::ActiveModel {
        id: Set(uid),
        municipality_id: Set(m.id),
        email: Set(email.to_owned()),
        password_hash: Set("not-a-hash".to_owned()),
        display_name: Set(email.to_owned()),
        role: Set("parent".to_owned()),
        locale: Set("en".to_owned()),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("user");
    let hid = Uuid::now_v7();
    household::ActiveModel {
        id: Set(hid),
        municipality_id: Set(m.id),
        user_id: Set(Some(uid)),
        single_parent: Set(false),
        single_parent_since: Set(None),
        public_assistance: Set(false),
        tax_exempt: Set(false),
        multiple_birth: Set(false),
        area: Set(None),
        facts_confirmed_at: Set(None),
        facts_confirmed_by: Set(None),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("household");
    let cid = Uuid::now_v7();
    child::ActiveModel {
        id: Set(cid),
        municipality_id: Set(m.id),
        household_id: Set(hid),
        family_name: Set("Test".to_owned()),
        given_name: Set("Child".to_owned()),
        birth_date: Set(Some(birth)),
        due_date: Set(None),
        created_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("child");
    let token = hagukumi_server::auth::session::create(&app.db, uid, 1)
        .await
        .expect("session");
    let other = app.another_browser();
    let url: reqwest::Url = other.address.parse().expect("url");
    other
        .jar
        .add_cookie_str(&format!("hgk_session={token}; Path=/"), &url);
    (other, cid.to_string())
}

fn hours(service: &str, site: &str, children: &[String], start: &str, end: &str) -> Value {
    json!({"service": service, "site": site, "children": children,
           "period": {"kind": "hours", "start": start, "end": end}})
}

/// `YYYY-MM-DDTHH:MM:SS` local time from a slot's `+09:00` start.
fn local(slot_time: &Value) -> String {
    slot_time.as_str().expect("time")[..19].to_owned()
}

async fn post_with_key(app: &TestApp, body: &Value, key: &str) -> reqwest::Response {
    let token = app.csrf().await;
    app.client
        .post(app.url("/api/v1/bookings"))
        .header("x-csrf-token", token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn coupon_spent(app: &TestApp) -> i64 {
    hagukumi_server::entities::coupon_balance::Entity::find()
        .all(&app.db)
        .await
        .expect("balances")
        .iter()
        .map(|b| b.spent_yen)
        .sum()
}

async fn bookings_stored(app: &TestApp) -> u64 {
    booking::Entity::find().count(&app.db).await.expect("count")
}

async fn availability_shows_marks_slots_and_closures(db: Db) {
    let app = spawn_app(db).await;
    // Anonymous widget: Kiyose by default; a newborn-aged child counts for the ratio.
    let res = app
        .get("/api/v1/services/temporary-care/availability?from=2026-12-20&to=2027-01-05&site=with-i&birth_dates=2025-02-03")
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    let site = &body["sites"][0];
    assert_eq!(site["site"]["code"], "with-i");
    assert_eq!(site["unit"], "hours");
    let days = site["days"].as_array().expect("days");
    assert_eq!(days.len(), 17);
    let day = |d: &str| days.iter().find(|x| x["date"] == d).expect("day").clone();
    // 年末年始: closed, shown as ×.
    assert_eq!(day("2026-12-30")["mark"], "closed");
    assert_eq!(day("2026-12-30")["symbol"], "×");
    assert_eq!(day("2026-12-30")["reason"], "closed");
    // A normal December day: bookable from 09:00, plenty left (○).
    let d = day("2026-12-21");
    assert_eq!(d["mark"], "free");
    assert_eq!(d["symbol"], "○");
    assert_eq!(d["slots"][0]["start"], "2026-12-21T09:00:00+09:00");
    assert!(d["slots"][0]["remaining"].as_u64().unwrap_or(0) > 3);
    // January requests open on 15 December: not yet.
    assert_eq!(day("2027-01-05")["reason"], "not_yet_open");

    // Short stay: nights, bookable up to 30 days ahead.
    let res = app
        .get("/api/v1/services/short-stay/availability?from=2026-11-20&to=2026-12-31")
        .await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["sites"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["sites"][0]["unit"], "nights");
    let days = body["sites"][0]["days"].as_array().expect("days");
    assert_eq!(days[0]["reason"], "booking_closed", "a past night");

    // Bad ranges and sites name the field.
    let res = app
        .get("/api/v1/services/temporary-care/availability?from=2026-12-01&to=2027-06-01")
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "to");
    let res = app
        .get("/api/v1/services/temporary-care/availability?from=2026-12-01&to=2026-12-02&site=nowhere")
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "site");
}

async fn siblings_book_once_per_idempotency_key_and_cancel_refunds_the_coupon(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    assert_eq!(kids.len(), 2);
    let (_, slot) = first_bookable(&app, "temporary-care", "with-i", "").await;
    let start = local(&slot["start"]);
    let end = format!("{}T11:00:00", &start[..10]);
    let body = hours("temporary-care", "with-i", &kids, &start, &end);

    let res = post_with_key(&app, &body, "key-1").await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.expect("json");
    assert_eq!(
        b["status"], "confirmed",
        "temporary care confirms automatically"
    );
    assert_eq!(
        b["children"].as_array().map(Vec::len),
        Some(2),
        "siblings in one booking"
    );
    // ¥500 an hour per child, 2 hours, 2 children; the younger one's coupon
    // (¥6,000 a year until the 4th birthday) pays, spent on confirmation.
    assert_eq!(b["fee_yen"], 2000);
    assert_eq!(b["coupon_yen"], 2000);
    assert_eq!(b["total_yen"], 0);
    let id = b["id"].as_str().expect("id").to_owned();
    assert_eq!(coupon_spent(&app).await, 2000);

    // The same key again: the same booking, never a second one.
    let res = post_with_key(&app, &body, "key-1").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let again: Value = res.json().await.expect("json");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(bookings_stored(&app).await, 1);
    // The same key with another body is refused.
    let other = hours("temporary-care", "with-i", &kids[..1], &start, &end);
    let res = post_with_key(&app, &other, "key-1").await;
    assert_eq!(
        problem(res, 422).await["errors"][0]["field"],
        "Idempotency-Key"
    );

    // Listed and readable by the family, with what cancelling now would cost.
    let list: Vec<Value> = app
        .get("/api/v1/bookings")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.len(), 1);
    let one: Value = app
        .get(&format!("/api/v1/bookings/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert!(one["cancellation_fee_now"]["yen"].is_number());

    // Another family sees nothing of it; another family's child cannot be booked.
    let hk = app.another_browser();
    hk.sign_in_demo("parent-hk@example.jp").await;
    assert_eq!(
        hk.get(&format!("/api/v1/bookings/{id}")).await.status(),
        404
    );
    let res = hk
        .post_json(
            "/api/v1/bookings",
            &hours("temporary-care", "with-i", &kids, &start, &end),
        )
        .await;
    problem(res, 404).await;

    // Staff cannot approve a confirmed booking; a parent cannot approve at all.
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/approve"), &json!({}))
        .await;
    problem(res, 403).await;

    // Cancel: the policy's fee (temporary care charges only on the day) is shown,
    // and the coupon goes back, in the same transaction.
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let c: Value = res.json().await.expect("json");
    assert_eq!(c["status"], "cancelled");
    assert!(c["charge"].is_null(), "free before the day: {c}");
    assert_eq!(coupon_spent(&app).await, 0, "the coupon was given back");
    // Cancelling twice is a conflict with the state machine.
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    problem(res, 409).await;
    // Each change wrote its audit record.
    let audits = hagukumi_server::entities::audit_log::Entity::find()
        .filter(hagukumi_server::entities::audit_log::Column::EntityId.eq(id.as_str()))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(audits, 2);
}

async fn bad_input_is_a_422_naming_the_rule_and_writes_nothing(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (date, _) = first_bookable(&app, "temporary-care", "with-i", "").await;
    let at = |h: u32| format!("{date}T{h:02}:00:00");
    let cases = [
        (
            hours(
                "temporary-care",
                "with-i",
                &kids,
                "2026-01-05T10:00:00",
                "2026-01-05T12:00:00",
            ),
            "period.start",
            "in_past",
        ),
        (
            hours("temporary-care", "with-i", &kids, &at(7), &at(9)),
            "period",
            "outside_opening_hours",
        ),
        (
            hours("temporary-care", "with-i", &kids, &at(8), &at(17)),
            "period",
            "too_long",
        ),
        (
            hours("temporary-care", "with-i", &kids, &at(10), &at(10)),
            "period.end",
            "end_not_after_start",
        ),
        (
            hours("temporary-care", "nowhere", &kids, &at(10), &at(12)),
            "site",
            "unknown_site",
        ),
        (
            json!({"service": "temporary-care", "site": "with-i", "children": kids,
                "period": {"kind": "nights", "check_in": date, "nights": 1}}),
            "period.kind",
            "wrong_kind",
        ),
        (
            json!({"service": "temporary-care", "site": "with-i", "children": kids,
                "period": {"kind": "hours", "start": at(10), "end": at(12)},
                "recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=TU"}}),
            "recurrence.rrule",
            "rrule_unbounded",
        ),
        (
            json!({"service": "temporary-care", "site": "with-i", "children": kids,
                "period": {"kind": "hours", "start": at(10), "end": at(12)},
                "recurrence": {"rrule": "FREQ=DAILY;COUNT=5000"}}),
            "recurrence.rrule",
            "rrule_too_many_occurrences",
        ),
        // Short stay needs a reason the city accepts.
        (
            json!({"service": "short-stay", "site": "midori", "children": kids,
                "period": {"kind": "nights", "check_in": date, "nights": 9}}),
            "period.nights",
            "too_long",
        ),
    ];
    for (body, field, code) in cases {
        let res = app.post_json("/api/v1/bookings", &body).await;
        let p = problem(res, 422).await;
        assert_eq!(p["errors"][0]["field"], field, "{body} → {p}");
        assert_eq!(p["errors"][0]["code"], code, "{body} → {p}");
    }
    // An ineligible child: a 20-day-old baby for temporary care (from 57 days).
    let h = household::Entity::find()
        .one(&app.db)
        .await
        .expect("q")
        .expect("h");
    let baby = Uuid::now_v7();
    child::ActiveModel {
        id: Set(baby),
        municipality_id: Set(h.municipality_id),
        household_id: Set(h.id),
        family_name: Set("清瀬".into()),
        given_name: Set("新".into()),
        birth_date: Set(Some(date - chrono::Duration::days(20))),
        due_date: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .expect("baby");
    let res = app
        .post_json(
            "/api/v1/bookings",
            &hours(
                "temporary-care",
                "with-i",
                &[baby.to_string()],
                &at(10),
                &at(12),
            ),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "children[0]");
    // A child who is no one's here.
    let res = app
        .post_json(
            "/api/v1/bookings",
            &hours(
                "temporary-care",
                "with-i",
                &[Uuid::now_v7().to_string()],
                &at(10),
                &at(12),
            ),
        )
        .await;
    problem(res, 404).await;
    assert_eq!(bookings_stored(&app).await, 0, "nothing written");
}

async fn short_stay_needs_approval_and_the_waitlist_gets_the_freed_night(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, slot) = first_bookable(&app, "short-stay", "midori", "").await;
    assert_eq!(
        slot["remaining"], 1,
        "Kiyose's guaranteed bed; the other is Higashikurume's"
    );
    let stay = |children: &[String], waitlist: bool| {
        json!({"service": "short-stay", "site": "midori", "children": children, "reason": "hospitalisation",
               "waitlist": waitlist, "period": {"kind": "nights", "check_in": night, "nights": 1}})
    };
    let res = app
        .post_json("/api/v1/bookings", &stay(&kids[..1], false))
        .await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.expect("json");
    assert_eq!(
        first["status"], "requested",
        "short stay waits for a coordinator"
    );
    let first_id = first["id"].as_str().expect("id").to_owned();

    let coord = app.another_browser();
    coord.sign_in_demo("coordinator@example.jp").await;
    let res = coord
        .post_json(&format!("/api/v1/bookings/{first_id}/approve"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.expect("json")["status"],
        "confirmed"
    );
    // The coordinator of another city does not see it.
    let hk_coord = app.another_browser();
    hk_coord.sign_in_demo("coordinator-hk@example.jp").await;
    assert_eq!(
        hk_coord
            .get(&format!("/api/v1/bookings/{first_id}"))
            .await
            .status(),
        404
    );

    // Kiyose's bed is taken: another Kiyose family gets a 409, or joins the waitlist.
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, other_child) = another_family(&app, "kiyose", "waiting@example.jp", birth).await;
    let res = other
        .post_json(
            "/api/v1/bookings",
            &stay(std::slice::from_ref(&other_child), false),
        )
        .await;
    let p = problem(res, 409).await;
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    let res = other
        .post_json(
            "/api/v1/bookings",
            &stay(std::slice::from_ref(&other_child), true),
        )
        .await;
    assert_eq!(res.status(), 201);
    let waiting: Value = res.json().await.expect("json");
    assert_eq!(waiting["status"], "waitlisted");
    let waiting_id = waiting["id"].as_str().expect("id").to_owned();

    // The first family cancels: the night is offered to the waiting family, for a while.
    let res = app
        .post_json(&format!("/api/v1/bookings/{first_id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let w: Value = other
        .get(&format!("/api/v1/bookings/{waiting_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(w["status"], "offered");
    assert!(w["offer_expires_at"].is_string());
    let res = other
        .post_json(
            &format!("/api/v1/bookings/{waiting_id}/accept-offer"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.expect("json")["status"],
        "requested"
    );
}

async fn a_lapsed_offer_expires_lazily_and_passes_to_the_next(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "hikari", "").await;
    let stay = |children: &[String]| {
        json!({"service": "short-stay", "site": "hikari", "children": children, "reason": "childbirth",
               "waitlist": true, "period": {"kind": "nights", "check_in": night, "nights": 1}})
    };
    let res = app.post_json("/api/v1/bookings", &stay(&kids[..1])).await;
    let first: Value = res.json().await.expect("json");
    let birth = NaiveDate::from_ymd_opt(2019, 9, 9).expect("date");
    let (second, c2) = another_family(&app, "kiyose", "second@example.jp", birth).await;
    let (third, c3) = another_family(&app, "kiyose", "third@example.jp", birth).await;
    let w2: Value = second
        .post_json("/api/v1/bookings", &stay(&[c2]))
        .await
        .json()
        .await
        .expect("json");
    let w3: Value = third
        .post_json("/api/v1/bookings", &stay(&[c3]))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(w2["status"], "waitlisted");
    assert_eq!(w3["status"], "waitlisted");
    let id = |v: &Value| v["id"].as_str().expect("id").parse::<Uuid>().expect("uuid");

    app.post_json(
        &format!("/api/v1/bookings/{}/cancel", id(&first)),
        &json!({}),
    )
    .await;
    let status = |id: Uuid| {
        let db = app.db.clone();
        async move {
            booking::Entity::find_by_id(id)
                .one(&db)
                .await
                .expect("q")
                .expect("row")
                .status
        }
    };
    assert_eq!(
        status(id(&w2)).await,
        "offered",
        "first come, first offered"
    );
    assert_eq!(status(id(&w3)).await, "waitlisted");
    // The offer lapses (moved into the past here); the next request notices it.
    let row = booking::Entity::find_by_id(id(&w2))
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    let mut am = row.into_active_model();
    am.offer_expires_at = Set(Some(Utc::now() - chrono::Duration::minutes(1)));
    am.update(&app.db).await.expect("update");
    let list: Vec<Value> = third
        .get("/api/v1/bookings")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["status"], "offered", "the place passed to the next");
    assert_eq!(status(id(&w2)).await, "expired");
    // Accepting the lapsed offer is refused.
    let res = second
        .post_json(
            &format!("/api/v1/bookings/{}/accept-offer", id(&w2)),
            &json!({}),
        )
        .await;
    problem(res, 409).await;
}

async fn recurring_preview_reports_each_occurrence_before_committing(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (date, _) = first_bookable(&app, "temporary-care", "with-i", "").await;
    // Tuesdays and Thursdays 10:00–12:00 until the end of December (the New Year
    // closure and anything before the window must show as not fitting).
    let body = json!({"service": "temporary-care", "site": "with-i", "children": &kids[1..],
        "period": {"kind": "hours", "start": format!("{date}T10:00:00"), "end": format!("{date}T12:00:00")},
        "recurrence": {"rrule": "FREQ=DAILY;UNTIL=20261231T235959"}});
    let res = app.post_json("/api/v1/bookings/preview", &body).await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.expect("json");
    let occ = p["occurrences"].as_array().expect("occurrences");
    assert!(!occ.is_empty());
    let closed = occ
        .iter()
        .find(|o| {
            o["start"]
                .as_str()
                .is_some_and(|s| s.starts_with("2026-12-30"))
        })
        .expect("30 December");
    assert_eq!(closed["fits"], false);
    assert_eq!(closed["conflict"]["code"], "closed");
    let fitting = p["fitting"].as_u64().expect("n");
    assert!(fitting > 0);
    assert_eq!(bookings_stored(&app).await, 0, "a preview writes nothing");

    let res = app.post_json("/api/v1/bookings", &body).await;
    assert_eq!(res.status(), 201);
    let s: Value = res.json().await.expect("json");
    assert_eq!(
        s["bookings"].as_array().map(Vec::len),
        Some(fitting as usize)
    );
    assert!(!s["skipped"].as_array().expect("skipped").is_empty());
    assert_eq!(bookings_stored(&app).await, fitting);
}

/// The places left on the night of `night` at Midori House, for Kiyose.
async fn beds_left(app: &TestApp, night: NaiveDate) -> u64 {
    let res = app
        .get(&format!(
            "/api/v1/services/short-stay/availability?from={night}&to={night}&site=midori"
        ))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    body["sites"][0]["days"][0]["slots"][0]["remaining"]
        .as_u64()
        .unwrap_or(0)
}

/// Calendars are kept for the minute they were asked in; a booking or a
/// cancellation on their days is seen by the very next request all the same.
async fn the_calendar_follows_a_booking_and_its_cancellation_at_once(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    assert_eq!(beds_left(&app, night).await, 1, "Kiyose's guaranteed bed");
    // Asked again: the same answer (now from the cache).
    assert_eq!(beds_left(&app, night).await, 1);

    let body = json!({"service": "short-stay", "site": "midori", "children": &kids[..1],
        "reason": "hospitalisation", "period": {"kind": "nights", "check_in": night, "nights": 1}});
    let res = app.post_json("/api/v1/bookings", &body).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        beds_left(&app, night).await,
        0,
        "the request holds the bed at once"
    );
    // Another browser, the same question in the same minute: the same news.
    assert_eq!(beds_left(&app.another_browser(), night).await, 0);

    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(beds_left(&app, night).await, 1, "the bed is free again");
}

/// Requests that arrive together are decided one after another, in one
/// transaction or several: copies of one request with the same key make one
/// booking, a refused request takes no other down with it, and the coupon spent
/// by bookings decided together never passes a child's yearly balance.
async fn requests_arriving_together_are_decided_one_by_one(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let cal = app.calendar("temporary-care", "with-i", "").await;
    // Two hours from the first free start of each of the first six open days.
    let mut periods = Vec::new();
    for d in cal["sites"][0]["days"].as_array().expect("days") {
        if let Some(slot) = d["slots"].as_array().and_then(|s| s.first())
            && slot["remaining"].as_u64().unwrap_or(0) > 0
        {
            let start = local(&slot["start"]);
            let at: chrono::NaiveDateTime = start.parse().expect("start");
            let end = (at + chrono::Duration::hours(2))
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
            periods.push((start, end));
        }
        if periods.len() == 6 {
            break;
        }
    }
    assert_eq!(periods.len(), 6, "six open days in the next 45 days");

    let same = hours(
        "temporary-care",
        "with-i",
        &kids,
        &periods[0].0,
        &periods[0].1,
    );
    // The same key with another body: whichever comes first wins, the rest are refused.
    let other = hours(
        "temporary-care",
        "with-i",
        &kids[..1],
        &periods[0].0,
        &periods[0].1,
    );
    let mut racing = Vec::new();
    for _ in 0..6 {
        racing.push(post_with_key(&app, &same, "together"));
    }
    racing.push(post_with_key(&app, &other, "together"));
    let apart: Vec<Value> = periods[1..]
        .iter()
        .map(|(start, end)| hours("temporary-care", "with-i", &kids, start, end))
        .collect();
    let keys: Vec<String> = (0..apart.len()).map(|i| format!("apart-{i}")).collect();
    let separate: Vec<_> = apart
        .iter()
        .zip(&keys)
        .map(|(body, key)| post_with_key(&app, body, key))
        .collect();
    let (racing, separate) = futures::join!(
        futures::future::join_all(racing),
        futures::future::join_all(separate)
    );

    let mut created = Vec::new();
    let mut replayed = Vec::new();
    for res in racing {
        match res.status().as_u16() {
            201 => created.push(res.json::<Value>().await.expect("json")["id"].clone()),
            200 => {
                assert_eq!(res.headers()["idempotent-replayed"], "true");
                replayed.push(res.json::<Value>().await.expect("json")["id"].clone());
            }
            _ => assert_eq!(
                problem(res, 422).await["errors"][0]["field"],
                "Idempotency-Key"
            ),
        }
    }
    assert_eq!(created.len(), 1, "one key, one booking");
    assert!(
        replayed.iter().all(|id| *id == created[0]),
        "every replay answers with the one booking"
    );

    let mut made = 1;
    for res in separate {
        match res.status().as_u16() {
            201 => made += 1,
            // A quota may stop some of them; nothing else may.
            _ => assert_eq!(problem(res, 422).await["errors"][0]["code"], "quota"),
        }
    }
    assert!(made >= 2, "bookings on other days are not held up");
    assert_eq!(bookings_stored(&app).await, made);

    // The coupon spent is exactly what the stored bookings used, within each
    // child's yearly balance, however the requests were grouped.
    let list: Vec<Value> = app
        .get("/api/v1/bookings")
        .await
        .json()
        .await
        .expect("json");
    let used: i64 = list.iter().filter_map(|b| b["coupon_yen"].as_i64()).sum();
    assert_eq!(coupon_spent(&app).await, used);
    for b in hagukumi_server::entities::coupon_balance::Entity::find()
        .all(&app.db)
        .await
        .expect("balances")
    {
        assert!(b.spent_yen <= 6000, "a child's coupon is ¥6,000 a year");
    }
}

/// A stay holds every one of its nights, the last one too: a booking that began
/// days before the night asked about is found (the holding read bounds how far
/// back it looks by the longest stay stored on the facility).
async fn a_long_stay_holds_its_last_night(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    // Five nights in a row with Kiyose's bed free.
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    let to = today + chrono::Duration::days(60);
    let res = app
        .get(&format!(
            "/api/v1/services/short-stay/availability?from={today}&to={to}&site=midori"
        ))
        .await;
    let body: Value = res.json().await.expect("json");
    let free: Vec<NaiveDate> = body["sites"][0]["days"]
        .as_array()
        .expect("days")
        .iter()
        .filter(|d| {
            d["slots"]
                .as_array()
                .and_then(|s| s.first())
                .is_some_and(|s| s["remaining"].as_u64().unwrap_or(0) > 0)
        })
        .map(|d| d["date"].as_str().expect("date").parse().expect("date"))
        .collect();
    let check_in = *free
        .iter()
        .find(|d| (1..5).all(|k| free.contains(&(**d + chrono::Duration::days(k)))))
        .expect("five free nights in a row");
    let last = check_in + chrono::Duration::days(4);
    let remaining_on = |night: NaiveDate| {
        let app = &app;
        async move {
            let body: Value = app
                .get(&format!(
                    "/api/v1/services/short-stay/availability?from={night}&to={night}&site=midori"
                ))
                .await
                .json()
                .await
                .expect("json");
            body["sites"][0]["days"][0]["slots"][0]["remaining"]
                .as_u64()
                .unwrap_or(0)
        }
    };
    assert_eq!(remaining_on(last).await, 1, "the last night is free before");
    let res = app
        .post_json(
            "/api/v1/bookings",
            &json!({"service": "short-stay", "site": "midori", "children": &kids[..1],
                "reason": "hospitalisation",
                "period": {"kind": "nights", "check_in": check_in, "nights": 5}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let stay: Value = res.json().await.expect("json");
    let stay_id = stay["id"].as_str().expect("id").to_owned();
    // Asked about alone, the fifth night is taken by the stay that began four
    // days before it, for the calendar and for the next booking alike.
    assert_eq!(remaining_on(last).await, 0, "the stay holds its last night");
    // The coordinator's day view of that night shows the stay.
    let coord = app.another_browser();
    coord.sign_in_demo("coordinator@example.jp").await;
    let day = coord
        .get(&format!(
            "/api/v1/console/sites/midori/calendar?view=day&date={last}"
        ))
        .await;
    assert_eq!(day.status(), 200);
    let day = day.text().await.expect("body");
    assert!(day.contains(&stay_id), "{day}");
    // A weekly series can ask about up to 200 ranges at once, read in several
    // statements on SQLite: a stay that overlaps ranges of two of them counts
    // once. 150 one-minute ranges, two minutes apart, across the stay.
    let site = hagukumi_server::entities::site::Entity::find()
        .filter(hagukumi_server::entities::site::Column::Code.eq("midori"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("site");
    let codes = hagukumi_server::booking::resource::municipality_codes(&app.db)
        .await
        .expect("codes");
    let from = hagukumi_domain::availability::local_to_utc(
        (check_in + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    );
    let ranges: Vec<hagukumi_domain::availability::Interval> = (0..150)
        .map(|k| {
            hagukumi_domain::availability::Interval::starting_at(
                from + chrono::Duration::minutes(2 * k),
                chrono::Duration::minutes(1),
            )
            .expect("range")
        })
        .collect();
    let held = hagukumi_server::booking::repo::holding_in(
        &app.db,
        &hagukumi_server::booking::locks::site_key(site.id),
        &ranges,
        &codes,
    )
    .await
    .expect("holding");
    assert_eq!(held.len(), 1, "the stay, once: {held:?}");
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, other_child) = another_family(&app, "kiyose", "late@example.jp", birth).await;
    let res = other
        .post_json(
            "/api/v1/bookings",
            &json!({"service": "short-stay", "site": "midori", "children": [other_child],
                "reason": "hospitalisation",
                "period": {"kind": "nights", "check_in": last, "nights": 1}}),
        )
        .await;
    problem(res, 409).await;
}
