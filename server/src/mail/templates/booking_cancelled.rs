//! Parent: the booking is cancelled, with the cancellation fee; carries the
//! calendar cancellation.

use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo, fee_yen: i64) -> Content {
    let fee = if fee_yen > 0 {
        layout::yen(lang, fee_yen)
    } else {
        label(lang, "かかりません", "None")
    };
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】予約をキャンセルしました ",
                "[Hagukumi] Booking cancelled: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "以下の予約はキャンセルされました。",
                "This booking has been cancelled.",
            ),
            facts(lang, b),
            Block::Facts(vec![(label(lang, "キャンセル料", "Cancellation fee"), fee)]),
            link_to_booking(lang, links, b),
        ],
    }
}
