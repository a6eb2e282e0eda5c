//! Service rules as versioned configuration in the database: one row per
//! (municipality, service, effective date) holding the domain's `ServiceRules`
//! as JSON, plus one row of municipality-wide settings (the coupon). The demo
//! stores Kiyose's defaults; a coordinator can read them and a test can swap them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

use chrono::{NaiveDate, Utc};
use hagukumi_domain::coupon::CouponRules;
use hagukumi_domain::rules::{MunicipalityRules, ServiceRules};
use hagukumi_domain::{ServiceId, Text};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{municipality, rule_set};
use crate::error::{ApiError, ApiResult};

/// The key of the municipality-wide row (not a service).
const MUNICIPALITY_KEY: &str = "_municipality";

#[derive(Serialize, Deserialize)]
struct MunicipalityWide {
    coupon: Option<CouponRules>,
}

/// Stores every version of every service's rules (and the coupon) for a municipality.
pub async fn store(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    rules: &MunicipalityRules,
) -> anyhow::Result<()> {
    if let Err(problems) = rules.validate() {
        anyhow::bail!("invalid rules: {problems:?}");
    }
    let now = Utc::now();
    let first = rules
        .services
        .values()
        .flatten()
        .map(|r| r.effective_from)
        .min()
        .unwrap_or(NaiveDate::MIN);
    rule_set::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(municipality_id),
        service_key: Set(MUNICIPALITY_KEY.to_owned()),
        effective_from: Set(first),
        rules: Set(serde_json::to_value(MunicipalityWide {
            coupon: rules.coupon,
        })?),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    for (service, versions) in &rules.services {
        for v in versions {
            rule_set::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(municipality_id),
                service_key: Set(service.as_str().to_owned()),
                effective_from: Set(v.effective_from),
                rules: Set(serde_json::to_value(v)?),
                created_at: Set(now),
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

/// What identifies a municipality's stored rules: rows are only ever added, so
/// their count and newest insert change whenever the rules do.
pub type Stamp = (i64, Option<String>);

/// Parsed rules per municipality, with the stamp they were read at. Every
/// request still asks the database for the stamp (one indexed aggregate), so a
/// change stored by any process is seen at once; what is saved is reading and
/// parsing every version's JSON on each calendar and booking.
static CACHE: LazyLock<Mutex<HashMap<Uuid, (Stamp, MunicipalityRules)>>> =
    LazyLock::new(Default::default);

async fn stamp(conn: &impl ConnectionTrait, municipality_id: Uuid) -> ApiResult<Stamp> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
    let stmt = Query::select()
        .expr_as(Func::count(Expr::col(rule_set::Column::Id)), "n")
        // As text on both databases: the stamp is only compared, and a
        // computed column has no type on SQLite.
        .expr_as(
            Func::max(Expr::col(rule_set::Column::CreatedAt)).cast_as("TEXT"),
            "latest",
        )
        .from(rule_set::Entity)
        .and_where(Expr::col(rule_set::Column::MunicipalityId).eq(municipality_id))
        .to_owned();
    let row = conn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no aggregate row")))?;
    Ok((row.try_get("", "n")?, row.try_get("", "latest")?))
}

/// All rule versions of a municipality, as the domain reads them.
pub async fn load(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
) -> ApiResult<MunicipalityRules> {
    Ok(load_stamped(conn, municipality_id).await?.1)
}

/// The rules with the stamp they were read at: the same stamp means the same
/// rules, for callers that cache what they derive from them.
pub async fn load_stamped(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
) -> ApiResult<(Stamp, MunicipalityRules)> {
    let now = stamp(conn, municipality_id).await?;
    if let Some((at, rules)) = cache().get(&municipality_id)
        && *at == now
    {
        return Ok((now, rules.clone()));
    }
    let rules = load_uncached(conn, municipality_id).await?;
    cache().insert(municipality_id, (now.clone(), rules.clone()));
    Ok((now, rules))
}

fn cache() -> std::sync::MutexGuard<'static, HashMap<Uuid, (Stamp, MunicipalityRules)>> {
    // A panic while holding the lock leaves a map that is still valid.
    CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn load_uncached(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
) -> ApiResult<MunicipalityRules> {
    let m = municipality::Entity::find_by_id(municipality_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = rule_set::Entity::find()
        .filter(rule_set::Column::MunicipalityId.eq(municipality_id))
        .order_by_asc(rule_set::Column::EffectiveFrom)
        .all(conn)
        .await?;
    let mut services: BTreeMap<ServiceId, Vec<ServiceRules>> = BTreeMap::new();
    let mut coupon = None;
    for row in rows {
        let broken = |e: serde_json::Error| {
            ApiError::Internal(anyhow::anyhow!(
                "rule set {} ({}) does not parse: {e}",
                row.id,
                row.service_key
            ))
        };
        if row.service_key == MUNICIPALITY_KEY {
            let wide: MunicipalityWide =
                MunicipalityWide::deserialize(&row.rules).map_err(broken)?;
            coupon = wide.coupon;
        } else if let Ok(service) = row.service_key.parse::<ServiceId>() {
            let v = ServiceRules::deserialize(&row.rules).map_err(broken)?;
            services.entry(service).or_default().push(v);
        }
    }
    Ok(MunicipalityRules {
        municipality: Text::new(m.name_ja, m.name_en),
        coupon,
        services,
    })
}
