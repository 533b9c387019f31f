"""Worker processes for read+transform, so that a run uses every core of one machine.

The transforms are pure Python and hold the GIL: a second core needs a second process. A run
with more than one batch opens a pool of worker processes (`--workers`, default one per
core), each running `read_and_transform` on whole batches; the run's own process meanwhile
deduplicates and stages what comes back, writes the lake and publishes, alone (one writer).
Results come back in batch order, so the output is the same with any number of workers.

`forkserver`, not `fork`: the flow's process has Prefect's threads running, and a forked
child would inherit their locks. The fork server is a fresh process that imports only
flows.batches and builds the normalization tables, once (0.4 s; flows/worker_boot.py), and
forks each worker from that clean state: 0.4 s of CPU less per worker than `spawn`. It
keeps the environment it started with, so each batch carries the run's AKHBAR_* variables
(the fail points of the crash tests) and AWS_* variables (landing files on S3) to its worker.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress

from flows import lifeline
from flows.batches import BatchJob, BatchResult, read_and_transform
from flows.landing import LandingFile
from flows.runners import windowed
from flows.storage import S3_VARIABLES

# The pool of the run in progress in this process (the data-dir lock allows one run at a time).
_pool: ProcessPoolExecutor | None = None
_size = 0

WORKER_DIED = (
    "a read+transform worker process died (killed, or out of memory?): nothing was committed; "
    "run again, or with --workers 1 to read in the run's own process"
)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve(workers: int) -> int:
    """0 means one per core."""
    if workers < 0:
        raise ValueError(f"--workers {workers}: give 0 (one per core) or a positive number")
    return workers or cpu_count()


@contextmanager
def worker_pool(workers: int, batches: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of min(workers, batches) processes for the duration of one run's read+transform
    phase; None (work in this process) when that is one. The processes start at once, while
    the run reads its seen-set from the lake."""
    global _pool, _size
    n = min(resolve(workers), batches)
    if n <= 1:
        yield None
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["flows.worker_boot"])
    # Each worker dies with the fork server, which dies with the run (flows/lifeline.py).
    pool = ProcessPoolExecutor(n, mp_context=ctx, initializer=lifeline.die_with_parent)
    pool.submit(int)  # starts the processes now (a pool starts them on its first task)
    _pool, _size = pool, n
    ok = False
    try:
        yield pool
        ok = True
    finally:
        _pool, _size = None, 0
        if not ok:
            _kill_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """After a failure, end the workers before the pool's own shutdown: on CPython 3.11 a pool
    whose worker died can wait forever for a worker it started (or is still starting) after the
    death, which it never tells to stop (seen here: the test of a killed worker hung)."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        with suppress(Exception):  # gone already
            proc.kill()


def active() -> int:
    """Processes in this run's pool (0: none, batches run where they are called)."""
    return _size


def window() -> int:
    """Batches in flight at once: one per worker, plus one ready for this process to stage.
    Each finished batch waits here, in memory, until it is staged: more would only cost RAM."""
    return _size + 1


def _passed(name: str) -> bool:
    return name.startswith("AKHBAR_") or name in S3_VARIABLES


def _akhbar_env() -> dict[str, str]:
    """The run's AKHBAR_* variables, and the AWS_* ones with which a worker reads landing
    files from S3 itself (the fork server may have started before they were set)."""
    return {k: v for k, v in os.environ.items() if _passed(k)}


def _in_worker(env: dict[str, str], files: list[LandingFile], job: BatchJob) -> BatchResult:
    for k in [k for k in os.environ if _passed(k) and k not in env]:
        del os.environ[k]
    os.environ.update(env)
    return read_and_transform(files, job)


def _submit(
    pool: ProcessPoolExecutor, files: list[LandingFile], job: BatchJob
) -> Future[BatchResult]:
    return pool.submit(_in_worker, _akhbar_env(), files, job)


def run_batch(files: list[LandingFile], job: BatchJob) -> BatchResult:
    """One batch: in the run's pool when it has one (the caller's thread waits), else here."""
    pool = _pool
    if pool is None:
        return read_and_transform(files, job)
    try:
        return _submit(pool, files, job).result()
    except BrokenProcessPool as e:
        raise RuntimeError(WORKER_DIED) from e


def map_local(batches: list[list[LandingFile]], job: BatchJob) -> Iterator[BatchResult]:
    """Every batch, in order: through the run's pool, `window()` in flight, when there is one;
    else one after another in this process."""
    pool = _pool
    if pool is None:
        for b in batches:
            yield read_and_transform(b, job)
        return

    def submit(b: list[LandingFile]) -> Future[BatchResult]:
        return _submit(pool, b, job)

    try:
        yield from windowed(submit, batches, window())
    except BrokenProcessPool as e:
        raise RuntimeError(WORKER_DIED) from e


MapBatches = Callable[[list[list[LandingFile]], BatchJob], Iterator[BatchResult]]
