"""Publish the DuckDB warehouse from the lake, atomically.

The live file `<data>/warehouse.duckdb` is never opened for writing. A run copies it (or builds a
new one), applies the partitions it changed, then `os.replace`s it over the live file. Analysts'
read-only connections keep reading the old file until they reconnect, and never block a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from flows import failpoints
from flows.lake import Lake
from transforms import schemas
from transforms.normalize import NORMALIZER_VERSION, ar_norm_macro_sql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# Bump when a table's columns change: forces a full rebuild. 2: duplicates, runs.files_reread.
SCHEMA_VERSION = 2
PUBLISH_MEMORY_LIMIT = "768MB"  # DuckDB's, while publishing (benchmarks/RESULTS.md, end to end)


def _sql_files(sub: str) -> list[Path]:
    return sorted((SQL_DIR / sub).glob("*.sql"))


def _ddl_type(t) -> str:
    import pyarrow as pa

    if pa.types.is_string(t):
        return "VARCHAR"
    if pa.types.is_int32(t):
        return "INTEGER"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    raise TypeError(t)


def create_table_sql(name: str) -> str:
    cols = ", ".join(f'"{f.name}" {_ddl_type(f.type)}' for f in schemas.TABLES[name])
    return f"CREATE TABLE {name} ({cols})"


def _insert_files(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    if not files:
        return
    schema = schemas.TABLES[table]
    cols = ", ".join(f'"{n}"' for n in schema.names)
    paths = [str(p) for p in files]
    src = "read_parquet(?, hive_partitioning=false, union_by_name=true)"
    # Lake files written before a column was added lack it: it reads as NULL.
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}", [paths]).fetchall()}
    select = ", ".join(
        f'"{f.name}"' if f.name in present else f'NULL::{_ddl_type(f.type)} AS "{f.name}"'
        for f in schema
    )
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {select} FROM {src}", [paths])


def install_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Macros first (views use them), then views in file-name order (layered by prefix)."""
    con.execute(ar_norm_macro_sql())
    # One object a file, created in dependency order found by retrying: a view that names one
    # not created yet fails with a catalog error and goes round again.
    pending = [*_sql_files("macros"), *_sql_files("views")]
    while pending:
        failed: list[tuple[Path, duckdb.Error]] = []
        for path in pending:
            try:
                con.execute(path.read_text(encoding="utf-8"))
            except duckdb.CatalogException as e:
                failed.append((path, e))
            except duckdb.Error as e:
                raise RuntimeError(f"{path.relative_to(SQL_DIR.parent)}: {e}") from e
        if len(failed) == len(pending):
            path, e = failed[0]
            raise RuntimeError(f"{path.relative_to(SQL_DIR.parent)}: {e}")
        pending = [p for p, _ in failed]


def objects_fingerprint() -> str:
    """Identifies the SQL objects' definitions: views and macros are re-created only when it
    changes (generating ar_norm costs more than the rest of a no-op run)."""
    h = hashlib.sha256(NORMALIZER_VERSION.encode())
    for path in [*_sql_files("macros"), *_sql_files("views")]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _meta(con: duckdb.DuckDBPyConnection, lake_version: int, run_id: str, defs: str) -> None:
    con.execute("CREATE OR REPLACE TABLE _akhbar_meta (key VARCHAR, value VARCHAR)")
    con.executemany(
        "INSERT INTO _akhbar_meta VALUES (?, ?)",
        [
            ["schema_version", str(SCHEMA_VERSION)],
            ["lake_version", str(lake_version)],
            ["normalizer_version", NORMALIZER_VERSION],
            ["objects", defs],
            ["published_by_run", run_id],
            ["published_at", dt.datetime.now(dt.UTC).isoformat()],
        ],
    )


def read_meta(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return dict(con.execute("SELECT key, value FROM _akhbar_meta").fetchall())
    except duckdb.Error:
        return {}


def publish(
    data_dir: Path,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    run_id: str,
) -> str:
    """Apply the touched (table, date) partitions to a copy of the warehouse and swap it in.
    Falls back to a full rebuild when the warehouse is missing, from another schema, or out of
    step with the lake (a crash between lake commit and publish).
    Returns 'full' or 'incremental'."""
    live = data_dir / "warehouse.duckdb"
    tmp = data_dir / f".warehouse-{run_id}.duckdb"
    sweep_temp(data_dir)
    meta = read_meta(live)
    incremental = meta.get("schema_version") == str(SCHEMA_VERSION) and meta.get(
        "lake_version"
    ) == str(lake.version - 1)
    if incremental:
        shutil.copyfile(live, tmp)
    # Bounded memory: without a limit a full rebuild buffers up to 80% of RAM (2 GB at 100k
    # articles); past the limit DuckDB flushes or spills to `<tmp>.tmp/`.
    con = duckdb.connect(str(tmp), config={"memory_limit": PUBLISH_MEMORY_LIMIT})
    try:
        if incremental:
            for table, days in sorted(touched.items()):
                if table != "runs":
                    con.execute(
                        f"DELETE FROM {table} WHERE ingest_date IN (SELECT unnest(?::DATE[]))",
                        [sorted(days)],
                    )
                    files = [f for d in sorted(days) for f in lake.files(table, d)]
                else:
                    have = {
                        r[0] for r in con.execute("SELECT DISTINCT run_id FROM runs").fetchall()
                    }
                    files = [
                        f
                        for d in sorted(days)
                        for f in lake.files(table, d)
                        if f.stem.removeprefix("run-") not in have
                    ]
                _insert_files(con, table, files)
        else:
            for table in schemas.TABLES:
                con.execute(create_table_sql(table))
                _insert_files(con, table, lake.files(table))
        defs = objects_fingerprint()
        if not incremental or meta.get("objects") != defs:
            install_objects(con)
        _meta(con, lake.version, run_id, defs)
        failpoints.hit("publish")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    # No fsync: the warehouse is derived. If a power cut truncated it, its metadata no longer
    # reads and the next run rebuilds it from the lake (which is fsynced).
    os.replace(tmp, live)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(fd)  # make the rename itself durable
    finally:
        os.close(fd)
    return "incremental" if incremental else "full"


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
