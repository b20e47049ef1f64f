"""Contract: a query the store cannot answer raises; it is never answered with a guess.

An unknown clause raises QueryError naming the clause; a real Elasticsearch clause
the embedded engine does not implement raises UnsupportedQueryError (a QueryError); a malformed query_string raises QueryError
carrying the parser's message; a value that does not fit the field's type raises
QueryError. Each case names the rule and cites the Elasticsearch reference page.
"""

from __future__ import annotations

import pytest

from lib.errors import QueryError, UnsupportedQueryError

UNKNOWN_CLAUSES = [
    pytest.param(
        {"no_such_query": {"field": "x"}}, "no_such_query", id="unknown-top-level-clause-raises"
    ),
    pytest.param(
        {"bool": {"must": [{"term": {"processname": "sshd"}}, {"no_such_query": {}}]}},
        "no_such_query",
        id="unknown-clause-inside-bool-raises",
    ),
    pytest.param(
        {"bool": {"must_not": [{"no_such_query": {}}]}},
        "no_such_query",
        id="unknown-clause-inside-must_not-raises",
    ),
]


@pytest.mark.parametrize(("query", "clause"), UNKNOWN_CLAUSES)
def test_unknown_query_clause_raises_naming_it(store, events_index, query, clause):
    """A clause Elasticsearch does not know is a QueryError naming it ("unknown query [...]").

    Query DSL, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl.html
    """
    with pytest.raises(QueryError, match=clause):
        store.search(events_index, {"query": query})


UNSUPPORTED_CLAUSES = [
    pytest.param(
        {"script": {"script": "doc['hostname'].size() > 0"}},
        "script",
        id="script-query-unsupported",
    ),
    pytest.param({"fuzzy": {"hostname": {"value": "web1"}}}, "fuzzy", id="fuzzy-query-unsupported"),
    pytest.param(
        {"bool": {"filter": [{"more_like_this": {"fields": ["summary"], "like": "failed"}}]}},
        "more_like_this",
        id="unsupported-clause-inside-bool",
    ),
]


@pytest.mark.parametrize(("query", "clause"), UNSUPPORTED_CLAUSES)
def test_unsupported_clause_raises_naming_it(store, backend, events_index, query, clause):
    """A real Elasticsearch clause the embedded engine does not implement raises
    UnsupportedQueryError naming it, never an answer (embedded leg only: Elasticsearch
    answers these). Query DSL, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl.html
    """
    if not backend.startswith("embedded"):
        pytest.skip("Elasticsearch implements this clause")
    with pytest.raises(UnsupportedQueryError, match=clause):
        store.search(events_index, {"query": query})


def test_unknown_aggregation_raises_naming_it(store, events_index):
    """An unknown aggregation type is a QueryError naming it ("Unknown aggregation type").

    Aggregations, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations.html
    """
    body = {"size": 0, "aggs": {"x": {"no_such_agg": {"field": "hostname"}}}}
    with pytest.raises(QueryError, match="no_such_agg"):
        store.search(events_index, body)


MALFORMED_QUERY_STRINGS = [
    pytest.param("summary:(failed", id="qs-unclosed-parenthesis-raises"),
    pytest.param('summary:"failed password', id="qs-unterminated-phrase-raises"),
    pytest.param("hostname:[a TO", id="qs-unterminated-range-raises"),
    pytest.param("processname:sshd AND", id="qs-dangling-operator-raises"),
    pytest.param("hostname:/web[0-9]", id="qs-unterminated-regex-raises"),
    pytest.param("utctimestamp:2026-12-03T10:00:00Z", id="qs-unescaped-colon-in-a-value-raises"),
    pytest.param("details.sourceipaddress:2001:db8::5", id="qs-unescaped-ipv6-raises"),
    pytest.param("hostname:web1.example.com:80", id="qs-second-colon-raises"),
    pytest.param("AND processname:sshd", id="qs-leading-operator-raises"),
    pytest.param("processname:sshd OR OR hostname:db1", id="qs-doubled-operator-raises"),
    pytest.param("processname:", id="qs-field-without-value-raises"),
    pytest.param(":sshd", id="qs-value-without-field-raises"),
    pytest.param("()", id="qs-empty-group-raises"),
    pytest.param("processname:sshd)", id="qs-unbalanced-close-raises"),
    pytest.param("hostname:web1^", id="qs-boost-without-number-raises"),
    pytest.param("hostname:web\\", id="qs-trailing-backslash-raises"),
    pytest.param("summary:/usr", id="qs-unescaped-slash-opens-a-regex-raises"),
    pytest.param("hostname:[a to z]", id="qs-range-needs-uppercase-TO-raises"),
]


@pytest.mark.parametrize("text", MALFORMED_QUERY_STRINGS)
def test_malformed_query_string_raises_parser_message(store, events_index, text):
    """A query string Lucene's classic query parser rejects is an error carrying the parser's
    message (":" separates a field from its value, so a second unescaped ":" is a syntax error;
    "/" opens a regular expression; operators need operands).

    Query string query ("query_string returns an error for invalid syntax"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
    """
    with pytest.raises(QueryError, match=r"(?i)pars|syntax|unexpected|illegal|lexical") as caught:
        store.search(events_index, {"query": {"query_string": {"query": text}}})
    assert not isinstance(caught.value, UnsupportedQueryError)


def test_well_formed_query_string_still_answers(store, events_index):
    """The positive of the malformed cases: the same queries, closed, answer normally.

    Query string query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
    """
    query = {"query_string": {"query": 'summary:(failed) AND summary:"failed password"'}}
    hits = store.search(events_index, {"query": query})["hits"]["hits"]
    assert sorted(hit["_id"] for hit in hits) == ["e1", "e6"]


BAD_VALUES = [
    pytest.param(
        {"term": {"details.sourceipaddress": "10.0.0.0/33"}}, id="term-cidr-prefix-too-long-raises"
    ),
    pytest.param(
        {"match": {"details.sourceipaddress": "alice"}}, id="match-non-ip-on-ip-field-raises"
    ),
    pytest.param(
        {"match": {"details.success": "yes"}}, id="match-non-boolean-on-boolean-field-raises"
    ),
    pytest.param(
        {"wildcard": {"details.sourceipaddress": "10.*"}}, id="wildcard-on-ip-field-raises"
    ),
    pytest.param({"prefix": {"utctimestamp": "2026"}}, id="prefix-on-date-field-raises"),
    pytest.param({"regexp": {"details.success": "t.*"}}, id="regexp-on-boolean-field-raises"),
    pytest.param(
        {"query_string": {"query": "details.sourceipaddress:10.*", "lenient": False}},
        id="qs-wildcard-on-ip-field-raises",
    ),
    pytest.param(
        {"query_string": {"query": "details.sourceipaddress:alice", "lenient": False}},
        id="qs-non-ip-on-ip-field-raises",
    ),
    pytest.param(
        {"query_string": {"query": "utctimestamp:yesterday", "lenient": False}},
        id="qs-non-date-on-date-field-raises",
    ),
    pytest.param(
        {"query_string": {"query": "details.sourceipaddress:[10.0.0.x TO *]", "lenient": False}},
        id="qs-non-ip-range-bound-raises",
    ),
    pytest.param(
        {"term": {"details.sourceipaddress": "not-an-ip"}}, id="term-non-ip-on-ip-field-raises"
    ),
    pytest.param(
        {"range": {"details.sourceipaddress": {"gte": "10.0.0.x"}}}, id="range-non-ip-bound-raises"
    ),
    pytest.param(
        {"range": {"utctimestamp": {"gte": "yesterday-ish"}}}, id="range-unparseable-date-raises"
    ),
    pytest.param(
        {"range": {"utctimestamp": {"gte": "now-5x"}}}, id="range-bad-date-math-unit-raises"
    ),
    pytest.param(
        {"term": {"details.success": "yes"}}, id="term-non-boolean-on-boolean-field-raises"
    ),
]


@pytest.mark.parametrize("query", BAD_VALUES)
def test_value_that_does_not_fit_the_field_raises(store, events_index, query):
    """A query value that cannot be parsed as the field's type is an error, not zero hits
    (match is not lenient by default; query_string is lenient by default when it searches
    every field, as it does without default_field, so those cases set lenient: false).

    IP field type ("is not an IP string literal"), https://www.elastic.co/guide/en/elasticsearch/reference/current/ip.html;
    Date math, https://www.elastic.co/guide/en/elasticsearch/reference/current/common-options.html#date-math;
    Boolean field type, https://www.elastic.co/guide/en/elasticsearch/reference/current/boolean.html;
    wildcard/prefix/regexp only run on keyword and text fields ("Can only use wildcard queries on
    keyword and text fields"), https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-wildcard-query.html
    """
    with pytest.raises(QueryError):
        store.search(events_index, {"query": query})


TEXT_FIELD_BODIES = [
    pytest.param({"sort": [{"summary": "asc"}]}, id="sort-on-text-field-raises"),
    pytest.param(
        {"size": 0, "aggs": {"t": {"terms": {"field": "summary"}}}},
        id="terms-agg-on-text-field-raises",
    ),
]


@pytest.mark.parametrize("body", TEXT_FIELD_BODIES)
def test_text_field_cannot_sort_or_aggregate(store, events_index, body):
    """Sorting or aggregating on a text field is an error (fielddata is off), not a guess.

    Text field type, "fielddata mapping parameter" ("Text fields are searchable by default,
    but by default are not available for aggregations, sorting, or scripting"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/text.html#fielddata-mapping-param
    """
    with pytest.raises(QueryError, match="summary"):
        store.search(events_index, {"query": {"match_all": {}}, **body})


def test_result_window_is_limited(store, events_index):
    """from + size beyond index.max_result_window (10,000) is an error, not a short page.

    Paginate search results ("By default, you cannot use from and size to page through more
    than 10,000 hits"), https://www.elastic.co/guide/en/elasticsearch/reference/current/paginate-search-results.html
    """
    with pytest.raises(QueryError, match="(?i)window"):
        store.search(events_index, {"query": {"match_all": {}}, "from": 9_995, "size": 10})


def test_non_number_on_numeric_field_raises(store, indexed):
    """A term that is not a number, on a numeric field, is an error.

    Numeric field types, https://www.elastic.co/guide/en/elasticsearch/reference/current/number.html
    """
    index = indexed({"properties": {"n": {"type": "long"}}}, {"1": {"n": 1}})
    with pytest.raises(QueryError):
        store.search(index, {"query": {"term": {"n": "abc"}}})


def test_sort_on_an_unmapped_field_raises(store, events_index):
    """Sorting on a field no index maps is an error ("No mapping found for [...] in order to sort on").

    Sort search results ("Ignoring unmapped fields": by default a sort on an unmapped field fails),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/sort-search-results.html
    """
    with pytest.raises(QueryError, match="nosuchfield"):
        store.search(events_index, {"query": {"match_all": {}}, "sort": [{"nosuchfield": "asc"}]})


def test_leading_wildcard_refused_when_disallowed(store, events_index):
    """With allow_leading_wildcard: false, a leading * is a parse error.

    Query string query (allow_leading_wildcard, default true),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
    """
    query = {"query_string": {"query": "hostname:*.example.com", "allow_leading_wildcard": False}}
    with pytest.raises(QueryError):
        store.search(events_index, {"query": query})


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("details.sourceipaddress:10.1.2.0/24", id="cidr-slash-unterminated-regexp"),
        pytest.param("summary:failed/root", id="slash-inside-a-word"),
    ],
)
def test_query_string_unescaped_slash_is_a_parse_error(store, events_index, query):
    """An unescaped '/' starts a regular expression; left open, the query fails to parse.

    Query string syntax (reserved characters, regular expressions),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html#query-string-syntax
    """
    with pytest.raises(QueryError) as caught:
        store.search(events_index, {"query": {"query_string": {"query": query}}})
    assert not isinstance(caught.value, UnsupportedQueryError)


def test_query_string_escaped_slash_is_a_plain_character(events_index, search_ids):
    """An escaped '\\/' is part of the term: an escaped CIDR block matches the range.

    Query string syntax (reserved characters),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html#query-string-syntax
    """
    query = {"query_string": {"query": "details.sourceipaddress:10.0.0.0\\/8"}}
    assert search_ids(events_index, query) == {"e2", "e3"}
