//! Parent on the waiting list: the offer expired unanswered.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】空き枠のご案内の期限が過ぎました ",
                "[Hagukumi] Offer expired: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "ご案内した空き枠は回答期限を過ぎたため、次の方にご案内しました。",
                "The place we offered was not accepted in time and has gone to the next family.",
            ),
            facts(lang, b),
            link_to_booking(lang, links, b),
        ],
    }
}
