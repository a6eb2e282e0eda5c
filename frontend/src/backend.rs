//! The port through which server functions reach the server's services. The
//! server implements it and puts it in Leptos context, so this crate never
//! depends on the server crate.

use std::sync::Arc;

use http::request::Parts;

use crate::model::{
    BookPage, BookingDraft, BookingView, ConfirmView, FamilyData, FinderData, MailRow,
    MunicipalityOption, ServiceCard, ServiceInfo, SessionInfo,
};

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
    /// The Home-Start pages (issue 7 item 7).
    fn home_start(&self) -> Option<crate::home_start::port::SharedHomeStart> {
        None
    }
    /// One service of the visitor's municipality with its rules in plain words and
    /// the calendar of `month` (default: this month), for the embedded widget.
    async fn service_info(
        &self,
        request: &Parts,
        service: String,
        month: Option<chrono::NaiveDate>,
    ) -> Result<ServiceInfo, String>;
    /// The month calendar and booking form of a service for the signed-in parent.
    async fn book_page(
        &self,
        request: &Parts,
        service: String,
        month: Option<chrono::NaiveDate>,
    ) -> Result<BookPage, String>;
    /// The quote and checks for a draft, writing nothing.
    async fn confirm(&self, request: &Parts, draft: BookingDraft) -> Result<ConfirmView, String>;
    /// The newest messages of the outbox of the staff member's municipality.
    async fn mail_log(&self, request: &Parts) -> Result<Vec<MailRow>, String>;
    /// The change page of one of the parent's bookings, checking `draft` if a time was chosen.
    async fn change_page(
        &self,
        request: &Parts,
        id: String,
        draft: crate::model::ChangeDraft,
    ) -> Result<crate::model::ChangePage, String>;
    /// The signed-in parent's bookings, newest first.
    async fn my_bookings(&self, request: &Parts) -> Result<Vec<BookingView>, String>;
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
