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
