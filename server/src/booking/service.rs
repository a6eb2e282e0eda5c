//! The transactional booking service: validate (nothing written), then in one
//! transaction lock, count, decide with the domain, store, audit, publish events.
//!
//! Bad input (the past, outside opening hours, too long, an ineligible child, a
//! recurrence that never ends) is a 422 naming the field and the rule, found before
//! the transaction starts. A place that is not there is a 409, found after the locks
//! are held, so two requests can never both take the last place.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hagukumi_domain::availability::{
    BookingWindow, Interval, local_date, local_midnight, utc_to_local,
};
use hagukumi_domain::booking::{
    Actor, Booking, CancellationPolicy, ChargeKind, Effect, Event, Flow, OccurrenceReport,
    SERIES_CAP, SeriesContext, Status, Transition, expand_series, plan_series, quotas_from_rules,
    transition,
};
use hagukumi_domain::calendar::FiscalYear;
use hagukumi_domain::capacity::{ConflictCode, Municipality, Occupancy};
use hagukumi_domain::eligibility::{self, ChildInput, EligibilityRequest};
use hagukumi_domain::fees::{self, ChildFee, Period, Quote, QuoteRequest};
use hagukumi_domain::rules::{BookingUnit, MunicipalityRules, ReasonCode, ServiceRules};
use hagukumi_domain::{ServiceId, Text};
use sea_orm::sea_query::{InsertStatement, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::events::{self, BookingEvent, EventKind};
use super::group::Job;
use super::locks::LockSet;
use super::repo::{self, Details, Stored};
use super::resource::{SiteResource, hours_text, municipality_codes, occupancy};
use super::waitlist;
use crate::audit::{self, AuditEntry};
use crate::auth::{CurrentUser, Role};
use crate::entities::{booking, booking_child, child, coupon_balance, household};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::{AppState, Cached};
use crate::{db, rules};

/// A recurring booking: occurrences of the period's time, e.g.
/// `FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270331T235959` (must end; at most 200).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceIn {
    pub rrule: String,
}

/// The body of `POST /api/v1/bookings` and `POST /api/v1/bookings/preview`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    pub service: ServiceId,
    /// Site code, e.g. `with-i` or `midori`.
    pub site: String,
    /// Ids of the family's children (siblings book together).
    pub children: Vec<Uuid>,
    /// As for quotes: `{"kind":"hours","start","end"}` (Japan time),
    /// `{"kind":"nights","check_in","nights"}` or `{"kind":"day-stay","date"}`.
    pub period: Period,
    #[serde(default)]
    pub reason: Option<ReasonCode>,
    /// Join the waiting list when there is no place (instead of a 409).
    #[serde(default)]
    pub waitlist: bool,
    #[serde(default)]
    pub recurrence: Option<RecurrenceIn>,
}

impl BookingRequest {
    /// What the same `Idempotency-Key` must be sent with again.
    pub fn fingerprint(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }
}

/// Everything validated before the transaction.
pub struct Prepared {
    pub household: household::Model,
    pub children: Vec<(Uuid, NaiveDate)>,
    pub site: Arc<SiteResource>,
    /// Shared by the requests of a round: one municipality's rules are many maps.
    pub all_rules: Arc<MunicipalityRules>,
    pub rules: ServiceRules,
    pub service: ServiceId,
    pub occurrences: Vec<Interval>,
    pub series: bool,
    pub flow: Flow,
    pub policy: CancellationPolicy,
    pub low_income: bool,
    pub family: eligibility::Household,
    pub reason: Option<ReasonCode>,
    pub municipality: Option<Municipality>,
    /// The first child's given name, for the emails (the only name they carry).
    pub first_child_name: Option<String>,
}

impl Prepared {
    pub(super) fn template(&self) -> Occupancy {
        let first = self.occurrences.first().copied();
        let iv = first.unwrap_or_else(|| Interval::local_day(NaiveDate::MIN));
        occupancy(
            iv,
            self.children.iter().map(|(_, b)| *b).collect(),
            self.municipality.clone(),
        )
    }

    /// The fiscal years the occurrences fall in: the range quotas count over.
    pub(super) fn usage_range(&self) -> Interval {
        let hull = self.hull();
        let fy_start = local_midnight(FiscalYear::of(local_date(hull.start())).start());
        let fy_end =
            local_midnight(FiscalYear::of(local_date(hull.end())).end()) + Duration::days(1);
        Interval::new(fy_start, fy_end).unwrap_or(hull)
    }

    /// Whether the service's rules limit how often the family books it: only
    /// then are the family's own bookings read (quotas are all they count for).
    pub(super) fn has_quotas(&self) -> bool {
        !quotas_from_rules(&self.rules.limits, self.household.multiple_birth).is_empty()
    }

    pub(super) fn hull(&self) -> Interval {
        let mut it = self.occurrences.iter();
        let first = it
            .next()
            .copied()
            .unwrap_or_else(|| Interval::local_day(NaiveDate::MIN));
        it.fold(first, |acc, iv| acc.union_hull(iv))
    }

    fn window(&self) -> BookingWindow {
        BookingWindow::from(self.rules.window)
    }
}

pub(super) fn invalid(
    field: &str,
    code: &str,
    ja: impl Into<String>,
    en: impl Into<String>,
) -> ApiError {
    ApiError::field(field, code, Text::new(ja, en))
}

/// The signed-in parent's household (bookings are made by families).
pub async fn household_for(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
) -> ApiResult<household::Model> {
    household::Entity::find()
        .filter(household::Column::UserId.eq(user.id))
        .filter(household::Column::MunicipalityId.eq(user.municipality_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Checks the request against the rules; writes nothing.
pub async fn prepare(
    conn: &impl ConnectionTrait,
    user: &CurrentUser,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> ApiResult<Prepared> {
    let reference = Reference::load(conn, &[(user, req)]).await?;
    prepare_from(&reference, user, req, now)
}

/// What checking booking requests reads: the families, their children, the
/// sites, the rules. Read for one request, or once for a whole round of them.
pub struct Reference {
    households: Vec<household::Model>,
    children: HashMap<Uuid, child::Model>,
    pub codes: HashMap<Uuid, Municipality>,
    sites: Vec<Arc<SiteResource>>,
    rules: HashMap<Uuid, Arc<MunicipalityRules>>,
}

impl Reference {
    /// Reads it for `asks` (who asks, and what) in a handful of queries
    /// however many requests there are. The queries do not wait for each other:
    /// on a pool (PostgreSQL's booking rounds read it before their
    /// transaction) they run at once on several connections, one round trip
    /// instead of six; in a transaction they run one after another as before.
    pub async fn load(
        conn: &impl ConnectionTrait,
        asks: &[(&CurrentUser, &BookingRequest)],
    ) -> ApiResult<Reference> {
        Self::load_cached(conn, None, asks).await
    }

    /// As [`Self::load`], taking the families, children and sites from
    /// `cached` where it holds them (PostgreSQL's booking rounds: see
    /// [`crate::db::changes`]) and reading only the rest. Both were read
    /// before the round's locks anyway; the sites are read again under them.
    pub async fn load_cached(
        conn: &impl ConnectionTrait,
        cached: Option<&Cached>,
        asks: &[(&CurrentUser, &BookingRequest)],
    ) -> ApiResult<Reference> {
        // The epochs are taken before anything is read (see `Cache::put`).
        let families_epoch = cached.and_then(|c| c.households.epoch(&c.changes));
        let sites_epoch = cached.and_then(|c| c.places.epoch(&c.changes));
        let mut households = Vec::new();
        let mut users = BTreeSet::new();
        for (u, _) in asks {
            match cached.and_then(|c| c.households.get(&c.changes, &u.id)) {
                Some(hs) => households.extend(hs),
                None => {
                    users.insert(u.id);
                }
            }
        }
        let mut children = HashMap::new();
        let mut ids = BTreeSet::new();
        for id in asks.iter().flat_map(|(_, r)| r.children.iter()) {
            match cached.and_then(|c| c.children.get(&c.changes, id)) {
                Some(c) => {
                    children.insert(*id, c);
                }
                None => {
                    ids.insert(*id);
                }
            }
        }
        let services: BTreeSet<&str> = asks.iter().map(|(_, r)| r.service.as_str()).collect();
        let services: Vec<String> = services.into_iter().map(str::to_owned).collect();
        let places = cached.and_then(|c| c.places.get(&c.changes, &services));
        let municipalities: BTreeSet<Uuid> = asks.iter().map(|(u, _)| u.municipality_id).collect();
        let read_households = async {
            if users.is_empty() {
                return Ok(Vec::new());
            }
            Ok::<_, ApiError>(
                household::Entity::find()
                    .filter(household::Column::UserId.is_in(users.iter().copied()))
                    .all(conn)
                    .await?,
            )
        };
        let read_children = async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            Ok::<_, ApiError>(
                child::Entity::find()
                    .filter(child::Column::Id.is_in(ids.iter().copied()))
                    .all(conn)
                    .await?,
            )
        };
        let read_places = async {
            if let Some(places) = places {
                return Ok::<_, ApiError>(places);
            }
            let keys: Vec<&str> = services.iter().map(String::as_str).collect();
            let (codes, (sites, shares)) = futures::try_join!(municipality_codes(conn), async {
                Ok(SiteResource::rows_of_services(conn, &keys).await?)
            })?;
            let sites: Vec<Arc<SiteResource>> = SiteResource::assemble(sites, &shares, &codes)?
                .into_iter()
                .map(Arc::new)
                .collect();
            if let Some(c) = cached {
                c.places.put(
                    &c.changes,
                    sites_epoch,
                    services.clone(),
                    (codes.clone(), sites.clone()),
                );
            }
            Ok((codes, sites))
        };
        // The rules from `cached` where it holds them: otherwise every round
        // asked for their stamp, a query before its locks.
        let rules = futures::future::try_join_all(municipalities.iter().map(|m| async move {
            if let Some(c) = cached
                && let Some(r) = c.rules.get(&c.changes, m)
            {
                return Ok::<_, ApiError>((*m, r));
            }
            let epoch = cached.and_then(|c| c.rules.epoch(&c.changes));
            let read = Arc::new(rules::load(conn, *m).await?);
            if let Some(c) = cached {
                c.rules.put(&c.changes, epoch, *m, read.clone());
            }
            Ok((*m, read))
        }));
        let (read_households, read_children, (codes, sites), rules) =
            futures::try_join!(read_households, read_children, read_places, rules)?;
        if let Some(c) = cached {
            for user in &users {
                let own = read_households
                    .iter()
                    .filter(|h| h.user_id == Some(*user))
                    .cloned()
                    .collect();
                c.households.put(&c.changes, families_epoch, *user, own);
            }
            for child in &read_children {
                c.children
                    .put(&c.changes, families_epoch, child.id, child.clone());
            }
        }
        households.extend(read_households);
        children.extend(read_children.into_iter().map(|c| (c.id, c)));
        Ok(Reference {
            households,
            children,
            codes,
            sites,
            rules: rules.into_iter().collect(),
        })
    }
}

/// Checks the request against the rules, with what `r` read; writes nothing.
pub fn prepare_from(
    r: &Reference,
    user: &CurrentUser,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> ApiResult<Prepared> {
    let household = r
        .households
        .iter()
        .find(|h| h.user_id == Some(user.id) && h.municipality_id == user.municipality_id)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    if req.children.is_empty() {
        return Err(invalid(
            "children",
            "required",
            "お子さんを1人以上選んでください",
            "Choose at least one child",
        ));
    }
    let mut children = Vec::new();
    let mut first_child_name = None;
    let mut seen = BTreeSet::new();
    for (i, id) in req.children.iter().enumerate() {
        if !seen.insert(*id) {
            return Err(invalid(
                &format!("children[{i}]"),
                "duplicate",
                "同じお子さんが2回指定されています",
                "The same child is listed twice",
            ));
        }
        // Another family's child is simply not found: its existence is not disclosed.
        let c = r
            .children
            .get(id)
            .filter(|c| c.household_id == household.id && c.municipality_id == user.municipality_id)
            .ok_or(ApiError::NotFound)?;
        let Some(birth) = c.birth_date else {
            return Err(invalid(
                &format!("children[{i}]"),
                "not_born",
                "お生まれになる前のお子さんは預けられません",
                "A child who is not yet born cannot be booked",
            ));
        };
        if first_child_name.is_none() {
            first_child_name = Some(c.given_name.clone());
        }
        children.push((c.id, birth));
    }
    let site = r
        .sites
        .iter()
        .find(|s| {
            s.site.service_key == req.service.as_str()
                && s.site.code == req.site
                && s.municipalities.contains(&user.municipality_id)
        })
        .cloned()
        .ok_or_else(|| {
            invalid(
                "site",
                "unknown_site",
                format!("このサービスの施設「{}」はありません", req.site),
                format!("There is no site `{}` for this service", req.site),
            )
        })?;
    let all_rules = r
        .rules
        .get(&user.municipality_id)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let on = req.period.start_date();
    let rules = all_rules
        .rules_for(req.service, on)
        .cloned()
        .ok_or_else(|| {
            invalid(
                "service",
                "not_offered",
                "この日はこのサービスを実施していません",
                "The service is not offered on that date",
            )
        })?;
    let first = first_interval(&req.period, &rules)?;
    if first.start() <= now {
        return Err(invalid(
            "period.start",
            "in_past",
            "過去の日時は予約できません",
            "A booking cannot start in the past",
        ));
    }
    check_length(&rules, &first, &req.period)?;
    let (occurrences, series) = match &req.recurrence {
        None => (vec![first], false),
        Some(r) => {
            let Period::Hours { start, .. } = req.period else {
                return Err(invalid(
                    "recurrence",
                    "not_hourly",
                    "繰り返し予約は時間単位のサービスだけです",
                    "Only hourly services can be booked as a series",
                ));
            };
            let minutes = u32::try_from(first.duration().num_minutes()).unwrap_or(0);
            let occ = expand_series(&r.rrule, start, minutes, SERIES_CAP)
                .map_err(|e| ApiError::field("recurrence.rrule", e.code(), e.message()))?;
            if occ.is_empty() {
                return Err(invalid(
                    "recurrence.rrule",
                    "rrule_no_occurrences",
                    "繰り返しの日時がありません",
                    "The recurrence has no occurrences",
                ));
            }
            (occ, true)
        }
    };
    if !series {
        let window = BookingWindow::from(rules.window);
        if let Err(c) = window.check(first.start(), now) {
            return Err(ApiError::field("period.start", "booking_window", c.message));
        }
        let open = site.open_time(
            &rules,
            first.local_start_date() - Duration::days(1),
            local_date(first.end()),
        );
        if !open.covers(&first) {
            return Err(ApiError::field(
                "period",
                "outside_opening_hours",
                hours_text(&site, &rules, first.local_start_date()),
            ));
        }
    }
    let family = eligibility::Household {
        single_parent: household.single_parent,
        single_parent_since: household.single_parent_since,
        public_assistance: household.public_assistance,
        tax_exempt: household.tax_exempt,
        multiple_birth: household.multiple_birth,
    };
    let mut errors = Vec::new();
    for (i, (_, birth)) in children.iter().enumerate() {
        let answer = eligibility::check(
            &all_rules,
            &EligibilityRequest {
                service: req.service,
                on,
                child: ChildInput {
                    birth_date: Some(*birth),
                    due_date: None,
                },
                household: family,
                reason: req.reason,
            },
        )
        .map_err(|e| ApiError::field(&format!("children[{i}]"), "invalid", e.message()))?;
        for r in answer.reasons {
            errors.push(FieldError::new(format!("children[{i}]"), r.code, r.message));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The fee must be computable (the same checks as `POST /api/v1/quotes`).
    quote_for(
        &all_rules,
        req.service,
        &rules,
        &first,
        &children,
        &family,
        &HashMap::new(),
    )?;
    let low_income = family.public_assistance || family.tax_exempt;
    Ok(Prepared {
        policy: CancellationPolicy::for_household(&rules.cancellation, &family),
        flow: Flow {
            approval: rules.confirmation.into(),
            needs_provider: false,
            waitlist: req.waitlist,
        },
        municipality: r.codes.get(&user.municipality_id).cloned(),
        first_child_name,
        household,
        children,
        site,
        all_rules,
        rules,
        service: req.service,
        occurrences,
        series,
        low_income,
        family,
        reason: req.reason,
    })
}

fn first_interval(period: &Period, rules: &ServiceRules) -> ApiResult<Interval> {
    let wrong = |expected: &str| {
        invalid(
            "period.kind",
            "wrong_kind",
            "このサービスでは指定できない利用形態です",
            format!("This service is booked as {expected}"),
        )
    };
    let iv = match (*period, rules.unit) {
        (Period::Hours { start, end }, BookingUnit::Timed { .. }) => {
            Interval::from_local(start, end).map_err(|_| {
                invalid(
                    "period.end",
                    "end_not_after_start",
                    "終了時刻は開始時刻より後にしてください",
                    "The end must be after the start",
                )
            })?
        }
        (
            Period::Nights { check_in, nights },
            BookingUnit::Stay {
                check_in: t_in,
                check_out: t_out,
                ..
            },
        ) => {
            if nights == 0 {
                return Err(invalid(
                    "period.nights",
                    "too_short",
                    "1泊以上にしてください",
                    "Book at least one night",
                ));
            }
            let out = check_in
                .checked_add_signed(Duration::days(i64::from(nights)))
                .ok_or_else(|| {
                    invalid(
                        "period.nights",
                        "too_long",
                        "泊数が多すぎます",
                        "Too many nights",
                    )
                })?;
            Interval::from_local(check_in.and_time(t_in), out.and_time(t_out)).map_err(|_| {
                invalid(
                    "period",
                    "invalid",
                    "期間が正しくありません",
                    "The period is not valid",
                )
            })?
        }
        (
            Period::DayStay { date },
            BookingUnit::Stay {
                day_stay: Some(r), ..
            },
        ) => Interval::from_local(date.and_time(r.from), date.and_time(r.to)).map_err(|_| {
            invalid(
                "period",
                "invalid",
                "期間が正しくありません",
                "The period is not valid",
            )
        })?,
        (_, BookingUnit::Timed { .. }) => return Err(wrong("hours")),
        (_, BookingUnit::Stay { .. }) => return Err(wrong("nights or a day stay")),
    };
    Ok(iv)
}

/// The length rules: the unit's minimum and maximum, the daily maximum, nights per stay.
fn check_length(rules: &ServiceRules, iv: &Interval, period: &Period) -> ApiResult<()> {
    let minutes = iv.duration().num_minutes();
    if let BookingUnit::Timed {
        min_minutes,
        max_minutes,
        ..
    } = rules.unit
    {
        if minutes < i64::from(min_minutes) {
            return Err(invalid(
                "period",
                "too_short",
                format!("利用時間は{min_minutes}分以上です(規則 unit.min_minutes)"),
                format!("Book at least {min_minutes} minutes (rule unit.min_minutes)"),
            ));
        }
        let (max, rule) = match rules.limits.max_minutes_per_day {
            Some(d) if d < max_minutes => (d, "limits.max_minutes_per_day"),
            _ => (max_minutes, "unit.max_minutes"),
        };
        if minutes > i64::from(max) {
            return Err(invalid(
                "period",
                "too_long",
                format!("利用時間は{max}分までです(規則 {rule})"),
                format!("Book at most {max} minutes (rule {rule})"),
            ));
        }
    }
    if let (Period::Nights { nights, .. }, Some(max)) = (period, rules.limits.max_nights_per_stay)
        && *nights > max
    {
        return Err(invalid(
            "period.nights",
            "too_long",
            format!("宿泊は{max}泊までです(規則 limits.max_nights_per_stay)"),
            format!("A stay is at most {max} nights (rule limits.max_nights_per_stay)"),
        ));
    }
    Ok(())
}

fn period_of(iv: &Interval, template: Option<&Period>) -> Period {
    match template {
        Some(p @ (Period::Nights { .. } | Period::DayStay { .. })) => *p,
        _ => Period::Hours {
            start: utc_to_local(iv.start()),
            end: utc_to_local(iv.end()),
        },
    }
}

/// The quote with each child's remaining coupon balance.
fn quote_for(
    all: &MunicipalityRules,
    service: ServiceId,
    rules: &ServiceRules,
    iv: &Interval,
    children: &[(Uuid, NaiveDate)],
    family: &eligibility::Household,
    balances: &HashMap<Uuid, u32>,
) -> ApiResult<Quote> {
    let period = match rules.unit {
        BookingUnit::Timed { .. } => period_of(iv, None),
        BookingUnit::Stay { .. } => {
            let start = local_date(iv.start());
            let end = local_date(iv.end());
            let nights = u32::try_from((end - start).num_days()).unwrap_or(0);
            if nights == 0 {
                Period::DayStay { date: start }
            } else {
                Period::Nights {
                    check_in: start,
                    nights,
                }
            }
        }
    };
    let req = QuoteRequest {
        service,
        period,
        children: children
            .iter()
            .map(|(id, birth)| ChildFee {
                birth_date: *birth,
                coupon_balance_yen: balances.get(id).copied().unwrap_or(0),
            })
            .collect(),
        household: *family,
        forfeit_coupon_change: false,
    };
    fees::quote(all, &req).map_err(|e| ApiError::field(&e.field(), "invalid", e.message()))
}

/// Each child's coupon left in the fiscal year of `on`.
pub async fn coupon_left(
    conn: &impl ConnectionTrait,
    all: &MunicipalityRules,
    children: &[(Uuid, NaiveDate)],
    on: NaiveDate,
) -> ApiResult<HashMap<Uuid, u32>> {
    if all.coupon.is_none() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = children.iter().map(|(id, _)| *id).collect();
    let spent = load_spent(conn, &ids, &[FiscalYear::of(on).0]).await?;
    Ok(coupon_left_in(all, children, on, &spent))
}

/// Each child's coupon left in the fiscal year of `on`, given what is `spent`.
pub fn coupon_left_in(
    all: &MunicipalityRules,
    children: &[(Uuid, NaiveDate)],
    on: NaiveDate,
    spent: &Spent,
) -> HashMap<Uuid, u32> {
    let Some(c) = &all.coupon else {
        return HashMap::new();
    };
    let fy = FiscalYear::of(on).0;
    children
        .iter()
        .map(|(id, _)| {
            let used = spent.get(&(*id, fy)).copied().unwrap_or(0);
            let left = i64::from(c.yen_per_fiscal_year).saturating_sub(used).max(0);
            (*id, u32::try_from(left).unwrap_or(0))
        })
        .collect()
}

/// What `POST /api/v1/bookings` made.
pub enum Created {
    One(Box<Stored>),
    Series {
        series_id: Uuid,
        bookings: Vec<Stored>,
        skipped: Vec<OccurrenceReport>,
    },
}

/// The outcome, and whether it replays an earlier request with the same key.
pub struct CreateOutcome {
    pub created: Created,
    pub replayed: bool,
    /// The site the bookings are at, as the decision read it: the answer
    /// needs it and need not read it again.
    pub site: Option<crate::entities::site::Model>,
}

/// Per-occurrence report of what would fit now, writing nothing.
pub async fn preview(
    state: &AppState,
    p: &Prepared,
    now: DateTime<Utc>,
) -> ApiResult<Vec<OccurrenceReport>> {
    plan(&state.db, p, now).await
}

async fn plan(
    conn: &impl ConnectionTrait,
    p: &Prepared,
    now: DateTime<Utc>,
) -> ApiResult<Vec<OccurrenceReport>> {
    let codes = municipality_codes(conn).await?;
    let existing = repo::holding(conn, &p.site.key(), p.hull(), &codes).await?;
    let family = if p.has_quotas() {
        repo::family_usage(conn, p.household.id, p.service.as_str(), p.usage_range()).await?
    } else {
        Vec::new()
    };
    plan_with(p, now, &existing, &family)
}

/// What fits of `p`, occurrence by occurrence, given the place-holding bookings
/// `existing` of its site and the family's own bookings `family` (as read on the
/// transaction, plus any a group commit has decided before this one).
pub(super) fn plan_with(
    p: &Prepared,
    now: DateTime<Utc>,
    existing: &[Occupancy],
    family: &[Interval],
) -> ApiResult<Vec<OccurrenceReport>> {
    let hull = p.hull();
    let quotas = quotas_from_rules(&p.rules.limits, p.household.multiple_birth);
    let open = p.site.open_time(
        &p.rules,
        local_date(hull.start()) - Duration::days(1),
        local_date(hull.end()),
    );
    let window = p.window();
    let template = p.template();
    p.site.with_model(&p.rules, hull, |model| {
        plan_series(
            &p.occurrences,
            &SeriesContext {
                open: &open,
                window: Some(&window),
                model,
                existing,
                template: &template,
                quotas: &quotas,
                family_bookings: family,
                now,
            },
        )
    })
}

pub(super) fn is_capacity(code: ConflictCode) -> bool {
    matches!(
        code,
        ConflictCode::NoBed
            | ConflictCode::AllocationReserved
            | ConflictCode::StaffRatio
            | ConflictCode::NoStaff
            | ConflictCode::PersonBusy
            | ConflictCode::TravelBuffer
    )
}

/// Creates the booking (or the series' bookings that fit): checked against the
/// rules, decided under the locks and stored with its audit row and emails, in
/// one transaction shared with whatever other bookings arrive at the same
/// moment (see [`super::group`]).
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    req: &BookingRequest,
    key: Option<&str>,
) -> ApiResult<CreateOutcome> {
    state
        .bookings
        .submit(
            state,
            Job {
                user: user.clone(),
                req: req.clone(),
                fingerprint: req.fingerprint(),
                key: key.map(str::to_owned),
                // Lapsed offers are not waited for: `repo::holding` ignores them,
                // and the waitlist job marks them expired and offers the place on.
                now: Utc::now(),
            },
        )
        .await
}

/// A new booking of `job` at `iv` as it will be stored, before the domain
/// decides its status (`requested` is a placeholder `submit` ignores), and
/// the booking as the domain sees it, from the same details.
pub(super) fn new_stored(
    job: &Job,
    p: &Prepared,
    iv: Interval,
    quote: &Quote,
    series_id: Option<Uuid>,
) -> ApiResult<(Stored, Booking)> {
    let coupon = quote.coupon_applied_yen;
    let head = Details {
        flow: p.flow,
        cancellation: p.policy.clone(),
        low_income: p.low_income,
        reason: p.reason,
        quote: serde_json::Value::Null,
    };
    // The quote goes into the details' JSON as it is made, not copied there.
    let mut details = serde_json::to_value(&head).unwrap_or_default();
    details["quote"] = serde_json::to_value(quote).unwrap_or_default();
    let row = booking::Model {
        id: Uuid::now_v7(),
        municipality_id: job.user.municipality_id,
        household_id: p.household.id,
        created_by: job.user.id,
        service_key: p.service.as_str().to_owned(),
        site_id: Some(p.site.site.id),
        resource_key: p.site.key(),
        status: "requested".to_owned(),
        starts_at: iv.start(),
        ends_at: iv.end(),
        offer_expires_at: None,
        waitlisted_at: None,
        fee_yen: quote.total_yen + coupon,
        coupon_yen: coupon,
        total_yen: quote.total_yen,
        charge_kind: None,
        charge_percent: None,
        charge_yen: 0,
        series_id,
        details,
        created_at: job.now,
        updated_at: job.now,
    };
    let children = p
        .children
        .iter()
        .enumerate()
        .map(|(i, (id, birth))| booking_child::Model {
            booking_id: row.id,
            child_id: *id,
            birth_date: *birth,
            coupon_yen: quote
                .coupon_uses
                .iter()
                .filter(|u| u.child == i)
                .map(|u| u.applied_yen)
                .sum(),
        })
        .collect();
    let stored = Stored { row, children };
    let booking = stored.domain_with(head)?;
    Ok((stored, booking))
}

fn kind_of(
    about: &str,
    from: Option<Status>,
    t: &Transition,
    row: &booking::Model,
) -> Option<EventKind> {
    Some(match about {
        "requested" => EventKind::Received {
            needs_approval: true,
        },
        "approved" => EventKind::Approved,
        "confirmed" => EventKind::Confirmed,
        "declined" => EventKind::Declined,
        "cancelled" => EventKind::Cancelled {
            fee_yen: row.charge_yen,
        },
        "waitlisted" if matches!(from, Some(Status::Requested | Status::Approved)) => {
            EventKind::MovedToWaitlist
        }
        "waitlisted" => EventKind::Waitlisted,
        "offered" => match t.to {
            Status::Offered { expires_at } => EventKind::WaitlistOffer { expires_at },
            _ => return None,
        },
        "expired" if matches!(from, Some(Status::Offered { .. })) => {
            EventKind::WaitlistOfferExpired
        }
        "expired" => EventKind::Expired,
        "completed" => EventKind::Completed,
        "no_show" => EventKind::NoShow,
        _ => return None,
    })
}

/// Coupon yen spent per (child, fiscal year), as far as a transaction knows it.
pub type Spent = HashMap<(Uuid, i32), i64>;

/// A transition worked out in memory: the booking as it will be stored, and what
/// else must be written with it.
pub struct Settled {
    pub stored: Stored,
    /// Children whose coupon share was cut (spent elsewhere since the quote).
    pub cut: Vec<usize>,
    /// The (child, fiscal year) balances in `spent` that changed.
    pub balances: BTreeSet<(Uuid, i32)>,
}

/// The fiscal year a booking's coupon is counted in.
fn coupon_year(row: &booking::Model) -> i32 {
    FiscalYear::of(local_date(row.starts_at)).0
}

/// The children a transition's coupon effects touch.
fn coupon_children(t: &Transition) -> Vec<Uuid> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            Effect::SpendCoupon { child, .. } | Effect::RefundCoupon { child, .. } => {
                child.parse().ok()
            }
            _ => None,
        })
        .collect()
}

/// Works out a transition and its effects (coupons, charges) in memory, against
/// the balances in `spent`, which it updates. Nothing is written: [`apply`] does
/// that for one booking, the group commit for many.
pub fn settle(
    s: Stored,
    t: &Transition,
    now: DateTime<Utc>,
    coupon_cap: i64,
    spent: &mut Spent,
    events: &mut Vec<BookingEvent>,
) -> Settled {
    let Stored {
        mut row,
        mut children,
    } = s;
    let (coupon_before, fee) = (row.coupon_yen, row.fee_yen);
    row.status = t.to.code().to_owned();
    row.updated_at = now;
    if let Status::Offered { expires_at } = t.to {
        row.offer_expires_at = Some(expires_at);
    }
    if t.to == Status::Waitlisted {
        row.waitlisted_at = Some(now);
    }
    let fy = coupon_year(&row);
    let mut coupon_total = coupon_before;
    let mut cut = Vec::new();
    let mut balances = BTreeSet::new();
    for e in &t.effects {
        match e {
            Effect::SpendCoupon { child, yen } => {
                let Ok(child_id) = child.parse::<Uuid>() else {
                    continue;
                };
                let before = spent.get(&(child_id, fy)).copied().unwrap_or(0);
                // Spent elsewhere since the quote: spend what is left, never more.
                let take = i64::from(*yen).min((coupon_cap - before).max(0));
                spent.insert((child_id, fy), before + take);
                balances.insert((child_id, fy));
                if take < i64::from(*yen)
                    && let Some((i, c)) = children
                        .iter_mut()
                        .enumerate()
                        .find(|(_, c)| c.child_id == child_id)
                {
                    coupon_total -= c.coupon_yen - take;
                    c.coupon_yen = take;
                    cut.push(i);
                }
            }
            Effect::RefundCoupon { child, yen } => {
                let Ok(child_id) = child.parse::<Uuid>() else {
                    continue;
                };
                let before = spent.get(&(child_id, fy)).copied().unwrap_or(0);
                spent.insert((child_id, fy), (before - i64::from(*yen)).max(0));
                balances.insert((child_id, fy));
            }
            Effect::Charge { kind, percent, yen } => {
                row.charge_kind = Some(
                    match kind {
                        ChargeKind::Cancellation => "cancellation",
                        ChargeKind::NoShow => "no_show",
                    }
                    .to_owned(),
                );
                row.charge_percent = Some(i32::from(*percent));
                row.charge_yen = i64::from(*yen);
            }
            Effect::OfferFreedPlace | Effect::ScheduleExpiry { .. } | Effect::Notify { .. } => {}
        }
    }
    if coupon_total != coupon_before {
        row.coupon_yen = coupon_total;
        row.total_yen = fee - coupon_total;
    }
    for e in &t.effects {
        if let Effect::Notify { to, about } = e
            && let Some(kind) = kind_of(about, t.from, t, &row)
        {
            events.push(BookingEvent {
                booking_id: row.id,
                municipality_id: row.municipality_id,
                household_id: row.household_id,
                family_user: row.created_by,
                to: *to,
                kind,
            });
        }
    }
    Settled {
        stored: Stored { row, children },
        cut,
        balances,
    }
}

/// The coupon spent by `children` in fiscal year `fy` (one query).
pub async fn load_spent(
    conn: &impl ConnectionTrait,
    children: &[Uuid],
    fys: &[i32],
) -> ApiResult<Spent> {
    if children.is_empty() || fys.is_empty() {
        return Ok(Spent::new());
    }
    Ok(coupon_balance::Entity::find()
        .filter(coupon_balance::Column::ChildId.is_in(children.iter().copied()))
        .filter(coupon_balance::Column::FiscalYear.is_in(fys.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| ((b.child_id, b.fiscal_year), b.spent_yen))
        .collect())
}

/// Writes the `keys` balances of `spent` (one upsert).
pub async fn save_spent(
    conn: &impl ConnectionTrait,
    keys: &BTreeSet<(Uuid, i32)>,
    spent: &Spent,
) -> ApiResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    conn.execute(&spent_upsert(keys, spent)).await?;
    Ok(())
}

/// The statement [`save_spent`] runs, to send with other writes (`keys` not empty).
pub fn spent_upsert(keys: &BTreeSet<(Uuid, i32)>, spent: &Spent) -> InsertStatement {
    let rows = keys.iter().map(|(child, fy)| coupon_balance::ActiveModel {
        child_id: Set(*child),
        fiscal_year: Set(*fy),
        spent_yen: Set(spent.get(&(*child, *fy)).copied().unwrap_or(0)),
    });
    coupon_balance::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                coupon_balance::Column::ChildId,
                coupon_balance::Column::FiscalYear,
            ])
            .update_column(coupon_balance::Column::SpentYen)
            .to_owned(),
        )
        .into_query()
}

/// Stores a transition and performs its effects (coupons, charges) on `txn`.
/// `OfferFreedPlace` is left to the caller, which knows which days it holds.
pub async fn apply(
    txn: &DatabaseTransaction,
    s: &Stored,
    t: &Transition,
    now: DateTime<Utc>,
    coupon_cap: i64,
    events: &mut Vec<BookingEvent>,
) -> ApiResult<Stored> {
    let mut spent = load_spent(txn, &coupon_children(t), &[coupon_year(&s.row)]).await?;
    let done = settle(s.clone(), t, now, coupon_cap, &mut spent, events);
    save_spent(txn, &done.balances, &spent).await?;
    for i in &done.cut {
        let c = &done.stored.children[*i];
        let mut am = c.clone().into_active_model();
        am.reset(booking_child::Column::CouponYen);
        am.update(txn).await?;
    }
    let row = done
        .stored
        .row
        .clone()
        .into_active_model()
        .reset_all()
        .update(txn)
        .await?;
    Ok(Stored {
        row,
        children: done.stored.children,
    })
}

/// Whether `user` may see the booking; others get 404 (existence not disclosed).
pub async fn visible(conn: &impl ConnectionTrait, user: &CurrentUser, s: &Stored) -> ApiResult<()> {
    let ok = match user.role {
        Role::Parent => household_for(conn, user)
            .await
            .is_ok_and(|h| h.id == s.row.household_id),
        Role::Coordinator | Role::Admin => s.row.municipality_id == user.municipality_id,
        Role::Provider => false,
    };
    if ok { Ok(()) } else { Err(ApiError::NotFound) }
}

/// Who may send which event.
fn allowed(role: Role, event: &Event) -> bool {
    let staff = matches!(role, Role::Coordinator | Role::Admin);
    match event {
        Event::Cancel { by: Actor::Family } | Event::AcceptOffer | Event::DeclineOffer => {
            role == Role::Parent
        }
        Event::Cancel { .. }
        | Event::Approve
        | Event::Decline
        | Event::MoveToWaitlist
        | Event::Complete
        | Event::NoShow
        | Event::Confirm => staff,
        Event::Expire | Event::Offer { .. } => false,
    }
}

/// A lifecycle event from a person (cancel, approve, decline, complete, no-show,
/// accept or decline an offer).
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    event: Event,
) -> ApiResult<Stored> {
    act_with_note(state, user, id, event, None).await
}

/// [`act`] with a coordinator's note (a decline's reason).
pub async fn act_with_note(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    event: Event,
    note: Option<Note>,
) -> ApiResult<Stored> {
    let now = Utc::now();
    waitlist::expire_lapsed(state, now).await?;
    let s = repo::find(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    visible(&state.db, user, &s).await?;
    if !allowed(user.role, &event) {
        return Err(ApiError::Forbidden);
    }
    event_with_note(state, Some(user.id), id, event, note, now).await
}

/// One event in one transaction: lock the household and the booking's days, re-read,
/// ask the state machine, store, perform the effects (offer a freed place to the
/// waiting list on the same days), audit, publish.
pub async fn event_in_transaction(
    state: &AppState,
    actor: Option<Uuid>,
    id: Uuid,
    event: Event,
    now: DateTime<Utc>,
) -> ApiResult<Stored> {
    event_with_note(state, actor, id, event, None, now).await
}

/// What a coordinator tells the family with a decline or a move to the waiting list;
/// stored in the booking's details (`decline_reason` / `waitlist_note`) in the same
/// transaction, so the email and the family's page show it.
#[derive(Debug, Clone)]
pub struct Note(pub Text);

fn note_key(event: Event) -> Option<&'static str> {
    match event {
        Event::Decline => Some("decline_reason"),
        Event::MoveToWaitlist => Some("waitlist_note"),
        _ => None,
    }
}

/// [`event_in_transaction`] with the coordinator's note stored beside the change.
pub async fn event_with_note(
    state: &AppState,
    actor: Option<Uuid>,
    id: Uuid,
    event: Event,
    note: Option<Note>,
    now: DateTime<Utc>,
) -> ApiResult<Stored> {
    let before = repo::find(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    let txn = db::begin_write(&state.db).await?;
    let mut locks = LockSet::new();
    locks.household(before.row.household_id);
    locks.days(&before.row.resource_key, &before.interval()?);
    locks.acquire(&txn).await?;
    // Re-read under the locks: another process may have changed it meanwhile.
    let s = repo::find(&txn, id).await?.ok_or(ApiError::NotFound)?;
    let b: Booking = s.domain()?;
    let t = match transition(&b, event, now) {
        Ok(t) => t,
        Err(e) => {
            txn.rollback().await?;
            return Err(ApiError::Conflict(e.message));
        }
    };
    let all = rules::load(&txn, s.row.municipality_id).await?;
    let coupon_cap = all.coupon.map_or(0, |c| i64::from(c.yen_per_fiscal_year));
    let mut events = Vec::new();
    let s = match (&note, note_key(event)) {
        (Some(Note(text)), Some(key)) => {
            let mut details = s.row.details.clone();
            if let Some(obj) = details.as_object_mut() {
                obj.insert(key.to_owned(), json!({"ja": text.ja, "en": text.en}));
            }
            let mut am = s.row.clone().into_active_model();
            am.details = Set(details);
            let row = am.update(&txn).await?;
            Stored {
                row,
                children: s.children,
            }
        }
        _ => s,
    };
    let stored = apply(&txn, &s, &t, now, coupon_cap, &mut events).await?;
    super::helper_visits::after_transition(&txn, state, actor, &s.row.status, &stored).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(stored.row.municipality_id),
            actor,
            action: &format!("booking.{}", event.code()),
            entity: "booking",
            entity_id: stored.row.id.to_string(),
            details: json!({
                "from": s.row.status,
                "to": stored.row.status,
                "charge_yen": stored.row.charge_yen,
                "note": note.as_ref().map(|n| n.0.ja.clone()),
            }),
        },
    )
    .await?;
    if t.effects.contains(&Effect::OfferFreedPlace) {
        let days = locks.days_for(&s.row.resource_key);
        waitlist::offer_freed(&txn, &stored, &days, now, &mut events).await?;
    }
    events::publish(&txn, &state.settings, &events).await?;
    txn.commit().await?;
    Ok(stored)
}

/// Bookings the user may see: a parent's own, a coordinator's municipality's.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    status: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<Vec<Stored>> {
    use sea_orm::QueryOrder;
    waitlist::expire_lapsed(state, Utc::now()).await?;
    let mut q = booking::Entity::find();
    q = match user.role {
        Role::Parent => {
            let h = household_for(&state.db, user).await?;
            q.filter(booking::Column::HouseholdId.eq(h.id))
        }
        Role::Coordinator | Role::Admin => {
            q.filter(booking::Column::MunicipalityId.eq(user.municipality_id))
        }
        Role::Provider => return Err(ApiError::Forbidden),
    };
    if let Some(s) = status {
        q = q.filter(booking::Column::Status.eq(s));
    }
    if let Some(f) = from {
        q = q.filter(booking::Column::EndsAt.gt(local_midnight(f)));
    }
    if let Some(t) = to {
        q = q.filter(booking::Column::StartsAt.lt(local_midnight(t) + Duration::days(1)));
    }
    let rows = q
        .order_by_asc(booking::Column::StartsAt)
        .order_by_asc(booking::Column::Id)
        .all(&state.db)
        .await?;
    repo::with_children(&state.db, rows).await
}

/// The quote of the first occurrence as it would be booked now (each child's
/// remaining coupon applied): the parent's confirmation step shows it.
pub async fn quote_preview(conn: &impl ConnectionTrait, p: &Prepared) -> ApiResult<Quote> {
    let iv = p.occurrences.first().copied().ok_or(ApiError::NotFound)?;
    let balances = coupon_left(conn, &p.all_rules, &p.children, local_date(iv.start())).await?;
    quote_for(
        &p.all_rules,
        p.service,
        &p.rules,
        &iv,
        &p.children,
        &p.family,
        &balances,
    )
}

/// The quote of `iv` for `p`'s children with the given coupon balances: a change
/// of time prices the new time with what the booking itself had spent given back.
pub fn quote_at(p: &Prepared, iv: &Interval, balances: &HashMap<Uuid, u32>) -> ApiResult<Quote> {
    quote_for(
        &p.all_rules,
        p.service,
        &p.rules,
        iv,
        &p.children,
        &p.family,
        balances,
    )
}
