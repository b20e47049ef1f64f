"""One write transaction of the embedded store: routing, admission and batched inserts.

A `Writer` runs inside one SQLite write transaction (the caller commits or rolls
back). It routes each action to its concrete index (`layout.write_target`), creates
missing indices (with the default template where `layout.uses_default_template`
says so, else with Elasticsearch's dynamic defaults), validates documents against the mapping
(`Mapping.prepare`, then the depth and total-fields limits), and batches inserts into
``executemany`` calls. A refused document leaves no trace: `Mapping.prepare` does not
change the mapping when it refuses, and a mapping change refused by a limit is rolled
back to the last accepted mapping. Per-action results have Elasticsearch's bulk shapes
(`bulk_items`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import orjson

from lib.errors import DocumentError, IndexNotFoundError, StoreError
from lib.store import documents, scripts
from lib.store.bulk_items import (
    action_body,
    check_id,
    error_body,
    error_item,
    result_item,
    update_doc,
)
from lib.store.catalog import Catalog, IndexInfo, build_index, bump_version, create_docs_table
from lib.store.layout import (
    MANAGED_ALIASES,
    managed_aliases,
    uses_default_template,
    validate_index_name,
    write_target,
)
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping
from lib.store.mapping_params import check_mappings
from lib.store.shapes import Shape

OPERATIONS = ("index", "create", "update", "delete")
IDS_PER_QUERY = 500  # document ids per prefetch query, well under SQLite's variable limit


class VersionConflict(DocumentError):
    """`create` of an id that already exists (Elasticsearch answers 409)."""


class Writer:
    """Applies write actions inside the caller's transaction; `finish()` before commit."""

    def __init__(self, conn: sqlite3.Connection, catalog: Catalog, now: datetime):
        self.conn = conn
        self.catalog = catalog
        self.now = now
        self._pending: dict[str, list[tuple[Any, ...]]] = {}
        # Updates of rows stored before this transaction that leave both time columns
        # as they are: only their source is rewritten (`UPDATE`, no index maintenance).
        # A document is never both here and in `_pending` (a full row supersedes).
        self._source_updates: dict[str, dict[str, bytes]] = {}
        # Every document written in this transaction (flushed or not), by table and id,
        # and stored documents read ahead for the updates of a bulk (`prefetch`).
        # (JSON bytes, shared with the pending rows: no decoded copies are kept).
        self._written: dict[str, dict[str, bytes]] = {}
        self._prefetched: dict[str, dict[str, bytes]] = {}
        self._changed: dict[str, IndexInfo] = {}
        self._accepted: dict[str, dict[str, Any]] = {}
        self._catalog_changed = False
        self._targets: dict[str, IndexInfo] = {}

    # -- operations -------------------------------------------------------------------

    def index(
        self, name: Any, document: object, doc_id: Any = None, op: str = "index"
    ) -> dict[str, Any]:
        """Save `document`; the ES item body (``_index``, ``_id``, ``result``, ``status``)."""
        info = self.target(name)
        data, source, shape = documents.encode(document)
        self._admit(info, source, shape)
        doc_id, existed = self._claim_id(info, doc_id, op)
        self._queue(info, doc_id, data, source)
        return result_item(info.name, doc_id, "updated" if existed else "created")

    def update(self, name: Any, doc_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        """Merge ``body['doc']`` (or a stored script's changes) into a stored document.

        A missing document is upserted, as Elasticsearch does; the stored document is
        read inside this write transaction, so concurrent updates never lose each other's.
        """
        info = self.target(name, create=False)
        doc_id = check_id(doc_id, required=True)
        stored = self._stored(info, doc_id)
        scripted = "script" in body
        if stored is None:
            if scripted:
                upsert = body.get("upsert")
            else:
                partial = update_doc(body)
                upsert = partial if body.get("doc_as_upsert") else body.get("upsert")
            if upsert is None:
                raise DocumentError(
                    f"[{doc_id}]: document missing", None, "document_missing_exception"
                )
            return self.index(info.name, upsert, doc_id)
        wanted = scripts.partial_for(body["script"], stored) if scripted else update_doc(body)
        _, partial, shape = documents.encode(wanted)
        merged = documents.merge(stored, partial)
        if merged == stored:
            return result_item(info.name, doc_id, "noop", status=200)
        # The stored part already passed this mapping and a mapped field never changes
        # type, so checking the fields the update writes gives the whole document's
        # verdict (and the same new fields) at a fraction of the cost.
        self._admit(info, partial, shape)
        data = documents.serialize(merged)
        if documents.keeps_time_columns(partial) and not self._written_here(info, doc_id):
            self._queue_source(info, doc_id, data)
        else:
            self._queue(info, doc_id, data, merged)
        return result_item(info.name, doc_id, "updated")

    def delete(self, name: Any, doc_id: Any) -> dict[str, Any]:
        """Delete one document; result ``deleted`` or ``not_found`` (status 404)."""
        info = self.target(name, create=False)
        doc_id = check_id(doc_id, required=True)
        self._flush(info.table)
        self._written.get(info.table, {}).pop(doc_id, None)
        self._prefetched.get(info.table, {}).pop(doc_id, None)
        cursor = self.conn.execute(f"DELETE FROM {info.table} WHERE doc_id = ?", (doc_id,))
        if cursor.rowcount:
            return result_item(info.name, doc_id, "deleted", status=200)
        return result_item(info.name, doc_id, "not_found", status=404)

    def apply(self, action: Any) -> dict[str, Any]:
        """Run one bulk action; its ``{op: item}`` result, errors included."""
        op, name, doc_id = "index", None, None
        if type(action) is dict:
            op, name, doc_id = action.get("_op_type", op), action.get("_index"), action.get("_id")
        try:
            return {op: self._dispatch(op, action)}
        except StoreError as exc:
            return {op: error_item(self._concrete_name(name), doc_id, exc)}

    def prefetch(self, actions: list[Any]) -> None:
        """Read ahead the stored documents of a bulk's updates, a few queries in all.

        An action this cannot route (not an object, no index or id, an index that does
        not exist) is skipped here on purpose: `apply` refuses it on its own item.
        """
        wanted: dict[str, set[str]] = {}
        for action in actions:
            if type(action) is not dict or action.get("_op_type") != "update":
                continue
            name, doc_id = action.get("_index"), action.get("_id")
            if type(name) is not str or type(doc_id) is not str:
                continue
            try:
                info = self.target(name, create=False)
            except StoreError:
                continue
            if doc_id not in self._written.get(info.table, {}):
                wanted.setdefault(info.table, set()).add(doc_id)
        for table, ids in wanted.items():
            found = self._prefetched.setdefault(table, {})
            ordered = sorted(ids)
            for start in range(0, len(ordered), IDS_PER_QUERY):
                chunk = ordered[start : start + IDS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT doc_id, source FROM {table} WHERE doc_id IN ({marks})"
                found.update(self.conn.execute(query, chunk))

    # -- index management ---------------------------------------------------------------

    def target(self, name: Any, create: bool = True) -> IndexInfo:
        """The concrete index a write to `name` goes to, created on first use if `create`."""
        known = self._targets.get(name)
        if known is not None and self.catalog.indices.get(known.name) is known:
            return known
        if not isinstance(name, str):
            raise StoreError("action_request_validation_exception: index is missing")
        info = self._route(name, create)
        self._targets[name] = info
        return info

    def _route(self, name: str, create: bool) -> IndexInfo:
        concrete = write_target(name, self.now)
        if concrete in self.catalog.indices or concrete in self.catalog.aliases:
            return self.catalog.single(concrete)
        if not create:
            raise IndexNotFoundError(f"index_not_found_exception: no such index [{concrete}]")
        return self.create_index(
            concrete, DEFAULT_TEMPLATE if uses_default_template(concrete) else None
        )

    def create_index(self, name: str, body: dict[str, Any] | None) -> IndexInfo:
        """Create index `name` from a create-index `body` (None = dynamic defaults)."""
        validate_index_name(name)
        if self.catalog.exists(name):
            raise StoreError(f"resource_already_exists_exception: index [{name}] already exists")
        body = body or {}
        mappings = Mapping.from_body(body).to_dict()
        check_mappings(mappings)
        settings = body.get("settings") or {}
        cursor = self.conn.execute(
            "INSERT INTO indices (name, mappings, settings) VALUES (?, ?, ?)",
            (name, orjson.dumps(mappings).decode(), orjson.dumps(settings).decode()),
        )
        info = build_index(int(cursor.lastrowid or 0), name, mappings, settings)
        create_docs_table(self.conn, info.table)
        self.catalog.indices[name] = info
        for alias in body.get("aliases") or {}:
            self.add_alias([name], alias)
        self._catalog_changed = True
        return info

    def delete_index(self, name: str) -> None:
        """Drop a concrete index, its documents and its aliases."""
        if name not in self.catalog.indices:
            raise IndexNotFoundError(f"index_not_found_exception: no such index [{name}]")
        info = self.catalog.indices.pop(name)
        self._written.pop(info.table, None)
        self._prefetched.pop(info.table, None)
        self._pending.pop(info.table, None)
        self._source_updates.pop(info.table, None)
        self.conn.execute(f"DROP TABLE {info.table}")
        self.conn.execute("DELETE FROM indices WHERE id = ?", (info.id,))
        self.conn.execute("DELETE FROM aliases WHERE name = ?", (name,))
        self.catalog.aliases = {
            alias: [member for member in members if member != name]
            for alias, members in self.catalog.aliases.items()
        }
        self.catalog.aliases = {
            alias: members for alias, members in self.catalog.aliases.items() if members
        }
        self._catalog_changed = True

    def add_alias(self, names: list[str], alias: str) -> None:
        """Point `alias` at the concrete indices `names`."""
        validate_index_name(alias)
        if alias in self.catalog.indices:
            raise StoreError(
                f"invalid_alias_name_exception: Invalid alias name [{alias}]: an index or data"
                " stream exists with the same name as the alias"
            )
        self.conn.executemany(
            "INSERT OR IGNORE INTO aliases (alias, name) VALUES (?, ?)", [(alias, n) for n in names]
        )
        self.catalog.aliases[alias] = sorted(set(self.catalog.aliases.get(alias, [])) | set(names))
        self._catalog_changed = True

    def remove_alias(self, names: list[str], alias: str) -> None:
        """Remove `alias` from `names`; IndexNotFoundError if it covers none of them."""
        members = set(self.catalog.aliases.get(alias, []))
        if not members.intersection(names):
            raise IndexNotFoundError(f"aliases_not_found_exception: aliases [{alias}] missing")
        self.conn.executemany(
            "DELETE FROM aliases WHERE alias = ? AND name = ?", [(alias, n) for n in names]
        )
        remaining = sorted(members.difference(names))
        if remaining:
            self.catalog.aliases[alias] = remaining
        else:
            self.catalog.aliases.pop(alias, None)
        self._catalog_changed = True

    def sync_managed_aliases(self) -> None:
        """Point the layout's aliases (events, events-previous, ...) where they belong."""
        wanted = managed_aliases(self.catalog.indices)
        placeholders = ",".join("?" * len(MANAGED_ALIASES))
        self.conn.execute(f"DELETE FROM aliases WHERE alias IN ({placeholders})", MANAGED_ALIASES)
        rows = [(alias, name) for alias, names in wanted.items() for name in names]
        self.conn.executemany("INSERT INTO aliases (alias, name) VALUES (?, ?)", rows)
        for alias in MANAGED_ALIASES:
            self.catalog.aliases.pop(alias, None)
        self.catalog.aliases.update(wanted)

    def finish(self) -> None:
        """Write the batched rows and the changed mappings; bump the catalog version."""
        for table in {*self._pending, *self._source_updates}:
            self._flush(table)
        for info in self._changed.values():
            mappings = orjson.dumps(info.mapping.to_dict()).decode()
            self.conn.execute("UPDATE indices SET mappings = ? WHERE id = ?", (mappings, info.id))
        if self._catalog_changed:
            self.sync_managed_aliases()
        if self._changed or self._catalog_changed:
            self.catalog.version = bump_version(self.conn)

    # -- internals ----------------------------------------------------------------------

    def _concrete_name(self, name: Any) -> Any:
        try:
            return write_target(name, self.now) if isinstance(name, str) else name
        except StoreError:
            return name

    def _dispatch(self, op: str, action: Any) -> dict[str, Any]:
        if not isinstance(action, dict):
            raise StoreError("action_request_validation_exception: a bulk action must be an object")
        if op not in OPERATIONS:
            raise StoreError(
                f"illegal_argument_exception: Malformed action/metadata line, unknown op [{op}]"
            )
        name, doc_id = action.get("_index"), action.get("_id")
        if op == "delete":
            return self.delete(name, doc_id)
        body = action["_source"] if "_source" in action else action_body(action)
        if op == "update":
            return self.update(name, doc_id, body if isinstance(body, dict) else {})
        return self.index(name, body, doc_id, op)

    def _admit(self, info: IndexInfo, source: dict[str, Any], shape: Shape | None) -> None:
        if not info.mapping.prepare(source, shape):
            return
        mappings = info.mapping.to_dict()
        try:
            documents.check_limits(mappings, info.settings)
        except DocumentError:
            last = self._accepted.get(info.name) or self._stored_mappings(info)
            info.mapping = Mapping.from_body({"mappings": last, "settings": info.settings})
            raise
        self._accepted[info.name] = mappings
        self._changed[info.name] = info
        info.refresh_date_formats()

    def _claim_id(self, info: IndexInfo, doc_id: Any, op: str) -> tuple[str, bool]:
        doc_id = check_id(doc_id, required=False)
        if doc_id is None:
            return documents.new_id(), False
        existed = doc_id in self._written.get(info.table, ()) or self._exists(info, doc_id)
        if existed and op == "create":
            raise VersionConflict(
                f"[{doc_id}]: version conflict, document already exists (current version [1])",
                None,
                "version_conflict_engine_exception",
            )
        return doc_id, existed

    def _queue(self, info: IndexInfo, doc_id: str, data: bytes, source: dict[str, Any]) -> None:
        row = (doc_id, data, *documents.time_columns(source, info.date_formats))
        self._pending.setdefault(info.table, []).append(row)
        self._source_updates.get(info.table, {}).pop(doc_id, None)
        self._written.setdefault(info.table, {})[doc_id] = data

    def _queue_source(self, info: IndexInfo, doc_id: str, data: bytes) -> None:
        self._source_updates.setdefault(info.table, {})[doc_id] = data
        self._written.setdefault(info.table, {})[doc_id] = data

    def _written_here(self, info: IndexInfo, doc_id: str) -> bool:
        """Whether this transaction already wrote a full row for `doc_id`."""
        written = self._written.get(info.table)
        if written is None or doc_id not in written:
            return False
        return doc_id not in self._source_updates.get(info.table, {})

    def _flush(self, table: str) -> None:
        rows = self._pending.pop(table, None)
        if rows:
            self.conn.executemany(
                f"INSERT OR REPLACE INTO {table} (doc_id, source, utc, recv) VALUES (?, ?, ?, ?)",
                rows,
            )
        updates = self._source_updates.pop(table, None)
        if updates:
            self.conn.executemany(
                f"UPDATE {table} SET source = ? WHERE doc_id = ?",
                [(data, doc_id) for doc_id, data in updates.items()],
            )

    def _exists(self, info: IndexInfo, doc_id: str) -> bool:
        row = self.conn.execute(
            f"SELECT 1 FROM {info.table} WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return row is not None

    def _stored(self, info: IndexInfo, doc_id: str) -> dict[str, Any] | None:
        """The current source of a document: this transaction's write, else the stored row.

        Rows not yet flushed are all in `_written`, so the table is read without a flush.
        """
        written = self._written.get(info.table)
        data = written.get(doc_id) if written is not None else None
        if data is None:
            data = self._prefetched.get(info.table, {}).pop(doc_id, None)
        if data is not None:
            return orjson.loads(data)
        row = self.conn.execute(
            f"SELECT source FROM {info.table} WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return None if row is None else orjson.loads(row[0])

    def _stored_mappings(self, info: IndexInfo) -> dict[str, Any]:
        row = self.conn.execute("SELECT mappings FROM indices WHERE id = ?", (info.id,)).fetchone()
        return orjson.loads(row[0])


__all__ = ["OPERATIONS", "VersionConflict", "Writer", "error_body"]
