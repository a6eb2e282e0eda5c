//! When a booking may be made and what cancelling it costs: both are deadlines in
//! Japan time relative to the day of service.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{RuleProblem, problem};
use crate::eligibility::Household;

/// A moment a number of days before the day of service, e.g. 17:00 the day before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub days_before: u32,
    pub at: NaiveTime,
}

impl Deadline {
    /// 17:00 (say) `days_before` days before `service_date`, local time.
    pub fn before(&self, service_date: NaiveDate) -> NaiveDateTime {
        service_date
            .checked_sub_days(Days::new(u64::from(self.days_before)))
            .unwrap_or(NaiveDate::MIN)
            .and_time(self.at)
    }
}

/// When requests for a day start being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Opens {
    /// On a day of the previous month: "from the 15th of the previous month".
    DayOfPreviousMonth { day: u32, at: NaiveTime },
    /// A number of days ahead: "up to 60 days before".
    DaysBefore { days: u32, at: NaiveTime },
}

/// The booking window of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingWindow {
    pub opens: Opens,
    /// When requests stop, e.g. the day before at 17:00: a request at 17:00:00
    /// is already too late, as a cancellation at 17:00:00 already costs the fee.
    pub closes: Deadline,
}

/// Why a request cannot be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum WindowError {
    #[error("requests for this day open at {opens_at}")]
    NotYetOpen { opens_at: NaiveDateTime },
    #[error("requests for this day closed at {closed_at}")]
    Closed { closed_at: NaiveDateTime },
}

impl BookingWindow {
    /// The first local moment a request for `service_date` is accepted.
    pub fn opens_at(&self, service_date: NaiveDate) -> NaiveDateTime {
        match self.opens {
            Opens::DayOfPreviousMonth { day, at } => {
                let first = service_date.with_day(1).unwrap_or(service_date);
                let prev = first.checked_sub_months(Months::new(1)).unwrap_or(first);
                // A day past the month's end (say 31) clamps to its last day.
                let date = (0..4)
                    .find_map(|back| prev.with_day(day.saturating_sub(back)))
                    .unwrap_or(prev);
                date.and_time(at)
            }
            Opens::DaysBefore { days, at } => Deadline {
                days_before: days,
                at,
            }
            .before(service_date),
        }
    }

    /// The local moment from which requests for `service_date` are refused.
    pub fn closes_at(&self, service_date: NaiveDate) -> NaiveDateTime {
        self.closes.before(service_date)
    }

    /// Whether a request made at local time `now` for `service_date` is in the window.
    pub fn check(&self, service_date: NaiveDate, now: NaiveDateTime) -> Result<(), WindowError> {
        let opens_at = self.opens_at(service_date);
        let closed_at = self.closes_at(service_date);
        if now < opens_at {
            Err(WindowError::NotYetOpen { opens_at })
        } else if now >= closed_at {
            Err(WindowError::Closed { closed_at })
        } else {
            Ok(())
        }
    }

    pub(crate) fn check_config(&self, path: &str, out: &mut Vec<RuleProblem>) {
        let probe = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or(NaiveDate::MIN);
        if self.opens_at(probe) >= self.closes_at(probe) {
            problem(out, path, "opens", "the window opens after it closes");
        }
        if let Opens::DayOfPreviousMonth { day, .. } = self.opens
            && !(1..=31).contains(&day)
        {
            problem(out, path, "opens.day", "must be 1–31");
        }
    }
}

/// From a deadline on, cancelling costs `percent` of the fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancellationTier {
    pub from: Deadline,
    pub percent: u32,
}

/// What cancelling costs. The highest tier whose deadline has passed applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancellationPolicy {
    pub tiers: Vec<CancellationTier>,
    pub no_show_percent: u32,
    /// Households exempt from charges (commonly tax-exempt and public assistance).
    #[serde(default)]
    pub exempt_tax_exempt: bool,
    #[serde(default)]
    pub exempt_public_assistance: bool,
}

impl CancellationPolicy {
    /// Nothing is ever charged (free services).
    pub fn free() -> CancellationPolicy {
        CancellationPolicy {
            tiers: Vec::new(),
            no_show_percent: 0,
            exempt_tax_exempt: false,
            exempt_public_assistance: false,
        }
    }

    fn exempt(&self, household: &Household) -> bool {
        (self.exempt_tax_exempt && household.tax_exempt)
            || (self.exempt_public_assistance && household.public_assistance)
    }

    /// The percentage charged for cancelling at local time `at` a booking on
    /// `service_date`.
    pub fn percent_on_cancel(
        &self,
        service_date: NaiveDate,
        at: NaiveDateTime,
        household: &Household,
    ) -> u32 {
        if self.exempt(household) {
            return 0;
        }
        self.tiers
            .iter()
            .filter(|t| at >= t.from.before(service_date))
            .map(|t| t.percent)
            .max()
            .unwrap_or(0)
    }

    /// The percentage charged when the family does not come.
    pub fn percent_on_no_show(&self, household: &Household) -> u32 {
        if self.exempt(household) {
            0
        } else {
            self.no_show_percent
        }
    }

    /// `percent` of `fee_yen`, rounded down to the yen.
    pub fn charge_yen(fee_yen: i64, percent: u32) -> i64 {
        fee_yen.max(0) * i64::from(percent.min(100)) / 100
    }

    pub(crate) fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        if self.no_show_percent > 100 {
            problem(out, path, "no_show_percent", "is above 100");
        }
        for (i, t) in self.tiers.iter().enumerate() {
            if t.percent > 100 {
                problem(out, path, &format!("tiers[{i}].percent"), "is above 100");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
    }

    #[test]
    fn opens_on_the_15th_of_the_previous_month_closes_the_day_before() {
        let w = BookingWindow {
            opens: Opens::DayOfPreviousMonth {
                day: 15,
                at: t(9, 0),
            },
            closes: Deadline {
                days_before: 1,
                at: t(17, 0),
            },
        };
        let day = d(2026, 3, 31);
        assert_eq!(w.opens_at(day), d(2026, 2, 15).and_time(t(9, 0)));
        assert_eq!(w.closes_at(day), d(2026, 3, 30).and_time(t(17, 0)));
        assert!(w.check(day, d(2026, 2, 15).and_time(t(8, 59))).is_err());
        assert!(w.check(day, d(2026, 2, 15).and_time(t(9, 0))).is_ok());
        assert!(w.check(day, d(2026, 3, 30).and_time(t(16, 59))).is_ok());
        // At the deadline itself it is too late, as for a free cancellation.
        assert!(w.check(day, d(2026, 3, 30).and_time(t(17, 0))).is_err());
        // Across the year boundary.
        assert_eq!(w.opens_at(d(2027, 1, 5)), d(2026, 12, 15).and_time(t(9, 0)));
    }

    #[test]
    fn cancellation_tiers_and_exemptions() {
        let p = CancellationPolicy {
            tiers: vec![
                CancellationTier {
                    from: Deadline {
                        days_before: 1,
                        at: t(17, 0),
                    },
                    percent: 50,
                },
                CancellationTier {
                    from: Deadline {
                        days_before: 0,
                        at: t(0, 0),
                    },
                    percent: 100,
                },
            ],
            no_show_percent: 100,
            exempt_tax_exempt: true,
            exempt_public_assistance: true,
        };
        let h = Household::default();
        let day = d(2026, 6, 10);
        assert_eq!(
            p.percent_on_cancel(day, d(2026, 6, 9).and_time(t(16, 59)), &h),
            0
        );
        assert_eq!(
            p.percent_on_cancel(day, d(2026, 6, 9).and_time(t(17, 0)), &h),
            50
        );
        assert_eq!(
            p.percent_on_cancel(day, d(2026, 6, 10).and_time(t(8, 0)), &h),
            100
        );
        assert_eq!(p.percent_on_no_show(&h), 100);
        let exempt = Household {
            tax_exempt: true,
            ..Household::default()
        };
        assert_eq!(
            p.percent_on_cancel(day, d(2026, 6, 10).and_time(t(8, 0)), &exempt),
            0
        );
        assert_eq!(CancellationPolicy::charge_yen(1_350, 50), 675);
    }
}
