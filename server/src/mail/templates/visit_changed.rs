//! Parent: a helper visit got another helper or another time (after a sick call). Names
//! the new helper by display name only; no calendar file, the booking's own stays valid
//! for the day.

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    b: &BookingInfo,
    helper: Option<&str>,
    previous_start: DateTime<Utc>,
    previous_end: DateTime<Utc>,
) -> Content {
    let moved = previous_start != b.starts_at || previous_end != b.ends_at;
    let mut blocks = vec![match helper {
        Some(_) => text(
            lang,
            "担当ヘルパーの都合により、訪問の担当または時間が変わりました。",
            "Because a helper is unavailable, the helper or the time of your visit has changed.",
        ),
        None => text(
            lang,
            "担当ヘルパーの都合により、訪問の担当者が未定になりました。センターから改めてご連絡します。",
            "Because a helper is unavailable, your visit has no helper for now. The center will contact you.",
        ),
    }];
    let mut rows = vec![(
        label(lang, "担当ヘルパー", "Helper"),
        helper.map_or_else(|| label(lang, "調整中", "being arranged"), str::to_owned),
    )];
    if moved {
        rows.push((
            label(lang, "変更前の時間", "Previous time"),
            layout::span(lang, previous_start, previous_end),
        ));
    }
    blocks.push(Block::Facts(rows));
    blocks.push(facts(lang, b));
    blocks.push(link_to_booking(lang, links, b));
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】ヘルパー訪問の変更 ",
                "[Hagukumi] Helper visit changed: "
            ),
            subject_tail(lang, b)
        ),
        blocks,
    }
}
