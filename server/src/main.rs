use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hagukumi_server::cli::run(hagukumi_server::cli::Cli::parse()).await
}
