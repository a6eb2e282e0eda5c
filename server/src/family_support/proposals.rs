//! Proposals: the coordinator proposes one eligible provider for a request; the provider
//! accepts or declines, by the link (a random token whose SHA-256 is stored) or on their
//! page. Acceptance makes the pair and its pre-meeting (事前打ち合わせ) in the same
//! transaction.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use hagukumi_domain::availability::local_to_utc;
use hagukumi_domain::calendar::{FiscalYear, local_date};
use hagukumi_domain::matching::candidates::Help;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::matching::Pool;
use super::requests::{help_of, occurrences_of};
use super::{audit, conflict, invalid};
use crate::auth::session::{new_token, token_id};
use crate::auth::{CurrentUser, Role};
use crate::entities::{
    child, fs_member, fs_pair, fs_pre_meeting, fs_proposal, fs_request, provider,
};
use crate::error::{ApiError, ApiResult};
use crate::mail::templates::FsRequestInfo;
use crate::mail::{self, MailEvent, Recipient};
use crate::settings::Settings;
use crate::state::AppState;

/// How long a provider has to answer.
pub const ANSWER_DAYS: i64 = 7;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeIn {
    pub member_id: Uuid,
    /// Suggested pre-meeting, local Asia/Tokyo (`2026-12-01T10:00:00`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub pre_meeting_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalOut {
    pub id: Uuid,
    pub request_id: Uuid,
    pub member_id: Uuid,
    pub member_name: String,
    pub child_given_name: String,
    pub child_birth_date: Option<NaiveDate>,
    pub place_label: String,
    pub rule: String,
    pub first_date: NaiveDate,
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    #[schema(value_type = Vec<String>)]
    pub help: Vec<Help>,
    pub occurrences: usize,
    /// `proposed`, `accepted`, `declined`, `expired`, `withdrawn`.
    pub status: String,
    pub score: i64,
    #[schema(value_type = Vec<Object>)]
    pub reasons: serde_json::Value,
    pub pre_meeting_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: String,
}

/// The proposal just made, with the link the provider answers by (shown once).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalCreated {
    pub proposal: ProposalOut,
    /// `/fs/proposals/{token}`.
    pub accept_path: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DecisionIn {
    /// Why they decline (optional, for the coordinator).
    pub note: String,
}

async fn view(conn: &impl ConnectionTrait, p: fs_proposal::Model) -> ApiResult<ProposalOut> {
    let r = fs_request::Entity::find_by_id(p.request_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let c = child::Entity::find_by_id(r.child_id).one(conn).await?;
    let m = fs_member::Entity::find_by_id(p.member_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let occurrences = occurrences_of(&r).len();
    Ok(ProposalOut {
        id: p.id,
        request_id: r.id,
        member_id: m.id,
        member_name: m.display_name,
        child_given_name: c.as_ref().map(|c| c.given_name.clone()).unwrap_or_default(),
        child_birth_date: c.and_then(|c| c.birth_date),
        place_label: r.place_label,
        first_date: r.first_date,
        start_time: r.start_time,
        minutes: r.minutes,
        until: r.until,
        help: help_of(&r.help),
        rule: r.rule,
        occurrences,
        status: p.status,
        score: p.score,
        reasons: p.reasons,
        pre_meeting_at: p.pre_meeting_at,
        expires_at: p.expires_at,
        decided_at: p.decided_at,
        decision_note: p.decision_note,
    })
}

/// Marks proposals past their answer time as expired (and reopens their requests).
async fn expire_stale(conn: &impl ConnectionTrait, request_id: Option<Uuid>) -> ApiResult<()> {
    let mut q = fs_proposal::Entity::find()
        .filter(fs_proposal::Column::Status.eq("proposed"))
        .filter(fs_proposal::Column::ExpiresAt.lte(Utc::now()));
    if let Some(r) = request_id {
        q = q.filter(fs_proposal::Column::RequestId.eq(r));
    }
    for p in q.all(conn).await? {
        let (rid, mid, pid) = (p.request_id, p.municipality_id, p.id);
        let mut am = p.into_active_model();
        am.status = Set("expired".to_owned());
        am.update(conn).await?;
        reopen(conn, rid).await?;
        audit(
            conn,
            mid,
            None,
            "fs.proposal.expire",
            "fs_proposal",
            pid,
            json!({}),
        )
        .await?;
    }
    Ok(())
}

async fn reopen(conn: &impl ConnectionTrait, request_id: Uuid) -> ApiResult<()> {
    if let Some(r) = fs_request::Entity::find_by_id(request_id).one(conn).await?
        && r.status == "proposed"
    {
        let mut am = r.into_active_model();
        am.status = Set("open".to_owned());
        am.updated_at = Set(Utc::now());
        am.update(conn).await?;
    }
    Ok(())
}

/// Proposes `member` for a request, inside the caller's transaction (batch confirmation
/// proposes many at once). Refuses a member the ranking excludes, with the reasons.
pub async fn propose_in(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    user: &CurrentUser,
    request_id: Uuid,
    p: &ProposeIn,
) -> ApiResult<ProposalCreated> {
    let mid = user.municipality_id;
    expire_stale(conn, Some(request_id)).await?;
    let (r, c) = super::requests::get(conn, mid, request_id).await?;
    match r.status.as_str() {
        "open" => {}
        "proposed" => {
            return Err(conflict(
                "この依頼はすでに提案中です（回答待ち）",
                "This request already has a proposal waiting for an answer",
            ));
        }
        _ => {
            return Err(conflict(
                "この依頼はマッチング済みか終了しています",
                "This request is already paired or closed",
            ));
        }
    }
    let pool = Pool::load(conn, mid).await?;
    let ranked = pool.rank(&r, &c)?;
    let Some(a) = ranked
        .into_iter()
        .find(|a| pool.members[a.id].id == p.member_id)
    else {
        return Err(ApiError::Validation(vec![invalid(
            "member_id",
            "not_found",
            "提供会員が見つかりません",
            "No such providing member",
        )]));
    };
    if !a.eligible() {
        let ja: Vec<&str> = a.exclusions.iter().map(|x| x.text.ja.as_str()).collect();
        let en: Vec<&str> = a.exclusions.iter().map(|x| x.text.en.as_str()).collect();
        return Err(conflict(
            format!("この提供会員は提案できません：{}", ja.join("、")),
            format!("This member cannot be proposed: {}", en.join("; ")),
        ));
    }
    let token = new_token();
    let now = Utc::now();
    let saved = fs_proposal::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(mid),
        request_id: Set(r.id),
        member_id: Set(p.member_id),
        status: Set("proposed".to_owned()),
        token_hash: Set(token_id(&token)),
        score: Set(a.score),
        reasons: Set(json!(a.reasons)),
        pre_meeting_at: Set(p.pre_meeting_at.map(local_to_utc)),
        expires_at: Set(now + Duration::days(ANSWER_DAYS)),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let info = request_info(&r);
    let mut am = r.into_active_model();
    am.status = Set("proposed".to_owned());
    am.updated_at = Set(now);
    am.update(conn).await?;
    audit(
        conn,
        mid,
        Some(user.id),
        "fs.proposal.create",
        "fs_proposal",
        saved.id,
        json!({ "request_id": request_id, "member_id": p.member_id, "score": a.score }),
    )
    .await?;
    let accept_path = format!("/fs/proposals/{token}");
    // The provider learns of it by mail, with the link, in the same transaction.
    if let Some(u) = provider_user_of(conn, p.member_id).await? {
        mail::enqueue(
            conn,
            settings,
            Recipient::User(u),
            MailEvent::FsProposal {
                request: info,
                answer_url: format!(
                    "{}{accept_path}",
                    settings.server.public_url.trim_end_matches('/')
                ),
                expires_at: saved.expires_at,
            },
        )
        .await?;
    }
    Ok(ProposalCreated {
        accept_path,
        proposal: view(conn, saved).await?,
    })
}

pub async fn propose(
    state: &AppState,
    user: &CurrentUser,
    request_id: Uuid,
    p: ProposeIn,
) -> ApiResult<ProposalCreated> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = propose_in(&txn, &state.settings, user, request_id, &p).await?;
    txn.commit().await?;
    Ok(out)
}

/// What the mails say about a request: place and times, never the child's name.
pub(crate) fn request_info(r: &fs_request::Model) -> FsRequestInfo {
    FsRequestInfo {
        request_id: r.id,
        place: r.place_label.clone(),
        first_date: r.first_date,
        start_time: r.start_time.clone(),
        minutes: r.minutes,
        until: r.until,
        occurrences: occurrences_of(r).len(),
    }
}

/// The account of a providing member (through their provider row), if they have one.
pub(crate) async fn provider_user_of(
    conn: &impl ConnectionTrait,
    member_id: Uuid,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    let Some(m) = fs_member::Entity::find_by_id(member_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(pid) = m.provider_id else {
        return Ok(None);
    };
    Ok(provider::Entity::find_by_id(pid)
        .one(conn)
        .await?
        .and_then(|p| p.user_id))
}

/// Proposals the caller may see: staff all of their municipality (optionally one
/// request's), a provider their own.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    request_id: Option<Uuid>,
) -> ApiResult<Vec<ProposalOut>> {
    let mut q = fs_proposal::Entity::find()
        .filter(fs_proposal::Column::MunicipalityId.eq(user.municipality_id));
    match user.role {
        Role::Coordinator | Role::Admin => {}
        Role::Provider => {
            let Some(m) = super::members::member_of_provider_user(&state.db, user).await? else {
                return Ok(vec![]);
            };
            q = q.filter(fs_proposal::Column::MemberId.eq(m.id));
        }
        Role::Parent => return Err(ApiError::Forbidden),
    }
    if let Some(r) = request_id {
        q = q.filter(fs_proposal::Column::RequestId.eq(r));
    }
    let rows = q
        .order_by_desc(fs_proposal::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(view(&state.db, p).await?);
    }
    Ok(out)
}

/// Who answers: the link's holder or the signed-in provider.
pub enum Answerer<'a> {
    Token(&'a str),
    Provider(&'a CurrentUser, Uuid),
}

async fn find_for(
    conn: &impl ConnectionTrait,
    who: &Answerer<'_>,
) -> ApiResult<fs_proposal::Model> {
    match who {
        Answerer::Token(t) => fs_proposal::Entity::find()
            .filter(fs_proposal::Column::TokenHash.eq(token_id(t)))
            .one(conn)
            .await?
            .ok_or(ApiError::NotFound),
        Answerer::Provider(user, id) => {
            let m = super::members::member_of_provider_user(conn, user)
                .await?
                .ok_or(ApiError::NotFound)?;
            fs_proposal::Entity::find_by_id(*id)
                .filter(fs_proposal::Column::MemberId.eq(m.id))
                .filter(fs_proposal::Column::MunicipalityId.eq(user.municipality_id))
                .one(conn)
                .await?
                .ok_or(ApiError::NotFound)
        }
    }
}

/// The proposal behind a link (for the answer page).
pub async fn by_token(state: &AppState, token: &str) -> ApiResult<ProposalOut> {
    let p = find_for(&state.db, &Answerer::Token(token)).await?;
    view(&state.db, p).await
}

/// Accepts (`accept`) or declines a proposal. Acceptance creates the pair for the fiscal
/// year the help starts in and its pre-meeting; declining reopens the request.
pub async fn decide(
    state: &AppState,
    who: Answerer<'_>,
    accept: bool,
    d: DecisionIn,
) -> ApiResult<ProposalOut> {
    if d.note.chars().count() > 500 {
        return Err(ApiError::Validation(vec![invalid(
            "note",
            "too_long",
            "500文字以内で入力してください",
            "At most 500 characters",
        )]));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    expire_stale(&txn, None).await?;
    let p = find_for(&txn, &who).await?;
    if p.status != "proposed" {
        return Err(conflict(
            match p.status.as_str() {
                "expired" => "回答期限を過ぎました。センターにご連絡ください",
                _ => "この提案にはすでに回答済みです",
            },
            match p.status.as_str() {
                "expired" => "The time to answer has passed; please contact the center",
                _ => "This proposal has already been answered",
            },
        ));
    }
    let now = Utc::now();
    let actor = match &who {
        Answerer::Provider(u, _) => Some(u.id),
        Answerer::Token(_) => None,
    };
    let (mid, pid, rid, member, pre_at) = (
        p.municipality_id,
        p.id,
        p.request_id,
        p.member_id,
        p.pre_meeting_at,
    );
    let mut am = p.into_active_model();
    am.status = Set(if accept { "accepted" } else { "declined" }.to_owned());
    am.decided_at = Set(Some(now));
    am.decision_note = Set(d.note.trim().to_owned());
    let saved = am.update(&txn).await?;
    let r = fs_request::Entity::find_by_id(rid)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut details = json!({ "request_id": rid, "by_link": actor.is_none() });
    if accept {
        let start = occurrences_of(&r)
            .first()
            .map(|i| i.local_start_date())
            .unwrap_or(r.first_date)
            .max(local_date(now));
        let pair = fs_pair::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(mid),
            request_id: Set(rid),
            household_id: Set(r.household_id),
            child_id: Set(r.child_id),
            member_id: Set(member),
            fiscal_year: Set(FiscalYear::of(start).0),
            help: Set(r.help.clone()),
            status: Set("pre_meeting".to_owned()),
            ended_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if e.to_string().to_ascii_lowercase().contains("unique") {
                conflict(
                    "この家庭とはすでに同じ内容のペアがあります",
                    "A pair for this family and help already exists",
                )
            } else {
                e.into()
            }
        })?;
        fs_pre_meeting::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(mid),
            pair_id: Set(pair.id),
            scheduled_at: Set(pre_at),
            place: Set(String::new()),
            done_at: Set(None),
            child_present: Set(false),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        details["pair_id"] = json!(pair.id);
        let mut ram = r.into_active_model();
        ram.status = Set("paired".to_owned());
        ram.updated_at = Set(now);
        ram.update(&txn).await?;
    } else {
        reopen(&txn, rid).await?;
    }
    let member_name = fs_member::Entity::find_by_id(member)
        .one(&txn)
        .await?
        .map(|m| m.display_name)
        .unwrap_or_default();
    let request = fs_request::Entity::find_by_id(rid)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    mail::enqueue(
        &txn,
        &state.settings,
        Recipient::Coordinators(mid),
        MailEvent::FsProposalAnswered {
            request: request_info(&request),
            member_name,
            accepted: accept,
        },
    )
    .await?;
    audit(
        &txn,
        mid,
        actor,
        if accept {
            "fs.proposal.accept"
        } else {
            "fs.proposal.decline"
        },
        "fs_proposal",
        pid,
        details,
    )
    .await?;
    let out = view(&txn, saved).await?;
    txn.commit().await?;
    Ok(out)
}
