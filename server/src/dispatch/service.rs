//! Dispatch as transactions: enter an approved visit, plan a day, pin, take a sick call,
//! and the helper's answer to a proposal. Each is one write transaction that also writes
//! its audit record (ids only) and, for a sick call, the mail to everyone affected.

use chrono::{NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::dispatch::{self, Budget, Plan, Settings, replan, solve, validate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guard::{self, Span};
use super::problem::{self, DEFAULT_SPEED_M_PER_MIN, Day, LoadOptions};
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db::begin_write;
use crate::entities::{
    child, helper_absence, helper_visit, helper_visit_decline, household, provider,
};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// The helper programmes whose visits are dispatched.
pub const PROGRAMMES: [&str; 2] = ["single-parent-home-help", "childrearing-support-helper"];

/// Iterations when the caller names none: enough for a city's day (tens of visits) in
/// well under a second, and the same answer every time (fixed seed).
pub const DEFAULT_ITERATIONS: u64 = 3_000;
pub const MAX_ITERATIONS: u64 = 50_000;

/// How to run the solver.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlanOptions {
    /// Solver iterations (default 3000, at most 50000); fixed seed, so deterministic.
    pub iterations: Option<u64>,
    /// Travel speed in straight-line metres per minute (default 200).
    pub speed_m_per_min: Option<f64>,
}

impl PlanOptions {
    fn check(&self) -> ApiResult<(u64, f64)> {
        let iterations = self.iterations.unwrap_or(DEFAULT_ITERATIONS);
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(ApiError::field(
                "iterations",
                "out_of_range",
                Text::new(
                    "反復回数は1〜50000で指定してください",
                    "Iterations must be between 1 and 50000",
                ),
            ));
        }
        let speed = self.speed_m_per_min.unwrap_or(DEFAULT_SPEED_M_PER_MIN);
        if !(speed.is_finite() && (10.0..=2_000.0).contains(&speed)) {
            return Err(ApiError::field(
                "speed_m_per_min",
                "out_of_range",
                Text::new(
                    "移動速度は毎分10〜2000メートルで指定してください",
                    "Speed must be between 10 and 2000 metres per minute",
                ),
            ));
        }
        Ok((iterations, speed))
    }
}

/// One visit whose helper or time changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    pub visit_id: Uuid,
    pub from_helper: Option<Uuid>,
    pub to_helper: Option<Uuid>,
    /// Only the planned start moved.
    pub time_only: bool,
}

/// What a plan run or a sick call did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outcome {
    pub day: NaiveDate,
    pub assigned: usize,
    pub unassigned: Vec<Uuid>,
    pub changes: Vec<Change>,
    /// Helpers and families whose day changed (ids), for the coordinator's follow-up.
    pub affected_helpers: Vec<Uuid>,
    pub affected_households: Vec<Uuid>,
    /// Straight-line travel in metres over all routes.
    pub travel_metres: f64,
}

fn settings(speed_seed: u64) -> Settings {
    Settings {
        seed: speed_seed,
        ..Settings::default()
    }
}

async fn load_for_write(
    txn: &DatabaseTransaction,
    user: &CurrentUser,
    day: NaiveDate,
    speed: f64,
) -> ApiResult<Day> {
    Ok(problem::load(
        txn,
        user.municipality_id,
        day,
        &LoadOptions {
            speed_m_per_min: speed,
            lock: true,
        },
    )
    .await?)
}

fn internal(e: impl std::fmt::Debug) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("dispatch: {e:?}"))
}

/// Writes `plan` over the stored assignments of `day`; returns what changed.
async fn apply(txn: &DatabaseTransaction, day: &Day, plan: &Plan) -> ApiResult<(Vec<Change>, f64)> {
    // Never store a plan the independent checker rejects.
    let report = validate(&day.problem, plan).map_err(internal)?;
    let mut start: Vec<Option<i32>> = vec![None; day.visits.len()];
    for &(_, v, _, s) in &report.schedule {
        start[v] = Some((s - 1e-6).ceil() as i32);
    }
    let now = Utc::now();
    let mut changes = vec![];
    for (i, v) in day.visits.iter().enumerate() {
        let to = plan.vehicle_of(i).map(|k| day.helpers[k].row.id);
        let from = v.assigned_provider_id;
        if to == from && start[i] == v.planned_start_min {
            continue;
        }
        changes.push(Change {
            visit_id: v.id,
            from_helper: from,
            to_helper: to,
            time_only: to == from,
        });
        let mut m = v.clone().into_active_model();
        if to != from {
            m.assigned_provider_id = Set(to);
            m.assignment_status = Set(if to.is_some() {
                "proposed"
            } else {
                "unassigned"
            }
            .into());
            if to.is_none() {
                m.pinned = Set(false);
            }
        }
        m.planned_start_min = Set(start[i]);
        m.sequence = Set(v.sequence + 1);
        m.updated_at = Set(now);
        m.update(txn).await?;
    }
    Ok((changes, report.distance))
}

fn outcome(day: &Day, plan: &Plan, changes: Vec<Change>, travel: f64) -> Outcome {
    let mut helpers: Vec<Uuid> = changes
        .iter()
        .flat_map(|c| [c.from_helper, c.to_helper])
        .flatten()
        .collect();
    helpers.sort();
    helpers.dedup();
    let mut households: Vec<Uuid> = changes
        .iter()
        .filter(|c| !c.time_only)
        .filter_map(|c| day.visits.iter().find(|v| v.id == c.visit_id))
        .map(|v| v.household_id)
        .collect();
    households.sort();
    households.dedup();
    Outcome {
        day: day.day,
        assigned: plan.routes.iter().map(Vec::len).sum(),
        unassigned: plan.unassigned.iter().map(|&i| day.visits[i].id).collect(),
        changes,
        affected_helpers: helpers,
        affected_households: households,
        travel_metres: travel,
    }
}

/// Plans `day` from scratch, keeping pinned and accepted assignments (hard pins).
pub async fn plan_day(
    state: &AppState,
    user: &CurrentUser,
    day: NaiveDate,
    opts: PlanOptions,
) -> ApiResult<Outcome> {
    let (iterations, speed) = opts.check()?;
    let txn = begin_write(&state.db).await?;
    guard::lock_all_helpers(&txn, user.municipality_id, day).await?;
    let d = load_for_write(&txn, user, day, speed).await?;
    let plan = solve(&d.problem, &settings(1), Budget::Iterations(iterations)).map_err(internal)?;
    let (changes, travel) = apply(&txn, &d, &plan).await?;
    let out = outcome(&d, &plan, changes, travel);
    super::notify::helpers_of_changes(&txn, state, &d, &out.changes).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: "dispatch.plan",
            entity: "dispatch_day",
            entity_id: day.to_string(),
            details: json!({
                "iterations": iterations,
                "assigned": out.assigned,
                "unassigned": out.unassigned,
                "changed": out.changes.iter().map(|c| c.visit_id).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// A helper called in sick (or goes on leave) for `day`: their visits go to others with
/// the fewest changes (everyone else's route stays as it is), and everyone affected is
/// told.
pub async fn helper_unavailable(
    state: &AppState,
    user: &CurrentUser,
    helper: Uuid,
    day: NaiveDate,
    kind: &str,
) -> ApiResult<Outcome> {
    if !matches!(kind, "sickness" | "leave") {
        return Err(ApiError::field(
            "kind",
            "invalid",
            Text::new("種別は sickness か leave です", "Kind is sickness or leave"),
        ));
    }
    let txn = begin_write(&state.db).await?;
    guard::lock_all_helpers(&txn, user.municipality_id, day).await?;
    let mut d = load_for_write(&txn, user, day, DEFAULT_SPEED_M_PER_MIN).await?;
    let k = d.helper_index(helper).ok_or(ApiError::NotFound)?;
    // The sick helper's own pins and acceptances no longer hold.
    for v in &mut d.problem.visits {
        if v.pinned_vehicle == Some(k) {
            v.pinned_vehicle = None;
        }
    }
    let previous = d.stored_plan();
    let plan = match replan(&d.problem, &previous, k) {
        Ok(p) => p,
        // The stored plan no longer holds (hours or skills were edited since): keep every
        // other assignment as a hard pin and plan the rest.
        Err(dispatch::ReplanError::InvalidPrevious(_)) => {
            let mut p = d.problem.clone();
            p.vehicles[k].available = false;
            for (r, route) in previous.routes.iter().enumerate() {
                if r != k {
                    for &i in route {
                        p.visits[i].pinned_vehicle = Some(r);
                    }
                }
            }
            solve(&p, &settings(1), Budget::Iterations(DEFAULT_ITERATIONS)).map_err(internal)?
        }
        Err(e) => return Err(internal(e)),
    };
    helper_absence::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(user.municipality_id),
        provider_id: Set(helper),
        date_from: Set(day),
        date_to: Set(day),
        kind: Set(kind.to_owned()),
        created_by: Set(Some(user.id)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let (changes, travel) = apply(&txn, &d, &plan).await?;
    let out = outcome(&d, &plan, changes, travel);
    super::notify::sick_call(&txn, state, &d, &out.changes).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: "dispatch.helper_unavailable",
            entity: "provider",
            entity_id: helper.to_string(),
            details: json!({
                "day": day,
                "kind": kind,
                "changed": out.changes.iter().map(|c| c.visit_id).collect::<Vec<_>>(),
                "unassigned": out.unassigned,
                "affected_helpers": out.affected_helpers,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

async fn visit_in_town(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    id: Uuid,
    lock: bool,
) -> ApiResult<helper_visit::Model> {
    let mut q = helper_visit::Entity::find_by_id(id)
        .filter(helper_visit::Column::MunicipalityId.eq(user.municipality_id));
    if lock && conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(conn).await?.ok_or(ApiError::NotFound)
}

async fn helper_in_town(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    id: Uuid,
) -> ApiResult<provider::Model> {
    provider::Entity::find_by_id(id)
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .filter(provider::Column::Kind.eq("helper"))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The coordinator fixes `visit` to `helper` (or releases it with `None`); the next plan
/// run keeps it there. Skills are checked here, hours when the day is planned. The pin is
/// refused (409) when the helper already has a pinned or accepted visit it cannot be
/// sequenced with; proposals of the plan that clash are released for re-planning. Both
/// checks run under the helper-day lock ([`guard`]), so racing pins cannot both commit.
pub async fn pin(
    state: &AppState,
    user: &CurrentUser,
    visit: Uuid,
    helper: Option<Uuid>,
) -> ApiResult<helper_visit::Model> {
    let txn = begin_write(&state.db).await?;
    // The day first (it never changes), so the helper-day lock comes before any row lock.
    let day = visit_in_town(&txn, user, visit, false).await?.day;
    if let Some(h) = helper {
        guard::lock_helpers(&txn, [h], day).await?;
    }
    let v = visit_in_town(&txn, user, visit, true).await?;
    if v.status != "approved" {
        return Err(ApiError::Conflict(Text::new(
            "この訪問は取り消されています",
            "This visit has been cancelled",
        )));
    }
    let mut released = vec![];
    if let Some(h) = helper {
        let p = helper_in_town(&txn, user, h).await?;
        let needs = problem::skills_of(&v.required_skills);
        let has = problem::skills_of(&p.profile["skills"]);
        if let Some(missing) = needs.iter().find(|s| !has.contains(s)) {
            return Err(ApiError::field(
                "helper_id",
                "missing_skill",
                Text::new(
                    format!("このヘルパーには必要なスキル（{missing}）がありません"),
                    format!("This helper lacks a required skill ({missing})"),
                ),
            ));
        }
        let mine = Span::flexible(&v);
        let others = helper_visit::Entity::find()
            .filter(helper_visit::Column::AssignedProviderId.eq(h))
            .filter(helper_visit::Column::Day.eq(v.day))
            .filter(helper_visit::Column::Status.eq("approved"))
            .filter(helper_visit::Column::Id.ne(v.id))
            .all(&txn)
            .await?;
        for o in others {
            if mine.compatible(&Span::of(&o)) {
                continue;
            }
            if o.pinned || o.assignment_status == "accepted" {
                txn.rollback().await?;
                return Err(ApiError::Conflict(Text::new(
                    format!(
                        "このヘルパーはこの時間に別の訪問（{}〜）が確定しています",
                        super::schedule::hhmm(o.planned_start_min.unwrap_or(o.window_start_min))
                    ),
                    format!(
                        "This helper already has a fixed visit at that time (from {})",
                        super::schedule::hhmm(o.planned_start_min.unwrap_or(o.window_start_min))
                    ),
                )));
            }
            released.push(o);
        }
    }
    let now = Utc::now();
    for o in &released {
        let mut m = o.clone().into_active_model();
        m.assigned_provider_id = Set(None);
        m.assignment_status = Set("unassigned".into());
        m.planned_start_min = Set(None);
        m.sequence = Set(o.sequence + 1);
        m.updated_at = Set(now);
        m.update(&txn).await?;
        super::notify::helper_cancelled(&txn, state, o).await?;
    }
    let mut m = v.clone().into_active_model();
    m.pinned = Set(helper.is_some());
    let moved = helper.is_some_and(|h| v.assigned_provider_id != Some(h));
    if let Some(h) = helper
        && moved
    {
        m.assigned_provider_id = Set(Some(h));
        m.assignment_status = Set("proposed".into());
        m.sequence = Set(v.sequence + 1);
    }
    m.updated_at = Set(now);
    let saved = m.update(&txn).await?;
    if moved {
        super::notify::helper_cancelled(&txn, state, &v).await?;
        super::notify::helper_assigned(&txn, state, &saved).await?;
    }
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: if helper.is_some() {
                "dispatch.pin"
            } else {
                "dispatch.unpin"
            },
            entity: "helper_visit",
            entity_id: visit.to_string(),
            details: json!({
                "helper": helper,
                "released": released.iter().map(|o| o.id).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// An approved visit as the coordinator enters it (or a booking hands it over).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitIn {
    pub service: String,
    pub household_id: Uuid,
    pub day: NaiveDate,
    /// Earliest and latest start, `HH:MM` local time.
    pub earliest_start: String,
    pub latest_start: String,
    pub duration_minutes: i32,
    #[serde(default)]
    pub required_skills: Vec<String>,
    #[serde(default)]
    pub preferred_helper_id: Option<Uuid>,
    #[serde(default)]
    pub booking_id: Option<Uuid>,
    /// Where the family lives (for travel times); the area is what others see.
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub notes: String,
}

fn minutes(field: &str, s: &str, errors: &mut Vec<FieldError>) -> i32 {
    match chrono::NaiveTime::parse_from_str(s, "%H:%M") {
        Ok(t) => {
            use chrono::Timelike;
            (t.hour() * 60 + t.minute()) as i32
        }
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "invalid",
                Text::new("時刻は HH:MM で入力してください", "Use HH:MM for times"),
            ));
            0
        }
    }
}

/// What the helper sees of the family: the family name's first character, never a
/// child's given name.
fn family_label(family_name: Option<&str>) -> String {
    match family_name.and_then(|n| n.chars().next()) {
        Some(c) => format!("{c}様"),
        None => "ご家庭".into(),
    }
}

/// Checks an entered visit against the dispatcher's limits; writes nothing. Returns the
/// start window in minutes after local midnight.
pub fn check_visit(v: &VisitIn) -> ApiResult<(i32, i32)> {
    let mut errors = vec![];
    if !PROGRAMMES.contains(&v.service.as_str()) {
        errors.push(FieldError::new(
            "service",
            "not_dispatched",
            Text::new("ヘルパー派遣の事業ではありません", "Not a helper programme"),
        ));
    }
    let from = minutes("earliest_start", &v.earliest_start, &mut errors);
    let to = minutes("latest_start", &v.latest_start, &mut errors);
    if errors.is_empty() && from > to {
        errors.push(FieldError::new(
            "latest_start",
            "before_earliest",
            Text::new(
                "開始時刻の幅が逆です",
                "The latest start is before the earliest",
            ),
        ));
    }
    if !(1..=12 * 60).contains(&v.duration_minutes) {
        errors.push(FieldError::new(
            "duration_minutes",
            "out_of_range",
            Text::new(
                "時間は1分〜12時間で入力してください",
                "Duration must be 1 minute to 12 hours",
            ),
        ));
    }
    if !(v.lat.is_finite() && v.lon.is_finite() && v.lat.abs() <= 90.0 && v.lon.abs() <= 180.0) {
        errors.push(FieldError::new(
            "lat",
            "invalid",
            Text::new("位置が正しくありません", "Not a valid position"),
        ));
    }
    if v.notes.chars().count() > 1000 {
        errors.push(FieldError::new(
            "notes",
            "too_long",
            Text::new(
                "メモは1000文字以内です",
                "Notes are at most 1000 characters",
            ),
        ));
    }
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Stores a checked visit of household `h` on `txn` (the caller's transaction) with its
/// audit record; unassigned, for the dispatcher to plan.
pub async fn insert_visit(
    txn: &DatabaseTransaction,
    actor: Option<Uuid>,
    v: &VisitIn,
    (from, to): (i32, i32),
    h: &household::Model,
) -> ApiResult<helper_visit::Model> {
    let first_child = child::Entity::find()
        .filter(child::Column::HouseholdId.eq(h.id))
        .one(txn)
        .await?;
    let now = Utc::now();
    let saved = helper_visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(h.municipality_id),
        service_key: Set(v.service.clone()),
        household_id: Set(h.id),
        booking_id: Set(v.booking_id),
        day: Set(v.day),
        window_start_min: Set(from),
        window_end_min: Set(to),
        duration_min: Set(v.duration_minutes),
        required_skills: Set(json!(v.required_skills)),
        preferred_provider_id: Set(v.preferred_helper_id),
        status: Set("approved".into()),
        assigned_provider_id: Set(None),
        assignment_status: Set("unassigned".into()),
        planned_start_min: Set(None),
        pinned: Set(false),
        sequence: Set(0),
        area: Set(h.area.clone().unwrap_or_default()),
        lat: Set(v.lat),
        lon: Set(v.lon),
        family_label: Set(family_label(
            first_child.as_ref().map(|c| c.family_name.as_str()),
        )),
        notes: Set(v.notes.trim().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        AuditEntry {
            municipality_id: Some(h.municipality_id),
            actor,
            action: "dispatch.visit_create",
            entity: "helper_visit",
            entity_id: saved.id.to_string(),
            details: json!({
                "service": v.service,
                "household": h.id,
                "day": v.day,
                "booking": v.booking_id,
            }),
        },
    )
    .await?;
    Ok(saved)
}

pub async fn create_visit(
    state: &AppState,
    user: &CurrentUser,
    v: VisitIn,
) -> ApiResult<helper_visit::Model> {
    let window = check_visit(&v)?;
    let txn = begin_write(&state.db).await?;
    let h = household::Entity::find_by_id(v.household_id)
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
    if let Some(p) = v.preferred_helper_id {
        helper_in_town(&txn, user, p).await.map_err(|_| {
            ApiError::field(
                "preferred_helper_id",
                "not_found",
                Text::new("ヘルパーが見つかりません", "No such helper"),
            )
        })?;
    }
    let saved = insert_visit(&txn, Some(user.id), &v, window, &h).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The provider row of the signed-in person.
pub async fn me_as_provider(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<provider::Model> {
    provider::Entity::find()
        .filter(provider::Column::UserId.eq(user.id))
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The helper answers a proposal. Accepting makes it firm (re-plans keep it); declining
/// sends it back to the coordinator and it is never proposed to them again.
pub async fn respond(
    state: &AppState,
    user: &CurrentUser,
    visit: Uuid,
    accept: bool,
) -> ApiResult<helper_visit::Model> {
    let txn = begin_write(&state.db).await?;
    let me = me_as_provider(&txn, user).await?;
    let v = visit_in_town(&txn, user, visit, true).await?;
    if v.assigned_provider_id != Some(me.id) {
        return Err(ApiError::NotFound);
    }
    if v.assignment_status != "proposed" || v.status != "approved" {
        return Err(ApiError::Conflict(Text::new(
            "この依頼にはもう回答済みです",
            "This proposal has already been answered",
        )));
    }
    let now = Utc::now();
    let mut m = v.clone().into_active_model();
    if accept {
        m.assignment_status = Set("accepted".into());
    } else {
        m.assignment_status = Set("unassigned".into());
        m.assigned_provider_id = Set(None);
        m.planned_start_min = Set(None);
        m.pinned = Set(false);
        m.sequence = Set(v.sequence + 1);
        helper_visit_decline::ActiveModel {
            visit_id: Set(v.id),
            provider_id: Set(me.id),
            declined_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    m.updated_at = Set(now);
    let saved = m.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: if accept {
                "dispatch.accept"
            } else {
                "dispatch.decline"
            },
            entity: "helper_visit",
            entity_id: v.id.to_string(),
            details: json!({ "provider": me.id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The provider's own visits from `from` to `to` (inclusive), by day and time.
pub async fn visits_of(
    conn: &impl ConnectionTrait,
    provider: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<helper_visit::Model>, sea_orm::DbErr> {
    use sea_orm::QueryOrder;
    helper_visit::Entity::find()
        .filter(helper_visit::Column::AssignedProviderId.eq(provider))
        .filter(helper_visit::Column::Status.eq("approved"))
        .filter(helper_visit::Column::Day.gte(from))
        .filter(helper_visit::Column::Day.lte(to))
        .order_by_asc(helper_visit::Column::Day)
        .order_by_asc(helper_visit::Column::PlannedStartMin)
        .order_by_asc(helper_visit::Column::WindowStartMin)
        .all(conn)
        .await
}
