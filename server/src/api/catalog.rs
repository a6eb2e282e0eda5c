//! What a municipality offers: its services and the sites it may use. Public,
//! because a family looks before it signs up; sites of other municipalities
//! appear only through a share, and then only with their capacity.

use axum::Json;
use axum::extract::{Query, State};
use hagukumi_domain::{ServiceId, Text};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::MaybeUser;
use crate::entities::{municipality, service, site, site_share};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityQuery {
    /// Municipality code; defaults to the signed-in person's, else the server's default.
    pub municipality: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityOut {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    /// Stable id, e.g. `temporary-care`.
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    pub summary_ja: String,
    pub summary_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteOut {
    pub id: Uuid,
    pub service: String,
    pub name_ja: String,
    pub name_en: String,
    pub capacity: i32,
    /// The municipality that runs the site.
    pub operator: String,
    /// Places guaranteed to the asking municipality, when the site is shared.
    pub allocation: Option<i32>,
    pub shared: bool,
}

/// Resolves which municipality's catalogue to show. A signed-in person always
/// sees their own; asking for another one is refused rather than ignored.
pub async fn resolve_municipality(
    state: &AppState,
    user: &MaybeUser,
    asked: Option<&str>,
) -> ApiResult<municipality::Model> {
    if let Some(u) = &user.0 {
        if asked.is_some_and(|a| a != u.municipality_code) {
            return Err(ApiError::Forbidden);
        }
        return municipality::Entity::find_by_id(u.municipality_id)
            .one(&state.db)
            .await?
            .ok_or(ApiError::NotFound);
    }
    let code = asked.unwrap_or(&state.settings.server.default_municipality);
    municipality::Entity::find()
        .filter(municipality::Column::Code.eq(code))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "municipality",
                "unknown_municipality",
                Text::new(
                    "この自治体は登録されていません",
                    "This municipality is not served here",
                ),
            )
        })
}

/// The municipalities served by this deployment.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "catalog",
    responses((status = 200, body = [MunicipalityOut])))]
pub async fn municipalities(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<MunicipalityOut>>> {
    let rows = municipality::Entity::find()
        .order_by_asc(municipality::Column::Code)
        .all(&state.db)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| MunicipalityOut {
                code: m.code,
                name_ja: m.name_ja,
                name_en: m.name_en,
            })
            .collect(),
    ))
}

/// The bookable services of a municipality, with ids as in DOMAIN.md.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", params(MunicipalityQuery),
    responses((status = 200, body = [ServiceOut])))]
pub async fn services(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(q): Query<MunicipalityQuery>,
) -> ApiResult<Json<Vec<ServiceOut>>> {
    let m = resolve_municipality(&state, &user, q.municipality.as_deref()).await?;
    Ok(Json(list_services(&state, m.id).await?))
}

pub async fn list_services(state: &AppState, municipality_id: Uuid) -> ApiResult<Vec<ServiceOut>> {
    let rows = service::Entity::find()
        .filter(service::Column::MunicipalityId.eq(municipality_id))
        .filter(service::Column::Enabled.eq(true))
        .order_by_asc(service::Column::SortOrder)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|s| s.service_key.parse::<ServiceId>().is_ok())
        .map(|s| ServiceOut {
            id: s.service_key,
            name_ja: s.name_ja,
            name_en: s.name_en,
            summary_ja: s.summary_ja,
            summary_en: s.summary_en,
        })
        .collect())
}

/// Sites a municipality may book: its own and those shared with it.
#[utoipa::path(get, path = "/api/v1/sites", tag = "catalog", params(MunicipalityQuery),
    responses((status = 200, body = [SiteOut])))]
pub async fn sites(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(q): Query<MunicipalityQuery>,
) -> ApiResult<Json<Vec<SiteOut>>> {
    let m = resolve_municipality(&state, &user, q.municipality.as_deref()).await?;
    let shares = site_share::Entity::find()
        .filter(site_share::Column::MunicipalityId.eq(m.id))
        .all(&state.db)
        .await?;
    let shared_ids: Vec<Uuid> = shares.iter().map(|s| s.site_id).collect();
    let rows = site::Entity::find()
        .filter(
            site::Column::MunicipalityId
                .eq(m.id)
                .or(site::Column::Id.is_in(shared_ids)),
        )
        .order_by_asc(site::Column::ServiceKey)
        .order_by_asc(site::Column::NameJa)
        .all(&state.db)
        .await?;
    let operators = municipality::Entity::find().all(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| {
                let share = shares.iter().find(|x| x.site_id == s.id);
                SiteOut {
                    id: s.id,
                    service: s.service_key,
                    name_ja: s.name_ja,
                    name_en: s.name_en,
                    capacity: s.capacity,
                    operator: operators
                        .iter()
                        .find(|o| o.id == s.municipality_id)
                        .map(|o| o.code.clone())
                        .unwrap_or_default(),
                    allocation: share.and_then(|x| x.allocation),
                    shared: s.municipality_id != m.id || share.is_some(),
                }
            })
            .collect(),
    ))
}
