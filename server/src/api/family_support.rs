//! Family Support endpoints: members, requests, ranked candidates, proposals and their
//! answers (signed in, or by the link's token), pairs with pre-meeting and activities, and
//! the batch plan. Coordinators act for their own municipality; providers answer their own
//! proposals. Handlers are thin: the work is in `crate::family_support`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{CurrentUser, Provider, Require, Role, Staff};
use crate::error::{ApiError, ApiResult};
use crate::family_support::matching::{self, BatchPlanOut, CandidateOut};
use crate::family_support::members::{self, MemberIn, MemberOut};
use crate::family_support::pairs::{
    self, ActivitiesIn, ActivityOut, PairOut, PreMeetingDoneIn, PreMeetingIn,
};
use crate::family_support::proposals::{
    self, Answerer, DecisionIn, ProposalCreated, ProposalOut, ProposeIn,
};
use crate::family_support::requests::{self, RequestIn, RequestOut};
use crate::family_support::scope;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// `requesting`, `providing` (includes both) or `both`.
    pub role: Option<String>,
}

/// Family Support members of the coordinator's municipality.
#[utoipa::path(get, path = "/api/v1/family-support/members", tag = "family-support",
    params(MemberQuery),
    responses((status = 200, body = [MemberOut]), (status = 401), (status = 403), (status = 422)))]
pub async fn list_members(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> ApiResult<Json<Vec<MemberOut>>> {
    Ok(Json(
        members::list(&state, scope(&user), q.role.as_deref()).await?,
    ))
}

/// Registers a member (requesting, providing or both).
#[utoipa::path(post, path = "/api/v1/family-support/members", tag = "family-support",
    request_body = MemberIn,
    responses((status = 201, body = MemberOut), (status = 422, description = "the field at fault is named")))]
pub async fn post_member(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiJson(m): ApiJson<MemberIn>,
) -> ApiResult<(StatusCode, Json<MemberOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(members::save(&state, &user, None, m).await?),
    ))
}

/// One member.
#[utoipa::path(get, path = "/api/v1/family-support/members/{id}", tag = "family-support",
    responses((status = 200, body = MemberOut), (status = 404)))]
pub async fn get_member(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<MemberOut>> {
    Ok(Json(members::get(&state, scope(&user), id).await?.into()))
}

/// Changes a member (training, refresher date, capabilities, availability, …).
#[utoipa::path(put, path = "/api/v1/family-support/members/{id}", tag = "family-support",
    request_body = MemberIn,
    responses((status = 200, body = MemberOut), (status = 404), (status = 422)))]
pub async fn put_member(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(m): ApiJson<MemberIn>,
) -> ApiResult<Json<MemberOut>> {
    Ok(Json(members::save(&state, &user, Some(id), m).await?))
}

/// Requests, oldest first.
#[utoipa::path(get, path = "/api/v1/family-support/requests", tag = "family-support",
    responses((status = 200, body = [RequestOut]), (status = 401), (status = 403)))]
pub async fn list_requests(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<Vec<RequestOut>>> {
    Ok(Json(requests::list(&state, scope(&user)).await?))
}

/// Records a request: child, place, recurring need and content of help.
#[utoipa::path(post, path = "/api/v1/family-support/requests", tag = "family-support",
    request_body = RequestIn,
    responses((status = 201, body = RequestOut), (status = 422, description = "the field at fault is named")))]
pub async fn post_request(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiJson(r): ApiJson<RequestIn>,
) -> ApiResult<(StatusCode, Json<RequestOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(requests::save(&state, &user, None, r).await?),
    ))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/family-support/requests/{id}", tag = "family-support",
    responses((status = 200, body = RequestOut), (status = 404)))]
pub async fn get_request(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RequestOut>> {
    let (r, c) = requests::get(&state.db, scope(&user), id).await?;
    Ok(Json(requests::out(r, Some(&c))))
}

/// Changes a request. A new content of help ends the pairs made for the old one.
#[utoipa::path(put, path = "/api/v1/family-support/requests/{id}", tag = "family-support",
    request_body = RequestIn,
    responses((status = 200, body = RequestOut), (status = 404), (status = 422)))]
pub async fn put_request(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<RequestIn>,
) -> ApiResult<Json<RequestOut>> {
    Ok(Json(requests::save(&state, &user, Some(id), r).await?))
}

/// Providers ranked for a request, with the reasons and the exclusions explained.
#[utoipa::path(get, path = "/api/v1/family-support/requests/{id}/candidates", tag = "family-support",
    responses((status = 200, body = [CandidateOut]), (status = 404)))]
pub async fn candidates(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<CandidateOut>>> {
    Ok(Json(
        matching::candidates(&state.db, scope(&user), id).await?,
    ))
}

/// Proposes one eligible provider; answers with the link the provider accepts by.
#[utoipa::path(post, path = "/api/v1/family-support/requests/{id}/proposals", tag = "family-support",
    request_body = ProposeIn,
    responses((status = 201, body = ProposalCreated),
        (status = 409, description = "the provider is excluded (reasons given) or the request already has a proposal"),
        (status = 422)))]
pub async fn propose(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(p): ApiJson<ProposeIn>,
) -> ApiResult<(StatusCode, Json<ProposalCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(proposals::propose(&state, &user, id, p).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    pub request_id: Option<Uuid>,
}

/// Proposals: all of the municipality for staff, their own for a provider.
#[utoipa::path(get, path = "/api/v1/family-support/proposals", tag = "family-support",
    params(ProposalQuery),
    responses((status = 200, body = [ProposalOut]), (status = 401), (status = 403)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> ApiResult<Json<Vec<ProposalOut>>> {
    Ok(Json(proposals::list(&state, &user, q.request_id).await?))
}

/// The provider accepts a proposal made to them.
#[utoipa::path(post, path = "/api/v1/family-support/proposals/{id}/accept", tag = "family-support",
    request_body = DecisionIn,
    responses((status = 200, body = ProposalOut), (status = 404), (status = 409)))]
pub async fn accept(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ProposalOut>> {
    let d = decision(&body)?;
    Ok(Json(
        proposals::decide(&state, Answerer::Provider(&user, id), true, d).await?,
    ))
}

/// The provider declines a proposal made to them.
#[utoipa::path(post, path = "/api/v1/family-support/proposals/{id}/decline", tag = "family-support",
    request_body = DecisionIn,
    responses((status = 200, body = ProposalOut), (status = 404), (status = 409)))]
pub async fn decline(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ProposalOut>> {
    let d = decision(&body)?;
    Ok(Json(
        proposals::decide(&state, Answerer::Provider(&user, id), false, d).await?,
    ))
}

/// The proposal behind an accept link (the token is the credential).
#[utoipa::path(get, path = "/api/v1/family-support/links/{token}", tag = "family-support",
    responses((status = 200, body = ProposalOut), (status = 404)))]
pub async fn by_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<ProposalOut>> {
    Ok(Json(proposals::by_token(&state, &token).await?))
}

/// Accept by link.
#[utoipa::path(post, path = "/api/v1/family-support/links/{token}/accept", tag = "family-support",
    request_body = DecisionIn,
    responses((status = 200, body = ProposalOut), (status = 404), (status = 409)))]
pub async fn accept_by_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ProposalOut>> {
    let d = decision(&body)?;
    Ok(Json(
        proposals::decide(&state, Answerer::Token(&token), true, d).await?,
    ))
}

/// Decline by link.
#[utoipa::path(post, path = "/api/v1/family-support/links/{token}/decline", tag = "family-support",
    request_body = DecisionIn,
    responses((status = 200, body = ProposalOut), (status = 404), (status = 409)))]
pub async fn decline_by_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ProposalOut>> {
    let d = decision(&body)?;
    Ok(Json(
        proposals::decide(&state, Answerer::Token(&token), false, d).await?,
    ))
}

/// An answer's optional body: none, or `{"note": "…"}`.
fn decision(body: &[u8]) -> ApiResult<DecisionIn> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(DecisionIn::default())
    } else {
        crate::json::parse(body)
    }
}

/// Pairs: all of the municipality for staff, their own for a provider. Pairs of past
/// fiscal years are ended first.
#[utoipa::path(get, path = "/api/v1/family-support/pairs", tag = "family-support",
    responses((status = 200, body = [PairOut]), (status = 401), (status = 403)))]
pub async fn list_pairs(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<PairOut>>> {
    if user.role == Role::Parent {
        return Err(ApiError::Forbidden);
    }
    pairs::end_past_years(&state.db, user.municipality_id).await?;
    Ok(Json(pairs::list(&state, &user).await?))
}

/// One pair with its pre-meeting and activities.
#[utoipa::path(get, path = "/api/v1/family-support/pairs/{id}", tag = "family-support",
    responses((status = 200, body = PairOut), (status = 404)))]
pub async fn get_pair(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PairOut>> {
    Ok(Json(pairs::get(&state, &user, id).await?))
}

/// Schedules the pre-meeting (事前打ち合わせ).
#[utoipa::path(put, path = "/api/v1/family-support/pairs/{id}/pre-meeting", tag = "family-support",
    request_body = PreMeetingIn,
    responses((status = 200, body = PairOut), (status = 404), (status = 409), (status = 422)))]
pub async fn schedule_pre_meeting(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(m): ApiJson<PreMeetingIn>,
) -> ApiResult<Json<PairOut>> {
    Ok(Json(
        pairs::schedule_pre_meeting(&state, &user, id, m).await?,
    ))
}

/// Records the pre-meeting as held with the child: the pair becomes active.
#[utoipa::path(post, path = "/api/v1/family-support/pairs/{id}/pre-meeting/done", tag = "family-support",
    request_body = PreMeetingDoneIn,
    responses((status = 200, body = PairOut), (status = 404), (status = 409), (status = 422)))]
pub async fn pre_meeting_done(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(d): ApiJson<PreMeetingDoneIn>,
) -> ApiResult<Json<PairOut>> {
    Ok(Json(pairs::pre_meeting_done(&state, &user, id, d).await?))
}

/// Books a one-off activity or a series for an active pair.
#[utoipa::path(post, path = "/api/v1/family-support/pairs/{id}/activities", tag = "family-support",
    request_body = ActivitiesIn,
    responses((status = 201, body = [ActivityOut]),
        (status = 409, description = "no pre-meeting yet, pair ended, other fiscal year, provider busy or over the weekly limit"),
        (status = 422)))]
pub async fn book_activities(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    ApiJson(a): ApiJson<ActivitiesIn>,
) -> ApiResult<(StatusCode, Json<Vec<ActivityOut>>)> {
    Ok((
        StatusCode::CREATED,
        Json(pairs::book(&state, &user, id, a).await?),
    ))
}

/// The optimal assignment of all open requests (preview; nothing is written).
#[utoipa::path(get, path = "/api/v1/family-support/batch", tag = "family-support",
    responses((status = 200, body = BatchPlanOut), (status = 401), (status = 403)))]
pub async fn batch_plan(
    State(state): State<AppState>,
    user: Require<Staff>,
) -> ApiResult<Json<BatchPlanOut>> {
    Ok(Json(matching::batch_plan(&state.db, scope(&user)).await?))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPairIn {
    pub request_id: Uuid,
    pub member_id: Uuid,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchConfirmIn {
    pub pairs: Vec<BatchPairIn>,
}

/// Confirms the reviewed plan: one proposal per pair, all or nothing.
#[utoipa::path(post, path = "/api/v1/family-support/batch/confirm", tag = "family-support",
    request_body = BatchConfirmIn,
    responses((status = 201, body = [ProposalCreated]), (status = 409), (status = 422)))]
pub async fn batch_confirm(
    State(state): State<AppState>,
    user: Require<Staff>,
    ApiJson(b): ApiJson<BatchConfirmIn>,
) -> ApiResult<(StatusCode, Json<Vec<ProposalCreated>>)> {
    Ok((
        StatusCode::CREATED,
        Json(confirm(&state, &user, &b.pairs).await?),
    ))
}

/// Creates the proposals of a reviewed batch in one transaction.
pub async fn confirm(
    state: &AppState,
    user: &CurrentUser,
    pairs: &[BatchPairIn],
) -> ApiResult<Vec<ProposalCreated>> {
    if pairs.is_empty() || pairs.len() > 500 {
        return Err(ApiError::field(
            "pairs",
            "out_of_range",
            hagukumi_domain::Text::new(
                "確定する組み合わせを1〜500件指定してください",
                "Give 1 to 500 pairs to confirm",
            ),
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut out = Vec::new();
    for p in pairs {
        out.push(
            proposals::propose_in(
                &txn,
                &state.settings,
                user,
                p.request_id,
                &ProposeIn {
                    member_id: p.member_id,
                    pre_meeting_at: None,
                },
            )
            .await?,
        );
    }
    txn.commit().await?;
    Ok(out)
}
