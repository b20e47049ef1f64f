"""DotDict: attribute access and dotted-path get, as MozDef's alerts use it."""

from __future__ import annotations

import copy
import pickle

import pytest

from lib.dot_dict import DotDict

NESTED = {"details": {"key1": "value1", "subkey": {"subkey": "subvalue"}}}


def test_blank_init():
    assert list(DotDict().keys()) == []


def test_missing_attribute_is_a_key_error_and_an_attribute_error():
    dct = DotDict()
    with pytest.raises(KeyError):
        _ = dct.abcd
    assert not hasattr(dct, "abcd")
    assert getattr(dct, "abcd", "fallback") == "fallback"


def test_keys_read_as_attributes_at_every_level():
    dct = DotDict(NESTED)
    assert dct.details.key1 == "value1"
    assert dct.details.subkey.subkey == "subvalue"
    assert dct.details == {"key1": "value1", "subkey": {"subkey": "subvalue"}}


def test_get_follows_dotted_paths():
    dct = DotDict(NESTED)
    assert dct.get("details.key1") == "value1"
    assert dct.get("details.subkey") == {"subkey": "subvalue"}
    assert dct.get("details.subkey.subkey") == "subvalue"
    assert dct.get("does.not.exist") is None
    assert dct.get("details.key1.deeper") is None
    assert dct.get("missing", "default") == "default"


def test_attribute_writes_and_deletes_are_item_writes():
    dct = DotDict()
    dct.summary = "x"
    dct.details = {"program": "sshd"}
    assert dct == {"summary": "x", "details": {"program": "sshd"}}
    assert dct.details.program == "sshd"
    del dct.summary
    assert "summary" not in dct
    with pytest.raises(KeyError):
        del dct.summary


def test_copies_and_pickles():
    dct = DotDict(NESTED)
    assert copy.deepcopy(dct) == dct
    assert pickle.loads(pickle.dumps(dct)).details.key1 == "value1"
