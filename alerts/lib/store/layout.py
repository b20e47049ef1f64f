"""Index layout, as MozDef's: where writes go and what the managed aliases cover.

Shared by both backends; pure logic, no I/O.

- Writing to ``events`` goes to ``events-YYYYMMDD`` and writing to ``alerts`` goes to
  ``alerts-YYYYMM``, both named after the UTC date of the write (read through
  ``datetime.now(timezone.utc)`` so that freezegun can freeze it). Any other name is
  a concrete index.
- The managed aliases are decided from the set of existing indices, never from the
  clock, so they stay stable when a frozen clock writes an old day:
  ``events`` is the newest daily events index, ``events-previous`` the daily index of
  the day before the newest (if it exists), ``events-weekly`` the daily indices within
  the 7 days ending with the newest, and ``alerts`` every ``alerts-YYYYMM`` index.
- The default template (MozDef's mapping) is installed for the index patterns
  ``TEMPLATE_PATTERNS`` (``events-*``, ``alerts-*``): as with an Elasticsearch index
  template, an index created by a first write gets it only if its name matches one of
  them; any other auto-created index starts with Elasticsearch's dynamic defaults.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from lib.errors import StoreError

EVENTS = "events"
ALERTS = "alerts"
EVENTS_PREVIOUS = "events-previous"
EVENTS_WEEKLY = "events-weekly"
MANAGED_ALIASES = (EVENTS, EVENTS_PREVIOUS, EVENTS_WEEKLY, ALERTS)

DAILY_EVENTS = re.compile(r"^events-(\d{4})(\d{2})(\d{2})$")
MONTHLY_ALERTS = re.compile(r"^alerts-\d{6}$")
WEEK_DAYS = 7
TEMPLATE_PATTERNS = ("events-*", "alerts-*")

# Elasticsearch's index name rules (the "Create index API" page, "Path parameters").
_FORBIDDEN_CHARS = set('\\/*?"<>| ,#:')
_MAX_NAME_BYTES = 255


def write_target(name: str, now: datetime | None = None) -> str:
    """The concrete index a write to `name` goes to (routing `events` and `alerts`)."""
    if name == EVENTS:
        return f"events-{_utc_now(now):%Y%m%d}"
    if name == ALERTS:
        return f"alerts-{_utc_now(now):%Y%m}"
    validate_index_name(name)
    return name


def validate_index_name(name: str) -> None:
    """Raise StoreError (invalid_index_name_exception) if Elasticsearch would refuse `name`."""
    problem = _name_problem(name)
    if problem:
        raise StoreError(f"invalid_index_name_exception: Invalid index name [{name}], {problem}")


def managed_aliases(indices: Iterable[str]) -> dict[str, list[str]]:
    """The managed aliases over `indices`: {alias: sorted concrete indices}, empty ones left out."""
    names = sorted(set(indices))
    days = sorted((day, name) for name in names if (day := daily_events_date(name)))
    aliases: dict[str, list[str]] = {}
    if days:
        newest = days[-1][0]
        aliases[EVENTS] = [days[-1][1]]
        previous = [name for day, name in days if day == newest - timedelta(days=1)]
        if previous:
            aliases[EVENTS_PREVIOUS] = previous
        week_start = newest - timedelta(days=WEEK_DAYS - 1)
        aliases[EVENTS_WEEKLY] = [name for day, name in days if day >= week_start]
    alerts = [name for name in names if MONTHLY_ALERTS.match(name)]
    if alerts:
        aliases[ALERTS] = alerts
    return aliases


def daily_events_date(name: str) -> date | None:
    """The date of a daily events index name (``events-YYYYMMDD``), or None."""
    match = DAILY_EVENTS.match(name)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def is_layout_index(name: str) -> bool:
    """True for the indices the layout manages (daily events and monthly alerts)."""
    return daily_events_date(name) is not None or bool(MONTHLY_ALERTS.match(name))


def uses_default_template(name: str) -> bool:
    """True if an index auto-created as `name` gets the default template (its patterns)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TEMPLATE_PATTERNS)


def _utc_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if name != name.lower():
        return "must be lowercase"
    if name in (".", ".."):
        return 'must not be "." or ".."'
    if name[0] in "-_+":
        return "must not start with '_', '-', or '+'"
    bad = sorted(_FORBIDDEN_CHARS.intersection(name))
    if bad:
        return f"must not contain the following characters {bad}"
    if len(name.encode()) > _MAX_NAME_BYTES:
        return f"index name is too long, ({len(name.encode())} > {_MAX_NAME_BYTES})"
    return None
