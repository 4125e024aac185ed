//! `kith`: the one binary. With no arguments it serves on 127.0.0.1:8080 with its data in
//! `./kith-data`. This is the composition root: it reads the configuration, opens the database the
//! URL names, and hands the store to the application and the web layer.

mod anchor;
mod backup;
mod config;
mod keyfile;
mod open;
mod serve;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::{Config, Overrides};
use kith_app::App;
use kith_app::clock::SystemClock;
use kith_domain::identity::Role;
use kith_domain::ids::ClinicId;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "kith",
    version,
    about = "Kith: Interpersonal Psychotherapy from first assessment to relapse prevention."
)]
struct Cli {
    /// Configuration file (default: ./kith.toml if present).
    #[arg(long, global = true, env = "KITH_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder (database and key file).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true)]
    database: Option<String>,
    /// Key file (default: DATA_DIR/kith.key).
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface and API (the default).
    Serve {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Address people use to reach Kith, for links and cookies.
        #[arg(long)]
        public_url: Option<String>,
        /// Load the demo clinic and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo clinic into the database and print its logins.
    Demo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the database to FILE (SQLite); for PostgreSQL, print the pg_dump command.
    Backup { file: PathBuf },
    /// Restore a backup into an empty data folder, then verify it.
    Restore {
        file: PathBuf,
        /// Copy this key file into the data folder first (the backup cannot be read without it).
        #[arg(long)]
        with_key: Option<PathBuf>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check that a running server answers (exit 0) or not (exit 1).
    Healthcheck {
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input when `--password-stdin` is given;
    /// otherwise a strong one is made and printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// clinic_admin, clinician, supervisor or client.
        #[arg(long)]
        role: Option<String>,
        /// Clinic id (needed when the server has several clinics).
        #[arg(long)]
        clinic: Option<String>,
        /// Make the account a server operator.
        #[arg(long)]
        operator: bool,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create a named API token for an account and print it once.
    Token {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        clinic: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every link of the hash chain; name the first broken one.
    Verify,
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn app_for(store: Arc<dyn kith_store::Store>) -> App {
    App::new(store, Arc::new(SystemClock), kith_app::Limits::default())
}

fn clinic_arg(c: Option<&str>) -> anyhow::Result<Option<ClinicId>> {
    c.map(|s| {
        s.parse::<ClinicId>()
            .map_err(|_| anyhow::anyhow!("--clinic must be a clinic id"))
    })
    .transpose()
}

fn app_error(e: kith_app::AppError) -> anyhow::Error {
    match e {
        kith_app::AppError::Invalid(fields) => {
            let list: Vec<String> = fields
                .iter()
                .map(|f| {
                    let args: Vec<String> =
                        f.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!(
                        "{}: {}{}",
                        f.field,
                        f.code,
                        if args.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", args.join(", "))
                        }
                    )
                })
                .collect();
            anyhow::anyhow!("refused: {}", list.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (listen, public_url) = match &cli.command {
        Some(Command::Serve {
            listen, public_url, ..
        }) => (*listen, public_url.clone()),
        Some(Command::Healthcheck { listen }) => (*listen, None),
        _ => (None, None),
    };
    let config = Config::load(
        cli.config.as_ref(),
        Overrides {
            data_dir: cli.data_dir.clone(),
            database: cli.database.clone(),
            key_file: cli.key_file.clone(),
            listen,
            public_url,
        },
    )?;
    init_logging(&config);
    let command = cli.command.unwrap_or(Command::Serve {
        listen: None,
        public_url: None,
        demo: false,
    });
    match command {
        Command::Serve { demo, .. } => serve::serve(config, demo).await,
        Command::Migrate => {
            let opened = open::open(&config, true).await?;
            println!("The database is up to date ({}).", opened.store.backend());
            opened.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let opened = open::open(&config, true).await?;
            let app = app_for(opened.store.clone());
            let logins = serve::load_demo(&app).await?;
            serve::print_logins(&logins);
            opened.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => {
            let opened = open::open(&config, false).await?;
            let app = app_for(opened.store.clone());
            let code = match command {
                UserCommand::Create {
                    email,
                    name,
                    role,
                    clinic,
                    operator,
                    password_stdin,
                } => {
                    let role = role
                        .map(|r| {
                            r.parse::<Role>().map_err(|_| {
                                anyhow::anyhow!(
                                    "--role must be clinic_admin, clinician, supervisor or client"
                                )
                            })
                        })
                        .transpose()?;
                    if role.is_none() && !operator {
                        bail!("give --role, or --operator for an account that runs the server");
                    }
                    let (password, generated) = if password_stdin {
                        let mut s = String::new();
                        std::io::stdin()
                            .read_to_string(&mut s)
                            .context("reading the password")?;
                        (s.trim_end_matches(['\n', '\r']).to_string(), false)
                    } else {
                        (kith_app::secrets::new_token(), true)
                    };
                    let id = app
                        .create_user_cli(
                            &email,
                            &name,
                            role,
                            clinic_arg(clinic.as_deref())?,
                            operator,
                            &password,
                        )
                        .await
                        .map_err(app_error)?;
                    println!("Created account {id} for {email}.");
                    if generated {
                        println!("Password (shown once): {password}");
                    }
                    if role.is_some_and(|r| r.is_staff()) || operator {
                        println!("At first sign-in they will set up an authenticator app.");
                    }
                    ExitCode::SUCCESS
                }
                UserCommand::Token {
                    email,
                    name,
                    clinic,
                } => {
                    let token = app
                        .create_token_cli(&email, &name, clinic_arg(clinic.as_deref())?)
                        .await
                        .map_err(app_error)?;
                    println!("{token}");
                    eprintln!("This token is shown once. Use it as: Authorization: Bearer <token>");
                    ExitCode::SUCCESS
                }
            };
            opened.close().await;
            Ok(code)
        }
        Command::Backup { file } => backup::backup(&config, &file).await,
        Command::Restore { file, with_key } => {
            backup::restore(&config, &file, with_key.as_deref()).await
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => backup::verify_audit(&config).await,
        Command::Healthcheck { .. } => serve::healthcheck(&config).await,
        Command::Openapi => {
            print!("{}", kith_web::openapi_pretty());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kith: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kith: {e:#}");
            ExitCode::from(1)
        }
    }
}
