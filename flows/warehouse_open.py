"""Open the warehouse read-only for `akhbar query`, waiting a few seconds for a writer.

DuckDB lets one process write a file or many read it, never both: while another process holds
`warehouse.duckdb` read-write (a publish updating it in place, a notebook opened without
`read_only=True`), a read-only open fails at once with "Could not set lock on file". A publish
holds it for seconds, so the query retries for `WAIT_S`, then says in one line who holds it
and what to do. Standard library and DuckDB only: `akhbar query` stays fast.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

WAIT_S = 5.0  # a publish in place holds the file for a few seconds
POLL_S = 0.2
_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse read-write for the whole wait."""


def is_lock_conflict(e: duckdb.Error) -> bool:
    return "Could not set lock" in str(e) or "Conflicting lock" in str(e)


def connect_read_only(path: Path, wait_s: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to `path`; retries for `wait_s` (default WAIT_S) while another
    process writes it, then raises WarehouseBusy with one line naming the holder."""
    wait_s = WAIT_S if wait_s is None else wait_s
    give_up = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as e:
            if not is_lock_conflict(e):
                raise
            if time.monotonic() >= give_up:
                raise WarehouseBusy(busy_message(path, str(e), wait_s)) from None
            time.sleep(POLL_S)


def busy_message(path: Path, error: str, waited_s: float) -> str:
    """One line: the file, who holds it (pid and command line, from DuckDB's own message and
    /proc), and what to do."""
    m = _PID.search(error)
    who = "another process"
    if m:
        who = f"process {m.group(1)}"
        cmd = _command_line(int(m.group(1)))
        if cmd:
            who += f" ({cmd})"
    return (
        f"{path} is held read-write by {who} (waited {waited_s:.1f} s): if that is an akhbar "
        f"run publishing, retry in a moment; otherwise open the warehouse with read_only=True "
        f"there (or close that connection)"
    )


def _command_line(pid: int, limit: int = 80) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # not Linux, or the process is gone
        return None
    cmd = " ".join(raw.replace(b"\0", b" ").decode("utf-8", "replace").split())
    return cmd if len(cmd) <= limit else cmd[: limit - 1] + "…"
