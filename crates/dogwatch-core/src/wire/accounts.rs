//! Accounts: who is signed in (`/api/v1/dogwatch/login`, `logout`, `me`), what a role may do, and
//! the API and application keys in Datadog's `/api/v2/api_keys` and `/api/v2/application_keys`
//! shapes.

use serde::{Deserialize, Serialize};

/// What a person may do. Ordered: each role may do what the ones before it may.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything, changes nothing.
    ReadOnly,
    /// Also creates and changes dashboards and monitors.
    #[default]
    Standard,
    /// Also manages users, keys and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::ReadOnly, Role::Standard, Role::Admin];

    /// The API's word: `read_only`, `standard`, `admin`.
    pub fn code(self) -> &'static str {
        match self {
            Role::ReadOnly => "read_only",
            Role::Standard => "standard",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Creating and changing dashboards and monitors.
    pub fn can_edit(self) -> bool {
        self >= Role::Standard
    }

    /// Users, keys and settings.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// `POST /api/v1/dogwatch/login`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct LoginRequest {
    pub handle: String,
    pub password: String,
}

/// `GET /api/v1/dogwatch/me`, and the answer of a login: who the request acts as.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Me {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// A visitor let in by `--anonymous-viewer`, not signed in.
    #[serde(default)]
    pub anonymous: bool,
}

/// `POST /api/v1/dogwatch/me/password`: a signed-in person changes their own password. Every
/// other session of theirs ends.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/dogwatch/users/{handle}/password`: an admin sets someone's password. Every session
/// of theirs ends.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PasswordSet {
    pub password: String,
}

/// The two kinds of key, as Datadog's JSON:API `type` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum KeyKind {
    /// Sends metrics (`DD-API-KEY`).
    #[serde(rename = "api_keys")]
    Api,
    /// Reads and manages through the API as the person who made it (`DD-APPLICATION-KEY`).
    #[serde(rename = "application_keys")]
    Application,
}

impl KeyKind {
    pub fn code(self) -> &'static str {
        match self {
            KeyKind::Api => "api_keys",
            KeyKind::Application => "application_keys",
        }
    }
}

/// The body of a key create or rename: `{"data": {"type": "api_keys", "attributes": {"name": …}}}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct KeyRequest {
    pub data: KeyRequestData,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct KeyRequestData {
    #[serde(rename = "type")]
    pub kind: KeyKind,
    pub attributes: KeyName,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct KeyName {
    pub name: String,
}

/// One key as the API shows it. `key` (the whole secret) is there only in the answer to its
/// creation; afterwards only `last4` is.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct KeyData {
    #[serde(rename = "type")]
    pub kind: KeyKind,
    pub id: String,
    pub attributes: KeyAttributes,
    pub relationships: KeyRelationships,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct KeyAttributes {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub last4: String,
    /// ISO 8601.
    pub created_at: String,
    pub modified_at: String,
    /// ISO 8601; null until the key is first used.
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct KeyRelationships {
    pub created_by: Related,
}

/// `{"data": {"type": "users", "id": handle}}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Related {
    pub data: RelatedUser,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct RelatedUser {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The answer for one key.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct KeyAnswer {
    pub data: KeyData,
}

/// `GET /api/v2/api_keys`, `GET /api/v2/application_keys`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct KeyList {
    pub data: Vec<KeyData>,
    pub meta: KeyListMeta,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct KeyListMeta {
    pub page: KeyListPage,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct KeyListPage {
    pub total_filtered_count: usize,
}
