"""The webhook action: POST each alert's JSON to a configured URL.

Settings, first found wins: environment variables ``VIGIL_WEBHOOK_URL``,
``VIGIL_WEBHOOK_TIMEOUT`` (seconds per attempt, default 5), ``VIGIL_WEBHOOK_RETRIES``
(extra attempts after the first, default 3), ``VIGIL_WEBHOOK_BACKOFF`` (seconds before
the first retry, doubled each time, default 0.5); else the ``[options]`` section of
``webhook.conf`` beside this module (keys url, timeout, retries, backoff).

The body is the published alert document ``{"_id", "_index", "_source"}`` as JSON.
Connection errors, timeouts, 429 and 5xx answers are retried; any other non-2xx answer
fails at once. A delivery that still fails raises VigilError, and the actions worker
sends the message to its dead-letter queue with that reason.
"""

from __future__ import annotations

import configparser
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from lib.errors import ConfigError, VigilError

CONF_FILE = Path(__file__).with_suffix(".conf")
DEFAULTS = {"url": "", "timeout": "5", "retries": "3", "backoff": "0.5"}
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class WebhookSettings:
    """Where and how persistently to deliver."""

    url: str
    timeout: float
    retries: int
    backoff: float


def load_settings(conf_file: Path = CONF_FILE) -> WebhookSettings:
    """Read the settings from the environment, then `conf_file`, then the defaults."""
    parser = configparser.ConfigParser()
    parser.read_dict({"options": DEFAULTS})
    parser.read(conf_file)
    options = parser["options"]
    values = {
        key: os.environ.get(f"VIGIL_WEBHOOK_{key.upper()}") or options[key] for key in DEFAULTS
    }
    if not values["url"].startswith(("http://", "https://")):
        raise ConfigError(
            f"webhook action: url {values['url']!r} is not an http(s) URL "
            f"(set VIGIL_WEBHOOK_URL or url in {conf_file})"
        )
    try:
        return WebhookSettings(
            values["url"],
            float(values["timeout"]),
            int(values["retries"]),
            float(values["backoff"]),
        )
    except ValueError as exc:
        raise ConfigError(f"webhook action: bad number in settings: {exc}") from exc


def deliver(settings: WebhookSettings, alert: dict[str, Any]) -> int:
    """POST `alert` with retries and backoff; return the final HTTP status."""
    body = orjson.dumps(alert)
    for attempt in range(settings.retries + 1):
        try:
            return _post(settings, body)
        except _Retryable as exc:
            if attempt == settings.retries:
                raise VigilError(
                    f"webhook {settings.url}: {exc} (gave up after {attempt + 1} attempts)"
                ) from exc
            time.sleep(settings.backoff * 2**attempt)
    raise AssertionError("unreachable")


class _Retryable(Exception):
    """A failure worth another attempt."""


def _post(settings: WebhookSettings, body: bytes) -> int:
    request = urllib.request.Request(
        settings.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "vigil-webhook"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        if exc.code in _RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {exc.code}") from exc
        raise VigilError(f"webhook {settings.url}: refused with HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise _Retryable(str(getattr(exc, "reason", exc))) from exc


class message:  # MozDef's action contract names the class `message`
    """Posts every alert to the configured webhook."""

    def __init__(self) -> None:
        self.registration = "*"
        self.priority = 50

    def check(self) -> None:
        """Refuse to start without a usable URL."""
        load_settings()

    def onMessage(self, alert: dict[str, Any]) -> dict[str, Any]:
        """Deliver `alert` to the webhook."""
        deliver(load_settings(), alert)
        return alert
