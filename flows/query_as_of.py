"""`akhbar query --as-of RUN_ID|TIMESTAMP`: SQL on the lake as a past run left it.

Each lake table is read through Delta at the version that run's ledger commit pinned
(flows/lake.py) and shown to DuckDB as a view over an Arrow dataset, in an in-memory database
with the warehouse's views and macros: the same SQL as on the warehouse, on the past.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.lake import Lake, dataset
from flows.sql_objects import install_objects
from transforms import schemas


def connect_as_of(location: str | Path, when: str) -> duckdb.DuckDBPyConnection:
    past = Lake(location).as_of(when)
    con = duckdb.connect()
    for table, schema in schemas.TABLES.items():
        arrow = dataset(past.files(table), schema) if past.files(table) else schema.empty_table()
        con.register(f"_lake_{table}", arrow)
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM _lake_{table}")
    install_objects(con)
    return con
