"""Alerts written for MozDef import from `mozdef_util` unchanged, and get Vigil's objects."""

from __future__ import annotations

import importlib

import pytest

import lib.query_models

NAMES = [
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


@pytest.mark.parametrize("name", NAMES)
def test_query_models_reexports_vigils_object(name):
    module = importlib.import_module("mozdef_util.query_models")
    assert getattr(module, name) is getattr(lib.query_models, name)


def test_mozdef_import_lines_work():
    from mozdef_util.query_models import (  # noqa: F401
        Aggregation,
        ExistsMatch,
        PhraseMatch,
        QueryStringMatch,
        SearchQuery,
        TermMatch,
    )
    from mozdef_util.utilities.dot_dict import DotDict
    from mozdef_util.utilities.logger import logger
    from mozdef_util.utilities.toUTC import toUTC

    assert str(toUTC("2016-07-13 14:33:31-08:00")) == "2016-07-13 22:33:31+00:00"
    assert DotDict({"a": {"b": 1}}).get("a.b") == 1
    assert logger.name == "mozdef"


def test_toUTC_is_reachable_as_a_module_attribute():
    import mozdef_util.utilities.toUTC

    assert mozdef_util.utilities.toUTC.toUTC(0).isoformat() == "1970-01-01T00:00:00+00:00"


def test_a_mozdef_style_query_builds():
    from mozdef_util.query_models import PhraseMatch, SearchQuery, TermMatch

    query = SearchQuery(minutes=2)
    query.add_must([TermMatch("category", "syslog"), PhraseMatch("summary", "failed password")])
    assert query.request_body()["query"]["bool"]["filter"][1] == {
        "bool": {
            "must": [
                {"match": {"category": "syslog"}},
                {"match_phrase": {"summary": "failed password"}},
            ]
        }
    }
