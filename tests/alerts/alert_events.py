"""Building the events and alerts of alert test cases, and their timestamps (MozDef's names).

`AlertEvents` is the half of `AlertTestSuite` that test modules call while declaring
their cases: `create_event(s)`, `create_alert`, `copy`, and timestamps relative to the
(frozen) clock, as text or as lambdas evaluated when the event is stored.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


class AlertEvents:
    """MozDef's default event and the helpers that build test events and alerts."""

    _random = random.Random(0)

    def random_ip(self) -> str:
        """A random (reproducible per test) IPv4 address."""
        return ".".join(str(self._random.randint(1, 254)) for _ in range(4))

    def generate_default_event(self) -> dict[str, Any]:
        """MozDef's default event, under which each case's events are merged."""
        now = AlertEvents.current_timestamp_lambda()
        return {
            "_index": "events",
            "_type": "event",
            "_source": {
                "category": "excategory",
                "utctimestamp": now,
                "receivedtimestamp": now,
                "mozdefhostname": "mozdefhost",
                "hostname": "exhostname",
                "severity": "NOTICE",
                "source": "exsource",
                "summary": "Example summary",
                "tags": ["tag1", "tag2"],
                "details": {"sourceipaddress": self.random_ip(), "hostname": "exhostname"},
            },
        }

    @staticmethod
    def copy(obj: Any) -> Any:
        """A deep copy of `obj`."""
        return copy.deepcopy(obj)

    @staticmethod
    def create_event(default_event: dict[str, Any]) -> dict[str, Any]:
        """A deep copy of `default_event`, to modify for one case."""
        return copy.deepcopy(default_event)

    @staticmethod
    def create_events(default_event: dict[str, Any], num_events: int) -> list[dict[str, Any]]:
        """`num_events` independent copies of `default_event`."""
        return [AlertEvents.create_event(default_event) for _ in range(num_events)]

    @staticmethod
    def create_alert(default_alert: dict[str, Any]) -> dict[str, Any]:
        """A deep copy of `default_alert`, to modify for one case."""
        return copy.deepcopy(default_alert)

    # -- timestamps (evaluated on the frozen clock when given as lambdas) -------------

    @staticmethod
    def current_timestamp() -> str:
        """Now, as ISO 8601 UTC text."""
        return datetime.now(UTC).isoformat()

    @staticmethod
    def subtract_from_timestamp(
        date_timedelta: dict[str, float], timestamp: str | None = None
    ) -> str:
        """`timestamp` (default now) minus `timedelta(**date_timedelta)`, as ISO 8601 text."""
        start = datetime.fromisoformat(timestamp or AlertEvents.current_timestamp())
        return (start - timedelta(**date_timedelta)).isoformat()

    @staticmethod
    def create_timestamp_from_now(hour: int, minute: int, second: int) -> str:
        """Today (UTC) at the given time of day, as ISO 8601 text."""
        now = datetime.now(UTC)
        return now.replace(hour=hour, minute=minute, second=second, microsecond=0).isoformat()

    @staticmethod
    def current_timestamp_lambda() -> Callable[[], str]:
        """`current_timestamp`, evaluated when the event is stored."""
        return lambda: AlertEvents.current_timestamp()

    @staticmethod
    def subtract_from_timestamp_lambda(
        date_timedelta: dict[str, float], timestamp: str | None = None
    ) -> Callable[[], str]:
        """`subtract_from_timestamp`, evaluated when the event is stored."""
        return lambda: AlertEvents.subtract_from_timestamp(date_timedelta, timestamp)

    @staticmethod
    def create_timestamp_from_now_lambda(hour: int, minute: int, second: int) -> Callable[[], str]:
        """`create_timestamp_from_now`, evaluated when the event is stored."""
        return lambda: AlertEvents.create_timestamp_from_now(hour, minute, second)
