//! `/coordinator/queue`: requests waiting for approval, oldest first, each with what
//! the decision needs; approve, decline with a reason, or move to the waiting list by
//! plain form posts (no wasm needed).

use hagukumi_domain::Lang;
use leptos::prelude::*;

use super::api::get_queue;
use super::model::QueueItem;
use super::{failed, is_staff, loading, not_allowed, outcome};
use crate::app::with_session;
use crate::booking::yen;
use crate::i18n::{age_text, date_long, tr};
use crate::model::SessionInfo;

fn when(lang: Lang, q: &QueueItem) -> String {
    let end = if q.start.date() == q.end.date() {
        q.end.format("%H:%M").to_string()
    } else {
        format!(
            "{} {}",
            date_long(lang, q.end.date()),
            q.end.format("%H:%M")
        )
    };
    format!(
        "{} {}{}{end}",
        date_long(lang, q.start.date()),
        q.start.format("%H:%M"),
        tr(lang, "〜", "–")
    )
}

fn item(lang: Lang, csrf: String, q: QueueItem) -> impl IntoView {
    let base = format!("/coordinator/queue/{}", q.id);
    let (approve, decline, waitlist) = (
        format!("{base}/approve"),
        format!("{base}/decline"),
        format!("{base}/waitlist"),
    );
    let reason_id = format!("reason-{}", q.id);
    let note_id = format!("note-{}", q.id);
    let heading = format!(
        "{} {}",
        q.service_name.get(lang),
        q.site_name
            .as_ref()
            .map(|s| s.get(lang).to_owned())
            .unwrap_or_default()
    );
    let on = q.start.date();
    let f = q.family.clone();
    let facts = [
        (f.single_parent, tr(lang, "ひとり親", "single parent")),
        (
            f.public_assistance,
            tr(lang, "生活保護", "public assistance"),
        ),
        (f.tax_exempt, tr(lang, "住民税非課税", "tax-exempt")),
        (f.multiple_birth, tr(lang, "多胎", "multiple birth")),
    ]
    .into_iter()
    .filter(|(b, _)| *b)
    .map(|(_, t)| t)
    .collect::<Vec<_>>();
    let facts = if facts.is_empty() {
        tr(lang, "該当なし", "none").to_owned()
    } else {
        facts.join(tr(lang, "・", ", "))
    };
    let (c1, c2, c3) = (csrf.clone(), csrf.clone(), csrf);
    let conflicts = q.conflicts.clone();
    view! {
        <li class="card queue-item" data-id=q.id.clone() data-service=q.service.clone()>
            <h2>{heading}</h2>
            <dl class="facts">
                <dt>{tr(lang, "予約番号", "Number")}</dt><dd class="reference">{q.reference.clone()}</dd>
                <dt>{tr(lang, "日時", "When")}</dt><dd>{when(lang, &q)}</dd>
                <dt>{tr(lang, "申込日時", "Requested")}</dt>
                <dd>{hagukumi_domain::availability::utc_to_local(q.requested_at).format("%Y-%m-%d %H:%M").to_string()}</dd>
                <dt>{tr(lang, "利用理由", "Reason for use")}</dt>
                <dd>{q.reason.as_ref().map(|r| r.get(lang).to_owned()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{tr(lang, "保護者", "Parent")}</dt><dd>{f.parent_name.clone()}</dd>
                <dt>{tr(lang, "世帯の状況", "Household")}</dt>
                <dd class="household">{facts}" "
                    {if f.confirmed {
                        view! { <span class="badge">{tr(lang, "確認済み", "confirmed")}</span> }.into_any()
                    } else {
                        view! { <strong class="warn">{tr(lang, "未確認（自己申告）", "not confirmed (self-declared)")}</strong> }.into_any()
                    }}
                </dd>
                <dt>{tr(lang, "お子さん", "Children")}</dt>
                <dd>
                    <ul class="children">
                        {q.children.iter().map(|c| {
                            let verdict = if c.eligible { tr(lang, "○ 対象", "○ eligible") } else { tr(lang, "× 対象外", "× not eligible") };
                            let reasons = c.reasons.iter().map(|r| r.get(lang).to_owned()).collect::<Vec<_>>().join(" / ");
                            view! {
                                <li class=if c.eligible { "eligible" } else { "warn ineligible" }>
                                    {c.name.clone()}" ("{age_text(lang, c.birth_date, on)}") "{verdict}
                                    {(!reasons.is_empty()).then(|| format!(": {reasons}"))}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </dd>
                <dt>{tr(lang, "利用回数", "Quota")}</dt>
                <dd class="quotas">{if q.quotas.is_empty() {
                    tr(lang, "上限なし", "no limit").to_owned()
                } else {
                    q.quotas.iter().map(|t| t.get(lang).to_owned()).collect::<Vec<_>>().join(" / ")
                }}</dd>
                <dt>{tr(lang, "利用料", "Fee")}</dt>
                <dd class="fee">{yen(lang, q.total_yen)}
                    {(q.coupon_yen > 0).then(|| format!(" ({} {} − {} {})",
                        tr(lang, "料金", "fee"), yen(lang, q.fee_yen), tr(lang, "クーポン", "coupon"), yen(lang, q.coupon_yen)))}</dd>
                <dt>{tr(lang, "空き状況", "Capacity")}</dt>
                <dd><ul class="capacity">
                    {q.capacity.iter().map(|c| view! {
                        <li class=if c.full { "warn" } else { "" }>{c.text.get(lang).to_owned()}</li>
                    }).collect_view()}
                </ul></dd>
            </dl>
            {if conflicts.is_empty() {
                view! { <p class="notice no-conflicts">{tr(lang, "重なり・定員超過はありません。", "No conflicts.")}</p> }.into_any()
            } else {
                view! {
                    <div role="group" aria-label=tr(lang, "注意", "Conflicts")>
                        <p class="warn"><strong>{tr(lang, "注意：", "Conflicts:")}</strong></p>
                        <ul class="conflicts">
                            {conflicts.into_iter().map(|c| view! {
                                <li class="warn" data-code=c.code.clone()>{c.message.get(lang).to_owned()}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any()
            }}
            <div class="actions">
                <form method="post" action=approve class="inline">
                    <input type="hidden" name="csrf" value=c1 />
                    <button type="submit" class="approve">{tr(lang, "承認する", "Approve")}</button>
                </form>
            </div>
            <form method="post" action=decline class="inline decline">
                <input type="hidden" name="csrf" value=c2 />
                <label for=reason_id.clone()>{tr(lang, "お断りの理由（必須・ご家庭に伝わります）", "Reason (required; the family reads it)")}</label>
                <input id=reason_id.clone() name="reason" required maxlength="500" />
                <button type="submit" class="secondary decline">{tr(lang, "お断りする", "Decline")}</button>
            </form>
            <form method="post" action=waitlist class="inline waitlist">
                <input type="hidden" name="csrf" value=c3 />
                <label for=note_id.clone()>{tr(lang, "ご家庭へのひとこと（任意）", "Note to the family (optional)")}</label>
                <input id=note_id.clone() name="note" maxlength="500" />
                <button type="submit" class="secondary to-waitlist">{tr(lang, "キャンセル待ちにする", "Move to the waiting list")}</button>
            </form>
        </li>
    }
}

/// `/coordinator/queue`.
#[component]
pub fn QueuePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_queue());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if !is_staff(&info) {
            return view! { <h1>{tr(lang, "承認待ち", "Approval queue")}</h1> {not_allowed(lang, info.viewer.is_some())} }.into_any();
        }
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "承認待ちのお申し込み", "Requests waiting for approval")}</h1>
            <p><a href="/coordinator">{tr(lang, "← コーディネーター画面", "← Console")}</a>" · "
               <a href="/coordinator/calendar">{tr(lang, "施設カレンダー", "Site calendars")}</a></p>
            {outcome(lang)}
            <p class="muted">{tr(lang, "古い順に表示しています。", "Oldest first.")}</p>
            <Suspense fallback=move || loading(lang)>
                {move || {
                    let csrf = csrf.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(items) if items.is_empty() => view! {
                                <p id="queue-empty">{tr(lang, "承認待ちはありません。", "Nothing waits for approval.")}</p>
                            }.into_any(),
                            Ok(items) => view! {
                                <ol class="cards" id="queue">
                                    {items.into_iter().map(|q| item(lang, csrf.clone(), q)).collect_view()}
                                </ol>
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
