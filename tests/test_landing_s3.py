"""Landing files on S3 (`--landing s3://bucket/prefix`, flows/landing_s3.py) give what the same
files in a local landing dir give: the same discovery, the same warehouse rows, with worker
processes and on Dask (the workers read the objects themselves), and change detection."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import batches
from flows.landing import discover
from flows.runners import dask_available
from flows.settings import Settings
from tests import s3_server as s3
from tests.util import checksums, nightly

DAY = dt.date(2026, 11, 27)
SAME = ("run_id", "seconds", "timings", "workers")


def _with_odd_entries(landing: Path) -> Path:
    """The seeds plus what discovery must skip or find deep down."""
    (landing / "notes").mkdir()
    (landing / "notes" / "readme.txt").write_text("not a date folder")
    (landing / ".hidden.txt").write_text("ignored")
    (landing / "2026-11-25" / "picture.png").write_bytes(b"\x89PNG")
    deep = landing / "date=2026-11-28" / "wire" / "late"
    deep.mkdir(parents=True)
    shutil.copy(next((landing / "2026-11-24").glob("*.txt")), deep / "copy.txt")
    return landing


def _content(data: Path) -> dict[str, tuple[int, str]]:
    """Row counts and digests per warehouse table; the manifest's file times (local mtimes vs
    S3 times) left out of its digest."""
    out = checksums(data)
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT CAST(COLUMNS(* EXCLUDE (run_id, mtime_ns)) AS VARCHAR) FROM file_manifest"
        ).fetchall()
    lines = sorted("\x1f".join("" if v is None else v for v in r) for r in rows)
    out["file_manifest"] = (len(rows), hashlib.sha256("\x1e".join(lines).encode()).hexdigest())
    return out


def _upload(server: s3.S3Server, landing: Path, bucket: str) -> str:
    location = f"{bucket}/landing/zone"
    assert server.upload(landing, location) > 20
    return location


def test_discovery_matches_local_dir(landing: Path, s3_env: s3.S3Server, s3_bucket: str) -> None:
    landing = _with_odd_entries(landing)
    location = _upload(s3_env, landing, s3_bucket)
    local, remote = discover(landing, DAY), discover(location, DAY)
    key = lambda d: [(f.path, f.size, f.ingest_date) for f in d.files]  # noqa: E731
    assert key(remote) == sorted(key(local))
    assert sorted(remote.skipped) == sorted(local.skipped)
    assert ("notes/", "not a date folder (YYYY-MM-DD or date=YYYY-MM-DD)") in remote.skipped
    assert "2026-11-25/picture.png" in {f.path for f in remote.files}  # rejected when read
    assert remote.date_dirs == local.date_dirs
    assert all(str(f.abs_path).startswith(f"{location}/") for f in remote.files)


def test_run_from_s3_equals_local_run(
    landing: Path,
    s3_env: s3.S3Server,
    s3_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches: several of them, read by the run's worker processes from S3.
    monkeypatch.setattr(batches, "BATCH_BYTES", 2048)
    monkeypatch.setattr(batches, "MIN_BATCH_BYTES", 2048)
    landing = _with_odd_entries(landing)
    location = _upload(s3_env, landing, s3_bucket)
    a, b = tmp_path / "local", tmp_path / "s3"
    sa, sb = nightly(landing, a, DAY), nightly(location, b, DAY)
    assert sb["status"] == "completed" and sb["workers"] > 1
    assert {k: v for k, v in sb.items() if k not in SAME} == {
        k: v for k, v in sa.items() if k not in SAME
    }
    assert _content(b) == _content(a)
    # Nothing changed: nothing is read again.
    again = nightly(location, b, DAY)
    assert again["files_unchanged"] == sa["files_new"] and again["files_new"] == 0
    # The same size, new content: the ETag tells it apart.
    rel = "2026-11-24/000_d0de07fd3e4728fb.txt"
    body = (landing / rel).read_text(encoding="utf-8")
    assert "ا" in body
    changed = body.replace("ا", "ب", 1).encode()
    assert len(changed) == (landing / rel).stat().st_size
    s3_env.put(f"{location}/{rel}", changed)
    assert nightly(location, b, DAY)["files_changed"] == 1


def test_max_file_mb_applies_to_s3_files(
    landing: Path, s3_env: s3.S3Server, s3_bucket: str, tmp_path: Path
) -> None:
    from flows.plan import plan_nightly
    from flows.run import execute

    location = _upload(s3_env, landing, s3_bucket)
    out = {}
    for name, where in (("local", landing), ("s3", location)):
        s = Settings(where, tmp_path / name, max_file_bytes=3000, workers=1)
        out[name] = execute(s, lambda lake, s=s: plan_nightly(s, lake, DAY), {}, log=print)
    assert out["s3"].counts["files_rejected"] == out["local"].counts["files_rejected"] > 0
    assert _content(tmp_path / "s3") == _content(tmp_path / "local")
    with duckdb.connect(str(tmp_path / "s3" / "warehouse.duckdb"), read_only=True) as con:
        reasons = con.execute("SELECT DISTINCT reason FROM rejects WHERE record IS NULL").fetchall()
    assert ("too_large",) in reasons


@pytest.mark.integration
def test_dask_workers_read_landing_files_from_s3(
    prefect_harness: None,
    landing: Path,
    s3_env: s3.S3Server,
    s3_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not dask_available():
        pytest.skip("prefect-dask/distributed not importable: pip install -r requirements.lock")
    from flows.nightly import nightly as nightly_flow
    from flows.runners import with_runner

    monkeypatch.setattr(batches, "BATCH_BYTES", 2048)
    monkeypatch.setattr(batches, "MIN_BATCH_BYTES", 2048)
    location = _upload(s3_env, landing, s3_bucket)
    a, b = tmp_path / "local", tmp_path / "dask-s3"
    sa = nightly(landing, a, DAY)
    sb = with_runner(nightly_flow, "dask", workers=2)(landing=location, data=str(b), date=DAY)
    assert sb["status"] == "completed"
    assert {k: v for k, v in sb.items() if k not in SAME} == {
        k: v for k, v in sa.items() if k not in SAME
    }
    assert _content(b) == _content(a)
