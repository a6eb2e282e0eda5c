//! Mail settings (`[mail]`, env `HAGUKUMI_MAIL__…`): the zero-set-up default writes
//! `.eml` files under `data/mail/`; production sets `transport = "smtp"`.

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Write each message as an `.eml` file (default; nothing to set up).
    File,
    /// Send through an SMTP relay with lettre's pooled async transport.
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a test sink.
    None,
    /// Upgrade with STARTTLS, refuse to send if the server does not offer it (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// Seconds to wait for the server at each step of a conversation.
    pub timeout_secs: u64,
    /// Connections kept open and reused (lettre's pool).
    pub pool_size: u32,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 25,
            tls: SmtpTls::None,
            username: None,
            password: None,
            timeout_secs: 30,
            pool_size: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    pub transport: TransportKind,
    /// Where the file transport writes (`<id>.eml`).
    pub file_dir: String,
    pub smtp: SmtpSettings,
    /// The sender shown to people; also the domain of every `Message-ID` and `UID`.
    pub from_address: String,
    pub from_name: String,
    /// Run the outbox worker and the mail jobs in this process.
    pub worker_enabled: bool,
    /// Worker tasks per process. Each claims its own rows, so two overlap one
    /// message's database round trips with another's SMTP exchange (one worker
    /// delivers about 170 messages/s to a local relay, two about 310).
    pub workers: u32,
    /// How often an idle worker looks for due messages.
    pub poll_interval_ms: u64,
    /// Rows one claim takes; they are sent concurrently over the pool.
    pub batch_size: u32,
    /// Attempts before a message is marked `failed` for coordinators to see.
    pub max_attempts: i32,
    /// Backoff after the first temporary failure; doubles each time up to `retry_max_secs`.
    pub retry_base_secs: f64,
    pub retry_max_secs: f64,
    /// How long a claim holds; a worker that dies leaves its rows to others after this.
    /// Longer than one send can take (`smtp.timeout_secs` × a few steps).
    pub claim_secs: u64,
    /// Japan-time hour (0–23) from which the reminders for the next day are sent.
    pub reminder_hour: u32,
    /// Japan-time hour of the providers' schedule digest.
    pub digest_hour: u32,
    /// The day weekly digests go out (ISO: 1 = Monday … 7 = Sunday); they cover the
    /// seven days from that day.
    pub digest_weekday: u32,
    /// Japan-time hour (0–23) from which each municipality's coordinators get the
    /// day's list of requests waiting for approval (none when nothing waits).
    pub approvals_hour: u32,
    /// How often the periodic mail jobs (reminders, digests, offer expiry) run.
    pub jobs_interval_secs: u64,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            transport: TransportKind::File,
            file_dir: "data/mail".into(),
            smtp: SmtpSettings::default(),
            from_address: "no-reply@hagukumi.localhost".into(),
            from_name: "はぐくみ 子ども家庭支援センター".into(),
            worker_enabled: true,
            workers: 2,
            poll_interval_ms: 1000,
            batch_size: 32,
            max_attempts: 10,
            retry_base_secs: 30.0,
            retry_max_secs: 3600.0,
            claim_secs: 300,
            reminder_hour: 17,
            digest_hour: 7,
            digest_weekday: 1,
            approvals_hour: 8,
            jobs_interval_secs: 300,
        }
    }
}

impl MailSettings {
    /// The domain part of the sender, used to make `Message-ID`s and calendar `UID`s.
    pub fn domain(&self) -> &str {
        self.from_address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .filter(|d| !d.is_empty())
            .unwrap_or("hagukumi.localhost")
    }
}
