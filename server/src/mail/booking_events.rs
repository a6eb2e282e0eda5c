//! Booking events (from `crate::booking::events::publish`, inside the booking's
//! transaction) turned into emails: which template, to whom, with what the
//! message needs read from the booking's rows on the same transaction.

use std::collections::HashMap;

use hagukumi_domain::Text;
use hagukumi_domain::booking::Recipient as To;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::outbox::{self, Recipient};
use super::templates::{BookingInfo, MailEvent};
use crate::booking::events::{BookingEvent, EventKind};
use crate::entities::{booking, booking_child, child, service, site};
use crate::settings::Settings;

/// What a booking looks like in an email, read on `conn`.
pub async fn booking_info(
    conn: &impl ConnectionTrait,
    b: &booking::Model,
) -> Result<BookingInfo, DbErr> {
    let svc = service::Entity::find()
        .filter(service::Column::MunicipalityId.eq(b.municipality_id))
        .filter(service::Column::ServiceKey.eq(b.service_key.as_str()))
        .one(conn)
        .await?;
    let place = match b.site_id {
        Some(id) => site::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    // The given name only, and only in the body: enough for a parent with
    // several children to know which booking this is.
    let first_child = booking_child::Entity::find()
        .filter(booking_child::Column::BookingId.eq(b.id))
        .one(conn)
        .await?;
    let child_given_name = match first_child {
        Some(c) => child::Entity::find_by_id(c.child_id)
            .one(conn)
            .await?
            .map(|c| c.given_name),
        None => None,
    };
    Ok(info_from(b, svc.as_ref(), place.as_ref(), child_given_name))
}

/// What a booking looks like in an email, from rows the caller already holds.
pub fn info_from(
    b: &booking::Model,
    svc: Option<&service::Model>,
    place: Option<&site::Model>,
    child_given_name: Option<String>,
) -> BookingInfo {
    BookingInfo {
        booking_id: b.id,
        reference: reference(b.id),
        service: svc
            .map(|s| Text::new(s.name_ja.clone(), s.name_en.clone()))
            .unwrap_or_else(|| Text::new(b.service_key.clone(), b.service_key.clone())),
        place: place.map(|s| Text::new(s.name_ja.clone(), s.name_en.clone())),
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        child_given_name,
    }
}

/// The booking number people read out on the phone: the last 8 hex digits.
pub fn reference(id: Uuid) -> String {
    let hex = id.simple().to_string();
    format!("HG-{}", hex[hex.len() - 8..].to_uppercase())
}

/// A booking's row and how it reads in an email, by booking id.
pub type Known = HashMap<Uuid, (booking::Model, BookingInfo)>;

/// Writes the emails for `events` on `conn` (the booking's transaction).
pub async fn publish(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    events: &[BookingEvent],
) -> Result<(), DbErr> {
    let mut known = Known::new();
    for e in events {
        if known.contains_key(&e.booking_id) {
            continue;
        }
        if let Some(row) = booking::Entity::find_by_id(e.booking_id).one(conn).await? {
            let info = booking_info(conn, &row).await?;
            known.insert(row.id, (row, info));
        }
    }
    publish_known(conn, settings, events, &known, &outbox::Already::default()).await
}

/// Writes the emails for `events` about the bookings in `known` (events about
/// others are skipped), all in one go: see [`outbox::enqueue_many`].
pub async fn publish_known(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    events: &[BookingEvent],
    known: &Known,
    already: &outbox::Already,
) -> Result<(), DbErr> {
    let mails = mails_known(conn, events, known).await?;
    outbox::enqueue_many(conn, settings, mails, already).await?;
    Ok(())
}

/// The emails [`publish_known`] writes, each with its recipient. A request
/// awaiting approval counts the municipality's waiting bookings on `conn`,
/// the new ones included: they must be written first.
pub async fn mails_known(
    conn: &impl ConnectionTrait,
    events: &[BookingEvent],
    known: &Known,
) -> Result<Vec<(Recipient, MailEvent)>, DbErr> {
    let mut mails = Vec::new();
    // One count per municipality, however many requests arrive together.
    let mut waiting: HashMap<Uuid, (u64, Vec<BookingInfo>)> = HashMap::new();
    for e in events {
        let Some((row, info)) = known.get(&e.booking_id) else {
            continue;
        };
        let (row, info) = (row, info.clone());
        let family = Recipient::User(e.family_user);
        let mail = match (&e.to, &e.kind) {
            (To::Family, EventKind::Received { needs_approval }) => Some((
                family,
                MailEvent::BookingReceived {
                    booking: info,
                    needs_approval: *needs_approval,
                },
            )),
            // Approved, a provider still to be found: confirmation follows.
            (To::Family, EventKind::Approved) => Some((
                family,
                MailEvent::BookingReceived {
                    booking: info,
                    needs_approval: false,
                },
            )),
            (To::Family, EventKind::Confirmed) => {
                Some((family, MailEvent::BookingConfirmed { booking: info }))
            }
            (To::Family, EventKind::Declined) => Some((
                family,
                MailEvent::BookingDeclined {
                    booking: info,
                    reason: decline_reason(row),
                },
            )),
            (To::Family, EventKind::Cancelled { fee_yen }) => Some((
                family,
                MailEvent::BookingCancelled {
                    booking: info,
                    fee_yen: *fee_yen,
                },
            )),
            (To::Family, EventKind::WaitlistOffer { expires_at }) => Some((
                family,
                MailEvent::WaitlistOffer {
                    booking: info,
                    expires_at: *expires_at,
                },
            )),
            // A confirmed booking's new time replaces the calendar entry; a
            // request not yet confirmed gets no invitation, only the news that
            // the request (at its new time) is in.
            (
                To::Family,
                EventKind::Changed {
                    previous_starts_at,
                    previous_ends_at,
                },
            ) if row.status == "confirmed" => Some((
                family,
                MailEvent::BookingChanged {
                    booking: info,
                    previous_starts_at: *previous_starts_at,
                    previous_ends_at: *previous_ends_at,
                },
            )),
            (To::Family, EventKind::Changed { .. }) => Some((
                family,
                MailEvent::BookingReceived {
                    booking: info,
                    needs_approval: row.status == "requested",
                },
            )),
            (To::Family, EventKind::MovedToWaitlist) => Some((
                family,
                MailEvent::BookingWaitlisted {
                    booking: info,
                    note: note(row, "waitlist_note"),
                },
            )),
            (To::Family, EventKind::WaitlistOfferExpired) => {
                Some((family, MailEvent::WaitlistOfferExpired { booking: info }))
            }
            (
                To::Coordinator,
                EventKind::Received {
                    needs_approval: true,
                },
            ) => {
                let (count, oldest) = match waiting.get(&e.municipality_id) {
                    Some(w) => w.clone(),
                    None => {
                        let w = waiting_for_approval(conn, e.municipality_id).await?;
                        waiting.insert(e.municipality_id, w.clone());
                        w
                    }
                };
                Some((
                    Recipient::Coordinators(e.municipality_id),
                    MailEvent::ApprovalsWaiting { count, oldest },
                ))
            }
            // No template (yet) for the rest: joining the waiting list is
            // answered on screen; completion and no-show need no email;
            // provider mail waits for provider assignment on bookings.
            _ => None,
        };
        match mail {
            Some(m) => mails.push(m),
            None => {
                tracing::debug!(booking = %e.booking_id, kind = ?e.kind, to = ?e.to, "booking event without email")
            }
        }
    }
    Ok(mails)
}

/// A coordinator's note stored in the booking's details under `key` (`{"ja","en"}`).
pub fn note(b: &booking::Model, key: &str) -> Option<Text> {
    let d = &b.details;
    match (
        d.pointer(&format!("/{key}/ja")).and_then(|v| v.as_str()),
        d.pointer(&format!("/{key}/en")).and_then(|v| v.as_str()),
    ) {
        (Some(ja), Some(en)) => Some(Text::new(ja, en)),
        _ => None,
    }
}

fn decline_reason(b: &booking::Model) -> Text {
    match note(b, "decline_reason") {
        Some(t) => t,
        None => Text::new(
            "ご希望の日時にお受けできませんでした。詳しくはセンターにお問い合わせください。",
            "We could not take this booking at the requested time. Please contact the center for details.",
        ),
    }
}

/// Requests in `requested` status, and the five oldest.
pub async fn waiting_for_approval(
    conn: &impl ConnectionTrait,
    municipality: Uuid,
) -> Result<(u64, Vec<BookingInfo>), DbErr> {
    let q = booking::Entity::find()
        .filter(booking::Column::MunicipalityId.eq(municipality))
        .filter(booking::Column::Status.eq("requested"));
    let count = q.clone().count(conn).await?;
    let mut oldest = vec![];
    for b in q
        .order_by_asc(booking::Column::CreatedAt)
        .limit(5)
        .all(conn)
        .await?
    {
        oldest.push(booking_info(conn, &b).await?);
    }
    Ok((count, oldest))
}
