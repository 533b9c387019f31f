"""The lake's files: where they are (a local Path or an `s3://` URI), how they are written
(Parquet, zstd, durable before any Delta commit names them) and read (one Arrow dataset), for
flows/lake.py and flows/lake_tx.py."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from flows import storage

# zstd level 1, not 3: 25% less time writing the lake for 10% more bytes (benchmarks/RESULTS.md).
PARQUET_OPTS = {"compression": "zstd", "compression_level": 1}
# Columns all but unique per row: a dictionary page is built, found useless and dropped for each.
NO_DICTIONARY = frozenset(
    {"title", "body", "title_norm", "body_norm", "url", "article_id", "content_hash", "detail"}
)
LEDGER = "runs"
PART = ["ingest_date"]
PINS_KEY = "akhbar_pins"
RUN_KEY = "akhbar_run_id"

LakeFile = Path | str  # a local Path, or an `s3://…` URI


def write_json_atomic(path: Path, obj: object) -> None:
    """Write JSON to a local file atomically and durably (write, fsync, rename, fsync dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_name(f: LakeFile) -> str:
    return str(f).rsplit("/", 1)[-1]


def s3_filesystem() -> pafs.S3FileSystem:
    """pyarrow's S3 client configured from the same AWS_* variables as delta-rs."""
    opts = storage.storage_options("s3://")
    endpoint = opts.get("AWS_ENDPOINT_URL")
    scheme = "http" if endpoint and endpoint.startswith("http://") else "https"
    return pafs.S3FileSystem(
        access_key=opts.get("AWS_ACCESS_KEY_ID"),
        secret_key=opts.get("AWS_SECRET_ACCESS_KEY"),
        session_token=opts.get("AWS_SESSION_TOKEN"),
        region=opts["AWS_REGION"],
        endpoint_override=endpoint.split("://", 1)[-1] if endpoint else None,
        scheme=scheme,
    )


def dataset(files: list[LakeFile], schema: pa.Schema) -> ds.Dataset:
    """One Arrow dataset over lake files (read in parallel); missing columns read as null."""
    if files and storage.is_remote(files[0]):
        paths = [str(f).removeprefix("s3://") for f in files]
        return ds.dataset(paths, schema=schema, format="parquet", filesystem=s3_filesystem())
    return ds.dataset([str(f) for f in files], schema=schema, format="parquet")


def _delta_schema(schema: pa.Schema) -> object:
    from deltalake import Schema

    return Schema.from_arrow(schema)


def write_parquet(data: pa.Table, full: str, fs: pafs.S3FileSystem | None) -> int:
    """Write `data` as Parquet at `full` (a local path or s3:// URI); its size in bytes."""
    dictionary = [c for c in data.column_names if c not in NO_DICTIONARY]
    if fs is None:
        Path(full).parent.mkdir(parents=True, exist_ok=True)
        with open(full, "wb") as f:
            pq.write_table(data, f, use_dictionary=dictionary, **PARQUET_OPTS)
            f.flush()
            os.fsync(f.fileno())  # durable before a Delta commit names it
            return f.tell()
    buf = io.BytesIO()
    pq.write_table(data, buf, use_dictionary=dictionary, **PARQUET_OPTS)
    with fs.open_output_stream(full.removeprefix("s3://")) as out:
        out.write(buf.getbuffer())
    return buf.tell()


def remove(full: str, fs: pafs.S3FileSystem | None) -> None:
    try:
        if fs is None:
            Path(full).unlink(missing_ok=True)
        else:
            fs.delete_file(full.removeprefix("s3://"))
    except OSError:  # left for vacuum: nothing references it
        pass
