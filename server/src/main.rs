use clap::Parser;

/// The server allocates and frees many small objects per request on several
/// threads at once; mimalloc does that with less locking than the system's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hagukumi_server::cli::run(hagukumi_server::cli::Cli::parse()).await
}
