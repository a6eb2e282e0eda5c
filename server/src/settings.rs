//! Typed settings: defaults that run with zero set-up, overridden by an optional
//! `hagukumi.toml` and by environment variables `HAGUKUMI_SECTION__KEY`.

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub site: SiteSettings,
    pub auth: AuthSettings,
    pub embed: EmbedSettings,
    pub mail: crate::mail::MailSettings,
}

/// Which city websites may show the widget in a frame.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct EmbedSettings {
    /// Origins allowed to frame `/widget/…` (`Content-Security-Policy:
    /// frame-ancestors`), e.g. `https://www.city.kiyose.lg.jp`. The server's own
    /// origin (for the demo city page) is always allowed. A comma-separated
    /// string in the environment: `HAGUKUMI_EMBED__FRAME_ANCESTORS`.
    #[serde(deserialize_with = "origins")]
    pub frame_ancestors: Vec<String>,
}

/// Accepts a list, or one comma-separated string (as environment variables give).
fn origins<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let list = match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split(',').map(|o| o.trim().to_owned()).collect(),
        OneOrMany::Many(v) => v,
    };
    list.into_iter()
        .filter(|o| !o.is_empty())
        .map(|o| {
            let ok = (o.starts_with("https://") || o.starts_with("http://"))
                && !o.contains([' ', ';', ',', '\'', '"']);
            if ok {
                Ok(o.trim_end_matches('/').to_owned())
            } else {
                Err(serde::de::Error::custom(format!("not an origin: {o}")))
            }
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// The address people use to reach the server; decides `Secure` cookies and links in mail.
    pub public_url: String,
    /// The municipality shown to visitors who are not signed in.
    pub default_municipality: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            host: "127.0.0.1".into(),
            port: 3000,
            public_url: "http://127.0.0.1:3000".into(),
            default_municipality: "kiyose".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://data/hagukumi.db?mode=rwc` (default) or `postgres://…`.
    pub url: SecretString,
    pub max_connections: u32,
    /// Run pending migrations when the server starts.
    pub migrate_on_start: bool,
    /// Load the Kiyose demo data when the database has no municipality yet.
    pub seed_demo_if_empty: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: SecretString::from("sqlite://data/hagukumi.db?mode=rwc"),
            max_connections: 16,
            migrate_on_start: true,
            seed_demo_if_empty: true,
        }
    }
}

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SiteSettings {
    /// Where the built widget (`pkg/hagukumi.js`, `pkg/hagukumi_bg.wasm`) and CSS live.
    pub root: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            root: "target/site".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub session_days: i64,
    /// `None`: `Secure` exactly when `public_url` is https.
    pub secure_cookies: Option<bool>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_days: 14,
            secure_cookies: None,
        }
    }
}

impl Settings {
    /// Defaults, then `hagukumi.toml` if present, then the environment.
    pub fn load() -> Result<Settings, Box<figment::Error>> {
        Figment::new()
            .merge(Toml::file("hagukumi.toml"))
            .merge(Env::prefixed("HAGUKUMI_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    pub fn secure_cookies(&self) -> bool {
        self.auth
            .secure_cookies
            .unwrap_or_else(|| self.server.public_url.starts_with("https://"))
    }
}
