"""UTC time: reading "now" and turning any timestamp an event may carry into UTC.

"now" is always read through `datetime.now(UTC)`, so freezegun can freeze it
and nothing in Vigil depends on the host's time zone.

`to_utc` (MozDef's `toUTC`) accepts:

- a `datetime`: an aware one is converted to UTC; a naive one is taken as UTC;
- a `date`: midnight UTC of that day;
- epoch seconds, milliseconds, microseconds or nanoseconds, as an int, a float or a
  string of digits: the magnitude picks the unit (anything above 10**10 is scaled down
  to seconds, so this breaks in the year 2286, as MozDef's did); zero and negative
  numbers give the epoch itself, as MozDef's did;
- a date string in any format python-dateutil parses (ISO 8601, RFC 2822, syslog's
  ``Jan  2 08:01:57``, ...); a string without an offset is taken as UTC.

Taking naive values as UTC is a deliberate change from MozDef, which used the host's
zone: events are stamped in UTC, and an alert must not change meaning with the
machine it runs on. Anything else raises ValueError naming the value.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Any

from dateutil import parser as date_parser

__all__ = ["EPOCH", "format_instant", "to_utc", "utc_now"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Epoch seconds have 10 integer digits until the year 2286; more digits mean a finer unit.
_SECONDS_MAGNITUDE = 9


def utc_now() -> datetime:
    """The current time as an aware UTC datetime (freezegun-friendly)."""
    return datetime.now(UTC)


def format_instant(moment: Any) -> str:
    """ISO 8601 text of `moment` in UTC, to the millisecond (Elasticsearch's date precision)."""
    return to_utc(moment).isoformat(timespec="milliseconds")


def to_utc(value: Any) -> datetime:
    """Convert a datetime, date, epoch number or date string into an aware UTC datetime."""
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError(f"cannot read a date from the boolean {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, str):
        return _from_text(value)
    raise ValueError(f"cannot read a date from {value!r} (type {type(value).__name__})")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _from_epoch(number: float) -> datetime:
    if not math.isfinite(number):
        raise ValueError(f"cannot read a date from the number {number!r}")
    if number <= 0:
        return EPOCH
    magnitude = int(math.log10(number))
    if magnitude > _SECONDS_MAGNITUDE:
        number = number / 10 ** (magnitude - _SECONDS_MAGNITUDE)
    return datetime.fromtimestamp(number, tz=UTC)


def _from_text(text: str) -> datetime:
    stripped = text.strip()
    number = _as_number(stripped)
    if number is not None:
        return _from_epoch(number)
    try:
        return _aware(date_parser.parse(stripped))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"cannot read a date from the string {text!r}: {exc}") from exc


def _as_number(text: str) -> float | None:
    """The number a string of digits (optionally signed, with a fraction) spells, else None."""
    body = text.lstrip("+-")
    if not body or not body.replace(".", "", 1).isdigit():
        return None
    return float(text)
