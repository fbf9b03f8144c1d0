//! The `dogwatch` command: parses the command line, sets up logging, and runs the server.

use clap::{Parser, Subcommand};
use dogwatch_server::ServeArgs;

#[derive(Parser)]
#[command(
    name = "dogwatch",
    version,
    about = "Self-hosted, Datadog-compatible monitoring"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the UI, the API and DogStatsD.
    Serve(Box<ServeArgs>),
    /// Manage who signs in, on the data directory (works while dogwatch runs).
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user (or update one) who signs in with the password read from stdin.
    Add {
        /// The data directory of `dogwatch serve`.
        #[arg(long, env = "DOGWATCH_DATA", default_value = "dogwatch-data")]
        data: std::path::PathBuf,
        /// The @handle: lowercase letters, digits, `.`, `_`, `-`.
        #[arg(long)]
        handle: String,
        #[arg(long)]
        email: String,
        /// admin, standard or read_only.
        #[arg(long, default_value = "standard")]
        role: String,
        /// Shown name (default: the handle).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password, read from stdin; the user's sessions end.
    ResetPassword {
        #[arg(long, env = "DOGWATCH_DATA", default_value = "dogwatch-data")]
        data: std::path::PathBuf,
        #[arg(long)]
        handle: String,
    },
}

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async_main())
}

/// glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core), and an
/// arena keeps what was freed in it. Queries run on tokio's blocking pool, whose threads come and
/// go, so RSS grew with every thread that ever ran one: under `cargo xtask soak` from 38 to 54 MiB
/// in ten minutes, against 26-30 MiB, flat, with `MALLOC_ARENA_MAX=2`. glibc reads that only from
/// the environment at start, and setting it needs either unsafe code (`mallopt`) or a new process:
/// so, unless the operator chose a value, dogwatch starts itself again with one arena per core.
/// (jemalloc and mimalloc were tried instead: 38-47 MiB and 68-89 MiB.)
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    if !cfg!(target_env = "gnu") || std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // `exec` returns only if it failed; dogwatch then runs as it is.
    let e = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env("MALLOC_ARENA_MAX", cores.to_string())
        .exec();
    eprintln!(
        "warning: could not restart with MALLOC_ARENA_MAX={cores} ({e}); memory may grow with the number of threads"
    );
}

async fn async_main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOGWATCH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let done = match cli.command {
        Command::Serve(args) => dogwatch_server::run(*args, shutdown_signal())
            .await
            .map(|()| String::new())
            .map_err(|e| e.to_string()),
        Command::Users(command) => users(command).await,
    };
    match done {
        Ok(said) => {
            if !said.is_empty() {
                println!("{said}");
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn users(command: UsersCommand) -> Result<String, String> {
    use dogwatch_server::accounts;
    match command {
        UsersCommand::Add {
            data,
            handle,
            email,
            role,
            name,
        } => {
            let password = password_from_stdin()?;
            accounts::add_user(&data, &handle, name.as_deref(), &email, &role, &password).await
        }
        UsersCommand::ResetPassword { data, handle } => {
            let password = password_from_stdin()?;
            accounts::reset_password(&data, &handle, &password).await
        }
    }
}

/// The first line of stdin, without its line end: a password piped in or typed (it echoes; use a
/// pipe or a file to keep it off the screen).
fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
