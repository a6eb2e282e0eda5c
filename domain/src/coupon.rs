//! The childrearing coupon (子育てクーポン): a yearly yen amount per young child,
//! spent in whole tickets against what a family pays.
//!
//! Modelling choice: the caller keeps each child's remaining balance for the
//! fiscal year (in yen); the coupon is spent in tickets of `denomination_yen`
//! (Kiyose issues ¥6,000 a year; we ship ¥500 tickets, configurable). Face value,
//! no change and no carry-over mean: a ticket is worth its face value at most, the
//! unused part of a ticket is lost, and balances reset on 1 April (the caller
//! starts each fiscal year at `yen_per_fiscal_year`). By default only as many
//! tickets as fit under the amount payable are used, so nothing is lost; with
//! `forfeit_change` one more ticket covers the rest and its change is forfeited.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::AgeThreshold;
use crate::rules::{RuleProblem, problem};

/// The coupon as a municipality issues it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponRules {
    /// Issued per child per fiscal year (Kiyose: ¥6,000).
    pub yen_per_fiscal_year: u32,
    /// Usable while the child is younger than this: 4 years means "until the day
    /// before the 4th birthday".
    pub until_age: AgeThreshold,
    /// The face value of one ticket.
    pub denomination_yen: u32,
}

impl CouponRules {
    /// Whether a child born on `birth` may use the coupon on `on`.
    pub fn covers(&self, birth: NaiveDate, on: NaiveDate) -> bool {
        birth <= on && !self.until_age.is_reached(birth, on)
    }

    pub(crate) fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        if self.denomination_yen == 0 {
            problem(out, path, "denomination_yen", "must be at least 1");
        } else if !self
            .yen_per_fiscal_year
            .is_multiple_of(self.denomination_yen)
        {
            problem(
                out,
                path,
                "yen_per_fiscal_year",
                "is not a whole number of tickets",
            );
        }
    }
}

/// Tickets one child's coupon paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUse {
    /// Index of the child in the request.
    pub child: usize,
    pub tickets: u32,
    /// Face value handed over (`tickets × denomination`).
    pub face_value_yen: i64,
    /// What it paid; less than face value only when change was forfeited.
    pub applied_yen: i64,
}

/// Spends coupons against `payable_yen`. `balances` are `(child index, remaining
/// yen)` for children the coupon covers, in the order to draw from. Never applies
/// more than is payable.
pub fn apply_coupons(
    rules: &CouponRules,
    payable_yen: i64,
    balances: &[(usize, u32)],
    forfeit_change: bool,
) -> Vec<CouponUse> {
    let denom = i64::from(rules.denomination_yen);
    if denom == 0 || payable_yen <= 0 {
        return Vec::new();
    }
    let cap = i64::from(rules.yen_per_fiscal_year);
    let mut remaining = payable_yen;
    let mut uses: Vec<CouponUse> = Vec::new();
    let mut spare: Vec<(usize, i64)> = Vec::new();
    for &(child, balance) in balances {
        let tickets = i64::from(balance).min(cap) / denom;
        let used = tickets.min(remaining / denom);
        if used > 0 {
            remaining -= used * denom;
            uses.push(CouponUse {
                child,
                tickets: u32::try_from(used).unwrap_or(0),
                face_value_yen: used * denom,
                applied_yen: used * denom,
            });
        }
        if tickets > used {
            spare.push((child, tickets - used));
        }
    }
    if forfeit_change
        && remaining > 0
        && let Some(&(child, _)) = spare.first()
    {
        match uses.iter_mut().find(|u| u.child == child) {
            Some(u) => {
                u.tickets += 1;
                u.face_value_yen += denom;
                u.applied_yen += remaining;
            }
            None => uses.push(CouponUse {
                child,
                tickets: 1,
                face_value_yen: denom,
                applied_yen: remaining,
            }),
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    fn kiyose() -> CouponRules {
        CouponRules {
            yen_per_fiscal_year: 6_000,
            until_age: AgeThreshold::years(4),
            denomination_yen: 500,
        }
    }

    #[test]
    fn until_the_day_before_the_fourth_birthday() {
        let c = kiyose();
        let birth = d(2022, 6, 10);
        assert!(c.covers(birth, d(2026, 6, 9)));
        assert!(!c.covers(birth, d(2026, 6, 10)));
        assert!(!c.covers(birth, d(2022, 6, 9)));
    }

    #[test]
    fn a_coupon_larger_than_the_fee() {
        let c = kiyose();
        // ¥1,300 to pay, ¥6,000 balance: two tickets, ¥300 in cash.
        let uses = apply_coupons(&c, 1_300, &[(0, 6_000)], false);
        assert_eq!(uses.iter().map(|u| u.applied_yen).sum::<i64>(), 1_000);
        // Forfeiting change: three tickets, ¥200 lost, nothing to pay.
        let uses = apply_coupons(&c, 1_300, &[(0, 6_000)], true);
        assert_eq!(uses.iter().map(|u| u.applied_yen).sum::<i64>(), 1_300);
        assert_eq!(uses.iter().map(|u| u.face_value_yen).sum::<i64>(), 1_500);
        // A balance that is not a whole ticket is not usable beyond its tickets.
        let uses = apply_coupons(&c, 5_000, &[(0, 700), (1, 1_000)], false);
        assert_eq!(uses.iter().map(|u| u.applied_yen).sum::<i64>(), 1_500);
        // A balance above the yearly issue cannot be spent: no carry-over.
        let uses = apply_coupons(&c, 50_000, &[(0, 12_000)], false);
        assert_eq!(uses.iter().map(|u| u.applied_yen).sum::<i64>(), 6_000);
        assert!(apply_coupons(&c, 0, &[(0, 6_000)], true).is_empty());
    }
}
