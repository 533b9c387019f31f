"""The process that builds a run's new warehouse beside its staging (`python -m
flows.build_worker`, started by flows/build.py's `Build`).

Its own process, not a thread of the run's: DuckDB's buffer pool, the staged parts waiting for
it, the article rows it carries between row groups and DuckDB's own structures (which grow
with the warehouse) would otherwise all sit in the run's process, which then grew from 100k to
1M articles with the build and not without it (benchmarks/RESULTS.md, sessions 7 and 8).

The wire: the run writes Arrow IPC streams to this process's standard input, one after the
other, each naming what it is in its schema's metadata (`MESSAGE`):
- `setup`: the temporary file, the lake's location and pins, the replaced dates, the run id;
- `part`: one staged (table, date) part, its rows the stream's;
- `finish`: the lake's pins after the run's commit.
This process answers once, on standard output, with one JSON line: `{"ok": ...}` after
`finish`, or `{"error": ...}` as soon as anything fails (after which it reads and drops what
the run still sends, so the run never blocks on it). It ends when its standard input does:
a run that died (or discarded its build) leaves the file to the next run's sweep.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from flows import failpoints, lifeline
from flows.lake import Lake
from flows.publish import disk_full
from flows.publish_meta import complete
from flows.sql_objects import install_objects, objects_fingerprint
from flows.warehouse_tables import (
    PUBLISH_MEMORY_LIMIT,
    ROW_GROUP_SIZE,
    connect,
    create_table_sql,
    insert_files,
    new_files,
)
from transforms import schemas

BUILD_MEMORY_LIMIT = "256MB"  # DuckDB's, in the build that runs beside staging
BUILD_CHECKPOINT_THRESHOLD = "2MB"  # of WAL, in that build
# Staged parts read from the run but not inserted yet, in Arrow bytes: bounds the memory they
# hold here while letting the run go on staging when DuckDB is a batch or two behind.
QUEUE_BYTES = 192 * 1024 * 1024

MESSAGE = b"akhbar_build"  # the schema metadata key naming a message and its fields
ANSWER_CHARS = 2000  # an error's words, at most: the answer is one short line
NOTHING = pa.table({})


def _compact(data: pa.Table) -> pa.Table:
    """`data` in buffers of its own, holding its rows only."""
    columns = [pa.concat_arrays(c.chunks) if c.num_chunks else c for c in data.columns]
    return pa.table(columns, schema=data.schema)


class Builder:
    """The new warehouse file: the lake's partitions the run keeps, then each staged part as it
    comes, then (`finish`) the last rows, the append-only tables, views, macros, metadata."""

    def __init__(self, tmp: Path, lake: Lake, run_id: str, replacing: set[dt.date]) -> None:
        self.tmp, self.lake, self.run_id, self.replacing = tmp, lake, run_id, replacing
        self.applied: set[tuple[str, dt.date]] = set()
        self.held: str | None = None  # objects_fingerprint of the views and macros it holds
        # Articles received but not inserted yet, and rows in the table's last row group:
        # see insert_articles.
        self._carry: list[pa.Table] = []
        self._fill = 0
        self.con = connect(tmp)

    def setup(self) -> None:
        con = self.con
        # One DuckDB thread: the build runs beside the worker processes, which keep the cores
        # busy, and parallel inserts write one partial row group per thread (a file 15-60%
        # larger, run to run).
        con.execute("SET threads = 1")
        # It also runs beside the run's staging: a quarter of the publish limit is plenty for
        # one row group at a time.
        con.execute(f"SET memory_limit = '{BUILD_MEMORY_LIMIT}'")
        # Checkpoint often (DuckDB's default waits for 16 MB of WAL): each checkpoint runs here,
        # beside the staging, instead of one large one after the lake commit.
        con.execute(f"SET checkpoint_threshold = '{BUILD_CHECKPOINT_THRESHOLD}'")
        for table in schemas.TABLES:
            con.execute(create_table_sql(table))
            if table not in schemas.APPEND_ONLY:
                days = [d for d in self.lake.dates(table) if d not in self.replacing]
                insert_files(con, table, [f for d in days for f in self.lake.files(table, d)])
        # Views and macros now, while the run is still reading: not after its commit.
        self.held = objects_fingerprint()
        install_objects(con)
        rows = con.execute(
            "SELECT coalesce(sum(count), 0) FROM pragma_storage_info('articles') "
            "WHERE column_id = 0 AND column_path = '[0]'"
        ).fetchall()[0][0]
        self._fill = int(rows) % ROW_GROUP_SIZE
        con.execute("BEGIN")

    def _insert(self, table: str, data: pa.Table) -> None:
        cols = ", ".join(f'"{n}"' for n in data.column_names)
        self.con.register("_akhbar_staged", data)
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _akhbar_staged")
        finally:
            self.con.unregister("_akhbar_staged")

    def insert_articles(self, data: pa.Table) -> None:
        """Articles go in whole row groups, one transaction each. One transaction for a whole
        large run holds memory DuckDB does not count against its limit (+200 MB per 25k
        articles: 7.8 GB at 1M); many small autocommitted inserts go through the WAL (twice
        the time); a commit that leaves a row group half full has it rewritten by the next
        (a file 40% larger). So rows are carried until they complete the table's last row
        group, then inserted and committed; what is left goes in at the end."""
        self._carry.append(data)
        staged = pa.concat_tables(self._carry) if len(self._carry) > 1 else data
        room = ROW_GROUP_SIZE - self._fill
        if staged.num_rows < room:
            return
        whole = room + (staged.num_rows - room) // ROW_GROUP_SIZE * ROW_GROUP_SIZE
        self._insert("articles", staged.slice(0, whole))
        self.con.execute("COMMIT")
        self.con.execute("BEGIN")
        # A compact copy: a slice would keep the buffers of the whole part it came from alive
        # (combine_chunks() copies nothing when the rows left are in one chunk).
        self._carry = [_compact(staged.slice(whole))] if whole < staged.num_rows else []
        self._fill = 0

    def apply(self, table: str, day: dt.date, data: pa.Table) -> None:
        failpoints.hit("build_apply")
        if table == "articles":
            self.insert_articles(data)
        elif data.num_rows:
            self._insert(table, data)
        self.applied.add((table, day))

    def finish(self, lake: Lake) -> None:
        """The last rows and the append-only tables of `lake` (the run's commit), then the
        metadata, committed and checkpointed; the connection closed."""
        con = self.con
        # The workers are done: every core for the rest (no later insert follows to rewrite
        # the partial row groups a parallel insert leaves).
        con.execute("RESET threads")
        con.execute(f"SET memory_limit = '{PUBLISH_MEMORY_LIMIT}'")
        if self._carry:
            self._insert("articles", pa.concat_tables(self._carry))
            self._carry = []
        for table in schemas.APPEND_ONLY:
            insert_files(con, table, new_files(con, lake, table, set(lake.dates(table))))
        complete(con, lake, self.run_id, self.held, commit=True)
        con.close()


class Inbox:
    """The run's messages, read by a thread into a queue bounded by QUEUE_BYTES: reading goes
    on while DuckDB inserts, and the run blocks only when that much waits here."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = pa.PythonFile(source, mode="r")
        self._items: list[tuple[dict[str, Any], pa.Table]] = []
        self._bytes = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.finished = False  # the `finish` message was taken

    def read(self) -> tuple[dict[str, Any], pa.Table]:
        """The next message, read here (for `setup`, before the thread starts)."""
        try:
            reader = pa.ipc.open_stream(self._source)
            data = reader.read_all()
        except (pa.ArrowInvalid, OSError):  # the run ended or discarded the build
            os._exit(1)
        fields = json.loads((reader.schema.metadata or {})[MESSAGE])
        return fields, data.replace_schema_metadata(None)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="akhbar-build-inbox")
            self._thread.daemon = True
            self._thread.start()

    def _loop(self) -> None:
        try:
            self._take()
        except BaseException as e:  # (out of memory, a garbled message): the build fails
            with self._cond:
                self._items.append(({"kind": "error", "error": e}, NOTHING))
                self._cond.notify_all()

    def _take(self) -> None:
        while True:
            fields, data = self.read()
            with self._cond:
                while self._items and self._bytes + data.nbytes > QUEUE_BYTES:
                    self._cond.wait()
                self._items.append((fields, data))
                self._bytes += data.nbytes
                self._cond.notify_all()
            if fields["kind"] == "finish":
                return

    def __iter__(self) -> Iterator[tuple[dict[str, Any], pa.Table]]:
        while True:
            with self._cond:
                while not self._items:
                    self._cond.wait()
                fields, data = self._items.pop(0)
                self._bytes -= data.nbytes
                self._cond.notify_all()
            if fields["kind"] == "error":
                self.finished = True  # nothing more is read
                raise fields["error"]
            if fields["kind"] == "finish":
                self.finished = True
            yield fields, data
            if self.finished:
                return


def _error(e: BaseException) -> dict[str, Any]:
    """What the run needs to know of a failure: its words, and whether it was for want of
    disk (flows.publish.disk_full: the run then does not build the warehouse again)."""
    return {"error": f"{type(e).__name__}: {e}"[:ANSWER_CHARS], "disk_full": disk_full(e)}


def _answer(out: BinaryIO, reply: dict[str, Any]) -> None:
    out.write(json.dumps(reply).encode() + b"\n")
    out.flush()


def build(inbox: Inbox, out: BinaryIO) -> None:
    """Set up from the first message, apply every part, finish; answer once. `seconds` is
    the time it was busy (not waiting for the run)."""
    t = time.perf_counter()
    fields, _ = inbox.read()
    lake = Lake.pinned(fields["location"], fields["pins"])
    replacing = {dt.date.fromisoformat(d) for d in fields["replacing"]}
    builder = Builder(Path(fields["tmp"]), lake, fields["run_id"], replacing)
    inbox.start()
    builder.setup()
    busy = time.perf_counter() - t
    for fields, data in inbox:
        t = time.perf_counter()
        if fields["kind"] == "part":
            builder.apply(fields["table"], dt.date.fromisoformat(fields["day"]), data)
        else:
            builder.finish(Lake.pinned(lake.location, fields["pins"]))
        busy += time.perf_counter() - t
    applied = sorted([table, day.isoformat()] for table, day in builder.applied)
    _answer(out, {"ok": True, "applied": applied, "seconds": busy})


def main() -> None:
    if sys.argv[1:]:  # started by hand (`--help`): it takes no arguments, only the run's pipe
        print(__doc__)
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    lifeline.watch_parent()  # a run killed mid-build: this ends too (the next run sweeps)
    source = open(sys.stdin.fileno(), "rb", buffering=1 << 20, closefd=False)  # noqa: SIM115
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answer's channel
    inbox = Inbox(source)
    try:
        build(inbox, out)
    except BaseException as e:  # told to the run, which publishes from the lake instead
        _answer(out, _error(e))
        inbox.start()
        with suppress(BaseException):  # (the answer is given: nothing more to tell)
            if not inbox.finished:  # drain: the run must never block on a failed build
                for _ in inbox:
                    pass
    os._exit(0)  # DuckDB's threads need no orderly end: the file is closed or abandoned


if __name__ == "__main__":
    main()
