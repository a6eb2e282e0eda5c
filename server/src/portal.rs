//! The parent's booking pages, server side: the month calendar (from the
//! availability API's own handler), the confirmation step (the booking
//! service's checks and quote, writing nothing), "my bookings", and the form
//! posts that book, cancel and answer waiting-list offers.

use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use hagukumi_domain::booking::{Actor, Event, change_deadline, may_change};
use hagukumi_domain::calendar::{local_date, local_datetime};
use hagukumi_domain::capacity::ConflictCode;
use hagukumi_domain::fees::Period;
use hagukumi_domain::rules::{BookingUnit, Confirmation, ReasonCode};
use hagukumi_domain::{Lang, ServiceId};
use hagukumi_frontend::model::{
    BookPage, BookingDraft, BookingView, ChangeDraft, ChangePage, ConfirmView, DayView,
    OccurrenceView, SiteCalendar, SlotView,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::api::availability::{AvailabilityQuery, calendar_json};
use crate::auth::csrf::CsrfForm;
use crate::auth::handlers::NoFields;
use crate::auth::{CurrentUser, MaybeUser, Parent, Require};
use crate::booking::change::{self, ChangeRequest};
use crate::booking::repo::Stored;
use crate::booking::service::{self, BookingRequest, Created, RecurrenceIn};
use crate::entities::{booking, site};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn t(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The first day of the month to show: `month`'s, never before this month.
pub fn month_start(month: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    month
        .unwrap_or(today)
        .with_day(1)
        .unwrap_or(today)
        .max(today.with_day(1).unwrap_or(today))
}

/// The month from `first` per site, as the availability API judges it for
/// `children` (ids of the signed-in parent's; none: a child of unknown age, counted
/// as a newborn). Days before today belong to the month but cannot be booked.
/// `slots`: with each day's bookable starts or nights (the booking page's form).
#[allow(clippy::too_many_arguments)]
pub async fn site_calendars(
    state: &AppState,
    user: Option<&CurrentUser>,
    lang: Lang,
    service: &str,
    first: NaiveDate,
    today: NaiveDate,
    children: Option<String>,
    slots: bool,
) -> ApiResult<Vec<SiteCalendar>> {
    let last = first
        .checked_add_months(Months::new(1))
        .map(|d| d - Duration::days(1))
        .unwrap_or(first);
    let q = AvailabilityQuery {
        from: first.max(today),
        to: last,
        site: None,
        children,
        birth_dates: None,
        minutes: None,
        municipality: None,
    };
    let body = calendar_json(state, &MaybeUser(user.cloned()), service.to_owned(), q).await?;
    let out: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::Internal(e.into()))?;
    let mut sites = vec![];
    for s in out["sites"].as_array().into_iter().flatten() {
        let mut days: Vec<DayView> = vec![];
        let mut d = first;
        while d < first.max(today) {
            days.push(DayView {
                date: d,
                mark: "closed".into(),
                remaining: 0,
                slots: vec![],
            });
            d += Duration::days(1);
        }
        for v in s["days"].as_array().into_iter().flatten() {
            let Some(date) = v["date"].as_str().and_then(|d| d.parse::<NaiveDate>().ok()) else {
                continue;
            };
            days.push(DayView {
                date,
                mark: v["mark"].as_str().unwrap_or("closed").to_owned(),
                remaining: v["remaining"]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
                slots: if slots { slot_views(v) } else { vec![] },
            });
        }
        let name = if lang == Lang::Ja {
            "name_ja"
        } else {
            "name_en"
        };
        sites.push(SiteCalendar {
            code: s["site"]["code"].as_str().unwrap_or_default().to_owned(),
            name: s["site"][name].as_str().unwrap_or_default().to_owned(),
            days,
        });
    }
    Ok(sites)
}

/// A day's bookable starts or nights in local time, from the API's JSON of the day.
fn slot_views(day: &serde_json::Value) -> Vec<SlotView> {
    let parse_time = |x: &serde_json::Value| {
        x.as_str()?
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .ok()
            .map(|t| local_datetime(t.with_timezone(&Utc)))
    };
    day["slots"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    Some(SlotView {
                        start: parse_time(&x["start"])?,
                        end: parse_time(&x["end"])?,
                        remaining: u32::try_from(x["remaining"].as_u64()?).ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The month calendar and form data for one service.
pub async fn book_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    service: String,
    month: Option<NaiveDate>,
    family: hagukumi_frontend::model::FamilyData,
    card: hagukumi_frontend::model::ServiceCard,
) -> ApiResult<BookPage> {
    let sid: ServiceId = service.parse().map_err(|_| ApiError::NotFound)?;
    let today = local_date(Utc::now());
    let first = month_start(month, today);
    let rules = crate::rules::load(&state.db, user.municipality_id).await?;
    let r = rules.rules_for(sid, first.max(today)).cloned();
    let (unit, hours, max_nights) = match r.as_ref().map(|r| r.unit) {
        Some(BookingUnit::Timed {
            min_minutes,
            max_minutes,
            ..
        }) => (
            "hours",
            (min_minutes.div_ceil(60)..=max_minutes / 60).collect(),
            0,
        ),
        Some(BookingUnit::Stay { .. }) => (
            "nights",
            vec![],
            r.as_ref()
                .and_then(|r| r.limits.max_nights_per_stay)
                .unwrap_or(6),
        ),
        None => ("", vec![], 0),
    };
    let reasons: Vec<(String, hagukumi_domain::Text)> = r
        .as_ref()
        .map(|r| {
            r.eligibility
                .reasons
                .iter()
                .filter_map(|c| {
                    let code = serde_json::to_value(c).ok()?.as_str()?.to_owned();
                    Some((code, c.text()))
                })
                .collect()
        })
        .unwrap_or_default();
    let reason_required = !reasons.is_empty();
    let kids: Vec<String> = family
        .children
        .iter()
        .filter(|c| c.birth_date.is_some())
        .map(|c| c.id.clone())
        .collect();
    let has_sites = !crate::booking::resource::SiteResource::for_service(
        &state.db,
        sid.as_str(),
        user.municipality_id,
    )
    .await?
    .is_empty();
    let sites = if has_sites && !unit.is_empty() {
        let children = (!kids.is_empty()).then(|| kids.join(","));
        site_calendars(
            state,
            Some(user),
            lang,
            &service,
            first,
            today,
            children,
            true,
        )
        .await?
    } else {
        vec![]
    };
    let coupons = coupons_left(state, &rules, &family, first.max(today)).await?;
    Ok(BookPage {
        service: card,
        unit: (has_sites && !unit.is_empty()).then(|| unit.to_owned()),
        month: first,
        today,
        sites,
        children: family.children,
        hours,
        max_nights,
        reason_required,
        reasons,
        coupons,
    })
}

/// Each child's childrearing coupon left in the fiscal year of `on`, for the
/// children the coupon still covers on that day (by child id).
pub async fn coupons_left(
    state: &AppState,
    rules: &hagukumi_domain::rules::MunicipalityRules,
    family: &hagukumi_frontend::model::FamilyData,
    on: NaiveDate,
) -> ApiResult<BTreeMap<String, u32>> {
    let births: Vec<(Uuid, NaiveDate)> = family
        .children
        .iter()
        .filter_map(|c| Some((c.id.parse().ok()?, c.birth_date?)))
        .collect();
    Ok(service::coupon_left(&state.db, rules, &births, on)
        .await?
        .into_iter()
        .filter(|(id, _)| {
            let birth = births.iter().find(|(b, _)| b == id).map(|(_, d)| *d);
            rules
                .coupon
                .as_ref()
                .zip(birth)
                .is_some_and(|(c, b)| c.covers(b, on))
        })
        .map(|(id, y)| (id.to_string(), y))
        .collect())
}

/// The draft as the booking service's request.
fn request_of(d: &BookingDraft) -> Result<BookingRequest, String> {
    let service: ServiceId = d.service.parse().map_err(|_| "service".to_owned())?;
    let mut day = d.day.ok_or_else(|| "day".to_owned())?;
    let recurrence = if d.repeat.is_empty() {
        None
    } else {
        let until = d.until.ok_or_else(|| "until".to_owned())?;
        if until < day {
            return Err("until".to_owned());
        }
        // The series starts on the first chosen weekday from the chosen day on.
        while !d.repeat.iter().any(|r| *r == weekday_code(day.weekday())) {
            day = day.succ_opt().ok_or_else(|| "day".to_owned())?;
            if day > until {
                return Err("until".to_owned());
            }
        }
        Some(RecurrenceIn {
            rrule: format!(
                "FREQ=WEEKLY;BYDAY={};UNTIL={}T235959",
                d.repeat.join(","),
                until.format("%Y%m%d")
            ),
        })
    };
    let period = match (&d.start, d.hours, d.nights) {
        (Some(start), Some(h), _) => {
            let at = NaiveTime::parse_from_str(start, "%H:%M").map_err(|_| "start".to_owned())?;
            let s = day.and_time(at);
            Period::Hours {
                start: s,
                end: s + Duration::hours(i64::from(h)),
            }
        }
        (_, _, Some(0)) => Period::DayStay { date: day },
        (_, _, Some(n)) => Period::Nights {
            check_in: day,
            nights: n,
        },
        _ => return Err("period".to_owned()),
    };
    let children = d
        .children
        .iter()
        .map(|c| c.parse::<Uuid>().map_err(|_| "children".to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    let reason = match &d.reason {
        Some(r) => Some(
            serde_json::from_value::<ReasonCode>(serde_json::Value::String(r.clone()))
                .map_err(|_| "reason".to_owned())?,
        ),
        None => None,
    };
    Ok(BookingRequest {
        service,
        site: d.site.clone(),
        children,
        period,
        reason,
        waitlist: d.waitlist && recurrence.is_none(),
        recurrence,
    })
}

fn weekday_code(w: chrono::Weekday) -> &'static str {
    match w {
        chrono::Weekday::Mon => "MO",
        chrono::Weekday::Tue => "TU",
        chrono::Weekday::Wed => "WE",
        chrono::Weekday::Thu => "TH",
        chrono::Weekday::Fri => "FR",
        chrono::Weekday::Sat => "SA",
        chrono::Weekday::Sun => "SU",
    }
}

/// `2026年12月1日(火) 17:00〜19:00` for an interval.
fn when_text(lang: Lang, iv: &hagukumi_domain::availability::Interval) -> String {
    let s = local_datetime(iv.start());
    let e = local_datetime(iv.end());
    format!(
        "{} {}〜{}{}",
        hagukumi_frontend::i18n::date_long(lang, s.date()),
        s.format("%H:%M"),
        if e.date() != s.date() {
            format!("{} ", hagukumi_frontend::i18n::date_long(lang, e.date()))
        } else {
            String::new()
        },
        e.format("%H:%M")
    )
}

/// The booking form's fields (a GET query or a POST body) as a draft.
fn draft_of(form: &BTreeMap<String, String>) -> BookingDraft {
    let get = |k: &str| form.get(k).filter(|v| !v.is_empty()).cloned();
    BookingDraft {
        service: get("service").unwrap_or_default(),
        site: get("site").unwrap_or_default(),
        day: get("day").and_then(|d| d.parse().ok()),
        start: get("start"),
        hours: get("hours").and_then(|h| h.parse().ok()),
        nights: get("nights").and_then(|n| n.parse().ok()),
        children: (0..20).filter_map(|i| get(&format!("child_{i}"))).collect(),
        reason: get("reason"),
        waitlist: get("waitlist").is_some(),
        repeat: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
            .iter()
            .filter(|c| get(&format!("repeat_{c}")).is_some())
            .map(|c| (*c).to_owned())
            .collect(),
        until: get("until").and_then(|u| u.parse().ok()),
    }
}

fn problem_text(lang: Lang, e: &ApiError) -> Vec<String> {
    match e {
        ApiError::Validation(f) | ApiError::BadRequest(f) => {
            f.iter().map(|x| x.message.get(lang).to_owned()).collect()
        }
        ApiError::Conflict(text) => vec![text.get(lang).to_owned()],
        ApiError::NotFound => vec![t(lang, "見つかりません。", "Not found.")],
        _ => vec![t(lang, "確認できませんでした。", "Could not be checked.")],
    }
}

/// The confirmation step: every check the booking itself makes, and the quote.
pub async fn confirm(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    draft: BookingDraft,
    family: &hagukumi_frontend::model::FamilyData,
) -> ApiResult<ConfirmView> {
    let site_row = site::Entity::find()
        .filter(site::Column::Code.eq(draft.site.as_str()))
        .one(&state.db)
        .await?;
    let service_name = draft
        .service
        .parse::<ServiceId>()
        .map(|s| s.name().get(lang).to_owned())
        .unwrap_or_default();
    let children: Vec<String> = draft
        .children
        .iter()
        .filter_map(|id| family.children.iter().find(|c| &c.id == id))
        .map(|c| format!("{} {}", c.family_name, c.given_name))
        .collect();
    let mut view = ConfirmView {
        draft: draft.clone(),
        service_name,
        site_name: site_row
            .map(|s| {
                if lang == Lang::Ja {
                    s.name_ja
                } else {
                    s.name_en
                }
            })
            .unwrap_or_default(),
        when: String::new(),
        children,
        lines: vec![],
        total_yen: 0,
        fits: false,
        problems: vec![],
        needs_approval: false,
        occurrences: vec![],
        form_key: Uuid::now_v7().to_string(),
    };
    let req = match request_of(&draft) {
        Ok(r) => r,
        Err(field) => {
            view.problems.push(match field.as_str() {
                "children" => t(lang, "お子さんを選んでください。", "Choose the children."),
                "until" => t(
                    lang,
                    "くり返しの終わりの日を、最初の日より後で、選んだ曜日が入るように選んでください。",
                    "Choose a last day for the repeat that is after the first day and includes a chosen weekday.",
                ),
                _ => t(
                    lang,
                    "日時を選び直してください。",
                    "Please choose the date and time again.",
                ),
            });
            return Ok(view);
        }
    };
    if req.children.is_empty() {
        view.problems.push(t(
            lang,
            "お子さんを選んでください。",
            "Choose the children.",
        ));
        return Ok(view);
    }
    let now = Utc::now();
    let prepared = match service::prepare(&state.db, user, &req, now).await {
        Ok(p) => p,
        Err(
            e @ (ApiError::Validation(_)
            | ApiError::BadRequest(_)
            | ApiError::Conflict(_)
            | ApiError::NotFound),
        ) => {
            view.problems = problem_text(lang, &e);
            return Ok(view);
        }
        Err(e) => return Err(e),
    };
    view.needs_approval = prepared.rules.confirmation == Confirmation::CoordinatorApproval;
    if let Some(iv) = prepared.occurrences.first() {
        view.when = when_text(lang, iv);
    }
    let reports = service::preview(state, &prepared, now).await?;
    if prepared.series {
        // A series books what fits: each date says whether it does, and why not.
        view.occurrences = reports
            .iter()
            .map(|r| OccurrenceView {
                when: when_text(lang, &r.interval),
                fits: r.fits(),
                reason: r
                    .outcome
                    .as_ref()
                    .err()
                    .map(|c| c.message.get(lang).to_owned()),
            })
            .collect();
        view.fits = reports.iter().any(|r| r.fits());
        if let (Some(first), Some(last)) =
            (prepared.occurrences.first(), prepared.occurrences.last())
        {
            view.when = format!(
                "{} 〜 {}",
                when_text(lang, first),
                hagukumi_frontend::i18n::date_long(lang, local_date(last.start()))
            );
        }
        if !view.fits {
            view.problems.push(t(
                lang,
                "くり返しの日時に、予約できる日がありません。",
                "None of the repeating dates can be booked.",
            ));
        }
    } else {
        view.fits = !reports.is_empty() && reports.iter().all(|r| r.fits());
    }
    if let Some(conflict) = reports
        .iter()
        .filter(|_| !prepared.series)
        .find_map(|r| r.outcome.as_ref().err())
        && !matches!(
            conflict.code,
            ConflictCode::NoBed
                | ConflictCode::AllocationReserved
                | ConflictCode::StaffRatio
                | ConflictCode::NoStaff
                | ConflictCode::PersonBusy
        )
    {
        // Not a question of places (the window, a quota…): the waiting list won't help.
        view.problems.push(conflict.message.get(lang).to_owned());
    }
    match service::quote_preview(&state.db, &prepared).await {
        Ok(q) => {
            view.lines = q
                .lines
                .iter()
                .chain(q.reductions.iter())
                .map(|l| {
                    (
                        format!("{} ×{}", l.label.get(lang), l.quantity),
                        l.amount_yen,
                    )
                })
                .collect();
            if q.coupon_applied_yen > 0 {
                view.lines.push((
                    t(lang, "子育てクーポン", "Childrearing coupon"),
                    -q.coupon_applied_yen,
                ));
            }
            view.total_yen = q.total_yen;
        }
        Err(e) => view.problems.extend(problem_text(lang, &e)),
    }
    Ok(view)
}

/// The parent's bookings with what "my bookings" shows.
pub async fn my_bookings(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
) -> ApiResult<Vec<BookingView>> {
    let stored = service::list(state, user, None, None, None).await?;
    let sites: HashMap<Uuid, site::Model> = site::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let ids: Vec<Uuid> = stored.iter().map(|s| s.row.id).collect();
    let helpers = crate::booking::helper_visits::helpers_of(&state.db, &ids).await?;
    let now = Utc::now();
    let mut out = vec![];
    for s in &stored {
        let b =
            crate::booking::view::booking_out(s, s.row.site_id.and_then(|id| sites.get(&id)), now)?;
        let waitlist_position = if s.row.status == "waitlisted" {
            let ahead = booking::Entity::find()
                .filter(booking::Column::Status.eq("waitlisted"))
                .filter(booking::Column::SiteId.eq(s.row.site_id))
                .filter(booking::Column::StartsAt.lt(s.row.ends_at))
                .filter(booking::Column::EndsAt.gt(s.row.starts_at))
                .filter(booking::Column::WaitlistedAt.lt(s.row.waitlisted_at))
                .order_by_asc(booking::Column::WaitlistedAt)
                .all(&state.db)
                .await?
                .len();
            u32::try_from(ahead + 1).ok()
        } else {
            None
        };
        let center_note = b.center_note.as_ref().map(|t| t.get(lang).to_owned());
        let mut v = booking_view(lang, s, b, waitlist_position, now)?;
        v.helper = helpers.get(&s.row.id).cloned();
        v.center_note = center_note;
        out.push(v);
    }
    out.sort_by_key(|b| b.start);
    Ok(out)
}

/// One booking as "my bookings" and the change page show it.
fn booking_view(
    lang: Lang,
    s: &Stored,
    b: crate::booking::view::BookingOut,
    waitlist_position: Option<u32>,
    now: chrono::DateTime<Utc>,
) -> ApiResult<BookingView> {
    let placed = matches!(
        s.row.status.as_str(),
        "requested" | "approved" | "confirmed"
    );
    // The domain decides whether the family may move it now (and says why not).
    let domain = s.domain()?;
    let change = may_change(&domain, now);
    let can_change = placed && s.row.site_id.is_some() && change.is_ok();
    let change_blocked = match (&change, placed) {
        (Err(e), true) => Some(e.message.get(lang).to_owned()),
        _ => None,
    };
    Ok(BookingView {
        id: b.id.to_string(),
        service_name: b
            .service
            .parse::<ServiceId>()
            .map(|x| x.name().get(lang).to_owned())
            .unwrap_or_default(),
        site_name: b
            .site
            .as_ref()
            .map(|x| {
                if lang == Lang::Ja {
                    x.name_ja.clone()
                } else {
                    x.name_en.clone()
                }
            })
            .unwrap_or_default(),
        status: b.status.clone(),
        start: b.start.naive_local(),
        end: b.end.naive_local(),
        total_yen: b.total_yen,
        coupon_yen: b.coupon_yen,
        cancel_fee_now: b.cancellation_fee_now.map(|c| i64::from(c.yen)),
        charge_yen: b.charge.as_ref().map(|c| c.yen),
        offer_expires_at: b.offer_expires_at.map(|x| x.naive_local()),
        waitlist_position,
        can_change,
        change_blocked,
        change_until: can_change.then(|| local_datetime(change_deadline(&domain))),
        service: b.service.clone(),
        series: b.series_id.is_some(),
        helper: None,
        center_note: None,
    })
}

/// The new period from the change form; the failing field when it is incomplete.
fn change_period(d: &ChangeDraft, hourly: bool) -> Result<Period, &'static str> {
    let day = d.day.ok_or("day")?;
    if hourly {
        let start = d.start.as_deref().ok_or("start")?;
        let at = NaiveTime::parse_from_str(start, "%H:%M").map_err(|_| "start")?;
        let hours = d.hours.filter(|h| *h > 0).ok_or("hours")?;
        let s = day.and_time(at);
        Ok(Period::Hours {
            start: s,
            end: s + Duration::hours(i64::from(hours)),
        })
    } else {
        Ok(match d.nights.ok_or("nights")? {
            0 => Period::DayStay { date: day },
            n => Period::Nights {
                check_in: day,
                nights: n,
            },
        })
    }
}

/// The form field a problem of the new period belongs next to.
fn change_field(api_field: &str, hourly: bool) -> &'static str {
    match api_field {
        "period.start" | "period.check_in" | "period.date" => "day",
        "period.end" => "hours",
        "period.nights" => "nights",
        "period" | "period.kind" if hourly => "start",
        "period" | "period.kind" => "nights",
        _ => "",
    }
}

/// The change page: the booking, the form prefilled (with the current time, or
/// with what was sent), and what the chosen time would give — writing nothing.
pub async fn change_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: Uuid,
    draft: ChangeDraft,
) -> ApiResult<ChangePage> {
    let s = crate::booking::repo::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    service::visible(&state.db, user, &s).await?;
    let site_row = match s.row.site_id {
        Some(sid) => site::Entity::find_by_id(sid).one(&state.db).await?,
        None => None,
    };
    let now = Utc::now();
    let out = crate::booking::view::booking_out(&s, site_row.as_ref(), now)?;
    let booking = booking_view(lang, &s, out, None, now)?;
    let sid: ServiceId = s.row.service_key.parse().map_err(|_| ApiError::NotFound)?;
    let rules = crate::rules::load(&state.db, user.municipality_id).await?;
    let start = local_datetime(s.row.starts_at);
    let end = local_datetime(s.row.ends_at);
    let r = rules.rules_for(sid, start.date()).cloned();
    let (hourly, hours, max_nights) = match r.as_ref().map(|r| r.unit) {
        Some(BookingUnit::Timed {
            min_minutes,
            max_minutes,
            ..
        }) => (
            true,
            (min_minutes.div_ceil(60)..=max_minutes / 60).collect::<Vec<u32>>(),
            0,
        ),
        _ => (
            false,
            vec![],
            r.as_ref()
                .and_then(|r| r.limits.max_nights_per_stay)
                .unwrap_or(6),
        ),
    };
    // Start times every 30 minutes within the site's hours on the booked day.
    let hours_of_day = match (&site_row, &r) {
        (Some(site), Some(r)) => {
            crate::booking::resource::SiteResource::load(&state.db, site.clone())
                .await?
                .hours_on(r, start.date())
        }
        _ => None,
    };
    let (from, to) = hours_of_day.map_or(
        (
            NaiveTime::from_hms_opt(7, 0, 0).unwrap_or(NaiveTime::MIN),
            NaiveTime::from_hms_opt(21, 0, 0).unwrap_or(NaiveTime::MIN),
        ),
        |h| (h.from, h.to),
    );
    let mut starts = vec![];
    let mut at = from;
    while at < to {
        starts.push(at.format("%H:%M").to_string());
        let next = at + Duration::minutes(30);
        if next <= at {
            break;
        }
        at = next;
    }
    let current = start.format("%H:%M").to_string();
    // The booked start and the one asked for stay selectable (and selected).
    for t in [Some(current.clone()), draft.start.clone()]
        .into_iter()
        .flatten()
    {
        if hourly && !starts.contains(&t) && NaiveTime::parse_from_str(&t, "%H:%M").is_ok() {
            starts.push(t);
        }
    }
    starts.sort();
    let checked = draft.day.is_some();
    let draft = if checked {
        draft
    } else {
        ChangeDraft {
            day: Some(start.date()),
            start: hourly.then_some(current),
            hours: hourly
                .then(|| u32::try_from((end - start).num_hours()).ok())
                .flatten(),
            nights: (!hourly)
                .then(|| u32::try_from((end.date() - start.date()).num_days()).ok())
                .flatten(),
        }
    };
    let mut page = ChangePage {
        booking,
        unit: if hourly { "hours" } else { "nights" }.to_owned(),
        starts,
        hours,
        max_nights,
        today: local_date(now),
        draft: draft.clone(),
        errors: vec![],
        when: None,
        fits: false,
        total_yen: None,
        coupon_yen: None,
        form_key: Uuid::now_v7().to_string(),
    };
    if !checked || !page.booking.can_change {
        return Ok(page);
    }
    let period = match change_period(&draft, hourly) {
        Ok(p) => p,
        Err(field) => {
            page.errors.push((
                field.to_owned(),
                t(lang, "選んでください。", "Please choose."),
            ));
            return Ok(page);
        }
    };
    match change::preview(state, user, id, &ChangeRequest { period }).await {
        Ok(p) => {
            page.when = Some(when_text(lang, &p.report.interval));
            page.fits = p.report.fits();
            if let Err(c) = &p.report.outcome {
                page.errors
                    .push((String::new(), c.message.get(lang).to_owned()));
            }
            page.total_yen = Some(p.quote.total_yen);
            page.coupon_yen = Some(p.quote.coupon_applied_yen);
        }
        Err(ApiError::Validation(f) | ApiError::BadRequest(f)) => {
            for e in f {
                page.errors.push((
                    change_field(&e.field, hourly).to_owned(),
                    e.message.get(lang).to_owned(),
                ));
            }
        }
        Err(ApiError::Conflict(text)) => {
            page.errors.push((String::new(), text.get(lang).to_owned()))
        }
        Err(e) => return Err(e),
    }
    Ok(page)
}

pub fn router() -> Router<AppState> {
    Router::new()
        // Links in e-mails point at one booking; it is shown in the list.
        .route(
            "/parent/bookings/{id}",
            axum::routing::get(|Path(id): Path<Uuid>| async move {
                Redirect::to(&format!("/parent/bookings#booking-{id}"))
            }),
        )
        .route("/parent/bookings", post(create))
        .route("/parent/bookings/{id}/cancel", post(cancel))
        .route("/parent/bookings/{id}/change", post(change_booking))
        .route("/parent/bookings/{id}/accept", post(accept))
        .route("/parent/bookings/{id}/decline-offer", post(decline_offer))
}

/// `POST /parent/bookings` from the confirmation step.
async fn create(
    State(state): State<AppState>,
    user: Require<Parent>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let draft = draft_of(&form);
    // The confirmation page's one-time key: a double click or a resent form
    // replays the first booking instead of making a second one.
    let key = form
        .get("form_key")
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .cloned();
    let back = format!("/parent/book/{}", draft.service);
    let Ok(req) = request_of(&draft) else {
        return Ok(Redirect::to(&back).into_response());
    };
    match service::create(&state, &user, &req, key.as_deref()).await {
        Ok(outcome) => {
            let to = match outcome.created {
                Created::One(s) => format!("/parent/bookings?created={}", s.row.id),
                Created::Series {
                    bookings, skipped, ..
                } => format!(
                    "/parent/bookings?created={}&series={}&skipped={}",
                    bookings.first().map(|b| b.row.id).unwrap_or_default(),
                    bookings.len(),
                    skipped.len()
                ),
            };
            Ok(Redirect::to(&to).into_response())
        }
        // Someone took the place meanwhile: back to the calendar, which now shows it.
        Err(ApiError::Conflict(_)) | Err(ApiError::Validation(_)) => Ok(Redirect::to(&format!(
            "{back}?day={}&site={}#slots",
            draft.day.map(|d| d.to_string()).unwrap_or_default(),
            draft.site
        ))
        .into_response()),
        Err(e) => Err(e),
    }
}

/// `POST /parent/bookings/{id}/change` from the change page's confirmation.
async fn change_booking(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let get = |k: &str| form.get(k).filter(|v| !v.is_empty()).cloned();
    let draft = ChangeDraft {
        day: get("day").and_then(|d| d.parse().ok()),
        start: get("start"),
        hours: get("hours").and_then(|h| h.parse().ok()),
        nights: get("nights").and_then(|n| n.parse().ok()),
    };
    let mut q = vec![];
    if let Some(d) = draft.day {
        q.push(format!("day={d}"));
    }
    if let Some(s) = &draft.start {
        q.push(format!("start={}", s.replace(':', "%3A")));
    }
    if let Some(h) = draft.hours {
        q.push(format!("hours={h}"));
    }
    if let Some(n) = draft.nights {
        q.push(format!("nights={n}"));
    }
    let back = format!("/parent/bookings/{id}/change?{}", q.join("&"));
    let Ok(period) = change_period(&draft, draft.nights.is_none()) else {
        return Ok(Redirect::to(&back).into_response());
    };
    let key = get("form_key").filter(|k| k.len() <= 200);
    match change::change(&state, &user, id, &ChangeRequest { period }, key.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/parent/bookings?changed={id}")).into_response()),
        // The place went meanwhile, or a rule says no: the page shows why, with the values kept.
        Err(ApiError::Conflict(_) | ApiError::Validation(_) | ApiError::BadRequest(_)) => {
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Applies `event` to the family's booking, then back to My bookings: `done` says
/// what happened; if the booking had changed meanwhile (an offer that lapsed, a
/// booking cancelled in another tab), the page says it could not be done instead.
async fn lifecycle(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    event: Event,
    done: &str,
) -> ApiResult<Response> {
    match service::act(state, user, id, event).await {
        Ok(_) => Ok(Redirect::to(done).into_response()),
        Err(ApiError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/parent/bookings?failed={id}#booking-{id}")).into_response())
        }
        Err(e) => Err(e),
    }
}

const DONE: &str = "/parent/bookings?done=1";

async fn cancel(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    lifecycle(&state, &user, id, Event::Cancel { by: Actor::Family }, DONE).await
}

async fn accept(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    // The page then says plainly what the place now is (confirmed, or waiting for
    // the center's approval).
    let to = format!("/parent/bookings?accepted={id}#booking-{id}");
    lifecycle(&state, &user, id, Event::AcceptOffer, &to).await
}

async fn decline_offer(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    lifecycle(&state, &user, id, Event::DeclineOffer, DONE).await
}
