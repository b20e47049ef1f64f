"""Event normalization shared by `vigil ingest` and loginput (lib/normalize.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lib.errors import DocumentError
from lib.normalize import mozdef_hostname, normalize_event

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_missing_timestamps_are_now_in_utc_iso8601():
    event = normalize_event({"summary": "hello"}, NOW)
    assert event["utctimestamp"] == "2024-05-06T07:08:09+00:00"
    assert event["receivedtimestamp"] == "2024-05-06T07:08:09+00:00"
    assert event["timestamp"] == event["utctimestamp"]


def test_defaults_for_summary_tags_details_severity_and_host():
    event = normalize_event({}, NOW)
    assert event["summary"] == ""
    assert event["tags"] == []
    assert event["details"] == {}
    assert event["severity"] == "INFO"
    assert event["mozdefhostname"] == mozdef_hostname()


def test_given_values_are_kept():
    given = {
        "summary": "s",
        "tags": ["a", "b"],
        "details": {"x": 1},
        "mozdefhostname": "intake-1",
        "hostname": "web1",
        "category": "syslog",
    }
    event = normalize_event(given, NOW)
    assert {key: event[key] for key in given} == given


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2017-03-27T13:08:09+00:00", "2017-03-27T13:08:09+00:00"),
        ("2017-03-27T13:08:09Z", "2017-03-27T13:08:09+00:00"),
        ("2017-03-27T15:08:09+02:00", "2017-03-27T13:08:09+00:00"),
        ("2017-03-27T13:08:09", "2017-03-27T13:08:09+00:00"),
        ("2017-03-27 13:08:09.250000", "2017-03-27T13:08:09.250000+00:00"),
        ("Mon, 27 Mar 2017 15:08:09 +0200", "2017-03-27T13:08:09+00:00"),
        (1490620089, "2017-03-27T13:08:09+00:00"),
        (1490620089000, "2017-03-27T13:08:09+00:00"),
    ],
    ids=[
        "utc-offset",
        "zulu",
        "plus-two",
        "naive-is-utc",
        "space-fraction",
        "rfc2822",
        "epoch-s",
        "epoch-ms",
    ],
)
def test_timestamps_are_converted_to_utc_iso8601(given, expected):
    event = normalize_event({"utctimestamp": given, "receivedtimestamp": given}, NOW)
    assert event["utctimestamp"] == expected
    assert event["receivedtimestamp"] == expected


def test_missing_utctimestamp_is_taken_from_timestamp():
    event = normalize_event({"timestamp": "2017-03-27T15:08:09+02:00"}, NOW)
    assert event["utctimestamp"] == "2017-03-27T13:08:09+00:00"
    assert event["timestamp"] == "2017-03-27T13:08:09+00:00"
    assert event["receivedtimestamp"] == NOW.isoformat()


def test_logstash_at_keys_and_message_become_mozdef_fields():
    event = normalize_event({"@timestamp": "2017-03-27T13:08:09Z", "message": "m"}, NOW)
    assert "@timestamp" not in event
    assert event["utctimestamp"] == "2017-03-27T13:08:09+00:00"
    assert event["summary"] == "m"


def test_string_tag_becomes_a_list_and_severity_is_upper_case():
    event = normalize_event({"tags": "ssh", "severity": "warning"}, NOW)
    assert event["tags"] == ["ssh"]
    assert event["severity"] == "WARNING"


def test_input_is_not_changed():
    given = {"utctimestamp": "2017-03-27T13:08:09Z", "details": {"a": 1}}
    normalize_event(given, NOW)
    assert given == {"utctimestamp": "2017-03-27T13:08:09Z", "details": {"a": 1}}


def test_a_naive_now_is_taken_as_utc():
    event = normalize_event({}, datetime(2024, 5, 6, 7, 8, 9))
    assert event["receivedtimestamp"] == "2024-05-06T07:08:09+00:00"


def test_an_aware_now_in_another_zone_is_converted():
    now = datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert normalize_event({}, now)["receivedtimestamp"] == "2024-05-06T07:08:09+00:00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("utctimestamp", "not a date"),
        ("timestamp", "Mar 27 13:08:09 NOWHERE"),
        ("receivedtimestamp", True),
        ("utctimestamp", {"a": 1}),
        ("utctimestamp", float("nan")),
    ],
    ids=["garbage", "unknown-zone", "boolean", "object", "nan"],
)
def test_unparseable_timestamp_raises_document_error_naming_the_field(field, value):
    with pytest.raises(DocumentError, match=field) as raised:
        normalize_event({field: value}, NOW)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("event", "field"),
    [({"tags": 5}, "tags"), ({"details": "text"}, "details"), ({"summary": {"a": 1}}, "summary")],
    ids=["tags", "details", "summary"],
)
def test_fields_of_the_wrong_kind_are_refused(event, field):
    with pytest.raises(DocumentError, match=field):
        normalize_event(event, NOW)


@pytest.mark.parametrize("event", [[1, 2], "text", 3], ids=["list", "string", "number"])
def test_an_event_must_be_an_object(event):
    with pytest.raises(DocumentError, match="JSON object"):
        normalize_event(event, NOW)
