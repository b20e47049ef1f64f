"""Query builders: the alert authors' API for searching the event store (MozDef's names).

- `builders`: TermMatch, TermsMatch, PhraseMatch, QueryStringMatch, ExistsMatch,
  RangeMatch, LessThanMatch, WildcardMatch, SubnetMatch, BooleanMatch, Aggregation;
- `dsl`: `to_dsl`, compiling a (composed) builder into the Elasticsearch query dict;
- `search_query`: SearchQuery, the windowed query an alert runs with `execute`;
- `results`: SimpleResults and AggregatedResults, MozDef's result shape.
"""

from __future__ import annotations

from lib.query_models.builders import (
    Aggregation,
    BooleanMatch,
    ExistsMatch,
    LessThanMatch,
    PhraseMatch,
    QueryStringMatch,
    RangeMatch,
    SubnetMatch,
    TermMatch,
    TermsMatch,
    WildcardMatch,
)
from lib.query_models.dsl import aggs_dsl, to_dsl
from lib.query_models.results import AggregatedResults, SimpleResults
from lib.query_models.search_query import SearchQuery

__all__ = [
    "AggregatedResults",
    "Aggregation",
    "BooleanMatch",
    "ExistsMatch",
    "LessThanMatch",
    "PhraseMatch",
    "QueryStringMatch",
    "RangeMatch",
    "SearchQuery",
    "SimpleResults",
    "SubnetMatch",
    "TermMatch",
    "TermsMatch",
    "WildcardMatch",
    "aggs_dsl",
    "to_dsl",
]
