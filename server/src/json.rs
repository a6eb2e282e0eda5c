//! `ApiJson<T>` and `ApiQuery<T>`: body and query extractors whose every
//! failure is a problem+json naming the field (malformed JSON → 400; unknown
//! field, wrong type, missing field → 422), instead of axum's plain-text
//! rejections.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hagukumi_domain::Text;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(vec![])
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters, parsed with the same field-level problems as bodies.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                field_problem(path, &err.into_inner().to_string())
            })
    }
}

/// Deserialises `bytes`, turning serde's error into a field-level problem.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let msg = inner.to_string();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest(vec![FieldError::new(
                "",
                "malformed_json",
                Text::new(
                    format!(
                        "JSON の形式が正しくありません（{}行 {}文字目）",
                        inner.line(),
                        inner.column()
                    ),
                    format!(
                        "malformed JSON at line {} column {}",
                        inner.line(),
                        inner.column()
                    ),
                ),
            )]);
        }
        field_problem(path, &msg)
    })
}

/// A 422 naming the field, from serde's message about it.
fn field_problem(path: String, msg: &str) -> ApiError {
    {
        let join = |name: &str| {
            if path.is_empty() || path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let quoted = msg.split('`').nth(1).unwrap_or_default().to_owned();
        let (field, code, ja) = if msg.starts_with("unknown field") {
            (
                path.clone(),
                "unknown_field",
                "この項目は使えません".to_owned(),
            )
        } else if msg.starts_with("missing field") {
            (join(&quoted), "required", "必須項目です".to_owned())
        } else if msg.starts_with("unknown variant") {
            (path.clone(), "unknown_value", "使えない値です".to_owned())
        } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
            (
                path.clone(),
                "invalid_type",
                "値の種類が正しくありません".to_owned(),
            )
        } else {
            (path.clone(), "invalid", "値が正しくありません".to_owned())
        };
        let field = if field == "." { String::new() } else { field };
        // serde's wording is precise and in English; keep it for the English text.
        let en = strip_position(msg);
        ApiError::Validation(vec![FieldError::new(
            field.clone(),
            code,
            Text::new(format!("{field}: {ja}"), format!("{field}: {en}")),
        )])
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        birth_date: chrono::NaiveDate,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        email: String,
        child: Inner,
    }

    fn field_of(err: ApiError) -> (String, String) {
        match err {
            ApiError::Validation(f) | ApiError::BadRequest(f) => {
                (f[0].field.clone(), f[0].code.clone())
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        let e = parse::<Outer>(br#"{"email":"a","child":{"birth_date":"x"}}"#).unwrap_err();
        assert_eq!(field_of(e), ("child.birth_date".into(), "invalid".into()));
        let e = parse::<Outer>(br#"{"email":"a","child":{"birth_date":"2020-01-01"},"x":1}"#)
            .unwrap_err();
        assert_eq!(field_of(e), ("x".into(), "unknown_field".into()));
        let e = parse::<Outer>(br#"{"child":{"birth_date":"2020-01-01"}}"#).unwrap_err();
        assert_eq!(field_of(e), ("email".into(), "required".into()));
        let e = parse::<Outer>(br#"{"email":5}"#).unwrap_err();
        assert_eq!(field_of(e), ("email".into(), "invalid_type".into()));
        let e = parse::<Outer>(br#"{"email":"#).unwrap_err();
        assert!(matches!(e, ApiError::BadRequest(_)));
    }
}
