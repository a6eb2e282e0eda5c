//! Where messages go: `.eml` files (the zero-set-up default) or an SMTP relay
//! through lettre's pooled async transport. Failures are sorted into temporary
//! (retry later: 4xx replies, refused or dropped connections, timeouts) and
//! permanent (5xx replies, unusable addresses: give up).

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::settings::{MailSettings, SmtpTls, TransportKind};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("temporary: {0}")]
    Temporary(String),
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum Transport {
    File(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    pub fn from_settings(s: &MailSettings) -> anyhow::Result<Transport> {
        Ok(match s.transport {
            TransportKind::File => Transport::File(PathBuf::from(&s.file_dir)),
            TransportKind::Smtp => {
                let smtp = &s.smtp;
                let tls = match smtp.tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::Starttls => Tls::Required(TlsParameters::new(smtp.host.clone())?),
                    SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(smtp.host.clone())?),
                };
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    .port(smtp.port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(smtp.timeout_secs)))
                    .pool_config(PoolConfig::new().max_size(smtp.pool_size.max(1)));
                if let (Some(user), Some(pw)) = (&smtp.username, &smtp.password) {
                    b = b.credentials(Credentials::new(
                        user.clone(),
                        pw.expose_secret().to_owned(),
                    ));
                }
                Transport::Smtp(b.build())
            }
        })
    }

    /// Delivers one message; on success, where it went (the file, or the relay's reply).
    pub async fn send(&self, id: uuid::Uuid, message: Message) -> Result<String, SendError> {
        match self {
            Transport::File(dir) => {
                let bytes = message.formatted();
                let path = dir.join(format!("{id}.eml"));
                let tmp = dir.join(format!(".{id}.eml.tmp"));
                // Written aside and renamed, so a reader never sees half a message
                // and a second attempt simply replaces the first.
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                };
                write
                    .await
                    .map_err(|e| SendError::Temporary(format!("{}: {e}", path.display())))?;
                Ok(path.display().to_string())
            }
            Transport::Smtp(t) => match t.send(message).await {
                Ok(reply) => Ok(reply.message().collect::<Vec<_>>().join(" ")),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Temporary(e.to_string())),
            },
        }
    }
}
