"""Deadman: the syslog source went silent.

A host that ships its syslog (auth.log and friends) to Vigil writes something at least
every hour (cron's hourly run logs a session even on a quiet host). When no
`category: syslog` event at all arrived in the last WINDOW_MINUTES, the shipper, the host
or the intake is down, and every alert built on those events is blind: raise an ERROR
so someone looks. Also fires on a store that has never received an event.
"""

from lib.deadman_alerttask import DeadmanAlertTask
from lib.query_models import SearchQuery, TermMatch

WINDOW_MINUTES = 90


class AlertDeadmanSyslog(DeadmanAlertTask):
    def main(self):
        search_query = SearchQuery(minutes=WINDOW_MINUTES)
        search_query.add_must(TermMatch("category", "syslog"))
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onNoEvent(self):
        summary = f"Deadman check failed: no syslog events in the past {WINDOW_MINUTES} minutes"
        return self.createAlertDict(summary, "deadman", ["deadman", "syslog"], [], "ERROR")
