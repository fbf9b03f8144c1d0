"""The real `datadog` package's api.Monitor against a running dogwatch, called as the seed script does."""

import time

import datadog
from datadog import api
from conftest import API_KEY, APP_KEY

QUERY = "avg(last_5m):avg:my_metric{host:ubuntu} > 800"
MESSAGE = (
    "{{#is_alert}}my_metric is {{value}} on {{host.name}} ({{host.ip}}){{/is_alert}}"
    "{{#is_warning}}my_metric is getting high: {{value}}{{/is_warning}}"
    "{{#is_no_data}}no data from {{host.name}}{{/is_no_data}} @someone@example.com"
)
OPTIONS = {"thresholds": {"critical": 800, "warning": 500}, "notify_no_data": True, "no_data_timeframe": 10}


def connect(server, raw=True):
    datadog.initialize(api_key=API_KEY, app_key=APP_KEY, api_host=server.base, return_raw_response=raw)


def create_seed():
    return api.Monitor.create(
        type="metric alert",
        query=QUERY,
        name="my_metric is high",
        message=MESSAGE,
        tags=["app:seed"],
        options=OPTIONS,
    )


def test_the_seed_monitor_is_created_as_a_query_alert_in_no_data(server):
    connect(server)
    body, raw = create_seed()
    assert raw.status_code == 200, body
    assert isinstance(body["id"], int)
    assert body["type"] == "query alert"
    assert body["query"] == QUERY
    assert body["message"] == MESSAGE
    assert body["overall_state"] == "No Data"
    assert body["multi"] is False
    assert body["options"]["thresholds"] == {"critical": 800, "warning": 500}
    assert body["options"]["notify_no_data"] is True
    assert body["options"]["no_data_timeframe"] == 10
    assert body["options"]["silenced"] == {}

    got, raw = api.Monitor.get(body["id"], group_states=["all"])
    assert raw.status_code == 200
    assert got["id"] == body["id"]
    assert got["state"] == {"groups": {}}


def test_get_update_mute_unmute_get_all_and_delete(server):
    connect(server)
    created, _ = create_seed()
    monitor_id = created["id"]

    updated, raw = api.Monitor.update(monitor_id, name="renamed", options={"renotify_interval": 30})
    assert raw.status_code == 200, updated
    assert updated["name"] == "renamed"
    assert updated["options"]["renotify_interval"] == 30
    assert updated["options"]["thresholds"]["warning"] == 500

    end = int(time.time()) + 3600
    muted, raw = api.Monitor.mute(monitor_id, scope="host:ubuntu", end=end)
    assert raw.status_code == 200, muted
    assert muted["options"]["silenced"] == {"host:ubuntu": end}
    muted, _ = api.Monitor.mute(monitor_id)
    assert muted["options"]["silenced"] == {"host:ubuntu": end, "*": None}
    unmuted, raw = api.Monitor.unmute(monitor_id, all_scopes=True)
    assert raw.status_code == 200, unmuted
    assert unmuted["options"]["silenced"] == {}

    api.Monitor.create(type="metric alert", query="max(last_1h):avg:system.cpu.user{*} by {host} > 90")
    everything, raw = api.Monitor.get_all()
    assert raw.status_code == 200
    assert len(everything) == 2
    by_scope, _ = api.Monitor.get_all(tags=["host:ubuntu"])
    assert [m["id"] for m in by_scope] == [monitor_id]
    by_tag, _ = api.Monitor.get_all(monitor_tags=["app:seed"])
    assert [m["id"] for m in by_tag] == [monitor_id]
    by_name, _ = api.Monitor.get_all(name="renamed")
    assert [m["id"] for m in by_name] == [monitor_id]

    deleted, raw = api.Monitor.delete(monitor_id)
    assert raw.status_code == 200
    assert deleted == {"deleted_monitor_id": monitor_id}


def test_validation_errors_name_the_field(server):
    connect(server, raw=False)
    assert api.Monitor.validate(type="metric alert", query=QUERY, options=OPTIONS) == {}
    bad = api.Monitor.create(
        type="metric alert", query=QUERY, options={"thresholds": {"critical": 700, "warning": 500}}
    )
    assert bad == {"errors": ["options.thresholds.critical (700) must equal the query's threshold (800)"]}
    bad = api.Monitor.validate(type="metric alert", query="avg(last_5m):avg:my_metric{host:ubuntu} >")
    assert len(bad["errors"]) == 1
    assert bad["errors"][0].startswith("query: expected a threshold number at column 42")
    assert api.Monitor.get(12345) == {"errors": ["Monitor 12345 not found"]}


def test_search_by_text_status_tag_and_muted(server):
    connect(server, raw=False)
    seed = create_seed()
    other = api.Monitor.create(
        type="metric alert",
        query="max(last_1h):avg:system.cpu.user{*} by {host} > 90",
        name="CPU is high",
        tags=["env:prod"],
    )
    api.Monitor.mute(other["id"])

    found = api.Monitor.search(query='tag:"app:seed"')
    assert [m["id"] for m in found["monitors"]] == [seed["id"]]
    hit = found["monitors"][0]
    assert hit["name"] == "my_metric is high"
    assert hit["status"] == "No Data"
    assert hit["classification"] == "metric"
    assert hit["metrics"] == ["my_metric"]
    assert found["metadata"] == {"page": 0, "per_page": 30, "page_count": 1, "total_count": 1}

    assert [m["id"] for m in api.Monitor.search(query="cpu muted:true")["monitors"]] == [other["id"]]
    assert api.Monitor.search(query="status:alert")["monitors"] == []
    everything = api.Monitor.search(query='status:"no data"', page=0, per_page=1, sort="name,asc")
    assert [m["id"] for m in everything["monitors"]] == [other["id"]]
    assert everything["metadata"]["total_count"] == 2
    assert everything["metadata"]["page_count"] == 2
    assert everything["counts"]["status"] == [{"name": "No Data", "count": 2}]
    assert {"name": True, "count": 1} in everything["counts"]["muted"]
