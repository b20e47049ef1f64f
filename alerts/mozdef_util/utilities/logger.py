"""MozDef's `mozdef_util.utilities.logger`: the logger MozDef alerts write to.

Handlers and levels come from the process (celery's worker or the CLI configure
logging); importing this module configures nothing.
"""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("mozdef")
