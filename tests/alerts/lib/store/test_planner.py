"""The time-window planner: it reads only in-window rows and never changes an answer."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from lib.store.embedded import EmbeddedStore, open_embedded
from lib.store.engine import compile_query
from lib.store.mapping import Mapping
from lib.store.planner import MULTI_VALUED, Bound, Combined, plan_query, plan_sql

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DATES = {"utctimestamp": None, "receivedtimestamp": None}
HOUR = 3_600_000


def window(field: str, gte: object = "now-20m", lte: object = "now") -> dict:
    return {"range": {field: {"gte": gte, "lte": lte}}}


MOZDEF_WINDOW = {
    "bool": {
        "should": [window("utctimestamp"), window("receivedtimestamp")],
        "minimum_should_match": 1,
    }
}


# -- plans ------------------------------------------------------------------------------


def test_range_on_a_time_field_is_a_bound():
    plan = plan_query(window("utctimestamp"), DATES, NOW_MS)
    assert plan == Bound("utc", NOW_MS - 20 * 60_000, NOW_MS)


def test_mozdef_window_is_a_union_inside_a_conjunction():
    query = {"bool": {"must": [{"match": {"a": "b"}}, MOZDEF_WINDOW]}}
    plan = plan_query(query, DATES, NOW_MS)
    assert isinstance(plan, Combined) and plan.op == "or"
    assert {part.column for part in plan.parts} == {"utc", "recv"}


def test_filter_and_must_bounds_intersect():
    query = {
        "bool": {"filter": [window("utctimestamp")], "must": window("receivedtimestamp", "now-1h")}
    }
    plan = plan_query(query, DATES, NOW_MS)
    assert isinstance(plan, Combined) and plan.op == "and" and len(plan.parts) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"match_all": {}},
        {"bool": {"must_not": [window("utctimestamp")]}},
        {"bool": {"must": [{"match": {"a": "b"}}], "should": [window("utctimestamp")]}},
        {"bool": {"should": [window("utctimestamp"), {"match": {"a": "b"}}]}},
        {"bool": {"should": [window("utctimestamp")], "minimum_should_match": 0}},
        window("otherdate"),
        {"range": {"utctimestamp": {"gte": "now-1h", "time_zone": "+01:00"}}},
        {"range": {"utctimestamp": {"gte": "not a date"}}},
    ],
    ids=[
        "match_all",
        "must_not",
        "optional should (must present)",
        "should with an unplannable clause",
        "minimum_should_match 0",
        "field without a time column",
        "time_zone",
        "bad bound",
    ],
)
def test_no_usable_bound_means_a_full_scan(query):
    assert plan_query(query, DATES, NOW_MS) is None


def test_fields_not_mapped_as_date_are_not_planned():
    assert plan_query(window("utctimestamp"), {}, NOW_MS) is None


def test_rounded_date_math_is_widened_to_both_rounding_directions():
    """Range query, "Date math and rounding": gt/lte round up, gte/lt round down."""
    plan = plan_query({"range": {"utctimestamp": {"gt": "now/d", "lt": "now/d"}}}, DATES, NOW_MS)
    day = NOW_MS - NOW_MS % (24 * HOUR)
    assert plan == Bound("utc", day, day + 24 * HOUR - 1)


def test_sql_keeps_multi_valued_rows_as_candidates():
    sql, params = plan_sql(Bound("utc", 1, 2))
    assert "utc = ?" in sql and MULTI_VALUED in params


# -- answers ------------------------------------------------------------------------------


def random_stamp(rng: random.Random) -> object:
    millis = NOW_MS - rng.randrange(48 * HOUR)
    shape = rng.randrange(6)
    if shape == 0:
        return millis
    if shape == 1:
        return [datetime.fromtimestamp(millis / 1000, UTC).isoformat(), NOW.isoformat()]
    if shape == 2:
        return None
    text = datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if shape == 3 else text


def random_document(rng: random.Random, number: int) -> dict:
    document: dict = {"n": number, "kind": rng.choice(["a", "b"])}
    for field in ("utctimestamp", "receivedtimestamp"):
        if rng.random() < 0.9:
            document[field] = random_stamp(rng)
    return document


def random_bound(rng: random.Random) -> object:
    choice = rng.randrange(4)
    if choice == 0:
        return f"now-{rng.randrange(1, 48)}h"
    if choice == 1:
        return f"now-{rng.randrange(1, 3)}d/d"
    if choice == 2:
        return NOW_MS - rng.randrange(48 * HOUR)
    return (NOW - timedelta(minutes=rng.randrange(48 * 60))).isoformat()


def random_range(rng: random.Random) -> dict:
    field = rng.choice(["utctimestamp", "receivedtimestamp"])
    keys = rng.sample(["gt", "gte", "lt", "lte"], rng.randrange(1, 3))
    return {"range": {field: {key: random_bound(rng) for key in keys}}}


def random_query(rng: random.Random, depth: int = 0) -> dict:
    if depth > 2 or rng.random() < 0.3:
        return rng.choice([random_range(rng), random_range(rng), {"match": {"kind": "a"}}])
    clauses = {
        occur: [random_query(rng, depth + 1) for _ in range(rng.randrange(1, 3))]
        for occur in rng.sample(["must", "filter", "should", "must_not"], rng.randrange(1, 3))
    }
    if "should" in clauses and rng.random() < 0.5:
        clauses["minimum_should_match"] = rng.choice([1, "1", 0, "50%", 2])
    return {"bool": clauses}


@pytest.fixture(scope="module")
def populated() -> tuple[EmbeddedStore, list[dict]]:
    rng = random.Random(7)
    documents = [random_document(rng, number) for number in range(400)]
    # The first document maps the time fields as dates in the dynamic index.
    documents[0].update(utctimestamp=NOW.isoformat(), receivedtimestamp=NOW.isoformat())
    store = open_embedded(f"memory://{uuid.uuid4().hex}")
    store.create_index("dynamic", {"mappings": {}})
    for name in ("events-20240601", "dynamic"):
        response = store.bulk(
            [{"_index": name, "_id": str(d["n"]), "_source": d} for d in documents]
        )
        assert not response["errors"], [i for i in response["items"] if "error" in i["index"]][:2]
    return store, documents


def expected_ids(store: EmbeddedStore, index: str, documents: list[dict], query: dict) -> list[str]:
    mapping = Mapping.from_body(store.get_mapping(index)[index])
    predicate = compile_query(query, mapping, NOW_MS)
    return [str(d["n"]) for d in documents if predicate(d, str(d["n"]))]


@pytest.mark.parametrize("seed", range(60))
@freeze_time(NOW)
def test_planned_search_answers_exactly_as_evaluating_every_document(populated, seed):
    store, documents = populated
    query = random_query(random.Random(seed))
    for index in ("events-20240601", "dynamic"):
        found = store.scan(index, {"query": query})
        assert sorted(hit["_id"] for hit in found) == sorted(
            expected_ids(store, index, documents, query)
        )
        response = store.search(index, {"query": query, "size": 1000, "track_total_hits": True})
        assert [hit["_id"] for hit in response["hits"]["hits"]] == expected_ids(
            store, index, documents, query
        )


def is_candidate(value: object) -> bool:
    """In the 20-minute window, or multi-valued (always a candidate)."""
    if isinstance(value, list):
        return True
    if value is None:
        return False
    millis = (
        value
        if isinstance(value, int)
        else int(datetime.fromisoformat(str(value)).timestamp() * 1000)
    )
    return NOW_MS - 20 * 60_000 <= millis <= NOW_MS


@freeze_time(NOW)
def test_window_query_reads_only_rows_in_the_window(populated):
    store, documents = populated
    store.rows_read = 0
    response = store.search("events-20240601", {"query": MOZDEF_WINDOW, "size": 1000})
    expected = expected_ids(store, "events-20240601", documents, MOZDEF_WINDOW)
    assert [hit["_id"] for hit in response["hits"]["hits"]] == expected
    candidates = [
        d
        for d in documents
        if is_candidate(d.get("utctimestamp")) or is_candidate(d.get("receivedtimestamp"))
    ]
    assert store.rows_read == len(candidates) < len(documents) // 2


@freeze_time(NOW)
def test_multi_valued_timestamps_stay_candidates(populated):
    store, documents = populated
    listed = [str(d["n"]) for d in documents if isinstance(d.get("utctimestamp"), list)]
    assert listed
    response = store.search(
        "events-20240601", {"query": window("utctimestamp", "now-1m"), "size": 1000}
    )
    assert set(listed) <= {hit["_id"] for hit in response["hits"]["hits"]}
