//! Fiscal years, half-years and school grades: the periods quotas, coupons and
//! eligibility windows are counted in.
//!
//! The Japanese fiscal year and school year both run 1 April – 31 March (地方自治法
//! 208条; 学校教育法施行規則59条), so one type serves both.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::age::{age_in_years, day_reaching_age};
use crate::Text;

/// A fiscal (and school) year, named by the calendar year in which it starts:
/// `FiscalYear(2026)` is 2026-04-01..=2027-03-31 (令和8年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FiscalYear(pub i32);

impl FiscalYear {
    /// The fiscal year containing `date`.
    pub fn of(date: NaiveDate) -> FiscalYear {
        if date.month() >= 4 {
            FiscalYear(date.year())
        } else {
            FiscalYear(date.year() - 1)
        }
    }

    /// 1 April: quotas and coupons reset on this day.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 March of the next calendar year.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` counts towards this year's quotas and coupon.
    pub fn contains(self, date: NaiveDate) -> bool {
        FiscalYear::of(date) == self
    }

    /// The following fiscal year (when quotas and coupons reset).
    pub fn next(self) -> FiscalYear {
        FiscalYear(self.0 + 1)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}", self.0)
    }
}

/// Which half of a fiscal year: April–September or October–March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Half {
    First,
    Second,
}

/// A half fiscal year, the period of "10 visits per half-year" quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HalfYear {
    pub fiscal_year: FiscalYear,
    pub half: Half,
}

impl HalfYear {
    /// The half-year containing `date`.
    pub fn of(date: NaiveDate) -> HalfYear {
        let half = if (4..=9).contains(&date.month()) {
            Half::First
        } else {
            Half::Second
        };
        HalfYear {
            fiscal_year: FiscalYear::of(date),
            half,
        }
    }

    /// First day: 1 April or 1 October.
    pub fn start(self) -> NaiveDate {
        match self.half {
            Half::First => self.fiscal_year.start(),
            Half::Second => {
                NaiveDate::from_ymd_opt(self.fiscal_year.0, 10, 1).unwrap_or(NaiveDate::MIN)
            }
        }
    }

    /// Last day: 30 September or 31 March.
    pub fn end(self) -> NaiveDate {
        match self.half {
            Half::First => {
                NaiveDate::from_ymd_opt(self.fiscal_year.0, 9, 30).unwrap_or(NaiveDate::MAX)
            }
            Half::Second => self.fiscal_year.end(),
        }
    }

    /// Whether `date` counts towards this half-year's quota.
    pub fn contains(self, date: NaiveDate) -> bool {
        HalfYear::of(date) == self
    }
}

/// The age a child has on 1 April of the fiscal year of `on` (クラス年齢), the age
/// nurseries group children by. A child born later in that fiscal year is in the
/// 0-year class. `None` if the child is not yet born on `on`.
pub fn class_age(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    Some(age_in_years(birth, FiscalYear::of(on).start()).unwrap_or(0))
}

/// The fiscal year in which a child enters elementary school: the first 1 April
/// after the day they reach 6 (学校教育法17条). A child born on 1 April reaches 6 at
/// the end of 31 March and so enters the next day, a year before a child born on
/// 2 April.
pub fn school_entry_year(birth: NaiveDate) -> Option<FiscalYear> {
    let after = day_reaching_age(birth, 6)?.succ_opt()?;
    let fy = FiscalYear::of(after);
    Some(if after == fy.start() { fy } else { fy.next() })
}

/// The last day of the school year in which the child reaches `years` of age, e.g.
/// "until the first 31 March after turning 12" (the end of elementary grade 6).
pub fn end_of_school_year_reaching(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    day_reaching_age(birth, years).map(|d| FiscalYear::of(d).end())
}

/// A school level used in rule windows, ordered from youngest to oldest.
///
/// JSON: `"preschool"`, `{"elementary":3}`, `{"junior-high":1}`, `{"high":3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradeLevel {
    Preschool,
    Elementary(u8),
    JuniorHigh(u8),
    High(u8),
}

impl GradeLevel {
    /// Position on one scale with class ages: preschool = 5, elementary 1 = 6, … .
    pub fn index(self) -> i32 {
        match self {
            GradeLevel::Preschool => 5,
            GradeLevel::Elementary(g) => 5 + i32::from(g),
            GradeLevel::JuniorHigh(g) => 11 + i32::from(g),
            GradeLevel::High(g) => 14 + i32::from(g),
        }
    }

    /// Whether the grade number exists (elementary 1–6, the others 1–3).
    pub fn is_valid(self) -> bool {
        match self {
            GradeLevel::Preschool => true,
            GradeLevel::Elementary(g) => (1..=6).contains(&g),
            GradeLevel::JuniorHigh(g) | GradeLevel::High(g) => (1..=3).contains(&g),
        }
    }

    /// `小学3年生` / `grade 3`.
    pub fn text(self) -> Text {
        match self {
            GradeLevel::Preschool => Text::new("未就学児", "preschool"),
            GradeLevel::Elementary(g) => Text::new(format!("小学{g}年生"), format!("grade {g}")),
            GradeLevel::JuniorHigh(g) => {
                Text::new(format!("中学{g}年生"), format!("junior high year {g}"))
            }
            GradeLevel::High(g) => {
                Text::new(format!("高校{g}年生"), format!("high school year {g}"))
            }
        }
    }
}

/// Where a child stands in school on a date, by the 1 April rule. Real children
/// can enter late or skip; the rules use the statutory grade, as the city does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "stage")]
pub enum SchoolStage {
    /// Not yet in elementary school; `class_age` is the age on 1 April (0–5).
    Preschool {
        class_age: u8,
    },
    Elementary {
        grade: u8,
    },
    JuniorHigh {
        grade: u8,
    },
    High {
        grade: u8,
    },
    /// Past high-school age.
    Beyond,
}

impl SchoolStage {
    /// The stage of a child born on `birth` on `on`; `None` before birth.
    /// Grade = fiscal year of `on` − entry fiscal year + 1.
    pub fn on(birth: NaiveDate, on: NaiveDate) -> Option<SchoolStage> {
        let class_age = class_age(birth, on)?;
        let entry = school_entry_year(birth)?;
        let grade = FiscalYear::of(on).0 - entry.0 + 1;
        let small = |g: i32| u8::try_from(g).unwrap_or(u8::MAX);
        Some(match grade {
            ..=0 => SchoolStage::Preschool {
                class_age: small(class_age as i32),
            },
            1..=6 => SchoolStage::Elementary {
                grade: small(grade),
            },
            7..=9 => SchoolStage::JuniorHigh {
                grade: small(grade - 6),
            },
            10..=12 => SchoolStage::High {
                grade: small(grade - 9),
            },
            _ => SchoolStage::Beyond,
        })
    }

    /// Position on the same scale as [`GradeLevel::index`]; preschool classes are
    /// 0–5 and "beyond" is past high school 3.
    pub fn index(self) -> i32 {
        match self {
            SchoolStage::Preschool { class_age } => i32::from(class_age).min(5),
            SchoolStage::Elementary { grade } => 5 + i32::from(grade),
            SchoolStage::JuniorHigh { grade } => 11 + i32::from(grade),
            SchoolStage::High { grade } => 14 + i32::from(grade),
            SchoolStage::Beyond => 18,
        }
    }

    /// `小学4年生` / `grade 4`; preschool names the class age.
    pub fn text(self) -> Text {
        match self {
            SchoolStage::Preschool { class_age } => Text::new(
                format!("未就学児（{class_age}歳児クラス）"),
                format!("preschool (age-{class_age} class)"),
            ),
            SchoolStage::Elementary { grade } => GradeLevel::Elementary(grade).text(),
            SchoolStage::JuniorHigh { grade } => GradeLevel::JuniorHigh(grade).text(),
            SchoolStage::High { grade } => GradeLevel::High(grade).text(),
            SchoolStage::Beyond => Text::new("高校卒業年齢以上", "past high-school age"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    #[test]
    fn fiscal_and_half_years() {
        assert_eq!(FiscalYear::of(d(2027, 3, 31)), FiscalYear(2026));
        assert_eq!(FiscalYear::of(d(2027, 4, 1)), FiscalYear(2027));
        assert_eq!(FiscalYear(2026).start(), d(2026, 4, 1));
        assert_eq!(FiscalYear(2026).end(), d(2027, 3, 31));
        let h = HalfYear::of(d(2026, 10, 1));
        assert_eq!(h.half, Half::Second);
        assert_eq!((h.start(), h.end()), (d(2026, 10, 1), d(2027, 3, 31)));
        assert_eq!(HalfYear::of(d(2026, 9, 30)).end(), d(2026, 9, 30));
        assert_eq!(HalfYear::of(d(2027, 1, 5)).fiscal_year, FiscalYear(2026));
    }

    #[test]
    fn first_of_april_is_the_older_grade() {
        let on = d(2026, 4, 1);
        // Born 1 April 2020: reaches 6 at the end of 2026-03-31, enters on 2026-04-01.
        assert_eq!(
            SchoolStage::on(d(2020, 4, 1), on),
            Some(SchoolStage::Elementary { grade: 1 })
        );
        // Born 2 April 2020: one grade younger.
        assert_eq!(
            SchoolStage::on(d(2020, 4, 2), on),
            Some(SchoolStage::Preschool { class_age: 5 })
        );
        assert_eq!(
            SchoolStage::on(d(2019, 4, 2), on),
            Some(SchoolStage::Elementary { grade: 1 })
        );
        // Born 29 Feb 2020 is in the same grade as 1 April 2020.
        assert_eq!(
            SchoolStage::on(d(2020, 2, 29), on),
            Some(SchoolStage::Elementary { grade: 1 })
        );
        assert_eq!(
            SchoolStage::on(d(2026, 1, 10), d(2026, 3, 1)),
            Some(SchoolStage::Preschool { class_age: 0 })
        );
        assert_eq!(
            SchoolStage::on(d(2007, 5, 1), d(2026, 5, 1)),
            Some(SchoolStage::Beyond)
        );
        assert_eq!(
            SchoolStage::on(d(2007, 5, 1), d(2026, 3, 31)),
            Some(SchoolStage::High { grade: 3 })
        );
        assert_eq!(SchoolStage::on(d(2026, 5, 1), d(2026, 4, 30)), None);
    }

    #[test]
    fn end_of_the_school_year_after_turning_twelve() {
        assert_eq!(
            end_of_school_year_reaching(d(2014, 4, 1), 12),
            Some(d(2026, 3, 31))
        );
        assert_eq!(
            end_of_school_year_reaching(d(2014, 4, 2), 12),
            Some(d(2027, 3, 31))
        );
        assert_eq!(
            end_of_school_year_reaching(d(2014, 12, 1), 12),
            Some(d(2027, 3, 31))
        );
        assert_eq!(school_entry_year(d(2014, 4, 1)), Some(FiscalYear(2020)));
    }

    #[test]
    fn class_age_on_the_first_of_april() {
        assert_eq!(class_age(d(2023, 4, 2), d(2026, 6, 1)), Some(2));
        assert_eq!(class_age(d(2023, 4, 1), d(2026, 6, 1)), Some(3));
    }
}
