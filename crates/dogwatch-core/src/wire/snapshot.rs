//! Snapshots: a graph frozen as it was seen (its widget definition, its window and the evaluated
//! answers, never its query again), shared with @mentions and discussed in a thread of comments.
//! Datadog's `GET /api/v1/graph/snapshot` (datadogpy's `api.Graph.create`) and its
//! `graph/snapshot_status/<id>`; dogwatch's own `/api/v1/dogwatch/snapshots`.

use serde::{Deserialize, Serialize};

use super::{Open, QueryResponse, WidgetDefinition};

/// How long a snapshot lasts, as the send dialog offers it.
pub const SNAPSHOT_EXPIRIES: [&str; 5] = ["never", "1h", "1d", "7d", "30d"];

/// The milliseconds an expiry of [`SNAPSHOT_EXPIRIES`] lasts; `Some(None)` for `never`.
pub fn snapshot_expiry_ms(code: &str) -> Option<Option<i64>> {
    const HOUR: i64 = 3_600_000;
    match code {
        "never" => Some(None),
        "1h" => Some(Some(HOUR)),
        "1d" => Some(Some(24 * HOUR)),
        "7d" => Some(Some(7 * 24 * HOUR)),
        "30d" => Some(Some(30 * 24 * HOUR)),
        _ => None,
    }
}

/// `POST /api/v1/dogwatch/snapshots`: what the viewer sees, for the server to freeze.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct SnapshotRequest {
    #[serde(default)]
    pub title: Option<String>,
    /// Text with @mentions (users, `@webhook-<name>`, email addresses), each notified.
    #[serde(default)]
    pub message: Option<String>,
    /// A timeseries widget's definition, as dashboards write it.
    pub definition: Open<WidgetDefinition>,
    /// The window being viewed, in milliseconds.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Readable by anyone with the link (the graph and title only); off unless ticked.
    #[serde(default)]
    pub public: bool,
    /// One of [`SNAPSHOT_EXPIRIES`]; `never` when absent.
    #[serde(default)]
    pub expires: Option<String>,
}

/// Who sent a snapshot or wrote a comment.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SnapshotPerson {
    pub handle: String,
    pub name: String,
}

/// A frozen snapshot. Whoever reads it through a public link gets the graph and title only: the
/// members about people (`sender`, `message`, `comments`) are absent.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Snapshot {
    /// 128 random bits, as 32 lowercase hex digits.
    pub id: String,
    pub title: String,
    /// The page: `/snapshot/<id>`.
    pub url: String,
    /// The picture the server drew: `/api/v1/dogwatch/snapshot/view/<id>.png`.
    pub png_url: String,
    pub definition: Open<WidgetDefinition>,
    pub from_ms: i64,
    pub to_ms: i64,
    /// One answer per request of the definition, in its order, as they were when it was taken.
    pub answers: Vec<QueryResponse>,
    pub public: bool,
    pub created_ms: i64,
    #[serde(default)]
    pub expires_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<SnapshotPerson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The event that shares it; comments are events related to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<i64>,
    /// Oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<SnapshotComment>>,
    /// Whether whoever asked may delete it (its sender or an admin).
    #[serde(default)]
    pub can_delete: bool,
}

/// One comment of a snapshot's thread (an event related to the snapshot's).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SnapshotComment {
    pub event_id: i64,
    /// None for an event posted with an API key.
    #[serde(default)]
    pub author: Option<SnapshotPerson>,
    pub text: String,
    pub ts_ms: i64,
}

/// `POST /api/v1/dogwatch/snapshots/{id}/comments`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct CommentRequest {
    #[serde(default)]
    pub text: Option<String>,
}

/// `DELETE /api/v1/dogwatch/snapshots/{id}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SnapshotDeleted {
    pub deleted_snapshot_id: String,
}

/// `GET /api/v1/graph/snapshot`: where the picture is. `graph_def` echoes the definition when one
/// was sent.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct GraphSnapshot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_def: Option<String>,
    /// An absolute URL ending in `/snapshot/view/<id>.png`, as datadogpy's `Graph.status` expects.
    pub snapshot_url: String,
}

/// `GET /api/v1/graph/snapshot_status/{id}`: 200 once the picture can be fetched (at once here:
/// the server draws it before answering).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SnapshotStatus {
    pub status_code: u16,
}
