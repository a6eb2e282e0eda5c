//! Family Support requests: a child, a place, a recurring need (RRULE from a first date at a
//! start time for some minutes, until an end date) and the content of help.

use chrono::{NaiveDate, NaiveTime, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::availability::Interval;
use hagukumi_domain::capacity::GeoPoint;
use hagukumi_domain::matching::candidates::{
    FsPolicy, Help, Need, expand_need, need_per_week, special_care_too_old,
};
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
use crate::entities::{child, fs_pair, fs_request, household};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// A request as the coordinator records it (from the phone or the counter).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    pub child_id: Uuid,
    /// Where the help happens, e.g. `つぼみ保育園`.
    pub place_label: String,
    #[serde(default)]
    pub place_lat: Option<f64>,
    #[serde(default)]
    pub place_lon: Option<f64>,
    /// e.g. `FREQ=WEEKLY;BYDAY=TU,TH`.
    pub rule: String,
    pub first_date: NaiveDate,
    /// Local `HH:MM`.
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    /// `escort`, `care`, `sick_child`, `overnight`.
    #[schema(value_type = Vec<String>)]
    pub help: Vec<Help>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestOut {
    pub id: Uuid,
    pub household_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub child_birth_date: Option<NaiveDate>,
    pub place_label: String,
    pub place_lat: Option<f64>,
    pub place_lon: Option<f64>,
    pub rule: String,
    pub first_date: NaiveDate,
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    #[schema(value_type = Vec<String>)]
    pub help: Vec<Help>,
    pub notes: String,
    /// `open`, `proposed`, `paired`, `closed`.
    pub status: String,
    /// How many activities the need gives, and at most how many in one week.
    pub occurrences: usize,
    pub per_week: u32,
    pub created_at: chrono::DateTime<Utc>,
}

pub fn help_of(s: &str) -> Vec<Help> {
    let mut h: Vec<Help> = s.split(',').filter_map(Help::parse).collect();
    h.sort_unstable();
    h.dedup();
    h
}

pub fn help_str(h: &[Help]) -> String {
    let mut h = h.to_vec();
    h.sort_unstable();
    h.dedup();
    h.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",")
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

/// The request's occurrences (the row was validated when saved).
pub fn occurrences_of(r: &fs_request::Model) -> Vec<Interval> {
    let Some(t) = parse_time(&r.start_time) else {
        return vec![];
    };
    expand_need(
        &r.rule,
        r.first_date,
        t,
        u32::try_from(r.minutes).unwrap_or(0),
        r.until,
    )
    .unwrap_or_default()
}

/// The domain's view of a request.
pub fn need_of(r: &fs_request::Model, c: &child::Model) -> Option<Need> {
    let place = match (r.place_lat, r.place_lon) {
        (Some(a), Some(b)) => GeoPoint::new(a, b).ok(),
        _ => None,
    };
    Some(Need {
        child_birth: c.birth_date?,
        place,
        help: help_of(&r.help),
        occurrences: occurrences_of(r),
    })
}

pub fn out(r: fs_request::Model, c: Option<&child::Model>) -> RequestOut {
    let occ = occurrences_of(&r);
    RequestOut {
        id: r.id,
        household_id: r.household_id,
        child_id: r.child_id,
        child_name: c
            .map(|c| format!("{} {}", c.family_name, c.given_name))
            .unwrap_or_default(),
        child_birth_date: c.and_then(|c| c.birth_date),
        place_label: r.place_label,
        place_lat: r.place_lat,
        place_lon: r.place_lon,
        rule: r.rule,
        first_date: r.first_date,
        start_time: r.start_time,
        minutes: r.minutes,
        until: r.until,
        help: help_of(&r.help),
        notes: r.notes,
        status: r.status,
        occurrences: occ.len(),
        per_week: need_per_week(&occ),
        created_at: r.created_at,
    }
}

async fn check(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    r: &RequestIn,
) -> ApiResult<child::Model> {
    let mut e: Vec<FieldError> = Vec::new();
    let c = child::Entity::find_by_id(r.child_id)
        .filter(child::Column::MunicipalityId.eq(municipality_id))
        .one(conn)
        .await?;
    let birth = c.as_ref().and_then(|c| c.birth_date);
    if c.is_none() {
        e.push(invalid(
            "child_id",
            "not_found",
            "お子さんが見つかりません",
            "No such child",
        ));
    } else if birth.is_none() {
        e.push(invalid(
            "child_id",
            "not_born",
            "生まれる前のお子さんは対象外です",
            "The child must be born",
        ));
    }
    if r.place_label.trim().is_empty() || r.place_label.chars().count() > 200 {
        e.push(invalid(
            "place_label",
            "required",
            "活動場所を200文字以内で入力してください",
            "Enter the place (at most 200 characters)",
        ));
    }
    match (r.place_lat, r.place_lon) {
        (Some(a), Some(b)) if GeoPoint::new(a, b).is_err() => e.push(invalid(
            "place_lat",
            "invalid",
            "緯度・経度が正しくありません",
            "Not a latitude/longitude",
        )),
        (Some(_), None) | (None, Some(_)) => e.push(invalid(
            "place_lon",
            "required",
            "緯度と経度は両方入力してください",
            "Give both latitude and longitude",
        )),
        _ => {}
    }
    if r.help.is_empty() {
        e.push(invalid(
            "help",
            "required",
            "援助内容を選んでください",
            "Choose the content of help",
        ));
    }
    if !(30..=24 * 60).contains(&r.minutes) {
        e.push(invalid(
            "minutes",
            "out_of_range",
            "活動時間は30分〜24時間にしてください",
            "The length must be 30 minutes to 24 hours",
        ));
    }
    let start = parse_time(&r.start_time);
    if start.is_none() {
        e.push(invalid(
            "start_time",
            "invalid",
            "開始時刻は HH:MM で入力してください",
            "Give the start time as HH:MM",
        ));
    }
    if r.rule.len() > 500 || r.rule.contains('\n') {
        e.push(invalid(
            "rule",
            "invalid",
            "繰り返しの指定は1行で入力してください",
            "Give the recurrence on one line",
        ));
    }
    if let (Some(t), true) = (start, e.is_empty()) {
        match expand_need(
            &r.rule,
            r.first_date,
            t,
            u32::try_from(r.minutes).unwrap_or(0),
            r.until,
        ) {
            Err(err) => {
                let field = match err {
                    hagukumi_domain::matching::candidates::NeedError::UntilBeforeStart => "until",
                    _ => "rule",
                };
                e.push(FieldError::new(field, err.code(), err.message()));
            }
            Ok(occ) => {
                if let (Some(b), Some(last)) = (birth, occ.last()) {
                    // Family Support: from 2 months until 18; sick-child/overnight to grade 6.
                    let last_day = last.local_start_date();
                    let first_day = occ[0].local_start_date();
                    let young = hagukumi_domain::calendar::age::age_in_months(b, first_day)
                        .is_none_or(|m| m < 2);
                    let old = hagukumi_domain::calendar::age::age_in_years(b, last_day)
                        .is_some_and(|y| y >= 18);
                    if young || old {
                        e.push(invalid(
                            "child_id",
                            "age_out_of_range",
                            "ファミリー・サポートは生後2か月から18歳未満のお子さんが対象です",
                            "Family Support is for children from 2 months to under 18",
                        ));
                    }
                    if special_care_too_old(&r.help, b, last_day, &FsPolicy::default()) {
                        e.push(FieldError::new(
                            "help",
                            "special_care_grade",
                            Text::new(
                                "病児・宿泊を伴う預かりは小学6年生までです",
                                "Sick-child and overnight care are only up to grade 6",
                            ),
                        ));
                    }
                }
            }
        }
    }
    fail(e)?;
    c.ok_or(ApiError::NotFound)
}

pub async fn list(state: &AppState, municipality_id: Uuid) -> ApiResult<Vec<RequestOut>> {
    let rows = fs_request::Entity::find()
        .filter(fs_request::Column::MunicipalityId.eq(municipality_id))
        .order_by_asc(fs_request::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let kids = child::Entity::find()
        .filter(child::Column::MunicipalityId.eq(municipality_id))
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let c = kids.iter().find(|c| c.id == r.child_id);
            out(r, c)
        })
        .collect())
}

pub async fn get(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    id: Uuid,
) -> ApiResult<(fs_request::Model, child::Model)> {
    let r = fs_request::Entity::find_by_id(id)
        .filter(fs_request::Column::MunicipalityId.eq(municipality_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let c = child::Entity::find_by_id(r.child_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((r, c))
}

/// Records a request (`id` none) or changes it. Changing the content of help ends the
/// pairs made for the old content: a pair is for one content of help.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: Option<Uuid>,
    r: RequestIn,
) -> ApiResult<RequestOut> {
    let mid = user.municipality_id;
    let c = check(&state.db, mid, &r).await?;
    let h = household::Entity::find_by_id(c.household_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let help = help_str(&r.help);
    let (mut am, old_help) = match id {
        Some(id) => {
            let row = fs_request::Entity::find_by_id(id)
                .filter(fs_request::Column::MunicipalityId.eq(mid))
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound)?;
            let old = row.help.clone();
            (row.into_active_model(), Some(old))
        }
        None => (
            fs_request::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(mid),
                status: Set("open".to_owned()),
                created_by: Set(Some(user.id)),
                created_at: Set(now),
                ..Default::default()
            },
            None,
        ),
    };
    am.household_id = Set(h.id);
    am.child_id = Set(c.id);
    am.place_label = Set(r.place_label.trim().to_owned());
    am.place_lat = Set(r.place_lat);
    am.place_lon = Set(r.place_lon);
    am.rule = Set(r.rule.trim().to_owned());
    am.first_date = Set(r.first_date);
    am.start_time = Set(r.start_time.trim().to_owned());
    am.minutes = Set(r.minutes);
    am.until = Set(r.until);
    am.help = Set(help.clone());
    am.notes = Set(r.notes);
    am.updated_at = Set(now);
    let help_changed = old_help.as_deref().is_some_and(|o| o != help);
    if help_changed {
        am.status = Set("open".to_owned());
    }
    let saved = match id {
        Some(_) => am.update(&txn).await?,
        None => am.insert(&txn).await?,
    };
    let mut ended = 0u64;
    if help_changed {
        let res = fs_pair::Entity::update_many()
            .col_expr(
                fs_pair::Column::Status,
                sea_orm::sea_query::Expr::value("ended"),
            )
            .col_expr(
                fs_pair::Column::EndedReason,
                sea_orm::sea_query::Expr::value("help_changed"),
            )
            .col_expr(
                fs_pair::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(fs_pair::Column::RequestId.eq(saved.id))
            .filter(fs_pair::Column::Status.ne("ended"))
            .exec(&txn)
            .await?;
        ended = res.rows_affected;
    }
    audit(
        &txn,
        mid,
        Some(user.id),
        if id.is_some() {
            "fs.request.update"
        } else {
            "fs.request.create"
        },
        "fs_request",
        saved.id,
        json!({ "help": help, "pairs_ended": ended }),
    )
    .await?;
    txn.commit().await?;
    Ok(out(saved, Some(&c)))
}
