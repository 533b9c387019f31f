"""One writer per data dir: an advisory `flock` on `<data>/.akhbar.lock`.

The kernel drops the lock when its process dies, so a lock left by a killed run is stale by
construction and the next run simply takes it; the pid/time written inside only serve the
error message.

A command that runs a flow takes the lock itself (`held_by_command`), before Prefect starts,
and keeps it through the flow: two runs started at the same instant then never both start
Prefect, and the loser gets one line. The run inside (`data_lock` in flows/run.py) finds the
lock held by its own process's command and goes on under it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RunLocked(RuntimeError):
    pass


# Data dirs whose lock this process's command holds (resolved paths).
_command_holds: set[Path] = set()


@contextmanager
def held_by_command(data_dir: Path, wait: bool = False) -> Iterator[None]:
    """The lock, taken by a command for the whole of its flow; `data_lock` on the same dir
    in this process then goes on under it (and only then: two library calls in two threads
    still exclude each other)."""
    key = data_dir.resolve()
    with data_lock(data_dir, wait):
        _command_holds.add(key)
        try:
            yield
        finally:
            _command_holds.discard(key)


@contextmanager
def data_lock(data_dir: Path, wait: bool = False, poll_s: float = 0.5) -> Iterator[None]:
    if data_dir.resolve() in _command_holds:
        yield  # held by this process's command, around the flow
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ".akhbar.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    # Without --wait, retry for a moment only: `check_free` probes hold the lock for microseconds.
    give_up = time.monotonic() + 0.3
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait and time.monotonic() > give_up:
                    raise RunLocked(_holder_message(path, data_dir)) from None
                time.sleep(poll_s if wait else 0.05)
        info = {
            "pid": os.getpid(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _holder_message(path: Path, data_dir: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    pid, started = info.get("pid", "?"), info.get("started", "?")
    return (
        f"another run (pid {pid}, started {started}) holds {data_dir}; "
        "wait for it, or pass --wait to queue behind it"
    )


def check_free(data_dir: Path) -> None:
    """Raise RunLocked now if another run holds `data_dir`: lets a command fail before it pays
    for starting Prefect. Only a hint (the run itself still takes the lock): a run may start
    in between."""
    path = data_dir / ".akhbar.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # no lock file yet: nobody has ever run here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunLocked(_holder_message(path, data_dir)) from None
    finally:
        os.close(fd)
