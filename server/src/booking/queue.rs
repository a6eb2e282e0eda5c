//! The coordinators' work queue: requests waiting for approval in one municipality,
//! oldest first, each with what the decision needs — the household's facts (and
//! whether staff confirmed them), eligibility by the rules in force on the day, quota
//! used against its limit, the fee quote, the site's capacity on those days and what
//! stands against approving (no place, a closed day, the family's other bookings at
//! the same time). Reads only; the actions are the booking lifecycle's events.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use hagukumi_domain::availability::{Interval, local_midnight, utc_to_local};
use hagukumi_domain::booking::{quotas_from_rules, usage};
use hagukumi_domain::calendar::{FiscalYear, format_date_long};
use hagukumi_domain::eligibility::{self, ChildInput, EligibilityRequest};
use hagukumi_domain::{Lang, ServiceId, Text};
use hagukumi_frontend::console::model::{
    CapacityLine, FamilyFacts, QueueChild, QueueConflict, QueueItem,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::locks::days_of;
use super::repo::{self, HOLDING, Stored};
use super::resource::{SiteResource, municipality_codes};
use crate::entities::{booking, child, household, site, user};
use crate::error::{ApiError, ApiResult};
use crate::mail::booking_events::reference;
use crate::rules;

fn span(iv: &Interval) -> Text {
    let (s, e) = (utc_to_local(iv.start()), utc_to_local(iv.end()));
    let fmt = |lang: Lang| {
        let end = if s.date() == e.date() {
            e.format("%H:%M").to_string()
        } else {
            format!("{} {}", format_date_long(lang, e.date()), e.format("%H:%M"))
        };
        format!(
            "{} {}–{end}",
            format_date_long(lang, s.date()),
            s.format("%H:%M")
        )
    };
    Text::new(fmt(Lang::Ja), fmt(Lang::En))
}

/// The municipality's requests waiting for approval, oldest first.
pub async fn queue(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
) -> ApiResult<Vec<QueueItem>> {
    let rows = booking::Entity::find()
        .filter(booking::Column::MunicipalityId.eq(municipality_id))
        .filter(booking::Column::Status.eq("requested"))
        .order_by_asc(booking::Column::CreatedAt)
        .order_by_asc(booking::Column::Id)
        .all(conn)
        .await?;
    let stored = repo::with_children(conn, rows).await?;
    let all = rules::load(conn, municipality_id).await?;
    let codes = municipality_codes(conn).await?;
    let mut sites: HashMap<Uuid, SiteResource> = HashMap::new();
    let mut out = Vec::new();
    for s in &stored {
        if let Some(id) = s.row.site_id
            && !sites.contains_key(&id)
            && let Some(m) = site::Entity::find_by_id(id).one(conn).await?
        {
            sites.insert(id, SiteResource::load(conn, m).await?);
        }
        let res = s.row.site_id.and_then(|id| sites.get(&id));
        out.push(item(conn, &all, &codes, res, s).await?);
    }
    Ok(out)
}

async fn item(
    conn: &impl ConnectionTrait,
    all: &hagukumi_domain::rules::MunicipalityRules,
    codes: &HashMap<Uuid, hagukumi_domain::capacity::Municipality>,
    res: Option<&SiteResource>,
    s: &Stored,
) -> ApiResult<QueueItem> {
    let iv = s.interval()?;
    let on = iv.local_start_date();
    let service: ServiceId = s
        .row
        .service_key
        .parse()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("booking {} service", s.row.id)))?;
    let details = s.details()?;
    let h = household::Entity::find_by_id(s.row.household_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let parent_name = match h.user_id {
        Some(id) => user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let facts = eligibility::Household {
        single_parent: h.single_parent,
        single_parent_since: h.single_parent_since,
        public_assistance: h.public_assistance,
        tax_exempt: h.tax_exempt,
        multiple_birth: h.multiple_birth,
    };
    let mut children = Vec::new();
    for c in &s.children {
        let name = child::Entity::find_by_id(c.child_id)
            .one(conn)
            .await?
            .map(|c| format!("{} {}", c.family_name, c.given_name))
            .unwrap_or_default();
        let answer = eligibility::check(
            all,
            &EligibilityRequest {
                service,
                on,
                child: ChildInput {
                    birth_date: Some(c.birth_date),
                    due_date: None,
                },
                household: facts,
                reason: details.reason,
            },
        );
        let (eligible, reasons) = match answer {
            Ok(a) => (
                a.eligible,
                a.reasons.into_iter().map(|r| r.message).collect(),
            ),
            Err(e) => (false, vec![e.message()]),
        };
        children.push(QueueChild {
            name,
            birth_date: c.birth_date,
            eligible,
            reasons,
        });
    }
    let rules = all.rules_for(service, on).cloned();
    let mut quotas = Vec::new();
    if let Some(r) = &rules {
        let fy = FiscalYear::of(on);
        let range = Interval::new(
            local_midnight(fy.start()),
            local_midnight(fy.end()) + Duration::days(1),
        )
        .unwrap_or(iv);
        let used = repo::family_usage(conn, h.id, service.as_str(), range).await?;
        quotas = usage(&quotas_from_rules(&r.limits, h.multiple_birth), &used, on)
            .into_iter()
            .map(|u| u.text)
            .collect();
    }
    let mut conflicts = Vec::new();
    let mut capacity = Vec::new();
    if let (Some(res), Some(rules)) = (res, &rules) {
        for d in days_of(&iv) {
            if res.site_closed(d) {
                let why = res.closed_days.get(&d).cloned().unwrap_or_default();
                conflicts.push(QueueConflict {
                    code: "closed".into(),
                    message: Text::new(
                        format!("{}は休業日です {why}", format_date_long(Lang::Ja, d)),
                        format!("{} is closed {why}", format_date_long(Lang::En, d)),
                    ),
                });
            }
        }
        let range = Interval::new(iv.start() - Duration::days(1), iv.end() + Duration::days(1))
            .unwrap_or(iv);
        let holding = repo::on_resource(conn, &res.key(), &HOLDING, range).await?;
        let mut others = Vec::new();
        let mut all_occ = Vec::new();
        let now = Utc::now();
        for o in holding.iter().filter(|o| repo::holds_at(&o.row, now)) {
            let occ = o.occupancy(codes)?;
            if o.row.id != s.row.id {
                others.push(occ.clone());
            }
            all_occ.push(occ);
        }
        let me = s.occupancy(codes)?;
        let fits = res.with_model(rules, range, |m| m.fits(&others, &me, now))?;
        if let Err(c) = fits {
            conflicts.push(QueueConflict {
                code: "capacity".into(),
                message: c.message,
            });
        }
        if res.staffed(rules) {
            let left = res.with_model(rules, range, |m| m.remaining(&all_occ, &me, now))?;
            capacity.push(CapacityLine {
                date: on,
                text: Text::new(
                    format!("この時間に同じ条件であと{left}件受け入れ可能"),
                    format!("{left} more like this fit at that time"),
                ),
                full: left == 0,
            });
        } else {
            let beds = res.beds_model();
            for night in hagukumi_domain::capacity::beds::nights(&iv) {
                let (cap, taken) = beds.night_usage(&all_occ, night);
                capacity.push(CapacityLine {
                    date: night,
                    text: Text::new(
                        format!(
                            "{}の夜 ベッド {taken}/{cap}",
                            format_date_long(Lang::Ja, night)
                        ),
                        format!(
                            "night of {}: beds {taken}/{cap}",
                            format_date_long(Lang::En, night)
                        ),
                    ),
                    full: taken >= cap,
                });
            }
        }
    }
    let overlapping = booking::Entity::find()
        .filter(booking::Column::HouseholdId.eq(h.id))
        .filter(booking::Column::Id.ne(s.row.id))
        .filter(booking::Column::Status.is_in(HOLDING))
        .filter(booking::Column::StartsAt.lt(iv.end()))
        .filter(booking::Column::EndsAt.gt(iv.start()))
        .order_by_asc(booking::Column::StartsAt)
        .all(conn)
        .await?;
    for o in overlapping {
        let name = o
            .service_key
            .parse::<ServiceId>()
            .map(|x| x.name())
            .unwrap_or_else(|_| Text::new(o.service_key.clone(), o.service_key.clone()));
        let when = Interval::new(o.starts_at, o.ends_at)
            .map(|i| span(&i))
            .unwrap_or_else(|_| Text::new("", ""));
        conflicts.push(QueueConflict {
            code: "family_overlap".into(),
            message: Text::new(
                format!(
                    "同じ時間にこの家庭の別の予約があります: {} {}({})",
                    name.ja,
                    when.ja,
                    reference(o.id)
                ),
                format!(
                    "The family has another booking at that time: {} {} ({})",
                    name.en,
                    when.en,
                    reference(o.id)
                ),
            ),
        });
    }
    let eligible = children.iter().all(|c| c.eligible);
    Ok(QueueItem {
        id: s.row.id.to_string(),
        reference: reference(s.row.id),
        service: service.as_str().to_owned(),
        service_name: service.name(),
        site_name: res.map(|r| Text::new(r.site.name_ja.clone(), r.site.name_en.clone())),
        start: utc_to_local(iv.start()),
        end: utc_to_local(iv.end()),
        requested_at: s.row.created_at,
        reason: details.reason.map(|r| r.text()),
        family: FamilyFacts {
            parent_name,
            single_parent: h.single_parent,
            single_parent_since: h.single_parent_since,
            public_assistance: h.public_assistance,
            tax_exempt: h.tax_exempt,
            multiple_birth: h.multiple_birth,
            confirmed: h.facts_confirmed_at.is_some(),
        },
        children,
        eligible,
        quotas,
        fee_yen: s.row.fee_yen,
        coupon_yen: s.row.coupon_yen,
        total_yen: s.row.total_yen,
        capacity,
        conflicts,
    })
}
