//! Service rules as versioned configuration: one [`MunicipalityRules`] per city,
//! holding for each service a list of versions with an effective-from date.
//!
//! Rules are data (DESIGN.md): everything here (de)serialises to JSON a coordinator
//! can read and a test can swap, and [`MunicipalityRules::validate`] rejects
//! configurations that make no sense before they are used. Counts and prices are
//! unsigned, so a negative limit cannot even be parsed.

pub mod describe;
pub mod kiyose;
pub mod limits;
pub mod window;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::{AgeThreshold, ClosureCalendar, GradeLevel, is_holiday};
use crate::coupon::CouponRules;
use crate::fees::FeeSchedule;
use crate::staffing::StaffRatios;
use crate::{ServiceId, Text};

pub use describe::{RuleSummary, Section, describe, describe_with_sites, format_yen};
pub use kiyose::kiyose_defaults;
pub use limits::{Limits, QuotaExceeded, Usage};
pub use window::{BookingWindow, CancellationPolicy, CancellationTier, Deadline, Opens};

/// All the rules of one municipality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityRules {
    /// The city's name, e.g. 清瀬市.
    pub municipality: Text,
    /// The childrearing coupon, if the city issues one.
    #[serde(default)]
    pub coupon: Option<CouponRules>,
    /// Versions per service; the one in force on a date is the latest whose
    /// `effective_from` is on or before it.
    pub services: BTreeMap<ServiceId, Vec<ServiceRules>>,
}

impl MunicipalityRules {
    /// The version of a service's rules in force on `on`; `None` if the service is
    /// not offered (yet) on that date.
    pub fn rules_for(&self, service: ServiceId, on: NaiveDate) -> Option<&ServiceRules> {
        self.services
            .get(&service)?
            .iter()
            .filter(|r| r.effective_from <= on)
            .max_by_key(|r| r.effective_from)
    }

    /// Every problem in the configuration, each with a JSON-ish path; empty is valid.
    pub fn validate(&self) -> Result<(), Vec<RuleProblem>> {
        let mut problems = Vec::new();
        if let Some(coupon) = &self.coupon {
            coupon.check("coupon", &mut problems);
        }
        for (service, versions) in &self.services {
            if versions.is_empty() {
                problems.push(RuleProblem::new(
                    format!("services.{service}"),
                    "has no rule versions",
                ));
            }
            for (i, v) in versions.iter().enumerate() {
                let path = format!("services.{service}[{i}]");
                if versions[..i]
                    .iter()
                    .any(|w| w.effective_from == v.effective_from)
                {
                    problems.push(RuleProblem::new(
                        format!("{path}.effective_from"),
                        format!("two versions take effect on {}", v.effective_from),
                    ));
                }
                v.check(&path, &mut problems);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// One thing wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    /// Where, e.g. `services.temporary-care[1].limits.max_minutes_per_day`.
    pub path: String,
    pub message: String,
}

impl RuleProblem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        RuleProblem {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Collects problems while walking a configuration.
pub(crate) fn problem(
    out: &mut Vec<RuleProblem>,
    path: &str,
    field: &str,
    message: impl Into<String>,
) {
    out.push(RuleProblem::new(format!("{path}.{field}"), message));
}

/// One version of one service's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRules {
    pub effective_from: NaiveDate,
    pub eligibility: EligibilityRules,
    pub unit: BookingUnit,
    /// Default opening hours of the service.
    pub hours: OpeningHours,
    /// Per-site overrides, e.g. With-I opens on weekends while Shimojuku does not.
    #[serde(default)]
    pub site_hours: BTreeMap<String, OpeningHours>,
    /// Closed periods (年末年始 and others); separate from national holidays.
    #[serde(default)]
    pub closures: ClosureCalendar,
    pub limits: Limits,
    pub window: BookingWindow,
    pub cancellation: CancellationPolicy,
    pub fees: FeeSchedule,
    /// Staff ratios, for services whose capacity is staff (temporary care).
    #[serde(default)]
    pub staffing: Option<StaffRatios>,
    pub confirmation: Confirmation,
}

impl ServiceRules {
    /// Opening hours on `date` at `site` (the service default if the site has no
    /// override); `None` when closed: a closure, or no hours for that kind of day.
    pub fn hours_on(&self, site: Option<&str>, date: NaiveDate) -> Option<TimeRange> {
        if self.closures.is_closed(date) {
            return None;
        }
        let hours = site
            .and_then(|s| self.site_hours.get(s))
            .unwrap_or(&self.hours);
        hours.on(date)
    }

    fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        self.eligibility.check(&format!("{path}.eligibility"), out);
        self.unit.check(&format!("{path}.unit"), out);
        self.hours.check(&format!("{path}.hours"), out);
        for (site, hours) in &self.site_hours {
            hours.check(&format!("{path}.site_hours.{site}"), out);
        }
        for p in self.closures.problems() {
            problem(out, path, "closures", p);
        }
        self.limits.check(&format!("{path}.limits"), out);
        self.window.check_config(&format!("{path}.window"), out);
        self.cancellation
            .check(&format!("{path}.cancellation"), out);
        self.fees.check(&format!("{path}.fees"), out);
        if let Some(s) = &self.staffing {
            s.check(&format!("{path}.staffing"), out);
        }
    }
}

/// Whether a request is confirmed on its own or waits for a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confirmation {
    Automatic,
    CoordinatorApproval,
}

/// Who may use a service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EligibilityRules {
    /// The youngest a child may be ("1 year 6 months", "57 days").
    pub min_age: Option<AgeThreshold>,
    /// The oldest a child may be.
    pub max: Option<UpperBound>,
    /// Whether an expected child (due date, maternal handbook issued) qualifies.
    pub pregnancy: bool,
    /// Only single-parent households.
    pub single_parent_required: bool,
    /// Only within this many years of becoming a single-parent household.
    pub single_parent_within_years: Option<u32>,
    /// Accepted reasons for use; empty means any reason.
    pub reasons: Vec<ReasonCode>,
    /// Conditions the family confirms when booking (shown, not checked here).
    pub conditions: Vec<Text>,
}

impl EligibilityRules {
    fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        if let Some(UpperBound::MaxGrade { grade }) = self.max
            && !grade.is_valid()
        {
            problem(out, path, "max", "no such grade");
        }
        if self.single_parent_within_years.is_some() && !self.single_parent_required {
            problem(
                out,
                path,
                "single_parent_within_years",
                "set without single_parent_required",
            );
        }
        if self.single_parent_within_years == Some(0) {
            problem(
                out,
                path,
                "single_parent_within_years",
                "must be at least 1",
            );
        }
        // The lower age bound must come before the upper one for some child.
        if let (Some(min), Some(UpperBound::UnderAge { age })) = (self.min_age, self.max) {
            let probe = NaiveDate::from_ymd_opt(2000, 1, 1);
            if let Some(p) = probe
                && let (Some(a), Some(b)) = (min.reached_on(p), age.reached_on(p))
                && a >= b
            {
                problem(out, path, "max", "upper age is not above the minimum age");
            }
        }
    }
}

/// The oldest a child may be, in the ways cities write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum UpperBound {
    /// Under an age: "under 18" (eligible until the day before the 18th birthday).
    UnderAge { age: AgeThreshold },
    /// Up to and including a school grade by the 1 April rule: "grade 3 and below",
    /// "preschool".
    MaxGrade { grade: GradeLevel },
    /// Until the end of the school year in which the child reaches an age: "until the
    /// first 31 March after turning 12".
    EndOfSchoolYearReaching { years: u32 },
}

/// Why a family needs the service (short stay and the helpers require one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// The guardian is in hospital (入院).
    Hospitalisation,
    /// Giving birth (出産).
    Childbirth,
    /// Caring for a family member (家族の介護・看護).
    FamilyCare,
    /// An accident or disaster (事故・災害).
    Accident,
    /// Weddings and funerals (冠婚葬祭).
    Ceremonial,
    /// Business trip (出張).
    BusinessTrip,
    /// Exhaustion from childcare (育児疲れ).
    ChildcareFatigue,
    /// The parent or child is temporarily ill (一時的な疾病).
    Illness,
    /// Just became a single-parent household (ひとり親家庭になった直後).
    NewlySingleParent,
    /// Before or after childbirth (産前・産後).
    PrePostnatal,
    /// Twins or more born together (多胎・多子同時出産).
    MultipleBirth,
    /// Young parents (若年養育).
    YoungParent,
    /// Postpartum depression and similar (産後うつ等).
    PostpartumDepression,
    /// Nobody to help during the day (日中介助者なし).
    NoDaytimeHelp,
}

impl ReasonCode {
    /// The reason as a parent would say it.
    pub fn text(self) -> Text {
        match self {
            ReasonCode::Hospitalisation => Text::new("入院", "hospitalisation"),
            ReasonCode::Childbirth => Text::new("出産", "childbirth"),
            ReasonCode::FamilyCare => Text::new("家族の介護・看護", "caring for family"),
            ReasonCode::Accident => Text::new("事故・災害", "accident or disaster"),
            ReasonCode::Ceremonial => Text::new("冠婚葬祭", "wedding or funeral"),
            ReasonCode::BusinessTrip => Text::new("出張", "business trip"),
            ReasonCode::ChildcareFatigue => Text::new("育児疲れ", "childcare fatigue"),
            ReasonCode::Illness => Text::new("一時的な病気", "temporary illness"),
            ReasonCode::NewlySingleParent => {
                Text::new("ひとり親家庭になった直後", "newly single-parent")
            }
            ReasonCode::PrePostnatal => Text::new("産前・産後", "before or after childbirth"),
            ReasonCode::MultipleBirth => Text::new("多胎児・多子同時出産", "multiple birth"),
            ReasonCode::YoungParent => Text::new("若年養育", "young parent"),
            ReasonCode::PostpartumDepression => Text::new("産後うつ等", "postpartum depression"),
            ReasonCode::NoDaytimeHelp => Text::new("日中に介助者がいない", "no daytime help"),
        }
    }
}

/// A time of day range `from..to` on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl TimeRange {
    /// A range from `h1:m1` to `h2:m2` (for literal configuration).
    pub fn hm(h1: u32, m1: u32, h2: u32, m2: u32) -> TimeRange {
        TimeRange {
            from: NaiveTime::from_hms_opt(h1, m1, 0).unwrap_or(NaiveTime::MIN),
            to: NaiveTime::from_hms_opt(h2, m2, 0).unwrap_or(NaiveTime::MIN),
        }
    }

    /// Whether `from..to` (same day) lies inside this range.
    pub fn contains(&self, from: NaiveTime, to: NaiveTime) -> bool {
        self.from <= from && to <= self.to && from < to
    }

    fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        if self.from >= self.to {
            out.push(RuleProblem::new(path, "ends before it starts"));
        }
    }
}

/// When a service is open, by kind of day. `None` means closed on that kind of day,
/// which is how "closed on Sundays and holidays" is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpeningHours {
    /// Monday to Friday.
    pub weekday: Option<TimeRange>,
    pub saturday: Option<TimeRange>,
    pub sunday: Option<TimeRange>,
    /// National holidays, whatever the weekday.
    pub holiday: Option<TimeRange>,
}

impl OpeningHours {
    /// The same hours every day of the year.
    pub fn every_day(range: TimeRange) -> OpeningHours {
        OpeningHours {
            weekday: Some(range),
            saturday: Some(range),
            sunday: Some(range),
            holiday: Some(range),
        }
    }

    /// Hours on `date` before closures are applied.
    pub fn on(&self, date: NaiveDate) -> Option<TimeRange> {
        if is_holiday(date) {
            return self.holiday;
        }
        match date.weekday() {
            Weekday::Sat => self.saturday,
            Weekday::Sun => self.sunday,
            _ => self.weekday,
        }
    }

    fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        for (name, r) in [
            ("weekday", self.weekday),
            ("saturday", self.saturday),
            ("sunday", self.sunday),
            ("holiday", self.holiday),
        ] {
            if let Some(r) = r {
                r.check(&format!("{path}.{name}"), out);
            }
        }
    }
}

/// How a booking is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum BookingUnit {
    /// Nights at a facility, check-in and check-out at fixed times (10:00 → 10:00),
    /// with an optional day-only stay (10:00–20:00).
    Stay {
        check_in: NaiveTime,
        check_out: NaiveTime,
        day_stay: Option<TimeRange>,
    },
    /// A length of time: at least `min_minutes`, at most `max_minutes`, first unit of
    /// `first_unit_minutes` then steps of `step_minutes` (Family Support: 60 then 30).
    Timed {
        min_minutes: u32,
        max_minutes: u32,
        first_unit_minutes: u32,
        step_minutes: u32,
    },
}

impl BookingUnit {
    fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        match *self {
            BookingUnit::Stay { day_stay, .. } => {
                if let Some(r) = day_stay {
                    r.check(&format!("{path}.day_stay"), out);
                }
            }
            BookingUnit::Timed {
                min_minutes,
                max_minutes,
                first_unit_minutes,
                step_minutes,
            } => {
                if step_minutes == 0 || first_unit_minutes == 0 {
                    problem(out, path, "step_minutes", "units must be longer than zero");
                }
                if min_minutes > max_minutes {
                    problem(out, path, "min_minutes", "is above max_minutes");
                }
                if max_minutes > 24 * 60 {
                    problem(out, path, "max_minutes", "is longer than a day");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    #[test]
    fn the_version_in_force_is_the_latest_started() {
        let rules = kiyose_defaults();
        let before = rules.rules_for(ServiceId::TemporaryCare, d(2024, 3, 31));
        let after = rules.rules_for(ServiceId::TemporaryCare, d(2024, 4, 1));
        assert!(before.is_some() && after.is_some());
        assert_ne!(before, after);
        assert_eq!(after.map(|r| r.effective_from), Some(d(2024, 4, 1)));
        assert!(
            rules
                .rules_for(ServiceId::ShortStay, d(1990, 1, 1))
                .is_none()
        );
    }

    #[test]
    fn kiyose_defaults_are_valid_and_round_trip_through_json() {
        let rules = kiyose_defaults();
        assert_eq!(rules.validate(), Ok(()));
        let json = serde_json::to_string_pretty(&rules).unwrap_or_default();
        let back: Result<MunicipalityRules, _> = serde_json::from_str(&json);
        assert_eq!(back.ok().as_ref(), Some(&rules));
        assert!(json.contains("\"temporary-care\""));
    }

    #[test]
    fn validation_rejects_nonsense() {
        let mut rules = kiyose_defaults();
        if let Some(v) = rules.services.get_mut(&ServiceId::FamilySupport) {
            let mut dup = v[0].clone();
            dup.limits.min_minutes_per_day = Some(600);
            dup.limits.max_minutes_per_day = Some(60);
            dup.hours.weekday = Some(TimeRange::hm(20, 0, 7, 0));
            v.push(dup);
        }
        let problems = rules.validate().err().unwrap_or_default();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(
            paths.contains(&"services.family-support[1].effective_from"),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"services.family-support[1].limits.min_minutes_per_day"),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"services.family-support[1].hours.weekday"),
            "{paths:?}"
        );

        // A negative limit is not even representable.
        let json = serde_json::to_string(&kiyose_defaults()).unwrap_or_default();
        let broken = json.replacen("\"visits_per_month\":12", "\"visits_per_month\":-1", 1);
        assert_ne!(json, broken);
        assert!(serde_json::from_str::<MunicipalityRules>(&broken).is_err());
    }

    #[test]
    fn site_hours_override_the_service_default() {
        let rules = kiyose_defaults();
        let tc = rules.rules_for(ServiceId::TemporaryCare, d(2026, 5, 1));
        let saturday = d(2026, 5, 9);
        let holiday = d(2026, 9, 22);
        assert!(
            tc.and_then(|r| r.hours_on(Some("with-i"), saturday))
                .is_some()
        );
        assert!(
            tc.and_then(|r| r.hours_on(Some("with-i"), holiday))
                .is_some()
        );
        assert!(
            tc.and_then(|r| r.hours_on(Some("shimojuku"), saturday))
                .is_none()
        );
        assert!(
            tc.and_then(|r| r.hours_on(Some("with-i"), d(2026, 12, 30)))
                .is_none()
        );
    }
}
