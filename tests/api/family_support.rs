//! Family Support matching end to end: members, ranked candidates with exclusions, a
//! proposal accepted by link, the pre-meeting gate, activities within the pair's fiscal year
//! and content of help, batch matching, and municipality scoping.

use chrono::{Datelike, Duration, NaiveDate};
use hagukumi_domain::calendar::FiscalYear;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    family_support_propose_accept_pre_meeting_and_book,
    family_support_decline_by_link_scoping_and_bad_input,
    family_support_batch_plan_and_confirm,
    family_support_pages_without_javascript
);

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    res.json().await.expect("json")
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

async fn request_at(app: &TestApp, place_prefix: &str) -> Value {
    let list: Vec<Value> = app
        .get("/api/v1/family-support/requests")
        .await
        .json()
        .await
        .expect("json");
    list.into_iter()
        .find(|r| {
            r["place_label"]
                .as_str()
                .is_some_and(|p| p.starts_with(place_prefix))
        })
        .expect("seeded request")
}

async fn mail_rows(
    app: &TestApp,
    to: &str,
    kind: &str,
) -> Vec<hagukumi_server::entities::outbox::Model> {
    use hagukumi_server::entities::outbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    outbox::Entity::find()
        .filter(outbox::Column::ToAddress.eq(to))
        .filter(outbox::Column::Kind.eq(kind))
        .all(&app.db)
        .await
        .expect("outbox")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn family_support_propose_accept_pre_meeting_and_book(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;

    // Members: the providing ones, with the refresher rule visible.
    let members: Vec<Value> = json_of(
        app.get("/api/v1/family-support/members?role=providing")
            .await,
        200,
    )
    .await
    .as_array()
    .cloned()
    .expect("list");
    assert_eq!(members.len(), 4);
    let yoshida = members
        .iter()
        .find(|m| m["display_name"] == "吉田 和夫")
        .expect("吉田");
    assert_eq!(yoshida["refresher_valid"], false);
    let sato = members
        .iter()
        .find(|m| m["display_name"] == "佐藤 みどり")
        .expect("佐藤");

    // Candidates for "Tuesdays and Thursdays 17:00–19:00, pick-up from nursery".
    let request = request_at(&app, "つぼみ保育園").await;
    let rid = id(&request);
    let ranked: Vec<Value> = json_of(
        app.get(&format!("/api/v1/family-support/requests/{rid}/candidates"))
            .await,
        200,
    )
    .await
    .as_array()
    .cloned()
    .expect("ranked");
    let names: Vec<&str> = ranked
        .iter()
        .filter_map(|c| c["display_name"].as_str())
        .collect();
    // Nearest first among those free for every occurrence; the expired refresher last.
    assert_eq!(
        names,
        ["加藤 春子", "佐藤 みどり", "山本 幸子", "吉田 和夫"]
    );
    assert!(ranked[..3].iter().all(|c| c["eligible"] == true));
    assert_eq!(
        ranked[0]["free_occurrences"],
        ranked[0]["total_occurrences"]
    );
    assert_eq!(ranked[0]["reasons"][0]["code"], "free_share");
    let last = &ranked[3];
    assert_eq!(last["eligible"], false);
    assert_eq!(last["exclusions"][0]["code"], "refresher_expired");
    assert_eq!(
        last["exclusions"][0]["text"]["ja"],
        "救命講習の更新期限切れ（5年超）"
    );

    // The excluded member cannot be proposed; the reason is given.
    let res = app
        .post_json(
            &format!("/api/v1/family-support/requests/{rid}/proposals"),
            &json!({"member_id": yoshida["id"]}),
        )
        .await;
    let body = problem(res, 409).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("救命講習")
    );

    // Propose the demo provider; a second proposal waits for the first answer.
    let created = json_of(
        app.post_json(
            &format!("/api/v1/family-support/requests/{rid}/proposals"),
            &json!({"member_id": sato["id"]}),
        )
        .await,
        201,
    )
    .await;
    let link = created["accept_path"].as_str().expect("link").to_owned();
    let token = link.trim_start_matches("/fs/proposals/").to_owned();
    // The provider is mailed the answer link in the same transaction.
    let mailed = mail_rows(&app, "provider@example.jp", "fs_proposal").await;
    assert_eq!(mailed.len(), 1);
    assert!(
        mailed[0].text_body.contains(&link),
        "{}",
        mailed[0].text_body
    );
    assert!(!mailed[0].subject.contains("陽太"));
    let res = app
        .post_json(
            &format!("/api/v1/family-support/requests/{rid}/proposals"),
            &json!({"member_id": ranked[0]["member_id"]}),
        )
        .await;
    problem(res, 409).await;

    // The provider sees it on their page.
    let provider = app.another_browser();
    provider.sign_in_demo("provider@example.jp").await;
    let mine: Vec<Value> = json_of(provider.get("/api/v1/family-support/proposals").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("list");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["status"], "proposed");

    // …and accepts by the link, without signing in.
    let stranger = app.another_browser();
    let shown = json_of(
        stranger
            .get(&format!("/api/v1/family-support/links/{token}"))
            .await,
        200,
    )
    .await;
    assert_eq!(shown["child_given_name"], "陽太");
    let accepted = json_of(
        stranger
            .post_json(
                &format!("/api/v1/family-support/links/{token}/accept"),
                &json!({}),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(accepted["status"], "accepted");
    // The coordinators learn of the answer.
    let answered = mail_rows(&app, "coordinator@example.jp", "fs_proposal_answered").await;
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].subject, "【はぐくみ】提案が引き受けられました");
    let res = stranger
        .post_json(
            &format!("/api/v1/family-support/links/{token}/decline"),
            &json!({}),
        )
        .await;
    problem(res, 409).await;
    assert!(
        stranger
            .get("/api/v1/family-support/links/not-a-token")
            .await
            .status()
            == 404
    );

    // A pair waiting for its pre-meeting: no activities yet.
    let pairs: Vec<Value> = json_of(app.get("/api/v1/family-support/pairs").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("pairs");
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["status"], "pre_meeting");
    let pid = id(&pairs[0]);
    let first: NaiveDate = request["first_date"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("first date");
    // The seeded requests start on a Monday.
    assert_eq!(first.weekday(), chrono::Weekday::Mon);
    let tuesday = first + Duration::days(1);
    let fy_end = FiscalYear::of(tuesday).end();
    let until = (tuesday + Duration::days(20)).min(fy_end);
    let series = json!({
        "starts_at": format!("{tuesday}T17:00:00"),
        "minutes": 120,
        "rule": "FREQ=WEEKLY;BYDAY=TU,TH",
        "until": until.to_string(),
    });
    let activities = format!("/api/v1/family-support/pairs/{pid}/activities");
    let body = problem(app.post_json(&activities, &series).await, 409).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("事前打ち合わせ")
    );

    // The pre-meeting needs a date and the child.
    let done = format!("/api/v1/family-support/pairs/{pid}/pre-meeting/done");
    problem(
        app.post_json(&done, &json!({"child_present": true})).await,
        409,
    )
    .await;
    let res = put_json(
        &app,
        &format!("/api/v1/family-support/pairs/{pid}/pre-meeting"),
        &json!({"scheduled_at": format!("{}T10:00:00", first - Duration::days(3)), "place": "子ども家庭支援センター"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    // Requester and provider each get the pre-meeting with a calendar invitation.
    for to in ["parent@example.jp", "provider@example.jp"] {
        let m = mail_rows(&app, to, "fs_pre_meeting").await;
        assert_eq!(m.len(), 1, "{to}");
        assert_eq!(m[0].ics_method.as_deref(), Some("REQUEST"));
        assert!(m[0].text_body.contains("子ども家庭支援センター"));
    }
    let body = problem(
        app.post_json(&done, &json!({"child_present": false})).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "child_present");
    let active = json_of(
        app.post_json(&done, &json!({"child_present": true})).await,
        200,
    )
    .await;
    assert_eq!(active["status"], "active");
    assert_eq!(active["valid_now"], true);

    // Now the series books, all or nothing; the same times again clash.
    let booked: Vec<Value> = json_of(app.post_json(&activities, &series).await, 201)
        .await
        .as_array()
        .cloned()
        .expect("booked");
    assert!(!booked.is_empty() && booked.len() <= 6);
    assert!(
        booked
            .iter()
            .all(|a| a["series_id"] == booked[0]["series_id"])
    );
    problem(app.post_json(&activities, &series).await, 409).await;

    // A one-off in the next fiscal year needs a new pairing.
    let next_year = FiscalYear::of(tuesday).next().start() + Duration::days(1);
    let body = problem(
        app.post_json(
            &activities,
            &json!({"starts_at": format!("{next_year}T10:00:00"), "minutes": 60}),
        )
        .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap_or_default().contains("年度"));

    // A new content of help ends the pair.
    let mut changed = json!({
        "child_id": request["child_id"], "place_label": request["place_label"],
        "place_lat": request["place_lat"], "place_lon": request["place_lon"],
        "rule": request["rule"], "first_date": request["first_date"],
        "start_time": request["start_time"], "minutes": request["minutes"],
        "until": request["until"], "help": ["escort"],
    });
    let res = put_json(
        &app,
        &format!("/api/v1/family-support/requests/{rid}"),
        &changed,
    )
    .await;
    assert_eq!(json_of(res, 200).await["status"], "open");
    let pair = json_of(
        app.get(&format!("/api/v1/family-support/pairs/{pid}"))
            .await,
        200,
    )
    .await;
    assert_eq!(pair["status"], "ended");
    assert_eq!(pair["ended_reason"], "help_changed");
    let one_off =
        json!({"starts_at": format!("{}T17:00:00", until + Duration::days(14)), "minutes": 60});
    problem(app.post_json(&activities, &one_off).await, 409).await;
    changed["help"] = json!([]);
    let body = problem(
        put_json(
            &app,
            &format!("/api/v1/family-support/requests/{rid}"),
            &changed,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "help");

    // Every change was audited.
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'fs.%'",
        ))
        .await
        .expect("query")
        .expect("row");
    let n: i64 = row.try_get("", "n").expect("n");
    // proposal, accept, schedule, done, book, request update
    assert!(n >= 6, "audit rows: {n}");
}

async fn family_support_decline_by_link_scoping_and_bad_input(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let request = request_at(&app, "竹丘小学校").await;
    let rid = id(&request);
    let ranked: Vec<Value> = app
        .get(&format!("/api/v1/family-support/requests/{rid}/candidates"))
        .await
        .json()
        .await
        .expect("json");
    // Wednesdays 15:00: only the demo provider is free then.
    let eligible: Vec<&str> = ranked
        .iter()
        .filter(|c| c["eligible"] == true)
        .filter_map(|c| c["display_name"].as_str())
        .collect();
    assert_eq!(eligible, ["佐藤 みどり"]);
    let kato = ranked
        .iter()
        .find(|c| c["display_name"] == "加藤 春子")
        .expect("加藤");
    assert_eq!(kato["exclusions"][0]["code"], "never_free");
    let created = json_of(
        app.post_json(
            &format!("/api/v1/family-support/requests/{rid}/proposals"),
            &json!({"member_id": ranked[0]["member_id"], "pre_meeting_at": "2030-01-10T10:00:00"}),
        )
        .await,
        201,
    )
    .await;
    let token = created["accept_path"]
        .as_str()
        .expect("link")
        .trim_start_matches("/fs/proposals/")
        .to_owned();

    // Declined by link: the request is open again.
    let stranger = app.another_browser();
    let declined = json_of(
        stranger
            .post_json(
                &format!("/api/v1/family-support/links/{token}/decline"),
                &json!({"note": "その曜日は都合がつきません"}),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(declined["status"], "declined");
    let told = mail_rows(&app, "coordinator@example.jp", "fs_proposal_answered").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].subject, "【はぐくみ】提案が断られました");
    let again = json_of(
        app.get(&format!("/api/v1/family-support/requests/{rid}"))
            .await,
        200,
    )
    .await;
    assert_eq!(again["status"], "open");

    // Bad input names the field.
    let res = app
        .post_json(
            "/api/v1/family-support/requests",
            &json!({"child_id": request["child_id"], "place_label": "x", "rule": "FREQ=WEEKLY;BYDAY=MO",
                    "first_date": "2027-01-04", "start_time": "25:00", "minutes": 60,
                    "until": "2027-02-01", "help": []}),
        )
        .await;
    let body = problem(res, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["help", "start_time"]);
    let res = app
        .post_json(
            "/api/v1/family-support/requests",
            &json!({"child_id": request["child_id"], "place_label": "x", "rule": "FREQ=WEEKLY;BYDAY=XX",
                    "first_date": "2027-01-04", "start_time": "10:00", "minutes": 60,
                    "until": "2027-02-01", "help": ["escort"]}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "rule");
    let res = app
        .post_json(
            "/api/v1/family-support/members",
            &json!({"role": "providing", "display_name": "新人", "training_hours": 30,
                    "availability": [{"rule": "FREQ=WEEKLY;BYDAY=MO", "dtstart": "2026-04-06T09:00:00", "minutes": 0}]}),
        )
        .await;
    assert_eq!(
        problem(res, 422).await["errors"][0]["field"],
        "availability[0].rule"
    );
    let res = app
        .post_json(
            "/api/v1/family-support/members",
            &json!({"role": "helper", "display_name": "x"}),
        )
        .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "role");

    // Another city's coordinator sees none of it; parents and providers are kept out.
    let hk = app.another_browser();
    hk.sign_in_demo("coordinator-hk@example.jp").await;
    assert_eq!(
        hk.get(&format!("/api/v1/family-support/requests/{rid}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        hk.get(&format!("/api/v1/family-support/requests/{rid}/candidates"))
            .await
            .status(),
        404
    );
    let none: Vec<Value> = hk
        .get("/api/v1/family-support/members")
        .await
        .json()
        .await
        .expect("json");
    assert!(none.is_empty());
    let parent = app.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    assert_eq!(
        parent.get("/api/v1/family-support/members").await.status(),
        403
    );
    assert_eq!(
        parent
            .get("/api/v1/family-support/proposals")
            .await
            .status(),
        403
    );
    let anonymous = app.another_browser();
    assert_eq!(
        anonymous
            .get("/api/v1/family-support/requests")
            .await
            .status(),
        401
    );
}

async fn family_support_batch_plan_and_confirm(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let plan = json_of(app.get("/api/v1/family-support/batch").await, 200).await;
    assert_eq!(plan["requests"], 3);
    let pairs = plan["pairs"].as_array().cloned().expect("pairs");
    // Every request is served, the expired refresher never appears, and the Wednesday
    // request goes to the only provider free then.
    assert_eq!(pairs.len(), 3);
    assert!(plan["unmatched"].as_array().is_some_and(Vec::is_empty));
    assert!(pairs.iter().all(|p| p["display_name"] != "吉田 和夫"));
    let wednesday = pairs
        .iter()
        .find(|p| {
            p["place_label"]
                .as_str()
                .is_some_and(|l| l.starts_with("竹丘"))
        })
        .expect("wednesday");
    assert_eq!(wednesday["display_name"], "佐藤 みどり");
    let total: i64 = pairs.iter().filter_map(|p| p["score"].as_i64()).sum();
    assert_eq!(plan["total_score"].as_i64(), Some(total));

    let confirm: Vec<Value> = pairs
        .iter()
        .map(|p| json!({"request_id": p["request_id"], "member_id": p["member_id"]}))
        .collect();
    let created = json_of(
        app.post_json(
            "/api/v1/family-support/batch/confirm",
            &json!({ "pairs": confirm }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created.as_array().map(Vec::len), Some(3));
    // Nothing left open; confirming again is refused as a whole.
    let plan = json_of(app.get("/api/v1/family-support/batch").await, 200).await;
    assert_eq!(plan["requests"], 0);
    let res = app
        .post_json(
            "/api/v1/family-support/batch/confirm",
            &json!({ "pairs": confirm }),
        )
        .await;
    problem(res, 409).await;
    let overview = json_of(app.get("/api/v1/console/overview").await, 200).await;
    assert_eq!(overview["fs_open_requests"], 0);
    assert_eq!(overview["fs_proposals_waiting"], 3);
}

/// The console pages render server-side and their forms work without JavaScript:
/// the coordinator proposes from the request page, the provider accepts on the link page.
async fn family_support_pages_without_javascript(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let html = app.get("/coordinator").await.text().await.expect("html");
    assert!(html.contains("コーディネーター画面"));
    let board = app
        .get("/coordinator/family-support")
        .await
        .text()
        .await
        .expect("html");
    assert!(board.contains("吉田 和夫") && board.contains("更新期限切れ"));
    let request = request_at(&app, "つぼみ保育園").await;
    let rid = id(&request);
    let page = app
        .get(&format!("/coordinator/family-support/requests/{rid}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("救命講習の更新期限切れ（5年超）"));
    assert!(page.contains("この方に提案する"));
    let sato = json_of(
        app.get("/api/v1/family-support/members?role=providing")
            .await,
        200,
    )
    .await
    .as_array()
    .and_then(|m| {
        m.iter()
            .find(|m| m["display_name"] == "佐藤 みどり")
            .cloned()
    })
    .expect("佐藤");
    let csrf = app.csrf().await;
    let res = app
        .client
        .post(app.url(&format!(
            "/coordinator/family-support/requests/{rid}/propose"
        )))
        .form(&[
            ("csrf", csrf.as_str()),
            ("member_id", sato["id"].as_str().unwrap_or_default()),
            ("pre_meeting_at", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.contains("saved=proposed"), "{location}");
    let link = location
        .split("link=")
        .nth(1)
        .map(|l| l.replace("%2F", "/"))
        .expect("link");

    // The provider, signed in, sees the proposal on their page.
    let provider = app.another_browser();
    provider.sign_in_demo("provider@example.jp").await;
    let mine = provider
        .get("/provider/family-support")
        .await
        .text()
        .await
        .expect("html");
    assert!(mine.contains("引き受ける"));

    // Anyone holding the link can answer.
    let stranger = app.another_browser();
    let page = stranger.get(&link).await.text().await.expect("html");
    assert!(page.contains("陽太") && page.contains("引き受ける"));
    let csrf = stranger.csrf().await;
    let res = stranger
        .client
        .post(stranger.url(&format!("{link}/accept")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .contains("saved=accepted")
    );
    let batch = app
        .get("/coordinator/matching")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        batch.contains("この組み合わせで提案する"),
        "{}",
        batch
            .split("<main")
            .nth(1)
            .map(|m| m.chars().take(3000).collect::<String>())
            .unwrap_or_default()
    );
}
