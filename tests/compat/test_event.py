"""The real `datadog` package's api.Event against a running dogwatch: an event with an @mention is
posted with the API key, read back by id, and its mention is queued for delivery."""

import requests
from datadog import api
from conftest import API_KEY, APP_KEY
from test_monitor import connect


def test_an_event_with_a_mention_is_posted_read_back_and_notifies(server):
    connect(server)
    body, raw = api.Event.create(
        title="Deploy 42", text="Rolled out to web-1 @ops@example.com", tags=["env:prod"], alert_type="success"
    )
    assert raw.status_code == 202, body
    assert body["status"] == "ok"
    event = body["event"]
    assert event["title"] == "Deploy 42" and event["tags"] == ["env:prod"]

    got, raw = api.Event.get(event["id"])
    assert raw.status_code == 200
    assert got["event"]["text"] == "Rolled out to web-1 @ops@example.com"

    reply, raw = api.Event.create(title="Re: Deploy 42", text="rolled back", related_event_id=event["id"])
    assert raw.status_code == 202, reply
    assert reply["event"]["related_event_id"] == event["id"]

    outbox = requests.get(
        f"{server.base}/api/v1/dogwatch/notifications",
        headers={"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY},
        timeout=10,
    ).json()["notifications"]
    mails = [n for n in outbox if n["channel"] == "email" and n["target"] == "ops@example.com"]
    assert len(mails) == 1 and mails[0]["subject"] == "Deploy 42"
