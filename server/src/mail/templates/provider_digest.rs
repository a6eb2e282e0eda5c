//! Provider: the schedule for the coming days, in one message.

use chrono::NaiveDate;
use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, label, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    from: NaiveDate,
    to: NaiveDate,
    items: &[BookingInfo],
) -> Content {
    let period = if from == to {
        layout::date(lang, from)
    } else {
        format!("{} – {}", layout::date(lang, from), layout::date(lang, to))
    };
    let mut blocks = vec![];
    if items.is_empty() {
        blocks.push(text(
            lang,
            "この期間の担当はありません。",
            "You have no assignments in this period.",
        ));
    } else {
        blocks.push(text(
            lang,
            format!("{period} の担当は次の{}件です。", items.len()),
            format!("Your {} assignment(s) for {period}:", items.len()),
        ));
        blocks.push(Block::List(
            items
                .iter()
                .map(|b| {
                    let place = b
                        .place
                        .as_ref()
                        .map(|p| format!(" / {}", p.get(lang)))
                        .unwrap_or_default();
                    format!(
                        "{} {}{} ({})",
                        layout::span(lang, b.starts_at, b.ends_at),
                        b.service.get(lang),
                        place,
                        b.reference
                    )
                })
                .collect(),
        ));
    }
    blocks.push(Block::Link {
        label: label(lang, "予定を見る", "Open your schedule"),
        url: links.home(),
    });
    Content {
        subject: format!(
            "{}{period}",
            label(lang, "【はぐくみ】担当予定 ", "[Hagukumi] Your schedule: ")
        ),
        blocks,
    }
}
