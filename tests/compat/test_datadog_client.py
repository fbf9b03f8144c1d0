"""The real `datadog` Python package (api.Metric and DogStatsd) pointed at a running dogwatch."""

import time

import datadog
from datadog import api
from conftest import API_KEY, APP_KEY


def connect(server, api_key=API_KEY):
    # return_raw_response gives (body, requests.Response) so the tests can see status codes.
    datadog.initialize(api_key=api_key, app_key=APP_KEY, api_host=server.base, return_raw_response=True)


def query(q, start, end):
    body, raw = api.Metric.query(start=start, end=end, query=q)
    assert raw.status_code == 200, body
    return body


def test_metric_send_is_accepted_and_queryable(server):
    connect(server)
    now = int(time.time())
    points = [(now - 120, 10.0), (now - 60, 20.0), (now - 30, 30.0)]
    body, raw = api.Metric.send(metric="my_metric", points=points, host="ubuntu", tags=["env:test"])
    assert raw.status_code == 202
    assert body == {"status": "ok"}

    res = query("avg:my_metric{host:ubuntu}", now - 300, now)
    assert res["status"] == "ok"
    assert len(res["series"]) == 1
    series = res["series"][0]
    assert series["metric"] == "my_metric"
    assert series["scope"] == "host:ubuntu"
    # A 5-minute window is bucketed by 1 s, so every point comes back as it was sent, in ms.
    assert series["pointlist"] == [[ts * 1000, v] for ts, v in points]


def test_metric_send_several_metrics_and_a_bare_value(server):
    connect(server)
    body, raw = api.Metric.send(
        metrics=[
            {"metric": "sample.stats", "points": 1231, "host": "batch"},
            {"metric": "processed.data", "points": 321, "host": "batch", "type": "count"},
        ]
    )
    assert raw.status_code == 202, body
    now = int(time.time())
    assert query("sum:sample.stats{host:batch}", now - 60, now + 1)["series"][0]["pointlist"][0][1] == 1231
    assert query("sum:processed.data{*}", now - 60, now + 1)["series"][0]["pointlist"][0][1] == 321


def test_wrong_api_key_is_refused(server):
    connect(server, api_key="not-the-key")
    # datadogpy turns a 4xx with an `errors` body into ApiError and, muted by default, returns that
    # body alone (no raw response), so the dict is what a script sees.
    body = api.Metric.send(metric="my_metric", points=1)
    assert body == {"errors": ["Forbidden"]}


def wait_for_series(q, want, timeout=10):
    deadline = time.time() + timeout
    while True:
        now = int(time.time())
        res = query(q, now - 120, now + 1)
        if res["series"] and want(res["series"]):
            return res["series"]
        if time.time() > deadline:
            raise AssertionError(f"{q} did not show up after the flush: {res}")
        time.sleep(0.3)


def test_dogstatsd_client_gauge_count_and_histogram(server):
    connect(server)
    # Buffered: everything goes out in one packet at flush(), so it lands in one aggregation bucket.
    statsd = datadog.DogStatsd(
        host="127.0.0.1", port=server.statsd_port, disable_telemetry=True, disable_buffering=False
    )
    statsd.gauge("my_metric", 42, tags=["env:test"])
    for _ in range(5):
        statsd.increment("page.views", tags=["env:test"])
    for v in (1, 2, 3, 4, 10):
        statsd.histogram("request.latency", v, tags=["env:test"])
    statsd.flush()

    series = wait_for_series("avg:my_metric{env:test}", lambda s: True)
    assert series[0]["pointlist"][-1][1] == 42
    # Counts are stored as a rate over the 1 s flush interval this server runs with.
    series = wait_for_series("sum:page.views{env:test}", lambda s: True)
    assert sum(v for _, v in series[0]["pointlist"]) == 5
    series = wait_for_series("max:request.latency.max{env:test}", lambda s: True)
    assert series[0]["pointlist"][-1][1] == 10
    series = wait_for_series("avg:request.latency.avg{env:test}", lambda s: True)
    assert series[0]["pointlist"][-1][1] == 4
