"""Once: a lake written by the journal of earlier versions becomes Delta tables, in place.

Those lakes are already `<table>/ingest_date=D/*.parquet` with a `_state.json`; every visible
file is committed data (hidden `.*.tmp` files are not). Each table gets a Delta log whose first
commit adds exactly its files (nothing is copied or rewritten); the `runs` ledger is converted
last, pinning the others, and `_state.json` is renamed `_state.json.migrated`. A migration cut
short is simply done again: tables already converted are kept. A journal still waiting to be
applied (a run of the earlier version killed past its commit point) must be finished by that
version first: the run stops and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from deltalake import Schema
from deltalake.transaction import AddAction, CommitProperties, create_table_with_add_actions

from flows.lake import Lake
from flows.lake_files import LEDGER, PART, PINS_KEY, RUN_KEY
from transforms import schemas


def migrate(lake: Lake) -> list[str]:
    """Convert a journal lake to Delta tables (under the lease); the tables converted."""
    if lake.remote or not (lake.root / "_state.json").exists():
        return []
    root = lake.root
    if any((root / "_journal").glob("*.json")):
        raise RuntimeError(
            f"the lake {root} holds a run of an earlier akhbar version committed but not "
            "applied (_journal/): run that version once to finish it, then upgrade"
        )
    for tmp in root.glob("*/ingest_date=*/.*.tmp"):
        tmp.unlink(missing_ok=True)
    done = [t for t in schemas.TABLES if t != LEDGER and _convert(lake, t, {})]
    pins = {t: 0 for t in schemas.TABLES if t != LEDGER and (root / t / "_delta_log").exists()}
    if _convert(lake, LEDGER, {PINS_KEY: json.dumps(pins, sort_keys=True)}):
        done.append(LEDGER)
    (root / "_state.json").rename(root / "_state.json.migrated")
    lake.refresh()
    return done


def _convert(lake: Lake, table: str, meta: dict[str, str]) -> bool:
    tdir = lake.root / table
    if (tdir / "_delta_log").exists() or not (tdir.is_dir() or table == LEDGER):
        return False
    adds = [_add(tdir, f) for f in sorted(tdir.glob("ingest_date=*/*.parquet"))]
    create_table_with_add_actions(
        lake.table_uri(table),
        Schema.from_arrow(schemas.TABLES[table]),
        adds,
        mode="append",
        partition_by=PART,
        commit_properties=CommitProperties(custom_metadata={RUN_KEY: "migration", **meta}),
    )
    return True


def _add(tdir: Path, f: Path) -> AddAction:
    st = f.stat()
    rows = pq.read_metadata(f).num_rows
    day = f.parent.name.split("=", 1)[1]
    return AddAction(
        f.relative_to(tdir).as_posix(),
        st.st_size,
        {"ingest_date": day},
        int(st.st_mtime * 1000),
        True,
        json.dumps({"numRecords": rows}),
    )
