"""One case of an alert test: a description, the events to store and what should happen.

`PositiveAlertTestCase` expects the alert to fire with `expected_alert`;
`NegativeAlertTestCase` expects it to stay silent. Cases are declared as class
attributes of a test module, so each one keeps its own deep copy of the events.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any


class AlertTestCase:
    """Events for one run of an alert and the expected outcome."""

    expected_test_result: bool

    def __init__(
        self,
        description: str,
        events: list[dict[str, Any]] | None = None,
        expected_alert: dict[str, Any] | None = None,
    ) -> None:
        self.description = description
        self.events = copy.deepcopy(events or [])
        if any(isinstance(event, list) for event in self.events):
            raise TypeError(
                f"test case {description!r}: events contains a list; pass one flat list "
                "of events (use `events + more_events`, not `[events, more_events]`)"
            )
        self.expected_alert = expected_alert
        self.full_events: list[dict[str, Any]] = []

    def run(self, alert_filename: str, alert_classname: str) -> Any:
        """Import the alert, run it once and return the task; its error is re-raised."""
        module = importlib.import_module(alert_filename)
        alert_task = getattr(module, alert_classname)()
        alert_task.run()
        close = getattr(alert_task, "close_connections", None)
        if close is not None:
            close()
        error = getattr(alert_task, "error_thrown", None)
        if error is not None:
            raise error
        return alert_task

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"
