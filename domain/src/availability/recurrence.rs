//! Recurring windows written as RFC 5545 recurrence rules, expanded with hard bounds.
//!
//! A window is "start at DTSTART's time, last `minutes`", repeated by one or more RRULE
//! lines, plus RDATE, minus EXDATE. DTSTART is a local time in Asia/Tokyo and is given
//! separately, so a rule can never silently pick another zone. Floating `UNTIL`, `EXDATE`
//! and `RDATE` values are Japan time too (the `rrule` crate would otherwise use the
//! machine's zone, which is neither pure nor right).
//!
//! Expansion is always bounded: over a range by [`ExpansionLimits`], and as a whole only
//! for rules with `COUNT` or `UNTIL`, capped. A rule like `FREQ=MINUTELY` or one that never
//! ends gets a clear error, never a hang.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};

use super::interval::{Instant, Interval, local_to_utc, utc_to_local};
use crate::Text;

/// How far one expansion over a range may go before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionLimits {
    /// Occurrences overlapping the range.
    pub max_occurrences: usize,
    /// Occurrences generated in total, including those skipped before the range.
    pub max_steps: usize,
}

impl Default for ExpansionLimits {
    fn default() -> Self {
        ExpansionLimits {
            max_occurrences: 5_000,
            max_steps: 100_000,
        }
    }
}

/// Why a recurrence was refused. Every variant has a bilingual [`message`](Self::message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("invalid recurrence line `{line}`: {detail}")]
    Invalid { line: String, detail: String },
    #[error("a recurrence needs at least one RRULE or RDATE line")]
    Empty,
    #[error("DTSTART is given separately, not inside the rule")]
    DtstartInRule,
    #[error("only Asia/Tokyo is supported as TZID, not `{0}`")]
    UnsupportedZone(String),
    #[error("the window length must be positive")]
    NonPositiveDuration,
    #[error("the rule never ends: add COUNT or UNTIL")]
    Unbounded,
    #[error("the rule expands to more than {limit} occurrences")]
    TooManyOccurrences { limit: usize },
    #[error("the rule needs more than {limit} steps to expand (too dense or starts too early)")]
    TooManySteps { limit: usize },
}

impl RecurrenceError {
    /// A stable machine-readable code for problem+json.
    pub fn code(&self) -> &'static str {
        match self {
            RecurrenceError::Invalid { .. } => "rrule_invalid",
            RecurrenceError::Empty => "rrule_empty",
            RecurrenceError::DtstartInRule => "rrule_dtstart_in_rule",
            RecurrenceError::UnsupportedZone(_) => "rrule_unsupported_zone",
            RecurrenceError::NonPositiveDuration => "rrule_non_positive_duration",
            RecurrenceError::Unbounded => "rrule_unbounded",
            RecurrenceError::TooManyOccurrences { .. } => "rrule_too_many_occurrences",
            RecurrenceError::TooManySteps { .. } => "rrule_too_many_steps",
        }
    }

    pub fn message(&self) -> Text {
        match self {
            RecurrenceError::Invalid { line, detail } => Text::new(
                format!("繰り返しの指定「{line}」を読み取れません({detail})"),
                format!("Cannot read the recurrence `{line}`: {detail}"),
            ),
            RecurrenceError::Empty => Text::new(
                "繰り返しの規則(RRULE)または日付(RDATE)を指定してください",
                "Give at least one RRULE or RDATE",
            ),
            RecurrenceError::DtstartInRule => Text::new(
                "開始日時(DTSTART)は規則とは別に指定してください",
                "DTSTART is given separately, not inside the rule",
            ),
            RecurrenceError::UnsupportedZone(z) => Text::new(
                format!("タイムゾーン「{z}」は使えません(Asia/Tokyo のみ)"),
                format!("Time zone `{z}` is not supported (Asia/Tokyo only)"),
            ),
            RecurrenceError::NonPositiveDuration => Text::new(
                "時間の長さは0より大きくしてください",
                "The length must be positive",
            ),
            RecurrenceError::Unbounded => Text::new(
                "終わりのない繰り返しは予約できません。回数(COUNT)か終了日(UNTIL)を指定してください",
                "A recurrence that never ends cannot be booked: add COUNT or UNTIL",
            ),
            RecurrenceError::TooManyOccurrences { limit } => Text::new(
                format!("繰り返しが多すぎます(上限 {limit} 回)"),
                format!("The recurrence has more than {limit} occurrences"),
            ),
            RecurrenceError::TooManySteps { limit } => Text::new(
                format!("繰り返しの計算が上限({limit} 回)を超えました。規則を見直してください"),
                format!("Expanding the rule took more than {limit} steps; simplify it"),
            ),
        }
    }
}

/// The stored, serialisable form of a recurring window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// RFC 5545 lines: `RRULE:…` (or a bare `FREQ=…`), optional `EXDATE…`, `RDATE…`.
    pub rule: String,
    /// Local Asia/Tokyo start of the first occurrence, e.g. `2026-04-01T09:00:00`.
    pub dtstart: NaiveDateTime,
    /// Length of each occurrence.
    pub minutes: u32,
}

/// An excluded occurrence: an exact local start, or every occurrence on a local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExDate {
    At(NaiveDateTime),
    Day(NaiveDate),
}

/// A parsed, validated recurring window. Parse once, expand many times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowSpec", into = "WindowSpec")]
pub struct RecurringWindow {
    spec: WindowSpec,
    rules: Vec<RRule<Unvalidated>>,
    exdates: Vec<ExDate>,
    rdates: Vec<NaiveDateTime>,
    duration: Duration,
}

impl From<RecurringWindow> for WindowSpec {
    fn from(w: RecurringWindow) -> Self {
        w.spec
    }
}

impl TryFrom<WindowSpec> for RecurringWindow {
    type Error = RecurrenceError;
    fn try_from(spec: WindowSpec) -> Result<Self, Self::Error> {
        RecurringWindow::parse(&spec.rule, spec.dtstart, spec.minutes)
    }
}

fn rtz() -> rrule::Tz {
    rrule::Tz::Tz(chrono_tz::Asia::Tokyo)
}

fn local_in_rtz(local: NaiveDateTime) -> chrono::DateTime<rrule::Tz> {
    local_to_utc(local).with_timezone(&rtz())
}

fn invalid(line: &str, detail: impl Into<String>) -> RecurrenceError {
    RecurrenceError::Invalid {
        line: line.to_owned(),
        detail: detail.into(),
    }
}

enum IcalValue {
    Date(NaiveDate),
    Local(NaiveDateTime),
    Utc(Instant),
}

fn parse_ical_value(line: &str, v: &str) -> Result<IcalValue, RecurrenceError> {
    let v = v.trim();
    if let Some(body) = v.strip_suffix('Z').or_else(|| v.strip_suffix('z')) {
        let local = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S")
            .map_err(|e| invalid(line, e.to_string()))?;
        return Ok(IcalValue::Utc(Utc.from_utc_datetime(&local)));
    }
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(IcalValue::Date)
            .map_err(|e| invalid(line, e.to_string()));
    }
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .map(IcalValue::Local)
        .map_err(|e| invalid(line, e.to_string()))
}

/// Rewrites a floating `UNTIL` (Japan time) to UTC, which the RFC and the crate require
/// when DTSTART has a zone. A date-only UNTIL includes that whole local day.
fn normalise_rrule(line: &str, value: &str) -> Result<String, RecurrenceError> {
    let mut parts = Vec::new();
    for part in value.split(';').filter(|p| !p.trim().is_empty()) {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                let utc = match parse_ical_value(line, v)? {
                    IcalValue::Utc(t) => t,
                    IcalValue::Local(l) => local_to_utc(l),
                    IcalValue::Date(d) => local_to_utc(d.and_time(NaiveTime::MIN))
                        .checked_add_signed(Duration::seconds(86_399))
                        .ok_or_else(|| invalid(line, "UNTIL out of range"))?,
                };
                parts.push(format!("UNTIL={}", utc.format("%Y%m%dT%H%M%SZ")));
            }
            Some((k, _)) if k.trim().eq_ignore_ascii_case("DTSTART") => {
                return Err(RecurrenceError::DtstartInRule);
            }
            _ => parts.push(part.trim().to_owned()),
        }
    }
    Ok(parts.join(";"))
}

/// Splits `NAME;P=V;…:values` and checks the parameters we understand.
fn date_list(line: &str, rest: &str) -> Result<Vec<IcalValue>, RecurrenceError> {
    let (params, values) = rest
        .split_once(':')
        .ok_or_else(|| invalid(line, "missing `:`"))?;
    for p in params.split(';').filter(|p| !p.is_empty()) {
        match p.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("TZID") => {
                if !(v == "Asia/Tokyo" || v == "Japan") {
                    return Err(RecurrenceError::UnsupportedZone(v.to_owned()));
                }
            }
            Some((k, _)) if k.eq_ignore_ascii_case("VALUE") => {}
            _ => return Err(invalid(line, format!("unknown parameter `{p}`"))),
        }
    }
    values
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse_ical_value(line, v))
        .collect()
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

impl RecurringWindow {
    /// Parses `rule` (lines `RRULE:`/bare `FREQ=…`, `EXDATE`, `RDATE`) starting at the
    /// local time `dtstart`, each occurrence lasting `minutes`.
    pub fn parse(
        rule: &str,
        dtstart: NaiveDateTime,
        minutes: u32,
    ) -> Result<Self, RecurrenceError> {
        if minutes == 0 {
            return Err(RecurrenceError::NonPositiveDuration);
        }
        let start = local_in_rtz(dtstart);
        let mut rules = Vec::new();
        let mut exdates = Vec::new();
        let mut rdates = Vec::new();
        for raw in rule.lines() {
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if strip_prefix_ci(line, "DTSTART").is_some() {
                return Err(RecurrenceError::DtstartInRule);
            }
            if let Some(rest) = strip_prefix_ci(line, "EXDATE") {
                for v in date_list(line, rest)? {
                    exdates.push(match v {
                        IcalValue::Date(d) => ExDate::Day(d),
                        IcalValue::Local(l) => ExDate::At(l),
                        IcalValue::Utc(t) => ExDate::At(utc_to_local(t)),
                    });
                }
                continue;
            }
            if let Some(rest) = strip_prefix_ci(line, "RDATE") {
                for v in date_list(line, rest)? {
                    rdates.push(match v {
                        // A date-only RDATE starts at DTSTART's time of day.
                        IcalValue::Date(d) => d.and_time(dtstart.time()),
                        IcalValue::Local(l) => l,
                        IcalValue::Utc(t) => utc_to_local(t),
                    });
                }
                continue;
            }
            let value = strip_prefix_ci(line, "RRULE:").unwrap_or(line);
            let text = normalise_rrule(line, value)?;
            let parsed: RRule<Unvalidated> = text
                .parse()
                .map_err(|e: rrule::RRuleError| invalid(line, e.to_string()))?;
            // Validate now, so a stored window is known to expand.
            parsed
                .clone()
                .validate(start)
                .map_err(|e| invalid(line, e.to_string()))?;
            rules.push(parsed);
        }
        if rules.is_empty() && rdates.is_empty() {
            return Err(RecurrenceError::Empty);
        }
        Ok(RecurringWindow {
            spec: WindowSpec {
                rule: rule.to_owned(),
                dtstart,
                minutes,
            },
            rules,
            exdates,
            rdates,
            duration: Duration::minutes(i64::from(minutes)),
        })
    }

    pub fn spec(&self) -> &WindowSpec {
        &self.spec
    }

    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Every RRULE has COUNT or UNTIL (RDATEs are finite by nature).
    pub fn is_bounded(&self) -> bool {
        self.rules
            .iter()
            .all(|r| r.get_count().is_some() || r.get_until().is_some())
    }

    fn excluded(&self, local_start: NaiveDateTime) -> bool {
        self.exdates.iter().any(|x| match *x {
            ExDate::At(at) => at == local_start,
            ExDate::Day(d) => d == local_start.date(),
        })
    }

    /// A later DTSTART that generates the same occurrences from `target` on. Only for
    /// rules where that is exactly true: DAILY/WEEKLY without COUNT, moved by whole
    /// periods (so weekdays, week starts and time of day are kept). Saves iterating
    /// years of occurrences for a roster that started long ago.
    fn fast_forward(&self, rule: &RRule<Unvalidated>, target: NaiveDateTime) -> NaiveDateTime {
        let dtstart = self.spec.dtstart;
        let period_days = match rule.get_freq() {
            Frequency::Daily => 1,
            Frequency::Weekly => 7,
            _ => return dtstart,
        } * i64::from(rule.get_interval().max(1));
        if rule.get_count().is_some() || target <= dtstart {
            return dtstart;
        }
        let k = (target.date() - dtstart.date()).num_days() / period_days;
        dtstart + Duration::days(k * period_days)
    }

    /// Occurrences that overlap `range` (not clipped), sorted, without duplicates.
    pub fn occurrences(
        &self,
        range: Interval,
        limits: ExpansionLimits,
    ) -> Result<Vec<Interval>, RecurrenceError> {
        self.occurrences_with(range, limits, true)
    }

    /// The weekdays (Monday first) of a rule that means exactly "each of these days at
    /// DTSTART's time, from DTSTART, until UNTIL": WEEKLY or DAILY, INTERVAL 1, no
    /// COUNT, no BY-part but plain BYDAY. Most rosters, availability and needs are of
    /// this kind, and stepping through days is far cheaper than the general expansion.
    fn simple_days(rule: &RRule<Unvalidated>, dtstart: NaiveDateTime) -> Option<[bool; 7]> {
        use chrono::Datelike;
        if rule.get_interval() > 1
            || rule.get_count().is_some()
            || !rule.get_by_set_pos().is_empty()
            || !rule.get_by_month().is_empty()
            || !rule.get_by_month_day().is_empty()
            || !rule.get_by_year_day().is_empty()
            || !rule.get_by_week_no().is_empty()
            || !rule.get_by_hour().is_empty()
            || !rule.get_by_minute().is_empty()
            || !rule.get_by_second().is_empty()
            // Before 1952 Japan had summer time, which the general path follows.
            || dtstart.date() < NaiveDate::from_ymd_opt(1952, 1, 1)?
        {
            return None;
        }
        let mut days = [false; 7];
        for d in rule.get_by_weekday() {
            match d {
                rrule::NWeekday::Every(w) => days[w.num_days_from_monday() as usize] = true,
                rrule::NWeekday::Nth(..) => return None,
            }
        }
        match rule.get_freq() {
            Frequency::Weekly if rule.get_by_weekday().is_empty() => {
                days[dtstart.weekday().num_days_from_monday() as usize] = true;
            }
            Frequency::Daily if rule.get_by_weekday().is_empty() => days = [true; 7],
            Frequency::Weekly | Frequency::Daily => {}
            _ => return None,
        }
        Some(days)
    }

    fn occurrences_with(
        &self,
        range: Interval,
        limits: ExpansionLimits,
        allow_simple: bool,
    ) -> Result<Vec<Interval>, RecurrenceError> {
        use chrono::Datelike;
        let mut out = Vec::new();
        let mut steps = 0usize;
        // Start early enough to catch an occurrence that began before the range.
        let target = utc_to_local(range.start() - self.duration) - Duration::days(1);
        for rule in &self.rules {
            if allow_simple && let Some(days) = Self::simple_days(rule, self.spec.dtstart) {
                let dtstart = self.spec.dtstart;
                let until = rule
                    .get_until()
                    .map(|u| utc_to_local(u.with_timezone(&Utc)));
                let last = utc_to_local(range.end()).date();
                let mut day = target.date().max(dtstart.date());
                while day <= last {
                    let at = day.and_time(dtstart.time());
                    if until.is_some_and(|u| at > u) {
                        break;
                    }
                    if days[day.weekday().num_days_from_monday() as usize] {
                        steps += 1;
                        if steps > limits.max_steps {
                            return Err(RecurrenceError::TooManySteps {
                                limit: limits.max_steps,
                            });
                        }
                        let occ_start = local_to_utc(at);
                        if occ_start >= range.end() {
                            break;
                        }
                        if let Ok(iv) = Interval::starting_at(occ_start, self.duration)
                            && iv.overlaps(&range)
                            && !self.excluded(at)
                        {
                            out.push(iv);
                            if out.len() > limits.max_occurrences {
                                return Err(RecurrenceError::TooManyOccurrences {
                                    limit: limits.max_occurrences,
                                });
                            }
                        }
                    }
                    let Some(next) = day.succ_opt() else { break };
                    day = next;
                }
                continue;
            }
            let dtstart = self.fast_forward(rule, target);
            let start = local_in_rtz(dtstart);
            if rule.get_until().is_some_and(|u| *u < start) {
                continue; // ended before the range
            }
            let validated = rule
                .clone()
                .validate(start)
                .map_err(|e| invalid(&self.spec.rule, e.to_string()))?;
            let set = RRuleSet::new(start).rrule(validated).limit();
            for occ in &set {
                steps += 1;
                if steps > limits.max_steps {
                    return Err(RecurrenceError::TooManySteps {
                        limit: limits.max_steps,
                    });
                }
                let occ_start = occ.with_timezone(&Utc);
                if occ_start >= range.end() {
                    break;
                }
                let Ok(iv) = Interval::starting_at(occ_start, self.duration) else {
                    continue;
                };
                if iv.overlaps(&range) && !self.excluded(utc_to_local(occ_start)) {
                    out.push(iv);
                    if out.len() > limits.max_occurrences {
                        return Err(RecurrenceError::TooManyOccurrences {
                            limit: limits.max_occurrences,
                        });
                    }
                }
            }
        }
        for &r in &self.rdates {
            if let Ok(iv) = Interval::starting_at(local_to_utc(r), self.duration)
                && iv.overlaps(&range)
                && !self.excluded(r)
            {
                out.push(iv);
            }
        }
        out.sort_unstable();
        out.dedup();
        if out.len() > limits.max_occurrences {
            return Err(RecurrenceError::TooManyOccurrences {
                limit: limits.max_occurrences,
            });
        }
        Ok(out)
    }

    /// All occurrences of a bounded rule, at most `cap` of them. For recurring bookings:
    /// a rule that never ends is [`RecurrenceError::Unbounded`], one with more than `cap`
    /// occurrences is [`RecurrenceError::TooManyOccurrences`].
    pub fn all_occurrences(&self, cap: usize) -> Result<Vec<Interval>, RecurrenceError> {
        if !self.is_bounded() {
            return Err(RecurrenceError::Unbounded);
        }
        let start = local_in_rtz(self.spec.dtstart);
        let mut out = Vec::new();
        for rule in &self.rules {
            let validated = rule
                .clone()
                .validate(start)
                .map_err(|e| invalid(&self.spec.rule, e.to_string()))?;
            let set = RRuleSet::new(start).rrule(validated).limit();
            // Generated occurrences, excluded or not, count against the cap: an EXDATE
            // list must not make a huge rule acceptable.
            for (n, occ) in (&set).into_iter().enumerate() {
                if n >= cap.saturating_mul(2) {
                    return Err(RecurrenceError::TooManyOccurrences { limit: cap });
                }
                let occ_start = occ.with_timezone(&Utc);
                if self.excluded(utc_to_local(occ_start)) {
                    continue;
                }
                if let Ok(iv) = Interval::starting_at(occ_start, self.duration) {
                    out.push(iv);
                }
                if out.len() > cap {
                    return Err(RecurrenceError::TooManyOccurrences { limit: cap });
                }
            }
        }
        for &r in &self.rdates {
            if !self.excluded(r)
                && let Ok(iv) = Interval::starting_at(local_to_utc(r), self.duration)
            {
                out.push(iv);
            }
        }
        out.sort_unstable();
        out.dedup();
        if out.len() > cap {
            return Err(RecurrenceError::TooManyOccurrences { limit: cap });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::interval::{local_date, local_midnight};

    fn dt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid date")
    }

    fn range(a: NaiveDate, b: NaiveDate) -> Interval {
        Interval::new(local_midnight(a), local_midnight(b)).expect("range")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// The day-stepping path for plain weekly and daily rules gives exactly what
        /// the `rrule` crate gives.
        #[test]
        fn simple_rules_expand_exactly_as_the_general_path(
            daily in proptest::bool::ANY,
            mask in 0u8..128,
            start_day in 0i64..900,
            start_min in 0u32..(24 * 60),
            minutes in 30u32..600,
            until_days in proptest::option::of(0i64..400),
            from_day in 0i64..1000,
            span_days in 1i64..60,
            exdate in proptest::option::of(0i64..400),
        ) {
            let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
            let by: Vec<&str> = (0..7).filter(|i| mask & (1 << i) != 0).map(|i| days[i]).collect();
            let base = date(2024, 1, 1);
            let dtstart = (base + Duration::days(start_day))
                .and_time(NaiveTime::from_hms_opt(start_min / 60, start_min % 60, 0).expect("time"));
            let mut rule = format!("FREQ={}", if daily { "DAILY" } else { "WEEKLY" });
            if !by.is_empty() {
                rule.push_str(&format!(";BYDAY={}", by.join(",")));
            }
            if let Some(u) = until_days {
                let until = dtstart + Duration::days(u);
                rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%dT%H%M%S")));
            }
            if let Some(x) = exdate {
                let day = dtstart.date() + Duration::days(x);
                rule.push_str(&format!("\nEXDATE;VALUE=DATE:{}", day.format("%Y%m%d")));
            }
            let w = RecurringWindow::parse(&rule, dtstart, minutes).expect("parses");
            let from = base + Duration::days(from_day);
            let r = range(from, from + Duration::days(span_days));
            let fast = w.occurrences_with(r, ExpansionLimits::default(), true).expect("fast");
            let slow = w.occurrences_with(r, ExpansionLimits::default(), false).expect("slow");
            proptest::prop_assert_eq!(fast, slow, "rule {}", rule);
        }
    }

    #[test]
    fn weekly_tue_thu_with_floating_until_is_japan_time() {
        let w = RecurringWindow::parse(
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T235959",
            dt(2026, 4, 2, 17, 0),
            120,
        )
        .expect("parses");
        assert!(w.is_bounded());
        let all = w.all_occurrences(200).expect("fits in cap");
        // 2026-04-02 (Thu) .. 2027-03-30 (Tue): 104 occurrences.
        assert_eq!(all.len(), 104);
        let first = all.first().expect("some");
        assert_eq!(first.start().to_rfc3339(), "2026-04-02T08:00:00+00:00");
        assert_eq!(first.duration(), Duration::hours(2));
        assert_eq!(
            all.last().map(|i| i.local_start_date()),
            Some(date(2027, 3, 30))
        );
    }

    #[test]
    fn exdate_removes_exact_occurrence_and_whole_days() {
        let w = RecurringWindow::parse(
            "RRULE:FREQ=DAILY;COUNT=5\nEXDATE;TZID=Asia/Tokyo:20260402T090000\nEXDATE;VALUE=DATE:20260404",
            dt(2026, 4, 1, 9, 0),
            60,
        )
        .expect("parses");
        let days: Vec<_> = w
            .all_occurrences(10)
            .expect("ok")
            .iter()
            .map(|i| local_date(i.start()))
            .collect();
        assert_eq!(
            days,
            vec![date(2026, 4, 1), date(2026, 4, 3), date(2026, 4, 5)]
        );
    }

    #[test]
    fn unbounded_and_huge_rules_are_refused_for_series() {
        let w = RecurringWindow::parse("FREQ=WEEKLY;BYDAY=MO", dt(2026, 4, 6, 10, 0), 60)
            .expect("parses");
        assert_eq!(w.all_occurrences(200), Err(RecurrenceError::Unbounded));
        let w = RecurringWindow::parse("FREQ=DAILY;COUNT=5000", dt(2026, 4, 6, 10, 0), 60)
            .expect("parses");
        assert_eq!(
            w.all_occurrences(200),
            Err(RecurrenceError::TooManyOccurrences { limit: 200 })
        );
    }

    #[test]
    fn dense_rules_over_a_range_hit_the_limit() {
        let w = RecurringWindow::parse("FREQ=MINUTELY;BYSECOND=0", dt(2026, 4, 1, 0, 0), 1)
            .expect("parses");
        let r = range(date(2026, 4, 1), date(2026, 5, 1));
        assert!(matches!(
            w.occurrences(r, ExpansionLimits::default()),
            Err(RecurrenceError::TooManyOccurrences { .. } | RecurrenceError::TooManySteps { .. })
        ));
    }

    #[test]
    fn an_old_daily_rule_expands_fast_and_right() {
        let w = RecurringWindow::parse(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
            dt(2000, 1, 3, 9, 0),
            480,
        )
        .expect("parses");
        let r = range(date(2026, 4, 1), date(2026, 4, 30));
        let occ = w.occurrences(r, ExpansionLimits::default()).expect("ok");
        // 2000-01-03 is a Monday; every other week from there. 2026-04-06 is
        // 9590 days later = 1370 weeks (even), so weeks of 4/6 and 4/20 are on.
        let days: Vec<_> = occ.iter().map(|i| local_date(i.start())).collect();
        assert_eq!(
            days,
            vec![
                date(2026, 4, 6),
                date(2026, 4, 8),
                date(2026, 4, 20),
                date(2026, 4, 22)
            ]
        );
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let at = dt(2026, 4, 1, 9, 0);
        assert!(matches!(
            RecurringWindow::parse("FREQ=SOMETIMES", at, 60),
            Err(RecurrenceError::Invalid { .. })
        ));
        assert_eq!(
            RecurringWindow::parse("DTSTART:20260401T000000Z\nRRULE:FREQ=DAILY", at, 60),
            Err(RecurrenceError::DtstartInRule)
        );
        assert_eq!(
            RecurringWindow::parse("FREQ=DAILY", at, 0),
            Err(RecurrenceError::NonPositiveDuration)
        );
        assert!(matches!(
            RecurringWindow::parse(
                "FREQ=DAILY\nEXDATE;TZID=Europe/Paris:20260402T090000",
                at,
                60
            ),
            Err(RecurrenceError::UnsupportedZone(_))
        ));
        assert_eq!(
            RecurringWindow::parse("", at, 60),
            Err(RecurrenceError::Empty)
        );
    }

    #[test]
    fn spec_round_trips_through_json() {
        let w = RecurringWindow::parse("FREQ=DAILY", dt(2026, 4, 1, 9, 0), 60).expect("ok");
        let json = serde_json::to_string(&w).expect("ser");
        let back: RecurringWindow = serde_json::from_str(&json).expect("de");
        assert_eq!(back, w);
    }
}
