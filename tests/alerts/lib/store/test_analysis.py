"""The standard analyzer: Unicode word segmentation (UAX #29), then lowercasing.

Rules: https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-standard-tokenizer.html
(word boundaries of Unicode Standard Annex #29, max_token_length 255) and
https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-standard-analyzer.html
(standard tokenizer + lowercase token filter).
"""

from __future__ import annotations

import pytest

from lib.store.analysis import standard_tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        pytest.param(
            "The 2 QUICK Brown-Foxes jumped over the lazy dog's bone.",
            [
                "the",
                "2",
                "quick",
                "brown",
                "foxes",
                "jumped",
                "over",
                "the",
                "lazy",
                "dog's",
                "bone",
            ],
            id="reference-example-standard-analyzer",
        ),
        pytest.param(
            "from 11.22.33.44 port", ["from", "11.22.33.44", "port"], id="dots-between-digits-join"
        ),
        pytest.param("www.example.com", ["www.example.com"], id="dots-between-letters-join"),
        pytest.param("foo_bar_1", ["foo_bar_1"], id="underscore-joins"),
        pytest.param("john@example.com", ["john", "example.com"], id="at-splits"),
        pytest.param("/usr/sbin/sshd", ["usr", "sbin", "sshd"], id="slash-splits"),
        pytest.param(
            "a=b,c(d)e-f", ["a", "b", "c", "d", "e", "f"], id="equals-comma-parens-hyphen-split"
        ),
        pytest.param("user:root", ["user:root"], id="colon-between-letters-joins-midletter"),
        pytest.param("10:30", ["10", "30"], id="colon-between-digits-splits"),
        pytest.param("1,000", ["1,000"], id="comma-between-digits-joins-midnum"),
        pytest.param(
            "host1.example.com", ["host1", "example.com"], id="dot-between-digit-and-letter-splits"
        ),
        pytest.param("end. Next", ["end", "next"], id="trailing-dot-splits"),
        pytest.param("ssh2", ["ssh2"], id="letters-and-digits-join"),
        pytest.param("!!! ---", [], id="punctuation-alone-is-no-token"),
        pytest.param("___", [], id="underscores-alone-are-no-token"),
        pytest.param("Déjà VU", ["déjà", "vu"], id="unicode-letters-lowercased"),
        pytest.param("中文", ["中", "文"], id="ideographs-one-token-each"),
        pytest.param("ΟΔΟΣ", ["οδοσ"], id="lowercase-per-character-no-final-sigma"),
    ],
)
def test_standard_tokens(text: str, tokens: list[str]) -> None:
    assert standard_tokens(text) == tokens


def test_tokens_longer_than_max_token_length_are_split_at_255() -> None:
    tokens = standard_tokens("a" * 300)
    assert [len(t) for t in tokens] == [255, 45]


def test_uppercase_never_survives() -> None:
    assert all(t == t.lower() for t in standard_tokens("Failed PASSWORD for Invalid USER"))
