//! The embeddable widget: one service, shown inside a city's page, with its month
//! calendar (○/△/× per day) for anyone to see. It works with third-party cookies
//! blocked: the language comes in the address (`?lang=en`), the month and site
//! links reload the frame, and booking opens a new top-level window, where the
//! parent's own session lives.
//!
//! Its pages are hydrated by their own small bundle (see [`crate::app::WidgetApp`]):
//! what this module uses decides most of that bundle's size.

use chrono::NaiveDate;
use hagukumi_domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::get_service_info;
use crate::app::with_session;
use crate::i18n::tr;
use crate::model::{ServiceInfo, SessionInfo, WidgetMonth};
use crate::month::{MonthLinks, month_calendar};
use crate::rules_view::rules_view;

#[component]
pub fn WidgetPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("service").unwrap_or_default());
    let (month, site) = query.with_untracked(|q| {
        (
            q.get("month").and_then(|m| m.parse::<NaiveDate>().ok()),
            q.get("site"),
        )
    });
    let here = id.clone();
    let service = Resource::new(move || (id.clone(), month), |(s, m)| get_service_info(s, m));
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        // The language in the address: inside a city's page the cookie may be blocked.
        let (other, label) = match lang {
            Lang::Ja => ("en", "English"),
            Lang::En => ("ja", "日本語"),
        };
        let site = site.clone();
        view! {
            <div class="widget">
                <p class="widget-lang"><a rel="external" href=format!("/widget/{here}?lang={other}") hreflang=other lang=other id="widget-lang">{label}</a></p>
                <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                    {move || {
                        let site = site.clone();
                        Suspend::new(async move {
                            match service.await.ok() {
                                Some(i) => widget_view(lang, i, site).into_any(),
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

fn widget_view(lang: Lang, i: ServiceInfo, site: Option<String>) -> impl IntoView {
    let id = i.card.id.clone();
    let (calendar, book) = match i.calendar {
        Some(c) => {
            let (calendar, book) = calendar_view(lang, &id, c, site);
            (Some(calendar), book)
        }
        // Arranged by a coordinator: the finder explains who may use it and how.
        None => (None, format!("/parent/services?service={id}")),
    };
    view! {
        <h1 id="widget-title">{i.card.name.clone()}</h1>
        <p>{i.card.summary.clone()}</p>
        {calendar}
        <p>
            // A new top-level window: the sign-in cookie is first-party there.
            <a class="button" id="widget-book" href=book target="_blank" rel="noopener">
                {tr(lang, "ログインして申し込む（新しいウィンドウ）", "Sign in and book (opens a new window)")}
            </a>
        </p>
        {i.summary.as_ref().map(|s| rules_view(lang, s, false))}
    }
}

/// The site tabs and the month; also where the book button leads (that month and site).
fn calendar_view(lang: Lang, id: &str, c: WidgetMonth, site: Option<String>) -> (AnyView, String) {
    let code = lang.code();
    let current = c
        .sites
        .iter()
        .find(|s| Some(&s.code) == site.as_ref())
        .or(c.sites.first())
        .cloned();
    let site_code = current.as_ref().map(|s| s.code.clone()).unwrap_or_default();
    let days = current.map(|s| s.days).unwrap_or_default();
    let book = format!("/parent/book/{id}?month={}&site={site_code}", c.month);
    let tabs = (c.sites.len() > 1).then(|| {
        let links = c
            .sites
            .iter()
            .map(|s| {
                let href = format!("/widget/{id}?month={}&site={}&lang={code}", c.month, s.code);
                let here = s.code == site_code;
                view! {
                    <a rel="external" href=href aria-current=if here { "page" } else { "false" }>{s.name.clone()}</a>
                }
            })
            .collect_view();
        view! { <nav class="tabs" aria-label=tr(lang, "施設", "Site")>{links}</nav> }
    });
    let calendar = month_calendar(
        lang,
        c.month,
        c.today,
        days,
        None,
        MonthLinks {
            month: |m: NaiveDate| format!("/widget/{id}?month={m}&site={site_code}&lang={code}"),
            day: |d: NaiveDate| {
                format!(
                    "/parent/book/{id}?month={}&site={site_code}&day={d}#slots",
                    c.month
                )
            },
            new_window: true,
        },
    );
    let view = view! {
        {tabs}
        {calendar}
        <p class="muted">{tr(lang,
            "日付を選ぶと、その日の申し込み画面（満員の日はキャンセル待ち）が新しいウィンドウで開きます（ログインが必要です）。",
            "Choosing a day opens its booking page (the waiting list when full) in a new window; sign-in needed.")}</p>
    }
    .into_any();
    (view, book)
}
