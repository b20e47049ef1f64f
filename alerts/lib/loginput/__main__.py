"""``python -m lib.loginput``: serve loginput with gunicorn (see `lib.loginput.server`)."""

from __future__ import annotations

import sys

from lib.loginput.server import main

if __name__ == "__main__":
    sys.exit(main())
