//! A person's calendar for coordinators: a helper's or visitor's visits by day, week
//! or month, with the minutes booked each day. Only the municipality's own providers;
//! visits show the family-name initial and the area, as on the dispatch board.

use chrono::NaiveDate;
use hagukumi_domain::{ServiceId, Text};
use hagukumi_frontend::console::model::{PersonCalendar, PersonDay, PersonOption, PersonVisit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::schedule::{hhmm, items};
use crate::auth::CurrentUser;
use crate::booking::site_calendar::View;
use crate::entities::provider;
use crate::error::{ApiError, ApiResult};

fn option(p: &provider::Model) -> PersonOption {
    PersonOption {
        id: p.id.to_string(),
        name: p.display_name.clone(),
        kind: p.kind.clone(),
    }
}

/// The municipality's providers, by name.
pub async fn people_for(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<Vec<PersonOption>> {
    Ok(provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .order_by_asc(provider::Column::DisplayName)
        .all(conn)
        .await?
        .iter()
        .map(option)
        .collect())
}

/// The visits of provider `id` around `date`; another municipality's provider is a 404.
pub async fn person_calendar(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    id: Uuid,
    view: View,
    date: NaiveDate,
) -> ApiResult<PersonCalendar> {
    let p = provider::Entity::find_by_id(id)
        .filter(provider::Column::MunicipalityId.eq(user.municipality_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (from, to, prev, next) = view.span(date);
    let all = items(conn, &p, from, to).await?;
    let days = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| {
            let visits: Vec<PersonVisit> = all
                .iter()
                .filter(|i| i.visit.day == d)
                .map(|i| PersonVisit {
                    start: hhmm(i.start_min),
                    end: hhmm(i.end_min),
                    service_name: i
                        .visit
                        .service_key
                        .parse::<ServiceId>()
                        .map(|s| s.name())
                        .unwrap_or_else(|_| {
                            Text::new(i.visit.service_key.clone(), i.visit.service_key.clone())
                        }),
                    family_label: i.visit.family_label.clone(),
                    area: i.visit.area.clone(),
                    assignment_status: i.visit.assignment_status.clone(),
                })
                .collect();
            let minutes = all
                .iter()
                .filter(|i| i.visit.day == d)
                .map(|i| i.end_min - i.start_min)
                .sum();
            PersonDay {
                date: d,
                visits,
                minutes,
            }
        })
        .collect();
    Ok(PersonCalendar {
        person: option(&p),
        view: view.code().to_owned(),
        date,
        from,
        to,
        prev,
        next,
        days,
    })
}
