"""Prefect flows `nightly` and `backfill`: typed parameters, batch tasks, a funnel artifact.

Tasks are batches of landing files (tens of MB each), never single articles: a Prefect task
costs 3-6 ms, an article about 30 µs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.states import Failed, State

from flows.batches import BatchJob, BatchResult
from flows.build import Build
from flows.entities_refresh import plan_refresh, stage_refresh
from flows.lake import Lake
from flows.lake_check import LakeDamaged
from flows.landing import LandingFile, location
from flows.plan import Plan, plan_backfill, plan_nightly
from flows.publish import disk_full, publish
from flows.run import Hooks, PublishFailed, RunOutcome, execute
from flows.run_artifacts import publish_outcome
from flows.run_invalid import InvalidRun, planned_or_invalid
from flows.runners import windowed
from flows.said_once import install as say_failures_once
from flows.settings import DEFAULT_DATA, DEFAULT_LANDING, DEFAULT_MAX_FILE_MB, Settings
from flows.workers import active, run_batch, window


# Batch results on their way from a default-runner task to the flow, by key. A task's return
# value stays in its Prefect future (the state's result record), and that future is in a
# reference cycle with the thread pool's future (Prefect's done-callback): it is freed only by
# a full cyclic garbage collection, which comes rarer as the process holds more objects. A run
# through the flow held every batch it had read (9 of 9 at 50k articles) until the end. The
# tasks hand their result over here and return a summary of a few numbers instead.
class _Handoff:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys = itertools.count()
        self._wanted: set[int] = set()
        self._results: dict[int, BatchResult] = {}

    def keys(self, n: int) -> list[int]:
        with self._lock:
            keys = [next(self._keys) for _ in range(n)]
            self._wanted.update(keys)
        return keys

    def put(self, key: int, result: BatchResult) -> None:
        with self._lock:  # a batch that finishes after its run gave up on it is dropped
            if key in self._wanted:
                self._results[key] = result

    def take(self, key: int) -> BatchResult:
        with self._lock:
            self._wanted.discard(key)
            return self._results.pop(key)

    def pending(self) -> int:
        """Results handed over and not taken, or batches still expected."""
        with self._lock:
            return len(self._results) + len(self._wanted)

    def drop(self, keys: list[int]) -> None:
        with self._lock:
            self._wanted.difference_update(keys)
            for k in keys:
                self._results.pop(k, None)


_handoff = _Handoff()
say_failures_once()  # a served run's Failed state, without Prefect's traceback after it


@task(name="read-transform", cache_policy=NO_CACHE)
def read_transform_task(files: list[LandingFile], job: BatchJob) -> BatchResult:
    """Dask runner: the result comes back from the cluster as the task's return value."""
    return run_batch(files, job)


@task(name="read-transform", cache_policy=NO_CACHE)
def read_transform_local(files: list[LandingFile], job: BatchJob, key: int) -> dict[str, int]:
    """Default runner: the result is handed over in this process (`_handoff`)."""
    result = run_batch(files, job)
    _handoff.put(key, result)
    return {
        "batch": key,
        "files": len(result.files),
        "records": sum(result.file_records.values()),
        "quarantined": len(result.quarantined),
    }


Log = Callable[[str], None] | None


# Publishing is file I/O on the data volume: the one step worth a retry. Not on a full disk:
# that failure comes back as a value (no retries, no traceback per attempt) and is raised by
# `_publish` outside the task; the run then fails with one message (flows.run.PublishFailed).
@task(name="publish-warehouse", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def publish_task(
    data: Path, lake: Lake, touched: dict, run_id: str, build: Build | None = None, log: Log = None
) -> str | OSError | duckdb.Error:
    try:
        return publish(data, lake, touched, run_id, build, log)
    except (OSError, duckdb.Error) as e:
        if disk_full(e):
            return e
        raise


def _publish(
    data: Path, lake: Lake, touched: dict, run_id: str, build: Build | None = None, log: Log = None
) -> str:
    mode = publish_task(data, lake, touched, run_id, build, log)
    if isinstance(mode, BaseException):
        raise mode
    return mode


def _prefect_map(batches: list[list[LandingFile]], job: BatchJob) -> Iterator[BatchResult]:
    """Default runner: one task per batch. With worker processes (flows.workers) the tasks
    are submitted, `window()` in flight, each waiting in a thread for its worker; without
    them they run in the flow's process, one at a time."""
    keys = _handoff.keys(len(batches))
    keyed = list(zip(keys, batches, strict=True))
    try:
        if not active():
            for key, b in keyed:
                read_transform_local(b, job, key)
                yield _handoff.take(key)
            return
        submit = lambda kb: read_transform_local.submit(kb[1], job, kb[0])  # noqa: E731
        for summary in windowed(submit, keyed, window()):
            yield _handoff.take(summary["batch"])
    finally:
        # A failed or abandoned run: the results of batches still in flight are not wanted.
        _handoff.drop(keys)


def _dask_workers() -> int:
    tr = getattr(FlowRunContext.get(), "task_runner", None)
    client = getattr(tr, "_client", None)
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # no client yet, or a runner that does not say: assume this machine
        return os.cpu_count() or 1


def _submit_map(batches: list[list[LandingFile]], job: BatchJob) -> Iterator[BatchResult]:
    """Dask runner: every batch is submitted, at most two per worker in flight, and results
    are yielded in batch order (so dates complete in order and memory stays bounded)."""
    inflight = 2 * _dask_workers()
    submit = lambda b: read_transform_task.submit(b, job)  # noqa: E731
    yield from windowed(submit, batches, inflight)


def _runner_name() -> str:
    tr = getattr(FlowRunContext.get(), "task_runner", None)
    return "dask" if type(tr).__name__ == "DaskTaskRunner" else "default"


def _run(settings: Settings, make_plan, params: dict, stage=None, report=False) -> dict | State:
    logger = get_run_logger()
    run_id = str(flow_run.id) if flow_run.id else None
    runner = _runner_name()
    if runner != "default":
        params = {**params, "runner": runner}
    try:
        outcome: RunOutcome = execute(
            settings,
            make_plan,
            params,
            run_id=run_id,
            hooks=Hooks(
                map_batches=_submit_map if runner == "dask" else _prefect_map,
                publish_fn=_publish,
                stage=stage,
            ),
            log=logger.info,
        )
    except (PublishFailed, LakeDamaged, InvalidRun) as e:
        # Said once, as the run's failed state (raised again to the caller), not as a
        # traceback: the data is safe and the next run publishes it, the message says
        # which backfill repairs the lake, or which parameter to correct.
        return Failed(message=str(e), data=e)
    return publish_outcome(outcome, str(settings.data), logger, report)


def _settings(
    landing: str, data: str, max_file_mb: int, wait: bool, workers: int, entities: str | None
) -> Settings:
    # On Dask the cluster's workers are the parallelism: no process pool of our own.
    workers = 1 if _runner_name() == "dask" else workers
    return Settings(
        location(landing),
        Path(data),
        max_file_mb * 1024 * 1024,
        wait,
        workers,
        Path(entities) if entities else None,
    )


@flow(name="nightly", log_prints=False)
def nightly(
    landing: str = DEFAULT_LANDING,
    data: str = DEFAULT_DATA,
    lake: str | None = None,
    date: dt.date | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    wait: bool = False,
    workers: int = 0,
    entities: str | None = None,
    report: bool = False,
) -> dict:
    """Process every landing file that is new or changed since the last successful run.
    `workers`: read+transform processes, 0 = one per core, 1 = the flow's process only.
    `entities`: an analyst's gazetteer CSV merged over the shipped one.
    `report`: write `<data>/report.html` after a completed run (the served deployments do)."""
    logical = date or dt.date.today()
    params = {"landing": landing, "data": data, "lake": lake, "date": logical.isoformat()}
    settings = _settings(landing, data, max_file_mb, wait, workers, entities)
    settings.lake = lake
    plan = planned_or_invalid(
        lambda lake: plan_nightly(settings, lake, logical), "nightly", logical
    )
    return _run(settings, plan, params, report=report)


@flow(name="backfill", log_prints=False)
def backfill(
    start: dt.date,
    end: dt.date,
    landing: str = DEFAULT_LANDING,
    data: str = DEFAULT_DATA,
    lake: str | None = None,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    wait: bool = False,
    workers: int = 0,
    entities: str | None = None,
    report: bool = False,
) -> dict:
    """Re-read the landing folders of start..end (inclusive) and replace exactly those dates.
    `workers`: read+transform processes, 0 = one per core, 1 = the flow's process only.
    `report`: write `<data>/report.html` after a completed run (the served deployments do)."""
    params = {"landing": landing, "data": data, "start": start.isoformat(), "end": end.isoformat()}
    settings = _settings(landing, data, max_file_mb, wait, workers, entities)
    settings.lake = lake

    def plan(the_lake: Lake) -> Plan:
        if end < start:  # found under the lock, so that the failed run is recorded
            raise InvalidRun(
                f"backfill parameters: end ({end}) is before start ({start}); give end >= start "
                f"(both dates are included)",
                "backfill",
                end,
            )
        return plan_backfill(settings, the_lake, start, end)

    return _run(settings, planned_or_invalid(plan, "backfill", end), params, report=report)


@flow(name="entities-refresh", log_prints=False)
def entities_refresh(
    data: str = DEFAULT_DATA,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entities: str | None = None,
    wait: bool = False,
    lake: str | None = None,
) -> dict:
    """Derive the entity mentions of start..end (default: every date) again from the clean
    text in the lake, with the gazetteer in force now; replaces exactly those dates' mentions."""
    params = {"data": data, "start": start, "end": end, "entities": entities}
    settings = _settings(DEFAULT_LANDING, data, DEFAULT_MAX_FILE_MB, wait, 1, entities)
    settings.lake = lake
    return _run(settings, lambda lake: plan_refresh(lake, start, end), params, stage_refresh)
