"""The embedded event store: Elasticsearch's semantics on SQLite from the standard library.

URLs (`open_embedded`): ``memory://name`` is an in-memory store, one per name per
process (a test and the code it tests share it); ``sqlite:///abs/path.db`` or a plain
filesystem path is a store on disk (parent directories are created on first use).

How it answers like Elasticsearch:

- Documents are stored as JSON; a search compiles the query once per index against
  that index's own mapping (`engine.compile_query`), decodes the candidate documents
  with orjson and keeps those the compiled query matches. Hits carry their concrete
  `_index`; without a `sort` they come by index name, then insertion order. Hits get
  the query's constant score (`scoring`: 0.0 in filter context; relevance scoring is
  not emulated).
- Time-window queries read only the rows inside the window: `utctimestamp` and
  `receivedtimestamp` are kept in indexed columns and `planner.plan_query` turns the
  query's bounds on them into a SQL condition (it only prunes, never changes answers;
  see `embedded_search`).
- Malformed values are refused: a value that does not fit its field's type (a non-IP in
  an `ip` field, an unparseable date, ...) rejects the whole document, as
  Elasticsearch does by default (``ignore_malformed: false``); the Elasticsearch
  backend relies on the same default, so both behave alike. Size, depth and field
  count limits are described in `documents`.
- Writes are visible as soon as they return (`refresh` is a no-op that checks its
  indices exist). Each `bulk` is one transaction: refused documents get a per-item
  error and leave nothing behind, the others go in.

Durability and concurrency: WAL mode with ``synchronous=NORMAL`` (a write that
returned survives the process being killed), writers queued on a lock file
(`write_lock`: the next one proceeds the moment the lock is free) over SQLite's busy
timeout, and a catalog version checked on every call so processes see each other's
indices, mappings and aliases (see `catalog`). A memory store is one connection
guarded by a lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

import orjson

from lib.errors import ConfigError, DocumentError, StoreError
from lib.store import catalog as catalog_db
from lib.store.base import Body, Document, EventStore
from lib.store.catalog import Catalog, IndexInfo
from lib.store.embedded_search import candidate_seqs, gc_paused, search_index
from lib.store.engine import Predicate, compile_query
from lib.store.response import build_response, parse_request, shape_hit
from lib.store.scoring import query_score
from lib.store.sorting import sort_hits
from lib.store.write_lock import WriteLock
from lib.store.writer import Writer, error_body

SCAN_CHUNK = 500
_MEMORY_STORES: dict[str, EmbeddedStore] = {}
_MEMORY_LOCK = threading.Lock()


def open_embedded(url: str) -> EmbeddedStore:
    """The embedded store for `url` (``memory://name``, ``sqlite:///path`` or a path)."""
    if url.startswith("memory://"):
        with _MEMORY_LOCK:
            store = _MEMORY_STORES.get(url)
            if store is None:
                store = _MEMORY_STORES[url] = EmbeddedStore(url, ":memory:", memory=True)
            return store
    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        if not path.startswith("/"):
            raise ConfigError(f"store URL [{url}]: use sqlite:///absolute/path.db")
        return EmbeddedStore(url, path)
    if "://" in url:
        raise ConfigError(
            f"store URL [{url}]: unknown scheme (use http(s)://, sqlite:///, memory:// or a path)"
        )
    return EmbeddedStore(url, os.path.abspath(url))


class EmbeddedStore(EventStore):
    """The event store on SQLite. Opening happens on first use, never in the constructor."""

    def __init__(self, url: str, database: str, memory: bool = False):
        self.url = url
        self.database = database
        self.memory = memory
        self.rows_read = 0  # documents decoded by searches (shows what the planner pruned)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._catalog: Catalog | None = None
        self._write_lock = None if memory else WriteLock(database)

    # -- index management -------------------------------------------------------------

    def create_index(self, index: str, body: Body | None = None) -> Body:
        """Create `index` with `body`; StoreError if it exists."""
        with self._writer() as writer:
            writer.create_index(index, body)
        return {"acknowledged": True, "shards_acknowledged": True, "index": index}

    def delete_index(self, index: str) -> Body:
        """Delete concrete indices (comma-separated names allowed)."""
        with self._writer() as writer:
            for name in index.split(","):
                writer.delete_index(name.strip())
        return {"acknowledged": True}

    def index_exists(self, index: str) -> bool:
        """True if `index` names an existing index or alias."""
        with self._reader() as (_, catalog):
            return bool(catalog.resolve(index, ignore_unavailable=True)) or catalog.exists(index)

    def list_indices(self) -> list[str]:
        """Concrete index names, sorted."""
        with self._reader() as (_, catalog):
            return sorted(catalog.indices)

    def put_alias(self, index: str | list[str], alias: str) -> Body:
        """Point `alias` at `index` (added to what it already covers)."""
        with self._writer() as writer:
            writer.add_alias([info.name for info in writer.catalog.resolve(index)], alias)
        return {"acknowledged": True}

    def delete_alias(self, index: str | list[str], alias: str) -> Body:
        """Remove `alias` from `index`."""
        with self._writer() as writer:
            writer.remove_alias([info.name for info in writer.catalog.resolve(index)], alias)
        return {"acknowledged": True}

    def get_aliases(self) -> dict[str, list[str]]:
        """Every alias and the concrete indices behind it (sorted)."""
        with self._reader() as (_, catalog):
            return {alias: sorted(names) for alias, names in sorted(catalog.aliases.items())}

    def get_mapping(self, index: str) -> Body:
        """``{concrete: {'mappings': {...}}}`` for each index `index` names."""
        with self._reader() as (_, catalog):
            return {
                info.name: {"mappings": info.mapping.to_dict()} for info in catalog.resolve(index)
            }

    def setup(self) -> None:
        """Create the schema and point the layout's aliases (idempotent)."""
        with self._writer() as writer:
            writer.sync_managed_aliases()

    # -- documents ----------------------------------------------------------------------

    def index(
        self, index: str, document: Document, id: str | None = None, refresh: bool = False
    ) -> Body:
        """Save one document; DocumentError (nothing written) if it is refused."""
        with self._writer() as writer:
            item = writer.index(index, document, id)
        item.pop("status", None)
        return item

    def bulk(self, actions: Iterable[Body], refresh: bool = False) -> Body:
        """Run many actions in one transaction; one item per action, errors per item."""
        started = time.perf_counter()
        actions = list(actions)
        with self._writer() as writer, gc_paused():
            writer.prefetch(actions)
            items = [writer.apply(action) for action in actions]
        errors = any("error" in body for item in items for body in item.values())
        return {"took": _elapsed_ms(started), "errors": errors, "items": items}

    def get(self, index: str, id: str) -> Body:
        """Fetch one document by id."""
        with self._reader() as (conn, catalog):
            info = catalog.single(index)
            row = conn.execute(
                f"SELECT source FROM {info.table} WHERE doc_id = ?", (str(id),)
            ).fetchone()
        if row is None:
            return {"_index": info.name, "_id": str(id), "found": False}
        return {"_index": info.name, "_id": str(id), "found": True, "_source": orjson.loads(row[0])}

    def search(
        self, index: str | list[str], body: Body | None = None, ignore_unavailable: bool = False
    ) -> Body:
        """Run an Elasticsearch search body against `index` (names, aliases, wildcards)."""
        started = time.perf_counter()
        request = parse_request(body)
        now_ms = _now_ms()
        with self._reader() as (conn, catalog):
            targets = catalog.resolve(index, ignore_unavailable)
            hits: list[Body] = []
            for info in targets:
                hits.extend(self._matching(conn, catalog, info, request.query, now_ms))
            names = {info.name: catalog.names_of(info.name) for info in targets}
        mappings = {info.name: info.mapping for info in targets}
        return build_response(
            request, hits, mappings.__getitem__, now_ms, _elapsed_ms(started), names.__getitem__
        )

    def scan(
        self, index: str | list[str], body: Body | None = None, ignore_unavailable: bool = False
    ) -> Iterator[Body]:
        """Yield every hit matching ``body['query']``, a chunk of rows at a time."""
        request = parse_request(body, paged=False)
        score = query_score(request.query)
        now_ms = _now_ms()
        with self._reader() as (conn, catalog):
            targets = catalog.resolve(index, ignore_unavailable)
            plans = [
                (
                    info,
                    compile_query(request.query, info.mapping, now_ms, catalog.names_of(info.name)),
                    candidate_seqs(conn, info, request.query, now_ms),
                )
                for info in targets
            ]
        if request.sort:
            hits = [hit for plan in plans for hit in self._scan_index(*plan)]
            mappings = {info.name: info.mapping for info in targets}
            for hit in sort_hits(hits, request.sort, mappings.__getitem__):
                yield shape_hit(hit, request.source, score if request.track_scores else None)
            return
        for plan in plans:
            for hit in self._scan_index(*plan):
                yield shape_hit(hit, request.source, score)

    def refresh(self, index: str | list[str] | None = None) -> None:
        """Writes are visible when they return; this only checks that `index` exists."""
        if index is not None:
            with self._reader() as (_, catalog):
                catalog.resolve(index)

    def close(self) -> None:
        """Close the connection (a memory store keeps its only connection, and its data)."""
        with self._lock:
            if self._conn is not None and not self.memory:
                self._conn.close()
                self._conn = None
                self._catalog = None
            if self._write_lock is not None:
                self._write_lock.close()

    # -- internals ----------------------------------------------------------------------

    def _matching(
        self, conn: sqlite3.Connection, catalog: Catalog, info: IndexInfo, query: Any, now_ms: int
    ) -> list[Body]:
        hits, read = search_index(conn, info, query, now_ms, catalog.names_of(info.name))
        self.rows_read += read
        return hits

    def _scan_index(self, info: IndexInfo, predicate: Predicate, seqs: list[int]) -> Iterator[Body]:
        for start in range(0, len(seqs), SCAN_CHUNK):
            chunk = seqs[start : start + SCAN_CHUNK]
            marks = ",".join("?" * len(chunk))
            with self._reader() as (conn, _):
                rows = conn.execute(
                    f"SELECT doc_id, source FROM {info.table} WHERE seq IN ({marks}) ORDER BY seq",
                    chunk,
                ).fetchall()
            self.rows_read += len(rows)
            for doc_id, raw in rows:
                source = orjson.loads(raw)
                if predicate(source, doc_id):
                    yield {"_index": info.name, "_id": doc_id, "_score": 1.0, "_source": source}

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        if self._conn is None or (self._pid != pid and not self.memory):
            try:
                self._conn = catalog_db.connect(self.database, self.memory)
            except (OSError, sqlite3.Error) as exc:
                raise StoreError(f"embedded store: cannot open [{self.database}]: {exc}") from exc
            self._pid = pid
            self._catalog = None
        return self._conn

    def _current(self, conn: sqlite3.Connection) -> Catalog:
        version = catalog_db.read_version(conn)
        if self._catalog is None or self._catalog.version != version:
            self._catalog = Catalog.load(conn)
        return self._catalog

    @contextmanager
    def _reader(self) -> Iterator[tuple[sqlite3.Connection, Catalog]]:
        with self._lock, _translated():
            conn = self._connection()
            conn.execute("BEGIN")
            try:
                yield conn, self._current(conn)
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def _writer(self) -> Iterator[Writer]:
        with self._lock, _translated():
            conn = self._connection()
            queued = self._write_lock.held() if self._write_lock else nullcontext()
            with queued:
                yield from self._transaction(conn)

    def _transaction(self, conn: sqlite3.Connection) -> Iterator[Writer]:
        """One write transaction (the caller holds the locks)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            writer = Writer(conn, self._current(conn), datetime.now(UTC))
            yield writer
            writer.finish()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._catalog = None
            raise


@contextmanager
def _translated() -> Iterator[None]:
    """Turn SQLite's errors into StoreError at the store's boundary."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(f"embedded store: {exc}") from exc


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


__all__ = ["EmbeddedStore", "open_embedded", "DocumentError", "error_body"]
