"""Distributed SSH brute force against one user name, from several addresses.

Counts sshd's "Failed <method> for <user> ..." events per `details.username` and alerts
when one user name reaches `threshold` failed attempts within `minutes` from at least
`minsources` different addresses (ssh_bruteforce_user.conf; 10 within 10 minutes from 2
addresses unless configured). One address alone is the job of bruteforce_ssh.py; this
alert finds attackers that spread their guesses over several addresses, each staying
under the per-address threshold.
"""

from lib.alert_config import positive_int
from lib.alerttask import AlertTask
from lib.query_models import PhraseMatch, SearchQuery, TermMatch

CONFIG_FILE = "ssh_bruteforce_user.conf"
DEFAULTS = {"threshold": 10, "minutes": 10, "minsources": 2}


class AlertSshBruteforceUser(AlertTask):
    def main(self):
        self.parse_config(CONFIG_FILE, list(DEFAULTS))
        search_query = SearchQuery(minutes=self.option("minutes"))
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                TermMatch("details.success", False),
                PhraseMatch("summary", "Failed"),
            ]
        )
        self.filtersManual(search_query)
        self.searchEventsAggregated("details.username", samplesLimit=10)
        self.walkAggregations(threshold=self.option("threshold"))

    def option(self, key):
        """A positive whole number from the config file, or its default when left empty."""
        return positive_int(getattr(self.config, key), DEFAULTS[key], key, CONFIG_FILE)

    def onAggregation(self, aggreg):
        sources = self.mostCommon(aggreg["allevents"], "_source.details.sourceipaddress")
        if len(sources) < self.option("minsources"):
            return None
        sources.sort(key=lambda source: (-source[1], str(source[0])))
        listed = ", ".join(f"{address} ({hits})" for address, hits in sources[:5])
        summary = (
            f"{aggreg['count']} failed ssh logins for user {aggreg['value']} "
            f"from {len(sources)} addresses: {listed}"
        )
        tags = ["ssh", "bruteforce", "username"]
        return self.createAlertDict(summary, "bruteforce", tags, aggreg["events"], "WARNING")
