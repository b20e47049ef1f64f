"""Run benchmarks: ``python -m bench [name ...]`` (all of them when no name is given).

Each benchmark is a module ``bench/<name>.py`` exposing ``run() -> list[tuple[str, float,
str]]`` (figure name, value, unit). Every figure is printed as ``name: value unit`` and
all of them are written to ``bench/results.json`` with the core count and the commit.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
_NOT_BENCHMARKS = frozenset(("__init__", "__main__", "eventgen"))


def available() -> list[str]:
    """Names of the benchmark modules in bench/."""
    return sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in _NOT_BENCHMARKS and not path.stem.startswith("_")
    )


def git_commit() -> str | None:
    """The current commit of the repository, if git can tell."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=BENCH_DIR, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def _shown(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all if none), print figures, write results.json."""
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}",
            file=sys.stderr,
        )
        return 2
    figures = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for figure, value, unit in module.run():
            print(f"{figure}: {_shown(value)} {unit}".rstrip(), flush=True)
            figures.append({"name": figure, "value": value, "unit": unit})
    results = {"cores": os.cpu_count(), "commit": git_commit(), "figures": figures}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
