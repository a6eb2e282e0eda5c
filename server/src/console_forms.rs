//! HTML form posts of the approval queue and the site calendars. They work without
//! JavaScript: each calls the same service function as the JSON API and redirects
//! back with `saved=…` or `error=field:code` (a refused action gives `error=conflict`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use chrono::{NaiveDate, NaiveTime};
use hagukumi_domain::Text;
use hagukumi_domain::booking::{Actor, Event};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::bookings::note_from;
use crate::auth::csrf::CsrfForm;
use crate::auth::{Require, Staff};
use crate::booking::resource::ShiftSetting;
use crate::booking::site_admin::{
    self, CloseDayIn, ExtraBedsIn, ExtraShiftIn, ReopenDayIn, RosterIn,
};
use crate::booking::{service, site_calendar};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::family_support::forms::{back, encode};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/coordinator/queue/{id}/{action}", post(queue_action))
        .route("/coordinator/calendar/{code}/{change}", post(site_change))
        .route(
            "/coordinator/calendar/{code}/bookings/{id}/cancel",
            post(cancel_hit),
        )
}

#[derive(Deserialize)]
struct QueueForm {
    reason: Option<String>,
    note: Option<String>,
}

async fn queue_action(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path((id, action)): Path<(Uuid, String)>,
    CsrfForm(f): CsrfForm<QueueForm>,
) -> ApiResult<Response> {
    let outcome = async {
        let (event, note, saved) = match action.as_str() {
            "approve" => (Event::Approve, None, "approved"),
            "decline" => (
                Event::Decline,
                note_from("reason", f.reason.as_deref(), true)?,
                "request_declined",
            ),
            "waitlist" => (
                Event::MoveToWaitlist,
                note_from("note", f.note.as_deref(), false)?,
                "waitlisted",
            ),
            _ => return Err(ApiError::NotFound),
        };
        service::act_with_note(&state, &user, id, event, note).await?;
        Ok(saved.to_owned())
    }
    .await;
    if matches!(outcome, Err(ApiError::NotFound)) {
        return Err(ApiError::NotFound);
    }
    back("/coordinator/queue", outcome)
}

fn bad(field: &str, ja: &str, en: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, "invalid", Text::new(ja, en))])
}

fn date(raw: &Option<String>) -> ApiResult<NaiveDate> {
    raw.as_deref()
        .map(str::trim)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("date", "日付を入力してください", "Enter a date"))
}

fn number(field: &str, raw: &Option<String>) -> ApiResult<u32> {
    raw.as_deref()
        .map(str::trim)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(field, "数を入力してください", "Enter a number"))
}

fn time(field: &str, raw: &Option<String>) -> ApiResult<NaiveTime> {
    raw.as_deref()
        .map(str::trim)
        .and_then(|s| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .ok_or_else(|| bad(field, "時刻を入力してください", "Enter a time"))
}

/// Every field a calendar form may send; roster rows are `rrule_0`, `start_0`, … .
#[derive(Deserialize)]
struct SiteForm {
    date: Option<String>,
    beds: Option<String>,
    start: Option<String>,
    hours: Option<String>,
    staff: Option<String>,
    reason: Option<String>,
    /// Where to come back to (`view` and `date` of the calendar).
    back: Option<String>,
    #[serde(flatten)]
    rows: std::collections::HashMap<String, String>,
}

/// The calendar page to return to: only this site's own page.
fn page(code: &str, back: &Option<String>) -> String {
    let base = format!("/coordinator/calendar/{}", encode(code));
    match back.as_deref() {
        Some(q)
            if q.chars()
                .all(|c| c.is_ascii_alphanumeric() || "=&-".contains(c)) =>
        {
            format!("{base}?{q}")
        }
        _ => base,
    }
}

fn roster_rows(rows: &std::collections::HashMap<String, String>) -> ApiResult<Vec<ShiftSetting>> {
    let mut shifts = Vec::new();
    for i in 0..20 {
        let get = |k: &str| rows.get(&format!("{k}_{i}")).cloned();
        let Some(rrule) = get("rrule").map(|r| r.trim().to_owned()) else {
            break;
        };
        if rrule.is_empty() {
            continue;
        }
        shifts.push(ShiftSetting {
            rrule,
            start: time(&format!("shifts[{i}].start"), &get("start"))?,
            hours: number(&format!("shifts[{i}].hours"), &get("hours"))?,
            staff: number(&format!("shifts[{i}].staff"), &get("staff"))?,
        });
    }
    Ok(shifts)
}

async fn site_change(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path((code, change)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<SiteForm>,
) -> ApiResult<Response> {
    // Unknown sites are 404 before anything else.
    site_calendar::site_for(&state.db, &user, &code).await?;
    let outcome = async {
        let out = match change.as_str() {
            "extra-beds" => {
                let input = ExtraBedsIn {
                    date: date(&f.date)?,
                    beds: number("beds", &f.beds)?,
                };
                site_admin::add_beds(&state, &user, &code, input).await?
            }
            "extra-shifts" => {
                let input = ExtraShiftIn {
                    date: date(&f.date)?,
                    start: time("start", &f.start)?,
                    hours: number("hours", &f.hours)?,
                    staff: number("staff", &f.staff)?,
                };
                site_admin::add_shift(&state, &user, &code, input).await?
            }
            "closures" => {
                let input = CloseDayIn {
                    date: date(&f.date)?,
                    reason: f.reason.clone().unwrap_or_default(),
                };
                site_admin::close_day(&state, &user, &code, input).await?
            }
            "reopen" => {
                let input = ReopenDayIn {
                    date: date(&f.date)?,
                };
                site_admin::reopen_day(&state, &user, &code, input).await?
            }
            "roster" => {
                let input = RosterIn {
                    shifts: roster_rows(&f.rows)?,
                };
                site_admin::set_roster(&state, &user, &code, input).await?
            }
            _ => return Err(ApiError::NotFound),
        };
        Ok(format!(
            "{change}&offered={}&affected={}",
            out.offered.len(),
            out.affected.len()
        ))
    }
    .await;
    if matches!(outcome, Err(ApiError::NotFound)) {
        return Err(ApiError::NotFound);
    }
    back(&page(&code, &f.back), outcome)
}

#[derive(Deserialize)]
struct CancelForm {
    back: Option<String>,
}

/// The center cancels a booking hit by a closure (free of charge; the family is mailed).
async fn cancel_hit(
    State(state): State<AppState>,
    user: Require<Staff>,
    Path((code, id)): Path<(String, Uuid)>,
    CsrfForm(f): CsrfForm<CancelForm>,
) -> ApiResult<Response> {
    site_calendar::site_for(&state.db, &user, &code).await?;
    let outcome = service::act(
        &state,
        &user,
        id,
        Event::Cancel {
            by: Actor::Coordinator,
        },
    )
    .await
    .map(|_| "cancelled".to_owned());
    back(&page(&code, &f.back), outcome)
}
