"""Alert config files: MozDef's INI ``[options]`` files and JSON alert configs.

A relative file name is looked up next to the alert's module file (for alerts in
`alerts/`, that is the `alerts/` directory, as in MozDef). A missing or malformed file
raises ConfigError naming it; MozDef silently fell back to empty values. `positive_int`
reads one whole-number option, with its default when the option is left empty.
"""

from __future__ import annotations

import configparser
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lib.errors import ConfigError

SECTION = "options"


def resolve(file_name: str | Path, base_dir: str | Path) -> Path:
    """`file_name` as an absolute path, relative names taken from `base_dir`."""
    path = Path(file_name)
    return path if path.is_absolute() else Path(base_dir) / path


def parse_config(path: Path, keys: list[str]) -> SimpleNamespace:
    """Read `keys` from the ``[options]`` section of `path`; missing keys are ''."""
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise ConfigError(f"alert config file {path} cannot be read: {exc}") from exc
    except configparser.Error as exc:
        raise ConfigError(f"alert config file {path} is malformed: {exc}") from exc
    if not parser.has_section(SECTION):
        raise ConfigError(f"alert config file {path} has no [{SECTION}] section")
    return SimpleNamespace(**{key: parser.get(SECTION, key, fallback="") for key in keys})


def parse_json_alert_config(path: Path) -> Any:
    """The parsed JSON content of `path`."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ConfigError(f"alert config file {path} cannot be read: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"alert config file {path} is not valid JSON: {exc}") from exc


def positive_int(value: str, default: int, name: str, file_name: str | Path) -> int:
    """Option `name` of `file_name` as a positive whole number; `default` when left empty."""
    text = value.strip()
    if not text:
        return default
    if not text.isdecimal() or int(text) < 1:
        raise ConfigError(f"{file_name}: {name} must be a positive whole number, got {text!r}")
    return int(text)
