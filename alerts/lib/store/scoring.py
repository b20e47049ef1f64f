"""Scores of the embedded store's hits: Elasticsearch's constant scores, no relevance model.

Relevance scoring (BM25) is not emulated. Every hit of one search gets the same score,
the one Elasticsearch gives where scoring does not depend on the documents:

- a query running only in filter context scores 0.0: a top-level ``bool`` with no
  ``must`` and no ``should`` clause (only ``filter``/``must_not``) ("Scoring with
  bool.filter", https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-bool-query.html);
- ``constant_score`` scores its ``boost`` (default 1.0)
  (https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-constant-score-query.html);
- ``match_all`` (and no query at all) scores its ``boost`` (default 1.0)
  (https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-match-all-query.html);
- anything else scores 1.0, where Elasticsearch would compute a relevance score.
"""

from __future__ import annotations

from typing import Any

_BOOSTED = ("constant_score", "match_all")


def query_score(query: Any) -> float:
    """The score every hit of the top-level `query` gets (see the module docstring)."""
    if not isinstance(query, dict) or len(query) != 1:
        return 1.0
    ((kind, params),) = query.items()
    if not isinstance(params, dict):
        return 1.0
    if kind == "bool":
        return 1.0 if params.get("must") or params.get("should") else 0.0
    if kind in _BOOSTED:
        return float(params.get("boost", 1.0))
    return 1.0
