//! The provider's schedule as read models: each visit with its time, and the travel from
//! the previous place (home or the visit before) at the dispatch speed.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

use super::problem::DEFAULT_SPEED_M_PER_MIN;
use super::service::visits_of;
use crate::entities::{helper_visit, provider};

#[derive(Debug, Clone)]
pub struct Item {
    pub visit: helper_visit::Model,
    pub start_min: i32,
    pub end_min: i32,
    /// Minutes on the way from the previous place; `None` when the start is unknown.
    pub travel_min: Option<i32>,
}

/// Straight-line metres between two positions (equirectangular; exact within a city).
pub fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat0 = ((a.0 + b.0) / 2.0).to_radians();
    let dx = (b.1 - a.1) * 111_320.0 * lat0.cos();
    let dy = (b.0 - a.0) * 110_574.0;
    dx.hypot(dy)
}

pub async fn items(
    conn: &impl ConnectionTrait,
    p: &provider::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Item>, DbErr> {
    let home = {
        let h = &p.profile["home"];
        h["lat"].as_f64().zip(h["lon"].as_f64())
    };
    let mut rows = visits_of(conn, p.id, from, to).await?;
    rows.sort_by_key(|v| (v.day, v.planned_start_min.unwrap_or(v.window_start_min)));
    let mut out: Vec<Item> = Vec::with_capacity(rows.len());
    let mut prev: Option<(NaiveDate, (f64, f64))> = None;
    for v in rows {
        let here = (v.lat, v.lon);
        let from_place = match prev {
            Some((d, place)) if d == v.day => Some(place),
            _ => home,
        };
        let travel_min =
            from_place.map(|f| (metres(f, here) / DEFAULT_SPEED_M_PER_MIN).ceil() as i32);
        let start_min = v.planned_start_min.unwrap_or(v.window_start_min);
        prev = Some((v.day, here));
        out.push(Item {
            start_min,
            end_min: start_min + v.duration_min,
            travel_min,
            visit: v,
        });
    }
    Ok(out)
}

/// `HH:MM` of minutes after midnight.
pub fn hhmm(m: i32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}
