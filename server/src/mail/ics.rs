//! iCalendar (RFC 5545) invitations and cancellations for a booking, as iTIP
//! (RFC 5546) `METHOD:REQUEST` / `METHOD:CANCEL`. Times are written in
//! `TZID=Asia/Tokyo` with its `VTIMEZONE` (Japan has had no DST since 1951), the
//! `UID` is the booking's, and `SEQUENCE` grows with each change so calendars
//! replace the event rather than add a second one.

use chrono::{DateTime, Utc};
use hagukumi_domain::calendar::local_datetime;

use super::templates::CalendarMethod;

pub struct CalendarEvent<'a> {
    pub method: CalendarMethod,
    pub uid: &'a str,
    pub sequence: i32,
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: &'a str,
    pub url: &'a str,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_name: &'a str,
    pub attendee_email: &'a str,
}

/// The calendar `UID` of a booking: the same in every message about it.
pub fn booking_uid(booking_id: uuid::Uuid, domain: &str) -> String {
    format!("booking-{booking_id}@{domain}")
}

pub fn build(e: &CalendarEvent) -> String {
    let local = |t: DateTime<Utc>| local_datetime(t).format("%Y%m%dT%H%M%S").to_string();
    let cancel = e.method == CalendarMethod::Cancel;
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Hagukumi//Hagukumi booking//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{}", e.method.as_str()),
        "BEGIN:VTIMEZONE".into(),
        "TZID:Asia/Tokyo".into(),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        "TZOFFSETFROM:+0900".into(),
        "TZOFFSETTO:+0900".into(),
        "TZNAME:JST".into(),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", text(e.uid)),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{}", e.stamp.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;TZID=Asia/Tokyo:{}", local(e.starts_at)),
        format!("DTEND;TZID=Asia/Tokyo:{}", local(e.ends_at)),
        format!("SUMMARY:{}", text(e.summary)),
    ];
    if let Some(l) = e.location {
        lines.push(format!("LOCATION:{}", text(l)));
    }
    lines.push(format!("DESCRIPTION:{}", text(e.description)));
    lines.push(format!("URL:{}", e.url));
    lines.push(format!(
        "ORGANIZER;CN={}:mailto:{}",
        param(e.organizer_name),
        e.organizer_email
    ));
    lines.push(format!(
        "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{}",
        param(e.attendee_name),
        e.attendee_email
    ));
    lines.push(format!(
        "STATUS:{}",
        if cancel { "CANCELLED" } else { "CONFIRMED" }
    ));
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// One event of a multi-event calendar (Home-Start visits).
pub struct PublishedEvent<'a> {
    pub uid: String,
    pub sequence: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: &'a str,
    pub cancelled: bool,
}

/// The UID of one Home-Start visit: the same in every message and in the feed.
pub fn home_start_visit_uid(visit: uuid::Uuid, domain: &str) -> String {
    format!("home-start-visit-{visit}@{domain}")
}

/// Several events with their own UIDs in one `METHOD:PUBLISH` calendar (an iTIP
/// REQUEST carries one UID only): a plan's visits, cancelled ones `STATUS:CANCELLED`.
pub fn build_published(stamp: DateTime<Utc>, url: &str, events: &[PublishedEvent]) -> String {
    let local = |t: DateTime<Utc>| local_datetime(t).format("%Y%m%dT%H%M%S").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Hagukumi//Hagukumi Home-Start//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VTIMEZONE".into(),
        "TZID:Asia/Tokyo".into(),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        "TZOFFSETFROM:+0900".into(),
        "TZOFFSETTO:+0900".into(),
        "TZNAME:JST".into(),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
    ];
    for e in events {
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", text(&e.uid)),
            format!("SEQUENCE:{}", e.sequence),
            format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;TZID=Asia/Tokyo:{}", local(e.starts_at)),
            format!("DTEND;TZID=Asia/Tokyo:{}", local(e.ends_at)),
            format!("SUMMARY:{}", text(e.summary)),
        ]);
        if let Some(l) = e.location {
            lines.push(format!("LOCATION:{}", text(l)));
        }
        lines.push(format!("DESCRIPTION:{}", text(e.description)));
        lines.push(format!("URL:{url}"));
        lines.push(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        lines.push("TRANSP:OPAQUE".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: always quoted; `"` and control characters cannot appear
/// in one at all, so they are dropped (§3.1).
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// Lines longer than 75 octets are folded (CRLF + space), never inside a
/// UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn folds_long_lines_at_character_boundaries() {
        let summary = "一時預かり".repeat(10);
        let ics = build(&CalendarEvent {
            method: CalendarMethod::Request,
            uid: "booking-x@h.example",
            sequence: 2,
            stamp: Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap(),
            starts_at: Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 11, 26, 4, 0, 0).unwrap(),
            summary: &summary,
            location: Some("With-I; 清瀬, 東京"),
            description: "予約番号 HG-1\n詳細",
            url: "http://x/parent/bookings/1",
            organizer_name: "はぐくみ \"センター\"",
            organizer_email: "no-reply@h.example",
            attendee_name: "清瀬 花子",
            attendee_email: "p@example.jp",
        });
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        assert!(ics.contains("DTSTART;TZID=Asia/Tokyo:20261126T100000\r\n"));
        assert!(ics.contains("LOCATION:With-I\\; 清瀬\\, 東京\r\n"));
        assert!(ics.contains("ORGANIZER;CN=\"はぐくみ センター\":mailto:no-reply@h.example"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{summary}\r\n")));
    }
}
