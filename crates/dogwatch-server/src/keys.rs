//! The API key (intake) and application key (query and management API): taken from the command line
//! or environment, else read from the data dir, else generated once, saved there and printed once.

use std::path::Path;

use axum::http::HeaderMap;

#[derive(Debug, Clone)]
pub struct Keys {
    pub api_key: String,
    pub app_key: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedKeys {
    api_key: String,
    app_key: String,
}

const FILE_NAME: &str = "keys.json";

pub fn load_or_create(
    dir: &Path,
    api_key: Option<String>,
    app_key: Option<String>,
) -> Result<Keys, String> {
    let path = dir.join(FILE_NAME);
    let saved: Option<SavedKeys> = match std::fs::read(&path) {
        Ok(bytes) => Some(
            serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not valid: {e}", path.display()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let (keys, generated) = match (api_key, app_key, saved) {
        (Some(api_key), Some(app_key), _) => (Keys { api_key, app_key }, false),
        (api, app, Some(s)) => (
            Keys {
                api_key: api.unwrap_or(s.api_key),
                app_key: app.unwrap_or(s.app_key),
            },
            false,
        ),
        (api, app, None) => (
            Keys {
                api_key: api.unwrap_or(random_hex(16)?),
                app_key: app.unwrap_or(random_hex(20)?),
            },
            true,
        ),
    };
    if generated {
        let body = serde_json::to_vec_pretty(&SavedKeys {
            api_key: keys.api_key.clone(),
            app_key: keys.app_key.clone(),
        })
        .map_err(|e| e.to_string())?;
        write_private(&path, &body).map_err(|e| format!("{}: {e}", path.display()))?;
        // Printed once, on generation; afterwards they are in the file.
        println!("Generated keys (saved in {}):", path.display());
        println!("  API key (DD-API-KEY):                 {}", keys.api_key);
        println!("  Application key (DD-APPLICATION-KEY): {}", keys.app_key);
    }
    Ok(keys)
}

fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(body)?;
    f.sync_all()
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness for key generation: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A key from its header or, for old clients, its query parameter.
pub(crate) fn presented<'a>(
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    header: &str,
    param: &str,
) -> Option<String> {
    if let Some(v) = headers.get(header).and_then(|v| v.to_str().ok()) {
        return Some(v.to_owned());
    }
    let query = query?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == param).then(|| v.to_owned())
    })
}

/// Keys compared without early exit, so response time does not leak how much of a key matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Keys {
    /// Whether `key` is the configured API key.
    pub fn is_api_key(&self, key: &str) -> bool {
        same(key, &self.api_key)
    }

    /// Whether `key` is the configured application key (the operator's; it acts as an admin).
    pub fn is_app_key(&self, key: &str) -> bool {
        same(key, &self.app_key)
    }

    /// Whether the request carries the configured API key.
    pub fn api_key_ok(&self, headers: &HeaderMap, query: Option<&str>) -> bool {
        presented(headers, query, "dd-api-key", "api_key").is_some_and(|k| self.is_api_key(&k))
    }
}
