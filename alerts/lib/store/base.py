"""The event store contract: one API, Elasticsearch's request and response shapes.

Two backends implement it (`embedded.EmbeddedStore`, `elasticsearch.ElasticsearchStore`)
and one contract test suite (tests/alerts/lib/store/) defines what "behaves like
Elasticsearch" means for both.

Shapes (all plain dicts, as Elasticsearch's REST API returns them):

- `index()` -> ``{'_index': concrete, '_id': id, 'result': 'created' | 'updated'}``
- `bulk()` -> ``{'errors': bool, 'items': [{op: {'_index', '_id', 'status', 'result'}
  | {'_index', '_id', 'status', 'error': {'type', 'reason'}}}]}`` with one item per action,
  in order. One bad document never takes the others down.
- `get()` -> ``{'_index', '_id', 'found': True, '_source'}`` or ``{'found': False, ...}``.
- `search()` -> ``{'took', 'timed_out', 'hits': {'total': {'value', 'relation'},
  'max_score', 'hits': [{'_index' (concrete), '_id', '_score', '_source'}]},
  'aggregations': {...}}``.

Write routing (shared by both backends, see `layout.py`): writing to `events` goes to
`events-YYYYMMDD` (UTC date of the write), writing to `alerts` goes to `alerts-YYYYMM`;
the first write to a new concrete index creates it with the default mapping and moves
the aliases (`events`, `events-previous`, `events-weekly`, `alerts`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any

Document = dict[str, Any]
Body = dict[str, Any]


class EventStore(ABC):
    """An Elasticsearch-shaped event store. Constructors never do I/O."""

    url: str

    # -- index management -------------------------------------------------------------

    @abstractmethod
    def create_index(self, index: str, body: Body | None = None) -> Body:
        """Create `index` with `body` ({'settings', 'mappings', 'aliases'}).

        `mappings` may carry MozDef's `_doc` type level. An empty or missing mapping
        gives Elasticsearch's dynamic defaults (text + .keyword, date detection).
        Raises StoreError if the index exists.
        """

    @abstractmethod
    def delete_index(self, index: str) -> Body:
        """Delete a concrete index (and its documents); IndexNotFoundError if missing."""

    @abstractmethod
    def index_exists(self, index: str) -> bool:
        """True if `index` names an existing index or alias."""

    @abstractmethod
    def list_indices(self) -> list[str]:
        """Concrete index names, sorted."""

    @abstractmethod
    def put_alias(self, index: str | list[str], alias: str) -> Body:
        """Point `alias` at `index` (added to what it already covers)."""

    @abstractmethod
    def delete_alias(self, index: str | list[str], alias: str) -> Body:
        """Remove `alias` from `index`; IndexNotFoundError if it does not exist."""

    @abstractmethod
    def get_aliases(self) -> dict[str, list[str]]:
        """Every alias and the concrete indices behind it (sorted)."""

    @abstractmethod
    def get_mapping(self, index: str) -> Body:
        """``{concrete: {'mappings': {...}}}`` for `index` (or each index behind an alias)."""

    # -- documents ----------------------------------------------------------------------

    @abstractmethod
    def index(
        self, index: str, document: Document, id: str | None = None, refresh: bool = False
    ) -> Body:
        """Save one document (replacing any with the same id); DocumentError if refused."""

    @abstractmethod
    def bulk(self, actions: Iterable[Body], refresh: bool = False) -> Body:
        """Run many actions in one call and report per item.

        Each action is elasticsearch.helpers-shaped:
        ``{'_op_type': 'index' (default) | 'create' | 'update' | 'delete',
        '_index', '_id' (optional for index/create), '_source': doc}``;
        for 'update', ``'doc': partial`` is merged into the stored document
        (objects merge recursively, any other value, lists included, is replaced).
        """

    @abstractmethod
    def get(self, index: str, id: str) -> Body:
        """Fetch one document by id."""

    @abstractmethod
    def search(
        self,
        index: str | list[str],
        body: Body | None = None,
        ignore_unavailable: bool = False,
    ) -> Body:
        """Run an Elasticsearch search request body against `index` (names or aliases).

        Body keys: query, aggs/aggregations, size (default 10), from, sort,
        track_total_hits (default: exact up to 10,000, then relation 'gte'), _source.
        With `ignore_unavailable`, missing indices are skipped instead of raising
        IndexNotFoundError.
        """

    @abstractmethod
    def scan(
        self,
        index: str | list[str],
        body: Body | None = None,
        ignore_unavailable: bool = False,
    ) -> Iterator[Body]:
        """Yield every hit matching `body['query']`, past any result-window limit.

        One contract call however many hits; order is unspecified unless `sort` is given.
        """

    @abstractmethod
    def refresh(self, index: str | list[str] | None = None) -> None:
        """Make every write so far visible to search."""

    def setup(self) -> None:  # noqa: B027  (a no-op unless the backend needs set-up)
        """Install templates and aliases on an empty store (idempotent)."""

    def close(self) -> None:  # noqa: B027  (a no-op unless the backend holds connections)
        """Release connections; the store may be used again after (it reconnects)."""
