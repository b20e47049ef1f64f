"""MozDef's `mozdef_util.query_models`: re-exports `lib.query_models`."""

from __future__ import annotations

from lib.query_models import (
    AggregatedResults,
    Aggregation,
    BooleanMatch,
    ExistsMatch,
    LessThanMatch,
    PhraseMatch,
    QueryStringMatch,
    RangeMatch,
    SearchQuery,
    SimpleResults,
    SubnetMatch,
    TermMatch,
    TermsMatch,
    WildcardMatch,
)

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
]
