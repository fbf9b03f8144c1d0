//! dogwatch-server: the `dogwatch` binary's library — Datadog-compatible intake and query API over an
//! embedded SQLite store, a DogStatsD listener, the notification delivery worker, demo data, and the
//! static UI.
//!
//! [`app`] builds the whole HTTP router so tests can drive it with `oneshot`; [`run`] binds the sockets,
//! starts the background tasks and serves until the shutdown future completes.

pub mod access;
pub mod accounts;
pub mod apm;
pub mod auth;
pub mod budget;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod edge;
pub mod error;
pub mod evaluator;
pub mod handlers;
pub mod intake;
pub mod keys;
pub mod markdown;
pub mod monitor;
pub mod routes;
pub mod statsd;
pub mod store;
pub mod telemetry;
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
    /// What the HTTP edge checks (`--public-url`, `--request-timeout`).
    pub edge: edge::EdgeConfig,
    /// What one query request may cost (`--query-timeout`, `--query-max-points`).
    pub query: budget::QueryLimits,
    /// Where handlers send dogwatch's own metrics.
    pub telemetry: telemetry::Telemetry,
    /// How sessions expire, how the cookie is sent, whether anonymous visitors may read.
    pub sessions: Arc<auth::SessionConfig>,
    /// Failed logins lately, per handle and per address.
    pub logins: Arc<auth::LoginLimiter>,
    /// Where people reach dogwatch, without a trailing slash: what links in notifications and
    /// absolute URLs in answers start with (`--public-url`, else the bound address).
    pub site: Arc<str>,
}

impl AppState {
    /// A state over `store` with `keys`, no UI, no SMTP and the default limits.
    pub fn new(store: Store, keys: Keys) -> AppState {
        AppState {
            store,
            keys: Arc::new(keys),
            ui_dir: None,
            smtp: None,
            edge: edge::EdgeConfig::default(),
            query: budget::QueryLimits::default(),
            telemetry: telemetry::Telemetry::discarded(),
            sessions: Arc::new(auth::SessionConfig::default()),
            logins: Arc::new(auth::LoginLimiter::default()),
            site: Arc::from("http://localhost"),
        }
    }
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
    /// The first admin could not be made.
    Accounts(String),
    /// A setting that cannot be used; the message names the flag.
    Config(String),
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
            StartError::Accounts(e) => write!(f, "cannot create the admin user: {e}"),
            StartError::Config(e) => f.write_str(e),
            StartError::Smtp(e) => write!(f, "cannot use the SMTP settings: {e}"),
            StartError::Bind { what, addr, reason } => write!(
                f,
                "cannot listen for {what} on {addr}: {reason} (is another dogwatch running? choose another address with --addr / --statsd-addr)"
            ),
        }
    }
}

impl std::error::Error for StartError {}

/// Where people reach dogwatch: `--public-url` without its trailing slash, else the bound address
/// (loopback for an unspecified one).
fn site_url(public: Option<&url::Url>, bound: SocketAddr) -> Arc<str> {
    match public {
        Some(url) => Arc::from(url.as_str().trim_end_matches('/')),
        None => {
            let mut addr = bound;
            if addr.ip().is_unspecified() {
                addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            Arc::from(format!("http://{addr}"))
        }
    }
}

/// A secret from a file (a key, a password): its content without surrounding whitespace, so that
/// secrets stay out of the command line that `ps` shows.
fn read_secret(path: &std::path::Path, flag: &str) -> Result<String, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{flag} {}: {e}", path.display()))?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(format!("{flag} {} is empty", path.display()));
    }
    Ok(secret.to_owned())
}

/// `--smtp-url` with the password of `--smtp-password-file` put in.
fn smtp_url_with_password(url: &str, file: &std::path::Path) -> Result<String, StartError> {
    let password = read_secret(file, "--smtp-password-file").map_err(StartError::Smtp)?;
    let mut parsed = url::Url::parse(url).map_err(|e| {
        StartError::Smtp(format!(
            "--smtp-url is not a URL ({e}); use smtp://host:port or smtps://user@host:port"
        ))
    })?;
    if parsed.username().is_empty() {
        return Err(StartError::Smtp(
            "--smtp-password-file needs a user in --smtp-url (smtps://user@host:port)".into(),
        ));
    }
    parsed
        .set_password(Some(&password))
        .map_err(|()| StartError::Smtp("--smtp-url cannot hold a password".into()))?;
    Ok(parsed.into())
}

/// The host `--public-url` names, lower-cased.
fn public_host(url: &url::Url) -> Result<String, StartError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(StartError::Config(format!(
            "--public-url must be an http:// or https:// URL, not {url}"
        )));
    }
    url.host_str()
        .map(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase()
        })
        .filter(|h| !h.is_empty())
        .ok_or_else(|| StartError::Config(format!("--public-url {url} has no host")))
}

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
        Some(url) => {
            let url = match &args.smtp_password_file {
                Some(file) => smtp_url_with_password(url, file)?,
                None => url.clone(),
            };
            Some(Arc::new(
                delivery::SmtpConfig::parse(&url, args.smtp_from.as_deref())
                    .map_err(StartError::Smtp)?,
            ))
        }
        None => None,
    };
    let api_key = match &args.api_key_file {
        Some(file) => Some(read_secret(file, "--api-key-file").map_err(StartError::Keys)?),
        None => args.api_key.clone(),
    };
    let app_key = match &args.app_key_file {
        Some(file) => Some(read_secret(file, "--app-key-file").map_err(StartError::Keys)?),
        None => args.app_key.clone(),
    };
    let public_host = match &args.public_url {
        Some(url) => Some(public_host(url)?),
        None => None,
    };
    let keys = keys::load_or_create(&data_dir, api_key, app_key).map_err(StartError::Keys)?;
    let query_limits = budget::QueryLimits {
        timeout: std::time::Duration::from_secs(args.query_timeout),
        max_points: args.query_max_points,
        ..budget::QueryLimits::default()
    };
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
    let apm_listener = tokio::net::TcpListener::bind(args.apm_addr)
        .await
        .map_err(|e| StartError::Bind {
            what: "traces (APM)",
            addr: args.apm_addr,
            reason: e.to_string(),
        })?;
    let apm_addr = apm_listener.local_addr().map_err(|e| StartError::Bind {
        what: "traces (APM)",
        addr: args.apm_addr,
        reason: e.to_string(),
    })?;
    let otlp_listener = tokio::net::TcpListener::bind(args.otlp_addr)
        .await
        .map_err(|e| StartError::Bind {
            what: "OpenTelemetry traces (OTLP)",
            addr: args.otlp_addr,
            reason: e.to_string(),
        })?;
    let otlp_addr = otlp_listener.local_addr().map_err(|e| StartError::Bind {
        what: "OpenTelemetry traces (OTLP)",
        addr: args.otlp_addr,
        reason: e.to_string(),
    })?;
    let (udp, rcvbuf) =
        statsd::bind(args.statsd_addr, args.statsd_so_rcvbuf).map_err(|e| StartError::Bind {
            what: "DogStatsD",
            addr: args.statsd_addr,
            reason: e.to_string(),
        })?;
    let statsd_addr = udp.local_addr().map_err(|e| StartError::Bind {
        what: "DogStatsD",
        addr: args.statsd_addr,
        reason: e.to_string(),
    })?;

    match std::fs::read(&args.chart_font) {
        Ok(bytes) => {
            let name = args.chart_font.display().to_string();
            if let Err(e) = dogwatch_chart::png::use_font(&name, bytes) {
                tracing::warn!(error = %e, "snapshot pictures will be drawn without labels");
            }
        }
        Err(e) => tracing::warn!(
            font = %args.chart_font.display(),
            error = %e,
            "no font for snapshot pictures (install fonts-dejavu-core or set --chart-font); they will be drawn without labels"
        ),
    }
    accounts::ensure_admin(&store, args.admin_password.as_deref())
        .await
        .map_err(StartError::Accounts)?;
    if args.anonymous_viewer && !http_addr.ip().is_loopback() {
        tracing::warn!(
            addr = %http_addr,
            "--anonymous-viewer on a non-loopback address: anyone who can reach it can read every metric, dashboard and monitor"
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
    let (telemetry, internal_metrics) = telemetry::Telemetry::channel();
    let statsd_task = tokio::spawn(statsd::serve(
        udp,
        store.clone(),
        std::time::Duration::from_secs(args.statsd_flush_secs.max(1)),
        internal_metrics,
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
        query_limits,
        std::time::Duration::from_secs(args.eval_interval.max(1)),
        stop_rx.clone(),
    ));
    let retention_task = tokio::spawn(apm::retain(
        store.clone(),
        std::time::Duration::from_secs(args.trace_retention.saturating_mul(86_400)),
        stop_rx.clone(),
    ));
    let demo_task = args
        .demo
        .then(|| tokio::spawn(demo::run(store.clone(), stop_rx.clone())));

    let state = AppState {
        ui_dir,
        smtp,
        edge: edge::EdgeConfig {
            public_host,
            request_timeout: std::time::Duration::from_secs(args.request_timeout),
        },
        query: query_limits,
        telemetry,
        sessions: Arc::new(auth::SessionConfig {
            idle: std::time::Duration::from_secs(args.session_idle_minutes.saturating_mul(60)),
            max_age: std::time::Duration::from_secs(args.session_max_hours.saturating_mul(3600)),
            secure: args
                .public_url
                .as_ref()
                .is_some_and(|u| u.scheme() == "https"),
            anonymous_viewer: args.anonymous_viewer,
        }),
        site: site_url(args.public_url.as_ref(), http_addr),
        ..AppState::new(store.clone(), keys)
    };
    let conn_limits = edge::conn::ConnLimits {
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        header_timeout: std::time::Duration::from_secs(args.header_timeout),
    };
    let side_port = |listener, router| {
        let mut stop = stop_rx.clone();
        tokio::spawn(edge::conn::serve(
            listener,
            router,
            conn_limits,
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            },
        ))
    };
    let apm_task = side_port(apm_listener, apm::router(state.clone()));
    let otlp_task = side_port(otlp_listener, apm::otlp_router(state.clone()));
    let router = app(state);

    tracing::info!(%http_addr, %statsd_addr, %apm_addr, %otlp_addr, statsd_rcvbuf = rcvbuf, data = %data_dir.display(), "dogwatch started");
    println!(
        "dogwatch listening on http://{http_addr} (DogStatsD on udp://{statsd_addr}, traces on http://{apm_addr}, OTLP on http://{otlp_addr}, data in {})",
        data_dir.display()
    );
    if args.demo {
        // The explorer opens empty until a metric is chosen; this link opens straight onto demo graphs.
        println!(
            "demo graphs: http://{http_addr}/metric/explorer?metric=system.cpu.user&agg=avg&by=host&span=4h&live=true"
        );
    }

    edge::conn::serve(listener, router, conn_limits, async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
    .await;

    // Stop the background tasks; the DogStatsD task flushes what it aggregated before it returns.
    let _ = stop_tx.send(true);
    // Trace payloads under way are committed before the store closes.
    for task in [apm_task, otlp_task, retention_task] {
        if let Err(e) = task.await {
            tracing::error!(error = %e, "trace intake failed");
        }
    }
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

/// Creates the data directory if needed (0700: it holds keys, webhook tokens and email addresses)
/// and proves it is writable, so a bad `--data` fails at start with one clear line instead of at the
/// first write. An existing directory that others may enter is narrowed to 0700, with a warning.
fn check_data_dir(dir: &std::path::Path) -> Result<(), StartError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let fail = |e: std::io::Error| StartError::DataDir {
        dir: dir.to_path_buf(),
        reason: e.to_string(),
    };
    if !dir.is_dir() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)?;
    }
    let mode = std::fs::metadata(dir).map_err(fail)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        tracing::warn!(
            dir = %dir.display(),
            was = format!("{:o}", mode & 0o777),
            "the data directory was readable by others; it is now 0700"
        );
    }
    let probe = dir.join(".dogwatch-write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_files_and_the_smtp_password_joins_its_user() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("secret");
        std::fs::write(&file, "  p@ss:w/rd \n").expect("write");
        assert_eq!(read_secret(&file, "--x").as_deref(), Ok("p@ss:w/rd"));
        std::fs::write(&file, "\n").expect("write");
        assert!(read_secret(&file, "--x").is_err_and(|e| e.contains("is empty")));

        std::fs::write(&file, "p@ss:w/rd").expect("write");
        let url =
            smtp_url_with_password("smtps://mailer@mail.example.com:465", &file).expect("url");
        let parsed = url::Url::parse(&url).expect("a URL");
        assert_eq!(parsed.username(), "mailer");
        // Percent-encoded in the URL, the same password once decoded (lettre decodes it).
        assert_eq!(parsed.password(), Some("p%40ss%3Aw%2Frd"));
        assert!(matches!(
            smtp_url_with_password("smtps://mail.example.com", &file),
            Err(StartError::Smtp(e)) if e.contains("needs a user")
        ));
    }

    #[test]
    fn the_public_url_names_a_host() {
        let host = |u: &str| public_host(&url::Url::parse(u).expect("url"));
        assert_eq!(
            host("https://Dogwatch.Example.com/path").ok().as_deref(),
            Some("dogwatch.example.com")
        );
        assert!(host("ftp://example.com").is_err());
    }
}
