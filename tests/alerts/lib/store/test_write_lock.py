"""The embedded store's writers queue on its lock file, across processes."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

from lib.store import open_store
from lib.store.write_lock import SUFFIX, WriteLock

ALERTS_DIR = Path(__file__).resolve().parents[4] / "alerts"
WRITE_ONE = "import sys; from lib.store import open_store; open_store(sys.argv[1]).index('t', {'n': 1}, id='1')"


def test_a_writer_in_another_process_waits_for_the_lock_then_writes(tmp_path: Path):
    database = tmp_path / "store.db"
    url = f"sqlite://{database}"
    open_store(url).create_index("t")
    lock = WriteLock(str(database))
    with lock.held():
        child = subprocess.Popen(
            [sys.executable, "-c", WRITE_ONE, url], cwd=ALERTS_DIR, stderr=subprocess.PIPE
        )
        time.sleep(1.0)
        assert child.poll() is None, "the child wrote while another process held the lock"
        assert open_store(url).search("t", {})["hits"]["total"]["value"] == 0
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 0, stderr.decode()
    assert open_store(url).get("t", "1")["_source"] == {"n": 1}
    lock.close()


def test_nested_holds_in_one_thread_do_not_release_the_outer_hold(tmp_path: Path):
    lock = WriteLock(str(tmp_path / "db"))
    with lock.held():
        with lock.held():
            pass
        other = WriteLock(str(tmp_path / "db"))  # another open file: a flock conflicts
        try:
            fcntl.flock(other._handle(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken = True
        except BlockingIOError:
            taken = False
        assert not taken, "the inner hold released the lock the outer one still needs"
        other.close()
    lock.close()
    assert (tmp_path / f"db{SUFFIX}").exists()


def test_memory_stores_take_no_lock_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_store("memory://write-lock-test")
    store.index("t", {"n": 1})
    assert not list(tmp_path.iterdir())
