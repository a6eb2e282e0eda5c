//! The outbox worker: runs inside every server process; claims due rows (so
//! several processes share the work without sending a row twice), sends them
//! over the configured transport, and marks each one as soon as its fate is known.
//!
//! Delivery is at least once. The only window for a duplicate is between the
//! relay accepting the message (`250` after `DATA`) and the `UPDATE … sent` that
//! follows immediately on the same task; a crash inside it makes the row due
//! again when its claim runs out, and the resend carries the same `Message-ID`,
//! so receiving systems (and our test sink) recognise it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::watch;

use super::settings::MailSettings;
use super::transport::{SendError, Transport};
use super::{jobs, message, outbox as repo};
use crate::entities::outbox;
use crate::settings::Settings;

pub struct Worker {
    db: DatabaseConnection,
    settings: Arc<Settings>,
    transport: Transport,
    id: String,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Worker {
    pub fn new(db: DatabaseConnection, settings: Arc<Settings>) -> anyhow::Result<Worker> {
        let transport = Transport::from_settings(&settings.mail)?;
        let id = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(Worker {
            db,
            settings,
            transport,
            id,
        })
    }

    fn mail(&self) -> &MailSettings {
        &self.settings.mail
    }

    /// Claims one batch and delivers it, several messages at a time.
    pub async fn pass(&self) -> Result<Pass, DbErr> {
        let m = self.mail();
        let rows = repo::claim(
            &self.db,
            &self.id,
            m.batch_size.max(1),
            Duration::from_secs(m.claim_secs),
            Utc::now(),
        )
        .await?;
        let concurrency = match &self.transport {
            Transport::Smtp(_) => m.smtp.pool_size.max(1) as usize,
            Transport::File(_) => 4,
        };
        let mut pass = Pass {
            claimed: rows.len(),
            ..Pass::default()
        };
        let outcomes: Vec<Outcome> = futures::stream::iter(rows)
            .map(|row| async move { self.deliver(&row).await })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for o in outcomes {
            match o {
                Outcome::Sent => pass.sent += 1,
                Outcome::Retry => pass.retried += 1,
                Outcome::Failed => pass.failed += 1,
                Outcome::Unmarked => {}
            }
        }
        Ok(pass)
    }

    /// Passes until nothing is due (for tools and tests).
    pub async fn drain(&self) -> Result<Pass, DbErr> {
        let mut total = Pass::default();
        loop {
            let p = self.pass().await?;
            total.claimed += p.claimed;
            total.sent += p.sent;
            total.retried += p.retried;
            total.failed += p.failed;
            if p.claimed == 0 {
                return Ok(total);
            }
        }
    }

    async fn deliver(&self, row: &outbox::Model) -> Outcome {
        let m = self.mail();
        // `attempts` counts claims, so a message whose sending kills the process
        // ends here too instead of looping forever.
        if row.attempts > m.max_attempts {
            let why = format!(
                "gave up after {} attempts: {}",
                m.max_attempts,
                row.last_error.as_deref().unwrap_or("no answer")
            );
            return self.fail(row, &why).await;
        }
        // A booking round's row carries its event: rendered now.
        let rendered = match repo::rendered(row, &self.settings) {
            Ok(r) => r,
            Err(e) => return self.fail(row, &e).await,
        };
        let msg = match message::build(rendered.as_ref().unwrap_or(row), m) {
            Ok(msg) => msg,
            Err(e) => return self.fail(row, &e.to_string()).await,
        };
        match self.transport.send(row.id, msg).await {
            Ok(location) => {
                let location = Some(truncate(&location, 500));
                match repo::mark_sent(&self.db, row.id, &self.id, location, rendered.as_ref()).await
                {
                    Ok(true) => Outcome::Sent,
                    Ok(false) => {
                        tracing::warn!(id = %row.id, "claim lost before the message was marked sent; it may be sent again with the same Message-ID");
                        Outcome::Unmarked
                    }
                    Err(e) => {
                        tracing::error!(id = %row.id, error = %e, "sent but not marked; it will be resent with the same Message-ID");
                        Outcome::Unmarked
                    }
                }
            }
            Err(SendError::Permanent(e)) => self.fail(row, &e).await,
            Err(SendError::Temporary(e)) if row.attempts >= m.max_attempts => {
                self.fail(
                    row,
                    &format!("gave up after {} attempts: {e}", row.attempts),
                )
                .await
            }
            Err(SendError::Temporary(e)) => {
                let delay = backoff(m, row.attempts);
                tracing::info!(id = %row.id, attempt = row.attempts, retry_in = ?delay, error = %e, "temporary failure");
                let next = Utc::now()
                    + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                match repo::mark_retry(&self.db, row.id, &self.id, &truncate(&e, 2000), next).await
                {
                    Ok(_) => Outcome::Retry,
                    Err(err) => {
                        tracing::error!(id = %row.id, error = %err, "could not record the failure");
                        Outcome::Unmarked
                    }
                }
            }
        }
    }

    async fn fail(&self, row: &outbox::Model, why: &str) -> Outcome {
        tracing::warn!(id = %row.id, kind = %row.kind, error = %why, "message failed for good");
        match repo::mark_failed(&self.db, row.id, &self.id, &truncate(why, 2000)).await {
            Ok(_) => Outcome::Failed,
            Err(e) => {
                tracing::error!(id = %row.id, error = %e, "could not mark the message failed");
                Outcome::Unmarked
            }
        }
    }

    /// Sends until `shutdown` turns true; also runs the periodic mail jobs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let m = self.mail().clone();
        let poll = Duration::from_millis(m.poll_interval_ms.max(10));
        let jobs_every = Duration::from_secs(m.jobs_interval_secs.max(1));
        let mut next_jobs = Instant::now();
        tracing::info!(worker = %self.id, transport = ?m.transport, "mail worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            if Instant::now() >= next_jobs {
                if let Err(e) = jobs::run_due(&self.db, &self.settings, Utc::now()).await {
                    tracing::warn!(error = %e, "mail jobs failed; will try again");
                }
                next_jobs = Instant::now() + jobs_every;
            }
            let busy = match self.pass().await {
                Ok(p) => p.claimed >= m.batch_size.max(1) as usize,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox pass failed; will try again");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
        tracing::info!(worker = %self.id, "mail worker stopped");
    }
}

enum Outcome {
    Sent,
    Retry,
    Failed,
    /// Sent or failed, but the row could not be updated; its claim runs out.
    Unmarked,
}

/// `base · 2^(attempt−1)`, at most `max`, with ±20 % jitter so that a relay
/// coming back is not hit by every message at the same instant.
pub fn backoff(m: &MailSettings, attempt: i32) -> Duration {
    let exp = m.retry_base_secs * 2f64.powi((attempt - 1).clamp(0, 30));
    let capped = exp.min(m.retry_max_secs).max(0.0);
    let jitter = 0.8 + 0.4 * rand::random::<f64>();
    Duration::from_secs_f64(capped * jitter)
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Starts the worker beside the server (if `mail.worker_enabled`) and returns
/// the server's shutdown future extended to stop it: when `shutdown` resolves,
/// the worker finishes the batch in hand (bounded by the SMTP timeout) and
/// exits before the server stops.
pub fn stop_with(
    state: &crate::state::AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let (tx, rx) = watch::channel(false);
    let mut handles = Vec::new();
    if state.settings.mail.worker_enabled {
        for _ in 0..state.settings.mail.workers.max(1) {
            match Worker::new(state.db.clone(), state.settings.clone()) {
                Ok(w) => handles.push(tokio::spawn(w.run(rx.clone()))),
                Err(e) => {
                    tracing::error!(error = %e, "mail worker not started: check the [mail] settings");
                    break;
                }
            }
        }
    }
    let grace = Duration::from_secs(state.settings.mail.smtp.timeout_secs.saturating_add(5));
    async move {
        shutdown.await;
        let _ = tx.send(true);
        if tokio::time::timeout(grace, futures::future::join_all(handles))
            .await
            .is_err()
        {
            tracing::warn!("mail worker did not stop in time; its claims will run out");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let m = MailSettings {
            retry_base_secs: 10.0,
            retry_max_secs: 60.0,
            ..MailSettings::default()
        };
        let secs = |a| backoff(&m, a).as_secs_f64();
        assert!((8.0..=12.0).contains(&secs(1)));
        assert!((16.0..=24.0).contains(&secs(2)));
        assert!((48.0..=72.0).contains(&secs(10)));
        assert_eq!(truncate("あいう", 4), "あ");
    }
}
