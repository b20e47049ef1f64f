"""Vigil's one exception tree.

    VigilError
    ├── ConfigError            settings, alert config files, plugin/action loading
    ├── StoreError             anything the event store could not do
    │   ├── IndexNotFoundError     a named index or alias does not exist
    │   ├── DocumentError          one document was refused (mapping, size, depth, JSON)
    │   ├── QueryError             a malformed query (bad DSL, unparseable query_string)
    │   └── UnsupportedQueryError  a well-formed query the embedded engine does not implement
    ├── PublishError           an alert could not be published to the broker
    └── AlertError             an alert's run failed (wraps the cause, names the alert)

Backends and clients translate their own errors into these at the boundary
(`raise StoreError(...) from exc`), so callers never see a client's exception type.
"""

from __future__ import annotations


class VigilError(Exception):
    """Base of every error Vigil raises on purpose."""


class ConfigError(VigilError):
    """A setting, config file, plugin or action is missing or malformed."""


class StoreError(VigilError):
    """The event store could not do what was asked."""


class IndexNotFoundError(StoreError):
    """A named index or alias does not exist."""


class DocumentError(StoreError):
    """A document was refused; `field` and `reason` say why."""

    def __init__(
        self, reason: str, field: str | None = None, error_type: str = "document_parsing_exception"
    ):
        self.reason = reason
        self.field = field
        self.error_type = error_type
        super().__init__(f"field [{field}]: {reason}" if field else reason)


class QueryError(StoreError):
    """A query is malformed (bad DSL shape, unparseable query string, bad date math)."""


class UnsupportedQueryError(QueryError):
    """A well-formed query uses a clause the embedded engine does not implement."""


class PublishError(VigilError):
    """An alert could not be published to the message broker."""


class AlertError(VigilError):
    """An alert's run failed; the message names the alert."""
