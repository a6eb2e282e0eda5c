//! Changing a booking's time: it moves (capacity counted without itself), the fee
//! and the coupon follow, one audit record and one "changed" e-mail with the
//! calendar invitation's SEQUENCE increased; a time without a place is a 409 that
//! writes nothing; a booking past its free-change deadline, closed, or another
//! family's cannot be changed. Also the parent's HTML flow: the repeating
//! booking's per-date check, a double click that books once, and an expired
//! session that comes back to the page after signing in.

use chrono::{Duration, NaiveDate, Utc};
use hagukumi_server::entities::{audit_log, booking, coupon_balance, outbox};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

use crate::bookings::{another_family, first_bookable, my_children};
use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::mail::rows_for;
use crate::on_both_databases;

on_both_databases!(
    a_change_moves_the_booking_requotes_and_mails_the_new_invitation,
    a_change_without_a_place_is_a_409_and_writes_nothing,
    a_change_is_refused_when_it_would_cost_a_fee_or_is_not_the_familys,
    the_html_flow_books_a_weekly_series_once_and_changes_a_booking,
    an_expired_session_signs_in_and_comes_back,
    form_errors_sit_by_their_field_and_keep_what_was_typed,
    answering_an_offer_through_the_form_says_what_happened,
);

fn hours(site: &str, children: &[String], start: &str, end: &str) -> Value {
    json!({"service": "temporary-care", "site": site, "children": children,
           "period": {"kind": "hours", "start": start, "end": end}})
}

async fn change_with_key(app: &TestApp, id: &str, body: &Value, key: &str) -> reqwest::Response {
    let token = app.csrf().await;
    app.client
        .post(app.url(&format!("/api/v1/bookings/{id}/change")))
        .header("x-csrf-token", token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn spent(app: &TestApp) -> i64 {
    coupon_balance::Entity::find()
        .all(&app.db)
        .await
        .expect("balances")
        .iter()
        .map(|b| b.spent_yen)
        .sum()
}

async fn audits(app: &TestApp, id: &str, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(id))
        .filter(audit_log::Column::Action.eq(action))
        .count(&app.db)
        .await
        .expect("audit")
}

async fn a_change_moves_the_booking_requotes_and_mails_the_new_invitation(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (date, _) = first_bookable(&app, "temporary-care", "with-i", "").await;
    // さくら (under 4) alone: ¥500 an hour, paid by her coupon.
    let res = app
        .post_json(
            "/api/v1/bookings",
            &hours(
                "with-i",
                &kids[1..],
                &format!("{date}T10:00:00"),
                &format!("{date}T12:00:00"),
            ),
        )
        .await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.expect("json");
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["coupon_yen"], 1000);
    let id = b["id"].as_str().expect("id").to_owned();
    assert_eq!(spent(&app).await, 1000);

    // The preview says what the new time would give, writing nothing.
    let new = json!({"period": {"kind": "hours", "start": format!("{date}T13:00:00"),
                                "end": format!("{date}T16:00:00")}});
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/change/preview"), &new)
        .await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.expect("json");
    assert_eq!(p["occurrence"]["fits"], true, "{p}");
    assert_eq!(p["fee_yen"], 1500);
    assert_eq!(
        p["coupon_yen"], 1500,
        "the booking's own coupon counts as available"
    );
    assert_eq!(spent(&app).await, 1000);

    // Three hours in the afternoon instead of two in the morning.
    let res = change_with_key(&app, &id, &new, "move-1").await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.expect("json");
    assert_eq!(moved["id"], id.as_str());
    assert_eq!(moved["status"], "confirmed");
    assert_eq!(
        moved["start"].as_str().expect("start"),
        format!("{date}T13:00:00+09:00")
    );
    assert_eq!(
        moved["end"].as_str().expect("end"),
        format!("{date}T16:00:00+09:00")
    );
    assert_eq!(moved["fee_yen"], 1500);
    assert_eq!(moved["coupon_yen"], 1500);
    assert_eq!(moved["total_yen"], 0);
    assert_eq!(
        spent(&app).await,
        1500,
        "the coupon moved with it, not spent twice"
    );
    // The same key again changes nothing more.
    let res = change_with_key(&app, &id, &new, "move-1").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(spent(&app).await, 1500);
    assert_eq!(audits(&app, &id, "booking.change").await, 1);

    // One "changed" e-mail, its invitation replacing the confirmed one.
    let rows = rows_for(&app.db, "parent@example.jp").await;
    let confirmed: Vec<&outbox::Model> = rows
        .iter()
        .filter(|r| r.kind == "booking_confirmed")
        .collect();
    let changed: Vec<&outbox::Model> = rows
        .iter()
        .filter(|r| r.kind == "booking_changed")
        .collect();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(changed.len(), 1, "exactly one changed mail");
    // The new booking's own invitation: the family's account, the first version.
    assert_eq!(confirmed[0].ics_sequence, Some(0));
    assert!(confirmed[0].recipient_user_id.is_some());
    assert_eq!(confirmed[0].recipient_user_id, changed[0].recipient_user_id);
    let c = changed[0];
    assert_eq!(c.ics_method.as_deref(), Some("REQUEST"));
    assert_eq!(c.ics_uid, confirmed[0].ics_uid, "same calendar UID");
    assert!(c.ics_sequence > confirmed[0].ics_sequence);
    let ics = c.ics.as_deref().expect("ics").replace("\r\n ", "");
    assert!(ics.contains("METHOD:REQUEST\r\n"));
    assert!(
        ics.contains(&format!("SEQUENCE:{}\r\n", c.ics_sequence.unwrap_or(-1))),
        "{ics}"
    );
    assert!(ics.contains(&format!(
        "DTSTART;TZID=Asia/Tokyo:{}T130000\r\n",
        date.format("%Y%m%d")
    )));
    assert!(c.subject.contains("変更"), "{}", c.subject);
    assert!(c.text_body.contains("10:00"), "the previous time is shown");

    // Bad input names the field and writes nothing.
    let yesterday = hagukumi_domain::calendar::local_date(Utc::now()) - Duration::days(1);
    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/change"),
            &json!({"period": {"kind": "hours", "start": format!("{yesterday}T10:00:00"), "end": format!("{yesterday}T12:00:00")}}),
        )
        .await;
    assert_eq!(
        problem(res, 422).await["errors"][0]["field"],
        "period.start"
    );
    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/change"),
            &json!({"period": {"kind": "nights", "check_in": date, "nights": 1}}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "period.kind");
    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/change"),
            &json!({"period": {"kind": "hours", "start": format!("{date}T13:00:00"), "end": format!("{date}T16:00:00")}}),
        )
        .await;
    assert_eq!(
        problem(res, 422).await["errors"][0]["code"],
        "unchanged",
        "the same time is not a change"
    );
    assert_eq!(audits(&app, &id, "booking.change").await, 1);
}

async fn a_change_without_a_place_is_a_409_and_writes_nothing(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "midori", "").await;
    let stay = |children: &[String], check_in: NaiveDate| {
        json!({"service": "short-stay", "site": "midori", "children": children, "reason": "hospitalisation",
               "period": {"kind": "nights", "check_in": check_in, "nights": 1}})
    };
    let res = app
        .post_json("/api/v1/bookings", &stay(&kids[..1], night))
        .await;
    assert_eq!(res.status(), 201);
    let mine: Value = res.json().await.expect("json");
    let id = mine["id"].as_str().expect("id").to_owned();
    // Another Kiyose family takes the next night's only Kiyose bed.
    let next = night + Duration::days(1);
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, child) = another_family(&app, "kiyose", "other@example.jp", birth).await;
    let res = other
        .post_json(
            "/api/v1/bookings",
            &stay(std::slice::from_ref(&child), next),
        )
        .await;
    assert_eq!(res.status(), 201);
    let outbox_before = outbox::Entity::find().count(&app.db).await.expect("n");

    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/change"),
            &json!({"period": {"kind": "nights", "check_in": next, "nights": 1}}),
        )
        .await;
    let p = problem(res, 409).await;
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("変更されていません")),
        "{p}"
    );
    // Nothing moved, nothing audited, nothing mailed.
    let row = booking::Entity::find_by_id(id.parse::<uuid::Uuid>().expect("uuid"))
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(
        hagukumi_domain::calendar::local_date(row.starts_at),
        night,
        "still on its night"
    );
    assert_eq!(audits(&app, &id, "booking.change").await, 0);
    assert_eq!(
        outbox::Entity::find().count(&app.db).await.expect("n"),
        outbox_before
    );

    // Two nights from its own night fits: its own bed does not count against it.
    let res = app
        .post_json(
            &format!("/api/v1/bookings/{id}/change"),
            &json!({"period": {"kind": "day-stay", "date": night}}),
        )
        .await;
    assert_eq!(res.status(), 200, "a day stay on its own day fits");
    let moved: Value = res.json().await.expect("json");
    assert_eq!(moved["status"], "requested", "still waiting for approval");
    // A request not yet confirmed is told of its new time without a calendar invitation.
    let rows = rows_for(&app.db, "parent@example.jp").await;
    let received: Vec<&outbox::Model> = rows
        .iter()
        .filter(|r| r.kind == "booking_received")
        .collect();
    assert_eq!(received.len(), 2, "the request, then its new time");
    assert!(received.iter().all(|r| r.ics.is_none()));
    assert!(!rows.iter().any(|r| r.kind == "booking_changed"));
}

async fn a_change_is_refused_when_it_would_cost_a_fee_or_is_not_the_familys(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (date, _) = first_bookable(&app, "temporary-care", "with-i", "").await;
    let res = app
        .post_json(
            "/api/v1/bookings",
            &hours(
                "with-i",
                &kids[..1],
                &format!("{date}T10:00:00"),
                &format!("{date}T12:00:00"),
            ),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let new = json!({"period": {"kind": "hours", "start": format!("{date}T14:00:00"),
                                "end": format!("{date}T16:00:00")}});

    // Another family: not found, and its existence is not disclosed.
    let hk = app.another_browser();
    hk.sign_in_demo("parent-hk@example.jp").await;
    problem(
        hk.post_json(&format!("/api/v1/bookings/{id}/change"), &new)
            .await,
        404,
    )
    .await;
    problem(
        hk.post_json(&format!("/api/v1/bookings/{id}/change/preview"), &new)
            .await,
        404,
    )
    .await;
    // Staff change bookings with the family, not through the parent's endpoint.
    let coord = app.another_browser();
    coord.sign_in_demo("coordinator@example.jp").await;
    problem(
        coord
            .post_json(&format!("/api/v1/bookings/{id}/change"), &new)
            .await,
        403,
    )
    .await;

    // Later the same day it starts, temporary care charges the full fee to cancel,
    // so a change is refused and says what cancelling would cost.
    let uuid: uuid::Uuid = id.parse().expect("uuid");
    let row = booking::Entity::find_by_id(uuid)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    let (start, end) = (row.starts_at, row.ends_at);
    // "Soon" must be later the same local day: in the last minutes before midnight
    // (JST) wait for the new day rather than move the booking into tomorrow.
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    if hagukumi_domain::calendar::local_date(Utc::now() + Duration::minutes(3)) != today {
        let midnight = hagukumi_domain::availability::local_midnight(today + Duration::days(1));
        let wait = (midnight - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait + std::time::Duration::from_secs(1)).await;
    }
    let mut am = row.into_active_model();
    am.starts_at = Set(Utc::now() + Duration::minutes(2));
    am.ends_at = Set(Utc::now() + Duration::minutes(122));
    am.update(&app.db).await.expect("move to soon");
    let p = problem(
        app.post_json(&format!("/api/v1/bookings/{id}/change"), &new)
            .await,
        409,
    )
    .await;
    let detail = p["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("キャンセル料") && detail.contains("円"),
        "{detail}"
    );
    // Back to its day; cancelled bookings cannot change either.
    let row = booking::Entity::find_by_id(uuid)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    let mut am = row.into_active_model();
    am.starts_at = Set(start);
    am.ends_at = Set(end);
    am.update(&app.db).await.expect("restore");
    let res = app
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    problem(
        app.post_json(&format!("/api/v1/bookings/{id}/change"), &new)
            .await,
        409,
    )
    .await;
    assert_eq!(audits(&app, &id, "booking.change").await, 0);
}

/// A form post like a browser's (CSRF field, no redirects followed).
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, String)]) -> reqwest::Response {
    let csrf = app.csrf().await;
    let mut all: Vec<(&str, String)> = vec![("csrf", csrf)];
    all.extend(fields.iter().cloned());
    app.client
        .post(app.url(path))
        .header("referer", app.url("/parent/bookings"))
        .form(&all)
        .send()
        .await
        .expect("request")
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn the_html_flow_books_a_weekly_series_once_and_changes_a_booking(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (date, _) = first_bookable(&app, "temporary-care", "with-i", "").await;
    let until = date + Duration::days(40);
    // Choosing a day starts with the first child ticked; coming back from the
    // confirmation step keeps every choice (here the younger child and 3 hours).
    let input = |html: &str, name: &str| -> String {
        html.split(&format!("name=\"{name}\""))
            .nth(1)
            .and_then(|r| r.split('>').next())
            .unwrap_or_default()
            .to_owned()
    };
    let fresh = app
        .get(&format!(
            "/parent/book/temporary-care?site=with-i&day={date}"
        ))
        .await
        .text()
        .await
        .expect("html");
    assert!(input(&fresh, "child_0").contains("checked"), "{fresh}");
    assert!(!input(&fresh, "child_1").contains("checked"));
    let back = app
        .get(&format!(
            "/parent/book/temporary-care?site=with-i&day={date}&start=10%3A00&hours=3&child_1={}",
            kids[1]
        ))
        .await
        .text()
        .await
        .expect("html");
    assert!(input(&back, "child_1").contains("checked"), "{back}");
    assert!(!input(&back, "child_0").contains("checked"));
    assert!(back.contains("value=\"3\" selected"), "{back}");
    // Every weekday 10:00 for two hours, for about six weeks: the confirmation
    // step lists each date with ○ or × (and why) before anything is booked.
    let query = format!(
        "site=with-i&day={date}&start=10:00&hours=2&child_0={}&repeat_MO=on&repeat_TU=on&repeat_WE=on&repeat_TH=on&repeat_FR=on&until={until}",
        kids[1]
    );
    let html = app
        .get(&format!("/parent/book/temporary-care/confirm?{query}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"occurrences\""), "{html}");
    let fits = html.matches("class=\"fits\"").count();
    let not = html.matches("class=\"no-fit\"").count();
    assert!(fits > 0, "some dates fit");
    assert!(
        not > 0,
        "dates beyond the booking window do not fit and say so"
    );
    assert_eq!(booking::Entity::find().count(&app.db).await.expect("n"), 0);
    let key = html
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("form key")
        .to_owned();

    let fields: Vec<(&str, String)> = vec![
        ("form_key", key.clone()),
        ("service", "temporary-care".into()),
        ("site", "with-i".into()),
        ("day", date.to_string()),
        ("start", "10:00".into()),
        ("hours", "2".into()),
        ("child_0", kids[1].clone()),
        ("repeat_MO", "on".into()),
        ("repeat_TU", "on".into()),
        ("repeat_WE", "on".into()),
        ("repeat_TH", "on".into()),
        ("repeat_FR", "on".into()),
        ("until", until.to_string()),
    ];
    let res = post_form(&app, "/parent/bookings", &fields).await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.contains(&format!("series={fits}")), "{to}");
    let stored = booking::Entity::find().count(&app.db).await.expect("n");
    assert_eq!(stored, fits as u64, "the ○ dates and only those");
    // A double click sends the same form again: nothing more is booked.
    let res = post_form(&app, "/parent/bookings", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        booking::Entity::find().count(&app.db).await.expect("n"),
        stored
    );
    let html = app.get(&to).await.text().await.expect("html");
    assert!(html.contains("くり返し予約"), "{html}");

    // Change the first one through its page: the form is prefilled, the check
    // says ○ and the fee, the post moves it.
    let first: Vec<Value> = app
        .get("/api/v1/bookings")
        .await
        .json()
        .await
        .expect("json");
    let id = first[0]["id"].as_str().expect("id").to_owned();
    let day = first[0]["start"].as_str().expect("start")[..10].to_owned();
    let html = app
        .get(&format!("/parent/bookings/{id}/change"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains(&format!("value=\"{day}\"")), "prefilled");
    let html = app
        .get(&format!(
            "/parent/bookings/{id}/change?day={day}&start=14%3A00&hours=3"
        ))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"change-fits\""), "{html}");
    let key = html
        .split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("form key")
        .to_owned();
    // A time outside opening hours is shown next to the field, with the values kept.
    let html = app
        .get(&format!(
            "/parent/bookings/{id}/change?day={day}&start=20%3A30&hours=3"
        ))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"start-error\""), "{html}");
    assert!(html.contains("value=\"20:30\" selected"), "{html}");

    let change = vec![
        ("form_key", key),
        ("day", day.clone()),
        ("start", "14:00".to_owned()),
        ("hours", "3".to_owned()),
    ];
    let res = post_form(&app, &format!("/parent/bookings/{id}/change"), &change).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/parent/bookings?changed={id}"));
    let b: Value = app
        .get(&format!("/api/v1/bookings/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        b["start"].as_str().expect("start"),
        format!("{day}T14:00:00+09:00")
    );
    let res = post_form(&app, &format!("/parent/bookings/{id}/change"), &change).await;
    assert_eq!(res.status(), 303, "a second click replays");
    assert_eq!(audits(&app, &id, "booking.change").await, 1);
}

async fn answering_an_offer_through_the_form_says_what_happened(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent@example.jp").await;
    let kids = my_children(&app).await;
    let (night, _) = first_bookable(&app, "short-stay", "hikari", "").await;
    let stay = |child: &str| {
        json!({"service": "short-stay", "site": "hikari", "children": [child], "reason": "childbirth",
               "waitlist": true, "period": {"kind": "nights", "check_in": night, "nights": 1}})
    };
    let first: Value = app
        .post_json("/api/v1/bookings", &stay(&kids[0]))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["status"], "requested");
    let birth = NaiveDate::from_ymd_opt(2020, 5, 5).expect("date");
    let (other, child) =
        crate::bookings::another_family(&app, "kiyose", "offer@example.jp", birth).await;
    let waiting: Value = other
        .post_json("/api/v1/bookings", &stay(&child))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(waiting["status"], "waitlisted");
    let (first_id, id) = (
        first["id"].as_str().expect("id"),
        waiting["id"].as_str().expect("id"),
    );

    // The first family cancels through My bookings; the night is offered.
    let res = post_form(&app, &format!("/parent/bookings/{first_id}/cancel"), &[]).await;
    assert_eq!(location(&res), "/parent/bookings?done=1");
    // Taking it leads to a page that says what the place now is.
    let res = post_form(&other, &format!("/parent/bookings/{id}/accept"), &[]).await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert_eq!(to, format!("/parent/bookings?accepted={id}#booking-{id}"));
    let html = other.get(&to).await.text().await.expect("html");
    assert!(html.contains("id=\"accepted\""), "{html}");
    assert!(html.contains("申し込みを受け付けました"), "{html}");
    // Answering again is not a success: the page says it could not be done.
    let res = post_form(&other, &format!("/parent/bookings/{id}/accept"), &[]).await;
    let to = location(&res);
    assert_eq!(to, format!("/parent/bookings?failed={id}#booking-{id}"));
    let html = other.get(&to).await.text().await.expect("html");
    assert!(html.contains("id=\"failed\""), "{html}");
    let res = post_form(&other, &format!("/parent/bookings/{id}/decline-offer"), &[]).await;
    assert_eq!(
        location(&res),
        format!("/parent/bookings?failed={id}#booking-{id}")
    );
    let row = booking::Entity::find_by_id(id.parse::<uuid::Uuid>().expect("uuid"))
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(row.status, "requested");
}

async fn an_expired_session_signs_in_and_comes_back(db: Db) {
    let app = spawn_app(db).await;
    // A form posted without a live session goes to sign-in, remembering the page.
    let res = app
        .client
        .post(app.url("/parent/bookings"))
        .header(
            "referer",
            app.url("/parent/book/temporary-care/confirm?site=with-i&day=2026-12-10"),
        )
        .form(&[
            ("csrf", app.csrf().await),
            ("service", "temporary-care".into()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert_eq!(
        to,
        "/signin?next=%2Fparent%2Fbook%2Ftemporary-care%2Fconfirm%3Fsite%3Dwith-i%26day%3D2026-12-10"
    );
    // The sign-in page carries it, and signing in goes back there.
    let html = app.get(&to).await.text().await.expect("html");
    assert!(
        html.contains("name=\"next\" value=\"/parent/book/temporary-care/confirm?site=with-i&amp;day=2026-12-10\""),
        "{html}"
    );
    let res = app
        .client
        .post(app.url("/auth/signin"))
        .form(&[
            ("csrf", app.csrf().await),
            ("email", "parent@example.jp".to_owned()),
            ("password", crate::helpers::DEMO_PASSWORD.to_owned()),
            (
                "next",
                "/parent/book/temporary-care/confirm?site=with-i&day=2026-12-10".to_owned(),
            ),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/parent/book/temporary-care/confirm?site=with-i&day=2026-12-10"
    );
    // Never somewhere else.
    let other = app.another_browser();
    let res = other
        .client
        .post(other.url("/auth/signin"))
        .form(&[
            ("csrf", other.csrf().await),
            ("email", "parent@example.jp".to_owned()),
            ("password", crate::helpers::DEMO_PASSWORD.to_owned()),
            ("next", "//evil.example/".to_owned()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(location(&res), "/parent");
    // A page that needs a parent links to sign-in with the way back.
    let html = other
        .another_browser()
        .get("/parent/bookings")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("href=\"/signin?next=/parent/bookings\""),
        "{html}"
    );
}

async fn form_errors_sit_by_their_field_and_keep_what_was_typed(db: Db) {
    let app = spawn_app(db).await;
    // Sign-up with a password too short: the error is under the password field,
    // the name and address stay typed in, the password does not come back.
    let res = app
        .client
        .post(app.url("/auth/signup"))
        .form(&[
            ("csrf", app.csrf().await),
            ("display_name", "清瀬 はな".to_owned()),
            ("email", "hana@example.jp".to_owned()),
            ("password", "q7x#z".to_owned()),
            ("municipality", "kiyose".to_owned()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.starts_with("/signup?error=password:"), "{to}");
    let html = app.get(&to).await.text().await.expect("html");
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("value=\"清瀬 はな\""), "{html}");
    assert!(html.contains("value=\"hana@example.jp\""), "{html}");
    assert!(!html.contains("q7x#z"), "the password is never sent back");

    // A child's birth date in the future: the error sits under that field.
    app.sign_in_demo("parent@example.jp").await;
    let future = hagukumi_domain::calendar::local_date(Utc::now()) + Duration::days(30);
    let res = app
        .client
        .post(app.url("/parent/children"))
        .form(&[
            ("csrf", app.csrf().await),
            ("family_name", "清瀬".to_owned()),
            ("given_name", "みらい".to_owned()),
            ("birth_date", future.to_string()),
            ("due_date", String::new()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.contains("form=child-new"), "{to}");
    let html = app.get(&to).await.text().await.expect("html");
    assert!(html.contains("id=\"birth_date-new-error\""), "{html}");
    assert!(html.contains("value=\"みらい\""), "{html}");
    assert!(html.contains(&format!("value=\"{future}\"")), "{html}");
    // Nothing was saved.
    assert_eq!(
        hagukumi_server::entities::child::Entity::find()
            .filter(hagukumi_server::entities::child::Column::GivenName.eq("みらい"))
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
}
