"""The Elasticsearch backend without a cluster: URL and credentials, error translation.

The client is the real `elasticsearch` client; requests go to a closed localhost port,
so connection failures are real ones. Behaviour against a live cluster is the
contract suite's (it runs when VIGIL_TEST_ES_URL is set).
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import elasticsearch
import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig

from lib.errors import ConfigError, DocumentError, IndexNotFoundError, QueryError, StoreError
from lib.store import open_store
from lib.store.elasticsearch import (
    ElasticsearchStore,
    anchor_now,
    connection_settings,
    server_mapping,
    translate,
)


@pytest.fixture(scope="module")
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def store(closed_port) -> ElasticsearchStore:
    backend = ElasticsearchStore(f"http://127.0.0.1:{closed_port}", request_timeout=2)
    yield backend
    backend.close()


def api_error(cls: type, status: int, body: object) -> Exception:
    meta = ApiResponseMeta(
        status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "localhost", 9200)
    )
    return cls("error", meta, body)


# -- connection settings ------------------------------------------------------------------


def test_basic_auth_from_the_url_is_percent_decoded_and_removed_from_the_host():
    settings = connection_settings("https://us%40er:p%3Ass@es.example.com:9200", {})
    assert settings["hosts"] == ["https://es.example.com:9200"]
    assert settings["basic_auth"] == ("us@er", "p:ss")


def test_api_key_from_the_environment_wins_over_url_credentials():
    settings = connection_settings("https://u:p@es:9200", {"VIGIL_ES_API_KEY": "abc=="})
    assert settings["api_key"] == "abc==" and "basic_auth" not in settings


def test_ca_certs_and_verify_flag():
    env = {"VIGIL_ES_CA_CERTS": "/etc/ca.pem", "VIGIL_ES_VERIFY_CERTS": "false"}
    settings = connection_settings("https://es:9200", env)
    assert settings["ca_certs"] == "/etc/ca.pem" and settings["verify_certs"] is False
    assert "verify_certs" not in connection_settings("https://es:9200", {})
    assert connection_settings("https://es:9200?verify_certs=false", {})["verify_certs"] is False


def test_ipv6_host_and_path_prefix():
    settings = connection_settings("http://[::1]:9200/prefix/", {})
    assert settings["hosts"] == ["http://[::1]:9200/prefix"]


@pytest.mark.parametrize("url", ["http://", "ftp://es:9200", "es:9200"])
def test_bad_urls_are_config_errors(url):
    with pytest.raises(ConfigError, match="store URL"):
        connection_settings(url, {})


def test_open_store_picks_the_backend_by_url_without_io(closed_port):
    backend = open_store(f"http://127.0.0.1:{closed_port}")
    assert isinstance(backend, ElasticsearchStore)
    assert backend._client is None  # nothing created, nothing connected


# -- errors: real connection failures -------------------------------------------------------


def test_connection_refused_is_a_store_error_with_the_cause_chained(store):
    with pytest.raises(StoreError, match="cannot reach Elasticsearch") as caught:
        store.search("events", {"query": {"match_all": {}}})
    assert isinstance(caught.value.__cause__, elasticsearch.ConnectionError)


def test_writes_fail_cleanly_when_the_cluster_is_down(store):
    with pytest.raises(StoreError, match="cannot reach Elasticsearch"):
        store.index("events", {"a": 1})


def test_scan_translates_connection_errors(store):
    with pytest.raises(StoreError, match="cannot reach Elasticsearch"):
        list(store.scan("events"))


def test_bulk_of_only_malformed_actions_answers_per_item_without_a_request(store):
    response = store.bulk(
        ["not an action", {"_op_type": "explode", "_index": "x"}, {"_source": {}}]
    )
    assert response["errors"] is True
    types = [next(iter(item.values()))["error"]["type"] for item in response["items"]]
    assert types == [
        "action_request_validation_exception",
        "illegal_argument_exception",
        "action_request_validation_exception",
    ]


@pytest.mark.parametrize("target", ["events", "some-index"])
def test_bulk_raises_when_the_cluster_cannot_be_reached(store, target):
    """An outage is not a bad document: the bulk raises StoreError (cause chained) instead of
    answering per-item errors, so loginput can answer 503."""
    with pytest.raises(StoreError, match="cannot reach Elasticsearch") as caught:
        store.bulk([{"_index": target, "_source": {"a": 1}}, "not an action"])
    assert isinstance(caught.value.__cause__, elasticsearch.TransportError)


def test_index_refuses_a_non_object_document_before_sending(store):
    with pytest.raises(DocumentError, match="must start with an object"):
        store.index("events", ["not", "an", "object"])  # type: ignore[arg-type]


NOT_JSON = [
    pytest.param({"tags": {"a", "b"}}, "not valid JSON", id="a set"),
    pytest.param({"score": float("nan")}, "non-finite number", id="NaN"),
    pytest.param({"blob": "x" * (11 * 1024 * 1024)}, "larger than the limit", id="over 10 MiB"),
]


@pytest.mark.parametrize("document, reason", NOT_JSON)
def test_bulk_refuses_documents_the_embedded_store_refuses_per_item(store, document, reason):
    """Not a connection problem: the same per-item refusal as the embedded store's."""
    actions = [
        {"_index": "events", "_source": document},
        {"_op_type": "update", "_index": "events", "_id": "1", "doc": document},
    ]
    response = store.bulk(actions)
    errors = [next(iter(item.values()))["error"] for item in response["items"]]
    assert response["errors"] is True and len(errors) == 2
    assert all(reason in error["reason"] for error in errors), errors


@pytest.mark.parametrize("document, reason", NOT_JSON)
def test_index_refuses_a_document_that_is_not_json_before_sending(store, document, reason):
    with pytest.raises(DocumentError, match=reason):
        store.index("events", document)


# -- errors: translation of Elasticsearch's answers -----------------------------------------


def test_index_not_found_becomes_index_not_found_error():
    body = {
        "error": {"type": "index_not_found_exception", "reason": "no such index [nope]"},
        "status": 404,
    }
    error = translate(api_error(elasticsearch.NotFoundError, 404, body))
    assert isinstance(error, IndexNotFoundError)
    assert str(error) == "index_not_found_exception: no such index [nope]"


def test_parsing_errors_become_query_errors_with_the_root_cause():
    body = {
        "error": {
            "type": "search_phase_execution_exception",
            "reason": "all shards failed",
            "root_cause": [
                {"type": "query_shard_exception", "reason": "Failed to parse query [a:(]"}
            ],
        },
        "status": 400,
    }
    error = translate(api_error(elasticsearch.BadRequestError, 400, body))
    assert isinstance(error, QueryError) and "Failed to parse query [a:(]" in str(error)


def test_document_parsing_errors_become_document_errors():
    body = {"error": {"type": "document_parsing_exception", "reason": "failed to parse field [ip]"}}
    error = translate(api_error(elasticsearch.BadRequestError, 400, body))
    assert isinstance(error, DocumentError) and error.error_type == "document_parsing_exception"


def test_other_api_errors_are_store_errors_naming_the_status():
    body = {"error": {"type": "security_exception", "reason": "missing authentication credentials"}}
    error = translate(api_error(elasticsearch.AuthenticationException, 401, body))
    assert type(error) is StoreError and "401" in str(error) and "security_exception" in str(error)


def test_a_server_that_is_not_elasticsearch_is_named():
    error = translate(api_error(elasticsearch.UnsupportedProductError, 200, {}))
    assert isinstance(error, StoreError) and "OpenSearch" in str(error)


def test_non_client_errors_are_not_translated():
    assert translate(ValueError("ours")) is None


# -- the caller's clock ---------------------------------------------------------------------


def test_now_in_range_bounds_is_pinned_to_the_callers_clock():
    """Vigil resolves `now` with the caller's clock (DESIGN: the store never uses its own)."""
    body = {
        "query": {
            "bool": {
                "should": [
                    {"range": {"utctimestamp": {"gte": "now-20m", "lte": "now"}}},
                    {"range": {"n": {"gte": 5}}},
                    {"range": {"when": {"gte": "now/d", "format": "yyyy"}}},
                ]
            }
        }
    }
    now = datetime(2024, 6, 1, 12, 0, 30, 123000, tzinfo=UTC)
    pinned = anchor_now(body, now)
    should = pinned["query"]["bool"]["should"]
    assert should[0]["range"]["utctimestamp"] == {
        "gte": "2024-06-01T12:00:30.123Z||-20m",
        "lte": "2024-06-01T12:00:30.123Z",
    }
    assert should[1] == body["query"]["bool"]["should"][1]
    assert should[2] == body["query"]["bool"]["should"][2]
    assert body["query"]["bool"]["should"][0]["range"]["utctimestamp"]["gte"] == "now-20m"


def test_mozdef_template_is_sent_with_snake_case_date_formats(mozdef_template):
    """Elasticsearch 8 rejects camel-case built-in date formats such as MozDef's
    ``dateOptionalTime`` in new mappings ("Camel case date formats are no longer
    supported", Elasticsearch 8.0 breaking changes); the snake-case name means the same.
    """
    sent = server_mapping(mozdef_template)
    assert "dateOptionalTime" not in repr(sent)
    assert sent["properties"]["utctimestamp"] == {"type": "date", "format": "date_optional_time"}
