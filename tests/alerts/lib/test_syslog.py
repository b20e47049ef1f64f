"""Syslog lines to events (lib/syslog.py): RFC 3164 as rsyslog writes it, and RFC 5424."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lib.errors import DocumentError
from lib.syslog import parse_line, to_event

NOW = datetime(2017, 6, 1, tzinfo=UTC)
FAILED = (
    "Mar 27 13:08:09 ip-10-77-20-248 sshd[1361]: Failed password for invalid user admin "
    "from 1.2.3.4 port 4444 ssh2"
)


def test_the_team_event_shape_for_a_failed_ssh_login():
    event = to_event(parse_line(FAILED, year=2017), "auth.log")
    assert event == {
        "utctimestamp": "2017-03-27T13:08:09+00:00",
        "timestamp": "2017-03-27T13:08:09+00:00",
        "hostname": "ip-10-77-20-248",
        "processname": "sshd",
        "processid": "1361",
        "severity": "INFO",
        "category": "syslog",
        "source": "auth.log",
        "tags": ["syslog"],
        "summary": "Failed password for invalid user admin from 1.2.3.4 port 4444 ssh2",
        "details": {
            "program": "sshd",
            "sourceipaddress": "1.2.3.4",
            "sourceport": "4444",
            "username": "admin",
            "success": False,
            "authmethod": "password",
            "invaliduser": True,
        },
    }


def test_tag_without_pid_and_padded_message():
    line = (
        "Mar 27 13:09:37 ip-10-77-20-248 sudo:   ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; "
        "USER=root ; COMMAND=/bin/su"
    )
    message = parse_line(line, year=2017)
    assert (message.program, message.pid) == ("sudo", None)
    assert message.message.startswith("ubuntu : TTY=pts/0")
    assert "processid" not in to_event(message, "x")


def test_space_padded_day_of_month():
    message = parse_line("Apr  2 03:04:05 host CRON[9]: hello", year=2017)
    assert message.timestamp == datetime(2017, 4, 2, 3, 4, 5, tzinfo=UTC)


def test_line_without_a_tag_keeps_its_text_as_the_message():
    message = parse_line("Apr  2 03:04:05 host -- MARK --", year=2017)
    assert (message.program, message.message) == (None, "-- MARK --")


def test_timezone_converts_local_syslog_time_to_utc():
    message = parse_line(FAILED, year=2017, tz=ZoneInfo("Europe/Lisbon"))  # WEST, UTC+1
    assert message.timestamp == datetime(2017, 3, 27, 12, 8, 9, tzinfo=UTC)


def test_default_year_is_the_current_one():
    message = parse_line(FAILED, now=NOW)
    assert message.timestamp.year == 2017


def test_default_year_rolls_back_for_dates_in_the_future():
    line = "Dec 31 23:59:59 host sshd[1]: late"
    message = parse_line(line, now=datetime(2018, 1, 1, 0, 0, 5, tzinfo=UTC))
    assert message.timestamp == datetime(2017, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_an_explicit_year_is_used_as_given():
    line = "Dec 31 23:59:59 host sshd[1]: late"
    message = parse_line(line, year=2018, now=datetime(2018, 1, 1, tzinfo=UTC))
    assert message.timestamp.year == 2018


def test_message_repeated_is_the_inner_message_n_times():
    line = (
        "Mar 28 21:25:01 ip-10-77-20-248 sshd[30171]: message repeated 5 times: "
        "[ Failed password for root from 122.163.61.218 port 51574 ssh2]"
    )
    message = parse_line(line, year=2017)
    assert message.repeat == 5
    assert message.message == "Failed password for root from 122.163.61.218 port 51574 ssh2"
    assert to_event(message, "x")["details"]["sourceipaddress"] == "122.163.61.218"


def test_pri_prefix_sets_severity_and_facility():
    message = parse_line("<38>Mar 27 13:08:09 host sshd[1]: hello", year=2017)  # auth.info
    assert (message.severity, message.facility) == ("INFO", "auth")


def test_rsyslog_high_precision_format():
    line = "2017-03-27T13:08:09.123456+02:00 host sshd[1]: hello"
    message = parse_line(line)
    assert message.timestamp == datetime(2017, 3, 27, 11, 8, 9, 123456, tzinfo=UTC)
    assert (message.hostname, message.program, message.message) == ("host", "sshd", "hello")


def test_rfc5424_example_from_the_rfc():
    """RFC 5424 section 6.5, example 3 (structured data and a BOM before the message)."""
    line = (
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] '
        "\ufeffAn application event log entry..."
    )
    message = parse_line(line)
    assert message.timestamp == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
    assert (message.hostname, message.program, message.pid) == (
        "mymachine.example.com",
        "evntslog",
        None,
    )
    assert (message.severity, message.facility) == ("NOTICE", "local4")
    assert message.message == "An application event log entry..."
    assert message.structured_data == {
        "exampleSDID@32473": {"iut": "3", "eventSource": "Application", "eventID": "1011"}
    }


def test_rfc5424_without_structured_data_and_with_escapes():
    line = "<34>1 2003-10-11T22:14:15Z host su 77 - - 'su root' failed"
    message = parse_line(line)
    assert (message.program, message.pid, message.message) == ("su", "77", "'su root' failed")
    escaped = parse_line('<34>1 2003-10-11T22:14:15Z h a - - [x@1 q="a\\"b\\]c"] m')
    assert escaped.structured_data == {"x@1": {"q": 'a"b]c'}}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("hello world", "not a syslog line"),
        ("Foo 27 13:08:09 host sshd[1]: x", "unknown month"),
        ("Feb 29 13:08:09 host sshd[1]: x", "invalid date in 2017"),
        ("<999>Mar 27 13:08:09 host sshd[1]: x", "priority"),
        ("<34>1 2003-10-11T22:14:15Z host su - - [broken sd", "structured data"),
        ("<34>1 notatime host su - - - m", "invalid timestamp"),
    ],
    ids=["free-text", "bad-month", "feb-29-2017", "bad-pri", "bad-sd", "bad-5424-time"],
)
def test_unreadable_lines_raise_document_error_with_the_reason(line, reason):
    with pytest.raises(DocumentError, match=reason):
        parse_line(line, year=2017)
