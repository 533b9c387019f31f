"""`--runner dask`: the read+transform batches on a local Dask cluster give the same warehouse
as the default runner, and the runner plumbing rejects what it cannot do."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from flows import batches as pipeline
from flows.runners import dask_available, task_runner, windowed
from tests.util import checksums

DAY = dt.date(2026, 11, 27)


def test_windowed_keeps_order_and_bounds_inflight() -> None:
    inflight, peak = [0], [0]

    class Fut:
        def __init__(self, v: int) -> None:
            self.v = v
            inflight[0] += 1
            peak[0] = max(peak[0], inflight[0])

        def result(self) -> int:
            inflight[0] -= 1
            return self.v * 10

    assert list(windowed(Fut, list(range(7)), 3)) == [0, 10, 20, 30, 40, 50, 60]
    assert peak[0] <= 3
    assert list(windowed(Fut, [], 3)) == []


def test_runner_arguments() -> None:
    assert task_runner("default") is None
    with pytest.raises(ValueError, match="unknown runner"):
        task_runner("ray")
    with pytest.raises(ValueError, match="--address needs --runner dask"):
        task_runner("default", "tcp://127.0.0.1:8786")


def test_batch_result_pickles(landing: Path) -> None:
    """What a Dask worker sends back must survive pickling unchanged."""
    from flows.landing import discover

    files = discover(landing, DAY).files
    res = pipeline.read_and_transform(files, pipeline.BatchJob("r1", 20 * 1024 * 1024))
    back = pickle.loads(pickle.dumps(res))
    assert back.files == res.files and back.file_hash == res.file_hash
    for day, tr in res.by_date.items():
        assert back.by_date[day].articles.equals(tr.articles)
        assert back.by_date[day].hashtags.equals(tr.hashtags)


@pytest.mark.integration
def test_dask_runner_matches_default(
    prefect_harness: None, landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not dask_available():
        pytest.skip("prefect-dask/distributed not importable: pip install -r requirements.lock")
    from flows.nightly import backfill, nightly
    from flows.runners import with_runner

    # Small batches, so that several tasks are in flight on the two workers (and, for the
    # default runner, on its own two worker processes).
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 2048)
    monkeypatch.setattr(pipeline, "MIN_BATCH_BYTES", 2048)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sa = nightly(landing=str(landing), data=str(a), date=DAY, workers=2)
    assert sa["workers"] == 2
    on_dask = with_runner(nightly, "dask", workers=2)
    sb = on_dask(landing=str(landing), data=str(b), date=DAY)
    assert sb["status"] == "completed" and sb["workers"] == 1  # no pool of our own on Dask
    sc = nightly(landing=str(landing), data=str(c), date=DAY, workers=1)
    same = ("run_id", "seconds", "timings", "workers")
    assert {k: v for k, v in sb.items() if k not in same} == {
        k: v for k, v in sa.items() if k not in same
    }
    assert {k: v for k, v in sc.items() if k not in same} == {
        k: v for k, v in sa.items() if k not in same
    }
    assert checksums(b) == checksums(a) == checksums(c)
    # A backfill on Dask replaces the same dates with the same content.
    start, end = dt.date(2026, 11, 24), dt.date(2026, 11, 26)
    sb2 = with_runner(backfill, "dask", workers=2)(
        start=start, end=end, landing=str(landing), data=str(b)
    )
    assert sb2["status"] == "completed" and sb2["articles_loaded"] > 0
    assert checksums(b) == checksums(a)
