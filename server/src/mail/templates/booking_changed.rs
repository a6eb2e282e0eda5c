//! Parent: the booking's time changed; carries the updated invitation.

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    b: &BookingInfo,
    previous_start: DateTime<Utc>,
    previous_end: DateTime<Utc>,
) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】予約内容が変更されました ",
                "[Hagukumi] Booking changed: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "ご予約の内容が変更されました。添付のカレンダーファイルで予定が更新されます。",
                "Your booking has changed. The attached calendar file updates your calendar.",
            ),
            Block::Facts(vec![(
                label(lang, "変更前", "Before"),
                layout::span(lang, previous_start, previous_end),
            )]),
            facts(lang, b),
            link_to_booking(lang, links, b),
        ],
    }
}
