//! The embeddable widget: one service, shown inside a city's page. It works
//! with third-party cookies blocked: booking opens in a top-level window,
//! where the parent's own session lives.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::list_services;
use crate::app::with_session;
use crate::i18n::tr;
use crate::model::SessionInfo;

#[component]
pub fn WidgetPage() -> impl IntoView {
    let params = use_params_map();
    let services = Resource::new(|| (), |_| list_services());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let id = params.with_untracked(|p| p.get("service").unwrap_or_default());
        view! {
            <div class="widget">
                <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                    {move || {
                        let id = id.clone();
                        Suspend::new(async move {
                            let list = services.await.unwrap_or_default();
                            match list.into_iter().find(|s| s.id == id) {
                                Some(s) => view! {
                                    <h1 id="widget-title">{s.name}</h1>
                                    <p>{s.summary}</p>
                                    <p>
                                        // A new top-level window: the sign-in cookie is first-party there.
                                        <a class="button" id="widget-book" href=format!("/parent/services?service={}", s.id)
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
