"""The Parquet lake: `<data>/lake/<table>/ingest_date=YYYY-MM-DD/part-<run_id>[-<n>].parquet`.

Writes are transactional through a redo journal:
1. every new partition file is written hidden (`.part-….parquet.tmp`, invisible to globs),
2. the journal `<lake>/_journal/<run_id>.json` naming each rename and deletion is written
   atomically (write, fsync, rename) — this is the commit point,
3. the journal is applied (rename into place, delete the replaced files) and removed.
A crash before 2 leaves the old lake (the hidden files are swept); a crash after 2 is rolled
forward by `recover()` at the start of the next run. Either way nobody sees half a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flows import failpoints
from transforms import schemas

# zstd level 1, not 3: 25% less time writing the lake for 10% more bytes (benchmarks/RESULTS.md).
PARQUET_OPTS = {"compression": "zstd", "compression_level": 1}
# Columns all but unique per row: a dictionary page is built, found useless and dropped for each.
NO_DICTIONARY = frozenset(
    {"title", "body", "title_norm", "body_norm", "url", "article_id", "content_hash", "detail"}
)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class Lake:
    root: Path

    def part_dir(self, table: str, day: dt.date) -> Path:
        return self.root / table / f"ingest_date={day.isoformat()}"

    def files(self, table: str, day: dt.date | None = None) -> list[Path]:
        base = self.part_dir(table, day) if day else self.root / table
        pattern = "*.parquet" if day else "ingest_date=*/*.parquet"
        return sorted(base.glob(pattern)) if base.exists() else []

    def dates(self, table: str) -> list[dt.date]:
        base = self.root / table
        if not base.exists():
            return []
        out = []
        for d in base.glob("ingest_date=*"):
            if any(d.glob("*.parquet")):
                out.append(dt.date.fromisoformat(d.name.split("=", 1)[1]))
        return sorted(out)

    def read(
        self, table: str, day: dt.date | None = None, columns: list[str] | None = None
    ) -> pa.Table:
        schema = schemas.TABLES[table]
        paths = self.files(table, day)
        if not paths:
            t = schema.empty_table()
            return t.select(columns) if columns else t
        # One dataset over all files reads them in parallel, not one after another.
        return ds.dataset(paths, schema=schema, format="parquet").to_table(columns=columns)

    @property
    def version(self) -> int:
        state = self.root / "_state.json"
        if not state.exists():
            return 0
        return int(json.loads(state.read_text(encoding="utf-8"))["version"])

    # -- recovery ---------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Roll forward committed journals, then sweep hidden leftovers of crashed runs."""
        done = []
        jdir = self.root / "_journal"
        if jdir.exists():
            for j in sorted(jdir.glob("*.json")):
                _apply(self.root, json.loads(j.read_text(encoding="utf-8")))
                j.unlink()
                done.append(j.stem)
        if self.root.exists():
            for pattern in ("*/ingest_date=*/.*.tmp", "_journal/.*.tmp", ".*.tmp"):
                for tmp in self.root.glob(pattern):
                    tmp.unlink(missing_ok=True)
            for pdir in self.root.glob("*/ingest_date=*"):
                if pdir.is_dir() and not any(pdir.iterdir()):
                    pdir.rmdir()  # created by a run killed before it wrote there
        return done


@dataclass
class JournalOp:
    """One entry of the journal: in `dir` (relative to the lake), rename the staged `tmp` to
    `final` (no `tmp`: nothing staged, the partition is emptied), then delete `delete`. Its
    JSON form is the dict of these four fields, as journals have always been written."""

    dir: str
    tmp: str | None
    final: str
    delete: list[str]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, op: dict) -> JournalOp:
        return cls(op["dir"], op["tmp"], op["final"], list(op["delete"]))


# Arrow bytes of the staged files handed to a Transaction's writer threads and not yet on
# disk, at most: the run stages the next batch while the last ones are compressed (Parquet
# writing releases the GIL). A bound in bytes, not files: a large day is few big files.
MAX_PENDING_BYTES = 96 * 1024 * 1024
WRITER_THREADS = 2


@dataclass
class Transaction:
    """Partition replacements staged by one run, committed all at once.

    Staged Parquet files are written by background threads, so the run goes on staging the
    next batch meanwhile; `commit` waits for every write and fails if one did (nothing is
    committed before the journal, so the order of the writes does not matter). `abort` waits
    for them without raising and, before the commit point, removes what they staged."""

    lake: Lake
    run_id: str
    ops: list[JournalOp] = field(default_factory=list)
    touched: dict[str, set[dt.date]] = field(default_factory=dict)
    # Set once the journal is on disk: from then on the run is committed, whatever happens
    # while applying it (a failure there is rolled forward, never rolled back).
    journal_written: bool = False
    write_seconds: float = 0.0  # the writer threads' busy time, summed (for the run's timings)
    wait_seconds: float = 0.0  # time the run waited for the writer (queue full, or commit)
    # Told of every staged partition (the warehouse build takes them from memory).
    on_stage: Callable[[str, dt.date, pa.Table], None] | None = None
    _parts: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    _dirs: set[Path] = field(default_factory=set)
    _writer: ThreadPoolExecutor | None = None
    _pending: deque[tuple[Future[None], int]] = field(default_factory=deque)
    _pending_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _write_now(self, data: pa.Table, path: Path, failpoint: str | None) -> None:
        t = time.perf_counter()
        _write(data, path)
        with self._lock:
            self.write_seconds += time.perf_counter() - t
        if failpoint:
            failpoints.hit(failpoint)

    def _write(self, data: pa.Table, path: Path, failpoint: str | None = None) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="akhbar-lake")
        size = data.nbytes
        while self._pending and self._pending_bytes + size > MAX_PENDING_BYTES:
            self._wait_oldest()
        self._pending.append((self._writer.submit(self._write_now, data, path, failpoint), size))
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
        """Wait for the writes in flight, ignoring their errors (the run failed already), then
        remove the staged files, unless the journal is written: past the commit point they are
        the run's data, which `Lake.recover()` rolls forward."""
        while self._pending:
            try:
                self._wait_oldest()
            except Exception:  # the run's own error is the one reported
                continue
        self.flush()
        if self.journal_written:
            return
        for op in self.ops:
            if op.tmp:
                (self.lake.root / op.dir / op.tmp).unlink(missing_ok=True)

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
        pdir = self.lake.part_dir(table, day)
        old = [p.name for p in self.lake.files(table, day)] if n == 0 else []
        final = f"part-{self.run_id}.parquet" if n == 0 else f"part-{self.run_id}-{n}.parquet"
        tmp = None
        if data.num_rows:
            pdir.mkdir(parents=True, exist_ok=True)
            tmp = f".{final}.tmp"
            self._write(data, pdir / tmp, "lake_write")
            self._dirs.add(pdir)
        rel = str(pdir.relative_to(self.lake.root))
        self.ops.append(JournalOp(rel, tmp, final, [o for o in old if o != final]))
        self.touched.setdefault(table, set()).add(day)
        if self.on_stage is not None:
            self.on_stage(table, day, data)

    def append_file(self, table: str, day: dt.date, data: pa.Table, name: str) -> None:
        pdir = self.lake.part_dir(table, day)
        pdir.mkdir(parents=True, exist_ok=True)
        tmp = f".{name}.tmp"
        self._write(data.cast(schemas.TABLES[table]), pdir / tmp)
        self._dirs.add(pdir)
        rel = str(pdir.relative_to(self.lake.root))
        self.ops.append(JournalOp(rel, tmp, name, []))
        self.touched.setdefault(table, set()).add(day)

    def commit(self) -> int:
        self.flush()
        version = self.lake.version + 1
        ops = [op.to_json() for op in self.ops]
        journal = {"run_id": self.run_id, "version": version, "ops": ops}
        # The staged files' directory entries must be durable before the journal names them.
        for d in sorted(self._dirs):
            _fsync_dir(d)
        failpoints.hit("before_commit")
        write_json_atomic(self.lake.root / "_journal" / f"{self.run_id}.json", journal)
        self.journal_written = True
        failpoints.hit("after_commit")
        _apply(self.lake.root, journal)
        (self.lake.root / "_journal" / f"{self.run_id}.json").unlink()
        return version


def _write(data: pa.Table, path: Path) -> None:
    with open(path, "wb") as f:
        dictionary = [c for c in data.column_names if c not in NO_DICTIONARY]
        pq.write_table(data, f, use_dictionary=dictionary, **PARQUET_OPTS)
        f.flush()
        os.fsync(f.fileno())


def _apply(root: Path, journal: dict) -> None:
    """Idempotent: safe to run again after a crash half-way through."""
    ops = [JournalOp.from_json(op) for op in journal["ops"]]
    for op in ops:
        pdir = root / op.dir
        if op.tmp and (pdir / op.tmp).exists():
            os.replace(pdir / op.tmp, pdir / op.final)
        if op.tmp and not (pdir / op.final).exists():
            # Neither the staged file nor its renamed copy: deleting the old files now would
            # lose the partition. Stop; the journal stays for someone to look at.
            raise RuntimeError(
                f"lake journal of run {journal['run_id']}: {op.dir}/{op.tmp} is missing; "
                "the partition was left as it was"
            )
        for name in op.delete:
            (pdir / name).unlink(missing_ok=True)
        if pdir.exists() and not any(pdir.iterdir()):
            pdir.rmdir()
        failpoints.hit("lake_apply")
    for d in sorted({root / op.dir for op in ops}):
        if d.exists():
            _fsync_dir(d)
    write_json_atomic(
        root / "_state.json", {"version": journal["version"], "run_id": journal["run_id"]}
    )


def drop_rows(table: pa.Table, column: str, values: Iterable[str]) -> pa.Table:
    vals = pa.array(sorted(set(values)), type=pa.string())
    if not len(vals) or not table.num_rows:
        return table
    return table.filter(pc.invert(pc.is_in(table[column], value_set=vals)))
