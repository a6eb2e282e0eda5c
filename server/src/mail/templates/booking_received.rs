//! Parent: the request arrived; says whether the center still has to approve it.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, link_to_booking, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo, needs_approval: bool) -> Content {
    let next = if needs_approval {
        text(
            lang,
            "センターで内容を確認し、承認または調整のご連絡をメールでお送りします。まだ予約は確定していません。",
            "The center will review your request and email you when it is approved or needs changes. The booking is not confirmed yet.",
        )
    } else {
        text(
            lang,
            "確定のお知らせを別のメールでお送りします。",
            "A separate email will confirm the booking.",
        )
    };
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】予約のお申し込みを受け付けました ",
                "[Hagukumi] Request received: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                "以下の内容でお申し込みを受け付けました。",
                "We have received your request:",
            ),
            facts(lang, b),
            next,
            link_to_booking(lang, links, b),
        ],
    }
}
