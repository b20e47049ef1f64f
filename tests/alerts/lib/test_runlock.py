"""Run locks: one run per tick across workers, one run at a time per alert.

Concurrency is real: threads and processes race on one embedded store file, each with
its own store object (as separate workers would).
"""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from lib.runlock import LOCKS_INDEX, RunLock
from lib.store import open_store

NOON = datetime(2026, 3, 4, 12, 7, 31, 500000, tzinfo=UTC)


@pytest.fixture
def store_path(tmp_path):
    return str(tmp_path / "store.db")


@pytest.fixture
def lock_store(store_path):
    return open_store(store_path)


def test_a_tick_is_claimed_once(lock_store):
    first, second = RunLock(lock_store, "a.Alert"), RunLock(lock_store, "a.Alert")
    tick = datetime(2026, 3, 4, 12, 7, tzinfo=UTC)
    assert first.claim_tick(tick) is True
    assert second.claim_tick(tick) is False
    assert second.claim_tick(tick + timedelta(minutes=1)) is True
    assert RunLock(lock_store, "b.Other").claim_tick(tick) is True


def test_racing_threads_claim_a_tick_exactly_once(store_path):
    tick = datetime(2026, 3, 4, 12, 7, tzinfo=UTC)
    open_store(store_path)  # the file exists before the race
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def contend() -> None:
        lock = RunLock(open_store(store_path), "a.Alert")
        barrier.wait()
        results.append(lock.claim_tick(tick))

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def _claim_in_process(args: tuple[str, str, str]) -> bool:
    store_path, alert, tick = args
    return RunLock(open_store(store_path), alert).claim_tick(datetime.fromisoformat(tick))


def test_racing_processes_claim_a_tick_exactly_once(store_path):
    RunLock(open_store(store_path), "warm.Up").claim_tick(NOON)
    tick = datetime(2026, 3, 4, 12, 7, tzinfo=UTC).isoformat()
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_claim_in_process, [(store_path, "a.Alert", tick)] * 8)
    assert sorted(results) == [False] * 7 + [True]


def test_a_held_lease_makes_the_next_run_skip(lock_store):
    running, next_run = RunLock(lock_store, "a.Alert"), RunLock(lock_store, "a.Alert")
    assert running.acquire() is True
    assert next_run.acquire() is False
    running.release()
    assert next_run.acquire() is True


def test_held_yields_false_while_another_run_holds_the_lease(lock_store):
    with RunLock(lock_store, "a.Alert").held() as first:
        with RunLock(lock_store, "a.Alert").held() as second:
            assert (first, second) == (True, False)
    with RunLock(lock_store, "a.Alert").held() as after:
        assert after is True


def test_held_releases_the_lease_when_the_run_raises(lock_store):
    with pytest.raises(RuntimeError), RunLock(lock_store, "a.Alert").held():
        raise RuntimeError("the alert failed")
    assert lock_store.get(LOCKS_INDEX, "a.Alert:running")["found"] is False


def test_leases_are_per_alert(lock_store):
    assert RunLock(lock_store, "a.Alert").acquire() is True
    assert RunLock(lock_store, "b.Other").acquire() is True


def test_an_expired_lease_of_a_crashed_worker_is_taken_over(lock_store):
    with freeze_time(NOON):
        assert RunLock(lock_store, "a.Alert", lease_seconds=60).acquire() is True
    with freeze_time(NOON + timedelta(seconds=59)):
        assert RunLock(lock_store, "a.Alert").acquire() is False
    with freeze_time(NOON + timedelta(seconds=61)):
        successor = RunLock(lock_store, "a.Alert")
        assert successor.acquire() is True
        assert RunLock(lock_store, "a.Alert").acquire() is False
    held = lock_store.get(LOCKS_INDEX, "a.Alert:running")["_source"]
    assert held["token"] == successor.token


def test_racing_workers_take_over_a_stale_lease_exactly_once(store_path):
    crashed = RunLock(open_store(store_path), "a.Alert", lease_seconds=0)
    assert crashed.acquire() is True
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def contend() -> None:
        lock = RunLock(open_store(store_path), "a.Alert", lease_seconds=600)
        barrier.wait()
        results.append(lock.acquire())

    threads = [threading.Thread(target=contend) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_a_run_that_lost_its_lease_does_not_release_the_new_holders(lock_store):
    with freeze_time(NOON):
        slow = RunLock(lock_store, "a.Alert", lease_seconds=10)
        slow.acquire()
    with freeze_time(NOON + timedelta(seconds=11)):
        successor = RunLock(lock_store, "a.Alert")
        assert successor.acquire() is True
        slow.release()
        assert slow.renew() is False
        assert RunLock(lock_store, "a.Alert").acquire() is False


def test_renewing_pushes_the_expiry_forward(lock_store):
    lock = RunLock(lock_store, "a.Alert", lease_seconds=60)
    with freeze_time(NOON):
        lock.acquire()
    with freeze_time(NOON + timedelta(seconds=50)):
        assert lock.renew() is True
    with freeze_time(NOON + timedelta(seconds=100)):
        assert RunLock(lock_store, "a.Alert").acquire() is False
    expires = lock_store.get(LOCKS_INDEX, "a.Alert:running")["_source"]["expires"]
    assert datetime.fromisoformat(expires) == NOON + timedelta(seconds=110)


def test_prune_removes_only_claims_past_retention(lock_store):
    lock = RunLock(lock_store, "a.Alert")
    old, recent = NOON - timedelta(days=3), NOON - timedelta(hours=1)
    for tick in (old, recent):
        with freeze_time(tick):
            lock.claim_tick(tick)
            RunLock(lock_store, "b.Other").claim_tick(tick)
    with freeze_time(NOON):
        assert lock.prune() == 1
    assert lock_store.get(LOCKS_INDEX, f"a.Alert:{old.isoformat()}")["found"] is False
    assert lock_store.get(LOCKS_INDEX, f"a.Alert:{recent.isoformat()}")["found"] is True
    assert lock_store.get(LOCKS_INDEX, f"b.Other:{old.isoformat()}")["found"] is True


def test_a_late_claim_of_an_old_tick_is_kept_a_full_retention_period(lock_store):
    old = NOON - timedelta(days=3)
    with freeze_time(NOON):
        assert RunLock(lock_store, "a.Alert").claim_tick(old) is True
        assert RunLock(lock_store, "a.Alert").prune() == 0
        assert RunLock(lock_store, "a.Alert").claim_tick(old) is False


def test_locks_work_on_a_fresh_memory_store():
    store = open_store(f"memory://locks-{uuid.uuid4().hex}")
    assert RunLock(store, "a.Alert").claim_tick(NOON) is True
    assert RunLock(store, "a.Alert").claim_tick(NOON) is False
