"""Publish the DuckDB warehouse from the lake, atomically.

The live file `<data>/warehouse.duckdb` is never opened for writing. A run copies it (or builds a
new one), applies the partitions it changed, then `os.replace`s it over the live file. Analysts'
read-only connections keep reading the old file until they reconnect, and never block a run.
The warehouse a run builds beside its staging (flows/build.py) is finished here too.

Each publish stores the CRC-32 of the file it swaps in beside it (`.warehouse.duckdb.crc32`),
and a run checks the live file against it before anything copies it (`damaged`): DuckDB
verifies a block's checksum only when a query reads that block, so a damaged block would
otherwise be copied forward by every incremental publish, unseen.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from flows import failpoints
from flows.lake import Lake
from flows.sql_objects import install_objects, objects_fingerprint
from flows.warehouse_tables import (
    STORAGE_VERSION,
    connect,
    create_table_sql,
    insert_files,
    new_files,
)
from transforms import schemas
from transforms.normalize import NORMALIZER_VERSION

if TYPE_CHECKING:
    from flows.build import Build

# Bump when a table's columns change: forces a full rebuild. 2: duplicates, runs.files_reread.
# 3: entity_mentions, entities, entity_aliases, runs.entity_mentions.
# 4: articles.code_chars, articles.arabic_ratio, runs.code_articles, runs.non_arabic_articles.
SCHEMA_VERSION = 4


def read_meta(path: Path) -> dict[str, str]:
    """The `_akhbar_meta` of the warehouse at `path`; {} when there is none to read."""
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return dict(con.execute("SELECT key, value FROM _akhbar_meta").fetchall())
    except duckdb.Error:
        return {}


def can_update(meta: dict[str, str], lake_version: int) -> bool:
    """Can the warehouse published at `meta` take the changes of lake version `lake_version`?
    Not one in another storage version: a copy keeps its file's version, so a warehouse
    written before STORAGE_VERSION (in DuckDB 2.0's own, which 1.5 clients cannot open) is
    rebuilt once, in STORAGE_VERSION."""
    return (
        meta.get("schema_version") == str(SCHEMA_VERSION)
        and meta.get("storage_version") == STORAGE_VERSION
        and meta.get("lake_version") == str(lake_version - 1)
    )


def _meta(con: duckdb.DuckDBPyConnection, lake_version: int, run_id: str, defs: str) -> None:
    con.execute("CREATE OR REPLACE TABLE _akhbar_meta (key VARCHAR, value VARCHAR)")
    rows = [
        ("schema_version", str(SCHEMA_VERSION)),
        ("storage_version", STORAGE_VERSION),
        ("lake_version", str(lake_version)),
        ("normalizer_version", NORMALIZER_VERSION),
        ("objects", defs),
        ("published_by_run", run_id),
        ("published_at", dt.datetime.now(dt.UTC).isoformat()),
    ]
    # One statement: executemany runs one per row.
    con.execute(
        "INSERT INTO _akhbar_meta VALUES " + ", ".join(["(?, ?)"] * len(rows)),
        [v for row in rows for v in row],
    )


def complete(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    run_id: str,
    held: str | None,
    commit: bool = False,
) -> None:
    """Views and macros (unless the file holds them already: `held` is the objects_fingerprint
    of those it holds, None for none), the metadata, then a checkpoint. With `commit`, COMMIT
    the open transaction first: the metadata then goes in with the last rows, and the
    checkpoint runs once (committing the rows alone had the metadata's own commit trigger
    DuckDB's automatic checkpoint, a second one)."""
    defs = objects_fingerprint()
    if held != defs:
        install_objects(con)
    _meta(con, lake.version, run_id, defs)
    failpoints.hit("publish")
    if commit:
        con.execute("COMMIT")
    con.execute("CHECKPOINT")


CHECKSUM_FILE = ".warehouse.duckdb.crc32"


def file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def damaged(data_dir: Path) -> str | None:
    """Why the live warehouse is not the file its publish swapped in (None: it is, or it
    predates checksums, or there is none)."""
    live, stored = data_dir / "warehouse.duckdb", data_dir / CHECKSUM_FILE
    if not live.exists() or not stored.exists():
        return None
    try:
        expected = int(stored.read_text().strip(), 16)
    except ValueError:
        return f"{stored} is unreadable"
    crc = file_crc(live)
    if crc != expected:
        return f"{live} has CRC-32 {crc:08x}, but was published with {expected:08x}"
    return None


def swap(tmp: Path, data_dir: Path) -> None:
    """Make the warehouse file `tmp` the live one (its checksum first: a crash between the
    two makes the next run rebuild a sound file, never trust a damaged one)."""
    side = data_dir / f"{CHECKSUM_FILE}.tmp"
    side.write_text(f"{file_crc(tmp):08x}\n")
    os.replace(side, data_dir / CHECKSUM_FILE)
    # No fsync: the warehouse is derived. If a power cut truncated it, its metadata no longer
    # reads and the next run rebuilds it from the lake (which is fsynced).
    os.replace(tmp, data_dir / "warehouse.duckdb")
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(fd)  # make the rename itself durable
    finally:
        os.close(fd)


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


def _apply_partitions(
    con: duckdb.DuckDBPyConnection, lake: Lake, touched: dict[str, set[dt.date]]
) -> None:
    """Replace the touched (table, date) partitions of a copy of the live warehouse."""
    for table, days in sorted(touched.items()):
        if table not in schemas.APPEND_ONLY:
            con.execute(
                f"DELETE FROM {table} WHERE ingest_date IN (SELECT unnest(?::DATE[]))",
                [sorted(days)],
            )
            files = [f for d in sorted(days) for f in lake.files(table, d)]
        else:
            files = new_files(con, lake, table, days)
        insert_files(con, table, files)


def publish(
    data_dir: Path,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    run_id: str,
    build: Build | None = None,
) -> str:
    """Apply the touched (table, date) partitions to a copy of the warehouse and swap it in.
    Falls back to a full rebuild when the warehouse is missing, from another schema, or out of
    step with the lake (a crash between lake commit and publish).
    With `build` (the run's warehouse built while it staged), finish that one instead; if it
    failed or does not match the lake, it is discarded and the warehouse published from the
    lake as above. Returns 'full' or 'incremental'."""
    if build is not None:
        try:
            return build.finish(lake, touched)
        except Exception as e:  # any failure of the fast path: the lake has it all
            build.discard()
            if disk_full(e):  # building it again would only fill the disk again
                raise
            build.error = build.error or e
    tmp = data_dir / f".warehouse-{run_id}.duckdb"
    sweep_temp(data_dir)
    try:
        return _publish_from_lake(data_dir, lake, touched, run_id, tmp)
    except BaseException:
        remove_temp(tmp)  # a half-built file would hold the very space that was missing
        raise


def _publish_from_lake(
    data_dir: Path, lake: Lake, touched: dict[str, set[dt.date]], run_id: str, tmp: Path
) -> str:
    live = data_dir / "warehouse.duckdb"
    meta = read_meta(live)
    incremental = can_update(meta, lake.version)
    if incremental:
        shutil.copyfile(live, tmp)
    con = connect(tmp)
    try:
        if incremental:
            _apply_partitions(con, lake, touched)
        else:
            for table in schemas.TABLES:
                con.execute(create_table_sql(table))
                insert_files(con, table, lake.files(table))
        complete(con, lake, run_id, meta.get("objects") if incremental else None)
    finally:
        con.close()
    swap(tmp, data_dir)
    return "incremental" if incremental else "full"
