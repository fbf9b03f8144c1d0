//! dogwatch-server: the `dogwatch` binary's library — Datadog-compatible intake and query API over an
//! embedded SQLite store, a DogStatsD listener, the notification delivery worker, demo data, and the
//! static UI.
//!
//! [`app`] builds the whole HTTP router so tests can drive it with `oneshot`; [`run`] binds the sockets,
//! starts the background tasks and serves until the shutdown future completes.

pub mod config;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod evaluator;
pub mod handlers;
pub mod keys;
pub mod markdown;
pub mod monitor;
pub mod routes;
pub mod statsd;
pub mod store;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;

pub use config::ServeArgs;
use keys::Keys;
use store::Store;

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Arc<Keys>,
    /// Directory of the built UI (Trunk's `dist/`), if there is one.
    pub ui_dir: Option<PathBuf>,
    /// The SMTP server email notifications go through, if one is configured.
    pub smtp: Option<Arc<delivery::SmtpConfig>>,
}

/// The whole HTTP application: the API under `/api`, the UI everywhere else.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Why `dogwatch serve` could not start. Each variant prints as one line a person can act on.
#[derive(Debug)]
pub enum StartError {
    DataDir {
        dir: PathBuf,
        reason: String,
    },
    Store(store::StoreError),
    Keys(String),
    /// `--smtp-url` / `--smtp-from` are unusable; the message names the flag.
    Smtp(String),
    Bind {
        what: &'static str,
        addr: SocketAddr,
        reason: String,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::DataDir { dir, reason } => {
                write!(
                    f,
                    "data directory {} is not usable: {reason}",
                    dir.display()
                )
            }
            StartError::Store(e) => write!(f, "cannot open the store: {e}"),
            StartError::Keys(e) => write!(f, "cannot read or write the API keys: {e}"),
            StartError::Smtp(e) => write!(f, "cannot use the SMTP settings: {e}"),
            StartError::Bind { what, addr, reason } => write!(
                f,
                "cannot listen for {what} on {addr}: {reason} (is another dogwatch running? choose another address with --addr / --statsd-addr)"
            ),
        }
    }
}

impl std::error::Error for StartError {}

/// Opens the store, binds HTTP and DogStatsD, and serves until `shutdown` completes. On shutdown it
/// stops accepting, lets in-flight requests finish, flushes the DogStatsD aggregator, lets the
/// delivery worker record the attempts under way, and waits for the store's writer to commit
/// everything it accepted.
pub async fn run(
    args: ServeArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let data_dir = args.data.clone();
    check_data_dir(&data_dir)?;
    let smtp = match &args.smtp_url {
        Some(url) => Some(Arc::new(
            delivery::SmtpConfig::parse(url, args.smtp_from.as_deref())
                .map_err(StartError::Smtp)?,
        )),
        None => None,
    };
    let keys = keys::load_or_create(&data_dir, args.api_key.clone(), args.app_key.clone())
        .map_err(StartError::Keys)?;
    let store = Store::open(&data_dir.join("dogwatch.sqlite3")).map_err(StartError::Store)?;

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| StartError::Bind {
            what: "HTTP",
            addr: args.addr,
            reason: e.to_string(),
        })?;
    let http_addr = listener.local_addr().map_err(|e| StartError::Bind {
        what: "HTTP",
        addr: args.addr,
        reason: e.to_string(),
    })?;
    let udp = tokio::net::UdpSocket::bind(args.statsd_addr)
        .await
        .map_err(|e| StartError::Bind {
            what: "DogStatsD",
            addr: args.statsd_addr,
            reason: e.to_string(),
        })?;
    let statsd_addr = udp.local_addr().map_err(|e| StartError::Bind {
        what: "DogStatsD",
        addr: args.statsd_addr,
        reason: e.to_string(),
    })?;

    if !http_addr.ip().is_loopback() {
        tracing::warn!(
            addr = %http_addr,
            "dogwatch is listening on a non-loopback address: until user accounts exist, the UI and the read API are open to anyone who can reach it"
        );
        eprintln!(
            "WARNING: dogwatch is bound to {http_addr}, not loopback. The UI and read API have no login yet: anyone who can reach this address can read your metrics."
        );
    }

    let ui_dir = args
        .ui_dir
        .clone()
        .filter(|d| d.join("index.html").is_file());
    if ui_dir.is_none() {
        tracing::warn!(ui_dir = ?args.ui_dir, "no built UI found; the API works, the UI pages explain how to build it");
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let statsd_task = tokio::spawn(statsd::serve(
        udp,
        store.clone(),
        std::time::Duration::from_secs(args.statsd_flush_secs.max(1)),
        stop_rx.clone(),
    ));
    let delivery_task = tokio::spawn(delivery::run(
        store.clone(),
        delivery::DeliveryConfig::new(
            smtp.clone(),
            std::time::Duration::from_millis(args.retry_base_ms.max(1)),
        ),
        stop_rx.clone(),
    ));
    let evaluator_task = tokio::spawn(evaluator::run(
        store.clone(),
        std::time::Duration::from_secs(args.eval_interval.max(1)),
        stop_rx.clone(),
    ));
    let demo_task = args
        .demo
        .then(|| tokio::spawn(demo::run(store.clone(), stop_rx.clone())));

    let state = AppState {
        store: store.clone(),
        keys: Arc::new(keys),
        ui_dir,
        smtp,
    };
    let router = app(state);

    tracing::info!(%http_addr, %statsd_addr, data = %data_dir.display(), "dogwatch started");
    println!(
        "dogwatch listening on http://{http_addr} (DogStatsD on udp://{statsd_addr}, data in {})",
        data_dir.display()
    );
    if args.demo {
        // The explorer opens empty until a metric is chosen; this link opens straight onto demo graphs.
        println!(
            "demo graphs: http://{http_addr}/metric/explorer?metric=system.cpu.user&agg=avg&by=host&span=4h&live=true"
        );
    }

    let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
    });
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "HTTP server stopped with an error");
    }

    // Stop the background tasks; the DogStatsD task flushes what it aggregated before it returns.
    let _ = stop_tx.send(true);
    if let Err(e) = statsd_task.await {
        tracing::error!(error = %e, "DogStatsD task failed");
    }
    if let Some(t) = demo_task {
        let _ = t.await;
    }
    // A cycle under way finishes (its transaction commits or not at all) before the store closes.
    if let Err(e) = evaluator_task.await {
        tracing::error!(error = %e, "monitor evaluator failed");
    }
    // The worker records the attempt under way before it returns, so nothing sent goes unmarked.
    if let Err(e) = delivery_task.await {
        tracing::error!(error = %e, "delivery task failed");
    }
    store.close().await;
    tracing::info!("dogwatch stopped; every accepted write is committed");
    Ok(())
}

/// Creates the data directory if needed and proves it is writable, so a bad `--data` fails at start
/// with one clear line instead of at the first write.
fn check_data_dir(dir: &std::path::Path) -> Result<(), StartError> {
    let fail = |e: std::io::Error| StartError::DataDir {
        dir: dir.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".dogwatch-write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}
