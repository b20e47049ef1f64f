"""Contract: how each field type indexes values and answers queries, as Elasticsearch does.

Every case id names the rule; each test's docstring cites the Elasticsearch reference
page the rule comes from (https://www.elastic.co/guide/en/elasticsearch/reference/current/).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

EPOCH_9AM = int(datetime(2026, 12, 3, 9, 0, tzinfo=UTC).timestamp() * 1000)


def case(rule: str, query: dict, *expected: str) -> pytest.param:
    """One table row: the query, the ids it must match, the rule as the test id."""
    return pytest.param(query, set(expected), id=rule)


# -- keyword -------------------------------------------------------------------------

KEYWORD_DOCS = {
    "lower": {"kw": "sshd"},
    "upper": {"kw": "SSHD"},
    "two-words": {"kw": "sshd daemon"},
    "array": {"kw": ["cron", "sshd"]},
    "other": {"kw": "cron"},
}
KEYWORD_CASES = [
    case("keyword-term-is-the-exact-value", {"term": {"kw": "sshd"}}, "lower", "array"),
    case("keyword-is-case-sensitive", {"term": {"kw": "SSHD"}}, "upper"),
    case("keyword-match-is-not-lowercased", {"match": {"kw": "Sshd"}}),
    case("keyword-match-is-the-whole-value", {"match": {"kw": "sshd daemon"}}, "two-words"),
    case("keyword-part-of-a-value-does-not-match", {"match": {"kw": "daemon"}}),
    case("keyword-array-matches-on-any-element", {"term": {"kw": "cron"}}, "array", "other"),
]


@pytest.mark.parametrize(("query", "expected"), KEYWORD_CASES)
def test_keyword(indexed, search_ids, query, expected):
    """keyword fields are not analyzed: exact, case-sensitive, whole values.

    Keyword type family, https://www.elastic.co/guide/en/elasticsearch/reference/current/keyword.html; arrays: Arrays, https://www.elastic.co/guide/en/elasticsearch/reference/current/array.html
    """
    index = indexed({"properties": {"kw": {"type": "keyword"}}}, KEYWORD_DOCS)
    assert search_ids(index, query) == expected


# -- text (standard analyzer) ----------------------------------------------------------

TEXT_DOCS = {
    "log": {"txt": "Failed password for root from 11.22.33.44 port 22"},
    "host": {"txt": "connection to example.com closed"},
    "punct": {"txt": "user_name=alice@corp/dev,(admin)-x"},
    "unicode": {"txt": "Ünïcode Straße café"},
    "hyphen": {"txt": "Brown-Foxes jumped"},
    "quote": {"txt": "the lazy dog's bone"},
    "session": {"txt": "pam_unix(cron:session) opened"},
    "version": {"txt": "openssh v9.6p1 on 10.0.0.1:2222 sent 1,000 bytes"},
    "cjk": {"txt": "日本語"},
    "greek": {"txt": "ΟΔΟΣ"},
    "url": {"txt": "GET https://www.example.org/login?name=bob"},
    "path": {"txt": "C:\\Windows\\System32 0x1F O'Neil's"},
    "long": {"txt": "y" * 300},
}
TEXT_CASES = [
    case("text-match-is-lowercased", {"match": {"txt": "FAILED PASSWORD"}}, "log"),
    case("text-term-sees-the-lowercased-token", {"term": {"txt": "failed"}}, "log"),
    case("text-term-is-not-analyzed", {"term": {"txt": "Failed"}}),
    case("text-dotted-digits-are-one-token", {"term": {"txt": "11.22.33.44"}}, "log"),
    case("text-dotted-digits-are-not-split", {"term": {"txt": "11"}}),
    case("text-match-ipv4-is-one-token", {"match": {"txt": "11.22.33.44"}}, "log"),
    case("text-match-partial-ipv4-no-match", {"match": {"txt": "11.22"}}),
    case("text-dotted-name-is-one-token", {"term": {"txt": "example.com"}}, "host"),
    case("text-dotted-name-is-not-split", {"term": {"txt": "example"}}),
    case("text-underscore-joins", {"term": {"txt": "user_name"}}, "punct"),
    case("text-underscore-does-not-split", {"term": {"txt": "user"}}),
    case("text-equals-and-at-split", {"term": {"txt": "alice"}}, "punct"),
    case("text-at-and-slash-split", {"term": {"txt": "corp"}}, "punct"),
    case("text-slash-and-comma-split", {"term": {"txt": "dev"}}, "punct"),
    case("text-parentheses-split", {"term": {"txt": "admin"}}, "punct"),
    case("text-no-token-spans-an-at-sign", {"term": {"txt": "alice@corp"}}),
    case("text-hyphen-splits", {"term": {"txt": "foxes"}}, "hyphen"),
    case("text-no-token-spans-a-hyphen", {"term": {"txt": "brown-foxes"}}),
    case("text-unicode-is-lowercased", {"match": {"txt": "ÜNÏCODE"}}, "unicode"),
    case("text-unicode-letters-are-kept", {"term": {"txt": "straße"}}, "unicode"),
    case("text-no-ascii-folding", {"match": {"txt": "cafe"}}),
    case("text-apostrophe-between-letters-stays-inside", {"term": {"txt": "dog's"}}, "quote"),
    case("text-apostrophe-word-is-not-split", {"term": {"txt": "dog"}}),
    case("text-colon-between-letters-stays-inside", {"term": {"txt": "cron:session"}}, "session"),
    case("text-colon-word-is-not-split", {"term": {"txt": "cron"}}),
    case("text-letters-and-digits-with-dots-one-token", {"term": {"txt": "v9.6p1"}}, "version"),
    case("text-colon-between-digits-splits", {"term": {"txt": "2222"}}, "version"),
    case("text-address-before-port-is-one-token", {"term": {"txt": "10.0.0.1"}}, "version"),
    case("text-comma-between-digits-stays-inside", {"term": {"txt": "1,000"}}, "version"),
    case("text-ideographs-are-one-token-each", {"term": {"txt": "本"}}, "cjk"),
    case("text-ideographs-never-one-word-token", {"term": {"txt": "日本語"}}),
    case("text-lowercase-is-per-code-point", {"term": {"txt": "οδοσ"}}, "greek"),
    case("text-no-final-sigma-rule", {"term": {"txt": "οδος"}}),
    case("text-url-scheme-is-a-token", {"term": {"txt": "https"}}, "url"),
    case("text-url-host-is-one-token", {"term": {"txt": "www.example.org"}}, "url"),
    case("text-url-never-one-token", {"term": {"txt": "www.example.org/login"}}),
    case("text-query-string-splits-at-equals", {"term": {"txt": "bob"}}, "url"),
    case("text-backslash-splits", {"term": {"txt": "system32"}}, "path"),
    case("text-drive-letter-alone", {"term": {"txt": "c"}}, "path"),
    case("text-digit-then-letters-one-token", {"term": {"txt": "0x1f"}}, "path"),
    case("text-two-apostrophes-one-token", {"term": {"txt": "o'neil's"}}, "path"),
    case("text-long-token-split-at-255", {"term": {"txt": "y" * 255}}, "long"),
    case("text-long-token-remainder", {"term": {"txt": "y" * 45}}, "long"),
    case("text-long-token-never-whole", {"term": {"txt": "y" * 300}}),
    case("text-match-any-term-by-default", {"match": {"txt": "failed closed"}}, "log", "host"),
    case(
        "text-match-operator-and-needs-every-term",
        {"match": {"txt": {"query": "failed closed", "operator": "and"}}},
    ),
]


@pytest.mark.parametrize(("query", "expected"), TEXT_CASES)
def test_text_standard_analyzer(indexed, search_ids, query, expected):
    """text fields use the standard analyzer: UAX #29 word segmentation, then lowercase.

    Standard tokenizer ("grammar based tokenization based on the Unicode Text
    Segmentation algorithm, Unicode Standard Annex #29"; max_token_length 255: "If a token
    is seen that exceeds this length then it is split at max_token_length intervals"), https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-standard-tokenizer.html;
    Standard analyzer (lowercase token filter), https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-standard-analyzer.html;
    word break property values (MidLetter includes ' and :, MidNum includes ,), UAX #29,
    https://www.unicode.org/reports/tr29/#Word_Boundaries; lowercasing is Lucene's
    LowerCaseFilter (Character.toLowerCase per code point: no final-sigma context),
    Lowercase token filter, https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-lowercase-tokenfilter.html
    """
    index = indexed({"properties": {"txt": {"type": "text"}}}, TEXT_DOCS)
    assert search_ids(index, query) == expected


# -- ip ----------------------------------------------------------------------------------

IP_DOCS = {
    "a": {"addr": "10.99.88.77"},
    "b": {"addr": "10.100.0.1"},
    "c": {"addr": "192.168.1.5"},
    "d": {"addr": "2001:db8::1"},
    "e": {"addr": "2001:db9::1"},
    "f": {"addr": "9.255.255.255"},
    "arr": {"addr": ["172.16.0.1", "8.8.8.8"]},
}
# Elasticsearch indexes every address as 16 bytes, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d),
# so IPv4 addresses sort below 2001:db8::/32.
IP_CASES = [
    case("ip-term-exact-address", {"term": {"addr": "10.99.88.77"}}, "a"),
    case("ip-term-cidr-matches-the-range", {"term": {"addr": "10.0.0.0/8"}}, "a", "b"),
    case("ip-cidr-with-host-bits-is-masked", {"term": {"addr": "10.99.88.77/8"}}, "a", "b"),
    case("ip-cidr-excludes-addresses-outside", {"term": {"addr": "10.99.0.0/16"}}, "a"),
    case("ip-match-cidr-matches-the-range", {"match": {"addr": "192.168.0.0/16"}}, "c"),
    case("ip-ipv6-cidr", {"term": {"addr": "2001:db8::/32"}}, "d"),
    case("ip-ipv6-any-notation-same-address", {"term": {"addr": "2001:0db8:0:0:0:0:0:1"}}, "d"),
    case(
        "ip-range-compares-addresses",
        {"range": {"addr": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}},
        "a",
        "b",
    ),
    case(
        "ip-range-is-not-string-order",
        {"range": {"addr": {"gte": "9.0.0.0", "lt": "10.100.0.0"}}},
        "a",
        "f",
    ),
    case("ip-range-gt-lt", {"range": {"addr": {"gt": "10.99.88.77", "lt": "11.0.0.0"}}}, "b"),
    case(
        "ip-range-ipv6",
        {"range": {"addr": {"gte": "2001:db8::", "lte": "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"}}},
        "d",
    ),
    case(
        "ip-cidr-0.0.0.0/0-is-every-ipv4-address",
        {"term": {"addr": "0.0.0.0/0"}},
        "a",
        "b",
        "c",
        "f",
        "arr",
    ),
    case("ip-cidr-::/0-is-every-address", {"term": {"addr": "::/0"}}, *IP_DOCS),
    case(
        "ip-range-ipv4-bound-orders-ipv6-above", {"range": {"addr": {"gte": "0.0.0.0"}}}, *IP_DOCS
    ),
    case(
        "ip-range-ipv4-upper-bound-excludes-ipv6",
        {"range": {"addr": {"lte": "255.255.255.255"}}},
        "a",
        "b",
        "c",
        "f",
        "arr",
    ),
    case("ip-array-matches-on-any-element", {"term": {"addr": "8.8.8.8"}}, "arr"),
    case("ip-array-cidr-any-element", {"term": {"addr": "172.16.0.0/12"}}, "arr"),
]


@pytest.mark.parametrize(("query", "expected"), IP_CASES)
def test_ip(indexed, search_ids, query, expected):
    """ip fields hold IPv4 and IPv6 addresses; term/match take CIDR; ranges compare addresses.

    IP field type ("Querying ip fields": CIDR notation), https://www.elastic.co/guide/en/elasticsearch/reference/current/ip.html
    """
    index = indexed({"properties": {"addr": {"type": "ip"}}}, IP_DOCS)
    assert search_ids(index, query) == expected


# -- date --------------------------------------------------------------------------------

DATE_DOCS = {
    "utc-z": {"ts": "2026-12-03T10:00:00Z"},
    "plus-two": {"ts": "2026-12-03T12:00:00+02:00"},
    "no-offset": {"ts": "2026-12-03T10:00:00"},
    "fraction": {"ts": "2026-12-03T10:00:00.250Z"},
    "epoch-millis": {"ts": EPOCH_9AM},
    "minus-one": {"ts": "2026-12-02T23:30:00-01:00"},
    "just-before": {"ts": "2026-12-03T09:59:59.999Z"},
    "epoch-string": {"ts": str(EPOCH_9AM)},
    "micros": {"ts": "2026-12-03T08:00:00.123456Z"},
}
TEN_UTC = ("utc-z", "plus-two", "no-offset")
DATE_CASES = [
    case("date-offsets-name-one-instant", {"term": {"ts": "2026-12-03T10:00:00.000Z"}}, *TEN_UTC),
    case("date-no-offset-means-utc", {"term": {"ts": "2026-12-03T10:00:00.000"}}, *TEN_UTC),
    case(
        "date-bound-with-offset",
        {
            "range": {
                "ts": {
                    "gte": "2026-12-03T11:00:00.000+01:00",
                    "lte": "2026-12-03T11:00:00.000+01:00",
                }
            }
        },
        *TEN_UTC,
    ),
    case(
        "date-value-without-millis-covers-its-second",
        {"term": {"ts": "2026-12-03T10:00:00Z"}},
        *TEN_UTC,
        "fraction",
    ),
    case(
        "date-fractional-seconds-kept",
        {"range": {"ts": {"gt": "2026-12-03T10:00:00.000Z"}}},
        "fraction",
    ),
    case("date-gt-without-millis-rounds-up", {"range": {"ts": {"gt": "2026-12-03T10:00:00Z"}}}),
    case(
        "date-fraction-below-bound-excluded", {"range": {"ts": {"gt": "2026-12-03T10:00:00.250Z"}}}
    ),
    case(
        "date-millisecond-precision",
        {"range": {"ts": {"gte": "2026-12-03T09:59:59Z", "lt": "2026-12-03T10:00:00Z"}}},
        "just-before",
    ),
    case(
        "date-epoch-millis-document",
        {"term": {"ts": "2026-12-03T09:00:00Z"}},
        "epoch-millis",
        "epoch-string",
    ),
    case(
        "date-sub-millisecond-digits-truncate",
        {"term": {"ts": "2026-12-03T08:00:00.123Z"}},
        "micros",
    ),
    case(
        "date-epoch-millis-bound",
        {"range": {"ts": {"gte": EPOCH_9AM, "lte": EPOCH_9AM}}},
        "epoch-millis",
        "epoch-string",
    ),
    case(
        "date-compares-instants-not-strings",
        {"range": {"ts": {"gte": "2026-12-03T00:00:00Z", "lt": "2026-12-03T01:00:00Z"}}},
        "minus-one",
    ),
    case("date-string-order-disagrees", {"range": {"ts": {"lt": "2026-12-03T00:00:00Z"}}}),
]


@pytest.mark.parametrize(("query", "expected"), DATE_CASES)
def test_date(indexed, search_ids, query, expected):
    """date fields store instants (UTC milliseconds) parsed from ISO 8601 or epoch millis.

    Date field type ("internally, dates are converted to UTC ... milliseconds-since-the-epoch";
    default format strict_date_optional_time||epoch_millis), https://www.elastic.co/guide/en/elasticsearch/reference/current/date.html;
    a value missing components is a span when it is an upper bound (gt/lte, and term, which
    is a range from the value to itself): Range query, "Missing date components",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html
    """
    index = indexed({"properties": {"ts": {"type": "date"}}}, DATE_DOCS)
    assert search_ids(index, query) == expected


DATE_ONLY_DOCS = {
    "prev-late": {"ts": "2026-12-02T23:59:59.999Z"},
    "start": {"ts": "2026-12-03T00:00:00Z"},
    "late": {"ts": "2026-12-03T23:59:59.999Z"},
    "next": {"ts": "2026-12-04T00:00:00Z"},
    "date-only": {"ts": "2026-12-03"},
}
DATE_ONLY_CASES = [
    case(
        "date-only-document-is-midnight-utc",
        {"term": {"ts": "2026-12-03T00:00:00.000Z"}},
        "start",
        "date-only",
    ),
    case(
        "date-only-term-covers-the-day",
        {"term": {"ts": "2026-12-03"}},
        "start",
        "late",
        "date-only",
    ),
    case(
        "date-only-lte-includes-the-whole-day",
        {"range": {"ts": {"lte": "2026-12-02"}}},
        "prev-late",
    ),
    case("date-only-gt-excludes-the-whole-day", {"range": {"ts": {"gt": "2026-12-03"}}}, "next"),
    case(
        "date-math-month-arithmetic-clamps-to-month-end",
        {"range": {"ts": {"gte": "2026-10-31||+1M+2d", "lt": "2026-12-03"}}},
        "prev-late",
    ),
    case(
        "date-range-time_zone-shifts-date-only-bounds",
        {"range": {"ts": {"gte": "2026-12-03", "lt": "2026-12-04", "time_zone": "-01:00"}}},
        "late",
        "next",
    ),
    case(
        "date-range-format-parses-the-bounds",
        {"range": {"ts": {"gte": "03/12/2026", "lte": "03/12/2026", "format": "dd/MM/yyyy"}}},
        "start",
        "late",
        "date-only",
    ),
    case(
        "date-math-on-an-explicit-anchor",
        {"range": {"ts": {"gte": "2026-12-02||+1d", "lt": "2026-12-03T12:00:00Z||+1d/d"}}},
        "start",
        "late",
        "date-only",
    ),
    case(
        "date-only-gte-lt-is-the-day",
        {"range": {"ts": {"gte": "2026-12-03", "lt": "2026-12-04"}}},
        "start",
        "late",
        "date-only",
    ),
]


@pytest.mark.parametrize(("query", "expected"), DATE_ONLY_CASES)
def test_date_missing_components(indexed, search_ids, query, expected):
    """A date without a time is midnight UTC as a value; as an upper bound (lte, gt, and
    term, a range from the value to itself) its missing components are filled with their
    maximum, so it spans the day. Date math on an explicit anchor (`date||+1M`) adds calendar
    months (Oct 31 + 1 month = Nov 30); time_zone and format change how bounds are read.

    Range query, "Missing date components", "time_zone", "format",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html;
    Date math, https://www.elastic.co/guide/en/elasticsearch/reference/current/common-options.html#date-math
    """
    index = indexed({"properties": {"ts": {"type": "date"}}}, DATE_ONLY_DOCS)
    assert search_ids(index, query) == expected


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


MINUTE_CASES = [
    case("date-math-now-minus-5m", {"range": {"ts": {"gte": "now-5m", "lte": "now"}}}, "4m-ago"),
    case("date-math-older-than-5m", {"range": {"ts": {"lt": "now-5m"}}}, "6m-ago"),
    case("date-math-now-plus", {"range": {"ts": {"gt": "now", "lte": "now+2h"}}}, "in-1h"),
    case(
        "date-math-in-query-string-range",
        {"query_string": {"query": "ts:[now-5m TO now]"}},
        "4m-ago",
    ),
    case("date-math-in-query-string-operator", {"query_string": {"query": "ts:<now-5m"}}, "6m-ago"),
]


@pytest.mark.parametrize(("query", "expected"), MINUTE_CASES)
def test_date_math_relative_to_now(now, indexed, search_ids, query, expected):
    """Date math in range bounds is resolved against the caller's clock.

    Common options, "Date math" (now-5m), https://www.elastic.co/guide/en/elasticsearch/reference/current/common-options.html#date-math;
    Range query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html
    """
    docs = {
        "4m-ago": {"ts": _iso(now - timedelta(minutes=4))},
        "6m-ago": {"ts": _iso(now - timedelta(minutes=6))},
        "in-1h": {"ts": _iso(now + timedelta(hours=1))},
    }
    index = indexed({"properties": {"ts": {"type": "date"}}}, docs)
    assert search_ids(index, query) == expected


DAY_CASES = [
    case(
        "date-math-gte-rounds-down-to-start-of-day",
        {"range": {"ts": {"gte": "now/d"}}},
        "start-of-today",
        "end-of-today",
        "start-of-tomorrow",
    ),
    case(
        "date-math-gt-rounds-up-excluding-today",
        {"range": {"ts": {"gt": "now/d"}}},
        "start-of-tomorrow",
    ),
    case(
        "date-math-lt-rounds-down-excluding-today",
        {"range": {"ts": {"lt": "now/d"}}},
        "end-of-yesterday",
    ),
    case(
        "date-math-lte-rounds-up-including-today",
        {"range": {"ts": {"lte": "now/d"}}},
        "end-of-yesterday",
        "start-of-today",
        "end-of-today",
    ),
    case(
        "date-math-yesterday-window",
        {"range": {"ts": {"gte": "now-1d/d", "lt": "now/d"}}},
        "end-of-yesterday",
    ),
]


@pytest.mark.parametrize(("query", "expected"), DAY_CASES)
def test_date_math_rounding(now, indexed, search_ids, query, expected):
    """Rounding in range bounds depends on the operator (gt/lte round up, gte/lt down).

    Range query, "Date math and rounding", https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html#range-query-date-math-rounding
    """
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day, ms = timedelta(days=1), timedelta(milliseconds=1)
    docs = {
        "end-of-yesterday": {"ts": _iso(today - ms)},
        "start-of-today": {"ts": _iso(today)},
        "end-of-today": {"ts": _iso(today + day - ms)},
        "start-of-tomorrow": {"ts": _iso(today + day)},
    }
    index = indexed({"properties": {"ts": {"type": "date"}}}, docs)
    assert search_ids(index, query) == expected


# -- boolean and numeric --------------------------------------------------------------------

BOOLEAN_DOCS = {
    "true": {"flag": True},
    "false": {"flag": False},
    "str-true": {"flag": "true"},
    "str-false": {"flag": "false"},
    "empty-str": {"flag": ""},
    "missing": {},
}
BOOLEAN_CASES = [
    case("boolean-term-true", {"term": {"flag": True}}, "true", "str-true"),
    case(
        "boolean-term-string-false", {"term": {"flag": "false"}}, "false", "str-false", "empty-str"
    ),
    case("boolean-match-false", {"match": {"flag": False}}, "false", "str-false", "empty-str"),
    case(
        "boolean-terms-both",
        {"terms": {"flag": [True, False]}},
        "true",
        "false",
        "str-true",
        "str-false",
        "empty-str",
    ),
]


@pytest.mark.parametrize(("query", "expected"), BOOLEAN_CASES)
def test_boolean(indexed, search_ids, query, expected):
    """boolean fields accept true/false, "true"/"false" and "" (false); missing never matches.

    Boolean field type ("False values: false, "false", "" (empty string)"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/boolean.html
    """
    index = indexed({"properties": {"flag": {"type": "boolean"}}}, BOOLEAN_DOCS)
    assert search_ids(index, query) == expected


NUMERIC_DOCS = {
    "five": {"num": 5},
    "ten": {"num": 10},
    "hundred": {"num": 100},
    "twenty-str": {"num": "20"},
    "half": {"ratio": 0.5},
    "two": {"ratio": 2.0},
    "seven-point-nine": {"num": 7.9},
}
NUMERIC_CASES = [
    case(
        "numeric-range-compares-numbers",
        {"range": {"num": {"gte": 9, "lte": 20}}},
        "ten",
        "twenty-str",
    ),
    case("numeric-range-gt", {"range": {"num": {"gt": 10}}}, "hundred", "twenty-str"),
    case("numeric-range-lt", {"range": {"num": {"lt": 10}}}, "five", "seven-point-nine"),
    case("numeric-long-truncates-fractions", {"term": {"num": 7}}, "seven-point-nine"),
    case("numeric-term-coerces-a-string", {"term": {"num": "10"}}, "ten"),
    case("numeric-string-in-document-is-coerced", {"term": {"num": 20}}, "twenty-str"),
    case("numeric-double-range", {"range": {"ratio": {"gt": 0.4, "lt": 1}}}, "half"),
]


@pytest.mark.parametrize(("query", "expected"), NUMERIC_CASES)
def test_numeric(indexed, search_ids, query, expected):
    """Numeric fields compare numbers, and coerce numeric strings (coerce: true).

    Numeric field types, https://www.elastic.co/guide/en/elasticsearch/reference/current/number.html;
    coerce ("Floating points will be truncated for integer values"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/coerce.html
    """
    mapping = {"properties": {"num": {"type": "long"}, "ratio": {"type": "double"}}}
    index = indexed(mapping, NUMERIC_DOCS)
    assert search_ids(index, query) == expected


# -- exists, null and dotted keys -------------------------------------------------------------

EXISTS_DOCS = {
    "value": {"f": "x"},
    "empty-string": {"f": ""},
    "null-and-value": {"f": [None, "y"]},
    "null": {"f": None},
    "empty-list": {"f": []},
    "list-of-null": {"f": [None]},
    "missing": {"g": "x"},
}
EXISTS_CASES = [
    case(
        "exists-needs-one-non-null-value",
        {"exists": {"field": "f"}},
        "value",
        "empty-string",
        "null-and-value",
    ),
    case(
        "null-empty-list-and-list-of-null-do-not-exist",
        {"bool": {"must_not": {"exists": {"field": "f"}}}},
        "null",
        "empty-list",
        "list-of-null",
        "missing",
    ),
]


@pytest.mark.parametrize(("query", "expected"), EXISTS_CASES)
def test_exists_and_null(indexed, search_ids, query, expected):
    """null, [] and [null] are no value; "" and [null, "y"] are values.

    Exists query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-exists-query.html; null_value, https://www.elastic.co/guide/en/elasticsearch/reference/current/null-value.html
    """
    index = indexed(
        {"properties": {"f": {"type": "keyword"}, "g": {"type": "keyword"}}}, EXISTS_DOCS
    )
    assert search_ids(index, query) == expected


OBJECT_DOCS = {"with-sub": {"obj": {"a": "x"}}, "empty-obj": {"obj": {}}, "missing": {"other": "x"}}
OBJECT_CASES = [
    case("exists-object-needs-a-sub-field-value", {"exists": {"field": "obj"}}, "with-sub"),
    case(
        "empty-object-does-not-exist",
        {"bool": {"must_not": {"exists": {"field": "obj"}}}},
        "empty-obj",
        "missing",
    ),
]


@pytest.mark.parametrize(("query", "expected"), OBJECT_CASES)
def test_exists_on_object_fields(indexed, search_ids, query, expected):
    """exists on an object field matches documents with a value in any of its sub-fields.

    Exists query, https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-exists-query.html
    """
    mapping = {
        "properties": {
            "obj": {"properties": {"a": {"type": "keyword"}}},
            "other": {"type": "keyword"},
        }
    }
    index = indexed(mapping, OBJECT_DOCS)
    assert search_ids(index, query) == expected


DOTTED_DOCS = {
    "dotted": {"details.program": "sshd", "details.sourceipaddress": "10.1.2.3"},
    "nested": {"details": {"program": "sshd", "sourceipaddress": "10.1.2.4"}},
    "other": {"details": {"program": "cron"}},
}
DOTTED_CASES = [
    case(
        "dotted-key-is-the-nested-path", {"term": {"details.program": "sshd"}}, "dotted", "nested"
    ),
    case(
        "dotted-key-gets-the-mapped-type",
        {"term": {"details.sourceipaddress": "10.1.2.0/24"}},
        "dotted",
        "nested",
    ),
    case(
        "dotted-key-exists", {"exists": {"field": "details.program"}}, "dotted", "nested", "other"
    ),
    case("dotted-key-is-not-a-top-level-field", {"term": {"program": "sshd"}}),
]


@pytest.mark.parametrize(("query", "expected"), DOTTED_CASES)
def test_dotted_keys(indexed, search_ids, mozdef_mappings, query, expected):
    """A key "details.program" in a document is the field details.program of the object details.

    Object field type (dotted field names are expanded into objects), https://www.elastic.co/guide/en/elasticsearch/reference/current/object.html
    """
    index = indexed(mozdef_mappings, DOTTED_DOCS)
    assert search_ids(index, query) == expected


# -- dynamic mapping -------------------------------------------------------------------------

DYNAMIC_DOCS = {
    "a": {"msg": "Hello World", "when": "2026-12-03T10:00:00Z", "n": 5},
    "b": {"msg": "hello there", "when": "2026-12-04T10:00:00Z", "n": 50},
}
DYNAMIC_CASES = [
    case("dynamic-string-is-text", {"match": {"msg": "HELLO"}}, "a", "b"),
    case("dynamic-string-has-keyword-subfield", {"term": {"msg.keyword": "Hello World"}}, "a"),
    case("dynamic-keyword-subfield-is-exact", {"term": {"msg.keyword": "hello world"}}),
    case(
        "dynamic-date-detection",
        {"range": {"when": {"gte": "2026-12-03T11:00:00+01:00", "lt": "2026-12-04T00:00:00Z"}}},
        "a",
    ),
    case("dynamic-whole-number-is-long", {"range": {"n": {"gte": 9}}}, "b"),
]


@pytest.mark.parametrize(("query", "expected"), DYNAMIC_CASES)
def test_dynamic_defaults(indexed, search_ids, query, expected):
    """With no mapping: strings are text + .keyword, ISO dates are date, integers long.

    Dynamic field mapping, https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html
    """
    index = indexed(None, DYNAMIC_DOCS)
    assert search_ids(index, query) == expected


MOZDEF_DYNAMIC_DOCS = {
    "a": {"details": {"newfield": "Hello World", "count": 5, "when": "2026-12-03T10:00:00Z"}},
    "b": {"details": {"newfield": "hello", "count": 50}},
}
MOZDEF_DYNAMIC_CASES = [
    case(
        "mozdef-no-date-detection-exact-string",
        {"term": {"details.when": "2026-12-03T10:00:00Z"}},
        "a",
    ),
    case(
        "mozdef-no-date-detection-not-an-instant",
        {"term": {"details.when": "2026-12-03T11:00:00+01:00"}},
    ),
    case("mozdef-new-string-is-keyword", {"match": {"details.newfield": "hello"}}, "b"),
    case("mozdef-new-string-is-not-tokenized", {"match": {"details.newfield": "world"}}),
    case("mozdef-number-is-keyword", {"term": {"details.count": "5"}}, "a"),
    case(
        "mozdef-number-range-is-string-order", {"range": {"details.count": {"lt": "6"}}}, "a", "b"
    ),
]


@pytest.mark.parametrize(("query", "expected"), MOZDEF_DYNAMIC_CASES)
def test_mozdef_dynamic_templates(indexed, search_ids, mozdef_mappings, query, expected):
    """MozDef's dynamic templates map new strings and numbers as keyword (date_detection: false).

    Dynamic templates (match_mapping_type), https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-templates.html
    """
    index = indexed(mozdef_mappings, MOZDEF_DYNAMIC_DOCS)
    assert search_ids(index, query) == expected


LONG_TEXT = "x" * 300
IGNORE_ABOVE_CASES = [
    case("dynamic-text-indexes-long-strings", {"match": {"msg": LONG_TEXT}}, "long"),
    case("dynamic-keyword-ignores-strings-over-256", {"term": {"msg.keyword": LONG_TEXT}}),
    case("dynamic-keyword-over-256-does-not-exist", {"exists": {"field": "msg.keyword"}}, "short"),
]


@pytest.mark.parametrize(("query", "expected"), IGNORE_ABOVE_CASES)
def test_dynamic_keyword_ignore_above(indexed, search_ids, query, expected):
    """The dynamic .keyword sub-field has ignore_above: 256; longer strings are not indexed in it.

    Dynamic field mapping (keyword sub-field with ignore_above 256),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html;
    ignore_above, https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-above.html
    """
    index = indexed(None, {"long": {"msg": LONG_TEXT}, "short": {"msg": "short"}})
    assert search_ids(index, query) == expected


def test_ipv4_mapped_ipv6_is_the_ipv4_address(indexed, search_ids):
    """::ffff:a.b.c.d and a.b.c.d are one address (Elasticsearch stores IPv4 as IPv4-mapped IPv6).

    IP field type, https://www.elastic.co/guide/en/elasticsearch/reference/current/ip.html
    """
    docs = {
        "v4": {"addr": "10.1.2.3"},
        "mapped": {"addr": "::ffff:10.1.2.3"},
        "other": {"addr": "10.1.2.4"},
    }
    index = indexed({"properties": {"addr": {"type": "ip"}}}, docs)
    assert search_ids(index, {"term": {"addr": "10.1.2.3"}}) == {"v4", "mapped"}
    assert search_ids(index, {"term": {"addr": "::ffff:10.1.2.4"}}) == {"other"}


def test_arrays_of_objects_are_flattened(indexed, search_ids):
    """Arrays of objects are flattened: sub-field values lose which object they came from.

    Nested field type, "How arrays of objects are flattened",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/nested.html
    """
    docs = {
        "pair": {"user": [{"first": "John", "last": "Smith"}, {"first": "Alice", "last": "White"}]}
    }
    index = indexed(None, docs)
    crossed = {
        "bool": {"must": [{"match": {"user.first": "Alice"}}, {"match": {"user.last": "Smith"}}]}
    }
    assert search_ids(index, crossed) == {"pair"}
    assert search_ids(index, {"match": {"user.first": "Bob"}}) == set()


def test_multi_fields(indexed, search_ids):
    """An explicit multi-field indexes one value two ways (text and keyword).

    fields (multi-fields), https://www.elastic.co/guide/en/elasticsearch/reference/current/multi-fields.html
    """
    mapping = {"properties": {"msg": {"type": "text", "fields": {"raw": {"type": "keyword"}}}}}
    index = indexed(mapping, {"a": {"msg": "Disk Full"}, "b": {"msg": "disk ok"}})
    assert search_ids(index, {"match": {"msg": "DISK"}}) == {"a", "b"}
    assert search_ids(index, {"term": {"msg.raw": "Disk Full"}}) == {"a"}
    assert search_ids(index, {"term": {"msg.raw": "disk full"}}) == set()


NULL_VALUE_CASES = [
    case("null_value-replaces-null", {"term": {"status": "NULL"}}, "null", "list-of-null"),
    case(
        "null_value-makes-null-exist", {"exists": {"field": "status"}}, "null", "list-of-null", "up"
    ),
    case(
        "null_value-not-for-missing-or-empty-list",
        {"bool": {"must_not": {"exists": {"field": "status"}}}},
        "missing",
        "empty",
    ),
]


@pytest.mark.parametrize(("query", "expected"), NULL_VALUE_CASES)
def test_null_value(indexed, search_ids, query, expected):
    """null_value indexes explicit nulls as the given value; [] and missing stay missing.

    null_value, https://www.elastic.co/guide/en/elasticsearch/reference/current/null-value.html;
    Exists query ("null_value mapping"), https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-exists-query.html
    """
    mapping = {"properties": {"status": {"type": "keyword", "null_value": "NULL"}}}
    docs = {
        "null": {"status": None},
        "list-of-null": {"status": [None]},
        "up": {"status": "up"},
        "empty": {"status": []},
        "missing": {},
    }
    index = indexed(mapping, docs)
    assert search_ids(index, query) == expected


def test_phrases_never_span_array_values(indexed, search_ids):
    """Values of a text array are 100 positions apart: a phrase never spans two of them.

    position_increment_gap (default 100),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/position-increment-gap.html
    """
    docs = {"split": {"txt": ["failed", "password"]}, "joined": {"txt": ["failed password"]}}
    index = indexed({"properties": {"txt": {"type": "text"}}}, docs)
    assert search_ids(index, {"match_phrase": {"txt": "failed password"}}) == {"joined"}
    assert search_ids(
        index, {"match": {"txt": {"query": "failed password", "operator": "and"}}}
    ) == {"split", "joined"}
