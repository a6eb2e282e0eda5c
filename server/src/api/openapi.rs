//! The OpenAPI 3.1 document of everything under `/api/v1`.

use axum::Json;
use utoipa::OpenApi;

use crate::api::outbox;
use crate::api::{availability, bookings};
use crate::api::{calendar, catalog, health, household, rules};
use crate::api::{console, family_support as fs, fs_reports};
use crate::api::{dispatch, home_start as hs, schedule};
use crate::auth::handlers as auth;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hagukumi API",
        description = "Booking and matching for municipal child and family support"
    ),
    paths(
        health::healthz,
        health::readyz,
        auth::api_sign_up,
        auth::api_sign_in,
        auth::api_sign_out,
        auth::api_me,
        calendar::holidays,
        rules::eligibility,
        rules::quote,
        rules::service_rules,
        catalog::municipalities,
        catalog::services,
        catalog::sites,
        household::my_household,
        household::children,
        household::put_household,
        household::post_child,
        household::put_child,
        household::confirm_household,
        outbox::list,
        outbox::retry,
        console::overview,
        console::queue,
        console::sites,
        console::calendar,
        console::extra_beds,
        console::extra_shift,
        console::close_day,
        console::reopen_day,
        console::roster,
        console::people,
        console::person_calendar,
        fs::list_members,
        fs::post_member,
        fs::get_member,
        fs::put_member,
        fs::list_requests,
        fs::post_request,
        fs::get_request,
        fs::put_request,
        fs::candidates,
        fs::propose,
        fs::list_proposals,
        fs::accept,
        fs::decline,
        fs::by_token,
        fs::accept_by_token,
        fs::decline_by_token,
        fs::list_pairs,
        fs::get_pair,
        fs::schedule_pre_meeting,
        fs::pre_meeting_done,
        fs::book_activities,
        fs::batch_plan,
        fs_reports::list,
        fs_reports::file,
        fs_reports::confirm,
        fs_reports::summary,
        fs::batch_confirm,
        availability::availability,
        bookings::create,
        bookings::preview,
        bookings::list,
        bookings::get_one,
        bookings::cancel,
        bookings::change,
        bookings::change_preview,
        bookings::approve,
        bookings::decline,
        bookings::move_to_waitlist,
        bookings::complete,
        bookings::no_show,
        bookings::accept_offer,
        bookings::decline_offer,
        dispatch::get_day,
        dispatch::post_plan,
        dispatch::post_visit,
        dispatch::put_pin,
        dispatch::post_unavailable,
        schedule::get_schedule,
        schedule::accept,
        schedule::decline,
        schedule::post_feed,
        schedule::put_digest,
        hs::list,
        hs::create,
        hs::get_one,
        hs::put_assessment,
        hs::visitors,
        hs::put_visitor,
        hs::preview,
        hs::put_visits,
        hs::put_review,
        hs::close,
        hs::cancel,
    ),
    components(schemas(crate::auth::Role))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
