//! Family Support provider: the center proposes them for a request; the link answers.

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;

use super::layout::{self, Block, Content};
use super::{FsRequestInfo, Links, label, text};

pub(super) fn content(
    lang: Lang,
    _links: &Links,
    request: &FsRequestInfo,
    answer_url: &str,
    expires_at: DateTime<Utc>,
) -> Content {
    Content {
        subject: label(
            lang,
            "【はぐくみ】ファミリー・サポート活動のご依頼",
            "[Hagukumi] Family Support: a request for you",
        ),
        blocks: vec![
            text(
                lang,
                "センターから、以下の活動をお願いできないかご相談です。リンクからお引き受けいただけるかご回答ください。",
                "The center asks whether you could take on this activity. Please answer with the link.",
            ),
            request.facts(lang),
            Block::Facts(vec![(
                label(lang, "回答期限", "Answer by"),
                layout::instant(lang, expires_at),
            )]),
            Block::Link {
                label: label(lang, "引き受ける・お断りする", "Accept or decline"),
                url: answer_url.to_owned(),
            },
        ],
    }
}
