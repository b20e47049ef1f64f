"""The embedded query engine against Elasticsearch's documented query semantics.

Each case names its rule; the pages are in the Elasticsearch reference
(https://www.elastic.co/guide/en/elasticsearch/reference/current/...):
term -> query-dsl-term-query.html, terms -> query-dsl-terms-query.html,
match -> query-dsl-match-query.html, match_phrase -> query-dsl-match-query-phrase.html,
wildcard -> query-dsl-wildcard-query.html, regexp -> query-dsl-regexp-query.html and
regexp-syntax.html, prefix -> query-dsl-prefix-query.html, exists -> query-dsl-exists-query.html,
range -> query-dsl-range-query.html, ids -> query-dsl-ids-query.html,
bool -> query-dsl-bool-query.html, minimum_should_match -> query-dsl-minimum-should-match.html,
constant_score -> query-dsl-constant-score-query.html, field types -> keyword.html, text.html,
ip.html, date.html, boolean.html, number.html, ignore-above.html.

The `wildcard` query does not normalize its pattern on text fields (only query_string
does): elastic/elasticsearch pull request #71751, "Fix case sensitivity rules for
wildcard queries on text fields".
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.dates import parse_date
from lib.store.engine import IndexNames, compile_query, minimum_should_match
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping
from lib.store.text_query import sloppy_match

NOW = parse_date("2017-01-02T12:00:00Z")

DOCS: dict[str, dict[str, Any]] = {
    "ssh-fail": {
        "utctimestamp": "2017-01-02T11:59:00+00:00",
        "category": "authentication",
        "summary": "Failed password for root from 10.99.88.77 port 22 ssh2",
        "details": {
            "sourceipaddress": "10.99.88.77",
            "program": "sshd",
            "success": False,
            "port": 22,
        },
        "tags": ["ssh", "brute"],
    },
    "ssh-ok": {
        "utctimestamp": "2017-01-02T06:30:00-05:00",
        "category": "authentication",
        "summary": "Accepted publickey for bob from 2001:db8::7 port 5000",
        "details": {
            "sourceipaddress": "2001:db8::7",
            "program": "sshd",
            "success": True,
            "port": 5000,
        },
        "details.user": "bob",
    },
    "cron": {
        "utctimestamp": "2017-01-01T10:00:00Z",
        "category": "syslog",
        "summary": "pam_unix(cron:session): session opened for user root",
        "details": {"sourceipaddress": "::ffff:192.168.1.5", "program": "CRON", "success": None},
        "tags": [],
    },
    "empty": {
        "utctimestamp": 1483228800000,
        "category": "",
        "summary": "",
        "details": {"program": "Sshd"},
        "tags": [None],
    },
}


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    result = Mapping.from_body(copy.deepcopy(DEFAULT_TEMPLATE))
    for doc in DOCS.values():
        result.prepare(doc)
    return result


def matching(query: dict[str, Any] | None, mapping: Mapping) -> set[str]:
    predicate = compile_query(query, mapping, NOW)
    return {doc_id for doc_id, doc in DOCS.items() if predicate(doc, doc_id)}


ALL = set(DOCS)
CASES = [
    # match_all / None
    ("match-all-none-query", None, ALL),
    ("match-all", {"match_all": {}}, ALL),
    ("match-none", {"match_none": {}}, set()),
    # keyword: exact, case-sensitive, whole value
    ("keyword-term-exact", {"term": {"category": "authentication"}}, {"ssh-fail", "ssh-ok"}),
    ("keyword-term-case-sensitive", {"term": {"details.program": "sshd"}}, {"ssh-fail", "ssh-ok"}),
    ("keyword-term-not-partial", {"term": {"category": "auth"}}, set()),
    (
        "keyword-term-case-insensitive-option",
        {"term": {"details.program": {"value": "SSHD", "case_insensitive": True}}},
        {"ssh-fail", "ssh-ok", "empty"},
    ),
    ("keyword-match-is-whole-value", {"match": {"details.program": "CRON"}}, {"cron"}),
    ("keyword-match-not-analyzed", {"match": {"details.program": "cron"}}, set()),
    ("keyword-empty-string-is-a-value", {"term": {"category": ""}}, {"empty"}),
    ("keyword-array-any-element", {"term": {"tags": "brute"}}, {"ssh-fail"}),
    ("keyword-number-indexed-as-string", {"term": {"details.port": "22"}}, {"ssh-fail"}),
    ("keyword-number-query-value", {"match": {"details.port": 5000}}, {"ssh-ok"}),
    ("dotted-key-same-as-nested", {"term": {"details.user": "bob"}}, {"ssh-ok"}),
    ("terms-any-of", {"terms": {"details.program": ["CRON", "Sshd"]}}, {"cron", "empty"}),
    ("terms-none-match", {"terms": {"category": ["x", "y"]}}, set()),
    # text: standard analyzer
    ("text-match-analyzed-query", {"match": {"summary": "FAILED"}}, {"ssh-fail"}),
    ("text-match-or-default", {"match": {"summary": "failed accepted"}}, {"ssh-fail", "ssh-ok"}),
    (
        "text-match-and-operator",
        {"match": {"summary": {"query": "failed root", "operator": "and"}}},
        {"ssh-fail"},
    ),
    (
        "text-match-and-needs-all",
        {"match": {"summary": {"query": "failed bob", "operator": "and"}}},
        set(),
    ),
    (
        "text-match-msm",
        {"match": {"summary": {"query": "root session opened", "minimum_should_match": 2}}},
        {"cron"},
    ),
    ("text-ip-is-one-token", {"match": {"summary": "10.99.88.77"}}, {"ssh-fail"}),
    ("text-ip-not-partial", {"match": {"summary": "10.99"}}, set()),
    ("text-zero-terms-none", {"match": {"summary": "!!!"}}, set()),
    (
        "text-zero-terms-all",
        {"match": {"summary": {"query": "!!!", "zero_terms_query": "all"}}},
        ALL,
    ),
    ("text-term-not-analyzed", {"term": {"summary": "Failed"}}, set()),
    ("text-term-exact-token", {"term": {"summary": "failed"}}, {"ssh-fail"}),
    ("phrase-consecutive", {"match_phrase": {"summary": "failed password"}}, {"ssh-fail"}),
    ("phrase-order-matters", {"match_phrase": {"summary": "password failed"}}, set()),
    (
        "phrase-query-punctuation-ignored",
        {"match_phrase": {"summary": "session, opened!"}},
        {"cron"},
    ),
    (
        "phrase-colon-between-letters-is-one-token",
        {"match_phrase": {"summary": "cron session"}},
        set(),
    ),
    ("phrase-on-keyword-whole-value", {"match_phrase": {"category": "syslog"}}, {"cron"}),
    # ip
    ("ip-term-exact", {"term": {"details.sourceipaddress": "10.99.88.77"}}, {"ssh-fail"}),
    ("ip-term-cidr-v4", {"term": {"details.sourceipaddress": "10.0.0.0/8"}}, {"ssh-fail"}),
    (
        "ip-term-cidr-host-bits-masked",
        {"term": {"details.sourceipaddress": "10.99.1.1/16"}},
        {"ssh-fail"},
    ),
    ("ip-term-cidr-v6", {"match": {"details.sourceipaddress": "2001:db8::/32"}}, {"ssh-ok"}),
    ("ip-v4-mapped-equals-v4", {"term": {"details.sourceipaddress": "192.168.1.5"}}, {"cron"}),
    (
        "ip-v4-matches-mapped-form",
        {"term": {"details.sourceipaddress": "::ffff:10.99.88.77"}},
        {"ssh-fail"},
    ),
    (
        "ip-range-compares-addresses",
        {"range": {"details.sourceipaddress": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}},
        {"ssh-fail"},
    ),
    (
        "ip-range-not-strings",
        {"range": {"details.sourceipaddress": {"gte": "9.0.0.0", "lte": "10.0.0.0"}}},
        set(),
    ),
    (
        "ip-range-exclusive",
        {"range": {"details.sourceipaddress": {"gt": "10.99.88.77"}}},
        {"ssh-ok", "cron"},
    ),
    # date
    (
        "date-range-instants-not-strings",
        {"range": {"utctimestamp": {"gte": "2017-01-02T11:00:00Z"}}},
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "date-range-offset-respected",
        {"range": {"utctimestamp": {"lte": "2017-01-02T11:30:00Z", "gt": "2017-01-02T11:00:00Z"}}},
        {"ssh-ok"},
    ),
    ("date-range-now-math", {"range": {"utctimestamp": {"gte": "now-5m"}}}, {"ssh-fail"}),
    (
        "date-range-now-rounded-down",
        {"range": {"utctimestamp": {"gte": "now/d"}}},
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "date-range-lte-rounds-up",
        {"range": {"utctimestamp": {"lte": "2017-01-01||/d"}}},
        {"cron", "empty"},
    ),
    ("date-range-lt-rounds-down", {"range": {"utctimestamp": {"lt": "2017-01-01||/d"}}}, set()),
    (
        "date-range-gt-rounds-up",
        {"range": {"utctimestamp": {"gt": "2017-01-01||/d"}}},
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "date-epoch-millis-value",
        {"range": {"utctimestamp": {"lte": "2017-01-01T00:00:00Z"}}},
        {"empty"},
    ),
    ("date-term-covers-rounded-day", {"term": {"utctimestamp": "2017-01-01"}}, {"cron", "empty"}),
    (
        "date-range-format-option",
        {"range": {"utctimestamp": {"gte": "02/01/2017", "format": "dd/MM/yyyy"}}},
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "date-range-time-zone-option",
        {"range": {"utctimestamp": {"gte": "2017-01-02T12:50:00", "time_zone": "+01:00"}}},
        {"ssh-fail"},
    ),
    # boolean
    ("boolean-term-false", {"term": {"details.success": False}}, {"ssh-fail"}),
    ("boolean-term-string-true", {"term": {"details.success": "true"}}, {"ssh-ok"}),
    # numeric
    # exists
    ("exists-value", {"exists": {"field": "details.success"}}, {"ssh-fail", "ssh-ok"}),
    ("exists-null-empty-array-array-of-null", {"exists": {"field": "tags"}}, {"ssh-fail"}),
    ("exists-empty-string-exists", {"exists": {"field": "category"}}, ALL),
    ("exists-object-path", {"exists": {"field": "details"}}, ALL),
    ("exists-unmapped", {"exists": {"field": "nope"}}, set()),
    ("exists-dotted-key", {"exists": {"field": "details.user"}}, {"ssh-ok"}),
    # wildcard / prefix / regexp
    (
        "wildcard-keyword-whole-value",
        {"wildcard": {"details.program": "s*d"}},
        {"ssh-fail", "ssh-ok"},
    ),
    ("wildcard-keyword-case-sensitive", {"wildcard": {"details.program": "S*"}}, {"empty"}),
    (
        "wildcard-case-insensitive-option",
        {"wildcard": {"details.program": {"value": "S*", "case_insensitive": True}}},
        {"ssh-fail", "ssh-ok", "empty"},
    ),
    ("wildcard-question-mark-one-char", {"wildcard": {"details.program": "?RON"}}, {"cron"}),
    ("wildcard-leading-star", {"wildcard": {"category": "*tion"}}, {"ssh-fail", "ssh-ok"}),
    ("wildcard-escaped-star-literal", {"wildcard": {"category": "auth\\*"}}, set()),
    ("wildcard-text-per-token", {"wildcard": {"summary": "pass*"}}, {"ssh-fail"}),
    ("wildcard-text-pattern-not-lowercased", {"wildcard": {"summary": "Pass*"}}, set()),
    ("prefix-keyword", {"prefix": {"category": "auth"}}, {"ssh-fail", "ssh-ok"}),
    ("prefix-text-per-token", {"prefix": {"summary": "publ"}}, {"ssh-ok"}),
    (
        "regexp-anchored-whole-value",
        {"regexp": {"details.program": "ss.*"}},
        {"ssh-fail", "ssh-ok"},
    ),
    ("regexp-not-a-substring-search", {"regexp": {"details.program": "sh"}}, set()),
    ("regexp-char-class-and-repeat", {"regexp": {"details.program": "[A-Z]{4}"}}, {"cron"}),
    (
        "regexp-alternation",
        {"regexp": {"category": "syslog|authentication"}},
        {"ssh-fail", "ssh-ok", "cron"},
    ),
    ("regexp-quoted-literal", {"regexp": {"category": '"auth"entication'}}, {"ssh-fail", "ssh-ok"}),
    ("regexp-anystring-operator", {"regexp": {"category": "sys@"}}, {"cron"}),
    ("regexp-numeric-interval", {"regexp": {"summary": "ssh<1-3>"}}, {"ssh-fail"}),
    ("regexp-numeric-interval-outside", {"regexp": {"summary": "ssh<3-9>"}}, set()),
    ("regexp-caret-is-literal", {"regexp": {"category": "^syslog"}}, set()),
    (
        "regexp-intersection-both-sides-whole-term",
        {"regexp": {"category": "auth.*&.*tion"}},
        {"ssh-fail", "ssh-ok"},
    ),
    ("regexp-intersection-one-side-fails", {"regexp": {"category": "auth.*&sys.*"}}, set()),
    (
        "regexp-intersection-binds-tighter-than-union",
        {"regexp": {"category": "syslog|auth.*&.*tion"}},
        {"cron", "ssh-fail", "ssh-ok"},
    ),
    ("regexp-text-per-token", {"regexp": {"summary": "pam_.*"}}, {"cron"}),
    # ids
    ("ids", {"ids": {"values": ["cron", "nope"]}}, {"cron"}),
    # unmapped fields match nothing
    ("unmapped-term", {"term": {"nope": "x"}}, set()),
    ("unmapped-range", {"range": {"nope": {"gte": 1}}}, set()),
    # bool
    (
        "bool-must-and",
        {
            "bool": {
                "must": [
                    {"term": {"category": "authentication"}},
                    {"term": {"details.success": True}},
                ]
            }
        },
        {"ssh-ok"},
    ),
    (
        "bool-filter-and",
        {
            "bool": {
                "filter": [
                    {"term": {"category": "authentication"}},
                    {"match_phrase": {"summary": "failed password"}},
                ]
            }
        },
        {"ssh-fail"},
    ),
    ("bool-filter-single-object", {"bool": {"filter": {"term": {"category": "syslog"}}}}, {"cron"}),
    (
        "bool-must-not-only-matches-rest",
        {"bool": {"must_not": [{"term": {"category": "authentication"}}]}},
        {"cron", "empty"},
    ),
    (
        "bool-should-alone-needs-one",
        {"bool": {"should": [{"term": {"category": "syslog"}}, {"term": {"category": ""}}]}},
        {"cron", "empty"},
    ),
    (
        "bool-should-optional-with-must",
        {
            "bool": {
                "must": [{"term": {"category": "syslog"}}],
                "should": [{"term": {"category": "nope"}}],
            }
        },
        {"cron"},
    ),
    (
        "bool-should-with-msm-1-and-must",
        {
            "bool": {
                "must": [{"term": {"category": "syslog"}}],
                "should": [{"term": {"category": "nope"}}],
                "minimum_should_match": 1,
            }
        },
        set(),
    ),
    (
        "bool-msm-2",
        {
            "bool": {
                "should": [
                    {"term": {"category": "authentication"}},
                    {"term": {"details.success": True}},
                    {"term": {"tags": "ssh"}},
                ],
                "minimum_should_match": 2,
            }
        },
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "bool-msm-negative",
        {
            "bool": {
                "should": [
                    {"term": {"category": "authentication"}},
                    {"term": {"details.success": True}},
                    {"term": {"tags": "ssh"}},
                ],
                "minimum_should_match": -1,
            }
        },
        {"ssh-fail", "ssh-ok"},
    ),
    (
        "bool-msm-percentage",
        {
            "bool": {
                "should": [
                    {"term": {"category": "authentication"}},
                    {"term": {"details.success": True}},
                    {"term": {"tags": "ssh"}},
                ],
                "minimum_should_match": "100%",
            }
        },
        set(),
    ),
    (
        "bool-msm-more-than-clauses-matches-nothing",
        {"bool": {"should": [{"match_all": {}}], "minimum_should_match": 2}},
        set(),
    ),
    (
        "bool-msm-without-should-matches-nothing",
        {"bool": {"must": [{"match_all": {}}], "minimum_should_match": 1}},
        set(),
    ),
    ("bool-empty-matches-all", {"bool": {}}, ALL),
    (
        "bool-nested",
        {
            "bool": {
                "must": [
                    {
                        "bool": {
                            "should": [
                                {"term": {"details.program": "CRON"}},
                                {"term": {"details.program": "Sshd"}},
                            ]
                        }
                    }
                ],
                "must_not": [{"term": {"category": ""}}],
            }
        },
        {"cron"},
    ),
    (
        "constant-score-filter",
        {"constant_score": {"filter": {"term": {"category": "syslog"}}}},
        {"cron"},
    ),
    (
        "dis-max-any",
        {"dis_max": {"queries": [{"term": {"category": "syslog"}}, {"term": {"category": ""}}]}},
        {"cron", "empty"},
    ),
    (
        "multi-match-fields",
        {"multi_match": {"query": "syslog", "fields": ["category", "summary"]}},
        {"cron"},
    ),
]


@pytest.mark.parametrize(("query", "expected"), [pytest.param(q, e, id=i) for i, q, e in CASES])
def test_query_semantics(
    mapping: Mapping, query: dict[str, Any] | None, expected: set[str]
) -> None:
    assert matching(query, mapping) == expected


def test_numeric_fields() -> None:
    """number.html: numeric fields compare numerically; coerce reads numeric strings."""
    mapping = Mapping.from_body(
        {"mappings": {"properties": {"n": {"type": "long"}, "f": {"type": "float"}}}}
    )
    docs = {"a": {"n": 5, "f": 1.5}, "b": {"n": "10", "f": "2.5"}, "c": {"n": [1, 20]}}

    def ids(query: dict[str, Any]) -> set[str]:
        predicate = compile_query(query, mapping, NOW)
        return {k for k, d in docs.items() if predicate(d, k)}

    assert ids({"term": {"n": 10}}) == {"b"}
    assert ids({"term": {"n": "5"}}) == {"a"}
    assert ids({"term": {"n": 5.5}}) == set(), "a decimal never equals a long"
    assert ids({"range": {"n": {"gt": 5, "lte": 10}}}) == {"b"}
    assert ids({"range": {"n": {"gte": 9}}}) == {"b", "c"}, "9 < 10 numerically, not as strings"
    assert ids({"range": {"n": {"gt": 4.5, "lt": 5.5}}}) == {"a"}
    assert ids({"range": {"f": {"gte": 2}}}) == {"b"}
    with pytest.raises(QueryError, match="For input string"):
        ids({"term": {"n": "five"}})


def test_ignore_above_values_are_not_indexed() -> None:
    """ignore-above.html: longer strings are not indexed (no match, no exists)."""
    mapping = Mapping.from_body(None)
    long_text = "x" * 300
    docs = {"long": {"msg": long_text}, "short": {"msg": "hello"}}
    for doc in docs.values():
        mapping.prepare(doc)
    for query, expected in [
        ({"term": {"msg.keyword": long_text}}, set()),
        ({"exists": {"field": "msg.keyword"}}, {"short"}),
        ({"exists": {"field": "msg"}}, {"long", "short"}),
        ({"match": {"msg": "hello"}}, {"short"}),
    ]:
        predicate = compile_query(query, mapping, NOW)
        assert {k for k, d in docs.items() if predicate(d, k)} == expected, query


@pytest.mark.parametrize(
    ("spec", "optional", "needed"),
    [
        pytest.param(2, 3, 2, id="integer"),
        pytest.param(-1, 3, 2, id="negative-integer"),
        pytest.param("75%", 4, 3, id="percentage-rounds-down"),
        pytest.param("-25%", 4, 3, id="negative-percentage"),
        pytest.param("3<90%", 3, 3, id="conditional-below-bound-all-required"),
        pytest.param("3<90%", 10, 9, id="conditional-above-bound"),
        pytest.param("2<-25% 9<-3", 12, 9, id="multiple-conditionals"),
        pytest.param(-5, 3, 0, id="never-below-zero"),
    ],
)
def test_minimum_should_match_rules(spec: int | str, optional: int, needed: int) -> None:
    """query-dsl-minimum-should-match.html."""
    assert minimum_should_match(spec, optional) == needed


def _sloppy(query: str, slop: int) -> dict[str, Any]:
    return {"match_phrase": {"summary": {"query": query, "slop": slop}}}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(_sloppy("failed root", 1), set(), id="gap-of-two-needs-slop-2"),
        pytest.param(_sloppy("failed root", 2), {"ssh-fail"}, id="gap-of-two-within-slop-2"),
        pytest.param(_sloppy("password failed", 1), set(), id="transposition-needs-slop-2"),
        pytest.param(_sloppy("password failed", 2), {"ssh-fail"}, id="transposition-slop-2"),
        pytest.param(_sloppy("root failed", 3), set(), id="reversed-with-gap-needs-slop-4"),
        pytest.param(_sloppy("root failed", 4), {"ssh-fail"}, id="reversed-with-gap-slop-4"),
        pytest.param(_sloppy("failed failed", 9), set(), id="each-term-needs-its-own-position"),
        pytest.param(_sloppy("failed password", 0), {"ssh-fail"}, id="slop-0-is-exact"),
    ],
)
def test_match_phrase_slop_is_lucenes_sloppy_phrase(
    mapping: Mapping, query: dict[str, Any], expected: set[str]
) -> None:
    """Match phrase query, "slop: Maximum number of positions allowed between matching
    tokens ... Transposed terms have a slop of 2",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-query-phrase.html
    and "Mixing It Up" (slop is how many moves a term needs),
    https://www.elastic.co/guide/en/elasticsearch/guide/current/slop.html
    """
    assert matching(query, mapping) == expected


@pytest.mark.parametrize(
    ("tokens", "phrase", "slop", "expected"),
    [
        pytest.param("a x b x c", "a b c", 2, True, id="budget-shared-by-all-terms"),
        pytest.param("a x b x c", "a b c", 1, False, id="two-gaps-exceed-slop-1"),
        pytest.param("a b a", "a a", 2, True, id="repeated-term-two-positions"),
        pytest.param("a b", "a a", 5, False, id="repeated-term-one-position"),
        pytest.param("c b a", "a b c", 4, True, id="full-reversal-of-three-slop-4"),
        pytest.param("c b a", "a b c", 3, False, id="full-reversal-of-three-not-3"),
    ],
)
def test_sloppy_match_spread_of_shifted_positions(tokens, phrase, slop, expected) -> None:
    """Lucene SloppyPhraseMatcher: match length = max - min of (position - query offset)."""
    assert sloppy_match(tokens.split(), phrase.split(), slop) is expected


@pytest.mark.parametrize(
    ("query", "error"),
    [
        pytest.param({}, QueryError, id="empty-clause"),
        pytest.param(
            {"term": {"a": 1}, "match": {"b": 2}}, QueryError, id="two-clauses-in-one-object"
        ),
        pytest.param({"bogus": {}}, QueryError, id="unknown-query"),
        pytest.param({"term": {"category": ["a"]}}, QueryError, id="term-with-array"),
        pytest.param({"term": {"a": 1, "b": 2}}, QueryError, id="term-multiple-fields"),
        pytest.param(
            {"term": {"details.sourceipaddress": "not-an-ip"}}, QueryError, id="ip-term-not-an-ip"
        ),
        pytest.param(
            {"term": {"details.success": "maybe"}}, QueryError, id="boolean-term-not-a-boolean"
        ),
        pytest.param(
            {"range": {"utctimestamp": {"gte": "now-1x"}}}, QueryError, id="bad-date-math"
        ),
        pytest.param(
            {"wildcard": {"details.sourceipaddress": "10.*"}}, QueryError, id="wildcard-on-ip"
        ),
        pytest.param({"regexp": {"category": "[a-"}}, QueryError, id="regexp-malformed"),
        pytest.param({"bool": {"must": "x"}}, QueryError, id="bool-clause-not-object"),
        pytest.param({"bool": {"mustt": []}}, QueryError, id="bool-unknown-key"),
        pytest.param({"fuzzy": {"category": "x"}}, UnsupportedQueryError, id="fuzzy-unsupported"),
        pytest.param(
            {"nested": {"path": "x", "query": {}}}, UnsupportedQueryError, id="nested-unsupported"
        ),
        pytest.param(
            {"match": {"summary": {"query": "x", "fuzziness": "AUTO"}}},
            UnsupportedQueryError,
            id="fuzziness-unsupported",
        ),
        pytest.param(
            {"match_phrase": {"summary": {"query": "a b", "slop": -1}}},
            QueryError,
            id="negative-slop",
        ),
        pytest.param(
            {"match_phrase": {"summary": {"query": "a b", "slop": "far"}}},
            QueryError,
            id="slop-not-a-number",
        ),
        pytest.param(
            {"regexp": {"category": "~a"}},
            UnsupportedQueryError,
            id="regexp-complement-unsupported",
        ),
        pytest.param(
            {"regexp": {"category": "(a&b)c"}},
            UnsupportedQueryError,
            id="regexp-intersection-inside-a-group-unsupported",
        ),
        pytest.param(
            {"terms": {"category": {"index": "i", "id": "1", "path": "p"}}},
            UnsupportedQueryError,
            id="terms-lookup-unsupported",
        ),
    ],
)
def test_errors_never_guess(
    mapping: Mapping, query: dict[str, Any], error: type[Exception]
) -> None:
    """Bad or unsupported clauses raise; they are never answered with a guess."""
    with pytest.raises(error):
        compile_query(query, mapping, NOW)


def test_unsupported_error_names_the_clause(mapping: Mapping) -> None:
    with pytest.raises(UnsupportedQueryError, match="fuzzy"):
        compile_query({"bool": {"must": [{"fuzzy": {"category": "x"}}]}}, mapping, NOW)


def test_regexp_flags_none_makes_operators_literal(mapping: Mapping) -> None:
    predicate = compile_query(
        {"regexp": {"category": {"value": "a~b", "flags": "NONE"}}}, mapping, NOW
    )
    assert predicate({"category": "a~b"}, "x") and not predicate({"category": "ab"}, "x")


def test_predicate_is_reusable_and_pure(mapping: Mapping) -> None:
    predicate = compile_query({"match_phrase": {"summary": "failed password"}}, mapping, NOW)
    doc = copy.deepcopy(DOCS["ssh-fail"])
    assert predicate(doc, "a") and predicate(doc, "a")
    assert doc == DOCS["ssh-fail"]


# -- null_value ------------------------------------------------------------------------------

NULL_DOCS: dict[str, dict[str, Any]] = {
    "null": {"status": None, "details": {"ip": None}},
    "list-of-null": {"status": [None, "up"], "details": {"ip": [None]}},
    "up": {"status": "up", "details": {"ip": "10.0.0.1"}},
    "empty": {"status": [], "details": {"ip": []}},
    "missing": {},
}


@pytest.fixture(scope="module")
def null_mapping() -> Mapping:
    properties = {
        "status": {"type": "keyword", "null_value": "NULL"},
        "details": {"properties": {"ip": {"type": "ip", "null_value": "0.0.0.0"}}},
    }
    return Mapping.from_body({"mappings": {"properties": properties}})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"term": {"status": "NULL"}}, {"null", "list-of-null"}, id="null-as-value"),
        pytest.param(
            {"exists": {"field": "status"}}, {"null", "list-of-null", "up"}, id="null-exists"
        ),
        pytest.param(
            {"bool": {"must_not": [{"exists": {"field": "status"}}]}},
            {"empty", "missing"},
            id="empty-list-and-missing-stay-missing",
        ),
        pytest.param(
            {"term": {"details.ip": "0.0.0.0"}}, {"null", "list-of-null"}, id="nested-ip-null"
        ),
        pytest.param(
            {"range": {"details.ip": {"lt": "1.0.0.0"}}}, {"null", "list-of-null"}, id="ip-range"
        ),
    ],
)
def test_null_value_indexes_explicit_nulls_as_the_given_value(
    null_mapping: Mapping, query: dict[str, Any], expected: set[str]
) -> None:
    """null_value: "replace explicit null values with the specified value"; "An empty array
    does not contain an explicit null, and so won't be replaced with the null_value",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/null-value.html
    """
    predicate = compile_query(query, null_mapping, NOW)
    assert {doc_id for doc_id, doc in NULL_DOCS.items() if predicate(doc, doc_id)} == expected


def test_index_clause_without_the_index_being_searched_raises():
    """``_index`` compares with the searched index; compiled without one, it is refused."""
    with pytest.raises(UnsupportedQueryError, match="_index"):
        compile_query({"term": {"_index": "events"}}, Mapping({}), NOW)


def test_index_clause_matches_the_index_and_its_aliases():
    """``_index`` values resolve like index expressions: the name, an alias, a pattern."""
    names = IndexNames("events-20261203", frozenset({"events"}))
    for value, expected in (("events", True), ("events-*", True), ("alerts", False)):
        predicate = compile_query({"term": {"_index": value}}, Mapping({}), NOW, names)
        assert predicate({}, "1") is expected, value
