//! The parent portal: the family at a glance, household set-up, and the
//! service finder whose eligibility is computed by the booking core — on the
//! server for the first HTML, then in the browser (wasm) as the date changes.

use chrono::NaiveDate;
use hagukumi_domain::eligibility::{self, ChildInput, EligibilityRequest};
use hagukumi_domain::{Lang, ServiceId};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{get_family, get_finder};
use crate::app::with_session;
use crate::i18n::{age_text, date_long, role_label, tr};
use crate::model::{ChildView, FamilyData, FinderData, SessionInfo};
use crate::rules_view::rules_view;

fn child_name(c: &ChildView) -> String {
    format!("{} {}", c.family_name, c.given_name)
}

fn child_line(lang: Lang, c: &ChildView, today: NaiveDate) -> String {
    match (c.birth_date, c.due_date) {
        (Some(b), _) => format!("{}（{}）", age_text(lang, b, today), date_long(lang, b)),
        (None, Some(d)) => format!("{} {}", tr(lang, "出産予定日", "Due"), date_long(lang, d)),
        _ => String::new(),
    }
}

/// Shown to visitors who are not a signed-in parent.
fn not_a_parent(lang: Lang, signed_in: bool) -> AnyView {
    if signed_in {
        view! { <p class="error" role="alert">{tr(lang, "このページを見る権限がありません。", "You are not allowed to see this page.")}</p> }.into_any()
    } else {
        view! {
            <p>{tr(lang, "このページを見るにはログインしてください。", "Please sign in to see this page.")}</p>
            <p><a href=crate::app::signin_here()>{tr(lang, "ログイン", "Sign in")}</a></p>
        }
        .into_any()
    }
}

#[component]
pub fn ParentHome() -> impl IntoView {
    let family = Resource::new(|| (), |_| get_family());
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        let Some(v) = info.viewer.clone().filter(|v| v.role == "parent") else {
            return view! { <h1>{role_label(lang, "parent")}</h1> {not_a_parent(lang, info.viewer.is_some())} }.into_any();
        };
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
                <a class="button" href="/parent/services">{tr(lang, "使えるサービスを探す", "Find services you can use")}</a>
                <a class="button secondary" href="/parent/household">{tr(lang, "家族の情報", "Your family")}</a>
                <a class="button secondary" href="/parent/family-support">{tr(lang, "ファミサポの活動報告", "Family Support reports")}</a>
                <a class="button secondary" href="/parent/home-start">{tr(lang, "ホームスタート", "Home-Start")}</a>
            </nav>
            <h2>{tr(lang, "お子さん", "Children")}</h2>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match family.await {
                        Ok(f) if f.children.is_empty() => view! {
                            <p>{tr(lang, "お子さんが登録されていません。", "No children registered yet.")}
                               " "<a href="/parent/household">{tr(lang, "登録する", "Add a child")}</a></p>
                        }.into_any(),
                        Ok(f) => view! {
                            <ul class="cards" id="children">
                                {f.children.iter().map(|c| view! {
                                    <li class="card">
                                        <strong>{child_name(c)}</strong>
                                        <span class="muted">{child_line(lang, c, f.today)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn form_message(lang: Lang, code: &str) -> &'static str {
    match code {
        c if c.ends_with(":in_future") => tr(
            lang,
            "未来の日付は入力できません。",
            "The date is in the future.",
        ),
        c if c.ends_with(":in_past") => tr(
            lang,
            "出産予定日が過去の日付です。",
            "The due date has passed.",
        ),
        c if c.ends_with(":too_old") => tr(
            lang,
            "18歳未満のお子さんを登録してください。",
            "Register children under 18.",
        ),
        c if c.ends_with(":too_far") => tr(
            lang,
            "出産予定日が先すぎます。",
            "The due date is too far ahead.",
        ),
        c if c.ends_with(":birth_or_due") => tr(
            lang,
            "生年月日か出産予定日のどちらか一方を入力してください。",
            "Give either a birth date or a due date.",
        ),
        c if c.ends_with(":required") => tr(lang, "お名前を入力してください。", "Enter the name."),
        c if c.ends_with(":contradiction") => tr(
            lang,
            "ひとり親になった日は、ひとり親家庭の場合のみ入力できます。",
            "The single-parent date needs a single-parent household.",
        ),
        _ => tr(
            lang,
            "入力内容を確認してください。",
            "Please check your input.",
        ),
    }
}

#[component]
pub fn HouseholdPage() -> impl IntoView {
    let family = Resource::new(|| (), |_| get_family());
    let query = use_query_map();
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return view! { <h1>{tr(lang, "家族の情報", "Your family")}</h1> {not_a_parent(lang, info.viewer.is_some())} }.into_any();
        }
        let (errors, saved) = query.with_untracked(|q| {
            (
                q.get("error")
                    .map(|e| {
                        e.split(',')
                            .map(|c| form_message(lang, c))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
                q.get("saved").is_some(),
            )
        });
        let (form, codes): (Option<String>, Vec<String>) = query.with_untracked(|q| {
            (
                q.get("form"),
                q.get("error")
                    .map(|e| e.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
            )
        });
        let csrf = info.csrf.clone();
        view! {
            <h1>{tr(lang, "家族の情報", "Your family")}</h1>
            {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "保存しました。", "Saved.")}</p> })}
            {(!errors.is_empty()).then(|| view! {
                <div class="error" role="alert" id="form-errors">
                    <p>{tr(lang, "入力内容を確認してください（各項目の下に理由があります）：", "Please check what you entered (the reason is under each field):")}</p>
                    <ul>{errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                </div>
            })}
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || {
                    let csrf = csrf.clone();
                    let (form, codes) = (form.clone(), codes.clone());
                    Suspend::new(async move {
                        match family.await {
                            Ok(f) => {
                                // Errors only for the form that failed, with what was typed.
                                let failed = Failed {
                                    form: form.clone().unwrap_or_default(),
                                    errors: codes.iter().map(|c| {
                                        let field = c.split(':').next().unwrap_or_default().to_owned();
                                        (field, form_message(lang, c).to_owned())
                                    }).collect(),
                                    typed: f.typed.clone().filter(|_| form.is_some()).unwrap_or_default(),
                                };
                                household_forms(lang, csrf, f, failed).into_any()
                            }
                            Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }
        .into_any()
    })
}

/// The form that failed, its field errors (field → message) and what was typed.
#[derive(Clone, Default)]
struct Failed {
    form: String,
    errors: Vec<(String, String)>,
    typed: std::collections::BTreeMap<String, String>,
}

impl Failed {
    fn for_form(&self, form: &str) -> Option<&Failed> {
        (self.form == form).then_some(self)
    }

    fn message(&self, field: &str) -> Option<String> {
        let m: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!m.is_empty()).then(|| m.join(" "))
    }
}

/// A field's error right under it, tied to the input by `aria-describedby`.
fn field_error(failed: Option<&Failed>, field: &str, input_id: &str) -> Option<AnyView> {
    let msg = failed?.message(field)?;
    Some(
        view! { <p class="field-error" id=format!("{input_id}-error")>{format!("⚠ {msg}")}</p> }
            .into_any(),
    )
}

fn invalid(
    failed: Option<&Failed>,
    field: &str,
    input_id: &str,
) -> (Option<&'static str>, Option<String>) {
    match failed.and_then(|f| f.message(field)) {
        Some(_) => (Some("true"), Some(format!("{input_id}-error"))),
        None => (None, None),
    }
}

fn household_forms(lang: Lang, csrf: String, f: FamilyData, failed: Failed) -> impl IntoView {
    let h = f.household.facts;
    let children = f.children.clone();
    let csrf2 = csrf.clone();
    let mine = failed.for_form("household").cloned();
    let fh = mine.as_ref();
    // What was typed wins over what is stored, so nothing has to be typed twice.
    let typed = |k: &str| fh.and_then(|x| x.typed.get(k).cloned());
    let ticked = |k: &str, stored: bool| match fh {
        Some(x) => x.typed.get(k).is_some_and(|v| !v.is_empty()),
        None => stored,
    };
    let since = typed("single_parent_since").unwrap_or_else(|| {
        h.single_parent_since
            .map(|d| d.to_string())
            .unwrap_or_default()
    });
    let area = typed("area").unwrap_or_else(|| f.household.area.clone().unwrap_or_default());
    let (since_bad, since_desc) = invalid(fh, "single_parent_since", "single_parent_since");
    let (area_bad, area_desc) = invalid(fh, "area", "area");
    let failed2 = failed.clone();
    view! {
        <section aria-labelledby="facts-h" id="form-household">
            <h2 id="facts-h">{tr(lang, "世帯の状況", "Household")}</h2>
            <p class="muted">
                {if f.household.confirmed {
                    tr(lang, "センターが確認済みです。", "Confirmed by the center.")
                } else {
                    tr(lang, "申告内容はセンターが確認します（料金の減免に使われます）。", "The center will confirm what you declare (it decides fee reductions).")
                }}
            </p>
            <form method="post" action="/parent/household" class="stack" data-once="">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <label class="check"><input type="checkbox" name="single_parent" checked=ticked("single_parent", h.single_parent) />
                    {tr(lang, "ひとり親家庭です", "Single-parent household")}</label>
                <label for="single_parent_since">{tr(lang, "ひとり親になった日（任意）", "Single parent since (optional)")}</label>
                <input type="date" id="single_parent_since" name="single_parent_since" value=since
                    aria-invalid=since_bad aria-describedby=since_desc />
                {field_error(fh, "single_parent_since", "single_parent_since")}
                <label class="check"><input type="checkbox" name="public_assistance" checked=ticked("public_assistance", h.public_assistance) />
                    {tr(lang, "生活保護を受けています", "Receiving public assistance")}</label>
                <label class="check"><input type="checkbox" name="tax_exempt" checked=ticked("tax_exempt", h.tax_exempt) />
                    {tr(lang, "住民税非課税世帯です", "Exempt from residence tax")}</label>
                <label class="check"><input type="checkbox" name="multiple_birth" checked=ticked("multiple_birth", h.multiple_birth) />
                    {tr(lang, "多胎児（双子など）がいます", "Twins or more")}</label>
                <label for="area">{tr(lang, "お住まいの地域（町名）", "Area (neighbourhood)")}</label>
                <input id="area" name="area" maxlength="100" value=area aria-invalid=area_bad aria-describedby=area_desc />
                {field_error(fh, "area", "area")}
                <button type="submit">{tr(lang, "保存する", "Save")}</button>
            </form>
        </section>
        <section aria-labelledby="children-h">
            <h2 id="children-h">{tr(lang, "お子さん", "Children")}</h2>
            <ul class="cards">
                {children.into_iter().map(|c| view! { <li>{child_form(lang, csrf2.clone(), Some(c), f.today, failed2.clone())}</li> }).collect_view()}
            </ul>
            <h3>{tr(lang, "お子さんを追加", "Add a child")}</h3>
            {child_form(lang, csrf, None, f.today, failed)}
        </section>
    }
}

fn child_form(
    lang: Lang,
    csrf: String,
    c: Option<ChildView>,
    today: NaiveDate,
    failed: Failed,
) -> impl IntoView {
    let prefix = c
        .as_ref()
        .map(|c| c.id.clone())
        .unwrap_or_else(|| "new".into());
    let action = match &c {
        Some(c) => format!("/parent/children/{}", c.id),
        None => "/parent/children".into(),
    };
    let mine = failed.for_form(&format!("child-{prefix}")).cloned();
    let fc = mine.as_ref();
    let id = {
        let prefix = prefix.clone();
        move |f: &str| format!("{f}-{prefix}")
    };
    let (mut family, mut given, mut birth, mut due) = match &c {
        Some(c) => (
            c.family_name.clone(),
            c.given_name.clone(),
            c.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            c.due_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    if let Some(x) = fc {
        let get = |k: &str| x.typed.get(k).cloned().unwrap_or_default();
        (family, given, birth, due) = (
            get("family_name"),
            get("given_name"),
            get("birth_date"),
            get("due_date"),
        );
    }
    let summary = c.as_ref().map(|c| child_line(lang, c, today));
    let attrs = |field: &str| invalid(fc, field, &id(field));
    let (fam_bad, fam_desc) = attrs("family_name");
    let (giv_bad, giv_desc) = attrs("given_name");
    let (birth_bad, birth_desc) = attrs("birth_date");
    let (due_bad, due_desc) = attrs("due_date");
    view! {
        <div class="card" id=format!("form-child-{prefix}")>
            <form method="post" action=action class="stack" data-once="">
                <input type="hidden" name="csrf" value=csrf />
                {summary.map(|s| view! { <p class="muted">{s}</p> })}
                <label for=id("family_name")>{tr(lang, "姓", "Family name")}</label>
                <input id=id("family_name") name="family_name" required maxlength="50" value=family
                    aria-invalid=fam_bad aria-describedby=fam_desc />
                {field_error(fc, "family_name", &id("family_name"))}
                <label for=id("given_name")>{tr(lang, "名", "Given name")}</label>
                <input id=id("given_name") name="given_name" required maxlength="50" value=given
                    aria-invalid=giv_bad aria-describedby=giv_desc />
                {field_error(fc, "given_name", &id("given_name"))}
                <label for=id("birth_date")>{tr(lang, "生年月日", "Birth date")}</label>
                <input type="date" id=id("birth_date") name="birth_date" value=birth
                    aria-invalid=birth_bad aria-describedby=birth_desc />
                {field_error(fc, "birth_date", &id("birth_date"))}
                <label for=id("due_date")>{tr(lang, "出産予定日（生まれる前の場合）", "Due date (if not yet born)")}</label>
                <input type="date" id=id("due_date") name="due_date" value=due
                    aria-invalid=due_bad aria-describedby=due_desc />
                {field_error(fc, "due_date", &id("due_date"))}
                <button type="submit">
                    {if c.is_some() { tr(lang, "変更を保存", "Save changes") } else { tr(lang, "追加する", "Add") }}
                </button>
            </form>
        </div>
    }
}

/// One child's verdict for one service on a date.
#[derive(Clone)]
struct Verdict {
    child: String,
    eligible: bool,
    reasons: Vec<String>,
    conditions: Vec<String>,
}

fn verdicts(data: &FinderData, service: ServiceId, on: NaiveDate, lang: Lang) -> Vec<Verdict> {
    data.family
        .children
        .iter()
        .map(|c| {
            let req = EligibilityRequest {
                service,
                on,
                child: ChildInput {
                    birth_date: c.birth_date,
                    due_date: c.due_date,
                },
                household: data.family.household.facts,
                reason: None,
            };
            match eligibility::check(&data.rules, &req) {
                Ok(e) => {
                    let e = e.localized(lang);
                    Verdict {
                        child: child_name(c),
                        eligible: e.eligible,
                        reasons: e.reasons.into_iter().map(|r| r.message).collect(),
                        conditions: e.conditions.into_iter().map(|r| r.message).collect(),
                    }
                }
                Err(err) => Verdict {
                    child: child_name(c),
                    eligible: false,
                    reasons: vec![err.message().get(lang).to_owned()],
                    conditions: vec![],
                },
            }
        })
        .collect()
}

#[component]
pub fn FinderPage() -> impl IntoView {
    let finder = Resource::new(|| (), |_| get_finder());
    let query = use_query_map();
    with_session(move |info: SessionInfo| {
        let lang = info.lang;
        if info.viewer.as_ref().is_none_or(|v| v.role != "parent") {
            return view! { <h1>{tr(lang, "使えるサービス", "Services you can use")}</h1> {not_a_parent(lang, info.viewer.is_some())} }.into_any();
        }
        let asked: Option<NaiveDate> =
            query.with_untracked(|q| q.get("on").and_then(|d| d.parse().ok()));
        view! {
            <h1>{tr(lang, "使えるサービス", "Services you can use")}</h1>
            <Suspense fallback=move || view! { <p class="loading" role="status">{tr(lang, "読み込み中…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match finder.await {
                        Ok(data) => finder_view(lang, data, asked).into_any(),
                        Err(_) => view! { <p class="error" role="alert">{tr(lang, "読み込めませんでした。", "Could not load.")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any()
    })
}

fn finder_view(lang: Lang, data: FinderData, asked: Option<NaiveDate>) -> impl IntoView {
    let (on, set_on) = signal(asked.unwrap_or(data.family.today));
    let data = StoredValue::new(data);
    view! {
        <form method="get" action="/parent/services" class="inline-form">
            <label for="on">{tr(lang, "利用したい日", "Date of use")}</label>
            <input type="date" id="on" name="on" value=move || on.get().to_string()
                on:input=move |ev| {
                    if let Ok(d) = event_target_value(&ev).parse::<NaiveDate>() {
                        set_on.set(d);
                    }
                } />
            <button type="submit" class="secondary">{tr(lang, "表示", "Show")}</button>
        </form>
        <p class="muted" aria-live="polite" id="finder-date">{move || date_long(lang, on.get())}</p>
        {data.with_value(|d| {
            let lines: Vec<String> = d
                .family
                .children
                .iter()
                .filter_map(|c| d.coupons.get(&c.id).map(|y| format!("{}: {}", child_name(c), crate::booking::yen(lang, i64::from(*y)))))
                .collect();
            (!lines.is_empty()).then(|| view! {
                <p class="notice" id="coupons">{tr(lang, "子育てクーポンの残り（今年度）", "Childrearing coupon left this fiscal year")}
                    {lines.into_iter().map(|l| view! { <br />{l} }).collect_view()}</p>
            })
        })}
        {move || {
            let day = on.get();
            data.with_value(|d| {
                if d.family.children.is_empty() {
                    return view! {
                        <p>{tr(lang, "お子さんを登録すると、使えるサービスが表示されます。", "Register your children to see what you can use.")}
                           " "<a href="/parent/household">{tr(lang, "登録する", "Add a child")}</a></p>
                    }.into_any();
                }
                view! {
                    <ul class="services" id="finder">
                        {d.services.iter().filter_map(|s| {
                            let sid: ServiceId = s.id.parse().ok()?;
                            let list = verdicts(d, sid, day, lang);
                            let any = list.iter().any(|v| v.eligible);
                            Some(view! {
                                <li class="service" id=format!("finder-{}", s.id) data-eligible=any.to_string()>
                                    <h2>{s.name.clone()}</h2>
                                    {d.summaries.get(&s.id).map(|sum| rules_view(lang, sum, false))}
                                    {any.then(|| view! { <p><a class="button" href=format!("/parent/book/{}", s.id)>{tr(lang, "予約・申し込みへ", "Book")}</a></p> })}
                                    <ul class="verdicts">
                                        {list.into_iter().map(|v| view! {
                                            <li class=if v.eligible { "ok" } else { "no" }>
                                                <strong>{v.child.clone()}": "
                                                    {if v.eligible { tr(lang, "利用できます", "can use") } else { tr(lang, "利用できません", "cannot use") }}
                                                </strong>
                                                <ul>
                                                    {v.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                                    {v.conditions.into_iter().map(|r| view! { <li class="muted">{r}</li> }).collect_view()}
                                                </ul>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </li>
                            })
                        }).collect_view()}
                    </ul>
                }.into_any()
            })
        }}
    }
}
