"""The ``_bulk`` request of the Elasticsearch backend: action lines and response items.

Actions are `elasticsearch.helpers`-shaped dicts (``_op_type``, ``_index``, ``_id``,
``_source`` or the document's own keys). A malformed action, or a document that is not
plain JSON or is over the size limit (`documents.check_json`, the embedded store's own
check, so both backends refuse the same documents), is refused locally with an error
item of Elasticsearch's shape; the others become ``_bulk`` lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lib.errors import DocumentError, StoreError
from lib.store.base import Body
from lib.store.bulk_items import action_body, error_body
from lib.store.documents import check_json


def bulk_lines(action: Any, writable: Callable[[str], str]) -> list[Any]:
    """The `_bulk` lines of one helpers-shaped action; `writable` gives its concrete index."""
    if not isinstance(action, dict):
        raise StoreError("action_request_validation_exception: a bulk action must be an object")
    op = action.get("_op_type", "index")
    if op not in ("index", "create", "update", "delete"):
        raise StoreError(
            f"illegal_argument_exception: Malformed action/metadata line, unknown op [{op}]"
        )
    if not isinstance(action.get("_index"), str):
        raise StoreError("action_request_validation_exception: index is missing")
    body = None if op == "delete" else _checked_body(op, action)
    meta: dict[str, Any] = {"_index": writable(action["_index"])}
    if action.get("_id") is not None:
        meta["_id"] = str(action["_id"])
    retries = action.get("retry_on_conflict", action.get("_retry_on_conflict"))
    if op == "update" and retries is not None:
        meta["retry_on_conflict"] = retries
    return [{op: meta}] if body is None else [{op: meta}, body]


def _checked_body(op: str, action: dict[str, Any]) -> Any:
    """The action's document (or update body), refused here if it is not one to send."""
    body = action["_source"] if "_source" in action else action_body(action)
    if op != "update" and not isinstance(body, dict):
        raise DocumentError(
            "failed to parse: Malformed content, must start with an object",
            None,
            "document_parsing_exception",
        )
    check_json(body)
    return body


def response_item(item: Body) -> Body:
    """One item of Elasticsearch's bulk response, in our (its) item shape."""
    ((op, body),) = item.items()
    shaped = {key: body[key] for key in ("_index", "_id", "status", "result") if key in body}
    if "error" in body:
        error = body["error"]
        shaped["error"] = {"type": error.get("type"), "reason": error.get("reason")}
    return {op: shaped}


def local_error(action: Any, exc: StoreError) -> Body:
    """The error item of an action refused before sending (a malformed action)."""
    op = action.get("_op_type", "index") if isinstance(action, dict) else "index"
    index = action.get("_index") if isinstance(action, dict) else None
    doc_id = action.get("_id") if isinstance(action, dict) else None
    return {op: {"_index": index, "_id": doc_id, "status": 400, "error": error_body(exc)}}
