"""Stored scripts: the one scripted update both backends run, tagging an event with an alert.

A ``doc`` update carries values computed from an earlier read, so two writers tagging
the same event at once (two alerts whose queries match it, in two workers) overwrite
each other's ``alert_names``, and the alert that lost its tag alerts again on the same
events. A scripted update reads the document as it is when the update runs (atomically
per document, retried on a version conflict), so both tags survive.

`TAG_ALERT` adds the alert's name to ``alert_names`` once and its references
(``{'index', 'id'}`` of the saved alerts) to ``alerts``; a missing field is started, a
single value becomes a list. The Elasticsearch backend stores its Painless source
(`PAINLESS`) under that id (``PUT _scripts/vigil-tag-alert``) before the first bulk
that uses it; the embedded store, whose updates run inside its write transaction, runs
the same rule in Python (`partial_for`) and refuses any other script.
"""

from __future__ import annotations

from typing import Any

from lib.errors import StoreError

TAG_ALERT = "vigil-tag-alert"
# Conflicting concurrent updates of one document are retried this often (Elasticsearch).
RETRY_ON_CONFLICT = 5

PAINLESS = {
    TAG_ALERT: (
        "def names = ctx._source.alert_names;"
        " if (names == null) { names = new ArrayList(); }"
        " else if (!(names instanceof List)) { names = [names]; }"
        " if (!names.contains(params.name)) { names.add(params.name); }"
        " ctx._source.alert_names = names;"
        " def refs = ctx._source.alerts;"
        " if (refs == null) { refs = new ArrayList(); }"
        " else if (!(refs instanceof List)) { refs = [refs]; }"
        " refs.addAll(params.alerts);"
        " ctx._source.alerts = refs;"
    )
}


def tag_alert(name: str, alerts: list[dict[str, str]]) -> dict[str, Any]:
    """The update body tagging a document with alert `name` and its `alerts` references."""
    return {"script": {"id": TAG_ALERT, "params": {"name": name, "alerts": alerts}}}


def stored_script_ids(actions: list[Any]) -> set[str]:
    """The ids of the stored scripts that bulk `actions` run."""
    ids = set()
    for action in actions:
        body = action.get("_source", action) if isinstance(action, dict) else None
        script = body.get("script") if isinstance(body, dict) else None
        if isinstance(script, dict) and isinstance(script.get("id"), str):
            ids.add(script["id"])
    return ids


def partial_for(script: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """The partial document that `script`'s update makes of the `stored` source."""
    if not isinstance(script, dict) or script.get("id") != TAG_ALERT or "source" in script:
        raise StoreError(
            "illegal_argument_exception: the embedded store runs only the stored script "
            f"[{TAG_ALERT}], not {script!r}"
        )
    params = script.get("params")
    name = params.get("name") if isinstance(params, dict) else None
    alerts = params.get("alerts") if isinstance(params, dict) else None
    if not isinstance(name, str) or not isinstance(alerts, list):
        raise StoreError(
            f"illegal_argument_exception: [{TAG_ALERT}] needs params name (a string) and"
            f" alerts (a list), not {params!r}"
        )
    names = _as_list(stored.get("alert_names"))
    if name not in names:
        names.append(name)
    return {"alert_names": names, "alerts": _as_list(stored.get("alerts")) + alerts}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
