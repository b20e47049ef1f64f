"""Queries on ``text`` fields: tokens of the standard analyzer.

A ``term`` looks for one token exactly as given; ``match`` analyses its query and needs
any (``operator: or``, with ``minimum_should_match``) or all (``operator: and``) of the
tokens; ``match_phrase`` needs the tokens at consecutive positions within one value of
an array, or, with ``slop``, positions at most ``slop`` moves away from that (Lucene's
sloppy phrase matching: terms may come out of order at a cost, so a transposed pair
needs a slop of 2; values of an array are ``position_increment_gap`` (100) apart, so a
phrase never spans two values). A query that analyses to no tokens follows
``zero_terms_query``.
"""

from __future__ import annotations

from typing import Any

from lib.errors import QueryError, UnsupportedQueryError
from lib.store.analysis import standard_tokens
from lib.store.docvalues import keyword_text
from lib.store.fieldtypes import FieldInfo
from lib.store.nodes import Node, match_all, match_none, minimum_should_match
from lib.store.source_values import field_getter


def match_text(info: FieldInfo, query: Any, params: dict[str, Any]) -> Node:
    """A ``match`` query on a text field."""
    tokens = _analyze(params.get("analyzer"), keyword_text(query))
    if not tokens:
        return _zero_terms(params)
    operator = str(params.get("operator", "or")).lower()
    if operator not in ("or", "and"):
        raise QueryError(f"[match] unknown operator [{operator}]")
    wanted = frozenset(tokens)
    if operator == "and":
        return tokens_any(info, wanted, len(wanted), False)
    spec = params.get("minimum_should_match")
    needed = 1 if spec is None else max(minimum_should_match(spec, len(tokens)), 1)
    if needed > len(tokens):
        return match_none
    return tokens_any(info, wanted, min(needed, len(wanted)), False)


def match_phrase_text(info: FieldInfo, query: Any, params: dict[str, Any]) -> Node:
    """A ``match_phrase`` query on a text field."""
    tokens = _analyze(params.get("analyzer"), keyword_text(query))
    if not tokens:
        return _zero_terms(params)
    if len(tokens) == 1:
        return tokens_any(info, frozenset(tokens), 1, False)
    return phrase(info, tokens, _slop(params.get("slop", 0)))


def tokens_any(info: FieldInfo, wanted: frozenset[str], needed: int, ci: bool) -> Node:
    """Documents whose field holds at least `needed` of the `wanted` tokens."""
    get = field_getter(info)
    ascii_tokens = all(t.isascii() for t in wanted)

    def tokens_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
        values = get(source)
        if not values:
            return False
        if ascii_tokens:
            low = " ".join(keyword_text(v) for v in values).lower()
            if sum(1 for t in wanted if t in low) < needed:
                return False
        tokens = {t for v in values for t in standard_tokens(keyword_text(v))}
        if ci:
            tokens = {t.lower() for t in tokens}
        return len(wanted & tokens) >= needed

    return Node(tokens_match, 5)


def phrase(info: FieldInfo, phrase: list[str], slop: int = 0) -> Node:
    """Documents with one value holding the `phrase` tokens within `slop` of their order."""
    get = field_getter(info)
    first, size = phrase[0], len(phrase)
    checks = [t for t in set(phrase) if t.isascii()]

    def phrase_match(source: dict[str, Any], doc_id: str | None = None) -> bool:
        for value in get(source):
            text = keyword_text(value)
            low = text.lower()
            if not all(t in low for t in checks):
                continue
            tokens = standard_tokens(text)
            if slop:
                if sloppy_match(tokens, phrase, slop):
                    return True
                continue
            for start in range(len(tokens) - size + 1):
                if tokens[start] == first and tokens[start : start + size] == phrase:
                    return True
        return False

    return Node(phrase_match, 5)


def sloppy_match(tokens: list[str], phrase: list[str], slop: int) -> bool:
    """Lucene's sloppy phrase rule: one distinct position per phrase term, such that the
    spread of (position - term's offset in the phrase) is at most `slop`."""
    where: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        where.setdefault(token, []).append(position)
    shifted = [[p - offset for p in where.get(term, ())] for offset, term in enumerate(phrase)]
    if not all(shifted):
        return False
    for low in sorted({value for values in shifted for value in values}):
        choices = [
            [value + offset for value in values if low <= value <= low + slop]
            for offset, values in enumerate(shifted)
        ]
        if all(choices) and _distinct_positions(choices, set()):
            return True
    return False


def _distinct_positions(choices: list[list[int]], used: set[int]) -> bool:
    """Whether each term can take one of its positions, no position taken twice."""
    if not choices:
        return True
    for position in choices[0]:
        if position not in used:
            used.add(position)
            if _distinct_positions(choices[1:], used):
                return True
            used.discard(position)
    return False


def _slop(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise QueryError(f"[match_phrase] slop must be an integer, got [{value}]")
    try:
        slop = int(value)
    except ValueError as exc:
        raise QueryError(f"[match_phrase] slop must be an integer, got [{value}]") from exc
    if slop < 0:
        raise QueryError(f"[match_phrase] slop must be >= 0, got [{slop}]")
    return slop


def _analyze(analyzer: Any, text: str) -> list[str]:
    if analyzer in (None, "standard", "default"):
        return standard_tokens(text)
    if analyzer == "keyword":
        return [text]
    if analyzer == "whitespace":
        return text.split()
    raise UnsupportedQueryError(f"analyzer [{analyzer}] is not supported by the embedded store")


def _zero_terms(params: dict[str, Any]) -> Node:
    mode = str(params.get("zero_terms_query", "none")).lower()
    if mode not in ("none", "all"):
        raise QueryError(f"unknown zero_terms_query [{mode}]")
    return match_all if mode == "all" else match_none
