//! The coordinator console (issue 7): the work overview, Family Support members and
//! requests, ranked candidates with their reasons and exclusions, batch matching for review,
//! and the provider's answer pages (by link, or signed in). Server-rendered; every action is
//! a plain form post, so it all works without wasm.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod calendar;
pub mod model;
pub mod queue;
pub mod reports;

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;
use hagukumi_domain::availability::utc_to_local;
use hagukumi_domain::matching::candidates::{Help, Reason};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app::with_session;
use crate::i18n::{date_long, tr};
use crate::model::SessionInfo;
use api::{
    get_batch, get_fs_board, get_fs_request, get_overview, get_proposal_by_token, get_provider_fs,
};
use model::{
    BatchView, CandidateView, FsBoard, FsRequestData, MemberView, PairView, ProposalView,
    RequestView,
};

pub(crate) fn loading(lang: Lang) -> impl IntoView {
    view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }
}

pub(crate) fn failed(lang: Lang) -> AnyView {
    view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。権限を確認してください。", "Could not load; check that you may see this.")}</p> }.into_any()
}

pub(crate) fn not_allowed(lang: Lang, signed_in: bool) -> AnyView {
    if signed_in {
        view! { <p class="error" role="alert">{tr(lang, "このページを見る権限がありません。", "You are not allowed to see this page.")}</p> }.into_any()
    } else {
        view! { <p><a href="/signin">{tr(lang, "ログインしてください", "Please sign in")}</a></p> }
            .into_any()
    }
}

pub(crate) fn is_staff(info: &SessionInfo) -> bool {
    info.viewer
        .as_ref()
        .is_some_and(|v| v.role == "coordinator" || v.role == "admin")
}

/// `saved` / `error` / `why` from the query string, as a notice.
fn outcome(lang: Lang) -> impl IntoView {
    let q = use_query_map();
    let (saved, error, why) = q.with_untracked(|q| (q.get("saved"), q.get("error"), q.get("why")));
    let saved = saved.map(|s| match s.as_str() {
        "proposed" => tr(
            lang,
            "提案しました。提供会員に回答用リンクを送ってください。",
            "Proposed. Send the provider the answer link.",
        ),
        "accepted" => tr(
            lang,
            "お引き受けいただきました。センターから事前打ち合わせのご連絡をします。",
            "Accepted. The center will contact you about the pre-meeting.",
        ),
        "declined" => tr(
            lang,
            "お断りの回答を受け付けました。",
            "Your answer (declined) was received.",
        ),
        "pre_meeting" => tr(
            lang,
            "事前打ち合わせの日時を保存しました。",
            "The pre-meeting was scheduled.",
        ),
        "pre_meeting_done" => tr(
            lang,
            "事前打ち合わせ済みにしました。活動を予約できます。",
            "Pre-meeting recorded; activities can be booked.",
        ),
        "approved" => tr(
            lang,
            "承認しました。ご家庭にメールでお知らせします。",
            "Approved; the family is emailed.",
        ),
        "request_declined" => tr(
            lang,
            "お断りしました。理由をご家庭にメールでお知らせします。",
            "Declined; the family is emailed the reason.",
        ),
        "waitlisted" => tr(
            lang,
            "キャンセル待ちにしました。ご家庭にメールでお知らせします。",
            "Moved to the waiting list; the family is emailed.",
        ),
        "extra-beds" | "extra-shifts" | "roster" => tr(
            lang,
            "定員を変更しました。入るキャンセル待ちには空きを案内しました。",
            "Capacity changed; waiting requests that now fit were offered a place.",
        ),
        "closures" => tr(
            lang,
            "休業日にしました。かかる予約を確認してください。",
            "The day is closed; check the bookings it hits.",
        ),
        "reopen" => tr(
            lang,
            "休業を取り消しました。入るキャンセル待ちには空きを案内しました。",
            "The day is open again; waiting requests that now fit were offered a place.",
        ),
        "cancelled" => tr(
            lang,
            "予約を取り消しました。ご家庭にメールでお知らせします。",
            "The booking was cancelled; the family is emailed.",
        ),
        _ => tr(lang, "保存しました。", "Saved."),
    });
    let error = error.map(|e| match (e.as_str(), why) {
        ("conflict", Some(w)) if lang == Lang::Ja => w,
        ("conflict", _) => {
            tr(lang, "この操作はできません。", "This cannot be done now.").to_owned()
        }
        (e, _) if e.contains("reason:required") => {
            tr(lang, "理由を入力してください。", "Please give the reason.").to_owned()
        }
        (e, _) if e.contains("rrule") => tr(
            lang,
            "RRULE の書き方を確認してください。",
            "Please check the RRULE.",
        )
        .to_owned(),
        (e, _) if e.contains("date:in_past") => tr(
            lang,
            "過去の日付は変更できません。",
            "A past date cannot be changed.",
        )
        .to_owned(),
        (e, _) if e.contains("child_present") => tr(
            lang,
            "事前打ち合わせはお子さんも一緒に行います。",
            "The child takes part in the pre-meeting.",
        )
        .to_owned(),
        _ => tr(
            lang,
            "入力内容を確認してください。",
            "Please check your input.",
        )
        .to_owned(),
    });
    view! {
        {saved.map(|s| view! { <p class="notice" role="status" id="saved">{s}</p> })}
        {error.map(|e| view! { <p class="error" role="alert" id="form-error">{e}</p> })}
    }
}

fn help_text(lang: Lang, help: &[Help]) -> String {
    help.iter()
        .map(|h| h.text().get(lang).to_owned())
        .collect::<Vec<_>>()
        .join(tr(lang, "・", ", "))
}

/// `FREQ=WEEKLY;BYDAY=TU,TH` → `毎週 火・木` / `weekly Tue, Thu`; other rules as written.
fn rule_text(lang: Lang, rule: &str) -> String {
    let upper = rule.to_ascii_uppercase();
    let days = upper
        .split(';')
        .find_map(|p| p.strip_prefix("BYDAY="))
        .map(|d| {
            d.split(',')
                .filter_map(|x| {
                    let i = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
                        .iter()
                        .position(|k| x.trim().ends_with(k))?;
                    Some(match lang {
                        Lang::Ja => ["月", "火", "水", "木", "金", "土", "日"][i],
                        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
                    })
                })
                .collect::<Vec<_>>()
        });
    match (upper.contains("FREQ=WEEKLY"), days) {
        (true, Some(d)) if !d.is_empty() => match lang {
            Lang::Ja => format!("毎週 {}", d.join("・")),
            Lang::En => format!("weekly {}", d.join(", ")),
        },
        _ => rule.to_owned(),
    }
}

fn time_span(start: &str, minutes: i32) -> String {
    let end = chrono::NaiveTime::parse_from_str(start, "%H:%M")
        .map(|t| {
            (t + chrono::Duration::minutes(i64::from(minutes)))
                .format("%H:%M")
                .to_string()
        })
        .unwrap_or_default();
    format!("{start}–{end}")
}

fn when(lang: Lang, t: DateTime<Utc>) -> String {
    let l = utc_to_local(t);
    format!("{} {}", date_long(lang, l.date()), l.format("%H:%M"))
}

fn need_text(lang: Lang, r: &RequestView) -> String {
    match lang {
        Lang::Ja => format!(
            "{} {}（{}〜{}、全{}回・週{}回まで）",
            rule_text(lang, &r.rule),
            time_span(&r.start_time, r.minutes),
            date_long(lang, r.first_date),
            date_long(lang, r.until),
            r.occurrences,
            r.per_week
        ),
        Lang::En => format!(
            "{} {} ({} to {}, {} times, at most {} a week)",
            rule_text(lang, &r.rule),
            time_span(&r.start_time, r.minutes),
            date_long(lang, r.first_date),
            date_long(lang, r.until),
            r.occurrences,
            r.per_week
        ),
    }
}

fn status_text(lang: Lang, s: &str) -> &'static str {
    match s {
        "open" => tr(lang, "未マッチング", "open"),
        "proposed" => tr(lang, "提案中（回答待ち）", "proposed (waiting)"),
        "paired" => tr(lang, "マッチング済み", "paired"),
        "closed" => tr(lang, "終了", "closed"),
        "accepted" => tr(lang, "承諾", "accepted"),
        "declined" => tr(lang, "辞退", "declined"),
        "expired" => tr(lang, "期限切れ", "expired"),
        "pre_meeting" => tr(lang, "事前打ち合わせ待ち", "waiting for pre-meeting"),
        "active" => tr(lang, "活動中", "active"),
        "ended" => tr(lang, "終了", "ended"),
        _ => "",
    }
}

fn role_text(lang: Lang, r: &str) -> &'static str {
    match r {
        "requesting" => tr(lang, "依頼会員", "requesting"),
        "providing" => tr(lang, "提供会員", "providing"),
        "both" => tr(lang, "両方会員", "both"),
        _ => "",
    }
}

fn reasons_list(lang: Lang, rs: Vec<Reason>, class: &'static str) -> impl IntoView {
    view! {
        <ul class=class>
            {rs.into_iter().map(|r| {
                let pts = (r.points != 0).then(|| format!(" (+{})", r.points));
                view! { <li data-code=r.code.clone()>{r.text.get(lang).to_owned()}{pts}</li> }
            }).collect_view()}
        </ul>
    }
}

/// `/coordinator`: what waits for the center.
#[component]
pub fn ConsoleHome() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_overview());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "コーディネーター画面", "Coordinator console")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        view! {
            <h1>{tr(lang, "コーディネーター画面", "Coordinator console")}</h1>
            <nav class="actions" aria-label=tr(lang, "メニュー", "Menu")>
                <a class="button" href="/coordinator/queue" id="to-queue">{tr(lang, "承認待ち", "Approval queue")}</a>
                <a class="button secondary" href="/coordinator/calendar">{tr(lang, "施設カレンダー", "Site calendars")}</a>
                <a class="button secondary" href="/coordinator/family-support">{tr(lang, "ファミリー・サポート", "Family Support")}</a>
                <a class="button secondary" href="/coordinator/matching">{tr(lang, "一括マッチング", "Batch matching")}</a>
                <a class="button secondary" href="/coordinator/dispatch">{tr(lang, "ヘルパー配置", "Helper dispatch")}</a>
                <a class="button secondary" href="/coordinator/family-support/reports">{tr(lang, "活動報告（月次）", "Activity reports")}</a>
                <a class="button secondary" href="/coordinator/home-start">{tr(lang, "ホームスタート", "Home-Start")}</a>
            </nav>
            <h2>{tr(lang, "対応待ち", "Waiting for you")}</h2>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! {
                            <dl class="facts" id="overview">
                                <dt>{tr(lang, "ファミサポ 未マッチングの依頼", "Family Support: open requests")}</dt>
                                <dd id="fs-open">{o.fs_open_requests}</dd>
                                <dt>{tr(lang, "提供会員の回答待ち", "Proposals waiting for an answer")}</dt>
                                <dd>{o.fs_proposals_waiting}</dd>
                                <dt>{tr(lang, "事前打ち合わせ待ちのペア", "Pairs waiting for the pre-meeting")}</dt>
                                <dd>{o.fs_pre_meetings_pending}</dd>
                                <dt>{tr(lang, "活動中のペア", "Active pairs")}</dt>
                                <dd>{o.fs_active_pairs}</dd>
                                {o.bookings_waiting.map(|n| view! {
                                    <dt>{tr(lang, "承認待ちの予約", "Bookings waiting for approval")}</dt>
                                    <dd id="bookings-waiting"><a href="/coordinator/queue">{n}</a></dd>
                                })}
                            </dl>
                        }.into_any(),
                        Err(_) => failed(lang),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn member_row(lang: Lang, m: MemberView) -> impl IntoView {
    let providing = m.role != "requesting";
    let refresher = m
        .lifesaving_refresher_on
        .map(|d| date_long(lang, d))
        .unwrap_or_else(|| tr(lang, "記録なし", "none").to_owned());
    let yes_no = move |b: bool| {
        if b {
            tr(lang, "可", "yes")
        } else {
            tr(lang, "不可", "no")
        }
    };
    let availability = m
        .availability
        .iter()
        .map(|w| {
            let start = w.dtstart.format("%H:%M").to_string();
            format!(
                "{} {}",
                rule_text(lang, &w.rule),
                time_span(&start, i32::try_from(w.minutes).unwrap_or(0))
            )
        })
        .collect::<Vec<_>>()
        .join(" / ");
    view! {
        <tr>
            <th scope="row">{m.display_name.clone()}</th>
            <td>{role_text(lang, &m.role)}</td>
            {if providing {
                view! {
                    <td>{format!("{}h", m.training_hours)}</td>
                    <td class=if m.refresher_valid { "" } else { "warn" }>
                        {refresher}
                        {(!m.refresher_valid).then(|| view! { <br /><strong>{tr(lang, "更新期限切れ", "expired")}</strong> })}
                    </td>
                    <td>{m.ages_text.get(lang).to_owned()}</td>
                    <td>{yes_no(m.sick_child)}" / "{yes_no(m.overnight)}</td>
                    <td>{match (m.home_lat, m.home_lon) { (Some(a), Some(b)) => format!("{a:.4}, {b:.4}"), _ => String::new() }}</td>
                    <td>{availability}</td>
                    <td>{m.max_per_week}</td>
                }.into_any()
            } else {
                view! { <td colspan="7" class="muted">"—"</td> }.into_any()
            }}
        </tr>
    }
}

fn pair_row(lang: Lang, csrf: String, p: PairView) -> impl IntoView {
    let schedule = format!("/coordinator/family-support/pairs/{}/pre-meeting", p.id);
    let done = format!(
        "/coordinator/family-support/pairs/{}/pre-meeting/done",
        p.id
    );
    let waiting = p.status == "pre_meeting";
    let csrf2 = csrf.clone();
    view! {
        <tr>
            <th scope="row">{p.child_name.clone()}</th>
            <td>{p.member_name.clone()}</td>
            <td>{help_text(lang, &p.help)}</td>
            <td>{format!("{}{}", p.fiscal_year, tr(lang, "年度", " FY"))}</td>
            <td>{status_text(lang, &p.status)}{p.valid_now.then(|| tr(lang, "（予約可）", " (can book)"))}</td>
            <td>
                {p.pre_meeting_at.map(|t| when(lang, t))}" "{p.pre_meeting_place.clone()}
                {p.pre_meeting_done_at.map(|_| view! { <br />{tr(lang, "実施済み", "held")} })}
                {waiting.then(|| view! {
                    <form method="post" action=schedule.clone() class="inline">
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <label>{tr(lang, "日時", "When")}" "<input type="datetime-local" name="scheduled_at" required /></label>
                        <label>{tr(lang, "場所", "Place")}" "<input name="place" maxlength="200" /></label>
                        <button type="submit" class="secondary">{tr(lang, "日時を決める", "Schedule")}</button>
                    </form>
                    <form method="post" action=done.clone() class="inline">
                        <input type="hidden" name="csrf" value=csrf2.clone() />
                        <label class="check"><input type="checkbox" name="child_present" />{tr(lang, "お子さんも参加した", "The child took part")}</label>
                        <button type="submit">{tr(lang, "打ち合わせ済みにする", "Mark as held")}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

fn board(lang: Lang, csrf: String, b: FsBoard) -> impl IntoView {
    view! {
        <section aria-labelledby="requests-h">
            <h2 id="requests-h">{tr(lang, "依頼", "Requests")}</h2>
            <table class="table" id="fs-requests">
                <thead><tr>
                    <th scope="col">{tr(lang, "お子さん", "Child")}</th>
                    <th scope="col">{tr(lang, "場所", "Place")}</th>
                    <th scope="col">{tr(lang, "日時", "When")}</th>
                    <th scope="col">{tr(lang, "援助内容", "Help")}</th>
                    <th scope="col">{tr(lang, "状況", "Status")}</th>
                    <th scope="col"></th>
                </tr></thead>
                <tbody>
                    {b.requests.into_iter().map(|r| {
                        let href = format!("/coordinator/family-support/requests/{}", r.id);
                        view! {
                            <tr>
                                <th scope="row">{r.child_name.clone()}</th>
                                <td>{r.place_label.clone()}</td>
                                <td>{need_text(lang, &r)}</td>
                                <td>{help_text(lang, &r.help)}</td>
                                <td>{status_text(lang, &r.status)}</td>
                                <td><a href=href>{tr(lang, "候補を見る", "Candidates")}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section aria-labelledby="pairs-h">
            <h2 id="pairs-h">{tr(lang, "ペア", "Pairs")}</h2>
            <table class="table" id="fs-pairs">
                <thead><tr>
                    <th scope="col">{tr(lang, "お子さん", "Child")}</th>
                    <th scope="col">{tr(lang, "提供会員", "Provider")}</th>
                    <th scope="col">{tr(lang, "援助内容", "Help")}</th>
                    <th scope="col">{tr(lang, "年度", "Year")}</th>
                    <th scope="col">{tr(lang, "状況", "Status")}</th>
                    <th scope="col">{tr(lang, "事前打ち合わせ", "Pre-meeting")}</th>
                </tr></thead>
                <tbody>
                    {b.pairs.into_iter().map(|p| pair_row(lang, csrf.clone(), p)).collect_view()}
                </tbody>
            </table>
        </section>
        <section aria-labelledby="members-h">
            <h2 id="members-h">{tr(lang, "会員", "Members")}</h2>
            <table class="table" id="fs-members">
                <thead><tr>
                    <th scope="col">{tr(lang, "氏名", "Name")}</th>
                    <th scope="col">{tr(lang, "種別", "Role")}</th>
                    <th scope="col">{tr(lang, "講習", "Training")}</th>
                    <th scope="col">{tr(lang, "救命講習（5年ごと）", "Lifesaving refresher (5 years)")}</th>
                    <th scope="col">{tr(lang, "受け入れ年齢", "Ages")}</th>
                    <th scope="col">{tr(lang, "病児 / 宿泊", "Sick child / overnight")}</th>
                    <th scope="col">{tr(lang, "自宅（緯度, 経度）", "Home (lat, lon)")}</th>
                    <th scope="col">{tr(lang, "活動できる時間", "Availability")}</th>
                    <th scope="col">{tr(lang, "週の上限", "Max a week")}</th>
                </tr></thead>
                <tbody>{b.members.into_iter().map(|m| member_row(lang, m)).collect_view()}</tbody>
            </table>
        </section>
    }
}

/// `/coordinator/family-support`: requests, pairs and members.
#[component]
pub fn FsBoardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_fs_board());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "ファミリー・サポート", "Family Support")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ファミリー・サポート", "Family Support")}</h1>
            <p><a href="/coordinator">{tr(lang, "← コーディネーター画面", "← Console")}</a>" · "
               <a href="/coordinator/matching">{tr(lang, "一括マッチング", "Batch matching")}</a></p>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(b) => board(lang, csrf, b).into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn candidate_card(
    lang: Lang,
    csrf: String,
    request_id: String,
    open: bool,
    c: CandidateView,
) -> impl IntoView {
    let action = format!("/coordinator/family-support/requests/{request_id}/propose");
    let summary = match lang {
        Lang::Ja => format!(
            "スコア {} ・ 対応可能 {}/{} 回 ・ {} ・ 現在 週{}回（上限 {}）",
            c.score,
            c.free_occurrences,
            c.total_occurrences,
            c.distance_km
                .map(|d| format!("約{d:.1}km"))
                .unwrap_or_else(|| "距離不明".into()),
            c.load_per_week,
            c.max_per_week
        ),
        Lang::En => format!(
            "score {} · free {}/{} · {} · now {} a week (limit {})",
            c.score,
            c.free_occurrences,
            c.total_occurrences,
            c.distance_km
                .map(|d| format!("{d:.1} km"))
                .unwrap_or_else(|| "distance unknown".into()),
            c.load_per_week,
            c.max_per_week
        ),
    };
    let eligible = c.eligible;
    let member_id = c.member_id.clone();
    view! {
        <li class=if eligible { "card candidate" } else { "card candidate excluded" } data-member=c.member_id.clone()>
            <strong class="name">{c.display_name.clone()}</strong>
            {c.continuity.then(|| view! { " "<span class="badge">{tr(lang, "継続", "continuity")}</span> })}
            <p class="muted">{summary}</p>
            {if eligible {
                reasons_list(lang, c.reasons, "reasons").into_any()
            } else {
                view! {
                    <p class="warn">{tr(lang, "提案できません：", "Cannot be proposed:")}</p>
                    {reasons_list(lang, c.exclusions, "exclusions")}
                }.into_any()
            }}
            {(eligible && open).then(|| view! {
                <form method="post" action=action.clone() class="inline">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <input type="hidden" name="member_id" value=member_id.clone() />
                    <label>{tr(lang, "事前打ち合わせ候補日時（任意）", "Pre-meeting (optional)")}" "
                        <input type="datetime-local" name="pre_meeting_at" /></label>
                    <button type="submit" class="propose">{tr(lang, "この方に提案する", "Propose")}</button>
                </form>
            })}
        </li>
    }
}

fn request_detail(lang: Lang, csrf: String, d: FsRequestData) -> impl IntoView {
    let r = d.request;
    let open = r.status == "open";
    let rid = r.id.clone();
    let q = use_query_map();
    let link = q.with_untracked(|q| q.get("link"));
    view! {
        <h1>{tr(lang, "依頼：", "Request: ")}{r.child_name.clone()}</h1>
        <dl class="facts">
            <dt>{tr(lang, "場所", "Place")}</dt><dd>{r.place_label.clone()}</dd>
            <dt>{tr(lang, "日時", "When")}</dt><dd>{need_text(lang, &r)}</dd>
            <dt>{tr(lang, "援助内容", "Help")}</dt><dd>{help_text(lang, &r.help)}</dd>
            <dt>{tr(lang, "状況", "Status")}</dt><dd id="request-status">{status_text(lang, &r.status)}</dd>
        </dl>
        {link.map(|l| view! {
            <p class="notice">{tr(lang, "回答用リンク（提供会員に送ってください）：", "Answer link (send it to the provider): ")}
                <a id="accept-link" href=l.clone()>{l.clone()}</a></p>
        })}
        {(!d.proposals.is_empty()).then(|| view! {
            <h2>{tr(lang, "提案", "Proposals")}</h2>
            <ul class="cards" id="proposals">
                {d.proposals.into_iter().map(|p| view! {
                    <li class="card">{p.member_name.clone()}" — "{status_text(lang, &p.status)}
                        {(!p.decision_note.is_empty()).then(|| format!("（{}）", p.decision_note))}</li>
                }).collect_view()}
            </ul>
        })}
        <h2>{tr(lang, "候補者（おすすめ順）", "Candidates (best first)")}</h2>
        <ol class="cards" id="candidates">
            {d.candidates.into_iter().map(|c| candidate_card(lang, csrf.clone(), rid.clone(), open, c)).collect_view()}
        </ol>
    }
}

/// `/coordinator/family-support/requests/{id}`: ranked candidates and the propose button.
#[component]
pub fn FsRequestPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        get_fs_request,
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "依頼", "Request")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <p><a href="/coordinator/family-support">{tr(lang, "← ファミリー・サポート", "← Family Support")}</a></p>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(d) => request_detail(lang, csrf, d).into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn batch_view(lang: Lang, csrf: String, b: BatchView) -> impl IntoView {
    let all = b
        .pairs
        .iter()
        .map(|p| format!("{}:{}", p.request_id, p.member_id))
        .collect::<Vec<_>>()
        .join(",");
    let any = !b.pairs.is_empty();
    let stats = match lang {
        Lang::Ja => format!(
            "未マッチングの依頼 {} 件 × 提供会員 {} 人、合計スコア {}（計算 {:.1} ms）",
            b.requests, b.providers, b.total_score, b.solve_ms
        ),
        Lang::En => format!(
            "{} open requests × {} providers, total score {} (computed in {:.1} ms)",
            b.requests, b.providers, b.total_score, b.solve_ms
        ),
    };
    view! {
        <p class="muted" id="batch-stats">{stats}</p>
        <table class="table" id="batch-pairs">
            <thead><tr>
                <th scope="col">{tr(lang, "お子さん", "Child")}</th>
                <th scope="col">{tr(lang, "場所", "Place")}</th>
                <th scope="col">{tr(lang, "提供会員", "Provider")}</th>
                <th scope="col">{tr(lang, "スコアと理由", "Score and reasons")}</th>
            </tr></thead>
            <tbody>
                {b.pairs.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">{p.child_name.clone()}</th>
                        <td>{p.place_label.clone()}</td>
                        <td>{p.display_name.clone()}</td>
                        <td>{p.score}{reasons_list(lang, p.reasons, "reasons")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!b.unmatched.is_empty()).then(|| view! {
            <h2>{tr(lang, "今回は割り当てられない依頼", "Requests left unmatched")}</h2>
            <ul id="batch-unmatched">
                {b.unmatched.into_iter().map(|u| view! {
                    <li>{u.child_name.clone()}" — "{u.place_label.clone()}" ("
                        {tr(lang, "候補", "candidates")}" "{u.eligible_candidates}")"</li>
                }).collect_view()}
            </ul>
        })}
        {any.then(|| view! {
            <form method="post" action="/coordinator/matching/confirm">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="pairs" value=all.clone() />
                <button type="submit" id="confirm-batch">{tr(lang, "この組み合わせで提案する", "Propose these pairs")}</button>
            </form>
        })}
    }
}

/// `/coordinator/matching`: the optimal plan for all open requests, for review.
#[component]
pub fn MatchingPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_batch());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "一括マッチング", "Batch matching")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "一括マッチング", "Batch matching")}</h1>
            <p class="muted">{tr(lang,
                "未マッチングの依頼すべてについて、提案できない条件（救命講習の期限、年齢、病児・宿泊、週の上限）を守りながら、できるだけ多くの家庭に、合計スコアが最大になる組み合わせを計算します。確認してから提案してください。",
                "For all open requests: as many families as possible, then the highest total score, under the same hard rules (refresher, ages, sick-child/overnight, weekly limits). Review, then propose.")}</p>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(b) => batch_view(lang, csrf, b).into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn proposal_card(lang: Lang, csrf: String, p: ProposalView, action_base: String) -> impl IntoView {
    let waiting = p.status == "proposed";
    let accept = format!("{action_base}/accept");
    let decline = format!("{action_base}/decline");
    let csrf2 = csrf.clone();
    let need = RequestView {
        id: String::new(),
        child_name: String::new(),
        child_birth_date: p.child_birth_date,
        place_label: p.place_label.clone(),
        rule: p.rule.clone(),
        first_date: p.first_date,
        start_time: p.start_time.clone(),
        minutes: p.minutes,
        until: p.until,
        help: p.help.clone(),
        status: String::new(),
        occurrences: p.occurrences,
        per_week: 0,
    };
    view! {
        <article class="card proposal">
            <dl class="facts">
                <dt>{tr(lang, "お子さん", "Child")}</dt><dd>{p.child_given_name.clone()}</dd>
                <dt>{tr(lang, "場所", "Place")}</dt><dd>{p.place_label.clone()}</dd>
                <dt>{tr(lang, "日時", "When")}</dt>
                <dd>{rule_text(lang, &need.rule)}" "{time_span(&need.start_time, need.minutes)}" "
                    {date_long(lang, need.first_date)}" 〜 "{date_long(lang, need.until)}</dd>
                <dt>{tr(lang, "援助内容", "Help")}</dt><dd>{help_text(lang, &p.help)}</dd>
                {p.pre_meeting_at.map(|t| view! {
                    <dt>{tr(lang, "事前打ち合わせ（候補）", "Pre-meeting (suggested)")}</dt><dd>{when(lang, t)}</dd>
                })}
                <dt>{tr(lang, "状況", "Status")}</dt><dd class="status">{status_text(lang, &p.status)}</dd>
                <dt>{tr(lang, "回答期限", "Answer by")}</dt><dd>{when(lang, p.expires_at)}</dd>
            </dl>
            {waiting.then(|| view! {
                <form method="post" action=accept.clone() class="inline">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <button type="submit" class="accept">{tr(lang, "引き受ける", "Accept")}</button>
                </form>
                <form method="post" action=decline.clone() class="inline">
                    <input type="hidden" name="csrf" value=csrf2.clone() />
                    <label>{tr(lang, "理由（任意）", "Reason (optional)")}" "<input name="note" maxlength="500" /></label>
                    <button type="submit" class="secondary decline">{tr(lang, "お断りする", "Decline")}</button>
                </form>
            })}
        </article>
    }
}

/// `/fs/proposals/{token}`: the provider answers by the link they were sent.
#[component]
pub fn ProposalLinkPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("token").unwrap_or_default()),
        get_proposal_by_token,
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ファミリー・サポート 活動のご依頼", "Family Support: a request for you")}</h1>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
                        match data.await {
                            Ok(p) => proposal_card(lang, csrf, p, format!("/fs/proposals/{token}")).into_any(),
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "このリンクは無効です。", "This link is not valid.")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
    })
}

/// `/provider/family-support`: the signed-in provider's proposals and pairs.
#[component]
pub fn ProviderFsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_provider_fs());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "provider") {
            return view! { <h1>{tr(lang, "ファミリー・サポート", "Family Support")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        let report_csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ファミリー・サポート（提供会員）", "Family Support (provider)")}</h1>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(d) => view! {
                                <h2>{tr(lang, "ご依頼", "Proposals")}</h2>
                                {d.proposals.is_empty().then(|| view! { <p>{tr(lang, "ご依頼はありません。", "No proposals.")}</p> })}
                                <div id="my-proposals">
                                    {d.proposals.into_iter().map(|p| {
                                        let base = format!("/provider/family-support/proposals/{}", p.id);
                                        proposal_card(lang, csrf.clone(), p, base)
                                    }).collect_view()}
                                </div>
                                <h2>{tr(lang, "ペア", "Pairs")}</h2>
                                <ul class="cards" id="my-pairs">
                                    {d.pairs.into_iter().map(|p| view! {
                                        <li class="card">{p.child_name.clone()}" — "{help_text(lang, &p.help)}" — "{status_text(lang, &p.status)}
                                            {p.pre_meeting_at.map(|t| view! { <br />{tr(lang, "事前打ち合わせ：", "Pre-meeting: ")}{when(lang, t)}" "{p.pre_meeting_place.clone()}})}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
            <reports::ProviderReports lang=lang csrf=report_csrf />
        }
        .into_any()
    })
}
