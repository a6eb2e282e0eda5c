//! Picking the Japanese or English wording of the interface.

use hagukumi_domain::Lang;

/// Japanese first: the first argument is the Japanese text.
pub fn tr(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

pub fn role_label(lang: Lang, role: &str) -> &'static str {
    match role {
        "parent" => tr(lang, "保護者", "Parent"),
        "coordinator" => tr(lang, "コーディネーター（センター職員）", "Coordinator"),
        "provider" => tr(lang, "提供者（ヘルパー・支援者）", "Provider"),
        "admin" => tr(lang, "管理者", "Administrator"),
        _ => "",
    }
}
