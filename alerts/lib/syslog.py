"""Syslog lines to MozDef-shaped events: RFC 3164 as rsyslog writes it, and RFC 5424.

Three line shapes are read (an optional ``<PRI>`` prefix on the first two):

- RFC 3164 / rsyslog's traditional file format: ``Mar 27 13:08:09 host sshd[1361]: msg``.
  It has no year and no zone: the caller's `year` (default: the current year, one year
  back when that would put the line in the future) and `tz` (default UTC) fill them in.
- rsyslog's high-precision format: ``2017-03-27T13:08:09.123456+00:00 host sshd[1361]: msg``.
- RFC 5424: ``<34>1 2017-03-27T13:08:09Z host sshd 1361 ID47 [sd@1 a="b"] msg``.

rsyslog's ``message repeated N times: [ msg ]`` becomes the inner message with
``repeat = N`` so that the caller can count it as N events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from lib.authlog import details_for
from lib.errors import DocumentError

SEVERITIES = ("EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG")
FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "audit", "alert", "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip
# A line this far ahead of the clock is taken to be from last year (RFC 3164 has no year).
FUTURE_TOLERANCE = timedelta(days=1)

_PRI = r"(?:<(?P<pri>\d{1,3})>)?"
_RFC3164 = re.compile(
    _PRI + r"(?P<month>[A-Z][a-z]{2}) {1,2}(?P<day>\d{1,2}) "
    r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d) (?P<host>\S+) ?(?P<rest>.*)$"
)
_PRECISE = re.compile(_PRI + r"(?P<stamp>\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) ?(?P<rest>.*)$")
_RFC5424 = re.compile(
    r"<(?P<pri>\d{1,3})>1 (?P<stamp>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) (?P<rest>.*)$"
)
_TAG = re.compile(r"^(?P<program>[^\s\[\]:]+)(?:\[(?P<pid>[^\]]*)\])?: ?(?P<message>.*)$", re.S)
_REPEATED = re.compile(r"^message repeated (?P<count>\d+) times: \[ ?(?P<message>.*?)\]\s*$")
_SD_ELEMENT = re.compile(r'\[(?P<id>[^\s\]=]+)(?P<params>(?: [^\s=\]]+="(?:[^"\\]|\\.)*")*)\]')
_SD_PARAM = re.compile(r'(?P<name>[^\s=\]]+)="(?P<value>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class SyslogMessage:
    """One parsed syslog line; `repeat` > 1 for rsyslog's "message repeated N times"."""

    timestamp: datetime
    hostname: str
    message: str
    program: str | None = None
    pid: str | None = None
    severity: str = "INFO"
    facility: str | None = None
    repeat: int = 1
    structured_data: dict[str, dict[str, str]] = field(default_factory=dict)


def parse_line(
    line: str, year: int | None = None, tz: tzinfo = UTC, now: datetime | None = None
) -> SyslogMessage:
    """Parse one syslog line; DocumentError (reason names the problem) if it is not syslog."""
    text = line.rstrip("\r\n")
    if text.startswith("<") and (found := _RFC5424.match(text)):
        return _with_repeat(_from_rfc5424(found))
    if found := _RFC3164.match(text):
        stamp = _rfc3164_time(found, year, tz, now or datetime.now(UTC))
        return _with_repeat(_from_tagged(found, stamp))
    if found := _PRECISE.match(text):
        return _with_repeat(_from_tagged(found, _iso_time(found["stamp"], tz)))
    raise DocumentError("not a syslog line (no RFC 3164 or RFC 5424 header)", error_type="syslog")


def to_event(message: SyslogMessage, source: str) -> dict[str, Any]:
    """The MozDef-shaped event for `message` read from `source` (a path or 'stdin')."""
    stamp = message.timestamp.isoformat()
    details: dict[str, Any] = {}
    if message.program:
        details["program"] = message.program
    details.update(details_for(message.program, message.message))
    if message.structured_data:
        details["structureddata"] = message.structured_data
    event: dict[str, Any] = {
        "utctimestamp": stamp,
        "timestamp": stamp,
        "hostname": message.hostname,
        "processname": message.program,
        "processid": message.pid,
        "severity": message.severity,
        "facility": message.facility,
        "category": "syslog",
        "source": source,
        "tags": ["syslog"],
        "summary": message.message,
        "details": details,
    }
    return {key: value for key, value in event.items() if value is not None}


def _from_tagged(found: re.Match[str], stamp: datetime) -> SyslogMessage:
    severity, facility = _priority(found["pri"])
    tagged = _TAG.match(found["rest"])
    if not tagged:
        return SyslogMessage(
            stamp, found["host"], found["rest"].strip(), None, None, severity, facility
        )
    return SyslogMessage(
        stamp,
        found["host"],
        tagged["message"].strip(),
        tagged["program"],
        tagged["pid"] or None,
        severity,
        facility,
    )


def _from_rfc5424(found: re.Match[str]) -> SyslogMessage:
    severity, facility = _priority(found["pri"])
    structured, message = _structured_data(found["rest"])
    return SyslogMessage(
        timestamp=_iso_time(found["stamp"], UTC),
        hostname=_nil(found["host"]) or "",
        message=message.removeprefix("\ufeff"),
        program=_nil(found["app"]),
        pid=_nil(found["procid"]),
        severity=severity,
        facility=facility,
        structured_data=structured,
    )


def _with_repeat(message: SyslogMessage) -> SyslogMessage:
    found = _REPEATED.match(message.message)
    if not found:
        return message
    return replace(message, message=found["message"].strip(), repeat=int(found["count"]))


def _rfc3164_time(found: re.Match[str], year: int | None, tz: tzinfo, now: datetime) -> datetime:
    month = MONTHS.get(found["month"])
    if month is None:
        raise DocumentError(f"unknown month {found['month']!r}", error_type="syslog")
    parts = [int(found[name]) for name in ("day", "hour", "minute", "second")]
    stamp = _local_time(year or now.year, month, parts, tz)
    if year is None and stamp > now + FUTURE_TOLERANCE:
        stamp = _local_time(now.year - 1, month, parts, tz)
    return stamp


def _local_time(year: int, month: int, parts: list[int], tz: tzinfo) -> datetime:
    day, hour, minute, second = parts
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise DocumentError(f"invalid date in {year}: {exc}", error_type="syslog") from exc
    return local.astimezone(UTC)


def _iso_time(text: str, tz: tzinfo) -> datetime:
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DocumentError(f"invalid timestamp {text!r}", error_type="syslog") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=tz)
    return stamp.astimezone(UTC)


def _priority(pri: str | None) -> tuple[str, str | None]:
    if pri is None:
        return "INFO", None
    value = int(pri)
    if value > 191:
        raise DocumentError(f"priority <{value}> is out of range (0-191)", error_type="syslog")
    return SEVERITIES[value % 8], FACILITIES[value // 8]


def _structured_data(rest: str) -> tuple[dict[str, dict[str, str]], str]:
    if rest == "-" or rest.startswith("- "):
        return {}, rest[2:]
    elements: dict[str, dict[str, str]] = {}
    position = 0
    while found := _SD_ELEMENT.match(rest, position):
        params = _SD_PARAM.finditer(found["params"])
        elements[found["id"]] = {p["name"]: _unescape(p["value"]) for p in params}
        position = found.end()
    if not elements or (position < len(rest) and rest[position] != " "):
        raise DocumentError("malformed RFC 5424 structured data", error_type="syslog")
    return elements, rest[position + 1 :]


def _unescape(value: str) -> str:
    return re.sub(r'\\(["\\\]])', r"\1", value)


def _nil(value: str) -> str | None:
    return None if value == "-" else value
