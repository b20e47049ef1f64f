"""loginput over falcon's test client, against a real in-memory event store.

Elasticsearch behaviour pinned here cites its reference: "Bulk API"
(https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html) and
"Mapping limit settings"
(https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-settings-limit.html).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from falcon import testing
from freezegun import freeze_time

from lib import config
from lib.loginput import create_app
from lib.loginput.bodies import DEPTH_LIMIT, depth
from lib.loginput.server import SERVERS, settings
from lib.store import open_store
from lib.store.base import EventStore

ALERTS_DIR = Path(__file__).resolve().parents[3] / "alerts"
GUIDE_EVENT = {
    "tags": ["test"],
    "category": "helloworld",
    "details": {"sourceipaddress": "1.2.3.4"},
}
SSH_EVENT = {
    "category": "syslog",
    "hostname": "ip-10-77-20-248",
    "summary": "Failed password for invalid user admin from 1.2.3.4 port 4444 ssh2",
    "details": {"program": "sshd", "sourceipaddress": "1.2.3.4", "username": "admin"},
}


def stored(store: EventStore) -> list[dict[str, Any]]:
    """Every event in the store's events indices."""
    return [hit["_source"] for hit in store.scan("events-*", {}, ignore_unavailable=True)]


def nested(levels: int) -> dict[str, Any]:
    """An event whose objects nest `levels` deep (a flat object is 1)."""
    event: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        event = {"inner": event}
    return event


@pytest.fixture
def store_url() -> str:
    return f"memory://loginput-{uuid.uuid4().hex}"


@pytest.fixture
def store(store_url: str) -> EventStore:
    return open_store(store_url)


@pytest.fixture
def client(store_url: str) -> testing.TestClient:
    return testing.TestClient(create_app(store_url=store_url, token=""))


def post(client: testing.TestClient, path: str, body: Any, **headers: str) -> testing.Result:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.simulate_post(path, body=data, headers=headers)


# -- POST /events ----------------------------------------------------------------------


@freeze_time("2017-03-27 13:10:00", tz_offset=0)
def test_one_event_is_normalized_and_stored(client, store):
    response = post(client, "/events", GUIDE_EVENT)
    assert response.status_code == 200
    assert response.json["count"] == 1
    assert response.json["items"][0]["_index"] == "events-20170327"
    [event] = stored(store)
    assert event["category"] == "helloworld"
    assert event["utctimestamp"] == event["receivedtimestamp"] == "2017-03-27T13:10:00+00:00"
    assert event["mozdefhostname"] and event["summary"] == "" and event["tags"] == ["test"]


def test_timestamps_are_converted_to_utc(client, store):
    response = post(client, "/events", {"utctimestamp": "2017-03-27T06:08:09-07:00"})
    assert response.status_code == 200
    assert stored(store)[0]["utctimestamp"] == "2017-03-27T13:08:09+00:00"


@pytest.mark.parametrize(
    "body",
    [
        json.dumps([SSH_EVENT, GUIDE_EVENT, {"summary": "third"}]),
        "\n".join(json.dumps(e) for e in (SSH_EVENT, GUIDE_EVENT, {"summary": "third"})),
        "\n\n" + json.dumps(SSH_EVENT) + "\n\n" + json.dumps(GUIDE_EVENT) + "\r\n"
        '{"summary": "third"}\n',
    ],
    ids=["json array", "ndjson", "ndjson with blank lines and CRLF"],
)
def test_batches_are_stored_in_order(client, store, body):
    response = post(client, "/events", body)
    assert response.status_code == 200, response.text
    assert response.json["count"] == 3
    ids = [item["_id"] for item in response.json["items"]]
    by_id = {hit["_id"]: hit["_source"] for hit in store.scan("events-*", {})}
    assert [by_id[i]["summary"] for i in ids][2] == "third"
    assert len(by_id) == 3


def test_a_trailing_slash_is_the_same_endpoint(client, store):
    assert post(client, "/events/", GUIDE_EVENT).status_code == 200
    assert len(stored(store)) == 1


def test_content_type_does_not_matter(client, store):
    """curl --data sends application/x-www-form-urlencoded; the body is still JSON."""
    response = post(
        client, "/events", GUIDE_EVENT, **{"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert len(stored(store)) == 1


def test_depth_at_the_limit_is_accepted(client, store):
    """Elasticsearch's index.mapping.depth.limit is 20 ("Mapping limit settings")."""
    assert depth(nested(DEPTH_LIMIT)) == DEPTH_LIMIT == 20
    assert post(client, "/events", nested(DEPTH_LIMIT)).status_code == 200


@pytest.mark.parametrize("path", ["/events", "/_bulk"])
def test_a_line_nested_too_deep_is_refused_on_line_bodies(client, store, path):
    """NDJSON and bulk source lines get the same depth limit as a whole-body event."""
    good, deep = json.dumps(GUIDE_EVENT), json.dumps(nested(DEPTH_LIMIT + 1))
    lines = [good, deep] if path == "/events" else ['{"index": {}}', good, '{"index": {}}', deep]
    response = post(client, path, "\n".join(lines) + "\n")
    assert response.status_code == 400, response.text
    [item] = response.json["error"]["items"]
    assert (item["item"], item["type"]) == (1, "too_deep")
    assert stored(store) == []


def test_brackets_inside_strings_do_not_count_as_nesting(client, store):
    event = {"summary": "[" * 30 + "{" * 30, "details": {"cmd": "a[1]{2}" * 10}}
    body = "\n".join([json.dumps(GUIDE_EVENT), json.dumps(event)]) + "\n"
    assert post(client, "/events", body).status_code == 200
    assert event["summary"] in [e["summary"] for e in stored(store)]


BAD_EVENTS = [
    pytest.param(b"", "empty_body", None, id="empty body"),
    pytest.param(b" \n\t\n", "empty_body", None, id="whitespace body"),
    pytest.param(b'{"category": "x"', "invalid_json", None, id="malformed json"),
    pytest.param(b'{"a": 1} trailing', "invalid_json", None, id="json with trailing garbage"),
    pytest.param(b'"just a string"', "not_an_event", None, id="a json string"),
    pytest.param(b"42", "not_an_event", None, id="a json number"),
    pytest.param(b"null", "not_an_event", None, id="json null"),
    pytest.param(b"[]", "not_an_event", None, id="an empty array"),
    pytest.param(b'[{"a": 1}, 2, "x"]', "invalid_events", [1, 2], id="array with non-objects"),
    pytest.param(b'{"a": "\xff\xfe"}', "invalid_utf8", None, id="invalid utf-8"),
    pytest.param(
        json.dumps(nested(DEPTH_LIMIT + 1)).encode(), "invalid_events", [0], id="nested too deep"
    ),
    pytest.param(b"[" * 2000 + b"]" * 2000, "too_deep", None, id="nested past the json parser"),
    pytest.param(
        b'[{"a": 1}, {"utctimestamp": "yesterday-ish"}]',
        "invalid_events",
        [1],
        id="unparseable timestamp",
    ),
    pytest.param(
        b'{"a": 1}\n{"b": \n{"c": 3}\n', "invalid_events", [1], id="ndjson with a broken line"
    ),
    pytest.param(b'{"a": 1}\n[1]\n', "invalid_events", [1], id="ndjson with a non-object line"),
    pytest.param(
        b'[{"a": 1}, {"details": "not an object"}]', "invalid_events", [1], id="details not object"
    ),
]


@pytest.mark.parametrize("body, error_type, items", BAD_EVENTS)
def test_bad_input_is_400_naming_the_problem_and_stores_nothing(
    client, store, body, error_type, items
):
    response = post(client, "/events", body)
    assert response.status_code == 400, response.text
    error = response.json["error"]
    assert response.json["status"] == 400
    assert error["type"] == error_type
    assert error["reason"]
    if items is not None:
        assert [item["item"] for item in error["items"]] == items
        assert all(item["reason"] for item in error["items"])
    assert stored(store) == []
    assert post(client, "/events", GUIDE_EVENT).status_code == 200, "it keeps serving"


def test_an_unparseable_timestamp_names_the_field(client):
    response = post(client, "/events", [{"a": 1}, {"utctimestamp": "not a date"}])
    [item] = response.json["error"]["items"]
    assert item["field"] == "utctimestamp"
    assert "not a date" in item["reason"]


def test_a_broken_ndjson_line_is_named_by_line_number(client):
    response = post(client, "/events", b'{"a": 1}\n\n{"b": \n')
    [item] = response.json["error"]["items"]
    assert (item["item"], item["line"], item["type"]) == (1, 3, "invalid_json")


def test_a_body_over_the_limit_is_refused_before_reading(store_url, store):
    client = testing.TestClient(create_app(store_url=store_url, token="", max_body=64))
    response = post(client, "/events", [{"summary": "x" * 100}])
    assert response.status_code == 400
    assert response.json["error"]["type"] == "body_too_large"
    assert "64 bytes" in response.json["error"]["reason"]
    assert stored(store) == []
    assert post(client, "/events", {"a": 1}).status_code == 200


def test_the_body_limit_comes_from_settings_at_app_creation(monkeypatch, store_url):
    monkeypatch.setitem(config.LOGINPUT, "max_body_bytes", 32)
    client = testing.TestClient(create_app(store_url=store_url, token=""))
    monkeypatch.setitem(config.LOGINPUT, "max_body_bytes", 10_000)
    assert post(client, "/events", {"summary": "x" * 40}).status_code == 400


def test_a_store_refusal_rolls_back_the_whole_request(client, store):
    """The store refuses a non-IP in an ip field; the good events of the request go too."""
    batch = [SSH_EVENT, {"details": {"sourceipaddress": "not-an-ip"}}, GUIDE_EVENT]
    response = post(client, "/events", batch)
    assert response.status_code == 400
    [item] = response.json["error"]["items"]
    assert item["item"] == 1 and "sourceipaddress" in item["reason"]
    assert "nothing was stored" in response.json["error"]["reason"]
    assert stored(store) == []
    assert post(client, "/events", batch[::2]).status_code == 200
    assert len(stored(store)) == 2


def test_concurrent_requests_each_get_their_own_results(client, store):
    """Requests that share one store write (group commit) still answer for themselves."""
    barrier = threading.Barrier(8)
    answers: list[testing.Result] = []

    def send(n: int) -> None:
        barrier.wait()
        body = [{"summary": f"{n}-{i}"} for i in range(n + 1)]
        if n == 3:
            body.append({"details": {"sourceipaddress": "bad"}})
        answers.append(post(client, "/events", body))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = [a for a in answers if a.status_code == 200]
    assert sorted(a.json["count"] for a in ok) == [1, 2, 3, 5, 6, 7, 8]
    assert len(stored(store)) == 32
    assert all(not s["summary"].startswith("3-") for s in stored(store))


# -- POST /_bulk ----------------------------------------------------------------------


def bulk_body(*pairs: tuple[dict[str, Any], dict[str, Any]]) -> str:
    return "".join(
        json.dumps(action) + "\n" + json.dumps(source) + "\n" for action, source in pairs
    )


def test_bulk_answers_in_elasticsearch_bulk_shape(client, store):
    """Bulk API: one item per action, in order, keyed by the action, 201 per created doc."""
    body = bulk_body(
        ({"index": {"_index": "someone-elses-index"}}, SSH_EVENT),
        ({"create": {"_id": "evt-1"}}, GUIDE_EVENT),
    )
    response = post(client, "/_bulk", body, **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    answer = response.json
    assert answer["errors"] is False and "took" in answer
    assert [next(iter(item)) for item in answer["items"]] == ["index", "create"]
    assert [item[op]["status"] for item in answer["items"] for op in item] == [201, 201]
    assert answer["items"][1]["create"]["_id"] == "evt-1"
    assert all(item[op]["_index"].startswith("events-") for item in answer["items"] for op in item)
    assert sorted(e["category"] for e in stored(store)) == ["helloworld", "syslog"]


def test_bulk_create_of_an_existing_id_is_a_409_item(client, store):
    """Bulk API: `create` fails if a document with the same id exists; other items succeed."""
    pair = ({"create": {"_id": "dup"}}, GUIDE_EVENT)
    assert post(client, "/_bulk", bulk_body(pair)).status_code == 200
    response = post(client, "/_bulk", bulk_body(pair, ({"index": {}}, SSH_EVENT)))
    assert response.status_code == 200
    assert response.json["errors"] is True
    first, second = (item[op] for item in response.json["items"] for op in item)
    assert first["status"] == 409 and first["error"]["type"] == "version_conflict_engine_exception"
    assert second["status"] == 201
    assert len(stored(store)) == 2


def test_bulk_reports_store_refusals_per_item(client, store):
    body = bulk_body(
        ({"index": {}}, {"details": {"sourceipaddress": "not-an-ip"}}),
        ({"index": {}}, SSH_EVENT),
    )
    response = post(client, "/_bulk", body)
    assert response.status_code == 200
    statuses = [item["index"]["status"] for item in response.json["items"]]
    assert statuses == [400, 201]
    assert len(stored(store)) == 1


BAD_BULKS = [
    pytest.param(b"", "empty_body", id="empty body"),
    pytest.param(b'{"index": {}}\n', "illegal_argument_exception", id="action without source"),
    pytest.param(b'{"index": {}\n{"a": 1}\n', "illegal_argument_exception", id="broken action"),
    pytest.param(b'["index"]\n{"a": 1}\n', "illegal_argument_exception", id="action not object"),
    pytest.param(b'{"delete": {"_id": "x"}}\n', "illegal_argument_exception", id="delete action"),
    pytest.param(
        b'{"update": {"_id": "x"}}\n{"doc": {}}\n', "illegal_argument_exception", id="update"
    ),
    pytest.param(b'{"index": {"_id": 7}}\n{"a": 1}\n', "illegal_argument_exception", id="int _id"),
    pytest.param(b'{"index": {}}\n{"a": "\xc3"}\n', "invalid_utf8", id="invalid utf-8"),
    pytest.param(
        b'{"index": {}}\n{"a": 1}\n{"index": {}}\n{"b": \n', "invalid_events", id="bad src"
    ),
    pytest.param(b'{"index": {}}\n{"a": 1}\n{"index": {}}\n[1, 2]\n', "invalid_events", id="array"),
    pytest.param(
        b'{"index": {}}\n{"a": 1}\n{"index": {}}\n{"timestamp": "nope"}\n',
        "invalid_events",
        id="unparseable timestamp",
    ),
]


@pytest.mark.parametrize("body, error_type", BAD_BULKS)
def test_bad_bulk_requests_are_400_and_store_nothing(client, store, body, error_type):
    """Bulk API: a malformed action/metadata line fails the whole request with 400."""
    response = post(client, "/_bulk", body)
    assert response.status_code == 400, response.text
    assert response.json["error"]["type"] == error_type
    if error_type == "invalid_events":
        assert [item["item"] for item in response.json["error"]["items"]] == [1]
        assert response.json["error"]["items"][0]["line"] == 4
    assert stored(store) == []


# -- authorization, status, errors -----------------------------------------------------


@pytest.fixture
def guarded(store_url: str) -> testing.TestClient:
    return testing.TestClient(create_app(store_url=store_url, token="s3cret-token"))


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong", "Basic s3cret-token", "s3cret-token", "Bearer s3cret-token-and-more"],
    ids=["missing", "wrong token", "wrong scheme", "no scheme", "longer token"],
)
def test_a_missing_or_wrong_token_is_401(guarded, store, header):
    headers = {"Authorization": header} if header else {}
    for path in ("/events", "/_bulk"):
        response = post(guarded, path, GUIDE_EVENT, **headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["type"] == "unauthorized"
    assert stored(store) == []


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_the_right_token_is_accepted(guarded, store, scheme):
    response = post(guarded, "/events", GUIDE_EVENT, Authorization=f"{scheme} s3cret-token")
    assert response.status_code == 200
    assert len(stored(store)) == 1


def test_the_token_comes_from_settings(monkeypatch, store_url):
    monkeypatch.setitem(config.LOGINPUT, "token", "from-settings")
    client = testing.TestClient(create_app(store_url=store_url))
    assert post(client, "/events", GUIDE_EVENT).status_code == 401
    ok = post(client, "/events", GUIDE_EVENT, Authorization="Bearer from-settings")
    assert ok.status_code == 200


def test_status_needs_no_token_and_reports_the_store(guarded):
    response = guarded.simulate_get("/status")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["store"] == {"backend": "memory", "reachable": True, "events_index": False}


def test_status_is_503_when_the_store_is_unreachable():
    client = testing.TestClient(create_app(store_url="http://127.0.0.1:1", token=""))
    response = client.simulate_get("/status")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["store"]["reachable"] is False


def test_a_store_failure_while_writing_is_503_and_the_service_keeps_serving():
    client = testing.TestClient(create_app(store_url="sqlite:///proc/vigil-no/s.db", token=""))
    for _ in range(2):
        response = post(client, "/events", GUIDE_EVENT)
        assert response.status_code == 503
        assert response.json["error"]["type"] == "store_unavailable"


def test_unknown_paths_and_methods_answer_json(client):
    missing = client.simulate_get("/nope")
    assert missing.status_code == 404 and missing.json["error"]["type"] == "not_found"
    wrong = client.simulate_get("/events")
    assert wrong.status_code == 405 and wrong.json["status"] == 405


# -- serving ---------------------------------------------------------------------------


def test_serving_settings_come_from_config(monkeypatch):
    monkeypatch.setitem(config.LOGINPUT, "host", "0.0.0.0")
    monkeypatch.setitem(config.LOGINPUT, "port", 9999)
    chosen = settings(server="gunicorn")
    assert (chosen.host, chosen.port, chosen.server) == ("0.0.0.0", 9999, "gunicorn")
    assert settings(port=8081, workers=3).port == 8081
    assert settings(workers=3).workers == 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_status(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"loginput did not answer on port {port} within {seconds}s")


@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_the_served_app_keeps_connections_alive_and_stops_on_sigterm(tmp_path, server):
    """`python -m lib.loginput` as `vigil serve` starts it: two posts on one connection."""
    if server == "granian" and importlib.util.find_spec("granian") is None:
        pytest.skip("granian is not installed")
    port = free_port()
    env = dict(
        os.environ, VIGIL_STORE_URL=f"sqlite:///{tmp_path}/store.db", VIGIL_DATA_DIR=str(tmp_path)
    )
    argv = [sys.executable, "-m", "lib.loginput", "--port", str(port), "--workers", "1"]
    log = (tmp_path / "loginput.log").open("w")
    process = subprocess.Popen(
        [*argv, "--server", server], cwd=ALERTS_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_status(port, process, tmp_path / "loginput.log")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        sockets = []
        for _ in range(2):
            connection.request("POST", "/events", body=json.dumps(GUIDE_EVENT))
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read())["count"] == 1
            sockets.append(connection.sock)
        assert sockets[0] is sockets[1] is not None, "the connection was not kept alive"
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    store = open_store(env["VIGIL_STORE_URL"])
    assert len(stored(store)) == 2
    store.close()
