//! Plans as transactions. Each write locks what it decides on (the visitor's days, as
//! bookings lock a resource's days), checks the domain rules, writes, audits (ids and
//! codes only) and enqueues its mail in the same transaction.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use hagukumi_domain::availability::{Interval, local_date, local_to_utc};
use hagukumi_domain::capacity::{GeoPoint, Occupancy};
use hagukumi_domain::home_start::{
    self as hs, Action, PlanError, PlanLimits, PlanStatus, VisitKind, VisitorFacts,
};
use hagukumi_domain::{ServiceId, Text};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{CurrentUser, Role};
use crate::booking::locks::LockSet;
use crate::db::begin_write;
use crate::entities::{child, home_start_plan, home_start_visit, household, provider};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::mail::templates::{Audience, HomeStartChange, HomeStartInfo, HomeStartVisitLine};
use crate::mail::{self, MailEvent, Recipient};
use crate::state::AppState;

// ---- Shapes of the API ---------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    pub household_id: Uuid,
    /// Weekly visits in the plan (the rules allow 4–6 in Kiyose).
    pub visit_count: i64,
    /// Where the family lives (for the visitor's travel buffer); optional.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitAtIn {
    /// Local Asia/Tokyo start, `2027-01-13T10:00:00`.
    #[schema(value_type = String)]
    pub starts_at: NaiveDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    pub visitor_id: Uuid,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesIn {
    /// A bounded RRULE, e.g. `FREQ=WEEKLY;COUNT=5`.
    pub rrule: String,
    /// The first visit, local Asia/Tokyo.
    #[schema(value_type = String)]
    pub first_start: NaiveDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CancelIn {
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitOut {
    pub id: Uuid,
    /// `assessment`, `weekly` or `review`.
    pub kind: String,
    pub kind_label_ja: String,
    pub kind_label_en: String,
    pub visitor_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub day: NaiveDate,
    /// Always true: the parent is present at every visit.
    pub parent_present: bool,
    /// `scheduled` or `cancelled`.
    pub status: String,
    pub sequence: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanOut {
    pub id: Uuid,
    pub household_id: Uuid,
    /// `assessment`, `active`, `closed`, `cancelled`.
    pub status: String,
    pub visit_count: i32,
    pub visitor_id: Option<Uuid>,
    pub visitor_name: Option<String>,
    pub weekly_rrule: Option<String>,
    pub area: String,
    pub family_label: String,
    pub notes: String,
    pub cancel_reason: Option<String>,
    /// What every visit of the plan says.
    pub parent_present_ja: String,
    pub parent_present_en: String,
    pub visits: Vec<VisitOut>,
    pub created_at: DateTime<Utc>,
}

/// One proposed occurrence and whether it fits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OccurrenceOut {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub fits: bool,
    pub code: Option<String>,
    pub message_ja: Option<String>,
    pub message_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeriesPreview {
    pub occurrences: Vec<OccurrenceOut>,
    pub all_fit: bool,
}

/// A visitor and whether they may be assigned to the plan now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitorOut {
    pub id: Uuid,
    pub name: String,
    pub eligible: bool,
    pub code: Option<String>,
    pub message_ja: Option<String>,
    pub message_en: Option<String>,
}

// ---- Helpers -------------------------------------------------------------------------

fn plan_error(e: PlanError) -> ApiError {
    if e.code == "wrong_state" {
        ApiError::Conflict(e.message)
    } else {
        ApiError::Validation(vec![FieldError::new(e.field, e.code, e.message)])
    }
}

fn status_of(p: &home_start_plan::Model) -> PlanStatus {
    PlanStatus::parse(&p.status).unwrap_or(PlanStatus::Cancelled)
}

pub fn provider_key(provider: Uuid) -> String {
    format!("provider:{provider}")
}

async fn limits(
    conn: &impl ConnectionTrait,
    municipality: Uuid,
    on: NaiveDate,
) -> ApiResult<(PlanLimits, hagukumi_domain::rules::ServiceRules)> {
    let rules = crate::rules::load(conn, municipality).await?;
    let r = rules
        .rules_for(ServiceId::HomeVisitor, on)
        .cloned()
        .ok_or_else(|| {
            ApiError::Conflict(Text::new(
                "この自治体にはホームビジター事業の規則がありません",
                "This municipality has no home-visitor rules",
            ))
        })?;
    Ok((PlanLimits::from_rules(&r), r))
}

/// The home-visitor plan limits of a municipality on a day.
pub async fn plan_limits(
    conn: &impl ConnectionTrait,
    municipality: Uuid,
    on: NaiveDate,
) -> ApiResult<PlanLimits> {
    Ok(limits(conn, municipality, on).await?.0)
}

fn family_label(family_name: Option<&str>) -> String {
    match family_name.and_then(|n| n.chars().next()) {
        Some(c) => format!("{c}様"),
        None => "ご家庭".into(),
    }
}

fn location(p: &home_start_plan::Model) -> Option<GeoPoint> {
    GeoPoint::new(p.lat?, p.lon?).ok()
}

fn occupancy(p: &home_start_plan::Model, iv: Interval) -> Occupancy {
    let o = Occupancy::new(iv);
    match location(p) {
        Some(g) => o.with_location(g),
        None => o,
    }
}

fn visit_out(v: home_start_visit::Model) -> VisitOut {
    let kind = VisitKind::parse(&v.kind)
        .unwrap_or(VisitKind::Weekly)
        .label();
    VisitOut {
        id: v.id,
        kind: v.kind,
        kind_label_ja: kind.ja,
        kind_label_en: kind.en,
        visitor_id: v.visitor_id,
        starts_at: v.starts_at,
        ends_at: v.ends_at,
        day: v.day,
        parent_present: v.parent_present,
        status: v.status,
        sequence: v.sequence,
    }
}

async fn visits_of_plan(
    conn: &impl ConnectionTrait,
    plan: Uuid,
) -> Result<Vec<home_start_visit::Model>, sea_orm::DbErr> {
    home_start_visit::Entity::find()
        .filter(home_start_visit::Column::PlanId.eq(plan))
        .order_by_asc(home_start_visit::Column::StartsAt)
        .all(conn)
        .await
}

pub async fn plan_out(
    conn: &impl ConnectionTrait,
    p: home_start_plan::Model,
) -> ApiResult<PlanOut> {
    let visitor_name = match p.visitor_id {
        Some(v) => provider::Entity::find_by_id(v)
            .one(conn)
            .await?
            .map(|v| v.display_name),
        None => None,
    };
    let visits = visits_of_plan(conn, p.id)
        .await?
        .into_iter()
        .map(visit_out)
        .collect();
    let present = hs::parent_present();
    Ok(PlanOut {
        id: p.id,
        household_id: p.household_id,
        status: p.status,
        visit_count: p.visit_count,
        visitor_id: p.visitor_id,
        visitor_name,
        weekly_rrule: p.weekly_rrule,
        area: p.area,
        family_label: p.family_label,
        notes: p.notes,
        cancel_reason: p.cancel_reason,
        parent_present_ja: present.ja,
        parent_present_en: present.en,
        visits,
        created_at: p.created_at,
    })
}

/// The plan if the caller may see it: staff of its municipality, the family itself, or
/// its visitor.
pub async fn plan_for(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    id: Uuid,
    lock: bool,
) -> ApiResult<home_start_plan::Model> {
    let mut q = home_start_plan::Entity::find_by_id(id)
        .filter(home_start_plan::Column::MunicipalityId.eq(user.municipality_id));
    if lock && conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let p = q.one(conn).await?.ok_or(ApiError::NotFound)?;
    let allowed = match user.role {
        Role::Coordinator | Role::Admin => true,
        Role::Parent => my_household(conn, user)
            .await?
            .is_some_and(|h| h == p.household_id),
        Role::Provider => match crate::dispatch::service::me_as_provider(conn, user).await {
            Ok(me) => p.visitor_id == Some(me.id),
            Err(_) => false,
        },
    };
    if allowed {
        Ok(p)
    } else {
        Err(ApiError::NotFound)
    }
}

async fn my_household(conn: &impl ConnectionTrait, user: &CurrentUser) -> ApiResult<Option<Uuid>> {
    Ok(household::Entity::find()
        .filter(household::Column::UserId.eq(user.id))
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(conn)
        .await?
        .map(|h| h.id))
}

/// The plans the caller may see, newest first.
pub async fn list(conn: &impl ConnectionTrait, user: &CurrentUser) -> ApiResult<Vec<PlanOut>> {
    let mut q = home_start_plan::Entity::find()
        .filter(home_start_plan::Column::MunicipalityId.eq(user.municipality_id));
    match user.role {
        Role::Coordinator | Role::Admin => {}
        Role::Parent => {
            let Some(h) = my_household(conn, user).await? else {
                return Ok(vec![]);
            };
            q = q.filter(home_start_plan::Column::HouseholdId.eq(h));
        }
        Role::Provider => {
            let Ok(me) = crate::dispatch::service::me_as_provider(conn, user).await else {
                return Ok(vec![]);
            };
            q = q.filter(home_start_plan::Column::VisitorId.eq(me.id));
        }
    }
    let rows = q
        .order_by_desc(home_start_plan::Column::CreatedAt)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(plan_out(conn, p).await?);
    }
    Ok(out)
}

/// The visitor's other scheduled visits (all plans but `except`) between two days.
async fn busy_of(
    conn: &impl ConnectionTrait,
    visitor: Uuid,
    except: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<Occupancy>> {
    let rows = home_start_visit::Entity::find()
        .filter(home_start_visit::Column::VisitorId.eq(visitor))
        .filter(home_start_visit::Column::Status.eq("scheduled"))
        .filter(home_start_visit::Column::PlanId.ne(except))
        .filter(home_start_visit::Column::Day.gte(from))
        .filter(home_start_visit::Column::Day.lte(to))
        .all(conn)
        .await?;
    let mut out = vec![];
    for v in rows {
        let Ok(iv) = Interval::new(v.starts_at, v.ends_at) else {
            continue;
        };
        let plan = home_start_plan::Entity::find_by_id(v.plan_id)
            .one(conn)
            .await?;
        out.push(match plan.as_ref().and_then(location) {
            Some(g) => Occupancy::new(iv).with_location(g),
            None => Occupancy::new(iv),
        });
    }
    Ok(out)
}

/// The days around `ivs` (a day either side, for the travel buffer across midnight).
fn span_days(ivs: &[Interval]) -> (NaiveDate, NaiveDate) {
    let today = local_date(Utc::now());
    let from = ivs
        .iter()
        .map(|i| local_date(i.start()))
        .min()
        .unwrap_or(today);
    let to = ivs
        .iter()
        .map(|i| local_date(i.end()))
        .max()
        .unwrap_or(today);
    (from.pred_opt().unwrap_or(from), to.succ_opt().unwrap_or(to))
}

async fn lock_visitor_days(
    txn: &DatabaseTransaction,
    visitor: Uuid,
    ivs: &[Interval],
) -> ApiResult<()> {
    let key = provider_key(visitor);
    let mut locks = LockSet::new();
    for iv in ivs {
        locks.days(&key, iv);
    }
    locks.acquire(txn).await?;
    Ok(())
}

fn visitor_facts(v: &provider::Model, municipality: Uuid) -> VisitorFacts {
    VisitorFacts {
        kind: v.kind.clone(),
        trained_on: v.profile["trained"]
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok()),
        same_municipality: v.municipality_id == municipality,
    }
}

async fn audit_plan(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    action: &str,
    plan: Uuid,
    details: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        conn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action,
            entity: "home_start_plan",
            entity_id: plan.to_string(),
            details,
        },
    )
    .await?;
    Ok(())
}

// ---- Mail -----------------------------------------------------------------------------

fn line(v: &home_start_visit::Model) -> HomeStartVisitLine {
    HomeStartVisitLine {
        visit_id: v.id,
        kind: VisitKind::parse(&v.kind)
            .unwrap_or(VisitKind::Weekly)
            .label(),
        starts_at: v.starts_at,
        ends_at: v.ends_at,
        sequence: v.sequence,
        cancelled: v.status == "cancelled",
    }
}

fn info(
    p: &home_start_plan::Model,
    visitor_name: Option<String>,
    visits: &[&home_start_visit::Model],
) -> HomeStartInfo {
    HomeStartInfo {
        plan_id: p.id,
        reference: format!("HS-{}", &p.id.simple().to_string()[..8]),
        family_label: p.family_label.clone(),
        area: p.area.clone(),
        visitor_name,
        visits: visits.iter().map(|v| line(v)).collect(),
    }
}

/// Mails the family (all visits of the plan as they stand, and `extra` cancelled ones).
async fn mail_parent(
    txn: &DatabaseTransaction,
    state: &AppState,
    p: &home_start_plan::Model,
    change: HomeStartChange,
    extra: &[home_start_visit::Model],
) -> ApiResult<()> {
    let Some(h) = household::Entity::find_by_id(p.household_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let Some(user) = h.user_id else {
        return Ok(());
    };
    let visitor_name = match p.visitor_id {
        Some(v) => provider::Entity::find_by_id(v)
            .one(txn)
            .await?
            .map(|v| v.display_name),
        None => None,
    };
    // A cancellation shows just the visits it cancels; anything else the plan's visits
    // as they now stand, with the ones it replaced (cancelled in the calendar).
    let all = visits_of_plan(txn, p.id).await?;
    let mut shown: Vec<&home_start_visit::Model> = if change == HomeStartChange::Cancelled {
        vec![]
    } else {
        all.iter().filter(|v| v.status == "scheduled").collect()
    };
    shown.extend(extra.iter());
    shown.sort_by_key(|v| v.starts_at);
    mail::enqueue(
        txn,
        &state.settings,
        Recipient::User(user),
        MailEvent::HomeStartVisits {
            plan: info(p, visitor_name, &shown),
            change,
            audience: Audience::Parent,
        },
    )
    .await?;
    Ok(())
}

/// Mails a visitor (if they have an account) their visits in this plan.
async fn mail_visitor(
    txn: &DatabaseTransaction,
    state: &AppState,
    p: &home_start_plan::Model,
    visitor: Uuid,
    change: HomeStartChange,
    visits: &[home_start_visit::Model],
) -> ApiResult<()> {
    let Some(v) = provider::Entity::find_by_id(visitor).one(txn).await? else {
        return Ok(());
    };
    let Some(user) = v.user_id else {
        return Ok(());
    };
    let shown: Vec<&home_start_visit::Model> = visits.iter().collect();
    mail::enqueue(
        txn,
        &state.settings,
        Recipient::User(user),
        MailEvent::HomeStartVisits {
            plan: info(p, Some(v.display_name.clone()), &shown),
            change,
            audience: Audience::Provider,
        },
    )
    .await?;
    Ok(())
}

async fn weekly_of(
    conn: &impl ConnectionTrait,
    plan: Uuid,
) -> Result<Vec<home_start_visit::Model>, sea_orm::DbErr> {
    Ok(visits_of_plan(conn, plan)
        .await?
        .into_iter()
        .filter(|v| v.kind == "weekly" && v.status == "scheduled")
        .collect())
}

// ---- Writes ---------------------------------------------------------------------------

pub async fn create(state: &AppState, user: &CurrentUser, input: PlanIn) -> ApiResult<PlanOut> {
    let today = local_date(Utc::now());
    let (limits, _) = limits(&state.db, user.municipality_id, today).await?;
    let mut errors = vec![];
    if let Err(e) = limits.check_count(input.visit_count) {
        errors.push(FieldError::new(e.field, e.code, e.message));
    }
    match (input.lat, input.lon) {
        (None, None) => {}
        (Some(lat), Some(lon)) if GeoPoint::new(lat, lon).is_ok() => {}
        _ => errors.push(FieldError::new(
            "lat",
            "invalid",
            Text::new("位置が正しくありません", "Not a valid position"),
        )),
    }
    if input.notes.chars().count() > 1000 {
        errors.push(FieldError::new(
            "notes",
            "too_long",
            Text::new(
                "メモは1000文字以内です",
                "Notes are at most 1000 characters",
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let txn = begin_write(&state.db).await?;
    // One open plan per household: two coordinators creating at once queue here.
    LockSet::new()
        .household(input.household_id)
        .acquire(&txn)
        .await?;
    let h = household::Entity::find_by_id(input.household_id)
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "household_id",
                "not_found",
                Text::new("世帯が見つかりません", "No such household"),
            )
        })?;
    let open = home_start_plan::Entity::find()
        .filter(home_start_plan::Column::HouseholdId.eq(h.id))
        .filter(home_start_plan::Column::Status.is_in(["assessment", "active"]))
        .one(&txn)
        .await?;
    if open.is_some() {
        return Err(ApiError::Conflict(Text::new(
            "この世帯にはすでに進行中のホームスタート計画があります",
            "This household already has an open Home-Start plan",
        )));
    }
    let first_child = child::Entity::find()
        .filter(child::Column::HouseholdId.eq(h.id))
        .one(&txn)
        .await?;
    let now = Utc::now();
    let saved = home_start_plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(user.municipality_id),
        household_id: Set(h.id),
        status: Set(PlanStatus::Assessment.as_str().to_owned()),
        visit_count: Set(input.visit_count as i32),
        visitor_id: Set(None),
        weekly_rrule: Set(None),
        area: Set(h.area.clone().unwrap_or_default()),
        lat: Set(input.lat),
        lon: Set(input.lon),
        family_label: Set(family_label(
            first_child.as_ref().map(|c| c.family_name.as_str()),
        )),
        notes: Set(input.notes.trim().to_owned()),
        cancel_reason: Set(None),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit_plan(
        &txn,
        user,
        "home_start.plan_create",
        saved.id,
        json!({ "household": h.id, "visit_count": input.visit_count }),
    )
    .await?;
    txn.commit().await?;
    plan_out(&state.db, saved).await
}

/// The organiser's visit (assessment or review): within the service's hours, one per
/// plan (a new time replaces the old one).
async fn organiser_visit(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    kind: VisitKind,
    at: VisitAtIn,
) -> ApiResult<PlanOut> {
    let txn = begin_write(&state.db).await?;
    let p = plan_for(&txn, user, id, true).await?;
    let action = match kind {
        VisitKind::Review => Action::ScheduleReview,
        _ => Action::ScheduleAssessment,
    };
    hs::check_action(status_of(&p), action).map_err(plan_error)?;
    let (limits, rules) = limits(
        &txn,
        user.municipality_id,
        local_date(local_to_utc(at.starts_at)),
    )
    .await?;
    let start = local_to_utc(at.starts_at);
    let iv = Interval::starting_at(start, Duration::minutes(i64::from(limits.visit_minutes)))
        .map_err(|_| {
            ApiError::field(
                "starts_at",
                "invalid",
                Text::new("日時が正しくありません", "Not a valid time"),
            )
        })?;
    let now = Utc::now();
    if start < now {
        return Err(ApiError::field(
            "starts_at",
            "in_past",
            Text::new("過去の日時は指定できません", "That time has passed"),
        ));
    }
    if let Err(c) = hs::within_hours(&rules, &iv) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "starts_at",
            "closed",
            c.message,
        )]));
    }
    if kind == VisitKind::Review {
        let weekly = weekly_of(&txn, p.id).await?;
        if weekly.is_empty() {
            return Err(ApiError::Conflict(Text::new(
                "週1回の訪問を先に予定してください",
                "Schedule the weekly visits first",
            )));
        }
        if weekly.iter().any(|w| w.ends_at > start) {
            return Err(ApiError::field(
                "starts_at",
                "before_last_visit",
                Text::new(
                    "振り返り訪問は最後の訪問の後にしてください",
                    "The review comes after the last weekly visit",
                ),
            ));
        }
    }
    if kind == VisitKind::Assessment
        && let Some(first) = weekly_of(&txn, p.id).await?.first()
        && first.starts_at < iv.end()
    {
        return Err(ApiError::field(
            "starts_at",
            "after_first_visit",
            Text::new(
                "アセスメント訪問は最初の訪問より前にしてください",
                "The assessment comes before the first weekly visit",
            ),
        ));
    }
    let existing = visits_of_plan(&txn, p.id)
        .await?
        .into_iter()
        .find(|v| v.kind == kind.as_str() && v.status == "scheduled");
    let changed = existing.is_some();
    match existing {
        Some(v) => {
            let seq = v.sequence;
            let mut am = v.into_active_model();
            am.starts_at = Set(iv.start());
            am.ends_at = Set(iv.end());
            am.day = Set(local_date(iv.start()));
            am.sequence = Set(seq + 1);
            am.updated_at = Set(now);
            am.update(&txn).await?;
        }
        None => {
            insert_visit(&txn, &p, kind, None, iv, now).await?;
        }
    }
    let mut pam = p.clone().into_active_model();
    pam.updated_at = Set(now);
    let p = pam.update(&txn).await?;
    mail_parent(
        &txn,
        state,
        &p,
        if changed {
            HomeStartChange::Changed
        } else {
            HomeStartChange::Scheduled
        },
        &[],
    )
    .await?;
    audit_plan(
        &txn,
        user,
        match kind {
            VisitKind::Review => "home_start.review_schedule",
            _ => "home_start.assessment_schedule",
        },
        p.id,
        json!({ "starts_at": iv.start(), "changed": changed }),
    )
    .await?;
    txn.commit().await?;
    plan_out(&state.db, p).await
}

async fn insert_visit(
    txn: &DatabaseTransaction,
    p: &home_start_plan::Model,
    kind: VisitKind,
    visitor: Option<Uuid>,
    iv: Interval,
    now: DateTime<Utc>,
) -> ApiResult<home_start_visit::Model> {
    Ok(home_start_visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(p.id),
        municipality_id: Set(p.municipality_id),
        kind: Set(kind.as_str().to_owned()),
        visitor_id: Set(visitor),
        starts_at: Set(iv.start()),
        ends_at: Set(iv.end()),
        day: Set(local_date(iv.start())),
        parent_present: Set(true),
        status: Set("scheduled".to_owned()),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?)
}

pub async fn schedule_assessment(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    at: VisitAtIn,
) -> ApiResult<PlanOut> {
    organiser_visit(state, user, id, VisitKind::Assessment, at).await
}

pub async fn schedule_review(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    at: VisitAtIn,
) -> ApiResult<PlanOut> {
    organiser_visit(state, user, id, VisitKind::Review, at).await
}

/// Every home visitor of the municipality (and any named one elsewhere is refused),
/// each with whether they may take this plan's scheduled weekly visits.
pub async fn visitors(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> ApiResult<Vec<VisitorOut>> {
    let p = plan_for(&state.db, user, id, false).await?;
    let rows = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .filter(provider::Column::Kind.eq("home_visitor"))
        .order_by_asc(provider::Column::DisplayName)
        .all(&state.db)
        .await?;
    let weekly = weekly_of(&state.db, p.id).await?;
    let ivs: Vec<Interval> = weekly
        .iter()
        .filter_map(|v| Interval::new(v.starts_at, v.ends_at).ok())
        .collect();
    let occ: Vec<Occupancy> = ivs.iter().map(|iv| occupancy(&p, *iv)).collect();
    let (from, to) = span_days(&ivs);
    let now = Utc::now();
    let mut out = vec![];
    for v in rows {
        let busy = if ivs.is_empty() {
            vec![]
        } else {
            busy_of(&state.db, v.id, p.id, from, to).await?
        };
        let verdict = hs::check_visitor(
            &visitor_facts(&v, p.municipality_id),
            &occ,
            &busy,
            local_date(now),
            now,
        );
        out.push(VisitorOut {
            id: v.id,
            name: v.display_name,
            eligible: verdict.is_ok(),
            code: verdict.as_ref().err().map(|e| e.code.to_owned()),
            message_ja: verdict.as_ref().err().map(|e| e.message.ja.clone()),
            message_en: verdict.as_ref().err().map(|e| e.message.en.clone()),
        });
    }
    Ok(out)
}

/// Assigns (or replaces) the visitor: a trained home visitor of the municipality, free
/// at the weekly visits already scheduled (which move to them). The plan becomes active.
pub async fn assign(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    a: AssignIn,
) -> ApiResult<PlanOut> {
    let txn = begin_write(&state.db).await?;
    let p = plan_for(&txn, user, id, true).await?;
    hs::check_action(status_of(&p), Action::AssignVisitor).map_err(plan_error)?;
    let v = provider::Entity::find_by_id(a.visitor_id)
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "visitor_id",
                "not_found",
                Text::new("ビジターが見つかりません", "No such visitor"),
            )
        })?;
    if p.visitor_id == Some(v.id) {
        return Err(ApiError::Conflict(Text::new(
            "このビジターはすでに担当です",
            "This visitor is already assigned",
        )));
    }
    let weekly = weekly_of(&txn, p.id).await?;
    let ivs: Vec<Interval> = weekly
        .iter()
        .filter_map(|w| Interval::new(w.starts_at, w.ends_at).ok())
        .collect();
    lock_visitor_days(&txn, v.id, &ivs).await?;
    let (from, to) = span_days(&ivs);
    let busy = if ivs.is_empty() {
        vec![]
    } else {
        busy_of(&txn, v.id, p.id, from, to).await?
    };
    let occ: Vec<Occupancy> = ivs.iter().map(|iv| occupancy(&p, *iv)).collect();
    let now = Utc::now();
    hs::check_visitor(
        &visitor_facts(&v, p.municipality_id),
        &occ,
        &busy,
        local_date(now),
        now,
    )
    .map_err(|e| ApiError::Validation(vec![FieldError::new("visitor_id", e.code, e.message)]))?;
    let previous = p.visitor_id;
    let mut moved = vec![];
    for w in weekly {
        let seq = w.sequence;
        let mut am = w.into_active_model();
        am.visitor_id = Set(Some(v.id));
        am.sequence = Set(seq + 1);
        am.updated_at = Set(now);
        moved.push(am.update(&txn).await?);
    }
    let mut pam = p.clone().into_active_model();
    pam.visitor_id = Set(Some(v.id));
    pam.status = Set(PlanStatus::Active.as_str().to_owned());
    pam.updated_at = Set(now);
    let p = pam.update(&txn).await?;
    if let Some(old) = previous {
        let gone: Vec<home_start_visit::Model> = moved
            .iter()
            .map(|m| home_start_visit::Model {
                status: "cancelled".into(),
                ..m.clone()
            })
            .collect();
        mail_visitor(&txn, state, &p, old, HomeStartChange::Unassigned, &gone).await?;
    }
    mail_visitor(&txn, state, &p, v.id, HomeStartChange::Assigned, &moved).await?;
    if !moved.is_empty() {
        mail_parent(&txn, state, &p, HomeStartChange::Changed, &[]).await?;
    }
    audit_plan(
        &txn,
        user,
        "home_start.visitor_assign",
        p.id,
        json!({ "visitor": v.id, "previous": previous, "moved": moved.len() }),
    )
    .await?;
    txn.commit().await?;
    plan_out(&state.db, p).await
}

/// The weekly occurrences of `s` for the plan, each with its fit (nothing written).
async fn expand(
    conn: &impl ConnectionTrait,
    p: &home_start_plan::Model,
    s: &SeriesIn,
) -> ApiResult<(Vec<Interval>, SeriesPreview)> {
    let (limits, rules) = limits(conn, p.municipality_id, s.first_start.date()).await?;
    if s.rrule.len() > 500 {
        return Err(ApiError::field(
            "rrule",
            "too_long",
            Text::new("規則が長すぎます", "The rule is too long"),
        ));
    }
    let count = u32::try_from(p.visit_count).unwrap_or(0);
    let ivs = hs::weekly_series(s.rrule.trim(), s.first_start, limits.visit_minutes, count)
        .map_err(plan_error)?;
    let Some(visitor) = p.visitor_id else {
        return Err(ApiError::Conflict(Text::new(
            "先にビジターを決めてください",
            "Assign a visitor first",
        )));
    };
    let (from, to) = span_days(&ivs);
    let busy = busy_of(conn, visitor, p.id, from, to).await?;
    let occ: Vec<Occupancy> = ivs.iter().map(|iv| occupancy(p, *iv)).collect();
    let mut verdicts = hs::series_fit(&rules, &occ, &busy, Utc::now());
    // The visits sit between the assessment and the review.
    let organiser = visits_of_plan(conn, p.id).await?;
    for (iv, verdict) in ivs.iter().zip(verdicts.iter_mut()) {
        if verdict.is_err() {
            continue;
        }
        for o in &organiser {
            if o.status != "scheduled" || o.kind == "weekly" {
                continue;
            }
            let wrong = (o.kind == "assessment" && iv.start() < o.ends_at)
                || (o.kind == "review" && iv.end() > o.starts_at);
            if wrong {
                *verdict = Err(hagukumi_domain::capacity::Conflict::new(
                    hagukumi_domain::capacity::ConflictCode::Closed,
                    Text::new(
                        "訪問はアセスメント訪問の後、振り返り訪問の前に行います",
                        "Visits come after the assessment and before the review",
                    ),
                )
                .during(*iv));
            }
        }
    }
    let occurrences: Vec<OccurrenceOut> = ivs
        .iter()
        .zip(&verdicts)
        .map(|(iv, v)| OccurrenceOut {
            starts_at: iv.start(),
            ends_at: iv.end(),
            fits: v.is_ok(),
            code: v.as_ref().err().map(|c| {
                serde_json::to_value(c.code)
                    .ok()
                    .and_then(|j| j.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            message_ja: v.as_ref().err().map(|c| c.message.ja.clone()),
            message_en: v.as_ref().err().map(|c| c.message.en.clone()),
        })
        .collect();
    let all_fit = occurrences.iter().all(|o| o.fits);
    Ok((
        ivs,
        SeriesPreview {
            occurrences,
            all_fit,
        },
    ))
}

pub async fn preview(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    s: SeriesIn,
) -> ApiResult<SeriesPreview> {
    let p = plan_for(&state.db, user, id, false).await?;
    hs::check_action(status_of(&p), Action::ScheduleVisits).map_err(plan_error)?;
    Ok(expand(&state.db, &p, &s).await?.1)
}

/// Schedules (or re-schedules) the weekly visits: every occurrence must fit; the
/// visitor's days are locked first, so two plans never give one visitor overlapping
/// visits. Replaced visits are cancelled; the family and the visitor are mailed.
pub async fn schedule_visits(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    s: SeriesIn,
) -> ApiResult<PlanOut> {
    let txn = begin_write(&state.db).await?;
    let p = plan_for(&txn, user, id, true).await?;
    hs::check_action(status_of(&p), Action::ScheduleVisits).map_err(plan_error)?;
    let visitor = p.visitor_id.ok_or_else(|| {
        ApiError::Conflict(Text::new(
            "先にビジターを決めてください",
            "Assign a visitor first",
        ))
    })?;
    // Lock from the rule's own occurrences before reading the visitor's other visits.
    let (limits, _) = limits(&txn, p.municipality_id, s.first_start.date()).await?;
    let probe = hs::weekly_series(
        s.rrule.trim(),
        s.first_start,
        limits.visit_minutes,
        u32::try_from(p.visit_count).unwrap_or(0),
    )
    .map_err(plan_error)?;
    lock_visitor_days(&txn, visitor, &probe).await?;
    let (ivs, report) = expand(&txn, &p, &s).await?;
    if let Some(bad) = report.occurrences.iter().find(|o| !o.fits) {
        return Err(ApiError::Conflict(Text::new(
            format!(
                "合わない回があります：{}",
                bad.message_ja.clone().unwrap_or_default()
            ),
            format!(
                "An occurrence does not fit: {}",
                bad.message_en.clone().unwrap_or_default()
            ),
        )));
    }
    let now = Utc::now();
    let old = weekly_of(&txn, p.id).await?;
    let replaced = !old.is_empty();
    let mut cancelled = vec![];
    for o in old {
        let seq = o.sequence;
        let mut am = o.into_active_model();
        am.status = Set("cancelled".to_owned());
        am.sequence = Set(seq + 1);
        am.updated_at = Set(now);
        cancelled.push(am.update(&txn).await?);
    }
    let mut created = vec![];
    for iv in &ivs {
        created.push(insert_visit(&txn, &p, VisitKind::Weekly, Some(visitor), *iv, now).await?);
    }
    let mut pam = p.clone().into_active_model();
    pam.weekly_rrule = Set(Some(s.rrule.trim().to_owned()));
    pam.updated_at = Set(now);
    let p = pam.update(&txn).await?;
    let change = if replaced {
        HomeStartChange::Changed
    } else {
        HomeStartChange::Scheduled
    };
    mail_parent(&txn, state, &p, change, &cancelled).await?;
    let mut visitor_view = cancelled.clone();
    visitor_view.extend(created.iter().cloned());
    mail_visitor(
        &txn,
        state,
        &p,
        visitor,
        HomeStartChange::Changed,
        &visitor_view,
    )
    .await?;
    audit_plan(
        &txn,
        user,
        "home_start.visits_schedule",
        p.id,
        json!({
            "rrule": s.rrule.trim(),
            "visits": created.iter().map(|v| v.id).collect::<Vec<_>>(),
            "cancelled": cancelled.iter().map(|v| v.id).collect::<Vec<_>>(),
        }),
    )
    .await?;
    txn.commit().await?;
    plan_out(&state.db, p).await
}

/// Closes the plan after its review visit.
pub async fn close(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<PlanOut> {
    let txn = begin_write(&state.db).await?;
    let p = plan_for(&txn, user, id, true).await?;
    hs::check_action(status_of(&p), Action::Close).map_err(plan_error)?;
    let has_review = visits_of_plan(&txn, p.id)
        .await?
        .iter()
        .any(|v| v.kind == "review" && v.status == "scheduled");
    if !has_review {
        return Err(ApiError::Conflict(Text::new(
            "振り返り訪問を予定してから終了してください",
            "Schedule the closing review before closing the plan",
        )));
    }
    let mut pam = p.into_active_model();
    pam.status = Set(PlanStatus::Closed.as_str().to_owned());
    pam.updated_at = Set(Utc::now());
    let p = pam.update(&txn).await?;
    audit_plan(&txn, user, "home_start.plan_close", p.id, json!({})).await?;
    txn.commit().await?;
    plan_out(&state.db, p).await
}

/// Cancels the plan and every visit still to come; the family and visitor are told.
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    c: CancelIn,
) -> ApiResult<PlanOut> {
    if c.reason.chars().count() > 500 {
        return Err(ApiError::field(
            "reason",
            "too_long",
            Text::new(
                "理由は500文字以内です",
                "The reason is at most 500 characters",
            ),
        ));
    }
    let txn = begin_write(&state.db).await?;
    let p = plan_for(&txn, user, id, true).await?;
    hs::check_action(status_of(&p), Action::Cancel).map_err(plan_error)?;
    let now = Utc::now();
    let mut cancelled = vec![];
    for v in visits_of_plan(&txn, p.id).await? {
        if v.status != "scheduled" || v.starts_at < now {
            continue;
        }
        let seq = v.sequence;
        let mut am = v.into_active_model();
        am.status = Set("cancelled".to_owned());
        am.sequence = Set(seq + 1);
        am.updated_at = Set(now);
        cancelled.push(am.update(&txn).await?);
    }
    let mut pam = p.into_active_model();
    pam.status = Set(PlanStatus::Cancelled.as_str().to_owned());
    pam.cancel_reason = Set(Some(c.reason.trim().to_owned()).filter(|r| !r.is_empty()));
    pam.updated_at = Set(now);
    let p = pam.update(&txn).await?;
    mail_parent(&txn, state, &p, HomeStartChange::Cancelled, &cancelled).await?;
    if let Some(v) = p.visitor_id {
        let theirs: Vec<home_start_visit::Model> = cancelled
            .iter()
            .filter(|x| x.visitor_id == Some(v))
            .cloned()
            .collect();
        mail_visitor(&txn, state, &p, v, HomeStartChange::Cancelled, &theirs).await?;
    }
    audit_plan(
        &txn,
        user,
        "home_start.plan_cancel",
        p.id,
        json!({ "cancelled_visits": cancelled.iter().map(|v| v.id).collect::<Vec<_>>() }),
    )
    .await?;
    txn.commit().await?;
    plan_out(&state.db, p).await
}

/// A visitor's scheduled visits between two days (their schedule page and feed).
pub async fn visits_of_visitor(
    conn: &impl ConnectionTrait,
    visitor: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(home_start_visit::Model, home_start_plan::Model)>, sea_orm::DbErr> {
    let rows = home_start_visit::Entity::find()
        .filter(home_start_visit::Column::VisitorId.eq(visitor))
        .filter(home_start_visit::Column::Status.eq("scheduled"))
        .filter(home_start_visit::Column::Day.gte(from))
        .filter(home_start_visit::Column::Day.lte(to))
        .order_by_asc(home_start_visit::Column::StartsAt)
        .all(conn)
        .await?;
    let mut out = vec![];
    for v in rows {
        if let Some(p) = home_start_plan::Entity::find_by_id(v.plan_id)
            .one(conn)
            .await?
        {
            out.push((v, p));
        }
    }
    Ok(out)
}
