//! Parent on the waiting list: a place is free until the offer expires.

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    b: &BookingInfo,
    expires_at: DateTime<Utc>,
) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】キャンセル待ちの枠が空きました ",
                "[Hagukumi] A place is free: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "キャンセル待ちをされていた枠に空きが出ました。期限までにお申し込みを確定してください。期限を過ぎると次の方にご案内します。",
                "A place you were waiting for is free. Please accept it before the deadline; after that it is offered to the next family.",
            ),
            facts(lang, b),
            Block::Facts(vec![(
                label(lang, "回答期限", "Accept by"),
                layout::instant(lang, expires_at),
            )]),
            link_to_booking(lang, links, b),
        ],
    }
}
