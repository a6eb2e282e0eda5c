//! sea-orm entities, one file per table.

pub mod agency;
pub mod audit_log;
pub mod booking;
pub mod booking_child;
pub mod capacity_lock;
pub mod child;
pub mod coupon_balance;
pub mod fs_activity;
pub mod fs_activity_report;
pub mod fs_member;
pub mod fs_pair;
pub mod fs_pre_meeting;
pub mod fs_proposal;
pub mod fs_request;
pub mod helper_absence;
pub mod helper_visit;
pub mod helper_visit_decline;
pub mod home_start_plan;
pub mod home_start_visit;
pub mod household;
pub mod idempotency_key;
pub mod municipality;
pub mod outbox;
pub mod provider;
pub mod provider_feed_token;
pub mod rule_set;
pub mod service;
pub mod session;
pub mod site;
pub mod site_share;
pub mod user;

/// Every entity's column types by (table, column): how the writers' SQLite
/// connection ([`crate::db`]) types what it reads, as sqlx would from the model.
pub fn column_types() -> std::collections::HashMap<(String, String), sea_orm::ColumnType> {
    use sea_orm::{ColumnTrait, EntityName, IdenStatic, Iterable};
    let mut types = std::collections::HashMap::new();
    macro_rules! tables {
        ($($m:ident),* $(,)?) => {$(
            let table = $m::Entity.table_name().to_owned();
            for c in $m::Column::iter() {
                types.insert(
                    (table.clone(), c.as_str().to_owned()),
                    c.def().get_column_type().clone(),
                );
            }
        )*};
    }
    tables!(
        agency,
        audit_log,
        booking,
        booking_child,
        capacity_lock,
        child,
        coupon_balance,
        fs_activity,
        fs_activity_report,
        fs_member,
        fs_pair,
        fs_pre_meeting,
        fs_proposal,
        fs_request,
        helper_absence,
        helper_visit,
        helper_visit_decline,
        home_start_plan,
        home_start_visit,
        household,
        idempotency_key,
        municipality,
        outbox,
        provider,
        provider_feed_token,
        rule_set,
        service,
        session,
        site,
        site_share,
        user,
    );
    types
}
