"""The Elasticsearch backend: a thin layer over the official `elasticsearch` client.

Pairing: use the client major that matches the server major - the 8.x client (>= 8.18)
with Elasticsearch 8, the 9.x client with Elasticsearch 9. Each client sends
``compatible-with=<its major>`` headers, which a server of another major refuses.
OpenSearch (1.x/2.x speak the 7.x-compatible REST API) is not reachable through these
clients: since 7.14 they check the ``X-Elastic-Product`` response header and raise
UnsupportedProductError (translated here into a StoreError saying so). To target
OpenSearch, run a backend built on opensearch-py; this module's request and response
shapes are the ones OpenSearch answers as well.

Connection settings, read when the client is first needed (never in the constructor):
the URL (``https://user:pass@host:9200``; credentials are percent-decoded),
``VIGIL_ES_API_KEY`` (an API key, sent instead of basic auth), ``VIGIL_ES_CA_CERTS``
(a CA bundle path) and ``VIGIL_ES_VERIFY_CERTS`` (``false`` turns off certificate
verification; also ``?verify_certs=false`` in the URL).

Layout (`layout.py`) is the embedded store's: writes to `events`/`alerts` go to the
daily/monthly index, which is created on first use with `mapping.DEFAULT_TEMPLATE`
(an index template for ``events-*``/``alerts-*`` is also installed once, for indices
other tools create) and the managed aliases are moved with one ``update_aliases``
call. Malformed values are refused, as in the embedded store: the template leaves
``ignore_malformed`` at Elasticsearch's default (false). Every client or transport
error leaves as one of `lib.errors`, with the client's error chained as the cause.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingType
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import elasticsearch
import elasticsearch.helpers

from lib.errors import ConfigError, DocumentError, IndexNotFoundError, QueryError, StoreError
from lib.store.base import Body, Document, EventStore
from lib.store.layout import MANAGED_ALIASES, is_layout_index, managed_aliases, write_target
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping

TEMPLATE_NAME = "vigil"
TEMPLATE_PATTERNS = ["events-*", "alerts-*"]
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
_FALSE = ("0", "false", "no", "off")
_BOUNDS = frozenset(("gt", "gte", "lt", "lte", "from", "to"))


def connection_settings(url: str, environ: MappingType[str, str] | None = None) -> dict[str, Any]:
    """The `Elasticsearch(...)` keyword arguments for `url` and the environment."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"store URL [{url}]: expected http(s)://[user:pass@]host[:port]")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path.rstrip("/")
    settings: dict[str, Any] = {"hosts": [urlunsplit((parts.scheme, netloc, path, "", ""))]}
    api_key = env.get("VIGIL_ES_API_KEY")
    if api_key:
        settings["api_key"] = api_key
    elif parts.username is not None:
        settings["basic_auth"] = (unquote(parts.username), unquote(parts.password or ""))
    if env.get("VIGIL_ES_CA_CERTS"):
        settings["ca_certs"] = env["VIGIL_ES_CA_CERTS"]
    verify = parse_qs(parts.query).get("verify_certs", [env.get("VIGIL_ES_VERIFY_CERTS", "")])[0]
    if verify.lower() in _FALSE and verify:
        settings["verify_certs"] = False
        settings["ssl_show_warn"] = False
    return settings


class ElasticsearchStore(EventStore):
    """The event store on an Elasticsearch cluster; the client is created on first use."""

    def __init__(self, url: str, request_timeout: float = 30.0):
        self.url = url
        self.request_timeout = request_timeout
        self._client: Any = None
        self._known: set[str] = set()
        self._template_ready = False

    @property
    def client(self) -> Any:
        """The `elasticsearch.Elasticsearch` client (created on first use)."""
        if self._client is None:
            settings = connection_settings(self.url)
            self._client = elasticsearch.Elasticsearch(
                request_timeout=self.request_timeout, **settings
            )
        return self._client

    # -- index management -------------------------------------------------------------

    def create_index(self, index: str, body: Body | None = None) -> Body:
        """Create `index`; MozDef's `_doc` type level is removed from the mapping."""
        body = body or {}
        arguments: dict[str, Any] = {"mappings": Mapping.from_body(body).to_dict()}
        for key in ("settings", "aliases"):
            if body.get(key):
                arguments[key] = body[key]
        with translated():
            result = dict(self.client.indices.create(index=index, **arguments))
        self._known.add(index)
        if is_layout_index(index):
            self._sync_aliases()
        return result

    def delete_index(self, index: str) -> Body:
        """Delete a concrete index."""
        with translated():
            result = dict(self.client.indices.delete(index=index))
        self._known.discard(index)
        if any(is_layout_index(name) for name in index.split(",")):
            self._sync_aliases()
        return result

    def index_exists(self, index: str) -> bool:
        """True if `index` names an existing index or alias."""
        with translated():
            return bool(self.client.indices.exists(index=index))

    def list_indices(self) -> list[str]:
        """Concrete (non-hidden) index names, sorted."""
        with translated():
            return sorted(self.client.indices.get(index="*", expand_wildcards="open"))

    def put_alias(self, index: str | list[str], alias: str) -> Body:
        """Point `alias` at `index`."""
        with translated():
            return dict(self.client.indices.put_alias(index=_names(index), name=alias))

    def delete_alias(self, index: str | list[str], alias: str) -> Body:
        """Remove `alias` from `index`."""
        with translated():
            return dict(self.client.indices.delete_alias(index=_names(index), name=alias))

    def get_aliases(self) -> dict[str, list[str]]:
        """Every alias and its concrete indices (sorted)."""
        with translated():
            response = dict(self.client.indices.get_alias(index="*", expand_wildcards="open"))
        aliases: dict[str, list[str]] = {}
        for index, entry in response.items():
            for alias in entry.get("aliases", {}):
                aliases.setdefault(alias, []).append(index)
        return {alias: sorted(names) for alias, names in sorted(aliases.items())}

    def get_mapping(self, index: str) -> Body:
        """``{concrete: {'mappings': {...}}}``."""
        with translated():
            return dict(self.client.indices.get_mapping(index=index))

    def setup(self) -> None:
        """Install the index template and point the managed aliases (idempotent)."""
        self._ensure_template()
        self._sync_aliases()

    # -- documents ----------------------------------------------------------------------

    def index(
        self, index: str, document: Document, id: str | None = None, refresh: bool = False
    ) -> Body:
        """Save one document."""
        if not isinstance(document, dict):
            raise DocumentError(
                "failed to parse: Malformed content, must start with an object",
                None,
                "document_parsing_exception",
            )
        target = self._writable(index)
        with translated():
            response = self.client.index(
                index=target, document=document, id=id, refresh=_refresh(refresh)
            )
        return {key: response[key] for key in ("_index", "_id", "result")}

    def bulk(self, actions: Iterable[Body], refresh: bool = False) -> Body:
        """Run actions in one `_bulk` request; items in our (Elasticsearch's) shape."""
        operations: list[Any] = []
        items: list[Body | None] = []
        for action in actions:
            try:
                operations.extend(self._operation(action))
                items.append(None)
            except StoreError as exc:
                items.append(_local_error(action, exc))
        response: dict[str, Any] = {"took": 0, "items": []}
        if operations:
            with translated():
                response = dict(self.client.bulk(operations=operations, refresh=_refresh(refresh)))
        sent = iter(response["items"])
        merged = [item if item is not None else _item(next(sent)) for item in items]
        errors = any("error" in body for item in merged for body in item.values())
        return {"took": response.get("took", 0), "errors": errors, "items": merged}

    def get(self, index: str, id: str) -> Body:
        """Fetch one document by id."""
        try:
            response = dict(self.client.get(index=index, id=id))
        except elasticsearch.NotFoundError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            if body.get("found") is False:
                return {"_index": body.get("_index", index), "_id": id, "found": False}
            raise _translated_or_self(exc) from exc
        except elasticsearch_errors() as exc:
            raise _translated_or_self(exc) from exc
        return {
            key: response[key] for key in ("_index", "_id", "found", "_source") if key in response
        }

    def search(
        self, index: str | list[str], body: Body | None = None, ignore_unavailable: bool = False
    ) -> Body:
        """Run a search body; the response is Elasticsearch's."""
        with translated():
            response = self.client.search(
                index=_names(index),
                body=anchor_now(body or {}, datetime.now(UTC)),
                ignore_unavailable=ignore_unavailable,
            )
        return dict(response)

    def scan(
        self, index: str | list[str], body: Body | None = None, ignore_unavailable: bool = False
    ) -> Iterator[Body]:
        """Every matching hit, through the scroll API (`elasticsearch.helpers.scan`)."""
        body = anchor_now(dict(body or {}), datetime.now(UTC))
        hits = elasticsearch.helpers.scan(
            self.client,
            query=body,
            index=_names(index),
            ignore_unavailable=ignore_unavailable,
            preserve_order=bool(body.get("sort")),
        )
        with translated():
            yield from hits

    def refresh(self, index: str | list[str] | None = None) -> None:
        """Make every write so far visible to search."""
        with translated():
            self.client.indices.refresh(index=_names(index) if index else "_all")

    def close(self) -> None:
        """Close the client's connections (a new client is made on next use)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- internals ----------------------------------------------------------------------

    def _writable(self, name: str) -> str:
        """The concrete index for a write to `name`, created (with aliases) on first use."""
        target = write_target(name)
        if target in self._known:
            return target
        with translated():
            exists = bool(self.client.indices.exists(index=target))
        if not exists:
            self._create_default(target)
        self._known.add(target)
        return target

    def _create_default(self, target: str) -> None:
        self._ensure_template()
        template = Mapping.from_body(DEFAULT_TEMPLATE).to_dict()
        settings = DEFAULT_TEMPLATE.get("settings") or None
        try:
            with translated():
                self.client.indices.create(index=target, mappings=template, settings=settings)
        except StoreError as exc:
            if "resource_already_exists_exception" not in str(exc):
                raise  # another writer created it first: fine
        self._sync_aliases()

    def _ensure_template(self) -> None:
        if self._template_ready:
            return
        template: dict[str, Any] = {"mappings": Mapping.from_body(DEFAULT_TEMPLATE).to_dict()}
        if DEFAULT_TEMPLATE.get("settings"):
            template["settings"] = DEFAULT_TEMPLATE["settings"]
        with translated():
            self.client.indices.put_index_template(
                name=TEMPLATE_NAME, index_patterns=TEMPLATE_PATTERNS, template=template
            )
        self._template_ready = True

    def _sync_aliases(self) -> None:
        """Move the managed aliases to where `layout.managed_aliases` says, atomically."""
        with translated():
            indices = self.client.indices.get(
                index=",".join(TEMPLATE_PATTERNS), expand_wildcards="open"
            )
            current = self.get_aliases()
            actions = [
                {"remove": {"index": name, "alias": alias}}
                for alias in MANAGED_ALIASES
                for name in current.get(alias, [])
            ]
            wanted = managed_aliases(indices)
            actions += [
                {"add": {"index": name, "alias": alias}}
                for alias, names in wanted.items()
                for name in names
            ]
            if actions:
                self.client.indices.update_aliases(actions=actions)

    def _operation(self, action: Any) -> list[Any]:
        """The `_bulk` lines of one helpers-shaped action (StoreError if malformed)."""
        if not isinstance(action, dict):
            raise StoreError("action_request_validation_exception: a bulk action must be an object")
        op = action.get("_op_type", "index")
        if op not in ("index", "create", "update", "delete"):
            raise StoreError(
                f"illegal_argument_exception: Malformed action/metadata line, unknown op [{op}]"
            )
        if not isinstance(action.get("_index"), str):
            raise StoreError("action_request_validation_exception: index is missing")
        meta: dict[str, Any] = {"_index": self._writable(action["_index"])}
        if action.get("_id") is not None:
            meta["_id"] = str(action["_id"])
        if op == "delete":
            return [{op: meta}]
        body = action["_source"] if "_source" in action else _document(action)
        if op == "update":
            return [{op: meta}, body]
        if not isinstance(body, dict):
            raise DocumentError(
                "failed to parse: Malformed content, must start with an object",
                None,
                "document_parsing_exception",
            )
        return [{op: meta}, body]


def anchor_now(body: Any, now: datetime) -> Any:
    """`body` with ``now`` in `range` bounds pinned to the caller's clock (``<iso>||...``).

    Elasticsearch resolves ``now`` with the server's clock; Vigil resolves it with the
    caller's (frozen in tests and backfills), as the embedded store does. A range with
    its own ``format`` is left alone (the pinned instant is ISO 8601).
    """
    if isinstance(body, list):
        return [anchor_now(item, now) for item in body]
    if not isinstance(body, dict):
        return body
    anchored = {key: anchor_now(value, now) for key, value in body.items()}
    if isinstance(body.get("range"), dict):
        anchored["range"] = {
            field: _anchored_range(spec, now) for field, spec in body["range"].items()
        }
    return anchored


def _anchored_range(spec: Any, now: datetime) -> Any:
    if not isinstance(spec, dict) or "format" in spec:
        return spec
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        key: _pin(value, stamp) if key in _BOUNDS and isinstance(value, str) else value
        for key, value in spec.items()
    }


def _pin(bound: str, stamp: str) -> str:
    if not bound.startswith("now"):
        return bound
    math = bound[3:]
    return f"{stamp}||{math}" if math else stamp


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


def _translated_or_self(exc: Exception) -> Exception:
    error = translate(exc)
    return exc if error is None else error


def _error_of(exc: Any) -> tuple[str, str]:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        cause = (error.get("root_cause") or [error])[0]
        return str(error.get("type", "error")), str(cause.get("reason") or error.get("reason", ""))
    return str(getattr(exc, "error", "error")), str(error or exc.message)


def _item(item: Body) -> Body:
    ((op, body),) = item.items()
    shaped = {key: body[key] for key in ("_index", "_id", "status", "result") if key in body}
    if "error" in body:
        error = body["error"]
        shaped["error"] = {"type": error.get("type"), "reason": error.get("reason")}
    return {op: shaped}


def _local_error(action: Any, exc: StoreError) -> Body:
    from lib.store.writer import error_body

    op = action.get("_op_type", "index") if isinstance(action, dict) else "index"
    index = action.get("_index") if isinstance(action, dict) else None
    doc_id = action.get("_id") if isinstance(action, dict) else None
    return {op: {"_index": index, "_id": doc_id, "status": 400, "error": error_body(exc)}}


def _document(action: dict[str, Any]) -> dict[str, Any]:
    meta = {"_op_type", "_index", "_id", "_routing", "_type", "_version", "_version_type"}
    return {key: value for key, value in action.items() if key not in meta}


def _names(index: str | list[str]) -> str:
    return ",".join(index) if isinstance(index, list) else index


def _refresh(refresh: bool) -> str | None:
    return "true" if refresh else None
