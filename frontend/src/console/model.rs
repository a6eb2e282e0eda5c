//! What the console and the Family Support answer pages render. The server fills these
//! from the same service calls as the JSON API (field names match the API's).

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::Text;
use hagukumi_domain::matching::candidates::{Help, Reason};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleOverview {
    pub fs_open_requests: u64,
    pub fs_proposals_waiting: u64,
    pub fs_pre_meetings_pending: u64,
    pub fs_active_pairs: u64,
    pub bookings_waiting: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub role: String,
    pub display_name: String,
    pub training_hours: i32,
    pub lifesaving_refresher_on: Option<NaiveDate>,
    pub refresher_valid: bool,
    pub sick_child: bool,
    pub overnight: bool,
    pub ages_text: Text,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub max_per_week: i32,
    pub availability: Vec<WindowView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowView {
    pub rule: String,
    pub dtstart: chrono::NaiveDateTime,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub child_name: String,
    pub child_birth_date: Option<NaiveDate>,
    pub place_label: String,
    pub rule: String,
    pub first_date: NaiveDate,
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    pub help: Vec<Help>,
    pub status: String,
    pub occurrences: usize,
    pub per_week: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairView {
    pub id: String,
    pub member_name: String,
    pub child_name: String,
    pub fiscal_year: i32,
    pub help: Vec<Help>,
    pub status: String,
    pub valid_now: bool,
    pub pre_meeting_at: Option<DateTime<Utc>>,
    pub pre_meeting_place: String,
    pub pre_meeting_done_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FsBoard {
    pub members: Vec<MemberView>,
    pub requests: Vec<RequestView>,
    pub pairs: Vec<PairView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateView {
    pub member_id: String,
    pub display_name: String,
    pub eligible: bool,
    pub score: i64,
    pub reasons: Vec<Reason>,
    pub exclusions: Vec<Reason>,
    pub free_occurrences: usize,
    pub total_occurrences: usize,
    pub distance_km: Option<f64>,
    pub continuity: bool,
    pub load_per_week: u32,
    pub max_per_week: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: String,
    pub member_name: String,
    pub child_given_name: String,
    pub child_birth_date: Option<NaiveDate>,
    pub place_label: String,
    pub rule: String,
    pub first_date: NaiveDate,
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    pub help: Vec<Help>,
    pub occurrences: usize,
    pub status: String,
    pub pre_meeting_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub decision_note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FsRequestData {
    pub request: RequestView,
    pub candidates: Vec<CandidateView>,
    pub proposals: Vec<ProposalView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedPairView {
    pub request_id: String,
    pub child_name: String,
    pub place_label: String,
    pub member_id: String,
    pub display_name: String,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedView {
    pub request_id: String,
    pub child_name: String,
    pub place_label: String,
    pub eligible_candidates: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub pairs: Vec<PlannedPairView>,
    pub unmatched: Vec<UnmatchedView>,
    pub total_score: i64,
    pub requests: usize,
    pub providers: usize,
    pub solve_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderFs {
    pub proposals: Vec<ProposalView>,
    pub pairs: Vec<PairView>,
}
