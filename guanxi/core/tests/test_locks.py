"""Runner locks: held by one holder at a time, re-entrant for it, and free again once the holder
ends, even when its process is killed."""

import os
import signal
import subprocess
import sys
import threading

import pytest
from django.db import connection

from guanxi.core import locks
from guanxi.core.locks import runner_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_locks(settings, tmp_path, monkeypatch):
    """On SQLite the suite's in-memory database has no other process to keep out: lock files instead."""
    settings.VAR_DIR = tmp_path
    if connection.vendor == "sqlite":
        monkeypatch.setattr(locks, "_mechanism", lambda: locks._file_lock)


def held_elsewhere(name: str) -> bool:
    """Whether another thread (another database session) can take the lock now."""
    result = {}

    def attempt():
        try:
            with runner_lock(name) as held:
                result["free"] = held
        finally:
            connection.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return not result["free"]


def test_a_held_lock_is_refused_to_others_and_free_once_released(real_locks):
    with runner_lock("test.job:1") as held:
        assert held
        assert held_elsewhere("test.job:1")
        assert not held_elsewhere("test.job:2")
    assert not held_elsewhere("test.job:1")


def test_the_holder_may_take_its_lock_again_and_keeps_it_until_the_outer_block_ends(real_locks):
    with runner_lock("test.job:1") as outer:
        with runner_lock("test.job:1") as inner:
            assert outer and inner
        assert held_elsewhere("test.job:1")
    assert not held_elsewhere("test.job:1")


def test_a_lock_file_is_freed_when_its_process_is_killed(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    path = locks._lock_path("test.job:1")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with locks._file_lock("test.job:1") as held:
            assert not held
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with locks._file_lock("test.job:1") as held:
        assert held
