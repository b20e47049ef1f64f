"""One index's part of an embedded search: the rows to read and the hits among them.

`planner.plan_query` turns the query's bounds on the indexed time columns into a SQL
condition, so only rows that can match are read (it prunes, never changes answers);
each row is decoded with orjson and kept if the compiled query matches it. Hits come
in insertion order (``seq``) and carry the query's constant score (`scoring`).
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import orjson

from lib.store.base import Body
from lib.store.catalog import IndexInfo
from lib.store.engine import IndexNames, compile_query
from lib.store.planner import plan_query, plan_sql
from lib.store.scoring import query_score

FETCH_CHUNK = 8192


def search_index(
    conn: sqlite3.Connection, info: IndexInfo, query: Any, now_ms: int, names: IndexNames
) -> tuple[list[Body], int]:
    """The hits of `query` in the index `info` (known by `names`), and the rows decoded."""
    predicate = compile_query(query, info.mapping, now_ms, names)
    plan = plan_query(query, info.date_formats, now_ms)
    sql = f"SELECT seq, doc_id, source FROM {info.table}"
    params: list[int] = []
    if plan is not None:
        where, params = plan_sql(plan)
        sql = f"{sql} WHERE {where}"
    loads = orjson.loads
    matched: list[tuple[int, str, Body]] = []
    read = 0
    cursor = conn.execute(sql, params)
    with gc_paused():
        while rows := cursor.fetchmany(FETCH_CHUNK):
            read += len(rows)
            matched += [
                (seq, doc_id, source)
                for seq, doc_id, raw in rows
                if predicate(source := loads(raw), doc_id)
            ]
    if plan is not None:
        matched.sort(key=itemgetter(0))
    name, score = info.name, query_score(query)
    hits = [
        {"_index": name, "_id": doc_id, "_score": score, "_source": source}
        for _, doc_id, source in matched
    ]
    return hits, read


def candidate_seqs(conn: sqlite3.Connection, info: IndexInfo, query: Any, now_ms: int) -> list[int]:
    """The row numbers (``seq``, ascending) the planner cannot rule out for `query`."""
    plan = plan_query(query, info.date_formats, now_ms)
    if plan is None:
        return [seq for (seq,) in conn.execute(f"SELECT seq FROM {info.table} ORDER BY seq")]
    where, params = plan_sql(plan)
    return sorted(
        seq for (seq,) in conn.execute(f"SELECT seq FROM {info.table} WHERE {where}", params)
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while decoding or writing many documents.

    Documents, rows and bulk items hold no reference cycles (reference counting frees
    them), but creating tens of thousands of them triggers full collections that cost a
    third of a window query; the collector is switched back on afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
