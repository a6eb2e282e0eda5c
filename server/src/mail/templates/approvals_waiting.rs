//! Coordinators: requests waiting for approval, oldest first.

use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, label, text};

pub(super) fn content(lang: Lang, links: &Links, count: u64, oldest: &[BookingInfo]) -> Content {
    let mut blocks = vec![text(
        lang,
        format!("承認待ちのお申し込みが{count}件あります。"),
        format!("{count} request(s) are waiting for approval."),
    )];
    if !oldest.is_empty() {
        // Staff read this; still no names: the number is enough to find it.
        blocks.push(Block::List(
            oldest
                .iter()
                .map(|b| {
                    format!(
                        "{} {} ({})",
                        layout::span(lang, b.starts_at, b.ends_at),
                        b.service.get(lang),
                        b.reference
                    )
                })
                .collect(),
        ));
    }
    blocks.push(Block::Link {
        label: label(lang, "承認待ちの一覧を開く", "Open the approval queue"),
        url: links.queue(),
    });
    Content {
        subject: match lang {
            Lang::Ja => format!("【はぐくみ】承認待ちのお申し込み {count}件"),
            Lang::En => format!("[Hagukumi] Requests awaiting approval: {count}"),
        },
        blocks,
    }
}
