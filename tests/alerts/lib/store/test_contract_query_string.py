"""Contract: query_string, parsed with Lucene's query syntax and run as Elasticsearch runs it.

Cases run over MozDef's mapping and the events e1..e6 (tests/files/contract_events.json),
plus small explicit-mapping indices for numeric ranges and escaping. Every case id names
the rule; the page for all of them is Query string query,
https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html
(sections "Query string syntax", "Field names", "Wildcards", "Regular expressions",
"Ranges", "Boolean operators", "Grouping", "Reserved characters").
"""

from __future__ import annotations

import pytest

ALL = ("e1", "e2", "e3", "e4", "e5", "e6")
SSHD = ("e1", "e2", "e3", "e6")


def qs(rule: str, query: str, *expected: str, **options: object) -> pytest.param:
    """One table row: a query string (plus options), the ids it must match, the rule as id."""
    return pytest.param({"query_string": {"query": query, **options}}, set(expected), id=rule)


FIELD_CASES = [
    qs("qs-field-value", "processname:sshd", *SSHD),
    qs("qs-space-after-colon", "processname: sshd", *SSHD),
    qs("qs-keyword-is-the-whole-value", "hostname:web1"),
    qs("qs-keyword-case-sensitive", "details.username:admin"),
    qs("qs-keyword-exact-case", "details.username:Admin", "e3"),
    qs("qs-text-field-is-analyzed", "summary:FAILED", "e1", "e6"),
    qs("qs-boolean-field", "details.success:true", "e2", "e5"),
    qs("qs-date-field-instant", 'utctimestamp:"2026-12-03T10:00:00Z"', "e1", "e3"),
    qs(
        "qs-date-only-value-covers-the-day", "utctimestamp:2026-12-03", "e1", "e2", "e3", "e5", "e6"
    ),
    qs("qs-escaped-colons-in-a-date", "utctimestamp:2026-12-03T10\\:00\\:00Z", "e1", "e3"),
    qs("qs-ip-cidr-quoted", 'details.sourceipaddress:"10.0.0.0/8"', "e2", "e3"),
    qs("qs-ip-cidr-escaped-slash", "details.sourceipaddress:10.0.0.0\\/8", "e2", "e3"),
    qs("qs-ipv6-quoted", 'details.sourceipaddress:"2001:db8::5"', "e5"),
    qs("qs-ipv6-escaped-colons", "details.sourceipaddress:2001\\:db8\\:\\:5", "e5"),
    qs("qs-bare-term-searches-all-fields", "alice", "e2"),
    qs("qs-bare-term-keyword-field", "audisp", "e5"),
    qs("qs-bare-ip-searches-all-fields", "10.99.88.77", "e2"),
    qs("qs-bare-term-no-match", "nosuchword"),
    qs("qs-unknown-field-matches-nothing", "nosuchfield:root"),
    qs("qs-exists-unknown-field-matches-nothing", "_exists_:nosuchfield"),
    qs("qs-escaped-ordinary-char-is-itself", "details.username:r\\oot", "e1", "e4", "e5"),
    qs("qs-bare-number-searches-all-fields", "22", "e1", "e6"),
    qs("qs-bare-phrase-searches-all-fields", '"failed password"', "e1", "e6"),
    qs("qs-star-inside-quotes-is-literal", 'hostname:"web*"'),
    qs("qs-phrase-in-order", 'summary:"failed password"', "e1", "e6"),
    qs("qs-phrase-reversed-no-match", 'summary:"password failed"'),
    qs("qs-phrase-on-keyword-is-the-whole-value", 'hostname:"web1.example.com"', "e1", "e4"),
    qs("qs-phrase-proximity", 'summary:"failed root"~3', "e1"),
]


@pytest.mark.parametrize(("query", "expected"), FIELD_CASES)
def test_query_string_fields_and_terms(events_index, search_ids, query, expected):
    """field:value (the field's own query semantics), bare terms over every field, phrases."""
    assert search_ids(events_index, query) == expected


OPERATOR_CASES = [
    qs("qs-and", "processname:sshd AND details.success:false", "e1", "e3", "e6"),
    qs("qs-or", "details.username:alice OR details.username:test", "e2", "e6"),
    qs("qs-and-not", "processname:sshd AND NOT details.username:root", "e2", "e3", "e6"),
    qs("qs-not-alone-matches-the-rest", "NOT processname:sshd", "e4", "e5"),
    qs(
        "qs-all-fields-default-is-lenient-mismatched-clause-matches-nothing",
        "details.sourceipaddress:alice OR processname:CRON",
        "e4",
    ),
    qs("qs-plus-minus", "+processname:sshd -details.username:root", "e2", "e3", "e6"),
    qs(
        "qs-parentheses-group",
        "category:authentication AND (details.username:alice OR details.username:root)",
        "e1",
        "e2",
    ),
    qs(
        "qs-parentheses-change-precedence",
        "(processname:CRON OR processname:audisp) AND hostname:db1",
        "e5",
    ),
    qs("qs-field-grouping", "details.username:(alice OR test)", "e2", "e6"),
    qs("qs-default-operator-is-or", "details.username:alice details.username:test", "e2", "e6"),
    qs("qs-exists", "_exists_:tags", "e1", "e2"),
    qs("qs-not-exists", "NOT _exists_:tags", "e3", "e4", "e5", "e6"),
    qs(
        "qs-lowercase-and-is-a-term-not-an-operator",
        "processname:sshd and details.username:root",
        *ALL,
    ),
    qs("qs-double-ampersand", "processname:sshd && details.username:root", "e1"),
    qs("qs-double-pipe", "details.username:alice || details.username:test", "e2", "e6"),
    qs("qs-bang-not", "processname:sshd AND !details.username:root", "e2", "e3", "e6"),
    qs("qs-not-binds-tighter-than-and", "NOT processname:sshd AND hostname:db1", "e5"),
    qs("qs-star-colon-star-matches-all", "*:*", *ALL),
    qs("qs-lone-star-matches-all", "*", *ALL),
    qs(
        "qs-not-without-and-is-must-not",
        "processname:sshd NOT details.username:root",
        "e2",
        "e3",
        "e6",
    ),
    qs(
        "qs-and-after-or-makes-the-or-clause-optional",
        "details.username:alice OR processname:sshd AND details.success:false",
        "e1",
        "e3",
        "e6",
    ),
    qs(
        "qs-or-after-and-is-optional",
        "processname:sshd AND details.success:false OR details.username:alice",
        "e1",
        "e3",
        "e6",
    ),
    qs("qs-or-not-is-must-not-beside-should", "processname:CRON OR NOT processname:sshd", "e4"),
    qs("qs-field-star-means-exists", "tags:*", "e1", "e2"),
    qs("qs-boost-keeps-the-matches", "processname:sshd^2", *SSHD),
]


@pytest.mark.parametrize(("query", "expected"), OPERATOR_CASES)
def test_query_string_operators(events_index, search_ids, query, expected):
    """AND/OR/NOT, +/-, parentheses and _exists_ ("Boolean operators", "Grouping", "Field names").
    Without default_field the query searches every field and lenient defaults to true, so a
    value a field's type cannot parse matches nothing instead of failing ("lenient").

    Operators are Lucene's classic query parser's: "they do not honor the usual precedence
    rules" (the page's "Boolean operators"): AND makes the clause before it required, OR
    leaves clauses optional, NOT prohibits; a query with required clauses ignores the
    optional ones for matching. So "a OR b AND c" matches like "b AND c".
    """
    assert search_ids(events_index, query) == expected


PATTERN_CASES = [
    qs("qs-wildcard-star", "hostname:web*", "e1", "e2", "e4"),
    qs("qs-wildcard-leading-star", "hostname:*.example.com", "e1", "e2", "e4", "e6"),
    qs("qs-wildcard-question", "details.username:ro?t", "e1", "e4", "e5"),
    qs("qs-wildcard-keyword-case-sensitive", "hostname:WEB*", "e6"),
    qs("qs-wildcard-whole-value", "hostname:db?.example.com"),
    qs("qs-regex-is-anchored", "hostname:/web[0-9]/"),
    qs("qs-regex-on-text-matches-a-token", "summary:/pass.*/", "e1", "e5", "e6"),
    qs("qs-wildcard-on-text-matches-a-token", "summary:pass*", "e1", "e5", "e6"),
    qs("qs-regex-whole-value", "hostname:/web[0-9]\\.example\\.com/", "e1", "e2", "e4"),
]


@pytest.mark.parametrize(("query", "expected"), PATTERN_CASES)
def test_query_string_patterns(events_index, search_ids, query, expected):
    """* and ? wildcards (leading ones allowed by default) and anchored /regex/ terms."""
    assert search_ids(events_index, query) == expected


RANGE_CASES = [
    qs("qs-range-ip-inclusive", "details.sourceipaddress:[10.0.0.0 TO 10.255.255.255]", "e2", "e3"),
    qs("qs-range-ip-exclusive-lower", "details.sourceipaddress:{10.99.88.77 TO 10.100.0.1]", "e3"),
    qs("qs-range-ip-exclusive-upper", "details.sourceipaddress:[10.99.88.77 TO 10.100.0.1}", "e2"),
    qs(
        "qs-range-date-inclusive",
        'utctimestamp:["2026-12-03T10:00:00Z" TO "2026-12-03T10:10:00Z"]',
        "e1",
        "e2",
        "e3",
        "e6",
    ),
    qs(
        "qs-range-date-exclusive",
        'utctimestamp:{"2026-12-03T10:00:00Z" TO "2026-12-03T10:10:00Z"}',
        "e2",
    ),
    qs("qs-range-date-open-upper", 'utctimestamp:["2026-12-03T12:00:00Z" TO *]', "e5"),
    qs(
        "qs-range-date-unquoted-bounds",
        "utctimestamp:[2026-12-03T10:00:00Z TO 2026-12-03T10:10:00Z]",
        "e1",
        "e2",
        "e3",
        "e6",
    ),
    qs("qs-range-date-gte-operator-quoted", 'utctimestamp:>="2026-12-03T12:00:00Z"', "e5"),
    qs("qs-range-date-lt-operator", "utctimestamp:<2026-12-03T00:00:00Z", "e4"),
    qs("qs-range-keyword-inclusive", "hostname:[db1 TO web1.example.com]", "e1", "e3", "e4", "e5"),
    qs("qs-range-keyword-exclusive", "hostname:{db1 TO web1.example.com}"),
    qs("qs-range-keyword-numbers-compare-as-strings", "details.sourceport:[100 TO 3]", "e1", "e6"),
]


@pytest.mark.parametrize(("query", "expected"), RANGE_CASES)
def test_query_string_ranges(events_index, search_ids, query, expected):
    """[a TO b] inclusive, {a TO b} exclusive, * open, >= and < forms; bounds may be quoted
    (Lucene's range syntax takes quoted terms); compared by the field's type ("Ranges")."""
    assert search_ids(events_index, query) == expected


NUMERIC_DOCS = {
    "n5": {"count": 5},
    "n9": {"count": 9},
    "n10": {"count": 10},
    "n100": {"count": 100},
}
NUMERIC_CASES = [
    qs("qs-numeric-field-value", "count:10", "n10"),
    qs("qs-range-numeric-inclusive", "count:[9 TO 10]", "n9", "n10"),
    qs("qs-range-numeric-exclusive", "count:{9 TO 100}", "n10"),
    qs("qs-range-numeric-open-upper", "count:[10 TO *]", "n10", "n100"),
    qs("qs-range-numeric-gte-operator", "count:>=10", "n10", "n100"),
    qs("qs-range-numeric-lt-operator", "count:<9", "n5"),
]


@pytest.mark.parametrize(("query", "expected"), NUMERIC_CASES)
def test_query_string_numeric_ranges(indexed, search_ids, query, expected):
    """Numeric ranges compare numbers, not strings ("Ranges", including >= and < forms)."""
    index = indexed({"properties": {"count": {"type": "long"}}}, NUMERIC_DOCS)
    assert search_ids(index, query) == expected


OPTION_CASES = [
    qs(
        "qs-default_operator-is-case-insensitive",
        "failed root",
        "e1",
        default_field="summary",
        default_operator="and",
    ),
    qs("qs-default_field", "root", "e1", "e4", "e5", default_field="details.username"),
    qs("qs-default_field-limits-the-search", "alice", default_field="hostname"),
    qs("qs-default_field-pattern-lenient", "alice", "e2", default_field="details.*", lenient=True),
    qs("qs-fields-parameter", "db1", "e3", "e5", fields=["hostname", "processname"]),
    qs(
        "qs-default_field-text-any-term",
        "failed root",
        "e1",
        "e4",
        "e5",
        "e6",
        default_field="summary",
    ),
    qs(
        "qs-default_operator-and",
        "failed root",
        "e1",
        default_field="summary",
        default_operator="AND",
    ),
    qs(
        "qs-default_operator-and-explicit-or",
        "failed OR accepted",
        "e1",
        "e2",
        "e6",
        default_field="summary",
        default_operator="AND",
    ),
]


@pytest.mark.parametrize(("query", "expected"), OPTION_CASES)
def test_query_string_options(events_index, search_ids, query, expected):
    """default_field (a field or pattern) and fields name where bare terms go; default_operator
    joins bare terms (OR by default); lenient ignores values a field's type cannot parse."""
    assert search_ids(events_index, query) == expected


# `<` and `>` are reserved too but "can't be escaped at all" (the page's own words), so
# they are left out; every other reserved character is escaped with a backslash.
RESERVED = '+ - = & | ! ( ) { } [ ] ^ " ~ * ? : \\ /'.split()
ESCAPE_DOCS = {f"char-{ord(char)}": {"raw": f"a{char}b"} for char in RESERVED} | {
    "plain": {"raw": "axb"}
}


@pytest.mark.parametrize("char", RESERVED, ids=[f"qs-escape-{ord(c)}-{c}" for c in RESERVED])
def test_query_string_escaping(indexed, search_ids, char):
    """A backslash makes a reserved character literal: raw:a\\<char>b matches only "a<char>b"."""
    index = indexed({"properties": {"raw": {"type": "keyword"}}}, ESCAPE_DOCS)
    query = {"query_string": {"query": f"raw:a\\{char}b"}}
    assert search_ids(index, query) == {f"char-{ord(char)}"}


def test_query_string_unescaped_star_is_a_wildcard(indexed, search_ids):
    """The negative of escaping: raw:a*b (unescaped) matches every a...b value."""
    index = indexed({"properties": {"raw": {"type": "keyword"}}}, ESCAPE_DOCS)
    query = {"query_string": {"query": "raw:a*b"}}
    assert search_ids(index, query) == set(ESCAPE_DOCS)
