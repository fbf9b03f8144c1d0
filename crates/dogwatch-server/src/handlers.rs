//! HTTP handlers, one module per resource: extract, call the store or core, map to the wire type.

pub mod dashboards;
pub mod intake;
pub mod metrics;
pub mod query;
pub mod validate;

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
