//! Data for the provider page and the coordinator's dispatch board, as the front end's
//! models (the `Backend` methods of `WebBackend` call these).

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use hagukumi_domain::Lang;
use hagukumi_domain::calendar::local_date;
use hagukumi_frontend::model::{
    DispatchData, DispatchHelper, DispatchVisit, ScheduleData, ScheduleEntry,
};
use sea_orm::EntityTrait;

use super::feed::feed_url;
use super::notify::programme_name;
use crate::api::dispatch::day_view;
use crate::api::schedule::schedule_of;
use crate::auth::CurrentUser;
use crate::entities::provider_feed_token;
use crate::error::ApiError;
use crate::state::AppState;

/// How far ahead the provider page looks.
const WEEKS_AHEAD: i64 = 4;

pub async fn schedule_data(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    flash_token: Option<&str>,
) -> Result<ScheduleData, ApiError> {
    let today = local_date(Utc::now());
    let items = schedule_of(
        state,
        user,
        Some(today),
        Some(today + Duration::days(7 * WEEKS_AHEAD)),
    )
    .await?;
    let me = super::service::me_as_provider(&state.db, user).await?;
    let has_feed = provider_feed_token::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?
        .is_some();
    Ok(ScheduleData {
        today,
        entries: items
            .into_iter()
            .map(|i| ScheduleEntry {
                visit_id: i.visit_id.to_string(),
                day: i.day,
                start: i.start,
                end: i.end,
                service: programme_name(&i.service).get(lang).to_owned(),
                family: i.family,
                area: i.area,
                notes: i.notes,
                status: i.status,
                travel_minutes: i.travel_minutes,
            })
            .collect(),
        has_feed,
        digest: super::digest::Frequency::of(&me).as_str().to_owned(),
        new_feed_url: flash_token
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|t| feed_url(&state.settings.server.public_url, t)),
    })
}

/// The next weekday after today (JST): the day a coordinator usually prepares.
fn next_weekday() -> NaiveDate {
    let mut d = local_date(Utc::now()) + Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

pub async fn dispatch_data(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    day: Option<NaiveDate>,
) -> Result<DispatchData, ApiError> {
    let day = day.unwrap_or_else(next_weekday);
    let d = day_view(state, user.municipality_id, day).await?;
    let name_of = |id: uuid::Uuid| {
        d.helpers
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.name.clone())
    };
    Ok(DispatchData {
        day,
        visits: d
            .visits
            .iter()
            .map(|v| DispatchVisit {
                id: v.id.to_string(),
                service: programme_name(&v.service).get(lang).to_owned(),
                family: v.family_label.clone(),
                area: v.area.clone(),
                window: format!("{}–{}", v.earliest_start, v.latest_start),
                duration_minutes: v.duration_minutes,
                skills: v.required_skills.clone(),
                helper_id: v.assigned_helper_id.map(|h| h.to_string()),
                helper_name: v.assigned_helper_id.and_then(name_of),
                status: v.assignment_status.clone(),
                planned_start: v.planned_start.clone(),
                pinned: v.pinned,
            })
            .collect(),
        helpers: d
            .helpers
            .iter()
            .map(|h| DispatchHelper {
                id: h.id.to_string(),
                name: h.name.clone(),
                skills: h.skills.clone(),
                hours: h
                    .from
                    .as_ref()
                    .zip(h.to.as_ref())
                    .map(|(f, t)| format!("{f}–{t}")),
            })
            .collect(),
    })
}
