//! Users as operators manage them outside the UI: the first admin, made at start when there is none,
//! and the `dogwatch users …` commands (add a user, reset a password), which work on the data
//! directory directly.

use std::path::Path;

use dogwatch_core::wire::Role;

use crate::auth;
use crate::handlers::now_ms;
use crate::store::Store;

/// The handle of the admin made at first start.
pub const FIRST_ADMIN: &str = "admin";

/// Makes the `admin` user when no admin exists: with `password` when given, else a random one that
/// is printed once on stderr and never stored in clear.
pub async fn ensure_admin(store: &Store, password: Option<&str>) -> Result<(), String> {
    if store.has_admin().await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let (password, generated) = match password {
        Some(p) => {
            auth::check_new_password(p).map_err(|e| format!("--admin-password: {e}"))?;
            (p.to_owned(), false)
        }
        None => (auth::random_hex(12)?, true),
    };
    let hash = hash(password.clone()).await?;
    store
        .put_user(
            FIRST_ADMIN.to_owned(),
            "Administrator".to_owned(),
            "admin@localhost".to_owned(),
            Some(Role::Admin),
            now_ms(),
        )
        .await
        .map_err(|e| e.to_string())?;
    store
        .set_password(FIRST_ADMIN.to_owned(), hash, None)
        .await
        .map_err(|e| e.to_string())?;
    if generated {
        // Shown this once; afterwards only its hash exists.
        eprintln!(
            "Created the first admin. Sign in as `{FIRST_ADMIN}` with password {password} (shown only now; change it with `dogwatch users reset-password --handle {FIRST_ADMIN}`)."
        );
    }
    tracing::info!(handle = FIRST_ADMIN, "created the first admin user");
    Ok(())
}

/// A password's hash, computed off the async threads.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| e.to_string())?
}

/// `dogwatch users add`: creates (or updates) a user with a password.
pub async fn add_user(
    data: &Path,
    handle: &str,
    name: Option<&str>,
    email: &str,
    role: &str,
    password: &str,
) -> Result<String, String> {
    let role = crate::store::role_from(role)?;
    crate::handlers::contacts::check_handle(handle)?;
    crate::handlers::contacts::check_email(email)?;
    auth::check_new_password(password)?;
    let store = open(data)?;
    let hash = hash(password.to_owned()).await?;
    store
        .put_user(
            handle.to_owned(),
            name.unwrap_or(handle).to_owned(),
            email.to_owned(),
            Some(role),
            now_ms(),
        )
        .await
        .map_err(|e| e.to_string())?;
    store
        .set_password(handle.to_owned(), hash, None)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(format!("user @{handle} ({}) can sign in", role.code()))
}

/// `dogwatch users reset-password`: sets a new password and ends the user's sessions.
pub async fn reset_password(data: &Path, handle: &str, password: &str) -> Result<String, String> {
    auth::check_new_password(password)?;
    let store = open(data)?;
    let hash = hash(password.to_owned()).await?;
    let found = store
        .set_password(handle.to_owned(), hash, None)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    if found {
        Ok(format!(
            "new password set for @{handle}; their sessions ended"
        ))
    } else {
        Err(format!("no user @{handle}"))
    }
}

fn open(data: &Path) -> Result<Store, String> {
    let path = data.join("dogwatch.sqlite3");
    if !path.is_file() {
        return Err(format!(
            "{} does not exist: is --data the directory `dogwatch serve` uses?",
            path.display()
        ));
    }
    Store::open(&path).map_err(|e| e.to_string())
}
