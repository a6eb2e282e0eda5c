//! Family Support members: requesting (a household), providing (a provider) or both,
//! with what the matching needs of a providing member.

use chrono::{NaiveDate, Utc};
use hagukumi_domain::availability::{RecurringWindow, WindowSpec};
use hagukumi_domain::calendar::GradeLevel;
use hagukumi_domain::capacity::GeoPoint;
use hagukumi_domain::matching::candidates::{AgesAccepted, ProviderProfile};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{audit, fail, invalid};
use crate::auth::CurrentUser;
use crate::entities::{fs_member, household, provider};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

pub const ROLES: [&str; 3] = ["requesting", "providing", "both"];

/// A member as the console shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberOut {
    pub id: Uuid,
    /// `requesting`, `providing` or `both`.
    pub role: String,
    pub display_name: String,
    pub household_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub training_hours: i32,
    pub training_completed_on: Option<NaiveDate>,
    pub lifesaving_refresher_on: Option<NaiveDate>,
    /// The refresher is still valid today (5 years).
    pub refresher_valid: bool,
    pub sick_child: bool,
    pub overnight: bool,
    pub accepts_from_months: i32,
    #[schema(value_type = Object)]
    pub accepts_to_grade: GradeLevel,
    /// e.g. `生後2か月〜小学6年生`.
    #[schema(value_type = Object)]
    pub ages_text: hagukumi_domain::Text,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub max_per_week: i32,
    #[schema(value_type = Vec<Object>)]
    pub availability: Vec<WindowSpec>,
    pub active: bool,
}

pub fn grade_of(m: &fs_member::Model) -> GradeLevel {
    serde_json::from_value(m.accepts_to_grade.clone()).unwrap_or(GradeLevel::Elementary(6))
}

pub fn windows_of(m: &fs_member::Model) -> Vec<WindowSpec> {
    serde_json::from_value(m.availability.clone()).unwrap_or_default()
}

pub fn refresher_valid(on: Option<NaiveDate>, today: NaiveDate) -> bool {
    on.and_then(|d| d.checked_add_months(chrono::Months::new(60)))
        .is_some_and(|exp| exp > today)
}

impl From<fs_member::Model> for MemberOut {
    fn from(m: fs_member::Model) -> Self {
        let grade = grade_of(&m);
        let ages = AgesAccepted {
            from_months: u32::try_from(m.accepts_from_months).unwrap_or(0),
            to_grade: grade,
        };
        let today = hagukumi_domain::calendar::local_date(Utc::now());
        MemberOut {
            id: m.id,
            refresher_valid: refresher_valid(m.lifesaving_refresher_on, today),
            availability: windows_of(&m),
            role: m.role,
            display_name: m.display_name,
            household_id: m.household_id,
            provider_id: m.provider_id,
            training_hours: m.training_hours,
            training_completed_on: m.training_completed_on,
            lifesaving_refresher_on: m.lifesaving_refresher_on,
            sick_child: m.sick_child,
            overnight: m.overnight,
            accepts_from_months: m.accepts_from_months,
            accepts_to_grade: grade,
            ages_text: ages.text(),
            home_lat: m.home_lat,
            home_lon: m.home_lon,
            max_per_week: m.max_per_week,
            active: m.active,
        }
    }
}

/// The domain's view of a providing member; `None` for a requesting-only member.
pub fn profile_of(m: &fs_member::Model) -> Option<ProviderProfile> {
    if m.role == "requesting" {
        return None;
    }
    let home = match (m.home_lat, m.home_lon) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
        _ => None,
    };
    Some(ProviderProfile {
        training_hours: u32::try_from(m.training_hours).unwrap_or(0),
        lifesaving_refresher: m.lifesaving_refresher_on,
        sick_child: m.sick_child,
        overnight: m.overnight,
        ages: AgesAccepted {
            from_months: u32::try_from(m.accepts_from_months).unwrap_or(0),
            to_grade: grade_of(m),
        },
        home,
        max_per_week: u32::try_from(m.max_per_week).unwrap_or(0),
        availability: windows_of(m)
            .into_iter()
            .filter_map(|w| RecurringWindow::try_from(w).ok())
            .collect(),
    })
}

/// A member as the coordinator registers or edits them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub role: String,
    pub display_name: String,
    #[serde(default)]
    pub household_id: Option<Uuid>,
    #[serde(default)]
    pub provider_id: Option<Uuid>,
    #[serde(default)]
    pub training_hours: i32,
    #[serde(default)]
    pub training_completed_on: Option<NaiveDate>,
    #[serde(default)]
    pub lifesaving_refresher_on: Option<NaiveDate>,
    #[serde(default)]
    pub sick_child: bool,
    #[serde(default)]
    pub overnight: bool,
    #[serde(default = "two")]
    pub accepts_from_months: i32,
    #[serde(default = "grade6")]
    #[schema(value_type = Object)]
    pub accepts_to_grade: GradeLevel,
    #[serde(default)]
    pub home_lat: Option<f64>,
    #[serde(default)]
    pub home_lon: Option<f64>,
    #[serde(default)]
    pub max_per_week: i32,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub availability: Vec<WindowSpec>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn two() -> i32 {
    2
}
fn grade6() -> GradeLevel {
    GradeLevel::Elementary(6)
}
fn yes() -> bool {
    true
}

async fn check_member(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    m: &MemberIn,
) -> ApiResult<()> {
    let mut e: Vec<FieldError> = Vec::new();
    if !ROLES.contains(&m.role.as_str()) {
        e.push(invalid(
            "role",
            "unknown_value",
            "requesting / providing / both のいずれかにしてください",
            "Use requesting, providing or both",
        ));
    }
    let name = m.display_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        e.push(invalid(
            "display_name",
            "required",
            "お名前を100文字以内で入力してください",
            "Enter a name of at most 100 characters",
        ));
    }
    let providing = m.role != "requesting";
    let requesting = m.role != "providing";
    if requesting && m.household_id.is_none() {
        e.push(invalid(
            "household_id",
            "required",
            "依頼会員には世帯を指定してください",
            "A requesting member needs a household",
        ));
    }
    if let Some(h) = m.household_id {
        let found = household::Entity::find_by_id(h)
            .filter(household::Column::MunicipalityId.eq(municipality_id))
            .one(conn)
            .await?;
        if found.is_none() {
            e.push(invalid(
                "household_id",
                "not_found",
                "世帯が見つかりません",
                "No such household",
            ));
        }
    }
    if let Some(p) = m.provider_id {
        let found = provider::Entity::find_by_id(p)
            .filter(provider::Column::MunicipalityId.eq(municipality_id))
            .one(conn)
            .await?;
        if found.is_none() {
            e.push(invalid(
                "provider_id",
                "not_found",
                "提供者が見つかりません",
                "No such provider",
            ));
        }
    }
    if providing {
        if !(0..=1000).contains(&m.training_hours) {
            e.push(invalid(
                "training_hours",
                "out_of_range",
                "講習時間は0〜1000時間で入力してください",
                "Training hours must be 0–1000",
            ));
        }
        if !(0..=14).contains(&m.max_per_week) {
            e.push(invalid(
                "max_per_week",
                "out_of_range",
                "週の活動上限は0〜14回にしてください",
                "The weekly limit must be 0–14",
            ));
        }
        if !(0..=216).contains(&m.accepts_from_months) {
            e.push(invalid(
                "accepts_from_months",
                "out_of_range",
                "受け入れ開始月齢は0〜216か月にしてください",
                "The youngest age must be 0–216 months",
            ));
        }
        if !m.accepts_to_grade.is_valid() {
            e.push(invalid(
                "accepts_to_grade",
                "invalid",
                "学年が正しくありません",
                "Not a school grade",
            ));
        }
        match (m.home_lat, m.home_lon) {
            (Some(lat), Some(lon)) if GeoPoint::new(lat, lon).is_err() => e.push(invalid(
                "home_lat",
                "invalid",
                "緯度・経度が正しくありません",
                "Not a latitude/longitude",
            )),
            (Some(_), None) | (None, Some(_)) => e.push(invalid(
                "home_lon",
                "required",
                "緯度と経度は両方入力してください",
                "Give both latitude and longitude",
            )),
            _ => {}
        }
        let today = hagukumi_domain::calendar::local_date(Utc::now());
        if m.lifesaving_refresher_on.is_some_and(|d| d > today) {
            e.push(invalid(
                "lifesaving_refresher_on",
                "in_future",
                "未来の日付は入力できません",
                "This date is in the future",
            ));
        }
        for (i, w) in m.availability.iter().enumerate() {
            if let Err(err) = RecurringWindow::try_from(w.clone()) {
                e.push(FieldError::new(
                    format!("availability[{i}].rule"),
                    err.code(),
                    err.message(),
                ));
            }
        }
    }
    fail(e)
}

pub async fn list(
    state: &AppState,
    municipality_id: Uuid,
    role: Option<&str>,
) -> ApiResult<Vec<MemberOut>> {
    let mut q =
        fs_member::Entity::find().filter(fs_member::Column::MunicipalityId.eq(municipality_id));
    match role {
        Some("requesting") => {
            q = q.filter(fs_member::Column::Role.is_in(["requesting", "both"]));
        }
        Some("providing") => {
            q = q.filter(fs_member::Column::Role.is_in(["providing", "both"]));
        }
        Some("both") => q = q.filter(fs_member::Column::Role.eq("both")),
        Some(_) => {
            return Err(ApiError::field(
                "role",
                "unknown_value",
                hagukumi_domain::Text::new(
                    "requesting / providing / both のいずれかにしてください",
                    "Use requesting, providing or both",
                ),
            ));
        }
        None => {}
    }
    let rows = q
        .order_by_asc(fs_member::Column::DisplayName)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(MemberOut::from).collect())
}

pub async fn get(state: &AppState, municipality_id: Uuid, id: Uuid) -> ApiResult<fs_member::Model> {
    fs_member::Entity::find_by_id(id)
        .filter(fs_member::Column::MunicipalityId.eq(municipality_id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Registers (`id` none) or changes a member; audited.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: Option<Uuid>,
    m: MemberIn,
) -> ApiResult<MemberOut> {
    let mid = user.municipality_id;
    check_member(&state.db, mid, &m).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let mut am = match id {
        Some(id) => fs_member::Entity::find_by_id(id)
            .filter(fs_member::Column::MunicipalityId.eq(mid))
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound)?
            .into_active_model(),
        None => fs_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(mid),
            created_at: Set(now),
            ..Default::default()
        },
    };
    am.role = Set(m.role.clone());
    am.display_name = Set(m.display_name.trim().to_owned());
    am.household_id = Set(m.household_id);
    am.provider_id = Set(m.provider_id);
    am.training_hours = Set(m.training_hours);
    am.training_completed_on = Set(m.training_completed_on);
    am.lifesaving_refresher_on = Set(m.lifesaving_refresher_on);
    am.sick_child = Set(m.sick_child);
    am.overnight = Set(m.overnight);
    am.accepts_from_months = Set(m.accepts_from_months);
    am.accepts_to_grade = Set(json!(m.accepts_to_grade));
    am.home_lat = Set(m.home_lat);
    am.home_lon = Set(m.home_lon);
    am.max_per_week = Set(m.max_per_week);
    am.availability = Set(json!(m.availability));
    am.active = Set(m.active);
    am.updated_at = Set(now);
    let saved = match id {
        Some(_) => am.update(&txn).await,
        None => am.insert(&txn).await,
    }
    .map_err(|e| unique_violation(e, "household_id"))?;
    audit(
        &txn,
        mid,
        Some(user.id),
        if id.is_some() {
            "fs.member.update"
        } else {
            "fs.member.create"
        },
        "fs_member",
        saved.id,
        json!({ "role": saved.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// A unique index on household or provider means "already a member".
fn unique_violation(e: sea_orm::DbErr, field: &str) -> ApiError {
    let msg = e.to_string().to_ascii_lowercase();
    if msg.contains("unique") || msg.contains("duplicate") {
        ApiError::Validation(vec![invalid(
            field,
            "already_member",
            "すでに会員として登録されています",
            "Already registered as a member",
        )])
    } else {
        e.into()
    }
}

/// The providing member of a signed-in provider, if they are one.
pub async fn member_of_provider_user(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<Option<fs_member::Model>> {
    let Some(p) = provider::Entity::find()
        .filter(provider::Column::UserId.eq(user.id))
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(fs_member::Entity::find()
        .filter(fs_member::Column::ProviderId.eq(p.id))
        .one(conn)
        .await?)
}
