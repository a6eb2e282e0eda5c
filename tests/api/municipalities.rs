//! Several municipalities in one deployment: each sees only its own data;
//! shared facilities show their capacity, never the other city's families.

use serde_json::Value;

use crate::helpers::{Db, problem, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    coordinators_see_only_their_municipality,
    shared_facilities_show_capacity_only
);

async fn coordinators_see_only_their_municipality(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("coordinator@example.jp").await;
    let kiyose: Vec<Value> = app
        .get("/api/v1/children")
        .await
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = kiyose
        .iter()
        .filter_map(|k| k["given_name"].as_str())
        .collect();
    assert!(
        names.contains(&"陽太") && names.contains(&"結衣"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"湊"),
        "a Higashikurume child leaked: {names:?}"
    );

    let hk = app.another_browser();
    hk.sign_in_demo("coordinator-hk@example.jp").await;
    let theirs: Vec<Value> = hk.get("/api/v1/children").await.json().await.expect("json");
    let names: Vec<&str> = theirs
        .iter()
        .filter_map(|k| k["given_name"].as_str())
        .collect();
    assert_eq!(names, ["湊"]);

    // Asking for the other city's catalogue while signed in is refused.
    problem(hk.get("/api/v1/sites?municipality=kiyose").await, 403).await;
}

async fn shared_facilities_show_capacity_only(db: Db) {
    let app = spawn_app(db).await;
    app.sign_in_demo("parent-hk@example.jp").await;
    let sites: Vec<Value> = app.get("/api/v1/sites").await.json().await.expect("json");
    // Higashikurume uses the two shared short-stay facilities, not Kiyose's
    // temporary-care rooms.
    assert_eq!(sites.len(), 2, "{sites:?}");
    for s in &sites {
        assert_eq!(s["service"], "short-stay");
        assert_eq!(s["capacity"], 2);
        assert_eq!(s["operator"], "kiyose");
        assert_eq!(s["shared"], true);
        assert_eq!(s["allocation"], 1);
        let keys: Vec<&String> = s
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert!(
            keys.iter().all(|k| [
                "id",
                "service",
                "name_ja",
                "name_en",
                "capacity",
                "operator",
                "allocation",
                "shared"
            ]
            .contains(&k.as_str())),
            "unexpected fields {keys:?}"
        );
    }
    let kiyose: Vec<Value> = app
        .another_browser()
        .get("/api/v1/sites?municipality=kiyose")
        .await
        .json()
        .await
        .expect("json");
    // Two temporary-care rooms, two short-stay facilities, and the helper pools of the
    // two helper programmes (the family's home is where their visits happen).
    assert_eq!(kiyose.len(), 6);
    let helpers: Vec<&Value> = kiyose
        .iter()
        .filter(|s| {
            ["single-parent-home-help", "childrearing-support-helper"]
                .contains(&s["service"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(helpers.len(), 2, "{kiyose:?}");
}
