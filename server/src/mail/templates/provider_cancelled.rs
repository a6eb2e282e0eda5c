//! Provider: an assignment was cancelled; carries the calendar cancellation.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】担当の活動が取り消されました ",
                "[Hagukumi] Assignment cancelled: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "以下の活動は取り消されました。ご予定から外してください。",
                "This activity has been cancelled; please take it off your schedule.",
            ),
            facts(lang, b),
            link_to_booking(lang, links, b),
        ],
    }
}
