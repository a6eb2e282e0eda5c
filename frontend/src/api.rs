//! Server functions: each fetches the backend from context and calls it.

use leptos::prelude::*;

use crate::model::{
    BookPage, BookingDraft, BookingView, ConfirmView, FamilyData, FinderData, MailRow,
    MunicipalityOption, ServiceCard, ServiceInfo, SessionInfo,
};

#[cfg(feature = "ssr")]
fn context() -> Result<(crate::backend::SharedBackend, http::request::Parts), ServerFnError> {
    let backend = use_context::<crate::backend::SharedBackend>()
        .ok_or_else(|| ServerFnError::new("backend missing"))?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| ServerFnError::new("request missing"))?;
    Ok((backend, parts))
}

#[server(prefix = "/sfn", endpoint = "session")]
pub async fn get_session() -> Result<SessionInfo, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .session_info(&parts)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "services")]
pub async fn list_services() -> Result<Vec<ServiceCard>, ServerFnError> {
    let (backend, parts) = context()?;
    backend.services(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "municipalities")]
pub async fn list_municipalities() -> Result<Vec<MunicipalityOption>, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .municipalities(&parts)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "family")]
pub async fn get_family() -> Result<FamilyData, ServerFnError> {
    let (backend, parts) = context()?;
    backend.family(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "finder")]
pub async fn get_finder() -> Result<FinderData, ServerFnError> {
    let (backend, parts) = context()?;
    backend.finder(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "service_info")]
pub async fn get_service_info(
    service: String,
    month: Option<chrono::NaiveDate>,
) -> Result<ServiceInfo, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .service_info(&parts, service, month)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "schedule")]
pub async fn get_schedule() -> Result<crate::model::ScheduleData, ServerFnError> {
    let (backend, parts) = context()?;
    backend.schedule(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "dispatch_day")]
pub async fn get_dispatch_day(
    day: Option<chrono::NaiveDate>,
) -> Result<crate::model::DispatchData, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .dispatch_day(&parts, day)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "book_page")]
pub async fn get_book_page(
    service: String,
    month: Option<chrono::NaiveDate>,
) -> Result<BookPage, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .book_page(&parts, service, month)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "confirm")]
pub async fn get_confirm(draft: BookingDraft) -> Result<ConfirmView, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .confirm(&parts, draft)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "my_bookings")]
pub async fn get_my_bookings() -> Result<Vec<BookingView>, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .my_bookings(&parts)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "mail_log")]
pub async fn get_mail_log() -> Result<Vec<MailRow>, ServerFnError> {
    let (backend, parts) = context()?;
    backend.mail_log(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "change_page")]
pub async fn get_change_page(
    id: String,
    draft: crate::model::ChangeDraft,
) -> Result<crate::model::ChangePage, ServerFnError> {
    let (backend, parts) = context()?;
    backend
        .change_page(&parts, id, draft)
        .await
        .map_err(ServerFnError::new)
}
