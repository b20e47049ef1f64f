"""Lucene term patterns translated to Python regular expressions: wildcards and regexps.

Wildcard (``wildcard`` query, ``*``/``?`` terms in ``query_string``): ``*`` is any run of
characters, ``?`` exactly one, ``\\`` escapes the next character; the pattern covers the
whole term.

Regexp (``regexp`` query, ``/.../`` in ``query_string``): Lucene's RegExp syntax, always
anchored to the whole term: ``.`` ``?`` ``*`` ``+`` ``{n}`` ``{n,}`` ``{n,m}`` ``|``
``( )`` ``[...]`` ``[^...]`` ``"literal"`` ``\\`` escapes and the ``\\d \\s \\w`` classes.
With Elasticsearch's default flags (``ALL``) ``@`` is any string, ``#`` the empty
language, ``<n-m>`` a numeric interval and ``&`` intersection (binding looser than
concatenation, tighter than ``|``; supported outside parentheses, where the whole term
must match each side); ``~`` (complement) and ``&`` inside a group raise
`UnsupportedQueryError`. ``^`` and ``$`` are ordinary characters in Lucene regexps.
"""

from __future__ import annotations

import re

from lib.errors import QueryError, UnsupportedQueryError

MAX_REGEX_LENGTH = 1000
_AND = "\x00&"  # marks a top-level intersection in the output (no escaped input looks so)
_FLAG_NAMES = {
    "ALL": {"~", "&", "<", "#", "@"},
    "NONE": set(),
    "COMPLEMENT": {"~"},
    "INTERSECTION": {"&"},
    "INTERVAL": {"<"},
    "EMPTY": {"#"},
    "ANYSTRING": {"@"},
}
_CLASSES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": r"[ \t\n\r\f\v]",
    "S": r"[^ \t\n\r\f\v]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
}


def wildcard_regex(pattern: str, case_insensitive: bool = False) -> re.Pattern[str]:
    """Compile a Lucene wildcard pattern into an anchored Python regex."""
    out = []
    chars = iter(pattern)
    for char in chars:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\":
            out.append(re.escape(next(chars, "\\")))
        else:
            out.append(re.escape(char))
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.compile("".join(out), flags)


def wildcard_literal_prefix(pattern: str) -> str | None:
    """The literal prefix if `pattern` is ``literal*`` (a fast startswith), else None."""
    if pattern.endswith("*") and not any(c in pattern[:-1] for c in "*?\\"):
        return pattern[:-1]
    return None


def lucene_regex(
    pattern: str, flags: str = "ALL", case_insensitive: bool = False
) -> re.Pattern[str]:
    """Compile a Lucene regular expression into an anchored Python regex."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise QueryError(
            f"The length of regex [{len(pattern)}] used in the Regexp Query request has "
            f"exceeded the allowed maximum of [{MAX_REGEX_LENGTH}]."
        )
    operators = _operators(flags)
    translated = _Translator(pattern, operators).run()
    try:
        return re.compile(translated, re.DOTALL | (re.IGNORECASE if case_insensitive else 0))
    except re.error as exc:
        raise QueryError(f"invalid regular expression [{pattern}]: {exc}") from exc


def _operators(flags: str) -> set[str]:
    enabled: set[str] = set()
    for name in str(flags).split("|"):
        name = name.strip().upper()
        if name not in _FLAG_NAMES:
            raise QueryError(f"Unknown regexp flag [{name}]")
        enabled |= _FLAG_NAMES[name]
    return enabled


class _Translator:
    """A single left-to-right pass over a Lucene regexp."""

    def __init__(self, pattern: str, operators: set[str]) -> None:
        self.pattern = pattern
        self.operators = operators
        self.pos = 0
        self.out: list[str] = []
        self.depth = 0  # parentheses open at this point
        self.top_bars: set[int] = set()  # positions in `out` of top-level "|"

    def run(self) -> str:
        text = self.pattern
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char == "\\":
                self.escape()
            elif char == '"':
                self.literal()
            elif char == "[":
                self.char_class()
            elif char == "{":
                self.repeat()
            elif char in ".?*+|()":
                self.depth += {"(": 1, ")": -1}.get(char, 0)
                if char == "|" and not self.depth:
                    self.top_bars.add(len(self.out))
                self.out.append(char)
            elif char in self.operators:
                self.operator(char)
            else:
                self.out.append(re.escape(char))
        return self.joined()

    def joined(self) -> str:
        """The output; top-level ``A&B`` becomes a whole-term lookahead for A, then B."""
        if _AND not in self.out:
            return "".join(self.out)
        alternatives: list[list[str]] = [[]]
        for position, token in enumerate(self.out):
            if position in self.top_bars:
                alternatives.append([])
            else:
                alternatives[-1].append(token)
        return "|".join(_intersection(tokens) for tokens in alternatives)

    def escape(self) -> None:
        if self.pos >= len(self.pattern):
            raise QueryError(f"invalid regular expression [{self.pattern}]: trailing backslash")
        char = self.pattern[self.pos]
        self.pos += 1
        self.out.append(_CLASSES.get(char) or re.escape(char))

    def literal(self) -> None:
        end = self.pattern.find('"', self.pos)
        if end < 0:
            raise QueryError(f"invalid regular expression [{self.pattern}]: expected '\"'")
        self.out.append(f"(?:{re.escape(self.pattern[self.pos : end])})")
        self.pos = end + 1

    def char_class(self) -> None:
        parts = ["["]
        if self.pattern.startswith("^", self.pos):
            parts.append("^")
            self.pos += 1
        while self.pos < len(self.pattern) and self.pattern[self.pos] != "]":
            char = self.pattern[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.pattern):
                char = self.pattern[self.pos]
                self.pos += 1
                parts.append(_CLASSES.get(char, "")[1:-1] if char in _CLASSES else re.escape(char))
            else:
                parts.append(char if char == "-" else re.escape(char))
        if self.pos >= len(self.pattern):
            raise QueryError(f"invalid regular expression [{self.pattern}]: expected ']'")
        self.pos += 1
        self.out.append("".join(parts) + "]")

    def interval(self) -> None:
        """``<n-m>``: decimal integers in [n, m]; fixed width when n and m have equal length."""
        match = re.compile(r"(\d+)-(\d+)>").match(self.pattern, self.pos)
        if match is None:
            raise QueryError(f"invalid regular expression [{self.pattern}]: bad interval")
        low, high = match.groups()
        self.pos = match.end()
        if int(low) > int(high):
            low, high = high, low
        if len(low) == len(high):
            self.out.append(f"(?:{_fixed_width(low, high)})")
            return
        widths = []
        for width in range(len(str(int(low))), len(str(int(high))) + 1):
            lo = max(int(low), 10 ** (width - 1) if width > 1 else 0)
            hi = min(int(high), 10**width - 1)
            if lo <= hi:
                widths.append(_fixed_width(str(lo), str(hi)))
        self.out.append(f"(?:0*(?:{'|'.join(widths)}))")

    def repeat(self) -> None:
        end = self.pattern.find("}", self.pos)
        body = self.pattern[self.pos : end] if end >= 0 else ""
        if end < 0 or not re.fullmatch(r"\d+(,\d*)?", body):
            raise QueryError(f"invalid regular expression [{self.pattern}]: bad repetition")
        self.out.append("{" + body + "}")
        self.pos = end + 1

    def operator(self, char: str) -> None:
        if char == "@":
            self.out.append(".*")
        elif char == "#":
            self.out.append("(?!)")
        elif char == "<":
            self.interval()
        elif char == "&" and not self.depth:
            self.out.append(_AND)
        else:
            name = {"~": "complement", "&": "intersection inside a group"}[char]
            raise UnsupportedQueryError(
                f"[regexp] operator '{char}' ({name}) is not supported by the embedded store"
                f" in [{self.pattern}]; escape it or set flags to exclude it"
            )


def _intersection(tokens: list[str]) -> str:
    """One top-level alternative: every ``&`` side must match the whole term."""
    parts = "".join(tokens).split(_AND)
    lookaheads = "".join(f"(?=(?:{part})\\Z)" for part in parts[:-1])
    return f"(?:{lookaheads}(?:{parts[-1]}))"


def _fixed_width(low: str, high: str) -> str:
    """A regex for the equal-length digit strings from `low` to `high`."""
    if low == high:
        return low
    if len(low) == 1:
        return f"[{low}-{high}]"
    if low[0] == high[0]:
        return low[0] + f"(?:{_fixed_width(low[1:], high[1:])})"
    rest = len(low) - 1
    parts = [low[0] + f"(?:{_fixed_width(low[1:], '9' * rest)})"]
    if int(low[0]) + 1 <= int(high[0]) - 1:
        parts.append(f"[{int(low[0]) + 1}-{int(high[0]) - 1}][0-9]{{{rest}}}")
    parts.append(high[0] + f"(?:{_fixed_width('0' * rest, high[1:])})")
    return "|".join(parts)
