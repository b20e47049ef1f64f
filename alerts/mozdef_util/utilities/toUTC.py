"""MozDef's `mozdef_util.utilities.toUTC`: re-exports `lib.utctime.to_utc` as `toUTC`.

Naive datetimes and strings without an offset are taken as UTC (MozDef used the host's
zone); see `lib.utctime`.
"""

from __future__ import annotations

from lib.utctime import to_utc as toUTC

__all__ = ["toUTC"]
