//! Data the pages render, shared by server and browser.

use hagukumi_domain::Lang;
use serde::{Deserialize, Serialize};

/// Who is looking at the page, in which language, with the CSRF token forms need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub lang: Lang,
    pub csrf: String,
    pub viewer: Option<Viewer>,
    /// What was typed into a form that just failed (field → value; never a password).
    #[serde(default)]
    pub typed: std::collections::BTreeMap<String, String>,
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

/// A child as the family's pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildView {
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub due_date: Option<chrono::NaiveDate>,
}

/// The household facts as declared (and whether staff confirmed them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub facts: hagukumi_domain::eligibility::Household,
    pub area: Option<String>,
    pub confirmed: bool,
}

/// Everything the parent pages need about the family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyData {
    pub today: chrono::NaiveDate,
    pub household: HouseholdView,
    pub children: Vec<ChildView>,
    /// What was typed into the form that just failed (field → value), to show again.
    #[serde(default)]
    pub typed: Option<std::collections::BTreeMap<String, String>>,
}

/// What the service finder evaluates, in the browser as on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinderData {
    pub family: FamilyData,
    pub rules: hagukumi_domain::rules::MunicipalityRules,
    pub services: Vec<ServiceCard>,
    /// Each service's rules in plain words, by service id.
    pub summaries: std::collections::BTreeMap<String, hagukumi_domain::rules::RuleSummary>,
    /// Each child's childrearing coupon left this fiscal year (children it covers).
    pub coupons: std::collections::BTreeMap<String, u32>,
}

/// One service for the embedded widget: what it is, its rules in plain words and,
/// for a service booked from a calendar, a month of that calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub card: ServiceCard,
    pub summary: Option<hagukumi_domain::rules::RuleSummary>,
    /// `None` for services a coordinator arranges (no calendar).
    #[serde(default)]
    pub calendar: Option<WidgetMonth>,
}

/// A month of a service's calendar as anyone may see it: the family is not known,
/// so a child counts as a newborn (the most demanding age; never over-promising).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetMonth {
    /// First day of the month shown.
    pub month: chrono::NaiveDate,
    pub today: chrono::NaiveDate,
    /// Per site; the days carry no slots (the booking page shows those).
    pub sites: Vec<SiteCalendar>,
}

/// One visit in a provider's schedule: only what the job needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    pub visit_id: String,
    pub day: chrono::NaiveDate,
    pub start: String,
    pub end: String,
    pub service: String,
    /// The family by initial (e.g. `清様`), never a child's name.
    pub family: String,
    pub area: String,
    pub notes: String,
    /// `proposed` (waiting for an answer) or `accepted`.
    pub status: String,
    /// Minutes from home or the previous visit that day.
    pub travel_minutes: Option<i32>,
}

/// The provider's page: their visits from today on, and their calendar feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleData {
    pub today: chrono::NaiveDate,
    pub entries: Vec<ScheduleEntry>,
    /// A feed URL exists (its token is stored hashed, so it is shown only when new).
    pub has_feed: bool,
    /// The freshly issued feed URL, right after a reset.
    pub new_feed_url: Option<String>,
    /// How often the schedule digest e-mail comes: `daily`, `weekly` or `off`.
    #[serde(default)]
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchHelper {
    pub id: String,
    pub name: String,
    pub skills: Vec<String>,
    /// `09:00–18:00`, or `None` when not working that day.
    pub hours: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchVisit {
    pub id: String,
    pub service: String,
    pub family: String,
    pub area: String,
    /// Earliest–latest start.
    pub window: String,
    pub duration_minutes: i32,
    pub skills: Vec<String>,
    pub helper_id: Option<String>,
    pub helper_name: Option<String>,
    pub status: String,
    pub planned_start: Option<String>,
    pub pinned: bool,
}

/// The coordinator's dispatch board for one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchData {
    pub day: chrono::NaiveDate,
    pub helpers: Vec<DispatchHelper>,
    pub visits: Vec<DispatchVisit>,
}

/// One bookable start (hourly services) or night (stays) on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotView {
    /// Local (Japan) time.
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    pub remaining: u32,
}

/// A day of the month calendar: ○ free, △ few left, × full or closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayView {
    pub date: chrono::NaiveDate,
    /// `free`, `few`, `full` or `closed`.
    pub mark: String,
    pub remaining: u32,
    /// Empty in the widget's calendar (and then left out of the page's data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteCalendar {
    pub code: String,
    pub name: String,
    pub days: Vec<DayView>,
}

/// The booking page of one service for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookPage {
    pub service: ServiceCard,
    /// `hours` or `nights`; `None` when the service is arranged by a coordinator.
    pub unit: Option<String>,
    /// First day of the month shown.
    pub month: chrono::NaiveDate,
    pub today: chrono::NaiveDate,
    pub sites: Vec<SiteCalendar>,
    pub children: Vec<ChildView>,
    /// Hourly services: the allowed lengths in hours.
    pub hours: Vec<u32>,
    pub max_nights: u32,
    pub reason_required: bool,
    /// The reasons for use the rules accept: kebab-case code and label.
    pub reasons: Vec<(String, hagukumi_domain::Text)>,
    /// Each child's coupon left this fiscal year, by child id.
    pub coupons: std::collections::BTreeMap<String, u32>,
}

/// What the family is about to book, as the form gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BookingDraft {
    pub service: String,
    pub site: String,
    pub day: Option<chrono::NaiveDate>,
    /// `HH:MM` for hourly services.
    pub start: Option<String>,
    pub hours: Option<u32>,
    pub nights: Option<u32>,
    pub children: Vec<String>,
    pub reason: Option<String>,
    pub waitlist: bool,
    /// A weekly series (hourly services): weekday codes `MO`…`SU`, empty for one booking.
    #[serde(default)]
    pub repeat: Vec<String>,
    /// The last day of the series.
    #[serde(default)]
    pub until: Option<chrono::NaiveDate>,
}

/// One occurrence of a series on the confirmation step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OccurrenceView {
    pub when: String,
    pub fits: bool,
    /// Why it does not fit, in plain words.
    pub reason: Option<String>,
}

/// The confirmation step: the fee quote, or why it cannot be booked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmView {
    pub draft: BookingDraft,
    pub service_name: String,
    pub site_name: String,
    pub when: String,
    pub children: Vec<String>,
    /// `(label, amount)` per line of the quote, reductions and coupon included.
    pub lines: Vec<(String, i64)>,
    pub total_yen: i64,
    pub fits: bool,
    /// Why it does not fit or cannot be booked, in plain words.
    pub problems: Vec<String>,
    /// Confirmed at once, or waits for a coordinator.
    pub needs_approval: bool,
    /// A series: every occurrence and whether it fits now.
    #[serde(default)]
    pub occurrences: Vec<OccurrenceView>,
    /// Sent back with the booking: a second click (or a reload) books nothing more.
    #[serde(default)]
    pub form_key: String,
}

/// One of the family's bookings as "my bookings" shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: String,
    pub service_name: String,
    pub site_name: String,
    pub status: String,
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    pub total_yen: i64,
    pub coupon_yen: i64,
    /// What cancelling now would cost (confirmed bookings before they start).
    pub cancel_fee_now: Option<i64>,
    pub charge_yen: Option<i64>,
    pub offer_expires_at: Option<chrono::NaiveDateTime>,
    /// 1-based place on the waiting list.
    pub waitlist_position: Option<u32>,
    /// Whether the family may change the time now; if not (but it is upcoming),
    /// why not in plain words.
    #[serde(default)]
    pub can_change: bool,
    #[serde(default)]
    pub change_blocked: Option<String>,
    /// Until when it can be changed (Japan time), for changeable bookings.
    #[serde(default)]
    pub change_until: Option<chrono::NaiveDateTime>,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub series: bool,
    /// The helper planned for a helper-programme visit (display name only).
    #[serde(default)]
    pub helper: Option<String>,
    /// What the center said: a decline's reason, or a note with a move to the
    /// waiting list.
    #[serde(default)]
    pub center_note: Option<String>,
}

/// The new time a family asks for when changing a booking, as the form gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ChangeDraft {
    pub day: Option<chrono::NaiveDate>,
    /// `HH:MM` for hourly services.
    pub start: Option<String>,
    pub hours: Option<u32>,
    pub nights: Option<u32>,
}

/// The change page: the booking, the form, and (once a time is chosen) what the
/// change would give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePage {
    pub booking: BookingView,
    /// `hours` or `nights`.
    pub unit: String,
    /// Hourly services: start times offered and the allowed lengths in hours.
    pub starts: Vec<String>,
    pub hours: Vec<u32>,
    pub max_nights: u32,
    pub today: chrono::NaiveDate,
    /// The form as sent (prefilled with the current time when nothing was sent).
    pub draft: ChangeDraft,
    /// Problems with the chosen time, by form field (`day`, `start`, `hours`,
    /// `nights`, or `` for the whole).
    pub errors: Vec<(String, String)>,
    /// The new time in words, when it was checked.
    pub when: Option<String>,
    pub fits: bool,
    pub total_yen: Option<i64>,
    pub coupon_yen: Option<i64>,
    pub form_key: String,
}

/// One message of the outbox, as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailRow {
    /// Local (Japan) time it was written.
    pub created_at: chrono::NaiveDateTime,
    pub to: String,
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The `.eml` file or the relay's reply.
    pub location: Option<String>,
}
