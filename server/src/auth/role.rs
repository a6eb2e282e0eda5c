//! Roles and the sets of roles an endpoint admits; the check itself lives in one
//! extractor (`Require<R>`), never in handlers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Parent,
    Coordinator,
    Provider,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Parent => "parent",
            Role::Coordinator => "coordinator",
            Role::Provider => "provider",
            Role::Admin => "admin",
        }
    }

    /// Where a person lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Parent => "/parent",
            Role::Coordinator => "/coordinator",
            Role::Provider => "/provider",
            Role::Admin => "/admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "parent" => Ok(Role::Parent),
            "coordinator" => Ok(Role::Coordinator),
            "provider" => Ok(Role::Provider),
            "admin" => Ok(Role::Admin),
            _ => Err(()),
        }
    }
}

/// A set of roles allowed through `Require<Self>`.
pub trait RoleSet: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

pub struct AnyRole;
impl RoleSet for AnyRole {
    const ROLES: &'static [Role] = &[Role::Parent, Role::Coordinator, Role::Provider, Role::Admin];
}

pub struct Parent;
impl RoleSet for Parent {
    const ROLES: &'static [Role] = &[Role::Parent];
}

pub struct Coordinator;
impl RoleSet for Coordinator {
    const ROLES: &'static [Role] = &[Role::Coordinator];
}

pub struct Provider;
impl RoleSet for Provider {
    const ROLES: &'static [Role] = &[Role::Provider];
}

pub struct Admin;
impl RoleSet for Admin {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Center staff: coordinators and administrators.
pub struct Staff;
impl RoleSet for Staff {
    const ROLES: &'static [Role] = &[Role::Coordinator, Role::Admin];
}
