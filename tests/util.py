"""Helpers for tests that compare whole warehouses."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from flows.plan import plan_backfill, plan_nightly
from flows.run import execute
from flows.settings import Settings

CONTENT_TABLES = (
    "articles",
    "hashtags",
    "mentions",
    "entity_mentions",
    "rejects",
    "duplicates",
    "file_manifest",
)


def checksums(data_dir: Path) -> dict[str, tuple[int, str]]:
    """(row count, digest) of each content table, rows sorted, run ids left out: two runs that
    produced the same content compare equal whatever their run ids."""
    out = {}
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        for t in CONTENT_TABLES:
            rows = con.execute(
                f"SELECT CAST(COLUMNS(* EXCLUDE (run_id)) AS VARCHAR) FROM {t}"
            ).fetchall()
            lines = sorted("\x1f".join("" if v is None else v for v in r) for r in rows)
            out[t] = (len(rows), hashlib.sha256("\x1e".join(lines).encode()).hexdigest())
    return out


def from_lake_checksums(data: Path, tmp: Path) -> dict[str, tuple[int, str]]:
    """`checksums` of a warehouse published from `data`'s lake alone (a full rebuild)."""
    from flows.lake import Lake
    from flows.publish import publish

    other = tmp / "rebuilt"
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(data / "lake", other / "lake")
    assert publish(other, Lake(other / "lake"), {}, "check") == "full"
    return checksums(other)


def nightly(
    landing: Path, data: Path, day: dt.date = dt.date(2026, 11, 27), lake: str | None = None
) -> dict:
    s = Settings(landing, data, lake=lake)
    return execute(s, lambda lake: plan_nightly(s, lake, day), {}, log=lambda _m: None).summary()


def backfill(
    landing: Path, data: Path, start: dt.date, end: dt.date, lake: str | None = None
) -> dict:
    s = Settings(landing, data, lake=lake)
    return execute(
        s, lambda lake: plan_backfill(s, lake, start, end), {}, log=lambda _m: None
    ).summary()


def lake_checksums(location: str | Path) -> dict[str, tuple[int, str]]:
    """Like `checksums`, of the lake's tables read through Delta (at the ledger's pins)."""
    from flows.lake import Lake

    lake, out = Lake(location), {}
    for t in CONTENT_TABLES:
        table = lake.read(t)
        cols = [c for c in table.column_names if c != "run_id"]
        rows = zip(*(table[c].cast("string").to_pylist() for c in cols), strict=True)
        lines = sorted("\x1f".join("" if v is None else v for v in r) for r in rows)
        out[t] = (table.num_rows, hashlib.sha256("\x1e".join(lines).encode()).hexdigest())
    return out


def query(data: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


_KILLED_NIGHTLY = (
    "import sys; from pathlib import Path; from tests.util import nightly; "
    "nightly(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def killed_nightly(landing: Path, data: Path, failpoint: str, timeout: float = 180) -> None:
    """`nightly(landing, data)` in a subprocess that SIGKILLs itself at `failpoint`
    (flows/failpoints.py); asserts it died there."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "AKHBAR_FAILPOINT": failpoint, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_NIGHTLY, str(landing), str(data)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
