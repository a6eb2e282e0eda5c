//! The month calendar with ○/△/× per day, shared by the booking page and the
//! embedded widget: the month's title with links to the months around it, the
//! legend, and a Monday-first grid whose bookable days are links.
//!
//! Dates are spelled out by hand rather than with chrono's `format`, which would
//! put its whole formatting machinery into the widget's small bundle.

use chrono::{Datelike, Months, NaiveDate};
use hagukumi_domain::Lang;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::model::DayView;

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The first day of `d`'s month.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// `2026年11月` / `November 2026`.
pub fn month_title(lang: Lang, month: NaiveDate) -> String {
    match lang {
        Lang::Ja => format!("{}年{}月", month.year(), month.month()),
        Lang::En => format!("{} {}", MONTHS_EN[month.month0() as usize], month.year()),
    }
}

/// `11月25日(水)` / `Wed 25 Nov`.
pub fn short_date(lang: Lang, d: NaiveDate) -> String {
    let wd = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Ja => format!("{}月{}日({})", d.month(), d.day(), WEEKDAYS_JA[wd]),
        Lang::En => format!(
            "{} {} {}",
            WEEKDAYS_EN[wd],
            d.day(),
            &MONTHS_EN[d.month0() as usize][..3]
        ),
    }
}

/// What a day's mark means, for screen readers: `残り3` / `3 left`, `満員`, …
pub fn mark_label(lang: Lang, mark: &str, remaining: u32) -> String {
    match (mark, lang) {
        ("free" | "few", Lang::Ja) => format!("残り{remaining}"),
        ("free" | "few", Lang::En) => format!("{remaining} left"),
        // A full day still opens its form: the family can join the waiting list.
        ("full", _) => tr(
            lang,
            "満員（キャンセル待ちできます）",
            "full (waiting list open)",
        )
        .to_owned(),
        _ => tr(lang, "受付なし", "not bookable").to_owned(),
    }
}

fn symbol(mark: &str) -> &'static str {
    match mark {
        "free" => "○",
        "few" => "△",
        _ => "×",
    }
}

/// How the calendar's links behave.
pub struct MonthLinks<M, D> {
    /// The page for another month (the previous one only if not before `today`'s).
    pub month: M,
    /// Where a bookable day leads.
    pub day: D,
    /// Days open the booking page in a new top-level window (the widget, inside a
    /// city's page, cannot sign anyone in); otherwise they reload this page.
    pub new_window: bool,
}

/// The month's title between links to the previous and next month, the legend and
/// the grid of `days` (the whole month, first day first). `chosen` is outlined.
/// Days that can be booked, or are full (the waiting list), are links.
pub fn month_calendar<M, D>(
    lang: Lang,
    month: NaiveDate,
    today: NaiveDate,
    days: Vec<DayView>,
    chosen: Option<NaiveDate>,
    links: MonthLinks<M, D>,
) -> AnyView
where
    M: Fn(NaiveDate) -> String,
    D: Fn(NaiveDate) -> String,
{
    let prev = month
        .checked_sub_months(Months::new(1))
        .map(month_of)
        .filter(|m| *m >= month_of(today));
    let next = month.checked_add_months(Months::new(1)).map(month_of);
    // Monday-first grid with blanks before the 1st.
    let lead = month.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Option<DayView>> = vec![None; lead];
    cells.extend(days.into_iter().map(Some));
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let prev = prev.map(&links.month);
    let next = next.map(&links.month);
    let heads = match lang {
        Lang::Ja => WEEKDAYS_JA,
        Lang::En => WEEKDAYS_EN,
    };
    let new_window = links.new_window;
    let weeks = cells
        .chunks(7)
        .map(|w| {
            let row = w
                .iter()
                .map(|cell| match cell {
                    None => view! { <td></td> }.into_any(),
                    Some(d) => {
                        let label = format!(
                            "{} {}",
                            short_date(lang, d.date),
                            mark_label(lang, &d.mark, d.remaining)
                        );
                        // Full days lead to the form too, for the waiting list.
                        let bookable = matches!(d.mark.as_str(), "free" | "few" | "full");
                        let here = Some(d.date) == chosen;
                        let class = format!("day {}{}", d.mark, if here { " chosen" } else { "" });
                        let num = d.date.day();
                        let mark = symbol(&d.mark);
                        let href = (links.day)(d.date);
                        if bookable {
                            view! {
                                <td class=class>
                                    <a href=href
                                       rel=if new_window { "noopener" } else { "external" }
                                       target=new_window.then_some("_blank")
                                       aria-label=label aria-current=if here { "date" } else { "false" }>
                                        <span class="num">{num}</span>
                                        <span class="mark" aria-hidden="true">{mark}</span>
                                    </a>
                                </td>
                            }
                            .into_any()
                        } else {
                            view! {
                                <td class=class aria-label=label>
                                    <span class="num">{num}</span>
                                    <span class="mark" aria-hidden="true">{mark}</span>
                                </td>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view();
            view! { <tr>{row}</tr> }
        })
        .collect_view();
    view! {
        <nav class="month-nav" aria-label=tr(lang, "月の切り替え", "Change month")>
            {prev.map(|href| view! { <a href=href rel="prev external">{tr(lang, "← 前の月", "← Previous")}</a> })}
            <h2 id="month-title">{month_title(lang, month)}</h2>
            {next.map(|href| view! { <a href=href rel="next external">{tr(lang, "次の月 →", "Next →")}</a> })}
        </nav>
        <p class="legend muted">{tr(lang, "○ 空きあり　△ 残りわずか　× 満員・受付なし", "○ available   △ few left   × full or not bookable")}</p>
        <table class="calendar" aria-labelledby="month-title">
            <thead><tr>{heads.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
            <tbody>{weeks}</tbody>
        </table>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_would_print_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        assert_eq!(short_date(Lang::Ja, d), "11月25日(水)");
        assert_eq!(short_date(Lang::En, d), d.format("%a %-d %b").to_string());
        assert_eq!(month_title(Lang::Ja, month_of(d)), "2026年11月");
        assert_eq!(month_title(Lang::En, d), d.format("%B %Y").to_string());
        assert_eq!(mark_label(Lang::En, "few", 2), "2 left");
    }
}
