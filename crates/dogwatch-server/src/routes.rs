//! The whole route table: the API under `/api`, each route with the access it needs (`access.rs`:
//! intake needs an API key; reads a session or an application key; changes a role that may make
//! them; writes must also be same-site JSON), and the UI for everything else, all behind the edge's
//! middleware (`edge.rs`).

use axum::Router;
use axum::extract::Request;
use axum::middleware;
use tower_http::compression::CompressionLayer;

use crate::access::{Access::*, Endpoint, Routes};
use crate::error::AppError;
use crate::handlers::{
    apm, contacts, dash, dashboards, downtimes, events, intake, keys, markdown, metrics,
    monitor_search, monitors, notifications, query, session, settings, snapshots, traces, validate,
};
use crate::{AppState, edge, ui};

/// Every API route (below `/api`) and the access it needs.
pub fn api(state: AppState) -> Routes {
    Routes::new(state)
        // Intake, as Datadog's agents and clients send it.
        .post("/v1/series", Intake, intake::submit_v1)
        .post("/v2/series", Intake, intake::submit_v2)
        .get("/v1/validate", Intake, validate::validate)
        // Signing in.
        .post("/v1/dogwatch/login", Public, session::login)
        .post("/v1/dogwatch/logout", Public, session::logout)
        .get("/v1/dogwatch/me", Read, session::me)
        .post("/v1/dogwatch/me/password", Read, session::change_password)
        // Metrics and queries.
        .get("/v1/query", Read, query::timeseries)
        .get("/v1/metrics", Read, metrics::list)
        .get("/v2/metrics/{name}/all-tags", Read, metrics::all_tags)
        .post("/v1/dogwatch/markdown", Read, markdown::render)
        // Dashboards, and the legacy timeboards.
        .get("/v1/dashboard", Read, dashboards::list)
        .post("/v1/dashboard", Edit, dashboards::create)
        .get("/v1/dashboard/{id}", Read, dashboards::get_one)
        .put("/v1/dashboard/{id}", Edit, dashboards::update)
        .delete("/v1/dashboard/{id}", Edit, dashboards::delete)
        .get("/v1/dash", Read, dash::list)
        .post("/v1/dash", Edit, dash::create)
        .get("/v1/dash/{id}", Read, dash::get_one)
        .put("/v1/dash/{id}", Edit, dash::update)
        .delete("/v1/dash/{id}", Edit, dash::delete)
        // Monitors and what they did.
        .get("/v1/monitor", Read, monitors::list)
        .post("/v1/monitor", Edit, monitors::create)
        .post("/v1/monitor/validate", Read, monitors::validate)
        .get("/v1/monitor/search", Read, monitor_search::search)
        .get("/v1/monitor/{id}", Read, monitors::get_one)
        .put("/v1/monitor/{id}", Edit, monitors::update)
        .delete("/v1/monitor/{id}", Edit, monitors::delete)
        .post("/v1/monitor/{id}/mute", Edit, monitors::mute)
        .post("/v1/monitor/{id}/unmute", Edit, monitors::unmute)
        .get("/v1/events", Read, events::events)
        .post("/v1/events", Intake, events::post)
        .get("/v1/events/{id}", Read, events::get_one)
        .get("/v1/dogwatch/monitor/{id}/history", Read, events::history)
        // Snapshots: a graph frozen, shared and discussed.
        .post("/v1/dogwatch/snapshots", Read, snapshots::create)
        .get("/v1/dogwatch/snapshots/{id}", Link, snapshots::get_one)
        .delete("/v1/dogwatch/snapshots/{id}", Read, snapshots::delete)
        .post(
            "/v1/dogwatch/snapshots/{id}/comments",
            Read,
            snapshots::comment,
        )
        .get("/v1/dogwatch/snapshot/view/{file}", Link, snapshots::png)
        .get("/v1/graph/snapshot", Read, snapshots::graph_snapshot)
        .get("/v1/graph/snapshot_status/{id}", Read, snapshots::status)
        // Downtimes.
        .get("/v1/downtime", Read, downtimes::list_v1)
        .post("/v1/downtime", Edit, downtimes::create_v1)
        .post(
            "/v1/downtime/cancel/by_scope",
            Edit,
            downtimes::cancel_by_scope,
        )
        .get("/v1/downtime/{id}", Read, downtimes::get_v1)
        .put("/v1/downtime/{id}", Edit, downtimes::update_v1)
        .delete("/v1/downtime/{id}", Edit, downtimes::cancel)
        .get("/v2/downtime", Read, downtimes::list_v2)
        .post("/v2/downtime", Edit, downtimes::create_v2)
        .get("/v2/downtime/{id}", Read, downtimes::get_v2)
        .patch("/v2/downtime/{id}", Edit, downtimes::update_v2)
        .delete("/v2/downtime/{id}", Edit, downtimes::cancel)
        .post("/v1/dogwatch/downtime/preview", Read, downtimes::preview)
        // APM: traces the tracers sent to the trace agent's port (`apm.rs`).
        .get("/v1/dogwatch/traces/{id}", Read, traces::get_one)
        .get("/v1/dogwatch/apm/services", Read, apm::services)
        .get("/v1/dogwatch/apm/services/{service}", Read, apm::service)
        .get("/v1/dogwatch/apm/resource", Read, apm::resource)
        .get("/v1/dogwatch/apm/traces", Read, apm::search)
        // People and where notifications go: everyone may see whom to @mention.
        .get("/v1/dogwatch/users", Read, contacts::users)
        .post("/v1/dogwatch/users", Admin, contacts::put_user)
        .delete("/v1/dogwatch/users/{handle}", Admin, contacts::delete_user)
        .post(
            "/v1/dogwatch/users/{handle}/password",
            Admin,
            session::set_password,
        )
        .get("/v1/dogwatch/webhooks", Read, contacts::webhooks)
        .post("/v1/dogwatch/webhooks", Admin, contacts::put_webhook)
        .delete(
            "/v1/dogwatch/webhooks/{name}",
            Admin,
            contacts::delete_webhook,
        )
        .get("/v1/dogwatch/notifications", Admin, notifications::list)
        .get("/v1/dogwatch/inbox/{handle}", Read, notifications::inbox)
        .post(
            "/v1/dogwatch/inbox/{handle}/read",
            Read,
            notifications::mark_read,
        )
        .get("/v1/dogwatch/settings", Admin, settings::get)
        // Keys.
        .get("/v2/api_keys", Admin, keys::list_api_keys)
        .post("/v2/api_keys", Admin, keys::create_api_key)
        .get("/v2/api_keys/{id}", Admin, keys::get_api_key)
        .patch("/v2/api_keys/{id}", Admin, keys::rename_api_key)
        .delete("/v2/api_keys/{id}", Admin, keys::delete_api_key)
        .get("/v2/application_keys", Admin, keys::list_application_keys)
        .patch(
            "/v2/application_keys/{id}",
            Admin,
            keys::rename_application_key,
        )
        .delete(
            "/v2/application_keys/{id}",
            Admin,
            keys::delete_application_key,
        )
        .get(
            "/v2/current_user/application_keys",
            Read,
            keys::list_my_keys,
        )
        .post(
            "/v2/current_user/application_keys",
            Read,
            keys::create_my_key,
        )
        .delete(
            "/v2/current_user/application_keys/{id}",
            Read,
            keys::delete_my_key,
        )
}

/// The API's routes and what each needs, for the test that walks them.
pub fn table(state: AppState) -> Vec<Endpoint> {
    api(state).finish().1
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api(state.clone()).finish();
    let api = api.fallback(api_not_found);

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

async fn api_not_found(req: Request) -> AppError {
    AppError::NotFound(format!(
        "no API endpoint {} {}",
        req.method(),
        req.uri().path()
    ))
}
