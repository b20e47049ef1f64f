"""Golden DSL of each query builder: the exact Elasticsearch query dict it compiles to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from elasticsearch.dsl import Q

from lib.errors import QueryError
from lib.query_models import (
    Aggregation,
    BooleanMatch,
    ExistsMatch,
    LessThanMatch,
    PhraseMatch,
    QueryStringMatch,
    RangeMatch,
    SubnetMatch,
    TermMatch,
    TermsMatch,
    WildcardMatch,
    to_dsl,
)

GOLDEN = [
    pytest.param(
        TermMatch("details.program", "sshd"),
        {"match": {"details.program": "sshd"}},
        id="TermMatch is a match query, as MozDef's",
    ),
    pytest.param(
        TermsMatch("category", ["syslog", "auth"]),
        {"terms": {"category": ["syslog", "auth"]}},
        id="TermsMatch is a terms query",
    ),
    pytest.param(
        TermsMatch("category", ("syslog",)),
        {"terms": {"category": ["syslog"]}},
        id="TermsMatch sends a tuple as a JSON array",
    ),
    pytest.param(
        PhraseMatch("summary", "failed password"),
        {"match_phrase": {"summary": "failed password"}},
        id="PhraseMatch is a match_phrase query",
    ),
    pytest.param(
        QueryStringMatch("details.program: sshd AND NOT category:x"),
        {"query_string": {"query": "details.program: sshd AND NOT category:x"}},
        id="QueryStringMatch is a query_string query",
    ),
    pytest.param(
        ExistsMatch("details.sourceipaddress"),
        {"exists": {"field": "details.sourceipaddress"}},
        id="ExistsMatch is an exists query",
    ),
    pytest.param(
        RangeMatch("details.count", 5, 10),
        {"range": {"details.count": {"gte": 5, "lte": 10}}},
        id="RangeMatch is an inclusive range query",
    ),
    pytest.param(
        RangeMatch("utctimestamp", "now-5m", "now"),
        {"range": {"utctimestamp": {"gte": "now-5m", "lte": "now"}}},
        id="RangeMatch passes date math through",
    ),
    pytest.param(
        RangeMatch(
            "utctimestamp",
            datetime(2017, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2017, 1, 1, 1, 0, 0, 123456),
        ),
        {
            "range": {
                "utctimestamp": {
                    "gte": "2017-01-01T00:00:00.000+00:00",
                    "lte": "2017-01-01T01:00:00.123+00:00",
                }
            }
        },
        id="RangeMatch sends datetimes as UTC ISO text, naive ones taken as UTC",
    ),
    pytest.param(
        LessThanMatch("details.count", 3),
        {"range": {"details.count": {"lt": 3}}},
        id="LessThanMatch is an exclusive upper-bound range",
    ),
    pytest.param(
        WildcardMatch("details.hostname", "web*.example.?om"),
        {"wildcard": {"details.hostname": "web*.example.?om"}},
        id="WildcardMatch is a wildcard query",
    ),
    pytest.param(
        SubnetMatch("details.sourceipaddress", "10.1.1.0/24"),
        {"term": {"details.sourceipaddress": "10.1.1.0/24"}},
        id="SubnetMatch is a term query with the CIDR (ES docs: IP field type)",
    ),
    pytest.param(
        SubnetMatch("details.sourceipaddress", "10.1.2.3/8"),
        {"term": {"details.sourceipaddress": "10.0.0.0/8"}},
        id="SubnetMatch masks host bits as Elasticsearch does",
    ),
    pytest.param(
        SubnetMatch("details.sourceipaddress", "2001:db8:aa::1/32"),
        {"term": {"details.sourceipaddress": "2001:db8::/32"}},
        id="SubnetMatch takes IPv6 networks",
    ),
    pytest.param(
        SubnetMatch("details.sourceipaddress", "192.168.7.9"),
        {"term": {"details.sourceipaddress": "192.168.7.9/32"}},
        id="SubnetMatch takes a bare address as its own network",
    ),
    pytest.param(
        BooleanMatch(must=[TermMatch("a", "1")], must_not=[TermMatch("b", "2")]),
        {"bool": {"must": [{"match": {"a": "1"}}], "must_not": [{"match": {"b": "2"}}]}},
        id="BooleanMatch without should has no minimum_should_match",
    ),
    pytest.param(
        BooleanMatch(must=TermMatch("a", "1"), should=[TermMatch("b", "2"), TermMatch("c", "3")]),
        {
            "bool": {
                "must": [{"match": {"a": "1"}}],
                "should": [{"match": {"b": "2"}}, {"match": {"c": "3"}}],
                "minimum_should_match": 1,
            }
        },
        id="BooleanMatch should means at least one of, next to must too",
    ),
    pytest.param(BooleanMatch(), {"bool": {}}, id="BooleanMatch with no clauses matches all"),
]


@pytest.mark.parametrize(("builder", "expected"), GOLDEN)
def test_builder_compiles_to_its_dsl(builder, expected):
    assert to_dsl(builder) == expected


def test_aggregation_is_a_terms_aggregation_with_twenty_buckets_by_default():
    assert Aggregation("details.sourceipaddress").to_dict() == {
        "terms": {"field": "details.sourceipaddress", "size": 20}
    }


@pytest.mark.parametrize(
    "aggregation",
    [
        pytest.param(Aggregation("f", 5), id="positional"),
        pytest.param(Aggregation("f", size=5), id="size keyword"),
        pytest.param(Aggregation("f", aggregation_size=5), id="MozDef's aggregation_size"),
    ],
)
def test_aggregation_size_can_be_given_every_way(aggregation):
    assert aggregation.to_dict() == {"terms": {"field": "f", "size": 5}}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: SubnetMatch("ip", "10.0.0.300/8"), "not a CIDR", id="bad CIDR"),
        pytest.param(lambda: SubnetMatch("ip", "10.0.0.0/33"), "not a CIDR", id="bad prefix"),
        pytest.param(lambda: TermsMatch("f", "one"), "list of values", id="terms of a string"),
        pytest.param(lambda: TermsMatch("f", 3), "list of values", id="terms of a number"),
        pytest.param(lambda: TermMatch("", "x"), "field name", id="empty field name"),
        pytest.param(lambda: ExistsMatch(None), "field name", id="missing field name"),
        pytest.param(lambda: QueryStringMatch(" "), "non-empty", id="blank query string"),
        pytest.param(lambda: Aggregation("f", 0), "positive int", id="zero buckets"),
        pytest.param(lambda: Aggregation("f", "5"), "positive int", id="size as text"),
        pytest.param(lambda: BooleanMatch(must=[{"match": {}}]), "query builders", id="dict"),
    ],
)
def test_bad_builder_input_is_refused_with_a_clear_error(build, message):
    with pytest.raises(QueryError, match=message):
        build()


def test_subnet_error_names_the_field_and_value():
    with pytest.raises(QueryError, match=r"SubnetMatch\('ip'\): 'nonsense'"):
        SubnetMatch("ip", "nonsense")


def test_builders_accept_raw_elasticsearch_dsl_queries():
    query = BooleanMatch(must=[Q("ids", values=["a"])])
    assert to_dsl(query) == {"bool": {"must": [{"ids": {"values": ["a"]}}]}}
