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

/// A date as people read it: `2026年11月25日(水)` / `Wed 25 Nov 2026`.
pub fn date_long(lang: Lang, d: chrono::NaiveDate) -> String {
    hagukumi_domain::calendar::format_date_long(lang, d)
}

/// A child's age for a parent: `2歳5か月` / `2 years 5 months`, or days for newborns.
pub fn age_text(lang: Lang, birth: chrono::NaiveDate, on: chrono::NaiveDate) -> String {
    use hagukumi_domain::calendar::age::{YearsMonths, age_in_days};
    let Some(ym) = YearsMonths::on(birth, on) else {
        return String::new();
    };
    match (lang, ym.years, ym.months) {
        (Lang::Ja, 0, 0) => format!("生後{}日", age_in_days(birth, on).unwrap_or(0)),
        (Lang::Ja, 0, m) => format!("{m}か月"),
        (Lang::Ja, y, m) => format!("{y}歳{m}か月"),
        (Lang::En, 0, 0) => format!("{} days", age_in_days(birth, on).unwrap_or(0)),
        (Lang::En, 0, m) => format!("{m} months"),
        (Lang::En, y, m) => format!("{y} years {m} months"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages_read_naturally() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        assert_eq!(date_long(Lang::Ja, d), "2026年11月25日(水)");
        assert_eq!(date_long(Lang::En, d), "Wed 25 Nov 2026");
        let birth = chrono::NaiveDate::from_ymd_opt(2025, 2, 3).unwrap_or_default();
        assert_eq!(age_text(Lang::Ja, birth, d), "1歳9か月");
    }
}
