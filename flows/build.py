"""The run's next warehouse, when it is a new one, built in a process of its own while the run
stages the lake (`Build`), so that publishing costs little after the lake commit. A run whose
warehouse can be updated builds nothing here: it publishes in place (flows/publish_inplace.py).

This module is the run's side; the builder is flows/build_worker.py, which says why it is a
process and what goes over the wire."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import select
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

import pyarrow as pa

import flows
from flows.build_worker import MESSAGE, NOTHING
from flows.lake import Lake
from flows.publish import remove_temp, swap, sweep_temp
from flows.publish_catchup import missed
from flows.publish_meta import can_update, read_meta
from transforms import schemas

_SETPIPE_SZ = 1031  # fcntl F_SETPIPE_SZ (Linux): a 1 MB pipe, 16 times fewer wake-ups
_PIPE_BYTES = 1 << 20


class _Pipe:
    """The builder's standard input as Arrow's PythonFile wants it: `write` writes everything
    (a raw pipe may take part of a large write), `close` closes it."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += self._raw.write(view[done:])
        return done

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self._raw.close()


class Build:
    """The run's new warehouse, built while the run stages the lake, so that publishing costs
    little after the lake commit.

    `start()` (under the data-dir lock, before staging) decides: when the live warehouse can
    be updated (`incremental`), nothing is built here and the run publishes in place. Else a
    builder process (flows/build_worker.py) creates a new file and loads the lake partitions
    the run will not replace. Each partition the run stages is sent to it with `add()` (Arrow
    IPC over a pipe: no Parquet re-read) while the run goes on. After the lake commit,
    `publish(..., build=)` calls `finish()`: the last rows, the runs rows, the metadata in the
    builder, then the swap here.
    Anything unexpected (an error in the builder, its death, a partition missing, the lake at
    another version) discards it, and the warehouse is published from the lake the usual way.
    """

    def __init__(self, data_dir: Path, lake: Lake, run_id: str, replacing: set[dt.date]) -> None:
        self.data_dir = data_dir
        self.tmp = data_dir / f".warehouse-{run_id}.duckdb"
        self.run_id = run_id
        self.base_version = lake.version
        meta = read_meta(data_dir / "warehouse.duckdb")
        # A warehouse further behind is brought up to date in place too (publish_catchup),
        # when the lake's history says what changed since.
        self.incremental = can_update(meta, lake.version + 1) or (
            missed(lake, meta, lake.version) is not None
        )
        self.replacing = replacing
        self.seconds = 0.0  # the builder's busy time, told by it at the end
        self.error: BaseException | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._sink: pa.PythonFile | None = None
        # The builder's answer, once it is started (select.select fails past descriptor 1023).
        self._answers = select.poll()

    @classmethod
    def start(cls, data_dir: Path, lake: Lake, run_id: str, replacing: set[dt.date]) -> Build:
        sweep_temp(data_dir)
        build = cls(data_dir, lake, run_id, replacing)
        if not build.incremental:  # else add() ignores the parts: the publish is in place
            try:
                build._spawn(lake)
            except OSError as e:  # no process to be had: the run publishes from the lake
                build.error = e
                build.discard()
        return build

    def _spawn(self, lake: Lake) -> None:
        root = str(Path(flows.__file__).resolve().parent.parent)
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{path}" if path else root}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "flows.build_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._answers.register(self._proc.stdout, select.POLLIN)
        with suppress(OSError):  # a smaller pipe only costs wake-ups
            fcntl.fcntl(self._proc.stdin.fileno(), _SETPIPE_SZ, _PIPE_BYTES)
        self._sink = pa.PythonFile(_Pipe(self._proc.stdin), mode="w")
        setup = {
            "kind": "setup",
            "tmp": str(self.tmp),
            "location": lake.location,
            "pins": lake.pins,
            "replacing": sorted(d.isoformat() for d in self.replacing),
            "run_id": self.run_id,
        }
        self._send(setup, NOTHING)

    def _send(self, fields: dict[str, Any], data: pa.Table) -> None:
        """One message: `data`'s rows in an Arrow IPC stream whose schema metadata says what
        they are. An OSError if the builder is gone."""
        assert self._sink is not None
        data = data.replace_schema_metadata({MESSAGE: json.dumps(fields)})
        with pa.ipc.new_stream(self._sink, data.schema) as writer:
            writer.write_table(data)

    def _answered(self, wait: bool) -> dict[str, Any] | None:
        """The builder's one answer, if it has given it (`wait`: once it does, or dies)."""
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        if not wait and not self._answers.poll(0):
            return None
        line = out.readline()
        try:
            answer: dict[str, Any] = json.loads(line)
        except ValueError:  # nothing (it died) or a line cut short (killed while answering)
            code = self._proc.wait()
            return {"error": f"the builder process ended (exit code {code})"}
        return answer

    def _failed(self, answer: dict[str, Any]) -> None:
        """The builder's error as the run's (a full disk as an OSError that says so); the
        builder, of no more use, is ended at once: its memory is the run's to use."""
        if answer.get("disk_full"):
            self.error = OSError(errno.ENOSPC, answer["error"])
        else:
            self.error = RuntimeError(answer["error"])
        self.discard()

    def add(self, table: str, day: dt.date, data: pa.Table) -> None:
        """Send a staged part of (table, day); blocks while the builder holds its fill of
        parts waiting already. Ignored once the build has failed: it never fails the run."""
        if self.error is not None or self._proc is None:
            return
        try:
            answer = self._answered(wait=False)  # only ever an error before `finish`
            if answer is None:
                try:
                    self._send({"kind": "part", "table": table, "day": day.isoformat()}, data)
                    return
                except OSError:  # it died: its answer (or its exit code) says why
                    answer = self._answered(wait=True)
        except Exception as e:  # anything else about the builder: the run goes on without it
            answer = {"error": f"{type(e).__name__}: {e}"}
        self._failed(answer)

    def _end(self, lake: Lake) -> set[tuple[str, dt.date]]:
        """Send `finish` and wait for the builder's answer: the parts it applied."""
        assert self._sink is not None
        try:
            self._send({"kind": "finish", "pins": lake.pins}, NOTHING)
            self._sink.close()
        except OSError:
            pass  # it died or failed: its answer says so
        answer = self._answered(wait=True)
        assert answer is not None and self._proc is not None
        if "error" in answer:
            self._failed(answer)
            raise self.error  # type: ignore[misc]
        self._proc.wait()  # its file is closed before it answers; now it is gone too
        self.discard(remove=False)
        self.seconds = float(answer["seconds"])
        return {(t, dt.date.fromisoformat(d)) for t, d in answer["applied"]}

    def finish(self, lake: Lake, touched: dict[str, set[dt.date]]) -> str:
        """Complete and swap in the build, or raise (the caller then publishes from the lake).
        A full disk raises its OSError (publishing again would fill it again)."""
        assert not self.incremental, "an update is published in place, not built"
        if self.error is not None:
            raise self.error
        applied = self._end(lake)
        dated = [t for t in schemas.TABLES if t not in schemas.APPEND_ONLY]
        expected = {(t, d) for t, days in touched.items() if t in dated for d in days}
        # A full build left the replaced dates out of every table: all must have come back.
        replaced = {(t, d) for t in dated for d in self.replacing}
        if applied != expected or not replaced <= expected or lake.version != self.base_version + 1:
            raise RuntimeError("the warehouse built during the run does not match the lake")
        swap(self.tmp, self.data_dir)
        return "full"

    def discard(self, remove: bool = True) -> None:
        """End the builder and (`remove`) what it built. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            with suppress(OSError):
                proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with suppress(OSError):
                        pipe.close()
        if remove:
            remove_temp(self.tmp)
