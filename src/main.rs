use std::path::PathBuf;

use clap::{Parser, Subcommand};
use migration::MigratorTrait;

use portcullis::startup::Application;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Portcullis, a self-hosted identity gateway.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Settings file; environment variables PORTCULLIS__SECTION__KEY override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Relying-party clients stored in the database (those in config.toml are listed too).
    #[command(subcommand)]
    Clients(portcullis::cli::ClientsCommand),
    /// Signing keys.
    #[command(subcommand)]
    Keys(portcullis::cli::KeysCommand),
    /// Users: create, list, delete, invite, import and export.
    #[command(subcommand)]
    Users(portcullis::cli::UsersCommand),
    /// Admin API keys.
    #[command(subcommand)]
    AdminKeys(portcullis::cli::AdminKeysCommand),
    /// The settings file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Prints a publishable key for browser SDKs that want one: it names the public host
    /// (`[server] public_url`) and carries no secret.
    PublishableKey {
        /// A development key (`pk_test_`): the SDK then names its client in the URL
        /// (needs `[server] dev_browser = true`, and `proxyUrl` pointing at Portcullis).
        #[arg(long)]
        development: bool,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Checks the settings file and prints what the server would do with it.
    Check,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // An explicit --config must exist; the default config.toml may be absent.
    let (path, required) = match cli.config {
        Some(p) => (p, true),
        None => (PathBuf::from("config.toml"), false),
    };
    let loaded = portcullis::startup::load_settings(&path, required);
    if let Some(Command::Config(ConfigCommand::Check)) = &cli.command {
        return match loaded {
            Ok(settings) => {
                if let Err(e) = portcullis::cli::check_connections(&settings).await {
                    eprintln!("{}: invalid: {e:#}", path.display());
                    std::process::exit(1);
                }
                println!("{}: valid", path.display());
                print!("{}", portcullis::cli::config_summary(&settings));
                Ok(())
            }
            Err(e) => {
                eprintln!("{}: invalid: {e:#}", path.display());
                std::process::exit(1);
            }
        };
    }
    let settings = loaded?;
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Serve | Command::Migrate) {
        portcullis::telemetry::init(&settings.log);
    }
    match command {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            let db = portcullis::store::connect(&settings.database).await?;
            migration::Migrator::up(&db, None).await?;
            tracing::info!("migrations applied");
        }
        Command::Clients(c) => portcullis::cli::clients(&settings, c).await?,
        Command::Keys(c) => portcullis::cli::keys(&settings, c).await?,
        Command::Users(c) => portcullis::cli::users(&settings, c).await?,
        Command::AdminKeys(c) => portcullis::cli::admin_keys(&settings, c).await?,
        Command::Config(ConfigCommand::Check) => {}
        Command::PublishableKey { development: false } => {
            println!("{}", portcullis::cli::publishable_key(&settings)?)
        }
        Command::PublishableKey { development: true } => {
            if !settings.server.dev_browser {
                eprintln!(
                    "note: [server] dev_browser is off, so Portcullis refuses the SDK's \
                     development client until you turn it on"
                );
            }
            println!("{}", portcullis::cli::DEVELOPMENT_PUBLISHABLE_KEY)
        }
    }
    Ok(())
}
