//! Japanese national holidays, exact per 国民の祝日に関する法律 (昭和23年法律第178号,
//! "the Holiday Act") and the special laws that added one-off days.
//!
//! Three kinds of day off come out of the law, and the difference matters:
//! - 国民の祝日 (art. 2): the named holidays. Only these trigger the two rules below.
//! - 振替休日 (art. 3(2)): the substitute day when a 祝日 falls on a Sunday.
//! - 国民の休日 (art. 3(3)): a day sandwiched between two 祝日.
//!
//! One-off days are 休日 by their own law; only the 2019 ones are deemed 祝日 for
//! art. 3(3), which is why 2019-04-30 and 2019-05-02 were 国民の休日.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::CalendarError;

/// A day off under the Holiday Act or a special law, with its official Japanese name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Holiday {
    /// Serialised as `YYYY-MM-DD`.
    pub date: NaiveDate,
    pub name: &'static str,
}

/// The Holiday Act was promulgated and took effect on 1948-07-20 (附則).
pub const FIRST_SUPPORTED: NaiveDate = ymd(FIRST_YEAR, 7, 20);
/// The published equinox formula is stated for 1980–2099; later dates are not computed.
pub const LAST_SUPPORTED: NaiveDate = ymd(LAST_YEAR, 12, 31);
const FIRST_YEAR: i32 = 1948;
const LAST_YEAR: i32 = 2099;
/// `holidays_between` lists at most this many days (about ten years) per call, so an
/// API cannot be asked for unbounded output.
pub const MAX_SPAN_DAYS: i64 = 3660;

/// The substitute-holiday rule took effect on 1973-04-12 (昭和48年法律第10号); a Sunday
/// 祝日 before that (e.g. 1973-02-11) had no substitute.
const SUBSTITUTE_FROM: NaiveDate = ymd(1973, 4, 12);
/// The 国民の休日 rule took effect on 1985-12-27 (昭和60年法律第103号); 4 May before
/// that was an ordinary day.
const CITIZENS_HOLIDAY_FROM: NaiveDate = ymd(1985, 12, 27);
/// 平成17年法律第43号 (in force 2007-01-01) rewrote art. 3: the substitute moves to the
/// next day that is not a 祝日, and 国民の休日 no longer excludes Sundays/substitutes.
const NEW_ART3_FROM: i32 = 2007;

pub(crate) const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// The official name of the holiday on `date`, if it is one.
pub fn holiday_name(date: NaiveDate) -> Option<&'static str> {
    if !(FIRST_SUPPORTED..=LAST_SUPPORTED).contains(&date) {
        return None;
    }
    let days = cached_year(date.year());
    days.binary_search_by_key(&date, |h| h.date)
        .ok()
        .map(|i| days[i].name)
}

/// The holidays of `year` (supported years only), worked out once per process:
/// opening hours ask about every day they check, and working out a year —
/// equinoxes, substitutes, sandwiched days — for each of them was most of the
/// cost of asking.
fn cached_year(year: i32) -> &'static [Holiday] {
    use std::sync::OnceLock;
    const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
    static CACHE: [OnceLock<Vec<Holiday>>; YEARS] = [const { OnceLock::new() }; YEARS];
    match usize::try_from(year - FIRST_YEAR)
        .ok()
        .and_then(|i| CACHE.get(i))
    {
        Some(cell) => cell.get_or_init(|| year_holidays(year)),
        None => &[],
    }
}

/// Whether `date` is a national holiday, substitute holiday or citizens' holiday.
/// Dates outside the supported range are never holidays.
pub fn is_holiday(date: NaiveDate) -> bool {
    holiday_name(date).is_some()
}

/// All holidays in `from..=to`, sorted by date. Errors name the bound that is
/// outside 1948-07-20..=2099-12-31, or a span longer than [`MAX_SPAN_DAYS`].
pub fn holidays_between(from: NaiveDate, to: NaiveDate) -> Result<Vec<Holiday>, CalendarError> {
    if from < FIRST_SUPPORTED {
        return Err(CalendarError::BeforeSupportedRange {
            date: from,
            first: FIRST_SUPPORTED,
        });
    }
    if to > LAST_SUPPORTED {
        return Err(CalendarError::AfterSupportedRange {
            date: to,
            last: LAST_SUPPORTED,
        });
    }
    if from > to {
        return Err(CalendarError::Reversed { from, to });
    }
    if (to - from).num_days() + 1 > MAX_SPAN_DAYS {
        return Err(CalendarError::SpanTooLong {
            from,
            to,
            max_days: MAX_SPAN_DAYS,
        });
    }
    Ok((from.year()..=to.year())
        .flat_map(|y| cached_year(y).iter().copied())
        .filter(|h| (from..=to).contains(&h.date))
        .collect())
}

/// How a day off counts for the rules of art. 3.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 国民の祝日 (art. 2): triggers substitutes and sandwiches.
    Shukujitsu,
    /// A one-off 休日 deemed a 祝日 for art. 3(3) only (2019 special law, art. 2).
    DeemedForSandwich,
    /// A one-off 休日 that triggers nothing.
    RestDayOnly,
}

/// Every holiday of one calendar year, sorted; empty outside the supported years.
fn year_holidays(year: i32) -> Vec<Holiday> {
    if year < FIRST_SUPPORTED.year() || year > LAST_SUPPORTED.year() {
        return Vec::new();
    }
    let base = base_days(year);
    let counts_as_shukujitsu = |d: NaiveDate| {
        base.iter()
            .any(|&(bd, _, k)| bd == d && k == Kind::Shukujitsu)
    };
    let counts_for_sandwich = |d: NaiveDate| {
        base.iter()
            .any(|&(bd, _, k)| bd == d && k != Kind::RestDayOnly)
    };
    let is_base = |d: NaiveDate| base.iter().any(|&(bd, _, _)| bd == d);

    let mut out: Vec<Holiday> = base
        .iter()
        .map(|&(date, name, _)| Holiday { date, name })
        .collect();

    // 振替休日, art. 3(2).
    for &(date, _, kind) in &base {
        if kind != Kind::Shukujitsu || date.weekday() != Weekday::Sun || date < SUBSTITUTE_FROM {
            continue;
        }
        let Some(mut next) = date.succ_opt() else {
            continue;
        };
        if year >= NEW_ART3_FROM {
            // "その日後においてその日に最も近い「国民の祝日」でない日" (2007 text).
            while counts_as_shukujitsu(next) {
                match next.succ_opt() {
                    Some(n) => next = n,
                    None => break,
                }
            }
        } else if counts_as_shukujitsu(next) {
            // 1973 text: "その翌日を休日とする" — the next day only; if it is itself a
            // 祝日 nothing more is added (never happened, kept for exactness).
            continue;
        }
        if !is_base(next) {
            out.push(Holiday {
                date: next,
                name: "振替休日",
            });
        }
    }

    // 国民の休日, art. 3(3): only the day after a 祝日 can be sandwiched.
    for &(prev, _, _) in &base {
        let Some(day) = prev.succ_opt() else {
            continue;
        };
        let Some(next) = day.succ_opt() else {
            continue;
        };
        if day < CITIZENS_HOLIDAY_FROM
            || is_base(day)
            || !counts_for_sandwich(prev)
            || !counts_for_sandwich(next)
        {
            continue;
        }
        let already_substitute = out.iter().any(|h| h.date == day);
        if year < NEW_ART3_FROM {
            // 1985 text: "（日曜日にあたる日及び前項に規定する休日にあたる日を除く。）"
            if day.weekday() == Weekday::Sun || already_substitute {
                continue;
            }
        } else if already_substitute {
            // The day is off either way; keep the name of the rule that comes first.
            continue;
        }
        out.push(Holiday {
            date: day,
            name: "国民の休日",
        });
    }

    out.sort();
    out
}

/// The 祝日 and one-off 休日 of a year, before art. 3(2)/(3) are applied.
fn base_days(year: i32) -> Vec<(NaiveDate, &'static str, Kind)> {
    use Kind::*;
    let mut v: Vec<(NaiveDate, &'static str, Kind)> = Vec::with_capacity(20);
    let mut add = |m: u32, d: u32, name: &'static str, kind: Kind| {
        if let Some(date) = NaiveDate::from_ymd_opt(year, m, d)
            && date >= FIRST_SUPPORTED
        {
            v.push((date, name, kind));
        }
    };

    // 元日, art. 2 (1949 onward; the Act took effect in July 1948).
    add(1, 1, "元日", Shukujitsu);
    // 成人の日: 1/15 (1948 Act); second Monday of January from 2000 (平成10年法律第141号).
    if year < 2000 {
        add(1, 15, "成人の日", Shukujitsu);
    } else {
        add(1, nth_monday(year, 1, 2), "成人の日", Shukujitsu);
    }
    // 建国記念の日: added by 昭和41年法律第86号, date fixed by 政令 (昭和41年政令第376号)
    // as 11 February, first observed 1967.
    if year >= 1967 {
        add(2, 11, "建国記念の日", Shukujitsu);
    }
    // 天皇誕生日: 2/23 from 2020 (平成29年法律第63号 附則第10条, in force 2019-05-01, so
    // 2019 has none: 12/23 was already gone and 2/23/2019 came before the change).
    if year >= 2020 {
        add(2, 23, "天皇誕生日", Shukujitsu);
    }
    // 春分の日: the vernal equinox day (春分日) announced in the 官報.
    add(3, vernal_equinox_day(year), "春分の日", Shukujitsu);
    // 4/29: 天皇誕生日 (1948 Act) until 1988; みどりの日 1989–2006 (平成元年法律第5号);
    // 昭和の日 from 2007 (平成17年法律第43号).
    if year <= 1988 {
        add(4, 29, "天皇誕生日", Shukujitsu);
    } else if year <= 2006 {
        add(4, 29, "みどりの日", Shukujitsu);
    } else {
        add(4, 29, "昭和の日", Shukujitsu);
    }
    // 憲法記念日 and こどもの日 (1948 Act); みどりの日 moved to 5/4 from 2007
    // (平成17年法律第43号).
    add(5, 3, "憲法記念日", Shukujitsu);
    if year >= 2007 {
        add(5, 4, "みどりの日", Shukujitsu);
    }
    add(5, 5, "こどもの日", Shukujitsu);
    // 海の日: 7/20 from 1996 (平成7年法律第22号); third Monday of July from 2003
    // (平成13年法律第59号); moved for the Tokyo Olympics to 2020-07-23 (平成30年法律第57号,
    // オリンピック特措法 art. 32) and 2021-07-22 (令和2年法律第68号).
    match year {
        ..=1995 => {}
        1996..=2002 => add(7, 20, "海の日", Shukujitsu),
        2020 => add(7, 23, "海の日", Shukujitsu),
        2021 => add(7, 22, "海の日", Shukujitsu),
        _ => add(7, nth_monday(year, 7, 3), "海の日", Shukujitsu),
    }
    // 山の日: 8/11 from 2016 (平成26年法律第43号); Olympic moves to 2020-08-10 and
    // 2021-08-08 (same laws as 海の日). 2021-08-08 is a Sunday, so 8/9 is 振替休日.
    match year {
        ..=2015 => {}
        2020 => add(8, 10, "山の日", Shukujitsu),
        2021 => add(8, 8, "山の日", Shukujitsu),
        _ => add(8, 11, "山の日", Shukujitsu),
    }
    // 敬老の日: 9/15 from 1966 (昭和41年法律第86号); third Monday of September from 2003
    // (平成13年法律第59号).
    match year {
        ..=1965 => {}
        1966..=2002 => add(9, 15, "敬老の日", Shukujitsu),
        _ => add(9, nth_monday(year, 9, 3), "敬老の日", Shukujitsu),
    }
    // 秋分の日: the autumnal equinox day (秋分日) announced in the 官報.
    add(9, autumnal_equinox_day(year), "秋分の日", Shukujitsu);
    // 体育の日: 10/10 from 1966 (昭和41年法律第86号); second Monday of October from 2000
    // (平成10年法律第141号); renamed スポーツの日 from 2020 (平成30年法律第57号), moved
    // to 2020-07-24 and 2021-07-23 for the Olympics.
    match year {
        ..=1965 => {}
        1966..=1999 => add(10, 10, "体育の日", Shukujitsu),
        2000..=2019 => add(10, nth_monday(year, 10, 2), "体育の日", Shukujitsu),
        2020 => add(7, 24, "スポーツの日", Shukujitsu),
        2021 => add(7, 23, "スポーツの日", Shukujitsu),
        _ => add(10, nth_monday(year, 10, 2), "スポーツの日", Shukujitsu),
    }
    // 文化の日 and 勤労感謝の日 (1948 Act).
    add(11, 3, "文化の日", Shukujitsu);
    add(11, 23, "勤労感謝の日", Shukujitsu);
    // 天皇誕生日 12/23 from 1989 (平成元年法律第5号) to 2018 (平成29年法律第63号).
    if (1989..=2018).contains(&year) {
        add(12, 23, "天皇誕生日", Shukujitsu);
    }

    // One-off 休日, each by its own law.
    match year {
        // 皇太子明仁親王の結婚の儀の行われる日を休日とする法律 (昭和34年法律第16号).
        1959 => add(4, 10, "皇太子明仁親王の結婚の儀", RestDayOnly),
        // 昭和天皇の大喪の礼の行われる日を休日とする法律 (平成元年法律第4号).
        1989 => add(2, 24, "昭和天皇の大喪の礼", RestDayOnly),
        // 即位礼正殿の儀の行われる日を休日とする法律 (平成2年法律第24号).
        1990 => add(11, 12, "即位礼正殿の儀", RestDayOnly),
        // 皇太子徳仁親王の結婚の儀の行われる日を休日とする法律 (平成5年法律第32号).
        1993 => add(6, 9, "皇太子徳仁親王の結婚の儀", RestDayOnly),
        // 天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律 (平成30年法律第99号);
        // its art. 2 deems both days 祝日 for art. 3(3) of the Holiday Act, which makes
        // 4/30 and 5/2 国民の休日.
        2019 => {
            add(5, 1, "天皇の即位の日", DeemedForSandwich);
            add(10, 22, "即位礼正殿の儀", DeemedForSandwich);
        }
        _ => {}
    }
    v
}

/// The n-th Monday of a month (Happy Monday system), as a day of the month.
fn nth_monday(year: i32, month: u32, n: u8) -> u32 {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n)
        .map(|d| d.day())
        .unwrap_or(0)
}

/// First year of [`EQUINOX_TABLE`].
const TABLE_FIRST_YEAR: i32 = 1948;
/// Day of March (春分日) and of September (秋分日) as announced in the 官報 by the
/// National Astronomical Observatory (暦要項), 1948–2027. 2027 was announced in
/// February 2026; later years use [`equinox_formula`], which reproduces every row of
/// this table (see the tests).
#[rustfmt::skip]
const EQUINOX_TABLE: [(u8, u8); 80] = [
    // 1948–1949
    (21, 23), (21, 23),
    // 1950–1959
    (21, 23), (21, 24), (21, 23), (21, 23), (21, 23), (21, 24), (21, 23), (21, 23),
    (21, 23), (21, 24),
    // 1960–1969
    (20, 23), (21, 23), (21, 23), (21, 24), (20, 23), (21, 23), (21, 23), (21, 24),
    (20, 23), (21, 23),
    // 1970–1979
    (21, 23), (21, 24), (20, 23), (21, 23), (21, 23), (21, 24), (20, 23), (21, 23),
    (21, 23), (21, 24),
    // 1980–1989
    (20, 23), (21, 23), (21, 23), (21, 23), (20, 23), (21, 23), (21, 23), (21, 23),
    (20, 23), (21, 23),
    // 1990–1999
    (21, 23), (21, 23), (20, 23), (20, 23), (21, 23), (21, 23), (20, 23), (20, 23),
    (21, 23), (21, 23),
    // 2000–2009
    (20, 23), (20, 23), (21, 23), (21, 23), (20, 23), (20, 23), (21, 23), (21, 23),
    (20, 23), (20, 23),
    // 2010–2019
    (21, 23), (21, 23), (20, 22), (20, 23), (21, 23), (21, 23), (20, 22), (20, 23),
    (21, 23), (21, 23),
    // 2020–2027
    (20, 22), (20, 23), (21, 23), (21, 23), (20, 22), (20, 23), (20, 23), (21, 23),
];

fn vernal_equinox_day(year: i32) -> u32 {
    table_row(year).map_or_else(|| equinox_formula(year).0, |(s, _)| u32::from(s))
}

fn autumnal_equinox_day(year: i32) -> u32 {
    table_row(year).map_or_else(|| equinox_formula(year).1, |(_, a)| u32::from(a))
}

fn table_row(year: i32) -> Option<(u8, u8)> {
    let index = usize::try_from(year - TABLE_FIRST_YEAR).ok()?;
    EQUINOX_TABLE.get(index).copied()
}

/// The equinox days of a year by the widely published approximation (海上保安庁水路部):
/// `int(20.8431 + 0.242194 (Y−1980) − int((Y−1980)/4))` for March and `23.2488` for
/// September, valid 1980–2099; for 1900–1979 the constants are 20.8357/23.2588 with
/// `int((Y−1983)/4)`. `int` truncates toward zero. Computed in micro-days so no
/// floating point is involved.
pub(crate) fn equinox_formula(year: i32) -> (u32, u32) {
    let y = i64::from(year);
    let (spring, autumn, leap_base) = if year <= 1979 {
        (20_835_700, 23_258_800, 1983)
    } else {
        (20_843_100, 23_248_800, 1980)
    };
    let drift = 242_194 * (y - 1980);
    // Rust's `/` truncates toward zero, as the formula's int() does.
    let leap = (y - leap_base) / 4 * 1_000_000;
    let day = |base: i64| u32::try_from((base + drift - leap).div_euclid(1_000_000)).unwrap_or(0);
    (day(spring), day(autumn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        ymd(y, m, day)
    }

    #[test]
    fn formula_reproduces_the_official_table() {
        for (i, &(s, a)) in EQUINOX_TABLE.iter().enumerate() {
            let year = TABLE_FIRST_YEAR + i as i32;
            assert_eq!(
                equinox_formula(year),
                (u32::from(s), u32::from(a)),
                "{year}"
            );
        }
    }

    #[test]
    fn table_of_edge_cases() {
        let cases: &[(NaiveDate, Option<&str>)] = &[
            (d(1948, 7, 19), None),
            (d(1948, 9, 23), Some("秋分の日")),
            (d(1949, 1, 1), Some("元日")),
            // No substitute before the 1973-04-12 amendment.
            (d(1973, 2, 11), Some("建国記念の日")),
            (d(1973, 2, 12), None),
            // First substitute holiday ever: 天皇誕生日 1973-04-29 was a Sunday.
            (d(1973, 4, 30), Some("振替休日")),
            // 4 May before the 1985 amendment was an ordinary day.
            (d(1985, 5, 4), None),
            (d(1988, 5, 4), Some("国民の休日")),
            // 1986-05-04 was a Sunday: excluded by the 1985 text.
            (d(1986, 5, 4), None),
            // 1987-05-03 Sunday -> 5/4 substitute, not 国民の休日.
            (d(1987, 5, 4), Some("振替休日")),
            (d(1959, 4, 10), Some("皇太子明仁親王の結婚の儀")),
            (d(1989, 2, 24), Some("昭和天皇の大喪の礼")),
            (d(1989, 4, 29), Some("みどりの日")),
            (d(1990, 11, 12), Some("即位礼正殿の儀")),
            (d(1993, 6, 9), Some("皇太子徳仁親王の結婚の儀")),
            (d(2008, 5, 6), Some("振替休日")),
            (d(2009, 9, 22), Some("国民の休日")),
            (d(2015, 9, 22), Some("国民の休日")),
            (d(2018, 12, 23), Some("天皇誕生日")),
            (d(2018, 12, 24), Some("振替休日")),
            (d(2019, 2, 23), None),
            (d(2019, 12, 23), None),
            (d(2019, 4, 30), Some("国民の休日")),
            (d(2019, 5, 1), Some("天皇の即位の日")),
            (d(2019, 5, 2), Some("国民の休日")),
            (d(2019, 5, 6), Some("振替休日")),
            (d(2019, 10, 14), Some("体育の日")),
            (d(2019, 10, 22), Some("即位礼正殿の儀")),
            (d(2020, 2, 23), Some("天皇誕生日")),
            (d(2020, 2, 24), Some("振替休日")),
            (d(2020, 7, 20), None),
            (d(2020, 7, 23), Some("海の日")),
            (d(2020, 7, 24), Some("スポーツの日")),
            (d(2020, 8, 10), Some("山の日")),
            (d(2020, 8, 11), None),
            (d(2020, 10, 12), None),
            (d(2021, 7, 19), None),
            (d(2021, 7, 22), Some("海の日")),
            (d(2021, 7, 23), Some("スポーツの日")),
            (d(2021, 8, 8), Some("山の日")),
            (d(2021, 8, 9), Some("振替休日")),
            (d(2021, 10, 11), None),
            // Saturday holiday: no substitute on Monday.
            (d(2026, 1, 3), None),
            (d(2022, 1, 1), Some("元日")),
            (d(2022, 1, 3), None),
            (d(2026, 9, 21), Some("敬老の日")),
            (d(2026, 9, 22), Some("国民の休日")),
            (d(2026, 9, 23), Some("秋分の日")),
            (d(2026, 3, 20), Some("春分の日")),
            (d(2030, 3, 20), Some("春分の日")),
            (d(2032, 9, 21), Some("国民の休日")),
        ];
        for &(date, want) in cases {
            assert_eq!(holiday_name(date), want, "{date}");
        }
    }

    #[test]
    fn year_counts() {
        let count = |y| holidays_between(d(y, 1, 1), d(y, 12, 31)).map(|v| v.len());
        assert_eq!(count(2019), Ok(22));
        assert_eq!(count(2026), Ok(18));
    }

    #[test]
    fn lookups_agree_with_the_year_worked_out_afresh() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let fresh = year_holidays(year);
            for day in d(year, 1, 1).iter_days().take_while(|x| x.year() == year) {
                let expected = (FIRST_SUPPORTED..=LAST_SUPPORTED)
                    .contains(&day)
                    .then(|| fresh.iter().find(|h| h.date == day).map(|h| h.name))
                    .flatten();
                assert_eq!(holiday_name(day), expected, "{day}");
            }
        }
        assert_eq!(holiday_name(d(1948, 5, 5)), None);
        assert_eq!(holiday_name(d(2100, 1, 1)), None);
    }

    #[test]
    fn range_errors_name_the_bound() {
        assert!(matches!(
            holidays_between(d(1948, 7, 19), d(1948, 12, 31)),
            Err(CalendarError::BeforeSupportedRange { .. })
        ));
        assert!(matches!(
            holidays_between(d(2099, 1, 1), d(2100, 1, 1)),
            Err(CalendarError::AfterSupportedRange { .. })
        ));
        assert!(matches!(
            holidays_between(d(2000, 1, 1), d(2020, 1, 1)),
            Err(CalendarError::SpanTooLong { .. })
        ));
        assert!(matches!(
            holidays_between(d(2020, 1, 2), d(2020, 1, 1)),
            Err(CalendarError::Reversed { .. })
        ));
        assert_eq!(
            holidays_between(d(1948, 7, 20), d(1948, 12, 31)).map(|v| v.len()),
            Ok(3)
        );
    }

    #[test]
    fn serialises_as_the_public_contract() {
        let h = Holiday {
            date: d(2026, 9, 22),
            name: "国民の休日",
        };
        assert_eq!(
            serde_json::to_string(&h).ok().as_deref(),
            Some(r#"{"date":"2026-09-22","name":"国民の休日"}"#)
        );
    }
}
