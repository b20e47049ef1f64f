"""Bad input over real HTTP: the served loginput answers every bad class 400 and stores nothing.

One ``python -m lib.loginput`` process per server (granian, gunicorn), started as
`vigil serve` starts it, on a free loopback port with an embedded store on disk and a
4 KiB body limit. Each bad request must be answered 400 with a JSON error naming the
problem (and, for batches, the refused items); the store is read after it to check
that nothing of the request was kept, and a good event sent next must be stored.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lib.loginput.bodies import DEPTH_LIMIT
from lib.loginput.server import SERVERS
from lib.store import open_store

from .test_loginput import ALERTS_DIR, GUIDE_EVENT, free_port, nested, stored, wait_for_status

pytestmark = pytest.mark.slow

MAX_BODY = 4096
MARK = "rejected-request"


def good(n: int) -> dict[str, Any]:
    """A valid event that carries the rejected-request marker."""
    return {"summary": f"{MARK} {n}", "details": {"sourceipaddress": "1.2.3.4"}}


def case(
    description: str,
    body: bytes | list[Any],
    error_type: str,
    reason: str,
    items: list[Any] | None = None,
) -> Any:
    """One bad request: the error type and reason text it must get, and the items named.

    An entry of `items` is an item number, or ``(number, type or field)``.
    """
    return pytest.param(body, error_type, reason, items, id=description)


BAD_REQUESTS = [
    case(
        "malformed json",
        b'{"summary": "' + MARK.encode() + b'", ',
        "invalid_json",
        "not valid JSON",
    ),
    case("json string", b'"' + MARK.encode() + b'"', "not_an_event", "not a string"),
    case("json number", b"42", "not_an_event", "not a number"),
    case("empty array", b"[]", "not_an_event", "not an empty array"),
    case("array of non-objects", [good(0), 2, "x"], "invalid_events", "2 of 3", [1, 2]),
    case("empty body", b"", "empty_body", "empty"),
    case("whitespace body", b"  \r\n\t", "empty_body", "empty"),
    case(
        "over the size limit",
        [good(n) | {"pad": "x" * 100} for n in range(40)],
        "body_too_large",
        f"limit of {MAX_BODY} bytes",
    ),
    case(
        "nested too deep",
        [good(0), nested(DEPTH_LIMIT + 1)],
        "invalid_events",
        "1 of 2",
        [(1, "too_deep")],
    ),
    case("nested past the json parser", b"[" * 2000 + b"]" * 2000, "too_deep", "JSON"),
    case(
        "invalid utf-8",
        b'[{"summary": "' + MARK.encode() + b'"}, {"a": "\xff\xfe"}]',
        "invalid_utf8",
        "UTF-8",
    ),
    case(
        "unparseable timestamp",
        [good(0), good(1) | {"utctimestamp": "yesterday-ish"}],
        "invalid_events",
        "1 of 2",
        [(1, "utctimestamp")],
    ),
    case(
        "one bad item among good ones",
        [good(0), good(1), {"details": "not an object"}, good(3)],
        "invalid_events",
        "1 of 4",
        [2],
    ),
    case(
        "one item the store refuses",
        [good(0), {"summary": MARK, "details": {"sourceipaddress": "not-an-ip"}}, good(2)],
        "invalid_events",
        "nothing was stored",
        [1],
    ),
    case(
        "ndjson with a broken line",
        b"\n".join(json.dumps(good(n)).encode() for n in range(3)) + b'\n{"b": \n',
        "invalid_events",
        "1 of 4",
        [(3, "invalid_json")],
    ),
]


@dataclass
class Served:
    """A running loginput process and the store it writes to."""

    port: int
    store_url: str
    process: subprocess.Popen
    log: Path

    def post(self, path: str, body: bytes, chunked: bool = False) -> tuple[int, dict[str, Any]]:
        """POST `body` on a new connection; the status and the parsed JSON answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if chunked:
                connection.request("POST", path, body=iter([body]), encode_chunked=True)
            else:
                connection.request("POST", path, body=body)
            response = connection.getresponse()
            assert response.getheader("Content-Type", "").startswith("application/json")
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def events(self) -> list[dict[str, Any]]:
        """Every stored event, read from the store on disk."""
        store = open_store(self.store_url)
        try:
            return stored(store)
        finally:
            store.close()


@pytest.fixture(scope="module", params=SERVERS)
def served(request, tmp_path_factory) -> Iterator[Served]:
    if request.param == "granian" and importlib.util.find_spec("granian") is None:
        pytest.skip("granian is not installed")
    tmp = tmp_path_factory.mktemp(f"loginput-{request.param}")
    port = free_port()
    env = dict(
        os.environ,
        VIGIL_STORE_URL=f"sqlite:///{tmp}/store.db",
        VIGIL_DATA_DIR=str(tmp),
        VIGIL_LOGINPUT_MAX_BODY=str(MAX_BODY),
        VIGIL_LOGINPUT_TOKEN="",
    )
    argv = [sys.executable, "-m", "lib.loginput", "--port", str(port), "--workers", "1"]
    log_path = tmp / "loginput.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*argv, "--server", request.param],
            cwd=ALERTS_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_status(port, process, log_path)
        yield Served(port, env["VIGIL_STORE_URL"], process, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def encoded(body: bytes | list[Any]) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def assert_rejected(
    answer: dict[str, Any], error_type: str, reason: str, items: list[Any] | None
) -> None:
    error = answer["error"]
    assert answer["status"] == 400
    assert error["type"] == error_type, error
    assert reason in error["reason"], error
    if items is None:
        assert "items" not in error
        return
    expected = [item if isinstance(item, tuple) else (item, None) for item in items]
    named = [(item["item"], item) for item in error["items"]]
    assert [number for number, _ in named] == [number for number, _ in expected]
    for (_, item), (_, detail) in zip(named, expected, strict=True):
        assert item["reason"]
        assert detail is None or detail in (item["type"], item.get("field")), item


def assert_still_serving(served: Served, before: int) -> None:
    summary = f"good event {uuid.uuid4().hex}"
    status, answer = served.post("/events", json.dumps(GUIDE_EVENT | {"summary": summary}).encode())
    assert (status, answer["count"]) == (200, 1), answer
    events = served.events()
    assert len(events) == before + 1
    assert [e for e in events if e["summary"] == summary]


@pytest.mark.parametrize("body, error_type, reason, items", BAD_REQUESTS)
def test_bad_input_over_http_is_400_and_stores_nothing(served, body, error_type, reason, items):
    before = served.events()
    status, answer = served.post("/events", encoded(body))
    assert status == 400, answer
    assert_rejected(answer, error_type, reason, items)
    after = served.events()
    assert len(after) == len(before), "part of a rejected request was stored"
    assert not [e for e in after if MARK in str(e.get("summary"))]
    assert_still_serving(served, len(before))


def test_a_chunked_body_over_the_limit_is_400(served):
    """Without a Content-Length the limit is enforced while reading."""
    before = len(served.events())
    body = json.dumps([good(n) | {"pad": "x" * 100} for n in range(40)]).encode()
    status, answer = served.post("/events", body, chunked=True)
    assert status == 400
    assert_rejected(answer, "body_too_large", f"limit of {MAX_BODY} bytes", None)
    assert len(served.events()) == before
    assert_still_serving(served, before)


def test_a_bad_bulk_source_line_is_400_and_stores_nothing(served):
    before = len(served.events())
    lines = [{"index": {}}, good(0), {"create": {"_id": "x"}}, {"timestamp": "nope"}]
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    status, answer = served.post("/_bulk", body)
    assert status == 400
    assert_rejected(answer, "invalid_events", "1 of 2", [(1, "timestamp")])
    assert answer["error"]["items"][0]["line"] == 4
    assert len(served.events()) == before
    assert_still_serving(served, before)
