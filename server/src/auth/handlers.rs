//! Sign-up, sign-in and sign-out, as JSON API calls and as plain HTML form
//! posts (which work without JavaScript and answer with redirects).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hagukumi_domain::Text;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::credentials::{DisplayName, Email, Password};
use crate::auth::csrf::CsrfForm;
use crate::auth::extract::CurrentUser;
use crate::auth::password;
use crate::auth::role::Role;
use crate::auth::session::{self, SESSION_COOKIE, cookie, set_cookie};
use crate::entities::{household, municipality, user};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::json::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// Municipality code, e.g. `kiyose`; the server's default when omitted.
    #[serde(default)]
    pub municipality: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in person as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: String,
    pub municipality: MunicipalityRef,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityRef {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

impl From<&CurrentUser> for Me {
    fn from(u: &CurrentUser) -> Me {
        Me {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            locale: u.locale.clone(),
            municipality: MunicipalityRef {
                code: u.municipality_code.clone(),
                name_ja: u.municipality_name_ja.clone(),
                name_en: u.municipality_name_en.clone(),
            },
        }
    }
}

fn collect(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Creates a parent account and its (empty) household in one transaction.
pub async fn sign_up(state: &AppState, req: SignUpRequest) -> ApiResult<Uuid> {
    let email = Email::parse("email", &req.email);
    let pw = Password::parse("password", &req.password);
    let name = DisplayName::parse("display_name", &req.display_name);
    let mut errors = vec![];
    let (email, pw, name) = match (email, pw, name) {
        (Ok(e), Ok(p), Ok(n)) => (e, p, n),
        (e, p, n) => {
            errors.extend(e.err());
            errors.extend(p.err());
            errors.extend(n.err());
            return collect(errors).map(|_| Uuid::nil());
        }
    };
    let code = req
        .municipality
        .unwrap_or_else(|| state.settings.server.default_municipality.clone());
    let Some(muni) = municipality::Entity::find()
        .filter(municipality::Column::Code.eq(code.as_str()))
        .one(&state.db)
        .await?
    else {
        return Err(ApiError::field(
            "municipality",
            "unknown_municipality",
            Text::new(
                "この自治体は登録されていません",
                "This municipality is not served here",
            ),
        ));
    };
    let locale = match req.locale.as_deref() {
        None | Some("ja") => "ja",
        Some("en") => "en",
        Some(_) => {
            return Err(ApiError::field(
                "locale",
                "unknown_value",
                Text::new("ja または en を指定してください", "Use ja or en"),
            ));
        }
    };
    let hash = password::hash(pw.expose())?;
    // Takes SQLite's write lock up front: a read-then-write transaction fails
    // outright (SQLITE_BUSY) if another writer, such as the mail worker, commits between.
    let txn = crate::db::begin_write(&state.db).await?;
    let exists = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(ApiError::field(
            "email",
            "taken",
            Text::new(
                "このメールアドレスは登録済みです。ログインしてください",
                "This email address is already registered; please sign in",
            ),
        ));
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    user::ActiveModel {
        id: Set(id),
        municipality_id: Set(muni.id),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(hash),
        display_name: Set(name.as_str().to_owned()),
        role: Set(Role::Parent.as_str().to_owned()),
        locale: Set(locale.to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let household_id = Uuid::now_v7();
    household::ActiveModel {
        id: Set(household_id),
        municipality_id: Set(muni.id),
        user_id: Set(Some(id)),
        single_parent: Set(false),
        single_parent_since: Set(None),
        public_assistance: Set(false),
        tax_exempt: Set(false),
        multiple_birth: Set(false),
        facts_confirmed_at: Set(None),
        facts_confirmed_by: Set(None),
        area: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(muni.id),
            actor: Some(id),
            action: "account.sign_up",
            entity: "user",
            entity_id: id.to_string(),
            details: json!({ "role": "parent", "household_id": household_id }),
        },
    )
    .await?;
    // mail (issue 6): the welcome email is written in the sign-up transaction.
    crate::mail::enqueue(
        &txn,
        &state.settings,
        crate::mail::Recipient::User(id),
        crate::mail::MailEvent::Welcome,
    )
    .await?;
    txn.commit().await?;
    state
        .cached
        .changed_here(crate::db::changes::Topic::Families);
    Ok(id)
}

/// Checks credentials; an unknown e-mail and a wrong password are
/// indistinguishable, in answer and in time.
pub async fn authenticate(state: &AppState, email: &str, pw: &str) -> ApiResult<user::Model> {
    let normalised = email.trim().to_lowercase();
    let found = if normalised.len() <= Email::MAX_LEN {
        user::Entity::find()
            .filter(user::Column::Email.eq(normalised))
            .one(&state.db)
            .await?
    } else {
        None
    };
    let pw = pw.to_owned();
    let stored = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match found {
        Some(u) if ok => Ok(u),
        _ => Err(ApiError::BadCredentials),
    }
}

async fn start_session(state: &AppState, u: &user::Model) -> ApiResult<HeaderMap> {
    let token = session::create(&state.db, u.id, state.settings.auth.session_days).await?;
    audit::record(
        &state.db,
        AuditEntry {
            municipality_id: Some(u.municipality_id),
            actor: Some(u.id),
            action: "account.sign_in",
            entity: "user",
            entity_id: u.id.to_string(),
            details: json!({}),
        },
    )
    .await?;
    let mut headers = HeaderMap::new();
    headers.append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            state.settings.auth.session_days * 86_400,
            state.settings.secure_cookies(),
            true,
        ),
    );
    Ok(headers)
}

async fn end_session(state: &AppState, headers: &HeaderMap) -> ApiResult<HeaderMap> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        session::destroy(&state.db, token).await?;
        state
            .cached
            .changed_here(crate::db::changes::Topic::Sessions);
    }
    let mut out = HeaderMap::new();
    out.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.settings.secure_cookies(), true),
    );
    Ok(out)
}

async fn me_of(state: &AppState, id: Uuid) -> ApiResult<Me> {
    let u = user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let m = municipality::Entity::find_by_id(u.municipality_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Me {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        role: u
            .role
            .parse()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("bad role")))?,
        locale: u.locale,
        municipality: MunicipalityRef {
            code: m.code,
            name_ja: m.name_ja,
            name_en: m.name_en,
        },
    })
}

/// Register a parent account.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts",
    request_body = SignUpRequest,
    responses((status = 201, body = Me), (status = 422, description = "invalid input")))]
pub async fn api_sign_up(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignUpRequest>,
) -> ApiResult<Response> {
    let id = sign_up(&state, req).await?;
    Ok((StatusCode::CREATED, axum::Json(me_of(&state, id).await?)).into_response())
}

/// Sign in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/signin", tag = "accounts",
    request_body = SignInRequest,
    responses((status = 200, body = Me), (status = 401, description = "wrong email or password")))]
pub async fn api_sign_in(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let u = authenticate(&state, &req.email, &req.password).await?;
    let headers = start_session(&state, &u).await?;
    Ok((headers, axum::Json(me_of(&state, u.id).await?)).into_response())
}

/// Sign out; ends the session.
#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "accounts",
    responses((status = 204)))]
pub async fn api_sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let out = end_session(&state, &headers).await?;
    Ok((StatusCode::NO_CONTENT, out).into_response())
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, description = "not signed in")))]
pub async fn api_me(user: CurrentUser) -> axum::Json<Me> {
    axum::Json(Me::from(&user))
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    /// The page to return to (a local path), e.g. after the session expired.
    #[serde(default)]
    pub next: Option<String>,
}

/// `next` if it is a local path (never an open redirect).
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

#[derive(Deserialize)]
pub struct SignUpForm {
    pub email: String,
    pub password: String,
    pub display_name: String,
    #[serde(default)]
    pub municipality: Option<String>,
}

/// `POST /auth/signin` from the HTML form.
pub async fn form_sign_in(
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> ApiResult<Response> {
    match authenticate(&state, &form.email, &form.password).await {
        Ok(u) => {
            let headers = start_session(&state, &u).await?;
            let role: Role = u.role.parse().unwrap_or(Role::Parent);
            let to = local_path(form.next.as_deref()).unwrap_or(role.home_path());
            Ok((headers, Redirect::to(to)).into_response())
        }
        Err(ApiError::BadCredentials) => {
            let again = match local_path(form.next.as_deref()) {
                Some(n) => format!(
                    "/signin?error=credentials&next={}",
                    form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
                ),
                None => "/signin?error=credentials".to_owned(),
            };
            // The address stays typed in (the password never travels back).
            let mut headers = HeaderMap::new();
            headers.insert(
                header::SET_COOKIE,
                crate::forms::typed_cookie(&state, &[("email", Some(form.email.as_str()))]),
            );
            Ok((headers, Redirect::to(&again)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /auth/signup` from the HTML form; signs the new parent in.
pub async fn form_sign_up(
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> ApiResult<Response> {
    let typed = [
        ("display_name", Some(form.display_name.clone())),
        ("email", Some(form.email.clone())),
        ("municipality", form.municipality.clone()),
    ];
    let req = SignUpRequest {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name,
        municipality: form.municipality.filter(|m| !m.is_empty()),
        locale: None,
    };
    match sign_up(&state, req).await {
        Ok(_) => {
            let u = authenticate(&state, &form.email, &form.password).await?;
            let headers = start_session(&state, &u).await?;
            Ok((headers, Redirect::to(Role::Parent.home_path())).into_response())
        }
        Err(ApiError::Validation(errors)) => {
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect();
            let typed: Vec<(&str, Option<&str>)> =
                typed.iter().map(|(k, v)| (*k, v.as_deref())).collect();
            let mut headers = HeaderMap::new();
            headers.insert(
                header::SET_COOKIE,
                crate::forms::typed_cookie(&state, &typed),
            );
            Ok((
                headers,
                Redirect::to(&format!("/signup?error={}", codes.join(","))),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// A form with no fields but the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /auth/signout` from the HTML form.
pub async fn form_sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    let out = end_session(&state, &headers).await?;
    Ok((out, Redirect::to("/")).into_response())
}
