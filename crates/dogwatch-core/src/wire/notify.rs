//! Notifications: the outbox (`/api/v1/dogwatch/notifications`), a user's in-app inbox
//! (`/api/v1/dogwatch/inbox/{handle}`) and how the server sends mail (`/api/v1/dogwatch/settings`).

use serde::{Deserialize, Serialize};

/// One notification of the outbox: a message for one channel and target, and how its delivery went.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Notification {
    pub id: i64,
    /// What makes a retried cycle write the same row again instead of a second one.
    pub dedupe_key: String,
    /// `email`, `webhook` or `inbox`.
    pub channel: String,
    pub target: String,
    pub subject: String,
    pub body: String,
    /// A webhook's JSON body (or its text, if it was not JSON); null for other channels.
    pub payload: Option<serde_json::Value>,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_ms: i64,
    /// When the next attempt is due; null unless pending.
    pub next_attempt_ms: Option<i64>,
    pub sent_ms: Option<i64>,
}

/// `GET /api/v1/dogwatch/notifications`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct NotificationList {
    pub notifications: Vec<Notification>,
}

/// One message in a user's inbox.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct InboxMessage {
    pub id: i64,
    pub notification_id: i64,
    pub subject: String,
    pub body: String,
    pub created_ms: i64,
    pub read: bool,
}

/// `GET /api/v1/dogwatch/inbox/{handle}`: newest first.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Inbox {
    pub handle: String,
    pub messages: Vec<InboxMessage>,
    /// How many messages of the whole inbox are unread (not only of those listed).
    #[serde(default)]
    pub unread: usize,
}

/// `GET /api/v1/dogwatch/settings`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Settings {
    pub smtp: SmtpSettings,
}

/// The SMTP server mail goes through, as configured (never its password). Only `configured` is
/// present when there is none.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct SmtpSettings {
    pub configured: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `implicit` (smtps://) or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}
