"""Benchmark of test speed (``make bench-tests``): figure 6.

The working tree (without .git, data and caches; the virtualenv and ../shared are
linked, not copied) is copied into a temporary directory, so the benchmark never
touches the working tree. There it times, as a user runs them, including make's and
the interpreter's start:

- ``tests.whole_suite``: ``make test`` (its exit status is printed; a failing suite
  still gives a time);
- ``tests.one_alert_cold`` and ``tests.one_alert``: ``make run-tests TEST_CASE=...`` for
  the test file of an alert generated with the scaffolder (``python -m lib.scaffold
  --name ... --root <copy>``, what ``make new-alert`` runs): once with nothing cached
  (first run after generating), then the median of three more runs (target <= 3 s).

The copy's setup.py is dated no later than the virtualenv's install stamp, so make
never reinstalls into the linked virtualenv during a timed run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._measure import wall_clock

REPO = Path(__file__).resolve().parent.parent
# Local state that is not part of the tree a test run sees (the venv is linked instead).
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "data", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
)
ALERT_NAME = "bench speed probe"
ALERT_TEST = "tests/alerts/test_bench_speed_probe.py"
WARM_RUNS = 3
TIMEOUT_SECONDS = 1800

Figure = tuple[str, float, str]


def run() -> list[Figure]:
    """Figure 6: the whole suite, then one generated alert's test file."""
    with tempfile.TemporaryDirectory(prefix="vigil-bench-tests-") as tmp:
        copy = Path(tmp) / "vigil"
        copy_repo(copy)
        suite, status = timed(["make", "test"], copy)
        print(f"tests: make test exited with status {status}", file=sys.stderr)
        scaffold(copy)
        argv = ["make", "run-tests", f"TEST_CASE={ALERT_TEST}"]
        cold, status = timed(argv, copy)
        warm = [timed(argv, copy) for _ in range(WARM_RUNS)]
    failed = [s for _, s in warm if s] + ([status] if status else [])
    if failed:
        print(f"tests: make run-tests of the generated alert failed: {failed}", file=sys.stderr)
    return [
        ("tests.whole_suite", suite, "s"),
        ("tests.one_alert_cold", cold, "s"),
        ("tests.one_alert", statistics.median(t for t, _ in warm), "s (target <= 3)"),
    ]


def copy_repo(copy: Path) -> None:
    """The working tree at `copy` (modification times kept), the virtualenv linked."""
    shutil.copytree(REPO, copy, ignore=SKIPPED, symlinks=True)
    (copy / ".venv").symlink_to(REPO / ".venv")
    shared = REPO.parent / "shared"
    if shared.is_dir():  # tests read ../shared/data/auth.log next to the repository
        (copy.parent / "shared").symlink_to(shared)
    _keep_installed(copy)


def _keep_installed(copy: Path) -> None:
    """Make the copy's setup.py no newer than the install stamp, so make never reinstalls.

    The copy's make must not run ``pip install -e`` into the linked virtualenv (that would
    point the real installation at the copy); the benchmark measures an installed tree.
    """
    stamp = REPO / ".venv" / ".installed"
    if not stamp.exists():
        raise RuntimeError("the virtualenv is not installed: run `make install` first")
    installed = stamp.stat().st_mtime
    if (copy / "setup.py").stat().st_mtime > installed:
        print("tests: setup.py is newer than .venv's install; timing as installed", file=sys.stderr)
        os.utime(copy / "setup.py", (installed, installed))


def scaffold(copy: Path) -> None:
    """Generate an alert and its test in the copy, as ``make new-alert NAME=...`` does."""
    argv = [str(copy / ".venv/bin/python"), "-m", "lib.scaffold", "--name", ALERT_NAME]
    argv += ["--root", str(copy)]
    subprocess.run(argv, cwd=copy / "alerts", check=True, capture_output=True, env=_env())


def timed(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds `argv` took in `cwd`, and its exit status (output discarded)."""
    started = wall_clock()
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=_env(), capture_output=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{' '.join(argv)} did not finish in {TIMEOUT_SECONDS} s") from exc
    return wall_clock() - started, done.returncode


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env
