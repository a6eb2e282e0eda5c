//! Extractors: who is asking (`CurrentUser`, `MaybeUser`) and whether their role
//! may do this (`Require<R>`). Handlers never check roles themselves.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
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

/// Who the session behind a cookie token belongs to; expired sessions count
/// as none. On PostgreSQL the answer is cached in the process while no change
/// notice says a session, user or municipality changed (see
/// [`crate::db::changes`]), and never past the session's expiry.
pub async fn user_for_token(
    state: &AppState,
    token: &str,
) -> Result<Option<CurrentUser>, sea_orm::DbErr> {
    let id = token_id(token);
    let cache = &state.cached;
    let now = Utc::now();
    if let Some((user, expires)) = cache.sessions.get(&cache.changes, &id)
        && expires > now
    {
        return Ok(Some(user));
    }
    let epoch = cache.sessions.epoch(&cache.changes);
    let found = read_session(&state.reads, &id, now).await?;
    if let Some((user, expires)) = &found {
        cache
            .sessions
            .put(&cache.changes, epoch, id, (user.clone(), *expires));
    }
    Ok(found.map(|(user, _)| user))
}

/// Reads the session `id` (a token's hash) and its user, if it has not expired.
async fn read_session(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(CurrentUser, DateTime<Utc>)>, sea_orm::DbErr> {
    // One statement: every request of a signed-in person starts here.
    let (s, u, m) = (session::Entity, user::Entity, municipality::Entity);
    let stmt = Query::select()
        .expr_as(Expr::col((u, user::Column::Id)), "uid")
        .expr_as(Expr::col((u, user::Column::Email)), "email")
        .expr_as(Expr::col((u, user::Column::DisplayName)), "display_name")
        .expr_as(Expr::col((u, user::Column::Role)), "role")
        .expr_as(Expr::col((u, user::Column::Locale)), "locale")
        .expr_as(Expr::col((m, municipality::Column::Id)), "mid")
        .expr_as(Expr::col((m, municipality::Column::Code)), "code")
        .expr_as(Expr::col((m, municipality::Column::NameJa)), "name_ja")
        .expr_as(Expr::col((m, municipality::Column::NameEn)), "name_en")
        .expr_as(Expr::col((s, session::Column::ExpiresAt)), "expires_at")
        .from(s)
        .inner_join(
            u,
            Expr::col((u, user::Column::Id)).equals((s, session::Column::UserId)),
        )
        .inner_join(
            m,
            Expr::col((m, municipality::Column::Id)).equals((u, user::Column::MunicipalityId)),
        )
        .and_where(Expr::col((s, session::Column::Id)).eq(id))
        .and_where(Expr::col((s, session::Column::ExpiresAt)).gt(now))
        .to_owned();
    let Some(row) = db.query_one(&stmt).await? else {
        return Ok(None);
    };
    let Ok(role) = row.try_get::<String>("", "role")?.parse() else {
        return Ok(None);
    };
    let user = CurrentUser {
        id: row.try_get("", "uid")?,
        email: row.try_get("", "email")?,
        display_name: row.try_get("", "display_name")?,
        role,
        locale: row.try_get("", "locale")?,
        municipality_id: row.try_get("", "mid")?,
        municipality_code: row.try_get("", "code")?,
        municipality_name_ja: row.try_get("", "name_ja")?,
        municipality_name_en: row.try_get("", "name_en")?,
    };
    Ok(Some((user, row.try_get("", "expires_at")?)))
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
            Some(token) => user_for_token(state, token).await?,
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
