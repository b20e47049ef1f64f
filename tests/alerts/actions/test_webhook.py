"""The webhook action POSTs alert JSON to a real local HTTP server, with retries."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from actions import webhook

from lib.errors import ConfigError, VigilError

ALERT = {"_id": "a1", "_index": "alerts-202403", "_source": {"summary": "ssh brute force"}}


class Sink(ThreadingHTTPServer):
    """A local HTTP server answering with scripted statuses and recording bodies."""

    daemon_threads = True

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = list(statuses)
        self.delay = delay
        self.received: list[tuple[str, dict, dict]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), orjson.loads(body)))
        time.sleep(self.server.delay)
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def sink_factory():
    servers = []

    def start(statuses=(), delay=0.0):
        server = Sink(list(statuses), delay)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


def _settings(url: str, retries: int = 3, timeout: float = 2.0) -> webhook.WebhookSettings:
    return webhook.WebhookSettings(url=url, timeout=timeout, retries=retries, backoff=0.01)


def test_posts_the_alert_document_as_json(sink_factory):
    sink = sink_factory([200])
    assert webhook.deliver(_settings(sink.url), ALERT) == 200
    path, headers, body = sink.received[0]
    assert (path, body) == ("/hook", ALERT)
    assert headers["Content-Type"] == "application/json"


def test_retries_server_errors_until_it_succeeds(sink_factory):
    sink = sink_factory([503, 500, 200])
    assert webhook.deliver(_settings(sink.url), ALERT) == 200
    assert len(sink.received) == 3


def test_gives_up_after_the_configured_retries(sink_factory):
    sink = sink_factory([503] * 10)
    with pytest.raises(VigilError, match="HTTP 503.*gave up after 3 attempts"):
        webhook.deliver(_settings(sink.url, retries=2), ALERT)
    assert len(sink.received) == 3


def test_a_client_error_fails_at_once_without_retrying(sink_factory):
    sink = sink_factory([400, 200])
    with pytest.raises(VigilError, match="refused with HTTP 400"):
        webhook.deliver(_settings(sink.url), ALERT)
    assert len(sink.received) == 1


def test_a_slow_server_times_out_and_is_retried(sink_factory):
    sink = sink_factory([200, 200], delay=0.5)
    with pytest.raises(VigilError, match="gave up after 2 attempts"):
        webhook.deliver(_settings(sink.url, retries=1, timeout=0.1), ALERT)
    assert len(sink.received) == 2


def test_an_unreachable_server_raises_naming_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    with pytest.raises(VigilError, match=f"webhook {url}"):
        webhook.deliver(_settings(url, retries=1), ALERT)


def test_the_action_reads_its_url_from_the_environment(sink_factory, monkeypatch):
    sink = sink_factory([200])
    monkeypatch.setenv("VIGIL_WEBHOOK_URL", sink.url)
    action = webhook.message()
    action.check()
    assert action.onMessage(ALERT) == ALERT
    assert sink.received[0][2] == ALERT


def test_settings_come_from_the_conf_file_when_the_environment_is_silent(tmp_path, monkeypatch):
    for key in ("URL", "TIMEOUT", "RETRIES", "BACKOFF"):
        monkeypatch.delenv(f"VIGIL_WEBHOOK_{key}", raising=False)
    conf = tmp_path / "webhook.conf"
    conf.write_text("[options]\nurl = https://hooks.example/alerts\ntimeout = 7\nretries = 1\n")
    assert webhook.load_settings(conf) == webhook.WebhookSettings(
        "https://hooks.example/alerts", 7.0, 1, 0.5
    )


def test_check_refuses_a_missing_url(tmp_path, monkeypatch):
    monkeypatch.delenv("VIGIL_WEBHOOK_URL", raising=False)
    with pytest.raises(ConfigError, match="webhook action: url '' is not an http"):
        webhook.load_settings(tmp_path / "absent.conf")


def test_check_refuses_a_non_numeric_timeout(monkeypatch):
    monkeypatch.setenv("VIGIL_WEBHOOK_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("VIGIL_WEBHOOK_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="bad number"):
        webhook.load_settings()
