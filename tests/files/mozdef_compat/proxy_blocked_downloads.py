# An alert written the way MozDef's alerts are written (tests/alerts/test_mozdef_compat.py
# runs it, with its MozDef-style test module, in a MozDef-shaped tree). Keep it to
# MozDef's API only: it proves that such alerts run on Vigil unchanged.

from lib.alerttask import AlertTask
from mozdef_util.query_models import PhraseMatch, SearchQuery, TermMatch
from mozdef_util.utilities.toUTC import toUTC


class AlertProxyBlockedDownloads(AlertTask):
    def main(self):
        self.parse_config("proxy_blocked_downloads.conf", ["threshold", "search_minutes"])

        search_query = SearchQuery(minutes=int(self.config.search_minutes))
        search_query.add_must(
            [
                TermMatch("category", "proxy"),
                TermMatch("details.proxyaction", "TCP_DENIED"),
                PhraseMatch("summary", "download blocked"),
            ]
        )
        self.filtersManual(search_query)

        self.searchEventsAggregated("details.sourceipaddress", samplesLimit=10)
        self.walkAggregations(threshold=int(self.config.threshold))

    def onAggregation(self, aggreg):
        category = "proxy"
        tags = ["proxy", "download"]
        severity = "WARNING"

        hosts = self.mostCommon(aggreg["allevents"], "_source.details.host")
        host_list = ",".join(sorted(host for host, count in hosts))
        first_seen = min(toUTC(event["_source"]["utctimestamp"]) for event in aggreg["allevents"])
        summary = "{} blocked downloads by {} from {} since {}".format(
            aggreg["count"], aggreg["value"], host_list, first_seen.strftime("%H:%M")
        )
        return self.createAlertDict(summary, category, tags, aggreg["events"], severity)
