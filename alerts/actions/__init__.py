"""Alert actions: run by the actions worker on every published alert.

Each module here is a MozDef alert action: a class ``message`` with ``registration``
(a string or list matched against the alert's keys and values; ``'*'`` matches every
alert), ``priority`` (lower runs first, default 100) and ``onMessage(alert)``, where
`alert` is the published document ``{'_id', '_index', '_source'}``. An action may also
define ``check()``, called once when the worker starts, to refuse a bad configuration
before any alert arrives. `ALERT_ACTIONS` in lib/config.py lists the enabled ones.
"""
