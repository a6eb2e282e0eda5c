//! The Home-Start pages' data: the same service calls as the JSON API, reshaped into the
//! front end's view types (the field names are the API's).

use axum::http::request::Parts;
use chrono::{NaiveDateTime, Utc};
use hagukumi_domain::calendar::local_date;
use hagukumi_frontend::home_start::port::HomeStartBackend;
use hagukumi_frontend::home_start::{HsBoard, HsHousehold, HsPlan, HsPlanPage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::{self, SeriesIn};
use crate::auth::Role;
use crate::auth::extract::CurrentUser;
use crate::entities::{child, household};
use crate::error::ApiError;
use crate::page_data::{self, code, reshape};
use crate::state::AppState;

pub struct HomeStartWeb {
    pub state: AppState,
}

impl HomeStartWeb {
    async fn user(&self, parts: &Parts) -> Result<CurrentUser, String> {
        page_data::user(&self.state, parts).await
    }

    async fn staff(&self, parts: &Parts) -> Result<CurrentUser, String> {
        page_data::staff(&self.state, parts).await
    }
}

#[async_trait::async_trait]
impl HomeStartBackend for HomeStartWeb {
    async fn board(&self, parts: &Parts) -> Result<HsBoard, String> {
        let u = self.staff(parts).await?;
        let plans = service::list(&self.state.db, &u).await.map_err(code)?;
        let homes = household::Entity::find()
            .filter(household::Column::MunicipalityId.eq(u.municipality_id))
            .order_by_asc(household::Column::CreatedAt)
            .all(&self.state.db)
            .await
            .map_err(|e| code(e.into()))?;
        let mut households = vec![];
        for h in homes {
            let first = child::Entity::find()
                .filter(child::Column::HouseholdId.eq(h.id))
                .one(&self.state.db)
                .await
                .map_err(|e| code(e.into()))?;
            let initial = first
                .and_then(|c| c.family_name.chars().next())
                .map(|c| format!("{c}様"))
                .unwrap_or_else(|| "ご家庭".to_owned());
            households.push(HsHousehold {
                id: h.id.to_string(),
                label: format!("{initial} {}", h.area.unwrap_or_default()),
            });
        }
        let (min_visits, max_visits) = match super::service::plan_limits(
            &self.state.db,
            u.municipality_id,
            local_date(Utc::now()),
        )
        .await
        {
            Ok(l) => (l.min_visits, l.max_visits),
            Err(_) => (4, 6),
        };
        Ok(HsBoard {
            today: local_date(Utc::now()),
            plans: reshape(plans)?,
            households,
            min_visits,
            max_visits,
        })
    }

    async fn plan(
        &self,
        parts: &Parts,
        id: String,
        rrule: Option<String>,
        first_start: Option<String>,
    ) -> Result<HsPlanPage, String> {
        let u = self.staff(parts).await?;
        let id: Uuid = id.parse().map_err(|_| "not-found".to_owned())?;
        let p = service::plan_for(&self.state.db, &u, id, false)
            .await
            .map_err(code)?;
        let plan = service::plan_out(&self.state.db, p).await.map_err(code)?;
        let visitors = service::visitors(&self.state, &u, id).await.map_err(code)?;
        let rrule = rrule.unwrap_or_default();
        let first = first_start.unwrap_or_default();
        let (mut preview, mut preview_error) = (None, None);
        if !rrule.trim().is_empty() && !first.trim().is_empty() {
            match NaiveDateTime::parse_from_str(first.trim(), "%Y-%m-%dT%H:%M") {
                Ok(first_start) => {
                    match service::preview(
                        &self.state,
                        &u,
                        id,
                        SeriesIn {
                            rrule: rrule.clone(),
                            first_start,
                        },
                    )
                    .await
                    {
                        Ok(p) => preview = Some(reshape(p)?),
                        Err(ApiError::Conflict(t)) => preview_error = Some((t.ja, t.en)),
                        Err(ApiError::Validation(errs)) => {
                            let ja: Vec<String> =
                                errs.iter().map(|e| e.message.ja.clone()).collect();
                            let en: Vec<String> =
                                errs.iter().map(|e| e.message.en.clone()).collect();
                            preview_error = Some((ja.join(" "), en.join(" ")));
                        }
                        Err(e) => return Err(code(e)),
                    }
                }
                Err(_) => {
                    preview_error = Some((
                        "初回の日時が正しくありません".to_owned(),
                        "The first visit's time is not valid".to_owned(),
                    ))
                }
            }
        }
        Ok(HsPlanPage {
            plan: reshape(plan)?,
            visitors: reshape(visitors)?,
            preview,
            preview_error,
            rrule,
            first_start: first,
        })
    }

    async fn mine(&self, parts: &Parts) -> Result<Vec<HsPlan>, String> {
        let u = self.user(parts).await?;
        if u.role != Role::Parent {
            return Err("unauthorized".to_owned());
        }
        let plans = service::list(&self.state.db, &u).await.map_err(code)?;
        reshape(plans)
    }
}
