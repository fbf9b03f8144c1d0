"""The real `datadog` package's api.Graph against a running dogwatch: `Graph.create` (a GET with
query parameters) draws the graph of `metric_query` and answers a `snapshot_url` whose GET, with no
credential, is a PNG of the size asked; `Graph.status` reads the id out of that URL and polls
`graph/snapshot_status/<id>`. An event that replies to the snapshot's thread notifies its
@mention."""

import struct
import time

import requests
from datadog import api
from conftest import API_KEY, APP_KEY
from test_monitor import connect


def png_size(data):
    # The PNG signature, then the IHDR chunk: width and height, big-endian.
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_graph_create_answers_a_png_of_the_size_asked_and_its_status(server):
    connect(server)
    now = int(time.time())
    body, raw = api.Metric.send(metric="my_metric", points=[(now - 60 * i, float(i % 7)) for i in range(30)])
    assert raw.status_code == 202, body

    body, raw = api.Graph.create(
        metric_query="avg:my_metric{*}", start=now - 3600, end=now, title="my_metric", width=640, height=320
    )
    assert raw.status_code == 200, body
    assert body["metric_query"] == "avg:my_metric{*}"
    url = body["snapshot_url"]
    assert url.startswith(server.base) and "/snapshot/view/" in url and url.endswith(".png"), url

    picture = requests.get(url, timeout=10)
    assert picture.status_code == 200
    assert picture.headers["Content-Type"] == "image/png"
    assert png_size(picture.content) == (640, 320)

    status, raw = api.Graph.status(url)
    assert raw.status_code == 200, status
    assert status == {"status_code": 200}

    # On an error datadogpy answers the body alone.
    body = api.Graph.create(metric_query="avg:my_metric{*}", start=now, end=now - 60)
    assert body["errors"][0].startswith("start (")


def test_a_reply_to_a_snapshot_with_a_mention_notifies_with_its_link(server):
    connect(server)
    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY}
    now = int(time.time())
    snapshot = requests.post(
        f"{server.base}/api/v1/dogwatch/snapshots",
        headers=headers,
        json={
            "title": "my_metric",
            "definition": {"type": "timeseries", "requests": [{"q": "avg:my_metric{*}"}]},
            "from_ms": (now - 300) * 1000,
            "to_ms": now * 1000,
        },
        timeout=10,
    ).json()
    reply, raw = api.Event.create(
        title="Re: my_metric", text="seen it @ops@example.com", related_event_id=snapshot["event_id"]
    )
    assert raw.status_code == 202, reply
    assert reply["event"]["snapshot_id"] == snapshot["id"]

    outbox = requests.get(f"{server.base}/api/v1/dogwatch/notifications", headers=headers, timeout=10).json()
    mails = [n for n in outbox["notifications"] if n["target"] == "ops@example.com"]
    assert len(mails) == 1
    assert mails[0]["body"] == f"seen it @ops@example.com\n\nSnapshot: {server.base}/snapshot/{snapshot['id']}"
