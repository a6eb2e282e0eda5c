//! HTML form posts of the console and of the provider's answer pages. They work without
//! JavaScript: each calls the same service function as the JSON API and redirects back
//! with `saved=…` or `error=field:code` (a refused action gives `error=conflict`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::NaiveDateTime;
use serde::Deserialize;
use uuid::Uuid;

use super::pairs::{PreMeetingDoneIn, PreMeetingIn};
use super::proposals::{self, Answerer, DecisionIn, ProposeIn};
use crate::api::family_support::{BatchPairIn, confirm};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Provider, Require, Staff};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/coordinator/family-support/requests/{id}/propose",
            post(propose),
        )
        .route(
            "/coordinator/family-support/pairs/{id}/pre-meeting",
            post(pre_meeting),
        )
        .route(
            "/coordinator/family-support/pairs/{id}/pre-meeting/done",
            post(pre_meeting_done),
        )
        .route("/coordinator/matching/confirm", post(batch_confirm))
        .route("/fs/proposals/{token}/{answer}", post(answer_by_link))
        .route(
            "/provider/family-support/proposals/{id}/{answer}",
            post(answer_signed_in),
        )
        .route(
            "/provider/family-support/activities/{id}/report",
            post(file_report),
        )
        .route(
            "/parent/family-support/reports/{id}/confirm",
            post(confirm_report),
        )
}

#[derive(Deserialize)]
struct ReportForm {
    started_at: Option<String>,
    ended_at: Option<String>,
    content: Option<String>,
}

async fn file_report(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> ApiResult<Response> {
    // Back to the report, with the activity named so its form shows the error.
    let page = format!("/provider/family-support?activity={id}");
    let outcome = async {
        let required = |field: &str| {
            ApiError::Validation(vec![super::invalid(
                field,
                "invalid",
                "日時を入力してください",
                "Enter a date and time",
            )])
        };
        let started_at =
            local("started_at", &f.started_at)?.ok_or_else(|| required("started_at"))?;
        let ended_at = local("ended_at", &f.ended_at)?.ok_or_else(|| required("ended_at"))?;
        super::reports::file(
            &state,
            &user,
            id,
            super::reports::ReportIn {
                started_at,
                ended_at,
                content: f.content.unwrap_or_default(),
            },
        )
        .await?;
        Ok("report".to_owned())
    }
    .await;
    back(&page, outcome).map(|r| with_fragment(r, "reports"))
}

/// Keeps the reader at the reports after the redirect.
fn with_fragment(r: Response, fragment: &str) -> Response {
    let Some(loc) = r
        .headers()
        .get(axum::http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return r;
    };
    Redirect::to(&format!("{loc}#{fragment}")).into_response()
}

async fn confirm_report(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(_f): CsrfForm<crate::auth::handlers::NoFields>,
) -> ApiResult<Response> {
    let outcome = super::reports::confirm(&state, &user, id)
        .await
        .map(|_| "confirmed".to_owned());
    back("/parent/family-support", outcome)
}

pub(crate) fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Back to `page` with the outcome; `extra` is added to a success.
pub(crate) fn back(page: &str, outcome: ApiResult<String>) -> ApiResult<Response> {
    let sep = if page.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(extra) => Ok(Redirect::to(&format!("{page}{sep}saved={extra}")).into_response()),
        Err(ApiError::Validation(errors)) | Err(ApiError::BadRequest(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect();
            Ok(
                Redirect::to(&format!("{page}{sep}error={}", encode(&codes.join(","))))
                    .into_response(),
            )
        }
        Err(ApiError::Conflict(t)) => Ok(Redirect::to(&format!(
            "{page}{sep}error=conflict&why={}",
            encode(&t.ja)
        ))
        .into_response()),
        Err(e) => Err(e),
    }
}

fn local(field: &str, raw: &Option<String>) -> ApiResult<Option<NaiveDateTime>> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .map(Some)
            .map_err(|_| {
                ApiError::Validation(vec![super::invalid(
                    field,
                    "invalid",
                    "日時の形式が正しくありません",
                    "Not a valid date and time",
                )])
            }),
    }
}

#[derive(Deserialize)]
struct ProposeForm {
    member_id: String,
    pre_meeting_at: Option<String>,
}

async fn propose(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ProposeForm>,
) -> ApiResult<Response> {
    let page = format!("/coordinator/family-support/requests/{id}");
    let outcome = async {
        let member_id = f.member_id.parse().map_err(|_| {
            ApiError::Validation(vec![super::invalid(
                "member_id",
                "invalid",
                "提供会員を選んでください",
                "Choose a providing member",
            )])
        })?;
        let pre_meeting_at = local("pre_meeting_at", &f.pre_meeting_at)?;
        let created = proposals::propose(
            &state,
            &user,
            id,
            ProposeIn {
                member_id,
                pre_meeting_at,
            },
        )
        .await?;
        Ok(format!("proposed&link={}", encode(&created.accept_path)))
    }
    .await;
    back(&page, outcome)
}

#[derive(Deserialize)]
struct PreMeetingForm {
    scheduled_at: Option<String>,
    place: Option<String>,
}

async fn pre_meeting(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<PreMeetingForm>,
) -> ApiResult<Response> {
    let outcome = async {
        let Some(at) = local("scheduled_at", &f.scheduled_at)? else {
            return Err(ApiError::Validation(vec![super::invalid(
                "scheduled_at",
                "required",
                "日時を入力してください",
                "Enter the date and time",
            )]));
        };
        super::pairs::schedule_pre_meeting(
            &state,
            &user,
            id,
            PreMeetingIn {
                scheduled_at: at,
                place: f.place.unwrap_or_default(),
            },
        )
        .await?;
        Ok("pre_meeting".to_owned())
    }
    .await;
    back("/coordinator/family-support", outcome)
}

#[derive(Deserialize)]
struct DoneForm {
    child_present: Option<String>,
}

async fn pre_meeting_done(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DoneForm>,
) -> ApiResult<Response> {
    let outcome = super::pairs::pre_meeting_done(
        &state,
        &user,
        id,
        PreMeetingDoneIn {
            child_present: f.child_present.is_some(),
        },
    )
    .await
    .map(|_| "pre_meeting_done".to_owned());
    back("/coordinator/family-support", outcome)
}

#[derive(Deserialize)]
struct ConfirmForm {
    /// `request:member,request:member,…` as the review page lists them.
    pairs: String,
}

async fn batch_confirm(
    State(state): State<AppState>,
    user: Require<Staff>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> ApiResult<Response> {
    let outcome = async {
        let mut pairs = Vec::new();
        for item in f.pairs.split(',').filter(|s| !s.trim().is_empty()) {
            let parsed = item
                .split_once(':')
                .and_then(|(r, m)| Some((r.trim().parse().ok()?, m.trim().parse().ok()?)));
            let Some((request_id, member_id)) = parsed else {
                return Err(ApiError::Validation(vec![super::invalid(
                    "pairs",
                    "invalid",
                    "組み合わせの形式が正しくありません",
                    "The pairs are malformed",
                )]));
            };
            pairs.push(BatchPairIn {
                request_id,
                member_id,
            });
        }
        Ok(confirm(&state, &user, &pairs).await?.len().to_string())
    }
    .await;
    back("/coordinator/matching", outcome)
}

#[derive(Deserialize)]
struct AnswerForm {
    note: Option<String>,
}

fn is_accept(answer: &str) -> ApiResult<bool> {
    match answer {
        "accept" => Ok(true),
        "decline" => Ok(false),
        _ => Err(ApiError::NotFound),
    }
}

async fn answer_by_link(
    State(state): State<AppState>,
    Path((token, answer)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<AnswerForm>,
) -> ApiResult<Response> {
    let accept = is_accept(&answer)?;
    let outcome = proposals::decide(
        &state,
        Answerer::Token(&token),
        accept,
        DecisionIn {
            note: f.note.unwrap_or_default(),
        },
    )
    .await
    .map(|p| p.status);
    back(&format!("/fs/proposals/{token}"), outcome)
}

async fn answer_signed_in(
    State(state): State<AppState>,
    user: Require<Provider>,
    Path((id, answer)): Path<(Uuid, String)>,
    CsrfForm(f): CsrfForm<AnswerForm>,
) -> ApiResult<Response> {
    let accept = is_accept(&answer)?;
    let outcome = proposals::decide(
        &state,
        Answerer::Provider(&user, id),
        accept,
        DecisionIn {
            note: f.note.unwrap_or_default(),
        },
    )
    .await
    .map(|p| p.status);
    back("/provider/family-support", outcome)
}
