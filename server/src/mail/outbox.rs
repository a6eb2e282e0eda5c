//! The outbox API. [`enqueue`] renders an email and writes its row on the
//! connection it is given — pass the transaction of the state change, so the
//! email exists exactly when the change does. Booking rounds write the email's
//! event instead ([`Render::AtDelivery`]) and the worker renders it as it
//! sends it ([`rendered`]). The worker [`claim`]s rows, sends them and marks
//! them [`mark_sent`], [`mark_retry`] or [`mark_failed`].

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hagukumi_domain::Lang;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult,
};
use uuid::Uuid;

use super::ics::{self, CalendarEvent};
use super::templates::{CalendarMethod, MailEvent};
use crate::entities::{outbox, user};
use crate::settings::Settings;

/// Who gets the email.
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    /// An account: its address, name and language (`users.locale`).
    User(Uuid),
    /// Every coordinator of a municipality (one message each).
    Coordinators(Uuid),
    /// Someone without an account.
    Address {
        email: String,
        name: String,
        lang: Lang,
    },
}

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

#[derive(Clone)]
struct Resolved {
    user_id: Option<Uuid>,
    municipality_id: Option<Uuid>,
    email: String,
    name: String,
    lang: Lang,
}

/// What the caller of [`enqueue_many`] already holds, so the emails need not
/// read it again inside its transaction.
#[derive(Default)]
pub struct Already {
    /// Accounts read moments ago (the requests' own users), by id.
    accounts: HashMap<Uuid, Resolved>,
    /// Bookings made in this transaction: no email about them exists yet, so
    /// their calendar entries start at sequence 0 without asking.
    new_bookings: std::collections::HashSet<Uuid>,
}

impl Already {
    /// `Recipient::User(id)` goes to this address, name and language.
    pub fn account(
        &mut self,
        id: Uuid,
        municipality_id: Uuid,
        email: &str,
        name: &str,
        locale: &str,
    ) {
        self.accounts.insert(
            id,
            Resolved {
                user_id: Some(id),
                municipality_id: Some(municipality_id),
                email: email.to_owned(),
                name: name.to_owned(),
                lang: Lang::from_tag(locale),
            },
        );
    }

    /// The booking `id` was made in this transaction.
    pub fn new_booking(&mut self, id: Uuid) {
        self.new_bookings.insert(id);
    }
}

/// Every recipient of every item, in order: one query for all the accounts and
/// one per municipality whose coordinators are written to.
async fn resolve_all(
    conn: &impl ConnectionTrait,
    items: &[(Recipient, MailEvent)],
    already: &Already,
) -> Result<Vec<Vec<Resolved>>, DbErr> {
    let from_user = |u: &user::Model| Resolved {
        user_id: Some(u.id),
        municipality_id: Some(u.municipality_id),
        email: u.email.clone(),
        name: u.display_name.clone(),
        lang: Lang::from_tag(&u.locale),
    };
    let ids: BTreeSet<Uuid> = items
        .iter()
        .filter_map(|(to, _)| match to {
            Recipient::User(id) if !already.accounts.contains_key(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut users: HashMap<Uuid, Resolved> = if ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .iter()
            .map(|u| (u.id, from_user(u)))
            .collect()
    };
    users.extend(already.accounts.iter().map(|(id, r)| (*id, r.clone())));
    let mut coordinators: HashMap<Uuid, Vec<Resolved>> = HashMap::new();
    for (to, _) in items {
        if let Recipient::Coordinators(m) = to
            && !coordinators.contains_key(m)
        {
            let all = user::Entity::find()
                .filter(user::Column::MunicipalityId.eq(*m))
                .filter(user::Column::Role.eq("coordinator"))
                .order_by_asc(user::Column::Email)
                .all(conn)
                .await?;
            coordinators.insert(*m, all.iter().map(from_user).collect());
        }
    }
    Ok(items
        .iter()
        .map(|(to, _)| match to {
            Recipient::User(id) => users.get(id).cloned().into_iter().collect(),
            Recipient::Coordinators(m) => coordinators.get(m).cloned().unwrap_or_default(),
            Recipient::Address { email, name, lang } => vec![Resolved {
                user_id: None,
                municipality_id: None,
                email: email.clone(),
                name: name.clone(),
                lang: *lang,
            }],
        })
        .collect())
}

/// Renders `event` for each recipient and writes one outbox row each, on `conn`
/// (the caller's transaction). Returns the new rows' ids.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    to: Recipient,
    event: MailEvent,
) -> Result<Vec<Uuid>, DbErr> {
    insert(conn, settings, to, event, None).await
}

/// Like [`enqueue`], but at most once per `key` and recipient, however often it
/// is called: for periodic jobs (reminders, digests) that may run in several
/// processes or again after a restart. Returns only the rows it wrote.
pub async fn enqueue_once(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    to: Recipient,
    event: MailEvent,
    key: &str,
) -> Result<Vec<Uuid>, DbErr> {
    insert(conn, settings, to, event, Some(key)).await
}

/// Like [`enqueue`] for many emails at once, as a group commit of bookings
/// writes them: the recipients, the calendar sequences and the rows each take
/// one statement for all of them, not one per email.
pub async fn enqueue_many(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    items: Vec<(Recipient, MailEvent)>,
    already: &Already,
) -> Result<Vec<Uuid>, DbErr> {
    let rows = rows_many(conn, settings, &items, already, Render::Now).await?;
    let ids = rows
        .iter()
        .filter_map(|(r, _)| r.id.try_as_ref().copied())
        .collect();
    crate::db::insert_sized(conn, rows).await?;
    Ok(ids)
}

/// The rows [`enqueue_many`] writes, each with its size, to write with other
/// rows (see [`crate::db::Batch`]). What they read (recipients, calendar
/// sequences) is read on `conn` now.
pub async fn rows_many(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    items: &[(Recipient, MailEvent)],
    already: &Already,
    render: Render,
) -> Result<Vec<(outbox::ActiveModel, usize)>, DbErr> {
    let rows = build(conn, settings, items, None, already, render).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let len = |v: &sea_orm::ActiveValue<String>| v.try_as_ref().map_or(0, String::len);
            let opt = |v: &sea_orm::ActiveValue<Option<String>>| {
                v.try_as_ref()
                    .and_then(Option::as_ref)
                    .map_or(0, String::len)
            };
            let size = len(&r.text_body)
                + len(&r.html_body)
                + len(&r.subject)
                + opt(&r.ics)
                + opt(&r.event)
                + 512;
            (r, size)
        })
        .collect())
}

async fn insert(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    to: Recipient,
    event: MailEvent,
    key: Option<&str>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut ids = vec![];
    for row in build(
        conn,
        settings,
        &[(to, event)],
        key,
        &Already::default(),
        Render::Now,
    )
    .await?
    {
        let id = row.id.try_as_ref().copied();
        let res = outbox::Entity::insert(row)
            .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
            .exec_without_returning(conn)
            .await?;
        if matches!(res, TryInsertResult::Inserted(n) if n > 0) {
            ids.extend(id);
        }
    }
    Ok(ids)
}

/// The calendar `UID` an email carries, if any.
fn calendar_uid(event: &MailEvent, domain: &str) -> Option<String> {
    if let MailEvent::HomeStartVisits { plan, .. } = event
        && !plan.visits.is_empty()
    {
        return Some(format!("home-start-{}@{domain}", plan.plan_id));
    }
    match (event.calendar(), event.booking()) {
        (Some(_), Some(b)) => Some(ics::booking_uid(b.booking_id, domain)),
        _ => None,
    }
}

/// When a row's message is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// As the row is written: subject, bodies and calendar file are stored.
    Now,
    /// When the mail worker sends it: the row keeps the event (see
    /// [`rendered`]). For booking rounds, whose transactions hold their days'
    /// locks while they write: a rendered message is about 4.5 KB of text,
    /// HTML and calendar, its event a few hundred bytes.
    AtDelivery,
}

/// A message's calendar file, fixed when its row is written: the event's
/// `UID` and this version's `SEQUENCE` (its method follows from the event).
struct Calendar<'a> {
    uid: &'a str,
    sequence: i32,
}

/// What is sent: subject and bodies, and the calendar file if any.
struct Message {
    rendered: super::templates::Rendered,
    ics: Option<String>,
}

/// `event` as the recipient (`lang`, `name`, `email`) reads it. `stamp` is
/// the calendar file's `DTSTAMP`: when the row was written.
fn message(
    settings: &Settings,
    event: &MailEvent,
    to: (Lang, &str, &str),
    calendar: Option<Calendar<'_>>,
    stamp: DateTime<Utc>,
) -> Message {
    let (lang, name, email) = to;
    let mail = &settings.mail;
    let public_url = &settings.server.public_url;
    let rendered = event.render(lang, name, public_url);
    let Some(cal) = calendar else {
        return Message {
            rendered,
            ics: None,
        };
    };
    let url = rendered_link(&rendered.text, public_url);
    let ics = match event {
        MailEvent::HomeStartVisits { plan, .. } => {
            let present = hagukumi_domain::home_start::parent_present();
            let description = format!("{}\n{url}", present.get(lang));
            let summaries: Vec<String> = plan
                .visits
                .iter()
                .map(|v| {
                    format!(
                        "{} {}（{}）",
                        v.kind.get(lang),
                        plan.family_label,
                        match lang {
                            Lang::Ja => "保護者同席",
                            Lang::En => "parent present",
                        }
                    )
                })
                .collect();
            let area = (!plan.area.is_empty()).then_some(plan.area.as_str());
            let events: Vec<ics::PublishedEvent> = plan
                .visits
                .iter()
                .zip(&summaries)
                .map(|(v, summary)| ics::PublishedEvent {
                    uid: ics::home_start_visit_uid(v.visit_id, mail.domain()),
                    sequence: v.sequence,
                    starts_at: v.starts_at,
                    ends_at: v.ends_at,
                    summary,
                    location: area,
                    description: &description,
                    cancelled: v.cancelled,
                })
                .collect();
            Some(ics::build_published(stamp, &url, &events))
        }
        _ => match (event.calendar(), event.booking()) {
            (Some(method), Some(b)) => {
                let summary = match &b.place {
                    Some(p) => format!("{}（{}）", b.service.get(lang), p.get(lang)),
                    None => b.service.get(lang).to_owned(),
                };
                let description = match lang {
                    Lang::Ja => format!("予約番号 {}\n{url}", b.reference),
                    Lang::En => format!("Booking number {}\n{url}", b.reference),
                };
                let place = b.place.as_ref().map(|p| p.get(lang).to_owned());
                Some(ics::build(&CalendarEvent {
                    method,
                    uid: cal.uid,
                    sequence: cal.sequence,
                    stamp,
                    starts_at: b.starts_at,
                    ends_at: b.ends_at,
                    summary: &summary,
                    location: place.as_deref(),
                    description: &description,
                    url: &url,
                    organizer_name: &mail.from_name,
                    organizer_email: &mail.from_address,
                    attendee_name: name,
                    attendee_email: email,
                }))
            }
            _ => None,
        },
    };
    Message { rendered, ics }
}

/// `row` with its message, rendering it from its event if it was written
/// with [`Render::AtDelivery`] and not yet sent; as it is otherwise. An event
/// that cannot be read is an error (the row cannot be sent).
pub fn rendered(row: &outbox::Model, settings: &Settings) -> Result<Option<outbox::Model>, String> {
    let Some(json) = row.event.as_deref().filter(|_| row.text_body.is_empty()) else {
        return Ok(None);
    };
    let event: MailEvent =
        serde_json::from_str(json).map_err(|e| format!("the stored event cannot be read: {e}"))?;
    // A row carries a calendar file exactly when its method is set.
    let calendar = match (&row.ics_method, &row.ics_uid, row.ics_sequence) {
        (Some(_), Some(uid), Some(sequence)) => Some(Calendar { uid, sequence }),
        _ => None,
    };
    let m = message(
        settings,
        &event,
        (Lang::from_tag(&row.locale), &row.to_name, &row.to_address),
        calendar,
        row.created_at,
    );
    Ok(Some(outbox::Model {
        subject: m.rendered.subject,
        text_body: m.rendered.text,
        html_body: m.rendered.html,
        ics: m.ics,
        ..row.clone()
    }))
}

/// The outbox rows for `items`, each in its recipient's language, rendered
/// as `render` says.
async fn build(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    items: &[(Recipient, MailEvent)],
    key: Option<&str>,
    already: &Already,
    render: Render,
) -> Result<Vec<outbox::ActiveModel>, DbErr> {
    let mail = &settings.mail;
    let now = Utc::now();
    let uids: Vec<Option<String>> = items
        .iter()
        .map(|(_, e)| calendar_uid(e, mail.domain()))
        .collect();
    // A booking made in this transaction has no earlier email to follow.
    let earlier = items.iter().zip(&uids).filter_map(|((_, e), uid)| {
        let new = e
            .booking()
            .is_some_and(|b| already.new_bookings.contains(&b.booking_id));
        uid.as_ref().filter(|_| !new)
    });
    let mut sequences = next_sequences(conn, earlier).await?;
    let recipients = resolve_all(conn, items, already).await?;
    let mut rows = vec![];
    for (((_, event), uid), resolved) in items.iter().zip(uids).zip(recipients) {
        // Every recipient of one email sees the same version of the event; the
        // next email about the same event is one version on.
        let sequence = match &uid {
            Some(u) => {
                let next = sequences.entry(u.clone()).or_insert(0);
                *next += 1;
                Some(*next - 1)
            }
            None => None,
        };
        let stored = match render {
            Render::Now => None,
            Render::AtDelivery => Some(
                serde_json::to_string(event)
                    .map_err(|e| DbErr::Custom(format!("mail event: {e}")))?,
            ),
        };
        for r in resolved {
            let method = match (event, &uid, sequence) {
                (MailEvent::HomeStartVisits { .. }, Some(_), Some(_)) => Some("PUBLISH"),
                (_, Some(uid), Some(_)) => match event.calendar() {
                    // A cancellation only means something to a calendar that got the invitation.
                    Some(m)
                        if m == CalendarMethod::Request
                            || was_invited(conn, uid, &r.email).await? =>
                    {
                        Some(m.as_str())
                    }
                    _ => None,
                },
                _ => None,
            };
            let calendar = match (method, &uid, sequence) {
                (Some(_), Some(uid), Some(sequence)) => Some(Calendar { uid, sequence }),
                _ => None,
            };
            let (ics_uid, ics_sequence) = match &calendar {
                Some(c) => (Some(c.uid.to_owned()), Some(c.sequence)),
                None => (None, None),
            };
            let (subject, text_body, html_body, ics) = match render {
                Render::Now => {
                    let m = message(settings, event, (r.lang, &r.name, &r.email), calendar, now);
                    (m.rendered.subject, m.rendered.text, m.rendered.html, m.ics)
                }
                Render::AtDelivery => (String::new(), String::new(), String::new(), None),
            };
            let id = Uuid::now_v7();
            let row = outbox::ActiveModel {
                id: Set(id),
                municipality_id: Set(r.municipality_id),
                kind: Set(event.kind().to_owned()),
                dedupe_key: Set(key.map(|k| format!("{k}:{}", r.email))),
                recipient_user_id: Set(r.user_id),
                to_address: Set(r.email),
                to_name: Set(r.name),
                locale: Set(r.lang.code().to_owned()),
                subject: Set(subject),
                text_body: Set(text_body),
                html_body: Set(html_body),
                ics: Set(ics),
                ics_method: Set(method.map(str::to_owned)),
                ics_uid: Set(ics_uid),
                ics_sequence: Set(ics_sequence),
                entity: Set(match event {
                    MailEvent::HomeStartVisits { .. } => Some("home_start_plan".to_owned()),
                    _ => event.booking().map(|_| "booking".to_owned()),
                }),
                entity_id: Set(match event {
                    MailEvent::HomeStartVisits { plan, .. } => Some(plan.plan_id.to_string()),
                    _ => event.booking().map(|b| b.booking_id.to_string()),
                }),
                message_id: Set(format!("<{id}@{}>", mail.domain())),
                status: Set(PENDING.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                claimed_by: Set(None),
                claimed_until: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                sent_at: Set(None),
                location: Set(None),
                event: Set(stored.clone()),
            };
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The first link of the body: the booking page.
fn rendered_link(text: &str, base: &str) -> String {
    text.lines()
        .find(|l| l.starts_with(base.trim_end_matches('/')))
        .unwrap_or(base)
        .to_owned()
}

/// `SEQUENCE` for the next message about each of `uids`: one more than any sent
/// so far (one query). Changes to one booking are serialised by the booking's
/// own row lock, so two transactions never pick the same number for different
/// versions.
async fn next_sequences(
    conn: &impl ConnectionTrait,
    uids: impl Iterator<Item = &String>,
) -> Result<HashMap<String, i32>, DbErr> {
    let uids: BTreeSet<&String> = uids.collect();
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    // Read by name, the maximum as a 64-bit integer: the SQLite writers'
    // connection keys rows by name and types a computed column by its storage class.
    #[derive(sea_orm::FromQueryResult)]
    struct Last {
        ics_uid: Option<String>,
        m: Option<i64>,
    }
    let last = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::IcsUid)
        .column_as(
            Expr::expr(outbox::Column::IcsSequence.max()).cast_as("BIGINT"),
            "m",
        )
        .filter(outbox::Column::IcsUid.is_in(uids.into_iter().cloned()))
        .group_by(outbox::Column::IcsUid)
        .into_model::<Last>()
        .all(conn)
        .await?;
    Ok(last
        .into_iter()
        .filter_map(|l| {
            let next = l.m.map_or(0, |s| i32::try_from(s + 1).unwrap_or(i32::MAX));
            Some((l.ics_uid?, next))
        })
        .collect())
}

async fn was_invited(conn: &impl ConnectionTrait, uid: &str, email: &str) -> Result<bool, DbErr> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::IcsUid.eq(uid))
        .filter(outbox::Column::ToAddress.eq(email))
        .filter(outbox::Column::IcsMethod.eq("REQUEST"))
        .one(conn)
        .await?
        .is_some())
}

/// Takes up to `batch` due rows for `worker` until `now + lease`, atomically:
/// on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so concurrent
/// workers take disjoint rows without waiting; SQLite runs one writer at a time,
/// so the single `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING` is atomic.
/// A row whose claim has run out (its worker died) is due again. Each claim
/// counts as an attempt, so a message that crashes its worker cannot loop forever.
pub async fn claim(
    conn: &impl ConnectionTrait,
    worker: &str,
    batch: u32,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<outbox::Model>, DbErr> {
    // Look before taking the write lock: an idle worker polling with UPDATEs
    // would make SQLite's single writer slot busy for no reason.
    let due_cond = || {
        Condition::all()
            .add(outbox::Column::Status.eq(PENDING))
            .add(outbox::Column::NextAttemptAt.lte(now))
            .add(
                Condition::any()
                    .add(outbox::Column::ClaimedUntil.is_null())
                    .add(outbox::Column::ClaimedUntil.lt(now)),
            )
    };
    let any: Option<Uuid> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(due_cond())
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    if any.is_none() {
        return Ok(vec![]);
    }
    let mut due = Query::select();
    due.column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(due_cond())
        .order_by(outbox::Column::NextAttemptAt, sea_orm::Order::Asc)
        .limit(u64::from(batch));
    if conn.get_database_backend() == DbBackend::Postgres {
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let mut rows = outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimedBy, Expr::value(worker))
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(until))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::Id.in_subquery(due))
        .exec_with_returning(conn)
        .await?;
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

/// Ends the claim with the row `sent`. False if the claim was lost meanwhile
/// (it ran out and another worker took the row).
///
/// `rendered` is the message as sent when it was rendered at delivery
/// ([`rendered`]): the row keeps it, as it keeps every other message, so what
/// a family was sent can be read later.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    location: Option<String>,
    rendered: Option<&outbox::Model>,
) -> Result<bool, DbErr> {
    let mut update = outbox::Entity::update_many();
    if let Some(m) = rendered {
        update = update
            .col_expr(outbox::Column::Subject, Expr::value(m.subject.as_str()))
            .col_expr(outbox::Column::TextBody, Expr::value(m.text_body.as_str()))
            .col_expr(outbox::Column::HtmlBody, Expr::value(m.html_body.as_str()))
            .col_expr(outbox::Column::Ics, Expr::value(m.ics.clone()));
    }
    let res = update
        .col_expr(outbox::Column::Status, Expr::value(SENT))
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(outbox::Column::Location, Expr::value(location))
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A temporary failure: release the row, due again at `next_at`.
pub async fn mark_retry(
    conn: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    error: &str,
    next_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next_at))
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Gave up (permanent rejection or too many attempts): `failed`, shown to staff.
pub async fn mark_failed(
    conn: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    error: &str,
) -> Result<bool, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(FAILED))
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Staff asked to try a failed message again: due now, attempts from zero.
pub async fn requeue(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(PENDING))
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(FAILED))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use hagukumi_domain::Text;
    use sea_orm::TryIntoModel;

    use super::*;
    use crate::mail::templates::BookingInfo;

    fn confirmed() -> MailEvent {
        let starts_at = Utc
            .with_ymd_and_hms(2027, 1, 12, 1, 0, 0)
            .single()
            .expect("time");
        MailEvent::BookingConfirmed {
            booking: BookingInfo {
                booking_id: Uuid::now_v7(),
                reference: "HG-0000ABCD".into(),
                service: Text::new("一時預かり", "Temporary care"),
                place: Some(Text::new("ウィズ・アイ", "With-I")),
                starts_at,
                ends_at: starts_at + chrono::Duration::hours(2),
                child_given_name: Some("さくら".into()),
            },
        }
    }

    /// A booking round's email, written as its event and rendered when sent,
    /// is the message it would have been had it been rendered as it was
    /// written: subject, both bodies and the calendar invitation.
    #[tokio::test]
    async fn an_email_rendered_at_delivery_is_the_one_rendered_when_written() {
        // A real database, though these emails read nothing from it: the
        // recipient is an address and the booking is new.
        let conn = sea_orm::Database::connect("sqlite::memory:")
            .await
            .expect("sqlite");
        let settings = Settings::default();
        for lang in [Lang::Ja, Lang::En] {
            let event = confirmed();
            let to = Recipient::Address {
                email: "parent@example.jp".into(),
                name: "山田 花子".into(),
                lang,
            };
            let mut already = Already::default();
            already.new_booking(event.booking().expect("booking").booking_id);
            let items = [(to, event)];
            let model = |rows: Vec<(outbox::ActiveModel, usize)>| {
                let mut rows: Vec<outbox::Model> = rows
                    .into_iter()
                    .map(|(r, _)| r.try_into_model().expect("every column set"))
                    .collect();
                assert_eq!(rows.len(), 1);
                rows.remove(0)
            };
            let now = rows_many(&conn, &settings, &items, &already, Render::Now).await;
            let now = model(now.expect("rows"));
            let later = rows_many(&conn, &settings, &items, &already, Render::AtDelivery).await;
            let mut later = model(later.expect("rows"));

            assert!(now.event.is_none() && later.event.is_some());
            assert!(later.subject.is_empty() && later.text_body.is_empty());
            assert!(later.ics.is_none(), "nothing rendered yet");
            assert_eq!(
                (&later.ics_method, &later.ics_uid, later.ics_sequence),
                (&now.ics_method, &now.ics_uid, now.ics_sequence),
                "the invitation's version is fixed when the row is written"
            );
            // The calendar's DTSTAMP is when the row was written.
            later.created_at = now.created_at;
            let sent = rendered(&later, &settings)
                .expect("readable")
                .expect("rendered");
            assert_eq!(sent.subject, now.subject);
            assert_eq!(sent.text_body, now.text_body);
            assert_eq!(sent.html_body, now.html_body);
            assert_eq!(sent.ics, now.ics);
            assert!(
                sent.ics
                    .as_deref()
                    .is_some_and(|i| i.contains("METHOD:REQUEST"))
            );
            // Once rendered (and kept when sent), it is not rendered again.
            assert!(rendered(&sent, &settings).expect("readable").is_none());
            assert!(rendered(&now, &settings).expect("readable").is_none());
            let broken = outbox::Model {
                event: Some("{\"NoSuchEmail\":{}}".into()),
                ..later
            };
            assert!(rendered(&broken, &settings).is_err(), "cannot be sent");
        }
    }
}
