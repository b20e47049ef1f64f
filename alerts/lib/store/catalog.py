"""The embedded store's SQLite schema and its catalog of indices, mappings and aliases.

Everything lives in SQLite, so several processes (worker, beat, loginput, CLI) share
one on-disk store: the `indices` table holds each index's mapping and settings, the
`aliases` table the aliases, and ``meta.version`` grows with every catalog change so a
process reloads its cached catalog when another one changed it. Each index keeps its
documents in its own table ``docs_<id>`` (ids are never reused):

    seq     INTEGER PRIMARY KEY   insertion order (the default hit order)
    doc_id  TEXT UNIQUE           Elasticsearch's `_id`
    source  BLOB                  the document, as JSON
    utc     INTEGER (indexed)     `utctimestamp` in epoch ms when mapped as `date`
    recv    INTEGER (indexed)     `receivedtimestamp` likewise

Connections run in WAL mode with ``synchronous=NORMAL`` (a committed write survives
the process being killed), a larger WAL checkpoint interval than SQLite's default (see
`WAL_CHECKPOINT_PAGES`) and a busy timeout, so writers queue instead of failing.
"""

from __future__ import annotations

import fnmatch
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from lib.errors import IndexNotFoundError, StoreError
from lib.store.mapping import Mapping
from lib.store.metadata_query import IndexNames
from lib.store.planner import TIME_COLUMNS

BUSY_TIMEOUT_MS = 60_000
# Checkpoint the WAL every ~40 MB (SQLite's default is 4 MB, less than one 5,000-event
# bulk): pages rewritten by consecutive bulks (index pages) are copied back once, not
# once per bulk, and the checkpoint's fsync runs less often. Durability is unchanged.
WAL_CHECKPOINT_PAGES = 10_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('version', 0)",
    "CREATE TABLE IF NOT EXISTS indices (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT NOT NULL UNIQUE, mappings TEXT NOT NULL, settings TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS aliases (alias TEXT NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY (alias, name))",
)


def connect(database: str, memory: bool) -> sqlite3.Connection:
    """Open `database` with the store's pragmas and make sure the schema exists."""
    if not memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        database, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not memory:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return conn


def read_version(conn: sqlite3.Connection) -> int:
    """The catalog version (grows with every index, mapping or alias change)."""
    return int(conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0])


def bump_version(conn: sqlite3.Connection) -> int:
    """Record a catalog change (inside the caller's write transaction)."""
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
    return read_version(conn)


@dataclass
class IndexInfo:
    """One concrete index: its row in `indices` and its live mapping."""

    id: int
    name: str
    mapping: Mapping
    settings: dict[str, Any]
    date_formats: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def table(self) -> str:
        """The documents table of this index."""
        return f"docs_{self.id}"

    def refresh_date_formats(self) -> None:
        """Recompute which time columns this index fills (fields mapped as `date`)."""
        self.date_formats = {
            name: _field_format(self.mapping.top_level_spec(name))
            for name in TIME_COLUMNS
            if self.mapping.field_type(name) == "date"
        }


def create_docs_table(conn: sqlite3.Connection, table: str) -> None:
    """Create the documents table of a new index with its timestamp indexes."""
    conn.execute(
        f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,"
        " source BLOB NOT NULL, utc INTEGER, recv INTEGER)"
    )
    for column in TIME_COLUMNS.values():
        conn.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")


class Catalog:
    """A snapshot of the indices and aliases at one catalog version."""

    def __init__(self, version: int, indices: dict[str, IndexInfo], aliases: dict[str, list[str]]):
        self.version = version
        self.indices = indices
        self.aliases = aliases

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Catalog:
        """Read the catalog (call inside a transaction for a consistent snapshot)."""
        indices = {}
        for index_id, name, mappings, settings in conn.execute(
            "SELECT id, name, mappings, settings FROM indices"
        ):
            indices[name] = build_index(
                index_id, name, orjson.loads(mappings), orjson.loads(settings)
            )
        aliases: dict[str, list[str]] = {}
        for alias, name in conn.execute("SELECT alias, name FROM aliases ORDER BY alias, name"):
            aliases.setdefault(alias, []).append(name)
        return cls(read_version(conn), indices, aliases)

    def exists(self, name: str) -> bool:
        """True if `name` is an index or an alias."""
        return name in self.indices or name in self.aliases

    def resolve(
        self, expression: str | list[str], ignore_unavailable: bool = False
    ) -> list[IndexInfo]:
        """The concrete indices named by `expression` (names, aliases, wildcards), sorted."""
        names: set[str] = set()
        for part in _split(expression):
            names.update(self._resolve_one(part, ignore_unavailable))
        return [self.indices[name] for name in sorted(names)]

    def names_of(self, name: str) -> IndexNames:
        """The concrete index `name` and the aliases pointing at it (for ``_index`` queries)."""
        aliases = frozenset(alias for alias, members in self.aliases.items() if name in members)
        return IndexNames(name, aliases)

    def single(self, name: str) -> IndexInfo:
        """The one concrete index `name` (an index or an alias over one index) names."""
        if name in self.indices:
            return self.indices[name]
        members = self.aliases.get(name)
        if not members:
            raise IndexNotFoundError(f"index_not_found_exception: no such index [{name}]")
        if len(members) > 1:
            raise StoreError(
                f"illegal_argument_exception: alias [{name}] has more than one index associated"
                f" with it {members}, can't execute a single index op"
            )
        return self.indices[members[0]]

    def _resolve_one(self, part: str, ignore_unavailable: bool) -> list[str]:
        if part in ("_all", "*"):
            return list(self.indices)
        if any(char in part for char in "*?"):
            found = fnmatch.filter(self.indices, part)
            for alias in fnmatch.filter(self.aliases, part):
                found.extend(self.aliases[alias])
            return found
        if part in self.indices:
            return [part]
        if part in self.aliases:
            return list(self.aliases[part])
        if ignore_unavailable:
            return []
        raise IndexNotFoundError(f"index_not_found_exception: no such index [{part}]")


def build_index(
    index_id: int, name: str, mappings: dict[str, Any], settings: dict[str, Any]
) -> IndexInfo:
    """An IndexInfo from stored `mappings` and `settings` (fresh dicts it takes over)."""
    mapping = Mapping.from_stored(mappings)
    info = IndexInfo(index_id, name, mapping, settings)
    info.refresh_date_formats()
    return info


def _split(expression: str | list[str]) -> list[str]:
    parts = expression if isinstance(expression, list) else [expression]
    names = [name.strip() for part in parts for name in str(part).split(",")]
    names = [name for name in names if name]
    return names or ["_all"]  # no index named: every index, as Elasticsearch's /_search


def _field_format(spec: dict[str, Any]) -> str | None:
    """The `format` of a field's mapping, if any."""
    fmt = spec.get("format")
    return fmt if isinstance(fmt, str) else None
