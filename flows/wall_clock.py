"""The wall time an operator waits for a run: from the start of the process (the `akhbar`
command, or the process Prefect's runner starts for a served flow run), not from the flow's
body. Prefect's start (its temporary server, the flow run's set-up) takes seconds the run's own
timer never sees; "completed in" counts them.

Standard library only: the CLI imports this before Prefect.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_IMPORTED = time.time()  # fallback where /proc is not there: about when the CLI started
_entry: float | None = None
_running_command = False  # a flow is running inside the `akhbar` command (cli_common.run_flow)


def process_start() -> float:
    """This process's start, in epoch seconds (Linux: /proc; else when this module loaded)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        # Field 22 (starttime, clock ticks since boot); the command name (field 2) may hold
        # spaces, so count from its closing parenthesis. Its age against /proc/uptime (10 ms
        # steps; the boot time in /proc/stat is whole seconds).
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return _IMPORTED


def mark_command_start() -> None:
    """Called by the `akhbar` command: this process exists to run this command."""
    global _entry
    _entry = process_start()


@contextmanager
def command_running() -> Iterator[None]:
    """Around the flow an `akhbar` command runs (which prints the run's summary itself)."""
    global _running_command
    _running_command = True
    try:
        yield
    finally:
        _running_command = False


def from_command() -> bool:
    """Whether the flow running now was started by an `akhbar` command in this process."""
    return _running_command


def started_at(flow_run_id: str | None = None) -> float | None:
    """When the wait began: the command's process start, or the start of a process Prefect
    started for flow run `flow_run_id` (its runner sets PREFECT__FLOW_RUN_ID). None for a flow
    called inside a longer-lived process (a library call, a test), where neither means much."""
    if _entry is not None and (_running_command or flow_run_id is None):
        return _entry
    if flow_run_id and os.environ.get("PREFECT__FLOW_RUN_ID") == flow_run_id:
        return process_start()
    return None


def wall_seconds(flow_run_id: str | None = None) -> float | None:
    start = started_at(flow_run_id)
    return None if start is None else max(0.0, time.time() - start)
