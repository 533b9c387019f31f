"""How `akhbar query` writes a result: an aligned text table, CSV, TSV or JSON (Parquet is
Arrow's own writer). Standard library and click only: `akhbar query` answers in well under a
second.

Only `table` on a terminal wraps cells in bidi isolates (FSI…PDI): everything else (`plain`,
csv, tsv, json, and `table` into a pipe or file) holds exactly the values, so a value copied
out of it matches in SQL."""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from typing import TextIO

import click

# What `akhbar query --format` writes as text (parquet, a file, is the CLI's own).
FORMATS = ("table", "plain", "csv", "tsv", "json")
CELL_MAX = 60  # characters of a cell shown in table format; longer values end in "…"


def write_rows(
    out: TextIO, fmt: str, cols: list[str], rows: list[tuple], limit: int, isolate: bool
) -> int:
    """`rows` to `out` in `fmt` (FORMATS); returns how many were written (a table shows the
    first `limit`). `isolate`: bidi-isolate the cells of a `table` (for a terminal); `plain` is
    the same table, never isolated."""
    if fmt == "json":
        click.echo(json_text(cols, rows), file=out)
        return len(rows)
    if fmt in ("csv", "tsv"):
        write_csv(out, cols, rows, delimiter="\t" if fmt == "tsv" else ",")
        return len(rows)
    isolate = isolate and fmt == "table"
    click.echo(table_text(cols, rows[:limit], isolate=isolate), file=out)
    if len(rows) > limit:
        click.echo(f"… {len(rows) - limit} more rows (raise --limit or use --format csv)", file=out)
    return min(len(rows), limit)


def json_text(cols: list[str], rows: list[tuple]) -> str:
    """An array of objects, one per row; Arabic as itself, not \\u escapes."""
    return json.dumps(
        [dict(zip(cols, map(json_safe, r), strict=True)) for r in rows],
        ensure_ascii=False,
        default=str,
        indent=1,
        allow_nan=False,
    )


def json_safe(v: object) -> object:
    """NaN and infinities are not JSON: write null."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


def write_csv(out: TextIO, cols: list[str], rows: list[tuple], delimiter: str = ",") -> None:
    w = csv.writer(out, lineterminator="\n", delimiter=delimiter)
    w.writerow(cols)
    w.writerows([[csv_cell(v) for v in r] for r in rows])


def csv_cell(v: object) -> object:
    """Lists and structs as JSON (readable back by DuckDB and most tools), not Python reprs."""
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, list | dict) else v


def display_width(s: str) -> int:
    """Terminal columns: combining marks and format characters take none, wide ones two."""
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) == "Cf"
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in s
    )


def _cell(v: object) -> str:
    s = "" if v is None else str(v)
    s = s.replace("\n", " ")
    return s if len(s) <= CELL_MAX else s[: CELL_MAX - 1] + "…"


def table_text(cols: list[str], rows: list[tuple], isolate: bool = False) -> str:
    """Columns aligned with ` | `, a rule under the header, and the row count at the end."""
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [
        max([display_width(c), *(display_width(r[i]) for r in cells)]) for i, c in enumerate(cols)
    ]
    # On a terminal each cell is isolated (FSI…PDI) so that a bidi-aware terminal cannot
    # reorder a right-to-left value with its neighbours; pipes get the plain text.
    fsi, pdi = ("\u2068", "\u2069") if isolate else ("", "")

    def line(vals: list[str]) -> str:
        return " | ".join(
            fsi + v + pdi + " " * (w - display_width(v)) for v, w in zip(vals, widths, strict=True)
        )

    out = [line(list(cols)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)
