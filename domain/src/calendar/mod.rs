//! The Japanese calendar the rules are written in: JST dates, national holidays,
//! age, school grade, fiscal year and per-site closures.
//!
//! Every function takes its dates as arguments; nothing here reads a clock.

pub mod age;
pub mod closures;
pub mod fiscal;
pub mod holidays;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub use age::{AgeThreshold, YearsMonths};
pub use closures::{Closure, ClosureCalendar, MonthDay};
pub use fiscal::{FiscalYear, GradeLevel, Half, HalfYear, SchoolStage};
pub use holidays::{Holiday, holiday_name, holidays_between, is_holiday};

/// Every rule about dates is evaluated in Japan time (DESIGN.md); Japan has no DST.
pub const TZ: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

/// The Japanese calendar date of a stored UTC instant.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&TZ).date_naive()
}

/// The Japanese wall-clock time of a stored UTC instant (for deadlines such as
/// "17:00 the day before").
pub fn local_datetime(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&TZ).naive_local()
}

/// Formats a date the way Japanese forms print it: `2027年4月1日`.
pub fn format_date_ja(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// A date as pages and e-mails show it: `2026年11月25日(水)` / `Wed 25 Nov 2026`.
pub fn format_date_long(lang: crate::Lang, date: NaiveDate) -> String {
    use chrono::Datelike;
    const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    match lang {
        crate::Lang::Ja => format!(
            "{}年{}月{}日({})",
            date.year(),
            date.month(),
            date.day(),
            WEEKDAYS_JA[date.weekday().num_days_from_monday() as usize]
        ),
        crate::Lang::En => date.format("%a %-d %b %Y").to_string(),
    }
}

/// A date the calendar cannot answer for, or a span too large to list.
///
/// The bounds are part of the error so that an API can say which one was crossed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Before 1948-07-20, the day the holiday law took effect.
    #[error("{date} is before {first}, the first date the calendar supports")]
    BeforeSupportedRange { date: NaiveDate, first: NaiveDate },
    /// After the last year whose holidays we compute.
    #[error("{date} is after {last}, the last date the calendar supports")]
    AfterSupportedRange { date: NaiveDate, last: NaiveDate },
    /// `from` is after `to`.
    #[error("the range starts ({from}) after it ends ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    /// The span is longer than one request may ask for.
    #[error("the range {from}..{to} spans more than {max_days} days")]
    SpanTooLong {
        from: NaiveDate,
        to: NaiveDate,
        max_days: i64,
    },
}

impl CalendarError {
    /// Which query parameter was wrong (`from` or `to`), for problem+json.
    pub fn field(&self) -> &'static str {
        match self {
            CalendarError::BeforeSupportedRange { .. } => "from",
            CalendarError::AfterSupportedRange { .. } => "to",
            CalendarError::Reversed { .. } | CalendarError::SpanTooLong { .. } => "to",
        }
    }

    /// A message a person can act on, in both languages.
    pub fn message(&self) -> crate::Text {
        use crate::Text;
        match self {
            CalendarError::BeforeSupportedRange { date, first } => Text::new(
                format!(
                    "{}は対象期間外です。{}以降を指定してください。",
                    format_date_ja(*date),
                    format_date_ja(*first)
                ),
                format!("{date} is out of range: the calendar starts on {first}"),
            ),
            CalendarError::AfterSupportedRange { date, last } => Text::new(
                format!(
                    "{}は対象期間外です。{}以前を指定してください。",
                    format_date_ja(*date),
                    format_date_ja(*last)
                ),
                format!("{date} is out of range: the calendar ends on {last}"),
            ),
            CalendarError::Reversed { from, to } => Text::new(
                format!(
                    "開始日（{}）が終了日（{}）より後です。",
                    format_date_ja(*from),
                    format_date_ja(*to)
                ),
                format!("the start ({from}) is after the end ({to})"),
            ),
            CalendarError::SpanTooLong { max_days, .. } => Text::new(
                format!("期間は{max_days}日以内で指定してください。"),
                format!("the range may span at most {max_days} days"),
            ),
        }
    }
}
