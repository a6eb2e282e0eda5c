//! The six bookable services and their stable public ids (see DOMAIN.md).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Text;

/// A bookable service. The kebab-case id is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceId {
    ShortStay,
    SingleParentHomeHelp,
    ChildrearingSupportHelper,
    TemporaryCare,
    HomeVisitor,
    FamilySupport,
}

impl ServiceId {
    pub const ALL: [ServiceId; 6] = [
        ServiceId::ShortStay,
        ServiceId::SingleParentHomeHelp,
        ServiceId::ChildrearingSupportHelper,
        ServiceId::TemporaryCare,
        ServiceId::HomeVisitor,
        ServiceId::FamilySupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceId::ShortStay => "short-stay",
            ServiceId::SingleParentHomeHelp => "single-parent-home-help",
            ServiceId::ChildrearingSupportHelper => "childrearing-support-helper",
            ServiceId::TemporaryCare => "temporary-care",
            ServiceId::HomeVisitor => "home-visitor",
            ServiceId::FamilySupport => "family-support",
        }
    }

    /// The service's name as parents know it.
    pub fn name(self) -> Text {
        match self {
            ServiceId::ShortStay => Text::new("子どもショートステイ", "Child short stay"),
            ServiceId::SingleParentHomeHelp => {
                Text::new("ひとり親家庭ホームヘルプ", "Single-parent home help")
            }
            ServiceId::ChildrearingSupportHelper => {
                Text::new("養育支援ヘルパー", "Childrearing support helper")
            }
            ServiceId::TemporaryCare => Text::new("一時預かり", "Temporary care"),
            ServiceId::HomeVisitor => Text::new("ホームビジター", "Home visitor (Home-Start)"),
            ServiceId::FamilySupport => {
                Text::new("ファミリー・サポート・センター", "Family Support")
            }
        }
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id did not name one of the six services.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service `{0}`")]
pub struct UnknownService(pub String);

impl FromStr for ServiceId {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceId::ALL
            .into_iter()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| UnknownService(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for id in ServiceId::ALL {
            assert_eq!(id.as_str().parse::<ServiceId>(), Ok(id));
            let json = serde_json::to_string(&id).expect("serialises");
            assert_eq!(json, format!("\"{}\"", id.as_str()));
        }
        assert!("babysitting".parse::<ServiceId>().is_err());
    }
}
