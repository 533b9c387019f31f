"""The warehouse built during a run (flows.build.Build) equals the one published from the
lake, full and incremental, and any failure of it falls back to publishing from the lake."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import duckdb
import pytest

from flows.lake import Lake
from flows.plan import plan_backfill, plan_nightly
from flows.run import execute
from flows.settings import Settings
from tests.util import checksums, from_lake_checksums

DAY = dt.date(2026, 11, 27)


def _run(landing: Path, data: Path, plan=None, log=None):
    s = Settings(landing, data, workers=1)
    make = plan or (lambda lake: plan_nightly(s, lake, DAY))
    return execute(s, make, {}, log=log or (lambda _m: None))


def test_built_warehouse_equals_one_published_from_the_lake(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    logs: list[str] = []
    first = _run(landing, data_dir, log=logs.append)
    assert first.publish_mode == "full" and first.timings["build"] > 0
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    # an incremental run: one changed file, one new date folder
    f = next((landing / "2026-11-26").glob("*.txt"))
    f.write_text("عنوان جديد\n\nنص جديد عن #الرياض", encoding="utf-8")
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "001_00000000000000aa.txt").write_text(
        "خبر\n\nنص آخر @akhbar", encoding="utf-8"
    )
    second = _run(landing, data_dir, log=logs.append)
    assert second.publish_mode == "incremental"
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    # a backfill of two dates
    s = Settings(landing, data_dir, workers=1)
    back = _run(landing, data_dir, lambda lake: plan_backfill(s, lake, DAY, DAY + dt.timedelta(1)))
    assert back.publish_mode == "incremental"
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    assert not any("published from the lake instead" in m for m in logs)
    # the 16,384-row row groups and uncompressed text are what was built
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        comp = con.execute(
            "select distinct compression from pragma_storage_info('articles') "
            "where column_name = 'body' and segment_type = 'VARCHAR'"
        ).fetchall()
    assert comp == [("Uncompressed",)]


def test_a_failing_build_falls_back_to_publishing_from_the_lake(
    landing: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run builds a new warehouse beside its staging (later ones publish in place)."""

    monkeypatch.setenv("AKHBAR_FAILPOINT", "build_apply")  # in the builder process
    monkeypatch.setenv("AKHBAR_FAILPOINT_ERRNO", "EIO")
    logs: list[str] = []
    out = _run(landing, data_dir, log=logs.append)
    assert out.status == "completed" and out.publish_mode == "full"
    told = [m for m in logs if "published from the lake instead" in m]
    assert told and "Input/output error" in told[0] and "build_apply" in told[0], logs
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    assert not list(data_dir.glob(".warehouse-*"))  # the failed build left nothing behind


def test_a_builder_process_that_dies_is_published_around(
    landing: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder killed (SIGKILL, as the OOM killer would) while it applies the first part:
    the run goes on and publishes from the lake, and says so."""
    monkeypatch.setenv("AKHBAR_FAILPOINT", "build_apply")  # hit in the builder only
    logs: list[str] = []
    out = _run(landing, data_dir, log=logs.append)
    assert out.status == "completed" and out.publish_mode == "full"
    told = [m for m in logs if "published from the lake instead" in m]
    assert told and f"exit code -{signal.SIGKILL}" in told[0], logs
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    assert not list(data_dir.glob(".warehouse-*"))


def test_a_run_that_fails_discards_its_build(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(landing, data_dir)
    before = checksums(data_dir)
    f = next((landing / "2026-11-25").glob("*.txt"))
    f.write_text("عنوان\n\nنص معدل", encoding="utf-8")
    import flows.ledger

    def boom(*_a, **_k) -> None:
        raise RuntimeError("staging failed (simulated)")

    monkeypatch.setattr(flows.ledger, "append_run_row", boom)
    with pytest.raises(RuntimeError, match="simulated"):
        _run(landing, data_dir)
    assert checksums(data_dir) == before
    assert not list(data_dir.glob(".warehouse-*"))


def test_a_day_staged_in_several_parts_equals_one_part(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches smaller than a day: each batch's rows of a day become a part file of their own
    (memory follows the batch, not the day), and the content is the same as one part a day,
    through a first run, a changed file and a backfill."""
    from flows import batches

    whole, parts = tmp_path / "whole", tmp_path / "parts"
    _run(landing, whole)
    monkeypatch.setattr(batches, "BATCH_BYTES", 1024)
    _run(landing, parts)
    assert checksums(parts) == checksums(whole)
    lake = Lake(parts / "lake")
    assert max(len(lake.files("articles", d)) for d in lake.dates("articles")) > 1
    assert checksums(parts) == from_lake_checksums(parts, tmp_path)
    # a changed file: the day keeps its other files' rows, whatever part they were in
    f = sorted((landing / "2026-11-24").glob("*.txt"))[1]
    f.write_text("عنوان معدل\n\nنص معدل عن #جدة", encoding="utf-8")
    _run(landing, parts)
    monkeypatch.setattr(batches, "BATCH_BYTES", 48 * 1024 * 1024)
    _run(landing, whole)
    assert checksums(parts) == checksums(whole) == from_lake_checksums(parts, tmp_path)
    s = Settings(landing, parts, workers=1)
    _run(landing, parts, lambda lake: plan_backfill(s, lake, DAY - dt.timedelta(3), DAY))
    assert checksums(parts) == checksums(whole)


def test_a_builder_that_cannot_read_a_message_answers_and_ends(tmp_path: Path) -> None:
    """A message it cannot take (here: no metadata saying what it is) fails the build with an
    answer, not a builder waiting for ever."""
    import json
    import subprocess
    import sys

    import pyarrow as pa

    from flows.build_worker import MESSAGE
    from tests.conftest import ROOT

    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.build_worker"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    setup = {
        "kind": "setup",
        "tmp": str(tmp_path / ".warehouse-x.duckdb"),
        "location": str(tmp_path / "lake"),
        "pins": {},
        "replacing": [],
        "run_id": "x",
    }
    for meta in ({MESSAGE: json.dumps(setup)}, {b"something": b"else"}):
        t = pa.table({"n": [1]}).replace_schema_metadata(meta)
        with pa.ipc.new_stream(proc.stdin, t.schema) as w:
            w.write_table(t)
    proc.stdin.flush()
    answer = json.loads(proc.stdout.readline())
    assert answer["disk_full"] is False and "KeyError" in answer["error"], answer
    proc.stdin.close()
    assert proc.wait(timeout=30) in (0, 1)
