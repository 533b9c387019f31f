"""`akhbar status`: the state of a data dir, gathered read-only (flows/status_lines.py prints it).

The last runs come from the lake's `runs` ledger (the warehouse's copy when the lake cannot be
read), the pending and deleted landing files from the plan a nightly run would make now
(flows/dry_run.py), the rows per table and the warehouse's lake version from the warehouse,
opened read-only. Nothing here takes the data dir's lock or the lake's lease, or waits on them:
a run in progress is only reported (flows/lock.py `check_free`, a non-blocking probe).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.dry_run import Preview, preview
from flows.lake import Lake
from flows.landing import location
from flows.lock import RunLocked, check_free
from flows.publish import read_meta
from flows.settings import DEFAULT_LANDING, MB, Settings
from flows.storage import is_remote
from transforms import schemas

RECENT_RUNS = 5


@dataclass
class StatusOptions:
    data: Path
    lake: str | None = None
    landing: str | None = None  # None: the landing of the newest run that names one
    max_file_mb: int = 20
    recent: int = RECENT_RUNS
    today: dt.date = field(default_factory=dt.date.today)  # the date loose files would get


@dataclass
class Warehouse:
    path: str
    bytes: int
    modified: dt.datetime
    rows: dict[str, int]  # per table, in the order of transforms.schemas.TABLES
    lake_version: int | None  # the lake version it was published from (_akhbar_meta)
    published_by_run: str | None
    error: str | None = None  # why it could not be read (its file facts still hold)


@dataclass
class Status:
    data: str
    data_exists: bool
    lake: str
    lake_version: int | None  # None: the lake could not be read
    lake_error: str | None
    running: str | None  # who holds the data dir's lock, when a run does
    runs: list[dict]  # newest first, at most `recent`
    runs_from: str  # "lake", "warehouse" or "none"
    warehouse: Warehouse | None
    landing: str
    landing_from: str  # "--landing", "last run" or "default"
    pending: Preview | None
    pending_error: str | None

    @property
    def warehouse_behind(self) -> int:
        """Lake versions (ledger commits) the warehouse has not been published from."""
        w = self.warehouse
        if w is None or w.lake_version is None or self.lake_version is None:
            return 0
        return max(0, self.lake_version - w.lake_version)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["pending"] = self.pending.to_dict() if self.pending else None
        d["warehouse_behind"] = self.warehouse_behind
        if self.warehouse is not None:
            d["warehouse"] = asdict(self.warehouse)
            d["warehouse"]["modified"] = self.warehouse.modified.isoformat()
        return json.loads(json.dumps(d, default=str))


def gather(o: StatusOptions) -> Status:
    lake_loc = o.lake or str(o.data / "lake")
    lake = Lake(lake_loc)
    runs, lake_version, lake_error = _lake_runs(lake)
    wh = _warehouse(o.data / "warehouse.duckdb")
    runs_from = "lake" if runs.num_rows else "none"
    if runs_from == "none" and wh is not None and not wh.error:
        # The lake cannot be read, or it is not where the runs wrote (their --lake was not
        # given): the warehouse's copy of the ledger still says what ran.
        runs = _warehouse_runs(o.data / "warehouse.duckdb")
        runs_from = "warehouse" if runs.num_rows else "none"
    recent = _recent(runs, o.recent)
    landing, landing_from = _landing(o.landing, _recent(runs, runs.num_rows))
    pending, pending_error = _pending(o, landing, lake_loc)
    return Status(
        data=str(o.data),
        data_exists=o.data.is_dir(),
        lake=lake.uri,
        lake_version=lake_version,
        lake_error=lake_error,
        running=_running(o.data),
        runs=recent,
        runs_from=runs_from,
        warehouse=wh,
        landing=landing,
        landing_from=landing_from,
        pending=pending,
        pending_error=pending_error,
    )


def _lake_runs(lake: Lake) -> tuple[pa.Table, int | None, str | None]:
    """The ledger at its pins, the lake's version; or the error that kept them from reading."""
    try:
        return lake.read("runs"), lake.version, None
    except Exception as e:  # a status reports what it cannot read; it never fails on it
        return schemas.RUNS.empty_table(), None, f"{type(e).__name__}: {e}"


def _warehouse_runs(path: Path) -> pa.Table:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql("SELECT * FROM runs").to_arrow_table()
    except duckdb.Error:
        return schemas.RUNS.empty_table()


def _recent(runs: pa.Table, n: int) -> list[dict]:
    rows = sorted(runs.to_pylist(), key=lambda r: r["started_at"], reverse=True)[:n]
    return [_run_dict(r) for r in rows]


def _run_dict(r: dict) -> dict:
    started, finished = r["started_at"], r["finished_at"]
    return {
        "run_id": r["run_id"],
        "flow": r["flow"],
        "status": r["status"],
        "started_at": started.isoformat() if started else None,
        "seconds": round((finished - started).total_seconds(), 2) if started and finished else None,
        "counts": {k: r[k] for k in schemas.FUNNEL if r.get(k) is not None},
        "dates": json.loads(r["dates"] or "[]"),
        "error": r["error"],
        "parameters": json.loads(r["parameters"] or "{}"),
    }


def _landing(given: str | None, runs: list[dict]) -> tuple[str, str]:
    """`--landing`, else the landing the newest run read, else the default."""
    if given is not None:
        return given, "--landing"
    for r in runs:
        landing = r["parameters"].get("landing")
        if landing:
            return str(landing), "last run"
    return DEFAULT_LANDING, "default"


def _pending(o: StatusOptions, landing: str, lake: str) -> tuple[Preview | None, str | None]:
    from flows.preflight import LocationError, check_location

    try:
        if is_remote(landing):
            check_location(landing, writable=False, option="--landing")
        settings = Settings(location(landing), o.data, o.max_file_mb * MB, lake=lake)
        return preview(settings, o.today), None
    except (LocationError, OSError) as e:
        return None, str(e)
    except Exception as e:  # e.g. a lake that cannot be read: said once, above, and here
        return None, f"{type(e).__name__}: {e}"


def _running(data: Path) -> str | None:
    try:
        check_free(data)
    except RunLocked as e:
        return str(e).split(";")[0]
    return None


def _warehouse(path: Path) -> Warehouse | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    modified = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)
    wh = Warehouse(str(path), st.st_size, modified, {}, None, None)
    meta = read_meta(path)
    if meta.get("lake_version") is not None:
        wh.lake_version = int(meta["lake_version"])
    wh.published_by_run = meta.get("published_by_run")
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            for t in schemas.TABLES:
                if t in have:
                    wh.rows[t] = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
    except duckdb.Error as e:
        wh.error = f"{type(e).__name__}: {e}"
    return wh
