//! Home-Start (ホームスタート) plans: the organiser's assessment visit, a trained home
//! visitor assigned to the family, weekly visits of about two hours (as many as the plan
//! says, within the rules' 4–6), and a closing review visit. The visitor never looks
//! after the children alone: every visit is made with the parent present.
//!
//! Pure rules only: the plan's life cycle, the visit count, the weekly series and who may
//! be assigned (a trained home visitor of the municipality who is free at every visit,
//! with the one-person travel buffer of [`crate::capacity::OnePerson`]).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::Text;
use crate::availability::{Instant, Interval, RecurrenceError, local_date, utc_to_local};
use crate::booking::recurring::expand_series;
use crate::capacity::fmt::{span_en, span_ja};
use crate::capacity::{CapacityModel, Conflict, ConflictCode, Occupancy, OnePerson, TravelSpeed};
use crate::rules::{BookingUnit, ServiceRules};

/// What every Home-Start visit says: the parent is there, always.
pub fn parent_present() -> Text {
    Text::new(
        "保護者同席（ホームビジターは保護者と一緒に活動します。お子さんだけをお預かりすることはありません）",
        "Parent present (the visitor works together with the parent and never looks after the children alone)",
    )
}

/// Minutes between a visitor's visits whatever the distance (a short ride in town).
pub const VISITOR_BUFFER_MINUTES: u32 = 30;

/// The capacity model of a home visitor: one family at a time, with a travel buffer.
pub fn visitor_model() -> OnePerson {
    OnePerson::new(VISITOR_BUFFER_MINUTES).with_travel(TravelSpeed::bicycle())
}

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Created on the family's request; the organiser's assessment visit comes first.
    Assessment,
    /// A visitor is assigned; weekly visits and the review are scheduled.
    Active,
    Closed,
    Cancelled,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Assessment => "assessment",
            PlanStatus::Active => "active",
            PlanStatus::Closed => "closed",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        Some(match s {
            "assessment" => PlanStatus::Assessment,
            "active" => PlanStatus::Active,
            "closed" => PlanStatus::Closed,
            "cancelled" => PlanStatus::Cancelled,
            _ => return None,
        })
    }

    pub fn label(self) -> Text {
        match self {
            PlanStatus::Assessment => Text::new("アセスメント", "Assessment"),
            PlanStatus::Active => Text::new("訪問中", "Active"),
            PlanStatus::Closed => Text::new("終了", "Closed"),
            PlanStatus::Cancelled => Text::new("中止", "Cancelled"),
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, PlanStatus::Assessment | PlanStatus::Active)
    }
}

/// The kinds of visit in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// The organiser's first visit (アセスメント訪問).
    Assessment,
    /// The visitor's weekly visit.
    Weekly,
    /// The organiser's closing review (振り返り訪問).
    Review,
}

impl VisitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Assessment => "assessment",
            VisitKind::Weekly => "weekly",
            VisitKind::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<VisitKind> {
        Some(match s {
            "assessment" => VisitKind::Assessment,
            "weekly" => VisitKind::Weekly,
            "review" => VisitKind::Review,
            _ => return None,
        })
    }

    pub fn label(self) -> Text {
        match self {
            VisitKind::Assessment => Text::new("アセスメント訪問", "Assessment visit"),
            VisitKind::Weekly => Text::new("ホームビジター訪問", "Home visit"),
            VisitKind::Review => Text::new("振り返り訪問", "Closing review visit"),
        }
    }
}

/// Why an action does not fit the plan's state or the rules. `field` names the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: Text,
}

impl PlanError {
    fn new(
        field: &'static str,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        PlanError {
            field,
            code,
            message: Text::new(ja, en),
        }
    }
}

/// The plan limits the rules give: visits per plan and the length of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    pub min_visits: u32,
    pub max_visits: u32,
    pub visit_minutes: u32,
}

impl PlanLimits {
    /// From the home-visitor rules; 4–6 visits of 120 minutes when the rules say nothing.
    pub fn from_rules(rules: &ServiceRules) -> PlanLimits {
        let visit_minutes = match rules.unit {
            BookingUnit::Timed { min_minutes, .. } => min_minutes,
            BookingUnit::Stay { .. } => 120,
        };
        PlanLimits {
            min_visits: rules.limits.visits_per_plan_min.unwrap_or(4),
            max_visits: rules.limits.visits_per_plan_max.unwrap_or(6),
            visit_minutes,
        }
    }

    /// The number of weekly visits a plan may set.
    pub fn check_count(&self, n: i64) -> Result<u32, PlanError> {
        match u32::try_from(n) {
            Ok(n) if (self.min_visits..=self.max_visits).contains(&n) => Ok(n),
            _ => Err(PlanError::new(
                "visit_count",
                "out_of_range",
                format!(
                    "訪問回数は{}〜{}回で指定してください",
                    self.min_visits, self.max_visits
                ),
                format!(
                    "The number of visits must be {} to {}",
                    self.min_visits, self.max_visits
                ),
            )),
        }
    }
}

/// What may happen next, by state.
pub fn check_action(status: PlanStatus, action: Action) -> Result<(), PlanError> {
    use Action::*;
    let ok = match action {
        ScheduleAssessment | AssignVisitor => status.is_open(),
        ScheduleVisits | ScheduleReview => status == PlanStatus::Active,
        Close => status == PlanStatus::Active,
        Cancel => status.is_open(),
    };
    if ok {
        Ok(())
    } else {
        Err(PlanError::new(
            "status",
            "wrong_state",
            format!(
                "計画が「{}」の状態ではこの操作はできません",
                status.label().ja
            ),
            format!(
                "Not possible while the plan is {}",
                status.label().en.to_lowercase()
            ),
        ))
    }
}

/// A change to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ScheduleAssessment,
    AssignVisitor,
    ScheduleVisits,
    ScheduleReview,
    Close,
    Cancel,
}

/// Expands the weekly visits: a bounded RRULE from `first` (local time), each visit
/// `minutes` long; exactly `count` visits, at most one a week.
pub fn weekly_series(
    rrule: &str,
    first: NaiveDateTime,
    minutes: u32,
    count: u32,
) -> Result<Vec<Interval>, PlanError> {
    let visits =
        expand_series(rrule, first, minutes, 60).map_err(|e: RecurrenceError| PlanError {
            field: "rrule",
            code: e.code(),
            message: e.message(),
        })?;
    if visits.len() != count as usize {
        return Err(PlanError::new(
            "rrule",
            "wrong_count",
            format!(
                "この計画の訪問は{count}回です（指定の規則では{}回になります）",
                visits.len()
            ),
            format!(
                "This plan has {count} visits; the rule gives {}",
                visits.len()
            ),
        ));
    }
    for w in visits.windows(2) {
        if local_date(w[1].start()) - local_date(w[0].start()) < Duration::days(7) {
            return Err(PlanError::new(
                "rrule",
                "not_weekly",
                "訪問は週1回までです（間を7日以上あけてください）",
                "At most one visit a week (7 days or more apart)",
            ));
        }
    }
    Ok(visits)
}

/// Whether one visit lies within the service's hours and outside its closures.
pub fn within_hours(rules: &ServiceRules, iv: &Interval) -> Result<(), Conflict> {
    let (from, to) = (utc_to_local(iv.start()), utc_to_local(iv.end()));
    let ok = from.date() == to.date()
        && rules
            .hours_on(None, from.date())
            .is_some_and(|h| h.contains(from.time(), to.time()));
    if ok {
        Ok(())
    } else {
        Err(Conflict::new(
            ConflictCode::Closed,
            Text::new(
                format!(
                    "{} は訪問の時間外です（平日の受付時間内、年末年始・祝日を除く）",
                    span_ja(iv)
                ),
                format!(
                    "{} is outside visiting hours (weekdays, not holidays or New Year)",
                    span_en(iv)
                ),
            ),
        )
        .during(*iv))
    }
}

/// Each proposed visit and its verdict: hours, then the visitor's other visits (and the
/// proposed visits before it) with the travel buffer.
pub fn series_fit(
    rules: &ServiceRules,
    visits: &[Occupancy],
    visitor_busy: &[Occupancy],
    now: Instant,
) -> Vec<Result<(), Conflict>> {
    let model = visitor_model();
    let mut taken: Vec<Occupancy> = visitor_busy.to_vec();
    visits
        .iter()
        .map(|v| {
            within_hours(rules, &v.interval)?;
            if v.interval.start() < now {
                return Err(Conflict::new(
                    ConflictCode::BookingWindow,
                    Text::new("過去の日時です", "That time has passed"),
                )
                .during(v.interval));
            }
            model.fits(&taken, v, now)?;
            taken.push(v.clone());
            Ok(())
        })
        .collect()
}

/// What the rules need to know about a possible visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorFacts {
    /// The provider kind (`home_visitor` for visitors).
    pub kind: String,
    /// The day the visitor finished the Home-Start preparation course.
    pub trained_on: Option<NaiveDate>,
    /// Whether the visitor belongs to the plan's municipality.
    pub same_municipality: bool,
}

/// Why a visitor cannot be assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub code: &'static str,
    pub message: Text,
}

/// Whether `v` may visit this family at `visits`, given their other visits `busy`.
pub fn check_visitor(
    v: &VisitorFacts,
    visits: &[Occupancy],
    busy: &[Occupancy],
    today: NaiveDate,
    now: Instant,
) -> Result<(), Exclusion> {
    if !v.same_municipality {
        return Err(Exclusion {
            code: "other_municipality",
            message: Text::new(
                "他の自治体のビジターです",
                "A visitor of another municipality",
            ),
        });
    }
    if v.kind != "home_visitor" {
        return Err(Exclusion {
            code: "not_home_visitor",
            message: Text::new("ホームビジターではありません", "Not a home visitor"),
        });
    }
    match v.trained_on {
        Some(d) if d <= today => {}
        _ => {
            return Err(Exclusion {
                code: "untrained",
                message: Text::new(
                    "ホームビジター養成講座を修了していません",
                    "Has not completed the home-visitor course",
                ),
            });
        }
    }
    let model = visitor_model();
    for visit in visits {
        if let Err(c) = model.fits(busy, visit, now) {
            return Err(Exclusion {
                code: "busy",
                message: c.message,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::local_to_utc;
    use crate::rules::kiyose_defaults;
    use crate::service::ServiceId;

    fn rules() -> ServiceRules {
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        kiyose_defaults()
            .rules_for(ServiceId::HomeVisitor, d)
            .expect("rules")
            .clone()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    fn visit(start: NaiveDateTime, minutes: i64) -> Occupancy {
        Occupancy::new(Interval::from_local(start, start + Duration::minutes(minutes)).expect("iv"))
    }

    #[test]
    fn counts_follow_the_rules() {
        let l = PlanLimits::from_rules(&rules());
        assert_eq!((l.min_visits, l.max_visits, l.visit_minutes), (4, 6, 120));
        assert_eq!(l.check_count(4), Ok(4));
        assert_eq!(l.check_count(6), Ok(6));
        for bad in [3, 7, -1, 0] {
            let e = l.check_count(bad).expect_err("refused");
            assert_eq!((e.field, e.code), ("visit_count", "out_of_range"));
        }
    }

    #[test]
    fn weekly_series_has_the_plans_count_and_one_visit_a_week() {
        // Wednesdays 10:00, 5 visits from 2027-01-13.
        let v = weekly_series("RRULE:FREQ=WEEKLY;COUNT=5", at(2027, 1, 13, 10), 120, 5)
            .expect("series");
        assert_eq!(v.len(), 5);
        assert_eq!(
            local_date(v[4].start()),
            NaiveDate::from_ymd_opt(2027, 2, 10).expect("d")
        );
        assert_eq!(v[0].duration(), Duration::minutes(120));
        let e = weekly_series("RRULE:FREQ=WEEKLY;COUNT=4", at(2027, 1, 13, 10), 120, 5)
            .expect_err("count");
        assert_eq!(e.code, "wrong_count");
        let e = weekly_series("RRULE:FREQ=DAILY;COUNT=5", at(2027, 1, 13, 10), 120, 5)
            .expect_err("daily");
        assert_eq!(e.code, "not_weekly");
        let e =
            weekly_series("RRULE:FREQ=WEEKLY", at(2027, 1, 13, 10), 120, 5).expect_err("unbounded");
        assert_eq!(e.field, "rrule");
    }

    #[test]
    fn life_cycle() {
        use Action::*;
        assert!(check_action(PlanStatus::Assessment, AssignVisitor).is_ok());
        assert!(check_action(PlanStatus::Assessment, ScheduleVisits).is_err());
        assert!(check_action(PlanStatus::Active, ScheduleVisits).is_ok());
        assert!(check_action(PlanStatus::Active, Close).is_ok());
        assert!(check_action(PlanStatus::Closed, Cancel).is_err());
        assert!(check_action(PlanStatus::Cancelled, AssignVisitor).is_err());
        for s in ["assessment", "active", "closed", "cancelled"] {
            assert_eq!(PlanStatus::parse(s).map(PlanStatus::as_str), Some(s));
        }
    }

    #[test]
    fn series_fit_checks_hours_holidays_and_the_visitors_other_visits() {
        let r = rules();
        let now = local_to_utc(at(2027, 1, 1, 0));
        let busy = [visit(at(2027, 1, 20, 13), 120)];
        let visits = [
            visit(at(2027, 1, 13, 10), 120), // fine
            visit(at(2027, 1, 20, 11), 120), // ends 13:00, next visit starts 13:00: no buffer
            visit(at(2027, 1, 27, 16), 120), // ends 18:00, after hours
            visit(at(2027, 2, 11, 10), 120), // 建国記念の日
            visit(at(2027, 2, 17, 10), 120), // fine
        ];
        let got = series_fit(&r, &visits, &busy, now);
        assert!(got[0].is_ok());
        assert_eq!(
            got[1].as_ref().expect_err("buffer").code,
            ConflictCode::TravelBuffer
        );
        assert_eq!(
            got[2].as_ref().expect_err("hours").code,
            ConflictCode::Closed
        );
        assert_eq!(
            got[3].as_ref().expect_err("holiday").code,
            ConflictCode::Closed
        );
        assert!(got[4].is_ok());
    }

    #[test]
    fn who_may_be_assigned() {
        let today = NaiveDate::from_ymd_opt(2027, 1, 5).expect("d");
        let now = local_to_utc(at(2027, 1, 5, 9));
        let trained = VisitorFacts {
            kind: "home_visitor".into(),
            trained_on: Some(NaiveDate::from_ymd_opt(2025, 6, 30).expect("d")),
            same_municipality: true,
        };
        let visits = [visit(at(2027, 1, 13, 10), 120)];
        assert_eq!(check_visitor(&trained, &visits, &[], today, now), Ok(()));
        let untrained = VisitorFacts {
            trained_on: None,
            ..trained.clone()
        };
        assert_eq!(
            check_visitor(&untrained, &visits, &[], today, now).map_err(|e| e.code),
            Err("untrained")
        );
        let elsewhere = VisitorFacts {
            same_municipality: false,
            ..trained.clone()
        };
        assert_eq!(
            check_visitor(&elsewhere, &visits, &[], today, now).map_err(|e| e.code),
            Err("other_municipality")
        );
        let helper = VisitorFacts {
            kind: "helper".into(),
            ..trained.clone()
        };
        assert_eq!(
            check_visitor(&helper, &visits, &[], today, now).map_err(|e| e.code),
            Err("not_home_visitor")
        );
        let busy = [visit(at(2027, 1, 13, 11), 60)];
        assert_eq!(
            check_visitor(&trained, &visits, &busy, today, now).map_err(|e| e.code),
            Err("busy")
        );
        // Free again one buffer after the other visit ends.
        let later = [visit(
            at(2027, 1, 13, 12)
                .checked_add_signed(Duration::minutes(30))
                .expect("t"),
            60,
        )];
        assert_eq!(
            check_visitor(&trained, &later, &[visits[0].clone()], today, now),
            Ok(())
        );
    }
}
