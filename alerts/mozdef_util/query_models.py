"""MozDef's `mozdef_util.query_models`: re-exports `lib.query_models`."""

from __future__ import annotations

from lib.query_models import *  # noqa: F403
from lib.query_models import __all__ as __all__
