"""The lifecycle fixtures (store, broker, frozen clock) for plugin tests."""

from ..lib.conftest import (  # noqa: F401
    alert_queue,
    embedded_broker,
    frozen,
    settings,
    store,
    store_url,
)
