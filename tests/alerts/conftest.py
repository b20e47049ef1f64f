"""Fixtures for testing the alert test harness and scaffolding from the outside.

`alert_repo_tree` is a temporary repository that holds only the framework (a link to
alerts/lib) and the alert test harness; `run_alert_tests` runs a test file there in its
own pytest process, as `make run-tests TEST_CASE=...` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HARNESS_FILES = (
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/alerts/__init__.py",
    "tests/alerts/alert_test_suite.py",
    "tests/alerts/alert_events.py",
    "tests/alerts/alert_test_case.py",
    "tests/alerts/positive_alert_test_case.py",
    "tests/alerts/negative_alert_test_case.py",
    "tests/alerts/broker.py",
)
PYTEST_SETTINGS = """\
[tool.pytest.ini_options]
pythonpath = ["alerts"]
filterwarnings = ["error"]
"""

RunAlertTests = Callable[[Path, str], subprocess.CompletedProcess[str]]


@pytest.fixture
def alert_repo_tree(tmp_path: Path) -> Path:
    """An alert-less repository tree that can run alert tests: framework and harness."""
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "lib").symlink_to(REPO / "alerts" / "lib", target_is_directory=True)
    for name in HARNESS_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text(PYTEST_SETTINGS)
    return tmp_path


@pytest.fixture
def run_alert_tests() -> RunAlertTests:
    """Run one test file of a repository tree in its own pytest process."""

    def run(root: Path, test_file: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", test_file, "-q", "-p", "no:cacheprovider"],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "VIGIL_DATA_DIR": str(root / "data")},
            timeout=300,
        )

    return run
