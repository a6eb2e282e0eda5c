//! Family Support candidates (issue 7, item 4): which providing members may take a
//! request, and how well each fits, with every reason a coordinator needs to see.
//!
//! Hard exclusions (never proposed, each explained): training not completed, lifesaving
//! refresher missing or older than the policy allows (5 years), the child's age outside the
//! ages the provider accepts, sick-child or overnight care the provider does not offer, the
//! weekly limit exceeded in some week, and free for none of the occurrences.
//!
//! The score (higher is better, integers so the batch solver is exact) adds up visible parts:
//! share of the requested occurrences the provider is free for, distance from their home to
//! the place, continuity (they were paired with this family before) and fairness (a lighter
//! current load). The weights are policy, not code.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::Text;
use crate::availability::{
    ExpansionLimits, Interval, IntervalSet, RecurrenceError, RecurringWindow, local_date,
};
use crate::calendar::age::age_in_months;
use crate::calendar::{GradeLevel, SchoolStage};
use crate::capacity::GeoPoint;

use super::batch::{BatchError, BatchPlan, BatchProblem, Candidate, batch_match};

/// What a request asks for (援助内容). Sick-child and overnight care are only for
/// children up to grade 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Help {
    /// Escort to/from nursery, school, 学童.
    Escort,
    /// Care at the provider's or the family's home.
    Care,
    SickChild,
    Overnight,
}

impl Help {
    pub const ALL: [Help; 4] = [Help::Escort, Help::Care, Help::SickChild, Help::Overnight];

    pub fn as_str(self) -> &'static str {
        match self {
            Help::Escort => "escort",
            Help::Care => "care",
            Help::SickChild => "sick_child",
            Help::Overnight => "overnight",
        }
    }

    pub fn parse(s: &str) -> Option<Help> {
        Help::ALL.into_iter().find(|h| h.as_str() == s.trim())
    }

    pub fn text(self) -> Text {
        match self {
            Help::Escort => Text::new("送迎", "escort"),
            Help::Care => Text::new("預かり", "care"),
            Help::SickChild => Text::new("病児・病後児の預かり", "sick-child care"),
            Help::Overnight => Text::new("宿泊を伴う預かり", "overnight care"),
        }
    }

    /// Needs the special-care limit (grade 6).
    pub fn is_special(self) -> bool {
        matches!(self, Help::SickChild | Help::Overnight)
    }
}

/// The Family Support rules the ranking applies (Kiyose defaults in [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsPolicy {
    pub min_training_hours: u32,
    /// A refresher older than this many years excludes the provider.
    pub refresher_valid_years: u32,
    /// Sick-child and overnight care only up to this elementary grade.
    pub special_care_max_grade: u8,
    /// Points for being free for every occurrence (scaled by the share).
    pub weight_free: i64,
    /// Points at zero distance, minus `points_lost_per_km` per km (never below 0).
    pub weight_distance: i64,
    pub points_lost_per_km: i64,
    pub weight_continuity: i64,
    /// Points for an empty week, scaled down by the current load.
    pub weight_fairness: i64,
}

impl Default for FsPolicy {
    fn default() -> Self {
        FsPolicy {
            min_training_hours: 30,
            refresher_valid_years: 5,
            special_care_max_grade: 6,
            weight_free: 500,
            weight_distance: 200,
            points_lost_per_km: 40,
            weight_continuity: 150,
            weight_fairness: 100,
        }
    }
}

/// The ages a provider accepts: from an age in months up to a school grade (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgesAccepted {
    pub from_months: u32,
    pub to_grade: GradeLevel,
}

impl AgesAccepted {
    pub fn accepts(&self, birth: NaiveDate, on: NaiveDate) -> bool {
        let old_enough = age_in_months(birth, on).is_some_and(|m| m >= self.from_months);
        let young_enough =
            SchoolStage::on(birth, on).is_some_and(|s| s.index() <= self.to_grade.index());
        old_enough && young_enough
    }

    pub fn text(&self) -> Text {
        let to = self.to_grade.text();
        Text::new(
            format!("生後{}か月〜{}", self.from_months, to.ja),
            format!("{} months to {}", self.from_months, to.en),
        )
    }
}

/// A providing member as the ranking sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderProfile {
    pub training_hours: u32,
    pub lifesaving_refresher: Option<NaiveDate>,
    pub sick_child: bool,
    pub overnight: bool,
    pub ages: AgesAccepted,
    pub home: Option<GeoPoint>,
    pub max_per_week: u32,
    /// Regular availability (RRULE windows in Asia/Tokyo).
    pub availability: Vec<RecurringWindow>,
}

/// A provider's situation around one request.
#[derive(Debug, Clone)]
pub struct ProviderState<'a, Id> {
    pub id: Id,
    pub profile: &'a ProviderProfile,
    /// Activities already booked (any order).
    pub busy: &'a [Interval],
    /// Activities a week promised but not yet booked (accepted pairs, open proposals).
    pub committed_per_week: u32,
    /// Paired with this family before.
    pub continuity: bool,
}

/// A request's recurring need, expanded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Need {
    pub child_birth: NaiveDate,
    pub place: Option<GeoPoint>,
    pub help: Vec<Help>,
    /// The occurrences, sorted.
    pub occurrences: Vec<Interval>,
}

/// Why a recurring need cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeedError {
    #[error(transparent)]
    Recurrence(#[from] RecurrenceError),
    #[error("the need has no occurrence")]
    NoOccurrence,
    #[error("the end date is before the first date")]
    UntilBeforeStart,
}

impl NeedError {
    pub fn code(&self) -> &'static str {
        match self {
            NeedError::Recurrence(e) => e.code(),
            NeedError::NoOccurrence => "no_occurrence",
            NeedError::UntilBeforeStart => "until_before_start",
        }
    }

    pub fn message(&self) -> Text {
        match self {
            NeedError::Recurrence(e) => e.message(),
            NeedError::NoOccurrence => Text::new(
                "この条件では活動日が1日もありません",
                "These settings give no activity date",
            ),
            NeedError::UntilBeforeStart => Text::new(
                "終了日は開始日より後にしてください",
                "The end date must not be before the first date",
            ),
        }
    }
}

/// At most this many occurrences per request (about two years at three a week).
pub const MAX_NEED_OCCURRENCES: usize = 320;

/// Family Support has no activities 12/29–1/3.
pub fn is_new_year_closed(d: NaiveDate) -> bool {
    matches!((d.month(), d.day()), (12, 29..=31) | (1, 1..=3))
}

/// Expands "rule, from `first` at `start` for `minutes`, until `until`" (all Japan time)
/// into occurrences, without the New Year closure.
pub fn expand_need(
    rule: &str,
    first: NaiveDate,
    start: NaiveTime,
    minutes: u32,
    until: NaiveDate,
) -> Result<Vec<Interval>, NeedError> {
    if until < first {
        return Err(NeedError::UntilBeforeStart);
    }
    let bounded = if rule.to_ascii_uppercase().contains("UNTIL=")
        || rule.to_ascii_uppercase().contains("COUNT=")
    {
        rule.trim().to_owned()
    } else {
        format!("{};UNTIL={}", rule.trim(), until.format("%Y%m%d"))
    };
    let window = RecurringWindow::parse(&bounded, first.and_time(start), minutes)?;
    let all = window.all_occurrences(MAX_NEED_OCCURRENCES)?;
    let out: Vec<Interval> = all
        .into_iter()
        .filter(|iv| {
            let d = iv.local_start_date();
            d <= until && !is_new_year_closed(d)
        })
        .collect();
    if out.is_empty() {
        return Err(NeedError::NoOccurrence);
    }
    Ok(out)
}

/// One line of explanation; `points` is its share of the score (0 for exclusions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub text: Text,
    pub points: i64,
}

fn reason(code: &str, text: Text, points: i64) -> Reason {
    Reason {
        code: code.to_owned(),
        text,
        points,
    }
}

/// A provider's assessment for one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment<Id> {
    pub id: Id,
    /// Empty when the provider may be proposed.
    pub exclusions: Vec<Reason>,
    /// Score parts, in a fixed order (free share, distance, continuity, fairness).
    pub reasons: Vec<Reason>,
    pub score: i64,
    pub free_occurrences: usize,
    pub total_occurrences: usize,
    pub distance_km: Option<f64>,
    pub continuity: bool,
    /// Activities a week now (the busiest week of the request's period).
    pub load_per_week: u32,
    /// Occurrences the request needs in its busiest week.
    pub need_per_week: u32,
}

impl<Id> Assessment<Id> {
    pub fn eligible(&self) -> bool {
        self.exclusions.is_empty()
    }
}

/// Monday of the week of `d` (weeks run Monday–Sunday).
fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn per_week<'a>(intervals: impl Iterator<Item = &'a Interval>) -> BTreeMap<NaiveDate, u32> {
    let mut m = BTreeMap::new();
    for iv in intervals {
        *m.entry(week_of(iv.local_start_date())).or_insert(0) += 1;
    }
    m
}

/// The busiest week of a need: what it costs a provider's weekly limit.
pub fn need_per_week(occurrences: &[Interval]) -> u32 {
    per_week(occurrences.iter())
        .into_values()
        .max()
        .unwrap_or(0)
}

/// Assesses one provider for `need`, as of the local date `today`.
pub fn assess<Id: Clone>(
    p: &ProviderState<'_, Id>,
    need: &Need,
    today: NaiveDate,
    policy: &FsPolicy,
) -> Assessment<Id> {
    let prof = p.profile;
    let mut ex = Vec::new();
    let total = need.occurrences.len();
    let first_day = need
        .occurrences
        .first()
        .map(Interval::local_start_date)
        .unwrap_or(today);
    let last_day = need
        .occurrences
        .last()
        .map(Interval::local_start_date)
        .unwrap_or(today);

    if prof.training_hours < policy.min_training_hours {
        ex.push(reason(
            "training_incomplete",
            Text::new(
                format!(
                    "提供会員講習が未修了（{}時間／{}時間）",
                    prof.training_hours, policy.min_training_hours
                ),
                format!(
                    "training not completed ({} of {} hours)",
                    prof.training_hours, policy.min_training_hours
                ),
            ),
            0,
        ));
    }
    // The refresher must still be valid on the last day they would help.
    let expiry = prof
        .lifesaving_refresher
        .and_then(|d| d.checked_add_months(chrono::Months::new(12 * policy.refresher_valid_years)));
    match expiry {
        None => ex.push(reason(
            "refresher_missing",
            Text::new("救命講習の受講記録なし", "no lifesaving course on record"),
            0,
        )),
        Some(exp) if exp <= last_day => ex.push(reason(
            "refresher_expired",
            Text::new(
                format!(
                    "救命講習の更新期限切れ（{}年超）",
                    policy.refresher_valid_years
                ),
                format!(
                    "refresher expired (older than {} years)",
                    policy.refresher_valid_years
                ),
            ),
            0,
        )),
        Some(_) => {}
    }
    if !(prof.ages.accepts(need.child_birth, first_day)
        && prof.ages.accepts(need.child_birth, last_day))
    {
        let t = prof.ages.text();
        ex.push(reason(
            "age_not_accepted",
            Text::new(
                format!("お子さんの年齢が対象外（受け入れ {}）", t.ja),
                format!("child's age not accepted (accepts {})", t.en),
            ),
            0,
        ));
    }
    if need.help.contains(&Help::SickChild) && !prof.sick_child {
        ex.push(reason(
            "no_sick_child",
            Text::new(
                "病児・病後児の預かりは不可",
                "does not offer sick-child care",
            ),
            0,
        ));
    }
    if need.help.contains(&Help::Overnight) && !prof.overnight {
        ex.push(reason(
            "no_overnight",
            Text::new("宿泊を伴う預かりは不可", "does not offer overnight care"),
            0,
        ));
    }

    // Free time over the whole period: availability minus what is already booked. Not
    // computed for someone already excluded (the expansion is the expensive part).
    let excluded_already = !ex.is_empty();
    let (free, load_per_week) = match (need.occurrences.first(), need.occurrences.last()) {
        (Some(a), Some(b)) if excluded_already => {
            let range = a.union_hull(b);
            let in_range = p.busy.iter().filter(|x| x.overlaps(&range));
            let load = per_week(in_range).into_values().max().unwrap_or(0);
            (0, load + p.committed_per_week)
        }
        (Some(a), Some(b)) => {
            let range = a.union_hull(b);
            let mut open = Vec::new();
            let mut failed = false;
            for w in &prof.availability {
                match w.occurrences(range, ExpansionLimits::default()) {
                    Ok(o) => open.extend(o),
                    Err(_) => failed = true,
                }
            }
            if failed {
                ex.push(reason(
                    "availability_unreadable",
                    Text::new(
                        "活動可能時間の設定を読み取れません",
                        "availability cannot be read",
                    ),
                    0,
                ));
            }
            let busy = IntervalSet::from_intervals(p.busy.iter().copied());
            let open = IntervalSet::from_intervals(open).subtract(&busy);
            let free = need.occurrences.iter().filter(|o| open.covers(o)).count();
            let in_range = p.busy.iter().filter(|b| b.overlaps(&range));
            let load = per_week(in_range).into_values().max().unwrap_or(0);
            (free, load + p.committed_per_week)
        }
        _ => (0, p.committed_per_week),
    };
    if free == 0 && !excluded_already {
        ex.push(reason(
            "never_free",
            Text::new(
                "希望の日時に活動できる日がありません",
                "free for none of the requested times",
            ),
            0,
        ));
    }
    let need_week = need_per_week(&need.occurrences);
    if load_per_week + need_week > prof.max_per_week {
        ex.push(reason(
            "weekly_limit",
            Text::new(
                format!(
                    "週の活動上限を超えます（現在 週{}回＋依頼 週{}回 > 上限 週{}回）",
                    load_per_week, need_week, prof.max_per_week
                ),
                format!(
                    "over the weekly limit ({} now + {} requested > {} a week)",
                    load_per_week, need_week, prof.max_per_week
                ),
            ),
            0,
        ));
    }

    let mut reasons = Vec::new();
    let total_i = i64::try_from(total.max(1)).unwrap_or(i64::MAX);
    let free_i = i64::try_from(free).unwrap_or(0);
    reasons.push(reason(
        "free_share",
        Text::new(
            format!("希望日時のうち {free}/{total} 回に対応可能"),
            format!("free for {free} of {total} requested times"),
        ),
        policy.weight_free * free_i / total_i,
    ));
    let distance_km = match (prof.home, need.place) {
        (Some(h), Some(pl)) => Some(h.km_to(&pl)),
        _ => None,
    };
    match distance_km {
        Some(km) => {
            // Whole metres keep the score integer and reproducible.
            let metres = (km * 1000.0).round() as i64;
            let pts = (policy.weight_distance - policy.points_lost_per_km * metres / 1000).max(0);
            reasons.push(reason(
                "distance",
                Text::new(
                    format!("自宅から活動場所まで約{km:.1}km"),
                    format!("about {km:.1} km from home to the place"),
                ),
                pts,
            ));
        }
        None => reasons.push(reason(
            "distance_unknown",
            Text::new("距離は不明", "distance unknown"),
            0,
        )),
    }
    if p.continuity {
        reasons.push(reason(
            "continuity",
            Text::new(
                "以前この家庭を担当（継続性）",
                "paired with this family before (continuity)",
            ),
            policy.weight_continuity,
        ));
    }
    let max = i64::from(prof.max_per_week.max(1));
    let load = i64::from(load_per_week).min(max);
    reasons.push(reason(
        "load",
        Text::new(
            format!(
                "現在の活動 週{}回（上限 週{}回）",
                load_per_week, prof.max_per_week
            ),
            format!(
                "currently {} a week (limit {})",
                load_per_week, prof.max_per_week
            ),
        ),
        policy.weight_fairness * (max - load) / max,
    ));
    let score = reasons.iter().map(|r| r.points).sum();
    Assessment {
        id: p.id.clone(),
        exclusions: ex,
        reasons,
        score,
        free_occurrences: free,
        total_occurrences: total,
        distance_km,
        continuity: p.continuity,
        load_per_week,
        need_per_week: need_week,
    }
}

/// Ranks providers for `need`: those who may be proposed first, best score first (ties:
/// nearer, then input order), then the excluded ones in input order with their reasons.
pub fn rank_candidates<Id: Clone>(
    providers: &[ProviderState<'_, Id>],
    need: &Need,
    today: NaiveDate,
    policy: &FsPolicy,
) -> Vec<Assessment<Id>> {
    let mut all: Vec<(usize, Assessment<Id>)> = providers
        .iter()
        .map(|p| assess(p, need, today, policy))
        .enumerate()
        .collect();
    all.sort_by(|(i, a), (j, b)| {
        b.eligible()
            .cmp(&a.eligible())
            .then_with(|| {
                if a.eligible() {
                    b.score.cmp(&a.score).then_with(|| {
                        let d = |x: &Assessment<Id>| x.distance_km.unwrap_or(f64::MAX);
                        d(a).total_cmp(&d(b))
                    })
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then(i.cmp(j))
    });
    all.into_iter().map(|(_, a)| a).collect()
}

/// Whether the sick-child/overnight limit forbids `help` for a child born `birth` on `on`.
pub fn special_care_too_old(help: &[Help], birth: NaiveDate, on: NaiveDate, p: &FsPolicy) -> bool {
    help.iter().any(|h| h.is_special())
        && SchoolStage::on(birth, on)
            .is_some_and(|s| s.index() > GradeLevel::Elementary(p.special_care_max_grade).index())
}

/// One request in a batch: its occurrences and its eligible candidates.
#[derive(Debug, Clone)]
pub struct BatchRequest<'a> {
    pub occurrences: &'a [Interval],
    /// `(provider index, score)` of the providers who may be proposed.
    pub candidates: Vec<(usize, i64)>,
}

/// Batch matching under the weekly limits. `room[p]` is how many more activities a week
/// provider `p` may take.
///
/// Each request is one unit of flow, so a provider's weekly room must be turned into a
/// number of requests: start from `room / smallest weekly need among their candidates`,
/// solve exactly ([`batch_match`]), and if a provider's plan breaks their weekly room or
/// books them twice at the same time, lower that provider's count by one and solve again.
/// When a provider's candidate requests all need the same number a week (the usual
/// "twice a week"), the first solve is already the exact optimum.
pub fn batch_with_limits(
    requests: &[BatchRequest<'_>],
    room: &[u32],
) -> Result<BatchPlan, BatchError> {
    let needs: Vec<u32> = requests
        .iter()
        .map(|r| need_per_week(r.occurrences))
        .collect();
    let mut cap: Vec<u32> = room
        .iter()
        .enumerate()
        .map(|(p, &r)| {
            let smallest = requests
                .iter()
                .zip(&needs)
                .filter(|(q, _)| q.candidates.iter().any(|&(c, _)| c == p))
                .map(|(_, &n)| n.max(1))
                .min()
                .unwrap_or(1);
            r / smallest
        })
        .collect();
    let candidates: Vec<Candidate> = requests
        .iter()
        .enumerate()
        .flat_map(|(r, q)| {
            q.candidates
                .iter()
                .map(move |&(provider, score)| Candidate {
                    request: r,
                    provider,
                    score,
                })
        })
        .collect();
    loop {
        let plan = batch_match(&BatchProblem {
            requests: requests.len(),
            provider_capacity: cap.clone(),
            candidates: candidates.clone(),
        })?;
        let mut broken = None;
        for (p, &c) in cap.iter().enumerate() {
            let mine: Vec<usize> = plan
                .pairs
                .iter()
                .filter(|&&(_, q)| q == p)
                .map(|&(r, _)| r)
                .collect();
            let mut weeks: BTreeMap<NaiveDate, u32> = BTreeMap::new();
            let mut times: Vec<Interval> = Vec::new();
            for &r in &mine {
                for (w, n) in per_week(requests[r].occurrences.iter()) {
                    *weeks.entry(w).or_insert(0) += n;
                }
                times.extend(requests[r].occurrences.iter().copied());
            }
            times.sort_unstable();
            let overlap = times.windows(2).any(|w| w[0].overlaps(&w[1]));
            let over = weeks.values().any(|&n| n > room[p]);
            if c > 0 && (overlap || over) {
                broken = Some(p);
                break;
            }
        }
        match broken {
            Some(p) => cap[p] -= 1,
            None => return Ok(plan),
        }
    }
}

/// The local date of an instant, re-exported for callers that only use this module.
pub fn day_of(i: &Interval) -> NaiveDate {
    local_date(i.start())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }
    fn pt(lat: f64, lon: f64) -> Option<GeoPoint> {
        GeoPoint::new(lat, lon).ok()
    }

    /// Tuesdays and Thursdays 17:00–19:00, from 2026-12-01 until 2027-03-31.
    fn need(help: Vec<Help>, birth: NaiveDate) -> Need {
        Need {
            child_birth: birth,
            place: pt(35.7800, 139.5200),
            help,
            occurrences: expand_need(
                "FREQ=WEEKLY;BYDAY=TU,TH",
                d(2026, 12, 1),
                hm(17, 0),
                120,
                d(2027, 3, 31),
            )
            .expect("need"),
        }
    }

    fn provider(refresher: NaiveDate, home: (f64, f64), rule: &str) -> ProviderProfile {
        ProviderProfile {
            training_hours: 30,
            lifesaving_refresher: Some(refresher),
            sick_child: false,
            overnight: false,
            ages: AgesAccepted {
                from_months: 2,
                to_grade: GradeLevel::Elementary(6),
            },
            home: pt(home.0, home.1),
            max_per_week: 3,
            availability: vec![
                RecurringWindow::parse(rule, d(2026, 4, 1).and_time(hm(16, 0)), 240).expect("rule"),
            ],
        }
    }

    fn state<'a>(
        id: &'static str,
        p: &'a ProviderProfile,
        busy: &'a [Interval],
    ) -> ProviderState<'a, &'static str> {
        ProviderState {
            id,
            profile: p,
            busy,
            committed_per_week: 0,
            continuity: false,
        }
    }

    #[test]
    fn expansion_skips_new_year_and_stops_at_until() {
        let occ = need(vec![Help::Escort], d(2022, 6, 14)).occurrences;
        let days: Vec<NaiveDate> = occ.iter().map(day_of).collect();
        assert!(days.contains(&d(2026, 12, 1)));
        // 2026-12-29 (Tue) and 2026-12-31 (Thu) are closed.
        assert!(!days.contains(&d(2026, 12, 29)));
        assert!(!days.contains(&d(2026, 12, 31)));
        assert!(days.iter().all(|x| *x <= d(2027, 3, 31)));
        // Dec 2026 – Mar 2027: 35 Tue/Thu minus the two closed days.
        assert_eq!(occ.len(), 33);
        assert_eq!(need_per_week(&occ), 2);
        assert_eq!(
            expand_need("FREQ=WEEKLY", d(2027, 1, 1), hm(9, 0), 60, d(2026, 1, 1)),
            Err(NeedError::UntilBeforeStart)
        );
        assert_eq!(
            expand_need("FREQ=DAILY", d(2026, 12, 29), hm(9, 0), 60, d(2027, 1, 3)),
            Err(NeedError::NoOccurrence)
        );
    }

    #[test]
    fn the_obvious_best_provider_comes_first() {
        let n = need(vec![Help::Escort], d(2022, 6, 14));
        let near_free = provider(d(2024, 1, 1), (35.781, 139.521), "FREQ=WEEKLY;BYDAY=TU,TH");
        let far_free = provider(d(2024, 1, 1), (35.80, 139.56), "FREQ=WEEKLY;BYDAY=TU,TH");
        let near_tuesday_only = provider(d(2024, 1, 1), (35.781, 139.521), "FREQ=WEEKLY;BYDAY=TU");
        let people = [
            state("tuesday", &near_tuesday_only, &[]),
            state("far", &far_free, &[]),
            state("near", &near_free, &[]),
        ];
        let ranked = rank_candidates(&people, &n, d(2026, 11, 25), &FsPolicy::default());
        let ids: Vec<&str> = ranked.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec!["near", "far", "tuesday"]);
        assert!(ranked.iter().all(Assessment::eligible));
        assert_eq!(ranked[0].free_occurrences, 33);
        assert_eq!(ranked[2].free_occurrences, 17);
        assert_eq!(ranked[0].reasons[0].code, "free_share");
        assert_eq!(ranked[0].reasons[0].points, 500);
    }

    #[test]
    fn hard_exclusions_are_explained() {
        let n = need(vec![Help::SickChild], d(2022, 6, 14));
        let rule = "FREQ=WEEKLY;BYDAY=TU,TH";
        let expired = ProviderProfile {
            sick_child: true,
            ..provider(d(2021, 10, 2), (35.78, 139.52), rule)
        };
        let no_sick = provider(d(2024, 1, 1), (35.78, 139.52), rule);
        let toddlers_only = ProviderProfile {
            sick_child: true,
            ages: AgesAccepted {
                from_months: 60,
                to_grade: GradeLevel::Elementary(6),
            },
            ..provider(d(2024, 1, 1), (35.78, 139.52), rule)
        };
        let untrained = ProviderProfile {
            sick_child: true,
            training_hours: 12,
            ..provider(d(2024, 1, 1), (35.78, 139.52), rule)
        };
        let mornings = ProviderProfile {
            sick_child: true,
            ..provider(
                d(2024, 1, 1),
                (35.78, 139.52),
                "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9",
            )
        };
        let ok = ProviderProfile {
            sick_child: true,
            ..provider(d(2024, 1, 1), (35.78, 139.52), rule)
        };
        let people = [
            state("expired", &expired, &[]),
            state("no_sick", &no_sick, &[]),
            state("toddlers", &toddlers_only, &[]),
            state("untrained", &untrained, &[]),
            state("mornings", &mornings, &[]),
            state("ok", &ok, &[]),
        ];
        let ranked = rank_candidates(&people, &n, d(2026, 11, 25), &FsPolicy::default());
        let codes: Vec<(&str, Vec<&str>)> = ranked
            .iter()
            .map(|a| (a.id, a.exclusions.iter().map(|r| r.code.as_str()).collect()))
            .collect();
        let expected: Vec<(&str, Vec<&str>)> = vec![
            ("ok", vec![]),
            // Refreshed 2021-10-02: expired 2026-10-02, before the request starts.
            ("expired", vec!["refresher_expired"]),
            ("no_sick", vec!["no_sick_child"]),
            // Accepts from 5 years; the child (born 2022-06-14) is 4.
            ("toddlers", vec!["age_not_accepted"]),
            ("untrained", vec!["training_incomplete"]),
            ("mornings", vec!["never_free"]),
        ];
        assert_eq!(codes, expected);
        let expired = &ranked[1];
        assert_eq!(
            expired.exclusions[0].text.ja,
            "救命講習の更新期限切れ（5年超）"
        );
        assert_eq!(
            expired.exclusions[0].text.en,
            "refresher expired (older than 5 years)"
        );
    }

    #[test]
    fn ages_sick_child_and_weekly_limit() {
        let rule = "FREQ=WEEKLY;BYDAY=TU,TH";
        // A grade-4 child (born 2017-05-01) and a provider accepting up to preschool.
        let n = need(vec![Help::Care], d(2017, 5, 1));
        let small = ProviderProfile {
            ages: AgesAccepted {
                from_months: 2,
                to_grade: GradeLevel::Preschool,
            },
            ..provider(d(2024, 1, 1), (35.78, 139.52), rule)
        };
        let a = assess(
            &state("small", &small, &[]),
            &n,
            d(2026, 11, 25),
            &FsPolicy::default(),
        );
        assert_eq!(a.exclusions[0].code, "age_not_accepted");
        // Sick-child care stops after grade 6.
        let p = FsPolicy::default();
        assert!(!special_care_too_old(
            &[Help::SickChild],
            d(2014, 4, 2),
            d(2027, 3, 31),
            &p
        ));
        assert!(special_care_too_old(
            &[Help::SickChild],
            d(2014, 4, 1),
            d(2027, 3, 31),
            &p
        ));
        assert!(!special_care_too_old(
            &[Help::Escort],
            d(2010, 1, 1),
            d(2027, 3, 31),
            &p
        ));
        // Two activities a week already: a twice-a-week request breaks the limit of 3.
        let full = provider(d(2024, 1, 1), (35.78, 139.52), "FREQ=WEEKLY;BYDAY=MO,TU,TH");
        let n = need(vec![Help::Escort], d(2022, 6, 14));
        let mondays: Vec<Interval> = expand_need(
            "FREQ=WEEKLY;BYDAY=MO,WE",
            d(2026, 11, 30),
            hm(16, 0),
            60,
            d(2027, 3, 31),
        )
        .expect("busy");
        let a = assess(
            &state("full", &full, &mondays),
            &n,
            d(2026, 11, 25),
            &FsPolicy::default(),
        );
        assert_eq!(a.load_per_week, 2);
        assert_eq!(a.exclusions[0].code, "weekly_limit");
        // Booked on the requested Tuesdays: not free then.
        let tuesdays: Vec<Interval> = expand_need(
            "FREQ=WEEKLY;BYDAY=TU",
            d(2026, 12, 1),
            hm(17, 30),
            30,
            d(2027, 3, 31),
        )
        .expect("busy");
        let roomy = ProviderProfile {
            max_per_week: 5,
            ..full.clone()
        };
        let a = assess(
            &state("roomy", &roomy, &tuesdays),
            &n,
            d(2026, 11, 25),
            &FsPolicy::default(),
        );
        assert!(a.eligible());
        assert_eq!(a.free_occurrences, 33 - 17);
    }

    #[test]
    fn continuity_and_fairness_move_the_score() {
        let rule = "FREQ=WEEKLY;BYDAY=TU,TH";
        let n = need(vec![Help::Escort], d(2022, 6, 14));
        let p = provider(d(2024, 1, 1), (35.78, 139.52), rule);
        let mut known = state("known", &p, &[]);
        known.continuity = true;
        let mut busy = state("busy", &p, &[]);
        busy.committed_per_week = 1;
        let fresh = state("fresh", &p, &[]);
        let ranked = rank_candidates(
            &[busy, fresh, known],
            &n,
            d(2026, 11, 25),
            &FsPolicy::default(),
        );
        let ids: Vec<&str> = ranked.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec!["known", "fresh", "busy"]);
        assert_eq!(ranked[0].score - ranked[1].score, 150);
        assert_eq!(ranked[1].score - ranked[2].score, 34);
    }

    #[test]
    fn batch_respects_weekly_room_and_time_clashes() {
        let tt = expand_need(
            "FREQ=WEEKLY;BYDAY=TU,TH",
            d(2026, 12, 1),
            hm(17, 0),
            120,
            d(2027, 1, 31),
        )
        .expect("need");
        let tt2 = tt.clone();
        let mo = expand_need(
            "FREQ=WEEKLY;BYDAY=MO",
            d(2026, 12, 1),
            hm(17, 0),
            120,
            d(2027, 1, 31),
        )
        .expect("need");
        // Provider 0 has room for 4 a week but the two Tue/Thu requests clash in time;
        // provider 1 is worse for everyone.
        let requests = [
            BatchRequest {
                occurrences: &tt,
                candidates: vec![(0, 900), (1, 500)],
            },
            BatchRequest {
                occurrences: &tt2,
                candidates: vec![(0, 800), (1, 600)],
            },
            BatchRequest {
                occurrences: &mo,
                candidates: vec![(0, 700)],
            },
        ];
        let plan = batch_with_limits(&requests, &[4, 2]).expect("plan");
        assert_eq!(plan.pairs, vec![(0, 0), (1, 1), (2, 0)]);
        assert_eq!(plan.total_score, 900 + 600 + 700);
        // Without room for three a week, the Monday request goes unserved.
        let plan = batch_with_limits(&requests, &[2, 2]).expect("plan");
        assert_eq!(plan.pairs, vec![(0, 0), (1, 1)]);
        assert_eq!(plan.unmatched, vec![2]);
    }
}
