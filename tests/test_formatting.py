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


BIDI_MARKS = set("\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e")


def test_tsv_and_plain_never_isolate() -> None:
    cols, rows = ["k", "n"], [("الرياض", 1), ("a\tb", 2)]
    out = io.StringIO()
    assert write_rows(out, "tsv", cols, rows, limit=10, isolate=True) == 2
    assert out.getvalue().splitlines() == ["k\tn", "الرياض\t1", '"a\tb"\t2']
    out = io.StringIO()
    write_rows(out, "plain", cols, rows, limit=10, isolate=True)  # even when asked to
    assert not BIDI_MARKS & set(out.getvalue())
    assert out.getvalue().splitlines()[2] == "الرياض | 1"


def test_a_value_copied_out_of_query_output_matches_in_sql(tmp_path) -> None:
    """Through the real CLI into a pipe (CliRunner's output is not a terminal): the cell text of
    every text format, pasted into SQL, finds its row."""
    import csv

    import duckdb
    from click.testing import CliRunner

    from flows.cli import main

    value = "قال #الرياض_اليوم عبر @spagov"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create table t as select ? as v, 1 as n", [value])

    def query(sql: str, fmt: str) -> str:
        res = CliRunner().invoke(main, ["query", sql, "--data", str(tmp_path), "--format", fmt])
        assert res.exit_code == 0, res.output
        assert not BIDI_MARKS & set(res.output), fmt
        return res.output

    copied = {
        "table": query("select v, n from t", "table").splitlines()[2].split(" | ")[0].rstrip(),
        "plain": query("select v, n from t", "plain").splitlines()[2].split(" | ")[0].rstrip(),
        "tsv": query("select v from t", "tsv").splitlines()[1],
        "csv": next(csv.reader(query("select v from t", "csv").splitlines()[1:])),
        "json": json.loads(query("select v from t", "json"))[0]["v"],
    }
    copied["csv"] = copied["csv"][0]
    for fmt, got in copied.items():
        found = query(f"select count(*) as c from t where v = '{got}'", "csv")
        assert found.splitlines() == ["c", "1"], fmt
