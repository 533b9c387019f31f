"""The analysts' side outside SQL: the catalog of views and macros, and the HTML report.

`sql_catalog()` reads the header comment of every file in sql/views and sql/macros (works without
a warehouse). `write_report()` writes one self-contained HTML file from a warehouse: its data
from flows/report_data.py (queries in sql/report/), the page from flows/report_html.py and its
chart from flows/report_svg.py.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.report_data import report_data
from flows.report_html import render_html
from flows.settings import DEFAULT_REPORT_DAYS

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlObject:
    name: str
    kind: str  # 'view' | 'macro'
    signature: str  # 'v_articles' or 'hashtag_timeline(hashtag)'
    purpose: str  # the header's first sentence, on one line
    example: str
    path: Path


_FIRST = re.compile(r"^(?P<sig>(?P<name>\w+)(?:\([\w, ]*\))?):\s*(?P<rest>.*)$")


def _header(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        out.append(line[2:].strip())
    return out


def sql_catalog(sql_dir: Path = SQL_DIR) -> list[SqlObject]:
    """Every view and macro in sql/, from its header comment: name, one-line purpose, example."""
    objs = []
    for kind, sub in (("view", "views"), ("macro", "macros")):
        for path in sorted((sql_dir / sub).glob("*.sql")):
            head = _header(path)
            m = _FIRST.match(head[0]) if head else None
            if not m:
                objs.append(SqlObject(path.stem, kind, path.stem, "(no header)", "", path))
                continue
            first = [m["rest"]]
            sections: dict[str, list[str]] = {}
            current = None
            for line in head[1:]:
                sec = re.match(r"^(Purpose|Columns|Example):\s*(.*)$", line)
                if sec:
                    current = sec[1]
                    sections[current] = [sec[2]]
                elif current:
                    sections[current].append(line)
                else:
                    first.append(line)  # the first sentence wraps onto the next line
            objs.append(
                SqlObject(
                    m["name"],
                    kind,
                    m["sig"],
                    " ".join(first).strip(),
                    " ".join(sections.get("Example", [])).strip(),
                    path,
                )
            )
    return objs


def installed_objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the views and macros present in a warehouse."""
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    macros = con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE function_type IN ('macro', 'table_macro') AND NOT internal"
    ).fetchall()
    return {r[0] for r in views + macros}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def write_report(
    data_dir: Path, output: Path | None = None, days: int = DEFAULT_REPORT_DAYS
) -> Path:
    """Render the report of the warehouse in `data_dir` to `output` (default
    `<data>/report.html`), written to a temporary file and renamed into place."""
    wh = Path(data_dir) / "warehouse.duckdb"
    if not wh.exists():
        raise FileNotFoundError(f"no warehouse at {wh}: run `akhbar run` first (or pass --data)")
    if days < 1:
        raise ValueError("--days must be at least 1")
    with duckdb.connect(str(wh), read_only=True) as con:
        doc = render_html(report_data(con, days))
    output = Path(output) if output else Path(data_dir) / "report.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, output)
    return output
