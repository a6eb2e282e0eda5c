//! Parent: the request could not be accepted, with the center's reason.

use hagukumi_domain::{Lang, Text};

use super::layout::{Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo, reason: &Text) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】予約をお受けできませんでした ",
                "[Hagukumi] Request declined: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "申し訳ありませんが、以下のお申し込みはお受けできませんでした。",
                "We are sorry, but we could not accept this request.",
            ),
            facts(lang, b),
            Block::Facts(vec![(
                label(lang, "理由", "Reason"),
                reason.get(lang).to_owned(),
            )]),
            text(
                lang,
                "ほかの日時やサービスについてはセンターにご相談ください。",
                "Please contact the center about other dates or services.",
            ),
            link_to_booking(lang, links, b),
        ],
    }
}
