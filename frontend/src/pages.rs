//! The pages of the walking skeleton: home, sign-in, sign-up, one per role.

use hagukumi_domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{list_municipalities, list_services};
use crate::app::with_session;
use crate::i18n::{role_label, tr};
use crate::model::SessionInfo;

#[component]
pub fn HomePage() -> impl IntoView {
    let services = Resource::new(|| (), |_| list_services());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        view! {
            <h1>{tr(lang, "子育て支援サービスの予約", "Book child and family support")}</h1>
            <p class="lead">
                {tr(
                    lang,
                    "子ども家庭支援センターのサービスを探して、オンラインで申し込めます。",
                    "Find the services of the Child and Family Support Center and request them online.",
                )}
            </p>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match services.await {
                        Ok(list) => view! {
                            <ul class="services">
                                {list.into_iter().map(|s| view! {
                                    <li class="service" id=format!("service-{}", s.id)>
                                        <h2>{s.name}</h2>
                                        <p>{s.summary}</p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{tr(lang, "サービスを読み込めませんでした。", "Could not load the services.")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let failed = query.with_untracked(|q| q.get("error").is_some());
        // Where the visitor was (an expired session, a link in an e-mail): back there after.
        let next = query
            .with_untracked(|q| q.get("next"))
            .filter(|n| n.starts_with('/') && !n.starts_with("//"));
        // Works without wasm (the field simply stays hidden); with wasm the
        // button reveals the password, which helps on a phone keyboard.
        let (shown, set_shown) = signal(false);
        view! {
            <h1>{tr(lang, "ログイン", "Sign in")}</h1>
            {failed.then(|| view! {
                <p class="error" role="alert" id="signin-error">
                    {tr(lang, "メールアドレスまたはパスワードが正しくありません。", "The email address or password is not correct.")}
                </p>
            })}
            {next.is_some().then(|| view! {
                <p class="notice" role="status" id="signin-again">{tr(lang, "ログインすると、元のページに戻ります。", "Sign in to return to the page you were on.")}</p>
            })}
            <form method="post" action="/auth/signin" class="stack">
                <input type="hidden" name="csrf" value=info.csrf.clone() />
                {next.clone().map(|n| view! { <input type="hidden" name="next" value=n /> })}
                <label for="email">{tr(lang, "メールアドレス", "Email address")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required maxlength="254"
                    value=failed.then(|| info.typed.get("email").cloned()).flatten().unwrap_or_default()
                    aria-invalid=failed.then_some("true") aria-describedby=failed.then_some("signin-error") />
                <label for="password">{tr(lang, "パスワード", "Password")}</label>
                <div class="password-row">
                    <input id="password" name="password" autocomplete="current-password" required maxlength="128"
                        type=move || if shown.get() { "text" } else { "password" } />
                    <button type="button" id="toggle-password" class="secondary"
                        aria-controls="password" aria-pressed=move || shown.get().to_string()
                        on:click=move |_| set_shown.update(|v| *v = !*v)>
                        {move || if shown.get() { tr(lang, "隠す", "Hide") } else { tr(lang, "表示", "Show") }}
                    </button>
                </div>
                <button type="submit">{tr(lang, "ログイン", "Sign in")}</button>
            </form>
            <p><a href="/signup">{tr(lang, "はじめての方は新規登録", "New here? Create an account")}</a></p>
        }
    })
}

fn signup_error(lang: Lang, code: &str) -> &'static str {
    match code {
        c if c.starts_with("email:taken") => tr(
            lang,
            "このメールアドレスは登録済みです。",
            "This email address is already registered.",
        ),
        c if c.starts_with("email:") => tr(
            lang,
            "メールアドレスの形式が正しくありません。",
            "The email address is not valid.",
        ),
        c if c.starts_with("password:") => tr(
            lang,
            "パスワードは8文字以上128文字以内にしてください。",
            "The password must be 8 to 128 characters.",
        ),
        c if c.starts_with("display_name:") => tr(
            lang,
            "お名前を100文字以内で入力してください。",
            "Enter your name (100 characters at most).",
        ),
        _ => tr(
            lang,
            "入力内容を確認してください。",
            "Please check your input.",
        ),
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let query = use_query_map();
    let municipalities = Resource::new(|| (), |_| list_municipalities());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let codes: Vec<String> = query.with_untracked(|q| {
            q.get("error")
                .map(|e| e.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        });
        let errors: Vec<&'static str> = codes.iter().map(|c| signup_error(lang, c)).collect();
        // Each field's error under it, and what was typed kept (never the password).
        let failed = !codes.is_empty();
        let field_msg = {
            let codes = codes.clone();
            move |field: &str| -> Option<String> {
                let m: Vec<&str> = codes
                    .iter()
                    .filter(|c| c.split(':').next() == Some(field))
                    .map(|c| signup_error(lang, c))
                    .collect();
                (!m.is_empty()).then(|| m.join(" "))
            }
        };
        let under = {
            let field_msg = field_msg.clone();
            move |field: &str| {
                field_msg(field).map(|m| view! { <p class="field-error" id=format!("{field}-error")>{format!("⚠ {m}")}</p> })
            }
        };
        let bad = {
            let field_msg = field_msg.clone();
            move |field: &str| field_msg(field).map(|_| "true")
        };
        let desc = move |field: &str| field_msg(field).map(|_| format!("{field}-error"));
        let typed = |k: &str| {
            failed
                .then(|| info.typed.get(k).cloned())
                .flatten()
                .unwrap_or_default()
        };
        let chosen = typed("municipality");
        view! {
            <h1>{tr(lang, "新規登録（保護者）", "Create a parent account")}</h1>
            {(!errors.is_empty()).then(|| view! {
                <ul class="error" role="alert">{errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            })}
            <form method="post" action="/auth/signup" class="stack" data-once="">
                <input type="hidden" name="csrf" value=info.csrf.clone() />
                <label for="display_name">{tr(lang, "お名前", "Your name")}</label>
                <input id="display_name" name="display_name" autocomplete="name" required maxlength="100"
                    value=typed("display_name") aria-invalid=bad("display_name") aria-describedby=desc("display_name") />
                {under("display_name")}
                <label for="email">{tr(lang, "メールアドレス", "Email address")}</label>
                <input id="email" name="email" type="email" autocomplete="email" required maxlength="254"
                    value=typed("email") aria-invalid=bad("email") aria-describedby=desc("email") />
                {under("email")}
                <label for="password">{tr(lang, "パスワード（8文字以上）", "Password (8 characters or more)")}</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="128"
                    aria-invalid=bad("password") aria-describedby=desc("password") />
                {under("password")}
                <label for="municipality">{tr(lang, "お住まいの自治体", "Your municipality")}</label>
                <Suspense fallback=|| view! { <select id="municipality" name="municipality"></select> }>
                    {move || {
                        let chosen = chosen.clone();
                        Suspend::new(async move {
                            let list = municipalities.await.unwrap_or_default();
                            view! {
                                <select id="municipality" name="municipality">
                                    {list.into_iter().map(|m| {
                                        let sel = m.code == chosen;
                                        view! { <option value=m.code selected=sel>{m.name}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })
                    }}
                </Suspense>
                <button type="submit">{tr(lang, "登録する", "Create account")}</button>
            </form>
        }
    })
}

/// The landing page of a role: whom we think you are, and a door to your work.
#[component]
pub fn RolePage(role: &'static str) -> impl IntoView {
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        match info.viewer {
            None => view! {
                <h1>{role_label(lang, role)}</h1>
                <p>{tr(lang, "このページを見るにはログインしてください。", "Please sign in to see this page.")}</p>
                <p><a href=crate::app::signin_here()>{tr(lang, "ログイン", "Sign in")}</a></p>
            }
            .into_any(),
            Some(v) if v.role != role => view! {
                <h1>{role_label(lang, role)}</h1>
                <p class="error" role="alert">{tr(lang, "このページを見る権限がありません。", "You are not allowed to see this page.")}</p>
            }
            .into_any(),
            Some(v) => view! {
                <h1 id="welcome">
                    {match lang {
                        Lang::Ja => format!("ようこそ、{}さん", v.display_name),
                        Lang::En => format!("Welcome, {}", v.display_name),
                    }}
                </h1>
                <dl class="facts">
                    <dt>{tr(lang, "役割", "Role")}</dt>
                    <dd id="role">{role_label(lang, &v.role)}</dd>
                    <dt>{tr(lang, "自治体", "Municipality")}</dt>
                    <dd id="municipality">{v.municipality_name.clone()}</dd>
                </dl>
            }
            .into_any(),
        }
    })
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>"ページが見つかりません"</h1>
        <p lang="en">"Page not found."</p>
        <p><a href="/">"トップへ Home"</a></p>
    }
}
