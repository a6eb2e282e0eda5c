//! Activity reports (活動報告). After an activity the provider files what happened:
//! the actual times, what was done, and the fee the rules give for those times (the
//! requester pays the provider directly, so the fee is what both sign off). The
//! requesting family confirms it. The coordinator reads a monthly summary per pair,
//! with reports due on the 10th of the next month and late ones flagged.
//!
//! Who sees what: a provider their own activities, a family its own household's,
//! staff their municipality's.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use hagukumi_domain::ServiceId;
use hagukumi_domain::availability::local_to_utc;
use hagukumi_domain::calendar::local_date;
use hagukumi_domain::eligibility;
use hagukumi_domain::fees::{self, ChildFee, Period, QuoteRequest};
use hagukumi_domain::matching::reports::{
    self, DEFAULT_DUE_DAY, MonthSummary, ReportLine, ReportState,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{audit, conflict, fail, invalid};
use crate::auth::{CurrentUser, Role};
use crate::entities::{child, fs_activity, fs_activity_report, fs_member, fs_pair, household};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// The longest report text kept.
const CONTENT_MAX: usize = 2000;

/// How far back a provider's page lists activities to report.
const REPORTABLE_DAYS: i64 = 62;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// Local Asia/Tokyo, `2026-11-24T17:05:00`.
    #[schema(value_type = String)]
    pub started_at: NaiveDateTime,
    /// Local Asia/Tokyo.
    #[schema(value_type = String)]
    pub ended_at: NaiveDateTime,
    /// What was done (escort from nursery, care at home, …).
    pub content: String,
}

/// One activity with its report, as the provider, the family and staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityReportOut {
    pub activity_id: Uuid,
    pub pair_id: Uuid,
    pub provider_name: String,
    /// The child's given name (enough for the family and the provider).
    pub child_given_name: String,
    pub booked_start: DateTime<Utc>,
    pub booked_end: DateTime<Utc>,
    /// `missing`, `filed`, `confirmed`.
    #[schema(value_type = String)]
    pub state: ReportState,
    pub report_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub content: Option<String>,
    pub fee_yen: Option<i64>,
    pub filed_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The day the report is due (the 10th of the next month).
    #[schema(value_type = String)]
    pub due_on: NaiveDate,
    pub late: bool,
}

/// One pair's month for the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PairMonthOut {
    pub pair_id: Uuid,
    pub provider_name: String,
    pub child_name: String,
    #[schema(value_type = Object)]
    pub summary: MonthSummary,
    pub activities: Vec<ActivityReportOut>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MonthOut {
    /// `2026-11`.
    pub month: String,
    #[schema(value_type = String)]
    pub due_on: NaiveDate,
    #[schema(value_type = Object)]
    pub total: MonthSummary,
    pub pairs: Vec<PairMonthOut>,
}

fn day_of(a: &fs_activity::Model) -> NaiveDate {
    local_date(a.starts_at)
}

fn out(
    a: &fs_activity::Model,
    r: Option<&fs_activity_report::Model>,
    provider_name: &str,
    child_given_name: &str,
    today: NaiveDate,
) -> ActivityReportOut {
    let state = match r.map(|r| r.status.as_str()) {
        None => ReportState::Missing,
        Some("confirmed") => ReportState::Confirmed,
        Some(_) => ReportState::Filed,
    };
    let day = day_of(a);
    ActivityReportOut {
        activity_id: a.id,
        pair_id: a.pair_id,
        provider_name: provider_name.to_owned(),
        child_given_name: child_given_name.to_owned(),
        booked_start: a.starts_at,
        booked_end: a.ends_at,
        state,
        report_id: r.map(|r| r.id),
        started_at: r.map(|r| r.started_at),
        ended_at: r.map(|r| r.ended_at),
        content: r.map(|r| r.content.clone()),
        fee_yen: r.map(|r| r.fee_yen),
        filed_at: r.map(|r| r.filed_at),
        confirmed_at: r.and_then(|r| r.confirmed_at),
        due_on: reports::due_date(day, DEFAULT_DUE_DAY),
        late: reports::is_late(
            day,
            r.map(|r| local_date(r.filed_at)),
            today,
            DEFAULT_DUE_DAY,
        ),
    }
}

/// Names of the pairs' providers and children, read once per list.
struct Names {
    providers: HashMap<Uuid, String>,
    children: HashMap<Uuid, (String, String)>,
}

impl Names {
    async fn load(conn: &impl ConnectionTrait, pairs: &[fs_pair::Model]) -> ApiResult<Names> {
        let members: Vec<Uuid> = pairs.iter().map(|p| p.member_id).collect();
        let kids: Vec<Uuid> = pairs.iter().map(|p| p.child_id).collect();
        let providers = fs_member::Entity::find()
            .filter(fs_member::Column::Id.is_in(members))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m.display_name))
            .collect();
        let children = child::Entity::find()
            .filter(child::Column::Id.is_in(kids))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, (c.family_name, c.given_name)))
            .collect();
        Ok(Names {
            providers,
            children,
        })
    }

    fn provider(&self, p: &fs_pair::Model) -> &str {
        self.providers.get(&p.member_id).map_or("", String::as_str)
    }

    fn given(&self, p: &fs_pair::Model) -> &str {
        self.children
            .get(&p.child_id)
            .map_or("", |(_, g)| g.as_str())
    }

    fn full(&self, p: &fs_pair::Model) -> String {
        self.children
            .get(&p.child_id)
            .map(|(f, g)| format!("{f} {g}"))
            .unwrap_or_default()
    }
}

async fn reports_of(
    conn: &impl ConnectionTrait,
    activities: &[fs_activity::Model],
) -> ApiResult<HashMap<Uuid, fs_activity_report::Model>> {
    let ids: Vec<Uuid> = activities.iter().map(|a| a.id).collect();
    Ok(fs_activity_report::Entity::find()
        .filter(fs_activity_report::Column::ActivityId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.activity_id, r))
        .collect())
}

/// The pairs whose activities the caller may see.
async fn visible_pairs(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<Vec<fs_pair::Model>> {
    let mut q =
        fs_pair::Entity::find().filter(fs_pair::Column::MunicipalityId.eq(user.municipality_id));
    match user.role {
        Role::Coordinator | Role::Admin => {}
        Role::Provider => {
            let Some(m) = super::members::member_of_provider_user(conn, user).await? else {
                return Ok(vec![]);
            };
            q = q.filter(fs_pair::Column::MemberId.eq(m.id));
        }
        Role::Parent => {
            let Some(h) = household::Entity::find()
                .filter(household::Column::UserId.eq(user.id))
                .filter(household::Column::MunicipalityId.eq(user.municipality_id))
                .one(conn)
                .await?
            else {
                return Ok(vec![]);
            };
            q = q.filter(fs_pair::Column::HouseholdId.eq(h.id));
        }
    }
    Ok(q.all(conn).await?)
}

/// The caller's activities that have ended in the last two months, newest first,
/// each with its report (or the lack of one).
pub async fn list(state: &AppState, user: &CurrentUser) -> ApiResult<Vec<ActivityReportOut>> {
    let db = &state.db;
    let pairs = visible_pairs(db, user).await?;
    if pairs.is_empty() {
        return Ok(vec![]);
    }
    let now = Utc::now();
    let acts = fs_activity::Entity::find()
        .filter(fs_activity::Column::PairId.is_in(pairs.iter().map(|p| p.id)))
        .filter(fs_activity::Column::Status.eq("booked"))
        .filter(fs_activity::Column::EndsAt.lte(now))
        .filter(fs_activity::Column::StartsAt.gte(now - chrono::Duration::days(REPORTABLE_DAYS)))
        .order_by_desc(fs_activity::Column::StartsAt)
        .all(db)
        .await?;
    let reps = reports_of(db, &acts).await?;
    let names = Names::load(db, &pairs).await?;
    let by_id: HashMap<Uuid, &fs_pair::Model> = pairs.iter().map(|p| (p.id, p)).collect();
    let today = local_date(now);
    Ok(acts
        .iter()
        .filter_map(|a| {
            let p = by_id.get(&a.pair_id)?;
            Some(out(
                a,
                reps.get(&a.id),
                names.provider(p),
                names.given(p),
                today,
            ))
        })
        // A family sees a report once it is filed; it has nothing to do before.
        .filter(|o| user.role != Role::Parent || o.state != ReportState::Missing)
        .collect())
}

/// Files (or corrects, until the family confirmed it) the report of an activity
/// the signed-in provider held. The fee is computed from the reported times by the
/// municipality's Family Support rules.
pub async fn file(
    state: &AppState,
    user: &CurrentUser,
    activity_id: Uuid,
    input: ReportIn,
) -> ApiResult<ActivityReportOut> {
    let content = input.content.trim().to_owned();
    let mut e: Vec<FieldError> = Vec::new();
    if content.is_empty() {
        e.push(invalid(
            "content",
            "required",
            "活動の内容を書いてください",
            "Describe what was done",
        ));
    } else if content.chars().count() > CONTENT_MAX {
        e.push(invalid(
            "content",
            "too_long",
            "活動の内容は2000文字以内にしてください",
            "At most 2000 characters",
        ));
    }
    fail(e)?;
    let Some(member) = super::members::member_of_provider_user(&state.db, user).await? else {
        return Err(ApiError::NotFound);
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let a = fs_activity::Entity::find_by_id(activity_id)
        .filter(fs_activity::Column::MunicipalityId.eq(user.municipality_id))
        .filter(fs_activity::Column::MemberId.eq(member.id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if a.status != "booked" {
        return Err(conflict(
            "取り消された活動は報告できません",
            "A cancelled activity cannot be reported",
        ));
    }
    let now = Utc::now();
    let local = hagukumi_domain::availability::utc_to_local;
    hagukumi_domain::matching::reports::check_times(
        (local(a.starts_at), local(a.ends_at)),
        (input.started_at, input.ended_at),
        local(now),
    )
    .map_err(|p| ApiError::field(p.field, p.code, p.message))?;
    let pair = fs_pair::Entity::find_by_id(a.pair_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let existing = fs_activity_report::Entity::find()
        .filter(fs_activity_report::Column::ActivityId.eq(a.id))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|r| r.status == "confirmed") {
        return Err(conflict(
            "ご家庭が確認済みの報告は変更できません。センターにご連絡ください",
            "The family has confirmed this report; ask the center to change it",
        ));
    }
    let quote = fee_for(&txn, user.municipality_id, &pair, &input).await?;
    let started_at = local_to_utc(input.started_at);
    let ended_at = local_to_utc(input.ended_at);
    let saved = match existing {
        Some(r) => {
            let mut am = r.into_active_model();
            am.started_at = Set(started_at);
            am.ended_at = Set(ended_at);
            am.content = Set(content);
            am.fee_yen = Set(quote.total_yen);
            am.quote = Set(serde_json::to_value(&quote).unwrap_or_default());
            am.filed_at = Set(now);
            am.filed_by = Set(user.id);
            am.update(&txn).await?
        }
        None => {
            fs_activity_report::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(user.municipality_id),
                activity_id: Set(a.id),
                pair_id: Set(pair.id),
                member_id: Set(member.id),
                household_id: Set(pair.household_id),
                started_at: Set(started_at),
                ended_at: Set(ended_at),
                content: Set(content),
                fee_yen: Set(quote.total_yen),
                quote: Set(serde_json::to_value(&quote).unwrap_or_default()),
                status: Set("filed".to_owned()),
                filed_at: Set(now),
                filed_by: Set(user.id),
                confirmed_at: Set(None),
                confirmed_by: Set(None),
            }
            .insert(&txn)
            .await?
        }
    };
    audit(
        &txn,
        user.municipality_id,
        Some(user.id),
        "fs.report.file",
        "fs_activity_report",
        saved.id,
        json!({"activity_id": a.id, "pair_id": pair.id, "fee_yen": saved.fee_yen}),
    )
    .await?;
    txn.commit().await?;
    let given = child::Entity::find_by_id(pair.child_id)
        .one(&state.db)
        .await?
        .map(|c| c.given_name)
        .unwrap_or_default();
    Ok(out(
        &a,
        Some(&saved),
        &member.display_name,
        &given,
        local_date(now),
    ))
}

/// The fee for the reported times: Family Support's rules for the pair's child and
/// household, without coupons (the family pays the provider directly).
async fn fee_for(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    pair: &fs_pair::Model,
    input: &ReportIn,
) -> ApiResult<fees::Quote> {
    let all = crate::rules::load(conn, municipality_id).await?;
    let kid = child::Entity::find_by_id(pair.child_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let birth = kid.birth_date.ok_or(ApiError::NotFound)?;
    let h = household::Entity::find_by_id(pair.household_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let req = QuoteRequest {
        service: ServiceId::FamilySupport,
        period: Period::Hours {
            start: input.started_at,
            end: input.ended_at,
        },
        children: vec![ChildFee {
            birth_date: birth,
            coupon_balance_yen: 0,
        }],
        household: eligibility::Household {
            single_parent: h.single_parent,
            single_parent_since: h.single_parent_since,
            public_assistance: h.public_assistance,
            tax_exempt: h.tax_exempt,
            multiple_birth: h.multiple_birth,
        },
        forfeit_coupon_change: false,
    };
    fees::quote(&all, &req).map_err(|e| ApiError::field("started_at", "no_fee", e.message()))
}

/// The family confirms a filed report of its own household.
pub async fn confirm(
    state: &AppState,
    user: &CurrentUser,
    report_id: Uuid,
) -> ApiResult<ActivityReportOut> {
    if user.role != Role::Parent {
        return Err(ApiError::Forbidden);
    }
    let h = household::Entity::find()
        .filter(household::Column::UserId.eq(user.id))
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let r = fs_activity_report::Entity::find_by_id(report_id)
        .filter(fs_activity_report::Column::HouseholdId.eq(h.id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if r.status == "confirmed" {
        return Err(conflict("確認済みです", "Already confirmed"));
    }
    let now = Utc::now();
    let mut am = r.into_active_model();
    am.status = Set("confirmed".to_owned());
    am.confirmed_at = Set(Some(now));
    am.confirmed_by = Set(Some(user.id));
    let saved = am.update(&txn).await?;
    audit(
        &txn,
        user.municipality_id,
        Some(user.id),
        "fs.report.confirm",
        "fs_activity_report",
        saved.id,
        json!({"activity_id": saved.activity_id}),
    )
    .await?;
    let a = fs_activity::Entity::find_by_id(saved.activity_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pair = fs_pair::Entity::find_by_id(saved.pair_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    let names = Names::load(&state.db, std::slice::from_ref(&pair)).await?;
    Ok(out(
        &a,
        Some(&saved),
        names.provider(&pair),
        names.given(&pair),
        local_date(now),
    ))
}

/// Parses `2026-11` into the month's first and last local days.
pub fn month_range(month: &str) -> ApiResult<(NaiveDate, NaiveDate)> {
    let bad = || {
        ApiError::field(
            "month",
            "invalid",
            hagukumi_domain::Text::new(
                "月は 2026-11 の形で指定してください",
                "Give the month as 2026-11",
            ),
        )
    };
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((first, next.pred_opt().unwrap_or(first)))
}

/// The coordinator's monthly summary: every pair with activities in `month`, its
/// reports filed, confirmed, missing and late, hours and fees.
pub async fn month(state: &AppState, user: &CurrentUser, month: &str) -> ApiResult<MonthOut> {
    let (first, last) = month_range(month)?;
    let db = &state.db;
    let from = local_to_utc(first.and_hms_opt(0, 0, 0).unwrap_or_default());
    let to = local_to_utc(
        last.succ_opt()
            .unwrap_or(last)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );
    let acts = fs_activity::Entity::find()
        .filter(fs_activity::Column::MunicipalityId.eq(user.municipality_id))
        .filter(fs_activity::Column::Status.eq("booked"))
        .filter(fs_activity::Column::StartsAt.gte(from))
        .filter(fs_activity::Column::StartsAt.lt(to))
        .order_by_asc(fs_activity::Column::StartsAt)
        .all(db)
        .await?;
    let reps = reports_of(db, &acts).await?;
    let pair_ids: Vec<Uuid> = acts.iter().map(|a| a.pair_id).collect();
    let pairs = fs_pair::Entity::find()
        .filter(fs_pair::Column::Id.is_in(pair_ids))
        .all(db)
        .await?;
    let names = Names::load(db, &pairs).await?;
    let today = local_date(Utc::now());
    let mut grouped: BTreeMap<Uuid, Vec<&fs_activity::Model>> = BTreeMap::new();
    for a in &acts {
        grouped.entry(a.pair_id).or_default().push(a);
    }
    let mut all_lines = Vec::new();
    let mut out_pairs = Vec::new();
    for p in &pairs {
        let Some(list) = grouped.get(&p.id) else {
            continue;
        };
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        for a in list {
            let r = reps.get(&a.id);
            let o = out(a, r, names.provider(p), names.given(p), today);
            lines.push(ReportLine {
                activity_day: day_of(a),
                state: o.state,
                filed_on: r.map(|r| local_date(r.filed_at)),
                minutes: r.map_or(0, |r| (r.ended_at - r.started_at).num_minutes()),
                fee_yen: r.map_or(0, |r| r.fee_yen),
            });
            rows.push(o);
        }
        all_lines.extend(lines.iter().copied());
        out_pairs.push(PairMonthOut {
            pair_id: p.id,
            provider_name: names.provider(p).to_owned(),
            child_name: names.full(p),
            summary: reports::summarise(&lines, today, DEFAULT_DUE_DAY),
            activities: rows,
        });
    }
    // Pairs with late reports first, then by provider.
    out_pairs.sort_by(|a, b| {
        b.summary
            .late
            .cmp(&a.summary.late)
            .then_with(|| a.provider_name.cmp(&b.provider_name))
    });
    Ok(MonthOut {
        month: month.to_owned(),
        due_on: reports::due_date(first, DEFAULT_DUE_DAY),
        total: reports::summarise(&all_lines, today, DEFAULT_DUE_DAY),
        pairs: out_pairs,
    })
}
