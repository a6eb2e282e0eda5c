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

/// One request waiting for approval, with what the coordinator needs to decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: String,
    /// `HG-1A2B3C4D`, the number quoted on the phone.
    pub reference: String,
    pub service: String,
    pub service_name: Text,
    pub site_name: Option<Text>,
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    /// When the family asked (the queue is oldest first).
    pub requested_at: DateTime<Utc>,
    pub reason: Option<Text>,
    pub family: FamilyFacts,
    pub children: Vec<QueueChild>,
    /// Every child eligible on the day, by the rules in force.
    pub eligible: bool,
    pub quotas: Vec<Text>,
    pub fee_yen: i64,
    pub coupon_yen: i64,
    pub total_yen: i64,
    /// The site's capacity on the booking's days, this request counted.
    pub capacity: Vec<CapacityLine>,
    /// Whatever stands against approving: no place, a closed day, the family's other
    /// bookings at the same time.
    pub conflicts: Vec<QueueConflict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyFacts {
    pub parent_name: String,
    pub single_parent: bool,
    pub single_parent_since: Option<NaiveDate>,
    pub public_assistance: bool,
    pub tax_exempt: bool,
    pub multiple_birth: bool,
    /// Staff confirmed the self-declared facts (assistance, tax exemption).
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueChild {
    pub name: String,
    pub birth_date: NaiveDate,
    pub eligible: bool,
    pub reasons: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityLine {
    pub date: NaiveDate,
    /// `ベッド 2/3` (taken/capacity) or `最少空き 1人分`.
    pub text: Text,
    pub full: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueConflict {
    /// `capacity`, `closed`, `family_overlap`.
    pub code: String,
    pub message: Text,
}

/// A site the coordinator can open a calendar for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteOption {
    pub code: String,
    pub name: Text,
    pub service: String,
    pub service_name: Text,
    /// Only the owning municipality changes capacity.
    pub manage: bool,
}

/// A site's calendar over one day, week or month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteCalendar {
    pub site: SiteOption,
    /// `nights` (beds per night) or `hours` (staff ratio per hour).
    pub unit: String,
    /// `day`, `week` or `month`.
    pub view: String,
    pub date: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub prev: NaiveDate,
    pub next: NaiveDate,
    pub days: Vec<CalendarDay>,
    /// Place-holding bookings on closed days: the coordinator must handle them.
    pub closure_hits: Vec<CalendarBooking>,
    pub roster: Vec<RosterShift>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub open: bool,
    /// The coordinator's reason for a closed day (yearly closures have none).
    pub closed_reason: Option<String>,
    /// Beds (nights) or the busiest hour's staff needed (hours).
    pub capacity: u32,
    pub used: u32,
    pub free: u32,
    pub extra: u32,
    pub hours: Vec<HourLine>,
    pub bookings: Vec<CalendarBooking>,
    pub waiting: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourLine {
    pub hour: String,
    pub children: u32,
    pub staff_on_duty: u32,
    pub staff_needed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarBooking {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    /// The family's name for the municipality's own families; another
    /// municipality's are shown by the number only.
    pub who: Option<String>,
    pub children: u32,
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterShift {
    pub rrule: String,
    pub start: String,
    pub hours: u32,
    pub staff: u32,
}

/// A person with a calendar of their own (a helper, a home visitor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: String,
    pub name: String,
    /// `helper`, `home-visitor`, … as stored.
    pub kind: String,
}

/// A person's visits over one day, a week or a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonCalendar {
    pub person: PersonOption,
    pub view: String,
    pub date: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub prev: NaiveDate,
    pub next: NaiveDate,
    pub days: Vec<PersonDay>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDay {
    pub date: NaiveDate,
    pub visits: Vec<PersonVisit>,
    /// Minutes of visits that day.
    pub minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonVisit {
    pub start: String,
    pub end: String,
    pub service_name: Text,
    /// The family-name initial and the neighbourhood, never a child's name.
    pub family_label: String,
    pub area: String,
    /// `proposed` (waiting for the helper) or `accepted`.
    pub assignment_status: String,
}
