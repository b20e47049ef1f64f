"""Property: whatever body arrives, loginput never answers 5xx and never half-stores a request.

Random bodies (bytes, JSON values, NDJSON, Elasticsearch bulk bodies, events with random
timestamps, IPs and field names) go to ``/events`` and ``/_bulk`` of one app backed by a
real in-memory store. After each request the number of stored events must have grown by
exactly what the answer says was stored: every event of a 2xx ``/events`` answer, none
of a 4xx one; for ``/_bulk``, exactly the items answered 2xx.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from falcon import testing
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lib.loginput import create_app
from lib.store import open_store
from lib.store.base import EventStore

MAX_BODY = 4096

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
keys = st.one_of(
    st.sampled_from(["", ".", "a.b", "a..b", "details", "tags", "summary", "@timestamp"]),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
timestamps = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(["2017-03-27T13:08:09Z", "2017-03-27 13:08:09 -0700", "1490620089", ""]),
)
ips = st.one_of(st.text(max_size=8), st.sampled_from(["1.2.3.4", "::1", "", "999.1.1.1"]))
events = st.fixed_dictionaries(
    {},
    optional={
        "utctimestamp": timestamps,
        "timestamp": timestamps,
        "summary": json_values,
        "tags": json_values,
        "details": st.one_of(json_values, st.fixed_dictionaries({"sourceipaddress": ips})),
        "category": st.text(max_size=6),
    },
)
items = st.one_of(events, json_values)


def ndjson(values: list[Any]) -> bytes:
    return "\n".join(json.dumps(v) for v in values).encode()


def bulk(pairs: list[tuple[Any, Any]]) -> bytes:
    return "".join(json.dumps(a) + "\n" + json.dumps(s) + "\n" for a, s in pairs).encode()


actions = st.one_of(
    st.sampled_from([{"index": {}}, {"create": {}}, {"index": {"_index": "x"}}]),
    st.builds(lambda i: {"create": {"_id": i}}, st.sampled_from(["a", "b"])),
    json_values,
)
bodies = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    items.map(lambda v: json.dumps(v).encode()),
    st.lists(items, max_size=5).map(lambda v: json.dumps(v).encode()),
    st.lists(items, min_size=1, max_size=5).map(ndjson),
    st.lists(events, min_size=1, max_size=5).map(lambda v: json.dumps(v).encode()),
    st.lists(st.tuples(st.just({"index": {}}), events), min_size=1, max_size=4).map(bulk),
    st.lists(st.tuples(actions, items), min_size=1, max_size=4).map(bulk),
    st.binary(min_size=MAX_BODY - 8, max_size=MAX_BODY + 8),
)


@pytest.fixture(scope="module")
def intake() -> tuple[testing.TestClient, EventStore]:
    url = f"memory://loginput-property-{uuid.uuid4().hex}"
    app = create_app(store_url=url, token="", max_body=MAX_BODY)
    return testing.TestClient(app), open_store(url)


def count(store: EventStore) -> int:
    return sum(1 for _ in store.scan("events-*", {}, ignore_unavailable=True))


def stored_by(path: str, answer: dict[str, Any]) -> int:
    """How many events the answer says were stored."""
    if path == "/events":
        return int(answer["count"])
    return sum(1 for item in answer["items"] for body in item.values() if body["status"] < 300)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(path=st.sampled_from(["/events", "/_bulk"]), body=bodies)
def test_random_bodies_never_5xx_and_never_half_stored(intake, path, body):
    client, store = intake
    before = count(store)
    response = client.simulate_post(path, body=body)
    assert response.status_code < 500, response.text
    answer = response.json
    event(f"{path} answered {response.status_code}")
    if response.status_code < 300:
        assert count(store) - before == stored_by(path, answer)
    else:
        assert response.status_code == 400
        assert answer["error"]["type"] and answer["error"]["reason"]
        assert count(store) == before
