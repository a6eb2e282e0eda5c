//! Server functions of the console: each fetches the console port and calls it.

use leptos::prelude::*;

use super::model::{
    BatchView, ConsoleOverview, FsBoard, FsRequestData, PersonCalendar, PersonOption, ProposalView,
    ProviderFs, QueueItem, SiteCalendar, SiteOption,
};

#[cfg(feature = "ssr")]
pub(super) fn context()
-> Result<(super::backend::SharedConsole, http::request::Parts), ServerFnError> {
    let backend = use_context::<crate::backend::SharedBackend>()
        .ok_or_else(|| ServerFnError::new("backend missing"))?;
    let console = backend
        .console()
        .ok_or_else(|| ServerFnError::new("console missing"))?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| ServerFnError::new("request missing"))?;
    Ok((console, parts))
}

#[server(prefix = "/sfn", endpoint = "console_overview")]
pub async fn get_overview() -> Result<ConsoleOverview, ServerFnError> {
    let (c, parts) = context()?;
    c.overview(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "fs_board")]
pub async fn get_fs_board() -> Result<FsBoard, ServerFnError> {
    let (c, parts) = context()?;
    c.fs_board(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "fs_request")]
pub async fn get_fs_request(id: String) -> Result<FsRequestData, ServerFnError> {
    let (c, parts) = context()?;
    c.fs_request(&parts, id).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "fs_batch")]
pub async fn get_batch() -> Result<BatchView, ServerFnError> {
    let (c, parts) = context()?;
    c.batch(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "fs_link")]
pub async fn get_proposal_by_token(token: String) -> Result<ProposalView, ServerFnError> {
    let (c, parts) = context()?;
    c.proposal_by_token(&parts, token)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "provider_fs")]
pub async fn get_provider_fs() -> Result<ProviderFs, ServerFnError> {
    let (c, parts) = context()?;
    c.provider_fs(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "console_queue")]
pub async fn get_queue() -> Result<Vec<QueueItem>, ServerFnError> {
    let (c, parts) = context()?;
    c.queue(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "console_sites")]
pub async fn get_sites() -> Result<Vec<SiteOption>, ServerFnError> {
    let (c, parts) = context()?;
    c.sites(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "console_site_calendar")]
pub async fn get_site_calendar(
    site: String,
    view: Option<String>,
    date: Option<chrono::NaiveDate>,
) -> Result<SiteCalendar, ServerFnError> {
    let (c, parts) = context()?;
    c.site_calendar(&parts, site, view, date)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "console_people")]
pub async fn get_people() -> Result<Vec<PersonOption>, ServerFnError> {
    let (c, parts) = context()?;
    c.people(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "console_person_calendar")]
pub async fn get_person_calendar(
    id: String,
    view: Option<String>,
    date: Option<chrono::NaiveDate>,
) -> Result<PersonCalendar, ServerFnError> {
    let (c, parts) = context()?;
    c.person_calendar(&parts, id, view, date)
        .await
        .map_err(ServerFnError::new)
}
