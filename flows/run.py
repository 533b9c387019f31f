"""The run itself, step by step, under the data-dir lock:

1. recover (flows.recover): remove half-built warehouses and a damaged warehouse; take
   the lake's writers' lease; restore tables a killed run left ahead of the ledger
   (flows.lake, flows.lake_lease); remove the quarantine of runs whose rejects are not in the
   lake (flows.quarantine)
2. plan: which files to read, which rows of which dates they replace (flows.plan)
3. read+transform: batches of landing files, in worker processes (flows.batches,
   flows.workers)
4. stage: each batch, as it arrives, into lake partition parts (flows.stage); meanwhile a new
   warehouse, when the run needs one, is built from them in the background (flows.build.Build)
5. commit: each table's Delta commit, then the ledger row with every table's version, the
   commit point (flows.ledger, flows.lake)
6. publish: the warehouse, updated in place in one transaction, or a new file swapped in
   (flows.publish)

Both flows (`nightly`, `backfill`) are thin wrappers over `execute()`; they differ only in the
plan. A failure before the commit point leaves the lake and warehouse as they were; after it,
the lake holds the run, the next run publishes the warehouse, and `execute` raises
`PublishFailed` saying so. Either way the run is recorded as `failed`.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from flows import failpoints, gazetteer_step, ledger
from flows.batches import BatchJob, make_batches
from flows.build import Build
from flows.lake import Lake, Transaction
from flows.lake_check import LakeDamaged, rebuilt_by_backfill
from flows.lake_lease import Lease, lake_lease
from flows.landing import Discovery
from flows.lock import data_lock
from flows.plan import Plan
from flows.progress import RunProgress
from flows.publish import disk_full, publish
from flows.quarantine import remove_run_quarantine, write_quarantine
from flows.recover import recover
from flows.run_invalid import InvalidRun
from flows.settings import Settings
from flows.stage import Staging
from flows.timer import Timer
from flows.workers import MapBatches, active, map_local, resolve, worker_pool
from transforms import schemas
from transforms.gazetteer import Gazetteer


class PublishFailed(RuntimeError):
    """The run is in the lake, but its warehouse was not published: the next run publishes
    it. Raised from the original error, whose message it carries."""


@dataclass
class RunOutcome:
    run_id: str
    flow: str
    status: str
    counts: dict[str, int]
    dates: list[str]
    deleted: list[str]
    skipped: list[tuple[str, str]]
    missing_dates: list[str]
    publish_mode: str
    seconds: float
    error: str | None = None
    # Where the time went (see Timer.STAGES); read/parse/transform add up over the workers.
    timings: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    rejected: dict[str, str] = field(default_factory=dict)  # landing path: its first reason

    def summary(self) -> dict:
        return {
            "run_id": self.run_id,
            "flow": self.flow,
            "status": self.status,
            **self.counts,
            "dates": self.dates,
            "deleted_files": self.deleted,
            "skipped_files": [f"{p} ({why})" for p, why in self.skipped],
            "rejected_files": [f"{p} ({why})" for p, why in self.rejected.items()],
            "missing_dates": self.missing_dates,
            "publish": self.publish_mode,
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class Hooks:
    """The two steps a caller may run its own way. The Prefect flows run them as tasks (the
    batches on Dask or in worker processes, publishing with retries); a plain call runs them
    here, batches in worker processes (flows.workers)."""

    map_batches: MapBatches = map_local
    publish_fn: Callable[..., str] = publish
    # Steps 3-4 in one: None reads and transforms the plan's landing files in batches and
    # stages them; `akhbar entities refresh` derives mentions from the lake instead.
    stage: Callable[[Run], None] | None = None


IN_PROCESS = Hooks()


@dataclass
class Run:
    """One run, from its plan on: what every step reads and adds to."""

    run_id: str
    settings: Settings
    params: dict  # as the caller gave them, for the ledger row
    lake: Lake
    plan: Plan
    tx: Transaction
    counts: dict[str, int]  # the funnel (schemas.FUNNEL), filled in step by step
    timer: Timer
    started: dt.datetime
    t0: float  # perf_counter at the start, for the run's seconds
    hooks: Hooks
    log: Callable[[str], None]  # where progress is said
    gazetteer: Gazetteer  # what entity mentions are matched with (flows/gazetteer_step.py)
    build: Build | None = None  # the warehouse, built in the background while staging
    lease: Lease | None = None  # the lake's writers' lease this run holds
    rejected: dict[str, str] = field(default_factory=dict)  # landing path: its first reason

    @property
    def data(self) -> Path:
        return self.settings.data

    @property
    def dates(self) -> list[str]:
        return [d.isoformat() for d in self.plan.dates]


def execute(
    settings: Settings,
    make_plan: Callable[[Lake], Plan],
    params: dict,
    run_id: str | None = None,
    hooks: Hooks = IN_PROCESS,
    log: Callable[[str], None] = print,
) -> RunOutcome:
    """Run one plan to completion under the data-dir lock. On failure the lake and warehouse
    keep their previous state and a `failed` row is recorded in `runs`."""
    run_id = run_id or str(uuid.uuid4())
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    lake = Lake(settings.lake_location)
    timer = Timer()
    wait = settings.wait_for_lock
    with ExitStack() as held:
        held.enter_context(data_lock(settings.data, wait=wait))
        gz = gazetteer_step.load(settings.entities, settings.data)  # a bad CSV stops it here
        lease = held.enter_context(
            lake_lease(settings.lake_location, run_id, settings.data, wait=wait)
        )
        recover(settings.data, lake, log)
        invalid: InvalidRun | None = None
        try:
            plan = _plan(make_plan, lake, timer)
        except InvalidRun as e:  # recorded as a failed run, with nothing read
            invalid = e
            plan = Plan(e.flow, e.logical_date, Discovery([], [], []), [], {}, {}, [], [])
        run = Run(
            run_id=run_id,
            settings=settings,
            params=params,
            lake=lake,
            plan=plan,
            tx=Transaction(lake, run_id),
            counts=_funnel_start(plan),
            timer=timer,
            started=started,
            t0=t0,
            hooks=hooks,
            log=log,
            gazetteer=gz,
            lease=lease,
        )
        if invalid is not None:
            _fail(run, invalid)
            raise invalid
        try:
            if plan.flow != "nightly" and not plan.dates:
                return _nothing_to_do(run)
            _start_build(run)
            (hooks.stage or _read_transform_stage)(run)
            _commit(run)
            mode = _publish(run)
        except Exception as e:
            _fail(run, e)
            if run.tx.committed:
                raise PublishFailed(_publish_failed(run, e)) from e
            raise
        return _completed(run, mode)


def _plan(make_plan: Callable[[Lake], Plan], lake: Lake, timer: Timer) -> Plan:
    """The plan; LakeDamaged unless it replaces every date with a damaged file whole."""
    t = time.perf_counter()
    plan = make_plan(lake)
    timer.add("plan", time.perf_counter() - t)
    whole = {day for day, paths in plan.replace.items() if paths is None}
    left = [d for d in lake.damage if rebuilt_by_backfill(d) and d.day not in whole]
    if left:  # a run on top would publish, and build on, a lake missing those rows
        raise LakeDamaged(left)
    return plan


def _funnel_start(plan: Plan) -> dict[str, int]:
    """The funnel's counts as the plan leaves them; reading and staging add the rest."""
    counts = dict.fromkeys(schemas.FUNNEL, 0)
    counts.update(plan.counts)
    counts["files_seen"] = len(plan.to_read) + counts["files_unchanged"] + len(plan.skipped)
    counts["files_skipped"] = len(plan.skipped)
    counts["files_deleted"] = len(plan.deleted)
    return counts


def _start_build(run: Run) -> None:
    """The warehouse build takes every staged partition from memory as it is staged."""
    if run.plan.to_read or run.plan.dates:
        run.build = Build.start(run.data, run.lake, run.run_id, set(run.plan.dates))
        run.tx.on_stage = run.build.add


def _read_transform_stage(run: Run) -> None:
    """Read+transform the plan's files in batches and stage each batch as it arrives."""
    plan, timer = run.plan, run.timer
    if not plan.to_read and not plan.dates:
        return
    workers = resolve(run.settings.workers)
    batches = make_batches(plan.to_read, workers)
    # The pool's processes start while this process reads what the lake holds already.
    with worker_pool(workers, len(batches)), RunProgress.of(plan.to_read, run.log) as progress:
        timer.workers = active() or 1
        staging = Staging.start(plan, run.lake, run.tx, run.counts, timer)
        t = time.perf_counter()
        for result in run.hooks.map_batches(batches, _job(run)):
            timer.add_batch(result.seconds, time.perf_counter() - t)
            write_quarantine(run.data, run.run_id, result.quarantined)
            for rej, _day, _raw in result.quarantined:
                run.rejected.setdefault(rej.source_file, rej.reason)
            progress.batch(result.files, result.file_records)
            staging.add_batch(result)
            t = time.perf_counter()
        progress.set_stage("stage")
    staging.finish()


def _job(run: Run) -> BatchJob:
    ents = gazetteer_step.entities_file(run.settings.entities, run.data)
    return BatchJob(run.run_id, run.settings.max_file_bytes, str(ents) if ents else None)


def _commit(run: Run) -> None:
    """The commit point: the ledger row (and a new gazetteer version's rows) are staged beside
    the data, and the lake's journal makes all of it visible at once."""
    if run.plan.to_read or run.plan.dates:
        gazetteer_step.stage(run.tx, run.lake, run.gazetteer, run.plan.logical_date)
    ledger.append_run_row(run.tx, run, "completed", None)
    run.log("lake write: committing the run's tables")
    t, waited = time.perf_counter(), run.tx.wait_seconds  # (waited: the writer's queue full)
    if run.lease is not None:
        run.lease.check()  # a run that stalled past a takeover must not commit beside it
    run.tx.commit()
    run.timer.add("lake_write", time.perf_counter() - t + waited)
    run.timer.add("lake_writer", run.tx.write_seconds)


def _publish(run: Run) -> str:
    """Publish the warehouse (from the background build when it is whole); its mode."""
    # DuckDB takes up to its memory limit to publish: hand back first what the staging
    # left in Python's and Arrow's pools, so the two peaks do not stack.
    if run.plan.to_read:
        gc.collect()
        pa.default_memory_pool().release_unused()
    failpoints.hit("before_publish")
    run.log("publish: the warehouse")
    t = time.perf_counter()
    mode = run.hooks.publish_fn(run.data, run.lake, run.tx.touched, run.run_id, run.build, run.log)
    run.timer.add("publish", time.perf_counter() - t)
    if run.build is not None:
        run.timer.add("build", run.build.seconds)
        if run.build.error is not None:
            run.log(f"published from the lake instead ({run.build.error})")
    return mode


def _fail(run: Run, e: Exception) -> None:
    """Discard what the run staged and built, and record it as failed (unless it lost the
    lake's lease: then the lake is another run's to write, this one's row included)."""
    run.tx.abort()
    if run.build is not None:
        run.build.discard()
    if run.lease is not None and run.lease.lost_to is not None:
        remove_run_quarantine(run.data, run.run_id)
        return
    error = f"{type(e).__name__}: {e}"
    if run.tx.committed:
        error = _publish_failed(run, e)
    else:  # its rejects are not in the lake: the next run quarantines those files again
        remove_run_quarantine(run.data, run.run_id)
    ledger.record_failure(run, error)


def _publish_failed(run: Run, e: Exception) -> str:
    why = f"{type(e).__name__}: {e}"
    if disk_full(e):
        free = shutil.disk_usage(run.data).free / 1e6
        why = (
            f"the disk holding {run.data} is full ({free:.0f} MB free once the half-built "
            f"warehouse is removed; {why})"
        )
    return (
        f"the data is in the lake, but publishing the warehouse failed (the next run "
        f"publishes it): {why}"
    )


def _nothing_to_do(run: Run) -> RunOutcome:
    missing = [d.isoformat() for d in run.plan.missing_dates]
    if run.plan.flow == "backfill":
        run.log("nothing to backfill: no landing folder for " + ", ".join(missing))
    else:
        run.log(f"nothing to do: the lake holds no articles of the dates asked ({run.plan.flow})")
    return RunOutcome(
        run_id=run.run_id,
        flow=run.plan.flow,
        status="nothing_to_do",
        counts=run.counts,
        dates=[],
        deleted=[],
        skipped=run.plan.skipped,
        missing_dates=missing,
        publish_mode="none",
        seconds=time.perf_counter() - run.t0,
    )


def _completed(run: Run, publish_mode: str) -> RunOutcome:
    return RunOutcome(
        run_id=run.run_id,
        flow=run.plan.flow,
        status="completed",
        counts=run.counts,
        dates=run.dates,
        deleted=run.plan.deleted,
        skipped=run.plan.skipped,
        missing_dates=[d.isoformat() for d in run.plan.missing_dates],
        publish_mode=publish_mode,
        seconds=time.perf_counter() - run.t0,
        timings=run.timer.seconds,
        workers=run.timer.workers,
        rejected=run.rejected,
    )
