//! Command-line and environment configuration of `dogwatch serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address for the HTTP API and UI.
    #[arg(long, env = "DOGWATCH_ADDR", default_value = "127.0.0.1:8600")]
    pub addr: SocketAddr,

    /// Directory for the SQLite store and the generated keys.
    #[arg(long, env = "DOGWATCH_DATA", default_value = "dogwatch-data")]
    pub data: PathBuf,

    /// UDP address for DogStatsD.
    #[arg(long, env = "DOGWATCH_STATSD_ADDR", default_value = "127.0.0.1:8125")]
    pub statsd_addr: SocketAddr,

    /// TCP address of the trace agent's endpoints (`/info`, `/v0.4/traces`, `/v0.5/traces`) that
    /// ddtrace and other Datadog tracers send to, as they would to the Datadog agent.
    #[arg(long, env = "DOGWATCH_APM_ADDR", default_value = "127.0.0.1:8126")]
    pub apm_addr: SocketAddr,

    /// TCP address of the OpenTelemetry (OTLP/HTTP) trace endpoint, `POST /v1/traces`, as an
    /// OpenTelemetry collector's.
    #[arg(long, env = "DOGWATCH_OTLP_ADDR", default_value = "127.0.0.1:4318")]
    pub otlp_addr: SocketAddr,

    /// Days APM traces are kept: a trace whose last span started longer ago is deleted whole (hourly).
    #[arg(long, env = "DOGWATCH_TRACE_RETENTION", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub trace_retention: u64,

    /// Seconds between DogStatsD flushes (the Datadog agent uses 10).
    #[arg(long, env = "DOGWATCH_STATSD_FLUSH_SECS", default_value_t = 10)]
    pub statsd_flush_secs: u64,

    /// Directory of the built UI (Trunk's dist/).
    #[arg(long, env = "DOGWATCH_UI_DIR", default_value = "dist")]
    pub ui_dir: Option<PathBuf>,

    /// API key for intake (`DD-API-KEY`); generated and saved in the data dir when not given.
    /// On the command line it is visible to every user in `ps`: prefer the environment or
    /// --api-key-file.
    #[arg(long, env = "DOGWATCH_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// File holding the API key (surrounding whitespace ignored), instead of --api-key.
    #[arg(long, env = "DOGWATCH_API_KEY_FILE", conflicts_with = "api_key")]
    pub api_key_file: Option<PathBuf>,

    /// Application key for the query and management API (`DD-APPLICATION-KEY`); generated when not
    /// given. Prefer the environment or --app-key-file to the command line, as for --api-key.
    #[arg(long, env = "DOGWATCH_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,

    /// File holding the application key, instead of --app-key.
    #[arg(long, env = "DOGWATCH_APP_KEY_FILE", conflicts_with = "app_key")]
    pub app_key_file: Option<PathBuf>,

    /// SMTP server for email notifications: `smtp://host:port` (plain, for a local relay) or
    /// `smtps://user@host:port` (implicit TLS) with the password from --smtp-password-file
    /// (`smtps://user:pass@host:port` works too, but shows the password in `ps`). Without it, emails
    /// wait in the outbox.
    #[arg(long, env = "DOGWATCH_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// File holding the SMTP password for the user of --smtp-url.
    #[arg(long, env = "DOGWATCH_SMTP_PASSWORD_FILE", requires = "smtp_url")]
    pub smtp_password_file: Option<PathBuf>,

    /// Sender address of notification emails (required with --smtp-url).
    #[arg(long, env = "DOGWATCH_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// Milliseconds before the first retry of a notification that could not be delivered; each
    /// further attempt waits twice as long, at most an hour, and the 10th failure gives up.
    #[arg(long, env = "DOGWATCH_RETRY_BASE_MS", default_value_t = 30_000)]
    pub retry_base_ms: u64,

    /// Seconds between two evaluations of every monitor.
    #[arg(long, env = "DOGWATCH_EVAL_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub eval_interval: u64,

    /// The address people and tools use to reach dogwatch when it is not the bound address (a proxy,
    /// a DNS name), e.g. `https://dogwatch.example.com`. Requests must name in `Host` either an IP
    /// address, `localhost` or this URL's host; any other name is refused (DNS rebinding).
    #[arg(long, env = "DOGWATCH_PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// Seconds a client has to send a request's whole head (request line and headers) once it has
    /// connected or finished its previous request; after that the connection is closed.
    #[arg(long, env = "DOGWATCH_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,

    /// Seconds a request may take from its head to the end of its answer (reading the body
    /// included); beyond, the answer is 408. Longer than --query-timeout.
    #[arg(long, env = "DOGWATCH_REQUEST_TIMEOUT", default_value_t = crate::edge::DEFAULT_REQUEST_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,

    /// Most HTTP connections open at once; further clients wait in the kernel's accept queue.
    #[arg(long, env = "DOGWATCH_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Seconds one query request (or one monitor's evaluation) may compute before it is stopped
    /// and answered with 422.
    #[arg(long, env = "DOGWATCH_QUERY_TIMEOUT", default_value_t = crate::budget::DEFAULT_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub query_timeout: u64,

    /// Most stored points one query request (or one monitor's evaluation) may read.
    #[arg(long, env = "DOGWATCH_QUERY_MAX_POINTS", default_value_t = crate::budget::DEFAULT_MAX_POINTS, value_parser = clap::value_parser!(u64).range(1..))]
    pub query_max_points: u64,

    /// Receive buffer of the DogStatsD socket in bytes (the Datadog agent's `dogstatsd_so_rcvbuf`):
    /// packets that arrive while it is full are dropped by the kernel, and counted in
    /// `dogwatch.dogstatsd.dropped`.
    #[arg(long, env = "DOGWATCH_STATSD_SO_RCVBUF", default_value_t = 8 * 1024 * 1024)]
    pub statsd_so_rcvbuf: usize,

    /// Password of the `admin` user that dogwatch creates when no admin exists yet (first start);
    /// ignored afterwards. Without it a random one is made and printed once on stderr. Prefer the
    /// environment to the command line, which `ps` shows.
    #[arg(long, env = "DOGWATCH_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Let visitors who have not signed in read everything (as `read_only`): for a wall screen or
    /// a demo. Off by default.
    #[arg(long, env = "DOGWATCH_ANONYMOUS_VIEWER")]
    pub anonymous_viewer: bool,

    /// Minutes a session may go unused before it ends.
    #[arg(long, env = "DOGWATCH_SESSION_IDLE_MINUTES", default_value_t = 7 * 24 * 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,

    /// Hours after its login that a session ends, used or not.
    #[arg(long, env = "DOGWATCH_SESSION_MAX_HOURS", default_value_t = 30 * 24, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_max_hours: u64,

    /// The TrueType font the labels of snapshot pictures are drawn in (Debian's
    /// `fonts-dejavu-core`, which `cargo xtask setup` installs). Without it pictures have no labels.
    #[arg(
        long,
        env = "DOGWATCH_CHART_FONT",
        default_value = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    )]
    pub chart_font: PathBuf,

    /// Feed demo data: `my_metric` and host metrics, with the last 24 h backfilled.
    #[arg(long, env = "DOGWATCH_DEMO")]
    pub demo: bool,
}
