"""The log-file action: append each alert as one JSON line to a file.

The file is ``$VIGIL_ALERT_LOG`` when set, else ``<VIGIL_DATA_DIR>/alerts.log``. Each
line is the published alert document ``{"_id", "_index", "_source"}``; lines are
written with one append each, so concurrent writers never interleave within a line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from lib import config


def log_path() -> Path:
    """Where alerts are written."""
    configured = os.environ.get("VIGIL_ALERT_LOG")
    return Path(configured) if configured else config.DATA_DIR / "alerts.log"


class message:  # MozDef's action contract names the class `message`
    """Writes every alert to the alert log."""

    def __init__(self) -> None:
        self.registration = "*"
        self.priority = 90

    def check(self) -> None:
        """Make sure the log's directory exists."""
        log_path().parent.mkdir(parents=True, exist_ok=True)

    def onMessage(self, alert: dict[str, Any]) -> dict[str, Any]:
        """Append `alert` as one JSON line."""
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = orjson.dumps(alert, option=orjson.OPT_SORT_KEYS) + b"\n"
        with path.open("ab") as handle:
            handle.write(line)
        return alert
