"""Shared bits for the benchmarks: where the corpora are, and the machine's description."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def cpu_best(fn: Callable[[], object], repeat: int) -> float:
    """The best process CPU time of `repeat` calls of `fn` (CPU time: the host is shared)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def require(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        sys.exit(f"skipped: ../shared/{'/'.join(parts)} is not present (the corpora are optional)")
    return p


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")),
            cpu,
        )
    except OSError:
        pass
    return (
        f"{dt.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def prefect_fixed_cost(work: Path) -> float:
    """Seconds for `akhbar run` on an empty landing dir in a fresh process: Prefect's fixed
    cost (its temporary API server and one flow call), reported apart from the pipeline's."""
    empty = work / "empty"
    empty.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    akhbar = str(Path(sys.executable).parent / "akhbar")
    proc = subprocess.run(
        [akhbar, "run", "--landing", str(empty), "--data", str(work / "prefect-data")],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"akhbar run failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t
