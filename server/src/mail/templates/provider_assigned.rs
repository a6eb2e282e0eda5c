//! Provider: a new assignment; carries the calendar invitation.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】新しい担当のお知らせ ",
                "[Hagukumi] New assignment: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "以下の活動の担当になりました。添付のカレンダーファイルで予定に追加できます。",
                "You have been assigned to this activity. The attached calendar file adds it to your calendar.",
            ),
            facts(lang, b),
            link_to_booking(lang, links, b),
        ],
    }
}
