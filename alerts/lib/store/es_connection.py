"""Connection settings of the Elasticsearch backend, from its URL and the environment.

``https://user:pass@host:9200/prefix`` (credentials percent-decoded),
``VIGIL_ES_API_KEY`` (an API key, sent instead of basic auth), ``VIGIL_ES_CA_CERTS``
(a CA bundle path) and ``VIGIL_ES_VERIFY_CERTS`` (``false`` turns off certificate
verification; also ``?verify_certs=false`` in the URL).
"""

from __future__ import annotations

import os
from collections.abc import Mapping as MappingType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from lib.errors import ConfigError

_FALSE = ("0", "false", "no", "off")


def connection_settings(url: str, environ: MappingType[str, str] | None = None) -> dict[str, Any]:
    """The `Elasticsearch(...)` keyword arguments for `url` and the environment."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"store URL [{url}]: expected http(s)://[user:pass@]host[:port]")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path.rstrip("/")
    settings: dict[str, Any] = {"hosts": [urlunsplit((parts.scheme, netloc, path, "", ""))]}
    api_key = env.get("VIGIL_ES_API_KEY")
    if api_key:
        settings["api_key"] = api_key
    elif parts.username is not None:
        settings["basic_auth"] = (unquote(parts.username), unquote(parts.password or ""))
    if env.get("VIGIL_ES_CA_CERTS"):
        settings["ca_certs"] = env["VIGIL_ES_CA_CERTS"]
    verify = parse_qs(parts.query).get("verify_certs", [env.get("VIGIL_ES_VERIFY_CERTS", "")])[0]
    if verify.lower() in _FALSE and verify:
        settings["verify_certs"] = False
        settings["ssl_show_warn"] = False
    return settings
