//! Parent: a coordinator moved the request to the waiting list; an offer follows
//! by email when a place fits.

use hagukumi_domain::{Lang, Text};

use super::layout::{Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo, note: Option<&Text>) -> Content {
    let mut blocks = vec![
        text(
            lang,
            "以下のお申し込みは、現在お受けできる枠がないため、キャンセル待ちとなりました。空きが出ましたらメールでご案内します。",
            "There is no place for this request at the moment, so it is now on the waiting list. We will email you when a place is free.",
        ),
        facts(lang, b),
    ];
    if let Some(n) = note {
        blocks.push(Block::Facts(vec![(
            label(lang, "センターより", "From the center"),
            n.get(lang).to_owned(),
        )]));
    }
    blocks.push(link_to_booking(lang, links, b));
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】キャンセル待ちになりました ",
                "[Hagukumi] On the waiting list: "
            ),
            subject_tail(lang, b)
        ),
        blocks,
    }
}
