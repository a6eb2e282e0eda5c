//! The outbox as staff see it: what was sent, what waits, what failed and why.
//! In the zero-set-up run, each message is an `.eml` file whose path is shown.

use leptos::prelude::*;

use crate::api::get_mail_log;
use crate::app::with_session;
use crate::i18n::{date_long, tr};
use crate::model::SessionInfo;

fn status_text(lang: hagukumi_domain::Lang, s: &str) -> &'static str {
    match s {
        "sent" => tr(lang, "送信済み", "Sent"),
        "pending" => tr(lang, "送信待ち", "Waiting"),
        "failed" => tr(lang, "送信失敗", "Failed"),
        _ => "",
    }
}

#[component]
pub fn MailLogPage() -> impl IntoView {
    let log = Resource::new(|| (), |_| get_mail_log());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let staff = info
            .viewer
            .as_ref()
            .is_some_and(|v| v.role == "coordinator" || v.role == "admin");
        if !staff {
            return view! { <p class="error" role="alert">{tr(lang, "センター職員としてログインしてください。", "Please sign in as center staff.")}</p> }.into_any();
        }
        view! {
            <h1>{tr(lang, "送信メール", "Outgoing mail")}</h1>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="muted">{tr(lang, "まだメールはありません。", "No mail yet.")}</p> }.into_any(),
                        Ok(rows) => view! {
                            <ul class="cards" id="mail-log">
                                {rows.into_iter().map(|m| view! {
                                    <li class="card" data-status=m.status.clone()>
                                        <strong>{m.subject.clone()}</strong>
                                        <span>{m.to.clone()}</span>
                                        <span class="muted">{format!("{} {}", date_long(lang, m.created_at.date()), m.created_at.format("%H:%M"))}</span>
                                        <span class=format!("status {}", m.status)>{status_text(lang, &m.status)}
                                            {(m.attempts > 1).then(|| format!("（{} {}）", tr(lang, "試行", "attempts"), m.attempts))}</span>
                                        {m.last_error.clone().filter(|_| m.status != "sent").map(|e| view! { <span class="error">{e}</span> })}
                                        {m.location.clone().map(|l| view! { <code class="muted">{l}</code> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}
