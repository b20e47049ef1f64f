"""The alert test harness's hook: each test class's `test_cases` become one test each.

A test module written for the harness (see tests/alerts/alert_test_suite.py) lists its
cases in the class attribute `test_cases`; every test method that takes a `test_case`
argument runs once per case, with the case's description as the test id.

The test session gets its own data directory (VIGIL_DATA_DIR), set before anything
imports lib.config, so no test writes into the ./data of a developer's live pipeline.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

SESSION_DATA_DIR = (
    None if "VIGIL_DATA_DIR" in os.environ else tempfile.mkdtemp(prefix="vigil-test-")
)
if SESSION_DATA_DIR:
    os.environ["VIGIL_DATA_DIR"] = SESSION_DATA_DIR

from tests.alerts.broker import describe_broker  # noqa: E402  (after VIGIL_DATA_DIR is set)


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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the session's own data directory (never one the caller chose)."""
    if SESSION_DATA_DIR:
        shutil.rmtree(SESSION_DATA_DIR, ignore_errors=True)
