"""Fixtures of the event store contract suite (test_contract_*.py).

The contract suite defines what "behaves like Elasticsearch" means for Vigil's event
store: every case names the Elasticsearch rule it pins and cites the Elasticsearch
reference page the rule comes from. It uses only the public store API
(`lib.store.open_store` and the `EventStore` methods), so the same cases run against
every backend:

- ``embedded`` always: a fresh in-memory store (``memory://contract-<uuid>``) per test.
- ``embedded-disk`` when ``VIGIL_TEST_EMBEDDED_DISK=1``: a fresh on-disk store
  (``sqlite:///<tmp>/contract.db``) per test, so the persisted path (documents and mappings
  written to SQLite and read back) is held to the same contract (about 30 s more).
- ``elasticsearch`` when ``VIGIL_TEST_ES_URL`` is set, e.g.::

      VIGIL_TEST_ES_URL=http://localhost:9200 make test

  The cluster must be disposable (a throw-away single node, never one holding data
  you care about): the tests create indices named ``vigil-contract-<uuid>`` and write
  to the real ``events`` and ``alerts`` write targets (``events-YYYYMMDD``,
  ``alerts-YYYYMM`` for frozen dates in December 2026 and January 2027); they delete what they created at
  teardown, but an interrupted run leaves it behind.

Where a rule depends on "now" (date math such as ``now-5m``), the embedded leg pins the
caller's clock with freezegun; Elasticsearch resolves ``now`` with its own clock, so
that leg gets the real time and the cases are written relative to it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from lib.errors import IndexNotFoundError
from lib.store import open_store
from lib.store.base import EventStore

ES_URL_VARIABLE = "VIGIL_TEST_ES_URL"
DISK_VARIABLE = "VIGIL_TEST_EMBEDDED_DISK"
FILES = Path(__file__).resolve().parents[3] / "files"
FROZEN_NOW = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)

Docs = dict[str, dict[str, Any]]


def _backends() -> list[str]:
    """The embedded store always; on disk and Elasticsearch when the environment asks."""
    backends = ["embedded"]
    if os.environ.get(DISK_VARIABLE) == "1":
        backends.append("embedded-disk")
    if os.environ.get(ES_URL_VARIABLE):
        backends.append("elasticsearch")
    return backends


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    return request.param


@pytest.fixture
def created_indices() -> list[str]:
    """Concrete index names a test created; deleted at teardown on Elasticsearch."""
    return []


@pytest.fixture
def store(backend: str, created_indices: list[str], tmp_path: Path) -> Iterator[EventStore]:
    """A store of the backend under test (a fresh one per test for the embedded store)."""
    if backend == "embedded":
        url = f"memory://contract-{uuid.uuid4().hex}"
    elif backend == "embedded-disk":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
    else:
        url = os.environ[ES_URL_VARIABLE]
    event_store = open_store(url)
    yield event_store
    if backend == "elasticsearch":
        for name in created_indices:
            try:
                event_store.delete_index(name)
            except IndexNotFoundError:
                pass
    event_store.close()


@pytest.fixture
def make_index(store: EventStore, created_indices: list[str]) -> Callable[..., str]:
    """Create a uniquely named index from a mapping (or a full body); return its name."""

    def make(mappings: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> str:
        name = f"vigil-contract-{uuid.uuid4().hex[:12]}"
        if body is None and mappings is not None:
            body = {"mappings": mappings}
        store.create_index(name, body)
        created_indices.append(name)
        return name

    return make


@pytest.fixture
def load(store: EventStore) -> Callable[[str, Docs], None]:
    """Bulk-index ``{id: document}`` into an index and refresh; every item must succeed."""

    def load_documents(index: str, docs: Docs) -> None:
        actions = [{"_index": index, "_id": doc_id, "_source": doc} for doc_id, doc in docs.items()]
        result = store.bulk(actions, refresh=True)
        failed = [item for item in result["items"] if "error" in next(iter(item.values()))]
        assert not result["errors"] and not failed, failed

    return load_documents


@pytest.fixture
def indexed(make_index: Callable[..., str], load: Callable[[str, Docs], None]) -> Callable:
    """Create an index with `mappings`, load `docs` into it, return its name."""

    def create_and_load(mappings: dict[str, Any] | None, docs: Docs) -> str:
        name = make_index(mappings)
        load(name, docs)
        return name

    return create_and_load


@pytest.fixture
def search_ids(store: EventStore) -> Callable[..., set[str]]:
    """Run a query and return the set of matching ``_id``s (checking hits.total agrees)."""

    def run(index: str | list[str], query: dict[str, Any], **body: Any) -> set[str]:
        request = {"query": query, "size": 1000, "track_total_hits": True, **body}
        response = store.search(index, request)
        ids = [hit["_id"] for hit in response["hits"]["hits"]]
        assert len(ids) == len(set(ids)), f"duplicate hits: {ids}"
        total = response["hits"]["total"]
        assert total == {"value": len(ids), "relation": "eq"}, f"total {total} for hits {ids}"
        return set(ids)

    return run


@pytest.fixture
def mozdef_template() -> dict[str, Any]:
    """MozDef's index template body, verbatim (with its `_doc` type level)."""
    return json.loads((FILES / "mozdef_mapping_template.json").read_text())


@pytest.fixture
def mozdef_mappings(mozdef_template: dict[str, Any]) -> dict[str, Any]:
    """MozDef's default mapping without the type level (the shape Elasticsearch 7+ uses)."""
    return mozdef_template["mappings"]["_doc"]


@pytest.fixture
def events_index(indexed: Callable, mozdef_mappings: dict[str, Any]) -> str:
    """An index with MozDef's mapping holding tests/files/contract_events.json (e1..e6)."""
    docs = json.loads((FILES / "contract_events.json").read_text())
    return indexed(mozdef_mappings, docs)


@pytest.fixture
def now(backend: str) -> Iterator[datetime]:
    """The caller's "now": frozen (ticking) for the embedded store, real for Elasticsearch."""
    if backend == "elasticsearch":
        yield datetime.now(UTC)
        return
    with freeze_time(FROZEN_NOW, tick=True):
        yield FROZEN_NOW
