//! The API's wire contract: every request and answer body, as serde types shared by the server
//! (which takes and writes them) and the UI (which sends and reads them), so the two cannot drift.
//! Field names and nesting follow Datadog's public API exactly where Datadog has the endpoint (see
//! shared/reference/datadog-api.md); dogwatch's own endpoints live under `/api/v1/dogwatch/`.
//!
//! Answers keep members they do not name where a client's JSON is stored and echoed (a monitor's or a
//! dashboard's unknown fields), in a flattened `extra` map.

use serde::{Deserialize, Serialize};

mod accounts;
mod contacts;
mod dashboard;
mod downtime;
mod intake;
mod markdown;
mod monitor;
mod notify;
mod open;
mod query;
mod snapshot;
mod trace;

pub use accounts::*;
pub use contacts::*;
pub use dashboard::*;
pub use downtime::*;
pub use intake::*;
pub use markdown::*;
pub use monitor::*;
pub use notify::*;
pub use open::{BodyError, Open, decode, decode_body};
pub use query::*;
pub use snapshot::*;
pub use trace::*;

/// Datadog's error body: `{"errors": ["…"]}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Errors {
    pub errors: Vec<String>,
}

/// Reads `null` as the type's default, as the API always has for optional members.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
