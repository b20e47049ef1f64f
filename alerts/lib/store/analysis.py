"""Text analysis: Elasticsearch's `standard` analyzer (standard tokenizer, then lowercase).

The standard tokenizer splits text on the word boundaries of Unicode Standard Annex
#29. The rules that matter for log text:

- letters, digits and ``_`` (ExtendNumLet) join into one word: ``abc_123`` is a token;
- ``.`` ``'`` (MidNumLet) and ``:`` (MidLetter) stay inside a token between two
  letters: ``example.com``, ``dog's``, ``user:root``;
- ``.`` ``'`` ``,`` ``;`` (MidNum) stay inside a token between two digits:
  ``11.22.33.44``, ``1,000``;
- everything else (``@ / = ( ) - " ! ?``, whitespace, ``.`` between a letter and a
  digit) splits, and punctuation alone never forms a token;
- Han ideographs and Hiragana are one token per character, Katakana runs join,
  Thai/Lao/Myanmar/Khmer runs are kept whole (Lucene's <SOUTHEAST_ASIAN> tokens);
- tokens longer than 255 characters are split every 255 characters.

Tokens are then lowercased per character, as Lucene's LowerCaseFilter does.
"""

from __future__ import annotations

import re

MAX_TOKEN_LENGTH = 255

_ASCII_WORD = re.compile(
    r"[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[.',;](?=[0-9]))[A-Za-z0-9_]+)*"
)

_IDEOGRAPHIC = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1950-\u19df"
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0900-\u0903\u093a-\u094f\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
_LETTER = rf"[^\W\d_{_IDEOGRAPHIC}{_KATAKANA}{_SOUTHEAST_ASIAN}]"
_UNIT = rf"(?:[^\W{_IDEOGRAPHIC}{_KATAKANA}{_SOUTHEAST_ASIAN}]|[{_MARKS}])"
_MID_LETTER = ":.'\u00b7\u0387\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a"
_MID_NUM = ".',;\u037e\u0589\u060c\u060d\u066c\u07f8\u2018\u2019\u2024\u2044\ufe10\ufe14\ufe50\ufe52\ufe54\uff07\uff0c\uff0e\uff1b"
_UNICODE_WORD = re.compile(
    rf"[{_IDEOGRAPHIC}]|[{_KATAKANA}]+|[{_SOUTHEAST_ASIAN}]+"
    rf"|{_UNIT}+(?:(?:(?<={_LETTER})[{_MID_LETTER}](?={_LETTER})"
    rf"|(?<=\d)[{_MID_NUM}](?=\d)){_UNIT}+)*"
)


def standard_tokens(text: str) -> list[str]:
    """Tokens of `text` as the standard analyzer produces them (lowercased)."""
    if text.isascii():
        tokens = _ASCII_WORD.findall(text.lower())
    else:
        tokens = [_lowercase(token) for token in _UNICODE_WORD.findall(text)]
    if not tokens:
        return tokens
    if "_" in text and any(not token.strip("_") for token in tokens):
        tokens = [token for token in tokens if token.strip("_")]
    if len(text) > MAX_TOKEN_LENGTH and any(len(t) > MAX_TOKEN_LENGTH for t in tokens):
        tokens = [piece for token in tokens for piece in _split_long(token)]
    return tokens


def _lowercase(token: str) -> str:
    """Lowercase per character (no context-dependent final sigma, as Java does)."""
    if token.isascii():
        return token.lower()
    return token.replace("\u03a3", "\u03c3").replace("\u0130", "i").lower()


def _split_long(token: str) -> list[str]:
    return [token[i : i + MAX_TOKEN_LENGTH] for i in range(0, len(token), MAX_TOKEN_LENGTH)]
