//! The provider's schedule (`/provider`: proposals to accept or decline, today and the
//! coming weeks, the private calendar feed) and the coordinator's dispatch board
//! (`/coordinator/dispatch`: plan a day, pin, take a sick call). Every action is a plain
//! form post, so the pages work without wasm.

use chrono::NaiveDate;
use hagukumi_domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{get_dispatch_day, get_schedule};
use crate::app::with_session;
use crate::i18n::{date_long, role_label, tr};
use crate::model::{DispatchData, ScheduleData, ScheduleEntry, SessionInfo};

fn not_allowed(lang: Lang, signed_in: bool) -> AnyView {
    if signed_in {
        view! { <p class="error" role="alert">{tr(lang, "このページを見る権限がありません。", "You are not allowed to see this page.")}</p> }.into_any()
    } else {
        view! {
            <p>{tr(lang, "このページを見るにはログインしてください。", "Please sign in to see this page.")}</p>
            <p><a href="/signin">{tr(lang, "ログイン", "Sign in")}</a></p>
        }
        .into_any()
    }
}

fn loading(lang: Lang) -> impl IntoView {
    view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }
}

fn load_error(lang: Lang) -> AnyView {
    view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any()
}

/// The outcome of the last form post, from `?done=` / `?error=`.
fn notice(lang: Lang) -> impl IntoView {
    let query = use_query_map();
    let (done, error) = query.with_untracked(|q| (q.get("done"), q.get("error")));
    let done = done.map(|d| match d.as_str() {
        "accepted" => tr(
            lang,
            "引き受けました。予定に追加されました。",
            "Accepted: it is in your schedule.",
        ),
        "declined" => tr(
            lang,
            "お断りしました。コーディネーターに戻します。",
            "Declined: it goes back to the coordinator.",
        ),
        "feed" => tr(
            lang,
            "新しいカレンダーURLを発行しました。以前のURLは使えなくなりました。",
            "A new calendar URL was issued; the old one no longer works.",
        ),
        "digest" => tr(
            lang,
            "予定のお知らせメールの設定を保存しました。",
            "Your schedule e-mail setting is saved.",
        ),
        "planned" => tr(lang, "配置案を作成しました。", "The day has been planned."),
        "pinned" => tr(lang, "担当を固定しました。", "The assignment is pinned."),
        "replanned" => tr(
            lang,
            "欠勤を登録し、影響する訪問を組み直しました。",
            "Absence recorded; the affected visits were re-planned.",
        ),
        _ => tr(lang, "保存しました。", "Saved."),
    });
    let error = error.map(|e| {
        if e == "conflict" {
            tr(
                lang,
                "この依頼にはもう回答済みです。",
                "This proposal has already been answered.",
            )
        } else if e.contains("missing_skill") {
            tr(
                lang,
                "このヘルパーには必要なスキルがありません。",
                "This helper lacks a required skill.",
            )
        } else {
            tr(
                lang,
                "入力内容を確認してください。",
                "Please check your input.",
            )
        }
    });
    view! {
        {done.map(|d| view! { <p class="notice" role="status">{d}</p> })}
        {error.map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "proposed" => tr(lang, "回答待ち", "Awaiting your answer"),
        "accepted" => tr(lang, "確定", "Confirmed"),
        _ => tr(lang, "未割当", "Unassigned"),
    }
}

fn entry_facts(lang: Lang, e: ScheduleEntry) -> impl IntoView {
    let travel = e.travel_minutes.map(|m| match lang {
        Lang::Ja => format!("移動 約{m}分"),
        Lang::En => format!("about {m} min travel"),
    });
    view! {
        <strong class="when">{format!("{}–{}", e.start, e.end)}</strong>
        " "<span>{e.service.clone()}</span>
        <span class="family">{format!(" {} ", e.family)}</span>
        <span class="area">{e.area.clone()}</span>
        {travel.map(|t| view! { <span class="muted travel">{format!(" · {t}")}</span> })}
        {(!e.notes.is_empty()).then(|| view! { <p class="notes">{e.notes.clone()}</p> })}
    }
}

#[component]
pub fn ProviderHome() -> impl IntoView {
    let schedule = Resource::new(|| (), |_| get_schedule());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let Some(v) = info.viewer.clone().filter(|v| v.role == "provider") else {
            return view! { <h1>{role_label(lang, "provider")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        };
        let csrf = info.csrf.clone();
        view! {
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
            <nav class="actions" aria-label=tr(lang, "メニュー", "Menu")>
                <a class="button secondary" href="/provider/family-support">
                    {tr(lang, "ファミリー・サポートの依頼", "Family Support requests")}
                </a>
            </nav>
            {notice(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match schedule.await {
                            Ok(s) => schedule_view(lang, csrf, s).into_any(),
                            Err(_) => load_error(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn schedule_view(lang: Lang, csrf: String, s: ScheduleData) -> impl IntoView {
    let proposals: Vec<ScheduleEntry> = s
        .entries
        .iter()
        .filter(|e| e.status == "proposed")
        .cloned()
        .collect();
    let confirmed: Vec<ScheduleEntry> = s
        .entries
        .iter()
        .filter(|e| e.status == "accepted")
        .cloned()
        .collect();
    let mut days: Vec<NaiveDate> = confirmed.iter().map(|e| e.day).collect();
    days.dedup();
    let today = s.today;
    let csrf_feed = csrf.clone();
    let csrf_digest = csrf.clone();
    view! {
        <section aria-labelledby="proposals-h" id="proposals">
            <h2 id="proposals-h">{tr(lang, "回答待ちの依頼", "Proposals waiting for your answer")}</h2>
            {if proposals.is_empty() {
                view! { <p class="muted">{tr(lang, "回答待ちの依頼はありません。", "No proposals waiting.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {proposals.into_iter().map(|e| {
                            let accept = format!("/provider/visits/{}/accept", e.visit_id);
                            let decline = format!("/provider/visits/{}/decline", e.visit_id);
                            view! {
                                <li class="card proposal" data-visit=e.visit_id.clone()>
                                    <span class="day">{date_long(lang, e.day)}" "</span>
                                    {entry_facts(lang, e.clone())}
                                    <div class="actions">
                                        <form method="post" action=accept class="inline">
                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                            <button type="submit" class="accept">{tr(lang, "引き受ける", "Accept")}</button>
                                        </form>
                                        <form method="post" action=decline class="inline">
                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                            <button type="submit" class="secondary decline">{tr(lang, "お断りする", "Decline")}</button>
                                        </form>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="schedule-h" id="schedule">
            <h2 id="schedule-h">{tr(lang, "予定（今日から4週間）", "Schedule (today and the next four weeks)")}</h2>
            {if days.is_empty() {
                view! { <p class="muted">{tr(lang, "確定した予定はありません。", "Nothing confirmed yet.")}</p> }.into_any()
            } else {
                days.into_iter().map(|d| {
                    let items: Vec<ScheduleEntry> = confirmed.iter().filter(|e| e.day == d).cloned().collect();
                    view! {
                        <h3 class="schedule-day">
                            {date_long(lang, d)}
                            {(d == today).then(|| view! { <span class="badge">{tr(lang, " 今日", " Today")}</span> })}
                        </h3>
                        <ul class="cards">
                            {items.into_iter().map(|e| view! {
                                <li class="card visit" data-visit=e.visit_id.clone()>
                                    {entry_facts(lang, e.clone())}
                                    <span class="muted">{format!(" ({})", status_label(lang, &e.status))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                }).collect_view().into_any()
            }}
        </section>
        <section aria-labelledby="feed-h" id="feed">
            <h2 id="feed-h">{tr(lang, "カレンダーに登録", "Subscribe in your calendar")}</h2>
            <p>{tr(lang,
                "このURLをGoogleカレンダーやスマートフォンのカレンダーに「URLで追加」すると、予定が自動で表示されます。URLは他の人に教えないでください。",
                "Add this URL to Google Calendar or your phone's calendar (\"add by URL\") to see your visits there. Keep it to yourself.")}</p>
            {match (s.new_feed_url.clone(), s.has_feed) {
                (Some(url), _) => view! {
                    <p><label for="feed-url">{tr(lang, "あなた専用のURL", "Your private URL")}</label></p>
                    <input id="feed-url" readonly value=url.clone() class="wide" />
                    <p><a href=url.replacen("http", "webcal", 1)>{tr(lang, "カレンダーアプリで開く", "Open in your calendar app")}</a></p>
                }.into_any(),
                (None, true) => view! {
                    <p class="muted">{tr(lang,
                        "URLは発行済みです（安全のため再表示できません）。分からなくなったら新しく発行してください。",
                        "A URL has been issued (it cannot be shown again, for safety). Issue a new one if you lost it.")}</p>
                }.into_any(),
                (None, false) => view! {
                    <p class="muted">{tr(lang, "まだURLを発行していません。", "No URL issued yet.")}</p>
                }.into_any(),
            }}
            <form method="post" action="/provider/feed">
                <input type="hidden" name="csrf" value=csrf_feed />
                <button type="submit" id="feed-reset" class="secondary">
                    {if s.has_feed {
                        tr(lang, "URLを再発行する（以前のURLは無効）", "Reset the URL (the old one stops working)")
                    } else {
                        tr(lang, "URLを発行する", "Issue a URL")
                    }}
                </button>
            </form>
        </section>
        <section aria-labelledby="digest-h" id="digest">
            <h2 id="digest-h">{tr(lang, "予定のお知らせメール", "Schedule e-mail")}</h2>
            <form method="post" action="/provider/digest">
                <input type="hidden" name="csrf" value=csrf_digest />
                <fieldset>
                    <legend>{tr(lang, "受け取る頻度", "How often")}</legend>
                    {[("daily", tr(lang, "毎朝（その日の予定）", "Every morning (that day)")),
                      ("weekly", tr(lang, "毎週（7日分）", "Weekly (seven days)")),
                      ("off", tr(lang, "受け取らない", "Never"))]
                        .into_iter().map(|(v, label)| {
                            let id = format!("digest-{v}");
                            let label_for = id.clone();
                            let checked = s.digest == v || (s.digest.is_empty() && v == "daily");
                            view! {
                                <label for=label_for>
                                    <input type="radio" id=id name="frequency" value=v checked=checked />
                                    {label}
                                </label>
                            }
                        }).collect_view()}
                </fieldset>
                <button type="submit" id="digest-save" class="secondary">{tr(lang, "保存する", "Save")}</button>
            </form>
        </section>
    }
}

#[component]
pub fn DispatchPage() -> impl IntoView {
    let query = use_query_map();
    let day = query.with_untracked(|q| q.get("day").and_then(|d| d.parse::<NaiveDate>().ok()));
    let data = Resource::new(move || day, get_dispatch_day);
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info
            .viewer
            .as_ref()
            .is_none_or(|v| v.role != "coordinator" && v.role != "admin")
        {
            return view! { <h1>{tr(lang, "ヘルパー派遣", "Helper dispatch")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ヘルパー派遣", "Helper dispatch")}</h1>
            <p><a href="/coordinator">{tr(lang, "← コンソールに戻る", "← Back to the console")}</a></p>
            {notice(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(d) => board(lang, csrf, d).into_any(),
                            Err(_) => load_error(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn board(lang: Lang, csrf: String, d: DispatchData) -> impl IntoView {
    let day = d.day.to_string();
    let helpers = d.helpers.clone();
    let (c1, c2, c3) = (csrf.clone(), csrf.clone(), csrf);
    let day1 = day.clone();
    let day2 = day.clone();
    view! {
        <form method="get" action="/coordinator/dispatch" class="inline">
            <label for="day">{tr(lang, "日付", "Day")}</label>" "
            <input type="date" id="day" name="day" value=day.clone() />
            <button type="submit" class="secondary">{tr(lang, "表示", "Show")}</button>
        </form>
        <h2>{date_long(lang, d.day)}</h2>
        <form method="post" action="/coordinator/dispatch/plan">
            <input type="hidden" name="csrf" value=c1 />
            <input type="hidden" name="day" value=day.clone() />
            <button type="submit" id="run-plan">{tr(lang, "自動で配置する（固定・確定分は維持）", "Plan the day (pinned and accepted stay)")}</button>
        </form>
        <table class="dispatch" id="visits">
            <thead><tr>
                <th scope="col">{tr(lang, "時間帯", "Window")}</th>
                <th scope="col">{tr(lang, "事業", "Programme")}</th>
                <th scope="col">{tr(lang, "家庭・地域", "Family, area")}</th>
                <th scope="col">{tr(lang, "必要スキル", "Skills")}</th>
                <th scope="col">{tr(lang, "担当", "Helper")}</th>
                <th scope="col">{tr(lang, "固定", "Pin")}</th>
            </tr></thead>
            <tbody>
                {d.visits.into_iter().map(|v| {
                    let csrf = c2.clone();
                    let day = day1.clone();
                    let helpers = helpers.clone();
                    let current = v.helper_id.clone().unwrap_or_default();
                    view! {
                        <tr data-visit=v.id.clone()>
                            <td>{v.window.clone()}" "<span class="muted">{format!("({}{})", v.duration_minutes, tr(lang, "分", " min"))}</span></td>
                            <td>{v.service.clone()}</td>
                            <td>{format!("{} {}", v.family, v.area)}</td>
                            <td>{v.skills.join(", ")}</td>
                            <td>
                                {v.helper_name.clone().unwrap_or_else(|| tr(lang, "未割当", "Unassigned").to_owned())}
                                {v.planned_start.clone().map(|s| format!(" {s}"))}
                                <span class="muted">{format!(" ({})", status_label(lang, &v.status))}</span>
                                {v.pinned.then(|| view! { <span class="badge">{tr(lang, " 固定", " pinned")}</span> })}
                            </td>
                            <td>
                                <form method="post" action="/coordinator/dispatch/pin" class="inline">
                                    <input type="hidden" name="csrf" value=csrf />
                                    <input type="hidden" name="day" value=day />
                                    <input type="hidden" name="visit_id" value=v.id.clone() />
                                    <label class="visually-hidden" for=format!("pin-{}", v.id)>{tr(lang, "担当を固定", "Pin to")}</label>
                                    <select name="helper_id" id=format!("pin-{}", v.id)>
                                        <option value="">{tr(lang, "（固定しない）", "(no pin)")}</option>
                                        {helpers.into_iter().map(|h| {
                                            let selected = h.id == current && v.pinned;
                                            view! { <option value=h.id.clone() selected=selected>{h.name}</option> }
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="secondary">{tr(lang, "適用", "Apply")}</button>
                                </form>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{tr(lang, "ヘルパー", "Helpers")}</h2>
        <ul class="cards" id="helpers">
            {d.helpers.into_iter().map(|h| {
                let csrf = c3.clone();
                let day = day2.clone();
                let working = h.hours.is_some();
                view! {
                    <li class="card" data-helper=h.id.clone()>
                        <strong>{h.name.clone()}</strong>
                        " "<span class="muted">{h.skills.join(", ")}</span>
                        " "<span>{h.hours.clone().unwrap_or_else(|| tr(lang, "休み", "Off").to_owned())}</span>
                        {working.then(|| view! {
                            <form method="post" action="/coordinator/dispatch/unavailable" class="inline">
                                <input type="hidden" name="csrf" value=csrf />
                                <input type="hidden" name="day" value=day />
                                <input type="hidden" name="helper_id" value=h.id.clone() />
                                <button type="submit" class="secondary">{tr(lang, "欠勤（組み直す）", "Off sick (re-plan)")}</button>
                            </form>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
