"""The APM acceptance with real parts: two Flask services under the real `ddtrace-run` (shop-web calls
price-api over HTTP and queries sqlite3; its /fail raises). After N requests, dogwatch's services view
lists both with N requests, the raising endpoint's error rate, and p50/p99 equal to the nearest-rank
values of the stored spans; a trace holds the span tree across both services; the trace metrics
answer the `datadog` client's metric query; ddtrace logs no error."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import API_KEY, APP_KEY, free_port
from datadog import api, initialize

APP = Path(__file__).parent / "apm_shop.py"
HEADERS = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY}
CHECKOUTS, FAILS = 7, 3
N = CHECKOUTS + FAILS


def wait_for(what, check, timeout=30):
    until = time.time() + timeout
    while time.time() < until:
        got = check()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout} s")


def listening(port):
    """Whether something accepts connections on the port (no request is made)."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def nearest_rank(values, pct):
    """The value at rank ceil(pct/100 × n), in whole numbers."""
    ordered = sorted(values)
    return ordered[max(1, -(-pct * len(ordered) // 100)) - 1]


@pytest.fixture
def shop(server, tmp_path):
    db = str(tmp_path / "shop.db")
    web_port, prices_port = free_port(), free_port()
    ddtrace_run = str(Path(sys.executable).parent / "ddtrace-run")
    log = open(tmp_path / "apps.log", "w+")
    procs = []
    for service, args in (("price-api", ["prices", str(prices_port)]), ("shop-web", ["web", str(web_port), str(prices_port)])):
        env = dict(
            os.environ,
            DD_TRACE_AGENT_URL=f"http://{server.apm}",
            DD_SERVICE=service,
            DD_ENV="test",
            DD_VERSION="1.0",
            DD_TRACE_STARTUP_LOGS="false",
            DD_INSTRUMENTATION_TELEMETRY_ENABLED="false",
        )
        procs.append(subprocess.Popen([ddtrace_run, sys.executable, str(APP), *args, db], env=env, stdout=log, stderr=log))
    try:
        wait_for("both apps listening", lambda: listening(web_port) and listening(prices_port))
        yield f"http://127.0.0.1:{web_port}", log
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)


def get(server, path, **params):
    r = requests.get(f"{server.base}{path}", headers=HEADERS, params=params, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_two_flask_services_under_ddtrace_run_in_the_apm_views(server, shop):
    base, log = shop
    trace_ids = [requests.get(f"{base}/checkout", timeout=10).text for _ in range(CHECKOUTS)]
    for _ in range(FAILS):
        assert requests.get(f"{base}/fail", timeout=10).status_code == 500
    now = int(time.time())
    window = {"from": now - 600, "to": now + 60}

    def services():
        rows = {s["service"]: s for s in get(server, "/api/v1/dogwatch/apm/services", **window)["services"]}
        web, prices = rows.get("shop-web"), rows.get("price-api")
        return web and prices and web["stats"]["hits"] == N and prices["stats"]["hits"] == N and rows

    try:
        rows = wait_for("both services with N requests", services)
    except AssertionError:
        log.seek(0)
        raise AssertionError(f"services: {get(server, '/api/v1/dogwatch/apm/services', **window)}\napps said:\n{log.read()}")
    web = rows["shop-web"]
    assert (web["name"], web["type"]) == ("flask.request", "web")
    assert web["stats"]["errors"] == FAILS
    assert web["error_rate"] == pytest.approx(FAILS / N)
    assert rows["price-api"]["stats"]["errors"] == 0

    # p50 and p99 are the nearest-rank values of the stored entry spans' durations.
    for service, row in (("shop-web", web), ("price-api", rows["price-api"])):
        found = get(server, "/api/v1/dogwatch/apm/traces", service=service, limit=1000, **window)["traces"]
        durations = [t["duration_ns"] for t in found if t["name"] == "flask.request"]
        assert len(durations) == N
        assert row["stats"]["p50_ns"] == nearest_rank(durations, 50)
        assert row["stats"]["p99_ns"] == nearest_rank(durations, 99)

    page = get(server, "/api/v1/dogwatch/apm/services/shop-web", **window)
    resources = {r["resource"]: r for r in page["resources"]}
    assert resources["GET /fail"]["error_rate"] == 1.0
    assert resources["GET /checkout"]["stats"]["hits"] == CHECKOUTS
    assert {c["type"] for c in page["calls"]} >= {"sql", "http"}, page["calls"]
    assert {t["service"] for t in page["downstream"]} >= {"shop-web", "price-api"}

    # One checkout's trace: the tree crosses both services, price-api's request under shop-web's call.
    trace = get(server, f"/api/v1/dogwatch/traces/{trace_ids[0]}")
    spans = {s["span_id"]: s for s in trace["spans"]}
    roots = [s for s in spans.values() if s["parent_id"] == "0"]
    assert [(r["service"], r["resource"]) for r in roots] == [("shop-web", "GET /checkout")]
    price = [s for s in spans.values() if s["service"] == "price-api" and s["name"] == "flask.request"]
    assert len(price) == 1, trace
    chain, at = [], price[0]
    while at["parent_id"] != "0":
        at = spans[at["parent_id"]]
        chain.append(at["service"])
    assert chain[-1] == "shop-web", chain
    assert any(s["type"] == "sql" for s in spans.values()), "the sqlite3 query"

    # The trace metrics, through the datadog client as any metric.
    initialize(api_key=API_KEY, app_key=APP_KEY, api_host=server.base)
    answer = api.Metric.query(start=now - 600, end=now + 60, query="sum:trace.flask.request.hits{*}.as_count()")
    total = sum(p[1] for s in answer["series"] for p in s["pointlist"] if p[1] is not None)
    assert total == 2 * N, answer
    errors = api.Metric.query(
        start=now - 600, end=now + 60, query="sum:trace.flask.request.errors{service:shop-web,resource_name:get_/fail}.as_count()"
    )
    assert sum(p[1] for s in errors["series"] for p in s["pointlist"] if p[1] is not None) == FAILS

    log.seek(0)
    output = log.read()
    assert "failed to send" not in output, output
    assert not [l for l in output.splitlines() if "ERROR" in l and "ddtrace" in l], output
