"""Dates as Elasticsearch reads them.

Rules from the Elasticsearch reference:
- date field type and `format`: https://www.elastic.co/guide/en/elasticsearch/reference/current/date.html
  and https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-date-format.html
- date math: https://www.elastic.co/guide/en/elasticsearch/reference/current/common-options.html#date-math
- range query "Date math and rounding" and "Missing date components":
  https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-range-query.html
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lib.errors import QueryError
from lib.store.dates import format_date, parse_date, resolve_date_math


def ms(text: str) -> int:
    """Epoch millis of an ISO timestamp, computed independently of the code under test."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


NOW = ms("2014-11-18T14:27:33.123")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2017-01-01T10:00:00Z", ms("2017-01-01T10:00:00"), id="iso-utc-Z"),
        pytest.param("2017-01-01T10:00:00+00:00", ms("2017-01-01T10:00:00"), id="iso-offset-zero"),
        pytest.param(
            "2017-01-01T12:00:00+02:00", ms("2017-01-01T10:00:00"), id="iso-offset-is-an-instant"
        ),
        pytest.param("2017-01-01T05:00:00-0500", ms("2017-01-01T10:00:00"), id="iso-basic-offset"),
        pytest.param("2017-01-01T10:00:00", ms("2017-01-01T10:00:00"), id="no-offset-means-utc"),
        pytest.param(
            "2017-01-01T10:00:00.123456Z",
            ms("2017-01-01T10:00:00.123"),
            id="fraction-truncated-to-millis",
        ),
        pytest.param("2017-01-01", ms("2017-01-01T00:00:00"), id="date-only"),
        pytest.param("2017", ms("2017-01-01T00:00:00"), id="four-digits-is-a-year"),
        pytest.param(1483264800000, ms("2017-01-01T10:00:00"), id="epoch-millis-number"),
        pytest.param("1483264800000", ms("2017-01-01T10:00:00"), id="epoch-millis-string"),
    ],
)
def test_parse_date_default_format(value: object, expected: int) -> None:
    """Default date format is strict_date_optional_time||epoch_millis."""
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2017-01-01 10:00:00", id="space-separator-not-strict-iso"),
        pytest.param("not a date", id="garbage"),
        pytest.param("2017-13-01", id="month-out-of-range"),
        pytest.param("2017-02-30", id="day-out-of-range"),
        pytest.param("", id="empty-string"),
        pytest.param(True, id="boolean"),
    ],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(value)


def test_parse_date_custom_java_pattern() -> None:
    """A `format` may be a Java pattern, with `||` alternatives tried in order."""
    fmt = "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd"
    assert parse_date("2017/01/02 10:11:12", fmt) == ms("2017-01-02T10:11:12")
    assert parse_date("2017/01/02", fmt) == ms("2017-01-02T00:00:00")
    with pytest.raises(ValueError, match="2017-01-02"):
        parse_date("2017-01-02", fmt)


@pytest.mark.parametrize(
    ("expr", "round_up", "expected"),
    [
        pytest.param("now", False, NOW, id="now"),
        pytest.param("now-5m", False, NOW - 300_000, id="now-minus-5-minutes"),
        pytest.param("now+1h", False, NOW + 3_600_000, id="now-plus-1-hour"),
        pytest.param(
            "now/d", False, ms("2014-11-18T00:00:00"), id="gte-lt-round-down-to-day-start"
        ),
        pytest.param("now/d", True, ms("2014-11-18T23:59:59.999"), id="gt-lte-round-up-to-day-end"),
        pytest.param("now-1d/d", False, ms("2014-11-17T00:00:00"), id="minus-one-day-rounded"),
        pytest.param(
            "2014-11-18||/M", True, ms("2014-11-30T23:59:59.999"), id="doc-example-lte-month-up"
        ),
        pytest.param(
            "2014-11-18||/M", False, ms("2014-11-01T00:00:00"), id="doc-example-gte-month-down"
        ),
        pytest.param("now/w", False, ms("2014-11-17T00:00:00"), id="week-starts-monday"),
        pytest.param("now/y", False, ms("2014-01-01T00:00:00"), id="round-year"),
        pytest.param(
            "2017-01-01||+1d/d", True, ms("2017-01-02T23:59:59.999"), id="anchor-plus-day-rounded"
        ),
        pytest.param(
            "2016-01-31||+1M", False, ms("2016-02-29T00:00:00"), id="month-add-clamps-day"
        ),
        pytest.param("now+1y-2M", False, ms("2015-09-18T14:27:33.123"), id="chained-operations"),
        pytest.param(1500000000000, True, 1500000000000, id="epoch-millis-bound-unchanged"),
    ],
)
def test_resolve_date_math(expr: str | int, round_up: bool, expected: int) -> None:
    """Range query: "Date math and rounding" (gt/lte round up, gte/lt round down)."""
    assert resolve_date_math(expr, NOW, round_up) == expected


@pytest.mark.parametrize(
    ("expr", "round_up", "expected"),
    [
        pytest.param(
            "2017-01-01", True, ms("2017-01-01T23:59:59.999"), id="missing-time-filled-with-max"
        ),
        pytest.param(
            "2017-01-01", False, ms("2017-01-01T00:00:00"), id="missing-time-filled-with-min"
        ),
        pytest.param(
            "2017-01", True, ms("2017-01-01T23:59:59.999"), id="missing-day-is-01-time-max"
        ),
        pytest.param(
            "2017-01-01T10:00", True, ms("2017-01-01T10:00:59.999"), id="missing-seconds-max"
        ),
        pytest.param(
            "2017-01-01T10:00:00Z", True, ms("2017-01-01T10:00:00.999"), id="missing-millis-max"
        ),
    ],
)
def test_missing_date_components(expr: str, round_up: bool, expected: int) -> None:
    """Range query: "Missing date components" (rounding-up bounds use maximum time values)."""
    assert resolve_date_math(expr, NOW, round_up) == expected


@pytest.mark.parametrize(
    "expr",
    [
        pytest.param("now-", id="truncated"),
        pytest.param("now+1x", id="unknown-unit"),
        pytest.param("now/2d", id="rounding-takes-a-single-unit"),
        pytest.param("nowish", id="trailing-garbage"),
        pytest.param("garbage||+1d", id="bad-anchor"),
        pytest.param("not-a-date", id="bad-date"),
    ],
)
def test_bad_date_math_is_a_query_error(expr: str) -> None:
    with pytest.raises(QueryError):
        resolve_date_math(expr, NOW)


def test_time_zone_moves_rounding_and_zoneless_dates() -> None:
    """Range query `time_zone`: converts dates without offset and `now/d` rounding, not `now`."""
    paris = ZoneInfo("Europe/Paris")
    assert resolve_date_math("now/d", NOW, False, tz=paris) == ms("2014-11-17T23:00:00")
    assert resolve_date_math("2020-01-01T00:00:00", NOW, False, tz=paris) == ms(
        "2019-12-31T23:00:00"
    )
    assert resolve_date_math("2020-01-01T00:00:00Z", NOW, False, tz=paris) == ms(
        "2020-01-01T00:00:00"
    )
    assert resolve_date_math("now", NOW, False, tz=paris) == NOW


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param(None, "2017-01-01T10:00:00.123Z", id="default-iso"),
        pytest.param("dateOptionalTime", "2017-01-01T10:00:00.123Z", id="mozdef-format"),
        pytest.param("yyyy/MM/dd HH:mm:ss||yyyy/MM/dd", "2017/01/01 10:00:00", id="java-pattern"),
        pytest.param("epoch_millis", "1483264800123", id="epoch-millis"),
    ],
)
def test_format_date_key_as_string(fmt: str | None, expected: str) -> None:
    """Aggregation `key_as_string` uses the field's first format."""
    assert format_date(ms("2017-01-01T10:00:00.123"), fmt) == expected
