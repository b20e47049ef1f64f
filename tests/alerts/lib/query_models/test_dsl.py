"""Golden DSL of composed builders (`|`, `&`, `~`, nesting) and the compiler's own rules.

Rule: "should" means "at least one of" on every Elasticsearch version. Elasticsearch 6
required a should clause only in filter context or with no must/filter ("Bool Query",
Elasticsearch reference 6.8); 7 and later default `minimum_should_match` to 0 whenever
must or filter is present ("Boolean query", reference 7.8, "Using
minimum_should_match"). So every bool with should clauses is sent with
`minimum_should_match`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from elasticsearch.dsl import Q

from lib.errors import QueryError
from lib.query_models import Aggregation, BooleanMatch, ExistsMatch, TermMatch, aggs_dsl, to_dsl

A = TermMatch("a", "1")
B = TermMatch("b", "2")
C = TermMatch("c", "3")
MA, MB, MC = {"match": {"a": "1"}}, {"match": {"b": "2"}}, {"match": {"c": "3"}}


def _bool(**clauses):
    return {"bool": clauses}


COMPOSITIONS = [
    pytest.param(A | B, _bool(should=[MA, MB], minimum_should_match=1), id="a | b"),
    pytest.param(A & B, _bool(must=[MA, MB]), id="a & b"),
    pytest.param(~A, _bool(must_not=[MA]), id="~a"),
    pytest.param(~~A, MA, id="~~a is a"),
    pytest.param(A | B | C, _bool(should=[MA, MB, MC], minimum_should_match=1), id="a | b | c"),
    pytest.param(A & B & C, _bool(must=[MA, MB, MC]), id="a & b & c"),
    pytest.param(~(A | B), _bool(must_not=[MA, MB]), id="~(a | b) is neither"),
    pytest.param(
        ~(A & B),
        _bool(should=[_bool(must_not=[MA]), _bool(must_not=[MB])], minimum_should_match=1),
        id="~(a & b) is not a or not b",
    ),
    pytest.param(
        (A | B) & C,
        _bool(should=[MA, MB], must=[MC], minimum_should_match=1),
        id="(a | b) & c keeps at least one of a, b",
    ),
    pytest.param(
        (A | B) & ~C,
        _bool(should=[MA, MB], must_not=[MC], minimum_should_match=1),
        id="(a | b) & ~c",
    ),
    pytest.param(
        (A | B) & (B | C),
        _bool(
            should=[MA, MB],
            must=[_bool(should=[MB, MC], minimum_should_match=1)],
            minimum_should_match=1,
        ),
        id="(a | b) & (b | c) nests the second group",
    ),
    pytest.param(
        ~BooleanMatch(must=[A], should=[B]),
        _bool(should=[_bool(must_not=[MA]), _bool(must_not=[MB])], minimum_should_match=1),
        id="~BooleanMatch negates its should clauses too",
    ),
    pytest.param(
        BooleanMatch(must=[A], should=[B]) | C,
        _bool(
            should=[_bool(must=[MA], should=[MB], minimum_should_match=1), MC],
            minimum_should_match=1,
        ),
        id="BooleanMatch | c",
    ),
    pytest.param(
        BooleanMatch(must_not=[A | ExistsMatch("x")], should=[B & C]),
        _bool(
            must_not=[_bool(should=[MA, {"exists": {"field": "x"}}], minimum_should_match=1)],
            should=[_bool(must=[MB, MC])],
            minimum_should_match=1,
        ),
        id="nested bools each carry minimum_should_match",
    ),
]


@pytest.mark.parametrize(("query", "expected"), COMPOSITIONS)
def test_composition_compiles_to_its_dsl(query, expected):
    assert to_dsl(query) == expected


def test_an_explicit_minimum_should_match_is_kept():
    query = Q("bool", should=[A, B, C], minimum_should_match=2)
    assert to_dsl(query) == _bool(should=[MA, MB, MC], minimum_should_match=2)


def test_raw_bool_with_must_and_should_gets_at_least_one_of():
    """Under Elasticsearch 7+ this would make should optional; Vigil sends it required."""
    query = Q("bool", must=[A], should=[B])
    assert to_dsl(query) == _bool(must=[MA], should=[MB], minimum_should_match=1)


def test_a_field_named_bool_is_not_taken_for_a_bool_query():
    query = Q("match", bool={"query": "x"}) | B
    assert to_dsl(query) == _bool(
        should=[{"match": {"bool": {"query": "x"}}}, MB], minimum_should_match=1
    )


def test_datetimes_in_raw_queries_become_utc_iso_text():
    query = Q("range", utctimestamp={"gt": datetime(2017, 1, 1, 1, 0, 0, 500, tzinfo=UTC)})
    assert to_dsl(query) == {"range": {"utctimestamp": {"gt": "2017-01-01T01:00:00.000+00:00"}}}


def test_compiling_does_not_change_the_builder():
    query = A | B
    to_dsl(query)
    assert query.to_dict() == _bool(should=[MA, MB])


def test_to_dsl_refuses_anything_but_a_builder():
    with pytest.raises(QueryError, match="to_dsl takes a query builder"):
        to_dsl({"match": {"a": "1"}})


def test_aggregations_are_named_after_their_field_as_mozdef_did():
    aggs = aggs_dsl([Aggregation("details.sourceipaddress"), Aggregation("details.username", 5)])
    assert aggs == {
        "details.sourceipaddress": {"terms": {"field": "details.sourceipaddress", "size": 20}},
        "details.username": {"terms": {"field": "details.username", "size": 5}},
    }
