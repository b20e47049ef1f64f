"""Tests of `make new-alert` (lib.scaffold): names, refusals, and a generated test that passes.

The generated files are written into a temporary repository tree that borrows the real
framework (alerts/lib) and the real alert test harness (`alert_repo_tree`), and the
generated test runs there in its own pytest process (`run_alert_tests`), as
`make run-tests TEST_CASE=...` would run it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lib import scaffold
from lib.errors import ConfigError

from ..conftest import RunAlertTests

REPO = Path(__file__).resolve().parents[3]


def run_scaffold(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m lib.scaffold` from alerts/, as `make new-alert` does."""
    return subprocess.run(
        [sys.executable, "-m", "lib.scaffold", "--root", str(root), *args],
        cwd=REPO / "alerts",
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_names_follow_the_alert_name() -> None:
    names = scaffold.derive_names("proxy drop executable")
    assert names.filename == "proxy_drop_executable"
    assert names.classname == "AlertProxyDropExecutable"
    assert names.alert_path == Path("alerts/proxy_drop_executable.py")
    assert names.test_path == Path("tests/alerts/test_proxy_drop_executable.py")


def test_names_are_lower_case_files_and_title_cased_classes() -> None:
    names = scaffold.derive_names("  SSH  Login  ")
    assert (names.filename, names.classname) == ("ssh_login", "AlertSshLogin")


@pytest.mark.parametrize(
    ("typed", "title"),
    [("proxy_drop", "proxy drop"), ("Proxy_Drop", "Proxy Drop"), ("proxy drop", "proxy drop")],
)
def test_underscores_inside_words_separate_words(typed: str, title: str) -> None:
    names = scaffold.derive_names(typed)
    assert (names.filename, names.classname, names.title) == ("proxy_drop", "AlertProxyDrop", title)


def test_an_underscored_name_scaffolds_like_the_spaced_one(alert_repo_tree: Path) -> None:
    result = run_scaffold(alert_repo_tree, "--name", "proxy_drop executable")
    assert result.returncode == 0, result.stderr
    alert = (alert_repo_tree / "alerts" / "proxy_drop_executable.py").read_text()
    assert "class AlertProxyDropExecutable(AlertTask):" in alert
    assert (alert_repo_tree / "tests" / "alerts" / "test_proxy_drop_executable.py").is_file()


def test_prompt_reads_the_name_and_creates_both_files(alert_repo_tree: Path) -> None:
    result = run_scaffold(alert_repo_tree, stdin="proxy drop executable\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(scaffold.PROMPT)
    assert "Creating alerts/proxy_drop_executable.py\n" in result.stdout
    assert "Creating tests/alerts/test_proxy_drop_executable.py\n" in result.stdout
    assert (alert_repo_tree / "alerts" / "proxy_drop_executable.py").is_file()
    assert (alert_repo_tree / "tests" / "alerts" / "test_proxy_drop_executable.py").is_file()


def test_generated_alert_is_the_guides_first_alert(alert_repo_tree: Path) -> None:
    scaffold.create_alert("foo", alert_repo_tree)
    alert = (alert_repo_tree / "alerts" / "foo.py").read_text()
    assert "class AlertFoo(AlertTask):" in alert
    for line in (
        "SearchQuery(minutes=20)",
        'TermMatch("category", "helloworld")',
        'ExistsMatch("details.sourceipaddress")',
        'self.searchEventsAggregated("details.sourceipaddress", samplesLimit=10)',
        'summary = "My first alert!"',
        'tags = ["Foo"]',
    ):
        assert line in alert


def test_generated_test_passes_immediately(
    alert_repo_tree: Path, run_alert_tests: RunAlertTests
) -> None:
    scaffold.create_alert("proxy drop executable", alert_repo_tree)
    result = run_alert_tests(alert_repo_tree, "tests/alerts/test_proxy_drop_executable.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout, result.stdout


def test_generated_test_fails_when_the_alert_stops_matching(
    alert_repo_tree: Path, run_alert_tests: RunAlertTests
) -> None:
    scaffold.create_alert("proxy drop executable", alert_repo_tree)
    alert = alert_repo_tree / "alerts" / "proxy_drop_executable.py"
    alert.write_text(alert.read_text().replace('"helloworld"', '"goodbyeworld"'))
    result = run_alert_tests(alert_repo_tree, "tests/alerts/test_proxy_drop_executable.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed, 4 passed" in result.stdout, result.stdout
    assert "Alert did not fire as expected" in result.stdout


def test_refuses_to_overwrite_an_existing_alert(alert_repo_tree: Path) -> None:
    scaffold.create_alert("proxy drop executable", alert_repo_tree)
    alert = alert_repo_tree / "alerts" / "proxy_drop_executable.py"
    alert.write_text("# my work\n")
    result = run_scaffold(alert_repo_tree, "--name", "proxy drop executable")
    assert result.returncode == 1
    assert "refusing to overwrite alerts/proxy_drop_executable.py" in result.stderr
    assert alert.read_text() == "# my work\n"


def test_refuses_when_only_the_test_exists(alert_repo_tree: Path) -> None:
    test_file = alert_repo_tree / "tests" / "alerts" / "test_proxy_drop_executable.py"
    test_file.write_text("# my tests\n")
    with pytest.raises(ConfigError, match="tests/alerts/test_proxy_drop_executable.py"):
        scaffold.create_alert("proxy drop executable", alert_repo_tree)
    assert not (alert_repo_tree / "alerts" / "proxy_drop_executable.py").exists()
    assert test_file.read_text() == "# my tests\n"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("foo-bar", "characters other than letters and digits"),
        ("proxy.drop", "characters other than letters and digits"),
        ("_proxy", "underscores only between them"),
        ("proxy__drop", "underscores only between them"),
        ("proxy_", "underscores only between them"),
        ("2fa bypass", "must start with a letter"),
        ("class", "'class' is a Python keyword"),
        ("json", "would shadow"),
        ("lib", "would shadow"),
    ],
    ids=[
        "empty",
        "blank",
        "dash",
        "dot",
        "leading underscore",
        "double underscore",
        "trailing underscore",
        "leading digit",
        "keyword",
        "stdlib",
        "framework",
    ],
)
def test_refuses_names_that_cannot_be_python_names(
    alert_repo_tree: Path, name: str, reason: str
) -> None:
    result = run_scaffold(alert_repo_tree, "--name", name)
    assert result.returncode == 1
    assert reason in result.stderr
    assert sorted(p.name for p in (alert_repo_tree / "alerts").iterdir()) == ["lib"]


def test_refuses_when_standard_input_ends_without_a_name(alert_repo_tree: Path) -> None:
    result = run_scaffold(alert_repo_tree, stdin="")
    assert result.returncode == 1
    assert "no alert name given" in result.stderr
