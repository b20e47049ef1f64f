"""Benchmark of the embedded event store (``make bench-store``).

Figures: bulk ingest rate; the time of a brute-force style aggregated query over a
20-minute window (`match` on two keyword fields, `match_phrase` on `summary`, a `terms`
aggregation on `details.sourceipaddress`, the window being MozDef's
``utctimestamp OR receivedtimestamp`` range) over 1,000,000 events spread over 24 hours
and over 100,000 events with the same 50,000 events in the window; their ratio; and the
ratio of the query time to the floor: fetching the window's rows and decoding them with
orjson. Stores are built in a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import gc
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.eventgen import generate
from lib.store.embedded import EmbeddedStore, open_embedded

BIG = 1_000_000
SMALL = 100_000
IN_WINDOW = 50_000
WINDOW = timedelta(minutes=20)
BATCH = 5_000
REPEATS = 5


def run() -> list[tuple[str, float, str]]:
    """Build both stores, then time the query on each (interleaved); the five figures."""
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        big = open_embedded(str(Path(tmp) / "big.db"))
        small = open_embedded(str(Path(tmp) / "small.db"))
        rate = load(big, BIG, now)
        load(small, SMALL, now)
        if window_answer(small, now) != window_answer(big, now):
            raise RuntimeError("the 1M and 100k stores answer the same window differently")
        timings = interleaved(
            lambda: window_answer(big, now),
            lambda: window_answer(small, now),
            lambda: decode_window(big, now),
        )
        big.close()
        small.close()
    query_big, query_small, decode_big = timings
    return [
        ("store.ingest_rate", rate, "events/s"),
        ("store.query_1m", query_big, "s"),
        ("store.query_100k", query_small, "s"),
        ("store.query_ratio_1m_100k", query_big / query_small, ""),
        ("store.query_to_decode_ratio", query_big / decode_big, ""),
    ]


def load(store: EmbeddedStore, total: int, now: datetime) -> float:
    """Fill `store` (events outside the window over 24 hours, then the window's); events/s."""
    end = _ms(now)
    window_start = end - _ms_of(WINDOW)
    outside = generate(
        total - IN_WINDOW, end - _ms_of(timedelta(hours=24)), window_start - 60_000, seed=1
    )
    inside = generate(IN_WINDOW, window_start + 60_000, end - 60_000, seed=2)
    spent = 0.0
    for events in (outside, inside):
        while batch := _take(events, BATCH):
            actions = [{"_index": "events", "_source": event} for event in batch]
            started = time.perf_counter()
            response = store.bulk(actions)
            spent += time.perf_counter() - started
            if response["errors"]:
                raise RuntimeError(f"bench events refused: {response['items'][:3]}")
    return total / spent


def query_body(now: datetime) -> dict[str, Any]:
    """The brute-force style query over the 20 minutes before `now`."""
    window = {"gte": (now - WINDOW).isoformat(), "lte": now.isoformat()}
    return {
        "size": 1000,
        "query": {
            "bool": {
                "must": [
                    {"match": {"details.program": "sshd"}},
                    {"match": {"processname": "sshd"}},
                    {"match_phrase": {"summary": "failed password"}},
                    {
                        "bool": {
                            "should": [
                                {"range": {"utctimestamp": window}},
                                {"range": {"receivedtimestamp": window}},
                            ],
                            "minimum_should_match": 1,
                        }
                    },
                ]
            }
        },
        "aggs": {"sources": {"terms": {"field": "details.sourceipaddress", "size": 20}}},
    }


def window_answer(store: EmbeddedStore, now: datetime) -> tuple[int, list[Any]]:
    """Total hits and buckets of the query (both stores hold the same window)."""
    response = store.search(["events", "events-previous"], query_body(now), ignore_unavailable=True)
    return response["hits"]["total"]["value"], response["aggregations"]["sources"]["buckets"]


def decode_window(store: EmbeddedStore, now: datetime) -> int:
    """The floor: fetch the window's rows with SQL and decode them with orjson."""
    low, high = _ms(now - WINDOW), _ms(now)
    conn = sqlite3.connect(store.database)
    gc.disable()  # as the store does while decoding: the floor without collector pauses
    try:
        tables = [f"docs_{row[0]}" for row in conn.execute("SELECT id FROM indices")]
        decoded = 0
        for table in tables:
            sql = f"SELECT source FROM {table} WHERE utc BETWEEN ? AND ? OR recv BETWEEN ? AND ?"
            decoded += len(
                [orjson.loads(raw) for (raw,) in conn.execute(sql, (low, high, low, high))]
            )
    finally:
        gc.enable()
        conn.close()
    return decoded


def interleaved(*actions: Callable[[], Any]) -> list[float]:
    """The fastest of `REPEATS` rounds of each action, rounds interleaved (seconds).

    Interleaving exposes every action to the same machine load, so ratios stay fair.
    """
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(REPEATS):
        for action, spent in zip(actions, timings, strict=True):
            started = time.perf_counter()
            action()
            spent.append(time.perf_counter() - started)
    return [min(spent) for spent in timings]


def _take(events: Any, count: int) -> list[dict[str, Any]]:
    batch = []
    for event in events:
        batch.append(event)
        if len(batch) == count:
            break
    return batch


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _ms_of(span: timedelta) -> int:
    return int(span.total_seconds() * 1000)
