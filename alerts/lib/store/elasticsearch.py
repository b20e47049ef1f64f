"""The Elasticsearch backend: a thin layer over the official `elasticsearch` client.

Pairing: use the client major that matches the server major - the 8.x client (>= 8.18)
with Elasticsearch 8, the 9.x client with Elasticsearch 9. Each client sends
``compatible-with=<its major>`` headers, which a server of another major refuses.
OpenSearch (1.x/2.x speak the 7.x-compatible REST API) is not reachable through these
clients: since 7.14 they check the ``X-Elastic-Product`` response header and raise
UnsupportedProductError (translated here into a StoreError saying so). To target
OpenSearch, run a backend built on opensearch-py; this module's request and response
shapes are the ones OpenSearch answers as well.

Connection settings (`es_connection`) are read when the client is first needed,
never in the constructor.

Layout (`layout.py`) is the embedded store's: writes to `events`/`alerts` go to the
daily/monthly index, which is created on first use with `mapping.DEFAULT_TEMPLATE`
(an index template for ``events-*``/``alerts-*`` is also installed once, for indices
other tools create); a first write to a name outside those patterns creates the index
with Elasticsearch's dynamic defaults, as auto-creation would. The managed aliases are
moved with one ``update_aliases`` call. Malformed values are refused, as in the
embedded store: the template leaves ``ignore_malformed`` at Elasticsearch's default
(false). Every client or transport error leaves as one of `lib.errors`, with the
client's error chained as the cause (`es_errors`); ``now`` in range bounds is the
caller's clock (`es_now`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import elasticsearch
import elasticsearch.helpers

from lib.errors import DocumentError, StoreError
from lib.store.base import Body, Document, EventStore
from lib.store.dates import snake_case_format
from lib.store.documents import check_json
from lib.store.es_bulk import bulk_lines, local_error, response_item
from lib.store.es_connection import connection_settings
from lib.store.es_errors import (
    elasticsearch_errors,
    translate,
    translated,
    translated_or_self,
    unreachable,
)
from lib.store.es_now import anchor_now
from lib.store.layout import (
    MANAGED_ALIASES,
    TEMPLATE_PATTERNS,
    is_layout_index,
    managed_aliases,
    uses_default_template,
    write_target,
)
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping
from lib.store.scripts import PAINLESS, stored_script_ids

TEMPLATE_NAME = "vigil"
__all__ = ["ElasticsearchStore", "anchor_now", "connection_settings", "translate", "translated"]


class ElasticsearchStore(EventStore):
    """The event store on an Elasticsearch cluster; the client is created on first use."""

    def __init__(self, url: str, request_timeout: float = 30.0):
        self.url = url
        self.request_timeout = request_timeout
        self._client: Any = None
        self._known: set[str] = set()
        self._template_ready = False
        self._scripts_ready: set[str] = set()

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
        arguments: dict[str, Any] = {"mappings": server_mapping(body)}
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
        self._ensure_scripts(set(PAINLESS))
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
        check_json(document)
        target = self._writable(index)
        with translated():
            response = self.client.index(
                index=target, document=document, id=id, refresh=_refresh(refresh)
            )
        return {key: response[key] for key in ("_index", "_id", "result")}

    def bulk(self, actions: Iterable[Body], refresh: bool = False) -> Body:
        """Run actions in one `_bulk` request; items in our (Elasticsearch's) shape.

        A malformed action gets its own error item; a cluster that cannot be reached
        raises StoreError (cause chained), so callers can tell an outage from bad input.
        """
        actions = list(actions)
        self._ensure_scripts(stored_script_ids(actions))
        operations: list[Any] = []
        items: list[Body | None] = []
        for action in actions:
            try:
                operations.extend(bulk_lines(action, self._writable))
                items.append(None)
            except StoreError as exc:
                if unreachable(exc):
                    raise  # an outage, not a bad action: the whole bulk fails
                items.append(local_error(action, exc))
        response: dict[str, Any] = {"took": 0, "items": []}
        if operations:
            with translated():
                response = dict(self.client.bulk(operations=operations, refresh=_refresh(refresh)))
        sent = iter(response["items"])
        merged = [item if item is not None else response_item(next(sent)) for item in items]
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
            raise translated_or_self(exc) from exc
        except elasticsearch_errors() as exc:
            raise translated_or_self(exc) from exc
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
        """Create an index for a first write: the default template only for its patterns."""
        arguments: dict[str, Any] = {}
        if uses_default_template(target):
            self._ensure_template()
            arguments["mappings"] = server_mapping(DEFAULT_TEMPLATE)
            arguments["settings"] = DEFAULT_TEMPLATE.get("settings") or None
        try:
            with translated():
                self.client.indices.create(index=target, **arguments)
        except StoreError as exc:
            if "resource_already_exists_exception" not in str(exc):
                raise  # another writer created it first: fine
        if is_layout_index(target):
            self._sync_aliases()

    def _ensure_template(self) -> None:
        if self._template_ready:
            return
        template: dict[str, Any] = {"mappings": server_mapping(DEFAULT_TEMPLATE)}
        if DEFAULT_TEMPLATE.get("settings"):
            template["settings"] = DEFAULT_TEMPLATE["settings"]
        with translated():
            self.client.indices.put_index_template(
                name=TEMPLATE_NAME, index_patterns=list(TEMPLATE_PATTERNS), template=template
            )
        self._template_ready = True

    def _ensure_scripts(self, ids: set[str]) -> None:
        """Store the Painless source of each of Vigil's stored scripts in `ids`, once."""
        for script_id in sorted(ids - self._scripts_ready):
            if script_id not in PAINLESS:
                continue  # not one of ours: Elasticsearch answers for it per item
            with translated():
                self.client.put_script(
                    id=script_id, script={"lang": "painless", "source": PAINLESS[script_id]}
                )
            self._scripts_ready.add(script_id)

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


def server_mapping(body: Body) -> Body:
    """The mapping of an index body as Elasticsearch 6 to 9 all accept it: without MozDef's
    ``_doc`` type level, and with snake-case date format names (`dates.snake_case_format`)."""
    return _snake_formats(Mapping.from_body(body).to_dict())


def _snake_formats(node: Any) -> Any:
    if isinstance(node, list):
        return [_snake_formats(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _snake_formats(value) for key, value in node.items()}
    if node.get("type") in ("date", "date_nanos") and isinstance(node.get("format"), str):
        fixed["format"] = snake_case_format(node["format"])
    return fixed


def _names(index: str | list[str]) -> str:
    return ",".join(index) if isinstance(index, list) else index


def _refresh(refresh: bool) -> str | None:
    return "true" if refresh else None
