//! Home-Start (ホームスタート) pages: the coordinator's list of plans with a form to start
//! one (`/coordinator/home-start`), a plan's page where the assessment, the visitor, the
//! weekly visits (each occurrence's fit shown before committing), the review, closing and
//! cancelling are done (`/coordinator/home-start/:id`), and the family's read-only view
//! (`/parent/home-start`). Every page says the parent is present at every visit. All
//! actions are plain form posts, so the pages work without wasm.

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::Lang;
use hagukumi_domain::availability::utc_to_local;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::app::with_session;
use crate::console::{failed, is_staff, loading, not_allowed};
use crate::i18n::{date_long, tr};
use crate::model::SessionInfo;

// ---- Models (the API's field names) ---------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsVisit {
    pub id: String,
    pub kind: String,
    pub kind_label_ja: String,
    pub kind_label_en: String,
    pub visitor_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub parent_present: bool,
    pub status: String,
    pub sequence: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsPlan {
    pub id: String,
    pub household_id: String,
    pub status: String,
    pub visit_count: i32,
    pub visitor_id: Option<String>,
    pub visitor_name: Option<String>,
    pub weekly_rrule: Option<String>,
    pub area: String,
    pub family_label: String,
    pub notes: String,
    pub cancel_reason: Option<String>,
    pub parent_present_ja: String,
    pub parent_present_en: String,
    pub visits: Vec<HsVisit>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsHousehold {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsBoard {
    /// Today in Japan (the server's clock).
    pub today: NaiveDate,
    pub plans: Vec<HsPlan>,
    pub households: Vec<HsHousehold>,
    pub min_visits: u32,
    pub max_visits: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsVisitor {
    pub id: String,
    pub name: String,
    pub eligible: bool,
    pub code: Option<String>,
    pub message_ja: Option<String>,
    pub message_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsOccurrence {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub fits: bool,
    pub code: Option<String>,
    pub message_ja: Option<String>,
    pub message_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsPreview {
    pub occurrences: Vec<HsOccurrence>,
    pub all_fit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsPlanPage {
    pub plan: HsPlan,
    pub visitors: Vec<HsVisitor>,
    pub preview: Option<HsPreview>,
    /// Why the series could not be expanded (Japanese, English).
    pub preview_error: Option<(String, String)>,
    pub rrule: String,
    /// `YYYY-MM-DDTHH:MM`, as the form sent it.
    pub first_start: String,
}

// ---- Port and server functions -------------------------------------------------------

#[cfg(feature = "ssr")]
pub mod port {
    use std::sync::Arc;

    use http::request::Parts;

    use super::{HsBoard, HsPlan, HsPlanPage};

    /// Errors are short codes: `unauthorized`, `not-found`, `unavailable`.
    #[async_trait::async_trait]
    pub trait HomeStartBackend: Send + Sync + 'static {
        async fn board(&self, request: &Parts) -> Result<HsBoard, String>;
        async fn plan(
            &self,
            request: &Parts,
            id: String,
            rrule: Option<String>,
            first_start: Option<String>,
        ) -> Result<HsPlanPage, String>;
        /// The signed-in parent's own plans.
        async fn mine(&self, request: &Parts) -> Result<Vec<HsPlan>, String>;
    }

    pub type SharedHomeStart = Arc<dyn HomeStartBackend>;
}

#[cfg(feature = "ssr")]
fn context() -> Result<(port::SharedHomeStart, http::request::Parts), ServerFnError> {
    let backend = use_context::<crate::backend::SharedBackend>()
        .ok_or_else(|| ServerFnError::new("backend missing"))?;
    let hs = backend
        .home_start()
        .ok_or_else(|| ServerFnError::new("home-start missing"))?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| ServerFnError::new("request missing"))?;
    Ok((hs, parts))
}

#[server(prefix = "/sfn", endpoint = "hs_board")]
pub async fn get_hs_board() -> Result<HsBoard, ServerFnError> {
    let (b, parts) = context()?;
    b.board(&parts).await.map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "hs_plan")]
pub async fn get_hs_plan(
    id: String,
    rrule: Option<String>,
    first_start: Option<String>,
) -> Result<HsPlanPage, ServerFnError> {
    let (b, parts) = context()?;
    b.plan(&parts, id, rrule, first_start)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/sfn", endpoint = "hs_mine")]
pub async fn get_hs_mine() -> Result<Vec<HsPlan>, ServerFnError> {
    let (b, parts) = context()?;
    b.mine(&parts).await.map_err(ServerFnError::new)
}

// ---- Pieces --------------------------------------------------------------------------

fn pick(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn when(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let (a, b) = (utc_to_local(start), utc_to_local(end));
    format!(
        "{} {}–{}",
        date_long(lang, a.date()),
        a.format("%H:%M"),
        b.format("%H:%M")
    )
}

fn status_label(lang: Lang, s: &str) -> &'static str {
    match s {
        "assessment" => tr(lang, "アセスメント", "Assessment"),
        "active" => tr(lang, "訪問中", "Active"),
        "closed" => tr(lang, "終了", "Closed"),
        "cancelled" => tr(lang, "中止", "Cancelled"),
        "scheduled" => tr(lang, "予定", "Scheduled"),
        _ => "",
    }
}

/// `saved` / `error` / `why` from the query string.
fn outcome(lang: Lang) -> impl IntoView {
    let q = use_query_map();
    let (saved, error, why) = q.with_untracked(|q| (q.get("saved"), q.get("error"), q.get("why")));
    let saved = saved.map(|s| match s.as_str() {
        "created" => tr(lang, "計画を作成しました。", "The plan was created."),
        "assessment" => tr(
            lang,
            "アセスメント訪問を予定しました。",
            "The assessment visit is scheduled.",
        ),
        "visitor" => tr(lang, "ビジターを決めました。", "The visitor is assigned."),
        "visits" => tr(
            lang,
            "週1回の訪問を予定しました。",
            "The weekly visits are scheduled.",
        ),
        "review" => tr(
            lang,
            "振り返り訪問を予定しました。",
            "The closing review is scheduled.",
        ),
        "closed" => tr(lang, "計画を終了しました。", "The plan is closed."),
        "cancelled" => tr(lang, "計画を中止しました。", "The plan is cancelled."),
        _ => tr(lang, "保存しました。", "Saved."),
    });
    let error = error.map(|e| {
        if e == "conflict" {
            why.unwrap_or_else(|| {
                tr(lang, "この操作はできません。", "Not possible now.").to_owned()
            })
        } else {
            format!(
                "{} ({e})",
                tr(
                    lang,
                    "入力内容を確認してください。",
                    "Please check your input."
                )
            )
        }
    });
    view! {
        {saved.map(|d| view! { <p class="notice" role="status">{d}</p> })}
        {error.map(|e| view! { <p class="error" role="alert" id="form-error">{e}</p> })}
    }
}

fn parent_present(lang: Lang, p: &HsPlan) -> AnyView {
    view! {
        <p class="notice parent-present" id="parent-present">
            <strong>{tr(lang, "保護者同席：", "Parent present: ")}</strong>
            {pick(lang, &p.parent_present_ja, &p.parent_present_en)}
        </p>
    }
    .into_any()
}

fn visits_table(lang: Lang, p: &HsPlan) -> AnyView {
    if p.visits.is_empty() {
        return view! { <p class="muted">{tr(lang, "まだ訪問の予定はありません。", "No visits scheduled yet.")}</p> }.into_any();
    }
    view! {
        <table id="visits">
            <thead><tr>
                <th scope="col">{tr(lang, "日時", "When")}</th>
                <th scope="col">{tr(lang, "訪問", "Visit")}</th>
                <th scope="col">{tr(lang, "保護者", "Parent")}</th>
                <th scope="col">{tr(lang, "状態", "Status")}</th>
            </tr></thead>
            <tbody>
                {p.visits.iter().map(|v| view! {
                    <tr data-visit=v.id.clone() data-kind=v.kind.clone() data-status=v.status.clone()>
                        <td>{when(lang, v.starts_at, v.ends_at)}</td>
                        <td>{pick(lang, &v.kind_label_ja, &v.kind_label_en)}</td>
                        <td>{if v.parent_present { tr(lang, "同席", "Present") } else { "" }}</td>
                        <td>{status_label(lang, &v.status)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn plan_facts(lang: Lang, p: &HsPlan) -> AnyView {
    view! {
        <dl class="facts">
            <dt>{tr(lang, "ご家庭", "Family")}</dt>
            <dd id="family">{format!("{} {}", p.family_label, p.area)}</dd>
            <dt>{tr(lang, "状態", "Status")}</dt>
            <dd id="status">{status_label(lang, &p.status)}</dd>
            <dt>{tr(lang, "訪問回数", "Weekly visits")}</dt>
            <dd id="visit-count">{p.visit_count}</dd>
            <dt>{tr(lang, "ホームビジター", "Visitor")}</dt>
            <dd id="visitor">{p.visitor_name.clone().unwrap_or_else(|| tr(lang, "未定", "Not yet assigned").to_owned())}</dd>
        </dl>
    }
    .into_any()
}

// ---- Coordinator: list ---------------------------------------------------------------

#[component]
pub fn HsBoardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_hs_board());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "ホームスタート", "Home-Start")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ホームスタート", "Home-Start")}</h1>
            <p><a href="/coordinator">{tr(lang, "← コンソールに戻る", "← Back to the console")}</a></p>
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

fn board(lang: Lang, csrf: String, b: HsBoard) -> impl IntoView {
    let today = b.today;
    view! {
        <section aria-labelledby="plans-h">
            <h2 id="plans-h">{tr(lang, "計画", "Plans")}</h2>
            {if b.plans.is_empty() {
                view! { <p class="muted">{tr(lang, "計画はまだありません。", "No plans yet.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" id="plans">
                        {b.plans.into_iter().map(|p| {
                            let next = p.visits.iter().find(|v| v.status == "scheduled" && v.day >= today)
                                .map(|v| when(lang, v.starts_at, v.ends_at));
                            view! {
                                <li class="card" data-plan=p.id.clone()>
                                    <a href=format!("/coordinator/home-start/{}", p.id)>
                                        <strong>{format!("{} {}", p.family_label, p.area)}</strong>
                                    </a>
                                    " "<span class="badge">{status_label(lang, &p.status)}</span>
                                    " "<span>{p.visitor_name.clone().unwrap_or_else(|| tr(lang, "ビジター未定", "no visitor yet").to_owned())}</span>
                                    {next.map(|n| view! { <span class="muted">{format!(" · {} {n}", tr(lang, "次回", "next"))}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="new-h">
            <h2 id="new-h">{tr(lang, "新しい計画（ご家庭の申し込み）", "New plan (on the family's request)")}</h2>
            <form method="post" action="/coordinator/home-start/plans" id="new-plan">
                <input type="hidden" name="csrf" value=csrf />
                <p>
                    <label for="household_id">{tr(lang, "ご家庭", "Household")}</label>
                    <select id="household_id" name="household_id" required>
                        {b.households.into_iter().map(|h| view! { <option value=h.id>{h.label}</option> }).collect_view()}
                    </select>
                </p>
                <p>
                    <label for="visit_count">{format!("{} ({}–{})", tr(lang, "週1回の訪問の回数", "Number of weekly visits"), b.min_visits, b.max_visits)}</label>
                    <input type="number" id="visit_count" name="visit_count" min=b.min_visits max=b.max_visits value=b.min_visits required />
                </p>
                <p>
                    <label for="notes">{tr(lang, "メモ（センター内）", "Notes (for the center)")}</label>
                    <textarea id="notes" name="notes" rows="2"></textarea>
                </p>
                <button type="submit">{tr(lang, "計画を作成", "Create the plan")}</button>
            </form>
        </section>
    }
}

// ---- Coordinator: one plan -----------------------------------------------------------

#[component]
pub fn HsPlanPageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| q.get("rrule")),
                query.with(|q| q.get("first_start")),
            )
        },
        |(id, rrule, first)| get_hs_plan(id, rrule, first),
    );
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "ホームスタート", "Home-Start")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "ホームスタート計画", "Home-Start plan")}</h1>
            <p><a href="/coordinator/home-start">{tr(lang, "← 計画の一覧", "← All plans")}</a></p>
            {outcome(lang)}
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(d) => plan_page(lang, csrf, d).into_any(),
                            Err(_) => failed(lang),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

fn hidden(csrf: &str) -> AnyView {
    view! { <input type="hidden" name="csrf" value=csrf.to_owned() /> }.into_any()
}

fn plan_page(lang: Lang, csrf: String, d: HsPlanPage) -> impl IntoView {
    let p = d.plan.clone();
    let base = format!("/coordinator/home-start/{}", p.id);
    let open = p.status == "assessment" || p.status == "active";
    let active = p.status == "active";
    let assessment = p
        .visits
        .iter()
        .any(|v| v.kind == "assessment" && v.status == "scheduled");
    let rrule = if d.rrule.is_empty() {
        p.weekly_rrule
            .clone()
            .unwrap_or_else(|| format!("FREQ=WEEKLY;COUNT={}", p.visit_count))
    } else {
        d.rrule.clone()
    };
    let preview = d.preview.clone().map(|pv| {
        let commit = format!("{base}/visits");
        view! {
            <h3>{tr(lang, "各回の確認", "Each visit checked")}</h3>
            <ol id="preview">
                {pv.occurrences.iter().map(|o| view! {
                    <li class=if o.fits { "fits" } else { "conflict" } data-fits=o.fits.to_string()>
                        {when(lang, o.starts_at, o.ends_at)}" — "
                        {if o.fits {
                            tr(lang, "可（保護者同席）", "fits (parent present)").to_owned()
                        } else {
                            pick(lang, o.message_ja.as_deref().unwrap_or(""), o.message_en.as_deref().unwrap_or(""))
                        }}
                    </li>
                }).collect_view()}
            </ol>
            {if pv.all_fit {
                view! {
                    <form method="post" action=commit id="commit-visits">
                        {hidden(&csrf)}
                        <input type="hidden" name="rrule" value=d.rrule.clone() />
                        <input type="hidden" name="first_start" value=d.first_start.clone() />
                        <button type="submit">{tr(lang, "この日程で確定する", "Commit these visits")}</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="error">{tr(lang, "合わない回があります。日時や規則を変えてください。", "Some visits do not fit; change the time or the rule.")}</p> }.into_any()
            }}
        }
    });
    let preview_error = d
        .preview_error
        .clone()
        .map(|(ja, en)| view! { <p class="error" role="alert" id="preview-error">{pick(lang, &ja, &en)}</p> });
    view! {
        {plan_facts(lang, &p)}
        {parent_present(lang, &p)}
        {(!p.notes.is_empty()).then(|| view! { <p class="notes">{p.notes.clone()}</p> })}
        {p.cancel_reason.clone().map(|r| view! { <p class="muted">{tr(lang, "中止の理由：", "Cancelled because: ")}{r}</p> })}
        <h2>{tr(lang, "訪問", "Visits")}</h2>
        {visits_table(lang, &p)}
        {open.then(|| view! {
            <section aria-labelledby="assess-h">
                <h2 id="assess-h">{tr(lang, "1. アセスメント訪問（オーガナイザー）", "1. Assessment visit (organiser)")}</h2>
                <form method="post" action=format!("{base}/assessment")>
                    {hidden(&csrf)}
                    <label for="assessment_at">{tr(lang, "日時", "Date and time")}</label>
                    <input type="datetime-local" id="assessment_at" name="starts_at" required />
                    <button type="submit" class="secondary">{if assessment { tr(lang, "変更する", "Move it") } else { tr(lang, "予定する", "Schedule") }}</button>
                </form>
            </section>
            <section aria-labelledby="visitor-h">
                <h2 id="visitor-h">{tr(lang, "2. ホームビジター", "2. Visitor")}</h2>
                <ul class="cards" id="visitor-candidates">
                    {d.visitors.iter().map(|v| view! {
                        <li class="card" data-visitor=v.id.clone() data-eligible=v.eligible.to_string()>
                            <strong>{v.name.clone()}</strong>" "
                            {if v.eligible {
                                tr(lang, "担当できます", "available").to_owned()
                            } else {
                                pick(lang, v.message_ja.as_deref().unwrap_or(""), v.message_en.as_deref().unwrap_or(""))
                            }}
                        </li>
                    }).collect_view()}
                </ul>
                <form method="post" action=format!("{base}/visitor")>
                    {hidden(&csrf)}
                    <label for="visitor_id">{tr(lang, "担当するビジター", "Visitor to assign")}</label>
                    <select id="visitor_id" name="visitor_id">
                        {d.visitors.iter().filter(|v| v.eligible).map(|v| view! { <option value=v.id.clone()>{v.name.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">{tr(lang, "決める", "Assign")}</button>
                </form>
            </section>
        })}
        {active.then(|| view! {
            <section aria-labelledby="weekly-h">
                <h2 id="weekly-h">{tr(lang, "3. 週1回の訪問（約2時間）", "3. Weekly visits (about 2 hours)")}</h2>
                <form method="get" action=base.clone() id="preview-form">
                    <p>
                        <label for="first_start">{tr(lang, "初回の日時", "First visit")}</label>
                        <input type="datetime-local" id="first_start" name="first_start" value=d.first_start.clone() required />
                    </p>
                    <p>
                        <label for="rrule">{tr(lang, "繰り返し（RRULE）", "Repeat (RRULE)")}</label>
                        <input type="text" id="rrule" name="rrule" value=rrule class="wide" required />
                    </p>
                    <button type="submit" class="secondary">{tr(lang, "各回を確認する", "Check each visit")}</button>
                </form>
                {preview_error}
                {preview}
            </section>
            <section aria-labelledby="review-h">
                <h2 id="review-h">{tr(lang, "4. 振り返り訪問（オーガナイザー）", "4. Closing review (organiser)")}</h2>
                <form method="post" action=format!("{base}/review")>
                    {hidden(&csrf)}
                    <label for="review_at">{tr(lang, "日時", "Date and time")}</label>
                    <input type="datetime-local" id="review_at" name="starts_at" required />
                    <button type="submit" class="secondary">{tr(lang, "予定する", "Schedule")}</button>
                </form>
                <form method="post" action=format!("{base}/close")>
                    {hidden(&csrf)}
                    <button type="submit" class="secondary" id="close-plan">{tr(lang, "計画を終了する", "Close the plan")}</button>
                </form>
            </section>
        })}
        {open.then(|| view! {
            <section aria-labelledby="cancel-h">
                <h2 id="cancel-h">{tr(lang, "中止", "Cancel")}</h2>
                <form method="post" action=format!("{base}/cancel")>
                    {hidden(&csrf)}
                    <label for="reason">{tr(lang, "理由", "Reason")}</label>
                    <input type="text" id="reason" name="reason" />
                    <button type="submit" class="secondary" id="cancel-plan">{tr(lang, "計画を中止する", "Cancel the plan")}</button>
                </form>
            </section>
        })}
    }
}

// ---- Parent -------------------------------------------------------------------------

#[component]
pub fn HsParentPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_hs_mine());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return view! { <h1>{tr(lang, "ホームスタート", "Home-Start")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        view! {
            <h1>{tr(lang, "ホームスタート（ホームビジター）", "Home-Start (home visitor)")}</h1>
            <p><a href="/parent">{tr(lang, "← マイページ", "← My page")}</a></p>
            <Suspense fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(plans) if plans.is_empty() => view! {
                            <p class="muted">{tr(lang, "ホームスタートの計画はありません。センターにご相談ください。", "You have no Home-Start plan. Please ask the center.")}</p>
                        }.into_any(),
                        Ok(plans) => plans.into_iter().map(|p| view! {
                            <section class="card" data-plan=p.id.clone()>
                                {plan_facts(lang, &p)}
                                {parent_present(lang, &p)}
                                {visits_table(lang, &p)}
                            </section>
                        }).collect_view().into_any(),
                        Err(_) => failed(lang),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}
