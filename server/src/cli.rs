//! Command line: `serve` (default), `migrate`, `seed-demo`.

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::settings::Settings;
use crate::{db, seed, startup::Application};

#[derive(Parser)]
#[command(
    name = "hagukumi",
    version,
    about = "Booking and matching for child and family support"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate, seed the demo if the database is empty (per settings) and serve.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the Kiyose demo data into an empty database and exit.
    SeedDemo,
}

pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing();
    let settings = Settings::load()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "serving");
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            let conn = db::connect(&settings.database).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
        }
        Command::SeedDemo => {
            let conn = db::connect(&settings.database).await?;
            db::migrate(&conn).await?;
            if seed::seed_if_empty(&conn).await? {
                tracing::info!("demo data loaded");
            } else {
                tracing::info!("database already has data; demo not loaded");
            }
        }
    }
    Ok(())
}
