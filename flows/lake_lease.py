"""One writer per lake, across machines: a lease object `<lake>/_akhbar/lease.json`.

The data-dir flock (flows/lock.py) cannot see another machine, or another data dir writing the
same lake. The lease is created with create-if-absent (obstore `put(mode="create")`: S3's
If-None-Match, `O_EXCL` locally), so of two runs exactly one gets it. It names its holder (run
id, host, pid, data dir) and a heartbeat time, renewed every HEARTBEAT_S by the holder. A lease
whose heartbeat is older than STALE_S, or whose holder ran on this host and is gone (or held
the data dir whose flock the new run holds), belongs to a run that died without releasing it:
the next run takes it over with a conditional put on its ETag (S3 If-Match; locally, where
obstore has no conditional update, by deleting and creating it again), so two runs cannot
both take it over. The holder's heartbeats are conditional too (`Lease.renew`), and the run
checks it still holds the lease just before its first commit, so a holder that stalled and woke
after a takeover stops instead of writing beside the new holder. The holder deletes it at the
end, if it is still its own. The loser waits (`--wait`) or stops with
one line naming the holder, before it has written anything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import obstore
from obstore.exceptions import AlreadyExistsError, NotFoundError, PreconditionError
from obstore.store import LocalStore, S3Store

from flows import object_store, storage
from flows.lock import RunLocked

LEASE = "_akhbar/lease.json"
HEARTBEAT_S = 30.0
STALE_S = 300.0  # five minutes without a heartbeat: its run is dead


class LakeLeased(RunLocked):
    """Another run holds the lake."""


class LakeUnreachable(RuntimeError):
    """The lake's location cannot be written: a setting is wrong."""


def _unreachable(location: str | Path, e: Exception) -> LakeUnreachable:
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    hint = (
        "check AWS_ENDPOINT_URL (and AWS_ALLOW_HTTP for http://), AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, AWS_REGION, and the bucket and prefix in --lake"
        if storage.is_remote(location)
        else "check --lake (or --data): the directory must be writable"
    )
    return LakeUnreachable(f"cannot write the lake {location}: {first}; {hint}")


def probe(location: str | Path) -> None:
    """Fail in seconds, before any work, if the lake's location cannot be written."""
    try:
        st = store(location)
        name = f"_akhbar/probe-{os.getpid()}-{time.time_ns()}"
        obstore.put(st, name, b"", mode="create")
        obstore.delete(st, name)
    except Exception as e:
        raise _unreachable(location, e) from None


def store(location: str | Path) -> LocalStore | S3Store:
    """An obstore client for the lake's location (S3 settings from the AWS_* variables)."""
    if not storage.is_remote(location):
        root = Path(storage.uri(location))
        root.mkdir(parents=True, exist_ok=True)
        return LocalStore(root)
    return object_store.prefix_store(str(location))


def _body(run_id: str, data: Path) -> bytes:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    info = {
        "run_id": run_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "data": str(data),
        "heartbeat": now,
    }
    return json.dumps(info).encode()


def _read(st: LocalStore | S3Store) -> tuple[dict, str | None] | None:
    try:
        got = obstore.get(st, LEASE)
    except (NotFoundError, FileNotFoundError):
        return None
    try:
        info = json.loads(bytes(got.bytes()))
    except ValueError:
        info = {}
    return info, got.meta.get("e_tag")


def _stale(info: dict, data: Path) -> bool:
    """The holder is dead: it ran on this host and its pid is gone, or it held our data dir
    (whose flock we hold now), or its heartbeat stopped."""
    here = info.get("host") == socket.gethostname()
    if here and (info.get("data") == str(data) or not _alive(info.get("pid"))):
        return True
    try:
        beat = dt.datetime.fromisoformat(info["heartbeat"])
    except (KeyError, ValueError):
        return True
    return (dt.datetime.now(dt.UTC) - beat).total_seconds() > STALE_S


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take_over(st: LocalStore | S3Store, e_tag: str | None, body: bytes) -> str | None:
    """Replace a dead holder's lease; our lease's ETag, or None if another run beat us to it."""
    try:
        if isinstance(st, LocalStore):
            obstore.delete(st, LEASE)
            return obstore.put(st, LEASE, body, mode="create").get("e_tag")
        mode = {"e_tag": e_tag} if e_tag else "create"
        return obstore.put(st, LEASE, body, mode=mode).get("e_tag")  # type: ignore[arg-type]
    except (AlreadyExistsError, PreconditionError, FileExistsError):
        return None


def _try_take(st: LocalStore | S3Store, body: bytes, data: Path) -> tuple[dict | None, str | None]:
    """Take the lease: (None, our ETag) if taken, else (the holder's info, None)."""
    try:
        return None, obstore.put(st, LEASE, body, mode="create").get("e_tag")
    except (AlreadyExistsError, FileExistsError):
        pass
    held = _read(st)
    if held is None:
        return _try_take(st, body, data)  # released in between
    info, e_tag = held
    if _stale(info, data):
        ours = _take_over(st, e_tag, body)
        if ours is not None:
            return None, ours
    return info, None


def _message(location: str | Path, info: dict) -> str:
    return (
        f"the lake {location} is being written by run {info.get('run_id', '?')} "
        f"(host {info.get('host', '?')}, pid {info.get('pid', '?')}, data {info.get('data', '?')}, "
        f"alive at {info.get('heartbeat', '?')}); pass --wait to queue behind it"
    )


class Lease:
    """A lease this run holds. Every renewal is conditional on still holding it (S3: If-Match on
    the ETag of our last write; locally, where obstore has no conditional update, the lease is
    read and must still name this run), so a holder that stalled past STALE_S and wakes after
    another run took over learns it lost the lease instead of overwriting the new holder's.
    `check()` renews at once and raises if the lease is lost: the run calls it just before its
    first commit, so a stalled run never commits beside the one that took over."""

    def __init__(self, location: str | Path, st: LocalStore | S3Store, run_id: str, data: Path):
        self.location, self.st, self.run_id, self.data = location, st, run_id, data
        self.e_tag: str | None = None
        self.lost_to: dict | None = None
        self._lock = threading.Lock()

    def renew(self) -> bool:
        """Write a fresh heartbeat if we still hold the lease; False (and `lost_to` set) if not."""
        with self._lock:
            if self.lost_to is not None:
                return False
            body = _body(self.run_id, self.data)
            if isinstance(self.st, LocalStore):
                held = _read(self.st)
                if held is None or held[0].get("run_id") != self.run_id:
                    self.lost_to = held[0] if held else {}
                    return False
                obstore.put(self.st, LEASE, body)
                return True
            try:
                mode = {"e_tag": self.e_tag} if self.e_tag else "overwrite"
                self.e_tag = obstore.put(self.st, LEASE, body, mode=mode).get("e_tag")  # type: ignore[arg-type]
            except (PreconditionError, NotFoundError, FileNotFoundError):
                held = _read(self.st)
                self.lost_to = held[0] if held else {}
                return False
            return True

    def check(self) -> None:
        """Raise LakeLeased unless this run still holds the lease (renewing it)."""
        if not self.renew():
            who = (self.lost_to or {}).get("run_id", "none")
            raise LakeLeased(
                f"this run lost the lease of the lake {self.location} (its heartbeat stopped for "
                f"more than {STALE_S:.0f} s; now held by run {who}); it committed nothing: run "
                "it again"
            )

    def release(self) -> None:
        """Delete the lease if it is still ours (never the lease of a run that took over)."""
        with self._lock:
            held = _read(self.st)
            if held is not None and held[0].get("run_id") == self.run_id:
                with suppress(NotFoundError, FileNotFoundError):
                    obstore.delete(self.st, LEASE)


@contextmanager
def lake_lease(
    location: str | Path, run_id: str, data: Path, wait: bool = False, poll_s: float = 1.0
) -> Iterator[Lease]:
    try:
        st = store(location)
        holder, e_tag = _try_take(st, _body(run_id, data), data)
    except Exception as e:
        raise _unreachable(location, e) from None
    while holder is not None:
        if not wait:
            raise LakeLeased(_message(location, holder))
        time.sleep(poll_s)
        holder, e_tag = _try_take(st, _body(run_id, data), data)
    lease = Lease(location, st, run_id, data)
    lease.e_tag = e_tag
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lease, stop), daemon=True)
    beat.start()
    try:
        yield lease
    finally:
        stop.set()
        beat.join()
        lease.release()


def _heartbeat(lease: Lease, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        try:
            if not lease.renew():
                return  # lost: the run's check() before its commit stops it
        except Exception:  # a missed beat only risks a takeover after STALE_S
            continue
