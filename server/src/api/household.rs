//! A family's own records. Parents see and change only their household;
//! center staff see the households of their own municipality and confirm the
//! self-declared facts; providers see none of this. Every change is one
//! transaction with its audit record (ids only, no names or dates).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Months, NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::calendar::local_date;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{CurrentUser, Parent, Require, Role, Staff};
use crate::db::changes::Topic;
use crate::entities::{child, household};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdOut {
    pub id: Uuid,
    pub single_parent: bool,
    pub single_parent_since: Option<NaiveDate>,
    pub public_assistance: bool,
    pub tax_exempt: bool,
    pub multiple_birth: bool,
    pub area: Option<String>,
    /// Staff have confirmed the self-declared facts (until the family changes them).
    pub confirmed: bool,
}

impl From<household::Model> for HouseholdOut {
    fn from(h: household::Model) -> Self {
        HouseholdOut {
            id: h.id,
            single_parent: h.single_parent,
            single_parent_since: h.single_parent_since,
            public_assistance: h.public_assistance,
            tax_exempt: h.tax_exempt,
            multiple_birth: h.multiple_birth,
            area: h.area,
            confirmed: h.facts_confirmed_at.is_some(),
        }
    }
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
    Ok(Json(household_of(&state, &user).await?.into()))
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

/// The household facts the rules need, as the family declares them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HouseholdFacts {
    pub single_parent: bool,
    pub single_parent_since: Option<NaiveDate>,
    pub public_assistance: bool,
    pub tax_exempt: bool,
    pub multiple_birth: bool,
    pub area: Option<String>,
}

fn check_facts(f: &HouseholdFacts, today: NaiveDate) -> ApiResult<()> {
    let mut errors = vec![];
    if let Some(since) = f.single_parent_since {
        if !f.single_parent {
            errors.push(FieldError::new(
                "single_parent_since",
                "contradiction",
                Text::new(
                    "ひとり親家庭でない場合、ひとり親になった日は入力できません",
                    "A single-parent date needs a single-parent household",
                ),
            ));
        } else if since > today {
            errors.push(FieldError::new(
                "single_parent_since",
                "in_future",
                Text::new("未来の日付は入力できません", "This date is in the future"),
            ));
        }
    }
    if f.area
        .as_deref()
        .is_some_and(|a| a.chars().count() > 100 || a.chars().any(char::is_control))
    {
        errors.push(FieldError::new(
            "area",
            "too_long",
            Text::new(
                "地域は100文字以内で入力してください",
                "The area must be at most 100 characters",
            ),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Changes the household facts. Changing what staff confirmed withdraws the
/// confirmation, so a fee reduction always rests on confirmed facts.
pub async fn update_facts(
    state: &AppState,
    user: &CurrentUser,
    f: HouseholdFacts,
) -> ApiResult<household::Model> {
    check_facts(&f, local_date(Utc::now()))?;
    let txn = crate::db::begin_write(&state.db).await?;
    let h = household::Entity::find()
        .filter(household::Column::UserId.eq(user.id))
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let reconfirm = h.public_assistance != f.public_assistance
        || h.tax_exempt != f.tax_exempt
        || h.single_parent != f.single_parent
        || h.multiple_birth != f.multiple_birth;
    let id = h.id;
    let mut m = h.into_active_model();
    m.single_parent = Set(f.single_parent);
    m.single_parent_since = Set(f.single_parent_since.filter(|_| f.single_parent));
    m.public_assistance = Set(f.public_assistance);
    m.tax_exempt = Set(f.tax_exempt);
    m.multiple_birth = Set(f.multiple_birth);
    m.area = Set(f
        .area
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty()));
    if reconfirm {
        m.facts_confirmed_at = Set(None);
        m.facts_confirmed_by = Set(None);
    }
    let saved = m.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: "household.update",
            entity: "household",
            entity_id: id.to_string(),
            details: json!({ "needs_confirmation": reconfirm }),
        },
    )
    .await?;
    txn.commit().await?;
    state.cached.changed_here(Topic::Families);
    Ok(saved)
}

/// Update the signed-in parent's household facts (self-declared).
#[utoipa::path(put, path = "/api/v1/household", tag = "households", request_body = HouseholdFacts,
    responses((status = 200, body = HouseholdOut), (status = 422, description = "contradictory or invalid facts")))]
pub async fn put_household(
    State(state): State<AppState>,
    user: Require<Parent>,
    ApiJson(f): ApiJson<HouseholdFacts>,
) -> ApiResult<Json<HouseholdOut>> {
    Ok(Json(update_facts(&state, &user, f).await?.into()))
}

/// A child as the family registers them: born (birth date) or expected (due date).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildIn {
    pub family_name: String,
    pub given_name: String,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
}

/// The longest a due date may lie ahead (about 43 weeks).
const MAX_DAYS_TO_DUE: i64 = 300;

fn check_name(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            Text::new("入力してください", "This is required"),
        ));
    } else if v.chars().count() > 50 || v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "too_long",
            Text::new("50文字以内で入力してください", "At most 50 characters"),
        ));
    }
    v.to_owned()
}

fn check_child(c: &ChildIn, today: NaiveDate) -> ApiResult<(String, String)> {
    let mut errors = vec![];
    let family = check_name("family_name", &c.family_name, &mut errors);
    let given = check_name("given_name", &c.given_name, &mut errors);
    match (c.birth_date, c.due_date) {
        (Some(_), Some(_)) | (None, None) => errors.push(FieldError::new(
            "birth_date",
            "birth_or_due",
            Text::new(
                "生年月日か出産予定日のどちらか一方を入力してください",
                "Give either a birth date or a due date",
            ),
        )),
        (Some(b), None) => {
            if b > today {
                errors.push(FieldError::new(
                    "birth_date",
                    "in_future",
                    Text::new(
                        "生年月日が未来の日付です。まだ生まれていない場合は出産予定日を入力してください",
                        "The birth date is in the future; for an expected child give the due date",
                    ),
                ));
            } else if today
                .checked_sub_months(Months::new(18 * 12))
                .is_some_and(|limit| b <= limit)
            {
                errors.push(FieldError::new(
                    "birth_date",
                    "too_old",
                    Text::new(
                        "18歳未満のお子さんを登録してください",
                        "Register children under 18",
                    ),
                ));
            }
        }
        (None, Some(d)) => {
            if d < today {
                errors.push(FieldError::new(
                    "due_date",
                    "in_past",
                    Text::new(
                        "出産予定日が過去の日付です。生まれている場合は生年月日を入力してください",
                        "The due date has passed; once born, give the birth date",
                    ),
                ));
            } else if (d - today).num_days() > MAX_DAYS_TO_DUE {
                errors.push(FieldError::new(
                    "due_date",
                    "too_far",
                    Text::new("出産予定日が先すぎます", "The due date is too far ahead"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok((family, given))
    } else {
        Err(ApiError::Validation(errors))
    }
}

async fn own_child(
    txn: &impl sea_orm::ConnectionTrait,
    user: &CurrentUser,
    household_id: Uuid,
    id: Uuid,
) -> ApiResult<child::Model> {
    // Another family's child is simply not found: its existence is not disclosed.
    child::Entity::find_by_id(id)
        .filter(child::Column::HouseholdId.eq(household_id))
        .filter(child::Column::MunicipalityId.eq(user.municipality_id))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Adds (when `id` is `None`) or changes a child of the signed-in parent's household.
pub async fn save_child(
    state: &AppState,
    user: &CurrentUser,
    id: Option<Uuid>,
    c: ChildIn,
) -> ApiResult<child::Model> {
    let (family, given) = check_child(&c, local_date(Utc::now()))?;
    let h = household_of(state, user).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let (saved, action) = match id {
        None => {
            let m = child::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(user.municipality_id),
                household_id: Set(h.id),
                family_name: Set(family),
                given_name: Set(given),
                birth_date: Set(c.birth_date),
                due_date: Set(c.due_date),
                created_at: Set(Utc::now()),
            };
            (m.insert(&txn).await?, "child.add")
        }
        Some(id) => {
            let mut m = own_child(&txn, user, h.id, id).await?.into_active_model();
            m.family_name = Set(family);
            m.given_name = Set(given);
            m.birth_date = Set(c.birth_date);
            m.due_date = Set(c.due_date);
            (m.update(&txn).await?, "child.update")
        }
    };
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action,
            entity: "child",
            entity_id: saved.id.to_string(),
            details: json!({ "household_id": h.id, "expected": saved.due_date.is_some() }),
        },
    )
    .await?;
    txn.commit().await?;
    state.cached.changed_here(Topic::Families);
    Ok(saved)
}

/// Register a child (born or expected) in the signed-in parent's household.
#[utoipa::path(post, path = "/api/v1/children", tag = "households", request_body = ChildIn,
    responses((status = 201, body = ChildOut), (status = 422, description = "invalid names or dates, naming the field")))]
pub async fn post_child(
    State(state): State<AppState>,
    user: Require<Parent>,
    ApiJson(c): ApiJson<ChildIn>,
) -> ApiResult<(StatusCode, Json<ChildOut>)> {
    let saved = save_child(&state, &user, None, c).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Change a child of the signed-in parent's household.
#[utoipa::path(put, path = "/api/v1/children/{id}", tag = "households", request_body = ChildIn,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ChildOut), (status = 404, description = "not a child of this household")))]
pub async fn put_child(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    ApiJson(c): ApiJson<ChildIn>,
) -> ApiResult<Json<ChildOut>> {
    Ok(Json(save_child(&state, &user, Some(id), c).await?.into()))
}

/// Confirm a household's self-declared facts (public assistance, tax exemption).
#[utoipa::path(post, path = "/api/v1/households/{id}/confirm", tag = "households",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = HouseholdOut), (status = 403), (status = 404)))]
pub async fn confirm_household(
    State(state): State<AppState>,
    staff: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<HouseholdOut>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let h = household::Entity::find_by_id(id)
        .filter(household::Column::MunicipalityId.eq(staff.municipality_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut m = h.into_active_model();
    m.facts_confirmed_at = Set(Some(Utc::now()));
    m.facts_confirmed_by = Set(Some(staff.id));
    let saved = m.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(staff.municipality_id),
            actor: Some(staff.id),
            action: "household.confirm",
            entity: "household",
            entity_id: id.to_string(),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    state.cached.changed_here(Topic::Families);
    Ok(Json(saved.into()))
}
