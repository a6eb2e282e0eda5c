//! Parent: the booking is tomorrow.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】明日のご予約のお知らせ ",
                "[Hagukumi] Tomorrow: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "明日のご予約をお知らせします。体調がすぐれない場合は早めにご連絡ください。",
                "A reminder of your booking tomorrow. If your child is unwell, please let us know early.",
            ),
            facts(lang, b),
            link_to_booking(lang, links, b),
        ],
    }
}
