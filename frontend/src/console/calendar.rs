//! `/coordinator/calendar` and `/coordinator/calendar/{site}`: each site's capacity by
//! day, week or month — beds per night, or staff needed against staff on duty per hour —
//! with who booked what, and the forms that add beds or a shift, close a day, or
//! change the roster (plain form posts; the waiting list reacts on the server).

use chrono::Datelike;
use hagukumi_domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{get_people, get_person_calendar, get_site_calendar, get_sites};
use super::model::{CalendarBooking, CalendarDay, PersonCalendar, SiteCalendar};
use super::{failed, is_staff, loading, not_allowed, outcome};
use crate::app::with_session;
use crate::i18n::{date_long, tr};
use crate::model::SessionInfo;

/// `/coordinator/calendar`: the sites to choose from.
#[component]
pub fn SitesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_sites());
    let people = Resource::new(|| (), |_| get_people());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "施設カレンダー", "Site calendars")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        view! {
            <h1>{tr(lang, "施設カレンダー", "Site calendars")}</h1>
            <p><a href="/coordinator">{tr(lang, "← コーディネーター画面", "← Console")}</a></p>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(sites) => view! {
                            <ul class="cards" id="sites">
                                {sites.into_iter().map(|s| {
                                    let href = format!("/coordinator/calendar/{}", s.code);
                                    view! {
                                        <li class="card">
                                            <a href=href>{s.name.get(lang).to_owned()}</a>
                                            <span class="muted">" — "{s.service_name.get(lang).to_owned()}</span>
                                            {(!s.manage).then(|| view! { " "<span class="badge">{tr(lang, "共同利用", "shared")}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => failed(lang),
                    }
                })}
            </Suspense>
            <h2>{tr(lang, "ヘルパー・訪問者", "Helpers and visitors")}</h2>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(list) => view! {
                            <ul class="cards" id="people">
                                {list.into_iter().map(|p| {
                                    let href = format!("/coordinator/calendar/people/{}", p.id);
                                    view! { <li class="card"><a href=href>{p.name.clone()}</a></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => failed(lang),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn person_view(lang: Lang, c: PersonCalendar) -> impl IntoView {
    let base = format!("/coordinator/calendar/people/{}", c.person.id);
    let link = |view: &str, date: chrono::NaiveDate| format!("{base}?view={view}&date={date}");
    let current = c.view.clone();
    let tabs = [
        ("day", tr(lang, "日", "Day")),
        ("week", tr(lang, "週", "Week")),
        ("month", tr(lang, "月", "Month")),
    ];
    view! {
        <h1>{c.person.name.clone()}</h1>
        <nav class="tabs" aria-label=tr(lang, "表示", "View")>
            {tabs.into_iter().map(|(v, label)| {
                let cur = (v == current).then_some("page");
                view! { <a href=link(v, c.date) aria-current=cur>{label}</a> }
            }).collect_view()}
        </nav>
        <div class="month-nav">
            <a href=link(&c.view, c.prev) rel="prev">{tr(lang, "← 前へ", "← Previous")}</a>
            <h2>{format!("{}{}{}", date_long(lang, c.from), tr(lang, " 〜 ", " – "), date_long(lang, c.to))}</h2>
            <a href=link(&c.view, c.next) rel="next">{tr(lang, "次へ →", "Next →")}</a>
        </div>
        <table class="table" id="person-calendar">
            <caption class="visually-hidden">{tr(lang, "日ごとの訪問", "Visits by day")}</caption>
            <thead><tr>
                <th scope="col">{tr(lang, "日付", "Date")}</th>
                <th scope="col">{tr(lang, "訪問", "Visits")}</th>
            </tr></thead>
            <tbody>
                {c.days.into_iter().map(|d| {
                    let total = match lang {
                        Lang::Ja => format!("{}件・{}時間{}分", d.visits.len(), d.minutes / 60, d.minutes % 60),
                        Lang::En => format!("{} visits, {} h {} min", d.visits.len(), d.minutes / 60, d.minutes % 60),
                    };
                    view! {
                        <tr data-date=d.date.to_string()>
                            <th scope="row">{date_long(lang, d.date)}<br /><span class="muted">{total}</span></th>
                            <td><ul class="visits">
                                {d.visits.into_iter().map(|v| view! {
                                    <li>{format!("{}–{} {} {}（{}）", v.start, v.end, v.service_name.get(lang), v.family_label, v.area)}
                                        {(v.assignment_status == "proposed").then(|| view! { " "<span class="badge">{tr(lang, "回答待ち", "waiting for answer")}</span> })}</li>
                                }).collect_view()}
                            </ul></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/coordinator/calendar/people/{id}?view=…&date=…`.
#[component]
pub fn PersonCalendarPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let id = params.with(|p| p.get("id").unwrap_or_default());
            let (view, date) = query.with(|q| (q.get("view"), q.get("date")));
            (id, view, date.and_then(|d| d.parse().ok()))
        },
        |(id, view, date)| get_person_calendar(id, view, date),
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "予定", "Calendar")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        view! {
            <p><a href="/coordinator/calendar">{tr(lang, "← カレンダー一覧", "← Calendars")}</a></p>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(c) => person_view(lang, c).into_any(),
                        Err(_) => failed(lang),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn status_text(lang: Lang, s: &str) -> &'static str {
    match s {
        "requested" => tr(lang, "承認待ち", "requested"),
        "approved" => tr(lang, "承認済み", "approved"),
        "confirmed" => tr(lang, "確定", "confirmed"),
        "offered" => tr(lang, "空き案内中", "offered"),
        "waitlisted" => tr(lang, "キャンセル待ち", "waiting"),
        _ => "",
    }
}

fn booking_line(lang: Lang, b: &CalendarBooking) -> String {
    let who = b
        .who
        .clone()
        .unwrap_or_else(|| tr(lang, "他自治体の利用", "another municipality").to_owned());
    format!(
        "{}–{} {} {} [{}]",
        b.start.format("%m/%d %H:%M"),
        b.end.format("%m/%d %H:%M"),
        b.reference,
        who,
        status_text(lang, &b.status)
    )
}

fn usage_text(lang: Lang, unit: &str, d: &CalendarDay) -> String {
    if !d.open {
        return match &d.closed_reason {
            Some(r) => format!("{} ({r})", tr(lang, "休業", "closed")),
            None => tr(lang, "休業", "closed").to_owned(),
        };
    }
    match (unit, lang) {
        ("nights", Lang::Ja) => format!("ベッド {}/{}・空き {}", d.used, d.capacity, d.free),
        ("nights", Lang::En) => format!("beds {}/{}, {} free", d.used, d.capacity, d.free),
        (_, Lang::Ja) => format!("職員 必要{}/配置{}・余裕 {}", d.used, d.capacity, d.free),
        (_, Lang::En) => format!(
            "staff needed {}/on duty {}, spare {}",
            d.used, d.capacity, d.free
        ),
    }
}

fn day_rows(lang: Lang, c: &SiteCalendar) -> impl IntoView + use<> {
    let unit = c.unit.clone();
    let detailed = c.view == "day";
    view! {
        <table class="table" id="site-calendar">
            <caption class="visually-hidden">{tr(lang, "日ごとの利用状況", "Use by day")}</caption>
            <thead><tr>
                <th scope="col">{tr(lang, "日付", "Date")}</th>
                <th scope="col">{tr(lang, "利用と空き", "Used and free")}</th>
                <th scope="col">{tr(lang, "予約", "Bookings")}</th>
            </tr></thead>
            <tbody>
                {c.days.iter().map(|d| {
                    let class = if !d.open { "closed" } else if d.free == 0 { "full" } else { "free" };
                    view! {
                        <tr class=class data-date=d.date.to_string()>
                            <th scope="row">{date_long(lang, d.date)}</th>
                            <td class="usage">{usage_text(lang, &unit, d)}
                                {(d.extra > 0).then(|| view! { <br /><span class="badge">{format!("{} +{}", tr(lang, "増床", "extra beds"), d.extra)}</span> })}
                                {(d.waiting > 0).then(|| view! { <br /><span class="muted">{format!("{} {}", tr(lang, "キャンセル待ち", "waiting"), d.waiting)}</span> })}
                                {(detailed && !d.hours.is_empty()).then(|| view! {
                                    <table class="table hours">
                                        <caption class="visually-hidden">{tr(lang, "時間ごとの職員", "Staff by hour")}</caption>
                                        <thead><tr>
                                            <th scope="col">{tr(lang, "時間", "Hour")}</th>
                                            <th scope="col">{tr(lang, "児童", "Children")}</th>
                                            <th scope="col">{tr(lang, "必要職員", "Staff needed")}</th>
                                            <th scope="col">{tr(lang, "配置職員", "On duty")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {d.hours.iter().map(|h| {
                                                let short = if h.staff_needed > h.staff_on_duty { "warn" } else { "" };
                                                view! {
                                                <tr class=short>
                                                    <th scope="row">{h.hour.clone()}</th>
                                                    <td>{h.children}</td><td>{h.staff_needed}</td><td>{h.staff_on_duty}</td>
                                                </tr>
                                            }}).collect_view()}
                                        </tbody>
                                    </table>
                                })}
                            </td>
                            <td><ul class="bookings">
                                {d.bookings.iter().map(|b| view! {
                                    <li data-status=b.status.clone()>{booking_line(lang, b)}</li>
                                }).collect_view()}
                            </ul></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn manage_forms(lang: Lang, csrf: String, c: &SiteCalendar) -> impl IntoView + use<> {
    let base = format!("/coordinator/calendar/{}", c.site.code);
    let back = format!("view={}&date={}", c.view, c.date);
    let nights = c.unit == "nights";
    let date = c.date.to_string();
    let roster = c.roster.clone();
    let rows = roster.len() + 1;
    let (c1, c2, c3, c4) = (csrf.clone(), csrf.clone(), csrf.clone(), csrf);
    let (b1, b2, b3, b4) = (back.clone(), back.clone(), back.clone(), back);
    let reopen_date = date.clone();
    view! {
        <section aria-labelledby="change-h">
            <h2 id="change-h">{tr(lang, "定員の変更", "Change capacity")}</h2>
            {if nights {
                view! {
                    <form method="post" action=format!("{base}/extra-beds") class="inline" id="add-beds">
                        <input type="hidden" name="csrf" value=c1 />
                        <input type="hidden" name="back" value=b1 />
                        <label>{tr(lang, "日付", "Date")}" "<input type="date" name="date" value=date.clone() required /></label>
                        <label>{tr(lang, "追加ベッド数", "Extra beds")}" "<input type="number" name="beds" min="1" max="20" value="1" required /></label>
                        <button type="submit">{tr(lang, "ベッドを追加", "Add beds")}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <form method="post" action=format!("{base}/extra-shifts") class="inline" id="add-shift">
                        <input type="hidden" name="csrf" value=c1 />
                        <input type="hidden" name="back" value=b1 />
                        <label>{tr(lang, "日付", "Date")}" "<input type="date" name="date" value=date.clone() required /></label>
                        <label>{tr(lang, "開始", "Start")}" "<input type="time" name="start" value="09:00" required /></label>
                        <label>{tr(lang, "時間数", "Hours")}" "<input type="number" name="hours" min="1" max="24" value="8" required /></label>
                        <label>{tr(lang, "人数", "Staff")}" "<input type="number" name="staff" min="1" max="50" value="1" required /></label>
                        <button type="submit">{tr(lang, "シフトを追加", "Add a shift")}</button>
                    </form>
                }.into_any()
            }}
            <form method="post" action=format!("{base}/closures") class="inline" id="close-day">
                <input type="hidden" name="csrf" value=c2 />
                <input type="hidden" name="back" value=b2 />
                <label>{tr(lang, "休業日", "Close on")}" "<input type="date" name="date" value=date required /></label>
                <label>{tr(lang, "理由（必須）", "Reason (required)")}" "<input name="reason" maxlength="200" required /></label>
                <button type="submit" class="danger">{tr(lang, "この日を休業にする", "Close this day")}</button>
            </form>
            <form method="post" action=format!("{base}/reopen") class="inline" id="reopen-day">
                <input type="hidden" name="csrf" value=c4 />
                <input type="hidden" name="back" value=b4 />
                <label>{tr(lang, "休業を取り消す日", "Reopen on")}" "<input type="date" name="date" value=reopen_date required /></label>
                <button type="submit">{tr(lang, "休業を取り消す", "Reopen this day")}</button>
            </form>
            {(!nights).then(|| view! {
                <h3>{tr(lang, "勤務表（RRULE）", "Roster (RRULE)")}</h3>
                <form method="post" action=format!("{base}/roster") id="roster">
                    <input type="hidden" name="csrf" value=c3 />
                    <input type="hidden" name="back" value=b3 />
                    <table class="table">
                        <caption class="visually-hidden">{tr(lang, "勤務表", "Roster")}</caption>
                        <thead><tr>
                            <th scope="col">"RRULE"</th>
                            <th scope="col">{tr(lang, "開始", "Start")}</th>
                            <th scope="col">{tr(lang, "時間数", "Hours")}</th>
                            <th scope="col">{tr(lang, "人数", "Staff")}</th>
                        </tr></thead>
                        <tbody>
                            {(0..rows).map(|i| {
                                let s = roster.get(i).cloned();
                                let label = |what: &str| format!("{what} {}", i + 1);
                                view! {
                                    <tr>
                                        <td><input class="wide" name=format!("rrule_{i}") aria-label=label("RRULE")
                                            value=s.as_ref().map(|x| x.rrule.clone()).unwrap_or_default()
                                            placeholder="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" /></td>
                                        <td><input type="time" name=format!("start_{i}") aria-label=label(tr(lang, "開始", "Start"))
                                            value=s.as_ref().map(|x| x.start.clone()).unwrap_or_else(|| "09:00".into()) /></td>
                                        <td><input type="number" min="1" max="24" name=format!("hours_{i}") aria-label=label(tr(lang, "時間数", "Hours"))
                                            value=s.as_ref().map(|x| x.hours.to_string()).unwrap_or_else(|| "8".into()) /></td>
                                        <td><input type="number" min="1" max="50" name=format!("staff_{i}") aria-label=label(tr(lang, "人数", "Staff"))
                                            value=s.as_ref().map(|x| x.staff.to_string()).unwrap_or_else(|| "1".into()) /></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted">{tr(lang, "RRULE を空にした行は削除されます。", "Rows with an empty RRULE are removed.")}</p>
                    <button type="submit">{tr(lang, "勤務表を保存", "Save the roster")}</button>
                </form>
            })}
        </section>
    }
}

fn closure_list(lang: Lang, csrf: String, c: &SiteCalendar) -> impl IntoView + use<> {
    let base = format!("/coordinator/calendar/{}", c.site.code);
    let back = format!("view={}&date={}", c.view, c.date);
    let hits = c.closure_hits.clone();
    (!hits.is_empty()).then(|| view! {
        <section aria-labelledby="hits-h">
            <h2 id="hits-h" class="warn">{tr(lang, "休業日にかかる予約（要対応）", "Bookings on closed days (to handle)")}</h2>
            <ul class="cards" id="closure-hits">
                {hits.into_iter().map(|b| {
                    let action = format!("{base}/bookings/{}/cancel", b.id);
                    view! {
                        <li class="card" data-id=b.id.clone()>{booking_line(lang, &b)}
                            {b.own.then(|| view! {
                                <form method="post" action=action class="inline">
                                    <input type="hidden" name="csrf" value=csrf.clone() />
                                    <input type="hidden" name="back" value=back.clone() />
                                    <button type="submit" class="danger">{tr(lang, "センター都合で取り消す（無料・ご家庭に通知）", "Cancel by the center (free; the family is told)")}</button>
                                </form>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}

fn calendar_view(lang: Lang, csrf: String, c: SiteCalendar) -> impl IntoView {
    let base = format!("/coordinator/calendar/{}", c.site.code);
    let link = |view: &str, date: chrono::NaiveDate| format!("{base}?view={view}&date={date}");
    let title = match c.view.as_str() {
        "day" => date_long(lang, c.date),
        "month" => match lang {
            Lang::Ja => format!("{}年{}月", c.from.year(), c.from.month()),
            Lang::En => c.from.format("%B %Y").to_string(),
        },
        _ => format!(
            "{}{}{}",
            date_long(lang, c.from),
            tr(lang, " 〜 ", " – "),
            date_long(lang, c.to)
        ),
    };
    let tabs = [
        ("day", tr(lang, "日", "Day")),
        ("week", tr(lang, "週", "Week")),
        ("month", tr(lang, "月", "Month")),
    ];
    let current = c.view.clone();
    view! {
        <h1>{c.site.name.get(lang).to_owned()}</h1>
        <p class="muted">{c.site.service_name.get(lang).to_owned()}</p>
        <nav class="tabs" aria-label=tr(lang, "表示", "View")>
            {tabs.into_iter().map(|(v, label)| {
                let cur = (v == current).then_some("page");
                view! { <a href=link(v, c.date) aria-current=cur>{label}</a> }
            }).collect_view()}
        </nav>
        <div class="month-nav">
            <a href=link(&c.view, c.prev) rel="prev">{tr(lang, "← 前へ", "← Previous")}</a>
            <h2>{title}</h2>
            <a href=link(&c.view, c.next) rel="next">{tr(lang, "次へ →", "Next →")}</a>
        </div>
        {closure_list(lang, csrf.clone(), &c)}
        {day_rows(lang, &c)}
        {c.site.manage.then(|| manage_forms(lang, csrf, &c))}
    }
}

/// `/coordinator/calendar/{site}?view=day|week|month&date=YYYY-MM-DD`.
#[component]
pub fn SiteCalendarPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let site = params.with(|p| p.get("site").unwrap_or_default());
            let (view, date) = query.with(|q| (q.get("view"), q.get("date")));
            (site, view, date.and_then(|d| d.parse().ok()))
        },
        |(site, view, date)| get_site_calendar(site, view, date),
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "施設カレンダー", "Site calendar")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <p><a href="/coordinator/calendar">{tr(lang, "← 施設一覧", "← Sites")}</a>" · "
               <a href="/coordinator/queue">{tr(lang, "承認待ち", "Approval queue")}</a></p>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(c) => calendar_view(lang, csrf, c).into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}
