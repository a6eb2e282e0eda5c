//! Extractors: who is asking (`CurrentUser`, `MaybeUser`) and whether their role
//! may do this (`Require<R>`). Handlers never check roles themselves.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::role::{Role, RoleSet};
use crate::auth::session::{SESSION_COOKIE, cookie, token_id};
use crate::entities::{municipality, session, user};
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in person, with the municipality whose data they may see.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: String,
    pub municipality_id: Uuid,
    pub municipality_code: String,
    pub municipality_name_ja: String,
    pub municipality_name_en: String,
}

/// Looks up the session behind a cookie token; expired sessions count as none.
pub async fn user_for_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<CurrentUser>, sea_orm::DbErr> {
    let Some(s) = session::Entity::find_by_id(token_id(token))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find_by_id(s.user_id).one(db).await? else {
        return Ok(None);
    };
    let Some(m) = municipality::Entity::find_by_id(u.municipality_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Ok(role) = u.role.parse() else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        role,
        locale: u.locale,
        municipality_id: m.id,
        municipality_code: m.code,
        municipality_name_ja: m.name_ja,
        municipality_name_en: m.name_en,
    }))
}

/// The signed-in person, if any. Cached per request.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(cached) = parts.extensions.get::<MaybeUser>() {
            return Ok(cached.clone());
        }
        let found = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(token) => user_for_token(&state.db, token).await?,
            None => None,
        };
        let value = MaybeUser(found);
        parts.extensions.insert(value.clone());
        Ok(value)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        MaybeUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(ApiError::Unauthenticated)
    }
}

/// A signed-in person whose role is in `R`; otherwise 401 or 403.
pub struct Require<R: RoleSet>(pub CurrentUser, PhantomData<R>);

impl<R: RoleSet> std::ops::Deref for Require<R> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl<R: RoleSet> FromRequestParts<AppState> for Require<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if R::ROLES.contains(&user.role) {
            Ok(Require(user, PhantomData))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
