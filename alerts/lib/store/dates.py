"""Dates as Elasticsearch reads them: date formats, epoch milliseconds and date math.

A `date` field stores an instant in epoch milliseconds. Values are parsed with the
field's `format` (default ``strict_date_optional_time||epoch_millis``): ISO 8601 with
any offset, ``Z`` or none (UTC), fractional seconds (truncated to milliseconds), or
epoch milliseconds. Range bounds add date math (``now-5m``, ``now/d``,
``2017-01-01||+1d/d``) and Elasticsearch's rounding rules: a bound that rounds up
(``gt``, ``lte``) moves to the last millisecond of the rounding unit and fills missing
date components with their maximum time values (see "Missing date components" in the
range query documentation).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from lib.errors import QueryError

DEFAULT_FORMAT = "strict_date_optional_time||epoch_millis"

# (year, month, day, hour, minute, second, millis, offset_minutes); None = missing.
Parts = tuple[
    int, int | None, int | None, int | None, int | None, int | None, int | None, int | None
]
Parser = Callable[[str], "Parts | int | None"]

_OFFSET = r"(?P<z>Z|[+-]\d{2}(?::?\d{2})?)"
_STRICT_ISO = re.compile(
    r"(?P<y>[+-]?\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    rf"{_OFFSET}?)?)?)?"
)
_LENIENT_ISO = re.compile(
    r"(?P<y>[+-]?\d{1,9})(?:-(?P<mo>\d{1,2})(?:-(?P<d>\d{1,2})"
    r"(?:T(?P<h>\d{1,2})(?::(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    rf"{_OFFSET}?)?)?)?"
)
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_JAVA_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|.")
_JAVA_FIELDS = {
    "y": "y",
    "u": "y",
    "M": "mo",
    "d": "d",
    "H": "h",
    "m": "mi",
    "s": "s",
    "S": "f",
    "X": "z",
    "Z": "z",
    "x": "z",
}
_NAMED = {
    "date": "yyyy-MM-dd",
    "strict_date": "yyyy-MM-dd",
    "basic_date": "yyyyMMdd",
    "date_time": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "strict_date_time": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "date_time_no_millis": "yyyy-MM-dd'T'HH:mm:ssXXX",
    "strict_date_time_no_millis": "yyyy-MM-dd'T'HH:mm:ssXXX",
    "date_hour_minute_second": "yyyy-MM-dd'T'HH:mm:ss",
    "strict_date_hour_minute_second": "yyyy-MM-dd'T'HH:mm:ss",
    "date_hour_minute": "yyyy-MM-dd'T'HH:mm",
    "strict_date_hour_minute": "yyyy-MM-dd'T'HH:mm",
    "year_month_day": "yyyy-MM-dd",
    "strict_year_month_day": "yyyy-MM-dd",
    "year_month": "yyyy-MM",
    "strict_year_month": "yyyy-MM",
    "year": "yyyy",
    "strict_year": "yyyy",
}
_EPOCH_DAYS_0001 = 719163
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
ISO_NAMES = frozenset(
    (
        "strict_date_optional_time",
        "strict_date_optional_time_nanos",
        "date_optional_time",
        "dateOptionalTime",
    )
)  # datetime(1970, 1, 1).toordinal()


# Camel-case spellings of built-in format names that MozDef's template uses. Elasticsearch
# 7 deprecated them and 8 rejects them in new mappings ("Camel case date formats are no
# longer supported", 8.0 breaking changes), so a mapping is sent with the snake-case name.
CAMEL_CASE_FORMATS = {"dateOptionalTime": "date_optional_time"}


def snake_case_format(fmt: str) -> str:
    """`fmt` (``a||b``) with camel-case built-in names replaced by their snake-case names."""
    names = [name.strip() for name in fmt.split("||")]
    return "||".join(CAMEL_CASE_FORMATS.get(name, name) for name in names)


def parse_date(value: object, fmt: str | None = None) -> int:
    """Parse a date field value into epoch milliseconds (ValueError if unparseable)."""
    return date_parser(fmt or DEFAULT_FORMAT)(value)


@lru_cache(maxsize=256)
def date_parser(fmt: str) -> Callable[[object], int]:
    """A fast parser for one `format` string (``a||b||c``), cached per format."""
    names = [name.strip() for name in fmt.split("||")]
    parsers = [_format_parser(name) for name in names]
    fast = names[0] in ISO_NAMES

    def parse(value: object) -> int:
        if type(value) is int:
            return value
        if type(value) is float:
            return int(value)
        if type(value) is str:
            if fast and len(value) > 9 and value[4] == "-" and value[7] == "-":
                millis = _fast_iso(value)
                if millis is not None:
                    return millis
            for parser in parsers:
                parsed = parser(value)
                if parsed is not None:
                    return parsed if type(parsed) is int else _to_millis(parsed, False)  # type: ignore[arg-type]
        raise ValueError(f"failed to parse date field [{value}] with format [{fmt}]")

    return parse


@lru_cache(maxsize=64)
def _fast_iso(text: str) -> int | None:
    """ISO 8601 date-time through the C parser, for the shapes both parsers agree on.

    The few most recent answers are cached: a document's time columns are read right
    after its dates were validated, so each of its timestamps is parsed once.
    """
    if len(text) > 10 and (text[10] != "T" or len(text) < 14 or text[13] != ":"):
        return None
    if len(text) < 10:
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (stamp - _EPOCH_UTC) // _ONE_MS


def iso_millis(text: str) -> int | None:
    """Epoch ms of an ISO 8601 date or date-time (None for other shapes)."""
    return _fast_iso(text)


def parse_date_parts(text: str, fmt: str | None, round_up: bool) -> int:
    """Parse `text` filling missing components with their minimum or maximum values."""
    name = fmt or DEFAULT_FORMAT
    for one in name.split("||"):
        parsed = _format_parser(one.strip())(text)
        if parsed is not None:
            if type(parsed) is int:
                return parsed + (999 if round_up and one.strip() == "epoch_second" else 0)
            return _to_millis(parsed, round_up)  # type: ignore[arg-type]
    raise ValueError(f"failed to parse date field [{text}] with format [{name}]")


@lru_cache(maxsize=256)
def _format_parser(name: str) -> Parser:
    if name in ("strict_date_optional_time", "strict_date_optional_time_nanos"):
        return _iso_parser(_STRICT_ISO)
    if name in ("date_optional_time", "dateOptionalTime"):
        return _iso_parser(_LENIENT_ISO)
    if name in ("epoch_millis", "epoch_second"):
        return _epoch_parser(1 if name == "epoch_millis" else 1000)
    return _iso_parser(_java_pattern(_NAMED.get(name, name)))


def _iso_parser(pattern: re.Pattern[str]) -> Parser:
    def parse(text: str) -> Parts | None:
        match = pattern.fullmatch(text)
        if match is None:
            return None
        g = match.group
        frac = g("f")
        return (
            int(g("y")),
            _opt(g("mo")),
            _opt(g("d")),
            _opt(g("h")),
            _opt(g("mi")),
            _opt(g("s")),
            int(frac[:3].ljust(3, "0")) if frac else None,
            _offset_minutes(g("z")) if g("z") else None,
        )

    return parse


def _epoch_parser(scale: int) -> Parser:
    def parse(text: str) -> int | None:
        if _EPOCH.fullmatch(text) is None:
            return None
        return int(float(text) * scale) if "." in text else int(text) * scale

    return parse


def _java_pattern(pattern: str) -> re.Pattern[str]:
    """Translate a Java DateTimeFormatter pattern (yyyy-MM-dd HH:mm:ss...) to a regex."""
    parts = []
    for token in _JAVA_TOKEN.finditer(pattern):
        text = token.group(0)
        if text.startswith("'"):
            parts.append(re.escape(text[1:-1] or "'"))
        elif text[0].isalpha():
            group = _JAVA_FIELDS.get(text[0])
            if group is None:
                raise ValueError(f"unsupported date format [{pattern}]")
            width = "1,2" if len(text) == 1 else str(len(text))
            parts.append(_OFFSET if group == "z" else rf"(?P<{group}>\d{{{width}}})")
        else:
            parts.append(re.escape(text))
    regex = "".join(parts)
    for group in ("mo", "d", "h", "mi", "s", "f", "z"):
        if f"(?P<{group}>" not in regex:
            regex += f"(?P<{group}>(?!))?"
    return re.compile(regex)


def _opt(text: str | None) -> int | None:
    return int(text) if text else None


def _offset_minutes(text: str) -> int:
    if text == "Z":
        return 0
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    if minutes >= 18 * 60 + 1:
        raise ValueError(f"zone offset out of range [{text}]")
    return -minutes if text[0] == "-" else minutes


def _to_millis(parts: Parts, round_up: bool) -> int:
    year, month, day, hour, minute, second, millis, offset = parts
    if round_up:
        hour = 23 if hour is None else hour
        minute = 59 if minute is None else minute
        second = 59 if second is None else second
        millis = 999 if millis is None else millis
    try:
        stamp = datetime(year, month or 1, day or 1, hour or 0, minute or 0, second or 0)
    except ValueError as exc:
        raise ValueError(f"invalid date [{parts}]: {exc}") from exc
    days = stamp.toordinal() - _EPOCH_DAYS_0001
    seconds = days * 86400 + stamp.hour * 3600 + stamp.minute * 60 + stamp.second
    return seconds * 1000 + (millis or 0) - (offset or 0) * 60000


# -- date math --------------------------------------------------------------------------

_MATH_TOKEN = re.compile(r"([+-])(\d*)([yMwdhHms])|/([yMwdhHms])")


def resolve_date_math(
    expr: str | int,
    now_ms: int,
    round_up: bool = False,
    fmt: str | None = None,
    tz: tzinfo | None = None,
) -> int:
    """Resolve a range bound (`now-5m`, `now/d`, `2017-01-01||+1d/d`) to epoch millis."""
    if isinstance(expr, bool) or not isinstance(expr, int | float | str):
        raise QueryError(f"failed to parse date [{expr}]: not a date or date math expression")
    if not isinstance(expr, str):
        return int(expr)
    if expr.startswith("now"):
        anchor, math = now_ms, expr[3:]
    elif "||" in expr:
        text, math = expr.split("||", 1)
        anchor = _parse_anchor(text, fmt, False, tz)
    else:
        return _parse_anchor(expr, fmt, round_up, tz)
    return _apply_math(anchor, math, round_up, tz or UTC, expr)


def _parse_anchor(text: str, fmt: str | None, round_up: bool, tz: tzinfo | None) -> int:
    try:
        millis = parse_date_parts(text, fmt, round_up)
    except ValueError as exc:
        raise QueryError(f"failed to parse date field [{text}]: {exc}") from exc
    if tz is not None and not _has_offset(text):
        local = datetime(1970, 1, 1) + timedelta(milliseconds=millis)
        millis -= int(tz.utcoffset(local).total_seconds() * 1000)  # type: ignore[union-attr]
    return millis


def _has_offset(text: str) -> bool:
    return text.endswith("Z") or re.search(r"T.*[+-]\d{2}(:?\d{2})?$", text) is not None


def _apply_math(anchor: int, math: str, round_up: bool, tz: tzinfo, expr: str) -> int:
    stamp = (_EPOCH_UTC + timedelta(milliseconds=anchor)).astimezone(tz)
    pos = 0
    while pos < len(math):
        match = _MATH_TOKEN.match(math, pos)
        if match is None:
            raise QueryError(f"operator not supported for date math [{expr}]")
        sign, amount, unit, rounding = match.groups()
        if rounding:
            stamp = _round(stamp, rounding, round_up)
        else:
            count = int(amount) if amount else 1
            stamp = _add(stamp, unit, count if sign == "+" else -count)
        pos = match.end()
    return (stamp - _EPOCH_UTC) // timedelta(milliseconds=1)


def _add(stamp: datetime, unit: str, count: int) -> datetime:
    if unit in "yM":
        months = stamp.month - 1 + count * (12 if unit == "y" else 1)
        year, month = stamp.year + months // 12, months % 12 + 1
        day = min(stamp.day, _days_in_month(year, month))
        return _rezone(stamp.replace(tzinfo=None).replace(year=year, month=month, day=day), stamp)
    seconds = {"w": 604800, "d": 86400, "h": 3600, "H": 3600, "m": 60, "s": 1}[unit]
    if unit in "wd":
        return _rezone(stamp.replace(tzinfo=None) + timedelta(seconds=seconds * count), stamp)
    return stamp + timedelta(seconds=seconds * count)


def _round(stamp: datetime, unit: str, round_up: bool) -> datetime:
    naive = stamp.replace(tzinfo=None, microsecond=0)
    if unit == "y":
        start = naive.replace(month=1, day=1, hour=0, minute=0, second=0)
    elif unit == "M":
        start = naive.replace(day=1, hour=0, minute=0, second=0)
    elif unit in "wd":
        start = naive.replace(hour=0, minute=0, second=0)
        start -= timedelta(days=start.weekday() if unit == "w" else 0)
    elif unit in "hH":
        start = naive.replace(minute=0, second=0)
    elif unit == "m":
        start = naive.replace(second=0)
    else:
        start = naive
    rounded = _rezone(start, stamp)
    if round_up:
        rounded = _add(rounded, unit, 1) - timedelta(milliseconds=1)
    return rounded


def _rezone(naive: datetime, like: datetime) -> datetime:
    zone = like.tzinfo or UTC
    if zone is UTC:
        return naive.replace(tzinfo=UTC)
    return naive.replace(tzinfo=zone).astimezone(zone)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1) - datetime(year, month, 1)).days


def format_date(millis: int, fmt: str | None = None) -> str:
    """Epoch milliseconds as Elasticsearch shows them (`key_as_string`) for a format."""
    first = (fmt or DEFAULT_FORMAT).split("||")[0].strip()
    stamp = _EPOCH_UTC + timedelta(milliseconds=millis)
    if first == "epoch_millis":
        return str(millis)
    if first == "epoch_second":
        return str(millis // 1000)
    pattern = _NAMED.get(first)
    if pattern is None and (first in ISO_NAMES or first == "dateOptionalTime"):
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    return _java_format(stamp, pattern or first)


def _java_format(stamp: datetime, pattern: str) -> str:
    fields = {
        "y": "%Y",
        "u": "%Y",
        "M": "%m",
        "d": "%d",
        "H": "%H",
        "m": "%M",
        "s": "%S",
    }
    out = []
    for token in _JAVA_TOKEN.finditer(pattern):
        text = token.group(0)
        if text.startswith("'"):
            out.append(text[1:-1] or "'")
        elif text[0] == "S":
            out.append(f"{stamp.microsecond // 1000:03d}"[: len(text)].ljust(len(text), "0"))
        elif text[0] in "XZx":
            out.append("Z")
        elif text[0] in fields:
            out.append(stamp.strftime(fields[text[0]]))
        else:
            out.append(text)
    return "".join(out)
