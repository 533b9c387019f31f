"""Orchestration and I/O. Importing this package sets Prefect's environment first, so that no
code path can start Prefect with analytics on or with an unplanned PREFECT_HOME."""

from __future__ import annotations

import os
from pathlib import Path

# Never phone home: this pipeline runs on machines with no internet (and should not try).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# numpy (which pyarrow imports) starts one OpenBLAS thread per core that spins when idle;
# nothing here uses BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Arrow's default allocator (mimalloc) hands freed memory back to the OS within milliseconds, so
# each batch faults it in (and the kernel zeroes it) again: the system allocator cut a run's
# system time by a third (benchmarks/RESULTS.md). Read when pyarrow is first imported.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
# Prefect's state (its SQLite DB when no PREFECT_API_URL is set) lives in one per-user place
# that outlives a run, so the temporary server reuses its database (5-6 s instead of 9-11 s
# with a fresh home) and run history accumulates. Override with PREFECT_HOME.
os.environ.setdefault(
    "PREFECT_HOME",
    str(
        Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
        / "akhbar"
        / "prefect"
    ),
)
# Prefect creates PREFECT_HOME itself but not its parents.
Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
# Each run prints its own summary; Prefect's per-task INFO lines would drown it.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "INFO")
