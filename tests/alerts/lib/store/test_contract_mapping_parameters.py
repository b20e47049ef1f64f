"""Contract: mapping parameters at index creation, checked per field type.

Elasticsearch refuses an unknown parameter or field type (mapper_parsing_exception); the
embedded store refuses as well, and also refuses real parameters and types it does not
implement rather than accept them and answer queries as if they were absent.
"""

from __future__ import annotations

import pytest

from lib.errors import StoreError


def _field(spec: dict) -> dict:
    return {"properties": {"f": spec}}


@pytest.mark.parametrize(
    ("mappings", "message"),
    [
        pytest.param(
            _field({"type": "keyword", "bogus_param": 1}),
            r"unknown parameter \[bogus_param\] on mapper \[f\] of type \[keyword\]",
            id="unknown-parameter-on-keyword",
        ),
        pytest.param(
            _field({"type": "text", "ignore_above": 10}),
            r"unknown parameter \[ignore_above\] on mapper \[f\] of type \[text\]",
            id="keyword-only-parameter-on-text",
        ),
        pytest.param(
            _field({"type": "bogus"}),
            r"No handler for type \[bogus\] declared on field \[f\]",
            id="unknown-field-type",
        ),
    ],
)
def test_unknown_mapping_parameters_and_types_are_refused(make_index, mappings, message):
    """An unknown mapping parameter or type fails index creation, naming it.

    Mapping parameters, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-params.html;
    Field data types, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-types.html
    """
    with pytest.raises(StoreError, match=message):
        make_index(mappings)


UNSUPPORTED = [
    pytest.param(_field({"type": "keyword", "normalizer": "lower"}), "normalizer", id="normalizer"),
    pytest.param(_field({"type": "text", "analyzer": "whitespace"}), "analyzer", id="analyzer"),
    pytest.param(
        _field({"type": "text", "search_analyzer": "simple"}), "search_analyzer", id="search"
    ),
    pytest.param(_field({"type": "keyword", "copy_to": "all"}), "copy_to", id="copy_to"),
    pytest.param(_field({"type": "long", "coerce": False}), "coerce", id="coerce-false"),
    pytest.param(
        _field({"type": "ip", "ignore_malformed": True}), "ignore_malformed", id="ignore_malformed"
    ),
    pytest.param(_field({"type": "keyword", "index": False}), "index", id="index-false"),
    pytest.param(_field({"type": "text", "index_options": "docs"}), "index_options", id="no-pos"),
    pytest.param(_field({"type": "nested"}), r"type \[nested\]", id="nested-type"),
    pytest.param(_field({"type": "wildcard"}), r"type \[wildcard\]", id="wildcard-type"),
    pytest.param(
        _field({"type": "text", "fields": {"raw": {"type": "keyword", "normalizer": "lower"}}}),
        r"f\.raw",
        id="multi-field-parameter",
    ),
    pytest.param({"dynamic": "runtime"}, "dynamic", id="dynamic-runtime"),
    pytest.param({"runtime": {"r": {"type": "keyword"}}}, "runtime", id="runtime-fields"),
    pytest.param(
        {"dynamic_templates": [{"s": {"match": "*", "mapping": {"copy_to": "all"}}}]},
        "copy_to",
        id="dynamic-template-copy_to",
    ),
]


@pytest.mark.parametrize(("mappings", "named"), UNSUPPORTED)
def test_mapping_parameters_the_embedded_store_does_not_implement_are_refused(
    backend, make_index, mappings, named
):
    """A real parameter or type the engine ignores would change answers: it is refused.

    Mapping parameters, https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-params.html
    (embedded leg only: Elasticsearch implements them)
    """
    if backend == "elasticsearch":
        pytest.skip("Elasticsearch implements these parameters")
    with pytest.raises(StoreError, match=f"{named}.*not supported by the embedded store"):
        make_index(mappings)


def test_parameters_that_change_no_answer_are_accepted(indexed, search_ids, store):
    """Storage, scoring and default-valued parameters are accepted; ignore_above still applies.

    Mapping parameters (doc_values, store, norms, index_options, ignore_above, analyzer),
    https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-params.html
    """
    keyword = {"type": "keyword", "doc_values": True, "store": True, "ignore_above": 5}
    keyword |= {"index": True, "index_options": "docs", "norms": False, "meta": {"unit": "x"}}
    text = {"type": "text", "analyzer": "standard", "norms": False, "fielddata": True}
    text |= {"index_options": "positions", "similarity": "BM25", "store": False}
    number = {"type": "long", "coerce": True, "ignore_malformed": False, "null_value": 0}
    mappings = {"properties": {"k": keyword, "t": text, "n": number}}
    index = indexed(
        mappings, {"a": {"k": "short", "t": "Hello World", "n": None}, "b": {"k": "longer"}}
    )
    assert search_ids(index, {"term": {"k": "short"}}) == {"a"}
    assert search_ids(index, {"term": {"k": "longer"}}) == set()
    assert search_ids(index, {"match": {"t": "hello"}}) == {"a"}
    assert search_ids(index, {"term": {"n": 0}}) == {"a"}


def test_mozdef_template_is_accepted(make_index, mozdef_mappings, store):
    """MozDef's template (dynamic templates mapping strings and numbers to keyword) is valid.

    Dynamic templates, https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-templates.html
    """
    index = make_index(mozdef_mappings)
    assert store.get_mapping(index)[index]["mappings"]["dynamic_templates"]
