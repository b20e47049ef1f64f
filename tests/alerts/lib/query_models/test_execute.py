"""SearchQuery.execute against a real embedded store: window edges, result shape, re-runs.

Elasticsearch rules relied on: `range` with `gte`/`lte` includes both bounds ("Range
query"); a bool query with only `filter` clauses scores every hit 0.0 ("Boolean query",
"Scoring with bool.filter"); a `term` query with a CIDR on an `ip` field matches the
network ("IP field type"); terms buckets are ordered by count descending, then key
("Terms aggregation", `order`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from freezegun import freeze_time

from lib.query_models import Aggregation, SearchQuery, SubnetMatch, TermMatch
from lib.store import open_store

NOW = "2017-01-01 01:00:00"
TODAY = "events-20170101"
ALERTS_DIR = Path(__file__).resolve().parents[4] / "alerts"


@pytest.fixture
def store():
    return open_store(f"memory://query-models-{uuid.uuid4().hex}")


def event(utc, received=None, program="sshd", ip="10.0.0.1", category="syslog"):
    return {
        "category": category,
        "summary": f"{program} event",
        "utctimestamp": utc,
        "receivedtimestamp": received or utc,
        "details": {"program": program, "sourceipaddress": ip},
    }


EDGE_EVENTS = {
    "at-window-start": event("2017-01-01T00:40:00+00:00"),
    "at-now": event("2017-01-01T01:00:00+00:00"),
    "just-before-window": event("2017-01-01T00:39:59.999+00:00"),
    "just-after-now": event("2017-01-01T01:00:00.001+00:00"),
    "only-received-in-window": event("2016-12-31T20:00:00+00:00", "2017-01-01T00:50:00+00:00"),
    "only-utc-in-window": event("2017-01-01T00:50:00+00:00", "2017-01-01T03:00:00+00:00"),
    "offset-inside-window": event("2017-01-01T01:50:00+01:00"),
    "offset-outside-window": event("2017-01-01T01:30:00+01:00"),
}
IN_WINDOW = [
    "at-now",
    "at-window-start",
    "offset-inside-window",
    "only-received-in-window",
    "only-utc-in-window",
]


def load(store, events, index="events"):
    for doc_id, doc in events.items():
        store.index(index, doc, id=doc_id)
    store.refresh()


def syslog_query(**window):
    query = SearchQuery(**(window or {"minutes": 20}))
    query.add_must(TermMatch("category", "syslog"))
    return query


def hit_ids(results):
    return sorted(hit["_id"] for hit in results["hits"])


@freeze_time(NOW)
def test_window_includes_both_edges_and_either_timestamp(store):
    load(store, EDGE_EVENTS)
    assert hit_ids(syslog_query().execute(store)) == IN_WINDOW


@freeze_time(NOW)
def test_results_have_mozdefs_shape(store):
    load(store, {"at-now": EDGE_EVENTS["at-now"]})
    results = syslog_query().execute(store)
    assert set(results) == {"meta", "hits"}
    assert results["meta"] == {"timed_out": False}
    [hit] = results["hits"]
    assert set(hit) == {"_id", "_index", "_score", "_source"}
    assert (hit["_id"], hit["_index"], hit["_source"]) == ("at-now", TODAY, EDGE_EVENTS["at-now"])


@freeze_time(NOW)
def test_hits_score_zero_because_the_query_runs_in_filter_context(store):
    """ES "Boolean query", "Scoring with bool.filter": filter-only queries score 0."""
    load(store, {"at-now": EDGE_EVENTS["at-now"]})
    assert [hit["_score"] for hit in syslog_query().execute(store)["hits"]] == [0.0]


@freeze_time(NOW)
def test_executing_twice_sends_the_same_request_and_gives_the_same_answer(store):
    load(store, EDGE_EVENTS)
    query = syslog_query()
    body = query.request_body()
    first = query.execute(store)
    second = query.execute(store)
    assert first == second
    assert hit_ids(first) == IN_WINDOW
    assert query.request_body() == body
    assert len(query.must) == 1


def test_windows_do_not_stack_across_runs(store):
    """MozDef appended a window per execute; a later run then saw only the overlap."""
    query = syslog_query()
    with freeze_time(NOW):
        load(store, {"early": event("2017-01-01T00:45:00+00:00")})
        assert hit_ids(query.execute(store)) == ["early"]
    with freeze_time("2017-01-01 01:30:00"):
        load(store, {"late": event("2017-01-01T01:25:00+00:00")})
        assert hit_ids(query.execute(store)) == ["late"]


@freeze_time(NOW)
def test_should_clauses_require_at_least_one_match(store):
    load(
        store,
        {
            "sshd": event("2017-01-01T00:50:00+00:00", program="sshd"),
            "sudo": event("2017-01-01T00:50:00+00:00", program="sudo"),
            "cron": event("2017-01-01T00:50:00+00:00", program="cron"),
        },
    )
    query = syslog_query()
    query.add_should([TermMatch("details.program", "sshd"), TermMatch("details.program", "sudo")])
    assert hit_ids(query.execute(store)) == ["sshd", "sudo"]


@freeze_time(NOW)
def test_must_not_and_composed_builders_run(store):
    load(
        store,
        {
            "sshd": event("2017-01-01T00:50:00+00:00", program="sshd"),
            "sudo": event("2017-01-01T00:50:00+00:00", program="sudo"),
            "cron": event("2017-01-01T00:50:00+00:00", program="cron"),
        },
    )
    query = syslog_query()
    query.add_must_not(TermMatch("details.program", "cron") | TermMatch("details.program", "sudo"))
    assert hit_ids(query.execute(store)) == ["sshd"]


@freeze_time(NOW)
def test_subnet_match_masks_host_bits_on_ipv4_and_ipv6(store):
    load(
        store,
        {
            "inside-v4": event("2017-01-01T00:50:00+00:00", ip="10.99.88.77"),
            "outside-v4": event("2017-01-01T00:50:00+00:00", ip="11.0.0.1"),
            "inside-v6": event("2017-01-01T00:50:00+00:00", ip="2001:db8:1::5"),
            "outside-v6": event("2017-01-01T00:50:00+00:00", ip="2001:db9::5"),
        },
    )
    v4 = syslog_query()
    v4.add_must(SubnetMatch("details.sourceipaddress", "10.1.2.3/8"))
    v6 = syslog_query()
    v6.add_must(SubnetMatch("details.sourceipaddress", "2001:db8:ffff::1/32"))
    assert hit_ids(v4.execute(store)) == ["inside-v4"]
    assert hit_ids(v6.execute(store)) == ["inside-v6"]


@freeze_time(NOW)
def test_aggregation_counts_the_window_in_mozdefs_shape(store):
    events = {f"a{n}": event("2017-01-01T00:50:00+00:00", ip="10.0.0.1") for n in range(3)}
    events |= {f"c{n}": event("2017-01-01T00:55:00+00:00", ip="10.0.0.3") for n in range(3)}
    events |= {"b": event("2017-01-01T00:59:00+00:00", ip="10.0.0.2")}
    events |= {"old": event("2017-01-01T00:10:00+00:00", ip="10.0.0.2")}
    load(store, events)
    query = syslog_query()
    query.add_aggregation(Aggregation("details.sourceipaddress"))
    results = query.execute(store, size=2)
    assert set(results) == {"meta", "hits", "aggregations"}
    assert len(results["hits"]) == 2
    assert results["aggregations"] == {
        "details.sourceipaddress": {
            "terms": [
                {"key": "10.0.0.1", "count": 3},
                {"key": "10.0.0.3", "count": 3},
                {"key": "10.0.0.2", "count": 1},
            ]
        }
    }


@freeze_time(NOW)
def test_aggregation_size_limits_the_buckets(store):
    events = {
        f"{ip}-{n}": event("2017-01-01T00:50:00+00:00", ip=ip)
        for ip in ("10.0.0.1", "10.0.0.2")
        for n in range(2)
    }
    load(store, events)
    query = syslog_query()
    query.add_aggregation(Aggregation("details.sourceipaddress", 1))
    assert query.execute(store)["aggregations"]["details.sourceipaddress"]["terms"] == [
        {"key": "10.0.0.1", "count": 2}
    ]


@freeze_time(NOW)
def test_default_indices_are_today_and_yesterday(store):
    in_window = event("2017-01-01T00:50:00+00:00")
    store.index("events-20161230", in_window, id="two-days-ago")
    store.index("events-20161231", in_window, id="yesterday")
    store.index("events", in_window, id="today")
    store.refresh()
    query = syslog_query()
    assert hit_ids(query.execute(store)) == ["today", "yesterday"]
    assert hit_ids(query.execute(store, indices="events-20161230")) == ["two-days-ago"]
    assert hit_ids(query.execute(store, indices=["events-weekly"])) == [
        "today",
        "two-days-ago",
        "yesterday",
    ]


@freeze_time(NOW)
def test_missing_indices_are_skipped(store):
    assert syslog_query().execute(store) == {"meta": {"timed_out": False}, "hits": []}


def test_a_query_with_no_clauses_raises_attribute_error_as_mozdef_did(store):
    with pytest.raises(AttributeError, match="Must define a must, must_not, should query"):
        SearchQuery(minutes=20).execute(store)


@pytest.mark.slow
def test_issue_check_from_a_plain_python_started_in_alerts():
    script = textwrap.dedent(
        """
        from datetime import datetime, timedelta, timezone
        from lib.store import open_store
        from lib.query_models import SearchQuery, TermMatch
        s = open_store('memory://t')
        now = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
        s.index('events', {'category': 'syslog', 'utctimestamp': now, 'receivedtimestamp': now})
        s.refresh()
        q = SearchQuery(minutes=20)
        q.add_must(TermMatch('category', 'syslog'))
        r = q.execute(s)
        assert len(r['hits']) == 1 and r['meta'] == {'timed_out': False}, r
        print('ok', r['hits'][0]['_index'])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ALERTS_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok events-")
