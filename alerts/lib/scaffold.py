"""Alert scaffolding: `make new-alert` writes a new alert module and its test module.

``python -m lib.scaffold [--name "proxy drop executable"] [--root DIR]`` prompts for the
alert's name (unless given), derives ``alerts/proxy_drop_executable.py`` with the class
``AlertProxyDropExecutable`` and ``tests/alerts/test_proxy_drop_executable.py`` (an
underscore inside a word separates words too: ``proxy_drop executable`` is the same), and
refuses (exit status 1) when either file exists or the name cannot form a Python module
and class name. The generated alert is the alert development guide's first example; its
generated test passes as soon as it is written.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from lib.errors import ConfigError

PROMPT = "Enter your alert name (Example: proxy drop executable): "

# Top-level names an alert module must not take: the framework's own packages in alerts/
# and the modules celery loads from there; an alert named like them would shadow them.
RESERVED_NAMES = frozenset({"lib", "mozdef_util", "plugins", "actions", "celeryconfig"})

# A typed word: letters and digits, with single underscores inside ("proxy_drop").
_WORD = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class AlertNames:
    """Every name `make new-alert` derives from what the author typed."""

    title: str
    filename: str
    classname: str
    tag: str

    @property
    def alert_path(self) -> Path:
        """The alert module, relative to the repository root."""
        return Path("alerts") / f"{self.filename}.py"

    @property
    def test_path(self) -> Path:
        """The alert's test module, relative to the repository root."""
        return Path("tests") / "alerts" / f"test_{self.filename}.py"


def derive_names(alert_name: str) -> AlertNames:
    """Derive file, class and tag names from `alert_name`; ConfigError if it cannot work."""
    typed = alert_name.split()
    if not typed:
        raise ConfigError("the alert name is empty: type a few words, e.g. proxy drop executable")
    for word in typed:
        if not _WORD.fullmatch(word):
            raise ConfigError(
                f"cannot make a Python name from {alert_name!r}: {word!r} has characters "
                "other than letters and digits (underscores only between them)"
            )
    words = [part for word in typed for part in word.split("_")]
    filename = "_".join(words).lower()
    tag = "".join(word.title() for word in words)
    if keyword.iskeyword(filename):
        raise ConfigError(
            f"cannot make a Python module name from {alert_name!r}: {filename!r} "
            "is a Python keyword"
        )
    if not filename.isidentifier():
        raise ConfigError(
            f"cannot make a Python module name from {alert_name!r}: {filename!r} "
            "must start with a letter"
        )
    _refuse_shadowing(alert_name, filename)
    return AlertNames(" ".join(words), filename, f"Alert{tag}", tag)


def _refuse_shadowing(alert_name: str, filename: str) -> None:
    if filename in RESERVED_NAMES or filename in sys.stdlib_module_names:
        raise ConfigError(
            f"cannot use {alert_name!r}: the module name {filename!r} would shadow "
            "Python's or Vigil's own module of that name; choose a more specific name"
        )


def render(names: AlertNames) -> dict[Path, str]:
    """The text of the alert module and of its test module, keyed by relative path."""
    values = {
        "title": names.title,
        "filename": names.filename,
        "classname": names.classname,
        "tag": names.tag,
    }
    return {
        names.alert_path: _template("alert.py.tmpl").substitute(values),
        names.test_path: _template("test_alert.py.tmpl").substitute(values),
    }


def _template(name: str) -> Template:
    return Template(resources.files("lib").joinpath("templates", name).read_text("utf-8"))


def create_alert(alert_name: str, root: Path) -> list[Path]:
    """Write the alert and its test under `root`; ConfigError if either already exists."""
    files = render(derive_names(alert_name))
    existing = [str(path) for path in files if (root / path).exists()]
    if existing:
        raise ConfigError(
            f"refusing to overwrite {' and '.join(existing)}: choose another alert name "
            "or remove the existing files first"
        )
    for path, text in files.items():
        print(f"Creating {path.as_posix()}")
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return list(files)


def default_root() -> Path:
    """The repository root: two levels above this package (alerts/lib/ -> repo)."""
    return Path(__file__).resolve().parents[2]


def _read_name() -> str:
    try:
        name = input(PROMPT)
    except EOFError:
        print()
        raise ConfigError("no alert name given (standard input ended)") from None
    if not sys.stdin.isatty():
        print()  # piped input is not echoed: end the prompt's line ourselves
    return name


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make new-alert", description="Scaffold a new alert and its test module."
    )
    parser.add_argument("--name", help='the alert name, e.g. "proxy drop executable"')
    parser.add_argument("--root", type=Path, help="repository root to write into")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the scaffolder; returns the process exit status."""
    args = _parse_args(argv)
    try:
        name = args.name if args.name is not None else _read_name()
        create_alert(name, args.root or default_root())
    except ConfigError as exc:
        print(f"make new-alert: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
