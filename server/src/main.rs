//! `skolflyt serve | migrate | demo | demo-accounts`.

use clap::{Parser, Subcommand};
use skolflyt::config::Config;
use skolflyt::startup::Application;
use skolflyt::store::Db;
use skolflyt::{clock, demo};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "skolflyt",
    version,
    about = "Skolflyt: a municipality's education casework"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA (migrates the database first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with a deterministic demo municipality.
    Demo {
        /// How many pupils (children and adult students).
        #[arg(long, default_value_t = 600)]
        pupils: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Give the first N persons of each role a login (at least the fixed demo logins).
        #[arg(long, default_value_t = 0)]
        logins: usize,
    },
    /// Print the demo logins, one JSON object per line (or a table for people).
    DemoAccounts {
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Json,
    Table,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SKOLFLYT_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(port = app.port(), "Skolflyt is serving");
            app.run_until_stopped().await
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Demo {
            pupils,
            seed,
            logins,
        } => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            let started = std::time::Instant::now();
            let options = demo::DemoOptions {
                pupils,
                seed,
                today: clock::today(),
                argon2_memory_kib: config.argon2_memory_kib,
                logins_per_role: logins,
            };
            let summary = demo::generate(&db, &options).await?;
            demo::failed_step(&db).await?;
            eprintln!(
                "demo municipality created in {:.1} s: {}",
                started.elapsed().as_secs_f64(),
                serde_json::to_string(&summary)?
            );
            Ok(())
        }
        Command::DemoAccounts { format } => {
            let db = Db::connect(&config.database_url).await?;
            for account in demo::accounts(&db, clock::today()).await? {
                match format {
                    Format::Json => println!("{}", serde_json::to_string(&account)?),
                    Format::Table => println!(
                        "  {:<15} {:<17} {}",
                        account.role.as_str(),
                        account.username,
                        account.password
                    ),
                }
            }
            Ok(())
        }
    }
}
