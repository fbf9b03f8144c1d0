//! Users (who signs in, and whom messages @mention) and named webhooks: the targets notifications
//! go to. Passwords, sessions and keys are in `accounts.rs`. Writes run on the writer thread; reads
//! on the read pool.

use dogwatch_core::wire::Role;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Whether a password is set (the user can sign in).
    pub has_password: bool,
}

pub(super) const USER_COLUMNS: &str = "handle, name, email, role, password_hash IS NOT NULL";

pub(super) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(3)?;
    Ok(UserRow {
        handle: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        // The column's CHECK allows only these three.
        role: Role::from_code(&role).unwrap_or(Role::ReadOnly),
        has_password: r.get(4)?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub name: String,
    pub url: String,
    /// Post `{"text": subject + "\n" + body}` (Slack's incoming-webhook shape) instead of the payload.
    pub slack_compatible: bool,
}

pub(super) fn user(conn: &Connection, handle: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE handle = ?1"),
        params![handle],
        user_row,
    )
    .optional()
}

fn users(conn: &Connection) -> rusqlite::Result<Vec<UserRow>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY handle"))?;
    st.query_map([], user_row)?.collect()
}

pub(super) fn webhook(conn: &Connection, name: &str) -> rusqlite::Result<Option<WebhookRow>> {
    conn.query_row(
        "SELECT name, url, slack_compatible FROM webhooks WHERE name = ?1",
        params![name],
        |r| {
            Ok(WebhookRow {
                name: r.get(0)?,
                url: r.get(1)?,
                slack_compatible: r.get(2)?,
            })
        },
    )
    .optional()
}

fn webhooks(conn: &Connection) -> rusqlite::Result<Vec<WebhookRow>> {
    let mut st =
        conn.prepare_cached("SELECT name, url, slack_compatible FROM webhooks ORDER BY name")?;
    st.query_map([], |r| {
        Ok(WebhookRow {
            name: r.get(0)?,
            url: r.get(1)?,
            slack_compatible: r.get(2)?,
        })
    })?
    .collect()
}

impl Store {
    /// Creates a user (with `role`, else `standard`), or replaces the name and email of the user
    /// with that handle, and its role when one is given. Answers the user as stored.
    pub async fn put_user(
        &self,
        handle: String,
        name: String,
        email: String,
        role: Option<Role>,
        now_ms: i64,
    ) -> Result<UserRow, StoreError> {
        self.transact(move |tx| {
            let role = role.map(Role::code);
            tx.execute(
                "INSERT INTO users (handle, name, email, created_ms, role)
                 VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 'standard'))
                 ON CONFLICT (handle) DO UPDATE SET name = excluded.name, email = excluded.email,
                     role = COALESCE(?5, role)",
                params![handle, name, email, now_ms, role],
            )?;
            tx.query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE handle = ?1"),
                params![handle],
                user_row,
            )
        })
        .await
    }

    /// Deletes a user, their sessions and their application keys; `false` when there was none.
    /// Their inbox stays (it is history).
    pub async fn delete_user(&self, handle: String) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            tx.execute("DELETE FROM sessions WHERE handle = ?1", params![handle])?;
            tx.execute(
                "DELETE FROM keys WHERE kind = 'application_keys' AND created_by = ?1",
                params![handle],
            )?;
            tx.execute("DELETE FROM users WHERE handle = ?1", params![handle])
                .map(|n| n > 0)
        })
        .await
    }

    pub async fn user(&self, handle: String) -> Result<Option<UserRow>, StoreError> {
        self.read(move |r| user(r.connection(), &handle))
            .await?
            .map_err(StoreError::from)
    }

    /// Every user, by handle.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        self.read(|r| users(r.connection()))
            .await?
            .map_err(StoreError::from)
    }

    /// Creates a webhook, or replaces the URL and body shape of the webhook with that name.
    pub async fn put_webhook(&self, hook: WebhookRow, now_ms: i64) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "INSERT INTO webhooks (name, url, slack_compatible, created_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET url = excluded.url,
                     slack_compatible = excluded.slack_compatible",
                params![hook.name, hook.url, hook.slack_compatible, now_ms],
            )
            .map(|_| ())
        })
        .await
    }

    /// Deletes a webhook; `false` when there was none.
    pub async fn delete_webhook(&self, name: String) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            tx.execute("DELETE FROM webhooks WHERE name = ?1", params![name])
                .map(|n| n > 0)
        })
        .await
    }

    pub async fn webhook(&self, name: String) -> Result<Option<WebhookRow>, StoreError> {
        self.read(move |r| webhook(r.connection(), &name))
            .await?
            .map_err(StoreError::from)
    }

    /// Every webhook, by name.
    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>, StoreError> {
        self.read(|r| webhooks(r.connection()))
            .await?
            .map_err(StoreError::from)
    }
}
