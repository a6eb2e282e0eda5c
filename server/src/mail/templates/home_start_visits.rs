//! Home-Start: the plan's visits were scheduled, changed or cancelled (parent), or the
//! visitor was assigned, their visits changed or were cancelled (visitor). Every message
//! says that the parent is present at every visit; the calendar file lists the visits.

use hagukumi_domain::Lang;
use hagukumi_domain::home_start::parent_present;

use super::layout::{self, Block, Content};
use super::{HomeStartChange, HomeStartInfo, Links, label, text};

pub(super) fn content(
    lang: Lang,
    links: &Links,
    plan: &HomeStartInfo,
    change: HomeStartChange,
) -> Content {
    use HomeStartChange::*;
    let (subject_ja, subject_en, lead_ja, lead_en) = match change {
        Scheduled => (
            "【はぐくみ】ホームスタートの訪問日程のお知らせ",
            "[Hagukumi] Home-Start visits scheduled",
            "ホームスタートの訪問日程が決まりました。",
            "Your Home-Start visits have been scheduled.",
        ),
        Changed => (
            "【はぐくみ】ホームスタートの訪問日程の変更",
            "[Hagukumi] Home-Start visits changed",
            "ホームスタートの訪問日程が変わりました。最新の日程は以下のとおりです。",
            "The Home-Start visits have changed. The current schedule is below.",
        ),
        Cancelled => (
            "【はぐくみ】ホームスタートの訪問の中止",
            "[Hagukumi] Home-Start visits cancelled",
            "以下のホームスタートの訪問は中止になりました。",
            "These Home-Start visits have been cancelled.",
        ),
        Assigned => (
            "【はぐくみ】ホームスタートの担当のお知らせ",
            "[Hagukumi] New Home-Start family",
            "ホームスタートのご家庭の担当になりました。訪問は必ず保護者の方と一緒に行います。",
            "You have been assigned to a Home-Start family. Every visit is made together with the parent.",
        ),
        Unassigned => (
            "【はぐくみ】ホームスタートの担当の解除",
            "[Hagukumi] Home-Start assignment ended",
            "以下のご家庭の担当は解除されました。予定されていた訪問は行いません。",
            "Your assignment to this family has ended; the planned visits will not take place.",
        ),
    };
    let mut facts = vec![(
        label(lang, "サービス", "Service"),
        label(
            lang,
            "ホームスタート（ホームビジター）",
            "Home-Start (home visitor)",
        ),
    )];
    if !plan.family_label.is_empty() {
        facts.push((label(lang, "ご家庭", "Family"), plan.family_label.clone()));
    }
    if !plan.area.is_empty() {
        facts.push((label(lang, "地域", "Area"), plan.area.clone()));
    }
    if let Some(v) = &plan.visitor_name {
        facts.push((label(lang, "ホームビジター", "Visitor"), v.clone()));
    }
    facts.push((
        label(lang, "計画番号", "Plan number"),
        plan.reference.clone(),
    ));
    let visits: Vec<String> = plan
        .visits
        .iter()
        .map(|v| {
            let mut s = format!(
                "{} {}",
                layout::span(lang, v.starts_at, v.ends_at),
                v.kind.get(lang)
            );
            if v.cancelled {
                s.push_str(&label(lang, "（中止）", " (cancelled)"));
            }
            s
        })
        .collect();
    let mut blocks = vec![
        text(lang, lead_ja, lead_en),
        Block::Facts(facts),
        Block::Paragraph(parent_present().get(lang).to_owned()),
    ];
    if !visits.is_empty() {
        blocks.push(Block::Paragraph(label(lang, "訪問日程：", "Visits:")));
        blocks.push(Block::List(visits));
    }
    blocks.push(Block::Link {
        label: label(lang, "計画を見る", "See the plan"),
        url: links.home_start(plan.plan_id),
    });
    Content {
        subject: label(lang, subject_ja, subject_en),
        blocks,
    }
}
