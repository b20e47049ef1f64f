"""SSH password spray: one address trying many different user names over SSH.

Fires when one source address fails SSH authentication for at least
`distinct_usernames` different user names within `window_minutes` (both in
ssh_password_spray.conf; default 5 names in 10 minutes). Attempts are sshd events with
`details.success` false and a user name: "Failed password", "Invalid user", PAM
authentication failures. Addresses in `skiphosts` are never reported.
"""

from lib.alerttask import AlertTask
from lib.query_models import ExistsMatch, SearchQuery, TermMatch


class AlertSshPasswordSpray(AlertTask):
    def main(self):
        self.parse_config(
            "ssh_password_spray.conf", ["window_minutes", "distinct_usernames", "skiphosts"]
        )
        self.distinct_usernames = int(self.config.distinct_usernames)
        search_query = SearchQuery(minutes=int(self.config.window_minutes))
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                TermMatch("details.success", False),
                ExistsMatch("details.username"),
                ExistsMatch("details.sourceipaddress"),
            ]
        )
        for address in self.config.skiphosts.split():
            search_query.add_must_not(TermMatch("details.sourceipaddress", address))
        self.filtersManual(search_query)
        self.searchEventsAggregated("details.sourceipaddress", samplesLimit=10)
        # a bucket needs at least as many events as distinct names; onAggregation counts names
        self.walkAggregations(threshold=self.distinct_usernames)

    def onAggregation(self, aggreg):
        usernames = sorted(
            {
                event["_source"]["details"]["username"]
                for event in aggreg["allevents"]
                if event["_source"]["details"].get("username")
            }
        )
        if len(usernames) < self.distinct_usernames:
            return None
        shown = ", ".join(usernames[:10]) + (", ..." if len(usernames) > 10 else "")
        summary = (
            f"SSH password spray from {aggreg['value']}: {len(usernames)} user names tried "
            f"in {aggreg['count']} failed attempts ({shown})"
        )
        return self.createAlertDict(
            summary, "bruteforce", ["ssh", "passwordspray"], aggreg["allevents"], "NOTICE"
        )
