"""Bulk actions' ids, bodies and per-item results, in Elasticsearch's shapes.

Shared by both backends: `error_body` is Elasticsearch's ``{'type', 'reason'}`` error
object for one of our errors, `error_item` and `result_item` the bodies of one bulk
item; `check_id` applies Elasticsearch's rules on document ids (a string or integer,
not empty, at most 512 bytes).
"""

from __future__ import annotations

from typing import Any

from lib.errors import DocumentError, IndexNotFoundError, StoreError

# Keys of an elasticsearch.helpers action that are metadata, not document fields.
_META = frozenset(
    ("_op_type", "_index", "_id", "_routing", "_type", "_version", "_version_type")
    + ("retry_on_conflict", "_retry_on_conflict")
)


def check_id(doc_id: Any, required: bool) -> str | None:
    """`doc_id` as a string (None if absent and not `required`); StoreError if invalid."""
    if doc_id is None:
        if required:
            raise StoreError("action_request_validation_exception: id is missing")
        return None
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        raise StoreError(f"illegal_argument_exception: document id [{doc_id!r}] must be a string")
    text = str(doc_id)
    if not text:
        raise StoreError("illegal_argument_exception: if _id is specified it must not be empty")
    if len(text.encode()) > 512:
        raise StoreError(
            f"illegal_argument_exception: id [{text}] is too long, must be no longer than 512 bytes"
        )
    return text


def update_doc(body: dict[str, Any]) -> dict[str, Any]:
    """The partial document of a ``doc`` update body."""
    partial = body.get("doc")
    if not isinstance(partial, dict):
        raise StoreError("action_request_validation_exception: script or doc is missing")
    return partial


def action_body(action: dict[str, Any]) -> dict[str, Any]:
    """The document of an action that carries its fields beside the metadata keys."""
    return {key: value for key, value in action.items() if key not in _META}


def result_item(index: str, doc_id: str, result: str, status: int | None = None) -> dict[str, Any]:
    """A successful item body (``created`` 201, anything else 200 unless `status`)."""
    code = status if status is not None else (201 if result == "created" else 200)
    return {"_index": index, "_id": doc_id, "result": result, "status": code}


_STATUS = {"document_missing_exception": 404, "version_conflict_engine_exception": 409}


def _status(exc: StoreError) -> int:
    if isinstance(exc, IndexNotFoundError):
        return 404
    return _STATUS.get(getattr(exc, "error_type", ""), 400)


def error_item(index: Any, doc_id: Any, exc: StoreError) -> dict[str, Any]:
    """A failed item body: status by error type (404, 409 or 400) and the error object."""
    return {"_index": index, "_id": doc_id, "status": _status(exc), "error": error_body(exc)}


def error_body(exc: StoreError) -> dict[str, Any]:
    """Elasticsearch's ``{'type', 'reason'}`` error object for one of our errors."""
    if isinstance(exc, DocumentError):
        reason = exc.reason
        if exc.field and exc.field not in reason:
            reason = f"failed to parse field [{exc.field}]: {reason}"
        return {"type": exc.error_type, "reason": reason}
    text = str(exc)
    kind, sep, reason = text.partition(": ")
    if sep and kind.endswith("_exception") and " " not in kind:
        return {"type": kind, "reason": reason}
    return {"type": "illegal_argument_exception", "reason": text}
