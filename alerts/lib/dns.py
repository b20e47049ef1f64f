"""Reverse DNS for alerts: MozDef's `hostname_from_ip` and `add_hostname_to_ip`.

Both resolve through `socket.gethostbyaddr`, looked up at call time, so a test can
patch it. "Internal" is Python's `ipaddress` notion of private (RFC 1918, loopback,
link-local, unique-local IPv6 and the other IANA special-purpose ranges).
"""

from __future__ import annotations

import ipaddress
import socket


def hostname_from_ip(ip: str) -> str | None:
    """The reverse DNS name of `ip`, or None when it has none."""
    try:
        return socket.gethostbyaddr(ip)[0]
    except socket.herror:
        return None


def add_hostname_to_ip(ip: str, output_format: str, require_internal: bool = True) -> str:
    """`output_format.format(ip, hostname)`, or `ip` unchanged when there is no name.

    With `require_internal` (the default), addresses outside private ranges are
    returned unchanged without a lookup. A malformed `ip` raises ValueError.
    """
    address = ipaddress.ip_network(ip, strict=False)[0]
    if require_internal and not address.is_private:
        return ip
    hostname = hostname_from_ip(ip)
    if hostname is None:
        return ip
    return output_format.format(ip, hostname)
