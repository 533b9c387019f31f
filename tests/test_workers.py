"""Read+transform in worker processes (flows.workers): the same warehouse as in one process,
batches sized so the workers share the work, and a worker that dies fails the run cleanly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows import batches, workers
from flows.lake import Lake
from flows.landing import LandingFile
from flows.plan import plan_nightly
from flows.run import execute
from flows.settings import Settings
from tests.util import checksums
from transforms import schemas

DAY = dt.date(2026, 11, 27)


def _files(sizes: list[int], ext: str = ".json") -> list[LandingFile]:
    return [
        LandingFile(f"2026-01-01/{i:03d}{ext}", Path("/x"), n, 0, dt.date(2026, 1, 1))
        for i, n in enumerate(sizes)
    ]


def test_batches_cover_every_file_once_in_order() -> None:
    files = _files([5 << 20] * 40)
    for w in (1, 2, 4):
        got = batches.make_batches(files, w)
        assert [f for b in got for f in b] == sorted(files, key=lambda f: f.path)


def test_batches_shrink_with_workers_but_not_below_the_minimum() -> None:
    mb = 1 << 20
    files = _files([2 * mb] * 60)  # 120 MB
    assert len(batches.make_batches(files, 1)) == 3  # 48 MB each
    two = batches.make_batches(files, 2)  # 120 / (3 * 2) = 20 MB each
    assert len(two) == 6
    small = _files([mb] * 20)  # 20 MB: a third of a worker's share would be 3 MB
    assert len(batches.make_batches(small, 2)) == 2  # 12 MB minimum
    zips = _files([mb] * 30, ".zip")  # zips weigh 4x: 120 MB
    assert len(batches.make_batches(zips, 2)) == 6


def test_workers_argument() -> None:
    assert workers.resolve(0) == workers.cpu_count() >= 1
    assert workers.resolve(3) == 3
    with pytest.raises(ValueError, match="one per core"):
        workers.resolve(-1)


def _run(landing: Path, data: Path, n: int):
    s = Settings(landing, data, workers=n)
    return execute(s, lambda lake: plan_nightly(s, lake, DAY), {}, log=lambda _m: None)


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The seeds are a few KB: small batches give the pool several to share.
    monkeypatch.setattr(batches, "BATCH_BYTES", 4096)
    monkeypatch.setattr(batches, "MIN_BATCH_BYTES", 4096)


def test_two_workers_give_the_same_warehouse(
    landing: Path, tmp_path: Path, tiny_batches: None
) -> None:
    one = _run(landing, tmp_path / "one", 1)
    two = _run(landing, tmp_path / "two", 2)
    assert one.workers == 1 and two.workers == 2
    assert two.counts == one.counts
    assert checksums(tmp_path / "two") == checksums(tmp_path / "one")
    # the workers' time is accounted for, and nothing is left running
    assert two.timings["transform"] > 0 and two.timings["read"] > 0
    assert workers.active() == 0


def test_a_worker_that_dies_fails_the_run_and_commits_nothing(
    landing: Path, tmp_path: Path, tiny_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("AKHBAR_FAILPOINT", "read:2")  # a worker SIGKILLs itself mid-run
    with pytest.raises(RuntimeError, match=r"worker process died.*--workers 1"):
        _run(landing, data, 2)
    monkeypatch.delenv("AKHBAR_FAILPOINT")
    lake = Lake(data / "lake")
    assert lake.read("articles").num_rows == 0
    assert lake.read("runs", columns=["status"])["status"].to_pylist() == ["failed"]
    assert workers.active() == 0
    # the next run loads everything
    again = _run(landing, data, 2)
    assert again.status == "completed" and again.counts["articles_loaded"] > 0


def test_cli_workers_option_and_the_time_line() -> None:
    from click.testing import CliRunner

    from flows.cli import main
    from flows.run_summary import summary_lines

    for cmd in ("run", "backfill"):
        res = CliRunner().invoke(main, [cmd, "--help"])
        assert "--workers" in res.output and "one per core" in res.output
    res = CliRunner().invoke(main, ["run", "--workers", "-1"])
    assert res.exit_code != 0 and "--workers" in res.output
    summary = {
        "flow": "nightly",
        "status": "completed",
        "seconds": 4.8,
        "run_id": "r",
        **dict.fromkeys(schemas.FUNNEL, 0),
        "dates": [],
        "skipped_files": [],
        "deleted_files": [],
        "workers": 2,
        "timings": {
            "plan": 0.01,
            "read": 0.1,
            "parse": 1.3,
            "transform": 4.0,
            "wait": 1.5,
            "stage": 0.6,
            "lake_write": 1.8,
            "build": 4.4,
            "publish": 0.4,
        },
    }
    line = next(x for x in summary_lines(summary) if x.lstrip().startswith("seconds"))
    assert "read 1.4" in line and "transform 4.0 (summed over 2 worker processes)" in line
    assert "publish 0.4" in line
