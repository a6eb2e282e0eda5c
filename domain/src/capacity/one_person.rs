//! One person at a time (helpers, home visitors, Family Support providers), with a travel
//! buffer between consecutive visits.
//!
//! The buffer between two visits is the configured minimum, or, when both places are
//! known and a travel speed is set, the estimated travel time if that is longer. A visit
//! that starts exactly one buffer after the previous one ends fits.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::fmt::{span_en, span_ja, time};
use super::{CapacityModel, Conflict, ConflictCode, Occupancy, Request};
use crate::Text;
use crate::availability::{Instant, Interval};

/// A point on Earth. Latitude in [-90, 90], longitude in [-180, 180], both finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = BadGeoPoint;
    fn try_from(r: RawPoint) -> Result<Self, Self::Error> {
        GeoPoint::new(r.lat, r.lon)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("({lat}, {lon}) is not a latitude/longitude")]
pub struct BadGeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, BadGeoPoint> {
        if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
            Ok(GeoPoint { lat, lon })
        } else {
            Err(BadGeoPoint { lat, lon })
        }
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn km_to(&self, other: &GeoPoint) -> f64 {
        const EARTH_KM: f64 = 6371.0;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_KM * a.sqrt().min(1.0).asin()
    }
}

/// How travel time is estimated from coordinates: straight-line distance × detour factor
/// at a speed, rounded up to whole steps (people plan in 5 or 10 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSpeed")]
pub struct TravelSpeed {
    km_per_hour: f64,
    detour_factor: f64,
    round_up_to_minutes: u32,
}

#[derive(Deserialize)]
struct RawSpeed {
    km_per_hour: f64,
    detour_factor: f64,
    round_up_to_minutes: u32,
}

impl TryFrom<RawSpeed> for TravelSpeed {
    type Error = BadTravelSpeed;
    fn try_from(r: RawSpeed) -> Result<Self, Self::Error> {
        TravelSpeed::new(r.km_per_hour, r.detour_factor, r.round_up_to_minutes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("travel speed needs a positive speed, a detour factor ≥ 1 and a positive rounding step")]
pub struct BadTravelSpeed;

impl TravelSpeed {
    pub fn new(
        km_per_hour: f64,
        detour_factor: f64,
        round_up_to_minutes: u32,
    ) -> Result<Self, BadTravelSpeed> {
        if km_per_hour.is_finite()
            && km_per_hour > 0.0
            && detour_factor.is_finite()
            && detour_factor >= 1.0
            && round_up_to_minutes > 0
        {
            Ok(TravelSpeed {
                km_per_hour,
                detour_factor,
                round_up_to_minutes,
            })
        } else {
            Err(BadTravelSpeed)
        }
    }

    /// A bicycle in a Tokyo suburb: 12 km/h, roads 1.3× the straight line, 5-minute steps.
    pub fn bicycle() -> Self {
        TravelSpeed {
            km_per_hour: 12.0,
            detour_factor: 1.3,
            round_up_to_minutes: 5,
        }
    }

    pub fn minutes(&self, from: &GeoPoint, to: &GeoPoint) -> u32 {
        let raw = from.km_to(to) * self.detour_factor / self.km_per_hour * 60.0;
        let step = f64::from(self.round_up_to_minutes);
        // Saturating float→int conversion; distances on Earth stay far below u32::MAX.
        let rounded = (raw / step).ceil() * step;
        rounded as u32
    }
}

/// The one-person model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OnePerson {
    /// Minimum gap between two visits, whatever the distance.
    pub buffer_minutes: u32,
    /// Estimate travel from coordinates when both visits have a location.
    #[serde(default)]
    pub travel: Option<TravelSpeed>,
}

impl OnePerson {
    pub fn new(buffer_minutes: u32) -> Self {
        OnePerson {
            buffer_minutes,
            travel: None,
        }
    }

    pub fn with_travel(mut self, speed: TravelSpeed) -> Self {
        self.travel = Some(speed);
        self
    }

    /// Minutes needed between visits at `a` and `b`.
    pub fn buffer_between(&self, a: &Occupancy, b: &Occupancy) -> u32 {
        let travel = match (self.travel, &a.location, &b.location) {
            (Some(speed), Some(p), Some(q)) => speed.minutes(p, q),
            _ => 0,
        };
        self.buffer_minutes.max(travel)
    }
}

impl CapacityModel for OnePerson {
    fn fits(
        &self,
        existing: &[Occupancy],
        candidate: &Request,
        _now: Instant,
    ) -> Result<(), Conflict> {
        let c = &candidate.interval;
        for e in existing {
            if e.interval.overlaps(c) {
                return Err(Conflict::new(
                    ConflictCode::PersonBusy,
                    Text::new(
                        format!("{} は別の訪問が入っています", span_ja(&e.interval)),
                        format!("Already visiting elsewhere at {}", span_en(&e.interval)),
                    ),
                )
                .during(e.interval));
            }
            let need = self.buffer_between(e, candidate);
            let gap = Duration::minutes(i64::from(need));
            let (before, after) = if e.interval.end() <= c.start() {
                (&e.interval, c)
            } else {
                (c, &e.interval)
            };
            if after.start() < before.end() + gap {
                let hole = Interval::new(before.end(), after.start()).unwrap_or(*before);
                return Err(Conflict::new(
                    ConflictCode::TravelBuffer,
                    Text::new(
                        format!(
                            "前後の訪問との間に移動時間 {need} 分が必要です({} 終了、{} 開始)",
                            time(before.end()),
                            time(after.start())
                        ),
                        format!(
                            "{need} minutes are needed between visits (one ends {}, the next starts {})",
                            time(before.end()),
                            time(after.start())
                        ),
                    ),
                )
                .during(hole));
            }
        }
        Ok(())
    }

    fn remaining(&self, existing: &[Occupancy], probe: &Request, now: Instant) -> u32 {
        u32::from(self.fits(existing, probe, now).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, 10)
            .and_then(|x| x.and_hms_opt(h, m, 0))
            .expect("time")
    }
    fn visit(a: (u32, u32), b: (u32, u32)) -> Occupancy {
        Occupancy::new(Interval::from_local(at(a.0, a.1), at(b.0, b.1)).expect("iv"))
    }
    fn now() -> Instant {
        crate::availability::local_to_utc(at(0, 0))
    }

    #[test]
    fn travel_buffer_exactly_at_the_boundary_fits() {
        let model = OnePerson::new(30);
        let existing = [visit((9, 0), (11, 0)), visit((15, 0), (17, 0))];
        // Starts exactly 30 min after the previous visit ends; ends 30 min before the next.
        assert_eq!(
            model.fits(&existing, &visit((11, 30), (14, 30)), now()),
            Ok(())
        );
        // One minute less on either side is refused, with the reason.
        let err = model
            .fits(&existing, &visit((11, 29), (13, 0)), now())
            .expect_err("too soon");
        assert_eq!(err.code, ConflictCode::TravelBuffer);
        let err = model
            .fits(&existing, &visit((13, 0), (14, 31)), now())
            .expect_err("too late");
        assert_eq!(err.code, ConflictCode::TravelBuffer);
        let err = model
            .fits(&existing, &visit((10, 0), (12, 0)), now())
            .expect_err("overlap");
        assert_eq!(err.code, ConflictCode::PersonBusy);
        assert_eq!(
            model.remaining(&existing, &visit((12, 0), (13, 0)), now()),
            1
        );
    }

    #[test]
    fn travel_time_from_coordinates_extends_the_buffer() {
        let kiyose_station = GeoPoint::new(35.7857, 139.5265).expect("point");
        let akitsu = GeoPoint::new(35.7785, 139.4960).expect("point");
        let km = kiyose_station.km_to(&akitsu);
        assert!((2.5..3.1).contains(&km), "{km}");
        let model = OnePerson::new(15).with_travel(TravelSpeed::bicycle());
        // ~2.9 km × 1.3 / 12 km/h ≈ 19 min → 20 min in 5-minute steps.
        let a = visit((9, 0), (11, 0)).with_location(kiyose_station);
        let b = visit((11, 15), (12, 0)).with_location(akitsu);
        assert_eq!(model.buffer_between(&a, &b), 20);
        assert!(model.fits(std::slice::from_ref(&a), &b, now()).is_err());
        assert_eq!(
            model.fits(&[a], &visit((11, 20), (12, 0)).with_location(akitsu), now()),
            Ok(())
        );
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    }
}
