"""The lake's transaction protocol on real Parquet files: a run that fails before its commit
point leaves nothing behind, one that fails after it is rolled forward, and journals keep the
on-disk shape that earlier versions wrote."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import flows.lake
from flows.lake import Lake, Transaction
from flows.run import PublishFailed
from tests.util import checksums, nightly, query
from transforms import schemas

DAY = dt.date(2026, 11, 24)


def _rejects(n: int, run_id: str) -> pa.Table:
    rows = [
        {
            "source_file": f"2026-11-24/f{i}.json",
            "member": None,
            "record": i,
            "reason": "empty_body",
            "detail": "",
            "ingest_date": DAY,
            "run_id": run_id,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=schemas.REJECTS)


def _hidden(lake: Lake) -> list[Path]:
    return sorted(lake.root.rglob(".*.tmp"))


def test_abort_before_the_commit_point_removes_what_was_staged(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    first = Transaction(lake, "r1")
    first.replace_partition("rejects", DAY, _rejects(2, "r1"))
    first.commit()
    tx = Transaction(lake, "r2")
    tx.replace_partition("rejects", DAY, _rejects(5, "r2"))
    tx.replace_partition("rejects", DAY, _rejects(3, "r2"))  # a second part
    tx.flush()  # both parts written (by the writer threads), not committed
    assert len(_hidden(lake)) == 2
    tx.abort()
    assert _hidden(lake) == []
    assert lake.read("rejects")["run_id"].to_pylist() == ["r1", "r1"]
    assert not list(lake.root.glob("_journal/*.json"))  # nothing committed


def test_abort_past_the_commit_point_keeps_the_run_for_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = Lake(tmp_path / "lake")
    tx = Transaction(lake, "r1")
    tx.replace_partition("rejects", DAY, _rejects(4, "r1"))

    def apply_fails(_root: Path, _journal: dict) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(flows.lake, "_apply", apply_fails)
    with pytest.raises(OSError, match="No space"):
        tx.commit()
    assert tx.journal_written
    tx.abort()
    assert len(_hidden(lake)) == 1  # the committed run's data, not yet renamed into place
    monkeypatch.undo()
    assert lake.recover() == ["r1"]
    assert lake.read("rejects").num_rows == 4 and _hidden(lake) == []
    assert lake.version == 1


def test_journal_on_disk_has_the_shape_earlier_versions_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = Lake(tmp_path / "lake")
    first = Transaction(lake, "r0")
    first.replace_partition("rejects", DAY, _rejects(1, "r0"))
    first.commit()
    tx = Transaction(lake, "r1")
    tx.replace_partition("rejects", DAY, _rejects(2, "r1"))
    tx.append_file("runs", DAY, schemas.RUNS.empty_table(), "run-r1.parquet")

    def stop(_root: Path, _journal: dict) -> None:
        raise RuntimeError("stopped before applying")

    monkeypatch.setattr(flows.lake, "_apply", stop)
    with pytest.raises(RuntimeError, match="stopped"):
        tx.commit()  # the journal stays on disk, as a crash past the commit point leaves it
    journal = json.loads((lake.root / "_journal" / "r1.json").read_text(encoding="utf-8"))
    assert journal == {
        "run_id": "r1",
        "version": 2,
        "ops": [
            {
                "dir": "rejects/ingest_date=2026-11-24",
                "tmp": ".part-r1.parquet.tmp",
                "final": "part-r1.parquet",
                "delete": ["part-r0.parquet"],
            },
            {
                "dir": "runs/ingest_date=2026-11-24",
                "tmp": ".run-r1.parquet.tmp",
                "final": "run-r1.parquet",
                "delete": [],
            },
        ],
    }


def test_a_journal_written_by_an_earlier_version_is_rolled_forward(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    part = lake.part_dir("rejects", DAY)
    part.mkdir(parents=True)
    pq.write_table(_rejects(1, "old"), part / "part-old.parquet")
    pq.write_table(_rejects(3, "new"), part / ".part-new.parquet.tmp")
    emptied = lake.part_dir("rejects", DAY + dt.timedelta(days=1))
    emptied.mkdir(parents=True)
    pq.write_table(_rejects(1, "old"), emptied / "part-old.parquet")
    journal = {
        "run_id": "new",
        "version": 7,
        "ops": [
            {
                "dir": "rejects/ingest_date=2026-11-24",
                "tmp": ".part-new.parquet.tmp",
                "final": "part-new.parquet",
                "delete": ["part-old.parquet"],
            },
            {
                "dir": "rejects/ingest_date=2026-11-25",
                "tmp": None,
                "final": "part-new.parquet",
                "delete": ["part-old.parquet"],
            },
        ],
    }
    (lake.root / "_journal").mkdir()
    (lake.root / "_journal" / "new.json").write_text(json.dumps(journal), encoding="utf-8")
    assert lake.recover() == ["new"]
    assert [p.name for p in lake.files("rejects")] == ["part-new.parquet"]
    assert lake.read("rejects")["run_id"].to_pylist() == ["new"] * 3
    assert not emptied.exists() and lake.version == 7


def test_io_error_while_applying_the_lake_commit_rolls_forward(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nightly(landing, data_dir)
    (landing / "2026-11-26" / "901_00000000000000e2.txt").write_text(
        "عنوان جديد\n\nنص جديد", encoding="utf-8"
    )
    real = flows.lake.write_json_atomic
    calls = {"n": 0}

    def full_disk_once(path: Path, obj: object) -> None:
        if path.name == "_state.json" and calls["n"] == 0:
            calls["n"] += 1
            raise OSError(28, "No space left on device")
        real(path, obj)

    monkeypatch.setattr(flows.lake, "write_json_atomic", full_disk_once)
    with pytest.raises(PublishFailed, match=r"the data is in the lake.*No space"):
        nightly(landing, data_dir)
    monkeypatch.undo()
    status, error = query(data_dir, "select status, error from runs order by started_at")[-1]
    assert status == "failed" and "the data is in the lake" in error
    # The warehouse matches the lake: the committed run was rolled forward and published.
    n_wh = query(data_dir, "select count(*) from articles")[0][0]
    n_lake = query(
        data_dir,
        "select count(*) from read_parquet(?)",
        [str(data_dir / "lake/articles/ingest_date=*/*.parquet")],
    )[0][0]
    assert n_wh == n_lake
    assert not list((data_dir / "lake" / "_journal").glob("*.json"))
    s = nightly(landing, data_dir)
    assert s["files_new"] == 0
    fresh = tmp_path / "fresh"
    nightly(landing, fresh)
    assert checksums(fresh) == checksums(data_dir)


def test_journal_naming_a_missing_staged_file_stops_before_deleting(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    part = lake / "articles" / "ingest_date=2026-11-24"
    part.mkdir(parents=True)
    (part / "part-old.parquet").write_bytes(b"old")
    journal = {
        "run_id": "r",
        "version": 1,
        "ops": [
            {
                "dir": str(part.relative_to(lake)),
                "tmp": ".part-r.parquet.tmp",
                "final": "part-r.parquet",
                "delete": ["part-old.parquet"],
            }
        ],
    }
    with pytest.raises(RuntimeError, match="is missing"):
        flows.lake._apply(lake, journal)
    assert (part / "part-old.parquet").exists()
