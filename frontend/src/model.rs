//! Data the pages render, shared by server and browser.

use hagukumi_domain::Lang;
use serde::{Deserialize, Serialize};

/// Who is looking at the page, in which language, with the CSRF token forms need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub lang: Lang,
    pub csrf: String,
    pub viewer: Option<Viewer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub display_name: String,
    /// `parent`, `coordinator`, `provider` or `admin`.
    pub role: String,
    pub municipality_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCard {
    pub id: String,
    pub name: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityOption {
    pub code: String,
    pub name: String,
}

/// A child as the family's pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildView {
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub due_date: Option<chrono::NaiveDate>,
}

/// The household facts as declared (and whether staff confirmed them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub facts: hagukumi_domain::eligibility::Household,
    pub area: Option<String>,
    pub confirmed: bool,
}

/// Everything the parent pages need about the family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyData {
    pub today: chrono::NaiveDate,
    pub household: HouseholdView,
    pub children: Vec<ChildView>,
}

/// What the service finder evaluates, in the browser as on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinderData {
    pub family: FamilyData,
    pub rules: hagukumi_domain::rules::MunicipalityRules,
    pub services: Vec<ServiceCard>,
}

/// One visit in a provider's schedule: only what the job needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    pub visit_id: String,
    pub day: chrono::NaiveDate,
    pub start: String,
    pub end: String,
    pub service: String,
    /// The family by initial (e.g. `清様`), never a child's name.
    pub family: String,
    pub area: String,
    pub notes: String,
    /// `proposed` (waiting for an answer) or `accepted`.
    pub status: String,
    /// Minutes from home or the previous visit that day.
    pub travel_minutes: Option<i32>,
}

/// The provider's page: their visits from today on, and their calendar feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleData {
    pub today: chrono::NaiveDate,
    pub entries: Vec<ScheduleEntry>,
    /// A feed URL exists (its token is stored hashed, so it is shown only when new).
    pub has_feed: bool,
    /// The freshly issued feed URL, right after a reset.
    pub new_feed_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchHelper {
    pub id: String,
    pub name: String,
    pub skills: Vec<String>,
    /// `09:00–18:00`, or `None` when not working that day.
    pub hours: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchVisit {
    pub id: String,
    pub service: String,
    pub family: String,
    pub area: String,
    /// Earliest–latest start.
    pub window: String,
    pub duration_minutes: i32,
    pub skills: Vec<String>,
    pub helper_id: Option<String>,
    pub helper_name: Option<String>,
    pub status: String,
    pub planned_start: Option<String>,
    pub pinned: bool,
}

/// The coordinator's dispatch board for one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchData {
    pub day: chrono::NaiveDate,
    pub helpers: Vec<DispatchHelper>,
    pub visits: Vec<DispatchVisit>,
}
