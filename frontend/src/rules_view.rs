//! A service's rules in plain words (from the booking core's `describe`).

use hagukumi_domain::Lang;
use hagukumi_domain::rules::RuleSummary;
use leptos::prelude::*;

use crate::i18n::tr;

/// The rules as a list of headed sections; `open` shows them unfolded.
pub fn rules_view(lang: Lang, summary: &RuleSummary, open: bool) -> impl IntoView + use<> {
    let sections = summary
        .sections
        .iter()
        .map(|s| {
            let title = s.title.get(lang).to_owned();
            let lines: Vec<String> = s.lines.iter().map(|l| l.get(lang).to_owned()).collect();
            view! {
                <dt>{title}</dt>
                {lines.into_iter().map(|l| view! { <dd>{l}</dd> }).collect_view()}
            }
        })
        .collect_view();
    view! {
        <details class="rules" open=open>
            <summary>{tr(lang, "利用のきまり（時間・回数・料金・キャンセル）", "Rules (hours, limits, fees, cancelling)")}</summary>
            <dl>{sections}</dl>
        </details>
    }
}
