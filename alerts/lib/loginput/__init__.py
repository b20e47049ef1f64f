"""loginput: the HTTP event intake (MozDef's loginput), a falcon WSGI app under gunicorn.

Run it (from alerts/, or with alerts/ on PYTHONPATH; `vigil serve` does this)::

    python -m lib.loginput [--host HOST] [--port PORT] [--workers N] [--threads N]

It binds ``VIGIL_LOGINPUT_HOST`` (default 127.0.0.1) and ``VIGIL_LOGINPUT_PORT`` (default
8080) and serves with granian, or gunicorn's threaded workers when granian is not
installed (`server`); both keep connections alive, and SIGTERM stops them cleanly. Any
WSGI server can also serve ``lib.loginput:app`` (built from the settings on first
access), e.g. ``gunicorn --worker-class gthread lib.loginput:app``.

Endpoints:

- ``POST /events``: one JSON event, a JSON array of events, or newline-delimited JSON.
  Every event is normalized (`lib.normalize`) and stored in ``events``, all or none:
  200 ``{"result": "created", "count", "items": [{"_index", "_id"}]}``.
- ``POST /_bulk``: Elasticsearch's bulk format (``index``/``create`` action lines, each
  followed by its event); events go to ``events`` whatever ``_index`` says, as MozDef's
  loginput did; ``_id`` is kept. Answered in Elasticsearch's bulk shape.
- ``GET /status``: health and store reachability (200, or 503); no token needed.

With ``VIGIL_LOGINPUT_TOKEN`` set, ``/events`` and ``/_bulk`` need
``Authorization: Bearer <token>`` (401 otherwise). Bad input (empty, over
``VIGIL_LOGINPUT_MAX_BODY`` bytes, not UTF-8, not JSON, not objects, nested deeper than
20, an unparseable timestamp) is answered 400 with a JSON error naming the problem and
every refused item, and nothing of that request is stored (see `intake`).
"""

from __future__ import annotations

from typing import Any

import falcon

from lib import config
from lib.errors import DocumentError, StoreError
from lib.loginput import resources
from lib.loginput.intake import Intake

__all__ = ["create_app"]


def create_app(
    store_url: str | None = None, token: str | None = None, max_body: int | None = None
) -> falcon.App:
    """The loginput WSGI app; unset arguments come from `config.LOGINPUT` / the store URL."""
    settings = config.LOGINPUT
    store = resources.LazyStore(store_url or config.store_url())
    token = str(settings["token"]) if token is None else token
    max_body = int(str(settings["max_body_bytes"])) if max_body is None else max_body
    intake = Intake(store)
    app = falcon.App(middleware=[resources.BearerToken(token)] if token else [])
    app.req_options.strip_url_path_trailing_slash = True
    app.add_route("/events", resources.EventsResource(intake, max_body))
    app.add_route("/_bulk", resources.BulkResource(intake, max_body))
    app.add_route("/status", resources.StatusResource(store, _backend(store.url)))
    app.add_error_handler(DocumentError, resources.bad_request)
    app.add_error_handler(StoreError, resources.store_unavailable)
    app.set_error_serializer(resources.serialize_http_error)
    return app


def __getattr__(name: str) -> Any:
    """``lib.loginput.app``: the app built from the settings, on first access."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    app = globals()["app"] = create_app()
    return app


def _backend(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return "elasticsearch"
    return "memory" if url.startswith("memory://") else "embedded"
