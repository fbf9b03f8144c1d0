//! Serves the built UI (Trunk's `dist/`): files as they are, index.html for every other path so the
//! client-side router can take it, long caching for content-hashed assets and none for index.html.

use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

pub fn service(ui_dir: Option<PathBuf>) -> Router {
    match ui_dir {
        Some(dir) => Router::new()
            .fallback_service(ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => Router::new().fallback(get(not_built)),
    }
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The dogwatch UI is not built. Run `cargo xtask run` (or pass --ui-dir pointing at Trunk's dist/). The API under /api works.\n",
    )
        .into_response()
}

/// Trunk names assets `<name>-<16 hex digits>[_bg].<ext>`: those never change and may be cached for a
/// year; anything else (index.html, the SPA fallback) must be revalidated.
pub async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if path.starts_with("/api/") || !res.status().is_success() {
        return res;
    }
    let value = if is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn trunk_asset_names_are_recognised_as_hashed() {
        assert!(super::is_hashed_asset(
            "/dogwatch-ui-1a2b3c4d5e6f7a8b_bg.wasm"
        ));
        assert!(super::is_hashed_asset("/dogwatch-ui-1a2b3c4d5e6f7a8b.js"));
        assert!(super::is_hashed_asset("/main-00112233445566ff.css"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/metric/explorer"));
    }
}
