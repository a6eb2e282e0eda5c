//! The provider's schedule digest: how often they want it (`daily`, the default, `weekly`
//! or `off`, kept in their profile as `digest`) and what one digest lists. The periodic
//! job that sends it is `crate::mail::jobs::digests`.

use chrono::NaiveDate;
use hagukumi_domain::Text;
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::notify::info;
use super::service::{me_as_provider, visits_of};
use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db::begin_write;
use crate::entities::provider;
use crate::error::{ApiError, ApiResult};
use crate::mail::BookingInfo;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// The day's visits, each morning.
    #[default]
    Daily,
    /// The coming seven days, once a week.
    Weekly,
    Off,
}

impl Frequency {
    pub fn of(p: &provider::Model) -> Frequency {
        serde_json::from_value(p.profile["digest"].clone()).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Off => "off",
        }
    }

    pub fn parse(s: &str) -> ApiResult<Frequency> {
        serde_json::from_value(json!(s)).map_err(|_| {
            ApiError::field(
                "frequency",
                "invalid",
                Text::new(
                    "頻度は daily・weekly・off のいずれかです",
                    "Frequency is daily, weekly or off",
                ),
            )
        })
    }
}

/// The signed-in provider chooses how often the digest comes.
pub async fn set_frequency(
    state: &AppState,
    user: &CurrentUser,
    f: Frequency,
) -> ApiResult<Frequency> {
    let txn = begin_write(&state.db).await?;
    let me = me_as_provider(&txn, user).await?;
    let before = Frequency::of(&me);
    let mut profile = me.profile.clone();
    if let Some(o) = profile.as_object_mut() {
        o.insert("digest".into(), json!(f.as_str()));
    } else {
        profile = json!({ "digest": f.as_str() });
    }
    let mut m = me.clone().into_active_model();
    m.profile = Set(profile);
    m.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            municipality_id: Some(user.municipality_id),
            actor: Some(user.id),
            action: "provider.digest",
            entity: "provider",
            entity_id: me.id.to_string(),
            details: json!({ "from": before.as_str(), "to": f.as_str() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(f)
}

/// What a digest lists for `p` from `from` to `to`: when, the programme, the area and the
/// family's label — what the job needs, nothing more.
pub async fn items(
    conn: &impl ConnectionTrait,
    p: &provider::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BookingInfo>, sea_orm::DbErr> {
    let mut rows = visits_of(conn, p.id, from, to).await?;
    rows.sort_by_key(|v| (v.day, v.planned_start_min.unwrap_or(v.window_start_min)));
    Ok(rows.iter().map(info).collect())
}
