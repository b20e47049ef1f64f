"""Tests of reading whole-number options from alert config files (lib/alert_config.py)."""

from __future__ import annotations

import pytest

from lib.alert_config import positive_int
from lib.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10", 10), (" 2 ", 2), ("1", 1), ("", 7), ("   ", 7)],
    ids=["number", "spaces-around", "one", "empty-takes-default", "blank-takes-default"],
)
def test_positive_int_reads_the_option_or_its_default(value, expected):
    assert positive_int(value, 7, "threshold", "example.conf") == expected


@pytest.mark.parametrize(
    "value", ["0", "-3", "+3", "2.5", "ten", "10 minutes", "²"], ids=lambda value: repr(value)
)
def test_positive_int_names_the_option_and_the_file(value):
    with pytest.raises(ConfigError, match=r"^example\.conf: threshold must be a positive whole"):
        positive_int(value, 7, "threshold", "example.conf")
