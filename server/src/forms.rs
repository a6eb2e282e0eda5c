//! Plain HTML form posts of the parent portal. They work without JavaScript:
//! each calls the same service function as the JSON API and answers with a
//! redirect back to the page, carrying `saved` or the failing fields.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::household::{ChildIn, HouseholdFacts, save_child, update_facts};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Parent, Require};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parent/household", post(household))
        .route("/parent/children", post(add_child))
        .route("/parent/children/{id}", post(edit_child))
}

/// Back to `page`, with the outcome in the query string.
fn back(page: &str, outcome: ApiResult<()>) -> ApiResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("{page}?saved=1")).into_response()),
        Err(ApiError::Validation(errors)) | Err(ApiError::BadRequest(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e: &FieldError| format!("{}:{}", e.field, e.code))
                .collect();
            Ok(Redirect::to(&format!("{page}?error={}", codes.join(","))).into_response())
        }
        Err(e) => Err(e),
    }
}

/// An `<input type="date">` value: empty means none; anything else must parse.
fn date_field(field: &str, raw: &Option<String>) -> Result<Option<NaiveDate>, FieldError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            FieldError::new(
                field,
                "invalid",
                hagukumi_domain::Text::new("日付の形式が正しくありません", "Not a valid date"),
            )
        }),
    }
}

#[derive(Deserialize)]
struct HouseholdForm {
    single_parent: Option<String>,
    single_parent_since: Option<String>,
    public_assistance: Option<String>,
    tax_exempt: Option<String>,
    multiple_birth: Option<String>,
    area: Option<String>,
}

async fn household(
    State(state): State<AppState>,
    user: Require<Parent>,
    CsrfForm(f): CsrfForm<HouseholdForm>,
) -> ApiResult<Response> {
    let outcome = async {
        let facts = HouseholdFacts {
            // A checkbox is sent only when ticked.
            single_parent: f.single_parent.is_some(),
            single_parent_since: date_field("single_parent_since", &f.single_parent_since)
                .map_err(|e| ApiError::Validation(vec![e]))?,
            public_assistance: f.public_assistance.is_some(),
            tax_exempt: f.tax_exempt.is_some(),
            multiple_birth: f.multiple_birth.is_some(),
            area: f.area,
        };
        update_facts(&state, &user, facts).await.map(|_| ())
    }
    .await;
    back("/parent/household", outcome)
}

#[derive(Deserialize)]
struct ChildForm {
    family_name: String,
    given_name: String,
    birth_date: Option<String>,
    due_date: Option<String>,
}

impl ChildForm {
    fn parse(self) -> ApiResult<ChildIn> {
        let birth = date_field("birth_date", &self.birth_date);
        let due = date_field("due_date", &self.due_date);
        match (birth, due) {
            (Ok(birth_date), Ok(due_date)) => Ok(ChildIn {
                family_name: self.family_name,
                given_name: self.given_name,
                birth_date,
                due_date,
            }),
            (b, d) => Err(ApiError::Validation(
                b.err().into_iter().chain(d.err()).collect(),
            )),
        }
    }
}

async fn add_child(
    State(state): State<AppState>,
    user: Require<Parent>,
    CsrfForm(f): CsrfForm<ChildForm>,
) -> ApiResult<Response> {
    let outcome = async {
        save_child(&state, &user, None, f.parse()?)
            .await
            .map(|_| ())
    }
    .await;
    back("/parent/household", outcome)
}

async fn edit_child(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ChildForm>,
) -> ApiResult<Response> {
    let outcome = async {
        save_child(&state, &user, Some(id), f.parse()?)
            .await
            .map(|_| ())
    }
    .await;
    back("/parent/household", outcome)
}

/// Middleware for the HTML form posts: when the session has expired, a form post
/// would get a bare 401; instead the browser goes to the sign-in page, which
/// brings the parent back to the page the form was on (its `Referer`, same site
/// only) — a booking's confirmation page keeps every choice in its address.
pub async fn signin_when_expired(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_form = req.method() == axum::http::Method::POST
        && req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let back = is_form.then(|| came_from(req.headers())).flatten();
    let res = next.run(req).await;
    if is_form && res.status() == axum::http::StatusCode::UNAUTHORIZED {
        let next = back.unwrap_or_else(|| "/parent".to_owned());
        let enc: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Redirect::to(&format!("/signin?next={enc}")).into_response();
    }
    res
}

/// The local path of the page a form was posted from, if it is this site's.
fn came_from(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let referer: axum::http::Uri = headers
        .get(axum::http::header::REFERER)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    if referer.authority().map(|a| a.as_str()) != Some(host) {
        return None;
    }
    let path = referer.path_and_query()?.as_str().to_owned();
    crate::auth::handlers::local_path(Some(&path)).map(str::to_owned)
}
