"""The event store: `open_store(url)` picks a backend by URL.

- ``http://...`` / ``https://...``: Elasticsearch (`elasticsearch.py`); credentials in
  the URL (``https://user:pass@host:9200``) or settings. OpenSearch speaks the same
  REST API, but the official client refuses it (see `elasticsearch.py`).
- ``memory://name``: the embedded store in memory; one store per name per process.
- ``sqlite:///path/to/file.db`` or a plain filesystem path: the embedded store on disk.
"""

from __future__ import annotations

from lib.store.base import EventStore

__all__ = ["EventStore", "open_store"]


def open_store(url: str) -> EventStore:
    """Return the event store for `url` (no I/O happens until it is used)."""
    if url.startswith(("http://", "https://")):
        from lib.store.elasticsearch import ElasticsearchStore

        return ElasticsearchStore(url)
    from lib.store.embedded import open_embedded

    return open_embedded(url)
