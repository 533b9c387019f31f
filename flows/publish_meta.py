"""What a published warehouse says about itself (`_akhbar_meta`), whether a run may update it,
and the last step of every publish (views and macros, the metadata, the commit, a checkpoint).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from flows import failpoints
from flows.lake import Lake
from flows.sql_objects import install_objects, objects_fingerprint
from flows.warehouse_tables import STORAGE_VERSION
from transforms.normalize import NORMALIZER_VERSION

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
    Not one in another storage version: an update keeps its file's version, so a warehouse
    written before STORAGE_VERSION (in DuckDB 2.0's own, which 1.5 clients cannot open) is
    rebuilt once, in STORAGE_VERSION."""
    return (
        meta.get("schema_version") == str(SCHEMA_VERSION)
        and meta.get("storage_version") == STORAGE_VERSION
        and meta.get("lake_version") == str(lake_version - 1)
    )


def behind(meta: dict[str, str], lake_version: int) -> int | None:
    """The lake version the warehouse published at `meta` was built from, when it is more than
    one behind `lake_version` and in this schema and storage version (flows/publish_catchup.py
    may then bring it up to date); else None."""
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return None
    if meta.get("storage_version") != STORAGE_VERSION:
        return None
    published = meta.get("lake_version", "")
    if not published.isdigit() or int(published) >= lake_version - 1:
        return None
    return int(published)


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
    failpoints.hit("publish_committed")  # committed, not checkpointed: it is in the WAL
    con.execute("CHECKPOINT")
