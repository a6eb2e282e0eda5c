//! Age as Japanese law counts it (年齢計算ニ関スル法律, 民法143条).
//!
//! Age counts from the day of birth, and a year (or month) is completed at the end
//! of the day before the corresponding day. When the later month has no
//! corresponding day (a 29 February birthday in a common year, a 31st in a short
//! month) the period ends at the end of that month (民法143条2項 ただし書). So a
//! person born on 29 February completes a year at the end of 28 February, and on
//! 1 March of a common year has the new age.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The first day on which `months` months of age are complete: the corresponding
/// day `months` months after birth, or the 1st of the next month when that month has
/// no such day. `None` only if the date would overflow chrono's range.
pub fn anniversary(birth: NaiveDate, months: u32) -> Option<NaiveDate> {
    let first_of_birth_month = birth.with_day(1)?;
    let target_month_start = first_of_birth_month.checked_add_months(Months::new(months))?;
    match target_month_start.with_day(birth.day()) {
        Some(day) => Some(day),
        None => target_month_start.checked_add_months(Months::new(1)),
    }
}

/// The day at whose end a person reaches `years` of age ("reaches 6" in law): the
/// day before the anniversary.
pub fn day_reaching_age(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    anniversary(birth, years.checked_mul(12)?)?.pred_opt()
}

/// Completed months of age on `on` (the whole day); `None` before birth.
pub fn age_in_months(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let calendar_months =
        (on.year() - birth.year()) * 12 + on.month() as i32 - birth.month() as i32;
    let mut months = u32::try_from(calendar_months).ok()?;
    // The anniversary in `on`'s month may still be ahead.
    while months > 0 && anniversary(birth, months).is_none_or(|a| a > on) {
        months -= 1;
    }
    Some(months)
}

/// Completed years of age on `on`; `None` before birth.
///
/// The same as `age_in_months / 12`, without month arithmetic (staff ratios ask it
/// for every child at every change of a month's calendar): a year is complete from
/// the calendar day of the birthday on, and for a 29 February birthday in a common
/// year from 1 March, which is exactly where the month-day comparison puts it.
pub fn age_in_years(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    u32::try_from(on.year() - birth.year() - i32::from(before_birthday)).ok()
}

/// Days since birth, the day of birth being day 0 (生後0日). "From 57 days" means
/// `age_in_days >= 57`.
pub fn age_in_days(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    u32::try_from((on - birth).num_days()).ok()
}

/// Age as "1 year 6 months" (1歳6か月).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearsMonths {
    pub years: u32,
    pub months: u32,
}

impl YearsMonths {
    /// Completed years and months on `on`; `None` before birth.
    pub fn on(birth: NaiveDate, on: NaiveDate) -> Option<YearsMonths> {
        age_in_months(birth, on).map(|m| YearsMonths {
            years: m / 12,
            months: m % 12,
        })
    }

    /// `1歳6か月` / `1 year 6 months`.
    pub fn text(self) -> crate::Text {
        let ja = if self.months == 0 {
            format!("{}歳", self.years)
        } else {
            format!("{}歳{}か月", self.years, self.months)
        };
        let plural = |n: u32, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let en = match (self.years, self.months) {
            (y, 0) => plural(y, "year"),
            (0, m) => plural(m, "month"),
            (y, m) => format!("{} {}", plural(y, "year"), plural(m, "month")),
        };
        crate::Text::new(ja, en)
    }
}

/// An age limit such as "1 year 6 months", "2 months" or "57 days", reached on the
/// first day on which that much age is complete. Years and months are counted by
/// the law above; days are then added to that anniversary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeThreshold {
    #[serde(default)]
    pub years: u32,
    #[serde(default)]
    pub months: u32,
    #[serde(default)]
    pub days: u32,
}

impl AgeThreshold {
    /// `years` of age, e.g. "under 18".
    pub const fn years(years: u32) -> Self {
        AgeThreshold {
            years,
            months: 0,
            days: 0,
        }
    }

    /// The first day on which a child born on `birth` has this age; `None` on overflow.
    pub fn reached_on(self, birth: NaiveDate) -> Option<NaiveDate> {
        let months = self.years.checked_mul(12)?.checked_add(self.months)?;
        anniversary(birth, months)?.checked_add_days(Days::new(u64::from(self.days)))
    }

    /// Whether a child born on `birth` has this age on `on`.
    pub fn is_reached(self, birth: NaiveDate, on: NaiveDate) -> bool {
        self.reached_on(birth).is_some_and(|d| d <= on)
    }

    /// `1歳6か月` / `1 year 6 months` / `生後57日` / `57 days`.
    pub fn text(self) -> crate::Text {
        if self.years == 0 && self.months == 0 {
            return crate::Text::new(
                format!("生後{}日", self.days),
                format!("{} days", self.days),
            );
        }
        let ym = YearsMonths {
            years: self.years,
            months: self.months,
        }
        .text();
        if self.days == 0 {
            ym
        } else {
            crate::Text::new(
                format!("{}{}日", ym.ja, self.days),
                format!("{} {} days", ym.en, self.days),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    #[test]
    fn years_complete_at_the_end_of_the_day_before_the_birthday() {
        let birth = d(2020, 4, 1);
        assert_eq!(age_in_years(birth, d(2026, 3, 31)), Some(5));
        assert_eq!(age_in_years(birth, d(2026, 4, 1)), Some(6));
        assert_eq!(day_reaching_age(birth, 6), Some(d(2026, 3, 31)));
        assert_eq!(age_in_years(birth, d(2020, 3, 31)), None);
        assert_eq!(age_in_years(birth, birth), Some(0));
    }

    #[test]
    fn years_agree_with_completed_months_on_every_day() {
        // Every birth date of a leap year and the one after, against every day of
        // the following six years: the fast count equals months / 12.
        let mut birth = d(2023, 12, 25);
        while birth < d(2025, 1, 5) {
            let mut on = birth - Days::new(2);
            while on < birth + Days::new(6 * 366) {
                assert_eq!(
                    age_in_years(birth, on),
                    age_in_months(birth, on).map(|m| m / 12),
                    "born {birth}, on {on}"
                );
                on = on + Days::new(1);
            }
            birth = birth + Days::new(1);
        }
    }

    #[test]
    fn leap_day_births() {
        let birth = d(2024, 2, 29);
        assert_eq!(age_in_years(birth, d(2025, 2, 28)), Some(0));
        assert_eq!(age_in_years(birth, d(2025, 3, 1)), Some(1));
        assert_eq!(day_reaching_age(birth, 1), Some(d(2025, 2, 28)));
        assert_eq!(age_in_years(birth, d(2028, 2, 28)), Some(3));
        assert_eq!(age_in_years(birth, d(2028, 2, 29)), Some(4));
        // 31 January + 1 month: February has no 31st, so the month ends on its last day.
        assert_eq!(age_in_months(d(2025, 1, 31), d(2025, 2, 28)), Some(0));
        assert_eq!(age_in_months(d(2025, 1, 31), d(2025, 3, 1)), Some(1));
        assert_eq!(age_in_months(d(2025, 1, 28), d(2025, 2, 28)), Some(1));
    }

    #[test]
    fn thresholds() {
        let birth = d(2024, 11, 15);
        let y1m6 = AgeThreshold {
            years: 1,
            months: 6,
            days: 0,
        };
        assert_eq!(y1m6.reached_on(birth), Some(d(2026, 5, 15)));
        assert!(!y1m6.is_reached(birth, d(2026, 5, 14)));
        let days57 = AgeThreshold {
            years: 0,
            months: 0,
            days: 57,
        };
        assert_eq!(days57.reached_on(birth), Some(d(2025, 1, 11)));
        assert_eq!(age_in_days(birth, d(2025, 1, 11)), Some(57));
        assert_eq!(
            YearsMonths::on(birth, d(2026, 5, 14)),
            Some(YearsMonths {
                years: 1,
                months: 5
            })
        );
        assert_eq!(y1m6.text().ja, "1歳6か月");
        assert_eq!(days57.text().en, "57 days");
    }
}
