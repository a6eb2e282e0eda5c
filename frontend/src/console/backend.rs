//! The console's port: the server implements it and hands it out through
//! `Backend::console`, so this crate never depends on the server.

use std::sync::Arc;

use http::request::Parts;

use super::model::{
    BatchView, ConsoleOverview, FsBoard, FsRequestData, PersonCalendar, PersonOption, ProposalView,
    ProviderFs, QueueItem, SiteCalendar, SiteOption,
};
use super::reports::{FsMonthView, ReportView};

/// Errors are short codes: `unauthorized`, `not-found`, `unavailable`.
#[async_trait::async_trait]
pub trait ConsoleBackend: Send + Sync + 'static {
    async fn overview(&self, request: &Parts) -> Result<ConsoleOverview, String>;
    async fn fs_board(&self, request: &Parts) -> Result<FsBoard, String>;
    async fn fs_request(&self, request: &Parts, id: String) -> Result<FsRequestData, String>;
    async fn batch(&self, request: &Parts) -> Result<BatchView, String>;
    /// The proposal behind an accept link (no sign-in: the token is the credential).
    async fn proposal_by_token(
        &self,
        request: &Parts,
        token: String,
    ) -> Result<ProposalView, String>;
    /// The signed-in provider's proposals and pairs.
    async fn provider_fs(&self, request: &Parts) -> Result<ProviderFs, String>;
    /// Activity reports the viewer may see (provider: own; family: filed ones).
    async fn fs_reports(&self, request: &Parts) -> Result<Vec<ReportView>, String>;
    /// Staff: the month's activities and reports per pair (`month` as `2026-11`).
    async fn fs_month(&self, request: &Parts, month: String) -> Result<FsMonthView, String>;
    /// Requests waiting for approval, oldest first.
    async fn queue(&self, request: &Parts) -> Result<Vec<QueueItem>, String>;
    /// The sites whose calendars the coordinator may open.
    async fn sites(&self, request: &Parts) -> Result<Vec<SiteOption>, String>;
    /// A site's calendar: `view` is `day`, `week` or `month` around `date`.
    async fn site_calendar(
        &self,
        request: &Parts,
        site: String,
        view: Option<String>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<SiteCalendar, String>;
    /// The municipality's providers.
    async fn people(&self, request: &Parts) -> Result<Vec<PersonOption>, String>;
    /// A provider's visits around `date`.
    async fn person_calendar(
        &self,
        request: &Parts,
        id: String,
        view: Option<String>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<PersonCalendar, String>;
}

pub type SharedConsole = Arc<dyn ConsoleBackend>;
