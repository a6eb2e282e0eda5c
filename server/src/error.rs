//! One error type for the HTTP layer, answered as `application/problem+json`
//! (RFC 9457) in Japanese and English. Internal causes are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hagukumi_domain::{Lang, Text};
use serde::Serialize;

tokio::task_local! {
    /// The language of the request being answered (from the account, a cookie or
    /// `Accept-Language`), so errors can be worded for the person who asked.
    pub static REQUEST_LANG: Lang;
}

pub fn request_lang() -> Lang {
    REQUEST_LANG.try_with(|l| *l).unwrap_or_default()
}

/// A problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `child.birth_date`.
    pub field: String,
    pub code: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Text) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request")]
    BadRequest(Vec<FieldError>),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong credentials")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(Text),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.into())
    }
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: Text) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn parts(&self) -> (StatusCode, &'static str, Text) {
        match self {
            ApiError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                Text::new(
                    "リクエストの形式が正しくありません",
                    "The request is malformed",
                ),
            ),
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                Text::new("入力内容に誤りがあります", "Some input is not valid"),
            ),
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Text::new("ログインしてください", "Please sign in"),
            ),
            ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad-credentials",
                Text::new(
                    "メールアドレスまたはパスワードが正しくありません",
                    "The email address or password is not correct",
                ),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                Text::new(
                    "この操作の権限がありません",
                    "You are not allowed to do this",
                ),
            ),
            ApiError::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                Text::new(
                    "ページの有効期限が切れました。もう一度お試しください",
                    "This page has expired; please try again",
                ),
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not-found",
                Text::new("見つかりません", "Not found"),
            ),
            ApiError::Conflict(_) => (
                StatusCode::CONFLICT,
                "conflict",
                Text::new("予約できませんでした", "This cannot be booked"),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                Text::new(
                    "Content-Type は application/json にしてください",
                    "Content-Type must be application/json",
                ),
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                Text::new("リクエストが大きすぎます", "The request is too large"),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                Text::new(
                    "システムエラーが発生しました。時間をおいてお試しください",
                    "Something went wrong on our side; please try again later",
                ),
            ),
        }
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    titles: &'a Text,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: Vec<ProblemField<'a>>,
}

#[derive(Serialize)]
struct ProblemField<'a> {
    field: &'a str,
    code: &'a str,
    message: &'a str,
    messages: &'a Text,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            // The cause may mention rows or values; it goes to the log only.
            tracing::error!(error = %e, "internal error");
        }
        let lang = request_lang();
        let (status, kind, title) = self.parts();
        let fields: &[FieldError] = match &self {
            ApiError::BadRequest(f) | ApiError::Validation(f) => f,
            _ => &[],
        };
        let detail = match &self {
            ApiError::Conflict(t) => Some(t.get(lang)),
            _ => fields.first().map(|f| f.message.get(lang)),
        };
        let body = Problem {
            kind: format!("https://hagukumi.example/problems/{kind}"),
            title: title.get(lang),
            status: status.as_u16(),
            detail,
            titles: &title,
            errors: fields
                .iter()
                .map(|f| ProblemField {
                    field: &f.field,
                    code: &f.code,
                    message: f.message.get(lang),
                    messages: &f.message,
                })
                .collect(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = (status, json).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if lang == Lang::Ja {
            res.headers_mut()
                .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("ja"));
        } else {
            res.headers_mut()
                .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("en"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
