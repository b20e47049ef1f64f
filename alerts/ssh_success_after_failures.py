"""SSH login after failures: an address logs in right after failing to, a likely guess.

Fires when an SSH login is accepted from an address that failed to authenticate at
least `min_failures` times in the `window_minutes` before it (default 5 failures in 10
minutes; see ssh_success_after_failures.conf). Attempts are sshd "Accepted ..." and
"Failed ..." lines (events with `details.authmethod`), so one attempt counts once.
"""

from lib.alerttask import AlertTask
from lib.query_models import ExistsMatch, SearchQuery, TermMatch


class AlertSshSuccessAfterFailures(AlertTask):
    def main(self):
        self.parse_config(
            "ssh_success_after_failures.conf", ["window_minutes", "min_failures", "skiphosts"]
        )
        self.min_failures = int(self.config.min_failures)
        search_query = SearchQuery(minutes=int(self.config.window_minutes))
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                ExistsMatch("details.authmethod"),
                ExistsMatch("details.success"),
                ExistsMatch("details.sourceipaddress"),
            ]
        )
        for address in self.config.skiphosts.split():
            search_query.add_must_not(TermMatch("details.sourceipaddress", address))
        self.filtersManual(search_query)
        self.searchEventsAggregated("details.sourceipaddress", samplesLimit=10)
        self.walkAggregations(threshold=self.min_failures + 1)

    def onAggregation(self, aggreg):
        events = sorted(aggreg["allevents"], key=lambda event: event["_source"]["utctimestamp"])
        failures = 0
        for event in events:
            details = event["_source"]["details"]
            if not details["success"]:
                failures += 1
            elif failures >= self.min_failures:
                return self._alert(aggreg, details, failures)
        return None

    def _alert(self, aggreg, login, failures):
        summary = (
            f"SSH login as {login.get('username')} from {aggreg['value']} "
            f"({login.get('authmethod')}) after {failures} failed attempts"
        )
        return self.createAlertDict(
            summary, "authentication", ["ssh", "bruteforce"], aggreg["allevents"], "CRITICAL"
        )
