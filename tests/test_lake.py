"""The lake's protocol on real Delta tables (flows/lake.py): nothing of a run is visible before
its ledger commit, tables left ahead of the ledger are restored, a failed row replaces a
completed one without breaking older versions, and one writer at a time holds the lease."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyarrow as pa
import pytest

from flows import failpoints
from flows.lake import Lake, Transaction
from flows.lake_lease import LEASE, LakeLeased, lake_lease
from transforms import schemas

DAY = dt.date(2026, 11, 24)


def _rejects(n: int, run_id: str, day: dt.date = DAY) -> pa.Table:
    rows = [
        {
            "source_file": f"{day}/f{i}.json",
            "member": None,
            "record": i,
            "reason": "empty_body",
            "detail": "",
            "ingest_date": day,
            "run_id": run_id,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=schemas.REJECTS)


def _run_row(run_id: str, status: str = "completed") -> pa.Table:
    row = {name: None for name in schemas.RUNS.names}
    row |= {"run_id": run_id, "status": status, "ingest_date": DAY}
    return pa.Table.from_pylist([row], schema=schemas.RUNS)


def _commit(lake: Lake, run_id: str, n: int, day: dt.date = DAY) -> Transaction:
    tx = Transaction(lake, run_id)
    tx.replace_partition("rejects", day, _rejects(n, run_id, day))
    tx.append_file("runs", DAY, _run_row(run_id), f"run-{run_id}.parquet")
    tx.commit()
    return tx


def test_commit_replaces_the_partition_and_pins_every_table(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 3)
    _commit(lake, "r2", 2, DAY + dt.timedelta(days=1))
    _commit(lake, "r3", 1)
    assert lake.version == 3
    fresh = Lake(tmp_path / "lake")
    rows = fresh.read("rejects").to_pylist()
    assert sorted((r["ingest_date"], r["run_id"]) for r in rows) == [
        (DAY, "r3"),
        (DAY + dt.timedelta(days=1), "r2"),
        (DAY + dt.timedelta(days=1), "r2"),
    ]
    assert set(fresh.pins) == {"rejects", "runs"}
    assert fresh.read("runs")["run_id"].to_pylist() == ["r1", "r2", "r3"]


def test_tables_committed_before_the_ledger_are_invisible_then_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 3)

    def die(name: str) -> None:
        if name == "before_ledger":
            raise KeyboardInterrupt  # stands for the SIGKILL of tests/test_crash.py

    monkeypatch.setattr(failpoints, "hit", die)
    tx = Transaction(lake, "r2")
    tx.replace_partition("rejects", DAY, _rejects(5, "r2"))
    tx.replace_partition("duplicates", DAY, schemas.DUPLICATES.empty_table())
    tx.append_file("runs", DAY, _run_row("r2"), "run-r2.parquet")
    with pytest.raises(KeyboardInterrupt):
        tx.commit()
    monkeypatch.undo()
    reader = Lake(tmp_path / "lake")
    assert reader.latest_versions()["rejects"] > reader.pins["rejects"]  # ahead of the ledger
    assert reader.read("rejects")["run_id"].to_pylist() == ["r1"] * 3  # but not seen
    assert sorted(reader.recover()) == ["duplicates", "rejects"]
    assert reader.latest_versions() != reader.pins  # restored: a new version, same content
    assert reader.delta("rejects").to_pyarrow_table()["run_id"].to_pylist() == ["r1"] * 3
    assert reader.delta("duplicates").to_pyarrow_table().num_rows == 0
    _commit(reader, "r3", 1)
    assert Lake(tmp_path / "lake").read("rejects")["run_id"].to_pylist() == ["r3"]


def test_abort_before_the_commit_point_removes_what_it_wrote(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 3)
    tx = Transaction(lake, "r2")
    tx.replace_partition("rejects", DAY, _rejects(5, "r2"))
    tx.flush()
    assert list((tmp_path / "lake" / "rejects").rglob("part-r2*.parquet"))
    tx.abort()
    assert not list((tmp_path / "lake" / "rejects").rglob("part-r2*.parquet"))
    assert Lake(tmp_path / "lake").read("rejects")["run_id"].to_pylist() == ["r1"] * 3


def test_a_failed_row_replaces_the_completed_one_and_old_versions_still_read(
    tmp_path: Path,
) -> None:
    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 1)
    before = lake.pins["runs"]
    tx = Transaction(lake, "r1")
    tx.append_file("runs", DAY, _run_row("r1", "failed"), "run-r1.parquet")
    tx.commit()
    assert Lake(tmp_path / "lake").read("runs")["status"].to_pylist() == ["failed"]
    old = lake.delta("runs", before).to_pyarrow_table()
    assert old["status"].to_pylist() == ["completed"]


def test_one_writer_holds_the_lease_the_other_stops_with_its_name(tmp_path: Path) -> None:
    loc = tmp_path / "lake"
    with (
        lake_lease(loc, "first", tmp_path / "a"),
        pytest.raises(LakeLeased, match=r"written by run first .*--wait"),
        lake_lease(loc, "second", tmp_path / "b"),
    ):
        pass
    assert not (loc / LEASE).exists()
    with lake_lease(loc, "second", tmp_path / "b"):
        assert json.loads((loc / LEASE).read_text())["run_id"] == "second"


def test_a_lease_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    loc = tmp_path / "lake"
    (loc / "_akhbar").mkdir(parents=True)
    dead = {"run_id": "dead", "host": os.uname().nodename, "pid": 2**22 + 7, "data": "x"}
    dead["heartbeat"] = dt.datetime.now(dt.UTC).isoformat()
    (loc / LEASE).write_text(json.dumps(dead))
    with lake_lease(loc, "next", tmp_path / "b"):
        assert json.loads((loc / LEASE).read_text())["run_id"] == "next"


def test_a_lake_written_by_the_journal_is_migrated_once(landing: Path, tmp_path: Path) -> None:
    """The journal layout (what earlier versions left: hive-partitioned Parquet files and
    `_state.json`, no Delta log) is made by stripping the Delta logs of a one-run lake."""
    import shutil

    from tests.util import checksums, lake_checksums, nightly

    data = tmp_path / "data"
    nightly(landing, data)
    reference = lake_checksums(data / "lake")
    for log in (data / "lake").glob("*/_delta_log"):
        shutil.rmtree(log)
    (data / "lake" / "_state.json").write_text('{"version": 1, "run_id": "old"}')
    (data / "lake" / "articles" / "ingest_date=2026-11-24" / ".part-x.parquet.tmp").write_text("")
    before = checksums(data)
    s = nightly(landing, data)
    assert s["files_new"] + s["files_changed"] == 0  # the migrated manifest knows every file
    assert lake_checksums(data / "lake") == reference and checksums(data) == before
    assert (data / "lake" / "_state.json.migrated").exists()
    assert not list((data / "lake").rglob(".*.tmp"))
    runs = Lake(data / "lake").read("runs")
    assert runs.num_rows == 2


def test_as_of_reads_the_lake_as_a_past_run_left_it(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 3)
    _commit(lake, "r2", 1)
    first = lake.as_of("r1")
    assert first.read("rejects")["run_id"].to_pylist() == ["r1"] * 3
    assert first.read("runs")["run_id"].to_pylist() == ["r1"]
    assert lake.as_of(dt.datetime.now(dt.UTC).isoformat()).read("rejects").num_rows == 1
    with pytest.raises(ValueError, match="no run 'nope'"):
        lake.as_of("nope")


def test_query_as_of_runs_sql_on_a_past_run(landing: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main
    from tests.util import nightly

    data = tmp_path / "data"
    first = nightly(landing, data)
    (landing / "2026-11-26" / "901_x.txt").write_text("عنوان\n\nنص #وسم", encoding="utf-8")
    nightly(landing, data)
    sql = "select count(*) from articles"
    args = ["query", sql, "--data", str(data), "--format", "csv"]
    now = CliRunner().invoke(main, args)
    past = CliRunner().invoke(main, [*args, "--as-of", first["run_id"]])
    assert now.exit_code == 0 and past.exit_code == 0, past.output
    assert int(past.output.split()[-1]) == first["articles_loaded"]
    assert int(now.output.split()[-1]) == first["articles_loaded"] + 1


def test_vacuum_removes_replaced_and_orphan_files_not_the_live_ones(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    lake = Lake(tmp_path / "lake")
    _commit(lake, "r1", 3)
    _commit(lake, "r2", 2)  # replaces r1's rejects file
    orphan = tmp_path / "lake" / "rejects" / "ingest_date=2026-11-24" / "part-killed.parquet"
    orphan.write_bytes(b"left by a run killed before its commit")
    args = ["lake", "vacuum", "--data", str(tmp_path), "--retention-hours", "0"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "rejects: removed 2 file(s)" in out.output
    left = sorted(p.name for p in (tmp_path / "lake" / "rejects").rglob("*.parquet"))
    assert left == ["part-r2.parquet"]
    assert Lake(tmp_path / "lake").read("rejects")["run_id"].to_pylist() == ["r2"] * 2
