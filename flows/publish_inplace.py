"""Publish a run's partitions into the live warehouse file itself, in one transaction.

A run that can update the warehouse (publish_meta.can_update) opens the live file read-write,
and in ONE DuckDB transaction deletes the (table, date) partitions it replaced, inserts them
again from the lake, adds the append-only tables' new rows (its `runs` row: a run that loaded
nothing publishes only that), rewrites the metadata, commits, then checkpoints. Nothing is
copied: a nightly costs what it changes, not the size of the warehouse.

- Readers. DuckDB lets one process write a file, or many read it, never both. Opening it
  read-write therefore fails while an analyst's read-only connection (another process) holds
  it: the run retries for LOCK_WAIT_SECONDS, then gives up here (`None`) and the caller
  publishes on a copy it swaps in, as runs always did (flows/publish.py). Conversely, while the
  transaction runs (seconds), a new read-only connection fails with DuckDB's lock error: the
  README says so and `akhbar query` retries.
- Crashes. DuckDB's WAL makes the transaction all or nothing: killed before its COMMIT, the
  file reads as it was (new row groups written so far are unreferenced blocks); killed after,
  the WAL replays it (read-only connections replay it too). The metadata's `lake_version`
  goes in with the rows, so the next run knows which of the two it got.
- Space. The blocks of deleted rows are freed at the checkpoint and reused by later runs'
  inserts, so repeated backfills settle at the size of the warehouse plus one backfill instead
  of growing each time. The run says when free blocks make up much of the file (`note`).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb

from flows import failpoints, publish_check
from flows.lake import Lake
from flows.publish_meta import complete
from flows.warehouse_tables import apply_partitions, connect

LOCK_WAIT_SECONDS = 2.0  # a reader's `akhbar query` ends within it; a notebook's does not
FREE_NOTE_SHARE = 0.25  # of the file's blocks: said in the run's log above it
# DuckDB's errors when another process holds the file, or this one already has it open.
_HELD = ("Could not set lock on file", "Unique file handle conflict", "already attached")


def held_by_another(e: BaseException) -> bool:
    return isinstance(e, duckdb.Error) and any(m in str(e) for m in _HELD)


def corrupt(e: BaseException) -> bool:
    """Did DuckDB find a damaged block (its checksum) while reading the file?"""
    return isinstance(e, duckdb.Error) and (
        "checksum" in str(e).lower() or "Corrupt database file" in str(e)
    )


def open_live(live: Path, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection | None:
    """A read-write connection to the live warehouse, or None if a reader still holds it after
    `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return connect(live)
        except duckdb.Error as e:
            if not held_by_another(e):
                raise
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)


def publish_in_place(
    data_dir: Path,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    run_id: str,
    held: str | None,
) -> str | None:
    """Apply the touched partitions to the live warehouse in one transaction. None if a reader
    held the file (nothing written); else what the run should say about it ('' for nothing).
    `held` is the objects_fingerprint of the views and macros the file holds."""
    con = open_live(data_dir / "warehouse.duckdb")
    if con is None:
        return None
    try:
        publish_check.writing(data_dir, run_id)
        con.execute("BEGIN")
        apply_partitions(con, lake, touched, replace=frozenset({run_id}))
        failpoints.hit("publish_applied")
        complete(con, lake, run_id, held, commit=True)
        note = _free_note(con)
    finally:
        con.close()
    publish_check.record(data_dir)
    return note


def _free_note(con: duckdb.DuckDBPyConnection) -> str:
    total, free, block = con.execute(
        "SELECT total_blocks, free_blocks, block_size FROM pragma_database_size() "
        "WHERE database_name = 'warehouse'"
    ).fetchone()
    if not total or free / total < FREE_NOTE_SHARE:
        return ""
    return (
        f"the warehouse file holds {free * block / 1e6:.0f} MB of free blocks "
        f"({100 * free / total:.0f}% of it), left by replaced partitions: later runs reuse "
        "them; to shrink the file, delete warehouse.duckdb and the next run rebuilds it"
    )
