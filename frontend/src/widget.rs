//! The embeddable widget: one service, shown inside a city's page. It works
//! with third-party cookies blocked: booking opens in a top-level window,
//! where the parent's own session lives.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::get_service_info;
use crate::app::with_session;
use crate::i18n::tr;
use crate::model::SessionInfo;
use crate::rules_view::rules_view;

#[component]
pub fn WidgetPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("service").unwrap_or_default());
    let here = id.clone();
    let service = Resource::new(move || id.clone(), get_service_info);
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        // The language in the address: inside a city's page the cookie may be blocked.
        let (other, label) = match lang {
            hagukumi_domain::Lang::Ja => ("en", "English"),
            hagukumi_domain::Lang::En => ("ja", "日本語"),
        };
        view! {
            <div class="widget">
                <p class="widget-lang"><a rel="external" href=format!("/widget/{here}?lang={other}") hreflang=other lang=other id="widget-lang">{label}</a></p>
                <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                    {move || {
                        Suspend::new(async move {
                            match service.await.ok() {
                                Some(i) => view! {
                                    <h1 id="widget-title">{i.card.name.clone()}</h1>
                                    <p>{i.card.summary.clone()}</p>
                                    {i.summary.as_ref().map(|s| rules_view(lang, s, true))}
                                    <p>
                                        // A new top-level window: the sign-in cookie is first-party there.
                                        <a class="button" id="widget-book" href=format!("/parent/services?service={}", i.card.id)
                                            target="_blank" rel="noopener">
                                            {tr(lang, "ログインして申し込む（新しいウィンドウ）", "Sign in and book (opens a new window)")}
                                        </a>
                                    </p>
                                }.into_any(),
                                None => view! {
                                    <p class="error" role="alert">{tr(lang, "このサービスは見つかりません。", "This service was not found.")}</p>
                                }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            </div>
        }
    })
}
