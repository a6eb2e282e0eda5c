//! The document shell, the header every page shares, and the routes.

use hagukumi_domain::Lang;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::get_session;
use crate::booking::{BookPageView, ChangeBookingPage, ConfirmPage, MyBookingsPage};
use crate::console::calendar::{PersonCalendarPage, SiteCalendarPage, SitesPage};
use crate::console::queue::QueuePage;
use crate::console::reports::{FsMonthPage, ParentFsReportsPage};
use crate::console::{
    ConsoleHome, FsBoardPage, FsRequestPage, MatchingPage, ProposalLinkPage, ProviderFsPage,
};
use crate::home_start::{HsBoardPage, HsParentPage, HsPlanPageView};
use crate::i18n::{role_label, tr};
use crate::mail_log::MailLogPage;
use crate::model::SessionInfo;
use crate::pages::{HomePage, NotFound, RolePage, SignInPage, SignUpPage};
use crate::parent::{FinderPage, HouseholdPage, ParentHome};
use crate::schedule::{DispatchPage, ProviderHome};
use crate::widget::WidgetPage;

/// Where the embedded widget's pages live. They are rendered by [`WidgetApp`] and
/// hydrated by its own small bundle (`pkg/widget.js`, the `hagukumi-widget` crate).
pub const WIDGET_PREFIX: &str = "/widget/";

/// The file name (without `.js` / `_bg.wasm`) of the widget's bundle in `pkg/`.
pub const WIDGET_BUNDLE: &str = "widget";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The server puts the request's language in the request extensions.
    #[cfg(feature = "ssr")]
    let (lang, widget) = {
        let parts = use_context::<http::request::Parts>();
        (
            parts
                .as_ref()
                .and_then(|p| p.extensions.get::<Lang>().copied())
                .unwrap_or_default(),
            parts.is_some_and(|p| p.uri.path().starts_with(WIDGET_PREFIX)),
        )
    };
    #[cfg(not(feature = "ssr"))]
    let (lang, widget) = (Lang::Ja, false);
    // The widget's pages load the widget's bundle and are hydrated by `WidgetApp`,
    // so the server renders them with `WidgetApp` too.
    let mut options = options;
    if widget {
        options.output_name = WIDGET_BUNDLE.into();
    }
    let app = move || {
        if widget {
            Either::Left(view! { <WidgetApp /> })
        } else {
            Either::Right(view! { <App /> })
        }
    };
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/assets/main.css" />
                <link rel="icon" href="data:," />
                <script src="/assets/frame.js" defer></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>{app()}</body>
        </html>
    }
}

/// The session resource every page reads (language, viewer, CSRF token).
pub type SessionResource = Resource<Result<SessionInfo, ServerFnError>>;

/// What every page has around its route: the title, the session, the router, the
/// header and `<main>`. [`App`] and [`WidgetApp`] differ only in their routes.
fn frame<R, V>(routes: R) -> impl IntoView
where
    R: FnOnce() -> V + Send + 'static,
    V: IntoView + 'static,
{
    provide_meta_context();
    let session: SessionResource = Resource::new(|| (), |_| get_session());
    provide_context(session);
    view! {
        <Title text="はぐくみ Hagukumi" />
        <Router>
            <Header />
            <main id="main">{routes()}</main>
        </Router>
    }
}

/// Every page of the site but the embedded widget.
#[component]
pub fn App() -> impl IntoView {
    frame(|| {
        view! {
            <Routes fallback=NotFound>
                <Route path=path!("/") ssr=SsrMode::Async view=HomePage />
                <Route path=path!("/signin") ssr=SsrMode::Async view=SignInPage />
                <Route path=path!("/signup") ssr=SsrMode::Async view=SignUpPage />
                <Route path=path!("/parent") ssr=SsrMode::Async view=ParentHome />
                <Route path=path!("/parent/household") ssr=SsrMode::Async view=HouseholdPage />
                <Route path=path!("/parent/services") ssr=SsrMode::Async view=FinderPage />
                <Route path=path!("/parent/book/:service") ssr=SsrMode::Async view=BookPageView />
                <Route path=path!("/parent/book/:service/confirm") ssr=SsrMode::Async view=ConfirmPage />
                <Route path=path!("/parent/bookings") ssr=SsrMode::Async view=MyBookingsPage />
                <Route path=path!("/parent/bookings/:id/change") ssr=SsrMode::Async view=ChangeBookingPage />
                <Route path=path!("/coordinator") ssr=SsrMode::Async view=ConsoleHome />
                <Route path=path!("/coordinator/queue") ssr=SsrMode::Async view=QueuePage />
                <Route path=path!("/coordinator/calendar") ssr=SsrMode::Async view=SitesPage />
                <Route path=path!("/coordinator/calendar/:site") ssr=SsrMode::Async view=SiteCalendarPage />
                <Route path=path!("/coordinator/calendar/people/:id") ssr=SsrMode::Async view=PersonCalendarPage />
                <Route path=path!("/provider") ssr=SsrMode::Async view=ProviderHome />
                <Route path=path!("/coordinator/dispatch") ssr=SsrMode::Async view=DispatchPage />
                <Route path=path!("/coordinator/family-support") ssr=SsrMode::Async view=FsBoardPage />
                <Route path=path!("/coordinator/family-support/requests/:id") ssr=SsrMode::Async view=FsRequestPage />
                <Route path=path!("/coordinator/matching") ssr=SsrMode::Async view=MatchingPage />
                <Route path=path!("/coordinator/home-start") ssr=SsrMode::Async view=HsBoardPage />
                <Route path=path!("/coordinator/home-start/:id") ssr=SsrMode::Async view=HsPlanPageView />
                <Route path=path!("/parent/home-start") ssr=SsrMode::Async view=HsParentPage />
                <Route path=path!("/fs/proposals/:token") ssr=SsrMode::Async view=ProposalLinkPage />
                <Route path=path!("/provider/family-support") ssr=SsrMode::Async view=ProviderFsPage />
                <Route path=path!("/parent/family-support") ssr=SsrMode::Async view=ParentFsReportsPage />
                <Route path=path!("/coordinator/family-support/reports") ssr=SsrMode::Async view=FsMonthPage />
                <Route path=path!("/staff/mail") ssr=SsrMode::Async view=MailLogPage />
                <Route path=path!("/admin") ssr=SsrMode::Async view=|| view! { <RolePage role="admin" /> } />
            </Routes>
        }
    })
}

/// The embedded widget's pages (under [`WIDGET_PREFIX`]) and nothing else: its
/// bundle leaves out every other page. The server routes both apps' paths.
#[component]
pub fn WidgetApp() -> impl IntoView {
    frame(|| {
        view! {
            <Routes fallback=NotFound>
                <Route path=path!("/widget/:service") ssr=SsrMode::Async view=WidgetPage />
            </Routes>
        }
    })
}

/// The page's path with its query string: where to come back to.
pub fn current_path(location: &leptos_router::location::Location) -> String {
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    if search.is_empty() {
        path
    } else if search.starts_with('?') {
        format!("{path}{search}")
    } else {
        format!("{path}?{search}")
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The sign-in page that brings the visitor back to this page afterwards.
pub fn signin_here() -> String {
    let location = use_location();
    format!(
        "/signin?next={}",
        encode_component(&current_path(&location))
    )
}

/// Waits for the session and renders `f` with it.
pub fn with_session<V: IntoView + 'static>(
    f: impl Fn(SessionInfo) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let session = expect_context::<SessionResource>();
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"読み込み中… Loading…"</p> }>
            {move || {
                let f = f.clone();
                Suspend::new(async move {
                    match session.await {
                        Ok(info) => f(info).into_any(),
                        Err(_) => view! {
                            <p class="error" role="alert">
                                "読み込めませんでした。再読み込みしてください。 Could not load; please reload."
                            </p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Header() -> impl IntoView {
    let location = use_location();
    // The embedded widget lives inside the city's page: no site header there.
    if location.pathname.get_untracked().starts_with(WIDGET_PREFIX) {
        return ().into_any();
    }
    view! {
        <header class="site-header">
            <a class="brand" href="/">"はぐくみ"<span class="brand-en">" Hagukumi"</span></a>
            {with_session(move |info: SessionInfo| {
                let lang = info.lang;
                let here = current_path(&location);
                let (other, label) = match lang {
                    Lang::Ja => ("en", "English"),
                    Lang::En => ("ja", "日本語"),
                };
                let switch = format!("/lang/{other}?next={}", encode_component(&here));
                let account = match info.viewer.clone() {
                    Some(v) => view! {
                        {(v.role == "coordinator" || v.role == "admin").then(|| view! {
                            <a href="/staff/mail">{tr(lang, "送信メール", "Mail")}</a>
                        })}
                        <span class="who">{v.display_name.clone()}" · "{role_label(lang, &v.role)}</span>
                        <form method="post" action="/auth/signout" class="inline">
                            <input type="hidden" name="csrf" value=info.csrf.clone() />
                            <button type="submit" class="link">{tr(lang, "ログアウト", "Sign out")}</button>
                        </form>
                    }
                    .into_any(),
                    None => view! {
                        <a href="/signin">{tr(lang, "ログイン", "Sign in")}</a>
                        <a href="/signup">{tr(lang, "新規登録", "Sign up")}</a>
                    }
                    .into_any(),
                };
                view! {
                    <nav aria-label=tr(lang, "アカウント", "Account")>
                        {account}
                        <a href=switch hreflang=other lang=other>{label}</a>
                    </nav>
                }
            })}
        </header>
    }
    .into_any()
}
