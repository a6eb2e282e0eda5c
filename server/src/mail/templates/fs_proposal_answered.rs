//! Coordinators: a Family Support provider answered a proposal.

use hagukumi_domain::Lang;

use super::layout::{Block, Content};
use super::{FsRequestInfo, Links, label, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    request: &FsRequestInfo,
    member_name: &str,
    accepted: bool,
) -> Content {
    let (sja, sen, lja, len) = if accepted {
        (
            "【はぐくみ】提案が引き受けられました",
            "[Hagukumi] Proposal accepted",
            format!(
                "{member_name}さんが提案を引き受けました。事前打ち合わせの日時を決めてください。"
            ),
            format!("{member_name} accepted the proposal. Please schedule the pre-meeting."),
        )
    } else {
        (
            "【はぐくみ】提案が断られました",
            "[Hagukumi] Proposal declined",
            format!("{member_name}さんが提案をお断りしました。依頼は再び提案できます。"),
            format!("{member_name} declined the proposal. The request is open again."),
        )
    };
    Content {
        subject: label(lang, sja, sen),
        blocks: vec![
            text(lang, lja, len),
            request.facts(lang),
            Block::Link {
                label: label(lang, "依頼を見る", "See the request"),
                url: links.fs_request(request.request_id),
            },
        ],
    }
}
