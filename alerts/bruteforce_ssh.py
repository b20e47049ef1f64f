"""SSH brute force by source address: many failed sshd authentications from one address.

Counts sshd's "Failed <method> for ..." events (one per authentication attempt; the
"Invalid user" and pam_unix lines that accompany them are not counted again) per
`details.sourceipaddress`, and alerts when one address reaches `threshold` attempts
within `minutes` (bruteforce_ssh.conf; 10 within 2 minutes unless configured).
Addresses and networks listed in `skiphosts` never alert.
"""

from lib.alert_config import positive_int
from lib.alerttask import AlertTask
from lib.query_models import PhraseMatch, SearchQuery, SubnetMatch, TermMatch

CONFIG_FILE = "bruteforce_ssh.conf"
DEFAULTS = {"threshold": 10, "minutes": 2}


class AlertBruteforceSsh(AlertTask):
    def main(self):
        self.parse_config(CONFIG_FILE, ["threshold", "minutes", "skiphosts"])
        search_query = SearchQuery(minutes=self.option("minutes"))
        search_query.add_must(
            [
                TermMatch("details.program", "sshd"),
                TermMatch("details.success", False),
                PhraseMatch("summary", "Failed"),
            ]
        )
        for network in self.config.skiphosts.split():
            search_query.add_must_not(SubnetMatch("details.sourceipaddress", network))
        self.filtersManual(search_query)
        self.searchEventsAggregated("details.sourceipaddress", samplesLimit=10)
        self.walkAggregations(threshold=self.option("threshold"))

    def option(self, key):
        """A positive whole number from the config file, or its default when left empty."""
        return positive_int(getattr(self.config, key), DEFAULTS[key], key, CONFIG_FILE)

    def onAggregation(self, aggreg):
        summary = f"{aggreg['count']} ssh bruteforce attempts by {aggreg['value']}"
        for hostname, hits in self.mostCommon(aggreg["allevents"], "_source.hostname")[:5]:
            summary += f" {hostname} ({hits} hits)"
        return self.createAlertDict(summary, "bruteforce", ["ssh"], aggreg["events"], "NOTICE")
