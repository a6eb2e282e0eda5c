//! A family's own records. Parents see only their household; center staff see
//! the households of their own municipality; providers see none of this.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::entities::{child, household};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdOut {
    pub id: Uuid,
    pub single_parent: bool,
    pub single_parent_since: Option<NaiveDate>,
    pub public_assistance: bool,
    pub tax_exempt: bool,
    pub area: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildOut {
    pub id: Uuid,
    pub household_id: Uuid,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
}

impl From<child::Model> for ChildOut {
    fn from(c: child::Model) -> Self {
        ChildOut {
            id: c.id,
            household_id: c.household_id,
            family_name: c.family_name,
            given_name: c.given_name,
            birth_date: c.birth_date,
            due_date: c.due_date,
        }
    }
}

/// The parent's own household.
pub async fn household_of(state: &AppState, user: &CurrentUser) -> ApiResult<household::Model> {
    household::Entity::find()
        .filter(household::Column::UserId.eq(user.id))
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The signed-in parent's household facts.
#[utoipa::path(get, path = "/api/v1/household", tag = "households",
    responses((status = 200, body = HouseholdOut), (status = 401), (status = 404)))]
pub async fn my_household(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<HouseholdOut>> {
    let h = household_of(&state, &user).await?;
    Ok(Json(HouseholdOut {
        id: h.id,
        single_parent: h.single_parent,
        single_parent_since: h.single_parent_since,
        public_assistance: h.public_assistance,
        tax_exempt: h.tax_exempt,
        area: h.area,
    }))
}

/// Children the signed-in person may see: a parent's own, or (staff) every
/// child of their municipality.
#[utoipa::path(get, path = "/api/v1/children", tag = "households",
    responses((status = 200, body = [ChildOut]), (status = 401), (status = 403)))]
pub async fn children(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<ChildOut>>> {
    let query =
        child::Entity::find().filter(child::Column::MunicipalityId.eq(user.municipality_id));
    let query = match user.role {
        Role::Parent => {
            let h = household_of(&state, &user).await?;
            query.filter(child::Column::HouseholdId.eq(h.id))
        }
        Role::Coordinator | Role::Admin => query,
        Role::Provider => return Err(ApiError::Forbidden),
    };
    let rows = query
        .order_by_asc(child::Column::BirthDate)
        .all(&state.db)
        .await?;
    Ok(Json(rows.into_iter().map(ChildOut::from).collect()))
}
