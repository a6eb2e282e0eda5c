//! The Leptos front end mounted in axum: server-side rendering, server
//! functions (served through `WebBackend`), the widget's files and the
//! language switch.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hagukumi_domain::Lang;
use hagukumi_domain::rules::{RuleSummary, describe_with_sites};
use hagukumi_frontend::backend::{Backend, SharedBackend};
use hagukumi_frontend::model::{
    BookPage, BookingDraft, BookingView, ChildView, ConfirmView, FamilyData, FinderData,
    HouseholdView, MailRow, MunicipalityOption, ServiceCard, ServiceInfo, SessionInfo, Viewer,
    WidgetMonth,
};
use hagukumi_frontend::{App, WidgetApp, shell};
use http::request::Parts;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use tower_http::services::ServeDir;

use crate::api::catalog;
use crate::auth::csrf::CsrfToken;
use crate::auth::extract::{CurrentUser, user_for_token};
use crate::auth::session::{SESSION_COOKIE, cookie, set_cookie};
use crate::entities::{child, municipality, site};
use crate::lang::{LANG_COOKIE, RequestLang};
use crate::state::AppState;

pub const STYLESHEET: &str = include_str!("../../frontend/style/main.css");

/// Serves the pages' data to server functions.
pub struct WebBackend {
    state: AppState,
}

impl WebBackend {
    async fn viewer(&self, parts: &Parts) -> Result<Option<CurrentUser>, String> {
        match cookie(&parts.headers, SESSION_COOKIE) {
            Some(token) => user_for_token(&self.state, token).await.map_err(|e| {
                tracing::error!(error = %e, "session lookup failed");
                "unavailable".to_owned()
            }),
            None => Ok(None),
        }
    }
}

fn lang_of(parts: &Parts) -> Lang {
    parts
        .extensions
        .get::<RequestLang>()
        .map(|l| l.0)
        .unwrap_or_default()
}

#[async_trait::async_trait]
impl Backend for WebBackend {
    fn console(&self) -> Option<hagukumi_frontend::console::backend::SharedConsole> {
        Some(Arc::new(crate::family_support::web::ConsoleWeb {
            state: self.state.clone(),
        }))
    }

    fn home_start(&self) -> Option<hagukumi_frontend::home_start::port::SharedHomeStart> {
        Some(Arc::new(crate::home_start::views::HomeStartWeb {
            state: self.state.clone(),
        }))
    }

    async fn session_info(&self, parts: &Parts) -> Result<SessionInfo, String> {
        let lang = lang_of(parts);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let viewer = self.viewer(parts).await?.map(|u| Viewer {
            display_name: u.display_name,
            role: u.role.as_str().to_owned(),
            municipality_name: match lang {
                Lang::Ja => u.municipality_name_ja,
                Lang::En => u.municipality_name_en,
            },
        });
        Ok(SessionInfo {
            lang,
            csrf,
            viewer,
            typed: crate::forms::typed_values(&parts.headers).unwrap_or_default(),
        })
    }

    async fn services(&self, parts: &Parts) -> Result<Vec<ServiceCard>, String> {
        let lang = lang_of(parts);
        let user = crate::auth::MaybeUser(self.viewer(parts).await?);
        let m = catalog::resolve_municipality(&self.state, &user, None)
            .await
            .map_err(|e| e.to_string())?;
        let list = catalog::list_services(&self.state, m.id)
            .await
            .map_err(|e| e.to_string())?;
        Ok(list
            .into_iter()
            .map(|s| ServiceCard {
                id: s.id,
                name: if lang == Lang::Ja {
                    s.name_ja
                } else {
                    s.name_en
                },
                summary: if lang == Lang::Ja {
                    s.summary_ja
                } else {
                    s.summary_en
                },
            })
            .collect())
    }

    async fn family(&self, parts: &Parts) -> Result<FamilyData, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| u.role == crate::auth::Role::Parent)
            .ok_or_else(|| "unauthorized".to_owned())?;
        let mut family = family_of(&self.state, &user).await.map_err(|e| {
            tracing::error!(error = %e, "family lookup failed");
            "unavailable".to_owned()
        })?;
        family.typed = crate::forms::typed_values(&parts.headers);
        Ok(family)
    }

    async fn finder(&self, parts: &Parts) -> Result<FinderData, String> {
        let family = self.family(parts).await?;
        let user = self
            .viewer(parts)
            .await?
            .ok_or_else(|| "unauthorized".to_owned())?;
        let rules = crate::rules::load(&self.state.db, user.municipality_id)
            .await
            .map_err(|e| e.to_string())?;
        let services = self.services(parts).await?;
        let summaries = summaries(&self.state, user.municipality_id, &rules, family.today)
            .await
            .map_err(|e| e.to_string())?;
        let coupons = crate::portal::coupons_left(&self.state, &rules, &family, family.today)
            .await
            .map_err(|e| e.to_string())?;
        Ok(FinderData {
            family,
            rules,
            services,
            summaries,
            coupons,
        })
    }

    async fn service_info(
        &self,
        parts: &Parts,
        service: String,
        month: Option<chrono::NaiveDate>,
    ) -> Result<ServiceInfo, String> {
        let card = self
            .services(parts)
            .await?
            .into_iter()
            .find(|s| s.id == service)
            .ok_or_else(|| "not found".to_owned())?;
        let viewer = self.viewer(parts).await?;
        let user = crate::auth::MaybeUser(viewer.clone());
        let m = catalog::resolve_municipality(&self.state, &user, None)
            .await
            .map_err(|e| e.to_string())?;
        let rules = crate::rules::load(&self.state.db, m.id)
            .await
            .map_err(|e| e.to_string())?;
        let today = hagukumi_domain::calendar::local_date(chrono::Utc::now());
        let mut all = summaries(&self.state, m.id, &rules, today)
            .await
            .map_err(|e| e.to_string())?;
        let calendar = widget_month(
            &self.state,
            viewer.as_ref(),
            lang_of(parts),
            &card.id,
            m.id,
            &rules,
            month,
            today,
        )
        .await
        .unwrap_or_else(|e| {
            // The widget still shows the service and its rules.
            tracing::warn!(error = %e, service = %card.id, "widget calendar failed");
            None
        });
        Ok(ServiceInfo {
            summary: all.remove(&card.id),
            card,
            calendar,
        })
    }

    async fn book_page(
        &self,
        parts: &Parts,
        service: String,
        month: Option<chrono::NaiveDate>,
    ) -> Result<BookPage, String> {
        let family = self.family(parts).await?;
        let user = self
            .viewer(parts)
            .await?
            .ok_or_else(|| "unauthorized".to_owned())?;
        let card = self
            .services(parts)
            .await?
            .into_iter()
            .find(|s| s.id == service)
            .ok_or_else(|| "not found".to_owned())?;
        crate::portal::book_page(
            &self.state,
            &user,
            lang_of(parts),
            service,
            month,
            family,
            card,
        )
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "booking page failed");
            "unavailable".to_owned()
        })
    }

    async fn confirm(&self, parts: &Parts, draft: BookingDraft) -> Result<ConfirmView, String> {
        let family = self.family(parts).await?;
        let user = self
            .viewer(parts)
            .await?
            .ok_or_else(|| "unauthorized".to_owned())?;
        crate::portal::confirm(&self.state, &user, lang_of(parts), draft, &family)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "confirmation failed");
                "unavailable".to_owned()
            })
    }

    async fn mail_log(&self, parts: &Parts) -> Result<Vec<MailRow>, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| {
                matches!(
                    u.role,
                    crate::auth::Role::Coordinator | crate::auth::Role::Admin
                )
            })
            .ok_or_else(|| "unauthorized".to_owned())?;
        crate::api::outbox::recent_for(&self.state, &user, 200)
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|m| MailRow {
                        created_at: hagukumi_domain::calendar::local_datetime(m.created_at),
                        to: m.to,
                        subject: m.subject,
                        status: m.status,
                        attempts: m.attempts,
                        last_error: m.last_error,
                        location: m.location,
                    })
                    .collect()
            })
            .map_err(|e| {
                tracing::warn!(error = %e, "mail log failed");
                "unavailable".to_owned()
            })
    }

    async fn my_bookings(&self, parts: &Parts) -> Result<Vec<BookingView>, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| u.role == crate::auth::Role::Parent)
            .ok_or_else(|| "unauthorized".to_owned())?;
        crate::portal::my_bookings(&self.state, &user, lang_of(parts))
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "my bookings failed");
                "unavailable".to_owned()
            })
    }

    async fn change_page(
        &self,
        parts: &Parts,
        id: String,
        draft: hagukumi_frontend::model::ChangeDraft,
    ) -> Result<hagukumi_frontend::model::ChangePage, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| u.role == crate::auth::Role::Parent)
            .ok_or_else(|| "unauthorized".to_owned())?;
        let id: uuid::Uuid = id.parse().map_err(|_| "not found".to_owned())?;
        crate::portal::change_page(&self.state, &user, lang_of(parts), id, draft)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "change page failed");
                "unavailable".to_owned()
            })
    }

    async fn municipalities(&self, parts: &Parts) -> Result<Vec<MunicipalityOption>, String> {
        let lang = lang_of(parts);
        let default = &self.state.settings.server.default_municipality;
        let mut rows = municipality::Entity::find()
            .filter(municipality::Column::Code.ne(""))
            .order_by_asc(municipality::Column::Code)
            .all(&self.state.db)
            .await
            .map_err(|e| e.to_string())?;
        // The server's own municipality first: it is the one most people choose.
        rows.sort_by_key(|m| &m.code != default);
        Ok(rows
            .into_iter()
            .map(|m| MunicipalityOption {
                code: m.code,
                name: if lang == Lang::Ja {
                    m.name_ja
                } else {
                    m.name_en
                },
            })
            .collect())
    }

    async fn schedule(
        &self,
        parts: &Parts,
    ) -> Result<hagukumi_frontend::model::ScheduleData, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| u.role == crate::auth::Role::Provider)
            .ok_or_else(|| "unauthorized".to_owned())?;
        let flash = cookie(&parts.headers, crate::dispatch::forms::FEED_FLASH_COOKIE);
        crate::dispatch::pages::schedule_data(&self.state, &user, lang_of(parts), flash)
            .await
            .map_err(|e| e.to_string())
    }

    async fn dispatch_day(
        &self,
        parts: &Parts,
        day: Option<chrono::NaiveDate>,
    ) -> Result<hagukumi_frontend::model::DispatchData, String> {
        let user = self
            .viewer(parts)
            .await?
            .filter(|u| {
                matches!(
                    u.role,
                    crate::auth::Role::Coordinator | crate::auth::Role::Admin
                )
            })
            .ok_or_else(|| "unauthorized".to_owned())?;
        crate::dispatch::pages::dispatch_data(&self.state, &user, lang_of(parts), day)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The widget's month of a service booked from a calendar (`None` for services a
/// coordinator arranges): the booking page's calendar without slots, for anyone.
#[allow(clippy::too_many_arguments)]
async fn widget_month(
    state: &AppState,
    viewer: Option<&CurrentUser>,
    lang: Lang,
    service: &str,
    municipality: uuid::Uuid,
    rules: &hagukumi_domain::rules::MunicipalityRules,
    month: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> crate::error::ApiResult<Option<WidgetMonth>> {
    let Ok(sid) = service.parse::<hagukumi_domain::ServiceId>() else {
        return Ok(None);
    };
    let first = crate::portal::month_start(month, today);
    if rules.rules_for(sid, first.max(today)).is_none()
        || crate::booking::resource::SiteResource::for_service(&state.db, service, municipality)
            .await?
            .is_empty()
    {
        return Ok(None);
    }
    // Signed in or not, the widget counts a child of unknown age (the family's own
    // children are the booking page's business).
    let sites =
        crate::portal::site_calendars(state, viewer, lang, service, first, today, None, false)
            .await?;
    Ok(Some(WidgetMonth {
        month: first,
        today,
        sites,
    }))
}

/// Each service's rules in force on `on`, in plain words, with the names of
/// the municipality's own sites (the rules know sites by key only).
pub async fn summaries(
    state: &AppState,
    municipality_id: uuid::Uuid,
    rules: &hagukumi_domain::rules::MunicipalityRules,
    on: chrono::NaiveDate,
) -> Result<BTreeMap<String, RuleSummary>, crate::error::ApiError> {
    let sites = site::Entity::find()
        .filter(site::Column::MunicipalityId.eq(municipality_id))
        .all(&state.db)
        .await?;
    let names: BTreeMap<String, hagukumi_domain::Text> = sites
        .into_iter()
        .map(|s| (s.code, hagukumi_domain::Text::new(s.name_ja, s.name_en)))
        .collect();
    Ok(hagukumi_domain::ServiceId::ALL
        .into_iter()
        .filter_map(|id| {
            let r = rules.rules_for(id, on)?;
            Some((
                id.as_str().to_owned(),
                describe_with_sites(id, r, rules.coupon.as_ref(), &names),
            ))
        })
        .collect())
}

/// The parent's household and children as the pages show them.
pub async fn family_of(
    state: &AppState,
    user: &CurrentUser,
) -> Result<FamilyData, crate::error::ApiError> {
    let h = crate::api::household::household_of(state, user).await?;
    let children = child::Entity::find()
        .filter(child::Column::HouseholdId.eq(h.id))
        .order_by_asc(child::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(FamilyData {
        today: hagukumi_domain::calendar::local_date(chrono::Utc::now()),
        household: HouseholdView {
            facts: hagukumi_domain::eligibility::Household {
                single_parent: h.single_parent,
                single_parent_since: h.single_parent_since,
                public_assistance: h.public_assistance,
                tax_exempt: h.tax_exempt,
                multiple_birth: h.multiple_birth,
            },
            area: h.area,
            confirmed: h.facts_confirmed_at.is_some(),
        },
        children: children
            .into_iter()
            .map(|c| ChildView {
                id: c.id.to_string(),
                family_name: c.family_name,
                given_name: c.given_name,
                birth_date: c.birth_date,
                due_date: c.due_date,
            })
            .collect(),
        typed: None,
    })
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/{ja|en}?next=/path`: remember the language and go back.
async fn switch_lang(
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Response {
    let lang = Lang::from_tag(&code);
    // Only local paths: never an open redirect.
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_owned());
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            60 * 60 * 24 * 365,
            state.settings.secure_cookies(),
            true,
        ),
    );
    (headers, Redirect::to(&next)).into_response()
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        STYLESHEET,
    )
}

/// The site's pages and the embedded widget's (a separate app with its own
/// bundle), worked out once per process.
///
/// Leptos finds the routes by rendering the apps while a process-wide flag
/// holds back resource loading; a resource first polled by a page rendering on
/// another thread at that moment waits forever (leptos-rs/leptos#4773), and the
/// request ends in a 408. One server per process never meets this, but the API
/// tests start many servers in one process while others serve pages: working
/// the list out once, before any server can serve, keeps the two apart.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES
        .get_or_init(|| {
            let mut routes = generate_route_list(App);
            routes.extend(generate_route_list(WidgetApp));
            routes
        })
        .clone()
}

pub fn router(state: &AppState) -> Router<AppState> {
    let backend: SharedBackend = Arc::new(WebBackend {
        state: state.clone(),
    });
    let routes = routes();
    let options = state.leptos_options.clone();
    let pkg_dir = format!("{}/pkg", state.leptos_options.site_root);
    let forms = Router::new()
        .merge(crate::forms::router())
        .merge(crate::portal::router())
        .merge(crate::family_support::forms::router())
        .merge(crate::dispatch::forms::router())
        .merge(crate::console_forms::router())
        .merge(crate::home_start::forms::router())
        .layer(axum::middleware::from_fn(crate::forms::signin_when_expired));
    Router::new()
        .merge(forms)
        .route("/lang/{code}", get(switch_lang))
        .route("/assets/main.css", get(stylesheet))
        .nest_service("/pkg", ServeDir::new(pkg_dir).precompressed_gzip())
        .leptos_routes_with_context(
            state,
            routes,
            move || provide_context(backend.clone()),
            move || shell(options.clone()),
        )
}
