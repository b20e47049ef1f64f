"""Event normalization: any incoming event dict becomes a MozDef-shaped event.

Shared by every way events enter Vigil (`vigil ingest` and loginput), so an event looks
the same however it arrived:

- ``utctimestamp`` / ``timestamp`` / ``receivedtimestamp`` are UTC ISO 8601 strings
  (``2017-03-27T13:08:09+00:00``), read as MozDef's toUTC reads them (`lib.utctime`:
  ISO 8601, other date strings, epoch numbers; naive means UTC). A missing
  ``utctimestamp`` is taken from ``timestamp`` (MozDef's shippers send either), else
  from `now`; a missing ``receivedtimestamp`` is `now`; a missing ``timestamp`` copies
  ``utctimestamp``.
- Logstash-style ``@timestamp`` / ``@version`` keys lose their ``@`` (as MozDef did).
- ``summary`` defaults to ``message`` (MozDef's shippers' name for it), else ``""``;
  ``tags`` is always a list; ``details`` is always an object; ``severity`` is upper
  case, default ``INFO``; ``mozdefhostname`` names the host that received the event.

A timestamp that cannot be read, or a field of the wrong kind, raises DocumentError
naming the field and the value.
"""

from __future__ import annotations

import socket
import warnings
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from lib.errors import DocumentError
from lib.utctime import to_utc

TIMESTAMP_FIELDS = ("utctimestamp", "timestamp", "receivedtimestamp")


def normalize_event(event: dict, now: datetime) -> dict:
    """Return a normalized copy of `event` received at `now` (the input is not changed)."""
    if not isinstance(event, dict):
        raise DocumentError(f"an event must be a JSON object, not {type(event).__name__}")
    if _has_at_key(event):
        normalized = {_strip_at(key): value for key, value in event.items()}
    else:
        normalized = dict(event)
    _normalize_timestamps(normalized, _as_utc(now))
    normalized["summary"] = _summary(normalized)
    normalized["tags"] = _tags(normalized.get("tags"))
    normalized["details"] = _details(normalized.get("details"))
    normalized["severity"] = str(normalized.get("severity") or "INFO").upper()
    normalized.setdefault("mozdefhostname", mozdef_hostname())
    return normalized


def to_utc_iso(value: Any, field: str = "timestamp") -> str:
    """Parse `value` (ISO 8601, a date string, epoch seconds or ms) to a UTC ISO 8601 string."""
    return parse_timestamp(value, field).isoformat()


def parse_timestamp(value: Any, field: str = "timestamp") -> datetime:
    """Parse `value` into an aware UTC datetime; DocumentError naming `field` if it cannot be."""
    if isinstance(value, str):
        try:  # the common case, ISO 8601, without the general parser's cost
            return _as_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            pass
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DocumentError(f"cannot parse {value!r} as a timestamp", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an unknown zone name must not be guessed at
            return to_utc(value)
    except (ValueError, OverflowError, OSError, Warning) as exc:
        raise DocumentError(f"cannot parse {value!r} as a timestamp", field=field) from exc


@lru_cache(maxsize=1)
def mozdef_hostname() -> str:
    """The name of this host, recorded on every event as `mozdefhostname`."""
    return socket.gethostname()


def _normalize_timestamps(event: dict, now: datetime) -> None:
    for field in TIMESTAMP_FIELDS:
        if event.get(field) not in (None, ""):
            event[field] = to_utc_iso(event[field], field)
    utctimestamp = event.get("utctimestamp") or event.get("timestamp") or now.isoformat()
    event["utctimestamp"] = utctimestamp
    event["receivedtimestamp"] = event.get("receivedtimestamp") or now.isoformat()
    event["timestamp"] = event.get("timestamp") or utctimestamp


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _has_at_key(event: dict) -> bool:
    for key in event:
        if type(key) is str and key[:1] == "@":
            return True
    return False


def _strip_at(key: str) -> str:
    return key[1:] if isinstance(key, str) and key.startswith("@") and len(key) > 1 else key


def _summary(event: dict) -> str:
    summary = event.get("summary")
    if summary is None:
        summary = event.get("message", "")
    if isinstance(summary, dict | list):
        raise DocumentError("summary must be a string", field="summary")
    return str(summary)


def _tags(tags: Any) -> list:
    if tags is None or tags == "":
        return []
    if isinstance(tags, str):
        return [tags]
    if isinstance(tags, list):
        return list(tags)
    raise DocumentError(f"tags must be a list or a string, not {type(tags).__name__}", "tags")


def _details(details: Any) -> dict:
    if details is None:
        return {}
    if isinstance(details, dict):
        return dict(details)
    raise DocumentError(f"details must be an object, not {type(details).__name__}", "details")
