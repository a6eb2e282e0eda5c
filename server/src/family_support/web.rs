//! The console's pages get their data here: the same service calls as the JSON API,
//! reshaped into the front end's view types (the field names are the API's).

use axum::http::request::Parts;
use hagukumi_frontend::console::backend::ConsoleBackend;
use hagukumi_frontend::console::model::{
    BatchView, ConsoleOverview, FsBoard, FsRequestData, PersonCalendar, PersonOption, ProposalView,
    ProviderFs, QueueItem, SiteCalendar, SiteOption,
};
use hagukumi_frontend::console::reports::{FsMonthView, ReportView};
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::extract::CurrentUser;
use crate::page_data::{self, code, reshape};
use crate::state::AppState;

pub struct ConsoleWeb {
    pub state: AppState,
}

impl ConsoleWeb {
    async fn user(&self, parts: &Parts) -> Result<CurrentUser, String> {
        page_data::user(&self.state, parts).await
    }

    async fn staff(&self, parts: &Parts) -> Result<CurrentUser, String> {
        page_data::staff(&self.state, parts).await
    }
}

#[async_trait::async_trait]
impl ConsoleBackend for ConsoleWeb {
    async fn overview(&self, parts: &Parts) -> Result<ConsoleOverview, String> {
        let u = self.staff(parts).await?;
        let o = crate::api::console::overview_for(&self.state, u.municipality_id)
            .await
            .map_err(code)?;
        reshape(o)
    }

    async fn fs_board(&self, parts: &Parts) -> Result<FsBoard, String> {
        let u = self.staff(parts).await?;
        let mid = u.municipality_id;
        super::pairs::end_past_years(&self.state.db, mid)
            .await
            .map_err(code)?;
        let members = super::members::list(&self.state, mid, None)
            .await
            .map_err(code)?;
        let requests = super::requests::list(&self.state, mid)
            .await
            .map_err(code)?;
        let pairs = super::pairs::list(&self.state, &u).await.map_err(code)?;
        Ok(FsBoard {
            members: reshape(members)?,
            requests: reshape(requests)?,
            pairs: reshape(pairs)?,
        })
    }

    async fn fs_request(&self, parts: &Parts, id: String) -> Result<FsRequestData, String> {
        let u = self.staff(parts).await?;
        let id: Uuid = id.parse().map_err(|_| "not-found".to_owned())?;
        let (r, c) = super::requests::get(&self.state.db, u.municipality_id, id)
            .await
            .map_err(code)?;
        let candidates = super::matching::candidates(&self.state.db, u.municipality_id, id)
            .await
            .map_err(code)?;
        let proposals = super::proposals::list(&self.state, &u, Some(id))
            .await
            .map_err(code)?;
        Ok(FsRequestData {
            request: reshape(super::requests::out(r, Some(&c)))?,
            candidates: reshape(candidates)?,
            proposals: reshape(proposals)?,
        })
    }

    async fn batch(&self, parts: &Parts) -> Result<BatchView, String> {
        let u = self.staff(parts).await?;
        let plan = super::matching::batch_plan(&self.state.db, u.municipality_id)
            .await
            .map_err(code)?;
        reshape(plan)
    }

    async fn proposal_by_token(
        &self,
        _parts: &Parts,
        token: String,
    ) -> Result<ProposalView, String> {
        let p = super::proposals::by_token(&self.state, &token)
            .await
            .map_err(code)?;
        reshape(p)
    }

    async fn provider_fs(&self, parts: &Parts) -> Result<ProviderFs, String> {
        let u = self.user(parts).await?;
        if u.role != Role::Provider {
            return Err("unauthorized".to_owned());
        }
        let proposals = super::proposals::list(&self.state, &u, None)
            .await
            .map_err(code)?;
        let pairs = super::pairs::list(&self.state, &u).await.map_err(code)?;
        Ok(ProviderFs {
            proposals: reshape(proposals)?,
            pairs: reshape(pairs)?,
        })
    }

    async fn fs_reports(&self, parts: &Parts) -> Result<Vec<ReportView>, String> {
        let u = self.user(parts).await?;
        reshape(super::reports::list(&self.state, &u).await.map_err(code)?)
    }

    async fn fs_month(&self, parts: &Parts, month: String) -> Result<FsMonthView, String> {
        let u = self.staff(parts).await?;
        reshape(
            super::reports::month(&self.state, &u, &month)
                .await
                .map_err(code)?,
        )
    }

    async fn queue(&self, parts: &Parts) -> Result<Vec<QueueItem>, String> {
        let u = self.staff(parts).await?;
        crate::booking::waitlist::expire_lapsed(&self.state, chrono::Utc::now())
            .await
            .map_err(code)?;
        crate::booking::queue::queue(&self.state.db, u.municipality_id)
            .await
            .map_err(code)
    }

    async fn sites(&self, parts: &Parts) -> Result<Vec<SiteOption>, String> {
        let u = self.staff(parts).await?;
        crate::booking::site_calendar::sites_for(&self.state.db, &u)
            .await
            .map_err(code)
    }

    async fn site_calendar(
        &self,
        parts: &Parts,
        site: String,
        view: Option<String>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<SiteCalendar, String> {
        use crate::booking::site_calendar::{View, calendar};
        let u = self.staff(parts).await?;
        let view = View::parse(view.as_deref()).unwrap_or(View::Week);
        let date =
            date.unwrap_or_else(|| hagukumi_domain::calendar::local_date(chrono::Utc::now()));
        calendar(&self.state.db, &u, &site, view, date)
            .await
            .map_err(code)
    }

    async fn people(&self, parts: &Parts) -> Result<Vec<PersonOption>, String> {
        let u = self.staff(parts).await?;
        crate::dispatch::calendar::people_for(&self.state.db, &u)
            .await
            .map_err(code)
    }

    async fn person_calendar(
        &self,
        parts: &Parts,
        id: String,
        view: Option<String>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<PersonCalendar, String> {
        use crate::booking::site_calendar::View;
        let u = self.staff(parts).await?;
        let id: Uuid = id.parse().map_err(|_| "not-found".to_owned())?;
        let view = View::parse(view.as_deref()).unwrap_or(View::Week);
        let date =
            date.unwrap_or_else(|| hagukumi_domain::calendar::local_date(chrono::Utc::now()));
        crate::dispatch::calendar::person_calendar(&self.state.db, &u, id, view, date)
            .await
            .map_err(code)
    }
}
