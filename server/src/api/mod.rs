//! The REST API under `/api/v1` and its OpenAPI document.

pub mod availability;
pub mod bookings;
pub mod calendar;
pub mod catalog;
pub mod console;
pub mod dispatch;
pub mod family_support;
pub mod fs_reports;
pub mod health;
pub mod home_start;
pub mod household;
pub mod openapi;
pub mod outbox;
pub mod rules;
pub mod schedule;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::handlers as auth;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/signup", post(auth::api_sign_up))
        .route("/api/v1/auth/signin", post(auth::api_sign_in))
        .route("/api/v1/auth/signout", post(auth::api_sign_out))
        .route("/api/v1/me", get(auth::api_me))
        .route("/api/v1/holidays", get(calendar::holidays))
        .route("/api/v1/eligibility", post(rules::eligibility))
        .route("/api/v1/quotes", post(rules::quote))
        .route("/api/v1/services/{id}/rules", get(rules::service_rules))
        .route("/api/v1/municipalities", get(catalog::municipalities))
        .route("/api/v1/services", get(catalog::services))
        .route("/api/v1/sites", get(catalog::sites))
        .route(
            "/api/v1/household",
            get(household::my_household).put(household::put_household),
        )
        .route(
            "/api/v1/children",
            get(household::children).post(household::post_child),
        )
        .route(
            "/api/v1/children/{id}",
            axum::routing::put(household::put_child),
        )
        .route(
            "/api/v1/households/{id}/confirm",
            post(household::confirm_household),
        )
        .route("/api/v1/admin/outbox", get(outbox::list))
        .route("/api/v1/admin/outbox/{id}/retry", post(outbox::retry))
        .route("/api/v1/dispatch/days/{day}", get(dispatch::get_day))
        .route(
            "/api/v1/dispatch/days/{day}/plan",
            post(dispatch::post_plan),
        )
        .route("/api/v1/dispatch/visits", post(dispatch::post_visit))
        .route(
            "/api/v1/dispatch/visits/{id}/pin",
            axum::routing::put(dispatch::put_pin),
        )
        .route(
            "/api/v1/dispatch/helpers/{id}/unavailable",
            post(dispatch::post_unavailable),
        )
        .route("/api/v1/schedule", get(schedule::get_schedule))
        .route(
            "/api/v1/schedule/visits/{id}/accept",
            post(schedule::accept),
        )
        .route(
            "/api/v1/schedule/visits/{id}/decline",
            post(schedule::decline),
        )
        .route("/api/v1/schedule/feed", post(schedule::post_feed))
        .route(
            "/api/v1/schedule/digest",
            axum::routing::put(schedule::put_digest),
        )
        .route(
            "/api/v1/services/{id}/availability",
            get(availability::availability),
        )
        .route(
            "/api/v1/bookings",
            get(bookings::list).post(bookings::create),
        )
        .route("/api/v1/bookings/preview", post(bookings::preview))
        .route("/api/v1/bookings/{id}", get(bookings::get_one))
        .route("/api/v1/bookings/{id}/cancel", post(bookings::cancel))
        .route("/api/v1/bookings/{id}/change", post(bookings::change))
        .route(
            "/api/v1/bookings/{id}/change/preview",
            post(bookings::change_preview),
        )
        .route("/api/v1/bookings/{id}/approve", post(bookings::approve))
        .route("/api/v1/bookings/{id}/decline", post(bookings::decline))
        .route(
            "/api/v1/bookings/{id}/waitlist",
            post(bookings::move_to_waitlist),
        )
        .route("/api/v1/bookings/{id}/complete", post(bookings::complete))
        .route("/api/v1/bookings/{id}/no-show", post(bookings::no_show))
        .route(
            "/api/v1/bookings/{id}/accept-offer",
            post(bookings::accept_offer),
        )
        .route(
            "/api/v1/bookings/{id}/decline-offer",
            post(bookings::decline_offer),
        )
        .merge(family_support_routes())
        .merge(home_start_routes())
        .route("/api/openapi.json", get(openapi::document))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
}

/// Family Support and the coordinator console (issue 7).
fn family_support_routes() -> Router<AppState> {
    use axum::routing::put;
    use family_support as fs;
    Router::new()
        .route("/api/v1/console/overview", get(console::overview))
        .route("/api/v1/console/queue", get(console::queue))
        .route("/api/v1/console/sites", get(console::sites))
        .route(
            "/api/v1/console/sites/{code}/calendar",
            get(console::calendar),
        )
        .route(
            "/api/v1/console/sites/{code}/extra-beds",
            post(console::extra_beds),
        )
        .route(
            "/api/v1/console/sites/{code}/extra-shifts",
            post(console::extra_shift),
        )
        .route(
            "/api/v1/console/sites/{code}/closures",
            post(console::close_day),
        )
        .route(
            "/api/v1/console/sites/{code}/closures/{date}",
            axum::routing::delete(console::reopen_day),
        )
        .route("/api/v1/console/sites/{code}/roster", put(console::roster))
        .route("/api/v1/console/people", get(console::people))
        .route(
            "/api/v1/console/people/{id}/calendar",
            get(console::person_calendar),
        )
        .route(
            "/api/v1/family-support/members",
            get(fs::list_members).post(fs::post_member),
        )
        .route(
            "/api/v1/family-support/members/{id}",
            get(fs::get_member).put(fs::put_member),
        )
        .route(
            "/api/v1/family-support/requests",
            get(fs::list_requests).post(fs::post_request),
        )
        .route(
            "/api/v1/family-support/requests/{id}",
            get(fs::get_request).put(fs::put_request),
        )
        .route(
            "/api/v1/family-support/requests/{id}/candidates",
            get(fs::candidates),
        )
        .route(
            "/api/v1/family-support/requests/{id}/proposals",
            post(fs::propose),
        )
        .route("/api/v1/family-support/proposals", get(fs::list_proposals))
        .route(
            "/api/v1/family-support/proposals/{id}/accept",
            post(fs::accept),
        )
        .route(
            "/api/v1/family-support/proposals/{id}/decline",
            post(fs::decline),
        )
        .route("/api/v1/family-support/links/{token}", get(fs::by_token))
        .route(
            "/api/v1/family-support/links/{token}/accept",
            post(fs::accept_by_token),
        )
        .route(
            "/api/v1/family-support/links/{token}/decline",
            post(fs::decline_by_token),
        )
        .route("/api/v1/family-support/pairs", get(fs::list_pairs))
        .route("/api/v1/family-support/pairs/{id}", get(fs::get_pair))
        .route(
            "/api/v1/family-support/pairs/{id}/pre-meeting",
            put(fs::schedule_pre_meeting),
        )
        .route(
            "/api/v1/family-support/pairs/{id}/pre-meeting/done",
            post(fs::pre_meeting_done),
        )
        .route(
            "/api/v1/family-support/pairs/{id}/activities",
            post(fs::book_activities),
        )
        .route("/api/v1/family-support/reports", get(fs_reports::list))
        .route(
            "/api/v1/family-support/reports/summary",
            get(fs_reports::summary),
        )
        .route(
            "/api/v1/family-support/activities/{id}/report",
            post(fs_reports::file),
        )
        .route(
            "/api/v1/family-support/reports/{id}/confirm",
            post(fs_reports::confirm),
        )
        .route("/api/v1/family-support/batch", get(fs::batch_plan))
        .route(
            "/api/v1/family-support/batch/confirm",
            post(fs::batch_confirm),
        )
}

/// Home-Start plans (issue 7 item 7).
fn home_start_routes() -> Router<AppState> {
    use axum::routing::put;
    Router::new()
        .route(
            "/api/v1/home-start/plans",
            get(home_start::list).post(home_start::create),
        )
        .route("/api/v1/home-start/plans/{id}", get(home_start::get_one))
        .route(
            "/api/v1/home-start/plans/{id}/assessment",
            put(home_start::put_assessment),
        )
        .route(
            "/api/v1/home-start/plans/{id}/visitors",
            get(home_start::visitors),
        )
        .route(
            "/api/v1/home-start/plans/{id}/visitor",
            put(home_start::put_visitor),
        )
        .route(
            "/api/v1/home-start/plans/{id}/visits/preview",
            post(home_start::preview),
        )
        .route(
            "/api/v1/home-start/plans/{id}/visits",
            put(home_start::put_visits),
        )
        .route(
            "/api/v1/home-start/plans/{id}/review",
            put(home_start::put_review),
        )
        .route(
            "/api/v1/home-start/plans/{id}/close",
            post(home_start::close),
        )
        .route(
            "/api/v1/home-start/plans/{id}/cancel",
            post(home_start::cancel),
        )
}
