"""The real `datadog` package's api.Timeboard (legacy /api/v1/dash) against a running dogwatch, called
exactly as the seed script does."""

import datadog
from datadog import api
from conftest import API_KEY, APP_KEY

GRAPHS = [
    {
        "title": "My metric and MySQL CPU",
        "definition": {
            "events": [],
            "requests": [
                {"q": "avg:my_metric{host:ubuntu}"},
                {"q": "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)"},
                {"q": "avg:my_metric{host:ubuntu}.rollup(sum, 3600)"},
            ],
            "viz": "timeseries",
        },
    }
]
TEMPLATE_VARIABLES = [{"name": "host1", "prefix": "host", "default": "host:ubuntu"}]


def connect(server, app_key=APP_KEY, raw=True):
    datadog.initialize(api_key=API_KEY, app_key=app_key, api_host=server.base, return_raw_response=raw)


def test_the_seed_timeboard_round_trips(server):
    connect(server)
    body, raw = api.Timeboard.create(
        title="Seed timeboard",
        description="my_metric and MySQL",
        graphs=GRAPHS,
        template_variables=TEMPLATE_VARIABLES,
        read_only=True,
    )
    assert raw.status_code == 200, body
    dash = body["dash"]
    dash_id = dash["id"]
    assert isinstance(dash_id, int)
    assert body["resource"] == f"/api/v1/dash/{dash_id}"
    assert body["url"] == f"/dash/dash/{dash_id}"
    assert dash["title"] == "Seed timeboard"
    assert dash["description"] == "my_metric and MySQL"
    assert dash["graphs"] == GRAPHS
    assert dash["template_variables"] == TEMPLATE_VARIABLES
    assert dash["read_only"] is True

    got, raw = api.Timeboard.get(dash_id)
    assert raw.status_code == 200
    assert got == body

    listed, raw = api.Timeboard.get_all()
    assert raw.status_code == 200
    assert listed["dashes"] == [
        {
            "id": str(dash_id),
            "resource": f"/api/v1/dash/{dash_id}",
            "title": "Seed timeboard",
            "description": "my_metric and MySQL",
            "created": dash["created"],
            "modified": dash["modified"],
            "read_only": True,
        }
    ]

    # The board is a new-style dashboard too, with one timeseries widget for the graph.
    boards, raw = api.Dashboard.get_all()
    assert raw.status_code == 200
    assert [b["title"] for b in boards["dashboards"]] == ["Seed timeboard"]
    board, raw = api.Dashboard.get(boards["dashboards"][0]["id"])
    assert raw.status_code == 200
    assert [r["q"] for r in board["widgets"][0]["definition"]["requests"]] == [
        r["q"] for r in GRAPHS[0]["definition"]["requests"]
    ]

    updated, raw = api.Timeboard.update(
        dash_id,
        title="Seed timeboard v2",
        description="renamed",
        graphs=GRAPHS,
        template_variables=TEMPLATE_VARIABLES,
        read_only=False,
    )
    assert raw.status_code == 200, updated
    assert updated["dash"]["id"] == dash_id
    assert updated["dash"]["title"] == "Seed timeboard v2"
    assert updated["dash"]["read_only"] is False

    deleted, raw = api.Timeboard.delete(dash_id)
    assert raw.status_code == 200
    assert deleted is None
    listed, _ = api.Timeboard.get_all()
    assert listed == {"dashes": []}


def test_default_client_sees_none_on_delete_and_errors_on_unknown_ids(server):
    # Without return_raw_response, as the seed script runs.
    connect(server, raw=False)
    body = api.Timeboard.create(
        title="t", description="d", graphs=GRAPHS, template_variables=TEMPLATE_VARIABLES, read_only=True
    )
    dash_id = body["dash"]["id"]
    assert api.Timeboard.delete(dash_id) is None
    assert api.Timeboard.get(dash_id) == {"errors": ["No dashboard matches that dash_id."]}


def test_a_bad_query_is_refused_naming_where(server):
    connect(server, raw=False)
    graphs = [{"title": "x", "definition": {"requests": [{"q": "avg:my_metric{host:ubuntu"}]}}]
    body = api.Timeboard.create(title="t", description="d", graphs=graphs)
    assert list(body) == ["errors"]
    assert body["errors"][0].startswith("graphs[0].definition.requests[0].q: ")


def test_a_wrong_application_key_is_refused(server):
    connect(server, app_key="not-the-key", raw=False)
    assert api.Timeboard.get_all() == {"errors": ["Forbidden"]}
