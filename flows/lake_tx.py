"""One run's writes to the lake: Parquet files written in the background, then one Delta
commit per table and the ledger commit last (the protocol: flows/lake.py)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs
from deltalake import DeltaTable, Field, Schema
from deltalake.transaction import (
    AddAction,
    CommitProperties,
    RemoveAction,
    create_table_with_add_actions,
)

from flows import failpoints
from flows.lake_files import (
    LEDGER,
    PART,
    PINS_KEY,
    RUN_KEY,
    file_name,
    remove,
    s3_filesystem,
    write_parquet,
)
from transforms import schemas

if TYPE_CHECKING:
    from flows.lake import Lake

# Arrow bytes of the staged files handed to a Transaction's writer threads and not yet
# written, at most: the run stages the next batch while the last ones are compressed (Parquet
# writing releases the GIL). A bound in bytes, not files: a large day is few big files.
MAX_PENDING_BYTES = 96 * 1024 * 1024
WRITER_THREADS = 2


@dataclass
class _Staged:
    """What a transaction does to one table: the dates it replaces, and the files it adds."""

    replaced: set[dt.date] = field(default_factory=set)
    adds: list[AddAction] = field(default_factory=list)
    removes: list[RemoveAction] = field(default_factory=list)


@dataclass
class Transaction:
    """Partition replacements staged by one run, committed all at once (module docstring).

    Staged Parquet files are written by background threads, so the run goes on staging the
    next batch meanwhile; `commit` waits for every write and fails if one did. `abort` waits
    for them without raising and, before the commit point, undoes what the run wrote."""

    lake: Lake
    run_id: str
    touched: dict[str, set[dt.date]] = field(default_factory=dict)
    # Set once the ledger commit is done: from then on the run is in the lake.
    committed: bool = False
    write_seconds: float = 0.0  # the writer threads' busy time, summed (for the run's timings)
    wait_seconds: float = 0.0  # time the run waited for the writer (queue full, or commit)
    # Told of every staged partition (the warehouse build takes them from memory).
    on_stage: Callable[[str, dt.date, pa.Table], None] | None = None
    _staged: dict[str, _Staged] = field(default_factory=dict)
    _parts: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    _written: list[str] = field(default_factory=list)
    _writer: ThreadPoolExecutor | None = None
    _pending: deque[tuple[Future[None], int]] = field(default_factory=deque)
    _pending_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _fs: pafs.S3FileSystem | None = None

    def _write_now(self, data: pa.Table, table: str, rel: str, day: dt.date) -> None:
        t = time.perf_counter()
        full = f"{self.lake.table_uri(table)}/{rel}"
        size = write_parquet(data, full, self._fs)
        add = AddAction(
            rel,
            size,
            {"ingest_date": day.isoformat()},
            int(time.time() * 1000),
            True,
            json.dumps({"numRecords": data.num_rows}),
        )
        with self._lock:
            self._staged.setdefault(table, _Staged()).adds.append(add)
            self.write_seconds += time.perf_counter() - t
        failpoints.hit("lake_write")

    def _write(self, data: pa.Table, table: str, day: dt.date, name: str) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="akhbar-lake")
        if self.lake.remote and self._fs is None:
            self._fs = s3_filesystem()
        rel = f"ingest_date={day.isoformat()}/{name}"
        self._written.append(f"{self.lake.table_uri(table)}/{rel}")
        size = data.nbytes
        while self._pending and self._pending_bytes + size > MAX_PENDING_BYTES:
            self._wait_oldest()
        fut = self._writer.submit(self._write_now, data, table, rel, day)
        self._pending.append((fut, size))
        self._pending_bytes += size

    def _wait_oldest(self) -> None:
        t = time.perf_counter()
        fut, size = self._pending.popleft()
        self._pending_bytes -= size
        try:
            fut.result()
        finally:
            self.wait_seconds += time.perf_counter() - t

    def flush(self) -> None:
        """Wait until every staged file is written; raise the first write error."""
        try:
            while self._pending:
                self._wait_oldest()
        finally:
            if self._writer is not None and not self._pending:
                self._writer.shutdown()
                self._writer = None

    def abort(self) -> None:
        """Wait for the writes in flight, ignoring their errors (the run failed already);
        before the commit point, restore any table already committed and remove the files."""
        while self._pending:
            try:
                self._wait_oldest()
            except Exception:  # the run's own error is the one reported
                continue
        self.flush()
        if self.committed:
            return
        try:
            self.lake.recover()
        except Exception:  # the store is failing too: the next run restores under its lease
            return
        for full in self._written:
            remove(full, self._fs)

    def replace_partition(self, table: str, day: dt.date, data: pa.Table) -> None:
        """Stage `data` for (table, day). The first call for a partition in a transaction makes
        `data` its whole content at commit (empty data removes it); later calls add parts
        beside it (`part-<run>-<n>.parquet`), so a run can stage a large day batch by batch
        instead of holding all of it."""
        schema = schemas.TABLES[table]
        data = data.cast(schema) if data.schema != schema else data
        n = self._parts.get((table, day), 0)
        if n and not data.num_rows:
            return
        self._parts[(table, day)] = n + 1
        with self._lock:
            self._staged.setdefault(table, _Staged()).replaced.add(day)
        if data.num_rows:
            name = f"part-{self.run_id}.parquet" if n == 0 else f"part-{self.run_id}-{n}.parquet"
            self._write(data, table, day, name)
        self.touched.setdefault(table, set()).add(day)
        if self.on_stage is not None:
            self.on_stage(table, day, data)

    def append_file(self, table: str, day: dt.date, data: pa.Table, name: str) -> None:
        """Add the file `name` to (table, day), beside what the partition holds; it replaces a
        file of that name there (a run's `failed` row after its `completed` one), written
        beside it in a folder of its own so that older versions still read the old one."""
        base = self.lake.table_uri(table) + "/"
        old = [str(f) for f in self.lake.files(table, day) if file_name(f) == name]
        with self._lock:
            staged = self._staged.setdefault(table, _Staged())
            for f in old:
                rel = f.removeprefix(base)
                staged.removes.append(RemoveAction(rel, True, int(time.time() * 1000)))
        if old:
            name = f"{self.run_id}-{len(old)}-{int(time.time())}/{name}"
        self._write(data.cast(schemas.TABLES[table]), table, day, name)
        self.touched.setdefault(table, set()).add(day)

    def commit(self) -> int:
        """Commit every data table, then the ledger (the commit point). The lake's version."""
        self.flush()
        # Under the lease nobody else commits: what is ahead of the pins was left by a killed
        # run. Restored, every table's latest version holds its pinned content.
        self.lake.recover()
        self._evolve_ledger()
        pins = self.lake.latest_versions()
        failpoints.hit("before_commit")
        for table in sorted(t for t in self._staged if t != LEDGER):
            pins[table] = self._commit_table(table, {})
            failpoints.hit("table_commit")
        failpoints.hit("before_ledger")
        self._commit_table(LEDGER, {PINS_KEY: json.dumps(pins, sort_keys=True)})
        self.committed = True
        failpoints.hit("after_commit")
        self.lake.refresh()
        return self.lake.version

    def _evolve_ledger(self) -> None:
        """Give a `runs` ledger written before a column was added that column, before any
        table of the run commits. An append commit does not change a Delta table's schema
        (an overwrite does), so the ledger's new columns are added by a commit of their own,
        which restates the pins of the ledger commit before it: a run killed right after it
        leaves the lake as it was, and recovery sees nothing ahead of its pins."""
        d = self.lake.delta(LEDGER)
        if d is None:
            return
        last = d.history(1)[0]
        meta = {k: last[k] for k in (PINS_KEY, RUN_KEY) if k in last}
        if _add_missing_columns(d, schemas.TABLES[LEDGER], meta):
            self.lake.refresh()

    def _commit_table(self, table: str, meta: dict[str, str]) -> int:
        staged = self._staged.get(table, _Staged())
        props = CommitProperties(custom_metadata={RUN_KEY: self.run_id, **meta})
        schema = schemas.TABLES[table]
        d = self.lake.delta(table)
        if d is None:
            create_table_with_add_actions(
                self.lake.table_uri(table),
                Schema.from_arrow(schema),
                staged.adds,
                mode="append",
                partition_by=PART,
                storage_options=self.lake.options,
                commit_properties=props,
            )
            d = self.lake.delta(table)
            assert d is not None
            return d.version()
        if staged.replaced:
            days = sorted(x.isoformat() for x in staged.replaced)
            d.create_write_transaction(
                staged.adds,
                "overwrite",
                schema,
                PART,
                partition_filters=[("ingest_date", "in", days)],
                commit_properties=props,
            )
        else:
            if table != LEDGER:  # the ledger's are added before any commit: _evolve_ledger
                _add_missing_columns(d, schema, {RUN_KEY: self.run_id})
            acts: list[AddAction | RemoveAction] = [*staged.adds, *staged.removes]
            d.create_write_transaction(acts, "append", schema, PART, commit_properties=props)
        d.update_incremental()
        return d.version()


def _add_missing_columns(d: DeltaTable, schema: pa.Schema, meta: dict[str, str]) -> bool:
    """Add the columns of `schema` that the Delta table lacks (a table written by an earlier
    version), as nullable columns, in one commit carrying `meta`. Whether it added any."""
    have = {f.name for f in d.schema().fields}
    missing = [Field.from_arrow(f) for f in schema if f.name not in have]
    if not missing:
        return False
    d.alter.add_columns(missing, commit_properties=CommitProperties(custom_metadata=meta))
    d.update_incremental()
    return True
