"""SearchQuery's request: the golden body, the time window, and that building never mutates.

The window is `utctimestamp` OR `receivedtimestamp` in [now - window, now], inclusive
(`gte`/`lte`, "Range query" in the Elasticsearch reference), sent as absolute UTC
timestamps so no store evaluates it with its own clock.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from lib.errors import QueryError
from lib.query_models import (
    Aggregation,
    ExistsMatch,
    PhraseMatch,
    SearchQuery,
    TermMatch,
    TermsMatch,
)

NOW = "2017-01-01 01:00:00"
BEGIN_TEXT = "2017-01-01T00:40:00.000+00:00"
END_TEXT = "2017-01-01T01:00:00.000+00:00"


def window_dsl(begin=BEGIN_TEXT, end=END_TEXT):
    return {
        "bool": {
            "should": [
                {"range": {"utctimestamp": {"gte": begin, "lte": end}}},
                {"range": {"receivedtimestamp": {"gte": begin, "lte": end}}},
            ],
            "minimum_should_match": 1,
        }
    }


def bruteforce_query():
    query = SearchQuery(minutes=20)
    query.add_must([TermMatch("category", "syslog"), PhraseMatch("summary", "failed password")])
    query.add_must_not(TermMatch("details.sourceipaddress", "10.0.0.1"))
    query.add_aggregation(Aggregation("details.sourceipaddress"))
    return query


@freeze_time(NOW)
def test_request_body_is_the_golden_dict():
    assert bruteforce_query().request_body() == {
        "query": {
            "bool": {
                "filter": [
                    window_dsl(),
                    {
                        "bool": {
                            "must": [
                                {"match": {"category": "syslog"}},
                                {"match_phrase": {"summary": "failed password"}},
                            ],
                            "must_not": [{"match": {"details.sourceipaddress": "10.0.0.1"}}],
                        }
                    },
                ]
            }
        },
        "size": 1000,
        "track_total_hits": True,
        "aggs": {
            "details.sourceipaddress": {"terms": {"field": "details.sourceipaddress", "size": 20}}
        },
    }


@freeze_time(NOW)
def test_should_clauses_mean_at_least_one_of():
    query = SearchQuery(minutes=20)
    query.add_must(TermMatch("category", "syslog"))
    query.add_should([TermMatch("a", "1"), TermMatch("b", "2")])
    clauses = query.request_body(size=5)["query"]["bool"]["filter"][1]
    assert clauses == {
        "bool": {
            "must": [{"match": {"category": "syslog"}}],
            "should": [{"match": {"a": "1"}}, {"match": {"b": "2"}}],
            "minimum_should_match": 1,
        }
    }


@freeze_time(NOW)
def test_no_aggregation_means_no_aggs_key():
    query = SearchQuery(hours=1)
    query.add_must(ExistsMatch("details.program"))
    body = query.request_body(size=10)
    assert set(body) == {"query", "size", "track_total_hits"}
    assert body["size"] == 10
    assert body["query"]["bool"]["filter"][0] == window_dsl("2017-01-01T00:00:00.000+00:00")


def test_without_a_window_only_the_clauses_are_sent():
    query = SearchQuery()
    query.add_must(TermMatch("_id", "abc"))
    assert query.request_body()["query"] == {
        "bool": {"filter": [{"bool": {"must": [{"match": {"_id": "abc"}}]}}]}
    }


@freeze_time(NOW)
def test_aggregation_only_query_filters_on_the_window_alone():
    query = SearchQuery(minutes=20)
    query.add_aggregation(Aggregation("category"))
    assert query.request_body()["query"] == {"bool": {"filter": [window_dsl()]}}


def test_no_window_and_no_clauses_matches_all():
    query = SearchQuery()
    query.add_aggregation(Aggregation("category"))
    assert query.request_body()["query"] == {"match_all": {}}


@pytest.mark.parametrize(
    ("kwargs", "begin"),
    [
        pytest.param({"minutes": 20}, "2017-01-01T00:40:00.000+00:00", id="minutes"),
        pytest.param({"hours": 2}, "2016-12-31T23:00:00.000+00:00", id="hours"),
        pytest.param({"days": 1, "seconds": 30}, "2016-12-31T00:59:30.000+00:00", id="mixed"),
        pytest.param({"milliseconds": 1}, "2017-01-01T00:59:59.999+00:00", id="milliseconds"),
    ],
)
@freeze_time(NOW)
def test_window_takes_any_timedelta_keywords(kwargs, begin):
    compiled = SearchQuery(**kwargs).request_body()["query"]["bool"]["filter"][0]
    assert compiled == window_dsl(begin)


def test_window_moves_with_the_clock():
    query = SearchQuery(minutes=20)
    query.add_must(TermMatch("category", "syslog"))
    with freeze_time(NOW):
        first = query.request_body()
    with freeze_time("2017-01-01 01:05:00"):
        second = query.request_body()
    assert first["query"]["bool"]["filter"][0] == window_dsl()
    assert second["query"]["bool"]["filter"][0] == window_dsl(
        "2017-01-01T00:45:00.000+00:00", "2017-01-01T01:05:00.000+00:00"
    )


def test_window_can_be_computed_for_a_given_instant_in_any_zone():
    query = SearchQuery(minutes=20)
    query.add_must(TermMatch("category", "syslog"))
    paris = timezone(timedelta(hours=1))
    body = query.request_body(now=datetime(2017, 1, 1, 2, 0, tzinfo=paris))
    assert body["query"]["bool"]["filter"][0] == window_dsl()


@freeze_time("2017-01-01 01:00:00.123456")
def test_window_is_sent_to_the_millisecond():
    query = SearchQuery(minutes=20)
    query.add_must(TermMatch("category", "syslog"))
    assert query.request_body()["query"]["bool"]["filter"][0] == window_dsl(
        "2017-01-01T00:40:00.123+00:00", "2017-01-01T01:00:00.123+00:00"
    )


@freeze_time(NOW)
def test_building_the_request_twice_gives_the_same_request_and_leaves_the_query_alone():
    query = bruteforce_query()
    before = (list(query.must), list(query.must_not), list(query.should), list(query.aggregation))
    first = copy.deepcopy(query.request_body())
    assert query.request_body() == first
    assert (query.must, query.must_not, query.should, query.aggregation) == before
    assert len(query.must) == 2


def test_add_methods_take_one_builder_or_a_list():
    query = SearchQuery()
    query.add_must(TermMatch("a", "1"))
    query.add_must([TermMatch("b", "2"), TermsMatch("c", ["3"])])
    query.add_should([])
    query.add_aggregation([Aggregation("a"), Aggregation("b")])
    assert len(query.must) == 3
    assert query.should == []
    assert len(query.aggregation) == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda q: q.add_must("category:syslog"), "add_must takes", id="must str"),
        pytest.param(lambda q: q.add_should([None]), "add_should takes", id="should None"),
        pytest.param(lambda q: q.add_must_not({"a": 1}), "add_must_not takes", id="dict"),
        pytest.param(lambda q: q.add_aggregation("f"), "Aggregation", id="aggregation str"),
        pytest.param(
            lambda q: q.add_aggregation(TermMatch("a", "1")), "Aggregation", id="query as agg"
        ),
        pytest.param(lambda q: q.request_body(size=-1), "size", id="negative size"),
        pytest.param(lambda q: q.request_body(size="10"), "size", id="size as text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(call, message):
    with pytest.raises(QueryError, match=message):
        call(SearchQuery(minutes=5))


def test_unknown_window_keyword_is_refused():
    with pytest.raises(TypeError, match="fortnights"):
        SearchQuery(fortnights=1)


def test_negative_window_is_refused():
    with pytest.raises(QueryError, match="negative"):
        SearchQuery(minutes=-5)
