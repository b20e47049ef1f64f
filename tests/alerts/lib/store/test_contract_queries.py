"""Contract: the query DSL clauses, evaluated as Elasticsearch evaluates them.

Most cases run over MozDef's mapping and six MozDef-shaped events
(tests/files/contract_events.json: e1..e6). Every case id names the rule; each test's
docstring cites the Elasticsearch reference page the rule comes from.
"""

from __future__ import annotations

import pytest

ALL = ("e1", "e2", "e3", "e4", "e5", "e6")
SSHD = ("e1", "e2", "e3", "e6")


def case(rule: str, query: dict, *expected: str) -> pytest.param:
    """One table row: the query, the ids it must match, the rule as the test id."""
    return pytest.param(query, set(expected), id=rule)


MATCH_CASES = [
    case("match-keyword-whole-value", {"match": {"processname": "sshd"}}, *SSHD),
    case("match-keyword-no-partial-value", {"match": {"hostname": "web1"}}),
    case("match-keyword-case-sensitive", {"match": {"hostname": "web1.example.com"}}, "e1", "e4"),
    case(
        "match-text-any-analyzed-term", {"match": {"summary": "ACCEPTED invalid"}}, "e2", "e3", "e6"
    ),
    case(
        "match-text-operator-or-is-default",
        {"match": {"summary": "failed root"}},
        "e1",
        "e4",
        "e5",
        "e6",
    ),
    case(
        "match-text-operator-and-needs-every-term",
        {"match": {"summary": {"query": "failed root", "operator": "and"}}},
        "e1",
    ),
    case("match-ip-exact-address", {"match": {"details.sourceipaddress": "10.99.88.77"}}, "e2"),
    case(
        "match-ip-cidr-matches-the-range",
        {"match": {"details.sourceipaddress": "10.0.0.0/8"}},
        "e2",
        "e3",
    ),
    case("match-boolean-false", {"match": {"details.success": False}}, "e1", "e3", "e6"),
    case("match-boolean-string-true", {"match": {"details.success": "true"}}, "e2", "e5"),
    case(
        "match-date-same-instant-any-offset",
        {"match": {"utctimestamp": "2026-12-03T10:00:00Z"}},
        "e1",
        "e3",
    ),
    case("match-text-no-tokens-matches-nothing", {"match": {"summary": "!!! ..."}}),
    case("match-mozdef-number-as-keyword", {"match": {"details.sourceport": 22}}, "e1", "e6"),
]


@pytest.mark.parametrize(("query", "expected"), MATCH_CASES)
def test_match(events_index, search_ids, query, expected):
    """match analyzes the query with the field's analyzer; non-text fields match exact values.

    Match query (operator: OR by default; zero_terms_query: none), https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-query.html
    """
    assert search_ids(events_index, query) == expected


PHRASE_CASES = [
    case(
        "match_phrase-terms-in-order", {"match_phrase": {"summary": "failed password"}}, "e1", "e6"
    ),
    case("match_phrase-analyzed", {"match_phrase": {"summary": "FAILED Password FOR"}}, "e1", "e6"),
    case("match_phrase-reversed-order-no-match", {"match_phrase": {"summary": "password failed"}}),
    case("match_phrase-non-adjacent-no-match", {"match_phrase": {"summary": "failed root"}}),
    case(
        "match_phrase-keyword-whole-value",
        {"match_phrase": {"hostname": "web1.example.com"}},
        "e1",
        "e4",
    ),
]


@pytest.mark.parametrize(("query", "expected"), PHRASE_CASES)
def test_match_phrase(events_index, search_ids, query, expected):
    """match_phrase needs the analyzed terms adjacent and in order.

    Match phrase query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-query-phrase.html
    """
    assert search_ids(events_index, query) == expected


TERM_CASES = [
    case("term-keyword-exact", {"term": {"details.username": "root"}}, "e1", "e4", "e5"),
    case("term-keyword-case-sensitive", {"term": {"details.username": "admin"}}),
    case("term-object-form", {"term": {"details.username": {"value": "Admin"}}}, "e3"),
    case("term-text-not-analyzed", {"term": {"summary": "Failed"}}),
    case("term-text-matches-a-token", {"term": {"summary": "failed"}}, "e1", "e6"),
    case("term-keyword-array-any-element", {"term": {"tags": "ssh"}}, "e1"),
    case("term-ip-ipv6-cidr", {"term": {"details.sourceipaddress": "2001:db8::/32"}}, "e5"),
    case("term-date-instant", {"term": {"utctimestamp": "2026-12-03T12:00:00.500Z"}}, "e5"),
    case("term-boolean", {"term": {"details.success": True}}, "e2", "e5"),
    case(
        "term-case_insensitive-option",
        {"term": {"details.username": {"value": "ADMIN", "case_insensitive": True}}},
        "e3",
    ),
]


@pytest.mark.parametrize(("query", "expected"), TERM_CASES)
def test_term(events_index, search_ids, query, expected):
    """term is not analyzed: it matches an exact indexed term (ip fields accept CIDR).

    Term query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-term-query.html
    """
    assert search_ids(events_index, query) == expected


TERMS_CASES = [
    case("terms-any-of-the-values", {"terms": {"details.username": ["alice", "test"]}}, "e2", "e6"),
    case("terms-case-sensitive", {"terms": {"details.username": ["ALICE", "Test"]}}),
    case(
        "terms-ip-addresses-and-cidr",
        {"terms": {"details.sourceipaddress": ["11.22.33.44", "192.168.0.0/16"]}},
        "e1",
        "e6",
    ),
    case("terms-array-any-element", {"terms": {"tags": ["ssh", "nothing"]}}, "e1"),
    case("terms-text-not-analyzed", {"terms": {"summary": ["Failed", "root"]}}, "e1", "e4", "e5"),
]


@pytest.mark.parametrize(("query", "expected"), TERMS_CASES)
def test_terms(events_index, search_ids, query, expected):
    """terms matches documents holding one or more of the exact terms.

    Terms query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-terms-query.html
    """
    assert search_ids(events_index, query) == expected


WILDCARD_CASES = [
    case("wildcard-star-any-chars", {"wildcard": {"hostname": "web*"}}, "e1", "e2", "e4"),
    case(
        "wildcard-question-one-char",
        {"wildcard": {"hostname": "web?.example.com"}},
        "e1",
        "e2",
        "e4",
    ),
    case(
        "wildcard-leading-star", {"wildcard": {"hostname": "*.example.com"}}, "e1", "e2", "e4", "e6"
    ),
    case("wildcard-keyword-case-sensitive", {"wildcard": {"hostname": "WEB*"}}, "e6"),
    case("wildcard-must-match-whole-value", {"wildcard": {"hostname": "web?"}}),
    case("wildcard-object-form", {"wildcard": {"hostname": {"value": "db?"}}}, "e3", "e5"),
    case(
        "wildcard-case_insensitive-option",
        {"wildcard": {"hostname": {"value": "WEB1*", "case_insensitive": True}}},
        "e1",
        "e4",
        "e6",
    ),
    case("wildcard-text-matches-a-token", {"wildcard": {"summary": "pass*"}}, "e1", "e5", "e6"),
    case("wildcard-text-never-spans-tokens", {"wildcard": {"summary": "failed*root"}}),
]


@pytest.mark.parametrize(("query", "expected"), WILDCARD_CASES)
def test_wildcard(events_index, search_ids, query, expected):
    """wildcard: * any run of characters, ? one; matched against whole terms (tokens for text).

    Wildcard query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-wildcard-query.html
    """
    assert search_ids(events_index, query) == expected


ESCAPE_DOCS = {
    "dot": {"kw": "a.b(c)[d]+e^f$g|h{i}"},
    "star": {"kw": "a*b"},
    "question": {"kw": "a?b"},
    "backslash": {"kw": "a\\b"},
    "plain": {"kw": "axb"},
}
WILDCARD_ESCAPE_CASES = [
    case(
        "wildcard-unescaped-star-matches-anything",
        {"wildcard": {"kw": "a*b"}},
        "star",
        "question",
        "backslash",
        "plain",
    ),
    case(
        "wildcard-other-characters-are-literal", {"wildcard": {"kw": "a.b(c)[d]+e^f$g|h{i?"}}, "dot"
    ),
    case("wildcard-dot-is-no-any-char", {"wildcard": {"kw": "a.b"}}),
    case("prefix-characters-are-literal", {"prefix": {"kw": "a.b(c)[d]+"}}, "dot"),
    case("wildcard-escaped-star-is-literal", {"wildcard": {"kw": "a\\*b"}}, "star"),
    case("wildcard-escaped-question-is-literal", {"wildcard": {"kw": "a\\?b"}}, "question"),
    case("wildcard-escaped-backslash-is-literal", {"wildcard": {"kw": "a\\\\b"}}, "backslash"),
]


@pytest.mark.parametrize(("query", "expected"), WILDCARD_ESCAPE_CASES)
def test_wildcard_escapes(indexed, search_ids, query, expected):
    """A backslash escapes * ? and itself in a wildcard pattern; every other character is literal.

    Wildcard query (Lucene WildcardQuery: "\\" is the escape character),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-wildcard-query.html
    """
    index = indexed({"properties": {"kw": {"type": "keyword"}}}, ESCAPE_DOCS)
    assert search_ids(index, query) == expected


REGEXP_CASES = [
    case("regexp-is-anchored", {"regexp": {"hostname": "web[0-9]"}}),
    case(
        "regexp-matches-whole-value",
        {"regexp": {"hostname": "web[0-9]\\.example\\.com"}},
        "e1",
        "e2",
        "e4",
    ),
    case("regexp-dot-star", {"regexp": {"hostname": ".*example.*"}}, "e1", "e2", "e4", "e6"),
    case("regexp-case-sensitive", {"regexp": {"hostname": "WEB.*"}}, "e6"),
    case(
        "regexp-group-alternation-optional",
        {"regexp": {"hostname": "(db|web)1(\\.example\\.com)?"}},
        "e1",
        "e3",
        "e4",
        "e5",
    ),
    case(
        "regexp-lucene-numeric-interval",
        {"regexp": {"hostname": "web<1-2>\\.example\\.com"}},
        "e1",
        "e2",
        "e4",
    ),
    case(
        "regexp-object-form", {"regexp": {"details.username": {"value": "ro+t"}}}, "e1", "e4", "e5"
    ),
    case("regexp-text-matches-a-token", {"regexp": {"summary": "pass.*"}}, "e1", "e5", "e6"),
    case("regexp-caret-is-no-anchor", {"regexp": {"hostname": "^web.*"}}),
    case("regexp-dollar-is-no-anchor", {"regexp": {"hostname": "web.*com$"}}),
    case("regexp-lucene-anystring", {"regexp": {"hostname": "web@"}}, "e1", "e2", "e4"),
    case("regexp-lucene-intersection", {"regexp": {"hostname": "web.*&.*1.*"}}, "e1", "e4"),
    case(
        "regexp-lucene-quoted-literal", {"regexp": {"hostname": '"web1.example.com"'}}, "e1", "e4"
    ),
]


@pytest.mark.parametrize(("query", "expected"), REGEXP_CASES)
def test_regexp(events_index, search_ids, query, expected):
    """regexp uses Lucene's regular expression syntax, always anchored to the whole term.

    Regexp query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-regexp-query.html;
    Regular expression syntax ("Lucene's regular expression engine ... patterns are always anchored";
    "does not support anchor operators, such as ^ or $"; optional operators enabled by the
    default flags ALL: <1-2> interval, @ any string, & intersection; "..." a literal string),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/regexp-syntax.html
    """
    assert search_ids(events_index, query) == expected


PREFIX_CASES = [
    case("prefix-keyword", {"prefix": {"hostname": "web"}}, "e1", "e2", "e4"),
    case("prefix-keyword-case-sensitive", {"prefix": {"hostname": "Web"}}),
    case("prefix-object-form", {"prefix": {"hostname": {"value": "WEB"}}}, "e6"),
    case("prefix-text-token", {"prefix": {"summary": "invali"}}, "e3", "e6"),
    case("prefix-text-never-spans-tokens", {"prefix": {"summary": "failed pass"}}),
]


@pytest.mark.parametrize(("query", "expected"), PREFIX_CASES)
def test_prefix(events_index, search_ids, query, expected):
    """prefix matches terms starting with the (unanalyzed) prefix.

    Prefix query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-prefix-query.html
    """
    assert search_ids(events_index, query) == expected


EXISTS_RANGE_IDS_CASES = [
    case(
        "exists-field-with-a-value",
        {"exists": {"field": "details.sourceipaddress"}},
        "e1",
        "e2",
        "e3",
        "e5",
        "e6",
    ),
    case("exists-missing-field-excluded", {"exists": {"field": "tags"}}, "e1", "e2"),
    case("exists-unknown-field-matches-nothing", {"exists": {"field": "nosuchfield"}}),
    case(
        "range-date-gte-lt",
        {"range": {"utctimestamp": {"gte": "2026-12-03T10:00:00Z", "lt": "2026-12-03T10:10:00Z"}}},
        "e1",
        "e2",
        "e3",
    ),
    case(
        "range-date-gt-lte",
        {"range": {"utctimestamp": {"gt": "2026-12-03T10:00:00Z", "lte": "2026-12-03T10:10:00Z"}}},
        "e2",
        "e6",
    ),
    case(
        "range-ip-compares-addresses",
        {"range": {"details.sourceipaddress": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}},
        "e2",
        "e3",
    ),
    case(
        "range-ip-lt-is-not-string-order",
        {"range": {"details.sourceipaddress": {"lt": "10.100.0.0"}}},
        "e2",
    ),
    case(
        "range-keyword-string-order",
        {"range": {"hostname": {"gte": "db", "lt": "web"}}},
        "e3",
        "e5",
    ),
    case(
        "range-mozdef-number-as-keyword-is-string-order",
        {"range": {"details.sourceport": {"gte": "100", "lte": "3"}}},
        "e1",
        "e6",
    ),
    case("ids-listed-only", {"ids": {"values": ["e1", "e5", "missing"]}}, "e1", "e5"),
    case("ids-unknown-matches-nothing", {"ids": {"values": ["missing"]}}),
    case("match_all-every-document", {"match_all": {}}, *ALL),
]


@pytest.mark.parametrize(("query", "expected"), EXISTS_RANGE_IDS_CASES)
def test_exists_range_ids_match_all(events_index, search_ids, query, expected):
    """exists, range (per field type), ids and match_all.

    Exists query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-exists-query.html;
    Range query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html;
    IDs query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-ids-query.html;
    Match all query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-all-query.html
    """
    assert search_ids(events_index, query) == expected


def _term(field: str, value: object) -> dict:
    return {"term": {field: value}}


# e1 and e2 match two of these, e3 and e6 one, e4 and e5 none.
THREE_SHOULDS = [
    _term("details.username", "alice"),
    _term("processname", "sshd"),
    _term("tags", "ssh"),
]

BOOL_CASES = [
    case(
        "bool-must-every-clause",
        {"bool": {"must": [_term("processname", "sshd"), _term("details.success", False)]}},
        "e1",
        "e3",
        "e6",
    ),
    case(
        "bool-filter-every-clause",
        {"bool": {"filter": [_term("processname", "sshd"), _term("details.success", False)]}},
        "e1",
        "e3",
        "e6",
    ),
    case(
        "bool-must-disjoint-clauses-match-nothing",
        {"bool": {"must": [_term("processname", "sshd"), _term("processname", "CRON")]}},
    ),
    case("bool-single-clause-object", {"bool": {"must": _term("processname", "CRON")}}, "e4"),
    case(
        "bool-must_not-excludes",
        {
            "bool": {
                "must": [_term("processname", "sshd")],
                "must_not": [_term("details.username", "root")],
            }
        },
        "e2",
        "e3",
        "e6",
    ),
    case(
        "bool-must_not-alone-matches-the-rest",
        {"bool": {"must_not": [_term("processname", "sshd")]}},
        "e4",
        "e5",
    ),
    case(
        "bool-should-alone-needs-one",
        {
            "bool": {
                "should": [_term("details.username", "alice"), _term("details.username", "test")]
            }
        },
        "e2",
        "e6",
    ),
    case(
        "bool-should-optional-beside-must",
        {
            "bool": {
                "must": [_term("category", "authentication")],
                "should": [_term("details.username", "nobody")],
            }
        },
        *SSHD,
    ),
    case(
        "bool-should-optional-beside-filter",
        {
            "bool": {
                "filter": [_term("category", "authentication")],
                "should": [_term("details.username", "nobody")],
            }
        },
        *SSHD,
    ),
    case(
        "bool-minimum_should_match-with-must",
        {
            "bool": {
                "must": [_term("category", "authentication")],
                "should": [_term("details.username", "alice"), _term("details.username", "test")],
                "minimum_should_match": 1,
            }
        },
        "e2",
        "e6",
    ),
    case(
        "bool-minimum_should_match-two",
        {
            "bool": {
                "should": [
                    _term("processname", "sshd"),
                    _term("details.success", False),
                    _term("tags", "auth"),
                ],
                "minimum_should_match": 2,
            }
        },
        *SSHD,
    ),
    case(
        "bool-minimum_should_match-three",
        {
            "bool": {
                "should": [
                    _term("processname", "sshd"),
                    _term("details.success", False),
                    _term("tags", "auth"),
                ],
                "minimum_should_match": 3,
            }
        },
        "e1",
    ),
    case(
        "bool-nested-bool",
        {
            "bool": {
                "must": [{"bool": {"should": [_term("hostname", "db1"), _term("tags", "ssh")]}}],
                "must_not": [_term("processname", "audisp")],
            }
        },
        "e1",
        "e3",
    ),
    case("bool-empty-matches-all", {"bool": {}}, *ALL),
    case(
        "bool-minimum_should_match-zero-makes-should-optional",
        {"bool": {"should": [_term("details.username", "alice")], "minimum_should_match": 0}},
        *ALL,
    ),
    case(
        "bool-should-required-beside-must_not-only",
        {
            "bool": {
                "should": [_term("details.username", "alice"), _term("details.username", "test")],
                "must_not": [_term("hostname", "WEB1.example.com")],
            }
        },
        "e2",
    ),
    case(
        "bool-minimum_should_match-above-clause-count-matches-nothing",
        {"bool": {"should": [_term("details.username", "alice")], "minimum_should_match": 2}},
    ),
    case(
        "bool-minimum_should_match-negative-count",
        {"bool": {"should": THREE_SHOULDS, "minimum_should_match": "-1"}},
        "e1",
        "e2",
    ),
    case(
        "bool-minimum_should_match-percentage-rounds-down",
        {"bool": {"should": THREE_SHOULDS, "minimum_should_match": "50%"}},
        *SSHD,
    ),
    case(
        "bool-minimum_should_match-percentage-67",
        {"bool": {"should": THREE_SHOULDS, "minimum_should_match": "67%"}},
        "e1",
        "e2",
    ),
]


@pytest.mark.parametrize(("query", "expected"), BOOL_CASES)
def test_bool(events_index, search_ids, query, expected):
    """bool: must/filter all, must_not none, should at least one when alone (else optional).

    Boolean query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-bool-query.html;
    minimum_should_match ("if the bool query includes at least one should clause and no must or
    filter clauses, the default value is 1; otherwise, the default value is 0"; negative
    counts, percentages rounded down),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-minimum-should-match.html
    """
    assert search_ids(events_index, query) == expected


COMPOUND_CASES = [
    case(
        "constant_score-filters", {"constant_score": {"filter": _term("processname", "CRON")}}, "e4"
    ),
    case(
        "dis_max-any-of-the-queries",
        {"dis_max": {"queries": [_term("details.username", "alice"), _term("hostname", "db1")]}},
        "e2",
        "e3",
        "e5",
    ),
    case(
        "multi_match-any-field",
        {"multi_match": {"query": "db1", "fields": ["hostname", "processname"]}},
        "e3",
        "e5",
    ),
    case("match_none-matches-nothing", {"match_none": {}}),
]


@pytest.mark.parametrize(("query", "expected"), COMPOUND_CASES)
def test_other_common_clauses(events_index, search_ids, query, expected):
    """constant_score, dis_max, multi_match and match_none select the documents their inner queries do.

    Constant score query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-constant-score-query.html;
    Disjunction max query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-dis-max-query.html;
    Multi-match query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-multi-match-query.html;
    Match none, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-all-query.html
    """
    assert search_ids(events_index, query) == expected
