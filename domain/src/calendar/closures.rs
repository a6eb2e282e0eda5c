//! Per-site closure calendars (年末年始 and other closed days), kept apart from the
//! national holidays because each facility decides its own.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Text;

/// A day of the year without a year, written `MM-DD` (e.g. `12-29`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    month: u8,
    day: u8,
}

impl MonthDay {
    /// A valid month and day (29 February allowed); `None` otherwise.
    pub fn new(month: u32, day: u32) -> Option<MonthDay> {
        // 2000 is a leap year, so every real month-day exists in it.
        NaiveDate::from_ymd_opt(2000, month, day)?;
        Some(MonthDay {
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// The month-day of a date (to test annual closures).
    pub fn of(date: NaiveDate) -> MonthDay {
        MonthDay {
            month: date.month() as u8,
            day: date.day() as u8,
        }
    }

    /// Month, 1–12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// Day of the month, 1–31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// The text was not `MM-DD` naming a real day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month-day like 12-29")]
pub struct BadMonthDay(pub String);

impl FromStr for MonthDay {
    type Err = BadMonthDay;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadMonthDay(s.to_owned());
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        let d: u32 = d.parse().map_err(|_| bad())?;
        MonthDay::new(m, d).ok_or_else(bad)
    }
}

impl Serialize for MonthDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One closed period of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Closure {
    /// Every year from `from` to `to` inclusive; may wrap the new year (12-29 → 01-03).
    Annual {
        from: MonthDay,
        to: MonthDay,
        label: Text,
    },
    /// Once, from `from` to `to` inclusive (e.g. a facility's inspection day).
    Dates {
        from: NaiveDate,
        to: NaiveDate,
        label: Text,
    },
}

impl Closure {
    /// 年末年始 12/29–1/3, the customary closure of municipal services.
    pub fn new_year() -> Closure {
        Closure::Annual {
            from: MonthDay { month: 12, day: 29 },
            to: MonthDay { month: 1, day: 3 },
            label: Text::new("年末年始", "New Year holidays"),
        }
    }

    /// Whether the site is closed on `date` because of this closure.
    pub fn covers(&self, date: NaiveDate) -> bool {
        match self {
            Closure::Annual { from, to, .. } => {
                let md = MonthDay::of(date);
                if from <= to {
                    *from <= md && md <= *to
                } else {
                    md >= *from || md <= *to
                }
            }
            Closure::Dates { from, to, .. } => (*from..=*to).contains(&date),
        }
    }

    /// What the closure is called, for the calendar legend.
    pub fn label(&self) -> &Text {
        match self {
            Closure::Annual { label, .. } | Closure::Dates { label, .. } => label,
        }
    }
}

/// Whether `date` falls in 年末年始 (12/29–1/3), used for New Year surcharges.
pub fn is_new_year_period(date: NaiveDate) -> bool {
    Closure::new_year().covers(date)
}

/// A site's closures, as data a coordinator can edit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClosureCalendar(pub Vec<Closure>);

impl ClosureCalendar {
    /// The first closure covering `date`, if the site is closed that day.
    pub fn closure_on(&self, date: NaiveDate) -> Option<&Closure> {
        self.0.iter().find(|c| c.covers(date))
    }

    /// Whether any closure covers `date`.
    pub fn is_closed(&self, date: NaiveDate) -> bool {
        self.closure_on(date).is_some()
    }

    /// Closures whose dates run backwards (a one-off `from` after `to`).
    pub fn problems(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|c| match c {
                Closure::Dates { from, to, .. } if from > to => {
                    Some(format!("closure {from}..{to} ends before it starts"))
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays::ymd as d;

    #[test]
    fn new_year_wraps_the_year() {
        let cal = ClosureCalendar(vec![
            Closure::new_year(),
            Closure::Dates {
                from: d(2026, 8, 13),
                to: d(2026, 8, 15),
                label: Text::new("お盆休み", "Obon"),
            },
        ]);
        assert!(!cal.is_closed(d(2026, 12, 28)));
        assert!(cal.is_closed(d(2026, 12, 29)));
        assert!(cal.is_closed(d(2027, 1, 3)));
        assert!(!cal.is_closed(d(2027, 1, 4)));
        assert!(cal.is_closed(d(2026, 8, 14)));
        assert!(!cal.is_closed(d(2027, 8, 14)));
        let json = serde_json::to_string(&cal).unwrap_or_default();
        let back: ClosureCalendar = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, cal);
        assert!(json.contains("\"12-29\""));
        assert!("02-30".parse::<MonthDay>().is_err());
        assert!("02-29".parse::<MonthDay>().is_ok());
    }
}
