//! CSRF protection by double submit: every browser gets a random `hgk_csrf`
//! cookie; a state-changing request must echo it, in the `csrf` field of a form
//! or in the `X-CSRF-Token` header of an API call made with a session cookie.
//! A cross-site page can make the browser send the cookie but cannot read it.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::auth::session::{SESSION_COOKIE, cookie, new_token, set_cookie};
use crate::error::ApiError;

pub const CSRF_COOKIE: &str = "hgk_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF token of this browser, available to pages that render forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Whether cookies must carry `Secure` (set from settings in the router).
#[derive(Clone, Copy, Debug)]
pub struct SecureCookies(pub bool);

fn same(a: &str, b: &str) -> bool {
    // Constant-time comparison: the token must not leak byte by byte.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Issues the cookie when missing and checks the header on API writes that
/// ride on a session cookie.
pub async fn layer(mut req: Request, next: Next) -> Result<Response, ApiError> {
    let secure = req
        .extensions()
        .get::<SecureCookies>()
        .map(|s| s.0)
        .unwrap_or(false);
    let existing = cookie(req.headers(), CSRF_COOKIE).map(str::to_owned);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && req.uri().path().starts_with("/api/") {
        let has_session = cookie(req.headers(), SESSION_COOKIE).is_some();
        if has_session {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            match &existing {
                Some(c) if same(c, sent) => {}
                _ => return Err(ApiError::Csrf),
            }
        }
    }
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (new_token(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    if fresh {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, 60 * 60 * 24 * 365, secure, false),
        );
    }
    Ok(res)
}

/// A form body whose `csrf` field must match the cookie.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct WithToken<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    inner: T,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let cookie_token = cookie(req.headers(), CSRF_COOKIE).map(str::to_owned);
        let axum::Form(WithToken { csrf, inner }) =
            axum::Form::<WithToken<T>>::from_request(req, state)
                .await
                .map_err(|_| ApiError::BadRequest(vec![]))?;
        match cookie_token {
            Some(c) if same(&c, &csrf) => Ok(CsrfForm(inner)),
            _ => Err(ApiError::Csrf),
        }
    }
}

pub fn no_store() -> HeaderValue {
    HeaderValue::from_static("no-store")
}
