//! Family Support activity reports on three pages: the provider files them (on their
//! Family Support page), the family confirms them (`/parent/family-support`), and the
//! coordinator reads the month per pair (`/coordinator/family-support/reports`).
//! Forms post to the server and come back with `saved=…` or `error=field:code`.

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::Lang;
use hagukumi_domain::availability::utc_to_local;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::{failed, loading, not_allowed, when};
use crate::app::with_session;
use crate::booking::yen;
use crate::i18n::{date_long, tr};
use crate::model::SessionInfo;

/// One ended activity and its report (the API's `ActivityReportOut`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub activity_id: String,
    pub pair_id: String,
    pub provider_name: String,
    pub child_given_name: String,
    pub booked_start: DateTime<Utc>,
    pub booked_end: DateTime<Utc>,
    /// `missing`, `filed`, `confirmed`.
    pub state: String,
    pub report_id: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub content: Option<String>,
    pub fee_yen: Option<i64>,
    pub filed_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub due_on: NaiveDate,
    pub late: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MonthSummaryView {
    pub activities: u32,
    pub filed: u32,
    pub confirmed: u32,
    pub missing: u32,
    pub late: u32,
    pub minutes: i64,
    pub fee_yen: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairMonthView {
    pub pair_id: String,
    pub provider_name: String,
    pub child_name: String,
    pub summary: MonthSummaryView,
    pub activities: Vec<ReportView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FsMonthView {
    pub month: String,
    pub due_on: NaiveDate,
    pub total: MonthSummaryView,
    pub pairs: Vec<PairMonthView>,
}

/// The viewer's reports: a provider's own activities, a family's filed reports.
#[server(prefix = "/sfn", endpoint = "fs_reports")]
pub async fn get_fs_reports() -> Result<Vec<ReportView>, ServerFnError> {
    let (c, parts) = super::api::context()?;
    c.fs_reports(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "fs_month")]
pub async fn get_fs_month(month: String) -> Result<FsMonthView, ServerFnError> {
    let (c, parts) = super::api::context()?;
    c.fs_month(&parts, month).await.map_err(ServerFnError::new)
}

fn hm(t: DateTime<Utc>) -> String {
    utc_to_local(t).format("%H:%M").to_string()
}

fn span(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("{}–{}", when(lang, start), hm(end))
}

fn minutes_text(lang: Lang, m: i64) -> String {
    match lang {
        Lang::Ja => format!("{}時間{:02}分", m / 60, m % 60),
        Lang::En => format!("{} h {:02} min", m / 60, m % 60),
    }
}

fn state_text(lang: Lang, s: &str) -> &'static str {
    match s {
        "missing" => tr(lang, "未提出", "Not filed"),
        "filed" => tr(
            lang,
            "提出済み・ご家庭の確認待ち",
            "Filed, awaiting the family",
        ),
        "confirmed" => tr(lang, "確認済み", "Confirmed"),
        _ => tr(lang, "不明", "Unknown"),
    }
}

/// The message for an `error=field:code` on a report form, next to the form.
fn error_text(lang: Lang, code: &str) -> &'static str {
    match code {
        c if c.starts_with("content:too_long") => tr(
            lang,
            "内容は2000文字以内にしてください。",
            "At most 2000 characters.",
        ),
        c if c.starts_with("content:") => tr(
            lang,
            "活動の内容を書いてください。",
            "Describe what was done.",
        ),
        c if c.contains("end_before_start") => tr(
            lang,
            "終了時刻は開始時刻より後にしてください。",
            "The end must be after the start.",
        ),
        c if c.contains("in_future") => tr(
            lang,
            "終わった活動だけ報告できます。",
            "Only an activity that has ended can be reported.",
        ),
        c if c.contains("too_long") => tr(
            lang,
            "1回の活動は24時間までです。",
            "One activity lasts at most 24 hours.",
        ),
        c if c.contains("not_this_activity") => tr(
            lang,
            "予約した時間から3時間以上ずれています。センターにご相談ください。",
            "More than 3 hours from the booked time; ask the center.",
        ),
        c if c.contains("invalid") => tr(
            lang,
            "日時の形式が正しくありません。",
            "Not a valid date and time.",
        ),
        _ => tr(
            lang,
            "入力内容を確認してください。",
            "Please check your input.",
        ),
    }
}

/// `saved`, `error`, `why` and which activity the error was about.
fn notice(lang: Lang) -> (Option<String>, Option<(String, String)>) {
    let q = use_query_map();
    q.with_untracked(|q| {
        let saved = q.get("saved").map(|s| {
            match s.as_str() {
                "report" => tr(
                    lang,
                    "活動報告を提出しました。ご家庭の確認を待っています。",
                    "Report filed; the family will confirm it.",
                ),
                "confirmed" => tr(
                    lang,
                    "活動報告を確認しました。ありがとうございました。",
                    "Report confirmed. Thank you.",
                ),
                _ => tr(lang, "保存しました。", "Saved."),
            }
            .to_owned()
        });
        let error = q.get("error").map(|e| {
            let text = match (e.as_str(), q.get("why")) {
                ("conflict", Some(w)) if lang == Lang::Ja => w,
                ("conflict", _) => {
                    tr(lang, "この操作はできません。", "This cannot be done now.").to_owned()
                }
                (code, _) => error_text(lang, code).to_owned(),
            };
            (q.get("activity").unwrap_or_default(), text)
        });
        (saved, error)
    })
}

fn local_input(t: DateTime<Utc>) -> String {
    utc_to_local(t).format("%Y-%m-%dT%H:%M").to_string()
}

fn report_form(lang: Lang, csrf: String, r: &ReportView, error: Option<String>) -> AnyView {
    let id = r.activity_id.clone();
    let start = r.started_at.unwrap_or(r.booked_start);
    let end = r.ended_at.unwrap_or(r.booked_end);
    let err_id = format!("report-error-{id}");
    let described = error.is_some().then(|| err_id.clone());
    view! {
        <form method="post" action=format!("/provider/family-support/activities/{id}/report") class="report-form">
            <input type="hidden" name="csrf" value=csrf />
            {error.map(|e| view! { <p class="error" role="alert" id=err_id.clone()>{e}</p> })}
            <label>{tr(lang, "開始", "Started")}" "
                <input type="datetime-local" name="started_at" required value=local_input(start) aria-describedby=described.clone() /></label>
            <label>{tr(lang, "終了", "Ended")}" "
                <input type="datetime-local" name="ended_at" required value=local_input(end) aria-describedby=described.clone() /></label>
            <label class="wide">{tr(lang, "活動の内容", "What was done")}
                <textarea name="content" required maxlength="2000" rows="3" aria-describedby=described>{r.content.clone().unwrap_or_default()}</textarea></label>
            <button type="submit">{if r.state == "missing" { tr(lang, "報告を提出", "File the report") } else { tr(lang, "報告を訂正", "Correct the report") }}</button>
        </form>
    }
    .into_any()
}

fn report_facts(lang: Lang, r: &ReportView) -> AnyView {
    view! {
        <dl class="facts">
            <dt>{tr(lang, "予約", "Booked")}</dt><dd>{span(lang, r.booked_start, r.booked_end)}</dd>
            {r.started_at.zip(r.ended_at).map(|(s, e)| view! {
                <dt>{tr(lang, "実際の時間", "Actual time")}</dt><dd>{span(lang, s, e)}</dd>
            })}
            {r.content.clone().map(|c| view! { <dt>{tr(lang, "内容", "What was done")}</dt><dd class="pre">{c}</dd> })}
            {r.fee_yen.map(|f| view! { <dt>{tr(lang, "利用料（提供会員へ直接）", "Fee (paid to the provider)")}</dt><dd>{yen(lang, f)}</dd> })}
            <dt>{tr(lang, "状況", "Status")}</dt>
            <dd class="status">{state_text(lang, &r.state)}
                {r.late.then(|| view! { " "<strong class="late">{tr(lang, "（期限超過）", "(late)")}</strong> })}</dd>
            <dt>{tr(lang, "提出期限", "Due")}</dt><dd>{date_long(lang, r.due_on)}</dd>
        </dl>
    }
    .into_any()
}

/// The provider's part of `/provider/family-support`: ended activities to report.
#[component]
pub fn ProviderReports(lang: Lang, csrf: String) -> impl IntoView {
    let data = Resource::new(|| (), |_| get_fs_reports());
    let (_, error) = notice(lang);
    view! {
        <h2 id="reports">{tr(lang, "活動報告", "Activity reports")}</h2>
        <p class="muted">{tr(lang,
            "活動が終わったら、実際の時間と内容を報告してください（翌月10日まで）。利用料は規則から計算されます。ご家庭が確認するまでは訂正できます。",
            "After each activity, report the actual times and what was done (by the 10th of the next month). The fee is computed from the rules. You can correct it until the family confirms.")}</p>
        <Suspense fallback=move || loading(lang)>
            {move || {
                let csrf = csrf.clone();
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(list) if list.is_empty() => view! { <p>{tr(lang, "報告する活動はありません。", "No activities to report.")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="cards" id="my-reports">
                                {list.into_iter().map(|r| {
                                    let err = error.as_ref().filter(|(a, _)| *a == r.activity_id).map(|(_, e)| e.clone());
                                    view! {
                                        <li class="card report" data-state=r.state.clone()>
                                            <h3>{r.child_given_name.clone()}" — "{when(lang, r.booked_start)}</h3>
                                            {report_facts(lang, &r)}
                                            {(r.state != "confirmed").then(|| report_form(lang, csrf.clone(), &r, err))}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => failed(lang),
                    }
                })
            }}
        </Suspense>
    }
}

fn notices(lang: Lang) -> AnyView {
    let (saved, error) = notice(lang);
    view! {
        {saved.map(|s| view! { <p class="notice" role="status" id="saved">{s}</p> })}
        {error.map(|(_, e)| view! { <p class="error" role="alert" id="form-error">{e}</p> })}
    }
    .into_any()
}

/// `/parent/family-support`: the family's activity reports to confirm.
#[component]
pub fn ParentFsReportsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_fs_reports());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return view! { <h1>{tr(lang, "ファミリー・サポートの活動報告", "Family Support activity reports")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ファミリー・サポートの活動報告", "Family Support activity reports")}</h1>
            <p class="muted">{tr(lang,
                "提供会員さんからの報告です。内容と時間、利用料を確かめて「確認しました」を押してください。違っているときはセンターにご連絡ください。利用料は提供会員さんに直接お支払いください。",
                "Reports from your provider. Check the times, what was done and the fee, then press Confirm. If something is wrong, contact the center. The fee is paid to the provider directly.")}</p>
            {notices(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(list) if list.is_empty() => view! { <p>{tr(lang, "報告はまだありません。", "No reports yet.")}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="cards" id="family-reports">
                                    {list.into_iter().map(|r| {
                                        let confirm = r.report_id.clone().map(|id| format!("/parent/family-support/reports/{id}/confirm"));
                                        view! {
                                            <li class="card report" data-state=r.state.clone()>
                                                <h3>{r.child_given_name.clone()}" — "{r.provider_name.clone()}</h3>
                                                {report_facts(lang, &r)}
                                                {(r.state == "filed").then(|| confirm.map(|action| view! {
                                                    <form method="post" action=action>
                                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                                        <button type="submit">{tr(lang, "確認しました", "Confirm")}</button>
                                                    </form>
                                                }))}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn this_month() -> String {
    utc_to_local(Utc::now()).format("%Y-%m").to_string()
}

/// `/coordinator/family-support/reports?month=2026-11`: the month per pair.
#[component]
pub fn FsMonthPage() -> impl IntoView {
    let q = use_query_map();
    let month = move || q.with(|q| q.get("month")).unwrap_or_else(this_month);
    let data = Resource::new(month, get_fs_month);
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !super::is_staff(&info) {
            return view! { <h1>{tr(lang, "活動報告（月次）", "Activity reports (monthly)")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        view! {
            <h1>{tr(lang, "ファミリー・サポート 活動報告（月次）", "Family Support activity reports (monthly)")}</h1>
            <form method="get" action="/coordinator/family-support/reports" class="inline">
                <label>{tr(lang, "月", "Month")}" "<input type="month" name="month" value=month() required /></label>
                <button type="submit" class="secondary">{tr(lang, "表示", "Show")}</button>
            </form>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(m) => month_view(lang, m),
                        Err(_) => view! { <p class="error" role="alert">{tr(lang, "月は 2026-11 の形で指定してください。", "Give the month as 2026-11.")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn month_view(lang: Lang, m: FsMonthView) -> AnyView {
    let t = m.total;
    view! {
        <p id="month-total">
            {match lang {
                Lang::Ja => format!("活動 {}件・提出 {}件・確認済み {}件・未提出 {}件・期限超過 {}件・合計 {}・利用料 {}",
                    t.activities, t.filed, t.confirmed, t.missing, t.late, minutes_text(lang, t.minutes), yen(lang, t.fee_yen)),
                Lang::En => format!("{} activities, {} filed, {} confirmed, {} missing, {} late, {} in all, fees {}",
                    t.activities, t.filed, t.confirmed, t.missing, t.late, minutes_text(lang, t.minutes), yen(lang, t.fee_yen)),
            }}
            " "{tr(lang, "（提出期限：", "(due ")}{date_long(lang, m.due_on)}{tr(lang, "）", ")")}
        </p>
        {m.pairs.is_empty().then(|| view! { <p>{tr(lang, "この月の活動はありません。", "No activities this month.")}</p> })}
        <div class="table-scroll">
        <table id="pairs-month">
            <caption>{tr(lang, "ペアごとの集計（期限超過のあるペアが先頭）", "Per pair (pairs with late reports first)")}</caption>
            <thead><tr>
                <th scope="col">{tr(lang, "提供会員", "Provider")}</th>
                <th scope="col">{tr(lang, "お子さん", "Child")}</th>
                <th scope="col">{tr(lang, "活動", "Activities")}</th>
                <th scope="col">{tr(lang, "提出", "Filed")}</th>
                <th scope="col">{tr(lang, "確認済み", "Confirmed")}</th>
                <th scope="col">{tr(lang, "期限超過", "Late")}</th>
                <th scope="col">{tr(lang, "時間", "Time")}</th>
                <th scope="col">{tr(lang, "利用料", "Fees")}</th>
            </tr></thead>
            <tbody>
                {m.pairs.into_iter().map(|p| {
                    let s = p.summary;
                    view! {
                        <tr class={if s.late > 0 { "late" } else { "" }}>
                            <th scope="row">{p.provider_name.clone()}</th>
                            <td>{p.child_name.clone()}</td>
                            <td>{s.activities}</td>
                            <td>{s.filed}</td>
                            <td>{s.confirmed}</td>
                            <td>{s.late}</td>
                            <td>{minutes_text(lang, s.minutes)}</td>
                            <td>{yen(lang, s.fee_yen)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}
