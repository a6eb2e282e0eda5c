//! Family Support activity reports: the provider files what happened (fee from the
//! rules), the family confirms, the coordinator reads the month with late reports
//! flagged; bad input names the field, and nobody sees or confirms another's.

use chrono::{Duration, Utc};
use hagukumi_domain::calendar::local_date;
use hagukumi_server::entities::{
    fs_activity, fs_member, fs_pair, fs_request, household, provider, user,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Db, TestApp, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(activity_reports_filed_confirmed_and_summarised);

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    res.json().await.expect("json")
}

/// An active pair of the demo parent's eldest child and the demo provider, with an
/// activity that ended yesterday evening (17:00–19:00 local) and one tomorrow. The
/// matching steps before it are covered by the Family Support tests; this sets the
/// rows up directly so the test is about reports.
async fn pair_with_activities(app: &TestApp) -> (Uuid, Uuid, Uuid) {
    let db = &app.db;
    let parent = user::Entity::find()
        .filter(user::Column::Email.eq("parent@example.jp"))
        .one(db)
        .await
        .expect("q")
        .expect("parent");
    let h = household::Entity::find()
        .filter(household::Column::UserId.eq(parent.id))
        .one(db)
        .await
        .expect("q")
        .expect("household");
    let prov_user = user::Entity::find()
        .filter(user::Column::Email.eq("provider@example.jp"))
        .one(db)
        .await
        .expect("q")
        .expect("provider user");
    let p = provider::Entity::find()
        .filter(provider::Column::UserId.eq(prov_user.id))
        .one(db)
        .await
        .expect("q")
        .expect("provider");
    let member = fs_member::Entity::find()
        .filter(fs_member::Column::ProviderId.eq(p.id))
        .one(db)
        .await
        .expect("q")
        .expect("member");
    let request = fs_request::Entity::find()
        .filter(fs_request::Column::HouseholdId.eq(h.id))
        .one(db)
        .await
        .expect("q")
        .expect("seeded request");
    let now = Utc::now();
    let today = local_date(now);
    let fy = hagukumi_domain::calendar::FiscalYear::of(today).0;
    let pair = fs_pair::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(h.municipality_id),
        request_id: Set(request.id),
        household_id: Set(h.id),
        child_id: Set(request.child_id),
        member_id: Set(member.id),
        fiscal_year: Set(fy),
        help: Set("escort,care".into()),
        status: Set("active".into()),
        ended_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("pair");
    let at = |day: chrono::NaiveDate, h: u32| {
        hagukumi_domain::availability::local_to_utc(day.and_hms_opt(h, 0, 0).expect("time"))
    };
    let mut ids = Vec::new();
    for day in [today - Duration::days(1), today + Duration::days(1)] {
        let a = fs_activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(h.municipality_id),
            pair_id: Set(pair.id),
            member_id: Set(member.id),
            series_id: Set(None),
            starts_at: Set(at(day, 17)),
            ends_at: Set(at(day, 19)),
            status: Set("booked".into()),
            created_by: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .expect("activity");
        ids.push(a.id);
    }
    (pair.id, ids[0], ids[1])
}

async fn activity_reports_filed_confirmed_and_summarised(db: Db) {
    let provider = spawn_app(db).await;
    let (pair_id, past, future) = pair_with_activities(&provider).await;
    provider.sign_in_demo("provider@example.jp").await;
    let yesterday = local_date(Utc::now()) - Duration::days(1);

    // The provider sees the ended activity waiting for its report, not tomorrow's.
    let list: Vec<Value> = json_of(provider.get("/api/v1/family-support/reports").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["activity_id"], past.to_string());
    assert_eq!(list[0]["state"], "missing");
    assert_eq!(list[0]["late"], false);

    let path = format!("/api/v1/family-support/activities/{past}/report");
    let body = |start: &str, end: &str, content: &str| {
        json!({"started_at": format!("{yesterday}T{start}:00"),
               "ended_at": format!("{yesterday}T{end}:00"), "content": content})
    };
    // Bad input names the field, and nothing is written.
    let field = |v: Value| v["errors"][0]["field"].as_str().map(str::to_owned);
    let e = problem(
        provider
            .post_json(&path, &body("17:00", "19:00", "  "))
            .await,
        422,
    )
    .await;
    assert_eq!(field(e).as_deref(), Some("content"));
    let e = problem(
        provider
            .post_json(&path, &body("19:00", "17:00", "お迎え"))
            .await,
        422,
    )
    .await;
    assert_eq!(field(e).as_deref(), Some("end"));
    let e = problem(
        provider
            .post_json(&path, &body("08:00", "10:00", "お迎え"))
            .await,
        422,
    )
    .await;
    assert_eq!(field(e.clone()).as_deref(), Some("start"));
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("3時間")
    );
    let e = problem(
        provider
            .post_json(
                &format!("/api/v1/family-support/activities/{future}/report"),
                &json!({"started_at": "2099-01-01T17:00:00", "ended_at": "2099-01-01T19:00:00", "content": "x"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(field(e).as_deref(), Some("end"));
    let n = |sql: &'static str| {
        let db = provider.db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("query")
                .expect("row");
            row.try_get::<i64>("", "n").expect("n")
        }
    };
    assert_eq!(n("SELECT COUNT(*) AS n FROM fs_activity_reports").await, 0);

    // Filed: 17:00–19:30 is 2.5 h, priced by the Family Support rules.
    let filed = json_of(
        provider
            .post_json(
                &path,
                &body("17:00", "19:30", "保育園へお迎え、自宅で夕食まで見守り"),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(filed["state"], "filed");
    let fee = filed["fee_yen"].as_i64().expect("fee");
    assert!(fee > 0, "a 2.5 h activity has a fee: {filed}");
    // Correcting before the family confirms replaces the report; shorter costs less.
    let corrected = json_of(
        provider
            .post_json(&path, &body("17:00", "19:00", "保育園へお迎え"))
            .await,
        200,
    )
    .await;
    assert!(corrected["fee_yen"].as_i64().expect("fee") < fee);
    assert_eq!(n("SELECT COUNT(*) AS n FROM fs_activity_reports").await, 1);
    let report_id = corrected["report_id"]
        .as_str()
        .expect("report id")
        .to_owned();

    // The family sees it; another family and a coordinator cannot confirm it.
    let parent = provider.another_browser();
    parent.sign_in_demo("parent@example.jp").await;
    let mine: Vec<Value> = json_of(parent.get("/api/v1/family-support/reports").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("list");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["content"], "保育園へお迎え");
    let other = provider.another_browser();
    other.sign_in_demo("parent-hk@example.jp").await;
    let theirs: Vec<Value> = json_of(other.get("/api/v1/family-support/reports").await, 200)
        .await
        .as_array()
        .cloned()
        .expect("list");
    assert!(theirs.is_empty());
    let confirm = format!("/api/v1/family-support/reports/{report_id}/confirm");
    problem(other.post_json(&confirm, &json!({})).await, 404).await;
    let coordinator = provider.another_browser();
    coordinator.sign_in_demo("coordinator@example.jp").await;
    problem(coordinator.post_json(&confirm, &json!({})).await, 403).await;

    let confirmed = json_of(parent.post_json(&confirm, &json!({})).await, 200).await;
    assert_eq!(confirmed["state"], "confirmed");
    problem(parent.post_json(&confirm, &json!({})).await, 409).await;
    // Once confirmed, the provider can no longer change it.
    problem(
        provider
            .post_json(&path, &body("17:00", "20:00", "延長"))
            .await,
        409,
    )
    .await;

    // The coordinator's month: the pair with one activity, filed and confirmed, 120 min.
    let month = yesterday.format("%Y-%m").to_string();
    let summary = json_of(
        coordinator
            .get(&format!(
                "/api/v1/family-support/reports/summary?month={month}"
            ))
            .await,
        200,
    )
    .await;
    let pair = summary["pairs"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["pair_id"] == pair_id.to_string()))
        .cloned()
        .expect("the pair in the month");
    assert_eq!(pair["summary"]["confirmed"], 1);
    assert_eq!(pair["summary"]["minutes"], 120);
    assert_eq!(pair["summary"]["late"], 0);
    assert_eq!(pair["summary"]["fee_yen"], corrected["fee_yen"]);
    let e = problem(
        coordinator
            .get("/api/v1/family-support/reports/summary?month=11-2026")
            .await,
        422,
    )
    .await;
    assert_eq!(field(e).as_deref(), Some("month"));
    // A parent cannot read the center's summary.
    problem(
        parent
            .get(&format!(
                "/api/v1/family-support/reports/summary?month={month}"
            ))
            .await,
        403,
    )
    .await;

    // A report missing past its due day counts as late: an activity two months ago.
    let old = local_date(Utc::now()) - Duration::days(45);
    let at = |h: u32| {
        hagukumi_domain::availability::local_to_utc(old.and_hms_opt(h, 0, 0).expect("time"))
    };
    fs_activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(pair_municipality(&provider, pair_id).await),
        pair_id: Set(pair_id),
        member_id: Set(pair_member(&provider, pair_id).await),
        series_id: Set(None),
        starts_at: Set(at(10)),
        ends_at: Set(at(12)),
        status: Set("booked".into()),
        created_by: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&provider.db)
    .await
    .expect("old activity");
    let old_month = json_of(
        coordinator
            .get(&format!(
                "/api/v1/family-support/reports/summary?month={}",
                old.format("%Y-%m")
            ))
            .await,
        200,
    )
    .await;
    let due: chrono::NaiveDate = old_month["due_on"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("due");
    // Due at most 41 days after the activity: 45 days on, it is late.
    assert!(local_date(Utc::now()) > due);
    assert_eq!(old_month["total"]["late"], 1, "{old_month}");
    assert_eq!(old_month["total"]["missing"], 1);

    // Filing and confirming were audited, with ids only.
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('fs.report.file', 'fs.report.confirm')")
            .await,
        3
    );
}

async fn pair_municipality(app: &TestApp, pair: Uuid) -> Uuid {
    fs_pair::Entity::find_by_id(pair)
        .one(&app.db)
        .await
        .expect("q")
        .expect("pair")
        .municipality_id
}

async fn pair_member(app: &TestApp, pair: Uuid) -> Uuid {
    fs_pair::Entity::find_by_id(pair)
        .one(&app.db)
        .await
        .expect("q")
        .expect("pair")
        .member_id
}
