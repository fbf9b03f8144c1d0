//! The whole route table: the API under `/api` (intake needs the API key; reads check an application
//! key only when one is presented; writes must be same-site JSON), and the UI for everything else,
//! all behind the edge's middleware (`edge.rs`).

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

use crate::error::AppError;
use crate::handlers::{
    contacts, dash, dashboards, events, intake, markdown, metrics, monitor_search, monitors,
    notifications, query, settings, validate,
};
use crate::{AppState, edge, ui};

pub fn router(state: AppState) -> Router {
    let intake = Router::new()
        .route("/v1/series", post(intake::submit_v1))
        .route("/v2/series", post(intake::submit_v2))
        .route("/v1/validate", get(validate::validate))
        // The key is checked first (the last layer added runs first), then the write rules.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            edge::api_writes,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    let read = Router::new()
        .route("/v1/query", get(query::timeseries))
        .route("/v1/metrics", get(metrics::list))
        .route("/v2/metrics/{name}/all-tags", get(metrics::all_tags))
        .route(
            "/v1/dashboard",
            get(dashboards::list).post(dashboards::create),
        )
        .route(
            "/v1/dashboard/{id}",
            get(dashboards::get_one)
                .put(dashboards::update)
                .delete(dashboards::delete),
        )
        .route("/v1/dash", get(dash::list).post(dash::create))
        .route(
            "/v1/dash/{id}",
            get(dash::get_one).put(dash::update).delete(dash::delete),
        )
        .route("/v1/monitor", get(monitors::list).post(monitors::create))
        .route("/v1/monitor/validate", post(monitors::validate))
        .route("/v1/monitor/search", get(monitor_search::search))
        .route(
            "/v1/monitor/{id}",
            get(monitors::get_one)
                .put(monitors::update)
                .delete(monitors::delete),
        )
        .route("/v1/monitor/{id}/mute", post(monitors::mute))
        .route("/v1/monitor/{id}/unmute", post(monitors::unmute))
        .route("/v1/events", get(events::events))
        .route("/v1/dogwatch/monitor/{id}/history", get(events::history))
        .route(
            "/v1/dogwatch/users",
            get(contacts::users).post(contacts::put_user),
        )
        .route(
            "/v1/dogwatch/users/{handle}",
            axum::routing::delete(contacts::delete_user),
        )
        .route(
            "/v1/dogwatch/webhooks",
            get(contacts::webhooks).post(contacts::put_webhook),
        )
        .route(
            "/v1/dogwatch/webhooks/{name}",
            axum::routing::delete(contacts::delete_webhook),
        )
        .route("/v1/dogwatch/notifications", get(notifications::list))
        .route("/v1/dogwatch/inbox/{handle}", get(notifications::inbox))
        .route("/v1/dogwatch/settings", get(settings::get))
        .route("/v1/dogwatch/markdown", post(markdown::render))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            edge::api_writes,
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), check_app_key));
    let api = intake.merge(read).fallback(api_not_found);

    // Layers wrap what is above them: the last one added sees a request first.
    Router::new()
        .nest("/api", api)
        .fallback_service(ui::service(state.ui_dir.clone()))
        .layer(middleware::from_fn(ui::cache_headers))
        .layer(middleware::from_fn_with_state(state.clone(), edge::timeout))
        .layer(middleware::from_fn(edge::limit_head))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::check_host,
        ))
        .layer(middleware::from_fn(edge::json_errors))
        .layer(middleware::from_fn(edge::security_headers))
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn require_api_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.keys.api_key_ok(req.headers(), req.uri().query()) {
        next.run(req).await
    } else {
        AppError::Forbidden.into_response()
    }
}

async fn check_app_key(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state
        .keys
        .app_key_ok_if_present(req.headers(), req.uri().query())
    {
        next.run(req).await
    } else {
        AppError::Forbidden.into_response()
    }
}

async fn api_not_found(req: Request) -> AppError {
    AppError::NotFound(format!(
        "no API endpoint {} {}",
        req.method(),
        req.uri().path()
    ))
}
