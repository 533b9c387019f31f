"""A publish that fails for want of disk space: one clear message, no retries, nothing
half-built left behind, and the next run publishes what the failed one put in the lake."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.publish import disk_full
from tests.conftest import ROOT
from tests.util import backfill, nightly, query

pytestmark = pytest.mark.integration


def _cli_run(landing: Path, data: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--landing", str(landing), "--data", str(data)],
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_disk_full_at_publish_says_it_once_and_leaves_nothing(
    landing: Path, data_dir: Path
) -> None:
    full = {"AKHBAR_FAILPOINT": "publish", "AKHBAR_FAILPOINT_ERRNO": "ENOSPC"}
    res = _cli_run(landing, data_dir, **full)
    assert res.returncode == 1
    assert "the data is in the lake, but publishing the warehouse failed (the next run " in (
        res.stderr
    )
    assert f"the disk holding {data_dir} is full" in res.stderr
    assert "Traceback" not in res.stderr, res.stderr
    assert "Retry" not in res.stderr, res.stderr  # a full disk is not retried
    assert not list(data_dir.glob(".warehouse-*")), list(data_dir.iterdir())
    assert not (data_dir / "warehouse.duckdb").exists()
    nxt = _cli_run(landing, data_dir)
    assert nxt.returncode == 0, nxt.stderr
    assert "unchanged 30" in nxt.stdout  # loaded by the failed run, published by this one
    (n,) = query(data_dir, "select count(*) from articles")[0]
    assert n > 20


def test_a_run_first_removes_half_built_warehouses(landing: Path, data_dir: Path) -> None:
    """Even one that stops before it builds anything: a full disk would fail it earlier."""
    nightly(landing, data_dir)
    left = data_dir / ".warehouse-0000.duckdb"
    left.write_bytes(b"\0" * 4096)
    Path(f"{left}.wal").write_bytes(b"\0" * 4096)
    out = backfill(landing, data_dir, dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    assert out["status"] == "nothing_to_do"
    assert not list(data_dir.glob(".warehouse-*"))


def test_disk_full_is_told_from_other_errors(tmp_path: Path) -> None:
    assert disk_full(OSError(28, "No space left on device"))
    assert not disk_full(OSError(13, "Permission denied"))
    with pytest.raises(duckdb.Error) as missing:
        duckdb.connect().execute("select * from read_parquet(?)", [str(tmp_path / "no.parquet")])
    assert not disk_full(missing.value)
    assert disk_full(duckdb.IOException('Could not write file "x": No space left on device'))
