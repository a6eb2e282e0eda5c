//! Sent when an account is created (sign-up).

use hagukumi_domain::Lang;

use super::layout::{Block, Content};
use super::{Links, label, text};

pub(super) fn content(lang: Lang, links: &Links) -> Content {
    Content {
        subject: label(
            lang,
            "【はぐくみ】ご登録ありがとうございます",
            "[Hagukumi] Welcome",
        ),
        blocks: vec![
            text(
                lang,
                "はぐくみへのご登録ありがとうございます。お子さまとご家庭の情報を登録すると、利用できるサービスの確認と予約ができます。",
                "Thank you for registering with Hagukumi. Once you add your household and children, you can see which services you can use and book them.",
            ),
            Block::Link {
                label: label(lang, "マイページを開く", "Open your page"),
                url: links.home(),
            },
        ],
    }
}
