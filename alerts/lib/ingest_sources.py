"""Input sources for ingestion: files, standard input, and a followed (tailed) file.

`read_source` yields `Line`s (raw bytes, decoded text and position). A line that is
not UTF-8 is decoded with replacement characters and flagged, so the caller can reject
it with a reason instead of losing it. While following a file, `IDLE` is yielded each
time the file has no new data, so the caller can write what it has; a file that is
truncated or replaced (log rotation) is read again from its start.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lib.ingest_report import Position

STDIN = "-"
IDLE = object()


@dataclass(frozen=True)
class Line:
    """One input line: its bytes, its text, where it came from."""

    raw: bytes
    text: str
    position: Position
    valid_utf8: bool = True

    @property
    def size(self) -> int:
        """Bytes this line took in the input (for progress)."""
        return len(self.raw)


def source_name(source: str) -> str:
    """The name events record as their `source`: the path, or 'stdin' for '-'."""
    return "stdin" if source == STDIN else source


def source_size(source: str) -> int | None:
    """Bytes in a regular file source (for a progress total), else None."""
    if source == STDIN or not os.path.isfile(source):
        return None
    return os.path.getsize(source)


def read_source(
    source: str,
    follow: bool = False,
    poll_interval: float = 0.5,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Line | object]:
    """Yield the lines of `source` ('-' is standard input); tail it when `follow`."""
    name = source_name(source)
    if source == STDIN:
        yield from _lines(sys.stdin.buffer, name, 0)
        return
    if not follow:
        with open(source, "rb") as handle:
            yield from _lines(handle, name, 0)
        return
    yield from _follow(source, name, poll_interval, should_stop)


def _lines(handle: BinaryIO, name: str, start: int) -> Iterator[Line]:
    number = start
    for raw in handle:
        number += 1
        yield _decode(raw, Position(name, number))


def _decode(raw: bytes, position: Position) -> Line:
    body = raw.rstrip(b"\r\n")
    try:
        return Line(raw, body.decode("utf-8"), position)
    except UnicodeDecodeError:
        return Line(raw, body.decode("utf-8", errors="replace"), position, valid_utf8=False)


def _follow(
    path: str, name: str, poll_interval: float, should_stop: Callable[[], bool]
) -> Iterator[Line | object]:
    number = 0
    handle = open(path, "rb")  # noqa: SIM115 (reopened on rotation; closed in finally)
    try:
        while not should_stop():
            raw = handle.readline()
            if raw.endswith(b"\n"):
                number += 1
                yield _decode(raw, Position(name, number))
                continue
            handle.seek(handle.tell() - len(raw))  # a partial line waits for its end
            yield IDLE
            if _rotated(path, handle):
                handle.close()
                handle, number = open(path, "rb"), 0  # noqa: SIM115
                continue
            time.sleep(poll_interval)
    finally:
        handle.close()


def _rotated(path: str, handle: BinaryIO) -> bool:
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False  # between rotation steps; keep reading the old file
    opened = os.fstat(handle.fileno())
    return current.st_ino != opened.st_ino or current.st_size < handle.tell()
