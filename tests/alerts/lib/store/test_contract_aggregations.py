"""Contract: terms, cardinality and top_hits aggregations, as Elasticsearch computes them.

Every case id names the rule; each test's docstring cites the Elasticsearch reference page.
"""

from __future__ import annotations

import pytest

from lib.errors import QueryError, UnsupportedQueryError

AGG_DOCS = {
    "1": {
        "hostname": "h1",
        "details": {
            "sourceipaddress": "10.0.0.1",
            "username": "root",
            "success": False,
            "count": 0,
        },
        "tags": ["a", "b"],
    },
    "2": {
        "hostname": "",
        "details": {
            "sourceipaddress": "10.0.0.1",
            "username": "alice",
            "success": True,
            "count": 1,
        },
        "tags": ["b"],
    },
    "3": {
        "hostname": "",
        "details": {
            "sourceipaddress": "10.0.0.2",
            "username": "root",
            "success": False,
            "count": 0,
        },
        "tags": ["b", "c"],
    },
    "4": {
        "hostname": "h2",
        "details": {"sourceipaddress": "10.0.0.3", "username": "bob"},
        "tags": ["a"],
    },
    "5": {"hostname": "h1", "details": {"username": "Root"}},
}


@pytest.fixture
def agg_index(indexed, mozdef_mappings) -> str:
    """MozDef's mapping holding AGG_DOCS."""
    return indexed(mozdef_mappings, AGG_DOCS)


def _buckets(store, index: str, terms: dict, query: dict | None = None) -> list[tuple]:
    body = {"size": 0, "aggs": {"by": {"terms": terms}}, "query": query or {"match_all": {}}}
    response = store.search(index, body)
    return [(b["key"], b["doc_count"]) for b in response["aggregations"]["by"]["buckets"]]


TERMS_CASES = [
    pytest.param(
        {"field": "details.username"},
        [("root", 2), ("Root", 1), ("alice", 1), ("bob", 1)],
        id="terms-count-desc-then-key-asc-case-sensitive",
    ),
    pytest.param(
        {"field": "details.username", "size": 2},
        [("root", 2), ("Root", 1)],
        id="terms-size-keeps-the-top-buckets",
    ),
    pytest.param(
        {"field": "tags"}, [("b", 3), ("a", 2), ("c", 1)], id="terms-one-bucket-per-array-element"
    ),
    pytest.param(
        {"field": "details.count"}, [("0", 2), ("1", 1)], id="terms-zero-is-a-real-bucket"
    ),
    pytest.param(
        {"field": "hostname"}, [("", 2), ("h1", 2), ("h2", 1)], id="terms-empty-string-is-a-bucket"
    ),
    pytest.param(
        {"field": "details.sourceipaddress"},
        [("10.0.0.1", 2), ("10.0.0.2", 1), ("10.0.0.3", 1)],
        id="terms-ip-keys-are-addresses-missing-values-no-bucket",
    ),
]


@pytest.mark.parametrize(("terms", "expected"), TERMS_CASES)
def test_terms_aggregation(store, agg_index, terms, expected):
    """Exact doc counts, ordered by _count desc then _key asc; size; arrays count per element.

    Terms aggregation ("order": default _count desc, ties by key; "size"; "missing" values
    get no bucket unless asked), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    assert _buckets(store, agg_index, terms) == expected


def test_terms_aggregation_counts_only_matching_documents(store, agg_index):
    """Buckets are computed over the query's hits only (negative of counting everything).

    Aggregations run on the search's matching documents,
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations.html
    """
    query = {"term": {"details.success": False}}
    assert _buckets(store, agg_index, {"field": "details.username"}, query) == [("root", 2)]


def test_terms_aggregation_sum_other_doc_count(store, agg_index):
    """sum_other_doc_count counts documents in the buckets cut by size.

    Terms aggregation, "sum_other_doc_count",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    body = {"size": 0, "aggs": {"by": {"terms": {"field": "details.username", "size": 2}}}}
    result = store.search(agg_index, body)["aggregations"]["by"]
    assert result["sum_other_doc_count"] == 2
    assert result["doc_count_error_upper_bound"] == 0


def test_terms_aggregation_false_is_a_real_bucket(store, agg_index):
    """A boolean field's false is a bucket (key 0, key_as_string "false"), as true is.

    Terms aggregation on boolean fields; Boolean field type ("aggregations ... return 1 and 0
    as the key ... key_as_string true/false"), https://www.elastic.co/guide/en/elasticsearch/reference/current/boolean.html
    """
    body = {"size": 0, "aggs": {"by": {"terms": {"field": "details.success"}}}}
    buckets = store.search(agg_index, body)["aggregations"]["by"]["buckets"]
    got = [(b["key"], b["key_as_string"], b["doc_count"]) for b in buckets]
    assert got == [(0, "false", 2), (1, "true", 1)]


def test_terms_aggregation_numeric_zero_bucket(store, indexed):
    """On a numeric field, 0 is a real bucket with the number as key.

    Terms aggregation, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    index = indexed(
        {"properties": {"n": {"type": "long"}}},
        {"a": {"n": 0}, "b": {"n": 0}, "c": {"n": 7}, "d": {}},
    )
    assert _buckets(store, index, {"field": "n"}) == [(0, 2), (7, 1)]


CARDINALITY_CASES = [
    pytest.param("details.username", None, 4, id="cardinality-distinct-case-sensitive-values"),
    pytest.param("tags", None, 3, id="cardinality-counts-array-elements"),
    pytest.param("details.sourceipaddress", None, 3, id="cardinality-ignores-missing-values"),
    pytest.param(
        "details.username",
        {"term": {"details.success": False}},
        1,
        id="cardinality-only-matching-documents",
    ),
]


@pytest.mark.parametrize(("field", "query", "expected"), CARDINALITY_CASES)
def test_cardinality(store, agg_index, field, query, expected):
    """cardinality counts distinct values (exact at these sizes, below precision_threshold).

    Cardinality aggregation ("counts below the precision_threshold are expected to be close to
    accurate"), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-cardinality-aggregation.html
    """
    body = {
        "size": 0,
        "query": query or {"match_all": {}},
        "aggs": {"n": {"cardinality": {"field": field}}},
    }
    assert store.search(agg_index, body)["aggregations"]["n"]["value"] == expected


def test_top_hits_samples_each_bucket(store, agg_index):
    """top_hits under terms returns each bucket's own documents, sorted and sized as asked.

    Top hits aggregation (as a sub-aggregation of terms; size, sort, _source),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-top-hits-aggregation.html
    """
    samples = {"top_hits": {"size": 1, "sort": [{"details.username": {"order": "asc"}}]}}
    body = {
        "size": 0,
        "aggs": {
            "ip": {"terms": {"field": "details.sourceipaddress"}, "aggs": {"samples": samples}}
        },
    }
    buckets = store.search(agg_index, body)["aggregations"]["ip"]["buckets"]
    got = {
        b["key"]: (
            b["samples"]["hits"]["total"]["value"],
            [h["_id"] for h in b["samples"]["hits"]["hits"]],
        )
        for b in buckets
    }
    assert got == {"10.0.0.1": (2, ["2"]), "10.0.0.2": (1, ["3"]), "10.0.0.3": (1, ["4"])}
    first = buckets[0]["samples"]["hits"]["hits"][0]
    assert first["_index"] == agg_index
    assert first["_source"] == AGG_DOCS["2"]


def test_top_hits_default_size_is_three(store, indexed):
    """top_hits returns 3 hits per bucket unless size is given.

    Top hits aggregation, "size: the maximum number of top matching hits to return per bucket.
    By default the top three matching hits are returned",
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-top-hits-aggregation.html
    """
    docs = {str(i): {"k": "x" if i < 5 else "y"} for i in range(7)}
    index = indexed({"properties": {"k": {"type": "keyword"}}}, docs)
    body = {"size": 0, "aggs": {"k": {"terms": {"field": "k"}, "aggs": {"s": {"top_hits": {}}}}}}
    buckets = store.search(index, body)["aggregations"]["k"]["buckets"]
    sizes = {b["key"]: len(b["s"]["hits"]["hits"]) for b in buckets}
    assert sizes == {"x": 3, "y": 2}
    x_ids = {h["_id"] for h in buckets[0]["s"]["hits"]["hits"]}
    assert x_ids <= {"0", "1", "2", "3", "4"}


ORDER_CASES = [
    pytest.param(
        {"field": "details.username", "order": {"_key": "desc"}},
        [("root", 2), ("bob", 1), ("alice", 1), ("Root", 1)],
        id="terms-order-by-key-desc",
    ),
    pytest.param(
        {"field": "details.username", "order": {"_count": "asc"}},
        [("Root", 1), ("alice", 1), ("bob", 1), ("root", 2)],
        id="terms-order-by-count-asc-ties-key-asc",
    ),
    pytest.param(
        {"field": "details.username", "min_doc_count": 2}, [("root", 2)], id="terms-min_doc_count"
    ),
    pytest.param(
        {"field": "tags", "missing": "none"},
        [("b", 3), ("a", 2), ("c", 1), ("none", 1)],
        id="terms-missing-value-bucket-when-asked",
    ),
]


@pytest.mark.parametrize(("terms", "expected"), ORDER_CASES)
def test_terms_aggregation_options(store, agg_index, terms, expected):
    """order (by _key or _count), min_doc_count and missing change the buckets as documented.

    Terms aggregation ("Order", "Minimum document count", "Missing value"),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    assert _buckets(store, agg_index, terms) == expected


TYPED_KEY_CASES = [
    pytest.param(
        {"properties": {"v": {"type": "keyword"}}},
        {"1": {"v": ["a", "a", "b"]}, "2": {"v": ["a"]}},
        [("a", 2), ("b", 1)],
        id="terms-repeated-value-counts-the-document-once",
    ),
    pytest.param(
        {"properties": {"v": {"type": "long"}}},
        {"1": {"v": 10}, "2": {"v": 2}},
        [(2, 1), (10, 1)],
        id="terms-numeric-ties-ordered-by-number",
    ),
    pytest.param(
        {"properties": {"v": {"type": "ip"}}},
        {"1": {"v": "10.100.0.1"}, "2": {"v": "10.99.0.1"}},
        [("10.99.0.1", 1), ("10.100.0.1", 1)],
        id="terms-ip-ties-ordered-by-address",
    ),
]


@pytest.mark.parametrize(("mapping", "docs", "expected"), TYPED_KEY_CASES)
def test_terms_aggregation_typed_keys(store, indexed, mapping, docs, expected):
    """doc_count counts documents (a value repeated in one document counts once); keys
    order by the field's type (numbers numerically, addresses by address).

    Terms aggregation, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    index = indexed(mapping, docs)
    assert _buckets(store, index, {"field": "v"}) == expected


def test_terms_sub_aggregation_and_aggregations_key(store, agg_index):
    """A terms aggregation nests under another; the body key may be spelled "aggregations".

    Aggregations ("Add a sub-aggregation"), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations.html
    """
    inner = {"terms": {"field": "details.username"}}
    body = {
        "size": 0,
        "aggregations": {"host": {"terms": {"field": "hostname"}, "aggs": {"user": inner}}},
    }
    buckets = store.search(agg_index, body)["aggregations"]["host"]["buckets"]
    got = {b["key"]: [(u["key"], u["doc_count"]) for u in b["user"]["buckets"]] for b in buckets}
    assert got == {
        "": [("alice", 1), ("root", 1)],
        "h1": [("Root", 1), ("root", 1)],
        "h2": [("bob", 1)],
    }


def test_aggregations_on_an_unmapped_field_are_empty(store, agg_index):
    """A terms or cardinality aggregation on a field no document has answers empty, not an error.

    Terms aggregation (unmapped fields give no buckets), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    aggs = {
        "t": {"terms": {"field": "nosuchfield"}},
        "c": {"cardinality": {"field": "nosuchfield"}},
    }
    result = store.search(agg_index, {"size": 0, "aggs": aggs})["aggregations"]
    assert result["t"]["buckets"] == [] and result["c"]["value"] == 0


def test_top_hits_source_filtering(store, agg_index):
    """top_hits takes _source filtering like a search does.

    Top hits aggregation ("_source"), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-top-hits-aggregation.html
    """
    samples = {"top_hits": {"size": 1, "_source": {"includes": ["hostname"]}}}
    body = {
        "size": 0,
        "query": {"ids": {"values": ["4"]}},
        "aggs": {"ip": {"terms": {"field": "details.sourceipaddress"}, "aggs": {"s": samples}}},
    }
    (bucket,) = store.search(agg_index, body)["aggregations"]["ip"]["buckets"]
    assert bucket["s"]["hits"]["hits"][0]["_source"] == {"hostname": "h2"}


def test_aggregations_merge_across_indices(store, indexed):
    """Searching several indices aggregates over all their hits as one set of buckets.

    Search API (multi-target), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html;
    Terms aggregation, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    mapping = {"properties": {"ip": {"type": "ip"}}}
    today = indexed(mapping, {"1": {"ip": "10.0.0.1"}, "2": {"ip": "10.0.0.2"}})
    yesterday = indexed(mapping, {"1": {"ip": "10.0.0.2"}, "3": {"ip": "10.0.0.2"}})
    body = {
        "size": 0,
        "aggs": {"by": {"terms": {"field": "ip"}}, "n": {"cardinality": {"field": "ip"}}},
    }
    result = store.search([today, yesterday], body)
    buckets = [(b["key"], b["doc_count"]) for b in result["aggregations"]["by"]["buckets"]]
    assert buckets == [("10.0.0.2", 3), ("10.0.0.1", 1)]
    assert result["aggregations"]["n"]["value"] == 2
    assert result["hits"]["total"]["value"] == 4


def test_terms_default_size_is_ten(store, indexed):
    """Without size, a terms aggregation returns the top 10 buckets and counts the rest aside.

    Terms aggregation ("size: ... By default, the node coordinating the search process will
    request each shard to provide its own top size term buckets" with size defaulting to 10),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html
    """
    docs = {str(i): {"k": f"key{i:02d}"} for i in range(12)}
    index = indexed({"properties": {"k": {"type": "keyword"}}}, docs)
    result = store.search(index, {"size": 0, "aggs": {"k": {"terms": {"field": "k"}}}})[
        "aggregations"
    ]["k"]
    assert [b["key"] for b in result["buckets"]] == [f"key{i:02d}" for i in range(10)]
    assert result["sum_other_doc_count"] == 2


MALFORMED_AGGS = [
    pytest.param({"terms": {"field": "hostname", "bogus": 1}}, "bogus", id="terms-unknown-key"),
    pytest.param(
        {"terms": {"field": "hostname", "size": 0}}, "greater than 0", id="terms-size-zero"
    ),
    pytest.param(
        {"terms": {"field": "hostname", "size": -1}}, "greater than 0", id="terms-size-negative"
    ),
    pytest.param({"top_hits": {"bogus": True}}, "bogus", id="top_hits-unknown-key"),
    pytest.param(
        {"cardinality": {"field": "hostname", "bogus": 1}}, "bogus", id="cardinality-unknown-key"
    ),
]


@pytest.mark.parametrize(("agg", "message"), MALFORMED_AGGS)
def test_malformed_aggregation_options_raise(store, agg_index, agg, message):
    """An unknown aggregation option, or a terms size below 1, is a 400 (QueryError).

    Terms aggregation (size), https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html;
    Aggregations, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations.html
    """
    with pytest.raises(QueryError, match=message):
        store.search(agg_index, {"size": 0, "aggs": {"a": agg}})


UNSUPPORTED_AGGS = [
    pytest.param({"terms": {"field": "hostname", "format": "0.0"}}, "format", id="terms-format"),
    pytest.param(
        {"terms": {"field": "hostname", "show_term_doc_count_error": True}},
        "show_term_doc_count_error",
        id="terms-doc-count-error",
    ),
    pytest.param(
        {"top_hits": {"highlight": {"fields": {"hostname": {}}}}}, "highlight", id="top_hits-hl"
    ),
    pytest.param(
        {"top_hits": {"script_fields": {"x": {"script": "1"}}}},
        "script_fields",
        id="top_hits-script_fields",
    ),
    pytest.param({"max": {"field": "details.count", "format": "0.0"}}, "format", id="max-format"),
]


@pytest.mark.parametrize(("agg", "option"), UNSUPPORTED_AGGS)
def test_unimplemented_aggregation_options_raise(backend, store, agg_index, agg, option):
    """Real options the embedded store does not implement raise UnsupportedQueryError.

    Terms aggregation, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-bucket-terms-aggregation.html;
    Top hits aggregation, https://www.elastic.co/guide/en/elasticsearch/reference/current/search-aggregations-metrics-top-hits-aggregation.html
    (embedded leg only: Elasticsearch implements them)
    """
    if backend == "elasticsearch":
        pytest.skip("Elasticsearch implements these options")
    with pytest.raises(UnsupportedQueryError, match=option):
        store.search(agg_index, {"size": 0, "aggs": {"a": agg}})
