//! Embedding: the loader script, the frame policy and the demo city page.

use crate::helpers::{Db, spawn_app_with};

fn csp(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn only_configured_origins_may_frame_the_widget() {
    let app = spawn_app_with(Db::Sqlite, |s| {
        s.embed.frame_ancestors = vec!["https://www.city.kiyose.example".into()];
    })
    .await;
    let widget = app.get("/widget/temporary-care").await;
    assert_eq!(widget.status(), 200);
    assert_eq!(
        csp(&widget),
        "frame-ancestors 'self' https://www.city.kiyose.example"
    );
    let html = widget.text().await.expect("html");
    assert!(
        html.contains("一時預かり") && html.contains("target=\"_blank\""),
        "{html}"
    );
    // The month calendar, for anyone, with its days linking to the booking page.
    assert!(
        html.contains(r#"class="calendar""#)
            && html.contains("href=\"/parent/book/temporary-care?month="),
        "{html}"
    );
    // The widget's own bundle, not the site's; every other page gets the site's.
    assert!(
        html.contains("/pkg/widget.js") && !html.contains("/pkg/hagukumi.js"),
        "{html}"
    );
    let signin = app.get("/signin").await.text().await.expect("html");
    assert!(
        signin.contains("/pkg/hagukumi.js") && !signin.contains("/pkg/widget.js"),
        "{signin}"
    );
    // Every other page (sign-in, the parent's pages) can only be framed by us.
    assert_eq!(csp(&app.get("/signin").await), "frame-ancestors 'self'");
    assert_eq!(csp(&app.get("/parent").await), "frame-ancestors 'self'");

    let js = app.get("/embed.js").await;
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/javascript")
    );
    let js = js.text().await.expect("js");
    assert!(
        js.contains("/widget/")
            && js.contains("hagukumi:height")
            && js.contains("ev.origin !== origin")
    );
    let city = app.get("/demo/city").await.text().await.expect("html");
    assert!(
        city.contains(r#"<script src="/embed.js" data-service="temporary-care" async></script>"#)
    );
}

#[tokio::test]
async fn the_widget_speaks_the_language_the_city_page_asks_for() {
    let app = spawn_app_with(Db::Sqlite, |_| {}).await;
    let html = app
        .get("/widget/short-stay?lang=en")
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Child short stay"), "{html}");
}
