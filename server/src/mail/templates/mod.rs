//! Every email the system sends, one module per email, each with its Japanese
//! and English subject and body. A template turns an event into [`Content`];
//! [`layout`] renders it as plain text and HTML.
//!
//! Subjects carry no child's name and no more than the service and the date:
//! a subject line is shown on lock screens and in shared inboxes.

pub mod layout;

mod approvals_waiting;
mod booking_cancelled;
mod booking_changed;
mod booking_confirmed;
mod booking_declined;
mod booking_received;
mod booking_waitlisted;
mod fs_pre_meeting;
mod fs_proposal;
mod fs_proposal_answered;
mod home_start_visits;
mod provider_assigned;
mod provider_cancelled;
mod provider_changed;
mod provider_digest;
mod reminder;
mod visit_changed;
mod waitlist_expired;
mod waitlist_offer;
mod welcome;

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::{Lang, Text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use layout::Block;
pub use layout::Rendered;

/// What an email says about one booking. The booking service fills it from its
/// own rows; the child's given name (if any) appears in the body only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingInfo {
    pub booking_id: Uuid,
    /// The number people quote on the phone.
    pub reference: String,
    pub service: Text,
    pub place: Option<Text>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub child_given_name: Option<String>,
}

/// A Home-Start plan as its mails show it: the family by initial and area only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeStartInfo {
    pub plan_id: Uuid,
    pub reference: String,
    pub family_label: String,
    pub area: String,
    pub visitor_name: Option<String>,
    pub visits: Vec<HomeStartVisitLine>,
}

/// One visit of a plan in a mail (and in its calendar file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeStartVisitLine {
    pub visit_id: Uuid,
    pub kind: Text,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sequence: i32,
    pub cancelled: bool,
}

/// What happened to a plan's visits, for the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HomeStartChange {
    /// Parent: the visits are scheduled.
    Scheduled,
    /// Parent or visitor: the visits changed.
    Changed,
    /// Parent or visitor: the visits (or the whole plan) are cancelled.
    Cancelled,
    /// Visitor: assigned to the family.
    Assigned,
    /// Visitor: no longer assigned.
    Unassigned,
}

/// A Family Support request as its mails show it (no child's name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FsRequestInfo {
    pub request_id: Uuid,
    pub place: String,
    pub first_date: NaiveDate,
    pub start_time: String,
    pub minutes: i32,
    pub until: NaiveDate,
    pub occurrences: usize,
}

impl FsRequestInfo {
    fn facts(&self, lang: Lang) -> Block {
        Block::Facts(vec![
            (
                label(lang, "サービス", "Service"),
                label(lang, "ファミリー・サポート", "Family Support"),
            ),
            (label(lang, "場所", "Where"), self.place.clone()),
            (
                label(lang, "期間", "Period"),
                format!(
                    "{} – {}",
                    layout::date(lang, self.first_date),
                    layout::date(lang, self.until)
                ),
            ),
            (
                label(lang, "時間", "Time"),
                match lang {
                    Lang::Ja => format!(
                        "{}から{}分（{}回）",
                        self.start_time, self.minutes, self.occurrences
                    ),
                    Lang::En => format!(
                        "from {} for {} min ({} times)",
                        self.start_time, self.minutes, self.occurrences
                    ),
                },
            ),
        ])
    }
}

/// The events that send mail. Each variant has a template module of the same name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MailEvent {
    /// A new account (sign-up).
    Welcome,
    /// Parent: the request arrived (and waits for approval if the service needs it).
    BookingReceived {
        booking: BookingInfo,
        needs_approval: bool,
    },
    BookingConfirmed {
        booking: BookingInfo,
    },
    BookingDeclined {
        booking: BookingInfo,
        reason: Text,
    },
    /// `fee_yen` is the cancellation charge (0 when free).
    BookingCancelled {
        booking: BookingInfo,
        fee_yen: i64,
    },
    BookingChanged {
        booking: BookingInfo,
        previous_starts_at: DateTime<Utc>,
        previous_ends_at: DateTime<Utc>,
    },
    /// A coordinator moved the request to the waiting list.
    BookingWaitlisted {
        booking: BookingInfo,
        note: Option<Text>,
    },
    /// A place became free for someone on the waiting list, until `expires_at`.
    WaitlistOffer {
        booking: BookingInfo,
        expires_at: DateTime<Utc>,
    },
    WaitlistOfferExpired {
        booking: BookingInfo,
    },
    /// The day before.
    Reminder {
        booking: BookingInfo,
    },
    ProviderAssigned {
        booking: BookingInfo,
    },
    ProviderAssignmentChanged {
        booking: BookingInfo,
        previous_starts_at: DateTime<Utc>,
        previous_ends_at: DateTime<Utc>,
    },
    ProviderAssignmentCancelled {
        booking: BookingInfo,
    },
    /// A provider's schedule for the coming days.
    ProviderDigest {
        from: NaiveDate,
        to: NaiveDate,
        items: Vec<BookingInfo>,
    },
    /// Parent: a helper visit got another helper (display name only) or time.
    VisitChanged {
        booking: BookingInfo,
        helper: Option<String>,
        previous_starts_at: DateTime<Utc>,
        previous_ends_at: DateTime<Utc>,
    },
    /// Coordinators: requests waiting for approval.
    ApprovalsWaiting {
        count: u64,
        oldest: Vec<BookingInfo>,
    },
    /// Home-Start: to the parent (`Parent`) or the visitor (`Provider`).
    HomeStartVisits {
        plan: HomeStartInfo,
        change: HomeStartChange,
        audience: Audience,
    },
    /// Family Support provider: a proposal with its answer link (absolute URL).
    FsProposal {
        request: FsRequestInfo,
        answer_url: String,
        expires_at: DateTime<Utc>,
    },
    /// Coordinators: the provider answered.
    FsProposalAnswered {
        request: FsRequestInfo,
        member_name: String,
        accepted: bool,
    },
    /// Requester (`Parent`) and provider (`Provider`): the pre-meeting's time; `with` is
    /// the other side's name.
    FsPreMeeting {
        meeting: BookingInfo,
        with: String,
        audience: Audience,
    },
}

/// Whether the message carries a calendar invitation or its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarMethod {
    Request,
    Cancel,
}

impl CalendarMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarMethod::Request => "REQUEST",
            CalendarMethod::Cancel => "CANCEL",
        }
    }
}

/// Who reads the mail decides where its link leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Parent,
    Provider,
    Coordinator,
}

impl MailEvent {
    /// The template name stored in the outbox (`kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            MailEvent::Welcome => "welcome",
            MailEvent::BookingReceived { .. } => "booking_received",
            MailEvent::BookingConfirmed { .. } => "booking_confirmed",
            MailEvent::BookingDeclined { .. } => "booking_declined",
            MailEvent::BookingCancelled { .. } => "booking_cancelled",
            MailEvent::BookingChanged { .. } => "booking_changed",
            MailEvent::BookingWaitlisted { .. } => "booking_waitlisted",
            MailEvent::WaitlistOffer { .. } => "waitlist_offer",
            MailEvent::WaitlistOfferExpired { .. } => "waitlist_offer_expired",
            MailEvent::Reminder { .. } => "reminder",
            MailEvent::ProviderAssigned { .. } => "provider_assigned",
            MailEvent::ProviderAssignmentChanged { .. } => "provider_assignment_changed",
            MailEvent::ProviderAssignmentCancelled { .. } => "provider_assignment_cancelled",
            MailEvent::ProviderDigest { .. } => "provider_digest",
            MailEvent::VisitChanged { .. } => "visit_changed",
            MailEvent::ApprovalsWaiting { .. } => "approvals_waiting",
            MailEvent::HomeStartVisits { .. } => "home_start_visits",
            MailEvent::FsProposal { .. } => "fs_proposal",
            MailEvent::FsProposalAnswered { .. } => "fs_proposal_answered",
            MailEvent::FsPreMeeting { .. } => "fs_pre_meeting",
        }
    }

    /// The booking the message is about, if one.
    pub fn booking(&self) -> Option<&BookingInfo> {
        match self {
            MailEvent::BookingReceived { booking, .. }
            | MailEvent::BookingConfirmed { booking }
            | MailEvent::BookingDeclined { booking, .. }
            | MailEvent::BookingCancelled { booking, .. }
            | MailEvent::BookingChanged { booking, .. }
            | MailEvent::BookingWaitlisted { booking, .. }
            | MailEvent::WaitlistOffer { booking, .. }
            | MailEvent::WaitlistOfferExpired { booking }
            | MailEvent::Reminder { booking }
            | MailEvent::ProviderAssigned { booking }
            | MailEvent::ProviderAssignmentChanged { booking, .. }
            | MailEvent::ProviderAssignmentCancelled { booking }
            | MailEvent::VisitChanged { booking, .. }
            | MailEvent::FsPreMeeting {
                meeting: booking, ..
            } => Some(booking),
            MailEvent::HomeStartVisits { .. }
            | MailEvent::FsProposal { .. }
            | MailEvent::FsProposalAnswered { .. } => None,
            MailEvent::Welcome
            | MailEvent::ProviderDigest { .. }
            | MailEvent::ApprovalsWaiting { .. } => None,
        }
    }

    /// Confirmed and changed bookings carry an invitation, cancelled ones its
    /// cancellation (RFC 5546 `METHOD`).
    pub fn calendar(&self) -> Option<CalendarMethod> {
        match self {
            MailEvent::BookingConfirmed { .. }
            | MailEvent::BookingChanged { .. }
            | MailEvent::ProviderAssigned { .. }
            | MailEvent::ProviderAssignmentChanged { .. }
            | MailEvent::FsPreMeeting { .. } => Some(CalendarMethod::Request),
            MailEvent::BookingCancelled { .. } | MailEvent::ProviderAssignmentCancelled { .. } => {
                Some(CalendarMethod::Cancel)
            }
            _ => None,
        }
    }

    pub fn audience(&self) -> Audience {
        match self {
            MailEvent::ProviderAssigned { .. }
            | MailEvent::ProviderAssignmentChanged { .. }
            | MailEvent::ProviderAssignmentCancelled { .. }
            | MailEvent::ProviderDigest { .. } => Audience::Provider,
            MailEvent::ApprovalsWaiting { .. } | MailEvent::FsProposalAnswered { .. } => {
                Audience::Coordinator
            }
            MailEvent::FsProposal { .. } => Audience::Provider,
            MailEvent::HomeStartVisits { audience, .. }
            | MailEvent::FsPreMeeting { audience, .. } => *audience,
            _ => Audience::Parent,
        }
    }

    /// Renders the message for one reader.
    pub fn render(&self, lang: Lang, recipient_name: &str, public_url: &str) -> Rendered {
        let links = Links {
            base: public_url.trim_end_matches('/'),
            audience: self.audience(),
        };
        let c = match self {
            MailEvent::Welcome => welcome::content(lang, &links),
            MailEvent::BookingReceived {
                booking,
                needs_approval,
            } => booking_received::content(lang, &links, booking, *needs_approval),
            MailEvent::BookingConfirmed { booking } => {
                booking_confirmed::content(lang, &links, booking)
            }
            MailEvent::BookingDeclined { booking, reason } => {
                booking_declined::content(lang, &links, booking, reason)
            }
            MailEvent::BookingCancelled { booking, fee_yen } => {
                booking_cancelled::content(lang, &links, booking, *fee_yen)
            }
            MailEvent::BookingChanged {
                booking,
                previous_starts_at,
                previous_ends_at,
            } => booking_changed::content(
                lang,
                &links,
                booking,
                *previous_starts_at,
                *previous_ends_at,
            ),
            MailEvent::BookingWaitlisted { booking, note } => {
                booking_waitlisted::content(lang, &links, booking, note.as_ref())
            }
            MailEvent::WaitlistOffer {
                booking,
                expires_at,
            } => waitlist_offer::content(lang, &links, booking, *expires_at),
            MailEvent::WaitlistOfferExpired { booking } => {
                waitlist_expired::content(lang, &links, booking)
            }
            MailEvent::Reminder { booking } => reminder::content(lang, &links, booking),
            MailEvent::ProviderAssigned { booking } => {
                provider_assigned::content(lang, &links, booking)
            }
            MailEvent::ProviderAssignmentChanged {
                booking,
                previous_starts_at,
                previous_ends_at,
            } => provider_changed::content(
                lang,
                &links,
                booking,
                *previous_starts_at,
                *previous_ends_at,
            ),
            MailEvent::ProviderAssignmentCancelled { booking } => {
                provider_cancelled::content(lang, &links, booking)
            }
            MailEvent::ProviderDigest { from, to, items } => {
                provider_digest::content(lang, &links, *from, *to, items)
            }
            MailEvent::VisitChanged {
                booking,
                helper,
                previous_starts_at,
                previous_ends_at,
            } => visit_changed::content(
                lang,
                &links,
                booking,
                helper.as_deref(),
                *previous_starts_at,
                *previous_ends_at,
            ),
            MailEvent::ApprovalsWaiting { count, oldest } => {
                approvals_waiting::content(lang, &links, *count, oldest)
            }
            MailEvent::HomeStartVisits { plan, change, .. } => {
                home_start_visits::content(lang, &links, plan, *change)
            }
            MailEvent::FsProposal {
                request,
                answer_url,
                expires_at,
            } => fs_proposal::content(lang, &links, request, answer_url, *expires_at),
            MailEvent::FsProposalAnswered {
                request,
                member_name,
                accepted,
            } => fs_proposal_answered::content(lang, &links, request, member_name, *accepted),
            MailEvent::FsPreMeeting { meeting, with, .. } => {
                fs_pre_meeting::content(lang, &links, meeting, with)
            }
        };
        layout::render(lang, recipient_name, c)
    }
}

/// Links back into the application, per reader.
pub struct Links<'a> {
    base: &'a str,
    audience: Audience,
}

impl Links<'_> {
    pub fn booking(&self, id: Uuid) -> String {
        match self.audience {
            Audience::Parent => format!("{}/parent/bookings/{id}", self.base),
            Audience::Provider => format!("{}/provider/bookings/{id}", self.base),
            Audience::Coordinator => format!("{}/coordinator/bookings/{id}", self.base),
        }
    }

    /// The coordinators' approval queue.
    pub fn queue(&self) -> String {
        format!("{}/coordinator/queue", self.base)
    }

    pub fn home_start(&self, plan: Uuid) -> String {
        match self.audience {
            Audience::Parent => format!("{}/parent/home-start", self.base),
            Audience::Provider => format!("{}/provider", self.base),
            Audience::Coordinator => format!("{}/coordinator/home-start/{plan}", self.base),
        }
    }

    pub fn fs_request(&self, request: Uuid) -> String {
        format!(
            "{}/coordinator/family-support/requests/{request}",
            self.base
        )
    }

    pub fn home(&self) -> String {
        match self.audience {
            Audience::Parent => format!("{}/parent", self.base),
            Audience::Provider => format!("{}/provider", self.base),
            Audience::Coordinator => format!("{}/coordinator", self.base),
        }
    }
}

/// The rows every booking email shows: service, when, where, number, child.
fn facts(lang: Lang, b: &BookingInfo) -> Block {
    let mut rows = vec![
        (
            label(lang, "サービス", "Service"),
            b.service.get(lang).to_owned(),
        ),
        (
            label(lang, "日時", "When"),
            layout::span(lang, b.starts_at, b.ends_at),
        ),
    ];
    if let Some(p) = &b.place {
        rows.push((label(lang, "場所", "Where"), p.get(lang).to_owned()));
    }
    if let Some(c) = &b.child_given_name {
        rows.push((label(lang, "お子さま", "Child"), c.clone()));
    }
    rows.push((
        label(lang, "予約番号", "Booking number"),
        b.reference.clone(),
    ));
    Block::Facts(rows)
}

fn label(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// `一時預かり 11月26日(木)` — the service and the date, nothing personal.
fn subject_tail(lang: Lang, b: &BookingInfo) -> String {
    let d = hagukumi_domain::calendar::local_date(b.starts_at);
    let date = layout::date(lang, d);
    let short = match lang {
        // The year is noise in a subject; the weekday is not.
        Lang::Ja => date
            .split_once('年')
            .map(|(_, r)| r.to_owned())
            .unwrap_or(date),
        Lang::En => date,
    };
    format!("{} {}", b.service.get(lang), short)
}

fn link_to_booking(lang: Lang, links: &Links, b: &BookingInfo) -> Block {
    Block::Link {
        label: label(lang, "予約の詳細を見る", "See the booking"),
        url: links.booking(b.booking_id),
    }
}

fn text(lang: Lang, ja: impl Into<String>, en: impl Into<String>) -> Block {
    Block::Paragraph(match lang {
        Lang::Ja => ja.into(),
        Lang::En => en.into(),
    })
}

#[cfg(test)]
mod tests;
