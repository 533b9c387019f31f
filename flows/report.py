"""The HTML report: `write_report()` writes one self-contained HTML file from a warehouse, its
data from flows/report_data.py (queries in sql/report/), the page from flows/report_html.py and
its chart from flows/report_svg.py. (The catalog of views and macros is flows/sql_objects.py.)
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from flows.report_data import report_data
from flows.report_html import render_html
from flows.settings import DEFAULT_REPORT_DAYS


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
