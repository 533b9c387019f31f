"""The lake: one Delta table per table, `<lake>/<table>/`, partitioned by `ingest_date`, on a
local directory or `s3://bucket/prefix` (flows/storage.py), written through `deltalake`.

A run is all-or-nothing across tables, although Delta commits one table at a time:
1. The run writes its Parquet files (background threads) straight to their final names,
   `<table>/ingest_date=D/part-<run>[-<n>].parquet`. Nothing references them yet: Delta
   readers do not see them.
2. `Transaction.commit` commits each data table (one Delta commit each: a partition
   replacement is an overwrite with a partition filter on `ingest_date`, which removes the
   old files' add actions; commit metadata `akhbar_run_id`), then the `runs` ledger LAST: the
   run's row, with the version of every table (`akhbar_pins` in that commit's metadata).
   The ledger commit is the commit point.
3. Every reader of the lake (plan, staging's seen-set, publish, entities refresh, query)
   reads each table at the version pinned by the newest ledger commit (`Lake.pins`), so a
   table committed by a run killed before its ledger row is never seen.
4. The next writer, before anything else, `recover()`s: a table whose latest version is
   ahead of its pin is restored to it (a table created by such a run is emptied). Then every
   table's latest version equals its pinned content again and the run writes on top.
Only one writer at a time per lake: the lease (flows/lake_lease.py) is taken before
`recover()` and held until the end. Files of runs that never committed, and files replaced by
later runs, stay on disk for time travel until `akhbar lake vacuum` (Delta's vacuum) removes
those older than its retention.
After `recover()`, a run checks that every file the pins name is there at its recorded size
(flows/lake_check.py); reads of a damaged file raise `LakeDamaged` naming table, date and
file, except the dates a backfill replaces whole (`tolerate`), which is the repair.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError, TableNotFoundError

from flows import storage
from flows.lake_check import Damage, LakeDamaged, LakeLogDamaged, check
from flows.lake_files import (
    LEDGER,
    PART,
    PINS_KEY,
    RUN_KEY,
    LakeFile,
    dataset,
    file_name,
    write_json_atomic,
)
from flows.lake_tx import Transaction
from transforms import schemas

__all__ = [
    "Lake",
    "LakeFile",
    "Transaction",
    "dataset",
    "drop_rows",
    "file_name",
    "write_json_atomic",
]


@dataclass
class _Snapshot:
    """A table at its pinned version: its active files by date."""

    version: int | None  # None: the table does not exist (or is pinned as absent)
    by_day: dict[dt.date, list[LakeFile]]
    sizes: dict[str, int]  # each file's size as its add action recorded it


class Lake:
    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.uri = storage.uri(location)
        self.remote = storage.is_remote(location)
        self.options = storage.storage_options(location)
        self._pins: dict[str, int] | None = None
        self._ledger_version: int | None = None
        self._snaps: dict[str, _Snapshot] = {}
        # Set by a run from `lake_check.check`: files of the pinned versions found damaged,
        # and the dates whose damaged files reads skip (a backfill replaces them whole).
        self.damage: list[Damage] = []
        self.tolerate: set[dt.date] = set()
        self.past = False  # a past version of the lake (`as_of`), read for time travel

    @property
    def root(self) -> Path:
        """The local directory of the lake (local lakes only)."""
        if self.remote:
            raise ValueError(f"the lake {self.uri} is not a local directory")
        return Path(self.uri)

    def table_uri(self, table: str) -> str:
        return f"{self.uri}/{table}"

    def delta(self, table: str, version: int | None = None) -> DeltaTable | None:
        """The Delta table at `version` (its latest: None); None if there is no table.
        LakeLogDamaged if its log cannot be read (not when the store cannot be reached), or
        a `version` asked for (a pin) is not there."""
        try:
            return DeltaTable(self.table_uri(table), version=version, storage_options=self.options)
        except TableNotFoundError as e:
            if version is None or self.past:
                return None
            # A version the ledger pinned is gone: its log was deleted, not never written.
            raise LakeLogDamaged(table, self.table_uri(table), e) from e
        except DeltaError as e:
            if _unreachable(e) or self.past:  # (an old version's log may have expired)
                raise
            raise LakeLogDamaged(table, self.table_uri(table), e) from e
        except BaseException as e:  # delta-rs panics (pyo3's PanicException) on some damage
            if type(e).__name__ != "PanicException":
                raise
            raise LakeLogDamaged(table, self.table_uri(table), e) from e

    # -- the pins ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Forget the pins and snapshots read so far (after a commit, or to see other writers')."""
        self._pins, self._ledger_version, self._snaps = None, None, {}

    def _load_pins(self) -> None:
        ledger = self.delta(LEDGER)
        if ledger is None:
            self._pins, self._ledger_version = {}, None
            return
        self._ledger_version = ledger.version()
        info = ledger.history(1)[0]
        if PINS_KEY in info:
            self._pins = json.loads(info[PINS_KEY])
        else:  # a ledger committed by another tool (or migrated): trust every table's latest
            self._pins = self.latest_versions()
        self._pins[LEDGER] = self._ledger_version

    @classmethod
    def pinned(cls, location: str | Path, pins: dict[str, int]) -> Lake:
        """The lake at `pins` (another process's `Lake.pins`): what that process reads."""
        lake = cls(location)
        lake._pins = dict(pins)
        return lake

    @property
    def pins(self) -> dict[str, int]:
        """Each table's version as of the newest ledger commit (absent: the table is empty)."""
        if self._pins is None:
            self._load_pins()
        assert self._pins is not None
        return self._pins

    def as_of(self, when: str) -> Lake:
        """The lake as the ledger commit of run `when` (a run id) left it, or as the last
        ledger commit at or before `when` (an ISO timestamp, UTC if naive) left it."""
        ledger = self.delta(LEDGER)
        commits = [c for c in (ledger.history() if ledger else []) if PINS_KEY in c]
        try:
            ts = dt.datetime.fromisoformat(when)
            ts = ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)
            ms = ts.timestamp() * 1000
            chosen = [c for c in commits if c["timestamp"] <= ms]
        except ValueError:
            chosen = [c for c in commits if c.get(RUN_KEY) == when]
        if not chosen:
            raise ValueError(f"no run {when!r} in the ledger of {self.uri}")
        last = max(chosen, key=lambda c: c["version"])
        past = Lake.pinned(self.location, {**json.loads(last[PINS_KEY]), LEDGER: last["version"]})
        past.past = True
        return past

    def at_version(self, version: int, run_id: str | None = None) -> Lake | None:
        """The lake as it was at `version` (what `version` ledger commits left), read as the
        past (`as_of`): at the pins of the newest ledger commit up to there that has them (a
        vacuum adds commits without). None if there is none, or (`run_id`) it is not that
        run's: then this is not the history the caller thought."""
        if version == 0:
            past = Lake.pinned(self.location, {})
        else:
            ledger = self.delta(LEDGER)
            pinned = [
                c
                for c in (ledger.history() if ledger else [])
                if c.get("version", version) < version and PINS_KEY in c
            ]
            if not pinned:
                return None
            last = max(pinned, key=lambda c: c["version"])
            if run_id is not None and last.get(RUN_KEY) != run_id:
                return None
            pins = {**json.loads(last[PINS_KEY]), LEDGER: version - 1}
            past = Lake.pinned(self.location, pins)
        past.past = True
        return past

    @property
    def version(self) -> int:
        """The lake's version: the number of ledger commits (0 for an empty lake)."""
        pins = self.pins
        return pins[LEDGER] + 1 if LEDGER in pins else 0

    def _snapshot(self, table: str) -> _Snapshot:
        snap = self._snaps.get(table)
        if snap is None:
            snap = self._snaps[table] = self._read_snapshot(table)
        return snap

    def _read_snapshot(self, table: str) -> _Snapshot:
        version = self.pins.get(table)
        d = self.delta(table, version) if version is not None else None
        if d is None:
            return _Snapshot(None, {}, {})
        acts = pa.table(d.get_add_actions(flatten=True)).to_pydict()
        by_day: dict[dt.date, list[LakeFile]] = {}
        sizes: dict[str, int] = {}
        base = self.table_uri(table)
        for path, day, size in zip(
            acts["path"], acts["partition.ingest_date"], acts["size_bytes"], strict=True
        ):
            full = f"{base}/{path}"
            by_day.setdefault(day, []).append(full if self.remote else Path(full))
            sizes[full] = size
        for files in by_day.values():
            files.sort(key=str)
        return _Snapshot(version, by_day, sizes)

    # -- reading, at the pins ---------------------------------------------------------------
    def files(self, table: str, day: dt.date | None = None) -> list[LakeFile]:
        by_day = self._snapshot(table).by_day
        if day is not None:
            return list(by_day.get(day, []))
        return [f for d in sorted(by_day) for f in by_day[d]]

    def recorded_sizes(self, table: str) -> dict[str, int]:
        """Each file of the pinned version (its full path or URI) and its size in the log."""
        return dict(self._snapshot(table).sizes)

    def dates(self, table: str) -> list[dt.date]:
        return sorted(self._snapshot(table).by_day)

    def read(
        self, table: str, day: dt.date | None = None, columns: list[str] | None = None
    ) -> pa.Table:
        schema = schemas.TABLES[table]
        paths = self._readable(table, self.files(table, day))
        if not paths:
            t = schema.empty_table()
            return t.select(columns) if columns else t
        try:
            return dataset(paths, schema).to_table(columns=columns)
        except (OSError, pa.ArrowInvalid) as e:  # a file damaged since the run's check
            found = check(self, [table])
            if found:
                raise LakeDamaged(found) from e
            raise

    def _readable(self, table: str, paths: list[LakeFile]) -> list[LakeFile]:
        """`paths` less the damaged files of the dates a backfill replaces; LakeDamaged if
        any other file is damaged."""
        bad = {d.file: d for d in self.damage if d.table == table}
        if not bad:
            return paths
        hit = [bad[str(p)] for p in paths if str(p) in bad]
        if any(d.day not in self.tolerate for d in hit):
            raise LakeDamaged(self.damage)
        return [p for p in paths if str(p) not in bad]

    def latest_versions(self) -> dict[str, int]:
        """Each existing data table's latest version (not the pins: see `Transaction.commit`)."""
        out = {}
        for table in schemas.TABLES:
            d = self.delta(table) if table != LEDGER else None
            if d is not None:
                out[table] = d.version()
        return out

    # -- recovery ---------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Restore every table left ahead of its pin by a run killed between its table
        commits (call it holding the lease). Returns the tables restored."""
        self.refresh()
        pins, done = self.pins, []
        for table in schemas.TABLES:
            if table == LEDGER:
                continue
            d = self.delta(table)
            if d is None or d.version() == pins.get(table):
                continue
            if table in pins:
                d.restore(pins[table])
            else:  # created by a run that never committed: empty it
                d.create_write_transaction([], "overwrite", schemas.TABLES[table], PART)
            done.append(table)
        self.refresh()
        return done


# How delta-rs words a store it could not reach, as opposed to a log it could not read.
_NETWORK_WORDS = ("error sending request", "connect", "timed out", "dns error", "S3 error")


def _unreachable(e: DeltaError) -> bool:
    return any(w in str(e) for w in _NETWORK_WORDS)


def drop_rows(table: pa.Table, column: str, values: Iterable[str]) -> pa.Table:
    vals = pa.array(sorted(set(values)), type=pa.string())
    if not len(vals) or not table.num_rows:
        return table
    return table.filter(pc.invert(pc.is_in(table[column], value_set=vals)))
