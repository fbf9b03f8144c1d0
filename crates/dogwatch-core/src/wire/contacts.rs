//! Who and where notifications go: users (`@handle`) and webhooks (`@webhook-name`), under
//! `/api/v1/dogwatch/users` and `/api/v1/dogwatch/webhooks` (dogwatch's own). Users are also who
//! signs in (see `accounts.rs`).

use serde::{Deserialize, Serialize};

use super::Role;

/// Someone who signs in and whom messages @mention. Also the body of
/// `POST /api/v1/dogwatch/users`, where an empty `name` means "the handle" and a missing `role`
/// keeps the user's role (`standard` for a new one).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct User {
    pub handle: String,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: Option<Role>,
    /// Whether the user can sign in (a password is set); ignored in requests.
    #[serde(default)]
    pub has_password: bool,
}

/// `GET /api/v1/dogwatch/users`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct UserList {
    pub users: Vec<User>,
}

/// `DELETE /api/v1/dogwatch/users/{handle}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct UserDeleted {
    pub deleted_user: String,
}

/// A webhook to mention as `@webhook-<name>`. Also the body of `POST /api/v1/dogwatch/webhooks`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    /// Post Slack's `{"text": …}` instead of dogwatch's own payload.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub slack_compatible: bool,
}

/// `GET /api/v1/dogwatch/webhooks`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// `DELETE /api/v1/dogwatch/webhooks/{name}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct WebhookDeleted {
    pub deleted_webhook: String,
}
