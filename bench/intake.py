"""Benchmark of event intake (``make bench-intake``): figure 5.

loginput runs as `vigil serve` runs it (``python -m lib.loginput``, from alerts/, its
default server and worker count) on a free loopback port with a fresh embedded store
in a temporary directory, and `wrk` (Debian package ``wrk``: a C load generator, so
the client is not the bottleneck) posts to it for ``VIGIL_BENCH_INTAKE_SECONDS``
seconds (default 30) after a 3-second warm-up, with keep-alive connections:

- single events: ``POST /events`` with one JSON event per request, 16 connections
  (target >= 3,000 events/s);
- bulk: ``POST /_bulk`` with 500 events per request in Elasticsearch's bulk format,
  4 connections (target >= 25,000 events/s).

Bodies are 1,000 distinct events (20 bulk bodies) built from the auth.log templates
(`bench.eventgen`), fixed seed. Figures per mode: events/s, p50 and p99 request latency
(wrk's), and errors: wrk's socket and non-2xx counts plus events acknowledged by wrk but
missing from the store afterwards (target 0). Each mode gets its own loginput process
and store. Without `wrk` installed the benchmark says so and reports nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.eventgen import generate
from lib.celery_app import ALERTS_DIR
from lib.loginput.server import default_server
from lib.store import open_store

SECONDS_ENV = "VIGIL_BENCH_INTAKE_SECONDS"
WARMUP_SECONDS = 3
BULK_SIZE = 500
DISTINCT_EVENTS = 1_000
LUA = Path(__file__).resolve().parent / "_wrk.lua"
START_TIMEOUT = 60.0

# mode: (path, events per request, connections, target events/s)
MODES = {
    "single": ("/events", 1, 16, 3_000),
    "bulk": ("/_bulk", BULK_SIZE, 4, 25_000),
}

Figure = tuple[str, float, str]


def run() -> list[Figure]:
    """Figure 5: single-event and bulk intake."""
    if shutil.which("wrk") is None:
        print("intake: wrk is not installed (apt-get install -y wrk); skipped", file=sys.stderr)
        return []
    seconds = int(os.environ.get(SECONDS_ENV, "30"))
    print(f"intake: loginput on {default_server()}, {seconds} s per mode", file=sys.stderr)
    figures: list[Figure] = []
    for mode in MODES:
        figures += measure(mode, seconds)
    return figures


def measure(mode: str, seconds: int) -> list[Figure]:
    """Serve loginput on a fresh store, load it with wrk in `mode`; the mode's figures."""
    path, per_request, connections, target = MODES[mode]
    with tempfile.TemporaryDirectory(prefix="vigil-bench-intake-") as tmp:
        folder = Path(tmp)
        write_bodies(folder / "bodies", per_request)
        store_url = f"sqlite://{folder / 'store.db'}"
        port = free_port()
        server = start_loginput(folder, store_url, port)
        try:
            wait_ready(server, port)
            warm = load(folder, port, path, connections, WARMUP_SECONDS)
            report = load(folder, port, path, connections, seconds)
        finally:
            stop(server)
        stored = count_events(store_url)
    acknowledged = (warm["requests"] + report["requests"]) * per_request
    errors = sum(report[k] + warm[k] for k in ("connect", "read", "write", "status", "timeout"))
    missing = max(acknowledged - stored, 0)
    rate = report["requests"] * per_request / (report["duration_us"] / 1e6)
    prefix = f"intake.{mode}"
    return [
        (f"{prefix}.events_per_s", rate, f"events/s (target >= {target:,})"),
        (f"{prefix}.latency_p50", report["p50_us"] / 1000, "ms"),
        (f"{prefix}.latency_p99", report["p99_us"] / 1000, "ms"),
        (f"{prefix}.errors", float(errors + missing), "errors (target 0)"),
    ]


def write_bodies(folder: Path, per_request: int) -> None:
    """Request bodies as files 0, 1, ...: one event each, or bulk bodies of `per_request`."""
    folder.mkdir()
    now = datetime.now(UTC)
    start = int((now - timedelta(minutes=10)).timestamp() * 1000)
    events = [
        orjson.dumps(e) for e in generate(DISTINCT_EVENTS, start, int(now.timestamp() * 1000))
    ]
    if per_request == 1:
        bodies = events
    else:
        action = b'{"index": {}}\n'
        bodies = [
            b"".join(action + event + b"\n" for event in events[i : i + per_request])
            for i in range(0, len(events), per_request)
        ] * 10
    for number, body in enumerate(bodies):
        (folder / str(number)).write_bytes(body)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_loginput(folder: Path, store_url: str, port: int) -> subprocess.Popen:
    """loginput as its own process (session), on `store_url` and loopback `port`."""
    env = dict(os.environ)
    env.update(
        VIGIL_DATA_DIR=str(folder / "data"),
        VIGIL_STORE_URL=store_url,
        VIGIL_LOGINPUT_TOKEN="",
        PYTHONPATH=str(ALERTS_DIR),
    )
    argv = [sys.executable, "-m", "lib.loginput", "--host", "127.0.0.1", "--port", str(port)]
    with open(folder / "loginput.log", "w") as log:
        return subprocess.Popen(
            argv,
            cwd=ALERTS_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(server: subprocess.Popen, port: int) -> None:
    """Wait until ``GET /status`` answers 200; RuntimeError if the server died or never did."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"loginput exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/status")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"loginput did not answer /status within {START_TIMEOUT:.0f} s")


def load(folder: Path, port: int, path: str, connections: int, seconds: int) -> dict[str, int]:
    """One wrk run against loginput; wrk's report (requests, errors, latency in us)."""
    out = folder / "wrk.json"
    env = dict(os.environ)
    env.update(
        WRK_PATH=path,
        WRK_BODIES=str(folder / "bodies"),
        WRK_COUNT=str(len(list((folder / "bodies").iterdir()))),
        WRK_OUT=str(out),
    )
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    argv += ["-s", str(LUA), f"http://127.0.0.1:{port}{path}"]
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return json.loads(out.read_text())


def stop(server: subprocess.Popen) -> None:
    """Stop loginput (SIGTERM, then SIGKILL), and anything left in its process group."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def count_events(store_url: str) -> int:
    """How many events the store holds."""
    store = open_store(store_url)
    body = {"size": 0, "track_total_hits": True, "query": {"match_all": {}}}
    found = store.search("events-*", body, ignore_unavailable=True)
    store.close()
    return int(found["hits"]["total"]["value"])
