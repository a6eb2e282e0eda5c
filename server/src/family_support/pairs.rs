//! Pairs, their pre-meeting, and their activities. A pair's activities can be booked only
//! after the pre-meeting was held with the child present, and only within the pair's fiscal
//! year and content of help: a new year or new help needs a new pairing.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use hagukumi_domain::availability::{Interval, local_to_utc};
use hagukumi_domain::calendar::{FiscalYear, local_date};
use hagukumi_domain::matching::candidates::{Help, expand_need, is_new_year_closed};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::requests::help_of;
use super::{audit, conflict, fail, invalid};
use crate::auth::{CurrentUser, Role};
use crate::entities::{child, fs_activity, fs_member, fs_pair, fs_pre_meeting, fs_request};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PairOut {
    pub id: Uuid,
    pub request_id: Uuid,
    pub member_id: Uuid,
    pub member_name: String,
    pub child_name: String,
    pub fiscal_year: i32,
    #[schema(value_type = Vec<String>)]
    pub help: Vec<Help>,
    /// `pre_meeting`, `active`, `ended`.
    pub status: String,
    pub ended_reason: Option<String>,
    /// Activities can be booked today (active, this fiscal year, same help).
    pub valid_now: bool,
    pub pre_meeting_at: Option<DateTime<Utc>>,
    pub pre_meeting_place: String,
    pub pre_meeting_done_at: Option<DateTime<Utc>>,
    pub activities: Vec<ActivityOut>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityOut {
    pub id: Uuid,
    pub series_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
}

async fn view(conn: &impl ConnectionTrait, p: fs_pair::Model) -> ApiResult<PairOut> {
    let m = fs_member::Entity::find_by_id(p.member_id).one(conn).await?;
    let c = child::Entity::find_by_id(p.child_id).one(conn).await?;
    let r = fs_request::Entity::find_by_id(p.request_id)
        .one(conn)
        .await?;
    let pm = fs_pre_meeting::Entity::find()
        .filter(fs_pre_meeting::Column::PairId.eq(p.id))
        .one(conn)
        .await?;
    let acts = fs_activity::Entity::find()
        .filter(fs_activity::Column::PairId.eq(p.id))
        .order_by_asc(fs_activity::Column::StartsAt)
        .all(conn)
        .await?;
    let today = local_date(Utc::now());
    let same_help = r.as_ref().is_none_or(|r| r.help == p.help);
    Ok(PairOut {
        id: p.id,
        request_id: p.request_id,
        member_id: p.member_id,
        member_name: m.map(|m| m.display_name).unwrap_or_default(),
        child_name: c
            .map(|c| format!("{} {}", c.family_name, c.given_name))
            .unwrap_or_default(),
        fiscal_year: p.fiscal_year,
        help: help_of(&p.help),
        valid_now: p.status == "active" && FiscalYear::of(today).0 <= p.fiscal_year && same_help,
        status: p.status,
        ended_reason: p.ended_reason,
        pre_meeting_at: pm.as_ref().and_then(|m| m.scheduled_at),
        pre_meeting_place: pm.as_ref().map(|m| m.place.clone()).unwrap_or_default(),
        pre_meeting_done_at: pm.and_then(|m| m.done_at),
        activities: acts
            .into_iter()
            .map(|a| ActivityOut {
                id: a.id,
                series_id: a.series_id,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                status: a.status,
            })
            .collect(),
    })
}

/// Pairs the caller may see: staff those of their municipality, a provider their own.
pub async fn list(state: &AppState, user: &CurrentUser) -> ApiResult<Vec<PairOut>> {
    let mut q =
        fs_pair::Entity::find().filter(fs_pair::Column::MunicipalityId.eq(user.municipality_id));
    match user.role {
        Role::Coordinator | Role::Admin => {}
        Role::Provider => {
            let Some(m) = super::members::member_of_provider_user(&state.db, user).await? else {
                return Ok(vec![]);
            };
            q = q.filter(fs_pair::Column::MemberId.eq(m.id));
        }
        Role::Parent => return Err(ApiError::Forbidden),
    }
    let rows = q
        .order_by_desc(fs_pair::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for p in rows {
        out.push(view(&state.db, p).await?);
    }
    Ok(out)
}

async fn pair_of(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    id: Uuid,
) -> ApiResult<fs_pair::Model> {
    fs_pair::Entity::find_by_id(id)
        .filter(fs_pair::Column::MunicipalityId.eq(municipality_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> ApiResult<PairOut> {
    view(
        &state.db,
        pair_of(&state.db, user.municipality_id, id).await?,
    )
    .await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreMeetingIn {
    /// Local Asia/Tokyo, `2026-12-01T10:00:00`.
    #[schema(value_type = String)]
    pub scheduled_at: NaiveDateTime,
    #[serde(default)]
    pub place: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreMeetingDoneIn {
    /// The child took part (the rule requires it).
    pub child_present: bool,
}

/// Schedules (or moves) the pre-meeting of a pair that has not started yet.
pub async fn schedule_pre_meeting(
    state: &AppState,
    user: &CurrentUser,
    pair_id: Uuid,
    m: PreMeetingIn,
) -> ApiResult<PairOut> {
    if m.place.chars().count() > 200 {
        return Err(ApiError::Validation(vec![invalid(
            "place",
            "too_long",
            "200文字以内で入力してください",
            "At most 200 characters",
        )]));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let p = pair_of(&txn, user.municipality_id, pair_id).await?;
    if p.status != "pre_meeting" {
        return Err(conflict(
            "事前打ち合わせはすでに済んでいるか、ペアが終了しています",
            "The pre-meeting was already held or the pair has ended",
        ));
    }
    let pm = fs_pre_meeting::Entity::find()
        .filter(fs_pre_meeting::Column::PairId.eq(p.id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut am = pm.into_active_model();
    am.scheduled_at = Set(Some(local_to_utc(m.scheduled_at)));
    am.place = Set(m.place.trim().to_owned());
    let pm = am.update(&txn).await?;
    mail_pre_meeting(&txn, state, &p, &pm).await?;
    audit(
        &txn,
        user.municipality_id,
        Some(user.id),
        "fs.pre_meeting.schedule",
        "fs_pair",
        p.id,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    view(&state.db, p).await
}

/// How long a pre-meeting is held in the calendar.
const PRE_MEETING_MINUTES: i64 = 60;

/// The requester and the provider each get the pre-meeting's time with its calendar
/// entry (the same UID when it moves, so calendars update it).
async fn mail_pre_meeting(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    p: &fs_pair::Model,
    pm: &fs_pre_meeting::Model,
) -> ApiResult<()> {
    use crate::mail::templates::Audience;
    use crate::mail::{self, BookingInfo, MailEvent, Recipient};
    let Some(at) = pm.scheduled_at else {
        return Ok(());
    };
    let member = fs_member::Entity::find_by_id(p.member_id).one(txn).await?;
    let household = crate::entities::household::Entity::find_by_id(p.household_id)
        .one(txn)
        .await?;
    let requester = household.and_then(|h| h.user_id);
    let requester_name = match requester {
        Some(u) => crate::entities::user::Entity::find_by_id(u)
            .one(txn)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let provider_user = super::proposals::provider_user_of(txn, p.member_id).await?;
    let place = (!pm.place.is_empty())
        .then(|| hagukumi_domain::Text::new(pm.place.clone(), pm.place.clone()));
    let meeting = BookingInfo {
        booking_id: pm.id,
        reference: format!("FS-{}", &p.id.simple().to_string()[..8]),
        service: hagukumi_domain::Text::new(
            "ファミリー・サポート 事前打ち合わせ",
            "Family Support pre-meeting",
        ),
        place,
        starts_at: at,
        ends_at: at + Duration::minutes(PRE_MEETING_MINUTES),
        child_given_name: None,
    };
    if let Some(u) = requester {
        mail::enqueue(
            txn,
            &state.settings,
            Recipient::User(u),
            MailEvent::FsPreMeeting {
                meeting: meeting.clone(),
                with: member
                    .as_ref()
                    .map(|m| m.display_name.clone())
                    .unwrap_or_default(),
                audience: Audience::Parent,
            },
        )
        .await?;
    }
    if let Some(u) = provider_user {
        mail::enqueue(
            txn,
            &state.settings,
            Recipient::User(u),
            MailEvent::FsPreMeeting {
                meeting,
                with: requester_name,
                audience: Audience::Provider,
            },
        )
        .await?;
    }
    Ok(())
}

/// Records that the pre-meeting took place with the child: the pair becomes active.
pub async fn pre_meeting_done(
    state: &AppState,
    user: &CurrentUser,
    pair_id: Uuid,
    d: PreMeetingDoneIn,
) -> ApiResult<PairOut> {
    if !d.child_present {
        return Err(ApiError::Validation(vec![invalid(
            "child_present",
            "child_required",
            "事前打ち合わせはお子さんも一緒に行います",
            "The child takes part in the pre-meeting",
        )]));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let p = pair_of(&txn, user.municipality_id, pair_id).await?;
    if p.status != "pre_meeting" {
        return Err(conflict(
            "事前打ち合わせはすでに済んでいるか、ペアが終了しています",
            "The pre-meeting was already held or the pair has ended",
        ));
    }
    let pm = fs_pre_meeting::Entity::find()
        .filter(fs_pre_meeting::Column::PairId.eq(p.id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if pm.scheduled_at.is_none() {
        return Err(conflict(
            "事前打ち合わせの日時が決まっていません",
            "The pre-meeting has no date yet",
        ));
    }
    let now = Utc::now();
    let mut am = pm.into_active_model();
    am.done_at = Set(Some(now));
    am.child_present = Set(true);
    am.update(&txn).await?;
    let mut pam = p.into_active_model();
    pam.status = Set("active".to_owned());
    pam.updated_at = Set(now);
    let saved = pam.update(&txn).await?;
    audit(
        &txn,
        user.municipality_id,
        Some(user.id),
        "fs.pre_meeting.done",
        "fs_pair",
        saved.id,
        json!({ "child_present": true }),
    )
    .await?;
    txn.commit().await?;
    view(&state.db, saved).await
}

/// An activity, or a series of them, for an active pair.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivitiesIn {
    /// Local Asia/Tokyo start of the (first) activity.
    #[schema(value_type = String)]
    pub starts_at: NaiveDateTime,
    pub minutes: i32,
    /// For a series, e.g. `FREQ=WEEKLY;BYDAY=TU,TH`, with `until`.
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Books activities for a pair. Refused (409) before the pre-meeting, after the pair ended,
/// outside its fiscal year, over the provider's weekly limit, or when the provider is
/// already busy; all or nothing.
pub async fn book(
    state: &AppState,
    user: &CurrentUser,
    pair_id: Uuid,
    a: ActivitiesIn,
) -> ApiResult<Vec<ActivityOut>> {
    let mut e: Vec<FieldError> = Vec::new();
    if !(30..=24 * 60).contains(&a.minutes) {
        e.push(invalid(
            "minutes",
            "out_of_range",
            "活動時間は30分〜24時間にしてください",
            "The length must be 30 minutes to 24 hours",
        ));
    }
    let minutes = u32::try_from(a.minutes).unwrap_or(0);
    let occurrences: Vec<Interval> = match (&a.rule, a.until) {
        (None, None) => Interval::starting_at(
            local_to_utc(a.starts_at),
            Duration::minutes(i64::from(a.minutes.max(1))),
        )
        .into_iter()
        .collect(),
        (Some(rule), Some(until)) if e.is_empty() => {
            match expand_need(rule, a.starts_at.date(), a.starts_at.time(), minutes, until) {
                Ok(o) => o,
                Err(err) => {
                    e.push(FieldError::new("rule", err.code(), err.message()));
                    vec![]
                }
            }
        }
        (Some(_), None) => {
            e.push(invalid(
                "until",
                "required",
                "繰り返しには終了日が必要です",
                "A series needs an end date",
            ));
            vec![]
        }
        (None, Some(_)) => {
            e.push(invalid(
                "rule",
                "required",
                "終了日を指定するときは繰り返しも指定してください",
                "An end date needs a recurrence",
            ));
            vec![]
        }
        _ => vec![],
    };
    if occurrences
        .iter()
        .any(|o| is_new_year_closed(o.local_start_date()))
    {
        e.push(invalid(
            "starts_at",
            "closed",
            "12月29日〜1月3日は活動できません",
            "No activities from 29 December to 3 January",
        ));
    }
    if occurrences.iter().any(|o| o.start() <= Utc::now()) {
        e.push(invalid(
            "starts_at",
            "in_past",
            "過去の日時は予約できません",
            "This time has passed",
        ));
    }
    fail(e)?;

    let txn = crate::db::begin_write(&state.db).await?;
    let p = pair_of(&txn, user.municipality_id, pair_id).await?;
    match p.status.as_str() {
        "active" => {}
        "pre_meeting" => {
            return Err(conflict(
                "事前打ち合わせが済むまで活動は予約できません",
                "Activities can be booked only after the pre-meeting",
            ));
        }
        _ => {
            return Err(conflict(
                "このペアは終了しています（年度または援助内容の変更）。改めてマッチングしてください",
                "This pair has ended (new fiscal year or new content of help); match again",
            ));
        }
    }
    let r = fs_request::Entity::find_by_id(p.request_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    if r.help != p.help {
        return Err(conflict(
            "援助内容が変わったため、このペアでは予約できません",
            "The content of help changed; this pair cannot book",
        ));
    }
    if occurrences
        .iter()
        .any(|o| FiscalYear::of(o.local_start_date()).0 != p.fiscal_year)
    {
        return Err(conflict(
            format!(
                "ペアは{}年度の活動のみ有効です。年度が変わると改めてマッチングが必要です",
                p.fiscal_year
            ),
            format!(
                "The pair is valid for fiscal year {} only; a new year needs a new pairing",
                p.fiscal_year
            ),
        ));
    }
    // One writer per provider: the member row is the lock (SQLite's write lock already
    // serialises; PostgreSQL takes the row).
    let mut q = fs_member::Entity::find_by_id(p.member_id);
    if txn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let member = q.one(&txn).await?.ok_or(ApiError::NotFound)?;
    let (Some(first), Some(last)) = (occurrences.first(), occurrences.last()) else {
        return Err(ApiError::NotFound);
    };
    let existing = fs_activity::Entity::find()
        .filter(fs_activity::Column::MemberId.eq(member.id))
        .filter(fs_activity::Column::Status.eq("booked"))
        .filter(fs_activity::Column::StartsAt.lt(last.end() + Duration::days(7)))
        .filter(fs_activity::Column::EndsAt.gt(first.start() - Duration::days(7)))
        .all(&txn)
        .await?;
    let busy: Vec<Interval> = existing
        .iter()
        .filter_map(|x| Interval::new(x.starts_at, x.ends_at).ok())
        .collect();
    if let Some(o) = occurrences
        .iter()
        .find(|o| busy.iter().any(|b| b.overlaps(o)))
    {
        return Err(conflict(
            format!(
                "提供会員は{}にすでに活動があります",
                o.local_start_date().format("%Y-%m-%d")
            ),
            format!(
                "The provider already has an activity on {}",
                o.local_start_date().format("%Y-%m-%d")
            ),
        ));
    }
    let mut weeks: BTreeMap<NaiveDate, i32> = BTreeMap::new();
    for iv in busy.iter().chain(&occurrences) {
        *weeks.entry(week_of(iv.local_start_date())).or_insert(0) += 1;
    }
    if let Some((w, n)) = weeks.iter().find(|(_, n)| **n > member.max_per_week) {
        return Err(conflict(
            format!(
                "{}の週は活動が{}回になり、上限（週{}回）を超えます",
                w, n, member.max_per_week
            ),
            format!(
                "The week of {} would have {} activities, over the limit of {}",
                w, n, member.max_per_week
            ),
        ));
    }
    let series = (occurrences.len() > 1 || a.rule.is_some()).then(Uuid::now_v7);
    let now = Utc::now();
    let mut out = Vec::new();
    for o in &occurrences {
        let row = fs_activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(p.municipality_id),
            pair_id: Set(p.id),
            member_id: Set(member.id),
            series_id: Set(series),
            starts_at: Set(o.start()),
            ends_at: Set(o.end()),
            status: Set("booked".to_owned()),
            created_by: Set(Some(user.id)),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        out.push(ActivityOut {
            id: row.id,
            series_id: row.series_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            status: row.status,
        });
    }
    audit(
        &txn,
        user.municipality_id,
        Some(user.id),
        "fs.activity.book",
        "fs_pair",
        p.id,
        json!({ "count": out.len(), "series_id": series }),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// Ends the live pairs of past fiscal years (a pair is valid for one year). Idempotent;
/// run before listing so the console never shows last year's pair as valid.
pub async fn end_past_years(conn: &impl ConnectionTrait, municipality_id: Uuid) -> ApiResult<u64> {
    let fy = FiscalYear::of(local_date(Utc::now())).0;
    let res = fs_pair::Entity::update_many()
        .col_expr(
            fs_pair::Column::Status,
            sea_orm::sea_query::Expr::value("ended"),
        )
        .col_expr(
            fs_pair::Column::EndedReason,
            sea_orm::sea_query::Expr::value("fiscal_year"),
        )
        .filter(fs_pair::Column::MunicipalityId.eq(municipality_id))
        .filter(fs_pair::Column::Status.ne("ended"))
        .filter(fs_pair::Column::FiscalYear.lt(fy))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}
