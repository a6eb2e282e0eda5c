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

/// The short-lived cookie that carries what was typed into a form that failed
/// back to the page, so the fields keep it (a cookie keeps children's names and
/// dates out of URLs and logs). Hex of a JSON object `{"field": "value"}`.
pub const FORM_FLASH_COOKIE: &str = "hgk_form";

/// Back to `page`, with the outcome in the query string: `saved`, or the failing
/// fields (`error=field:code,…`) and which form (`form=`), the typed values in
/// [`FORM_FLASH_COOKIE`].
fn back(
    state: &AppState,
    page: &str,
    form: &str,
    typed: &[(&str, Option<&str>)],
    outcome: ApiResult<()>,
) -> ApiResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("{page}?saved=1")).into_response()),
        Err(ApiError::Validation(errors)) | Err(ApiError::BadRequest(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e: &FieldError| format!("{}:{}", e.field, e.code))
                .collect();
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(axum::http::header::SET_COOKIE, typed_cookie(state, typed));
            Ok((
                headers,
                Redirect::to(&format!(
                    "{page}?error={}&form={form}#form-{form}",
                    codes.join(",")
                )),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// The `Set-Cookie` that carries `typed` to the next page (five minutes).
pub fn typed_cookie(state: &AppState, typed: &[(&str, Option<&str>)]) -> axum::http::HeaderValue {
    let values: serde_json::Map<String, serde_json::Value> = typed
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(v.unwrap_or(""))))
        .collect();
    let flash = hex::encode(serde_json::Value::Object(values).to_string());
    crate::auth::session::set_cookie(
        FORM_FLASH_COOKIE,
        &flash,
        300,
        state.settings.secure_cookies(),
        true,
    )
}

/// The typed values of the form that failed, from [`FORM_FLASH_COOKIE`].
pub fn typed_values(
    headers: &axum::http::HeaderMap,
) -> Option<std::collections::BTreeMap<String, String>> {
    let raw = crate::auth::session::cookie(headers, FORM_FLASH_COOKIE)?;
    let bytes = hex::decode(raw).ok()?;
    serde_json::from_slice(&bytes).ok()
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

#[derive(Deserialize, Clone)]
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
    let kept = f.clone();
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
    let check = |v: &Option<String>| v.as_ref().map(|_| "on");
    back(
        &state,
        "/parent/household",
        "household",
        &[
            ("single_parent", check(&kept.single_parent)),
            ("single_parent_since", kept.single_parent_since.as_deref()),
            ("public_assistance", check(&kept.public_assistance)),
            ("tax_exempt", check(&kept.tax_exempt)),
            ("multiple_birth", check(&kept.multiple_birth)),
            ("area", kept.area.as_deref()),
        ],
        outcome,
    )
}

#[derive(Deserialize, Clone)]
struct ChildForm {
    family_name: String,
    given_name: String,
    birth_date: Option<String>,
    due_date: Option<String>,
}

impl ChildForm {
    fn typed(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("family_name", Some(self.family_name.as_str())),
            ("given_name", Some(self.given_name.as_str())),
            ("birth_date", self.birth_date.as_deref()),
            ("due_date", self.due_date.as_deref()),
        ]
    }

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
    let kept = f.clone();
    let outcome = async {
        save_child(&state, &user, None, f.parse()?)
            .await
            .map(|_| ())
    }
    .await;
    back(
        &state,
        "/parent/household",
        "child-new",
        &kept.typed(),
        outcome,
    )
}

async fn edit_child(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ChildForm>,
) -> ApiResult<Response> {
    let kept = f.clone();
    let outcome = async {
        save_child(&state, &user, Some(id), f.parse()?)
            .await
            .map(|_| ())
    }
    .await;
    back(
        &state,
        "/parent/household",
        &format!("child-{id}"),
        &kept.typed(),
        outcome,
    )
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
