"""Root login over SSH: root authenticated directly over SSH.

Fires once per accepted SSH login as root (sshd "Accepted ... for root from ...").
Failed root attempts are left to the brute-force alerts: on an internet-facing host
they are constant noise, while a successful one means root can log in remotely.
"""

from lib.alerttask import AlertTask
from lib.query_models import SearchQuery, TermMatch


class AlertSshRootLogin(AlertTask):
    def main(self):
        self.parse_config("ssh_root_login.conf", ["window_minutes", "usernames"])
        search_query = SearchQuery(minutes=int(self.config.window_minutes))
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                TermMatch("details.success", True),
            ]
        )
        search_query.add_should(
            [TermMatch("details.username", name) for name in self.config.usernames.split()]
        )
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onEvent(self, event):
        details = event["_source"]["details"]
        summary = (
            f"Root login over SSH to {event['_source'].get('hostname')} as "
            f"{details.get('username')} from {details.get('sourceipaddress')} "
            f"({details.get('authmethod')})"
        )
        return self.createAlertDict(summary, "authentication", ["ssh", "root"], [event], "WARNING")
