"""The real `datadog` package's api.Downtime against a running dogwatch: the seeds' two downtimes
(weekday nights 19:00 → 09:00 and weekends, Europe/Paris), Datadog's validation answer, and
cancelling by id and by scope."""

import datetime
import zoneinfo

from datadog import api
from test_monitor import connect, create_seed

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args):
    return int(datetime.datetime(*args, tzinfo=PARIS).timestamp())


def test_the_seeds_downtimes(server):
    connect(server)
    monitor, _ = create_seed()
    nights, raw = api.Downtime.create(
        scope="env:prod",
        monitor_id=monitor["id"],
        start=paris(2026, 10, 19, 19, 0),
        end=paris(2026, 10, 20, 9, 0),
        timezone="Europe/Paris",
        message="Out of office hours @oncall",
        recurrence={"type": "weeks", "period": 1, "week_days": ["Mon", "Tue", "Wed", "Thu", "Fri"]},
    )
    assert raw.status_code == 200, nights
    assert isinstance(nights["id"], int)
    assert nights["scope"] == ["env:prod"]
    assert nights["recurrence"]["week_days"] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert nights["timezone"] == "Europe/Paris"
    assert nights["disabled"] is False

    weekends, raw = api.Downtime.create(
        scope=["env:prod"],
        monitor_id=monitor["id"],
        start=paris(2026, 10, 24, 0, 0),
        end=paris(2026, 10, 25, 0, 0),
        timezone="Europe/Paris",
        recurrence={"type": "weeks", "period": 1, "week_days": ["Sat", "Sun"]},
    )
    assert raw.status_code == 200, weekends

    got, raw = api.Downtime.get(nights["id"])
    assert raw.status_code == 200
    assert got["start"] == paris(2026, 10, 19, 19, 0)
    assert got["end"] == paris(2026, 10, 20, 9, 0)
    listed, _ = api.Downtime.get_all()
    assert sorted(d["id"] for d in listed) == sorted([nights["id"], weekends["id"]])

    updated, raw = api.Downtime.update(nights["id"], message="Nights @oncall @lead")
    assert raw.status_code == 200, updated
    assert updated["message"] == "Nights @oncall @lead"
    assert updated["recurrence"]["week_days"] == ["Mon", "Tue", "Wed", "Thu", "Fri"]

    _, raw = api.Downtime.delete(weekends["id"])
    assert raw.status_code == 204
    got, _ = api.Downtime.get(weekends["id"])
    assert got["disabled"] is True and got["status"] == "canceled"

    cancelled, raw = api.Downtime.cancel_downtime_by_scope(scope="env:prod")
    assert raw.status_code == 200, cancelled
    assert cancelled["cancelled_ids"] == [nights["id"]]


def test_lower_case_week_days_are_refused_with_datadogs_message(server):
    # datadogpy answers a 4xx with its `errors` body alone (no raw response).
    connect(server, raw=False)
    body = api.Downtime.create(
        scope="*",
        start=paris(2026, 10, 19, 19, 0),
        end=paris(2026, 10, 20, 9, 0),
        recurrence={"type": "weeks", "period": 1, "week_days": ["mon", "tue"]},
    )
    assert body == {"errors": [
        "Invalid set of days in week_days. Be sure that the first letter is capitalized."
    ]}
    body = api.Downtime.create(
        scope="*", start=paris(2026, 10, 19, 19, 0), end=paris(2026, 10, 20, 9, 0),
        recurrence={"type": "hours", "period": 1},
    )
    assert len(body["errors"]) == 1 and "'hours'" in body["errors"][0]
