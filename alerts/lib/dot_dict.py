"""DotDict: a dict read with attributes (`event.details.program`) and dotted paths.

MozDef's alerts and plugins build and read events this way. A missing attribute raises
an error that is both a KeyError (as MozDef's did) and an AttributeError (so `hasattr`,
`getattr(obj, name, default)`, `copy` and `pickle` behave as they do on any object).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DotDict"]


class MissingKeyError(KeyError, AttributeError):
    """A DotDict has no such key."""


class DotDict(dict[str, Any]):
    """A dict whose keys read as attributes; nested mappings become DotDicts too."""

    def __init__(self, dct: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        for key, value in (dct or {}).items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, Mapping) and not isinstance(value, DotDict):
            value = DotDict(value)
        super().__setitem__(key, value)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise MissingKeyError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise MissingKeyError(name) from None

    def get(self, key: str, default: Any = None) -> Any:
        """The value at a dotted path ('details.program'), or `default` if any part is missing."""
        node: Any = self
        for part in key.split(".") if isinstance(key, str) else [key]:
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node
