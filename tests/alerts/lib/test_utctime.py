"""to_utc (MozDef's toUTC), utc_now and format_instant."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil.parser import parse
from freezegun import freeze_time

from lib.utctime import format_instant, to_utc, utc_now


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "2016-07-13 14:33:31.625443",
            "2016-07-13 14:33:31.625443+00:00",
            id="naive string is UTC",
        ),
        pytest.param(
            "2016-07-13 22:33:31.625443+00:00", "2016-07-13 22:33:31.625443+00:00", id="UTC string"
        ),
        pytest.param(
            "2016-07-13 14:33:31.625443-08:00",
            "2016-07-13 22:33:31.625443+00:00",
            id="offset string",
        ),
        pytest.param("2016-07-13T22:33:31Z", "2016-07-13 22:33:31+00:00", id="ISO 8601 Z"),
        pytest.param("Wed, 13 Jul 2016 22:33:31 +0200", "2016-07-13 20:33:31+00:00", id="RFC 2822"),
        pytest.param(
            parse("2016-01-02 08:01:57+06:00"), "2016-01-02 02:01:57+00:00", id="aware datetime"
        ),
        pytest.param(
            datetime(2016, 1, 2, 8, 1, 57), "2016-01-02 08:01:57+00:00", id="naive datetime is UTC"
        ),
        pytest.param(date(2016, 1, 2), "2016-01-02 00:00:00+00:00", id="date is midnight UTC"),
        pytest.param(1468443523, "2016-07-13 20:58:43+00:00", id="epoch seconds"),
        pytest.param(1468443523000, "2016-07-13 20:58:43+00:00", id="epoch milliseconds"),
        pytest.param(1468443523000000, "2016-07-13 20:58:43+00:00", id="epoch microseconds"),
        pytest.param(1468443523000000000, "2016-07-13 20:58:43+00:00", id="epoch nanoseconds"),
        pytest.param(1468443523.0, "2016-07-13 20:58:43+00:00", id="float seconds"),
        pytest.param(1.468443523e11, "2016-07-13 20:58:43+00:00", id="float centiseconds"),
        pytest.param(1.468443523e18, "2016-07-13 20:58:43+00:00", id="float nanoseconds"),
        pytest.param("1468443523", "2016-07-13 20:58:43+00:00", id="digit string seconds"),
        pytest.param("1468443523000", "2016-07-13 20:58:43+00:00", id="digit string millis"),
        pytest.param("-86400.000000", "1970-01-01 00:00:00+00:00", id="negative string float"),
        pytest.param("-12345", "1970-01-01 00:00:00+00:00", id="negative string int"),
        pytest.param(0, "1970-01-01 00:00:00+00:00", id="zero int"),
        pytest.param("0", "1970-01-01 00:00:00+00:00", id="zero string"),
        pytest.param("0.0000", "1970-01-01 00:00:00+00:00", id="zero string float"),
        pytest.param(0.0, "1970-01-01 00:00:00+00:00", id="zero float"),
    ],
)
def test_to_utc_reads_what_mozdef_read(value, expected):
    result = to_utc(value)
    assert isinstance(result, datetime)
    assert result.utcoffset() == timedelta(0)
    assert str(result) == expected


@freeze_time("2019-06-01 12:00:00")
def test_syslog_timestamp_without_year_takes_the_current_year():
    assert str(to_utc("Jan  2 08:01:57")) == "2019-01-02 08:01:57+00:00"


@pytest.fixture
def los_angeles_host(monkeypatch):
    """Run the test as if the host's local zone were America/Los_Angeles."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("los_angeles_host")
def test_naive_values_do_not_depend_on_the_host_zone():
    assert time.strftime("%Z", time.localtime(0)) == "PST"
    assert str(to_utc("2016-07-13 14:33:31")) == "2016-07-13 14:33:31+00:00"
    assert str(to_utc(datetime(2016, 7, 13, 14, 33, 31))) == "2016-07-13 14:33:31+00:00"
    assert str(to_utc(1468443523)) == "2016-07-13 20:58:43+00:00"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not a date", id="words"),
        pytest.param("2016-13-45", id="impossible date"),
        pytest.param("", id="empty string"),
        pytest.param(None, id="None"),
        pytest.param(True, id="boolean"),
        pytest.param(float("nan"), id="NaN"),
        pytest.param(["2016-07-13"], id="list"),
    ],
)
def test_bad_input_raises_value_error_naming_the_value(value):
    with pytest.raises(ValueError, match=repr(value).replace("[", r"\[").replace("]", r"\]")):
        to_utc(value)


@freeze_time("2017-01-01 01:00:00")
def test_utc_now_is_aware_utc_and_freezable():
    assert utc_now() == datetime(2017, 1, 1, 1, 0, tzinfo=UTC)


def test_format_instant_is_utc_iso_to_the_millisecond():
    moment = datetime(2017, 1, 1, 2, 0, 0, 123999, tzinfo=timezone(timedelta(hours=1)))
    assert format_instant(moment) == "2017-01-01T01:00:00.123+00:00"
