//! The wire contract, end to end: every answer the UI reads, as this server writes it, decodes into
//! core's wire type the way the UI decodes it (serde_json, which is what gloo-net's
//! `Response::json` runs), and encodes back to the very same JSON — so the server sends no member
//! the type lacks and the type expects none the server leaves out. The request bodies the UI sends
//! are those types too, encoded by serde.

use axum::http::{Method, StatusCode};
use dogwatch_core::wire::{
    AllTags, DashAnswer, DashList, Dashboard, DashboardDeleted, DashboardList, Errors, EventList,
    Inbox, MarkdownHtml, MarkdownRequest, MetricsList, Monitor, MonitorDefinition, MonitorDeleted,
    MonitorHistory, MonitorOptions, MonitorSearch, MuteRequest, NotificationList, Open,
    QueryResponse, Role, Settings, Thresholds, User, UserDeleted, UserList, Webhook,
    WebhookDeleted, WebhookList,
};
use dogwatch_server::evaluator::run_cycle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::{ADMIN, Env, call, call_app, env, feed_gauge, get, now_secs};

/// `body` read as the UI reads it, and written back unchanged.
pub(crate) fn decodes<T: DeserializeOwned + Serialize>(what: &str, body: &Value) -> T {
    let text = body.to_string();
    let decoded: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what} does not decode: {e}\n{text}"));
    let again = serde_json::to_value(&decoded).expect("encodes");
    assert_eq!(
        &again, body,
        "{what}: the wire type does not write back what the server sent"
    );
    decoded
}

/// A request as the UI makes it: `body` is a wire type, the answer must be a 200 of type `T`.
async fn answer<T: DeserializeOwned + Serialize>(
    env: &Env,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> T {
    let (status, got) = call(env, method, uri, body).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {got}");
    decodes(uri, &got)
}

fn to_json(body: &impl Serialize) -> Option<Value> {
    Some(serde_json::to_value(body).expect("encodes"))
}

#[tokio::test]
async fn every_answer_the_ui_reads_decodes_into_its_wire_type_and_back() {
    let env = env();
    let now = now_secs();
    feed_gauge(&env, "cpu", "host:ubuntu", now - 3600, now, 900.0).await;

    // Metrics.
    let list: MetricsList = answer(
        &env,
        Method::GET,
        &format!("/api/v1/metrics?from={}", now - 60),
        None,
    )
    .await;
    assert_eq!(list.metrics, ["cpu"]);
    let tags: AllTags = answer(&env, Method::GET, "/api/v2/metrics/cpu/all-tags", None).await;
    assert_eq!(tags.data.attributes.tags, ["host:ubuntu"]);
    for query in ["avg:cpu{*} by {host}", "anomalies(avg:cpu{*}, 'basic', 2)"] {
        let uri = format!(
            "/api/v1/query?from={}&to={now}&query={}",
            now - 3600,
            query
                .replace(' ', "%20")
                .replace('{', "%7B")
                .replace('}', "%7D")
        );
        let q: QueryResponse = answer(&env, Method::GET, &uri, None).await;
        assert_eq!(q.series.len(), 1, "{query}");
    }

    // Contacts.
    let alice = User {
        handle: "alice".into(),
        name: "Alice".into(),
        email: "alice@example.com".into(),
        role: Some(Role::ReadOnly),
        has_password: false,
    };
    let saved: User = answer(
        &env,
        Method::POST,
        "/api/v1/dogwatch/users",
        to_json(&alice),
    )
    .await;
    assert_eq!(saved, alice);
    let bob = User {
        handle: "bob".into(),
        name: String::new(),
        email: "bob@example.com".into(),
        ..User::default()
    };
    let saved: User = answer(&env, Method::POST, "/api/v1/dogwatch/users", to_json(&bob)).await;
    assert_eq!(saved.name, "bob", "an empty name is the handle");
    assert_eq!(saved.role, Some(Role::Standard), "a new user is standard");
    let users: UserList = answer(&env, Method::GET, "/api/v1/dogwatch/users", None).await;
    let handles: Vec<&str> = users.users.iter().map(|u| u.handle.as_str()).collect();
    assert_eq!(handles, ["alice", "bob", ADMIN]);
    let gone: UserDeleted = answer(&env, Method::DELETE, "/api/v1/dogwatch/users/bob", None).await;
    assert_eq!(gone.deleted_user, "bob");
    let hook = Webhook {
        name: "ops".into(),
        url: "http://127.0.0.1:9/hook".into(),
        slack_compatible: true,
    };
    let saved: Webhook = answer(
        &env,
        Method::POST,
        "/api/v1/dogwatch/webhooks",
        to_json(&hook),
    )
    .await;
    assert_eq!(saved, hook);
    let hooks: WebhookList = answer(&env, Method::GET, "/api/v1/dogwatch/webhooks", None).await;
    assert_eq!(hooks.webhooks, [hook]);
    let gone: WebhookDeleted =
        answer(&env, Method::DELETE, "/api/v1/dogwatch/webhooks/ops", None).await;
    assert_eq!(gone.deleted_webhook, "ops");

    // A monitor as the form sends it, then everything the monitor pages read.
    let definition = MonitorDefinition {
        kind: "metric alert".into(),
        name: "cpu is high".into(),
        query: "avg(last_5m):avg:cpu{*} > 800".into(),
        message: "{{#is_alert}}cpu at {{value}}{{/is_alert}} @alice".into(),
        tags: vec!["team:ops".into()],
        priority: Some(2),
        options: MonitorOptions {
            thresholds: Thresholds::from_values(Some(800.0), Some(500.0), None, None),
            evaluation_delay: Some(0),
            ..MonitorOptions::default()
        },
    };
    let created: Monitor =
        answer(&env, Method::POST, "/api/v1/monitor", to_json(&definition)).await;
    assert_eq!(created.kind, "query alert");
    let id = created.id;
    let muted: Monitor = answer(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/mute"),
        to_json(&MuteRequest::default()),
    )
    .await;
    assert!(muted.is_muted());
    let unmute = MuteRequest {
        all_scopes: Some(true),
        ..MuteRequest::default()
    };
    let unmuted: Monitor = answer(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/unmute"),
        to_json(&unmute),
    )
    .await;
    assert!(!unmuted.is_muted());

    let r = run_cycle(&env.state.store, now * 1000)
        .await
        .expect("cycle");
    assert_eq!(r.transitions, 1, "{r:?}");

    let one: Monitor = answer(
        &env,
        Method::GET,
        &format!("/api/v1/monitor/{id}?group_states=all"),
        None,
    )
    .await;
    assert_eq!(one.overall_state, "Alert");
    assert_eq!(one.state.expect("group states").groups.len(), 1);
    let all: Vec<Monitor> = answer(&env, Method::GET, "/api/v1/monitor", None).await;
    assert_eq!(all.len(), 1);
    let (status, found) =
        call_app(&env, Method::GET, "/api/v1/monitor/search?query=cpu", None).await;
    assert_eq!(status, StatusCode::OK);
    let found: MonitorSearch = decodes("/api/v1/monitor/search", &found);
    assert_eq!(found.metadata.total_count, 1);
    let events: EventList = answer(
        &env,
        Method::GET,
        &format!(
            "/api/v1/events?start={}&end={}&monitor_id={id}",
            now - 60,
            now + 60
        ),
        None,
    )
    .await;
    assert_eq!(events.events.len(), 1);
    let history: MonitorHistory = answer(
        &env,
        Method::GET,
        &format!("/api/v1/dogwatch/monitor/{id}/history?limit=200"),
        None,
    )
    .await;
    assert_eq!((history.groups.len(), history.transitions.len()), (1, 1));
    assert_eq!(history.notifications.len(), 1, "@alice's inbox message");
    let outbox: NotificationList =
        answer(&env, Method::GET, "/api/v1/dogwatch/notifications", None).await;
    assert_eq!(outbox.notifications.len(), 1);

    // The inbox fills when delivery runs; empty or not, it is the same shape.
    let inbox: Inbox = answer(&env, Method::GET, "/api/v1/dogwatch/inbox/alice", None).await;
    assert_eq!(inbox.handle, "alice");
    let settings: Settings = answer(&env, Method::GET, "/api/v1/dogwatch/settings", None).await;
    assert!(!settings.smtp.configured);
    let note = MarkdownRequest {
        text: "**hi** <script>x</script>".into(),
    };
    let html: MarkdownHtml = answer(
        &env,
        Method::POST,
        "/api/v1/dogwatch/markdown",
        to_json(&note),
    )
    .await;
    assert!(html.html.contains("<strong>hi</strong>") && !html.html.contains("<script"));

    // Dashboards: a board with every widget kind the UI draws plus members dogwatch only keeps
    // (`notify_list`, an `event_stream` widget, a request's `increase_good`), created and replaced as
    // the UI sends it and read back as the UI reads it.
    let sent: Open<Dashboard> = serde_json::from_value(json!({
        "title": "T", "description": null, "layout_type": "free", "is_read_only": false,
        "notify_list": ["carol"],
        "template_variables": [{"name": "host", "prefix": "host", "default": "ubuntu"}],
        "widgets": [
            {"id": 1, "layout": {"x": 0, "y": 0, "width": 4, "height": 3}, "definition": {
                "type": "timeseries", "title": "cpu",
                "requests": [{"q": "avg:cpu{$host}", "display_type": "bars", "style": {"palette": "warm"}}],
                "yaxis": {"min": "0", "max": "auto", "scale": "log"},
                "markers": [{"value": "y = 800", "label": "alert", "display_type": "error dashed"}]}},
            {"id": 2, "layout": {"x": 4, "y": 0, "width": 2, "height": 2}, "definition": {
                "type": "query_value", "title": "qv", "precision": 1,
                "requests": [{"q": "avg:cpu{*}", "aggregator": "last",
                    "conditional_formats": [{"comparator": ">", "value": 800, "palette": "white_on_red"}]}]}},
            {"id": 3, "layout": {"x": 6, "y": 0, "width": 2, "height": 2}, "definition": {
                "type": "change", "requests": [{"q": "avg:cpu{*}", "compare_to": "day_before",
                    "change_type": "relative", "increase_good": true}]}},
            {"id": 4, "layout": {"x": 8, "y": 0, "width": 2, "height": 2},
                "definition": {"type": "note", "content": "# hi"}},
            {"id": 5, "layout": {"x": 10, "y": 0, "width": 2, "height": 2},
                "definition": {"type": "event_stream", "query": "tags:deploy"}}
        ]
    }))
    .expect("a board");
    let made: Open<Dashboard> =
        answer(&env, Method::POST, "/api/v1/dashboard", to_json(&sent)).await;
    let board_id = made.known.id.clone().expect("an id");
    assert_eq!(made.known.widgets, sent.known.widgets);
    assert_eq!(made.extra, sent.extra);
    let mut edited = made.clone();
    edited.known.title = "T2".into();
    edited.known.widgets.truncate(2);
    let uri = format!("/api/v1/dashboard/{board_id}");
    let put: Open<Dashboard> = answer(&env, Method::PUT, &uri, to_json(&edited)).await;
    let read: Open<Dashboard> = answer(&env, Method::GET, &uri, None).await;
    assert_eq!(read, put);
    assert_eq!(read.known.title, "T2");
    assert_eq!(read.known.widgets, edited.known.widgets);
    let boards: DashboardList = answer(&env, Method::GET, "/api/v1/dashboard", None).await;
    assert_eq!(boards.dashboards.len(), 1);
    let gone: DashboardDeleted = answer(&env, Method::DELETE, &uri, None).await;
    assert_eq!(gone.deleted_dashboard_id, board_id);

    // The legacy timeboard API, as datadogpy's `api.Timeboard` calls it.
    let dash = json!({"title": "Old", "description": "legacy", "read_only": "true",
        "graphs": [{"title": "g", "definition": {"events": [], "viz": "timeseries",
            "requests": [{"q": "avg:cpu{*}", "type": "area", "style": {"palette": "cool"}}]}}],
        "template_variables": [{"name": "host", "prefix": "host", "default": "host:ubuntu"}]});
    let made: DashAnswer = answer(&env, Method::POST, "/api/v1/dash", Some(dash)).await;
    assert!(made.dash.read_only);
    assert_eq!(
        made.dash.graphs[0].known.definition.extra["events"],
        json!([]),
        "members of a graph dogwatch does not read are echoed"
    );
    let uri = format!("/api/v1/dash/{}", made.dash.id);
    let read: DashAnswer = answer(&env, Method::GET, &uri, None).await;
    assert_eq!(read, made);
    let (status, dashes) = call_app(&env, Method::GET, "/api/v1/dash", None).await;
    assert_eq!(status, StatusCode::OK, "{dashes}");
    let dashes: DashList = decodes("/api/v1/dash", &dashes);
    assert_eq!(dashes.dashes.len(), 1, "only legacy dashes are listed");
    // …and the same board through the new API, as the board page opens it.
    let boards: DashboardList = answer(&env, Method::GET, "/api/v1/dashboard", None).await;
    let as_board: Open<Dashboard> = answer(
        &env,
        Method::GET,
        &format!("/api/v1/dashboard/{}", boards.dashboards[0].id),
        None,
    )
    .await;
    assert_eq!(as_board.known.widgets.len(), 1);

    // A refusal: Datadog's error body, whose first message the UI shows.
    let wrong = json!({"handle": "Not A Handle", "email": "x@example.com"});
    let (status, refused) = call(&env, Method::POST, "/api/v1/dogwatch/users", Some(wrong)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let refused: Errors = decodes("a 400", &refused);
    assert!(
        refused.errors[0].starts_with("handle must be"),
        "{refused:?}"
    );

    let gone: MonitorDeleted =
        answer(&env, Method::DELETE, &format!("/api/v1/monitor/{id}"), None).await;
    assert_eq!(gone.deleted_monitor_id, id);
    let (status, _) = get(&env, &format!("/api/v1/monitor/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
