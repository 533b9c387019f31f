"""The quarantine mirrors `rejects`: a run that failed before its commit leaves no copies, and
a run's copies stay exactly while the lake holds its rejects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import flows.run
from tests.util import nightly, query

BROKEN = '{"title": "خبر", "content": "نص"}\n{oops\n'


def _runs(data: Path) -> set[str]:
    return {d.name for d in (data / "quarantine").glob("*/*")}


def test_a_failed_run_leaves_no_quarantine(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (landing / "2026-11-26" / "broken.jsonl").write_text(BROKEN, "utf-8")

    def fail_before_commit(run: flows.run.Run) -> None:
        assert _runs(data_dir) == {run.run_id}  # it quarantined as it read
        raise RuntimeError("failed before the commit point")

    with monkeypatch.context() as m:
        m.setattr(flows.run, "_commit", fail_before_commit)
        with pytest.raises(RuntimeError, match="before the commit point"):
            nightly(landing, data_dir)
    assert _runs(data_dir) == set()
    s = nightly(landing, data_dir)
    assert _runs(data_dir) == {s["run_id"]}
    rejects = query(data_dir, "select distinct run_id from rejects")
    assert rejects == [(s["run_id"],)]
    failed = query(data_dir, "select count(*) from runs where status = 'failed'")
    assert failed == [(1,)]


def test_sweep_keeps_exactly_the_runs_whose_rejects_are_in_the_lake(
    landing: Path, data_dir: Path
) -> None:
    (landing / "2026-11-26" / "broken.jsonl").write_text(BROKEN, "utf-8")
    first = nightly(landing, data_dir)["run_id"]
    (qdir,) = (data_dir / "quarantine").glob(f"2026-11-26/{first}")  # (the seeds have one too)
    # Copies of runs the lake knows no rejects of: a run killed while it failed, another day.
    shutil.copytree(qdir, qdir.parent / "killed-while-failing")
    shutil.copytree(qdir, data_dir / "quarantine" / "2026-11-20" / first)
    nightly(landing, data_dir)  # nothing new: reads nothing, quarantines nothing
    assert _runs(data_dir) == {first}
    assert not (data_dir / "quarantine" / "2026-11-20").exists()
    assert qdir.is_dir() and any(qdir.iterdir())
