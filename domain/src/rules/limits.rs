//! How much of a service one family may use: per stay, per day, and visit quotas
//! per month, half-year, fiscal year and plan.

use serde::{Deserialize, Serialize};

use super::{RuleProblem, problem};
use crate::Text;

/// Limits of one service; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Short stay: at most 6 nights…
    pub max_nights_per_stay: Option<u32>,
    /// …and 7 days per use.
    pub max_days_per_stay: Option<u32>,
    /// Home help: 1–8 h a day.
    pub min_minutes_per_day: Option<u32>,
    pub max_minutes_per_day: Option<u32>,
    pub visits_per_month: Option<u32>,
    pub visits_per_half_year: Option<u32>,
    /// Replaces `visits_per_half_year` for households with a multiple birth.
    pub visits_per_half_year_multiple_birth: Option<u32>,
    pub visits_per_fiscal_year: Option<u32>,
    /// Home-Start: a plan has 4–6 visits.
    pub visits_per_plan_min: Option<u32>,
    pub visits_per_plan_max: Option<u32>,
}

/// Visits a family already has in the periods around the day being booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    pub month: u32,
    pub half_year: u32,
    pub fiscal_year: u32,
    pub plan: u32,
}

/// A quota the next visit would exceed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("quota exceeded: {period} allows {limit}, {used} already used")]
pub struct QuotaExceeded {
    /// `month`, `half-year`, `fiscal-year` or `plan`.
    pub period: &'static str,
    pub limit: u32,
    pub used: u32,
}

impl QuotaExceeded {
    /// A message for the family, in both languages.
    pub fn message(&self) -> Text {
        let ja_period = match self.period {
            "month" => "1か月",
            "half-year" => "半期",
            "fiscal-year" => "年度",
            _ => "1計画",
        };
        Text::new(
            format!(
                "利用回数の上限を超えます（{ja_period}{}回まで、利用済み{}回）。",
                self.limit, self.used
            ),
            format!(
                "over the limit of {} visits per {} ({} used)",
                self.limit, self.period, self.used
            ),
        )
    }
}

impl Limits {
    /// The half-year quota that applies to this household.
    pub fn half_year_quota(&self, multiple_birth: bool) -> Option<u32> {
        if multiple_birth {
            self.visits_per_half_year_multiple_birth
                .or(self.visits_per_half_year)
        } else {
            self.visits_per_half_year
        }
    }

    /// Every quota that `adding` more visits would exceed, given `used`.
    pub fn check_quota(
        &self,
        used: Usage,
        adding: u32,
        multiple_birth: bool,
    ) -> Vec<QuotaExceeded> {
        [
            ("month", self.visits_per_month, used.month),
            (
                "half-year",
                self.half_year_quota(multiple_birth),
                used.half_year,
            ),
            ("fiscal-year", self.visits_per_fiscal_year, used.fiscal_year),
            ("plan", self.visits_per_plan_max, used.plan),
        ]
        .into_iter()
        .filter_map(|(period, limit, used)| {
            let limit = limit?;
            (used.saturating_add(adding) > limit).then_some(QuotaExceeded {
                period,
                limit,
                used,
            })
        })
        .collect()
    }

    pub(crate) fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        let pairs = [
            (
                "min_minutes_per_day",
                self.min_minutes_per_day,
                self.max_minutes_per_day,
            ),
            (
                "visits_per_plan_min",
                self.visits_per_plan_min,
                self.visits_per_plan_max,
            ),
        ];
        for (name, min, max) in pairs {
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                problem(out, path, name, format!("{min} is above the maximum {max}"));
            }
        }
        for (name, v) in [
            ("max_nights_per_stay", self.max_nights_per_stay),
            ("max_days_per_stay", self.max_days_per_stay),
            ("max_minutes_per_day", self.max_minutes_per_day),
            ("visits_per_month", self.visits_per_month),
            ("visits_per_half_year", self.visits_per_half_year),
            ("visits_per_fiscal_year", self.visits_per_fiscal_year),
            ("visits_per_plan_max", self.visits_per_plan_max),
        ] {
            if v == Some(0) {
                problem(
                    out,
                    path,
                    name,
                    "a limit of 0 closes the service; remove it instead",
                );
            }
        }
        if let (Some(n), Some(d)) = (self.max_nights_per_stay, self.max_days_per_stay)
            && d != n + 1
        {
            problem(
                out,
                path,
                "max_days_per_stay",
                "a stay of N nights spans N+1 days",
            );
        }
        if self.max_minutes_per_day.is_some_and(|m| m > 24 * 60) {
            problem(out, path, "max_minutes_per_day", "is longer than a day");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiple_births_get_the_larger_half_year_quota() {
        let limits = Limits {
            visits_per_half_year: Some(10),
            visits_per_half_year_multiple_birth: Some(20),
            ..Limits::default()
        };
        let used = Usage {
            half_year: 10,
            ..Usage::default()
        };
        assert_eq!(limits.check_quota(used, 1, false).len(), 1);
        assert!(limits.check_quota(used, 1, true).is_empty());
        assert_eq!(
            limits.check_quota(
                Usage {
                    half_year: 9,
                    ..used
                },
                1,
                false
            ),
            vec![]
        );
    }
}
