"""Mappings: MozDef's default template, Elasticsearch's dynamic rules, document refusal.

Rules from the Elasticsearch reference:
- dynamic field mapping: https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-field-mapping.html
- dynamic templates: https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic-templates.html
- `dynamic` parameter: https://www.elastic.co/guide/en/elasticsearch/reference/current/dynamic.html
- ignore_malformed (default false rejects the document):
  https://www.elastic.co/guide/en/elasticsearch/reference/current/ignore-malformed.html
- ip / boolean / number / date field types: .../ip.html, .../boolean.html, .../number.html, .../date.html
- dotted field names and objects: https://www.elastic.co/guide/en/elasticsearch/reference/current/object.html
- arrays and null values: https://www.elastic.co/guide/en/elasticsearch/reference/current/array.html,
  .../null-value.html
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lib.errors import DocumentError, StoreError
from lib.store.mapping import DEFAULT_TEMPLATE, Mapping, field_values
from lib.store.mapping_params import check_mappings
from lib.store.shapes import shape_of


def mozdef() -> Mapping:
    return Mapping.from_body(copy.deepcopy(DEFAULT_TEMPLATE))


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("category", "keyword", id="category-keyword"),
        pytest.param("summary", "text", id="summary-text"),
        pytest.param("details.sourceipaddress", "ip", id="source-ip"),
        pytest.param("details.destinationipaddress", "ip", id="destination-ip"),
        pytest.param("utctimestamp", "date", id="utctimestamp-date"),
        pytest.param("receivedtimestamp", "date", id="receivedtimestamp-date"),
        pytest.param("timestamp", "date", id="timestamp-date"),
        pytest.param("details.success", "boolean", id="success-boolean"),
        pytest.param("details", "object", id="details-object"),
        pytest.param("nothing.here", None, id="unmapped"),
    ],
)
def test_mozdef_default_template_types(path: str, kind: str | None) -> None:
    assert mozdef().field_type(path) == kind


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {"mappings": {"_doc": {"properties": {"a": {"type": "ip"}}}}}, id="with-doc-type-level"
        ),
        pytest.param({"mappings": {"properties": {"a": {"type": "ip"}}}}, id="typeless"),
        pytest.param({"properties": {"a": {"type": "ip"}}}, id="bare-mapping"),
    ],
)
def test_from_body_accepts_type_level_or_not(body: dict[str, Any]) -> None:
    mapping = Mapping.from_body(body)
    assert mapping.field_type("a") == "ip"
    assert mapping.to_dict() == {"properties": {"a": {"type": "ip"}}}


@pytest.mark.parametrize(
    ("value", "path", "kind"),
    [
        pytest.param("sshd", "x", "keyword", id="string-by-template-is-keyword"),
        pytest.param(22, "x", "keyword", id="long-by-template-is-keyword"),
        pytest.param(1.5, "x", "keyword", id="double-by-template-is-keyword"),
        pytest.param(True, "x", "boolean", id="boolean-stays-boolean"),
        pytest.param(
            "2017-01-01T00:00:00Z", "x", "keyword", id="no-date-detection-in-mozdef-template"
        ),
    ],
)
def test_mozdef_dynamic_templates(value: Any, path: str, kind: str) -> None:
    mapping = mozdef()
    assert mapping.prepare({"details": {path: value}}) is True
    assert mapping.field_type(f"details.{path}") == kind


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        pytest.param("hello", "text", id="string-text"),
        pytest.param(5, "long", id="integer-long"),
        pytest.param(5.5, "float", id="double-float"),
        pytest.param(False, "boolean", id="boolean"),
        pytest.param({"a": "b"}, "object", id="object"),
        pytest.param("2017-01-01T00:00:00Z", "date", id="date-detection-strict-date-optional-time"),
        pytest.param("2017/01/02", "date", id="date-detection-slash-format"),
        pytest.param("2017", "text", id="date-detection-needs-separator"),
        pytest.param(["a", "b"], "text", id="array-takes-element-type"),
    ],
)
def test_elasticsearch_dynamic_defaults(value: Any, kind: str) -> None:
    mapping = Mapping.from_body(None)
    mapping.prepare({"f": value})
    assert mapping.field_type("f") == kind


def test_dynamic_string_gets_keyword_subfield_ignore_above_256() -> None:
    mapping = Mapping.from_body({"mappings": {}})
    mapping.prepare({"msg": "hello"})
    assert mapping.to_dict()["properties"]["msg"] == {
        "type": "text",
        "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
    }
    assert mapping.field_type("msg.keyword") == "keyword"
    info = mapping.field("msg.keyword")
    assert info is not None and info.source == "msg" and info.ignore_above == 256


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"v": None}, id="null-adds-no-field"),
        pytest.param({"v": []}, id="empty-array-adds-no-field"),
        pytest.param({"v": [None]}, id="array-of-null-adds-no-field"),
    ],
)
def test_null_and_empty_arrays_add_no_mapping(document: dict[str, Any]) -> None:
    mapping = Mapping.from_body(None)
    assert mapping.prepare(document) is False
    assert mapping.field_type("v") is None


def test_dotted_keys_are_nested_paths() -> None:
    mapping = mozdef()
    mapping.prepare({"details.program": "sshd", "details": {"user": "bob"}})
    props = mapping.to_dict()["properties"]["details"]["properties"]
    assert props["program"] == {"type": "keyword"} and props["user"] == {"type": "keyword"}
    assert "details.program" not in mapping.to_dict()["properties"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        pytest.param(
            {"details": {"sourceipaddress": "not-an-ip"}},
            "details.sourceipaddress",
            id="ip-malformed",
        ),
        pytest.param(
            {"details": {"sourceipaddress": 12}}, "details.sourceipaddress", id="ip-number"
        ),
        pytest.param({"utctimestamp": "yesterday"}, "utctimestamp", id="date-malformed"),
        pytest.param(
            {"utctimestamp": "2017-01-01 10:00:00"}, "utctimestamp", id="date-space-separator"
        ),
        pytest.param({"details": {"success": "yes"}}, "details.success", id="boolean-malformed"),
        pytest.param({"details": "flat"}, "details", id="value-where-object-mapped"),
        pytest.param({"category": {"a": 1}}, "category", id="object-where-value-mapped"),
        pytest.param({"details.success.x": 1}, "details.success", id="dotted-key-through-a-value"),
        pytest.param({"_id": "x"}, "_id", id="metadata-field-inside-document"),
    ],
)
def test_malformed_values_reject_the_document(document: dict[str, Any], field: str) -> None:
    """ignore_malformed defaults to false: the whole document is refused, naming the field."""
    mapping = mozdef()
    before = mapping.to_dict()
    with pytest.raises(DocumentError) as caught:
        mapping.prepare({"newfield": "x", **document})
    assert caught.value.field == field
    assert mapping.to_dict() == before, "a refused document must not change the mapping"


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        pytest.param("long", "12", "twelve", id="long-coerces-numeric-strings"),
        pytest.param("integer", 3.7, 2**40, id="integer-range"),
        pytest.param("byte", 127, 128, id="byte-range"),
        pytest.param("float", "1.5", "NaN", id="float-finite"),
        pytest.param("boolean", "false", 0, id="boolean-strings-only"),
        pytest.param("boolean", "", "no", id="boolean-empty-string-is-false"),
        pytest.param("ip", "2001:db8::1", "2001:db8::g", id="ipv6"),
    ],
)
def test_field_type_validation(kind: str, good: Any, bad: Any) -> None:
    mapping = Mapping.from_body({"mappings": {"properties": {"f": {"type": kind}}}})
    mapping.prepare({"f": good})
    with pytest.raises(DocumentError, match=r"\[f\]"):
        mapping.prepare({"f": bad})


def test_strict_dynamic_refuses_new_fields() -> None:
    mapping = Mapping.from_body(
        {"mappings": {"dynamic": "strict", "properties": {"a": {"type": "keyword"}}}}
    )
    mapping.prepare({"a": "ok"})
    with pytest.raises(DocumentError) as caught:
        mapping.prepare({"b": "new"})
    assert caught.value.error_type == "strict_dynamic_mapping_exception"


def test_dynamic_false_keeps_new_fields_unmapped() -> None:
    mapping = Mapping.from_body({"mappings": {"dynamic": False}})
    assert mapping.prepare({"b": "new"}) is False
    assert mapping.field_type("b") is None


def test_dynamic_template_path_match_and_mapping_type() -> None:
    body = {
        "mappings": {
            "dynamic_templates": [
                {"ips": {"path_match": "net.*_ip", "mapping": {"type": "ip"}}},
                {"longs": {"match_mapping_type": "long", "mapping": {"type": "integer"}}},
            ]
        }
    }
    mapping = Mapping.from_body(body)
    mapping.prepare({"net": {"src_ip": "10.0.0.1", "port": 22}, "other_ip": "x"})
    assert mapping.field_type("net.src_ip") == "ip"
    assert mapping.field_type("net.port") == "integer"
    assert mapping.field_type("other_ip") == "text"
    with pytest.raises(DocumentError):
        mapping.prepare({"net": {"dst_ip": "not-an-ip"}})


def test_prepare_reports_no_change_for_known_fields() -> None:
    mapping = mozdef()
    assert mapping.prepare({"category": "a", "details": {"sourceipaddress": "1.2.3.4"}}) is False


@pytest.mark.parametrize(
    ("source", "path", "values"),
    [
        pytest.param({"a": {"b": "x"}}, "a.b", ["x"], id="nested-path"),
        pytest.param({"a.b": "x"}, "a.b", ["x"], id="dotted-key"),
        pytest.param(
            {"a.b": "x", "a": {"b": "y"}}, "a.b", ["y", "x"], id="dotted-and-nested-both-count"
        ),
        pytest.param({"a": {"b": ["x", ["y"]]}}, "a.b", ["x", "y"], id="arrays-flatten"),
        pytest.param({"a": [{"b": 1}, {"b": 2}]}, "a.b", [1, 2], id="arrays-of-objects-flatten"),
        pytest.param({"a": {"b": None}}, "a.b", [], id="null-is-no-value"),
        pytest.param({"a": {"b": []}}, "a.b", [], id="empty-array-is-no-value"),
        pytest.param({"a": {"b": [None]}}, "a.b", [], id="array-of-null-is-no-value"),
        pytest.param({"a": {"b": {"c": 1}}}, "a.b", [], id="object-is-not-a-leaf-value"),
        pytest.param({"a": {"b.c": {"d": 5}}}, "a.b.c.d", [5], id="deep-mixed-dotted-keys"),
        pytest.param({"x": 0}, "x", [0], id="zero-is-a-value"),
        pytest.param({"x": False}, "x", [False], id="false-is-a-value"),
    ],
)
def test_field_values(source: dict[str, Any], path: str, values: list[Any]) -> None:
    assert sorted(map(str, field_values(source, path))) == sorted(map(str, values))


# -- the validation plan cached per document shape (lib/store/shapes.py) -----------------


def _event(**details: Any) -> dict[str, Any]:
    return {
        "utctimestamp": "2017-03-27T13:08:09+00:00",
        "summary": "Failed password",
        "tags": ["syslog"],
        "details": {"sourceipaddress": "1.2.3.4", "success": False, **details},
    }


def _prepare_with_shape(mapping: Mapping, document: dict[str, Any]) -> bool:
    return mapping.prepare(document, shape_of(document))


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        pytest.param("sourceipaddress", "not-an-ip", "is not an IP string literal", id="ip"),
        pytest.param("success", "maybe", r"only \[true\] or \[false\]", id="boolean"),
    ],
)
def test_a_repeated_shape_still_refuses_malformed_values(field, value, reason):
    """ignore_malformed false: every value is checked, also for a shape seen before."""
    mapping = mozdef()
    _prepare_with_shape(mapping, _event())
    assert _prepare_with_shape(mapping, _event()) is False
    with pytest.raises(DocumentError, match=reason):
        _prepare_with_shape(mapping, _event(**{field: value}))


def test_a_repeated_shape_still_refuses_a_malformed_date():
    """date field type: an unparseable date rejects the document, shape seen or not."""
    mapping = mozdef()
    _prepare_with_shape(mapping, _event())
    _prepare_with_shape(mapping, _event())
    bad = {**_event(), "utctimestamp": "yesterday at noon"}
    with pytest.raises(DocumentError, match="failed to parse"):
        _prepare_with_shape(mapping, bad)


def test_a_repeated_shape_refuses_array_items_one_by_one():
    """Arrays: each item is checked against the field's type (array.html)."""
    mapping = mozdef()
    doc = {**_event(), "details": {"sourceipaddress": ["1.2.3.4", "5.6.7.8"]}}
    _prepare_with_shape(mapping, doc)
    _prepare_with_shape(mapping, doc)
    bad = {**_event(), "details": {"sourceipaddress": ["1.2.3.4", "nope"]}}
    with pytest.raises(DocumentError, match="is not an IP string literal"):
        _prepare_with_shape(mapping, bad)


def test_a_new_field_after_a_cached_shape_is_still_mapped():
    """Dynamic mapping: a document with a new field maps it even after repeated shapes."""
    mapping = mozdef()
    _prepare_with_shape(mapping, _event())
    assert _prepare_with_shape(mapping, _event()) is False
    assert _prepare_with_shape(mapping, _event(newfield="x")) is True
    assert mapping.field_type("details.newfield") == "keyword"


def test_shape_distinguishes_value_types_so_an_object_on_a_leaf_is_refused():
    """object.html: an object where a leaf is mapped is refused, whatever came before."""
    mapping = mozdef()
    _prepare_with_shape(mapping, _event(username="root"))
    _prepare_with_shape(mapping, _event(username="root"))
    with pytest.raises(DocumentError, match="details.username"):
        _prepare_with_shape(mapping, _event(username={"name": "root"}))


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"a": [{"b": 1}]}, id="array-of-objects"),
        pytest.param({"a": [[1]]}, id="array-of-arrays"),
        pytest.param({"a": float("nan")}, id="non-finite-float"),
        pytest.param({"a": (1, 2)}, id="tuple-is-not-plain-json"),
    ],
)
def test_documents_outside_the_fast_path_have_no_shape(document):
    """Such documents always take the full document parser."""
    assert shape_of(document) is None


def test_shape_is_the_keys_and_the_kind_of_each_value():
    """Two documents of one shape differ only in values."""
    one = {"a": "x", "b": {"c": 1, "d": ["p", None]}}
    two = {"a": "y", "b": {"c": 2, "d": ["q", None]}}
    assert shape_of(one) == shape_of(two)
    assert shape_of(one) != shape_of({"a": 1, "b": {"c": 1, "d": ["p", None]}})


def test_default_template_passes_the_mapping_parameter_check():
    """The default template maps through dynamic templates the engine honours: accepted."""
    check_mappings(Mapping.from_body(DEFAULT_TEMPLATE).to_dict())


def test_a_dynamic_template_placeholder_type_is_checked_by_parameters_only():
    """``{dynamic_type}`` is resolved per field; its parameters are still checked."""
    template = {"match": "*", "mapping": {"type": "{dynamic_type}", "store": True}}
    check_mappings({"dynamic_templates": [{"all": template}]})
    template["mapping"]["normalizer"] = "lower"
    with pytest.raises(StoreError, match="normalizer"):
        check_mappings({"dynamic_templates": [{"all": template}]})
