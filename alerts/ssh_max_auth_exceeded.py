"""Automated SSH password guessing on a host: connections cut for too many attempts.

sshd closes a connection with "error: maximum authentication attempts exceeded" when a
client keeps guessing past MaxAuthTries in one connection, which people typing
passwords rarely do and guessing tools always do. Alerts when a host logs at least
THRESHOLD of those within WINDOW_MINUTES, whatever the addresses and user names. The
search is a Lucene query string, as written in Kibana or MozDef's alerts.
"""

from lib.alerttask import AlertTask
from lib.query_models import QueryStringMatch, SearchQuery

QUERY = 'details.program:sshd AND summary:"maximum authentication attempts exceeded"'
THRESHOLD = 3
WINDOW_MINUTES = 10


class AlertSshMaxAuthExceeded(AlertTask):
    def main(self):
        search_query = SearchQuery(minutes=WINDOW_MINUTES)
        search_query.add_must(QueryStringMatch(QUERY))
        self.filtersManual(search_query)
        self.searchEventsAggregated("hostname", samplesLimit=10)
        self.walkAggregations(threshold=THRESHOLD)

    def onAggregation(self, aggreg):
        summary = (
            f"{aggreg['count']} ssh connections on {aggreg['value']} exceeded the maximum "
            f"authentication attempts in {WINDOW_MINUTES} minutes"
        )
        users = self.mostCommon(aggreg["allevents"], "_source.details.username")
        if users:
            summary += " (users: " + ", ".join(str(user) for user, _ in users[:5]) + ")"
        return self.createAlertDict(summary, "bruteforce", ["ssh"], aggreg["events"], "NOTICE")
