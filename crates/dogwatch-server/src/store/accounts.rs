//! What signing in needs: users' password hashes, sessions, and API and application keys. Secrets
//! are kept only as hashes (a password's Argon2id PHC string, a session's or key's SHA-256), so a
//! copy of the database lets no one in. Writes run on the writer thread; reads on the read pool.

use dogwatch_core::wire::{KeyKind, Role};
use rusqlite::{OptionalExtension, params};

use super::users::{USER_COLUMNS, user_row};
use super::{Store, StoreError, UserRow};

/// A user and their password hash, to check a login against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: UserRow,
    pub password_hash: Option<String>,
}

/// A session and whom it signs in.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub created_ms: i64,
    pub last_seen_ms: i64,
}

/// A key as stored: everything but the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub id: String,
    pub kind: KeyKind,
    pub name: String,
    pub key_hash: String,
    pub last4: String,
    pub created_by: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub last_used_ms: Option<i64>,
}

const KEY_COLUMNS: &str =
    "id, kind, name, key_hash, last4, created_by, created_ms, modified_ms, last_used_ms";

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
    let kind: String = r.get(1)?;
    Ok(KeyRow {
        id: r.get(0)?,
        // The column's CHECK allows only these two.
        kind: if kind == KeyKind::Api.code() {
            KeyKind::Api
        } else {
            KeyKind::Application
        },
        name: r.get(2)?,
        key_hash: r.get(3)?,
        last4: r.get(4)?,
        created_by: r.get(5)?,
        created_ms: r.get(6)?,
        modified_ms: r.get(7)?,
        last_used_ms: r.get(8)?,
    })
}

impl Store {
    /// A user with their password hash, to check a login.
    pub async fn credentials(&self, handle: String) -> Result<Option<Credentials>, StoreError> {
        self.read(move |r| {
            r.connection()
                .query_row(
                    &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE handle = ?1"),
                    params![handle],
                    |row| {
                        Ok(Credentials {
                            user: user_row(row)?,
                            password_hash: row.get(5)?,
                        })
                    },
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Whether some user is an admin.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        self.read(|r| {
            r.connection().query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')",
                [],
                |row| row.get(0),
            )
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Sets a user's password hash and ends their sessions, but `keep` (the session that changed
    /// it). `false` when there is no such user.
    pub async fn set_password(
        &self,
        handle: String,
        password_hash: String,
        keep: Option<String>,
    ) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            let changed = tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE handle = ?1",
                params![handle, password_hash],
            )?;
            tx.execute(
                "DELETE FROM sessions WHERE handle = ?1 AND token_hash IS NOT ?2",
                params![handle, keep],
            )?;
            Ok(changed > 0)
        })
        .await
    }

    pub async fn create_session(
        &self,
        token_hash: String,
        handle: String,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, handle, created_ms, last_seen_ms)
                 VALUES (?1, ?2, ?3, ?3)",
                params![token_hash, handle, now_ms],
            )
            .map(|_| ())
        })
        .await
    }

    /// The session with this token hash and its user (a session whose user is gone is none).
    pub async fn session(&self, token_hash: String) -> Result<Option<SessionRow>, StoreError> {
        self.read(move |r| {
            let columns = USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            r.connection()
                .query_row(
                    &format!(
                        "SELECT {columns}, s.created_ms, s.last_seen_ms
                         FROM sessions s JOIN users u ON u.handle = s.handle
                         WHERE s.token_hash = ?1"
                    ),
                    params![token_hash],
                    |row| {
                        Ok(SessionRow {
                            user: user_row(row)?,
                            created_ms: row.get(5)?,
                            last_seen_ms: row.get(6)?,
                        })
                    },
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Records that a session was used now (it stays alive while it is used).
    pub async fn touch_session(&self, token_hash: String, now_ms: i64) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_ms = ?2 WHERE token_hash = ?1",
                params![token_hash, now_ms],
            )
            .map(|_| ())
        })
        .await
    }

    pub async fn delete_session(&self, token_hash: String) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                params![token_hash],
            )
            .map(|_| ())
        })
        .await
    }

    /// Deletes the sessions idle since `idle_before_ms` or made before `created_before_ms`.
    pub async fn delete_expired_sessions(
        &self,
        idle_before_ms: i64,
        created_before_ms: i64,
    ) -> Result<usize, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE last_seen_ms < ?1 OR created_ms < ?2",
                params![idle_before_ms, created_before_ms],
            )
        })
        .await
    }

    pub async fn create_key(&self, key: KeyRow) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    key.id,
                    key.kind.code(),
                    key.name,
                    key.key_hash,
                    key.last4,
                    key.created_by,
                    key.created_ms,
                    key.modified_ms,
                    key.last_used_ms
                ],
            )
            .map(|_| ())
        })
        .await
    }

    /// Keys of a kind, oldest first; only those `created_by` someone when given.
    pub async fn keys(
        &self,
        kind: KeyKind,
        created_by: Option<String>,
    ) -> Result<Vec<KeyRow>, StoreError> {
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM keys WHERE kind = ?1 AND (?2 IS NULL OR created_by = ?2)
                 ORDER BY created_ms, id"
            ))?;
            st.query_map(params![kind.code(), created_by], key_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?
        .map_err(StoreError::from)
    }

    pub async fn key(&self, kind: KeyKind, id: String) -> Result<Option<KeyRow>, StoreError> {
        self.read(move |r| {
            r.connection()
                .query_row(
                    &format!("SELECT {KEY_COLUMNS} FROM keys WHERE kind = ?1 AND id = ?2"),
                    params![kind.code(), id],
                    key_row,
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// The key whose SHA-256 is `key_hash`.
    pub async fn key_by_hash(&self, key_hash: String) -> Result<Option<KeyRow>, StoreError> {
        self.read(move |r| {
            r.connection()
                .query_row(
                    &format!("SELECT {KEY_COLUMNS} FROM keys WHERE key_hash = ?1"),
                    params![key_hash],
                    key_row,
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Renames a key; the key as it now is, or none.
    pub async fn rename_key(
        &self,
        kind: KeyKind,
        id: String,
        name: String,
        now_ms: i64,
    ) -> Result<Option<KeyRow>, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE keys SET name = ?3, modified_ms = ?4 WHERE kind = ?1 AND id = ?2",
                params![kind.code(), id, name, now_ms],
            )?;
            tx.query_row(
                &format!("SELECT {KEY_COLUMNS} FROM keys WHERE kind = ?1 AND id = ?2"),
                params![kind.code(), id],
                key_row,
            )
            .optional()
        })
        .await
    }

    /// Revokes a key; `false` when there was none.
    pub async fn delete_key(&self, kind: KeyKind, id: String) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM keys WHERE kind = ?1 AND id = ?2",
                params![kind.code(), id],
            )
            .map(|n| n > 0)
        })
        .await
    }

    pub async fn touch_key(&self, id: String, now_ms: i64) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE keys SET last_used_ms = ?2 WHERE id = ?1",
                params![id, now_ms],
            )
            .map(|_| ())
        })
        .await
    }
}

/// Whether a role may be given by the CLI's and the API's `role` words.
pub fn role_from(code: &str) -> Result<Role, String> {
    Role::from_code(code)
        .ok_or_else(|| format!("role must be admin, standard or read_only, got `{code}`"))
}
