//! Parent: the booking is confirmed; carries the calendar invitation.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】予約が確定しました ",
                "[Hagukumi] Booking confirmed: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "ご予約が確定しました。添付のカレンダーファイルで予定に追加できます。",
                "Your booking is confirmed. The attached calendar file adds it to your calendar.",
            ),
            facts(lang, b),
            text(
                lang,
                "キャンセルや変更は予約の詳細ページから行えます。前日17時以降のキャンセルには料金がかかる場合があります。",
                "You can cancel or change it on the booking page. Cancelling after 17:00 the day before may be charged.",
            ),
            link_to_booking(lang, links, b),
        ],
    }
}
