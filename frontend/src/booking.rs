//! Booking for parents: a month calendar with ○/△/× per day, the day's starts
//! or nights, children and reason, a confirmation step with the fee quote
//! (coupon applied), and "my bookings" with cancel fees and waiting-list
//! offers. Every step is a plain link or form, so it works without wasm.

use chrono::NaiveDate;
use hagukumi_domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_book_page, get_change_page, get_confirm, get_my_bookings};
use crate::app::with_session;
use crate::i18n::{date_long, tr};
use crate::model::{
    BookPage, BookingDraft, BookingView, ChangeDraft, ChangePage, ConfirmView, SessionInfo,
};
use crate::month::{MonthLinks, month_calendar, month_of, short_date};

/// `6,000円` / `¥6,000`.
pub fn yen(lang: Lang, amount: i64) -> String {
    hagukumi_domain::rules::describe::yen_text(amount)
        .get(lang)
        .to_owned()
}

pub fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "requested" => tr(
            lang,
            "申し込み中（承認待ち）",
            "Requested (awaiting approval)",
        ),
        "approved" => tr(lang, "承認済み", "Approved"),
        "confirmed" => tr(lang, "予約確定", "Confirmed"),
        "completed" => tr(lang, "利用済み", "Completed"),
        "no_show" => tr(lang, "欠席", "No-show"),
        "declined" => tr(lang, "お断り", "Declined"),
        "cancelled" => tr(lang, "キャンセル済み", "Cancelled"),
        "expired" => tr(lang, "期限切れ", "Expired"),
        "waitlisted" => tr(lang, "キャンセル待ち", "On the waiting list"),
        "offered" => tr(
            lang,
            "空きのご案内（要回答）",
            "Place offered (please answer)",
        ),
        _ => "",
    }
}

fn not_parent(lang: Lang) -> AnyView {
    view! {
        <p>{tr(lang, "保護者としてログインしてください。", "Please sign in as a parent.")}</p>
        <p><a href=crate::app::signin_here()>{tr(lang, "ログイン", "Sign in")}</a></p>
    }
    .into_any()
}

#[component]
pub fn BookPageView() -> impl IntoView {
    // The page reads its query once: links that change it within this page (site,
    // month, day, back) are `rel="external"`, so they load the page from the server
    // instead of a client-side route change the page would not react to.
    let params = use_params_map();
    let query = use_query_map();
    let service = params.with_untracked(|p| p.get("service").unwrap_or_default());
    let month: Option<NaiveDate> =
        query.with_untracked(|q| q.get("month").and_then(|m| m.parse().ok()));
    let prefill = query.with_untracked(|q| draft_from_query(service.clone(), q));
    let page = Resource::new(
        move || (service.clone(), month),
        |(s, m)| get_book_page(s, m),
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return not_parent(lang);
        }
        let (site, day) = query.with_untracked(|q| {
            (
                q.get("site"),
                q.get("day").and_then(|d| d.parse::<NaiveDate>().ok()),
            )
        });
        let prefill = prefill.clone();
        view! {
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "空き状況を読み込み中…", "Loading availability…")}</p> }>
                {move || {
                    let site = site.clone();
                    let prefill = prefill.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(p) => book_view(lang, p, site, day, prefill).into_any(),
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn book_view(
    lang: Lang,
    p: BookPage,
    site: Option<String>,
    day: Option<NaiveDate>,
    prefill: BookingDraft,
) -> impl IntoView {
    let Some(unit) = p.unit.clone() else {
        return view! {
            <h1>{p.service.name.clone()}</h1>
            <p>{tr(lang, "このサービスはセンターのコーディネーターが日程を調整します。お電話またはセンターの窓口でお申し込みください。",
                   "A coordinator arranges this service with you; please contact the center.")}</p>
        }
        .into_any();
    };
    let base = format!("/parent/book/{}", p.service.id);
    let current = p
        .sites
        .iter()
        .find(|s| Some(&s.code) == site.as_ref())
        .or(p.sites.first())
        .cloned();
    let site_code = current.as_ref().map(|s| s.code.clone()).unwrap_or_default();
    let days = current.as_ref().map(|s| s.days.clone()).unwrap_or_default();
    let selected = day.and_then(|d| {
        current
            .as_ref()
            .and_then(|s| s.days.iter().find(|x| x.date == d).cloned())
    });
    view! {
        <h1>{p.service.name.clone()}" "<span class="muted">{tr(lang, "の予約", "booking")}</span></h1>
        {(p.sites.len() > 1).then(|| view! {
            <nav class="tabs" aria-label=tr(lang, "施設", "Site")>
                {p.sites.iter().map(|s| {
                    let here = Some(&s.code) == current.as_ref().map(|c| &c.code);
                    view! {
                        <a rel="external" href=format!("{base}?month={}&site={}", p.month, s.code)
                           aria-current=if here { "page" } else { "false" }>{s.name.clone()}</a>
                    }
                }).collect_view()}
            </nav>
        })}
        {month_calendar(lang, p.month, p.today, days, day, MonthLinks {
            month: |m: NaiveDate| format!("{base}?month={m}&site={site_code}"),
            day: |d: NaiveDate| format!("{base}?month={}&site={site_code}&day={d}#slots", p.month),
            new_window: false,
        })}
        {selected.map(|d| slot_form(lang, &p, &unit, &site_code, d, &prefill))}
    }
    .into_any()
}

/// Weekday codes of RRULE `BYDAY`, Monday first, with their labels.
const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("MO", "月", "Mon"),
    ("TU", "火", "Tue"),
    ("WE", "水", "Wed"),
    ("TH", "木", "Thu"),
    ("FR", "金", "Fri"),
    ("SA", "土", "Sat"),
    ("SU", "日", "Sun"),
];

fn slot_form(
    lang: Lang,
    p: &BookPage,
    unit: &str,
    site: &str,
    d: crate::model::DayView,
    prefill: &BookingDraft,
) -> impl IntoView {
    let hourly = unit == "hours";
    // Full starts are listed too (for the waiting list); the first free one is the default.
    let starts: Vec<(String, u32)> = d
        .slots
        .iter()
        .map(|s| (s.start.format("%H:%M").to_string(), s.remaining))
        .collect();
    let first_free = starts.iter().find(|(_, r)| *r > 0).map(|(t, _)| t.clone());
    let full_day = d.mark == "full";
    let max_nights = p.max_nights.max(1);
    // Coming back from the confirmation step keeps every choice (its link
    // carries them all, children included); choosing a day starts afresh.
    let back = prefill.day == Some(d.date)
        && (!prefill.children.is_empty() || prefill.hours.is_some() || prefill.nights.is_some());
    let chosen_start = prefill.start.clone().filter(|_| back).or(first_free);
    let chosen_hours = prefill.hours.filter(|_| back);
    let nights = prefill.nights.filter(|_| back).unwrap_or(1).min(max_nights);
    let kids_chosen: Vec<String> = if back {
        prefill.children.clone()
    } else {
        p.children
            .iter()
            .filter(|c| c.birth_date.is_some())
            .take(1)
            .map(|c| c.id.clone())
            .collect()
    };
    let reason = prefill.reason.clone().filter(|_| back);
    let repeat = if back {
        prefill.repeat.clone()
    } else {
        Vec::new()
    };
    let until = prefill
        .until
        .filter(|_| back)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let waitlist = back && prefill.waitlist;
    view! {
        <section id="slots" aria-labelledby="slots-h" class="card">
            <h2 id="slots-h">{date_long(lang, d.date)}</h2>
            {full_day.then(|| view! {
                <p class="notice" id="day-full">{tr(lang,
                    "この日は満員です。「満員ならキャンセル待ちに登録する」を選んで申し込むと、キャンセル待ちに登録されます。空きが出たら、登録の順にメールでご案内します。",
                    "This day is full. Choose \"Join the waiting list if it is full\" to wait for a place; when one frees up, it is offered by e-mail in the order people joined.")}</p>
            })}
            <form method="get" action=format!("/parent/book/{}/confirm", p.service.id) class="stack">
                <input type="hidden" name="site" value=site.to_owned() />
                <input type="hidden" name="day" value=d.date.to_string() />
                {if hourly {
                    view! {
                        <label for="start">{tr(lang, "開始時刻（残り）", "Start (places left)")}</label>
                        <select id="start" name="start" required>
                            {starts.into_iter().map(|(t, r)| {
                                let sel = chosen_start.as_deref() == Some(t.as_str());
                                let text = match (r, lang) {
                                    (0, Lang::Ja) => format!("{t}（満員・キャンセル待ち）"),
                                    (0, Lang::En) => format!("{t} (full: waiting list)"),
                                    (_, Lang::Ja) => format!("{t}（{r}）"),
                                    (_, Lang::En) => format!("{t} ({r})"),
                                };
                                view! { <option value=t.clone() selected=sel>{text}</option> }
                            }).collect_view()}
                        </select>
                        <label for="hours">{tr(lang, "利用時間", "Length")}</label>
                        <select id="hours" name="hours">
                            {p.hours.iter().map(|h| view! { <option value=h.to_string() selected={chosen_hours == Some(*h)}>{match lang { Lang::Ja => format!("{h}時間"), Lang::En => format!("{h} h") }}</option> }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! {
                        <label for="nights">{tr(lang, "泊数（0 は日帰り 10:00〜20:00）", "Nights (0 = day stay 10:00–20:00)")}</label>
                        <input type="number" id="nights" name="nights" min="0" max=max_nights.to_string() value=nights.to_string() required />
                    }.into_any()
                }}
                <fieldset>
                    <legend>{tr(lang, "お子さん（兄弟姉妹は一緒に予約できます）", "Children (siblings can come together)")}</legend>
                    {p.children.iter().enumerate().filter(|(_, c)| c.birth_date.is_some()).map(|(i, c)| view! {
                        <label class="check">
                            <input type="checkbox" name=format!("child_{i}") value=c.id.clone() checked=kids_chosen.contains(&c.id) />
                            {format!("{} {}", c.family_name, c.given_name)}
                            {p.coupons.get(&c.id).filter(|y| **y > 0).map(|y| view! {
                                <span class="muted">{format!(" （{} {}）", tr(lang, "クーポン残り", "coupon left"), yen(lang, i64::from(*y)))}</span>
                            })}
                        </label>
                    }).collect_view()}
                </fieldset>
                {p.reason_required.then(|| view! {
                    <label for="reason">{tr(lang, "利用の理由", "Reason")}</label>
                    <select id="reason" name="reason" required>
                        {p.reasons.iter().map(|(code, label)| view! { <option value=code.clone() selected={reason.as_deref() == Some(code.as_str())}>{label.get(lang).to_owned()}</option> }).collect_view()}
                    </select>
                })}
                {hourly.then(|| view! {
                    <details class="repeat" open=!repeat.is_empty()>
                        <summary>{tr(lang, "毎週くり返して予約する（任意）", "Repeat every week (optional)")}</summary>
                        <fieldset class="weekdays">
                            <legend>{tr(lang, "曜日（同じ時刻・同じ時間）", "Weekdays (same start and length)")}</legend>
                            {WEEKDAYS.iter().map(|(code, ja, en)| view! {
                                <label class="check day-check">
                                    <input type="checkbox" name=format!("repeat_{code}") value="on" checked=repeat.iter().any(|r| r == code) />
                                    {tr(lang, ja, en)}
                                </label>
                            }).collect_view()}
                        </fieldset>
                        <label for="until">{tr(lang, "いつまで（この日まで）", "Until (last day)")}</label>
                        <input type="date" id="until" name="until" value=until min=d.date.to_string() />
                        <p class="muted">{tr(lang, "次の画面で、1回ごとに予約できるかどうかを確認してから申し込めます。", "On the next page you see, for each date, whether it can be booked before you commit.")}</p>
                    </details>
                })}
                <label class="check"><input type="checkbox" id="waitlist" name="waitlist" checked=waitlist />
                    {tr(lang, "満員ならキャンセル待ちに登録する", "Join the waiting list if it is full")}</label>
                <button type="submit">{tr(lang, "料金を確認する", "See the fee")}</button>
            </form>
        </section>
    }
}

/// The draft as the query string of the confirmation page gives it.
fn draft_from_query(service: String, q: &leptos_router::params::ParamsMap) -> BookingDraft {
    let children = (0..20)
        .filter_map(|i| q.get(&format!("child_{i}")))
        .collect();
    BookingDraft {
        service,
        site: q.get("site").unwrap_or_default(),
        day: q.get("day").and_then(|d| d.parse().ok()),
        start: q.get("start"),
        hours: q.get("hours").and_then(|h| h.parse().ok()),
        nights: q.get("nights").and_then(|n| n.parse().ok()),
        children,
        reason: q.get("reason").filter(|r| !r.is_empty()),
        waitlist: q.get("waitlist").is_some(),
        repeat: WEEKDAYS
            .iter()
            .filter(|(code, _, _)| q.get(&format!("repeat_{code}")).is_some())
            .map(|(code, _, _)| (*code).to_owned())
            .collect(),
        until: q.get("until").and_then(|u| u.parse().ok()),
    }
}

/// The booking page's address with every choice of the draft, to go back and change it.
fn back_to_form(d: &BookingDraft) -> String {
    let mut q = vec![format!("site={}", d.site)];
    if let Some(day) = d.day {
        q.push(format!("day={day}"));
        q.push(format!("month={}", month_of(day)));
    }
    if let Some(s) = &d.start {
        q.push(format!("start={}", crate::app::encode_component(s)));
    }
    if let Some(h) = d.hours {
        q.push(format!("hours={h}"));
    }
    if let Some(n) = d.nights {
        q.push(format!("nights={n}"));
    }
    for (i, c) in d.children.iter().enumerate() {
        q.push(format!("child_{i}={}", crate::app::encode_component(c)));
    }
    if let Some(r) = &d.reason {
        q.push(format!("reason={}", crate::app::encode_component(r)));
    }
    if d.waitlist {
        q.push("waitlist=on".to_owned());
    }
    for r in &d.repeat {
        q.push(format!("repeat_{r}=on"));
    }
    if let Some(u) = d.until {
        q.push(format!("until={u}"));
    }
    format!("/parent/book/{}?{}#slots", d.service, q.join("&"))
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let service = params.with_untracked(|p| p.get("service").unwrap_or_default());
    let draft = query.with_untracked(|q| draft_from_query(service, q));
    let confirm = Resource::new(move || draft.clone(), get_confirm);
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return not_parent(lang);
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "予約内容の確認", "Check your booking")}</h1>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "料金を計算中…", "Working out the fee…")}</p> }>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match confirm.await {
                            Ok(c) => confirm_view(lang, csrf, c).into_any(),
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn hidden(name: &str, value: Option<String>) -> Option<AnyView> {
    value.map(|v| view! { <input type="hidden" name=name.to_owned() value=v /> }.into_any())
}

fn confirm_view(lang: Lang, csrf: String, c: ConfirmView) -> impl IntoView {
    let d = c.draft.clone();
    let back = back_to_form(&d);
    let series = !c.occurrences.is_empty();
    let fitting = c.occurrences.iter().filter(|o| o.fits).count();
    let can_book = c.problems.is_empty() && (c.fits || (d.waitlist && !series));
    view! {
        <dl class="facts" id="confirm">
            <dt>{tr(lang, "サービス", "Service")}</dt><dd>{c.service_name.clone()}</dd>
            <dt>{tr(lang, "場所", "Where")}</dt><dd>{c.site_name.clone()}</dd>
            <dt>{tr(lang, "日時", "When")}</dt><dd>{c.when.clone()}</dd>
            <dt>{tr(lang, "お子さん", "Children")}</dt><dd>{c.children.join("、")}</dd>
        </dl>
        {(!c.problems.is_empty()).then(|| view! {
            <div class="error" role="alert" id="confirm-problems">
                <p>{tr(lang, "この内容では予約できません：", "This cannot be booked:")}</p>
                <ul>{c.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        {series.then(|| view! {
            <section aria-labelledby="occ-h" class="card">
                <h2 id="occ-h">{match lang {
                    Lang::Ja => format!("くり返し予約：{}回中 {}回 予約できます", c.occurrences.len(), fitting),
                    Lang::En => format!("Repeating booking: {} of {} dates can be booked", fitting, c.occurrences.len()),
                }}</h2>
                <table class="occurrences" id="occurrences">
                    <thead><tr><th scope="col">{tr(lang, "日時", "When")}</th><th scope="col">{tr(lang, "予約", "Bookable")}</th></tr></thead>
                    <tbody>
                        {c.occurrences.iter().map(|o| view! {
                            <tr class=if o.fits { "fits" } else { "no-fit" }>
                                <th scope="row">{o.when.clone()}</th>
                                <td>{if o.fits {
                                    view! { <span>{tr(lang, "○ 予約できます", "○ can be booked")}</span> }.into_any()
                                } else {
                                    view! { <span>{tr(lang, "× できません", "× not possible")}{o.reason.clone().map(|r| format!("：{r}"))}</span> }.into_any()
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="muted">{tr(lang, "「予約する」を押すと、○の日だけを予約します。×の日は予約されません。料金は1回分の見積もりです。", "Booking takes only the ○ dates; the × dates are not booked. The fee below is for one date.")}</p>
            </section>
        })}
        {(!c.lines.is_empty()).then(|| view! {
            <table class="quote">
                <caption>{if series { tr(lang, "料金（1回分の見積もり）", "Fee (estimate for one date)") } else { tr(lang, "料金（見積もり）", "Fee (estimate)") }}</caption>
                <tbody>
                    {c.lines.iter().map(|(l, a)| view! { <tr><th scope="row">{l.clone()}</th><td>{yen(lang, *a)}</td></tr> }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">{tr(lang, "お支払い", "You pay")}</th><td id="quote-total">{yen(lang, c.total_yen)}</td></tr></tfoot>
            </table>
        })}
        {(c.problems.is_empty() && !c.fits && !series).then(|| view! {
            <p class="notice">{if d.waitlist {
                tr(lang, "満員のため、キャンセル待ちとして登録します。空きが出たらメールでお知らせします。", "It is full: you will join the waiting list and get an e-mail when a place frees up.")
            } else {
                tr(lang, "満員です。キャンセル待ちを希望する場合は前の画面で選んでください。", "It is full. Go back and choose the waiting list if you like.")
            }}</p>
        })}
        {(can_book && c.fits && !series).then(|| view! {
            <p class="muted">{if c.needs_approval {
                tr(lang, "申し込み後、センターが確認して結果をメールでお知らせします。", "After you apply, the center checks your request and e-mails you the result.")
            } else {
                tr(lang, "空きがあるので、確定するとすぐに予約が確定します。", "There is a place: your booking is confirmed as soon as you confirm.")
            }}</p>
        })}
        {can_book.then(|| view! {
            <form method="post" action="/parent/bookings" class="stack" data-once="">
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="form_key" value=c.form_key.clone() />
                <input type="hidden" name="service" value=d.service.clone() />
                <input type="hidden" name="site" value=d.site.clone() />
                {hidden("day", d.day.map(|x| x.to_string()))}
                {hidden("start", d.start.clone())}
                {hidden("hours", d.hours.map(|x| x.to_string()))}
                {hidden("nights", d.nights.map(|x| x.to_string()))}
                {hidden("reason", d.reason.clone())}
                {hidden("waitlist", d.waitlist.then(|| "on".to_owned()))}
                {d.children.iter().enumerate().map(|(i, id)| view! { <input type="hidden" name=format!("child_{i}") value=id.clone() /> }).collect_view()}
                {d.repeat.iter().map(|r| view! { <input type="hidden" name=format!("repeat_{r}") value="on" /> }).collect_view()}
                {hidden("until", d.until.map(|x| x.to_string()))}
                <button type="submit" id="confirm-book">{if series {
                    match lang { Lang::Ja => format!("○の{fitting}回を予約する"), Lang::En => format!("Book the {fitting} ○ dates") }
                } else if c.fits { tr(lang, "この内容で予約する", "Book").to_owned() } else { tr(lang, "キャンセル待ちに登録する", "Join the waiting list").to_owned() }}</button>
            </form>
        })}
        <p><a rel="external" href=back>{tr(lang, "← 戻って変更する", "← Go back and change")}</a></p>
    }
}

#[component]
pub fn MyBookingsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| get_my_bookings());
    let query = use_query_map();
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return not_parent(lang);
        }
        let notices = query.with_untracked(|q| Notices {
            created: q.get("created"),
            done: q.get("done"),
            changed: q.get("changed"),
            series: q
                .get("series")
                .and_then(|n| n.parse::<usize>().ok())
                .zip(q.get("skipped").and_then(|n| n.parse::<usize>().ok())),
            accepted: q.get("accepted"),
            failed: q.get("failed"),
        });
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "予約の一覧", "My bookings")}</h1>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || {
                    let (csrf, notices) = (csrf.clone(), notices.clone());
                    Suspend::new(async move {
                        match list.await {
                            Ok(items) => bookings_view(lang, csrf, items, notices).into_any(),
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

/// What happens next, said plainly, after a booking was made.
fn next_steps(lang: Lang, b: &BookingView) -> String {
    match b.status.as_str() {
        "confirmed" => tr(
            lang,
            "予約が確定しました。確認のメールをお送りします。当日はお気をつけてお越しください。",
            "Your booking is confirmed. We are sending you an e-mail.",
        )
        .to_owned(),
        "requested" => tr(
            lang,
            "申し込みを受け付けました。センターが内容を確認し、結果をメールでお知らせします。",
            "Request received. The center will check it and e-mail you the result.",
        )
        .to_owned(),
        "waitlisted" => match (lang, b.waitlist_position) {
            (Lang::Ja, Some(n)) => format!(
                "キャンセル待ちに登録しました（{n}番目）。空きが出たらメールでお知らせします。"
            ),
            (Lang::En, Some(n)) => format!(
                "You are number {n} on the waiting list. We will e-mail you when a place frees up."
            ),
            _ => tr(
                lang,
                "キャンセル待ちに登録しました。",
                "You are on the waiting list.",
            )
            .to_owned(),
        },
        _ => status_label(lang, &b.status).to_owned(),
    }
}

/// What the address of "my bookings" says just happened.
#[derive(Clone, Default)]
struct Notices {
    /// A booking (or the first of a series) was made.
    created: Option<String>,
    /// A cancellation or a declined offer went through.
    done: Option<String>,
    /// A booking's time was changed.
    changed: Option<String>,
    /// A series: how many dates were booked and how many skipped.
    series: Option<(usize, usize)>,
    /// An offered place was taken.
    accepted: Option<String>,
    /// An action on this booking could not be done (its state changed meanwhile).
    failed: Option<String>,
}

fn bookings_view(lang: Lang, csrf: String, items: Vec<BookingView>, n: Notices) -> impl IntoView {
    let Notices {
        created,
        done,
        changed,
        series,
        accepted,
        failed,
    } = n;
    let accepted_view = accepted.and_then(|id| {
        items.iter().find(|b| b.id == id).map(|b| {
            format!(
                "{}{}",
                tr(
                    lang,
                    "空いた枠のご案内をお受けしました。",
                    "You took the offered place. "
                ),
                next_steps(lang, b)
            )
        })
    });
    let failed_view = failed.map(|_| {
        tr(
            lang,
            "この手続きはできませんでした。予約の状態が変わった可能性があります（ご案内の期限が過ぎた、すでに手続き済みなど）。下の一覧で今の状態をご確認ください。",
            "This could not be done: the booking changed meanwhile (for example the offer expired, or it was already done). Its current state is shown below.",
        )
    });
    let created_view = created.and_then(|id| {
        items.iter().find(|b| b.id == id).map(|b| match series {
            Some((n, skipped)) => match lang {
                Lang::Ja if skipped > 0 => format!(
                    "くり返し予約を{n}回分 申し込みました（空きのない{skipped}回は予約していません）。確認のメールをお送りします。"
                ),
                Lang::Ja => format!("くり返し予約を{n}回分 申し込みました。確認のメールをお送りします。"),
                Lang::En if skipped > 0 => format!(
                    "{n} dates of your repeating booking are booked ({skipped} without a place were not). We are sending you e-mails."
                ),
                Lang::En => format!("{n} dates of your repeating booking are booked. We are sending you e-mails."),
            },
            None => next_steps(lang, b),
        })
    });
    let changed_view = changed.and_then(|id| {
        items.iter().find(|b| b.id == id).map(|b| {
            let when = format!(
                "{} {}",
                date_long(lang, b.start.date()),
                b.start.format("%H:%M")
            );
            match lang {
                Lang::Ja => {
                    format!("予約を {when} に変更しました。変更のお知らせをメールでお送りします。")
                }
                Lang::En => {
                    format!("Your booking now starts {when}. We are e-mailing you the change.")
                }
            }
        })
    });
    let (upcoming, past): (Vec<_>, Vec<_>) = items.into_iter().partition(|b| {
        matches!(
            b.status.as_str(),
            "requested" | "approved" | "confirmed" | "waitlisted" | "offered"
        )
    });
    let item = move |b: BookingView, csrf: String| {
        let when = format!(
            "{} {}〜{}",
            date_long(lang, b.start.date()),
            b.start.format("%H:%M"),
            if b.end.date() == b.start.date() {
                b.end.format("%H:%M").to_string()
            } else {
                format!(
                    "{} {}",
                    short_date(lang, b.end.date()),
                    b.end.format("%H:%M")
                )
            }
        );
        let id = b.id.clone();
        view! {
            <li class="card booking" data-status=b.status.clone() id=format!("booking-{}", b.id)>
                <strong>{b.service_name.clone()}" · "{b.site_name.clone()}</strong>
                <span>{when}</span>
                <span class=format!("status {}", b.status)>{status_label(lang, &b.status)}
                    {b.waitlist_position.map(|n| match lang { Lang::Ja => format!("（{n}番目）"), Lang::En => format!(" (#{n})") })}</span>
                {b.helper.clone().map(|h| view! { <span class="helper">{tr(lang, "担当ヘルパー：", "Helper: ")}{h}</span> })}
                {b.center_note.clone().map(|n| view! {
                    <p class="center-note">{match b.status.as_str() {
                        "declined" => tr(lang, "お断りの理由：", "Reason: "),
                        _ => tr(lang, "センターより：", "From the center: "),
                    }}{n}</p>
                })}
                <span class="muted">{tr(lang, "料金", "Fee")}" "{yen(lang, b.total_yen)}
                    {(b.coupon_yen > 0).then(|| format!("（{} {}）", tr(lang, "クーポン", "coupon"), yen(lang, b.coupon_yen)))}</span>
                {b.charge_yen.filter(|y| *y > 0).map(|y| view! { <span>{tr(lang, "キャンセル料", "Cancellation fee")}" "{yen(lang, y)}</span> })}
                {b.offer_expires_at.filter(|_| b.status == "offered").map(|t| {
                    let (c1, c2, id1, id2) = (csrf.clone(), csrf.clone(), id.clone(), id.clone());
                    view! {
                        <p class="notice offer">{tr(lang, "空きが出ました。期限までにお返事ください：", "A place is free. Please answer by ")}
                            <strong class="offer-expires">{format!("{} {}", date_long(lang, t.date()), t.format("%H:%M"))}</strong>
                            {tr(lang, "（期限を過ぎると、次にお待ちの方へご案内します）", " (after that, the place is offered to the next family waiting)")}</p>
                        <div class="actions">
                            <form method="post" action=format!("/parent/bookings/{id1}/accept")><input type="hidden" name="csrf" value=c1 />
                                <button type="submit" class="accept-offer">{tr(lang, "この枠を予約する", "Take the place")}</button></form>
                            <form method="post" action=format!("/parent/bookings/{id2}/decline-offer")><input type="hidden" name="csrf" value=c2 />
                                <button type="submit" class="secondary decline-offer">{tr(lang, "辞退する", "Decline")}</button></form>
                        </div>
                    }
                })}
                {b.can_change.then(|| view! {
                    <p class="actions"><a class="button secondary change-link" rel="external" href=format!("/parent/bookings/{}/change", b.id)>{tr(lang, "日時を変更する", "Change the time")}</a></p>
                })}
                {b.change_blocked.clone().map(|why| view! { <p class="muted change-blocked">{why}</p> })}
                {matches!(b.status.as_str(), "requested" | "approved" | "confirmed" | "waitlisted").then(|| {
                    let fee = b.cancel_fee_now.unwrap_or(0);
                    view! {
                        <details class="cancel">
                            <summary>{tr(lang, "キャンセルする", "Cancel")}</summary>
                            <p class="cancel-fee">{if fee > 0 {
                                match lang { Lang::Ja => format!("今キャンセルすると、キャンセル料 {} がかかります。", yen(lang, fee)), Lang::En => format!("Cancelling now costs {}.", yen(lang, fee)) }
                            } else {
                                tr(lang, "今キャンセルすると、キャンセル料はかかりません。", "Cancelling now is free.").to_owned()
                            }}</p>
                            <form method="post" action=format!("/parent/bookings/{id}/cancel") data-once=""><input type="hidden" name="csrf" value=csrf />
                                <button type="submit" class="danger">{tr(lang, "キャンセルを確定する", "Confirm cancellation")}</button></form>
                        </details>
                    }
                })}
            </li>
        }
    };
    let c2 = csrf.clone();
    view! {
        {created_view.map(|t| view! { <p class="notice" role="status" id="next-steps">{t}</p> })}
        {changed_view.map(|t| view! { <p class="notice" role="status" id="changed">{t}</p> })}
        {done.map(|_| view! { <p class="notice" role="status">{tr(lang, "手続きが完了しました。", "Done.")}</p> })}
        {accepted_view.map(|t| view! { <p class="notice" role="status" id="accepted">{t}</p> })}
        {failed_view.map(|t| view! { <p class="error" role="alert" id="failed">{t}</p> })}
        <p><a class="button" href="/parent/services">{tr(lang, "新しく予約する", "Make a booking")}</a></p>
        <h2>{tr(lang, "これからの予約", "Upcoming")}</h2>
        {if upcoming.is_empty() { view! { <p class="muted">{tr(lang, "予約はありません。", "No bookings.")}</p> }.into_any() } else {
            view! { <ul class="cards" id="upcoming">{upcoming.into_iter().map(|b| item(b, csrf.clone())).collect_view()}</ul> }.into_any()
        }}
        <h2>{tr(lang, "これまでの予約", "Past and closed")}</h2>
        {if past.is_empty() { view! { <p class="muted">{tr(lang, "まだありません。", "None yet.")}</p> }.into_any() } else {
            view! { <ul class="cards" id="past">{past.into_iter().map(|b| item(b, c2.clone())).collect_view()}</ul> }.into_any()
        }}
    }
}

/// The change form as the query string gives it.
fn change_draft(q: &leptos_router::params::ParamsMap) -> ChangeDraft {
    ChangeDraft {
        day: q.get("day").and_then(|d| d.parse().ok()),
        start: q.get("start").filter(|s| !s.is_empty()),
        hours: q.get("hours").and_then(|h| h.parse().ok()),
        nights: q.get("nights").and_then(|n| n.parse().ok()),
    }
}

#[component]
pub fn ChangeBookingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let draft = query.with_untracked(change_draft);
    let page = Resource::new(
        move || (id.clone(), draft.clone()),
        |(id, d)| get_change_page(id, d),
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return not_parent(lang);
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "予約の日時を変更する", "Change the time of a booking")}</h1>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "空き状況と料金を確認中…", "Checking places and the fee…")}</p> }>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(p) => change_view(lang, csrf, p).into_any(),
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "この予約は見つかりません。", "This booking was not found.")}</p>
                                <p><a href="/parent/bookings">{tr(lang, "← 予約の一覧へ", "← My bookings")}</a></p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn field_error(lang: Lang, errors: &[(String, String)], field: &str) -> Option<AnyView> {
    let msgs: Vec<String> = errors
        .iter()
        .filter(|(f, _)| f == field)
        .map(|(_, m)| m.clone())
        .collect();
    (!msgs.is_empty()).then(|| {
        let id = format!("{field}-error");
        view! { <p class="field-error" id=id role="alert">{tr(lang, "⚠ ", "⚠ ")}{msgs.join(" ")}</p> }.into_any()
    })
}

fn described(errors: &[(String, String)], field: &str) -> Option<String> {
    errors
        .iter()
        .any(|(f, _)| f == field)
        .then(|| format!("{field}-error"))
}

fn change_view(lang: Lang, csrf: String, p: ChangePage) -> impl IntoView {
    let b = p.booking.clone();
    let now_when = format!(
        "{} {}〜{}",
        date_long(lang, b.start.date()),
        b.start.format("%H:%M"),
        if b.end.date() == b.start.date() {
            b.end.format("%H:%M").to_string()
        } else {
            format!(
                "{} {}",
                short_date(lang, b.end.date()),
                b.end.format("%H:%M")
            )
        }
    );
    let hourly = p.unit == "hours";
    let d = p.draft.clone();
    let errs = p.errors.clone();
    let action = format!("/parent/bookings/{}/change", b.id);
    let calendar = format!(
        "/parent/book/{}?month={}",
        b.service,
        month_of(d.day.unwrap_or(b.start.date()))
    );
    let can_commit = p.when.is_some() && p.fits && p.errors.is_empty();
    view! {
        <dl class="facts" id="current">
            <dt>{tr(lang, "サービス", "Service")}</dt><dd>{format!("{} · {}", b.service_name, b.site_name)}</dd>
            <dt>{tr(lang, "今の日時", "Now booked")}</dt><dd>{now_when}</dd>
            <dt>{tr(lang, "料金", "Fee")}</dt><dd>{yen(lang, b.total_yen)}</dd>
        </dl>
        {match b.change_blocked.clone() {
            Some(why) => view! {
                <p class="error" role="alert" id="change-blocked">{why}</p>
                <p><a href="/parent/bookings">{tr(lang, "← 予約の一覧へ", "← My bookings")}</a></p>
            }.into_any(),
            None => view! {
                <p class="muted">{tr(lang, "お子さんと場所はそのままで、日時だけを変更します。キャンセル料がかからない間だけ変更できます。", "The children and the place stay the same; only the time changes, while cancelling would still be free.")}
                    {b.change_until.map(|u| match lang {
                        Lang::Ja => format!("（変更できるのは {} {} まで）", date_long(lang, u.date()), u.format("%H:%M")),
                        Lang::En => format!(" (until {} {})", date_long(lang, u.date()), u.format("%H:%M")),
                    })}
                    " "<a rel="external" href=calendar>{tr(lang, "空き状況をカレンダーで見る", "See availability in the calendar")}</a></p>
                {field_error(lang, &errs, "")}
                <form method="get" action=action.clone() class="stack card" id="change-form">
                    <label for="day">{tr(lang, "新しい日付", "New date")}</label>
                    <input type="date" id="day" name="day" required min=p.today.to_string()
                        value=d.day.map(|x| x.to_string()).unwrap_or_default()
                        aria-describedby=described(&errs, "day") aria-invalid=described(&errs, "day").map(|_| "true") />
                    {field_error(lang, &errs, "day")}
                    {if hourly {
                        view! {
                            <label for="start">{tr(lang, "開始時刻", "Start")}</label>
                            <select id="start" name="start" required aria-describedby=described(&errs, "start") aria-invalid=described(&errs, "start").map(|_| "true")>
                                {p.starts.iter().map(|t| view! { <option value=t.clone() selected={d.start.as_deref() == Some(t.as_str())}>{t.clone()}</option> }).collect_view()}
                            </select>
                            {field_error(lang, &errs, "start")}
                            <label for="hours">{tr(lang, "利用時間", "Length")}</label>
                            <select id="hours" name="hours" aria-describedby=described(&errs, "hours") aria-invalid=described(&errs, "hours").map(|_| "true")>
                                {p.hours.iter().map(|h| view! { <option value=h.to_string() selected={d.hours == Some(*h)}>{match lang { Lang::Ja => format!("{h}時間"), Lang::En => format!("{h} h") }}</option> }).collect_view()}
                            </select>
                            {field_error(lang, &errs, "hours")}
                        }.into_any()
                    } else {
                        view! {
                            <label for="nights">{tr(lang, "泊数（0 は日帰り 10:00〜20:00）", "Nights (0 = day stay 10:00–20:00)")}</label>
                            <input type="number" id="nights" name="nights" min="0" max=p.max_nights.max(1).to_string() required
                                value=d.nights.unwrap_or(1).to_string()
                                aria-describedby=described(&errs, "nights") aria-invalid=described(&errs, "nights").map(|_| "true") />
                            {field_error(lang, &errs, "nights")}
                        }.into_any()
                    }}
                    <button type="submit" class="secondary" id="change-check">{tr(lang, "空きと料金を確認する", "Check places and the fee")}</button>
                </form>
                {p.when.clone().map(|when| view! {
                    <section class="card" aria-labelledby="new-h" id="change-preview">
                        <h2 id="new-h">{tr(lang, "変更後の日時", "New time")}</h2>
                        <p><strong>{when}</strong></p>
                        {if p.fits && p.errors.is_empty() {
                            view! {
                                <p class="notice" id="change-fits">{tr(lang, "○ この日時に変更できます。", "○ The booking can move to this time.")}</p>
                                <p>{tr(lang, "変更後の料金", "Fee after the change")}" "<strong id="change-total">{yen(lang, p.total_yen.unwrap_or(0))}</strong>
                                    {p.coupon_yen.filter(|c| *c > 0).map(|c| format!("（{} {}）", tr(lang, "子育てクーポン", "childrearing coupon"), yen(lang, c)))}</p>
                            }.into_any()
                        } else {
                            view! { <p class="error" id="change-nofit">{tr(lang, "× この日時には変更できません。別の日時を選んでください。", "× The booking cannot move to this time; choose another.")}</p> }.into_any()
                        }}
                    </section>
                })}
                {can_commit.then(|| view! {
                    <form method="post" action=action class="stack" data-once="">
                        <input type="hidden" name="csrf" value=csrf />
                        <input type="hidden" name="form_key" value=p.form_key.clone() />
                        {hidden("day", d.day.map(|x| x.to_string()))}
                        {hidden("start", d.start.clone())}
                        {hidden("hours", d.hours.map(|x| x.to_string()))}
                        {hidden("nights", d.nights.map(|x| x.to_string()))}
                        <button type="submit" id="change-confirm">{tr(lang, "この日時に変更する", "Change to this time")}</button>
                    </form>
                })}
                <p><a href="/parent/bookings">{tr(lang, "← 変更しないで戻る", "← Back without changing")}</a></p>
            }.into_any(),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_has_separators() {
        assert_eq!(yen(Lang::Ja, 6000), "6,000円");
        assert_eq!(yen(Lang::En, 1234567), "¥1,234,567");
        assert_eq!(yen(Lang::Ja, 500), "500円");
        assert_eq!(yen(Lang::Ja, -400), "-400円");
    }
}
