"""`akhbar query`'s output formats (flows/formatting.py), on values chosen for their edge cases:
harakat and wide characters in a table, long cells, lists and structs in CSV, NaN in JSON."""

from __future__ import annotations

import io
import json

from flows.formatting import display_width, table_text, write_rows


def test_table_aligns_by_display_width() -> None:
    # "الرّياض" has a shadda (a combining mark: no column); "日本" takes two columns a character.
    text = table_text(["k", "n"], [("الرّياض", 1), ("日本", 22), (None, 3)])
    lines = text.splitlines()
    assert lines[-1] == "(3 rows)"
    assert lines[1] == "-" * 6 + "-+-" + "-" * 2
    assert {display_width(line) for line in lines[:-1]} == {11}  # every row as wide
    assert lines[4].startswith("       | 3")  # None is an empty cell


def test_table_isolates_cells_only_for_a_terminal_and_cuts_long_ones() -> None:
    row = [("x" * 70, "a\nb")]
    plain = table_text(["long", "two lines"], row)
    assert "x" * 59 + "…" in plain and "x" * 60 not in plain and "a b" in plain
    assert "\u2068" not in plain
    isolated = table_text(["long", "two lines"], row, isolate=True)
    assert isolated.splitlines()[0].startswith("\u2068long\u2069")


def test_write_rows_formats_and_counts() -> None:
    cols, rows = ["x", "l", "s"], [(float("nan"), [1, 2], {"a": "ب"}), (1.5, [], {})]
    out = io.StringIO()
    assert write_rows(out, "json", cols, rows, limit=1, isolate=False) == 2
    assert json.loads(out.getvalue())[0] == {"x": None, "l": [1, 2], "s": {"a": "ب"}}
    out = io.StringIO()
    assert write_rows(out, "csv", cols, rows, limit=1, isolate=False) == 2
    assert out.getvalue().splitlines() == ["x,l,s", 'nan,"[1, 2]","{""a"": ""ب""}"', "1.5,[],{}"]
    out = io.StringIO()
    assert write_rows(out, "table", cols, rows, limit=1, isolate=False) == 1
    assert out.getvalue().splitlines()[-2:] == [
        "(1 rows)",
        "… 1 more rows (raise --limit or use --format csv)",
    ]
