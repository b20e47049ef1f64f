"""loginput's HTTP surface: the resources, bearer-token check and JSON error answers.

Every answer is JSON. Errors have Elasticsearch's shape,
``{"error": {"type", "reason"[, "items"]}, "status"}``: 400 for bad input (with one
entry per refused item of a batch), 401 for a missing or wrong bearer token, 503 when
the store cannot be reached (the request is not stored), and falcon's 404/405 for
unknown paths and methods.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from typing import Any

import falcon
import orjson

from lib.errors import DocumentError
from lib.loginput.bodies import parse_bulk, parse_events, read_body
from lib.loginput.intake import EVENTS_INDEX, BatchRejected, Intake
from lib.store import open_store
from lib.store.base import EventStore

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/status"})


class LazyStore:
    """Opens the event store on first use, once per process (constructors do no I/O)."""

    def __init__(self, url: str):
        self.url = url
        self._store: EventStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> EventStore:
        """The store, opened on the first call."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.url)
        return self._store


class BearerToken:
    """Middleware: every path but /status needs ``Authorization: Bearer <token>``."""

    def __init__(self, token: str):
        self._token = token.encode()

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Refuse the request with 401 unless it carries the token."""
        if req.path in OPEN_PATHS:
            return
        scheme, _, credentials = (req.get_header("Authorization") or "").partition(" ")
        given = credentials.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self._token):
            raise falcon.HTTPUnauthorized(
                title="unauthorized",
                description="a valid 'Authorization: Bearer <token>' header is required",
                challenges=['Bearer realm="vigil"'],
            )


class EventsResource:
    """``POST /events``: one event, an array of events, or NDJSON; all stored or none."""

    def __init__(self, intake: Intake, max_body: int):
        self.intake = intake
        self.max_body = max_body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Store the events of the body; 400 naming every refused item otherwise."""
        parsed = parse_events(request_body(req, self.max_body))
        items = self.intake.store_events(parsed)
        send(resp, falcon.HTTP_200, {"result": "created", "count": len(items), "items": items})


class BulkResource:
    """``POST /_bulk``: Elasticsearch's bulk format, answered in its bulk shape."""

    def __init__(self, intake: Intake, max_body: int):
        self.intake = intake
        self.max_body = max_body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Store the bulk request's events; per-item results as Elasticsearch gives them."""
        parsed = parse_bulk(request_body(req, self.max_body))
        send(resp, falcon.HTTP_200, self.intake.store_bulk(parsed))


class StatusResource:
    """``GET /status``: 200 when the store answers, 503 (naming the error) when not."""

    def __init__(self, store: Callable[[], EventStore], backend: str):
        self.store = store
        self.backend = backend

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Report health and whether the event store is reachable."""
        store: dict[str, Any] = {"backend": self.backend, "reachable": True}
        try:
            store["events_index"] = self.store().index_exists(EVENTS_INDEX)
        except Exception as exc:  # a health check reports any failure, it never fails itself
            log.warning("status: the event store is unreachable: %r", exc, exc_info=exc)
            store.update(reachable=False, error=type(exc).__name__)
        healthy = store["reachable"]
        body = {"status": "ok" if healthy else "unavailable", "service": "loginput", "store": store}
        send(resp, falcon.HTTP_200 if healthy else falcon.HTTP_503, body)


def request_body(req: falcon.Request, limit: int) -> bytes:
    """The body, read within `limit` (a chunked body is read from the raw stream)."""
    length = req.content_length
    if length is None and req.env.get("wsgi.input_terminated"):
        return read_body(req.stream, None, limit)
    return read_body(req.bounded_stream, length or 0, limit)


def send(resp: falcon.Response, status: str, body: Any) -> None:
    """Answer with `body` as JSON."""
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.data = orjson.dumps(body)


def bad_request(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    """A DocumentError (or BatchRejected) becomes a 400 naming the problem."""
    assert isinstance(exc, DocumentError)
    error: dict[str, Any] = {"type": exc.error_type, "reason": str(exc)}
    if isinstance(exc, BatchRejected):
        error["items"] = [problem.to_dict() for problem in exc.problems]
    send(resp, falcon.HTTP_400, {"error": error, "status": 400})


def store_unavailable(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any
) -> None:
    """A StoreError while writing becomes a logged 503; the client may retry."""
    log.error("event store error on %s %s", req.method, req.path, exc_info=exc)
    error = {"type": "store_unavailable", "reason": f"the event store failed: {exc}"}
    send(resp, falcon.HTTP_503, {"error": error, "status": 503})


def serialize_http_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    """falcon's own errors (401, 404, 405, ...) in the same JSON shape."""
    reason = exc.description or exc.title
    body = {"error": {"type": _slug(exc.title), "reason": reason}, "status": exc.status_code}
    resp.content_type = falcon.MEDIA_JSON
    resp.data = orjson.dumps(body)


def _slug(title: str) -> str:
    words = title.lower().split()
    return "_".join(word for word in words if not word.isdigit())
