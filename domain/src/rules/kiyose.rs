//! Kiyose City's rules, shipped as the defaults (DOMAIN.md). Values marked
//! *(typical)* there come from neighbouring Tokyo municipalities and are meant to
//! be edited by the city; the structure is what matters.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};

use super::{
    BookingUnit, BookingWindow, CancellationPolicy, CancellationTier, Confirmation, Deadline,
    EligibilityRules, Limits, MunicipalityRules, OpeningHours, Opens, ReasonCode, ServiceRules,
    TimeRange, UpperBound,
};
use crate::calendar::{AgeThreshold, Closure, ClosureCalendar, GradeLevel};
use crate::coupon::CouponRules;
use crate::fees::{Band, Exemptions, FeeSchedule, HourlyFees, StayFees, Surcharge};
use crate::staffing::{AgeBasis, RatioBand, StaffRatios};
use crate::{ServiceId, Text};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// The FY2018 plan (seed document) is the earliest source, so versions start then.
fn since_fy2018() -> NaiveDate {
    date(2018, 4, 1)
}

fn new_year_closed() -> ClosureCalendar {
    ClosureCalendar(vec![Closure::new_year()])
}

fn day_before_17() -> Deadline {
    Deadline {
        days_before: 1,
        at: time(17, 0),
    }
}

fn window_days_ahead(days: u32) -> BookingWindow {
    BookingWindow {
        opens: Opens::DaysBefore {
            days,
            at: time(9, 0),
        },
        closes: day_before_17(),
    }
}

/// After 17:00 the day before: 50 %; no-show: 100 % *(typical)*.
fn half_after_17_day_before(exempt: bool) -> CancellationPolicy {
    CancellationPolicy {
        tiers: vec![CancellationTier {
            from: day_before_17(),
            percent: 50,
        }],
        no_show_percent: 100,
        exempt_tax_exempt: exempt,
        exempt_public_assistance: exempt,
    }
}

fn exempt_poor() -> Exemptions {
    Exemptions {
        public_assistance: true,
        tax_exempt: true,
    }
}

fn hourly(yen_per_hour: u32, first: u32, step: u32, exemptions: Exemptions) -> HourlyFees {
    HourlyFees {
        yen_per_hour,
        first_unit_minutes: first,
        unit_minutes: step,
        surcharges: Vec::new(),
        per_child: false,
        sibling_percent: 100,
        exemptions,
        coupon_accepted: true,
    }
}

fn timed(min: u32, max: u32, first: u32, step: u32) -> BookingUnit {
    BookingUnit::Timed {
        min_minutes: min,
        max_minutes: max,
        first_unit_minutes: first,
        step_minutes: step,
    }
}

fn short_stay() -> ServiceRules {
    ServiceRules {
        effective_from: since_fy2018(),
        eligibility: EligibilityRules {
            min_age: Some(AgeThreshold {
                years: 1,
                months: 6,
                days: 0,
            }),
            max: Some(UpperBound::MaxGrade {
                grade: GradeLevel::Elementary(6),
            }),
            reasons: vec![
                ReasonCode::Hospitalisation,
                ReasonCode::Childbirth,
                ReasonCode::FamilyCare,
                ReasonCode::Accident,
                ReasonCode::Ceremonial,
                ReasonCode::BusinessTrip,
                ReasonCode::ChildcareFatigue,
            ],
            conditions: vec![
                Text::new(
                    "ほかにお子さんを養育できる人がいないこと",
                    "no one else can care for the child",
                ),
                Text::new(
                    "お子さんが感染症にかかっていないこと",
                    "the child has no infectious disease",
                ),
            ],
            ..EligibilityRules::default()
        },
        unit: BookingUnit::Stay {
            check_in: time(10, 0),
            check_out: time(10, 0),
            day_stay: Some(TimeRange::hm(10, 0, 20, 0)),
        },
        hours: OpeningHours::every_day(TimeRange::hm(10, 0, 20, 0)),
        site_hours: BTreeMap::new(),
        closures: new_year_closed(),
        limits: Limits {
            max_nights_per_stay: Some(6),
            max_days_per_stay: Some(7),
            ..Limits::default()
        },
        window: window_days_ahead(30),
        cancellation: half_after_17_day_before(true),
        fees: FeeSchedule::Stay(StayFees {
            younger_than_years: 2,
            night_younger_yen: 4_000,
            night_older_yen: 3_500,
            day_younger_yen: 3_000,
            day_older_yen: 2_500,
            meal_yen_per_night: 400,
            meal_yen_per_day_stay: 400,
            exemptions: exempt_poor(),
            coupon_accepted: true,
        }),
        staffing: None,
        confirmation: Confirmation::CoordinatorApproval,
    }
}

fn single_parent_home_help() -> ServiceRules {
    ServiceRules {
        effective_from: since_fy2018(),
        eligibility: EligibilityRules {
            max: Some(UpperBound::MaxGrade {
                grade: GradeLevel::Elementary(3),
            }),
            single_parent_required: true,
            single_parent_within_years: Some(2),
            reasons: vec![ReasonCode::Illness, ReasonCode::NewlySingleParent],
            ..EligibilityRules::default()
        },
        unit: timed(60, 480, 60, 60),
        hours: OpeningHours::every_day(TimeRange::hm(7, 0, 22, 0)),
        site_hours: BTreeMap::new(),
        closures: new_year_closed(),
        limits: Limits {
            min_minutes_per_day: Some(60),
            max_minutes_per_day: Some(480),
            visits_per_month: Some(12),
            ..Limits::default()
        },
        window: window_days_ahead(60),
        cancellation: half_after_17_day_before(true),
        // (typical) ¥300/h, free for public-assistance and tax-exempt households.
        fees: FeeSchedule::Hourly(hourly(300, 60, 60, exempt_poor())),
        staffing: None,
        confirmation: Confirmation::CoordinatorApproval,
    }
}

fn childrearing_support_helper(effective_from: NaiveDate, with_quota: bool) -> ServiceRules {
    ServiceRules {
        effective_from,
        eligibility: EligibilityRules {
            pregnancy: true,
            max: Some(UpperBound::EndOfSchoolYearReaching { years: 12 }),
            reasons: vec![
                ReasonCode::PrePostnatal,
                ReasonCode::MultipleBirth,
                ReasonCode::YoungParent,
                ReasonCode::PostpartumDepression,
                ReasonCode::NoDaytimeHelp,
            ],
            conditions: vec![Text::new(
                "日中に育児・家事を手伝う人がいないこと（利用前に職員が訪問して調整します）",
                "no one helps during the day (a coordinator visits before the first use)",
            )],
            ..EligibilityRules::default()
        },
        unit: timed(120, 240, 60, 60),
        hours: OpeningHours {
            weekday: Some(TimeRange::hm(7, 0, 20, 0)),
            saturday: Some(TimeRange::hm(7, 0, 20, 0)),
            sunday: None,
            holiday: None,
        },
        site_hours: BTreeMap::new(),
        closures: new_year_closed(),
        limits: if with_quota {
            // Kiyose 2023: 10 visits per half-year, 20 for multiple births.
            Limits {
                max_minutes_per_day: Some(240),
                visits_per_half_year: Some(10),
                visits_per_half_year_multiple_birth: Some(20),
                ..Limits::default()
            }
        } else {
            Limits {
                max_minutes_per_day: Some(240),
                ..Limits::default()
            }
        },
        window: window_days_ahead(60),
        cancellation: half_after_17_day_before(true),
        // ¥500/h, free for tax-exempt households.
        fees: FeeSchedule::Hourly(hourly(500, 60, 60, exempt_poor())),
        staffing: None,
        confirmation: Confirmation::CoordinatorApproval,
    }
}

fn temporary_care(effective_from: NaiveDate, age3: u32, age45: u32) -> ServiceRules {
    let with_i = OpeningHours::every_day(TimeRange::hm(9, 0, 17, 0));
    let mut site_hours = BTreeMap::new();
    // With-I also takes children on weekends and holidays (seed document).
    site_hours.insert("with-i".to_owned(), with_i);
    site_hours.insert(
        "shimojuku".to_owned(),
        OpeningHours {
            weekday: Some(TimeRange::hm(9, 0, 17, 0)),
            ..OpeningHours::default()
        },
    );
    ServiceRules {
        effective_from,
        eligibility: EligibilityRules {
            min_age: Some(AgeThreshold {
                years: 0,
                months: 0,
                days: 57,
            }),
            max: Some(UpperBound::MaxGrade {
                grade: GradeLevel::Preschool,
            }),
            ..EligibilityRules::default()
        },
        unit: timed(60, 480, 60, 30),
        hours: OpeningHours {
            weekday: Some(TimeRange::hm(9, 0, 17, 0)),
            ..OpeningHours::default()
        },
        site_hours,
        closures: new_year_closed(),
        limits: Limits {
            max_minutes_per_day: Some(480),
            ..Limits::default()
        },
        // Requests open on the 15th of the previous month and close the day before.
        window: BookingWindow {
            opens: Opens::DayOfPreviousMonth {
                day: 15,
                at: time(9, 0),
            },
            closes: day_before_17(),
        },
        // Same-day cancellation is charged in full (typical).
        cancellation: CancellationPolicy {
            tiers: vec![CancellationTier {
                from: Deadline {
                    days_before: 0,
                    at: time(0, 0),
                },
                percent: 100,
            }],
            no_show_percent: 100,
            exempt_tax_exempt: true,
            exempt_public_assistance: true,
        },
        fees: FeeSchedule::Hourly(HourlyFees {
            per_child: true,
            ..hourly(500, 60, 30, Exemptions::default())
        }),
        staffing: Some(StaffRatios {
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
                    children_per_staff: age3,
                },
                RatioBand {
                    min_age: 4,
                    max_age: 5,
                    children_per_staff: age45,
                },
            ],
            minimum_staff: 2,
            age_basis: AgeBasis::ClassAge,
        }),
        confirmation: Confirmation::Automatic,
    }
}

fn home_visitor() -> ServiceRules {
    ServiceRules {
        effective_from: since_fy2018(),
        eligibility: EligibilityRules {
            pregnancy: true,
            max: Some(UpperBound::MaxGrade {
                grade: GradeLevel::Preschool,
            }),
            conditions: vec![Text::new(
                "ホームビジターは保護者と一緒に家事・育児を行います（お子さんだけを預かることはできません）",
                "the visitor works together with the parent; never childcare without the parent",
            )],
            ..EligibilityRules::default()
        },
        unit: timed(120, 120, 120, 30),
        hours: OpeningHours {
            weekday: Some(TimeRange::hm(9, 0, 17, 0)),
            ..OpeningHours::default()
        },
        site_hours: BTreeMap::new(),
        closures: new_year_closed(),
        limits: Limits {
            visits_per_plan_min: Some(4),
            visits_per_plan_max: Some(6),
            ..Limits::default()
        },
        window: window_days_ahead(60),
        cancellation: CancellationPolicy::free(),
        fees: FeeSchedule::Free,
        staffing: None,
        confirmation: Confirmation::CoordinatorApproval,
    }
}

fn family_support() -> ServiceRules {
    let extra = |band, yen| Surcharge {
        band,
        extra_yen_per_hour: yen,
    };
    ServiceRules {
        effective_from: since_fy2018(),
        eligibility: EligibilityRules {
            min_age: Some(AgeThreshold {
                years: 0,
                months: 2,
                days: 0,
            }),
            max: Some(UpperBound::UnderAge {
                age: AgeThreshold::years(18),
            }),
            ..EligibilityRules::default()
        },
        unit: timed(60, 720, 60, 30),
        hours: OpeningHours::every_day(TimeRange::hm(6, 0, 22, 0)),
        site_hours: BTreeMap::new(),
        // No activities 12/29–1/3.
        closures: new_year_closed(),
        limits: Limits::default(),
        window: window_days_ahead(60),
        cancellation: half_after_17_day_before(false),
        // (typical) ¥700/h weekdays 7–19, +¥100 early/late/weekends/holidays, +¥200
        // New Year; first hour in full, then 30 minutes; second sibling half price.
        fees: FeeSchedule::Hourly(HourlyFees {
            surcharges: vec![
                extra(Band::Early { before: time(7, 0) }, 100),
                extra(Band::Late { from: time(19, 0) }, 100),
                extra(Band::Weekend, 100),
                extra(Band::Holiday, 100),
                extra(Band::NewYear, 200),
            ],
            per_child: true,
            sibling_percent: 50,
            ..hourly(700, 60, 30, Exemptions::default())
        }),
        staffing: None,
        confirmation: Confirmation::CoordinatorApproval,
    }
}

/// Kiyose City's rules for all six services. Temporary care has two versions: the
/// staff ratios for ages 3 and 4–5 changed from 20:1 / 30:1 to 15:1 / 25:1 on
/// 2024-04-01. The childrearing helper's half-year quota is Kiyose's FY2023 rule.
pub fn kiyose_defaults() -> MunicipalityRules {
    let mut services = BTreeMap::new();
    services.insert(ServiceId::ShortStay, vec![short_stay()]);
    services.insert(
        ServiceId::SingleParentHomeHelp,
        vec![single_parent_home_help()],
    );
    services.insert(
        ServiceId::ChildrearingSupportHelper,
        vec![
            childrearing_support_helper(since_fy2018(), false),
            childrearing_support_helper(date(2023, 4, 1), true),
        ],
    );
    services.insert(
        ServiceId::TemporaryCare,
        vec![
            temporary_care(since_fy2018(), 20, 30),
            temporary_care(date(2024, 4, 1), 15, 25),
        ],
    );
    services.insert(ServiceId::HomeVisitor, vec![home_visitor()]);
    services.insert(ServiceId::FamilySupport, vec![family_support()]);
    MunicipalityRules {
        municipality: Text::new("清瀬市", "Kiyose City"),
        coupon: Some(CouponRules {
            yen_per_fiscal_year: 6_000,
            until_age: AgeThreshold::years(4),
            denomination_yen: 500,
        }),
        services,
    }
}
