//! The application as a value: build it from settings, ask its port, run it
//! until a shutdown signal. Tests bind port 0 and run the real thing.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::auth::csrf::{self, SecureCookies};
use crate::auth::handlers as auth;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{api, db, embed, lang, seed, web};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects, migrates and seeds (as the settings say), and binds the port.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let conn = db::connect(&settings.database).await?;
        Self::build_with_db(settings, conn).await
    }

    pub async fn build_with_db(
        settings: Settings,
        conn: DatabaseConnection,
    ) -> anyhow::Result<Application> {
        if settings.database.migrate_on_start {
            db::migrate(&conn).await?;
        }
        if settings.database.seed_demo_if_empty {
            seed::seed_if_empty(&conn).await?;
        }
        let listener =
            TcpListener::bind((settings.server.host.as_str(), settings.server.port)).await?;
        let leptos_options = LeptosOptions::builder()
            .output_name("hagukumi")
            .site_root(settings.site.root.clone())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .build();
        let changes = if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            db::changes::Changes::listen(conn.get_postgres_connection_pool().clone())
        } else {
            db::changes::Changes::off()
        };
        let state = AppState::new(crate::state::Shared {
            cached: Arc::new(crate::state::Cached::new(changes)),
            reads: db::request_reads(&conn),
            rounds: db::rounds_connection(&settings.database, &conn).await?,
            db: conn,
            settings: Arc::new(settings),
            leptos_options,
            bookings: Default::default(),
        });
        let router = build_router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Whether this process hears change notices and caches (see [`db::changes`]).
    pub fn changes(&self) -> Arc<db::changes::Changes> {
        self.state.cached.changes.clone()
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let shutdown = crate::mail::worker::stop_with(&self.state, shutdown);
        let jobs = tokio::spawn(waitlist_job(self.state.clone()));
        let shutdown = async move {
            shutdown.await;
            jobs.abort();
        };
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// Every minute: expire lapsed waiting-list offers and unapproved requests that
/// started, and offer places freed without a cancellation (capacity added) to
/// waiting requests. Each step is its own locked transaction, so several
/// processes can run this at once; requests also trigger it lazily.
async fn waitlist_job(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = crate::booking::waitlist::run_due(&state).await {
            tracing::warn!(error = %e, "waiting-list job failed; retrying next minute");
        }
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}

fn build_router(state: AppState) -> Router {
    let secure = SecureCookies(state.settings.secure_cookies());
    let forms = Router::new()
        .route("/auth/signin", axum::routing::post(auth::form_sign_in))
        .route("/auth/signup", axum::routing::post(auth::form_sign_up))
        .route("/auth/signout", axum::routing::post(auth::form_sign_out));
    Router::new()
        .merge(api::router())
        .merge(forms)
        .merge(web::router(&state))
        .merge(embed::router())
        .layer(middleware::from_fn_with_state(state.clone(), embed::frame_policy))
        .layer(middleware::from_fn(csrf::layer))
        .layer(middleware::from_fn(lang::layer))
        .layer(axum::Extension(secure))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Logs carry method, path and status only: no query strings, bodies or
        // cookies, which could hold personal details.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}
