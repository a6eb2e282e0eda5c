//! What the page back ends (console, Home-Start) share: the signed-in user from the
//! session cookie, the staff check, error codes the pages understand, and the API
//! shape → page shape conversion (the field names are the API's).

use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Role;
use crate::auth::extract::{CurrentUser, user_for_token};
use crate::auth::session::{SESSION_COOKIE, cookie};
use crate::error::ApiError;
use crate::state::AppState;

/// API shape → page shape.
pub fn reshape<A: Serialize, V: DeserializeOwned>(a: A) -> Result<V, String> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            tracing::error!(error = %e, "page view");
            "unavailable".to_owned()
        })
}

/// The error code a page shows for a service error.
pub fn code(e: ApiError) -> String {
    match e {
        ApiError::NotFound => "not-found".to_owned(),
        ApiError::Forbidden | ApiError::Unauthenticated => "unauthorized".to_owned(),
        other => {
            tracing::error!(error = %other, "page data");
            "unavailable".to_owned()
        }
    }
}

/// The signed-in user of the request.
pub async fn user(state: &AppState, parts: &Parts) -> Result<CurrentUser, String> {
    let token = cookie(&parts.headers, SESSION_COOKIE).ok_or("unauthorized")?;
    user_for_token(state, token)
        .await
        .map_err(|_| "unavailable".to_owned())?
        .ok_or_else(|| "unauthorized".to_owned())
}

/// The signed-in coordinator or administrator of the request.
pub async fn staff(state: &AppState, parts: &Parts) -> Result<CurrentUser, String> {
    let u = user(state, parts).await?;
    match u.role {
        Role::Coordinator | Role::Admin => Ok(u),
        _ => Err("unauthorized".to_owned()),
    }
}
