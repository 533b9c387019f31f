"""The warehouse's tables: their DDL (from transforms.schemas), the connection that writes a
warehouse file, and loading lake files into it. Shared by publishing from the lake
(flows/publish.py) and the build that runs beside the staging (flows/build.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.lake import Lake, LakeFile, dataset, file_name
from flows.storage import is_remote
from transforms import schemas

PUBLISH_MEMORY_LIMIT = "768MB"  # DuckDB's, while publishing (benchmarks/RESULTS.md, end to end)
ROW_GROUP_SIZE = 16384  # rows; see connect
# The on-disk format the warehouse is written in: the oldest DuckDB that can open it. DuckDB
# 2.0 writes its own format (version 69) by default, which the 1.5 clients analysts have (CLI,
# Python, DBeaver's driver) refuse; 'v1.5.0' is version 68, read by 1.5.x and 2.0.x alike. A
# copy of the file keeps it; a file written in a newer format cannot be lowered, only rebuilt
# (publish.can_update checks the `storage_version` the metadata records).
STORAGE_VERSION = "v1.5.0"

# Article text: DuckDB's FSST saves 1% on Arabic (two-byte letters, few repeated substrings)
# and costs a third of the publish time, so it is stored uncompressed.
TEXT_COLUMNS = {"title", "body", "title_norm", "body_norm"}


def _ddl_type(t: pa.DataType) -> str:
    if pa.types.is_string(t):
        return "VARCHAR"
    if pa.types.is_int32(t):
        return "INTEGER"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_date32(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    raise TypeError(t)


def create_table_sql(name: str) -> str:
    cols = ", ".join(
        f'"{f.name}" {_ddl_type(f.type)}'
        + (" USING COMPRESSION uncompressed" if f.name in TEXT_COLUMNS else "")
        for f in schemas.TABLES[name]
    )
    return f"CREATE TABLE {name} ({cols})"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection writing the warehouse file at `path`: a new one, a copy, or the live one
    (flows/publish_inplace.py). Raises DuckDB's error when another process holds the file.

    Bounded memory: without a limit a full rebuild buffers up to 80% of RAM (2 GB at 100k
    articles); past the limit DuckDB spills to `<path>.tmp/` (swept with the file).
    Row groups of ROW_GROUP_SIZE rows, not DuckDB's 122,880: inserts then fill whole row groups
    as a run goes, which DuckDB writes out in parallel before the commit, so publishing after
    the lake commit has little left to write (benchmarks/RESULTS.md).
    Written in STORAGE_VERSION; `path` may be a copy of a warehouse already in it."""
    con = duckdb.connect(
        config={"memory_limit": PUBLISH_MEMORY_LIMIT, "temp_directory": f"{path}.tmp"}
    )
    quoted = str(path).replace("'", "''")
    try:
        con.execute(
            f"ATTACH '{quoted}' AS warehouse "
            f"(ROW_GROUP_SIZE {ROW_GROUP_SIZE}, STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        con.execute("USE warehouse")
    except BaseException:
        con.close()
        raise
    return con


def insert_files(con: duckdb.DuckDBPyConnection, table: str, files: list[LakeFile]) -> None:
    """Append the rows of the lake's Parquet `files` to `table`."""
    if not files:
        return
    schema = schemas.TABLES[table]
    cols = ", ".join(f'"{n}"' for n in schema.names)
    if is_remote(files[0]):
        # The pinned DuckDB has no S3 client: Arrow reads the files and DuckDB scans them.
        src_ds = dataset(files, schema)  # noqa: F841 (scanned by name below)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM src_ds")
        return
    paths = [str(p) for p in files]
    src = "read_parquet(?, hive_partitioning=false, union_by_name=true)"
    # Lake files written before a column was added lack it: it reads as NULL.
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}", [paths]).fetchall()}
    select = ", ".join(
        f'"{f.name}"' if f.name in present else f'NULL::{_ddl_type(f.type)} AS "{f.name}"'
        for f in schema
    )
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {select} FROM {src}", [paths])


def apply_partitions(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    touched: dict[str, set[dt.date]],
    replace: frozenset[str] = frozenset(),
) -> None:
    """Replace the touched (table, date) partitions of a warehouse from the lake (and add the
    append-only tables' new files), in the connection's open transaction if it has one. The
    append-only rows of the keys in `replace` (the publishing run's id) are replaced even
    when the warehouse has them: a run whose `completed` row the lake turned `failed` after
    its publish committed. Other files it has are not read again (a damaged old `runs` file
    must not stop every publish of its date)."""
    for table, days in sorted(touched.items()):
        if table not in schemas.APPEND_ONLY:
            con.execute(
                f"DELETE FROM {table} WHERE ingest_date IN (SELECT unnest(?::DATE[]))",
                [sorted(days)],
            )
            files = [f for d in sorted(days) for f in lake.files(table, d)]
        else:
            files = new_files(con, lake, table, days, also=replace)
            if keys := sorted({file_key(table, f) for f in files} & replace):
                key, _ = schemas.APPEND_ONLY[table]
                con.execute(
                    f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?::VARCHAR[]))", [keys]
                )
        insert_files(con, table, files)


def file_key(table: str, f: LakeFile) -> str:
    """The key of an append-only table's file: what its rows share (schemas.APPEND_ONLY)."""
    return file_name(f).removesuffix(".parquet").removeprefix(schemas.APPEND_ONLY[table][1])


def new_files(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    table: str,
    days: set[dt.date],
    also: frozenset[str] = frozenset(),
) -> list[LakeFile]:
    """The files of an append-only table (schemas.APPEND_ONLY: one per run, one per gazetteer
    version) in the partitions of `days` that the warehouse does not hold yet, and those of
    the keys in `also`."""
    key, _ = schemas.APPEND_ONLY[table]
    have = {r[0] for r in con.execute(f"SELECT DISTINCT {key} FROM {table}").fetchall()} - also
    files = [f for d in sorted(days) for f in lake.files(table, d)]
    return [f for f in files if file_key(table, f) not in have]
