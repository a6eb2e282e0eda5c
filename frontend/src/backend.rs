//! The port through which server functions reach the server's services. The
//! server implements it and puts it in Leptos context, so this crate never
//! depends on the server crate.

use std::sync::Arc;

use http::request::Parts;

use crate::model::{FamilyData, FinderData, MunicipalityOption, ServiceCard, SessionInfo};

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn session_info(&self, request: &Parts) -> Result<SessionInfo, String>;
    async fn services(&self, request: &Parts) -> Result<Vec<ServiceCard>, String>;
    async fn municipalities(&self, request: &Parts) -> Result<Vec<MunicipalityOption>, String>;
    /// The signed-in parent's household and children; `Err("unauthorized")` otherwise.
    async fn family(&self, request: &Parts) -> Result<FamilyData, String>;
    /// The family, the municipality's rules and its services, for the finder.
    async fn finder(&self, request: &Parts) -> Result<FinderData, String>;
    /// The coordinator console and Family Support pages (issue 7).
    fn console(&self) -> Option<crate::console::backend::SharedConsole> {
        None
    }
    /// The signed-in provider's schedule and feed status; `Err("unauthorized")` otherwise.
    async fn schedule(&self, request: &Parts) -> Result<crate::model::ScheduleData, String>;
    /// The coordinator's dispatch board for `day` (default: the next weekday).
    async fn dispatch_day(
        &self,
        request: &Parts,
        day: Option<chrono::NaiveDate>,
    ) -> Result<crate::model::DispatchData, String>;
}

pub type SharedBackend = Arc<dyn Backend>;
