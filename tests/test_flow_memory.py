"""The Prefect flow path lets go of each batch result once it is staged (the run's memory does
not grow with the number of batches read): the batch tasks of the default runner hand their
results over beside Prefect, whose futures would otherwise keep them until a full GC."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import nightly, workers
from flows.batches import BatchJob
from flows.landing import discover

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 11, 27)


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    # Only a full cyclic collection would free what a reference cycle holds: without it,
    # whatever is still alive is held for real.
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _map_in_flow(landing: Path, n_workers: int, stop_after: int | None = None) -> dict:
    from prefect import flow

    files = discover(landing, DAY).files
    batches = [[f] for f in files]  # one file a batch: many batches
    job = BatchJob("00000000-0000-0000-0000-000000000000", 64 << 20)

    @flow(name="map-batches")
    def mapped() -> dict:
        refs: list[weakref.ref] = []
        most_alive = 0
        with workers.worker_pool(n_workers, len(batches)):
            results = nightly._prefect_map(batches, job)
            for result in results:
                refs.append(weakref.ref(result))
                del result
                most_alive = max(most_alive, sum(r() is not None for r in refs))
                if stop_after is not None and len(refs) == stop_after:
                    break
            results.close()
        return {"batches": len(refs), "most_alive": most_alive, "alive_after": refs}

    out = mapped()
    out["alive_after"] = sum(r() is not None for r in out["alive_after"])
    return out


@pytest.mark.parametrize("n_workers", [1, 2])
def test_batch_results_are_freed_as_they_are_consumed(
    prefect_harness: None, landing: Path, no_cyclic_gc: None, n_workers: int
) -> None:
    out = _map_in_flow(landing, n_workers)
    assert out["batches"] == len(discover(landing, DAY).files) > 5
    # The consumer drops each result before taking the next: none of them outlives that.
    assert out["most_alive"] == 0
    assert out["alive_after"] == 0
    assert nightly._handoff.pending() == 0


def test_a_run_that_stops_reading_leaves_nothing_handed_over(
    prefect_harness: None, landing: Path, no_cyclic_gc: None
) -> None:
    out = _map_in_flow(landing, 2, stop_after=2)
    assert out["batches"] == 2
    # the batches still in flight finished after the consumer gave up: they were dropped
    assert nightly._handoff.pending() == 0
    assert out["alive_after"] == 0
