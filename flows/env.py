"""The process environment akhbar runs in: Prefect's settings, logging levels and the native
libraries' knobs, set by one explicit call, `setup()`.

Most of these variables are read once, when a library is first imported (Prefect reads its
settings, pyarrow its memory pool, OpenBLAS its thread count), so `setup()` must run before
anything imports prefect, pyarrow or numpy. That is why importing `flows` does nothing: the
call is made, first thing, by each entry point:

- the `akhbar` command (`flows.cli`: the command group, before any command imports Prefect
  or pyarrow; the CLI module itself imports neither);
- the workers' fork server (`flows/worker_boot.py`), before it imports the batch code: the
  fork server inherits the run's environment, but a script that did not call `setup()`
  would otherwise start workers with Arrow's default allocator;
- the test suite (`tests/conftest.py`) and the benchmarks that import `flows`;
- your own script, when it calls the pipeline (`flows.run`, `flows.nightly`) directly:
  `import flows.env; flows.env.setup()` before importing the rest of `flows`.

Every variable is set with `setdefault`: a value already in the environment wins, so
`PREFECT_HOME=/elsewhere akhbar run` and a CI's own settings are kept. Calling it twice is
harmless. Remote Dask workers (`--runner dask --address`) run in their own environment: set
`ARROW_DEFAULT_MEMORY_POOL=system` there too if you want their allocator to match.
"""

from __future__ import annotations

import os
from pathlib import Path


def setup() -> None:
    """Set akhbar's environment defaults in `os.environ` (idempotent; never overrides)."""
    # Never phone home: this pipeline runs on machines with no internet (and should not try).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # numpy (which pyarrow imports) starts one OpenBLAS thread per core that spins when idle;
    # nothing here uses BLAS.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Arrow's default allocator (mimalloc) hands freed memory back to the OS within
    # milliseconds, so each batch faults it in (and the kernel zeroes it) again; the system
    # allocator keeps it (benchmarks/RESULTS.md). Read when pyarrow is first imported.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    # Prefect's state (its SQLite DB when no PREFECT_API_URL is set) lives in one per-user
    # place that outlives a run, so the temporary server reuses its database (instead of
    # creating one each time) and run history accumulates. Override with PREFECT_HOME.
    os.environ.setdefault("PREFECT_HOME", str(_state_dir() / "akhbar" / "prefect"))
    # Prefect creates PREFECT_HOME itself but not its parents.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    # Each run prints its own summary; Prefect's per-task INFO lines would drown it.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "INFO")


def _state_dir() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
