"""Alert plugins: modules enabled by name in ALERT_PLUGINS, run on each alert before it is saved.

Each defines a class ``message`` with ``registration``, optional ``priority`` and
``onMessage(alert)``; see `lib.plugins` for the contract.
"""
