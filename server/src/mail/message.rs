//! An outbox row as an RFC 5322 message: `multipart/alternative` (plain text and
//! HTML), inside `multipart/mixed` with the `.ics` when there is one. The
//! `Message-ID` and `Date` come from the row, so every attempt produces the same
//! message and a resend after a crash is recognisable as one.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};

use super::settings::MailSettings;
use crate::entities::outbox;

/// `Auto-Submitted: auto-generated` (RFC 3834): tells vacation responders not to answer.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// Why a row cannot become a message: a bad address is permanent.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the message: {0}")]
pub struct BuildError(String);

pub fn build(row: &outbox::Model, settings: &MailSettings) -> Result<Message, BuildError> {
    let from = Mailbox::new(
        Some(settings.from_name.clone()),
        settings
            .from_address
            .parse()
            .map_err(|e| BuildError(format!("sender address: {e}")))?,
    );
    let name = (!row.to_name.is_empty()).then(|| row.to_name.clone());
    let to = Mailbox::new(
        name,
        row.to_address
            .parse()
            .map_err(|e| BuildError(format!("recipient address: {e}")))?,
    );
    let body = MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone());
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(SystemTime::from(row.created_at))
        .header(AutoSubmitted);
    let built = match (&row.ics, &row.ics_method) {
        (Some(ics), Some(method)) => {
            let ct = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                .map_err(|e| BuildError(e.to_string()))?;
            let file = match method.as_str() {
                "CANCEL" => "cancel.ics",
                "PUBLISH" => "visits.ics",
                _ => "invite.ics",
            };
            builder.multipart(
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new(file.to_owned()).body(ics.clone(), ct)),
            )
        }
        _ => builder.multipart(body),
    };
    built.map_err(|e| BuildError(e.to_string()))
}
