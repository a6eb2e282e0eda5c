//! One service's rules in plain language, for a parent reading on a phone:
//! 「対象：1歳6か月から小学6年生まで」, 「申込：利用月の前月15日 9:00から、前日17:00まで」.
//!
//! Every line is derived from the rule data, so when a city changes a number the
//! text changes with it. Japanese is the primary text; English follows the same
//! structure. Site names are not part of the rules (sites live in the server's
//! database), so [`describe_with_sites`] takes them; [`describe`] shows site keys.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    BookingUnit, BookingWindow, CancellationPolicy, Confirmation, Deadline, EligibilityRules,
    Limits, OpeningHours, Opens, ServiceRules, TimeRange, UpperBound,
};
use crate::calendar::{AgeThreshold, Closure, ClosureCalendar, GradeLevel, format_date_ja};
use crate::coupon::CouponRules;
use crate::fees::{Band, Exemptions, FeeSchedule, HourlyFees, StayFees};
use crate::{ServiceId, Text};

/// The section keys, in the order sections appear.
pub const SECTION_KEYS: [&str; 8] = [
    "who", "when", "unit", "limits", "booking", "fees", "cancel", "coupon",
];

/// A service's rules as short sections of plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSummary {
    /// Sections in [`SECTION_KEYS`] order; a section with nothing to say is left out.
    pub sections: Vec<Section>,
}

impl RuleSummary {
    /// The section with this key, if present.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }
}

/// One topic: who may use the service, when, for how long, and so on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// One of [`SECTION_KEYS`].
    pub key: &'static str,
    pub title: Text,
    pub lines: Vec<Text>,
}

/// A section as it arrives in JSON, before its key is checked.
#[derive(Deserialize)]
struct SectionWire {
    key: String,
    title: Text,
    lines: Vec<Text>,
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Section::try_from(SectionWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<SectionWire> for Section {
    type Error = String;

    fn try_from(w: SectionWire) -> Result<Self, Self::Error> {
        let key = SECTION_KEYS
            .iter()
            .find(|k| **k == w.key)
            .copied()
            .ok_or_else(|| format!("unknown section `{}`", w.key))?;
        Ok(Section {
            key,
            title: w.title,
            lines: w.lines,
        })
    }
}

/// `6,000円`.
pub fn format_yen(yen: i64) -> String {
    format!("{}円", grouped(yen))
}

/// `¥6,000`.
pub fn format_yen_en(yen: i64) -> String {
    let g = grouped(yen);
    match g.strip_prefix('-') {
        Some(abs) => format!("-¥{abs}"),
        None => format!("¥{g}"),
    }
}

/// `6,000円` / `¥6,000`.
pub fn yen_text(yen: i64) -> Text {
    Text::new(format_yen(yen), format_yen_en(yen))
}

/// Digits with thousands separators: `1,234,567`, `-1,500`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The summary of `rules` (one version of `service`'s rules), with the city's
/// childrearing coupon if it issues one. Site-specific hours name the site by its
/// key; use [`describe_with_sites`] to give sites their names.
pub fn describe(
    service: ServiceId,
    rules: &ServiceRules,
    coupon: Option<&CouponRules>,
) -> RuleSummary {
    describe_with_sites(service, rules, coupon, &BTreeMap::new())
}

/// As [`describe`], naming sites from `site_names` (site key → name, e.g.
/// `with-i` → ウイズアイ); a site without a name is shown by its key.
pub fn describe_with_sites(
    service: ServiceId,
    rules: &ServiceRules,
    coupon: Option<&CouponRules>,
    site_names: &BTreeMap<String, Text>,
) -> RuleSummary {
    let noun = Noun::of(service);
    let candidates = [
        (
            "who",
            Text::new("対象", "Who can use it"),
            who(&rules.eligibility),
        ),
        (
            "when",
            Text::new("利用日時", "When"),
            when(rules, site_names),
        ),
        ("unit", Text::new("利用の単位", "Length"), unit(&rules.unit)),
        (
            "limits",
            Text::new("利用回数", "Limits"),
            limits(&rules.limits, &rules.unit, noun),
        ),
        (
            "booking",
            Text::new("申込", "Booking"),
            booking(&rules.window, rules.confirmation),
        ),
        ("fees", Text::new("料金", "Fees"), fees(rules)),
        (
            "cancel",
            Text::new("キャンセル", "Cancelling"),
            cancel(&rules.cancellation, &rules.fees),
        ),
        (
            "coupon",
            Text::new("子育てクーポン", "Childrearing coupon"),
            coupon
                .map(|c| coupon_lines(c, &rules.fees))
                .unwrap_or_default(),
        ),
    ];
    RuleSummary {
        sections: candidates
            .into_iter()
            .filter(|(_, _, lines)| !lines.is_empty())
            .map(|(key, title, lines)| Section { key, title, lines })
            .collect(),
    }
}

/// What one use of the service is called in English ("visits" for helpers and
/// visitors, who come to the home; "uses" otherwise), and in Japanese.
#[derive(Debug, Clone, Copy)]
struct Noun {
    ja: &'static str,
    en: &'static str,
}

impl Noun {
    fn of(service: ServiceId) -> Noun {
        match service {
            ServiceId::SingleParentHomeHelp
            | ServiceId::ChildrearingSupportHelper
            | ServiceId::HomeVisitor => Noun {
                ja: "訪問",
                en: "visits",
            },
            ServiceId::ShortStay | ServiceId::TemporaryCare | ServiceId::FamilySupport => Noun {
                ja: "利用",
                en: "uses",
            },
        }
    }
}

// ---------------------------------------------------------------- small pieces

/// `7:00`.
fn clock(t: NaiveTime) -> String {
    format!("{}:{:02}", t.hour(), t.minute())
}

/// `9:00〜17:00` / `9:00–17:00`.
fn range(r: TimeRange) -> Text {
    Text::new(
        format!("{}〜{}", clock(r.from), clock(r.to)),
        format!("{}–{}", clock(r.from), clock(r.to)),
    )
}

/// `2時間`, `30分`, `1時間30分` / `2 hours`, `30 minutes`.
fn minutes(m: u32) -> Text {
    let plural = |n: u32, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let (h, r) = (m / 60, m % 60);
    match (h, r) {
        (h, 0) => Text::new(format!("{h}時間"), plural(h, "hour")),
        (0, r) => Text::new(format!("{r}分"), plural(r, "minute")),
        (h, r) => Text::new(
            format!("{h}時間{r}分"),
            format!("{} {}", plural(h, "hour"), plural(r, "minute")),
        ),
    }
}

/// `2〜4時間` / `2–4 hours`; a single length when both ends agree.
fn minutes_range(min: u32, max: u32) -> Text {
    if min == max {
        minutes(min)
    } else if min.is_multiple_of(60) && max.is_multiple_of(60) {
        Text::new(
            format!("{}〜{}時間", min / 60, max / 60),
            format!("{}–{} hours", min / 60, max / 60),
        )
    } else {
        let (a, b) = (minutes(min), minutes(max));
        Text::new(
            format!("{}〜{}", a.ja, b.ja),
            format!("{} – {}", a.en, b.en),
        )
    }
}

/// `1st`, `2nd`, `15th`, `22nd`.
/// `the first hour` / `the first 90 minutes`… for "the first unit" phrasing.
fn first_unit_en(m: u32) -> String {
    if m == 60 {
        "the first hour".to_owned()
    } else {
        format!("the first {}", minutes(m).en)
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `Early…` from `early…`.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a", "a and b", "a, b and c".
fn en_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Joins Japanese with `ja_sep` and English as a list.
fn join(items: &[Text], ja_sep: &str) -> Text {
    let ja: Vec<&str> = items.iter().map(|t| t.ja.as_str()).collect();
    let en: Vec<String> = items.iter().map(|t| t.en.clone()).collect();
    Text::new(ja.join(ja_sep), en_list(&en))
}

/// Prefixes a line with its label: `対象：…` / `Who: …`.
fn labelled(ja_label: &str, en_label: &str, body: &Text) -> Text {
    Text::new(
        format!("{ja_label}：{}", body.ja),
        format!("{en_label}: {}", body.en),
    )
}

/// `生後2か月`, `生後57日`, `1歳6か月` / `2 months`, `57 days`, `1 year 6 months`.
fn age(a: AgeThreshold) -> Text {
    if a.years == 0 && a.months > 0 && a.days == 0 {
        let t = a.text();
        return Text::new(format!("生後{}か月", a.months), t.en);
    }
    a.text()
}

/// "Until the day before the 4th birthday" for whole years, "before 1 year
/// 6 months old" otherwise.
fn until_age(a: AgeThreshold) -> Text {
    if a.months == 0 && a.days == 0 {
        Text::new(
            format!("{}歳の誕生日の前日まで", a.years),
            format!("until the day before the {} birthday", ordinal(a.years)),
        )
    } else {
        let t = age(a);
        Text::new(
            format!("{}になる前日まで", t.ja),
            format!("until the day before turning {} old", t.en),
        )
    }
}

fn exempt_households(e: Exemptions) -> Option<Text> {
    match (e.public_assistance, e.tax_exempt) {
        (true, true) => Some(Text::new(
            "生活保護世帯・住民税非課税世帯",
            "households on public assistance or exempt from residence tax",
        )),
        (true, false) => Some(Text::new("生活保護世帯", "households on public assistance")),
        (false, true) => Some(Text::new(
            "住民税非課税世帯",
            "households exempt from residence tax",
        )),
        (false, false) => None,
    }
}

// ---------------------------------------------------------------- who

fn who(e: &EligibilityRules) -> Vec<Text> {
    let mut lines = Vec::new();
    let from = match (e.pregnancy, e.min_age) {
        (true, None) => Some(Text::new("妊娠中から", "from pregnancy")),
        (true, Some(a)) => {
            let a = age(a);
            Some(Text::new(
                format!("妊娠中の方と、{}から", a.ja),
                format!("expectant parents, and children from {} old", a.en),
            ))
        }
        (false, Some(a)) => {
            let a = age(a);
            Some(Text::new(
                format!("{}から", a.ja),
                format!("from {} old", a.en),
            ))
        }
        (false, None) => None,
    };
    let to = e.max.map(|m| match m {
        UpperBound::MaxGrade {
            grade: GradeLevel::Preschool,
        } => Text::new("就学前まで", "until starting elementary school"),
        UpperBound::MaxGrade { grade } => {
            let g = grade.text();
            Text::new(format!("{}まで", g.ja), format!("up to {}", g.en))
        }
        UpperBound::UnderAge { age } => until_age(age),
        UpperBound::EndOfSchoolYearReaching { years } => Text::new(
            format!("{years}歳になった後の最初の3月31日まで"),
            format!("until the first 31 March after turning {years}"),
        ),
    });
    let range = match (from, to) {
        (Some(f), Some(t)) => Text::new(format!("{}{}", f.ja, t.ja), format!("{} {}", f.en, t.en)),
        (Some(f), None) => f,
        (None, Some(t)) => t,
        (None, None) => Text::new("年齢の制限はありません", "children of any age"),
    };
    lines.push(labelled("対象", "Who", &range));
    if e.single_parent_required {
        lines.push(match e.single_parent_within_years {
            Some(y) => Text::new(
                format!("ひとり親家庭が対象です（ひとり親になってから{y}年以内）"),
                format!("For single-parent households (within {y} years of becoming one)"),
            ),
            None => Text::new("ひとり親家庭が対象です", "For single-parent households"),
        });
    }
    if !e.reasons.is_empty() {
        let reasons: Vec<Text> = e.reasons.iter().map(|r| r.text()).collect();
        lines.push(labelled("利用できる理由", "Reasons", &join(&reasons, "、")));
    }
    lines.extend(e.conditions.iter().cloned());
    lines
}

// ---------------------------------------------------------------- when

/// Weekday, Saturday, Sunday, holiday, in that order.
fn kinds(h: &OpeningHours) -> [Option<TimeRange>; 4] {
    [h.weekday, h.saturday, h.sunday, h.holiday]
}

/// A list whose Japanese and English items need not match one for one
/// (土日祝日 is one Japanese word, "weekends" and "holidays" two English ones).
#[derive(Debug, Clone, Default)]
struct Parts {
    ja: Vec<String>,
    en: Vec<String>,
}

impl Parts {
    fn push(&mut self, ja: &str, en: &str) {
        self.ja.push(ja.to_owned());
        self.en.push(en.to_owned());
    }

    fn push_text(&mut self, t: &Text) {
        if !self.ja.contains(&t.ja) {
            self.push(&t.ja, &t.en);
        }
    }

    fn is_empty(&self) -> bool {
        self.ja.is_empty()
    }

    /// Japanese joined by `・`, English as a list.
    fn text(&self) -> Text {
        Text::new(self.ja.join("・"), en_list(&self.en))
    }
}

/// Names of a set of kinds of day (weekday, Saturday, Sunday, holiday).
fn day_names(set: [bool; 4]) -> Parts {
    let [weekday, saturday, sunday, holiday] = set;
    let mut out = Parts::default();
    if weekday {
        out.push("平日", "weekdays");
    }
    if saturday && sunday && holiday {
        out.ja.push("土日祝日".to_owned());
        out.en
            .extend(["weekends".to_owned(), "holidays".to_owned()]);
        return out;
    }
    if saturday && sunday {
        out.push("土日", "weekends");
    } else if saturday {
        out.push("土曜", "Saturdays");
    } else if sunday {
        out.push("日曜", "Sundays");
    }
    if holiday {
        out.push("祝日", "holidays");
    }
    out
}

/// `平日 9:00〜17:00`, `毎日 7:00〜22:00`, `平日・土曜 7:00〜20:00`; `None` if never
/// open.
fn open_text(h: &OpeningHours) -> Option<Text> {
    let mut groups: Vec<(TimeRange, [bool; 4])> = Vec::new();
    for (i, r) in kinds(h).into_iter().enumerate() {
        let Some(r) = r else { continue };
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, set)) => set[i] = true,
            None => {
                let mut set = [false; 4];
                set[i] = true;
                groups.push((r, set));
            }
        }
    }
    if let [(r, [true, true, true, true])] = groups.as_slice() {
        let r = range(*r);
        return Some(Text::new(
            format!("毎日 {}", r.ja),
            format!("every day {}", r.en),
        ));
    }
    let parts: Vec<Text> = groups
        .iter()
        .map(|(r, set)| {
            let days = day_names(*set).text();
            let r = range(*r);
            Text::new(
                format!("{} {}", days.ja, r.ja),
                format!("{} {}", days.en, r.en),
            )
        })
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(join(&parts, "、"))
    }
}

fn closed_kinds(h: &OpeningHours) -> [bool; 4] {
    kinds(h).map(|r| r.is_none())
}

/// `（土日祝日・年末年始はお休み）` / ` (closed weekends and holidays and New Year
/// holidays)`; empty when nothing is closed.
fn closed_note(days: [bool; 4], closures: &ClosureCalendar) -> Text {
    let mut names = day_names(days);
    for c in &closures.0 {
        names.push_text(c.label());
    }
    if names.is_empty() {
        return Text::new("", "");
    }
    let names = names.text();
    Text::new(
        format!("（{}はお休み）", names.ja),
        format!(" (closed {})", names.en),
    )
}

/// `年末年始（12月29日〜1月3日）` / `New Year holidays (29 Dec – 3 Jan)`.
fn closure_text(c: &Closure) -> Text {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let label = c.label();
    let (ja, en) = match c {
        Closure::Annual { from, to, .. } => {
            let en_md = |m: u32, d: u32| {
                let name = MONTHS
                    .get(m.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or("");
                format!("{d} {name}")
            };
            (
                format!(
                    "{}月{}日〜{}月{}日",
                    from.month(),
                    from.day(),
                    to.month(),
                    to.day()
                ),
                format!(
                    "{} – {}",
                    en_md(from.month(), from.day()),
                    en_md(to.month(), to.day())
                ),
            )
        }
        Closure::Dates { from, to, .. } if from == to => (format_date_ja(*from), from.to_string()),
        Closure::Dates { from, to, .. } => (
            format!("{}〜{}", format_date_ja(*from), format_date_ja(*to)),
            format!("{from} – {to}"),
        ),
    };
    Text::new(
        format!("{}（{ja}）", label.ja),
        format!("{} ({en})", label.en),
    )
}

fn when(rules: &ServiceRules, site_names: &BTreeMap<String, Text>) -> Vec<Text> {
    let mut lines = Vec::new();
    let (ja_label, en_label) = match rules.unit {
        BookingUnit::Stay { .. } => ("受け入れ", "Open"),
        BookingUnit::Timed { .. } => ("利用時間", "Hours"),
    };
    if let Some(open) = open_text(&rules.hours) {
        let note = closed_note(closed_kinds(&rules.hours), &rules.closures);
        lines.push(Text::new(
            format!("{ja_label}：{}{}", open.ja, note.ja),
            format!("{en_label}: {}{}", open.en, note.en),
        ));
    }
    for (site, hours) in &rules.site_hours {
        if *hours == rules.hours {
            continue;
        }
        let name = site_names
            .get(site)
            .cloned()
            .unwrap_or_else(|| Text::new(site.clone(), site.clone()));
        let Some(open) = open_text(hours) else {
            lines.push(Text::new(
                format!("{}はお休みです", name.ja),
                format!("{} is closed", name.en),
            ));
            continue;
        };
        let base = kinds(&rules.hours);
        let extra = kinds(hours).map(|r| r.is_some());
        let extra = [0, 1, 2, 3].map(|i| extra[i] && base[i].is_none());
        if extra.contains(&true) {
            let days = day_names(extra).text();
            lines.push(Text::new(
                format!("{}は{}も利用できます（{}）", name.ja, days.ja, open.ja),
                format!("{} is also open on {} ({})", name.en, days.en, open.en),
            ));
        } else {
            let note = closed_note(closed_kinds(hours), &ClosureCalendar::default());
            lines.push(Text::new(
                format!("{}：{}{}", name.ja, open.ja, note.ja),
                format!("{}: {}{}", name.en, open.en, note.en),
            ));
        }
    }
    if !rules.closures.0.is_empty() {
        let all: Vec<Text> = rules.closures.0.iter().map(closure_text).collect();
        lines.push(labelled("休業日", "Closed", &join(&all, "、")));
    }
    lines
}

// ---------------------------------------------------------------- unit

fn unit(u: &BookingUnit) -> Vec<Text> {
    match *u {
        BookingUnit::Stay {
            check_in,
            check_out,
            day_stay,
        } => {
            let mut lines = vec![Text::new(
                format!(
                    "宿泊：{}から翌日{}まで（1泊）",
                    clock(check_in),
                    clock(check_out)
                ),
                format!(
                    "Overnight: {} to {} the next day (one night)",
                    clock(check_in),
                    clock(check_out)
                ),
            )];
            if let Some(r) = day_stay {
                lines.push(labelled("日帰り", "Day stay", &range(r)));
            }
            lines
        }
        BookingUnit::Timed {
            min_minutes,
            max_minutes,
            first_unit_minutes,
            step_minutes,
        } => {
            let length = minutes_range(min_minutes, max_minutes);
            let steps = if min_minutes == max_minutes {
                Text::new("", "")
            } else if first_unit_minutes == step_minutes {
                let s = minutes(step_minutes);
                Text::new(
                    format!("（{}単位）", s.ja),
                    format!(", in steps of {}", s.en),
                )
            } else {
                let (f, s) = (minutes(first_unit_minutes), minutes(step_minutes));
                Text::new(
                    format!("（最初の{}のあとは{}単位）", f.ja, s.ja),
                    format!(
                        ", {} then steps of {}",
                        first_unit_en(first_unit_minutes),
                        s.en
                    ),
                )
            };
            vec![Text::new(
                format!("1回 {}{}", length.ja, steps.ja),
                format!("{} each time{}", length.en, steps.en),
            )]
        }
    }
}

// ---------------------------------------------------------------- limits

fn limits(l: &Limits, u: &BookingUnit, noun: Noun) -> Vec<Text> {
    let mut lines = Vec::new();
    match (l.max_nights_per_stay, l.max_days_per_stay) {
        (Some(n), Some(d)) => lines.push(Text::new(
            format!("1回の利用は{n}泊{d}日まで"),
            format!("Up to {n} nights ({d} days) per stay"),
        )),
        (Some(n), None) => lines.push(Text::new(
            format!("1回の利用は{n}泊まで"),
            format!("Up to {n} nights per stay"),
        )),
        (None, Some(d)) => lines.push(Text::new(
            format!("1回の利用は{d}日まで"),
            format!("Up to {d} days per stay"),
        )),
        (None, None) => {}
    }
    // A daily bound is worth saying only where it differs from one booking's.
    let (unit_min, unit_max) = match *u {
        BookingUnit::Timed {
            min_minutes,
            max_minutes,
            ..
        } => (Some(min_minutes), Some(max_minutes)),
        BookingUnit::Stay { .. } => (None, None),
    };
    let day_min = l.min_minutes_per_day.filter(|m| Some(*m) != unit_min);
    let day_max = l.max_minutes_per_day.filter(|m| Some(*m) != unit_max);
    match (day_min, day_max) {
        (Some(a), Some(b)) => {
            let r = minutes_range(a, b);
            lines.push(Text::new(
                format!("1日 {}まで", r.ja),
                format!("{} a day", r.en),
            ));
        }
        (None, Some(b)) => {
            let b = minutes(b);
            lines.push(Text::new(
                format!("1日 {}まで", b.ja),
                format!("Up to {} a day", b.en),
            ));
        }
        (Some(a), None) => {
            let a = minutes(a);
            lines.push(Text::new(
                format!("1日 {}以上", a.ja),
                format!("At least {} a day", a.en),
            ));
        }
        (None, None) => {}
    }
    let en = noun.en;
    if let Some(n) = l.visits_per_month {
        lines.push(Text::new(
            format!("1か月に{n}回まで"),
            format!("Up to {n} {en} a month"),
        ));
    }
    match (
        l.visits_per_half_year,
        l.visits_per_half_year_multiple_birth,
    ) {
        (Some(n), Some(m)) if m != n => lines.push(Text::new(
            format!("半年に{n}回まで（多胎児は{m}回）"),
            format!("Up to {n} {en} per half-year (April–September, October–March); {m} for multiple births"),
        )),
        (Some(n), _) => lines.push(Text::new(
            format!("半年に{n}回まで"),
            format!("Up to {n} {en} per half-year (April–September, October–March)"),
        )),
        (None, Some(m)) => lines.push(Text::new(
            format!("多胎児のいるご家庭は半年に{m}回まで"),
            format!("Families with a multiple birth: up to {m} {en} per half-year"),
        )),
        (None, None) => {}
    }
    if let Some(n) = l.visits_per_fiscal_year {
        lines.push(Text::new(
            format!("年度（4月〜翌年3月）に{n}回まで"),
            format!("Up to {n} {en} per fiscal year (April–March)"),
        ));
    }
    let ja = noun.ja;
    match (l.visits_per_plan_min, l.visits_per_plan_max) {
        (Some(a), Some(b)) if a == b => lines.push(Text::new(
            format!("1つの計画につき{a}回{ja}"),
            format!("{a} {en} per plan"),
        )),
        (Some(a), Some(b)) => lines.push(Text::new(
            format!("1つの計画につき{a}〜{b}回{ja}"),
            format!("{a}–{b} {en} per plan"),
        )),
        (None, Some(b)) => lines.push(Text::new(
            format!("1つの計画につき{b}回まで"),
            format!("Up to {b} {en} per plan"),
        )),
        (Some(a), None) => lines.push(Text::new(
            format!("1つの計画につき{a}回以上"),
            format!("At least {a} {en} per plan"),
        )),
        (None, None) => {}
    }
    let quotas = [
        l.visits_per_month,
        l.visits_per_half_year,
        l.visits_per_half_year_multiple_birth,
        l.visits_per_fiscal_year,
        l.visits_per_plan_max,
    ];
    if quotas.iter().all(Option::is_none) {
        lines.push(Text::new(
            "利用回数の上限はありません",
            format!("No limit on the number of {en}"),
        ));
    }
    lines
}

// ---------------------------------------------------------------- booking

/// `当日` / `前日` / `3日前`.
fn day_before(days: u32) -> Text {
    match days {
        0 => Text::new("当日", "the same day"),
        1 => Text::new("前日", "the day before"),
        n => Text::new(format!("{n}日前"), format!("{n} days before")),
    }
}

/// `前日17:00まで`; a deadline at midnight reads as "until the day before".
fn until_deadline(d: Deadline) -> Text {
    if d.at == NaiveTime::MIN {
        let day = day_before(d.days_before.saturating_add(1));
        Text::new(format!("{}まで", day.ja), format!("until {}", day.en))
    } else {
        let day = day_before(d.days_before);
        Text::new(
            format!("{}{}まで", day.ja, clock(d.at)),
            format!("until {} {}", clock(d.at), day.en),
        )
    }
}

fn booking(w: &BookingWindow, confirmation: Confirmation) -> Vec<Text> {
    let at_time = |at: NaiveTime| {
        if at == NaiveTime::MIN {
            (String::new(), String::new())
        } else {
            (format!(" {}", clock(at)), format!(" at {}", clock(at)))
        }
    };
    let opens = match w.opens {
        Opens::DayOfPreviousMonth { day, at } => {
            let (ja_t, en_t) = at_time(at);
            let short = if day > 28 {
                Text::new("（その日がない月は月末）", " (or the month's last day)")
            } else {
                Text::new("", "")
            };
            Text::new(
                format!("利用月の前月{day}日{}{ja_t}から", short.ja),
                format!(
                    "from the {} of the previous month{}{en_t}",
                    ordinal(day),
                    short.en
                ),
            )
        }
        Opens::DaysBefore { days, at } => {
            let (ja_t, en_t) = at_time(at);
            Text::new(
                format!("利用日の{days}日前{ja_t}から"),
                format!("from {days} days before{en_t}"),
            )
        }
    };
    let closes = until_deadline(w.closes);
    let mut lines = vec![Text::new(
        format!("申込：{}、{}", opens.ja, closes.ja),
        format!("Booking: {} {}", opens.en, closes.en),
    )];
    lines.push(match confirmation {
        Confirmation::Automatic => Text::new(
            "空きがあれば、申し込んだ時点で予約が確定します",
            "If there is room, the booking is confirmed when you request it",
        ),
        Confirmation::CoordinatorApproval => Text::new(
            "申込のあと、センターの職員が確認して予約が確定します",
            "The centre's staff confirm the booking after your request",
        ),
    });
    lines
}

// ---------------------------------------------------------------- fees

fn surcharge_label(b: Band) -> Text {
    match b {
        Band::Early { .. } => Text::new("早朝", "early morning"),
        Band::Late { .. } => Text::new("夜間", "evening"),
        Band::Weekend => Text::new("土日", "weekends"),
        Band::Holiday => Text::new("祝日", "holidays"),
        Band::NewYear => Text::new("年末年始", "New Year"),
    }
}

/// Whether annual closures cover the whole New Year period, so that a New Year
/// surcharge can never be charged and is not worth mentioning.
fn closed_over_new_year(closures: &ClosureCalendar) -> bool {
    let annual: Vec<&Closure> = closures
        .0
        .iter()
        .filter(|c| matches!(c, Closure::Annual { .. }))
        .collect();
    // Any year will do for annual closures; 2024–25 has a leap day nowhere near.
    let first = NaiveDate::from_ymd_opt(2024, 12, 29).unwrap_or(NaiveDate::MIN);
    first
        .iter_days()
        .take(6)
        .all(|d| annual.iter().any(|c| c.covers(d)))
}

fn hourly_fees(h: &HourlyFees, closures: &ClosureCalendar) -> Vec<Text> {
    let new_year_closed = closed_over_new_year(closures);
    let mut lines = Vec::new();
    let price = yen_text(i64::from(h.yen_per_hour));
    let (who_ja, who_en) = if h.per_child {
        ("お子さん1人につき", " per child")
    } else {
        ("", "")
    };
    // Surcharges grouped by amount, in the order they are configured.
    let mut groups: Vec<(u32, Vec<Band>)> = Vec::new();
    for s in &h.surcharges {
        if s.band == Band::NewYear && new_year_closed {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(yen, _)| *yen == s.extra_yen_per_hour)
        {
            Some((_, bands)) => bands.push(s.band),
            None => groups.push((s.extra_yen_per_hour, vec![s.band])),
        }
    }
    let extras: Vec<Text> = groups
        .iter()
        .map(|(yen, bands)| {
            let has = |b: Band| bands.contains(&b);
            let mut names = Parts::default();
            for &b in bands {
                // Weekend and holiday together read as 土日祝日.
                if b == Band::Weekend && has(Band::Holiday) {
                    names.ja.push("土日祝日".to_owned());
                    names
                        .en
                        .extend(["weekends".to_owned(), "holidays".to_owned()]);
                } else if b == Band::Holiday && has(Band::Weekend) {
                    continue;
                } else {
                    names.push_text(&surcharge_label(b));
                }
            }
            let names = names.text();
            let extra = yen_text(i64::from(*yen));
            Text::new(
                format!("{} +{}", names.ja, extra.ja),
                format!("+{} {}", extra.en, names.en),
            )
        })
        .collect();
    let extras = if extras.is_empty() {
        Text::new("", "")
    } else {
        let ja: Vec<&str> = extras.iter().map(|t| t.ja.as_str()).collect();
        let en: Vec<&str> = extras.iter().map(|t| t.en.as_str()).collect();
        Text::new(
            format!("（{}）", ja.join("、")),
            format!(" ({})", en.join("; ")),
        )
    };
    let sibling = if h.per_child && h.sibling_percent < 100 {
        match h.sibling_percent {
            0 => Text::new("。2人目からは無料", "; second and later children free"),
            50 => Text::new(
                "。2人目からは半額",
                "; second and later children half price",
            ),
            p => Text::new(
                format!("。2人目からは{p}%"),
                format!("; second and later children pay {p}%"),
            ),
        }
    } else {
        Text::new("", "")
    };
    lines.push(Text::new(
        format!(
            "料金：{who_ja}1時間 {}{}{}",
            price.ja, extras.ja, sibling.ja
        ),
        format!(
            "Fees: {} an hour{who_en}{}{}",
            price.en, extras.en, sibling.en
        ),
    ));
    let times: Vec<Text> = h
        .surcharges
        .iter()
        .filter_map(|s| match s.band {
            Band::Early { before } => Some(Text::new(
                format!("早朝は{}より前", clock(before)),
                format!("early morning is before {}", clock(before)),
            )),
            Band::Late { from } => Some(Text::new(
                format!("夜間は{}以降", clock(from)),
                format!("evening is from {}", clock(from)),
            )),
            _ => None,
        })
        .collect();
    if !times.is_empty() {
        let t = join(&times, "、");
        lines.push(Text::new(format!("{}です", t.ja), capitalised(&t.en)));
    }
    if h.first_unit_minutes == h.unit_minutes {
        let u = minutes(h.unit_minutes);
        lines.push(Text::new(
            format!("{}単位で計算します", u.ja),
            format!("Charged in units of {}", u.en),
        ));
    } else {
        let (f, u) = (minutes(h.first_unit_minutes), minutes(h.unit_minutes));
        lines.push(Text::new(
            format!("最初の{}のあとは{}単位で計算します", f.ja, u.ja),
            format!(
                "{} in full, then units of {}",
                capitalised(&first_unit_en(h.first_unit_minutes)),
                u.en
            ),
        ));
    }
    if let Some(who) = exempt_households(h.exemptions) {
        lines.push(Text::new(
            format!("{}は無料", who.ja),
            format!("Free for {}", who.en),
        ));
    }
    lines
}

fn stay_fees(s: &StayFees, unit: &BookingUnit) -> Vec<Text> {
    let mut lines = Vec::new();
    let y = s.younger_than_years;
    let by_age = |younger: u32, older: u32| {
        let (a, b) = (yen_text(i64::from(younger)), yen_text(i64::from(older)));
        if y == 0 || younger == older {
            b
        } else {
            Text::new(
                format!("{}（{y}歳未満）・{}（{y}歳以上）", a.ja, b.ja),
                format!("{} (under {y}), {} ({y} and over)", a.en, b.en),
            )
        }
    };
    let night = by_age(s.night_younger_yen, s.night_older_yen);
    lines.push(Text::new(
        format!("料金：1泊 {}", night.ja),
        format!("Fees: {} a night", night.en),
    ));
    let has_day_stay = matches!(
        unit,
        BookingUnit::Stay {
            day_stay: Some(_),
            ..
        }
    );
    if has_day_stay {
        let day = by_age(s.day_younger_yen, s.day_older_yen);
        lines.push(Text::new(
            format!("日帰り 1日 {}", day.ja),
            format!("Day stay: {} a day", day.en),
        ));
    }
    let mut meals: Vec<Text> = Vec::new();
    if s.meal_yen_per_night > 0 {
        let m = yen_text(i64::from(s.meal_yen_per_night));
        meals.push(Text::new(
            format!("1泊 {}", m.ja),
            format!("{} a night", m.en),
        ));
    }
    if has_day_stay && s.meal_yen_per_day_stay > 0 {
        let m = yen_text(i64::from(s.meal_yen_per_day_stay));
        meals.push(Text::new(
            format!("日帰り {}", m.ja),
            format!("{} a day stay", m.en),
        ));
    }
    if !meals.is_empty() {
        lines.push(labelled("食事代", "Meals", &join(&meals, "、")));
    }
    if let Some(who) = exempt_households(s.exemptions) {
        lines.push(if meals.is_empty() {
            Text::new(format!("{}は無料", who.ja), format!("Free for {}", who.en))
        } else {
            Text::new(
                format!("{}は無料（食事代は除く）", who.ja),
                format!("Free for {} (meals excepted)", who.en),
            )
        });
    }
    lines
}

fn fees(rules: &ServiceRules) -> Vec<Text> {
    match &rules.fees {
        FeeSchedule::Free => vec![Text::new("料金：無料", "Fees: free")],
        FeeSchedule::Hourly(h) => hourly_fees(h, &rules.closures),
        FeeSchedule::Stay(s) => stay_fees(s, &rules.unit),
    }
}

// ---------------------------------------------------------------- cancel

fn cancel(p: &CancellationPolicy, fees: &FeeSchedule) -> Vec<Text> {
    let charges = p.tiers.iter().any(|t| t.percent > 0) || p.no_show_percent > 0;
    if !charges || matches!(fees, FeeSchedule::Free) {
        return vec![Text::new(
            "キャンセル：キャンセル料はかかりません",
            "Cancelling: no charge",
        )];
    }
    let mut tiers: Vec<_> = p.tiers.iter().filter(|t| t.percent > 0).collect();
    // Earliest deadline first.
    tiers.sort_by_key(|t| (std::cmp::Reverse(t.from.days_before), t.from.at));
    let mut parts: Vec<Text> = tiers
        .iter()
        .map(|t| {
            let day = day_before(t.from.days_before);
            let pct = t.percent;
            if t.from.at == NaiveTime::MIN {
                if t.from.days_before == 0 {
                    Text::new(
                        format!("当日は利用料の{pct}%"),
                        format!("{pct}% of the fee on the day itself"),
                    )
                } else {
                    Text::new(
                        format!("{}以降は利用料の{pct}%", day.ja),
                        format!("{pct}% of the fee from {} on", day.en),
                    )
                }
            } else {
                Text::new(
                    format!("{}{}以降は利用料の{pct}%", day.ja, clock(t.from.at)),
                    format!("{pct}% of the fee from {} {}", clock(t.from.at), day.en),
                )
            }
        })
        .collect();
    if p.no_show_percent > 0 {
        let pct = p.no_show_percent;
        parts.push(Text::new(
            format!("連絡なしの欠席は{pct}%"),
            format!("{pct}% for not coming without notice"),
        ));
    }
    let body = join(&parts, "、");
    let exempt = exempt_households(Exemptions {
        public_assistance: p.exempt_public_assistance,
        tax_exempt: p.exempt_tax_exempt,
    });
    let exempt = match exempt {
        Some(who) => Text::new(
            format!("。{}は無料", who.ja),
            format!(". Free for {}", who.en),
        ),
        None => Text::new("", ""),
    };
    vec![Text::new(
        format!("キャンセル：{}{}", body.ja, exempt.ja),
        format!("Cancelling: {}{}", body.en, exempt.en),
    )]
}

// ---------------------------------------------------------------- coupon

fn coupon_lines(c: &CouponRules, fees: &FeeSchedule) -> Vec<Text> {
    let accepted = match fees {
        // Nothing to pay, nothing to say.
        FeeSchedule::Free => return Vec::new(),
        FeeSchedule::Hourly(h) => h.coupon_accepted,
        FeeSchedule::Stay(s) => s.coupon_accepted,
    };
    if !accepted {
        return vec![Text::new(
            "子育てクーポン：このサービスには使えません",
            "Childrearing coupon: not accepted for this service",
        )];
    }
    let until = until_age(c.until_age);
    let total = yen_text(i64::from(c.yen_per_fiscal_year));
    let ticket = yen_text(i64::from(c.denomination_yen));
    vec![
        Text::new(
            format!(
                "子育てクーポン：{}、年度ごとに{}分（{}券）。おつりは出ません",
                until.ja, total.ja, ticket.ja
            ),
            format!(
                "Childrearing coupon: {} worth each fiscal year ({} tickets), {}; no change is given",
                total.en, ticket.en, until.en
            ),
        ),
        Text::new(
            "使わなかった分は翌年度に繰り越せません",
            "Unused coupons do not carry over to the next fiscal year",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;
    use crate::rules::{MunicipalityRules, kiyose_defaults};

    fn kiyose_rules(service: ServiceId) -> (MunicipalityRules, ServiceRules) {
        let city = kiyose_defaults();
        let rules = city
            .rules_for(service, d(2026, 6, 1))
            .cloned()
            .expect("Kiyose offers every service");
        (city, rules)
    }

    fn kiyose(service: ServiceId) -> RuleSummary {
        let (city, rules) = kiyose_rules(service);
        let names = BTreeMap::from([
            ("with-i".to_owned(), Text::new("ウイズアイ", "With-I")),
            (
                "shimojuku".to_owned(),
                Text::new("下宿センター", "Shimojuku Center"),
            ),
        ]);
        describe_with_sites(service, &rules, city.coupon.as_ref(), &names)
    }

    /// All Japanese lines of a section, joined.
    fn ja(s: &RuleSummary, key: &str) -> String {
        s.section(key)
            .map(|s| {
                s.lines
                    .iter()
                    .map(|l| l.ja.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    #[test]
    fn yen_has_thousands_separators() {
        assert_eq!(format_yen(0), "0円");
        assert_eq!(format_yen(500), "500円");
        assert_eq!(format_yen(6_000), "6,000円");
        assert_eq!(format_yen(1_234_567), "1,234,567円");
        assert_eq!(format_yen(-1_500), "-1,500円");
        assert_eq!(format_yen_en(6_000), "¥6,000");
        assert_eq!(format_yen_en(-100_000), "-¥100,000");
    }

    #[test]
    fn kiyose_defaults_read_as_expected() {
        use ServiceId::*;
        let table: &[(ServiceId, &str, &[&str])] = &[
            (
                ShortStay,
                "who",
                &[
                    "対象：1歳6か月から小学6年生まで",
                    "出張",
                    "育児疲れ",
                    "感染症",
                ],
            ),
            (
                ShortStay,
                "when",
                &[
                    "受け入れ：毎日 10:00〜20:00（年末年始はお休み）",
                    "12月29日〜1月3日",
                ],
            ),
            (
                ShortStay,
                "unit",
                &["宿泊：10:00から翌日10:00まで", "日帰り：10:00〜20:00"],
            ),
            (ShortStay, "limits", &["1回の利用は6泊7日まで"]),
            (
                ShortStay,
                "booking",
                &["申込：利用日の30日前 9:00から、前日17:00まで", "職員が確認"],
            ),
            (
                ShortStay,
                "fees",
                &[
                    "1泊 4,000円（2歳未満）・3,500円（2歳以上）",
                    "日帰り 1日 3,000円（2歳未満）・2,500円（2歳以上）",
                    "食事代：1泊 400円、日帰り 400円",
                    "生活保護世帯・住民税非課税世帯は無料（食事代は除く）",
                ],
            ),
            (
                ShortStay,
                "cancel",
                &[
                    "キャンセル：前日17:00以降は利用料の50%、連絡なしの欠席は100%。生活保護世帯・住民税非課税世帯は無料",
                ],
            ),
            (
                ShortStay,
                "coupon",
                &[
                    "子育てクーポン：4歳の誕生日の前日まで、年度ごとに6,000円分（500円券）。おつりは出ません",
                ],
            ),
            (
                SingleParentHomeHelp,
                "who",
                &[
                    "対象：小学3年生まで",
                    "ひとり親になってから2年以内",
                    "一時的な病気",
                ],
            ),
            (
                SingleParentHomeHelp,
                "when",
                &["利用時間：毎日 7:00〜22:00（年末年始はお休み）"],
            ),
            (SingleParentHomeHelp, "unit", &["1回 1〜8時間（1時間単位）"]),
            (SingleParentHomeHelp, "limits", &["1か月に12回まで"]),
            (
                SingleParentHomeHelp,
                "booking",
                &["利用日の60日前 9:00から、前日17:00まで"],
            ),
            (
                SingleParentHomeHelp,
                "fees",
                &["料金：1時間 300円", "1時間単位で計算します"],
            ),
            (
                ChildrearingSupportHelper,
                "who",
                &[
                    "対象：妊娠中から12歳になった後の最初の3月31日まで",
                    "産後うつ等",
                ],
            ),
            (
                ChildrearingSupportHelper,
                "when",
                &["利用時間：平日・土曜 7:00〜20:00（日曜・祝日・年末年始はお休み）"],
            ),
            (
                ChildrearingSupportHelper,
                "unit",
                &["1回 2〜4時間（1時間単位）"],
            ),
            (
                ChildrearingSupportHelper,
                "limits",
                &["半年に10回まで（多胎児は20回）"],
            ),
            (
                ChildrearingSupportHelper,
                "fees",
                &["料金：1時間 500円", "生活保護世帯・住民税非課税世帯は無料"],
            ),
            (TemporaryCare, "who", &["対象：生後57日から就学前まで"]),
            (
                TemporaryCare,
                "when",
                &[
                    "利用時間：平日 9:00〜17:00（土日祝日・年末年始はお休み）",
                    "ウイズアイは土日祝日も利用できます（毎日 9:00〜17:00）",
                ],
            ),
            (
                TemporaryCare,
                "unit",
                &["1回 1〜8時間（最初の1時間のあとは30分単位）"],
            ),
            (
                TemporaryCare,
                "booking",
                &[
                    "申込：利用月の前月15日 9:00から、前日17:00まで",
                    "申し込んだ時点で予約が確定",
                ],
            ),
            (
                TemporaryCare,
                "fees",
                &[
                    "料金：お子さん1人につき1時間 500円",
                    "最初の1時間のあとは30分単位",
                ],
            ),
            (
                TemporaryCare,
                "cancel",
                &[
                    "キャンセル：当日は利用料の100%、連絡なしの欠席は100%。生活保護世帯・住民税非課税世帯は無料",
                ],
            ),
            (TemporaryCare, "coupon", &["6,000円分"]),
            (
                HomeVisitor,
                "who",
                &["対象：妊娠中から就学前まで", "保護者と一緒に"],
            ),
            (HomeVisitor, "unit", &["1回 2時間"]),
            (HomeVisitor, "limits", &["1つの計画につき4〜6回訪問"]),
            (HomeVisitor, "fees", &["料金：無料"]),
            (HomeVisitor, "cancel", &["キャンセル料はかかりません"]),
            (
                FamilySupport,
                "who",
                &["対象：生後2か月から18歳の誕生日の前日まで"],
            ),
            (
                FamilySupport,
                "when",
                &["利用時間：毎日 6:00〜22:00（年末年始はお休み）"],
            ),
            (
                FamilySupport,
                "unit",
                &["1回 1〜12時間（最初の1時間のあとは30分単位）"],
            ),
            (FamilySupport, "limits", &["利用回数の上限はありません"]),
            (
                FamilySupport,
                "fees",
                &[
                    "料金：お子さん1人につき1時間 700円（早朝・夜間・土日祝日 +100円）。2人目からは半額",
                    "早朝は7:00より前、夜間は19:00以降です",
                ],
            ),
            (
                FamilySupport,
                "cancel",
                &["キャンセル：前日17:00以降は利用料の50%、連絡なしの欠席は100%"],
            ),
        ];
        for (service, key, phrases) in table {
            let summary = kiyose(*service);
            let text = ja(&summary, key);
            for phrase in *phrases {
                assert!(
                    text.contains(phrase),
                    "{service} {key}: missing 「{phrase}」 in\n{text}"
                );
            }
        }
    }

    #[test]
    fn what_the_rules_do_not_say_is_not_said() {
        let tc = kiyose(ServiceId::TemporaryCare);
        // Shimojuku keeps the default hours, so it needs no line of its own.
        assert!(!ja(&tc, "when").contains("下宿"));
        assert!(!ja(&tc, "limits").contains("回まで"));
        // Family Support exempts nobody from cancellation charges.
        assert!(!ja(&kiyose(ServiceId::FamilySupport), "cancel").contains("無料"));
        // A free service has no coupon section; the others all have every section.
        let hv = kiyose(ServiceId::HomeVisitor);
        assert!(hv.section("coupon").is_none());
        for service in ServiceId::ALL {
            let keys: Vec<&str> = kiyose(service).sections.iter().map(|s| s.key).collect();
            let expected = if service == ServiceId::HomeVisitor {
                &SECTION_KEYS[..7]
            } else {
                &SECTION_KEYS[..]
            };
            assert_eq!(keys, expected, "{service}");
        }
        // Without a city coupon there is no coupon section, and site keys stand in
        // for names.
        let (_, rules) = kiyose_rules(ServiceId::TemporaryCare);
        let plain = describe(ServiceId::TemporaryCare, &rules, None);
        assert!(plain.section("coupon").is_none());
        assert!(ja(&plain, "when").contains("with-iは土日祝日も利用できます"));
        // Before FY2023 the childrearing helper had no half-year quota.
        let city = kiyose_defaults();
        let old = city
            .rules_for(ServiceId::ChildrearingSupportHelper, d(2020, 6, 1))
            .expect("offered in 2020");
        let text = ja(
            &describe(ServiceId::ChildrearingSupportHelper, old, None),
            "limits",
        );
        assert!(!text.contains("半年"), "{text}");
    }

    #[test]
    fn changing_the_rules_changes_the_text() {
        let (city, mut rules) = kiyose_rules(ServiceId::ChildrearingSupportHelper);
        rules.limits.visits_per_half_year = Some(8);
        rules.limits.visits_per_half_year_multiple_birth = Some(16);
        rules.unit = BookingUnit::Timed {
            min_minutes: 90,
            max_minutes: 180,
            first_unit_minutes: 90,
            step_minutes: 30,
        };
        if let FeeSchedule::Hourly(h) = &mut rules.fees {
            h.yen_per_hour = 1_250;
        }
        rules.hours.sunday = rules.hours.saturday;
        let mut coupon = city.coupon.expect("Kiyose issues a coupon");
        coupon.yen_per_fiscal_year = 12_000;
        coupon.denomination_yen = 1_000;
        coupon.until_age = AgeThreshold::years(6);
        let s = describe(ServiceId::ChildrearingSupportHelper, &rules, Some(&coupon));
        assert!(ja(&s, "limits").contains("半年に8回まで（多胎児は16回）"));
        assert!(!ja(&s, "limits").contains("10回"));
        assert!(ja(&s, "unit").contains("1回 1時間30分〜3時間（最初の1時間30分のあとは30分単位）"));
        assert!(ja(&s, "fees").contains("1時間 1,250円"));
        assert!(ja(&s, "when").contains("平日・土日 7:00〜20:00（祝日・年末年始はお休み）"));
        assert!(
            ja(&s, "coupon").contains("6歳の誕生日の前日まで、年度ごとに12,000円分（1,000円券）")
        );
        let en: Vec<&str> = s
            .section("limits")
            .map(|s| s.lines.iter().map(|l| l.en.as_str()).collect())
            .unwrap_or_default();
        assert!(
            en.iter()
                .any(|l| l.contains("Up to 8 visits per half-year")),
            "{en:?}"
        );
    }

    #[test]
    fn a_new_year_surcharge_shows_only_when_open_over_new_year() {
        let (_, mut rules) = kiyose_rules(ServiceId::FamilySupport);
        let closed = ja(&describe(ServiceId::FamilySupport, &rules, None), "fees");
        assert!(!closed.contains("年末年始"), "{closed}");
        rules.closures = ClosureCalendar::default();
        let s = describe(ServiceId::FamilySupport, &rules, None);
        assert!(
            ja(&s, "fees").contains("（早朝・夜間・土日祝日 +100円、年末年始 +200円）"),
            "{}",
            ja(&s, "fees")
        );
        assert!(!ja(&s, "when").contains("年末年始"));
    }

    #[test]
    fn english_reads_too() {
        let s = kiyose(ServiceId::FamilySupport);
        let en = |key: &str| -> String {
            s.section(key)
                .map(|s| {
                    s.lines
                        .iter()
                        .map(|l| l.en.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        };
        assert!(
            en("who").contains("Who: from 2 months old until the day before the 18th birthday")
        );
        assert!(en("when").contains("Hours: every day 6:00–22:00 (closed New Year holidays)"));
        assert!(en("fees").contains(
            "¥700 an hour per child (+¥100 early morning, evening, weekends and holidays)"
        ));
        let tc = kiyose(ServiceId::TemporaryCare);
        let when = tc
            .section("when")
            .map(|s| s.lines[0].en.clone())
            .unwrap_or_default();
        assert_eq!(
            when,
            "Hours: weekdays 9:00–17:00 (closed weekends, holidays and New Year holidays)"
        );
    }

    #[test]
    fn summaries_travel_as_json() {
        let s = kiyose(ServiceId::ShortStay);
        let json = serde_json::to_string(&s).expect("serialises");
        assert!(json.contains("\"key\":\"who\""));
        let back: RuleSummary = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, s);
        let bad = json.replacen("\"key\":\"who\"", "\"key\":\"whom\"", 1);
        assert!(serde_json::from_str::<RuleSummary>(&bad).is_err());
    }
}
