"""query_string: Lucene syntax (parsed by luqum) evaluated with Elasticsearch's rules.

Reference: https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
(query string syntax: field names, wildcards, regular expressions, ranges, boolean
operators, grouping, reserved characters; `default_field` `*` searches all eligible
fields and is lenient; `default_operator`; `allow_leading_wildcard`). Wildcard terms
are normalized by the field's analyzer (lowercased on text fields, as-is on keyword):
elastic/elasticsearch pull request #71751 keeps that normalization for query_string only.
Fields searched by `*`: every field whose type supports text search (QueryParserHelper).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.dates import parse_date
from lib.store.engine import compile_query
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping
from lib.store.querystring import parse_query_string

NOW = parse_date("2017-01-02T12:00:00Z")
DOCS: dict[str, dict[str, Any]] = {
    "fail": {
        "utctimestamp": "2017-01-02T11:59:00Z",
        "category": "authentication",
        "hostname": "web1.example.com",
        "summary": "Failed password for root from 10.99.88.77 port 22",
        "details": {
            "sourceipaddress": "10.99.88.77",
            "program": "sshd",
            "success": False,
            "path": "C:\\Windows",
        },
    },
    "ok": {
        "utctimestamp": "2017-01-02T06:30:00-05:00",
        "category": "authentication",
        "hostname": "db1",
        "summary": "Accepted publickey for bob from 2001:db8::7",
        "details": {"sourceipaddress": "2001:db8::7", "program": "sshd", "success": True},
        "tags": ["vpn"],
    },
    "cron": {
        "utctimestamp": "2017-01-01T10:00:00Z",
        "category": "syslog",
        "hostname": "web2",
        "summary": "session opened for user root by (uid=0)",
        "details": {"sourceipaddress": "192.168.1.5", "program": "CRON", "weird": "a+b(c)"},
    },
}
ALL = set(DOCS)


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    result = Mapping.from_body(copy.deepcopy(DEFAULT_TEMPLATE))
    for doc in DOCS.values():
        result.prepare(doc)
    return result


def matching(params: dict[str, Any], mapping: Mapping) -> set[str]:
    predicate = compile_query({"query_string": params}, mapping, NOW)
    return {doc_id for doc_id, doc in DOCS.items() if predicate(doc, doc_id)}


CASES = [
    ("field-value", "category:syslog", {"cron"}),
    ("field-space-after-colon", "category: syslog", {"cron"}),
    ("keyword-field-case-sensitive", "details.program:cron", set()),
    ("text-field-analyzed", "summary:FAILED", {"fail"}),
    ("bare-term-all-fields", "sshd", {"fail", "ok"}),
    ("bare-term-text-field", "publickey", {"ok"}),
    ("bare-ip-term-all-fields-lenient", "10.99.88.77", {"fail"}),
    ("bare-term-not-an-ip-is-lenient", "bob", {"ok"}),
    ("phrase", 'summary:"failed password"', {"fail"}),
    ("phrase-order", 'summary:"password failed"', set()),
    ("phrase-bare", '"session opened"', {"cron"}),
    ("and", "category:authentication AND details.success:true", {"ok"}),
    ("double-ampersand", "category:authentication && details.success:true", {"ok"}),
    ("or", "details.program:CRON OR details.success:true", {"ok", "cron"}),
    ("double-pipe", "details.program:CRON || details.success:true", {"ok", "cron"}),
    ("not", "category:authentication AND NOT details.success:true", {"fail"}),
    ("bang", "category:authentication AND !details.success:true", {"fail"}),
    ("minus", "category:authentication -details.success:true", {"fail"}),
    ("plus-required", "+category:syslog root", {"cron"}),
    ("not-alone-matches-the-rest", "NOT category:syslog", {"fail", "ok"}),
    ("implicit-or-default", "details.program:CRON details.success:false", {"fail", "cron"}),
    (
        "parentheses",
        "category:authentication AND (details.success:false OR hostname:db1)",
        {"fail", "ok"},
    ),
    ("field-group", "details.program:(CRON OR nope)", {"cron"}),
    (
        "lucene-no-precedence-or-and",
        "hostname:web2 OR category:authentication AND details.success:true",
        {"ok"},
    ),
    ("wildcard-keyword", "hostname:web*", {"fail", "cron"}),
    ("wildcard-keyword-case-sensitive", "hostname:WEB*", set()),
    ("wildcard-text-lowercased", "summary:FAIL*", {"fail"}),
    ("wildcard-question", "hostname:web?", {"cron"}),
    ("wildcard-leading", "hostname:*example.com", {"fail"}),
    ("wildcard-bare-all-fields", "*ccepted*", {"ok"}),
    ("regex", "details.program:/[a-z]+/", {"fail", "ok"}),
    ("regex-anchored", "details.program:/ss/", set()),
    ("range-ip-inclusive", "details.sourceipaddress:[10.0.0.0 TO 10.255.255.255]", {"fail"}),
    ("range-ip-exclusive", "details.sourceipaddress:{10.99.88.77 TO 192.168.1.5]", {"cron"}),
    ("range-ip-open", "details.sourceipaddress:[192.168.0.0 TO *]", {"ok", "cron"}),
    ("range-date-inclusive-day", "utctimestamp:[2017-01-01 TO 2017-01-01]", {"cron"}),
    (
        "range-date-quoted-bounds",
        'utctimestamp:["2017-01-02T11:00:00Z" TO "2017-01-02T12:00:00Z"]',
        {"fail", "ok"},
    ),
    ("range-date-gte-operator", "utctimestamp:>=2017-01-02T11:45:00Z", {"fail"}),
    ("range-date-now-math", "utctimestamp:>now-2h", {"fail", "ok"}),
    ("range-keyword", "hostname:[db1 TO web2]", {"fail", "ok", "cron"}),
    ("range-keyword-exclusive", "hostname:{db1 TO web2}", {"fail"}),
    ("exists", "_exists_:tags", {"ok"}),
    ("not-exists", "NOT _exists_:tags", {"fail", "cron"}),
    ("field-star-is-exists", "tags:*", {"ok"}),
    ("star-alone-matches-all", "*", ALL),
    ("escaped-colon-and-backslash", "details.path:C\\:\\\\Windows", {"fail"}),
    ("escaped-reserved", "details.weird:a\\+b\\(c\\)", {"cron"}),
    ("escaped-ipv6-colons", "details.sourceipaddress:2001\\:db8\\:\\:7", {"ok"}),
    ("quoted-ipv6", 'details.sourceipaddress:"2001:db8::7"', {"ok"}),
    ("ip-cidr-quoted", 'details.sourceipaddress:"10.0.0.0/8"', {"fail"}),
    ("boolean-field", "details.success:false", {"fail"}),
    ("date-field-term-whole-day", "utctimestamp:2017-01-01", {"cron"}),
    ("unmapped-field", "nope:x", set()),
    ("field-pattern", "details.\\*:CRON", {"cron"}),
]


@pytest.mark.parametrize(("query", "expected"), [pytest.param(q, e, id=i) for i, q, e in CASES])
def test_query_string_semantics(mapping: Mapping, query: str, expected: set[str]) -> None:
    assert matching({"query": query}, mapping) == expected


def test_default_field(mapping: Mapping) -> None:
    assert matching({"query": "root", "default_field": "summary"}, mapping) == {"fail", "cron"}
    assert matching({"query": "root", "default_field": "category"}, mapping) == set()


def test_fields_list(mapping: Mapping) -> None:
    assert matching({"query": "CRON", "fields": ["details.program", "category"]}, mapping) == {
        "cron"
    }


def test_default_operator_and(mapping: Mapping) -> None:
    params = {"query": "category:authentication details.success:true", "default_operator": "AND"}
    assert matching(params, mapping) == {"ok"}
    assert matching({**params, "default_operator": "OR"}, mapping) == {"fail", "ok"}


def test_default_operator_applies_inside_an_analysed_term(mapping: Mapping) -> None:
    """A term the analyzer splits (foo-bar) combines its tokens with default_operator."""
    assert matching({"query": "summary:failed-bob"}, mapping) == {"fail", "ok"}
    assert matching({"query": "summary:failed-bob", "default_operator": "AND"}, mapping) == set()


def test_leading_wildcard_can_be_refused(mapping: Mapping) -> None:
    with pytest.raises(QueryError, match="not allowed as first character"):
        matching({"query": "hostname:*1", "allow_leading_wildcard": False}, mapping)


def test_explicit_field_is_not_lenient(mapping: Mapping) -> None:
    """Only the all-fields (`*`) default is lenient; a bad IP for a named ip field is an error."""
    with pytest.raises(QueryError, match="not an IP"):
        matching({"query": "nope", "default_field": "details.sourceipaddress"}, mapping)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("(category:syslog", id="unbalanced-parenthesis"),
        pytest.param("category:syslog AND", id="dangling-operator"),
        pytest.param('"unterminated', id="unterminated-phrase"),
        pytest.param("hostname:[a TO]", id="incomplete-range"),
        pytest.param("utctimestamp:2017-01-02T11:59:00Z", id="unescaped-colon-in-a-value"),
        pytest.param("hostname:web1.example.com:80", id="second-field-colon"),
        pytest.param("hostname:web1^", id="boost-without-a-number"),
    ],
)
def test_malformed_query_string_carries_the_parser_message(mapping: Mapping, query: str) -> None:
    with pytest.raises(QueryError, match="Failed to parse query"):
        parse_query_string({"query": query}, mapping)


@pytest.mark.parametrize("query", [pytest.param("roam~2", id="fuzzy"), pytest.param("roam~")])
def test_fuzzy_terms_are_unsupported_and_named(mapping: Mapping, query: str) -> None:
    with pytest.raises(UnsupportedQueryError, match="fuzzy"):
        parse_query_string({"query": query}, mapping)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"query": 'summary:"password failed"~2'}, {"fail"}, id="tilde-n-is-slop"),
        pytest.param({"query": 'summary:"password failed"~1'}, set(), id="transposition-needs-2"),
        pytest.param({"query": 'summary:"password failed"'}, set(), id="no-tilde-is-exact"),
        pytest.param(
            {"query": 'summary:"password failed"', "phrase_slop": 2},
            {"fail"},
            id="phrase-slop-is-the-default-slop",
        ),
        pytest.param(
            {"query": 'summary:"password failed"~0', "phrase_slop": 2},
            set(),
            id="explicit-slop-wins-over-phrase-slop",
        ),
    ],
)
def test_phrase_proximity_is_a_sloppy_match_phrase(
    mapping: Mapping, params: dict[str, Any], expected: set[str]
) -> None:
    """Query string syntax, "Proximity searches" ("quick fox"~5: words up to 5 moves apart,
    in any order) and the phrase_slop parameter,
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
    """
    assert matching(params, mapping) == expected


def test_proximity_translates_to_match_phrase_with_slop(mapping: Mapping) -> None:
    translated = parse_query_string({"query": 'summary:"a b"~3'}, mapping)
    assert translated["match_phrase"]["summary"]["slop"] == 3


def test_escaped_colons_and_colons_in_phrases_are_values(mapping: Mapping) -> None:
    """Lucene query syntax: reserved characters escaped with a backslash are literal."""
    assert matching({"query": 'utctimestamp:"2017-01-02T11:59:00Z"'}, mapping) == {"fail"}
    assert matching({"query": "utctimestamp:2017-01-02T11\\:59\\:00Z"}, mapping) == {"fail"}


def test_empty_query_matches_nothing(mapping: Mapping) -> None:
    assert matching({"query": "  "}, mapping) == set()


def test_translation_is_plain_dsl(mapping: Mapping) -> None:
    assert parse_query_string({"query": "category:syslog"}, mapping) == {
        "match": {"category": {"query": "syslog", "operator": "or", "lenient": True}}
    }
    assert parse_query_string({"query": "-category:syslog", "default_field": "x"}, mapping) == {
        "bool": {
            "must_not": [
                {"match": {"category": {"query": "syslog", "operator": "or", "lenient": False}}}
            ]
        }
    }
