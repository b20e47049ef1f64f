"""Checking a brute-force alert run against the generated truth (`bench._attack.Truth`).

Every count the run produced is compared with what the events were generated to hold:
the saved alerts (one per address at or over the threshold; the attempt count in the
summary; each "host (n hits)" pair; the top-5 host counts; the sample events), and the
tags (every matching event of every alerting address, and nothing else).
"""

from __future__ import annotations

import re
from typing import Any

from bench._attack import Truth

SAMPLES = 10
_SUMMARY = re.compile(r"^(\d+) ssh bruteforce attempts by (\S+)(.*)$")
_HOST_HITS = re.compile(r" (\S+) \((\d+) hits\)")


def alert_problems(store: Any, alert_ids: list[str], truth: Truth) -> list[str]:
    """How the saved alerts `alert_ids` differ from `truth`."""
    found = store.search("alerts", {"size": 10_000, "query": {"ids": {"values": alert_ids}}})
    alerts = [hit["_source"] for hit in found["hits"]["hits"]]
    problems = []
    if len(alerts) != len(truth.alerting) or len(alert_ids) != len(truth.alerting):
        problems.append(f"{len(alert_ids)} alerts ({len(alerts)} saved), {len(truth.alerting)} due")
    seen = set()
    for alert in alerts:
        match = _SUMMARY.match(alert["summary"])
        if match is None:
            problems.append(f"unexpected summary {alert['summary']!r}")
            continue
        count, ip, rest = int(match[1]), match[2], match[3]
        seen.add(ip)
        problems += _count_problems(ip, count, truth)
        problems += _host_problems(ip, _HOST_HITS.findall(rest), truth)
        problems += _sample_problems(ip, alert["events"], min(count, SAMPLES))
    if seen != set(truth.alerting):
        problems.append(f"alerted on {len(seen)} addresses; due: {len(truth.alerting)}")
    return problems


def _count_problems(ip: str, count: int, truth: Truth) -> list[str]:
    due = truth.alerting.get(ip)
    return [] if due == count else [f"{ip}: {count} attempts in the alert, {due} generated"]


def _host_problems(ip: str, pairs: list[tuple[str, str]], truth: Truth) -> list[str]:
    hosts = truth.hosts.get(ip, {})
    problems = [
        f"{ip}: host {host} has {hits} hits in the alert, {hosts.get(host)} generated"
        for host, hits in pairs
        if hosts.get(host) != int(hits)
    ]
    top = sorted(hosts.values(), reverse=True)[:5]
    if sorted((int(hits) for _, hits in pairs), reverse=True) != top:
        problems.append(f"{ip}: host counts {pairs} are not the top 5 {top}")
    return problems


def _sample_problems(ip: str, events: list[dict[str, Any]], due: int) -> list[str]:
    wrong = [e for e in events if e["documentsource"]["details"]["sourceipaddress"] != ip]
    if len(events) != due or wrong:
        return [f"{ip}: {len(events)} sample events ({len(wrong)} of another address), {due} due"]
    return []


def tag_problems(store: Any, alert_name: str, truth: Truth) -> list[str]:
    """How the events tagged with `alert_name` differ from the alerting addresses' attempts."""
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": {"term": {"alert_names": alert_name}},
        "aggs": {"ips": {"terms": {"field": "details.sourceipaddress", "size": 10_000}}},
    }
    found = store.search(["events", "events-previous"], body)
    total = found["hits"]["total"]["value"]
    tagged = {b["key"]: b["doc_count"] for b in found["aggregations"]["ips"]["buckets"]}
    problems = []
    if total != truth.tagged:
        problems.append(f"{total} events tagged, {truth.tagged} due")
    if tagged != truth.alerting:
        wrong = {
            ip
            for ip in set(tagged) | set(truth.alerting)
            if tagged.get(ip) != truth.alerting.get(ip)
        }
        problems.append(
            f"tagged counts differ for {len(wrong)} addresses, e.g. {sorted(wrong)[:3]}"
        )
    return problems
