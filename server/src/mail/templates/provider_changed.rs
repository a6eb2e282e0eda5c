//! Provider: an assignment's time changed; carries the updated invitation.

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
                "【はぐくみ】担当の日時が変更されました ",
                "[Hagukumi] Assignment changed: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "担当している活動の日時が変更されました。",
                "The time of an activity you are assigned to has changed.",
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
