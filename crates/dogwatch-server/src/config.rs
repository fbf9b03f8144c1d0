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

    /// Seconds between DogStatsD flushes (the Datadog agent uses 10).
    #[arg(long, env = "DOGWATCH_STATSD_FLUSH_SECS", default_value_t = 10)]
    pub statsd_flush_secs: u64,

    /// Directory of the built UI (Trunk's dist/).
    #[arg(long, env = "DOGWATCH_UI_DIR", default_value = "dist")]
    pub ui_dir: Option<PathBuf>,

    /// API key for intake (`DD-API-KEY`); generated and saved in the data dir when not given.
    #[arg(long, env = "DOGWATCH_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// Application key for the query and management API (`DD-APPLICATION-KEY`); generated when not given.
    #[arg(long, env = "DOGWATCH_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,

    /// SMTP server for email notifications: `smtp://host:port` (plain, for a local relay) or
    /// `smtps://user:pass@host:port` (implicit TLS). Without it, emails wait in the outbox.
    #[arg(long, env = "DOGWATCH_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

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

    /// Feed demo data: `my_metric` and host metrics, with the last 24 h backfilled.
    #[arg(long, env = "DOGWATCH_DEMO")]
    pub demo: bool,
}
