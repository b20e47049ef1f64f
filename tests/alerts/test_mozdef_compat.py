"""An alert and its test module written for MozDef run on Vigil unchanged.

tests/files/mozdef_compat/ holds an alert written against MozDef's API only
(`lib.alerttask`, `mozdef_util.query_models`, `mozdef_util.utilities.toUTC`,
`parse_config`, `searchEventsAggregated`, `walkAggregations`, `mostCommon`,
`createAlertDict`) and its test module written for MozDef's harness (relative imports
of the harness, `AlertTestSuite.create_event`, the timestamp lambdas, and a `setup()`
override calling super). Both are copied into a MozDef-shaped tree (alerts/ and
tests/alerts/) and run there in their own pytest process, as `make run-tests` would.
The test module is stored as `mozdef_style_cases.py` so that this suite's own pytest
run does not collect it in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import REPO, RunAlertTests

COMPAT_FILES = REPO / "tests" / "files" / "mozdef_compat"
TEST_FILE = "tests/alerts/test_proxy_blocked_downloads.py"


def install_mozdef_alert(root: Path, test_source: str | None = None) -> None:
    """Copy the MozDef-style alert, its config and its test module into `root`."""
    (root / "alerts" / "mozdef_util").symlink_to(
        REPO / "alerts" / "mozdef_util", target_is_directory=True
    )
    for name in ("proxy_blocked_downloads.py", "proxy_blocked_downloads.conf"):
        shutil.copy(COMPAT_FILES / name, root / "alerts" / name)
    source = (COMPAT_FILES / "mozdef_style_cases.py").read_text()
    (root / TEST_FILE).write_text(source if test_source is None else test_source)


def test_mozdef_style_alert_and_test_module_pass_unchanged(
    alert_repo_tree: Path, run_alert_tests: RunAlertTests
) -> None:
    install_mozdef_alert(alert_repo_tree)
    result = run_alert_tests(alert_repo_tree, TEST_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout, result.stdout


def test_the_cases_depend_on_the_setup_override(
    alert_repo_tree: Path, run_alert_tests: RunAlertTests
) -> None:
    """Without its setup() override the module fails: the harness must call it to pass."""
    source = (COMPAT_FILES / "mozdef_style_cases.py").read_text()
    assert source.count("    def setup(self):") == 1
    install_mozdef_alert(alert_repo_tree, source.replace("def setup(self):", "def unused(self):"))
    result = run_alert_tests(alert_repo_tree, TEST_FILE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 failed, 5 passed" in result.stdout, result.stdout
    assert "Alert did not fire as expected" in result.stdout
