"""`connect()`: a read-only connection to the newest published warehouse, for notebooks and
scripts (the Python twin of `akhbar query`).

Why not `duckdb.connect(path, read_only=True)` again: DuckDB keeps one database instance per
file and configuration in a process, and a new connection to a path that an open connection
holds joins that instance, which still reads the file it opened, not the one a run has since
swapped in. So a notebook that reconnects keeps seeing the old data until every connection to
the file in the process is closed, and a different configuration is refused ("Can't open a
connection to same database file with a different configuration"). `connect()` starts a new
in-memory instance each time and ATTACHes the file read-only in it: the newest file, whatever
else the process holds open. Connections handed out before keep their snapshot.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

WAREHOUSE = "warehouse.duckdb"
ALIAS = "akhbar"  # the warehouse's catalog name in the connection


def connect(data: str | Path = "data") -> duckdb.DuckDBPyConnection:
    """A new read-only connection to `<data>/warehouse.duckdb` as the last run published it,
    with its tables, views and macros as the defaults (`con.sql("from v_top_hashtags")`).
    Call it again to see a newer run; close the old connection when done with it. Raises
    FileNotFoundError when `data` holds no warehouse."""
    path = Path(data) / WAREHOUSE
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `akhbar run` first (or pass data=)")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{_quoted(path.resolve())}' AS {ALIAS} (READ_ONLY)")
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
