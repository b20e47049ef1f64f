"""sshd listening on a non-standard port: one alert per "Server listening on" event.

sshd logs "Server listening on <address> port <port>." each time it starts. A port
outside ALLOWED_PORTS means its configuration changed (by an administrator moving the
port, or by someone opening a second way in), so every such event is worth a look.
"""

import re

from lib.alerttask import AlertTask
from lib.query_models import PhraseMatch, SearchQuery, TermMatch

ALLOWED_PORTS = ("22",)
LISTENING = re.compile(r"Server listening on (?P<address>\S+) port (?P<port>\d+)")


class AlertSshdNonstandardPort(AlertTask):
    def main(self):
        search_query = SearchQuery(minutes=15)
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                PhraseMatch("summary", "Server listening on"),
            ]
        )
        for port in ALLOWED_PORTS:
            search_query.add_must_not(PhraseMatch("summary", f"port {port}"))
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onEvent(self, event):
        source = event["_source"]
        listening = LISTENING.search(source["summary"])
        if listening is None:
            return None
        summary = (
            f"sshd on {source.get('hostname', 'an unknown host')} is listening on "
            f"non-standard port {listening['port']} ({listening['address']})"
        )
        tags = ["ssh", "sshd", "configuration"]
        return self.createAlertDict(summary, "sshd", tags, [event], "WARNING")
