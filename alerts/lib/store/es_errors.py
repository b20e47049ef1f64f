"""Errors of the `elasticsearch` client translated into Vigil's (`lib.errors`).

`translated()` wraps a client call; `translate(exc)` is the mapping: an API error
becomes IndexNotFoundError, DocumentError or QueryError by Elasticsearch's error type,
else a StoreError naming the HTTP status; a transport error (the cluster cannot be
reached or did not answer) becomes StoreError("cannot reach Elasticsearch: ...");
a server that is not Elasticsearch is named. The client's error is always chained.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import elasticsearch

from lib.errors import DocumentError, IndexNotFoundError, QueryError, StoreError

_QUERY_ERRORS = frozenset(
    (
        "parsing_exception",
        "x_content_parse_exception",
        "query_shard_exception",
        "search_phase_execution_exception",
        "illegal_argument_exception",
        "number_format_exception",
        "query_parsing_exception",
    )
)
_DOCUMENT_ERRORS = frozenset(
    (
        "mapper_parsing_exception",
        "document_parsing_exception",
        "strict_dynamic_mapping_exception",
        "version_conflict_engine_exception",
        "document_missing_exception",
    )
)


@contextmanager
def translated() -> Iterator[None]:
    """Run a client call, turning its errors into `lib.errors` (cause chained)."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc


def translate(exc: BaseException) -> StoreError | None:
    """Our error for a client/transport error (None if `exc` is not one)."""
    if isinstance(exc, elasticsearch.UnsupportedProductError):
        return StoreError(
            "the server is not Elasticsearch (the elasticsearch client refuses other products,"
            f" e.g. OpenSearch; use an opensearch-py based backend): {exc}"
        )
    if isinstance(exc, elasticsearch.ApiError):
        kind, reason = _error_of(exc)
        message = f"{kind}: {reason}"
        if kind == "index_not_found_exception" or (exc.meta.status == 404 and "index" in kind):
            return IndexNotFoundError(message)
        if kind in _DOCUMENT_ERRORS:
            return DocumentError(reason, None, kind)
        if exc.meta.status == 400 and kind in _QUERY_ERRORS:
            return QueryError(message)
        return StoreError(f"Elasticsearch answered {exc.meta.status}: {message}")
    if isinstance(exc, elasticsearch.TransportError | elasticsearch.SerializationError):
        return StoreError(f"cannot reach Elasticsearch: {exc}")
    return None


def elasticsearch_errors() -> tuple[type[Exception], ...]:
    """The client's error classes (API errors and transport errors)."""
    return (elasticsearch.ApiError, elasticsearch.TransportError, elasticsearch.SerializationError)


def translated_or_self(exc: Exception) -> Exception:
    """Our error for a client error, or `exc` itself if it is not one."""
    error = translate(exc)
    return exc if error is None else error


def _error_of(exc: Any) -> tuple[str, str]:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        cause = (error.get("root_cause") or [error])[0]
        return str(error.get("type", "error")), str(cause.get("reason") or error.get("reason", ""))
    return str(getattr(exc, "error", "error")), str(error or exc.message)


def unreachable(exc: StoreError) -> bool:
    """Whether `exc` is a transport failure (the cluster could not be reached or answer)."""
    return isinstance(exc.__cause__, elasticsearch.TransportError)
