"""Publish the DuckDB warehouse `<data>/warehouse.duckdb` from the lake: the run's entry point.

Three ways, chosen per run:
- in place (flows/publish_inplace.py): the usual one for a run whose warehouse is in step with
  the lake. The partitions the run replaced, its `runs` row and the metadata go into the live
  file in one transaction; nothing is copied. A warehouse several lake versions behind (runs
  that committed and then failed to publish, or were killed before) takes the partitions
  those runs changed too (flows/publish_catchup.py).
- on a copy: the same, when an analyst's read-only connection holds the live file. The run
  copies it, applies its partitions to the copy and `os.replace`s it in; the reader keeps its
  snapshot until it reconnects. Peak disk is then twice the warehouse. A run that changed no
  dated partition (nothing new: only its `runs` row) copies nothing then: it leaves its row
  to the next run's catch-up ('deferred').
- full: a new file, built by the run's background build (flows/build.py) or from the lake,
  swapped in. When there is no warehouse, it is from another schema or storage version, out of
  step with the lake in a way the ledger cannot tell (ahead of it, or behind a commit without
  pins), or damaged. The old file stays until the swap (readers keep it, a crash keeps it):
  peak disk is twice the warehouse, and the new file is compact.

`publish_check` records a stat fingerprint of the live file after each publish; the next run
has DuckDB read a warehouse changed since by anything but a run, and rebuilds it if damaged.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from flows import publish_check
from flows.lake import Lake
from flows.publish_catchup import catch_up
from flows.publish_inplace import corrupt, publish_in_place
from flows.publish_meta import can_update, complete, read_meta
from flows.warehouse_tables import apply_partitions, connect, create_table_sql, insert_files
from transforms import schemas

if TYPE_CHECKING:
    from flows.build import Build

__all__ = ["disk_full", "publish", "read_meta", "remove_temp", "swap", "sweep_temp"]


def swap(tmp: Path, data_dir: Path) -> None:
    """Make the warehouse file `tmp` the live one, and record its fingerprint."""
    live = data_dir / "warehouse.duckdb"
    publish_check.writing(data_dir, tmp.name)
    # The WAL of the file being replaced (a run killed after an in-place commit): it must not
    # be replayed into the new file. Its rows are in `tmp` when it is a copy (copy_live).
    Path(f"{live}.wal").unlink(missing_ok=True)
    # No fsync: the warehouse is derived. If a power cut truncated it, its metadata no longer
    # reads and the next run rebuilds it from the lake (which is fsynced).
    os.replace(tmp, live)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(fd)  # make the rename itself durable
    finally:
        os.close(fd)
    publish_check.record(data_dir)


# A full disk (or quota, or a file size limit): retrying cannot help, and the lake holds the run.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DISK_MESSAGES = ("No space left on device", "Disk quota exceeded", "File too large")


def disk_full(e: BaseException) -> bool:
    """Did `e` (an OSError, or DuckDB's IOException, which carries only the message) fail
    for want of disk space?"""
    if isinstance(e, OSError) and e.errno in _DISK_ERRNOS:
        return True
    return isinstance(e, duckdb.Error) and any(m in str(e) for m in _DISK_MESSAGES)


def remove_temp(tmp: Path) -> None:
    """Remove a half-built warehouse `tmp`, its WAL and its spill dir."""
    for p in (tmp, Path(f"{tmp}.wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(f"{tmp}.tmp", ignore_errors=True)


def sweep_temp(data_dir: Path) -> list[str]:
    """Remove half-built warehouses (and their .wal) left by a run killed while publishing.
    Only ever called under the data-dir lock, so none of them belongs to a live run."""
    removed = []
    for p in data_dir.glob(".warehouse-*.duckdb*"):
        if p.is_dir():  # `<tmp>.tmp/`: DuckDB's spill dir when publishing hit its memory limit
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p.name)
    return removed


def publish(
    data_dir: Path,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    run_id: str,
    build: Build | None = None,
    log: Callable[[str], None] | None = None,
) -> str:
    """Publish the touched (table, date) partitions: in place, on a copy when a reader holds the
    live file, or a full rebuild when the warehouse cannot be updated (see the module's
    docstring). With `build` (the run's full warehouse built while it staged), finish that one
    instead; if it failed or does not match the lake, it is discarded and the warehouse
    published from the lake as above. `log` hears what the operator should know (a copy, free
    space). Returns 'full', 'incremental' (in place), 'incremental-copy' or 'deferred'."""
    say = log or (lambda _m: None)
    if build is not None and not build.incremental:
        try:
            return build.finish(lake, touched)
        except Exception as e:  # any failure of the fast path: the lake has it all
            build.discard()
            if disk_full(e):  # building it again would only fill the disk again
                raise
            build.error = build.error or e
    sweep_temp(data_dir)
    meta = read_meta(data_dir / "warehouse.duckdb")
    updatable = can_update(meta, lake.version)
    if not updatable and (caught_up := catch_up(lake, meta, touched, say)) is not None:
        touched, updatable = caught_up, True
    if updatable:
        try:
            note = publish_in_place(data_dir, lake, touched, run_id, meta.get("objects"))
        except duckdb.Error as e:
            if not corrupt(e):
                raise
            say(f"the warehouse is damaged ({e}): rebuilding it from the lake")
            return _publish_from_lake(data_dir, lake, touched, run_id, None)
        if note is not None:
            if note:
                say(note)
            return "incremental"
        if all(t in schemas.APPEND_ONLY for t in touched):
            # Copying the whole file (7.5 GB at 1M articles) for a `runs` row is not worth
            # it: the next run publishes that row with its own (publish_catchup).
            say(
                "a reader holds the warehouse open and this run changed no articles: nothing "
                "copied; its `runs` row is published by the next run"
            )
            return "deferred"
        say(
            "a reader holds the warehouse open: published on a copy of it, swapped in "
            "(the reader keeps its snapshot; the copy needs the warehouse's size in free disk)"
        )
    return _publish_from_lake(data_dir, lake, touched, run_id, meta if updatable else None)


def _publish_from_lake(
    data_dir: Path,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    run_id: str,
    meta: dict[str, str] | None,
) -> str:
    """A new file swapped in: the live one's copy with the touched partitions applied (with
    `meta`, the live one's, when it can be updated), else (None) a full build from the lake."""
    tmp = data_dir / f".warehouse-{run_id}.duckdb"
    incremental = meta is not None
    try:
        if incremental:
            copy_live(data_dir, tmp)
        con = connect(tmp)
        try:
            if incremental:
                apply_partitions(con, lake, touched, replace=frozenset({run_id}))
            else:
                for table in schemas.TABLES:
                    con.execute(create_table_sql(table))
                    insert_files(con, table, lake.files(table))
            complete(con, lake, run_id, meta.get("objects") if incremental else None)
        finally:
            con.close()
        swap(tmp, data_dir)
    except BaseException:
        remove_temp(tmp)  # a half-built file would hold the very space that was missing
        raise
    return "incremental-copy" if incremental else "full"


def copy_live(data_dir: Path, tmp: Path) -> None:
    """Copy the live warehouse to `tmp`, with its WAL if a run died before checkpointing it
    (opening `tmp` read-write replays it)."""
    live = data_dir / "warehouse.duckdb"
    shutil.copyfile(live, tmp)
    if Path(f"{live}.wal").exists():
        shutil.copyfile(f"{live}.wal", f"{tmp}.wal")
