"""MozDef's default index template, as data.

The body of MozDef's ``config/defaultMappingTemplate.json`` without the ``_doc`` type
level that Elasticsearch 8 no longer accepts: strings, binaries and numbers that arrive
in new fields are mapped as ``keyword`` by dynamic templates, and the well-known event
fields (``summary``, ``details.sourceipaddress``, the timestamps, ...) have fixed types.
"""

from __future__ import annotations

from typing import Any

_STRING_FIELDS = {"type": "keyword"}
DEFAULT_TEMPLATE: dict[str, Any] = {
    "settings": {},
    "mappings": {
        "date_detection": False,
        "dynamic_templates": [
            {
                f"{kind}_fields": {
                    "mapping": dict(_STRING_FIELDS),
                    "match": "*",
                    "match_mapping_type": kind,
                }
            }
            for kind in ("string", "binary", "double", "long")
        ],
        "properties": {
            **{name: {"type": "keyword"} for name in ("type", "category", "hostname")},
            **{name: {"type": "keyword"} for name in ("processid", "processname", "severity")},
            "source": {"type": "keyword"},
            "summary": {"type": "text"},
            "details": {
                "properties": {
                    "sourceipaddress": {"type": "ip"},
                    "sourceipv4address": {"type": "keyword"},
                    "destinationipaddress": {"type": "ip"},
                    "destinationport": {"type": "keyword"},
                    "destinationipgeopoint": {"type": "geo_point"},
                    "sourceipgeopoint": {"type": "geo_point"},
                    "success": {"type": "boolean"},
                    "sourceport": {"type": "keyword"},
                    "apiversion": {"properties": {"raw_value": {"type": "keyword"}}},
                    "requestparameters": {
                        "properties": {
                            "logstreamname": {"properties": {"raw_value": {"type": "keyword"}}}
                        }
                    },
                }
            },
            **{
                name: {"format": "dateOptionalTime", "type": "date"}
                for name in ("receivedtimestamp", "timestamp", "utctimestamp")
            },
            "version": {"type": "keyword"},
        },
    },
    "aliases": {},
}
"""MozDef's default index template body (config/defaultMappingTemplate.json), without
the `_doc` type level that Elasticsearch 8 no longer accepts."""
