"""SearchQuery: an alert's query over a sliding time window, and running it on a store.

The request it sends (see `request_body`)::

    {'query': {'bool': {'filter': [
         {'bool': {'should': [{'range': {'utctimestamp': {'gte': B, 'lte': E}}},
                              {'range': {'receivedtimestamp': {'gte': B, 'lte': E}}}],
                   'minimum_should_match': 1}},                       # the window
         {'bool': {'must': [...], 'must_not': [...], 'should': [...],
                   'minimum_should_match': 1}}]}},                    # the alert's clauses
     'size': 1000, 'track_total_hits': True,
     'aggs': {field: {'terms': {'field': field, 'size': n}}}}         # when aggregating

As in MozDef, the whole query runs in filter context (every hit scores 0.0) and an event
is in the window when its `utctimestamp` OR its `receivedtimestamp` lies in
[now - window, now], both ends included. Unlike MozDef, the window is computed afresh
on each run from `datetime.now(UTC)` (so freezegun can freeze it) and sent as
absolute timestamps, and `execute` never changes the query: running it twice sends the
same request (MozDef appended another window to `must` on every call).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from elasticsearch.dsl import Q
from elasticsearch.dsl.aggs import Agg
from elasticsearch.dsl.query import Query

from lib.errors import QueryError
from lib.query_models.builders import BooleanMatch, RangeMatch, as_queries
from lib.query_models.dsl import aggregation_name, aggs_dsl, to_dsl
from lib.query_models.results import AggregatedResults, SimpleResults
from lib.store.base import EventStore
from lib.utctime import to_utc, utc_now

__all__ = ["DEFAULT_INDICES", "WINDOW_FIELDS", "SearchQuery"]

DEFAULT_INDICES = ("events", "events-previous")
WINDOW_FIELDS = ("utctimestamp", "receivedtimestamp")


class SearchQuery:
    """An alert's query: must / must_not / should clauses, aggregations and a time window."""

    def __init__(self, **timedelta_kwargs: float) -> None:
        window = timedelta(**timedelta_kwargs)
        if window < timedelta(0):
            raise QueryError(f"SearchQuery window must not be negative: {timedelta_kwargs!r}")
        self.date_timedelta = dict(timedelta_kwargs)
        self.must: list[Query] = []
        self.must_not: list[Query] = []
        self.should: list[Query] = []
        self.aggregation: list[Agg] = []

    def add_must(self, input_obj: Query | list[Query]) -> None:
        """Require every given clause to match."""
        self.must.extend(as_queries(input_obj, "add_must"))

    def add_must_not(self, input_obj: Query | list[Query]) -> None:
        """Exclude events matching any given clause."""
        self.must_not.extend(as_queries(input_obj, "add_must_not"))

    def add_should(self, input_obj: Query | list[Query]) -> None:
        """Require at least one of the should clauses to match."""
        self.should.extend(as_queries(input_obj, "add_should"))

    def add_aggregation(self, input_obj: Agg | list[Agg]) -> None:
        """Count events per value of a field (terms aggregation named after the field)."""
        items = input_obj if isinstance(input_obj, list) else [input_obj]
        for item in items:
            aggregation_name(item)  # refuses anything but a terms aggregation on a field
        self.aggregation.extend(items)

    def window(self, now: datetime | None = None) -> Query | None:
        """The time-window clause for `now` (default: the current time), or None if unset."""
        if not self.date_timedelta:
            return None
        end = to_utc(now) if now is not None else utc_now()
        begin = end - timedelta(**self.date_timedelta)
        ranges = [RangeMatch(field, begin, end) for field in WINDOW_FIELDS]
        return Q("bool", should=ranges, minimum_should_match=1)

    def query(self, now: datetime | None = None) -> Query:
        """The whole query (window plus clauses, in filter context) as a builder object."""
        clauses = [clause for clause in [self.window(now)] if clause is not None]
        if self.must or self.must_not or self.should:
            clauses.append(BooleanMatch(self.must, self.must_not, self.should))
        return Q("bool", filter=clauses) if clauses else Q("match_all")

    def request_body(self, size: int = 1000, now: datetime | None = None) -> dict[str, Any]:
        """The search request body `execute` sends (query, size, exact totals, aggs)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise QueryError(f"size must be a non-negative int, got {size!r}")
        body: dict[str, Any] = {
            "query": to_dsl(self.query(now)),
            "size": size,
            "track_total_hits": True,
        }
        if self.aggregation:
            body["aggs"] = aggs_dsl(self.aggregation)
        return body

    def execute(
        self,
        store: EventStore,
        indices: Sequence[str] | str = DEFAULT_INDICES,
        size: int = 1000,
    ) -> SimpleResults:
        """Run the query on `store`; missing indices are skipped. Returns MozDef's shape."""
        if not (self.must or self.must_not or self.should or self.aggregation):
            raise AttributeError("Must define a must, must_not, should query, or aggregation")
        targets = [indices] if isinstance(indices, str) else list(indices)
        response = store.search(targets, self.request_body(size), ignore_unavailable=True)
        return AggregatedResults(response) if self.aggregation else SimpleResults(response)
