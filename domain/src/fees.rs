//! What a booking costs: a quote with one line per item, household reductions and
//! the childrearing coupon, in integer yen.
//!
//! Prices in the configuration are unsigned; amounts in a quote are `i64` yen and
//! reductions are negative lines. The total is never negative.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::age::age_in_years;
use crate::calendar::closures::is_new_year_period;
use crate::calendar::holidays::{FIRST_SUPPORTED, LAST_SUPPORTED};
use crate::calendar::{FiscalYear, format_date_ja, is_holiday};
use crate::coupon::{CouponUse, apply_coupons};
use crate::eligibility::Household;
use crate::rules::{BookingUnit, MunicipalityRules, RuleProblem, problem};
use crate::{ServiceId, Text};

/// How a service is priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FeeSchedule {
    /// No charge (home visitors).
    Free,
    Hourly(HourlyFees),
    Stay(StayFees),
}

impl FeeSchedule {
    pub(crate) fn check(&self, path: &str, out: &mut Vec<RuleProblem>) {
        match self {
            FeeSchedule::Free => {}
            FeeSchedule::Hourly(h) => {
                if h.first_unit_minutes == 0 || h.unit_minutes == 0 {
                    problem(out, path, "unit_minutes", "units must be longer than zero");
                }
                if h.sibling_percent > 100 {
                    problem(out, path, "sibling_percent", "is above 100");
                }
            }
            FeeSchedule::Stay(_) => {}
        }
    }

    fn coupon_accepted(&self) -> bool {
        match self {
            FeeSchedule::Free => false,
            FeeSchedule::Hourly(h) => h.coupon_accepted,
            FeeSchedule::Stay(s) => s.coupon_accepted,
        }
    }
}

/// Households that pay nothing (for stays: nothing but meals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exemptions {
    pub public_assistance: bool,
    pub tax_exempt: bool,
}

impl Exemptions {
    /// The exemption that applies to this household, as `(code, label)`.
    fn applying(&self, h: &Household) -> Option<(&'static str, Text)> {
        if self.public_assistance && h.public_assistance {
            Some((
                "exemption.public-assistance",
                Text::new("生活保護世帯減免", "public assistance exemption"),
            ))
        } else if self.tax_exempt && h.tax_exempt {
            Some((
                "exemption.tax-exempt",
                Text::new("住民税非課税世帯減免", "tax-exempt household exemption"),
            ))
        } else {
            None
        }
    }
}

/// Hourly pricing: a first unit charged in full, then shorter units (Family
/// Support: the first hour, then 30 minutes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourlyFees {
    pub yen_per_hour: u32,
    pub first_unit_minutes: u32,
    pub unit_minutes: u32,
    /// Extra per hour in some bands. Surcharges do not add up: a unit pays the
    /// highest that touches any part of it.
    #[serde(default)]
    pub surcharges: Vec<Surcharge>,
    /// Charged per child (Family Support) or once per visit (helpers).
    pub per_child: bool,
    /// What the second and later children pay, in percent (50 = half price).
    pub sibling_percent: u32,
    #[serde(default)]
    pub exemptions: Exemptions,
    pub coupon_accepted: bool,
}

/// An hourly surcharge in a time band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Surcharge {
    pub band: Band,
    pub extra_yen_per_hour: u32,
}

/// When a surcharge applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Band {
    /// Early morning: any part of the unit before this time.
    Early { before: NaiveTime },
    /// Evening: any part of the unit at or after this time.
    Late { from: NaiveTime },
    /// Saturdays and Sundays.
    Weekend,
    /// National holidays (incl. substitute and citizens' holidays).
    Holiday,
    /// 12/29–1/3.
    NewYear,
}

impl Band {
    fn code(self) -> &'static str {
        match self {
            Band::Early { .. } => "early",
            Band::Late { .. } => "late",
            Band::Weekend => "weekend",
            Band::Holiday => "holiday",
            Band::NewYear => "new-year",
        }
    }

    fn label(self) -> Text {
        match self {
            Band::Early { .. } => Text::new("早朝", "early"),
            Band::Late { .. } => Text::new("夜間", "late"),
            Band::Weekend => Text::new("土日", "weekend"),
            Band::Holiday => Text::new("祝日", "holiday"),
            Band::NewYear => Text::new("年末年始", "New Year"),
        }
    }

    /// Whether any minute of `[start, end)` falls in the band.
    fn touches(self, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        let last = end - Duration::minutes(1);
        let crosses_midnight = last.date() != start.date();
        let days = [start.date(), last.date()];
        match self {
            Band::Early { before } => start.time() < before || crosses_midnight,
            Band::Late { from } => last.time() >= from || crosses_midnight,
            Band::Weekend => days
                .iter()
                .any(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun)),
            Band::Holiday => days.iter().any(|&d| is_holiday(d)),
            Band::NewYear => days.iter().any(|&d| is_new_year_period(d)),
        }
    }
}

/// Stay pricing by night and day-stay, with an age band (under 2 / 2 and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StayFees {
    /// Children younger than this (in completed years, on each night) pay the
    /// `younger` prices.
    pub younger_than_years: u32,
    pub night_younger_yen: u32,
    pub night_older_yen: u32,
    pub day_younger_yen: u32,
    pub day_older_yen: u32,
    /// Meals, per night and per day stay; exemptions never cover meals.
    pub meal_yen_per_night: u32,
    pub meal_yen_per_day_stay: u32,
    #[serde(default)]
    pub exemptions: Exemptions,
    pub coupon_accepted: bool,
}

/// What is being booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Period {
    /// Local (JST) start and end, for hourly services.
    Hours {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    /// Overnight stays from `check_in` (10:00 → 10:00 the next day).
    Nights { check_in: NaiveDate, nights: u32 },
    /// A day-only stay (10:00–20:00).
    DayStay { date: NaiveDate },
}

impl Period {
    /// The day the booking starts: the day whose fiscal year's coupon is used.
    pub fn start_date(&self) -> NaiveDate {
        match *self {
            Period::Hours { start, .. } => start.date(),
            Period::Nights { check_in, .. } => check_in,
            Period::DayStay { date } => date,
        }
    }
}

/// One child in a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildFee {
    pub birth_date: NaiveDate,
    /// What is left of this child's coupon for the fiscal year of the booking.
    #[serde(default)]
    pub coupon_balance_yen: u32,
}

/// Everything a quote depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub service: ServiceId,
    pub period: Period,
    pub children: Vec<ChildFee>,
    #[serde(default)]
    pub household: Household,
    /// Use one more coupon ticket to cover a remainder smaller than a ticket,
    /// forfeiting the change.
    #[serde(default)]
    pub forfeit_coupon_change: bool,
}

/// One line of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteLine {
    /// Stable, e.g. `first-unit.weekday`, `extra-unit.late`, `night.younger`, `meal`.
    pub code: String,
    pub label: Text,
    pub quantity: u32,
    pub unit_price_yen: i64,
    pub amount_yen: i64,
}

/// A priced booking. `total_yen = subtotal_yen + Σ reductions − coupon_applied_yen ≥ 0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub service: ServiceId,
    pub lines: Vec<QuoteLine>,
    pub subtotal_yen: i64,
    /// Negative lines: household exemptions.
    pub reductions: Vec<QuoteLine>,
    pub coupon_uses: Vec<CouponUse>,
    pub coupon_applied_yen: i64,
    /// The fiscal year whose coupon balance is drawn (that of the first day).
    pub coupon_fiscal_year: FiscalYear,
    pub total_yen: i64,
}

/// A booking that cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("{service} is not offered on {on}")]
    NotOffered { service: ServiceId, on: NaiveDate },
    #[error("period: {0} is outside the supported calendar")]
    OutOfRange(NaiveDate),
    #[error("children: at least one child is required")]
    NoChildren,
    #[error("children[{index}].birth_date is after the booking starts")]
    ChildNotBorn { index: usize },
    #[error("period: the end is not after the start")]
    EndNotAfterStart,
    #[error("period: this service is booked as {expected}")]
    WrongKindOfPeriod { expected: &'static str },
    #[error("period: {minutes} minutes is shorter than the minimum {min}")]
    TooShort { minutes: i64, min: u32 },
    #[error("period: {minutes} minutes is longer than the maximum {max}")]
    TooLong { minutes: i64, max: u32 },
    #[error("period.nights: {nights} nights is outside 1..={max}")]
    Nights { nights: u32, max: u32 },
}

impl QuoteError {
    /// The offending field for problem+json.
    pub fn field(&self) -> String {
        match self {
            QuoteError::NotOffered { .. } => "service".into(),
            QuoteError::NoChildren => "children".into(),
            QuoteError::ChildNotBorn { index } => format!("children[{index}].birth_date"),
            QuoteError::Nights { .. } => "period.nights".into(),
            _ => "period".into(),
        }
    }

    /// A message for the person booking, in both languages.
    pub fn message(&self) -> Text {
        match self {
            QuoteError::NotOffered { service, on } => Text::new(
                format!(
                    "{}は{}時点では実施されていません。",
                    service.name().ja,
                    format_date_ja(*on)
                ),
                format!("{} is not offered on {on}", service.name().en),
            ),
            QuoteError::OutOfRange(d) => Text::new(
                format!("{}は対象期間外です。", format_date_ja(*d)),
                format!("{d} is outside the supported calendar"),
            ),
            QuoteError::NoChildren => Text::new(
                "お子さんを1人以上指定してください。",
                "at least one child is required",
            ),
            QuoteError::ChildNotBorn { .. } => Text::new(
                "利用開始日より後の生年月日が指定されています。",
                "a child's birth date is after the booking starts",
            ),
            QuoteError::EndNotAfterStart => Text::new(
                "終了時刻が開始時刻より後になっていません。",
                "the end is not after the start",
            ),
            QuoteError::WrongKindOfPeriod { expected } => Text::new(
                "このサービスでは指定できない利用形態です。",
                format!("this service is booked as {expected}"),
            ),
            QuoteError::TooShort { min, .. } => Text::new(
                format!("利用時間は{min}分以上で指定してください。"),
                format!("book at least {min} minutes"),
            ),
            QuoteError::TooLong { max, .. } => Text::new(
                format!("利用時間は{max}分以内で指定してください。"),
                format!("book at most {max} minutes"),
            ),
            QuoteError::Nights { max, .. } => Text::new(
                format!("宿泊は1泊から{max}泊までです。"),
                format!("a stay is 1 to {max} nights"),
            ),
        }
    }
}

/// Prices a booking under the rules in force on its first day.
pub fn quote(rules: &MunicipalityRules, req: &QuoteRequest) -> Result<Quote, QuoteError> {
    let start = req.period.start_date();
    if !(FIRST_SUPPORTED..=LAST_SUPPORTED).contains(&start) {
        return Err(QuoteError::OutOfRange(start));
    }
    let sr = rules
        .rules_for(req.service, start)
        .ok_or(QuoteError::NotOffered {
            service: req.service,
            on: start,
        })?;
    if req.children.is_empty() {
        return Err(QuoteError::NoChildren);
    }
    if let Some(index) = req.children.iter().position(|c| c.birth_date > start) {
        return Err(QuoteError::ChildNotBorn { index });
    }

    let (lines, reductions) = match (&sr.fees, req.period) {
        (FeeSchedule::Free, _) => (Vec::new(), Vec::new()),
        (FeeSchedule::Hourly(h), Period::Hours { start, end }) => {
            let minutes = (end - start).num_minutes();
            if minutes <= 0 {
                return Err(QuoteError::EndNotAfterStart);
            }
            if let BookingUnit::Timed {
                min_minutes,
                max_minutes,
                ..
            } = sr.unit
            {
                if minutes < i64::from(min_minutes) {
                    return Err(QuoteError::TooShort {
                        minutes,
                        min: min_minutes,
                    });
                }
                let max = sr
                    .limits
                    .max_minutes_per_day
                    .unwrap_or(max_minutes)
                    .min(max_minutes);
                if minutes > i64::from(max) {
                    return Err(QuoteError::TooLong { minutes, max });
                }
            }
            hourly_lines(h, start, end, req)
        }
        (FeeSchedule::Stay(s), Period::Nights { check_in, nights }) => {
            let max = sr.limits.max_nights_per_stay.unwrap_or(u32::MAX);
            if nights == 0 || nights > max {
                return Err(QuoteError::Nights { nights, max });
            }
            stay_lines(s, check_in, nights, false, req)
        }
        (FeeSchedule::Stay(s), Period::DayStay { date }) => stay_lines(s, date, 1, true, req),
        (FeeSchedule::Hourly(_), _) => {
            return Err(QuoteError::WrongKindOfPeriod { expected: "hours" });
        }
        (FeeSchedule::Stay(_), Period::Hours { .. }) => {
            return Err(QuoteError::WrongKindOfPeriod {
                expected: "nights or a day stay",
            });
        }
    };

    let subtotal_yen: i64 = lines.iter().map(|l| l.amount_yen).sum();
    let reduction_yen: i64 = reductions.iter().map(|l| l.amount_yen).sum();
    let payable = (subtotal_yen + reduction_yen).max(0);

    let coupon_uses = match &rules.coupon {
        Some(c) if sr.fees.coupon_accepted() => {
            let balances: Vec<(usize, u32)> = req
                .children
                .iter()
                .enumerate()
                .filter(|(_, ch)| c.covers(ch.birth_date, start))
                .map(|(i, ch)| (i, ch.coupon_balance_yen))
                .collect();
            apply_coupons(c, payable, &balances, req.forfeit_coupon_change)
        }
        _ => Vec::new(),
    };
    let coupon_applied_yen: i64 = coupon_uses.iter().map(|u| u.applied_yen).sum();
    Ok(Quote {
        service: req.service,
        lines,
        subtotal_yen,
        reductions,
        coupon_uses,
        coupon_applied_yen,
        coupon_fiscal_year: FiscalYear::of(start),
        total_yen: (payable - coupon_applied_yen).max(0),
    })
}

/// Adds `quantity` of an item to the line with the same code and price, or a new line.
fn push_line(
    lines: &mut Vec<QuoteLine>,
    code: String,
    label: Text,
    unit_price_yen: i64,
    quantity: u32,
) {
    if let Some(l) = lines
        .iter_mut()
        .find(|l| l.code == code && l.unit_price_yen == unit_price_yen)
    {
        l.quantity += quantity;
        l.amount_yen += unit_price_yen * i64::from(quantity);
        return;
    }
    lines.push(QuoteLine {
        code,
        label,
        quantity,
        unit_price_yen,
        amount_yen: unit_price_yen * i64::from(quantity),
    });
}

fn duration_text(minutes: u32) -> Text {
    if minutes.is_multiple_of(60) {
        Text::new(
            format!("{}時間", minutes / 60),
            format!("{} h", minutes / 60),
        )
    } else {
        Text::new(format!("{minutes}分"), format!("{minutes} min"))
    }
}

fn hourly_lines(
    h: &HourlyFees,
    start: NaiveDateTime,
    end: NaiveDateTime,
    req: &QuoteRequest,
) -> (Vec<QuoteLine>, Vec<QuoteLine>) {
    // Units: the first in full, then steps until the end is covered.
    let mut units: Vec<(NaiveDateTime, u32, bool)> = Vec::new();
    let mut at = start;
    let mut first = true;
    while at < end {
        let len = if first {
            h.first_unit_minutes
        } else {
            h.unit_minutes
        }
        .max(1);
        units.push((at, len, first));
        at += Duration::minutes(i64::from(len));
        first = false;
    }
    let payers = if h.per_child { req.children.len() } else { 1 };
    let mut lines = Vec::new();
    for payer in 0..payers {
        let percent = if payer == 0 {
            100
        } else {
            h.sibling_percent.min(100)
        };
        for &(unit_start, len, is_first) in &units {
            let unit_end = unit_start + Duration::minutes(i64::from(len));
            let band = h
                .surcharges
                .iter()
                .filter(|s| s.band.touches(unit_start, unit_end))
                .max_by_key(|s| s.extra_yen_per_hour);
            let rate =
                i64::from(h.yen_per_hour) + band.map_or(0, |s| i64::from(s.extra_yen_per_hour));
            let price = rate * i64::from(len) / 60 * i64::from(percent) / 100;
            let (band_code, band_label) = band
                .map_or(("standard", Text::new("通常", "standard")), |s| {
                    (s.band.code(), s.band.label())
                });
            let kind = if is_first { "first-unit" } else { "extra-unit" };
            let dur = duration_text(len);
            let (mut ja, mut en) = if is_first {
                (
                    format!("基本{}（{}）", dur.ja, band_label.ja),
                    format!("first {} ({})", dur.en, band_label.en),
                )
            } else {
                (
                    format!("延長{}（{}）", dur.ja, band_label.ja),
                    format!("extra {} ({})", dur.en, band_label.en),
                )
            };
            let mut code = format!("{kind}.{band_code}");
            if payers > 1 {
                ja = format!("{}人目 {ja}", payer + 1);
                en = format!("child {}: {en}", payer + 1);
                if percent != 100 {
                    ja.push_str(&format!("・きょうだい{percent}%"));
                    en.push_str(&format!(", sibling {percent}%"));
                    code.push_str(".sibling");
                }
                code = format!("child{}.{code}", payer + 1);
            }
            push_line(&mut lines, code, Text::new(ja, en), price, 1);
        }
    }
    let mut reductions = Vec::new();
    if let Some((code, label)) = h.exemptions.applying(&req.household) {
        let total: i64 = lines.iter().map(|l| l.amount_yen).sum();
        if total > 0 {
            reductions.push(QuoteLine {
                code: code.into(),
                label,
                quantity: 1,
                unit_price_yen: -total,
                amount_yen: -total,
            });
        }
    }
    (lines, reductions)
}

fn stay_lines(
    s: &StayFees,
    first_day: NaiveDate,
    nights: u32,
    day_only: bool,
    req: &QuoteRequest,
) -> (Vec<QuoteLine>, Vec<QuoteLine>) {
    let mut lines = Vec::new();
    let many = req.children.len() > 1;
    for (i, child) in req.children.iter().enumerate() {
        let prefix = if many {
            (
                format!("{}人目 ", i + 1),
                format!("child {}: ", i + 1),
                format!("child{}.", i + 1),
            )
        } else {
            (String::new(), String::new(), String::new())
        };
        for k in 0..nights {
            let day = first_day
                .checked_add_days(Days::new(u64::from(k)))
                .unwrap_or(first_day);
            // The age band is judged on each night: a child turning 2 mid-stay pays
            // the older price from the birthday on.
            let younger =
                age_in_years(child.birth_date, day).is_some_and(|a| a < s.younger_than_years);
            let (price, band, band_ja, band_en) = match (day_only, younger) {
                (false, true) => (s.night_younger_yen, "night.younger", "宿泊", "overnight"),
                (false, false) => (s.night_older_yen, "night.older", "宿泊", "overnight"),
                (true, true) => (s.day_younger_yen, "day.younger", "日帰り", "day stay"),
                (true, false) => (s.day_older_yen, "day.older", "日帰り", "day stay"),
            };
            let y = s.younger_than_years;
            let (age_ja, age_en) = if younger {
                (format!("{y}歳未満"), format!("under {y}"))
            } else {
                (format!("{y}歳以上"), format!("{y} and over"))
            };
            push_line(
                &mut lines,
                format!("{}{band}", prefix.2),
                Text::new(
                    format!("{}{band_ja}（{age_ja}）", prefix.0),
                    format!("{}{band_en} ({age_en})", prefix.1),
                ),
                i64::from(price),
                1,
            );
        }
        let meal = if day_only {
            s.meal_yen_per_day_stay
        } else {
            s.meal_yen_per_night
        };
        if meal > 0 {
            push_line(
                &mut lines,
                format!("{}meal", prefix.2),
                Text::new(format!("{}食事代", prefix.0), format!("{}meals", prefix.1)),
                i64::from(meal),
                nights,
            );
        }
    }
    let mut reductions = Vec::new();
    if let Some((code, label)) = s.exemptions.applying(&req.household) {
        let care: i64 = lines
            .iter()
            .filter(|l| !l.code.ends_with("meal"))
            .map(|l| l.amount_yen)
            .sum();
        if care > 0 {
            reductions.push(QuoteLine {
                code: code.into(),
                label: Text::new(
                    format!("{}（食事代を除く）", label.ja),
                    format!("{} (meals excepted)", label.en),
                ),
                quantity: 1,
                unit_price_yen: -care,
                amount_yen: -care,
            });
        }
    }
    (lines, reductions)
}
