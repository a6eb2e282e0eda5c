//! Staff needed for temporary care, from the children present and the ratios in
//! the rules (児童福祉施設の設備及び運営に関する基準 art. 33 as used for 一時預かり).
//!
//! The calculation follows the way municipalities publish it: for each age band,
//! children ÷ ratio to one decimal place, truncated; the bands are added, the sum
//! rounded half up, and never fewer than the minimum on duty (2).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::age::age_in_years;
use crate::calendar::fiscal::class_age;
use crate::rules::{RuleProblem, problem};

/// Whether a child's age for the ratio is taken on 1 April (class age, as nurseries
/// do) or on the day of care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgeBasis {
    ClassAge,
    OnTheDay,
}

/// Children of ages `min_age..=max_age` need one staff member per
/// `children_per_staff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioBand {
    pub min_age: u32,
    pub max_age: u32,
    pub children_per_staff: u32,
}

/// The staff-ratio rule of a service version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffRatios {
    /// Bands in any order; a child older than every band counts in the oldest band.
    pub bands: Vec<RatioBand>,
    /// Never fewer staff than this while any child is present (2: one may need to
    /// leave the room).
    pub minimum_staff: u32,
    pub age_basis: AgeBasis,
}

impl StaffRatios {
    /// Required staff per the band rule; 0 when no child is present.
    ///
    /// Children not yet born on `on` are ignored (they cannot be present).
    pub fn required_staff(&self, on: NaiveDate, birth_dates: &[NaiveDate]) -> u32 {
        required_staff(self, on, birth_dates)
    }

    fn band_for(&self, age: u32) -> Option<&RatioBand> {
        self.bands
            .iter()
            .find(|b| (b.min_age..=b.max_age).contains(&age))
            .or_else(|| self.bands.iter().max_by_key(|b| b.max_age))
    }

    pub(crate) fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        if self.bands.is_empty() {
            problem(out, path, "bands", "no ratio bands");
        }
        for (i, b) in self.bands.iter().enumerate() {
            if b.children_per_staff == 0 {
                problem(
                    out,
                    path,
                    &format!("bands[{i}].children_per_staff"),
                    "must be at least 1",
                );
            }
            if b.min_age > b.max_age {
                problem(
                    out,
                    path,
                    &format!("bands[{i}].min_age"),
                    "is above max_age",
                );
            }
            for (j, c) in self.bands.iter().enumerate().skip(i + 1) {
                if b.min_age <= c.max_age && c.min_age <= b.max_age {
                    problem(
                        out,
                        path,
                        &format!("bands[{j}]"),
                        format!("overlaps bands[{i}]"),
                    );
                }
            }
        }
    }
}

/// Staff required on `on` for children born on `birth_dates`.
///
/// Each band contributes `floor(10 × children / ratio) / 10` (one decimal,
/// truncated); the sum is rounded half up to whole staff; the result is at least
/// `minimum_staff` when any child is present. Integer tenths throughout, so there
/// is no floating-point rounding.
pub fn required_staff(ratios: &StaffRatios, on: NaiveDate, birth_dates: &[NaiveDate]) -> u32 {
    let mut per_band: Vec<(usize, u64)> = Vec::new();
    let mut present = 0u64;
    for &birth in birth_dates {
        let age = match ratios.age_basis {
            AgeBasis::ClassAge => class_age(birth, on),
            AgeBasis::OnTheDay => age_in_years(birth, on),
        };
        let Some(age) = age else { continue };
        let Some(index) = ratios
            .band_for(age)
            .and_then(|b| ratios.bands.iter().position(|x| x == b))
        else {
            continue;
        };
        present += 1;
        match per_band.iter_mut().find(|(i, _)| *i == index) {
            Some((_, n)) => *n += 1,
            None => per_band.push((index, 1)),
        }
    }
    if present == 0 {
        return 0;
    }
    let tenths: u64 = per_band
        .iter()
        .map(|&(i, n)| {
            let ratio = u64::from(ratios.bands[i].children_per_staff.max(1));
            n * 10 / ratio
        })
        .sum();
    let rounded = u32::try_from((tenths + 5) / 10).unwrap_or(u32::MAX);
    rounded.max(ratios.minimum_staff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    fn ratios(three: u32, four_five: u32, basis: AgeBasis) -> StaffRatios {
        StaffRatios {
            bands: vec![
                RatioBand {
                    min_age: 0,
                    max_age: 0,
                    children_per_staff: 3,
                },
                RatioBand {
                    min_age: 1,
                    max_age: 2,
                    children_per_staff: 6,
                },
                RatioBand {
                    min_age: 3,
                    max_age: 3,
                    children_per_staff: three,
                },
                RatioBand {
                    min_age: 4,
                    max_age: 5,
                    children_per_staff: four_five,
                },
            ],
            minimum_staff: 2,
            age_basis: basis,
        }
    }

    #[test]
    fn bands_truncate_then_the_sum_rounds_half_up() {
        let on = d(2026, 6, 1);
        let r = ratios(15, 25, AgeBasis::ClassAge);
        let age = |class: i32| d(2026 - class, 4, 1);
        // 4 age-0 (1.3) + 4 age-1/2 (0.6) = 1.9 -> 2.
        let mut kids = vec![age(0); 4];
        kids.extend(vec![age(1); 4]);
        assert_eq!(required_staff(&r, on, &kids), 2);
        // 7 age-0 (2.3) + 1 age-3 (0.0, truncated from 0.066) = 2.3 -> 2; 8 age-0 = 2.6 -> 3.
        let mut kids = vec![age(0); 7];
        kids.push(age(3));
        assert_eq!(required_staff(&r, on, &kids), 2);
        assert_eq!(required_staff(&r, on, &[age(0); 8]), 3);
        // 2.5 rounds up: 5 age-0 (1.6) + 3 age-1 (0.5) + 6 age-3 (0.4) = 2.5 -> 3.
        let mut kids = vec![age(0); 5];
        kids.extend(vec![age(1); 3]);
        kids.extend(vec![age(3); 6]);
        assert_eq!(required_staff(&r, on, &kids), 3);
        // Truncation per band, not of the total: 13 age-0 = 4.33 -> 4.3; 13 age-1 = 2.16 -> 2.1.
        let mut kids = vec![age(0); 13];
        kids.extend(vec![age(1); 13]);
        assert_eq!(required_staff(&r, on, &kids), 6);
        // The minimum: one child still needs two staff; none needs none.
        assert_eq!(required_staff(&r, on, &[age(5)]), 2);
        assert_eq!(required_staff(&r, on, &[]), 0);
    }

    #[test]
    fn the_2024_ratio_change_matters() {
        let on = d(2026, 6, 1);
        let old = ratios(20, 30, AgeBasis::ClassAge);
        let new = ratios(15, 25, AgeBasis::ClassAge);
        // 45 age-3: 2.25 -> 2.2 -> 2 before; 3.0 -> 3 after.
        let kids = vec![d(2022, 5, 1); 45];
        assert_eq!(required_staff(&old, on, &kids), 2);
        assert_eq!(required_staff(&new, on, &kids), 3);
    }

    #[test]
    fn class_age_versus_age_on_the_day() {
        // Born 2023-05-10: on 2026-06-01 age 3 on the day, class age 2 (age on 1 April).
        let kids = vec![d(2023, 5, 10); 18];
        let on = d(2026, 6, 1);
        // Class age 2: 18/6 = 3.0 -> 3. On the day age 3: 18/15 = 1.2 -> 2 (minimum).
        assert_eq!(
            required_staff(&ratios(15, 25, AgeBasis::ClassAge), on, &kids),
            3
        );
        assert_eq!(
            required_staff(&ratios(15, 25, AgeBasis::OnTheDay), on, &kids),
            2
        );
    }
}
