"""Is the live warehouse the file a run left? A stat fingerprint, recorded after every publish.

DuckDB verifies a block's checksum only when a query reads that block, so a damaged block
would otherwise stay unseen until an analyst's query meets it (and a copy of the file would
carry it forward). A CRC of the whole file catches it, but costs a read of the whole file on
every run (7.5 GB at 1M articles) and, with publishes in place, another after each publish.

So each publish records the live file's (inode, size, mtime_ns, ctime_ns) beside it, in
`.warehouse.duckdb.stat`, and the next run compares (`damaged`): a stat, no read. Anything that
writes the file through the file system (noise written into it, a truncation, an analyst's
read-write connection, a copy or a restore put in its place) changes its mtime or ctime (which
no user process can set back) or its inode. Only then is the file read: DuckDB reads every
block of every table, verifying each block's checksum; a file DuckDB cannot open, or a block
that fails, and the warehouse is rebuilt from the lake. A sound one (a data dir copied or
restored from a backup) has its new fingerprint recorded and is used as it is.
What this does not see: damage below the file system (a disk's bit rot) or a raw write to the
block device, which leave the stat as it was. DuckDB's block checksums catch those when the
block is read: by an analyst's query, which then fails with "checksum", or by the next
in-place publish, which then rebuilds the warehouse from the lake (flows/publish.py). Bytes of
a block that hold no data (the unused tail of a block) are not checksummed by DuckDB and not
looked at: damage there changes nothing a query returns.

While a run writes the file (in place, or swapping a new one in) the record says `writing`: a
run killed then leaves a file DuckDB itself recovers (its WAL, its double header), and the
metadata it holds tells the next run whether it is in step with the lake (publish.can_update).

A warehouse published before fingerprints has `.warehouse.duckdb.crc32` (its CRC-32) instead:
it is checked once, the old way, and the next publish replaces it with a fingerprint.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import duckdb

FINGERPRINT_FILE = ".warehouse.duckdb.stat"
LEGACY_CRC_FILE = ".warehouse.duckdb.crc32"


def _stat(path: Path) -> dict[str, int]:
    st = os.stat(path)
    return {
        "inode": st.st_ino,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
    }


def _write(data_dir: Path, record: dict) -> None:
    side = data_dir / f"{FINGERPRINT_FILE}.tmp"
    side.write_text(json.dumps(record) + "\n")
    os.replace(side, data_dir / FINGERPRINT_FILE)


def writing(data_dir: Path, run_id: str) -> None:
    """Say that run `run_id` is about to write the live warehouse (before its first write)."""
    _write(data_dir, {"state": "writing", "run_id": run_id})


def record(data_dir: Path) -> None:
    """Record the live warehouse as the run left it (after its last write)."""
    _write(data_dir, {"state": "published", **_stat(data_dir / "warehouse.duckdb")})
    (data_dir / LEGACY_CRC_FILE).unlink(missing_ok=True)


def forget(data_dir: Path) -> None:
    """Remove the live warehouse and what says how it was left (it is then rebuilt)."""
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", FINGERPRINT_FILE, LEGACY_CRC_FILE):
        (data_dir / name).unlink(missing_ok=True)


def damaged(data_dir: Path) -> str | None:
    """Why the live warehouse is not the file the last run left (None: it is, or a run was
    writing it when it died, or it predates fingerprints and checksums, or there is none)."""
    live, stored = data_dir / "warehouse.duckdb", data_dir / FINGERPRINT_FILE
    if not live.exists():
        return None
    if not stored.exists():
        return _legacy_crc(data_dir)
    try:
        rec = json.loads(stored.read_text())
        state = rec["state"]
    except (ValueError, KeyError, TypeError):
        return f"{stored} is unreadable"
    if state == "writing":
        return None
    now = _stat(live)
    changed = [k for k in ("inode", "size", "mtime_ns", "ctime_ns") if rec.get(k) != now[k]]
    if not changed:
        return None
    why = verify(live)
    if why:
        return f"{live} was changed since its publish ({', '.join(changed)} differ) and {why}"
    record(data_dir)  # sound: a copy, a restore, a read-write connection that wrote nothing
    return None


def verify(path: Path) -> str | None:
    """Why DuckDB cannot read every block of every table of the warehouse at `path` (None: it
    can). Reads the whole file: only for a file whose fingerprint changed."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
            for (table,) in tables:
                # Arrow batches, dropped as they come: bounded memory on any size of file.
                for _batch in con.sql(f'SELECT * FROM "{table}"').to_arrow_reader():
                    pass
    except duckdb.Error as e:
        return f"DuckDB cannot read it: {e}"
    return None


def file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def _legacy_crc(data_dir: Path) -> str | None:
    live, stored = data_dir / "warehouse.duckdb", data_dir / LEGACY_CRC_FILE
    if not stored.exists():
        return None
    try:
        expected = int(stored.read_text().strip(), 16)
    except ValueError:
        return f"{stored} is unreadable"
    crc = file_crc(live)
    if crc != expected:
        return f"{live} has CRC-32 {crc:08x}, but was published with {expected:08x}"
    return None
