"""The celery app module: ``cd alerts && celery -A celeryconfig worker --loglevel=info --beat``.

Every alert in ``ALERTS`` (lib/config.py, or the module named by ``VIGIL_ALERTS_MODULE``)
is registered as a task and scheduled by beat; see lib/celery_app.py.
"""

from __future__ import annotations

from lib.celery_app import create_app

app = create_app()
