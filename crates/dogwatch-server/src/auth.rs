//! Who a request acts as, and the secrets that say so: passwords (Argon2id), session tokens and
//! keys (random, stored as their SHA-256), the session cookie, and the limit on failed logins.
//! Which routes need what is in `access.rs`.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::HeaderMap;
use dogwatch_core::wire::{Me, Role};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "dogwatch_session";

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest, in bytes (hashing has to stay cheap to refuse).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Failed logins allowed per handle and per address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 10;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// How sessions expire and how the cookie is sent.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after its login, used or not.
    pub max_age: Duration,
    /// Add `Secure` to the cookie (served over https, or behind `--public-url https://…`).
    pub secure: bool,
    /// Visitors without a login may read, as `read_only` (`--anonymous-viewer`).
    pub anonymous_viewer: bool,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            idle: Duration::from_secs(7 * 24 * 3600),
            max_age: Duration::from_secs(30 * 24 * 3600),
            secure: false,
            anonymous_viewer: false,
        }
    }
}

/// Who a request acts as, and how it said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub handle: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub via: Via,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The session cookie; the SHA-256 of its token.
    Session(String),
    /// An application key made on the Keys page (acts as its maker).
    ApplicationKey,
    /// The application key of `keys.json` or `--app-key`: the operator's, an admin.
    OperatorKey,
    /// A visitor let in by `--anonymous-viewer`.
    Anonymous,
}

impl Principal {
    /// What the operator's key acts as.
    pub fn operator() -> Principal {
        Principal {
            handle: crate::handlers::dashboards::AUTHOR.to_owned(),
            name: "dogwatch".to_owned(),
            email: String::new(),
            role: Role::Admin,
            via: Via::OperatorKey,
        }
    }

    pub fn anonymous() -> Principal {
        Principal {
            handle: String::new(),
            name: "Anonymous viewer".to_owned(),
            email: String::new(),
            role: Role::ReadOnly,
            via: Via::Anonymous,
        }
    }

    pub fn me(&self) -> Me {
        Me {
            handle: self.handle.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            anonymous: self.via == Via::Anonymous,
        }
    }
}

/// Whether a password may be set; the message says what is wrong.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "password must be at most {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    Ok(())
}

/// A password's Argon2id hash (default parameters: 19 MiB, 2 passes), as a PHC string. Slow on
/// purpose: call it off the async threads.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for a password salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `hash`. Without a hash (no such user, or no password set) it checks
/// against a hash of nothing anyone knows, so that an unknown handle takes as long to refuse as a
/// wrong password.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy = DECOY.get_or_init(|| {
        random_token()
            .and_then(|t| hash_password(&t))
            .unwrap_or_default()
    });
    let matches = |phc: &str| {
        PasswordHash::new(phc).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    };
    match hash {
        Some(phc) => matches(phc),
        None => {
            matches(decoy);
            false
        }
    }
}

/// 32 random bytes as hex: a session token or a key.
pub fn random_token() -> Result<String, String> {
    random_hex(32)
}

/// `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| format!("the operating system gives no randomness: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The SHA-256 of a token or key, as hex: what the store keeps.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session token the request's cookie carries, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, config: &SessionConfig) -> String {
    cookie::Cookie::build((COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(config.secure)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(config.max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends one.
pub fn expired_cookie(config: &SessionConfig) -> String {
    cookie::Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(config.secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Failed logins, per handle and per address, over the last [`FAILURE_WINDOW`].
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when the handle or the address has failed too often lately.
    pub fn check(&self, handle: &str, addr: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        let mut wait = None;
        for key in keys(handle, addr) {
            if let Some(times) = failures.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|&t| now.duration_since(t) >= FAILURE_WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= MAX_FAILURES
                    && let Some(&oldest) = times.front()
                {
                    let left = FAILURE_WINDOW.saturating_sub(now.duration_since(oldest));
                    wait = wait.max(Some(left.as_secs().max(1)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    pub fn failed(&self, handle: &str, addr: Option<IpAddr>, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        // Forget quiet entries so that a stream of made-up handles cannot grow the map forever.
        if failures.len() > 10_000 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|&t| now.duration_since(t) < FAILURE_WINDOW)
            });
        }
        for key in keys(handle, addr) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }
}

fn keys(handle: &str, addr: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("handle:{}", handle.to_lowercase())];
    if let Some(addr) = addr {
        keys.push(format!("addr:{addr}"));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery").expect("hashes");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterz", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a phc string")));
        assert_ne!(
            hash,
            hash_password("correct horse battery").expect("hashes")
        );
    }

    #[test]
    fn the_eleventh_failure_within_a_minute_is_refused_per_handle_and_per_address() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        let here: IpAddr = [127, 0, 0, 1].into();
        let there: IpAddr = [10, 0, 0, 2].into();
        for i in 0..10 {
            assert_eq!(limiter.check("alice", Some(here), t0), Ok(()), "{i}");
            limiter.failed("alice", Some(here), t0);
        }
        assert!(
            limiter.check("alice", Some(there), t0).is_err(),
            "by handle"
        );
        assert!(limiter.check("bob", Some(here), t0).is_err(), "by address");
        assert_eq!(limiter.check("bob", Some(there), t0), Ok(()));
        let later = t0 + FAILURE_WINDOW;
        assert_eq!(limiter.check("alice", Some(here), later), Ok(()));
    }

    #[test]
    fn the_cookie_is_http_only_same_site_and_secure_when_asked() {
        let mut config = SessionConfig::default();
        let set = session_cookie("abc", &config);
        assert!(set.starts_with("dogwatch_session=abc"), "{set}");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        assert!(!set.contains("Secure"), "{set}");
        config.secure = true;
        assert!(session_cookie("abc", &config).contains("Secure"));
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "theme=dark; dogwatch_session=tok123"
                .parse()
                .expect("header"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("tok123"));
    }
}
