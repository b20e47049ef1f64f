"""The alert test harness's hook: each test class's `test_cases` become one test each.

A test module written for the harness (see tests/alerts/alert_test_suite.py) lists its
cases in the class attribute `test_cases`; every test method that takes a `test_case`
argument runs once per case, with the case's description as the test id.
"""

from __future__ import annotations

import pytest

from tests.alerts.broker import describe_broker


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `test_case` with the class's `test_cases`, ids from their descriptions."""
    cases = getattr(metafunc.cls, "test_cases", None)
    if cases is None or "test_case" not in metafunc.fixturenames:
        return
    ids = [case.description for case in cases]
    metafunc.parametrize("test_case", cases, ids=ids, scope="class")


def pytest_report_header(config: pytest.Config) -> str:
    """Say in the header whether alert messages go to RabbitMQ or the embedded transport."""
    return describe_broker()
