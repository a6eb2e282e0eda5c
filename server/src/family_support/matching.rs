//! Ranked candidates for one request and the batch plan for all open requests, from the
//! rows: providing members, their booked activities, promised load and past pairings.

use std::collections::{HashMap, HashSet};
use std::time::Instant as Clock;

use chrono::Utc;
use hagukumi_domain::Text;
use hagukumi_domain::availability::Interval;
use hagukumi_domain::calendar::local_date;
use hagukumi_domain::matching::candidates::{
    Assessment, BatchRequest, FsPolicy, ProviderProfile, ProviderState, Reason, batch_with_limits,
    need_per_week, rank_candidates,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::members::profile_of;
use super::requests::{need_of, occurrences_of};
use crate::entities::{child, fs_activity, fs_member, fs_pair, fs_proposal, fs_request};
use crate::error::{ApiError, ApiResult};

/// One provider's answer for a request, as the console shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CandidateOut {
    pub member_id: Uuid,
    pub display_name: String,
    /// May be proposed (no exclusion).
    pub eligible: bool,
    pub score: i64,
    /// Score parts with their points.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
    /// Why they cannot be proposed.
    #[schema(value_type = Vec<Object>)]
    pub exclusions: Vec<Reason>,
    pub free_occurrences: usize,
    pub total_occurrences: usize,
    pub distance_km: Option<f64>,
    pub continuity: bool,
    pub load_per_week: u32,
    pub max_per_week: i32,
}

/// Everything the ranking needs about the providing members, loaded once.
pub struct Pool {
    pub members: Vec<fs_member::Model>,
    pub profiles: Vec<ProviderProfile>,
    pub busy: Vec<Vec<Interval>>,
    /// Activities a week promised per member, by the request that promised them.
    pub promised: Vec<Vec<(Uuid, u32)>>,
    /// `(household, member)` pairs that existed at some time.
    pub history: HashSet<(Uuid, Uuid)>,
}

impl Pool {
    pub async fn load(conn: &impl ConnectionTrait, municipality_id: Uuid) -> ApiResult<Pool> {
        let rows = fs_member::Entity::find()
            .filter(fs_member::Column::MunicipalityId.eq(municipality_id))
            .filter(fs_member::Column::Role.is_in(["providing", "both"]))
            .filter(fs_member::Column::Active.eq(true))
            // A fixed order: the plan must not depend on where rows sit on disk
            // (PostgreSQL moves updated rows), or the same data could plan differently.
            .order_by_asc(fs_member::Column::Id)
            .all(conn)
            .await?;
        let (members, profiles): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .filter_map(|m| profile_of(&m).map(|p| (m, p)))
            .unzip();
        let index: HashMap<Uuid, usize> =
            members.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut busy = vec![Vec::new(); members.len()];
        let acts = fs_activity::Entity::find()
            .filter(fs_activity::Column::MunicipalityId.eq(municipality_id))
            .filter(fs_activity::Column::Status.eq("booked"))
            .filter(fs_activity::Column::EndsAt.gt(Utc::now()))
            .all(conn)
            .await?;
        let mut pairs_with_activities = HashSet::new();
        for a in acts {
            pairs_with_activities.insert(a.pair_id);
            if let (Some(&i), Ok(iv)) = (
                index.get(&a.member_id),
                Interval::new(a.starts_at, a.ends_at),
            ) {
                busy[i].push(iv);
            }
        }
        let requests: HashMap<Uuid, fs_request::Model> = fs_request::Entity::find()
            .filter(fs_request::Column::MunicipalityId.eq(municipality_id))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let per_week = |rid: Uuid| {
            requests
                .get(&rid)
                .map(|r| need_per_week(&occurrences_of(r)))
                .unwrap_or(0)
        };
        let mut promised = vec![Vec::new(); members.len()];
        let mut history = HashSet::new();
        for p in fs_pair::Entity::find()
            .filter(fs_pair::Column::MunicipalityId.eq(municipality_id))
            .all(conn)
            .await?
        {
            history.insert((p.household_id, p.member_id));
            if p.status != "ended"
                && !pairs_with_activities.contains(&p.id)
                && let Some(&i) = index.get(&p.member_id)
            {
                promised[i].push((p.request_id, per_week(p.request_id)));
            }
        }
        for pr in fs_proposal::Entity::find()
            .filter(fs_proposal::Column::MunicipalityId.eq(municipality_id))
            .filter(fs_proposal::Column::Status.eq("proposed"))
            .all(conn)
            .await?
        {
            if let Some(&i) = index.get(&pr.member_id) {
                promised[i].push((pr.request_id, per_week(pr.request_id)));
            }
        }
        Ok(Pool {
            members,
            profiles,
            busy,
            promised,
            history,
        })
    }

    fn states(&self, request: &fs_request::Model) -> Vec<ProviderState<'_, usize>> {
        (0..self.members.len())
            .map(|i| ProviderState {
                id: i,
                profile: &self.profiles[i],
                busy: &self.busy[i],
                // What this same request promised does not count against it.
                committed_per_week: self.promised[i]
                    .iter()
                    .filter(|(r, _)| *r != request.id)
                    .map(|(_, n)| n)
                    .sum(),
                continuity: self
                    .history
                    .contains(&(request.household_id, self.members[i].id)),
            })
            .collect()
    }

    /// Ranks every providing member for `request`.
    pub fn rank(
        &self,
        request: &fs_request::Model,
        c: &child::Model,
    ) -> ApiResult<Vec<Assessment<usize>>> {
        let need = need_of(request, c).ok_or(ApiError::NotFound)?;
        let today = local_date(Utc::now());
        let mut ranked = rank_candidates(&self.states(request), &need, today, &FsPolicy::default());
        // A member never helps their own family through the center.
        for a in &mut ranked {
            if self.members[a.id].household_id == Some(request.household_id) {
                a.exclusions.push(Reason {
                    code: "own_family".to_owned(),
                    text: Text::new("依頼した家庭の会員本人", "member of the requesting family"),
                    points: 0,
                });
            }
        }
        ranked.sort_by_key(|a| !a.eligible());
        Ok(ranked)
    }

    pub fn out(&self, a: Assessment<usize>) -> CandidateOut {
        let m = &self.members[a.id];
        CandidateOut {
            member_id: m.id,
            display_name: m.display_name.clone(),
            eligible: a.eligible(),
            score: a.score,
            reasons: a.reasons,
            exclusions: a.exclusions,
            free_occurrences: a.free_occurrences,
            total_occurrences: a.total_occurrences,
            distance_km: a.distance_km.map(|d| (d * 10.0).round() / 10.0),
            continuity: a.continuity,
            load_per_week: a.load_per_week,
            max_per_week: m.max_per_week,
        }
    }
}

/// Ranked candidates for a request of the caller's municipality.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
    request_id: Uuid,
) -> ApiResult<Vec<CandidateOut>> {
    let (r, c) = super::requests::get(conn, municipality_id, request_id).await?;
    let pool = Pool::load(conn, municipality_id).await?;
    Ok(pool
        .rank(&r, &c)?
        .into_iter()
        .map(|a| pool.out(a))
        .collect())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlannedPair {
    pub request_id: Uuid,
    pub child_name: String,
    pub place_label: String,
    pub member_id: Uuid,
    pub display_name: String,
    pub score: i64,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unmatched {
    pub request_id: Uuid,
    pub child_name: String,
    pub place_label: String,
    /// How many providers could be proposed for it alone.
    pub eligible_candidates: usize,
}

/// The optimal plan for all open requests, for review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchPlanOut {
    pub pairs: Vec<PlannedPair>,
    pub unmatched: Vec<Unmatched>,
    pub total_score: i64,
    pub requests: usize,
    pub providers: usize,
    /// Time to rank and solve, in milliseconds.
    pub solve_ms: f64,
}

pub async fn batch_plan(
    conn: &impl ConnectionTrait,
    municipality_id: Uuid,
) -> ApiResult<BatchPlanOut> {
    let clock = Clock::now();
    let open = fs_request::Entity::find()
        .filter(fs_request::Column::MunicipalityId.eq(municipality_id))
        .filter(fs_request::Column::Status.eq("open"))
        .order_by_asc(fs_request::Column::Id)
        .all(conn)
        .await?;
    let kids: HashMap<Uuid, child::Model> = child::Entity::find()
        .filter(child::Column::MunicipalityId.eq(municipality_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let pool = Pool::load(conn, municipality_id).await?;
    let mut rows = Vec::new();
    let mut ranked = Vec::new();
    let mut occurrences = Vec::new();
    for r in open {
        let Some(c) = kids.get(&r.child_id) else {
            continue;
        };
        let Ok(rank) = pool.rank(&r, c) else {
            continue;
        };
        occurrences.push(occurrences_of(&r));
        ranked.push(rank);
        rows.push((r, c));
    }
    let requests: Vec<BatchRequest<'_>> = ranked
        .iter()
        .zip(&occurrences)
        .map(|(rank, occ)| BatchRequest {
            occurrences: occ,
            candidates: rank
                .iter()
                .filter(|a| a.eligible())
                .map(|a| (a.id, a.score))
                .collect(),
        })
        .collect();
    // Weekly room: the limit minus what is booked or promised in the busiest week.
    let room: Vec<u32> = (0..pool.members.len())
        .map(|i| {
            let busiest = ranked
                .iter()
                .flat_map(|rank| rank.iter().filter(|a| a.id == i).map(|a| a.load_per_week))
                .max()
                .unwrap_or(0);
            pool.profiles[i].max_per_week.saturating_sub(busiest)
        })
        .collect();
    let plan = batch_with_limits(&requests, &room)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("batch: {e}")))?;
    let name = |c: &child::Model| format!("{} {}", c.family_name, c.given_name);
    let pairs = plan
        .pairs
        .iter()
        .map(|&(r, p)| {
            let a = ranked[r].iter().find(|a| a.id == p);
            PlannedPair {
                request_id: rows[r].0.id,
                child_name: name(rows[r].1),
                place_label: rows[r].0.place_label.clone(),
                member_id: pool.members[p].id,
                display_name: pool.members[p].display_name.clone(),
                score: a.map(|a| a.score).unwrap_or(0),
                reasons: a.map(|a| a.reasons.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let unmatched = plan
        .unmatched
        .iter()
        .map(|&r| Unmatched {
            request_id: rows[r].0.id,
            child_name: name(rows[r].1),
            place_label: rows[r].0.place_label.clone(),
            eligible_candidates: requests[r].candidates.len(),
        })
        .collect();
    Ok(BatchPlanOut {
        pairs,
        unmatched,
        total_score: plan.total_score,
        requests: rows.len(),
        providers: pool.members.len(),
        solve_ms: clock.elapsed().as_secs_f64() * 1000.0,
    })
}
