"""The run's next warehouse, when it is a new one, built in a background thread while the run
stages the lake (`Build`), so that publishing costs little after the lake commit. A run whose
warehouse can be updated builds nothing here: it publishes in place (flows/publish_inplace.py)."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.lake import Lake
from flows.publish import remove_temp, swap, sweep_temp
from flows.publish_meta import can_update, complete, read_meta
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

_DONE = object()


def _compact(data: pa.Table) -> pa.Table:
    """`data` in buffers of its own, holding its rows only."""
    columns = [pa.concat_arrays(c.chunks) if c.num_chunks else c for c in data.columns]
    return pa.table(columns, schema=data.schema)


class Build:
    """The run's new warehouse, built while the run stages the lake, so that publishing costs
    little after the lake commit.

    `start()` (under the data-dir lock, before staging) decides: when the live warehouse can
    be updated (`incremental`), nothing is built here and the run publishes in place. Else a
    background thread creates a new file and loads the lake partitions the run will not
    replace. Each partition the run stages is handed over with `add()` and applied from the
    Arrow table in memory (no Parquet re-read) while the run goes on. After the lake commit,
    `publish(..., build=)` calls `finish()`: the last rows, the runs rows, the metadata, then
    the swap.
    Anything unexpected (an error in the thread, a partition missing, the lake at another
    version) discards it, and the warehouse is published from the lake the usual way.
    """

    # Staged parts waiting for the thread, in Arrow bytes: bounds the memory they hold while
    # letting the run go on staging when DuckDB is a batch or two behind.
    QUEUE_BYTES = 256 * 1024 * 1024

    def __init__(self, data_dir: Path, lake: Lake, run_id: str, replacing: set[dt.date]) -> None:
        self.data_dir = data_dir
        self.tmp = data_dir / f".warehouse-{run_id}.duckdb"
        self.run_id = run_id
        self.base_version = lake.version
        meta = read_meta(data_dir / "warehouse.duckdb")
        self.incremental = can_update(meta, lake.version + 1)
        self.replacing = replacing
        self.applied: set[tuple[str, dt.date]] = set()
        # objects_fingerprint of the views and macros the file holds; set at setup.
        self._held: str | None = None
        # Articles staged but not inserted yet, and rows in the table's last row group: see
        # _insert_articles.
        self._carry: list[pa.Table] = []
        self._fill = 0
        self.seconds = 0.0  # the thread's busy time
        self.error: BaseException | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._queue: queue.Queue = queue.Queue()
        self._queued = 0  # bytes in the queue
        self._room = threading.Condition()
        self._thread = threading.Thread(
            target=self._run, args=(lake,), name="akhbar-warehouse", daemon=True
        )

    @classmethod
    def start(cls, data_dir: Path, lake: Lake, run_id: str, replacing: set[dt.date]) -> Build:
        sweep_temp(data_dir)
        build = cls(data_dir, lake, run_id, replacing)
        if not build.incremental:  # else add() ignores the parts: the publish is in place
            build._thread.start()
        return build

    def add(self, table: str, day: dt.date, data: pa.Table) -> None:
        """Queue a staged part of (table, day); blocks while QUEUE_BYTES are waiting already.
        Ignored once the build has failed."""
        if self.error is not None or not self._thread.is_alive():
            return
        size = data.nbytes
        with self._room:
            while self._queued and self._queued + size > self.QUEUE_BYTES and self.error is None:
                self._room.wait(1.0)
            self._queued += size
        self._queue.put((table, day, data))

    def _done_with(self, data: pa.Table) -> None:
        with self._room:
            self._queued -= data.nbytes
            self._room.notify_all()

    def _run(self, lake: Lake) -> None:
        t = time.perf_counter()
        try:
            self._setup(lake)
            self.seconds += time.perf_counter() - t
            while (item := self._queue.get()) is not _DONE:
                t_item = time.perf_counter()
                try:
                    self._apply(*item)
                finally:
                    self._done_with(item[2])
                self.seconds += time.perf_counter() - t_item
        except BaseException as e:  # reported by finish(); the run itself goes on
            self.error = e
            with self._room:
                self._room.notify_all()
            while (item := self._queue.get()) is not _DONE:  # drain: add() must never block
                self._done_with(item[2])

    def _setup(self, lake: Lake) -> None:
        con = self._con = connect(self.tmp)
        # One DuckDB thread: the build runs beside the worker processes, which keep the cores
        # busy, and parallel inserts write one partial row group per thread (a file 15-60%
        # larger, run to run).
        con.execute("SET threads = 1")
        # It also runs beside the run's staging, so its memory adds to theirs: a quarter of
        # the publish limit is plenty for one row group at a time.
        con.execute(f"SET memory_limit = '{BUILD_MEMORY_LIMIT}'")
        # Checkpoint often (DuckDB's default waits for 16 MB of WAL): each checkpoint runs here,
        # beside the staging, instead of one large one after the lake commit (the thread is
        # busier, but in the background; benchmarks/RESULTS.md).
        con.execute(f"SET checkpoint_threshold = '{BUILD_CHECKPOINT_THRESHOLD}'")
        for table in schemas.TABLES:
            con.execute(create_table_sql(table))
            if table not in schemas.APPEND_ONLY:
                days = [d for d in lake.dates(table) if d not in self.replacing]
                insert_files(con, table, [f for d in days for f in lake.files(table, d)])
        # Views and macros now, while the run is still reading: not after its commit.
        self._held = objects_fingerprint()
        install_objects(con)
        rows = con.execute(
            "SELECT coalesce(sum(count), 0) FROM pragma_storage_info('articles') "
            "WHERE column_id = 0 AND column_path = '[0]'"
        ).fetchall()[0][0]
        self._fill = int(rows) % ROW_GROUP_SIZE
        con.execute("BEGIN")

    def _insert(self, table: str, data: pa.Table) -> None:
        con = self._con
        assert con is not None
        cols = ", ".join(f'"{n}"' for n in data.column_names)
        con.register("_akhbar_staged", data)
        try:
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _akhbar_staged")
        finally:
            con.unregister("_akhbar_staged")

    def _insert_articles(self, data: pa.Table) -> None:
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
        con = self._con
        assert con is not None
        con.execute("COMMIT")
        con.execute("BEGIN")
        # A compact copy: a slice would keep the buffers of the whole part it came from alive
        # (combine_chunks() copies nothing when the rows left are in one chunk).
        self._carry = [_compact(staged.slice(whole))] if whole < staged.num_rows else []
        self._fill = 0

    def _apply(self, table: str, day: dt.date, data: pa.Table) -> None:
        if table == "articles":
            self._insert_articles(data)
        elif data.num_rows:
            self._insert(table, data)
        self.applied.add((table, day))

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()

    def finish(self, lake: Lake, touched: dict[str, set[dt.date]]) -> str:
        """Complete and swap in the build, or raise (the caller then publishes from the lake)."""
        assert not self.incremental, "an update is published in place, not built"
        self._stop()
        if self.error is not None:
            raise RuntimeError(f"the warehouse built during the run failed: {self.error}")
        dated = [t for t in schemas.TABLES if t not in schemas.APPEND_ONLY]
        expected = {(t, d) for t, days in touched.items() if t in dated for d in days}
        # A full build left the replaced dates out of every table: all must have come back.
        replaced = {(t, d) for t in dated for d in self.replacing}
        if (
            self.applied != expected
            or not replaced <= expected
            or lake.version != self.base_version + 1
        ):
            raise RuntimeError("the warehouse built during the run does not match the lake")
        con = self._con
        assert con is not None
        try:
            # The workers are done: every core for the rest (no later insert follows to
            # rewrite the partial row groups a parallel insert leaves).
            con.execute("RESET threads")
            con.execute(f"SET memory_limit = '{PUBLISH_MEMORY_LIMIT}'")
            if self._carry:
                self._insert("articles", pa.concat_tables(self._carry))
                self._carry = []
            for table in schemas.APPEND_ONLY:
                insert_files(con, table, new_files(con, lake, table, set(lake.dates(table))))
            complete(con, lake, self.run_id, self._held, commit=True)
        finally:
            con.close()
            self._con = None
        swap(self.tmp, self.data_dir)
        return "full"

    def discard(self) -> None:
        """Stop the thread and remove what it built. Idempotent."""
        self._stop()
        if self._con is not None:
            self._con.close()
            self._con = None
        remove_temp(self.tmp)
