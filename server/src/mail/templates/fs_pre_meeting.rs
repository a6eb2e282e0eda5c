//! Family Support requester and provider: the pre-meeting (事前打ち合わせ) is scheduled;
//! carries the calendar invitation.

use hagukumi_domain::Lang;

use super::layout::Content;
use super::{BookingInfo, Links, facts, label, subject_tail, text};

pub(super) fn content(lang: Lang, links: &Links, b: &BookingInfo, with: &str) -> Content {
    Content {
        subject: format!(
            "{}{}",
            label(
                lang,
                "【はぐくみ】事前打ち合わせの日時のお知らせ ",
                "[Hagukumi] Pre-meeting scheduled: "
            ),
            subject_tail(lang, b)
        ),
        blocks: vec![
            text(
                lang,
                format!(
                    "ファミリー・サポートの事前打ち合わせ（{with}さんと、お子さんも一緒に）の日時が決まりました。活動はこの打ち合わせの後に始まります。"
                ),
                format!(
                    "The Family Support pre-meeting (with {with}, and the child present) has been scheduled. Activities start after it."
                ),
            ),
            facts(lang, b),
            super::Block::Link {
                label: label(lang, "詳しく見る", "See details"),
                url: links.home(),
            },
        ],
    }
}
