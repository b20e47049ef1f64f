"""A test case in which the alert must not fire."""

from __future__ import annotations

from typing import Any

from .alert_test_case import AlertTestCase


class NegativeAlertTestCase(AlertTestCase):
    """The alert stays silent: no alert is saved and none is published."""

    expected_test_result = False

    def __init__(
        self,
        description: str,
        events: list[dict[str, Any]],
        expected_alert: dict[str, Any] | None = None,
    ) -> None:
        if expected_alert is not None:
            raise TypeError(
                f"negative test case {description!r} expects no alert, so it takes no "
                "expected_alert; use PositiveAlertTestCase to expect one"
            )
        super().__init__(description, events, expected_alert=None)
