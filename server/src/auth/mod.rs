//! Accounts, sessions stored in the database, CSRF protection and role checks.

pub mod credentials;
pub mod csrf;
pub mod extract;
pub mod handlers;
pub mod password;
pub mod role;
pub mod session;

pub use extract::{CurrentUser, MaybeUser, Require};
pub use role::{Admin, AnyRole, Coordinator, Parent, Provider, Role, RoleSet, Staff};
