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
