"""Where the read+transform batch tasks run: in the flow's process (default) or on Dask.

    akhbar run --runner dask                          # a LocalCluster of worker processes
    akhbar run --runner dask --address tcp://h:8786   # an existing Dask scheduler

Only read+transform is distributed. Staging the lake, committing it and publishing the
warehouse stay in the flow's process: the lake journal and the DuckDB file have one writer.
Dask workers need this package importable (`pip install -e .` on each worker) and the landing
dir at the same path (a shared mount) when the cluster spans machines, or a landing zone in
S3 (`--landing s3://…`), which each worker reads itself with the same AWS_* variables.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from typing import Any

RUNNERS = ("default", "dask")


def _check(runner: str) -> None:
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: choose one of {', '.join(RUNNERS)}")


def dask_available() -> bool:
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    try:
        import distributed  # noqa: F401
        import prefect_dask  # noqa: F401
    except ImportError:
        return False
    return True


def task_runner(runner: str = "default", address: str | None = None, workers: int | None = None):
    """The Prefect task runner for `runner`; None means the flow's own (default) one."""
    _check(runner)
    if runner == "default":
        if address:
            raise ValueError("--address needs --runner dask")
        return None
    if not dask_available():
        raise RuntimeError(
            "--runner dask needs prefect-dask and distributed: pip install -r requirements.lock"
        )
    # Dask's INFO lines (worker start/stop) would drown the run's summary; set before import.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    n = workers or os.cpu_count() or 1
    # Processes, one thread each: the transforms are pure Python and hold the GIL.
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": n,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
    )


def with_runner(flow_obj, runner: str = "default", address: str | None = None, **kw: Any):
    """`flow_obj` set to run its batch tasks on `runner` (the flow itself when default)."""
    tr = task_runner(runner, address, **kw)
    return flow_obj if tr is None else flow_obj.with_options(task_runner=tr)


def windowed(submit, items: list, window: int) -> Iterator[Any]:
    """Submit items as `submit(item)` futures, at most `window` in flight, and yield their
    results in submission order: workers stay busy while the consumer holds at most `window`
    batch results in memory."""
    inflight: deque = deque()
    it = iter(items)
    for item in it:
        inflight.append(submit(item))
        if len(inflight) >= window:
            break
    while inflight:
        res = inflight.popleft().result()
        nxt = next(it, None)
        if nxt is not None:
            inflight.append(submit(nxt))
        yield res
        del res
