"""The real `ddtrace` tracer (`ddtrace-run`) with a real Flask app, sending to dogwatch's trace agent
port as it would to the Datadog agent: the traces arrive (read back through the API) and the tracer
logs no error. And OpenTelemetry's Python SDK exporting over OTLP/HTTP: its spans arrive mapped as the
Datadog agent maps them."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from conftest import API_KEY, APP_KEY, free_port

APP = Path(__file__).parent / "traces_app.py"
HEADERS = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY}


def wait_for(what, check, timeout=20):
    until = time.time() + timeout
    while time.time() < until:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s")


def test_a_flask_app_under_ddtrace_run_sends_its_traces(server, tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        DD_TRACE_AGENT_URL=f"http://{server.apm}",
        DD_SERVICE="web-app",
        DD_ENV="test",
        DD_TRACE_STARTUP_LOGS="false",
        DD_INSTRUMENTATION_TELEMETRY_ENABLED="false",
    )
    log = open(tmp_path / "app.log", "w+")
    ddtrace_run = str(Path(sys.executable).parent / "ddtrace-run")
    app = subprocess.Popen([ddtrace_run, sys.executable, str(APP), str(port)], env=env, stdout=log, stderr=log)
    try:

        def hello():
            try:
                return requests.get(f"http://127.0.0.1:{port}/hello", timeout=2)
            except requests.ConnectionError:
                return None

        trace_id = wait_for("the app answering", hello).text
        boom = requests.get(f"http://127.0.0.1:{port}/boom", timeout=5)
        assert boom.status_code == 500

        def stored():
            r = requests.get(f"{server.base}/api/v1/dogwatch/traces/{trace_id}", headers=HEADERS, timeout=5)
            return r.status_code == 200 and r.json()

        try:
            trace = wait_for("the trace stored", stored)
        except AssertionError:
            log.seek(0)
            raise AssertionError(f"no trace {trace_id} at {server.apm}; the app said:\n{log.read()}")
        root = [s for s in trace["spans"] if s["parent_id"] == "0"]
        assert len(root) == 1, trace
        root = root[0]
        assert root["service"] == "web-app"
        assert root["name"] == "flask.request"
        assert root["resource"] == "GET /hello"
        assert root["type"] == "web"
        assert root["meta"]["http.status_code"] == "200"
        assert not root["error"]
        assert len(trace["spans"]) > 1, "flask's child spans"
        assert all(s["trace_id"] == trace_id for s in trace["spans"])
    finally:
        app.terminate()
        app.wait(timeout=20)
    log.seek(0)
    output = log.read()
    # The tracer said nothing was wrong with the agent it talked to (Flask's own log of /boom's
    # exception is the one error line).
    assert "failed to send" not in output, output
    assert not [l for l in output.splitlines() if "ERROR" in l and "ddtrace" in l], output


def test_opentelemetry_sdk_spans_arrive_through_otlp_http(server):
    # Imported here: the tracer-only test above does not need the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    provider = TracerProvider(resource=Resource.create({"service.name": "otel-app", "deployment.environment": "test"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://{server.otlp}/v1/traces")))
    tracer = provider.get_tracer("compat")
    with tracer.start_as_current_span(
        "GET /orders", kind=SpanKind.SERVER, attributes={"http.request.method": "GET", "http.route": "/orders"}
    ) as root:
        with tracer.start_as_current_span(
            "select", kind=SpanKind.CLIENT, attributes={"db.system": "sqlite", "db.statement": "SELECT 1"}
        ) as child:
            child.record_exception(RuntimeError("<script>alert(1)</script>"))
            child.set_status(Status(StatusCode.ERROR))
        trace_id = root.get_span_context().trace_id & ((1 << 64) - 1)
    provider.shutdown()

    r = requests.get(f"{server.base}/api/v1/dogwatch/traces/{trace_id}", headers=HEADERS, timeout=5)
    assert r.status_code == 200, r.text
    spans = {s["name"]: s for s in r.json()["spans"]}
    assert set(spans) == {"http.server.request", "sqlite.query"}, spans
    root, child = spans["http.server.request"], spans["sqlite.query"]
    assert (root["service"], root["resource"], root["type"], root["parent_id"]) == ("otel-app", "GET /orders", "web", "0")
    assert (child["resource"], child["type"], child["error"]) == ("SELECT 1", "sql", True)
    assert child["parent_id"] == root["span_id"]
    assert child["meta"]["error.type"] == "RuntimeError"
    assert child["meta"]["error.msg"] == "<script>alert(1)</script>"

    # The same spans in the APM views: otel-app is a service with its one request.
    now = int(time.time())
    r = requests.get(
        f"{server.base}/api/v1/dogwatch/apm/services", headers=HEADERS, params={"from": now - 600, "to": now + 60}, timeout=5
    )
    assert r.status_code == 200, r.text
    rows = {s["service"]: s for s in r.json()["services"]}
    assert rows["otel-app"]["stats"]["hits"] == 1, rows
    assert rows["otel-app"]["type"] == "web"
    r = requests.get(
        f"{server.base}/api/v1/dogwatch/apm/services/otel-app", headers=HEADERS, params={"from": now - 600, "to": now + 60}, timeout=5
    )
    assert r.status_code == 200, r.text
    assert [(c["type"], c["resource"], c["stats"]["errors"]) for c in r.json()["calls"]] == [("sql", "SELECT 1", 1)]
