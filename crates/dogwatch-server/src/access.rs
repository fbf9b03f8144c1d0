//! Who may call what. Every API route is added through [`Routes`] with the [`Access`] it needs, so
//! none can be added without one, and [`Routes::table`] lists them all for the test that walks it.
//!
//! A request acts as a [`Principal`]: the application key it presents (the operator's from
//! `keys.json`/`--app-key`, or one made on the Keys page, which acts as its maker), else its session
//! cookie, else — only with `--anonymous-viewer` — an anonymous read-only visitor. A missing or
//! wrong credential, or a role that may not do this, is Datadog's 403 `{"errors": ["Forbidden"]}`.
//! A change made with a session cookie must also say it comes from this site's own pages (`Origin`
//! or `Sec-Fetch-Site: same-origin`): the cookie is sent by the browser on its own, a key is not.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use dogwatch_core::wire::KeyKind;

use crate::AppState;
use crate::auth::{self, Principal, Via};
use crate::error::AppError;
use crate::handlers::now_ms;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (signing in).
    Public,
    /// An API key: metrics intake, as Datadog's.
    Intake,
    /// Anyone signed in, or an application key (and, with `--anonymous-viewer`, anyone).
    Read,
    /// `standard` or `admin`: creating and changing dashboards and monitors.
    Edit,
    /// `admin`: users, keys, settings.
    Admin,
    /// Anyone holding the link to a shared thing (a snapshot): the handler decides from [`Viewer`]
    /// whether the thing is public or the one asking may read it, and answers 403 otherwise.
    Link,
}

/// Who asks for a [`Access::Link`] route: a principal, or nobody signed in.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<Principal>);

/// One API route and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// As routed, with `{parameters}`, below `/api`.
    pub path: &'static str,
    pub access: Access,
}

/// The API's routes, each added with its access.
pub struct Routes {
    state: AppState,
    router: Router<AppState>,
    table: Vec<Endpoint>,
}

impl Routes {
    pub fn new(state: AppState) -> Routes {
        Routes {
            state,
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, handler)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, handler)
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, access, handler)
    }

    pub fn patch<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PATCH, path, access, handler)
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, access, handler)
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            Method::POST => MethodFilter::POST,
            Method::PUT => MethodFilter::PUT,
            Method::PATCH => MethodFilter::PATCH,
            Method::DELETE => MethodFilter::DELETE,
            _ => MethodFilter::GET,
        };
        let check = middleware::from_fn_with_state(
            self.state.clone(),
            move |state: State<AppState>, req: Request, next: Next| {
                authorize(access, state, req, next)
            },
        );
        // Writes must be same-site JSON (`edge::api_writes`); who calls is checked first (the
        // last layer added runs first), so a missing credential is always a 403.
        let same_site_json =
            middleware::from_fn_with_state(self.state.clone(), crate::edge::api_writes);
        // Routing the same path again adds this method to it (axum merges them).
        self.router = self.router.route(
            path,
            on(filter, handler)
                .route_layer(same_site_json)
                .route_layer(check),
        );
        self.table.push(Endpoint {
            method,
            path,
            access,
        });
        self
    }

    /// The router and the table of what it routes.
    pub fn finish(self) -> (Router<AppState>, Vec<Endpoint>) {
        (self.router, self.table)
    }
}

async fn authorize(
    access: Access,
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    match access {
        Access::Public => next.run(req).await,
        Access::Link => match principal(&state, req.headers(), req.uri().query()).await {
            Ok(viewer) => {
                req.extensions_mut().insert(Viewer(viewer));
                next.run(req).await
            }
            Err(e) => e.into_response(),
        },
        Access::Intake => {
            if api_key_ok(&state, req.headers(), req.uri().query()).await {
                next.run(req).await
            } else {
                AppError::Forbidden.into_response()
            }
        }
        Access::Read | Access::Edit | Access::Admin => {
            let principal = match principal(&state, req.headers(), req.uri().query()).await {
                Ok(Some(p)) => p,
                Ok(None) => return AppError::Forbidden.into_response(),
                Err(e) => return e.into_response(),
            };
            let allowed = match access {
                Access::Edit => principal.role.can_edit(),
                Access::Admin => principal.role.is_admin(),
                _ => true,
            };
            if !allowed {
                return AppError::Forbidden.into_response();
            }
            if matches!(principal.via, Via::Session(_))
                && !matches!(*req.method(), Method::GET | Method::HEAD)
                && !from_own_page(req.headers())
            {
                return AppError::Refused(
                    "a change made with a session cookie must come from dogwatch's own pages \
                     (send Origin), or use an application key"
                        .to_owned(),
                )
                .into_response();
            }
            req.extensions_mut().insert(principal);
            next.run(req).await
        }
    }
}

/// Whether the browser says the request comes from a page (the edge has already refused those
/// from other sites: `edge::api_writes`).
fn from_own_page(headers: &HeaderMap) -> bool {
    headers.contains_key(axum::http::header::ORIGIN)
        || headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|s| s.eq_ignore_ascii_case("same-origin"))
}

/// Whether the request carries an API key: the configured one or one made on the Keys page.
pub async fn api_key_ok(state: &AppState, headers: &HeaderMap, query: Option<&str>) -> bool {
    let Some(key) = crate::keys::presented(headers, query, "dd-api-key", "api_key") else {
        return false;
    };
    if state.keys.is_api_key(&key) {
        return true;
    }
    stored_key(state, KeyKind::Api, &key).await.is_some()
}

/// Who the request acts as; `Err` for an application key that is wrong (refused even when a
/// session cookie comes along, so scripts learn of the mistake).
pub async fn principal(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Option<Principal>, AppError> {
    if let Some(key) =
        crate::keys::presented(headers, query, "dd-application-key", "application_key")
    {
        if state.keys.is_app_key(&key) {
            return Ok(Some(Principal::operator()));
        }
        let Some(row) = stored_key(state, KeyKind::Application, &key).await else {
            return Err(AppError::Forbidden);
        };
        let user = state
            .store
            .user(row.created_by)
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::Forbidden)?;
        return Ok(Some(Principal {
            handle: user.handle,
            name: user.name,
            email: user.email,
            role: user.role,
            via: Via::ApplicationKey,
        }));
    }
    if let Some(token) = auth::session_token(headers)
        && let Some(p) = session_principal(state, &token).await?
    {
        return Ok(Some(p));
    }
    Ok(state.sessions.anonymous_viewer.then(Principal::anonymous))
}

/// The user of a live session. An expired one is deleted.
async fn session_principal(state: &AppState, token: &str) -> Result<Option<Principal>, AppError> {
    let hash = auth::secret_hash(token);
    let Some(session) = state
        .store
        .session(hash.clone())
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    let now = now_ms();
    let config = &state.sessions;
    let idle = now.saturating_sub(session.last_seen_ms) > millis(config.idle);
    let old = now.saturating_sub(session.created_ms) > millis(config.max_age);
    if idle || old {
        state
            .store
            .delete_session(hash)
            .await
            .map_err(AppError::internal)?;
        return Ok(None);
    }
    // Written at most once a minute per session, not on every request.
    if now - session.last_seen_ms > 60_000 {
        state
            .store
            .touch_session(hash.clone(), now)
            .await
            .map_err(AppError::internal)?;
    }
    let user = session.user;
    Ok(Some(Principal {
        handle: user.handle,
        name: user.name,
        email: user.email,
        role: user.role,
        via: Via::Session(hash),
    }))
}

/// A key made on the Keys page, noting that it was used (at most once a minute).
async fn stored_key(state: &AppState, kind: KeyKind, key: &str) -> Option<crate::store::KeyRow> {
    let row = state
        .store
        .key_by_hash(auth::secret_hash(key))
        .await
        .ok()
        .flatten()
        .filter(|r| r.kind == kind)?;
    let now = now_ms();
    if row.last_used_ms.is_none_or(|t| now - t > 60_000) {
        // Losing a last-used time is no reason to refuse the request.
        let _ = state.store.touch_key(row.id.clone(), now).await;
    }
    Some(row)
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The address the request came from, when the server knows it (not in `oneshot` tests).
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
