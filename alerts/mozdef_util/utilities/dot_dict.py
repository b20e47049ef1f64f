"""MozDef's `mozdef_util.utilities.dot_dict`: re-exports `lib.dot_dict.DotDict`."""

from __future__ import annotations

from lib.dot_dict import DotDict

__all__ = ["DotDict"]
