//! `spawn_app`: the real application on port 0 against a fresh SQLite file or a
//! fresh PostgreSQL database, and a client that keeps cookies like a browser.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hagukumi_server::Settings;
use hagukumi_server::startup::Application;
use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderValue};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn pg_base() -> String {
    std::env::var("HAGUKUMI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    format!(
        "hgk_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    )
}

/// A fresh, empty database URL of the given kind.
pub async fn fresh_database(db: Db) -> String {
    match db {
        Db::Sqlite => {
            let dir = std::env::temp_dir().join("hagukumi-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/{}.db?mode=rwc", dir.display(), unique_name())
        }
        Db::Postgres => {
            let name = unique_name();
            let admin = Database::connect(format!("{}/test", pg_base()))
                .await
                .expect("PostgreSQL must run at 127.0.0.1:5432 (see README)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            format!("{}/{name}", pg_base())
        }
    }
}

pub fn test_settings(url: String) -> Settings {
    let mut s = Settings::default();
    s.server.port = 0;
    s.database.url = SecretString::from(url);
    s.database.max_connections = 8;
    // Test mail goes to a temporary directory, not `tests/data/mail`.
    s.mail.file_dir = std::env::temp_dir()
        .join("hagukumi-tests/mail")
        .display()
        .to_string();
    s
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub db: DatabaseConnection,
    pub db_url: String,
    pub kind: Db,
}

pub async fn spawn_app(kind: Db) -> TestApp {
    spawn_app_with(kind, |_| {}).await
}

pub async fn spawn_app_with(kind: Db, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db_url = fresh_database(kind).await;
    let mut settings = test_settings(db_url.clone());
    tweak(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let (client, jar) = new_client();
    TestApp {
        address,
        client,
        jar,
        db,
        db_url,
        kind,
    }
}

/// A client with its own cookie jar that does not follow redirects.
/// A second server process's worth of state on the same database (its own
/// pools, change listener and caches), and whether it hears change notices.
pub async fn second_server(
    first: &TestApp,
) -> (
    TestApp,
    std::sync::Arc<hagukumi_server::db::changes::Changes>,
) {
    let app = hagukumi_server::Application::build(test_settings(first.db_url.clone()))
        .await
        .expect("second app");
    let changes = app.changes();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let second = TestApp {
        address,
        ..first.another_browser()
    };
    (second, changes)
}

/// Waits up to 10 s for a PostgreSQL server to hear change notices (its
/// caches on); whether it does.
pub async fn listening(changes: &hagukumi_server::db::changes::Changes) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !changes.is_live() && std::time::Instant::now() < until {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    changes.is_live()
}

pub fn new_client() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    (client, jar)
}

impl TestApp {
    /// The same server seen from another browser (no cookies).
    pub fn another_browser(&self) -> TestApp {
        let (client, jar) = new_client();
        TestApp {
            address: self.address.clone(),
            client,
            jar,
            db: self.db.clone(),
            db_url: self.db_url.clone(),
            kind: self.kind,
        }
    }
}

pub const DEMO_PASSWORD: &str = "hagukumi-demo";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let t = std::time::Instant::now();
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        // Said on stderr, so a failing run shows a page that timed out or broke.
        if r.status().is_server_error() || r.status() == 408 || t.elapsed().as_secs() > 5 {
            eprintln!(
                "slow or failed page: GET {path} -> {} in {:?}",
                r.status(),
                t.elapsed()
            );
        }
        r
    }

    /// The CSRF token the server gave this client (fetching a page first if
    /// the client has none yet), read from the client's cookie jar.
    pub async fn csrf(&self) -> String {
        if let Some(t) = self.cookie("hgk_csrf") {
            return t;
        }
        self.get("/healthz").await;
        self.cookie("hgk_csrf").unwrap_or_default()
    }

    /// A cookie's value as this client would send it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.address.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// POST JSON like the widget does (with the CSRF header).
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        let token = self.csrf().await;
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-csrf-token",
            HeaderValue::from_str(&token).expect("token"),
        );
        self.client
            .post(self.url(path))
            .headers(headers)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        let token = self.csrf().await;
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .header("x-csrf-token", token)
            .body(body.to_owned())
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/v1/auth/signin",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn sign_in_demo(&self, email: &str) {
        let res = self.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), 200, "demo sign-in of {email}");
    }

    /// The month calendar of `service` at `site` for the 45 days from today
    /// (Japan time), with `extra` query parameters (`&minutes=60`, …).
    pub async fn calendar(&self, service: &str, site: &str, extra: &str) -> Value {
        let today = hagukumi_domain::calendar::local_date(chrono::Utc::now());
        let to = today + chrono::Duration::days(45);
        let res = self
            .get(&format!(
                "/api/v1/services/{service}/availability?from={today}&to={to}&site={site}{extra}"
            ))
            .await;
        assert_eq!(res.status(), 200, "the calendar of {service} at {site}");
        res.json().await.expect("json")
    }
}

/// Asserts a problem+json answer and returns its body.
pub async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("json body");
    assert_eq!(body["status"], status);
    body
}

/// Generates one test per database for an `async fn(Db)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Db::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Db::Postgres).await
                }
            }
        )*
    };
}
