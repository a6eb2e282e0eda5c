//! What a cancellation or a no-show costs, from the service's cancellation policy.
//!
//! Typical policy: free until 17:00 the day before, 50 % after that, 100 % for a no-show;
//! households on public assistance or exempt from resident tax pay nothing. Tiers are
//! data, so "same-day cancellation charged in full" (temporary care) is one more tier.
//! Percentages of the fee are rounded down to the yen, in the family's favour.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::availability::{Instant, local_date, local_to_utc};

/// A moment relative to the local date of the booking's start: `days_before` it at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub days_before: u32,
    pub at: NaiveTime,
}

impl Deadline {
    pub fn for_start(&self, start: Instant) -> Instant {
        local_date(start)
            .checked_sub_signed(Duration::days(i64::from(self.days_before)))
            .map_or(start, |d| local_to_utc(d.and_time(self.at)))
    }
}

/// Cancelling at or after `from` costs `percent` of the fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationTier {
    pub from: Deadline,
    pub percent: u8,
}

/// A service's cancellation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationPolicy {
    pub tiers: Vec<CancellationTier>,
    pub no_show_percent: u8,
    /// Waive every charge for households exempt from resident tax or on public assistance.
    pub exempt_low_income: bool,
}

/// What a family is charged, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub percent: u8,
    pub yen: u32,
}

impl Charge {
    pub const NONE: Charge = Charge { percent: 0, yen: 0 };

    fn of(fee_yen: u32, percent: u8) -> Charge {
        let percent = percent.min(100);
        let yen = u64::from(fee_yen) * u64::from(percent) / 100;
        Charge {
            percent,
            yen: u32::try_from(yen).unwrap_or(fee_yen),
        }
    }
}

impl CancellationPolicy {
    /// Free until 17:00 the day before, then 50 %; no-show 100 %; low-income exempt.
    pub fn typical() -> Self {
        CancellationPolicy {
            tiers: vec![CancellationTier {
                from: Deadline {
                    days_before: 1,
                    at: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
                },
                percent: 50,
            }],
            no_show_percent: 100,
            exempt_low_income: true,
        }
    }

    /// The service rules' policy (issue 3) as it applies to one household: exemptions
    /// (tax-exempt, public assistance) are resolved here, percentages above 100 capped.
    pub fn for_household(
        rules: &crate::rules::CancellationPolicy,
        household: &crate::eligibility::Household,
    ) -> Self {
        let exempt = (rules.exempt_tax_exempt && household.tax_exempt)
            || (rules.exempt_public_assistance && household.public_assistance);
        let pct = |p: u32| u8::try_from(p.min(100)).unwrap_or(100);
        if exempt {
            return CancellationPolicy {
                tiers: Vec::new(),
                no_show_percent: 0,
                exempt_low_income: true,
            };
        }
        CancellationPolicy {
            tiers: rules
                .tiers
                .iter()
                .map(|t| CancellationTier {
                    from: Deadline {
                        days_before: t.from.days_before,
                        at: t.from.at,
                    },
                    percent: pct(t.percent),
                })
                .collect(),
            no_show_percent: pct(rules.no_show_percent),
            exempt_low_income: false,
        }
    }

    /// The charge for a family cancelling at `now` a booking starting at `start`.
    pub fn cancellation_fee(
        &self,
        fee_yen: u32,
        start: Instant,
        now: Instant,
        low_income: bool,
    ) -> Charge {
        if low_income && self.exempt_low_income {
            return Charge::NONE;
        }
        let percent = self
            .tiers
            .iter()
            .filter(|t| now >= t.from.for_start(start))
            .map(|t| t.percent)
            .max()
            .unwrap_or(0);
        Charge::of(fee_yen, percent)
    }

    pub fn no_show_fee(&self, fee_yen: u32, low_income: bool) -> Charge {
        if low_income && self.exempt_low_income {
            return Charge::NONE;
        }
        Charge::of(fee_yen, self.no_show_percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(d: u32, h: u32, m: u32, s: u32) -> Instant {
        local_to_utc(
            NaiveDate::from_ymd_opt(2026, 6, d)
                .and_then(|x| x.and_hms_opt(h, m, s))
                .expect("time"),
        )
    }

    #[test]
    fn deadline_is_17_00_the_day_before() {
        let p = CancellationPolicy::typical();
        let start = t(10, 9, 0, 0);
        let cases = [
            (t(9, 16, 59, 59), 0, 0),
            (t(9, 17, 0, 0), 50, 1_750),
            (t(10, 8, 0, 0), 50, 1_750),
        ];
        for (now, percent, yen) in cases {
            assert_eq!(
                p.cancellation_fee(3_500, start, now, false),
                Charge { percent, yen },
                "{now}"
            );
        }
        assert_eq!(
            p.cancellation_fee(3_500, start, t(10, 8, 0, 0), true),
            Charge::NONE
        );
        assert_eq!(
            p.no_show_fee(3_501, false),
            Charge {
                percent: 100,
                yen: 3_501
            }
        );
        // 50 % of an odd fee rounds down.
        assert_eq!(
            p.cancellation_fee(701, start, t(9, 18, 0, 0), false).yen,
            350
        );
    }

    #[test]
    fn same_day_tier_charges_in_full() {
        let mut p = CancellationPolicy::typical();
        p.tiers.push(CancellationTier {
            from: Deadline {
                days_before: 0,
                at: NaiveTime::MIN,
            },
            percent: 100,
        });
        let start = t(10, 13, 0, 0);
        assert_eq!(
            p.cancellation_fee(1_000, start, t(9, 23, 59, 59), false)
                .percent,
            50
        );
        assert_eq!(
            p.cancellation_fee(1_000, start, t(10, 0, 0, 0), false)
                .percent,
            100
        );
    }
}
