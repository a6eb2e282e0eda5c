//! Usage quotas: visits, hours or days per month, half-year (April–September,
//! October–March) or fiscal year (April–March).
//!
//! A booking counts in the period of its local start date (a stay over 31 March counts in
//! the year it starts). The server passes the family's bookings that count — usually
//! requested, approved, confirmed, completed and no-show ones of the same service.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Text;
use crate::availability::Interval;
use crate::calendar::{FiscalYear, HalfYear};
use crate::capacity::beds::nights;
use crate::capacity::{Conflict, ConflictCode};

/// The period a quota is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    HalfYear,
    FiscalYear,
}

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaUnit {
    /// Each booking (visit, use) counts 1.
    Bookings,
    /// Hours, each booking rounded up to whole hours.
    Hours,
    /// Days or nights taken (as beds count them).
    Days,
}

/// At most `max` units per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub period: Period,
    pub unit: QuotaUnit,
    pub max: u32,
}

/// The period a date falls in, as comparable first day.
fn period_start(period: Period, date: NaiveDate) -> NaiveDate {
    match period {
        Period::Month => date.with_day(1).unwrap_or(date),
        Period::HalfYear => HalfYear::of(date).start(),
        Period::FiscalYear => FiscalYear::of(date).start(),
    }
}

fn units(unit: QuotaUnit, iv: &Interval) -> u32 {
    match unit {
        QuotaUnit::Bookings => 1,
        QuotaUnit::Hours => {
            let minutes = iv.duration().num_minutes().max(0);
            u32::try_from((minutes + 59) / 60).unwrap_or(u32::MAX)
        }
        QuotaUnit::Days => u32::try_from(nights(iv).count()).unwrap_or(u32::MAX),
    }
}

/// Units used in the period containing `on`.
pub fn used(quota: &Quota, bookings: &[Interval], on: NaiveDate) -> u32 {
    let key = period_start(quota.period, on);
    bookings
        .iter()
        .filter(|b| period_start(quota.period, b.local_start_date()) == key)
        .fold(0u32, |acc, b| acc.saturating_add(units(quota.unit, b)))
}

fn period_text(period: Period, date: NaiveDate) -> Text {
    match period {
        Period::Month => Text::new(
            format!("{}年{}月", date.year(), date.month()),
            date.format("%B %Y").to_string(),
        ),
        Period::HalfYear => {
            let h = HalfYear::of(date);
            let first = h.start().month() == 4;
            Text::new(
                format!(
                    "{}年度{}",
                    h.fiscal_year.0,
                    if first { "上期" } else { "下期" }
                ),
                format!(
                    "the {} half of FY{}",
                    if first { "first" } else { "second" },
                    h.fiscal_year.0
                ),
            )
        }
        Period::FiscalYear => {
            let y = FiscalYear::of(date).0;
            Text::new(format!("{y}年度"), format!("FY{y}"))
        }
    }
}

fn unit_text(unit: QuotaUnit) -> (&'static str, &'static str) {
    match unit {
        QuotaUnit::Bookings => ("回", "uses"),
        QuotaUnit::Hours => ("時間", "hours"),
        QuotaUnit::Days => ("日", "days"),
    }
}

/// One quota as a coordinator reads it: `used` of `max` in the period of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaUsage {
    pub quota: Quota,
    pub used: u32,
    /// `2026年度上期 4/10回` / `the first half of FY2026: 4/10 uses`.
    pub text: Text,
}

/// How much of each quota the family has used in the periods containing `on`
/// (`bookings` are the family's counted bookings, the one being decided included).
pub fn usage(quotas: &[Quota], bookings: &[Interval], on: NaiveDate) -> Vec<QuotaUsage> {
    quotas
        .iter()
        .map(|q| {
            let used = used(q, bookings, on);
            let p = period_text(q.period, on);
            let (ja_u, en_u) = unit_text(q.unit);
            QuotaUsage {
                quota: *q,
                used,
                text: Text::new(
                    format!("{} {used}/{}{ja_u}", p.ja, q.max),
                    format!("{}: {used}/{} {en_u}", p.en, q.max),
                ),
            }
        })
        .collect()
}

/// Checks `candidate` against every quota, given the family's counted bookings.
pub fn check_quotas(
    quotas: &[Quota],
    bookings: &[Interval],
    candidate: &Interval,
) -> Result<(), Conflict> {
    let on = candidate.local_start_date();
    for q in quotas {
        let have = used(q, bookings, on);
        let want = units(q.unit, candidate);
        if have.saturating_add(want) > q.max {
            let p = period_text(q.period, on);
            let (ja_u, en_u) = unit_text(q.unit);
            return Err(Conflict::new(
                ConflictCode::Quota,
                Text::new(
                    format!(
                        "{}の利用は上限 {}{ja_u} です(利用済み {have}{ja_u}、今回 {want}{ja_u})",
                        p.ja, q.max
                    ),
                    format!(
                        "The limit for {} is {} {en_u} ({have} used, {want} requested)",
                        p.en, q.max
                    ),
                ),
            )
            .during(*candidate));
        }
    }
    Ok(())
}

/// The visit quotas of a service's rules (issue 3's [`Limits`](crate::rules::Limits)),
/// for a household with or without a multiple birth. Plan quotas (Home-Start) are per
/// plan, not per period, and stay with the rules.
pub fn quotas_from_rules(limits: &crate::rules::Limits, multiple_birth: bool) -> Vec<Quota> {
    let visits = |period, max: Option<u32>| {
        max.map(|max| Quota {
            period,
            unit: QuotaUnit::Bookings,
            max,
        })
    };
    [
        visits(Period::Month, limits.visits_per_month),
        visits(Period::HalfYear, limits.half_year_quota(multiple_birth)),
        visits(Period::FiscalYear, limits.visits_per_fiscal_year),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::local_to_utc;

    fn visit(y: i32, m: u32, d: u32, hours: i64) -> Interval {
        let start = local_to_utc(
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|x| x.and_hms_opt(10, 0, 0))
                .expect("time"),
        );
        Interval::starting_at(start, chrono::Duration::hours(hours)).expect("iv")
    }

    #[test]
    fn half_year_quota_resets_on_1_october_and_1_april() {
        let q = [Quota {
            period: Period::HalfYear,
            unit: QuotaUnit::Bookings,
            max: 10,
        }];
        let used_up: Vec<_> = (1..=10).map(|d| visit(2026, 9, d, 2)).collect();
        let err = check_quotas(&q, &used_up, &visit(2026, 9, 30, 2)).expect_err("11th in H1");
        assert_eq!(err.code, ConflictCode::Quota);
        assert!(
            err.message.ja.contains("2026年度上期"),
            "{}",
            err.message.ja
        );
        assert_eq!(check_quotas(&q, &used_up, &visit(2026, 10, 1, 2)), Ok(()));
        let h2: Vec<_> = (1..=10).map(|d| visit(2027, 3, d, 2)).collect();
        assert!(check_quotas(&q, &h2, &visit(2027, 3, 31, 2)).is_err());
        assert_eq!(check_quotas(&q, &h2, &visit(2027, 4, 1, 2)), Ok(()));
    }

    #[test]
    fn quotas_come_from_the_rules() {
        let limits = crate::rules::Limits {
            visits_per_half_year: Some(10),
            visits_per_half_year_multiple_birth: Some(20),
            ..crate::rules::Limits::default()
        };
        assert_eq!(quotas_from_rules(&limits, false)[0].max, 10);
        assert_eq!(quotas_from_rules(&limits, true)[0].max, 20);
        assert_eq!(quotas_from_rules(&limits, true).len(), 1);
    }

    #[test]
    fn monthly_visits_and_hours() {
        let visits = [Quota {
            period: Period::Month,
            unit: QuotaUnit::Bookings,
            max: 12,
        }];
        let june: Vec<_> = (1..=12).map(|d| visit(2026, 6, d, 1)).collect();
        assert!(check_quotas(&visits, &june, &visit(2026, 6, 30, 1)).is_err());
        assert_eq!(check_quotas(&visits, &june, &visit(2026, 7, 1, 1)), Ok(()));
        let hours = [Quota {
            period: Period::FiscalYear,
            unit: QuotaUnit::Hours,
            max: 10,
        }];
        let eight = [visit(2026, 4, 1, 8)];
        assert_eq!(check_quotas(&hours, &eight, &visit(2027, 3, 31, 2)), Ok(()));
        assert!(check_quotas(&hours, &eight, &visit(2027, 3, 31, 3)).is_err());
        assert_eq!(
            used(
                &hours[0],
                &eight,
                NaiveDate::from_ymd_opt(2026, 5, 1).expect("d")
            ),
            8
        );
    }
}
