"""Account changes: a local user created or a user's password changed.

Fires once per host and run for successful useradd and password change events
(`details.action` "useradd" or "password_changed", `details.success` true, as
`vigil ingest` reads useradd, chpasswd and passwd lines), naming each account touched.
The actions and the window are in account_change.conf.
"""

from lib.alerttask import AlertTask
from lib.query_models import ExistsMatch, SearchQuery, TermMatch, TermsMatch


class AlertAccountChange(AlertTask):
    def main(self):
        self.parse_config("account_change.conf", ["window_minutes", "actions"])
        search_query = SearchQuery(minutes=int(self.config.window_minutes))
        search_query.add_must(
            [
                TermsMatch("details.action", self.config.actions.split()),
                TermMatch("details.success", True),
                ExistsMatch("details.username"),
            ]
        )
        self.filtersManual(search_query)
        self.searchEventsAggregated("hostname", samplesLimit=10)
        self.walkAggregations(threshold=1)

    def onAggregation(self, aggreg):
        changes = {}
        for event in aggreg["allevents"]:
            details = event["_source"]["details"]
            changes.setdefault(details["action"], set()).add(details["username"])
        described = "; ".join(
            f"{label}: {', '.join(sorted(names))}"
            for label, names in sorted(
                (_LABELS.get(action, action), names) for action, names in changes.items()
            )
        )
        summary = f"Account changes on {aggreg['value']}: {described}"
        return self.createAlertDict(
            summary, "accountchange", ["account", "accountchange"], aggreg["allevents"], "NOTICE"
        )


_LABELS = {"useradd": "new user", "password_changed": "password changed"}
