"""Every documented query returns rows on the shipped seeds: each `akhbar views --examples`
query, and the README's SQL (its tables' examples, its ```sql blocks, its `akhbar query "…"`
commands and the terms of its search table). A count the README states in a comment
(`-- 7 on the seeds`) must be the count the seeds give."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.sql_objects import sql_catalog
from tests.conftest import ROOT
from tests.util import nightly

README = ROOT / "README.md"


@pytest.fixture(scope="module")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(ROOT / "seeds" / "landing", root / "landing")
    s = nightly(root / "landing", root / "data")
    assert s["status"] == "completed"
    return root / "data"


def views_examples(data: Path) -> list[str]:
    """The example queries `akhbar views --examples` prints."""
    res = CliRunner().invoke(main, ["views", "--examples", "--data", str(data)])
    assert res.exit_code == 0, res.output
    return [ln.split("e.g. ", 1)[1] for ln in res.output.splitlines() if "e.g. " in ln]


def _statements(block: str) -> list[tuple[str, int | None]]:
    """The statements of a ```sql block, comments dropped, each with the row count its comment
    states when the comment starts with a number (`-- 4 on the seeds`)."""
    out: list[tuple[str, int | None]] = []
    sql, stated = [], None
    for line in block.splitlines():
        code, _, comment = line.partition("--")
        m = re.match(r"\s*(\d+)\b", comment)
        if m and code.strip():
            stated = int(m[1])
        if code.strip():
            sql.append(code)
        if code.rstrip().endswith(";"):
            out.append(("\n".join(sql).strip().rstrip(";"), stated))
            sql, stated = [], None
    if "".join(sql).strip():
        out.append(("\n".join(sql).strip(), stated))
    return out


def readme_queries(text: str) -> list[tuple[str, str, int | None]]:
    """(where, sql, stated count) for every query the README shows."""
    out: list[tuple[str, str, int | None]] = []
    for block in re.findall(r"^```sql\n(.*?)^```", text, re.S | re.M):
        out += [("```sql block", sql, n) for sql, n in _statements(block)]
    # the example column of the views-and-macros table: | `name` | what | `example` |
    for sql in re.findall(r"^\| `[^`|]+` \| [^|]+ \| `((?:select|from) [^`|]+)` \|$", text, re.M):
        out.append(("views table", sql, None))
    for sql in re.findall(r'akhbar query "([^"]+)"', text):
        out.append(("akhbar query", sql, None))
    # the search table: | `'term'` | finds | does not find |
    for term in re.findall(r"^\| `'([^'`]+)'`[^|]*\|", text, re.M):
        out.append(("search table", f"from search_articles('{term}')", None))
    return out


def test_the_readme_examples_are_collected() -> None:
    """A guard on the collector itself: it finds each kind of example the README has."""
    found = {where for where, _, _ in readme_queries(README.read_text(encoding="utf-8"))}
    assert found == {"```sql block", "views table", "akhbar query", "search table"}


def test_every_views_example_returns_rows(seed_data: Path) -> None:
    examples = views_examples(seed_data)
    assert len(examples) == sum(1 for o in sql_catalog() if o.example)
    empty = []
    with duckdb.connect(str(seed_data / "warehouse.duckdb"), read_only=True) as con:
        for sql in examples:
            if not con.execute(sql).fetchall():
                empty.append(sql)
    assert not empty, "examples with no rows on the seeds:\n" + "\n".join(empty)


def test_every_readme_query_returns_rows(seed_data: Path) -> None:
    problems = []
    with duckdb.connect(str(seed_data / "warehouse.duckdb"), read_only=True) as con:
        for where, sql, stated in readme_queries(README.read_text(encoding="utf-8")):
            try:
                rows = con.execute(sql).fetchall()
            except duckdb.Error as e:
                problems.append(f"{where}: {sql}\n  fails: {e}")
                continue
            if not rows:
                problems.append(f"{where}: {sql}\n  returns no rows on the seeds")
            elif stated is not None and rows != [(stated,)]:
                problems.append(f"{where}: {sql}\n  the README says {stated}, it gives {rows}")
    assert not problems, "\n".join(problems)
