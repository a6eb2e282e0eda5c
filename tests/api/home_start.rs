//! Home-Start plans through the API: the life cycle (assessment → visitor → weekly
//! series → review → closed, or cancelled), who may be assigned (trained, free, of the
//! municipality), overlapping visits for one visitor refused even when two coordinators
//! commit at once, each family seeing only its own plan, the visitor's schedule and feed,
//! and the mails written with each change.

use chrono::Utc;
use hagukumi_server::entities::{municipality, outbox, provider};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    home_start_plan_life_cycle_mails_and_visibility,
    home_start_visitor_exclusions_and_overlap_prevented
);

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn put_json(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .header("x-csrf-token", app.csrf().await)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn rows(app: &TestApp, to: &str, kind: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::ToAddress.eq(to))
        .filter(outbox::Column::Kind.eq(kind))
        .order_by_asc(outbox::Column::CreatedAt)
        .all(&app.db)
        .await
        .expect("outbox")
}

async fn visitor_id(app: &TestApp, name: &str) -> (Uuid, Uuid) {
    let p = provider::Entity::find()
        .filter(provider::Column::DisplayName.eq(name))
        .one(&app.db)
        .await
        .expect("query")
        .expect("seeded visitor");
    (p.id, p.municipality_id)
}

/// A home visitor row written straight to the database (no API creates visitors yet).
async fn add_visitor(app: &TestApp, municipality: Uuid, name: &str, trained: Option<&str>) -> Uuid {
    let id = Uuid::now_v7();
    let profile = match trained {
        Some(d) => json!({"trained": d}),
        None => json!({}),
    };
    provider::ActiveModel {
        id: Set(id),
        municipality_id: Set(municipality),
        user_id: Set(None),
        agency_id: Set(None),
        kind: Set("home_visitor".into()),
        display_name: Set(name.into()),
        profile: Set(profile),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .expect("visitor row");
    id
}

async fn other_municipality(app: &TestApp, kiyose: Uuid) -> Uuid {
    municipality::Entity::find()
        .filter(municipality::Column::Id.ne(kiyose))
        .one(&app.db)
        .await
        .expect("query")
        .expect("Higashikurume")
        .id
}

/// The Kiyose households without an account (the coordinator's children list).
async fn households_without_plan(app: &TestApp, except: &str) -> Vec<String> {
    let kids: Vec<Value> = json_of(app.get("/api/v1/children").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("children");
    let mut ids: Vec<String> = kids
        .iter()
        .filter_map(|k| k["household_id"].as_str().map(str::to_owned))
        .filter(|h| h != except)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn plan_path(id: &Value, tail: &str) -> String {
    format!(
        "/api/v1/home-start/plans/{}{tail}",
        id.as_str().expect("plan id")
    )
}

async fn home_start_plan_life_cycle_mails_and_visibility(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;

    // The demo: one active plan for the demo family, 中村 理恵 assigned, every visit
    // with the parent present.
    let plans = json_of(app.get("/api/v1/home-start/plans").await, 200).await;
    let plans = plans.as_array().expect("plans");
    assert_eq!(plans.len(), 1, "{plans:?}");
    let demo = &plans[0];
    assert_eq!(demo["status"], "active");
    assert_eq!(demo["visitor_name"], "中村 理恵");
    assert_eq!(demo["visits"].as_array().expect("visits").len(), 6);
    assert!(
        demo["visits"]
            .as_array()
            .expect("visits")
            .iter()
            .all(|v| v["parent_present"] == true)
    );
    let household = demo["household_id"].as_str().expect("household").to_owned();

    // One open plan per household.
    let res = app
        .post_json(
            "/api/v1/home-start/plans",
            &json!({"household_id": household, "visit_count": 5}),
        )
        .await;
    problem(res, 409).await;

    // A parent can neither create nor see another family's plan.
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    problem(
        parent
            .post_json(
                "/api/v1/home-start/plans",
                &json!({"household_id": household, "visit_count": 5}),
            )
            .await,
        403,
    )
    .await;
    let hk_parent = app.another_browser();
    hk_parent.sign_in_demo("parent-hk@example.jp").await;
    let theirs = json_of(hk_parent.get("/api/v1/home-start/plans").await, 200).await;
    assert_eq!(theirs.as_array().expect("list").len(), 0);
    problem(hk_parent.get(&plan_path(&demo["id"], "")).await, 404).await;
    let hk_staff = app.another_browser();
    hk_staff.sign_in_demo("coordinator-hk@example.jp").await;
    problem(hk_staff.get(&plan_path(&demo["id"], "")).await, 404).await;

    // Cancelling the demo plan tells the family and the visitor (calendar cancellation).
    let cancelled = json_of(
        app.post_json(
            &plan_path(&demo["id"], "/cancel"),
            &json!({"reason": "ご家庭の都合"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let to_parent = rows(&app, "parent@example.jp", "home_start_visits").await;
    assert_eq!(to_parent.len(), 1);
    assert_eq!(
        to_parent[0].subject,
        "【はぐくみ】ホームスタートの訪問の中止"
    );
    assert!(to_parent[0].text_body.contains("保護者同席"));
    let ics = to_parent[0].ics.clone().expect("calendar");
    assert_eq!(to_parent[0].ics_method.as_deref(), Some("PUBLISH"));
    assert_eq!(ics.matches("STATUS:CANCELLED").count(), 6, "{ics}");
    let to_visitor = rows(&app, "visitor@example.jp", "home_start_visits").await;
    assert_eq!(to_visitor.len(), 1);
    assert_eq!(
        to_visitor[0]
            .ics
            .as_deref()
            .map(|i| i.matches("BEGIN:VEVENT").count()),
        Some(5)
    );
    problem(
        app.post_json(&plan_path(&demo["id"], "/cancel"), &json!({}))
            .await,
        409,
    )
    .await;

    // Bad input names the field; nothing is written.
    let body = problem(
        app.post_json(
            "/api/v1/home-start/plans",
            &json!({"household_id": household, "visit_count": 7}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "visit_count");
    let body = problem(
        app.post_json(
            "/api/v1/home-start/plans",
            &json!({"household_id": Uuid::now_v7(), "visit_count": 5}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "household_id");
    let body = problem(
        app.post_json(
            "/api/v1/home-start/plans",
            &json!({"household_id": household, "visit_count": 5, "lat": 200.0, "lon": 0.0}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "lat");

    // A new plan: assessment first.
    let plan = json_of(
        app.post_json(
            "/api/v1/home-start/plans",
            &json!({"household_id": household, "visit_count": 5, "lat": 35.785, "lon": 139.519}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(plan["status"], "assessment");
    let id = &plan["id"];
    // No weekly visits before a visitor.
    problem(
        put_json(
            &app,
            &plan_path(id, "/visits"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-03-03T10:00:00"}),
        )
        .await,
        409,
    )
    .await;
    let body = problem(
        put_json(
            &app,
            &plan_path(id, "/assessment"),
            &json!({"starts_at": "2027-03-01T18:00:00"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "starts_at");
    let p = json_of(
        put_json(
            &app,
            &plan_path(id, "/assessment"),
            &json!({"starts_at": "2027-03-01T10:00:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p["visits"][0]["kind"], "assessment");
    assert_eq!(p["visits"][0]["parent_present"], true);

    // The visitor.
    let (nakamura, kiyose) = visitor_id(&app, "中村 理恵").await;
    let p = json_of(
        put_json(
            &app,
            &plan_path(id, "/visitor"),
            &json!({"visitor_id": nakamura}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p["status"], "active");
    let assigned = rows(&app, "visitor@example.jp", "home_start_visits").await;
    assert_eq!(assigned.len(), 2);
    assert_eq!(
        assigned[1].subject,
        "【はぐくみ】ホームスタートの担当のお知らせ"
    );
    assert!(assigned[1].text_body.contains("保護者"));

    // The weekly series: each occurrence checked first, then committed.
    let body = problem(
        app.post_json(
            &plan_path(id, "/visits/preview"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=4", "first_start": "2027-03-03T10:00:00"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "rrule");
    assert_eq!(body["errors"][0]["code"], "wrong_count");
    let body = problem(
        app.post_json(
            &plan_path(id, "/visits/preview"),
            &json!({"rrule": "FREQ=SOMETIMES", "first_start": "2027-03-03T10:00:00"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "rrule");
    // Starting at 16:00 the two hours run past the visiting hours (until 17:00).
    let late = json_of(
        app.post_json(
            &plan_path(id, "/visits/preview"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-03-03T16:00:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(late["all_fit"], false);
    assert_eq!(late["occurrences"][0]["code"], "closed");
    let ok = json_of(
        app.post_json(
            &plan_path(id, "/visits/preview"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-03-03T10:00:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(ok["all_fit"], true, "{ok}");
    // Weekly visits come after the assessment visit (2027-03-01).
    let early = json_of(
        app.post_json(
            &plan_path(id, "/visits/preview"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-02-24T10:00:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(early["occurrences"][0]["fits"], false, "{early}");
    assert_eq!(early["occurrences"][1]["fits"], true, "{early}");
    assert_eq!(ok["occurrences"].as_array().expect("occ").len(), 5);
    problem(
        put_json(
            &app,
            &plan_path(id, "/visits"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-03-03T16:00:00"}),
        )
        .await,
        409,
    )
    .await;
    let p = json_of(
        put_json(
            &app,
            &plan_path(id, "/visits"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=5", "first_start": "2027-03-03T10:00:00"}),
        )
        .await,
        200,
    )
    .await;
    let weekly: Vec<&Value> = p["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .filter(|v| v["kind"] == "weekly")
        .collect();
    assert_eq!(weekly.len(), 5);
    assert!(
        weekly
            .iter()
            .all(|v| v["parent_present"] == true && v["visitor_id"] == json!(nakamura))
    );
    // The family's mail lists assessment and visits, with a calendar of all six.
    let to_parent = rows(&app, "parent@example.jp", "home_start_visits").await;
    let scheduled = to_parent.last().expect("mail");
    assert_eq!(
        scheduled.subject,
        "【はぐくみ】ホームスタートの訪問日程のお知らせ"
    );
    assert!(scheduled.text_body.contains("保護者同席"));
    assert!(!scheduled.subject.contains("陽太") && !scheduled.text_body.contains("陽太"));
    let ics = scheduled.ics.clone().expect("ics");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 6, "{ics}");
    assert!(ics.contains("DTSTART;TZID=Asia/Tokyo:20270303T100000"));
    crate::dispatch::check_with_icalendar(&ics, 6, &["陽太"]);

    // The family sees its plans (the cancelled and the new one), read only.
    let mine = json_of(parent.get("/api/v1/home-start/plans").await, 200).await;
    assert_eq!(mine.as_array().expect("mine").len(), 2);
    let mine = json_of(parent.get(&plan_path(id, "")).await, 200).await;
    assert_eq!(mine["visits"].as_array().expect("visits").len(), 6);
    problem(
        put_json(
            &parent,
            &plan_path(id, "/review"),
            &json!({"starts_at": "2027-04-07T10:00:00"}),
        )
        .await,
        403,
    )
    .await;
    let page = parent
        .get("/parent/home-start")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("保護者同席"), "{page}");
    assert!(page.contains("2027年3月3日"), "{page}");

    // The visitor sees the visits on their schedule and in their calendar feed.
    let visitor = app.another_browser();
    visitor.sign_in_demo("visitor@example.jp").await;
    let items = json_of(
        visitor
            .get("/api/v1/schedule?from=2027-03-01&to=2027-03-31")
            .await,
        200,
    )
    .await;
    let items = items.as_array().expect("items");
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(items.iter().all(|i| {
        i["service"] == "home-visitor"
            && i["notes"]
                .as_str()
                .is_some_and(|n| n.contains("保護者同席"))
    }));
    let feed = json_of(
        visitor.post_json("/api/v1/schedule/feed", &json!({})).await,
        200,
    )
    .await;
    let path = feed["url"]
        .as_str()
        .and_then(|u| u.split_once("/calendar/"))
        .map(|(_, t)| format!("/calendar/{t}"))
        .expect("feed path");
    let body = app
        .another_browser()
        .get(&path)
        .await
        .text()
        .await
        .expect("feed");
    // The feed reaches 120 days ahead: the visits in range are there, with the UIDs the
    // mail's calendar gave them.
    let horizon = hagukumi_domain::calendar::local_date(Utc::now()) + chrono::Duration::days(120);
    let in_range = weekly
        .iter()
        .filter(|v| {
            v["day"]
                .as_str()
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .is_some_and(|d| d <= horizon)
        })
        .count();
    let uids: Vec<&str> = body
        .lines()
        .filter(|l| l.starts_with("UID:home-start-visit-"))
        .collect();
    assert_eq!(uids.len(), in_range, "{body}");
    for uid in uids {
        assert!(
            ics.contains(uid),
            "the feed and the mail share the UID {uid}"
        );
    }

    // The review comes after the last visit; then the plan closes.
    let body = problem(
        put_json(
            &app,
            &plan_path(id, "/review"),
            &json!({"starts_at": "2027-03-24T13:00:00"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "before_last_visit");
    problem(
        app.post_json(&plan_path(id, "/close"), &json!({})).await,
        409,
    )
    .await;
    json_of(
        put_json(
            &app,
            &plan_path(id, "/review"),
            &json!({"starts_at": "2027-04-07T10:00:00"}),
        )
        .await,
        200,
    )
    .await;
    let closed = json_of(
        app.post_json(&plan_path(id, "/close"), &json!({})).await,
        200,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    problem(
        app.post_json(&plan_path(id, "/cancel"), &json!({})).await,
        409,
    )
    .await;
    let _ = kiyose;

    // Every change was audited.
    let audited: Vec<String> = hagukumi_server::entities::audit_log::Entity::find()
        .filter(hagukumi_server::entities::audit_log::Column::EntityId.eq(id.as_str().expect("id")))
        .all(&app.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect();
    for action in [
        "home_start.plan_create",
        "home_start.assessment_schedule",
        "home_start.visitor_assign",
        "home_start.visits_schedule",
        "home_start.review_schedule",
        "home_start.plan_close",
    ] {
        assert!(audited.iter().any(|a| a == action), "{action}: {audited:?}");
    }
}

async fn home_start_visitor_exclusions_and_overlap_prevented(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let demo = json_of(app.get("/api/v1/home-start/plans").await, 200).await;
    let demo_household = demo[0]["household_id"]
        .as_str()
        .expect("household")
        .to_owned();
    let homes = households_without_plan(&app, &demo_household).await;
    assert!(homes.len() >= 2, "{homes:?}");
    let (nakamura, kiyose) = visitor_id(&app, "中村 理恵").await;
    let (kobayashi, _) = visitor_id(&app, "小林 真弓").await;
    let untrained = add_visitor(&app, kiyose, "研修中 一子", None).await;
    let hk = other_municipality(&app, kiyose).await;
    let elsewhere = add_visitor(&app, hk, "東 訪問", Some("2024-01-01")).await;

    let mut plans = vec![];
    for h in &homes[..2] {
        plans.push(
            json_of(
                app.post_json(
                    "/api/v1/home-start/plans",
                    &json!({"household_id": h, "visit_count": 4}),
                )
                .await,
                201,
            )
            .await["id"]
                .clone(),
        );
    }

    // Who may be assigned: the list explains the exclusions.
    let list = json_of(app.get(&plan_path(&plans[0], "/visitors")).await, 200).await;
    let by_id = |id: Uuid| {
        list.as_array()
            .expect("list")
            .iter()
            .find(|v| v["id"] == json!(id))
            .cloned()
    };
    assert_eq!(by_id(nakamura).expect("nakamura")["eligible"], true);
    assert_eq!(by_id(untrained).expect("untrained")["code"], "untrained");
    assert!(by_id(elsewhere).is_none(), "other municipality not listed");
    let body = problem(
        put_json(
            &app,
            &plan_path(&plans[0], "/visitor"),
            &json!({"visitor_id": untrained}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "visitor_id");
    assert_eq!(body["errors"][0]["code"], "untrained");
    let body = problem(
        put_json(
            &app,
            &plan_path(&plans[0], "/visitor"),
            &json!({"visitor_id": elsewhere}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "other_municipality");

    // Both plans get 中村; two coordinators commit the same weekly times at once:
    // exactly one succeeds, the other is refused as busy.
    for p in &plans {
        json_of(
            put_json(
                &app,
                &plan_path(p, "/visitor"),
                &json!({"visitor_id": nakamura}),
            )
            .await,
            200,
        )
        .await;
    }
    let series = json!({"rrule": "FREQ=WEEKLY;COUNT=4", "first_start": "2027-05-12T10:00:00"});
    let second = app.another_browser();
    second.sign_in_demo("coordinator@example.jp").await;
    let (path_a, path_b) = (
        plan_path(&plans[0], "/visits"),
        plan_path(&plans[1], "/visits"),
    );
    let (a, b) = tokio::join!(
        put_json(&app, &path_a, &series),
        put_json(&second, &path_b, &series),
    );
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409], "one wins, one is refused");
    let (winner, loser) = if a.status() == 200 {
        (&plans[0], &plans[1])
    } else {
        (&plans[1], &plans[0])
    };
    // The loser's preview shows why, occurrence by occurrence; an hour later is still
    // too close (travel buffer).
    let pv = json_of(
        app.post_json(&plan_path(loser, "/visits/preview"), &series)
            .await,
        200,
    )
    .await;
    assert_eq!(pv["all_fit"], false);
    assert!(
        pv["occurrences"]
            .as_array()
            .expect("occ")
            .iter()
            .all(|o| o["code"] == "person_busy"),
        "{pv}"
    );
    let pv = json_of(
        app.post_json(
            &plan_path(loser, "/visits/preview"),
            &json!({"rrule": "FREQ=WEEKLY;COUNT=4", "first_start": "2027-05-12T12:10:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(pv["occurrences"][0]["code"], "travel_buffer", "{pv}");
    // In the database: never two overlapping visits for one visitor.
    let all = hagukumi_server::entities::home_start_visit::Entity::find()
        .filter(hagukumi_server::entities::home_start_visit::Column::VisitorId.eq(nakamura))
        .filter(hagukumi_server::entities::home_start_visit::Column::Status.eq("scheduled"))
        .all(&app.db)
        .await
        .expect("visits");
    for (i, x) in all.iter().enumerate() {
        for y in &all[i + 1..] {
            assert!(
                x.ends_at <= y.starts_at || y.ends_at <= x.starts_at,
                "overlap {x:?} {y:?}"
            );
        }
    }
    // Another visitor is free then; 中村 can no longer take the loser's visits.
    json_of(
        put_json(
            &app,
            &plan_path(loser, "/visitor"),
            &json!({"visitor_id": kobayashi}),
        )
        .await,
        200,
    )
    .await;
    json_of(
        put_json(&app, &plan_path(loser, "/visits"), &series).await,
        200,
    )
    .await;
    let body = problem(
        put_json(
            &app,
            &plan_path(loser, "/visitor"),
            &json!({"visitor_id": nakamura}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "busy");
    let list = json_of(app.get(&plan_path(loser, "/visitors")).await, 200).await;
    let n = list
        .as_array()
        .expect("list")
        .iter()
        .find(|v| v["id"] == json!(nakamura))
        .cloned()
        .expect("nakamura listed");
    assert_eq!(n["eligible"], false);
    assert_eq!(n["code"], "busy");
    let _ = winner;

    // The coordinator's pages work without JavaScript.
    let page = app
        .get("/coordinator/home-start")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("new-plan"), "{page}");
    let page = app
        .get(&format!(
            "/coordinator/home-start/{}?rrule=FREQ%3DWEEKLY%3BCOUNT%3D4&first_start=2027-06-02T10%3A00",
            loser.as_str().expect("id")
        ))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("id=\"preview\""), "{page}");
    assert!(page.contains("commit-visits"), "{page}");
    assert!(page.contains("保護者同席"), "{page}");
}
