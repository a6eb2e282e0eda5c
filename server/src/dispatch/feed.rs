//! The provider's private calendar feed (`GET /calendar/{token}.ics`) that Google
//! Calendar and phone calendars subscribe to. The token is the only credential, so it is
//! long and random, stored as its SHA-256, and the provider can reset it (the old URL
//! then stops working). The feed says only what the job needs: when, the programme, the
//! area and the family's initial; never a child's name or an address.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use hagukumi_domain::calendar::{local_date, local_datetime};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::notify::{programme_name, span};
use super::service::visits_of;
use crate::audit::{self, AuditEntry};
use crate::auth::session::{new_token, token_id};
use crate::entities::{helper_visit, provider, provider_feed_token};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How far back and ahead the feed reaches.
const PAST_DAYS: i64 = 14;
const AHEAD_DAYS: i64 = 120;

/// The feed URL for `token`.
pub fn feed_url(public_url: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", public_url.trim_end_matches('/'))
}

/// Issues a new token for `provider` (replacing any old one) and returns it; only its
/// hash is kept, so the URL can be shown now and never again.
pub async fn reset_token(
    conn: &impl ConnectionTrait,
    provider: Uuid,
    actor: Option<(Uuid, Uuid)>,
) -> Result<String, sea_orm::DbErr> {
    let token = new_token();
    provider_feed_token::Entity::delete_by_id(provider)
        .exec(conn)
        .await?;
    provider_feed_token::ActiveModel {
        provider_id: Set(provider),
        token_hash: Set(token_id(&token)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    if let Some((municipality, user)) = actor {
        audit::record(
            conn,
            AuditEntry {
                municipality_id: Some(municipality),
                actor: Some(user),
                action: "calendar_feed.reset",
                entity: "provider",
                entity_id: provider.to_string(),
                details: json!({}),
            },
        )
        .await?;
    }
    Ok(token)
}

/// `GET /calendar/{token}.ics`.
pub async fn calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(ApiError::NotFound)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::NotFound);
    }
    let row = provider_feed_token::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(
            &provider_feed_token::Column::TokenHash,
            token_id(token),
        ))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let p = provider::Entity::find_by_id(row.provider_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let today = local_date(Utc::now());
    let visits = visits_of(
        &state.db,
        p.id,
        today - Duration::days(PAST_DAYS),
        today + Duration::days(AHEAD_DAYS),
    )
    .await?;
    let home = crate::home_start::service::visits_of_visitor(
        &state.db,
        p.id,
        today - Duration::days(PAST_DAYS),
        today + Duration::days(AHEAD_DAYS),
    )
    .await?;
    let mut body = render(&p, &visits, state.settings.mail.domain());
    add_home_start(&mut body, &home, state.settings.mail.domain());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"hagukumi.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}

use sea_orm::QueryFilter;

/// The stable calendar UID of a visit: the same in every version of the feed.
pub fn visit_uid(visit: Uuid, domain: &str) -> String {
    format!("helper-visit-{visit}@{domain}")
}

/// The feed as RFC 5545 text.
pub fn render(p: &provider::Model, visits: &[helper_visit::Model], domain: &str) -> String {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let local = |t| local_datetime(t).format("%Y%m%dT%H%M%S").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Hagukumi//Provider schedule//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            text(&format!("はぐくみ {}", p.display_name))
        ),
        "X-WR-TIMEZONE:Asia/Tokyo".into(),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H".into(),
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
    for v in visits {
        let (start, end) = span(v.day, v);
        let name = programme_name(&v.service_key);
        let summary = format!("{}（{}）", name.ja, v.family_label);
        let mut description = format!("{} / {}", name.ja, name.en);
        if v.assignment_status == "proposed" {
            description.push_str("\n未回答の依頼です / Proposal awaiting your answer");
        }
        if !v.notes.is_empty() {
            description.push('\n');
            description.push_str(&v.notes);
        }
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", text(&visit_uid(v.id, domain))),
            format!("SEQUENCE:{}", v.sequence),
            format!("DTSTAMP:{stamp}"),
            format!("LAST-MODIFIED:{}", v.updated_at.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;TZID=Asia/Tokyo:{}", local(start)),
            format!("DTEND;TZID=Asia/Tokyo:{}", local(end)),
            format!("SUMMARY:{}", text(&summary)),
        ]);
        if !v.area.is_empty() {
            lines.push(format!("LOCATION:{}", text(&v.area)));
        }
        lines.push(format!("DESCRIPTION:{}", text(&description)));
        lines.push(format!(
            "STATUS:{}",
            if v.assignment_status == "accepted" {
                "CONFIRMED"
            } else {
                "TENTATIVE"
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

/// Adds a visitor's Home-Start visits to a rendered feed (before `END:VCALENDAR`). The
/// UID is the one the visit's mails carry, so a calendar sees one event.
pub fn add_home_start(
    body: &mut String,
    visits: &[(
        crate::entities::home_start_visit::Model,
        crate::entities::home_start_plan::Model,
    )],
    domain: &str,
) {
    use hagukumi_domain::home_start::{VisitKind, parent_present};
    let Some(end) = body.rfind("END:VCALENDAR") else {
        return;
    };
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let local = |t| local_datetime(t).format("%Y%m%dT%H%M%S").to_string();
    let mut out = String::new();
    for (v, plan) in visits {
        let kind = VisitKind::parse(&v.kind)
            .unwrap_or(VisitKind::Weekly)
            .label();
        let present = parent_present();
        let mut lines = vec![
            "BEGIN:VEVENT".to_owned(),
            format!(
                "UID:{}",
                text(&crate::mail::ics::home_start_visit_uid(v.id, domain))
            ),
            format!("SEQUENCE:{}", v.sequence),
            format!("DTSTAMP:{stamp}"),
            format!("LAST-MODIFIED:{}", v.updated_at.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;TZID=Asia/Tokyo:{}", local(v.starts_at)),
            format!("DTEND;TZID=Asia/Tokyo:{}", local(v.ends_at)),
            format!(
                "SUMMARY:{}",
                text(&format!("{}（{}・保護者同席）", kind.ja, plan.family_label))
            ),
        ];
        if !plan.area.is_empty() {
            lines.push(format!("LOCATION:{}", text(&plan.area)));
        }
        lines.push(format!(
            "DESCRIPTION:{}",
            text(&format!(
                "{} / {}\n{}\n{}",
                kind.ja, kind.en, present.ja, present.en
            ))
        ));
        lines.push("STATUS:CONFIRMED".to_owned());
        lines.push("TRANSP:OPAQUE".to_owned());
        lines.push("END:VEVENT".to_owned());
        for l in lines {
            fold(&l, &mut out);
        }
    }
    body.insert_str(end, &out);
}

// The mail module's iCalendar writer builds one invitation (METHOD:REQUEST/CANCEL) and
// keeps its escaping private; a feed is a different document (METHOD:PUBLISH, many
// events), so these two small RFC 5545 rules are repeated here.

/// TEXT escaping (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded, never inside a UTF-8 character (§3.1).
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
