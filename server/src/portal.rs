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
use hagukumi_domain::booking::{Actor, Event};
use hagukumi_domain::calendar::{local_date, local_datetime};
use hagukumi_domain::capacity::ConflictCode;
use hagukumi_domain::fees::Period;
use hagukumi_domain::rules::{BookingUnit, Confirmation, ReasonCode};
use hagukumi_domain::{Lang, ServiceId};
use hagukumi_frontend::model::{
    BookPage, BookingDraft, BookingView, ConfirmView, DayView, SiteCalendar, SlotView,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::api::availability::{AvailabilityQuery, availability};
use crate::auth::csrf::CsrfForm;
use crate::auth::handlers::NoFields;
use crate::auth::{CurrentUser, MaybeUser, Parent, Require};
use crate::booking::service::{self, BookingRequest, Created};
use crate::entities::{booking, site};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::state::AppState;

fn t(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_owned(),
        Lang::En => en.to_owned(),
    }
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
    let first = month
        .unwrap_or(today)
        .with_day(1)
        .unwrap_or(today)
        .max(today.with_day(1).unwrap_or(today));
    let last = first
        .checked_add_months(Months::new(1))
        .map(|d| d - Duration::days(1))
        .unwrap_or(first);
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
    let mut sites = vec![];
    let has_sites = !crate::booking::resource::SiteResource::for_service(
        &state.db,
        sid.as_str(),
        user.municipality_id,
    )
    .await?
    .is_empty();
    if has_sites && !unit.is_empty() {
        let q = AvailabilityQuery {
            from: first.max(today),
            to: last,
            site: None,
            children: (!kids.is_empty()).then(|| kids.join(",")),
            birth_dates: None,
            minutes: None,
            municipality: None,
        };
        let out = availability(
            State(state.clone()),
            MaybeUser(Some(user.clone())),
            Path(service.clone()),
            ApiQuery(q),
        )
        .await?
        .0;
        for s in out.sites {
            let mut days: Vec<DayView> = vec![];
            // Days before today belong to the month but cannot be booked.
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
            for day in s.days {
                let v = serde_json::to_value(&day.day).map_err(|e| ApiError::Internal(e.into()))?;
                let slots = v["slots"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| {
                                let start = x["start"]
                                    .as_str()?
                                    .parse::<chrono::DateTime<chrono::FixedOffset>>()
                                    .ok()?;
                                let end = x["end"]
                                    .as_str()?
                                    .parse::<chrono::DateTime<chrono::FixedOffset>>()
                                    .ok()?;
                                Some(SlotView {
                                    start: local_datetime(start.with_timezone(&Utc)),
                                    end: local_datetime(end.with_timezone(&Utc)),
                                    remaining: u32::try_from(x["remaining"].as_u64()?).ok()?,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                days.push(DayView {
                    date: day.day.date,
                    mark: v["mark"].as_str().unwrap_or("closed").to_owned(),
                    remaining: day.day.remaining,
                    slots,
                });
            }
            sites.push(SiteCalendar {
                code: s.site.code.clone(),
                name: if lang == Lang::Ja {
                    s.site.name_ja
                } else {
                    s.site.name_en
                },
                days,
            });
        }
    }
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
    let day = d.day.ok_or_else(|| "day".to_owned())?;
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
        waitlist: d.waitlist,
        recurrence: None,
    })
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
    };
    let req = match request_of(&draft) {
        Ok(r) => r,
        Err(field) => {
            view.problems.push(match field.as_str() {
                "children" => t(lang, "お子さんを選んでください。", "Choose the children."),
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
        let s = local_datetime(iv.start());
        let e = local_datetime(iv.end());
        view.when = format!(
            "{} {}〜{}{}",
            hagukumi_frontend::i18n::date_long(lang, s.date()),
            s.format("%H:%M"),
            if e.date() != s.date() {
                format!("{} ", hagukumi_frontend::i18n::date_long(lang, e.date()))
            } else {
                String::new()
            },
            e.format("%H:%M")
        );
    }
    let reports = service::preview(state, &prepared, now).await?;
    view.fits = !reports.is_empty() && reports.iter().all(|r| r.fits());
    if let Some(conflict) = reports.iter().find_map(|r| r.outcome.as_ref().err())
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
        out.push(BookingView {
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
            helper: helpers.get(&s.row.id).cloned(),
            center_note: b.center_note.map(|t| t.get(lang).to_owned()),
        });
    }
    out.sort_by_key(|b| b.start);
    Ok(out)
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
        .route("/parent/bookings/{id}/accept", post(accept))
        .route("/parent/bookings/{id}/decline-offer", post(decline_offer))
}

/// `POST /parent/bookings` from the confirmation step.
async fn create(
    State(state): State<AppState>,
    user: Require<Parent>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let get = |k: &str| form.get(k).filter(|v| !v.is_empty()).cloned();
    let draft = BookingDraft {
        service: get("service").unwrap_or_default(),
        site: get("site").unwrap_or_default(),
        day: get("day").and_then(|d| d.parse().ok()),
        start: get("start"),
        hours: get("hours").and_then(|h| h.parse().ok()),
        nights: get("nights").and_then(|n| n.parse().ok()),
        children: (0..20).filter_map(|i| get(&format!("child_{i}"))).collect(),
        reason: get("reason"),
        waitlist: get("waitlist").is_some(),
    };
    let back = format!("/parent/book/{}", draft.service);
    let Ok(req) = request_of(&draft) else {
        return Ok(Redirect::to(&back).into_response());
    };
    match service::create(&state, &user, &req, None).await {
        Ok(outcome) => {
            let id = match outcome.created {
                Created::One(s) => s.row.id,
                Created::Series { bookings, .. } => {
                    bookings.first().map(|b| b.row.id).unwrap_or_default()
                }
            };
            Ok(Redirect::to(&format!("/parent/bookings?created={id}")).into_response())
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

async fn lifecycle(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    event: Event,
) -> ApiResult<Response> {
    match service::act(state, user, id, event).await {
        Ok(_) | Err(ApiError::Conflict(_)) => {
            Ok(Redirect::to("/parent/bookings?done=1").into_response())
        }
        Err(e) => Err(e),
    }
}

async fn cancel(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    lifecycle(&state, &user, id, Event::Cancel { by: Actor::Family }).await
}

async fn accept(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    lifecycle(&state, &user, id, Event::AcceptOffer).await
}

async fn decline_offer(
    State(state): State<AppState>,
    user: Require<Parent>,
    Path(id): Path<Uuid>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> ApiResult<Response> {
    lifecycle(&state, &user, id, Event::DeclineOffer).await
}
