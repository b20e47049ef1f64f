"""A test case in which the alert must fire with the expected alert."""

from __future__ import annotations

from typing import Any

from .alert_test_case import AlertTestCase


class PositiveAlertTestCase(AlertTestCase):
    """The alert fires; every alert it saves matches `expected_alert` on the given keys."""

    expected_test_result = True

    def __init__(
        self, description: str, events: list[dict[str, Any]], expected_alert: dict[str, Any]
    ) -> None:
        if expected_alert is None:
            raise TypeError(f"positive test case {description!r} needs an expected_alert")
        super().__init__(description, events, expected_alert)
